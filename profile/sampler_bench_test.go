package profile_test

import (
	"math/rand/v2"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/internal/fixture"
	"github.com/parley-negotiation/parley/scenario"
)

// BenchmarkSampleUtility: one robustness draw of a package of miami-2025
// for its uncertain party (russia: uncertain weights, interactions), by
// SampleUtility (checks and prepares every time) and by a Sampler
// prepared once (what the analysis's robustness estimate does, 10,000
// draws a package).
func BenchmarkSampleUtility(b *testing.B) {
	sc, err := scenario.Builtin("miami-2025")
	if err != nil {
		b.Fatal(err)
	}
	names, profs := fixture.Principals(sc)
	j := -1
	for i, p := range profs {
		if p.Uncertainty != nil {
			j = i
			break
		}
	}
	if j < 0 {
		b.Fatal("miami-2025 has no uncertain party")
	}
	p, f := profs[j], sc.Framework
	pkg := make(framework.Package, len(f.Points))
	rng := rand.New(rand.NewPCG(1, 2))
	for k := range pkg {
		pkg[k] = rng.IntN(f.Points[k].Levels())
	}
	b.Logf("party %s", names[j])
	b.Run("SampleUtility", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := p.SampleUtility(f, pkg, rng.Float64); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Sampler", func(b *testing.B) {
		sm, err := p.NewSampler(f, pkg)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			sm.Utility(rng.Float64)
		}
	})
}
