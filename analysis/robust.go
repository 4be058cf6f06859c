package analysis

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
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
	dr, err := drawRobustness(ctx, s, p, samples, seed)
	if err != nil {
		return nil, err
	}
	return dr.robustness(s), nil
}

// robustDraws are the Monte Carlo draws of one package's robustness: per
// uncertain party, whether it accepts the package in each sample (its
// utility and reservation value both drawn from its intervals). A party
// without uncertainty accepts in every sample or in none, by its
// utility and the space's reservation value, so a changed reservation
// value of such a party needs no new draws.
type robustDraws struct {
	samples int
	// accept[j][i]: uncertain party j accepts in sample i (nil: certain).
	accept [][]bool
	// u[j], crossed[j]: a certain party's utility, and whether p crosses
	// one of its red lines.
	u       []float64
	crossed []bool
}

// newRobustDraws checks that p is a complete package of s and returns
// empty draws of samples (10,000 when not positive) for s's parties.
func newRobustDraws(s *Space, p framework.Package, samples int) (*robustDraws, error) {
	if err := s.Framework.CheckPackage(p); err != nil {
		return nil, err
	}
	if !p.Complete() {
		return nil, fmt.Errorf("robustness needs a complete package")
	}
	if samples <= 0 {
		samples = 10_000
	}
	d := s.N()
	return &robustDraws{samples: samples, accept: make([][]bool, d), u: make([]float64, d), crossed: make([]bool, d)}, nil
}

func drawRobustness(ctx context.Context, s *Space, p framework.Package, samples int, seed uint64) (*robustDraws, error) {
	dr, err := newRobustDraws(s, p, samples)
	if err != nil {
		return nil, err
	}
	samples = dr.samples
	for j, pr := range s.Profiles {
		dr.u[j] = s.Tables[j].Utility(p)
		dr.crossed[j] = pr.CrossesRedLine(p) >= 0
		if pr.Uncertainty != nil {
			dr.accept[j] = make([]bool, samples)
		}
	}
	samplers, err := newSamplers(s, p, nil)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x726f62))
	for i := 0; i < samples; i++ {
		if i%64 == 0 {
			if err := ctxErr(ctx); err != nil {
				return nil, err
			}
		}
		for j, sm := range samplers {
			if sm == nil {
				continue
			}
			u, res := sm.Utility(rng.Float64)
			dr.accept[j][i] = !dr.crossed[j] && u >= res
		}
	}
	return dr, nil
}

// newSamplers prepares the draws of p for every uncertain party (only
// those marked in only, when it is not nil): SampleUtility's draws,
// prepared once. The others' entries are nil. A sampler holds buffers:
// one set per goroutine.
func newSamplers(s *Space, p framework.Package, only []bool) ([]*profile.Sampler, error) {
	samplers := make([]*profile.Sampler, len(s.Profiles))
	for j, pr := range s.Profiles {
		if pr.Uncertainty == nil || only != nil && !only[j] {
			continue
		}
		var err error
		if samplers[j], err = pr.NewSampler(s.Framework, p); err != nil {
			return nil, err
		}
	}
	return samplers, nil
}

// robustness summarises the draws under s's reservation values.
func (dr *robustDraws) robustness(s *Space) *Robustness {
	d := len(dr.accept)
	r := &Robustness{Samples: dr.samples, Acceptable: make([]float64, d), Uncertain: make([]bool, d)}
	certainOK := true
	for j := range dr.accept {
		r.Uncertain[j] = dr.accept[j] != nil
		if dr.accept[j] != nil {
			hits := 0
			for _, a := range dr.accept[j] {
				if a {
					hits++
				}
			}
			r.Acceptable[j] = float64(hits) / float64(dr.samples)
			continue
		}
		if !dr.crossed[j] && dr.u[j] >= s.Reservation[j] {
			r.Acceptable[j] = 1
		} else {
			certainOK = false
		}
	}
	all := 0
	if certainOK {
	sample:
		for i := 0; i < dr.samples; i++ {
			for j := range dr.accept {
				if dr.accept[j] != nil && !dr.accept[j][i] {
					continue sample
				}
			}
			all++
		}
	}
	r.All = float64(all) / float64(dr.samples)
	return r
}
