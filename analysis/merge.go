package analysis

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// FrontierOptions restricts and bounds a frontier computation.
type FrontierOptions struct {
	// RedLines excludes packages that cross any party's red line.
	RedLines bool
	// Rational keeps only packages every party rates at least its reservation
	// value (the frontier of the agreement zone when RedLines is also set).
	Rational bool
	// MaxPoints bounds the size of any intermediate frontier (default 4,000,000).
	MaxPoints int
	// MaxWork bounds the work: partial packages generated plus dominance
	// comparisons (default DefaultMaxWork; negative: no bound). Past it the
	// computation stops with ErrWorkBudget.
	MaxWork int64
	// Progress, when set, is called after each point with (done, total).
	Progress func(done, total int)
	// Epsilon > 0 asks for an approximate frontier: whenever more than
	// thinAbove partial packages survive a point, they are thinned to one
	// per grid cell in every party's utility (the one with the largest
	// utility sum) and to the cells no other cell dominates, the cell
	// sides adding up to at most Epsilon (see thinBudget; the last point
	// is always thinned), so that every exact frontier point u has a
	// returned point v with v_j ≥ u_j − Epsilon for every party j. Returned points are real packages with
	// their exact utilities; their counts are lower bounds. The frontier
	// then says Approximate and its ErrorBound. 0: exact.
	Epsilon float64
	// Relax says whether the merge may drop the states of interactions
	// spanning several points when the exact merge exceeds its budgets
	// (RelaxOnBudget) or at once (RelaxAlways): the frontier is then
	// approximate, every exact frontier point within D_j of a listed one
	// for every party j (relaxBound). RelaxNever: exact or an error; the
	// zero value RelaxDefault is RelaxNever here and RelaxOnBudget in
	// Analyze.
	Relax Relax
	// thinAbove overrides the package's thinAbove (tests).
	thinAbove int
	// Order chooses the merge order of spaces with constraints spanning
	// several points (OrderAuto: the greedy order when it keeps notably
	// fewer open at once and the sums are exact in any order; see
	// orderPlan).
	Order Order
}

// ErrTooLarge is returned when a frontier exceeds FrontierOptions.MaxPoints.
var ErrTooLarge = errors.New("analysis: frontier too large")

// rationalSlack is the tolerance of the reservation bound used to prune
// partial sums; the final filter is exact.
const rationalSlack = 1e-9

// constraint is a red line spanning several points or an interaction (a
// compiled profile.Effect of party ≥ 0), in framework indices: In[l] of a
// term tells whether level l of its point matches.
type constraint struct {
	terms       []profile.EffectTerm
	first, last int
	// party is the party whose utility the interaction adds value to
	// (outside: when some term does not match); -1 for a red line.
	party   int
	value   float64
	outside bool
}

// FrontierAdditive computes the exact Pareto frontier of a space by merging
// point by point with dominance pruning (see the package doc). It never
// enumerates the outcome space. Interactions (profile.Effect) are merged
// exactly: partial packages are kept apart by the state of the
// interactions still open (see interactionSteps), which is what they cost.
func FrontierAdditive(s *Space, o FrontierOptions) (*Frontier, error) {
	return FrontierAdditiveContext(context.Background(), s, o)
}

// FrontierAdditiveContext is FrontierAdditive stopped when ctx is done (the
// error then wraps ctx's cause, e.g. context.DeadlineExceeded) or when the
// work exceeds o.MaxWork (ErrWorkBudget).
func FrontierAdditiveContext(ctx context.Context, s *Space, o FrontierOptions) (*Frontier, error) {
	return frontierAdditive(ctx, s, o, nil, 0, nil)
}

// mergeLayer records, per surviving partial package after one point, its
// parent partial package and its level there (to rebuild witnesses).
type mergeLayer struct{ parent, level []int32 }

// mergeState is the merge's state before one point: the surviving partial
// packages of the points before it (utilities, counts, state indices into
// groups), the states (the armed flags of the constraints open there, one
// bit each, ps words per state) and the layers that rebuild their
// witnesses.
type mergeState struct {
	vals   []float64
	counts []uint64
	state  []int32
	groups []uint64
	ps     int
	layers []mergeLayer
	// kept: the state is held (states past the memory budget are dropped,
	// the earliest first).
	kept bool
}

// bytes is the memory a kept state holds (its layers share the merge's).
func (st *mergeState) bytes() int64 {
	return int64(8*len(st.vals) + 8*len(st.counts) + 4*len(st.state) + 8*len(st.groups) + 48*len(st.layers))
}

// checkpointBudget bounds the memory of one set of merge checkpoints: past
// it the earliest states are dropped (a change on an earlier point then
// resumes from the latest state kept before it, or from scratch).
const checkpointBudget = 64 << 20

// mergeCheckpoints keeps the state of an exact merge before every point, so
// that the merge of a space that differs only from point k on (the same red
// lines, the same contributions on points 0..k-1) resumes at point k with
// the same partial sums, in the same order, as a merge from scratch: the
// resumed frontier is bit for bit the one FrontierAdditive computes. Only
// for exact merges without reservation pruning (Rational and Epsilon unset:
// their pruning depends on later points).
type mergeCheckpoints struct {
	// eps is the pruning margin the states were computed with; a resumed
	// merge needs one at least as large as its own space requires.
	eps   float64
	steps []mergeState
	// valid: steps[0..valid] are states of the current space (-1: none;
	// the zero value is treated as none). A change on point k keeps the
	// states before points 0..k: the owner lowers valid to k.
	valid int
	// work[k] is the work (as metered) done before point k by a merge
	// from scratch, total that of the whole merge: what resuming costs.
	work  []int64
	total int64
	// held is the memory of the kept states; budget bounds it (0:
	// checkpointBudget).
	held, budget int64
	// scratch: the last merge's buffers, for the next one.
	scratch mergeScratch
}

// mergeScratch holds a merge's reusable buffers: the candidates of a step
// (utilities, counts, parents, levels, states) and the spare survivor
// buffers that the next compaction writes into.
type mergeScratch struct {
	vals                 []float64
	counts               []uint64
	parent, level, state []int32
	spareVals            []float64
	spareCounts          []uint64
	spareState           []int32
}

// keep records st as the state before point k, dropping the earliest
// kept states (never the initial one, which is tiny) past the budget.
func (ck *mergeCheckpoints) keep(k int, st mergeState) {
	if old := &ck.steps[k]; old.kept {
		ck.held -= old.bytes()
	}
	st.kept = true
	ck.steps[k] = st
	ck.held += st.bytes()
	budget := ck.budget
	if budget <= 0 {
		budget = checkpointBudget
	}
	for i := 1; i < k && ck.held > budget; i++ {
		if ck.steps[i].kept {
			ck.held -= ck.steps[i].bytes()
			ck.steps[i] = mergeState{}
		}
	}
}

// resumeAt returns the latest point at or before from with a kept state
// (0: none, merge from scratch).
func (ck *mergeCheckpoints) resumeAt(from int) int {
	from = min(from, ck.valid, len(ck.steps)-1)
	for from > 0 && !ck.steps[from].kept {
		from--
	}
	return max(from, 0)
}

// resumeWork is the work a merge resumed for a change on point k is
// expected to do (the whole merge's when there is no state to resume).
func (ck *mergeCheckpoints) resumeWork(k int) int64 {
	if ck.steps == nil {
		return ck.total
	}
	return ck.total - ck.work[ck.resumeAt(k)]
}

// frontierAdditive is FrontierAdditiveContext; with ck non-nil (o must then
// be exact and not Rational) it resumes before point from (or the last
// valid state before it) when ck holds a state there computed with a large
// enough margin, and records its states in ck. With work non-nil it stores
// the work done there.
func frontierAdditive(ctx context.Context, s *Space, o FrontierOptions, ck *mergeCheckpoints, from int, work *int64) (*Frontier, error) {
	if ck != nil {
		return mergeFrontier(ctx, s, o, ck, from, work, nil)
	}
	return plannedFrontier(ctx, s, o, work)
}

// mergeFrontier is frontierAdditive with the merge's plan (nil: framework
// order, every interaction with its states; see mergePlan): with a plan the
// merge takes the points in plan.order, leaves out the interactions
// plan.relaxed says (their states dropped, counted as relaxBound says), and
// the survivors' utilities are recomputed with Space.Utilities on their
// witnesses before the final skyline. ck must be nil with a plan.
func mergeFrontier(ctx context.Context, s *Space, o FrontierOptions, ck *mergeCheckpoints, from int, work *int64, plan *mergePlan) (*Frontier, error) {
	if plan != nil && ck != nil {
		return nil, errors.New("analysis: merge checkpoints need the framework order")
	}
	f := s.Framework
	n, d := len(f.Points), s.N()
	if o.MaxPoints <= 0 {
		o.MaxPoints = 4_000_000
	}
	if o.MaxWork == 0 {
		o.MaxWork = DefaultMaxWork
	}
	if o.thinAbove <= 0 {
		o.thinAbove = thinAbove
	}
	m := newMeter(ctx, max(o.MaxWork, 0))
	allowed, multi := compileRedLines(s, o.RedLines)
	effects := interactionConstraints(s)
	// order[k] is the point merged at step k (framework order without a
	// plan).
	order := plan.mergeOrder(n)
	var relaxedPos []float64 // per party: the relaxed values left out that are positive
	if plan != nil && plan.relaxed != nil {
		relaxedPos = make([]float64, d)
		kept := effects[:0:0]
		for i, c := range effects {
			if !plan.relaxed[i] {
				kept = append(kept, c)
			} else if c.value > 0 {
				relaxedPos[c.party] += c.value
			}
		}
		effects = kept
	}
	steps := constraintSteps(n, remapConstraints(append(multi, effects...), order))
	// at names merge step k in errors (the point, in framework order).
	at := func(k int) string {
		if plan != nil && plan.order != nil {
			return fmt.Sprintf("merge step %d of %d (point %d)", k+1, n, order[k]+1)
		}
		return fmt.Sprintf("point %d of %d", k+1, n)
	}
	// states is the number of states the partial packages are kept apart
	// by before the current point, maxStates the largest so far.
	states, maxStates := 1, 1
	statesNote := func(k int) string {
		if len(effects) == 0 {
			return ""
		}
		what := "exactness costs that many; an approximate frontier (--epsilon, FrontierOptions.Epsilon) thins the partial packages of each state, not the states"
		if o.Epsilon > 0 {
			what = "the approximate frontier thins the partial packages of each state, not the states"
		}
		return fmt.Sprintf("; the %d interactions keep the partial packages in %s states at %s (%s at most so far), each with a frontier of its own: %s",
			len(effects), thousands(states), at(k), thousands(maxStates), what)
	}
	stopped := func(k int) error {
		if errors.Is(m.err, ErrWorkBudget) {
			return fmt.Errorf("%w (at %s%s)", m.err, at(k), statesNote(k))
		}
		return fmt.Errorf("%w (at %s)", m.err, at(k))
	}
	if !m.check() {
		return nil, stopped(0)
	}

	// restMax[k][j]: the most party j can still gain from points k..n-1
	// (with interactions, an upper bound: every positive value of those
	// completed there added).
	best := bestAllowed(s, allowed)
	// restMax is indexed by merge step; relaxed interactions' positive
	// values may all still be gained (relaxBound).
	restMax := make([][]float64, n+1)
	restMax[n] = make([]float64, d)
	if relaxedPos != nil {
		copy(restMax[n], relaxedPos)
	}
	lastStep := make([]int, n) // the merge step of each point
	for k, p := range order {
		lastStep[p] = k
	}
	for k := n - 1; k >= 0; k-- {
		restMax[k] = slices.Clone(restMax[k+1])
		for j := range s.Tables {
			restMax[k][j] += best[order[k]][j]
		}
		for _, c := range effects {
			if c.value > 0 && constraintLastStep(c, lastStep) == k {
				restMax[k][c.party] += c.value
			}
		}
	}

	// Partial sums are pruned only when dominated by a margin larger than
	// the rounding the remaining additions can introduce, so no package that
	// brute-force (floating-point) comparison would keep on the frontier is
	// lost to a tie that rounding broke early; a final plain skyline removes
	// what the margin kept. The remaining additions are the contributions
	// of the points left and the values of the interactions completed
	// there: the margin covers both. In another order (mergePlan.order) the
	// margin covers the strict coordinate of a dominance as well (the same
	// terms, added in another order, round by at most as much), but not
	// the others ("at least as high") nor the merging of equal vectors: a
	// one-ulp difference between two packages' sums may go the other way
	// in the canonical order. So an exact merge is reordered only when
	// every sum is exact in any order (exactArithmetic: then the sums are
	// the canonical ones bit for bit); a relaxed one is approximate anyway,
	// and its bound adds the margin when the sums are not exact
	// (mergePlan.allow).
	mag, adds := 1.0, 0
	for _, t := range s.Tables {
		a := 0.0
		for _, c := range t.Contrib {
			m := 0.0
			for _, x := range c {
				m = math.Max(m, math.Abs(x))
			}
			a += m
		}
		for _, e := range t.Effects {
			a += math.Abs(e.Value)
		}
		mag = math.Max(mag, a)
		adds = max(adds, len(t.Effects))
	}
	eps := 16 * float64(n+1+adds) * mag * 0x1p-52
	// The reservation bound's tolerance covers the rounding of the bound
	// too (large utilities, many interactions).
	slack := math.Max(rationalSlack, eps)

	layers := make([]mergeLayer, n)
	cur := &vecs{d: d, vals: make([]float64, d)}
	counts := []uint64{1}
	// state holds, per partial package, the index of its state in groups:
	// per state, one bit per constraint (red line or interaction) open
	// after the previous point (ps words per state), 1 while every term
	// decided so far matches (the red line may still be crossed, the
	// interaction may still match) and 0 once one does not.
	var state []int32 // nil: every partial package in state 0
	var groups []uint64
	ps := 0
	start := 0
	var base int64 // work before start
	if ck != nil {
		if o.Rational || o.Epsilon > 0 {
			return nil, errors.New("analysis: merge checkpoints need an exact merge without reservation pruning")
		}
		if len(ck.steps) == n {
			from = ck.resumeAt(from)
		} else {
			from = 0
		}
		if from > 0 && ck.eps >= eps {
			// Resume: the states before point from are those of this space.
			st := ck.steps[from]
			eps, start, ps = ck.eps, from, st.ps
			cur.vals = slices.Clone(st.vals)
			counts = slices.Clone(st.counts)
			state = slices.Clone(st.state)
			groups = slices.Clone(st.groups)
			if ps > 0 {
				states = len(groups) / ps
			}
			copy(layers, st.layers)
			base = ck.work[from]
		} else {
			// A margin 4 times what this space needs, so that later spaces
			// with larger utilities (a weight raised) can still resume.
			eps *= 4
			ck.eps = eps
			ck.steps = make([]mergeState, n)
			ck.work = make([]int64, n)
			ck.valid, ck.held = -1, 0
		}
	}
	thinned := 0                 // thinnings so far (approximate mode)
	budget := o.Epsilon          // error budget not yet spent (approximate mode)
	minCell, maxCell := 0.0, 0.0 // grid sides used (approximate mode)
	lastThin := -1               // point of the last thinning (approximate mode)
	// The candidate buffers and the spare survivor buffers, reused from
	// step to step and, with checkpoints, from merge to merge.
	var sc mergeScratch
	if ck != nil {
		sc, ck.scratch = ck.scratch, mergeScratch{}
	}
	bufVals, bufCounts, bufParent, bufLevel, bufState := sc.vals, sc.counts, sc.parent, sc.level, sc.state
	spareVals, spareCounts, spareState := sc.spareVals, sc.spareCounts, sc.spareState
	// freed: the buffers of the stale state a checkpoint replaced at this
	// step (the survivors' buffers went to the checkpoint instead).
	var freed mergeState
	lastPlain := false // the last step's skyline was the plain one

	for k := start; k < n; k++ {
		if ck != nil {
			// The checkpoint takes the survivors' buffers (they are read
			// below but never written again: the compaction writes into
			// spare buffers), and the stale state it replaces gives its
			// own as the next spares. groups is a fresh slice every step.
			freed = ck.steps[k]
			ck.keep(k, mergeState{vals: cur.vals, counts: counts, state: state, groups: groups, ps: ps, layers: slices.Clone(layers[:k])})
			ck.work[k] = base + m.used
			ck.valid = k
		}
		st := &steps[k]
		contrib := make([][]float64, d)
		for j, t := range s.Tables {
			contrib[j] = t.Contrib[order[k]]
		}
		nodes := cur.n()
		levels := f.Points[order[k]].Levels()
		if cand := int64(nodes) * int64(levels); cand > 2*int64(o.MaxPoints) {
			return nil, fmt.Errorf("%w: %d partial packages to compare at %s (limit %d, twice the largest intermediate frontier%s)", ErrTooLarge, cand, at(k), 2*o.MaxPoints, statesNote(k))
		}
		if !m.add(candidateWork * int64(nodes) * int64(levels)) {
			return nil, stopped(k)
		}
		// What each level does to the partial packages of each state: the
		// same for all of them, so computed once per state and level.
		tr := st.transitions(groups, ps, levels, allowed[order[k]])
		if !m.add(int64(len(tr.at)) * int64(1+len(st.open)+len(st.completing))) {
			return nil, stopped(k)
		}
		// many: the candidates fall in several states (otherwise no
		// per-candidate state is kept: they are all in state 0).
		many := tr.children > 1
		// The candidate buffers are reused from point to point (the
		// survivors are copied out below).
		// At most nodes×levels candidates: the buffers are grown once
		// (with reservation pruning most are dropped at once: they grow
		// as needed).
		cands := nodes * levels
		if o.Rational {
			cands = 0
		}
		next := &vecs{d: d, vals: slices.Grow(bufVals[:0], cands*d)}
		ncounts, parent, level := slices.Grow(bufCounts[:0], cands), slices.Grow(bufParent[:0], cands), slices.Grow(bufLevel[:0], cands)
		nstate := bufState[:0]
		if tr.children > 1 {
			nstate = slices.Grow(nstate, cands)
		}
		for i := 0; i < nodes; i++ {
			base := cur.at(i)
			g := 0
			if len(state) > 0 {
				g = int(state[i])
			}
			row := tr.at[g*levels : (g+1)*levels]
		option:
			for l := 0; l < levels; l++ {
				t := &row[l]
				if t.child < 0 {
					continue
				}
				off := len(next.vals)
				for j := 0; j < d; j++ {
					next.vals = append(next.vals, base[j]+contrib[j][l])
				}
				v := next.vals[off:]
				// Each party's interactions completed here, in its
				// table's order, after the point's contribution (as
				// profile.Table.Utility adds them).
				for _, a := range tr.adds[t.adds:t.end] {
					v[a.party] += a.value
				}
				if o.Rational {
					for j := 0; j < d; j++ {
						if v[j]+restMax[k+1][j] < s.Reservation[j]-slack {
							next.vals = next.vals[:off]
							continue option
						}
					}
				}
				ncounts = append(ncounts, counts[i])
				parent = append(parent, int32(i))
				level = append(level, int32(l))
				if many {
					nstate = append(nstate, t.child)
				}
			}
		}
		stride := 0
		if many {
			stride = 1
		}
		// After the last point nothing is added any more: no margin is
		// needed, and the plain skyline of its candidates is the final
		// one (the skyline with a margin keeps a superset, whose plain
		// skyline is the same by transitivity, with the same folded
		// duplicates), so the final pass below is skipped. Not when
		// thinning: the thinning picks among the survivors.
		stepEps := eps
		if k == n-1 && o.Epsilon <= 0 && !many {
			stepEps, lastPlain = 0, true
		}
		keep := partitionedSkyline(next, ncounts, nstate, stride, stepEps, m)
		if m.err != nil {
			return nil, stopped(k)
		}
		if many && len(effects) > 0 {
			keep = crossStatePrune(next, keep, nstate, st, tr, eps, m)
			if m.err != nil {
				return nil, stopped(k)
			}
		}
		if o.Epsilon > 0 && (len(keep) > o.thinAbove || k == n-1 && len(keep) > 1) {
			// Spend the unspent budget over the thinnings expected on
			// the points left, at the pace since the last one
			// (thinBudget): the sides used add up to at most Epsilon.
			gap := k - lastThin
			lastThin = k
			cell := thinCell(budget, min((n-k+gap-1)/gap+1, n-k))
			budget -= cell
			if thinned == 0 || cell < minCell {
				minCell = cell
			}
			maxCell = max(maxCell, cell)
			thinned++
			keep = thinToGrid(next, keep, nstate, stride, cell, m)
			if m.err != nil {
				return nil, stopped(k)
			}
		}
		if len(keep) > o.MaxPoints {
			return nil, fmt.Errorf("%w: %d partial packages after %s (limit %d%s)", ErrTooLarge, len(keep), at(k), o.MaxPoints, statesNote(k))
		}
		bufVals, bufCounts, bufParent, bufLevel, bufState = next.vals, ncounts, parent, level, nstate
		// Compact to the survivors, keeping generation (= witness) order
		// (into the other of two buffers: cur was read above).
		if ck != nil {
			// cur's buffers belong to the checkpoint now.
			cur.vals, counts, state = spareVals, spareCounts, spareState
			spareVals, spareCounts, spareState = freed.vals, freed.counts, freed.state
			freed = mergeState{}
		} else {
			spareVals, spareCounts, spareState, cur.vals, counts, state = cur.vals, counts, state, spareVals, spareCounts, spareState
		}
		cur.vals = slices.Grow(cur.vals[:0], len(keep)*d)
		counts = slices.Grow(counts[:0], len(keep))[:len(keep)]
		if many {
			state = slices.Grow(state[:0], len(keep))[:len(keep)]
		} else {
			state = state[:0]
		}
		layers[k] = mergeLayer{parent: make([]int32, len(keep)), level: make([]int32, len(keep))}
		// The states of the survivors, renumbered in order of first use
		// (states whose partial packages were all pruned are dropped).
		renum := make([]int32, tr.children)
		for i := range renum {
			renum[i] = -1
		}
		w := flagWords(len(st.open))
		groups = groups[:0:0]
		states = 0
		for a, i := range keep {
			cur.vals = append(cur.vals, next.at(int(i))...)
			counts[a] = ncounts[i]
			layers[k].parent[a] = parent[i]
			layers[k].level[a] = level[i]
			if !many {
				continue
			}
			c := nstate[i]
			if renum[c] < 0 {
				renum[c] = int32(states)
				states++
				groups = append(groups, tr.flags[int(c)*w:(int(c)+1)*w]...)
			}
			state[a] = renum[c]
		}
		if !many && len(keep) > 0 {
			// One state: its flags, and no per-package state (all 0).
			states = 1
			groups = append(groups, tr.flags[:w]...)
		}
		maxStates = max(maxStates, states)
		ps = w
		if o.Progress != nil {
			o.Progress(k+1, n)
		}
	}

	fr := &Frontier{Method: "additive merge with " + method(d, "sort-sweep", "skyline") + " pruning"}
	if len(effects) > 0 {
		fr.Method = fmt.Sprintf("merge with %s pruning, with %d interactions merged exactly with their states (up to %s states per point)", method(d, "sort-sweep", "skyline"), len(effects), thousands(maxStates))
	}
	if o.Epsilon > 0 {
		fr.Approximate, fr.ErrorBound = true, o.Epsilon
		fr.Method += fmt.Sprintf(", approximate: thinned %d times to grids of side %.3g to %.3g (adding up to at most ε) whenever more than %d partial packages survived (every exact frontier point is within ε = %.3g of a listed one for every party; counts are lower bounds)", thinned, minCell, maxCell, o.thinAbove, o.Epsilon)
	}
	var final []int32
	if lastPlain {
		// The last step's skyline was the plain one: every survivor is
		// on the frontier.
		final = make([]int32, cur.n())
		for i := range final {
			final[i] = int32(i)
		}
	} else {
		final = skyline(cur, nil, counts, 0, m)
	}
	if m.err != nil {
		return nil, stopped(n - 1)
	}
	if ck != nil {
		ck.total = base + m.used
		ck.scratch = mergeScratch{vals: bufVals, counts: bufCounts, parent: bufParent, level: bufLevel, state: bufState,
			spareVals: spareVals, spareCounts: spareCounts, spareState: spareState}
	}
	if work != nil {
		*work = m.used
	}
	if plan != nil {
		// Reordered or relaxed sums: the survivors' utilities are
		// recomputed in the canonical order on their witnesses, and the
		// final skyline is taken on those (relaxed: counts are lower
		// bounds).
		exact := &vecs{d: d, vals: make([]float64, 0, len(final)*d)}
		var rebuilt []framework.Package
		ecounts := make([]uint64, 0, len(final))
		// gap[j]: the most a survivor's merged utility plus the relaxed
		// positive values exceeds its exact utility (relaxBound).
		var gap []float64
		if relaxedPos != nil {
			gap = make([]float64, d)
		}
		for _, i32 := range final {
			w := rebuildWitness(layers, order, int(i32))
			rebuilt = append(rebuilt, w)
			u := s.Utilities(w)
			exact.vals = append(exact.vals, u...)
			for j := range gap {
				gap[j] = math.Max(gap[j], cur.at(int(i32))[j]+relaxedPos[j]-u[j])
			}
			c := counts[i32]
			if plan.relaxed != nil {
				c = 1
			}
			ecounts = append(ecounts, c)
		}
		keep := skyline(exact, nil, ecounts, 0, nil)
		for _, i := range keep {
			u := exact.at(int(i))
			if o.Rational && !atLeast(u, s.Reservation) {
				continue
			}
			fr.Points = append(fr.Points, Point{U: slices.Clone(u), Witness: rebuilt[i], Count: ecounts[i]})
		}
		sortPoints(fr.Points)
		if !plan.exactSums {
			plan.allow = eps
		}
		fr.Method += plan.describe(s, gap)
		plan.mark(fr, gap)
		return fr, nil
	}
	// The frontier's order (utilities highest first, as sortPoints) is
	// sorted on indices into the flat vectors rather than on the points:
	// the vectors are distinct (equal ones were merged), so any sort gives
	// sortPoints' order.
	slices.SortFunc(final, func(a, b int32) int {
		va, vb := cur.at(int(a)), cur.at(int(b))
		for j := range va {
			if c := cmp.Compare(vb[j], va[j]); c != 0 {
				return c
			}
		}
		return cmp.Compare(a, b)
	})
	// The points' utilities and witnesses are carved out of two arrays
	// (capacity-limited: appending to one never touches the next).
	fr.Points = make([]Point, 0, len(final))
	allU := make([]float64, 0, len(final)*d)
	allW := make([]int, 0, len(final)*n)
	for _, i32 := range final {
		i := int(i32)
		u := cur.at(i)
		if o.Rational && !atLeast(u, s.Reservation) {
			continue
		}
		allU = append(allU, u...)
		allW = allW[:len(allW)+n]
		w := framework.Package(allW[len(allW)-n : len(allW) : len(allW)])
		node := int32(i)
		for k := n - 1; k >= 0; k-- {
			w[k] = int(layers[k].level[node])
			node = layers[k].parent[node]
		}
		fr.Points = append(fr.Points, Point{U: allU[len(allU)-d : len(allU) : len(allU)], Witness: w, Count: counts[i]})
	}
	if len(fr.Points) == 0 {
		fr.Points = nil // as before: no points is a nil list
	}
	return fr, nil
}

// thinAbove is the number of surviving partial packages past which the
// approximate mode thins them.
const thinAbove = 20_000

// thinBudget: why the approximate mode's bound holds.
//
// Write P_k for the partial packages (levels of points 0..k-1) that survive
// point k-1, and u(p) for a partial package's utility vector. Thinning at
// point k (thinToGrid with side δ_k) drops a survivor p only for a kept q
// in the same red-line state with u_j(q) > u_j(p) − δ_k for every party j
// (q in the same grid cell or in one whose cell indices are all at least
// p's), and q allows exactly the same completions as p (the
// red-line state decides which levels of later points may follow, and
// crossed red lines were never generated). The exact merge's dominance
// pruning drops p only for a q in the same state with u(q) ≥ u(p) (error
// 0), and the final skyline drops a point only for one at least as good.
//
// Take any exact frontier point x = (x_0, ..., x_{n-1}) and let p_k be its
// prefix of k levels. Follow it through the merge, keeping a surviving
// stand-in s_k ∈ P_k in the same red-line state with u(s_k) ≥ u(p_k) −
// E_k, where E_k is the sum of the δ of the thinnings at points before k
// (E_0 = 0, s_0 = p_0 = the empty package). At point k the candidate s_k +
// x_k is generated (same state, so x_k is allowed after it) and has
// u ≥ u(p_{k+1}) − E_k; pruning replaces it by one at least as good,
// thinning (if any) by one within δ_k, so s_{k+1} exists with error
// E_{k+1} = E_k + δ_k. At the end s_n is a full package with u(s_n) ≥ u(x)
// − E_n in every utility, and the final skyline lists s_n or a point
// dominating it. (With interactions, crossStatePrune may replace a
// candidate by one of another state whose flags are at least as good
// (oriented as there) and whose utilities are at least as high: the chain
// then holds with "a state at least as good" for "the same state", since
// the same levels keep the flags at least as good and the values added at
// least as favourable, and allow whatever they allow.) E_n is the sum of the sides used, and thinCell never
// spends more than the budget left (TestThinCellBudget), so E_n ≤
// Epsilon: every exact frontier point is within Epsilon (per party,
// additively) of a listed one. (Floating-point additions are monotone, so
// the chain holds up to rounding of order 1e-16 per addition, which the
// 1e-9 relative reserve thinCell keeps absorbs.) Every listed point is a package actually generated, its utility the
// same left-to-right sum of its levels' contributions Space.Utilities
// computes, and its witness rebuilt from the merge layers: a real package
// with exact utilities (counts only cover the packages merged into it, a
// lower bound).
//
// The budget is split over the thinnings expected (thinCell): at a
// thinning, the points left divided by the points since the previous
// thinning (the pace so far), plus one so that some budget is kept for
// later, all of it at the last point. Halving it at each thinning instead
// (the first version) left grids of side ε/2^m too fine to thin anything
// after a few thinnings; keeping only the cells no other cell dominates,
// rather than one package per cell, keeps far fewer points for the same
// error. The last point is always thinned with what is left of the budget,
// so that the listed frontier is small too.

// thinCell is the grid side a thinning spends when budget is unspent and
// thinnings more are expected (this one included; at least 1 is assumed):
// budget/thinnings, rounded down a little so that floating-point rounding
// in the cell test (x/δ floored) cannot push the total past the budget.
func thinCell(budget float64, thinnings int) float64 {
	return budget / float64(max(thinnings, 1)) * (1 - 1e-9)
}

// thinToGrid thins the partial packages keep (in increasing index order)
// on a grid of side delta in every party's utility: of each cell (and
// red-line state) it keeps the package with the largest utility sum (the
// first on ties), then drops every cell whose index vector another kept
// cell of the same state weakly dominates (Pareto skyline of the integer
// cell indices). A dropped package p in cell c is thus covered by a kept q
// in a cell c' ≥ c: q_j ≥ c'_j·delta ≥ c_j·delta > p_j − delta for every
// party j, with the same red-line state. The result is in increasing index
// order. The skyline's work is counted on m.
func thinToGrid(v *vecs, keep []int32, state []int32, stride int, delta float64, m *meter) []int32 {
	d := v.d
	seen := make(map[string]int, len(keep))
	buf := make([]byte, 0, 8*(d+stride))
	reps := make([]int32, 0, len(keep))
	sums := make([]float64, 0, len(keep))
	cells := &vecs{d: d}
	var cellState []int32
	for _, i := range keep {
		buf = buf[:0]
		sum := 0.0
		for _, x := range v.at(int(i)) {
			buf = binary.LittleEndian.AppendUint64(buf, uint64(int64(math.Floor(x/delta))))
			sum += x
		}
		st := state[int(i)*stride : (int(i)+1)*stride]
		for _, x := range st {
			buf = binary.LittleEndian.AppendUint32(buf, uint32(x))
		}
		if at, ok := seen[string(buf)]; ok {
			if sum > sums[at] {
				reps[at], sums[at] = i, sum
			}
			continue
		}
		seen[string(buf)] = len(reps)
		reps = append(reps, i)
		sums = append(sums, sum)
		for _, x := range v.at(int(i)) {
			cells.vals = append(cells.vals, math.Floor(x/delta))
		}
		cellState = append(cellState, st...)
	}
	// The cells are distinct within a state, so the skyline merges none.
	sky := partitionedSkyline(cells, nil, cellState, stride, 0, m)
	out := keep[:0]
	for _, c := range sky {
		out = append(out, reps[c])
	}
	sortIndices(out)
	return out
}

// lineStep is what one constraint (a multi-point red line or an
// interaction) does at one point.
type lineStep struct {
	// from is the constraint's index in the previous point's open list (-1
	// when its first term is at this point).
	from int
	// match[l] says whether level l of this point matches the constraint's
	// term here (nil: the constraint has no term at this point).
	match []bool
	// party, value and outside are the constraint's (party -1: a red line).
	party   int
	value   float64
	outside bool
}

// armed reports whether every term of the constraint decided once level l
// is chosen matches, given the armed flags of the previous point's state
// (one bit per constraint open there).
func (c *lineStep) armed(flags []uint64, l int) bool {
	return (c.from < 0 || flags[c.from>>6]>>(c.from&63)&1 != 0) && (c.match == nil || c.match[l])
}

// flagWords is the number of 64-bit words that hold n flags.
func flagWords(n int) int { return (n + 63) / 64 }

// pointSteps are the constraints still open after a point (their terms
// decided so far may all match, and some term is still to come), and those
// completed at the point (the interactions of each party in its table's
// order).
type pointSteps struct {
	open, completing []lineStep
}

// constraintSteps prepares, point by point, how the armed flags of the
// constraints evolve: a constraint is armed while every term on the points
// decided so far matches. At its last point, choosing a level that matches
// its last term while it is armed crosses a red line, and makes an
// interaction match (its value is then added, or, outside, added when it
// does not match). Only the flags matter for the future, not the levels,
// so partial packages are kept apart by at most 2^(constraints open)
// states. Interactions on one point complete there without a state.
func constraintSteps(n int, cons []constraint) []pointSteps {
	steps := make([]pointSteps, n)
	var prev []int // constraint indices open after the previous point
	for k := 0; k < n; k++ {
		var open []int
		for r, c := range cons {
			if k < c.first || k > c.last {
				continue
			}
			ls := lineStep{from: slices.Index(prev, r), party: c.party, value: c.value, outside: c.outside}
			for _, t := range c.terms {
				if t.Point == k {
					ls.match = t.In
				}
			}
			if k < c.last {
				open = append(open, r)
				steps[k].open = append(steps[k].open, ls)
			} else {
				steps[k].completing = append(steps[k].completing, ls)
			}
		}
		prev = open
	}
	return steps
}

// transitions are what each level of a point does to the partial packages
// of each state: at[g*levels+l] for state g and level l.
type transitions struct {
	at []transition
	// adds holds every transition's additions, in order.
	adds []effectAdd
	// flags holds the armed flags of the states after the point (one bit
	// per open constraint, flagWords(open) words per state), children
	// their number.
	flags    []uint64
	children int
}

// transition is the state after choosing a level (child, -1 when the level
// is forbidden: a single-point red line or a multi-point one crossed) and
// the interaction values to add (adds[adds:end]).
type transition struct {
	child     int32
	adds, end int32
}

// effectAdd is an interaction's value added to a party's utility.
type effectAdd struct {
	party int
	value float64
}

// transitions computes what every level of the point does to each state of
// groups (the armed flags of the constraints open before the point, ps
// words per state; one state with no flags when ps is 0), allowed telling
// the levels no single-point red line forbids.
func (st *pointSteps) transitions(groups []uint64, ps, levels int, allowed []bool) *transitions {
	states := 1
	if ps > 0 {
		states = len(groups) / ps
	}
	tr := &transitions{at: make([]transition, states*levels)}
	w := flagWords(len(st.open))
	// The states after the point, by their flags (one word: the word
	// itself; more: their bytes).
	small := map[uint64]int32{}
	large := map[string]int32{}
	buf := make([]uint64, w)
	var key []byte
	for g := 0; g < states; g++ {
		flags := groups[g*ps : (g+1)*ps]
	level:
		for l := 0; l < levels; l++ {
			t := &tr.at[g*levels+l]
			t.child = -1
			if !allowed[l] {
				continue
			}
			for c := range st.completing {
				if st.completing[c].party < 0 && st.completing[c].armed(flags, l) {
					continue level
				}
			}
			t.adds = int32(len(tr.adds))
			for c := range st.completing {
				e := &st.completing[c]
				if e.party >= 0 && e.armed(flags, l) != e.outside {
					tr.adds = append(tr.adds, effectAdd{party: e.party, value: e.value})
				}
			}
			t.end = int32(len(tr.adds))
			clear(buf)
			for c := range st.open {
				if st.open[c].armed(flags, l) {
					buf[c>>6] |= 1 << (c & 63)
				}
			}
			var child int32
			var ok bool
			if w <= 1 {
				var k uint64
				if w == 1 {
					k = buf[0]
				}
				if child, ok = small[k]; !ok {
					child = int32(tr.children)
					small[k] = child
				}
			} else {
				key = key[:0]
				for _, x := range buf {
					key = binary.LittleEndian.AppendUint64(key, x)
				}
				if child, ok = large[string(key)]; !ok {
					child = int32(tr.children)
					large[string(key)] = child
				}
			}
			if !ok {
				tr.flags = append(tr.flags, buf...)
				tr.children++
			}
			t.child = child
		}
	}
	return tr
}

// interactionConstraints returns every party's interactions as
// constraints, party after party, each party's in its table's order (the
// order profile.Table.Utility adds them in).
func interactionConstraints(s *Space) []constraint {
	var out []constraint
	for j, t := range s.Tables {
		for _, e := range t.Effects {
			c := constraint{terms: e.Terms, first: e.Last, last: e.Last, party: j, value: e.Value, outside: e.Outside}
			for _, tm := range e.Terms {
				c.first = min(c.first, tm.Point)
			}
			out = append(out, c)
		}
	}
	return out
}

// thousands formats n with commas between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

func atLeast(u, r []float64) bool {
	for j := range u {
		if u[j] < r[j] {
			return false
		}
	}
	return true
}

// compileRedLines turns single-term red lines into forbidden levels and keeps
// the multi-term ones as constraints.
func compileRedLines(s *Space, use bool) ([][]bool, []constraint) {
	f := s.Framework
	allowed := make([][]bool, len(f.Points))
	for k := range f.Points {
		allowed[k] = make([]bool, f.Points[k].Levels())
		for l := range allowed[k] {
			allowed[k][l] = true
		}
	}
	if !use {
		return allowed, nil
	}
	var multi []constraint
	for _, p := range s.Profiles {
		for _, r := range p.RedLines {
			switch {
			case len(r.Terms) == 1:
				for _, l := range r.Terms[0].Levels {
					allowed[r.Terms[0].Point][l] = false
				}
			case len(r.Terms) > 1:
				c := constraint{first: r.Terms[0].Point, party: -1}
				for _, t := range r.Terms {
					c.first = min(c.first, t.Point)
					c.last = max(c.last, t.Point)
					in := make([]bool, f.Points[t.Point].Levels())
					for _, l := range t.Levels {
						in[l] = true
					}
					c.terms = append(c.terms, profile.EffectTerm{Point: t.Point, In: in})
				}
				multi = append(multi, c)
			}
		}
	}
	return allowed, multi
}

// partitionedSkyline runs the skyline separately for candidates with
// different live-point states (they have different futures).
func partitionedSkyline(v *vecs, counts []uint64, state []int32, stride int, eps float64, m *meter) []int32 {
	if stride == 0 {
		return skyline(v, nil, counts, eps, m)
	}
	if stride == 1 {
		return bucketSkyline(v, counts, state, eps, m)
	}
	idx := make([]int32, v.n())
	for i := range idx {
		idx[i] = int32(i)
	}
	key := func(i int32) []int32 { return state[int(i)*stride : (int(i)+1)*stride] }
	slices.SortStableFunc(idx, func(a, b int32) int { return slices.Compare(key(a), key(b)) })
	var out []int32
	for lo := 0; lo < len(idx); {
		hi := lo + 1
		for hi < len(idx) && slices.Equal(key(idx[hi]), key(idx[lo])) {
			hi++
		}
		group := slices.Clone(idx[lo:hi])
		out = append(out, skyline(v, group, counts, eps, m)...)
		if m.err != nil {
			return nil
		}
		lo = hi
	}
	sortIndices(out)
	return out
}

// bucketSkyline is partitionedSkyline for states given as small
// non-negative indices (stride 1): the candidates are bucketed by index
// (counting sort, keeping their order) rather than sorted.
func bucketSkyline(v *vecs, counts []uint64, state []int32, eps float64, m *meter) []int32 {
	groups := 0
	for _, g := range state {
		groups = max(groups, int(g)+1)
	}
	start := make([]int32, groups+1)
	for _, g := range state {
		start[g+1]++
	}
	for g := 0; g < groups; g++ {
		start[g+1] += start[g]
	}
	idx := make([]int32, len(state))
	pos := slices.Clone(start[:groups])
	for i, g := range state {
		idx[pos[g]] = int32(i)
		pos[g]++
	}
	var out []int32
	for g := 0; g < groups; g++ {
		if start[g] == start[g+1] {
			continue
		}
		out = append(out, skyline(v, idx[start[g]:start[g+1]], counts, eps, m)...)
		if m.err != nil {
			return nil
		}
	}
	sortIndices(out)
	return out
}

// bestAllowed returns, per point and party, the party's highest
// contribution among the point's allowed levels (-Inf if none is allowed).
func bestAllowed(s *Space, allowed [][]bool) [][]float64 {
	best := make([][]float64, len(allowed))
	for k := range allowed {
		best[k] = make([]float64, s.N())
		for j, t := range s.Tables {
			best[k][j] = math.Inf(-1)
			for l, c := range t.Contrib[k] {
				if allowed[k][l] {
					best[k][j] = math.Max(best[k][j], c)
				}
			}
		}
	}
	return best
}

// crossStateTries bounds the packages crossStatePrune tries as q.
const crossStateTries = 64

// crossStatePrune drops a partial package p (state S) that a partial
// package q of another state S' dominates for every completion: every
// open constraint's flag of S' is at least as good as S's (an interaction
// whose value helps its party when it matches: armed at least where S is;
// one that hurts, and every red line: armed at most where S is), q is at
// least p for every party and better by more than eps for one. Then for
// every completion, q's additions for each party are p's plus positive
// values, minus negative values p gets, so (additions being monotone) q's
// utilities stay at least p's, and the margin keeps one strictly better:
// p's completion is strictly dominated. Only packages of the global skyline
// of the survivors (at most crossStateTries) are tried as q: a pruning, not
// a complete one (the states stay exact either way).
func crossStatePrune(v *vecs, keep []int32, state []int32, st *pointSteps, tr *transitions, eps float64, m *meter) []int32 {
	w := flagWords(len(st.open))
	bad := make([]uint64, w)
	for c := range st.open {
		o := &st.open[c]
		if !(o.party >= 0 && (o.value > 0) != o.outside) {
			bad[c>>6] |= 1 << (c & 63)
		}
	}
	good := func(c int32, i int) uint64 { return tr.flags[int(c)*w+i] ^ bad[i] }
	g := skyline(v, slices.Clone(keep), nil, 0, m)
	if len(g) == 0 || len(g) == len(keep) {
		return keep
	}
	if len(g) > crossStateTries {
		// At most crossStateTries of them, evenly spread, so that the
		// pass costs at most that many comparisons per package.
		few := make([]int32, crossStateTries)
		for i := range few {
			few[i] = g[i*len(g)/crossStateTries]
		}
		g = few
	}
	inG := make(map[int32]bool, len(g))
	for _, i := range g {
		inG[i] = true
	}
	out := keep[:0:0]
	for _, p := range keep {
		if inG[p] {
			out = append(out, p)
			continue
		}
		m.add(int64(len(g)))
		pu := v.at(int(p))
		dropped := false
		for _, q := range g {
			if state[q] == state[p] || !dominatesBy(v.at(int(q)), pu, eps) {
				continue
			}
			ok := true
			for i := 0; i < w && ok; i++ {
				ok = good(state[p], i)&^good(state[q], i) == 0
			}
			if ok {
				dropped = true
				break
			}
		}
		if !dropped {
			out = append(out, p)
		}
	}
	return out
}
