package analysis

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/parley-negotiation/parley/framework"
)

// Robustness is, per party, the probability that a package stays acceptable
// (utility at least the reservation value, both drawn from the party's
// uncertainty intervals), estimated by seeded Monte Carlo.
type Robustness struct {
	Samples int `json:"samples"`
	// Acceptable[i] is the probability for party i; exactly 0 or 1 for a
	// party without uncertainty.
	Acceptable []float64 `json:"acceptable"`
	// All is the probability that every party accepts at once.
	All float64 `json:"all"`
	// Uncertain[i] tells whether party i's profile has uncertainty.
	Uncertain []bool `json:"uncertain"`
}

// PackageRobustness estimates how robust package p is to the uncertainty of
// the profiles. A package that crosses a party's red line is never acceptable
// to it. Results are reproducible for a given seed.
func PackageRobustness(s *Space, p framework.Package, samples int, seed uint64) (*Robustness, error) {
	return PackageRobustnessContext(context.Background(), s, p, samples, seed)
}

// PackageRobustnessContext is PackageRobustness stopped when ctx is done
// (the error then wraps ctx's cause).
func PackageRobustnessContext(ctx context.Context, s *Space, p framework.Package, samples int, seed uint64) (*Robustness, error) {
	if err := s.Framework.CheckPackage(p); err != nil {
		return nil, err
	}
	if !p.Complete() {
		return nil, fmt.Errorf("robustness needs a complete package")
	}
	if samples <= 0 {
		samples = 10_000
	}
	rng := rand.New(rand.NewPCG(seed, 0x726f62))
	d := s.N()
	r := &Robustness{Samples: samples, Acceptable: make([]float64, d), Uncertain: make([]bool, d)}
	hits := make([]int, d)
	all := 0
	for i := 0; i < samples; i++ {
		if i%64 == 0 {
			if err := ctxErr(ctx); err != nil {
				return nil, err
			}
		}
		ok := true
		for j, pr := range s.Profiles {
			r.Uncertain[j] = pr.Uncertainty != nil
			u, res := s.Tables[j].Utility(p), s.Tables[j].Reservation
			if pr.Uncertainty != nil {
				var err error
				if u, res, err = pr.SampleUtility(s.Framework, p, rng.Float64); err != nil {
					return nil, err
				}
			}
			if pr.CrossesRedLine(p) < 0 && u >= res {
				hits[j]++
			} else {
				ok = false
			}
		}
		if ok {
			all++
		}
	}
	for j := range hits {
		r.Acceptable[j] = float64(hits[j]) / float64(samples)
	}
	r.All = float64(all) / float64(samples)
	return r, nil
}
