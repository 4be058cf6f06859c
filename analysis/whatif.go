package analysis

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// WhatIf is an analysis kept together with what it needs to answer "what
// if" questions incrementally: a mediator changes one party's reservation
// value or one weight and gets the report Analyze would give for the
// changed space, figure for figure (the property test checks this), without
// recomputing what the change leaves alone.
//
//   - A reservation value does not change the frontier: the solutions are
//     re-chosen on it, the zone frontier is filtered from the frontier of
//     the packages crossing no red line (the frontier itself without red
//     lines; computed once, the first time, with them), and a sampled zone
//     re-counts its cached sample (only the packages whose status changes
//     touch the per-option counts).
//   - A weight changes one party's utilities: the frontier is recomputed
//     (there is no incremental frontier merge for a changed utility), and a
//     sampled zone re-evaluates only that party on its cached sample.
//
// Zones small enough to count exactly are counted again (exact). A WhatIf
// is not safe for concurrent use.
type WhatIf struct {
	s   *Space
	o   Options
	rep *Report
	// overridden[j]: party j's reservation was set by SetReservation (a
	// weight change keeps it instead of re-deriving it from the profile).
	overridden []bool
	// lines is the frontier of the packages crossing no red line, without
	// reservation values (nil until needed).
	lines *Frontier
	// sample is the zone's cached sample (nil when the zone is counted).
	sample *zoneSample
	// robust caches robustness draws by package (for the current profiles).
	robust map[string]*robustDraws
}

// NewWhatIf analyses s (as AnalyzeContext with o) and keeps what later
// what-if questions need. s is copied: later changes do not touch it.
func NewWhatIf(ctx context.Context, s *Space, o Options) (*WhatIf, error) {
	w := &WhatIf{s: cloneSpace(s), o: o, overridden: make([]bool, s.N()), robust: map[string]*robustDraws{}}
	rep, err := analyze(ctx, w.s, o, w.robustness, w.zone)
	if err != nil {
		return nil, err
	}
	w.rep = rep
	return w, nil
}

// Report returns the current report (do not modify it).
func (w *WhatIf) Report() *Report { return w.rep }

// Space returns the current space (do not modify it).
func (w *WhatIf) Space() *Space { return w.s }

// SetReservation sets party j's reservation value to r and returns the
// updated report.
func (w *WhatIf) SetReservation(ctx context.Context, j int, r float64) (*Report, error) {
	if j < 0 || j >= w.s.N() {
		return nil, fmt.Errorf("analysis: what-if: no party %d (%d parties)", j, w.s.N())
	}
	if math.IsNaN(r) || math.IsInf(r, 0) || math.Abs(r) > profile.MaxReservation {
		return nil, fmt.Errorf("analysis: what-if: reservation %v is not a number in [-%g, %g]", r, float64(profile.MaxReservation), float64(profile.MaxReservation))
	}
	w.s.Reservation[j] = r
	w.overridden[j] = true
	rep := *w.rep
	rep.Parties = partySummaries(w.s)
	rep.Solutions = solutionsOf(rep.Frontier, w.s.Reservation)
	lines := rep.Frontier
	if hasRedLines(w.s) {
		if w.lines == nil {
			fo := w.o.Frontier
			fo.RedLines, fo.Rational = true, false
			fr, err := FrontierAdditiveContext(ctx, w.s, fo)
			if err != nil {
				return nil, fmt.Errorf("what-if: frontier without red lines crossed: %w", err)
			}
			w.lines = fr
		}
		lines = w.lines
	}
	rep.ZoneFrontier = filterRational(lines, w.s.Reservation)
	if err := w.finish(ctx, &rep); err != nil {
		return nil, err
	}
	w.rep = &rep
	return w.rep, nil
}

// SetWeight sets party j's weight of point k (framework order) to weight
// and returns the updated report. A reservation value set by SetReservation
// stays; otherwise the party's is derived from its changed profile (it
// changes when it is the utility of a fallback package).
func (w *WhatIf) SetWeight(ctx context.Context, j, k int, weight float64) (*Report, error) {
	if j < 0 || j >= w.s.N() {
		return nil, fmt.Errorf("analysis: what-if: no party %d (%d parties)", j, w.s.N())
	}
	if k < 0 || k >= len(w.s.Framework.Points) {
		return nil, fmt.Errorf("analysis: what-if: no point %d (%d points)", k, len(w.s.Framework.Points))
	}
	s, err := withWeight(w.s, j, k, weight, w.overridden)
	if err != nil {
		return nil, fmt.Errorf("analysis: what-if: %w", err)
	}
	clear(w.robust)
	w.lines = nil
	if w.sample != nil {
		w.sample.reevaluate(s, j)
	}
	w.s = s
	rep := *w.rep
	rep.Parties = partySummaries(s)
	fo := w.o.Frontier
	fo.RedLines, fo.Rational = false, false
	fr, err := FrontierAdditiveContext(ctx, s, fo)
	if err != nil {
		return nil, fmt.Errorf("frontier: %w", err)
	}
	rep.Frontier = fr
	rep.Solutions = solutionsOf(fr, s.Reservation)
	if rep.ZoneFrontier, err = zoneFrontier(ctx, s, fr, fo); err != nil {
		return nil, fmt.Errorf("zone frontier: %w", err)
	}
	if err := w.finish(ctx, &rep); err != nil {
		return nil, err
	}
	w.rep = &rep
	return w.rep, nil
}

// finish recomputes the suggestions and the zone of rep for the current
// space.
func (w *WhatIf) finish(ctx context.Context, rep *Report) error {
	var err error
	if rep.Suggestions, err = suggestionsOf(ctx, w.s, rep.ZoneFrontier, w.o, w.robustness); err != nil {
		return err
	}
	zo := w.o.Zone
	if zo.Seed == 0 {
		zo.Seed = w.o.Seed
	}
	if rep.Zone, err = w.zone(ctx, w.s, zo); err != nil {
		return fmt.Errorf("agreement zone: %w", err)
	}
	return nil
}

// robustness is PackageRobustnessContext behind a cache of its draws (by
// package, samples and seed: they do not depend on reservation values).
func (w *WhatIf) robustness(ctx context.Context, s *Space, p framework.Package, samples int, seed uint64) (*Robustness, error) {
	key := fmt.Sprint(p, samples, seed)
	dr, ok := w.robust[key]
	if !ok {
		var err error
		if dr, err = drawRobustness(ctx, s, p, samples, seed); err != nil {
			return nil, err
		}
		w.robust[key] = dr
	}
	return dr.robustness(s), nil
}

// zone counts the agreement zone exactly when it is small enough, and
// otherwise from the cached sample (drawn the first time).
func (w *WhatIf) zone(ctx context.Context, s *Space, o ZoneOptions) (*Zone, error) {
	o = o.withDefaults()
	if size, ok := s.Framework.SizeInt(); ok && size <= o.EnumLimit {
		return AgreementZoneContext(ctx, s, o)
	}
	if w.sample == nil {
		zs, err := newZoneSample(ctx, s, o)
		if err != nil {
			return nil, err
		}
		w.sample = zs
	}
	w.sample.recount(s.Reservation)
	return finishZone(ctx, s, o, false, w.sample.hits, w.sample.counts)
}

// zoneSample is the agreement zone's sample kept for what-if questions:
// the packages sampleZone draws (same seed, same order), each party's
// utility of each, and whether each crosses a red line.
type zoneSample struct {
	points, d int
	pkgs      []uint16  // n×points levels
	u         []float64 // n×d utilities
	crossed   []bool
	hit       []bool // in the zone under the reservation values of the last recount
	counted   bool
	hits      uint64
	counts    [][]uint64
}

// errTooManyLevels: a point with more levels than the sample cache holds.
var errTooManyLevels = errors.New("analysis: a point has more than 65,536 levels")

func newZoneSample(ctx context.Context, s *Space, o ZoneOptions) (*zoneSample, error) {
	f := s.Framework
	radix := f.Radix()
	for _, r := range radix {
		if r > math.MaxUint16+1 {
			return nil, errTooManyLevels
		}
	}
	n, d := o.Samples, s.N()
	zs := &zoneSample{points: len(radix), d: d, pkgs: make([]uint16, n*len(radix)), u: make([]float64, n*d),
		crossed: make([]bool, n), hit: make([]bool, n), counts: make([][]uint64, len(radix))}
	for k := range zs.counts {
		zs.counts[k] = make([]uint64, radix[k])
	}
	evals := make([]*sampleEval, o.Workers)
	for w := range evals {
		evals[w] = newSampleEval(s)
	}
	np := len(radix)
	err := forEachSample(ctx, s, o, func(w, i int, p framework.Package) {
		row := zs.pkgs[i*np : (i+1)*np]
		for k, l := range p {
			row[k] = uint16(l)
		}
		copy(zs.u[i*d:(i+1)*d], evals[w].utilities(p))
		zs.crossed[i] = evals[w].crosses(p)
	})
	if err != nil {
		return nil, err
	}
	return zs, nil
}

// reevaluate recomputes party j's utilities with s's table (sums in point
// order, as profile.Table.Utility).
func (zs *zoneSample) reevaluate(s *Space, j int) {
	c := s.Tables[j].Contrib
	for i := range zs.hit {
		u := 0.0
		for k, l := range zs.pkgs[i*zs.points : (i+1)*zs.points] {
			u += c[k][l]
		}
		zs.u[i*zs.d+j] = u
	}
}

// recount decides every sampled package against the reservation values
// res, updating the per-level counts only for packages whose status
// changed.
func (zs *zoneSample) recount(res []float64) {
	d := zs.d
	for i := range zs.hit {
		in := !zs.crossed[i] && atLeast(zs.u[i*d:(i+1)*d], res)
		if zs.counted && in == zs.hit[i] {
			continue
		}
		if !in && !zs.counted {
			continue
		}
		zs.hit[i] = in
		row := zs.pkgs[i*zs.points : (i+1)*zs.points]
		if in {
			zs.hits++
			for k, l := range row {
				zs.counts[k][l]++
			}
		} else {
			zs.hits--
			for k, l := range row {
				zs.counts[k][l]--
			}
		}
	}
	zs.counted = true
}

// cloneSpace copies a space so that its reservation values, profiles and
// tables can be replaced without touching the original.
func cloneSpace(s *Space) *Space {
	c := *s
	c.Names = slices.Clone(s.Names)
	c.Profiles = slices.Clone(s.Profiles)
	c.Tables = slices.Clone(s.Tables)
	c.Reservation = slices.Clone(s.Reservation)
	return &c
}

// withWeight returns a copy of s in which party j weighs point k by
// weight; the reservation values of the parties marked in keep stay those
// of s, the others are those of the compiled profiles.
func withWeight(s *Space, j, k int, weight float64, keep []bool) (*Space, error) {
	profs := slices.Clone(s.Profiles)
	p := *profs[j]
	p.Weights = slices.Clone(p.Weights)
	p.Weights[k] = weight
	if err := p.Check(s.Framework); err != nil {
		return nil, fmt.Errorf("party %q: %w", s.Names[j], err)
	}
	profs[j] = &p
	c, err := NewSpace(s.Framework, slices.Clone(s.Names), profs)
	if err != nil {
		return nil, err
	}
	for i := range keep {
		if keep[i] {
			c.Reservation[i] = s.Reservation[i]
		}
	}
	return c, nil
}
