package analysis

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

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
//   - A weight of point k changes one party's contributions on point k
//     only (weights are not renormalised): the merges of the frontier and
//     of the zone frontier resume at point k from the states kept before
//     every point (see SetWeight), concurrently with each other and with
//     the sampled zone's re-evaluation of that party on its cached sample;
//     cached robustness draws are replayed for that party only.
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
	// ckFront and ckLines keep the states of the exact merges of the
	// frontier and of the frontier of the packages crossing no red line
	// before every point (nil until the first weight change), so that a
	// weight change on point k merges only points k and after.
	ckFront, ckLines *mergeCheckpoints
	// rationalWork is the work of the last zone merge with reservation
	// pruning run by SetWeight (0: none yet).
	rationalWork int64
	// sample is the zone's cached sample (nil when the zone is counted).
	sample *zoneSample
	// robust caches robustness draws by package; an entry's stale parties
	// are redrawn (replayed) when it is next used.
	robust map[string]*robustEntry
}

// NewWhatIf analyses s (as AnalyzeContext with o) and keeps what later
// what-if questions need. s is copied: later changes do not touch it.
func NewWhatIf(ctx context.Context, s *Space, o Options) (*WhatIf, error) {
	w := &WhatIf{s: cloneSpace(s), o: o, overridden: make([]bool, s.N()), robust: map[string]*robustEntry{}}
	rep, err := analyze(ctx, w.s, o, w.robustness, w.zone)
	if err != nil {
		return nil, err
	}
	w.rep = rep
	return w, nil
}

// NewWhatIfFrom is NewWhatIf for a space already analysed: rep must be the
// report AnalyzeContext(ctx, s, o) returned (the room keeps its analyses;
// anything else gives wrong figures). Nothing is computed now: what a
// what-if caches (the zone's sample, robustness draws, merge states) is
// built by the first change, which therefore costs more than the next
// ones, and the analysis is not done twice. s is copied.
func NewWhatIfFrom(s *Space, o Options, rep *Report) *WhatIf {
	return &WhatIf{s: cloneSpace(s), o: o, rep: rep, overridden: make([]bool, s.N()), robust: map[string]*robustEntry{}}
}

// Report returns the current report (do not modify it).
func (w *WhatIf) Report() *Report { return w.rep }

// Space returns the current space (do not modify it).
func (w *WhatIf) Space() *Space { return w.s }

// SetReservation sets party j's reservation value to r and returns the
// updated report.
func (w *WhatIf) SetReservation(ctx context.Context, j int, r float64) (*Report, error) {
	s, err := edited(w.s, w.overridden, WhatIfEdit{Party: j, Point: -1, Value: r})
	if err != nil {
		return nil, err
	}
	w.s = s
	// The first time after NewWhatIfFrom, the zone's sample (which does not
	// depend on reservation values) is drawn beside the merge below.
	var sampleWait sync.WaitGroup
	var sampleErr error
	if zo := w.zoneOptions(); w.sample == nil && sampled(s, zo) {
		sampleWait.Add(1)
		go func() {
			defer sampleWait.Done()
			sampleErr = w.drawSample(ctx, s, zo)
		}()
	}
	defer sampleWait.Wait() // on every return: nothing runs on after it
	rep := *w.rep
	rep.Parties = partySummaries(w.s)
	rep.Solutions = solutionsOf(rep.Frontier, w.s.Reservation)
	lines := rep.Frontier
	switch {
	case hasRedLines(w.s) && w.o.Frontier.Epsilon > 0:
		// Approximate frontiers: thinning the merge of the packages
		// crossing no red line would not give the approximate zone
		// frontier Analyze gives; its merge runs as there.
		zf, err := zoneFrontier(ctx, w.s, rep.Frontier, w.o.Frontier)
		if err != nil {
			return nil, fmt.Errorf("what-if: zone frontier: %w", err)
		}
		lines = zf
	case hasRedLines(w.s):
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
	if lines != rep.Frontier {
		rep.ZoneFrontier.Method = lines.Method // as Analyze's zone frontier says
	}
	if sampleWait.Wait(); sampleErr != nil {
		return nil, fmt.Errorf("agreement zone: %w", sampleErr)
	}
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
//
// The merges resume at point k: the partial frontiers of points 0..k-1 do
// not change, and resuming from them adds the same contributions in the
// same order as Analyze's merge, so every utility, tie count and witness is
// Analyze's bit for bit. Merging only point k's options with the frontier
// of all the other points would be one merge step, but it would add point
// k's contribution after the later points', not in point order as
// profile.Table.Utility does: floating-point sums would differ in their
// last bits, and with them ties, counts and sometimes dominance, so it is
// not done. A change on an early point therefore costs about a whole
// merge; on the last points, one or two merge steps. With red lines, the
// zone frontier is filtered from the resumed frontier of the packages
// crossing no red line, or, when that is expected to cost more, merged
// with reservation pruning from scratch (whose pruning depends on every
// point, so it cannot resume). Approximate frontiers (Epsilon) are merged
// from scratch.
func (w *WhatIf) SetWeight(ctx context.Context, j, k int, weight float64) (*Report, error) {
	if k < 0 {
		return nil, fmt.Errorf("analysis: what-if: no point %d (%d points)", k, len(w.s.Framework.Points))
	}
	s, err := edited(w.s, w.overridden, WhatIfEdit{Party: j, Point: k, Value: weight})
	if err != nil {
		return nil, err
	}
	fo := w.o.Frontier
	fo.RedLines, fo.Rational = false, false
	// The frontier, the zone frontier and the sample's re-evaluation are
	// independent: they run concurrently.
	var (
		wg           sync.WaitGroup
		fr, zf       *Frontier
		frErr, zfErr error
	)
	redLines := hasRedLines(s)
	resumable := fo.Epsilon <= 0
	if resumable {
		// Exact merges resume at point k from the states kept by the last
		// weight change (the first one merges every point and keeps them):
		// the points before k are unchanged, so the partial sums there are
		// those of a merge from scratch, bit for bit. With red lines the
		// zone frontier is the frontier of the packages crossing none,
		// filtered by the reservation values (as SetReservation does): its
		// merge has no reservation pruning, which would depend on point k.
		if w.ckFront == nil {
			w.ckFront = &mergeCheckpoints{}
		}
		if redLines && w.ckLines == nil {
			w.ckLines = &mergeCheckpoints{}
		}
	}
	// With red lines, resuming the merge of the packages crossing none at
	// point k is chosen when its expected work (recorded by the merge from
	// scratch) is at most that of the zone merge with reservation pruning
	// (measured the last time it ran; half the whole merge's until then):
	// for an early point the pruned merge from scratch is cheaper. Both
	// give the same zone frontier; the kept states before points 0..k stay
	// valid either way.
	useLines := true
	var rationalWork int64
	if redLines && resumable && w.ckLines.steps != nil {
		rw := w.rationalWork
		if rw == 0 {
			rw = w.ckLines.total / 2
		}
		useLines = w.ckLines.resumeWork(k) <= rw
	}
	if redLines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !resumable {
				zf, zfErr = zoneFrontier(ctx, s, nil, fo)
				return
			}
			if !useLines {
				zo := fo
				zo.RedLines, zo.Rational = true, true
				zf, zfErr = frontierAdditive(ctx, s, zo, nil, 0, &rationalWork)
				return
			}
			lo := fo
			lo.RedLines = true
			var lines *Frontier
			if lines, zfErr = frontierAdditive(ctx, s, lo, w.ckLines, k, nil); zfErr == nil {
				w.lines = lines
				zf = filterRational(lines, s.Reservation)
				zf.Method = lines.Method // as Analyze's zone frontier says
			}
		}()
	}
	var sampleErr error
	if zo := w.zoneOptions(); w.sample != nil || sampled(s, zo) {
		// The sample's zone depends on the utilities and the reservation
		// values only: it is updated (or, the first time after
		// NewWhatIfFrom, drawn for s) and recounted here, beside the
		// merges (finish's recount then finds nothing changed).
		wg.Add(1)
		go func() {
			defer wg.Done()
			if w.sample != nil {
				w.sample.reevaluate(s, j)
			} else if sampleErr = w.drawSample(ctx, s, zo); sampleErr != nil {
				return
			}
			w.sample.recount(s.Reservation)
		}()
	}
	if resumable {
		fr, frErr = frontierAdditive(ctx, s, fo, w.ckFront, k, nil)
	} else {
		fr, frErr = FrontierAdditiveContext(ctx, s, fo)
	}
	wg.Wait()
	if frErr != nil || zfErr != nil || sampleErr != nil {
		// The sample and the kept merge states may be those of a space
		// that is not kept: drop them.
		w.sample, w.ckFront, w.ckLines, w.lines = nil, nil, nil, nil
		switch {
		case frErr != nil:
			return nil, fmt.Errorf("frontier: %w", frErr)
		case zfErr != nil:
			return nil, fmt.Errorf("zone frontier: %w", zfErr)
		}
		return nil, fmt.Errorf("agreement zone: %w", sampleErr)
	}
	switch {
	case !redLines:
		zf = filterRational(fr, s.Reservation)
		w.lines = nil
	case !resumable:
		w.lines = nil
	case !useLines:
		w.rationalWork = rationalWork
		w.ckLines.valid = min(w.ckLines.valid, k)
		w.lines = nil
	}
	for _, e := range w.robust {
		e.stale[j] = true
	}
	w.s = s
	rep := *w.rep
	rep.Parties = partySummaries(s)
	rep.Frontier = fr
	rep.Solutions = solutionsOf(fr, s.Reservation)
	rep.ZoneFrontier = zf
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
	if rep.Zone, err = w.zone(ctx, w.s, w.zoneOptions()); err != nil {
		return fmt.Errorf("agreement zone: %w", err)
	}
	return nil
}

// zoneOptions are the agreement zone's options, as Analyze takes them.
func (w *WhatIf) zoneOptions() ZoneOptions {
	zo := w.o.Zone
	if zo.Seed == 0 {
		zo.Seed = w.o.Seed
	}
	return zo.withDefaults()
}

// sampled reports whether the zone of s is sampled (not counted): the
// zone's sample is kept then.
func sampled(s *Space, o ZoneOptions) bool {
	size, ok := s.Framework.SizeInt()
	return !ok || size > o.EnumLimit
}

// robustness is PackageRobustnessContext behind a cache of its draws (by
// package, samples and seed: they do not depend on reservation values).
func (w *WhatIf) robustness(ctx context.Context, s *Space, p framework.Package, samples int, seed uint64) (*Robustness, error) {
	key := fmt.Sprint(p, samples, seed)
	e, ok := w.robust[key]
	if !ok {
		var err error
		if e, err = newRobustEntry(s, p, samples); err != nil {
			return nil, err
		}
		w.robust[key] = e
	}
	if slices.Contains(e.stale, true) {
		if err := e.redraw(ctx, s, p, seed); err != nil {
			delete(w.robust, key)
			return nil, err
		}
	}
	return e.dr.robustness(s), nil
}

// robustEntry is one package's cached robustness draws; stale[j] says that
// party j's profile changed since they were drawn (every party is stale in
// a new entry).
type robustEntry struct {
	dr    *robustDraws
	stale []bool
}

// newRobustEntry checks p as drawRobustness does and returns an entry to be
// drawn (every party stale).
func newRobustEntry(s *Space, p framework.Package, samples int) (*robustEntry, error) {
	dr, err := newRobustDraws(s, p, samples)
	if err != nil {
		return nil, err
	}
	samples = dr.samples
	e := &robustEntry{dr: dr, stale: make([]bool, s.N())}
	for j, pr := range s.Profiles {
		if pr.Uncertainty != nil {
			e.dr.accept[j] = make([]bool, samples)
		}
		e.stale[j] = true
	}
	return e, nil
}

// redraw brings the stale parties' draws up to date with s's profiles,
// giving bit for bit what drawRobustness draws: the same random stream is
// generated in the same order, and each stale uncertain party's share of it
// is handed to SampleUtility (how many random numbers a party uses per
// sample follows its uncertainty's intervals, not its weights or scores, and
// a weight change leaves those alone; the count is checked). The samples are
// then evaluated in parallel; parties that are not stale cost nothing.
func (e *robustEntry) redraw(ctx context.Context, s *Space, p framework.Package, seed uint64) error {
	dr := e.dr
	uses := make([]int, s.N()) // random numbers per sample, per uncertain party
	width, redraw := 0, false  // random numbers per sample; any stale uncertain party
	offset := make([]int, s.N())
	for j, pr := range s.Profiles {
		if e.stale[j] {
			dr.u[j] = s.Tables[j].Utility(p)
			dr.crossed[j] = pr.CrossesRedLine(p) >= 0
		}
		if (pr.Uncertainty == nil) != (dr.accept[j] == nil) {
			return fmt.Errorf("analysis: what-if: party %q's uncertainty changed", s.Names[j])
		}
		if pr.Uncertainty == nil {
			continue
		}
		if _, _, err := pr.SampleUtility(s.Framework, p, func() float64 { uses[j]++; return 0.5 }); err != nil {
			return err
		}
		offset[j] = width
		width += uses[j]
		redraw = redraw || e.stale[j]
	}
	if redraw {
		if err := ctxErr(ctx); err != nil {
			return err
		}
		rng := rand.New(rand.NewPCG(seed, 0x726f62))
		stream := make([]float64, dr.samples*width)
		for i := range stream {
			stream[i] = rng.Float64()
		}
		workers := min(runtime.GOMAXPROCS(0), max(1, dr.samples/256))
		errs := make([]error, workers)
		var wg sync.WaitGroup
		for wk := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// The stale uncertain parties' samplers (a sampler holds
				// buffers: one per goroutine).
				var samplers []*profile.Sampler
				if samplers, errs[wk] = newSamplers(s, p, e.stale); errs[wk] != nil {
					return
				}
				var r []float64
				used := 0
				rnd := func() float64 {
					used++
					if used > len(r) {
						return 0.5
					}
					return r[used-1]
				}
				lo, hi := wk*dr.samples/workers, (wk+1)*dr.samples/workers
				for i := lo; i < hi; i++ {
					if (i-lo)%64 == 0 {
						if errs[wk] = ctxErr(ctx); errs[wk] != nil {
							return
						}
					}
					for j, sm := range samplers {
						if sm == nil {
							continue
						}
						r, used = stream[i*width+offset[j]:i*width+offset[j]+uses[j]], 0
						u, res := sm.Utility(rnd)
						if used != len(r) {
							errs[wk] = fmt.Errorf("analysis: what-if: party %q drew %d random numbers in a sample, %d in another", s.Names[j], len(r), used)
							return
						}
						dr.accept[j][i] = !dr.crossed[j] && u >= res
					}
				}
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return err
		}
	}
	clear(e.stale)
	return nil
}

// zone counts the agreement zone exactly when it is small enough, and
// otherwise from the cached sample (drawn the first time).
func (w *WhatIf) zone(ctx context.Context, s *Space, o ZoneOptions) (*Zone, error) {
	o = o.withDefaults()
	if !sampled(s, o) {
		return AgreementZoneContext(ctx, s, o)
	}
	if err := w.drawSample(ctx, s, o); err != nil {
		return nil, err
	}
	w.sample.recount(s.Reservation)
	return finishZone(ctx, s, o, false, w.sample.hits, w.sample.counts)
}

// drawSample draws the zone's sample of s when none is kept (it then
// holds s's utilities; a kept one is left as it is).
func (w *WhatIf) drawSample(ctx context.Context, s *Space, o ZoneOptions) error {
	if w.sample != nil {
		return nil
	}
	zs, err := newZoneSample(ctx, s, o)
	if err != nil {
		return err
	}
	w.sample = zs
	return nil
}

// zoneSample is the agreement zone's sample kept for what-if questions:
// of the packages sampleZone draws (same seed), those crossing no red line
// (no what-if changes red lines, so the others are never in the zone; on
// Miami 85% of the draws cross one), with each party's utility of each.
//
// A party's utilities are exact (the sums profile.Table.Utility computes,
// bit for bit) until a weight change; from then on they may be updated by
// the change's differences and carry an error bound (err): recount decides
// every package the bound leaves in doubt on its exact utility, so the
// zone's counts stay those of the exact utilities.
type zoneSample struct {
	points, d int
	pkgs      []uint16  // n×points levels
	u         []float64 // n×d utilities (party j's within err[j] of exact)
	hit       []bool    // in the zone under the reservation values of the last recount
	counted   bool
	hits      uint64
	counts    [][]uint64
	// tables[j] is what party j's utilities in u were computed with (nil:
	// unknown, the next re-evaluation recomputes them); err[j] bounds
	// |u − exact| for party j (0: exact).
	tables []*sampleTable
	err    []float64
	// countedRes are the reservation values of the last recount; stale:
	// utilities changed since (a recount with the same values and no
	// change has nothing to do).
	countedRes []float64
	stale      bool
}

// sampleTable is a party's contributions and interactions, as a sample's
// utilities were computed with them, with the sizes the error bound of an
// update needs.
type sampleTable struct {
	contrib [][]float64
	effects []profile.Effect
	// mag is Σ_k max_l |contrib[k][l]| + Σ |effect values| (a bound on
	// the sum of the absolute values of any package's terms); terms is the
	// number of terms of a package's sum (points and interactions).
	mag   float64
	terms int
}

func newSampleTable(t *profile.Table) *sampleTable {
	st := &sampleTable{contrib: make([][]float64, len(t.Contrib)), effects: t.Effects, terms: len(t.Contrib) + len(t.Effects)}
	for k, c := range t.Contrib {
		st.contrib[k] = slices.Clone(c)
		m := 0.0
		for _, x := range c {
			m = math.Max(m, math.Abs(x))
		}
		st.mag += m
	}
	for _, e := range t.Effects {
		st.mag += math.Abs(e.Value)
	}
	return st
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
	n, d, np := o.Samples, s.N(), len(radix)
	zs := &zoneSample{points: np, d: d, counts: make([][]uint64, np), tables: make([]*sampleTable, d), err: make([]float64, d)}
	for k := range zs.counts {
		zs.counts[k] = make([]uint64, radix[k])
	}
	evals := make([]*sampleEval, o.Workers)
	for w := range evals {
		evals[w] = newSampleEval(s)
	}
	// Each worker keeps the draws crossing no red line of the blocks it
	// takes (in draw order within a block); the blocks are then put
	// together in draw order.
	type segment struct{ w, start, n int }
	type kept struct {
		pkgs []uint16
		u    []float64
	}
	blocks := (n + sampleBlock - 1) / sampleBlock
	segs := make([]segment, blocks)
	byWorker := make([]kept, len(evals))
	err := forEachSample(ctx, s, o, func(w, i int, p framework.Package) {
		if evals[w].crosses(p) {
			return
		}
		kw := &byWorker[w]
		sg := &segs[i/sampleBlock]
		if sg.n == 0 {
			*sg = segment{w: w, start: len(kw.u) / d}
		}
		sg.n++
		for _, l := range p {
			kw.pkgs = append(kw.pkgs, uint16(l))
		}
		kw.u = append(kw.u, evals[w].utilities(p)...)
	})
	if err != nil {
		return nil, err
	}
	total := 0
	for _, sg := range segs {
		total += sg.n
	}
	zs.pkgs, zs.u, zs.hit = make([]uint16, 0, total*np), make([]float64, 0, total*d), make([]bool, total)
	for _, sg := range segs {
		kw := &byWorker[sg.w]
		zs.pkgs = append(zs.pkgs, kw.pkgs[sg.start*np:(sg.start+sg.n)*np]...)
		zs.u = append(zs.u, kw.u[sg.start*d:(sg.start+sg.n)*d]...)
	}
	for j, t := range s.Tables {
		zs.tables[j] = newSampleTable(t)
	}
	return zs, nil
}

// sampleUtility is profile.Table.Utility of a package of cached levels: the
// same sum in the same order (point order, each interaction added after
// the contribution of its last point), bit for bit.
func sampleUtility(c [][]float64, eff []profile.Effect, row []uint16) float64 {
	u, e := 0.0, 0
	for k, l := range row {
		u += c[k][l]
		for ; e < len(eff) && eff[e].Last == k; e++ {
			if effectApplies(&eff[e], row) {
				u += eff[e].Value
			}
		}
	}
	return u
}

// reevaluate brings party j's utilities up to date with s's table. When
// only contributions changed (a weight change) and the error bound stays
// small, each utility is updated by the difference of its changed
// contributions (one addition per changed point instead of a whole sum),
// and the bound grows by what those additions and the two exact sums can
// round (updateBound); otherwise (interactions changed, the bound past
// refreshBound, no table known) every utility is recomputed exactly, the
// samples split between GOMAXPROCS goroutines.
func (zs *zoneSample) reevaluate(s *Space, j int) {
	t := s.Tables[j]
	if zs.tables == nil {
		zs.tables = make([]*sampleTable, zs.d)
		zs.err = make([]float64, zs.d)
	}
	old, nt := zs.tables[j], newSampleTable(t)
	zs.tables[j] = nt
	// changed: the points whose contributions changed, when only
	// contributions did.
	var changed []int
	onlyContrib := old != nil && sameEffects(old.effects, t.Effects)
	if onlyContrib {
		for k := range old.contrib {
			if !slices.Equal(old.contrib[k], nt.contrib[k]) {
				changed = append(changed, k)
			}
		}
		if len(changed) == 0 {
			return // the same table: the same utilities
		}
	}
	zs.stale = true // the next recount decides again
	if onlyContrib {
		bound := updateBound(zs.err[j], old, nt, len(changed))
		if bound <= refreshBound*math.Max(1, old.mag+nt.mag) {
			// diff[k][l]: the change of point k's contribution at level l.
			diff := make([][]float64, len(changed))
			for c, k := range changed {
				diff[c] = make([]float64, len(nt.contrib[k]))
				for l := range diff[c] {
					diff[c][l] = nt.contrib[k][l] - old.contrib[k][l]
				}
			}
			zs.split(func(lo, hi int) {
				for i := lo; i < hi; i++ {
					row := zs.pkgs[i*zs.points : (i+1)*zs.points]
					u := zs.u[i*zs.d+j]
					for c, k := range changed {
						u += diff[c][row[k]]
					}
					zs.u[i*zs.d+j] = u
				}
			})
			zs.err[j] = bound
			return
		}
	}
	zs.split(func(lo, hi int) {
		for i := lo; i < hi; i++ {
			zs.u[i*zs.d+j] = sampleUtility(nt.contrib, nt.effects, zs.pkgs[i*zs.points:(i+1)*zs.points])
		}
	})
	zs.err[j] = 0
}

// split runs fn over the samples, split between GOMAXPROCS goroutines.
func (zs *zoneSample) split(fn func(lo, hi int)) {
	n := len(zs.hit)
	workers := min(runtime.GOMAXPROCS(0), max(1, n/reevaluateChunk))
	var wg sync.WaitGroup
	for wk := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(wk*n/workers, (wk+1)*n/workers)
		}()
	}
	wg.Wait()
}

// updateBound bounds |u − exact| of a party's utilities after an update by
// differences on changed points, from the bound e before it. With u_0 the
// stored utility (|u_0 − U| ≤ e, U the exact sum of the old terms in
// floating point), the real sums S and S' of the old and new terms differ
// by exactly the changes of the contributions; U and the new
// floating-point sum U' are within γ·mag of S and S' (recursive summation
// of `terms` terms, γ = terms·2⁻⁵³ to first order); each difference is
// rounded once and each of the `changed` additions once, on values at
// most 3·(mag + mag') + e. So |u_1 − U'| ≤ e·(1+2⁻⁵²)·(1+γ) +
// (terms + 3·changed + 2)·2⁻⁵³·(mag + mag'), doubled here for the
// second-order terms.
func updateBound(e float64, old, nt *sampleTable, changed int) float64 {
	const unit = 0x1p-53
	terms := max(old.terms, nt.terms)
	return e*(1+0x1p-40) + 2*float64(terms+3*changed+2)*unit*(old.mag+nt.mag)
}

// refreshBound is the relative error bound past which a party's sampled
// utilities are recomputed exactly rather than updated (about 70,000
// updates of a 20-point profile).
const refreshBound = 0x1p-30

// sameEffects reports whether two compiled interaction lists are equal.
func sameEffects(a, b []profile.Effect) bool {
	return slices.EqualFunc(a, b, func(x, y profile.Effect) bool {
		return x.Value == y.Value && x.Outside == y.Outside && x.Last == y.Last &&
			slices.EqualFunc(x.Terms, y.Terms, func(s, t profile.EffectTerm) bool {
				return s.Point == t.Point && slices.Equal(s.In, t.In)
			})
	})
}

// reevaluateChunk is the fewest samples worth a goroutine of their own.
const reevaluateChunk = 1 << 16

// effectApplies is profile.Effect.Applies on a package of cached levels
// (every point decided).
func effectApplies(e *profile.Effect, row []uint16) bool {
	all := true
	for _, t := range e.Terms {
		if !t.In[row[t.Point]] {
			all = false
		}
	}
	return all != e.Outside
}

// recount decides every sampled package against the reservation values
// res, updating the per-level counts only for packages whose status
// changed. A utility within its party's error bound of the reservation
// value is recomputed exactly (and kept) before deciding.
func (zs *zoneSample) recount(res []float64) {
	if zs.counted && !zs.stale && slices.Equal(res, zs.countedRes) {
		return
	}
	zs.countedRes, zs.stale = slices.Clone(res), false
	errs := zs.err
	if errs == nil {
		errs = make([]float64, zs.d)
	}
	for i := range zs.hit {
		in := zs.atLeast(i, res, errs)
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

// atLeast is whether sample i's exact utilities are all at least res:
// atLeast on them, deciding on the stored ones where their error bounds
// errs allow.
func (zs *zoneSample) atLeast(i int, res, errs []float64) bool {
	u := zs.u[i*zs.d : (i+1)*zs.d]
	for j, r := range res {
		v := u[j]
		if e := errs[j]; e > 0 {
			switch {
			case v >= r+e:
				continue
			case v < r-e:
				return false
			}
			t := zs.tables[j]
			v = sampleUtility(t.contrib, t.effects, zs.pkgs[i*zs.points:(i+1)*zs.points])
			u[j] = v
		}
		if v < r {
			return false
		}
	}
	return true
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
