package analysis

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/parley-negotiation/parley/framework"
)

// bruteZone counts zone packages and per-level counts by plain enumeration.
func bruteZone(s *Space) (uint64, [][]uint64) {
	radix := s.Framework.Radix()
	counts := make([][]uint64, len(radix))
	for k := range counts {
		counts[k] = make([]uint64, radix[k])
	}
	var n uint64
	Enumerate(radix, func(p framework.Package) bool {
		if s.Acceptable(p) {
			n++
			for k, l := range p {
				counts[k][l]++
			}
		}
		return true
	})
	return n, counts
}

func TestAgreementZoneExactMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for iter := 0; iter < 300; iter++ {
		s := randomSpace(rng, 1+rng.IntN(7), 5, 1+iter%4, true)
		for j := range s.Reservation {
			s.Reservation[j] = rng.Float64() * 0.5
		}
		wantN, wantC := bruteZone(s)
		for _, workers := range []int{1, 3} {
			z := AgreementZone(s, ZoneOptions{Workers: workers})
			if !z.Exact || z.Size != float64(wantN) {
				t.Fatalf("iter %d: zone size %v (exact %v), brute force %d", iter, z.Size, z.Exact, wantN)
			}
			for k, po := range z.Overlap {
				for l, lo := range po.Options {
					if (wantC[k][l] > 0) != (lo.Possible == Yes) {
						t.Fatalf("iter %d point %d option %d: possible %s, brute-force count %d", iter, k, l, lo.Possible, wantC[k][l])
					}
					if wantN > 0 && math.Abs(lo.Share-float64(wantC[k][l])/float64(wantN)) > 1e-12 {
						t.Fatalf("iter %d point %d option %d: share %v", iter, k, l, lo.Share)
					}
				}
			}
		}
		// The sampled path: possibility comes from exact search and must agree.
		if size, _ := s.Framework.SizeInt(); size <= 1 {
			continue
		}
		z := AgreementZone(s, ZoneOptions{EnumLimit: 1, Samples: 2000, Seed: uint64(iter)})
		if z.Exact {
			t.Fatal("expected sampling")
		}
		if wantN > 0 {
			size, _ := s.Framework.SizeInt()
			frac := float64(wantN) / float64(size)
			if z.Low/float64(size) > frac+1e-12 || z.High/float64(size) < frac-1e-12 {
				// A 95% interval misses sometimes; allow it but not grossly.
				if math.Abs(z.Fraction-frac) > 0.1 {
					t.Errorf("iter %d: sampled fraction %v, true %v", iter, z.Fraction, frac)
				}
			}
		}
		for k, po := range z.Overlap {
			for l, lo := range po.Options {
				if lo.Possible == Unknown {
					t.Fatalf("search budget exhausted on a tiny domain")
				}
				if (wantC[k][l] > 0) != (lo.Possible == Yes) {
					t.Fatalf("iter %d point %d option %d: search says %s, brute-force count %d", iter, k, l, lo.Possible, wantC[k][l])
				}
			}
		}
	}
}

func TestWilson(t *testing.T) {
	lo, hi := wilson(50, 100)
	if math.Abs(lo-0.4038) > 1e-3 || math.Abs(hi-0.5962) > 1e-3 {
		t.Errorf("wilson(50,100) = %v, %v", lo, hi)
	}
	lo, hi = wilson(0, 1000)
	if lo != 0 || hi > 0.004 {
		t.Errorf("wilson(0,1000) = %v, %v", lo, hi)
	}
}

// BenchmarkZoneEnumerate2p8x6 measures exact zone counting by Gray-code
// enumeration: packages/s over all cores.
func BenchmarkZoneEnumerate2p8x6(b *testing.B) {
	s := benchSpace(8, 6, 2, 1)
	s.Reservation = []float64{0.5, 0.5}
	size, _ := s.Framework.SizeInt()
	for b.Loop() {
		AgreementZone(s, ZoneOptions{})
	}
	b.ReportMetric(float64(size)*float64(b.N)/b.Elapsed().Seconds(), "packages/s")
}

// BenchmarkGrayEvaluate measures the enumeration inner loop on one core: a
// Gray-code step updates every party's utility with one subtraction and one
// addition (2 parties, 8×6 domain). Reported as outcomes/s/core.
func BenchmarkGrayEvaluate(b *testing.B) {
	s := benchSpace(8, 6, 2, 1)
	s.Reservation = []float64{math.Inf(1), math.Inf(1)}
	radix := s.Framework.Radix()
	size, _ := s.Framework.SizeInt()
	counts := make([][]uint64, len(radix))
	for k := range counts {
		counts[k] = make([]uint64, radix[k])
	}
	w := newGrayWalker(s, radix, 0)
	for b.Loop() {
		w.run(0, counts)
	}
	b.ReportMetric(float64(size)*float64(b.N)/b.Elapsed().Seconds(), "outcomes/s")
}
