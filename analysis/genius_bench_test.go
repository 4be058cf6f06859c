package analysis_test

import (
	"path/filepath"
	"testing"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/genius"
	"github.com/parley-negotiation/parley/internal/refdata"
)

func geniusSpace(b *testing.B, domain string, profiles ...string) *analysis.Space {
	sc, err := genius.LoadDir(filepath.Join(refdata.Dir(b, "genius", "domains"), domain), profiles)
	if err != nil {
		b.Fatal(err)
	}
	s, err := analysis.FromScenario(sc)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func benchGENIUSFrontier(b *testing.B, s *analysis.Space) {
	var n int
	for b.Loop() {
		fr, err := analysis.FrontierAdditive(s, analysis.FrontierOptions{})
		if err != nil {
			b.Fatal(err)
		}
		n = len(fr.Points)
	}
	b.ReportMetric(float64(n), "points")
}

// BenchmarkFrontierEnergyGrid3p: 5.76M outcomes, 3 parties (target < 1 s).
func BenchmarkFrontierEnergyGrid3p(b *testing.B) {
	benchGENIUSFrontier(b, geniusSpace(b, "EnergyGrid", "consumer.xml", "producer.xml", "provider.xml"))
}

// BenchmarkFrontierTravel: 188,160 outcomes, 2 parties (target < 50 ms).
func BenchmarkFrontierTravel(b *testing.B) {
	benchGENIUSFrontier(b, geniusSpace(b, "Travel"))
}

// BenchmarkAnalyzeTravel: the whole report (frontier, zone frontier,
// exact zone by enumeration, overlap).
func BenchmarkAnalyzeTravel(b *testing.B) {
	s := geniusSpace(b, "Travel")
	for b.Loop() {
		if _, err := analysis.Analyze(s, analysis.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
