package profile

import (
	"fmt"
	"math"
	"slices"

	"github.com/parley-negotiation/parley/framework"
)

// Sampler evaluates one complete package under draws from a profile's
// uncertainty, again and again: each call of Utility is SampleUtility with
// the same random numbers, bit for bit, without its checks, its
// allocations or the work that does not depend on the draw (the
// interactions that apply, the values of numeric points, the nominal
// fallback's utility), which NewSampler does once. A robustness estimate
// draws thousands of samples of a few packages: this is its inner loop.
//
// A Sampler holds buffers: one per goroutine. The profile must not change
// while it is used.
type Sampler struct {
	p *Profile
	f *framework.Framework
	// at and fb are the package's and the fallback's levels, evaluated.
	at, fb sampledPackage
	// nominalSum is p.WeightSum(), nominalFallback the fallback's utility
	// under the declared weights and scores (when there is a fallback).
	nominalSum, nominalFallback float64
	// w holds the drawn weights, scores[i] the drawn scores of point i
	// (nil: the point's scores are not uncertain).
	w      []float64
	scores [][]float64
}

// sampledPackage is a package's levels with what SampleUtility's sums need
// of them that no draw changes.
type sampledPackage struct {
	levels framework.Package
	// value[i] is the declared e_i of level levels[i] (contrib's factor of
	// the weight: the score, the score over the point's largest, or the
	// value function's value); zero[i]: contrib returns 0 whatever the
	// weight (ScaleMax with every score below 1e-5).
	value []float64
	zero  []bool
	// after[i] lists the values of the interactions added after point i
	// that apply (in Table.Utility's order).
	after [][]float64
}

// NewSampler checks pkg as SampleUtility does and prepares its draws.
func (p *Profile) NewSampler(f *framework.Framework, pkg framework.Package) (*Sampler, error) {
	if len(p.Weights) != len(f.Points) || len(p.Scores) != len(f.Points) {
		return nil, fmt.Errorf("%w: %d weights and %d scores for %d points", ErrMismatch, len(p.Weights), len(p.Scores), len(f.Points))
	}
	if err := f.CheckPackage(pkg); err != nil {
		return nil, err
	}
	if !pkg.Complete() {
		return nil, fmt.Errorf("profile: utility of a partial package")
	}
	s := &Sampler{p: p, f: f, nominalSum: p.WeightSum(), w: make([]float64, len(p.Weights)), scores: make([][]float64, len(f.Points))}
	if unc := p.Uncertainty; unc != nil {
		for i := range f.Points {
			if i < len(unc.Scores) && unc.Scores[i] != nil {
				s.scores[i] = slices.Clone(p.Scores[i])
			}
		}
	}
	order := p.interactionOrder()
	s.at = p.prepareSampled(f, pkg, order)
	if p.Fallback != nil {
		s.fb = p.prepareSampled(f, p.Fallback, order)
		s.nominalFallback = s.sum(&s.fb, p.Weights, false)
	}
	return s, nil
}

// prepareSampled evaluates what does not depend on the draws for one
// package (the fallback need not be checked: Check does it).
func (p *Profile) prepareSampled(f *framework.Framework, pkg framework.Package, order []interactionRef) sampledPackage {
	sp := sampledPackage{levels: slices.Clone(pkg), value: make([]float64, len(pkg)), zero: make([]bool, len(pkg)), after: make([][]float64, len(pkg))}
	e := 0
	for i, l := range pkg {
		sp.value[i], sp.zero[i] = p.declaredValue(f, i, l)
		for ; e < len(order) && order[e].last == i; e++ {
			if in := &p.Interactions[order[e].index]; in.applies(pkg) {
				sp.after[i] = append(sp.after[i], in.Value)
			}
		}
	}
	return sp
}

// declaredValue is contrib's factor of the weight for level l of point i
// under the declared scores (contrib(f, i, l, w, p.Scores[i]) is w times
// it, or 0 when zero).
func (p *Profile) declaredValue(f *framework.Framework, i, l int) (v float64, zero bool) {
	pt := &f.Points[i]
	if pt.Kind != framework.Options {
		return p.Funcs[i].Eval(pt.Value(l)), false
	}
	if p.Scale != ScaleMax {
		return p.Scores[i][l], false
	}
	mx := maxScore(p.Scores[i])
	if mx < 0.00001 {
		return 0, true
	}
	return p.Scores[i][l] / mx, false
}

func maxScore(scores []float64) float64 {
	mx := math.Inf(-1)
	for _, s := range scores {
		mx = math.Max(mx, s)
	}
	return mx
}

// sum is SampleUtility's Σ w_i·e_i over sp's levels in point order, each
// applying interaction added after its last point; drawn: the drawn scores
// where there are some.
func (s *Sampler) sum(sp *sampledPackage, weights []float64, drawn bool) float64 {
	u := 0.0
	for i, l := range sp.levels {
		if sc := s.scores[i]; drawn && sc != nil {
			u += s.p.contrib(s.f, i, l, weights[i], sc)
		} else if sp.zero[i] {
			u += 0
		} else {
			u += weights[i] * sp.value[i]
		}
		for _, v := range sp.after[i] {
			u += v
		}
	}
	return u
}

// Utility draws one sample, taking random numbers from rnd exactly as
// SampleUtility does, and returns what SampleUtility returns.
func (s *Sampler) Utility(rnd func() float64) (u, reservation float64) {
	p := s.p
	unc := p.Uncertainty
	w := s.w
	if unc == nil {
		copy(w, p.Weights)
	} else {
		// drawWeights, into the buffer.
		sum := 0.0
		for i := range w {
			w[i] = p.Weights[i]
			if i < len(unc.Weights) && unc.Weights[i] != nil {
				iv := unc.Weights[i]
				w[i] = iv.Lo + (iv.Hi-iv.Lo)*rnd()
			}
			sum += w[i]
		}
		if sum > 0 {
			for i := range w {
				w[i] *= s.nominalSum / sum
			}
		}
		for i, sc := range s.scores {
			if sc == nil {
				continue
			}
			copy(sc, p.Scores[i])
			for l := range sc {
				if l < len(unc.Scores[i]) {
					if iv := unc.Scores[i][l]; iv != nil {
						sc[l] = iv.Lo + (iv.Hi-iv.Lo)*rnd()
					}
				}
			}
		}
	}
	u = s.sum(&s.at, w, true)
	// The compiled reservation: the declared one or the nominal fallback's.
	hasRes := p.Reservation != nil
	if hasRes {
		reservation = *p.Reservation
	}
	if p.Fallback != nil {
		if fb := s.nominalFallback; !hasRes || fb > reservation {
			reservation = fb
		}
	}
	if unc == nil {
		return u, reservation
	}
	if iv := unc.Reservation; iv != nil {
		reservation = iv.Lo + (iv.Hi-iv.Lo)*rnd()
	} else if p.Fallback != nil {
		fb := s.sum(&s.fb, w, true)
		if p.Reservation == nil || fb > *p.Reservation {
			reservation = fb
		}
	}
	return u, reservation
}
