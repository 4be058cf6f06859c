//go:build ignore

// gen-r8x6 prints the r8x6 scenario of the startup benchmark
// (scripts/bench-startup.sh): the random two-party domain of 8 points × 6
// options that analysis/bench_test.go's BenchmarkFrontier2p8x6 analyses
// (benchSpace(8, 6, 2, 1): PCG seed (1, 99), weights normalised, scores
// uniform in [0, 1)), as a scenario file. Usage: go run scripts/gen-r8x6.go > r8x6.yaml
package main

import (
	"fmt"
	"math/rand/v2"
	"os"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
)

func main() {
	const points, levels, parties = 8, 6, 2
	rng := rand.New(rand.NewPCG(1, 99))
	f := &framework.Framework{Name: "r8x6"}
	for k := 0; k < points; k++ {
		p := framework.Point{ID: fmt.Sprintf("p%d", k)}
		for l := 0; l < levels; l++ {
			p.Options = append(p.Options, framework.Option{ID: fmt.Sprintf("o%d", l)})
		}
		f.Points = append(f.Points, p)
	}
	s := &scenario.Scenario{
		Version:     scenario.FormatVersion,
		Name:        "r8x6",
		Title:       "Random additive domain, 8 points × 6 options, 2 parties",
		Description: "The domain of analysis's BenchmarkFrontier2p8x6 (1,679,616 packages), for the startup benchmark.",
		Framework:   f,
		Decision:    scenario.Decision{Rule: scenario.Unanimity, Agreement: scenario.WholePackage},
		Format:      scenario.Format{Default: scenario.Plenary},
	}
	for j := 0; j < parties; j++ {
		pr := &profile.Profile{}
		tot := 0.0
		for range f.Points {
			w := rng.Float64()
			pr.Weights = append(pr.Weights, w)
			tot += w
			sc := make([]float64, levels)
			for l := range sc {
				sc[l] = rng.Float64()
			}
			pr.Scores = append(pr.Scores, sc)
		}
		for k := range pr.Weights {
			pr.Weights[k] /= tot
		}
		id := fmt.Sprintf("party%d", j)
		s.Parties = append(s.Parties, scenario.Party{ID: id, Role: scenario.Principal, Profile: pr})
	}
	b, err := scenario.Marshal(s)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Stdout.Write(b)
}
