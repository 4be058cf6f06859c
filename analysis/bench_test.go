package analysis

import (
	"fmt"
	"testing"

	"github.com/parley-negotiation/parley/internal/fixture"
)

// benchSpace is a random additive domain with real-valued weights and scores
// (the setting of NegMAS's benchmark: points × levels, n parties).
func benchSpace(points, levels, parties int, seed uint64) *Space {
	sc := fixture.RandomAdditive(fmt.Sprintf("random-%dx%d", points, levels), points, levels, parties, seed, 99, -1)
	names, profs := fixture.Principals(sc)
	s, err := NewSpace(sc.Framework, names, profs)
	if err != nil {
		panic(err)
	}
	return s
}

func benchFrontier(b *testing.B, s *Space) {
	b.ReportAllocs()
	var n int
	for b.Loop() {
		fr, err := FrontierAdditive(s, FrontierOptions{})
		if err != nil {
			b.Fatal(err)
		}
		n = len(fr.Points)
	}
	b.ReportMetric(float64(n), "points")
}

// BenchmarkFrontier2p8x6 is the target: 1.68M outcomes, 2 parties,
// exact, under 0.1 s (NegMAS: 12.8 s).
func BenchmarkFrontier2p8x6(b *testing.B) { benchFrontier(b, benchSpace(8, 6, 2, 1)) }

// BenchmarkFrontier2p20x4 is 10¹² outcomes, exact without enumeration.
func BenchmarkFrontier2p20x4(b *testing.B) { benchFrontier(b, benchSpace(20, 4, 2, 1)) }

// BenchmarkFrontier3p8x6 is a 3-party 1.68M-outcome domain.
func BenchmarkFrontier3p8x6(b *testing.B) { benchFrontier(b, benchSpace(8, 6, 3, 1)) }

// BenchmarkFrontierEnumerate2p6x6 is the brute-force oracle, for comparison.
func BenchmarkFrontierEnumerate2p6x6(b *testing.B) {
	s := benchSpace(6, 6, 2, 1)
	for b.Loop() {
		if _, err := FrontierEnumerate(s, FrontierOptions{}, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFrontierTenRedLines2p20x5 is the zone frontier of 5^20 packages
// with ten red lines joining two points each (issue 12: 90 s and "frontier
// too large" when partial packages were kept apart by levels).
func BenchmarkFrontierTenRedLines2p20x5(b *testing.B) {
	s := redLineSpace(20, 5, 2, 10)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FrontierAdditive(s, FrontierOptions{RedLines: true, Rational: true}); err != nil {
			b.Fatal(err)
		}
	}
}
