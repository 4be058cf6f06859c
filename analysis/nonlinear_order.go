package analysis

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/parley-negotiation/parley/framework"
)

// Relax says when the merge may drop the states of interactions
// (FrontierOptions.Relax; see relaxBound for what the frontier then
// guarantees).
type Relax int

const (
	// RelaxDefault (the zero value): RelaxNever for FrontierAdditive,
	// RelaxOnBudget for Analyze (the report then says APPROXIMATE and why).
	RelaxDefault Relax = iota
	// RelaxNever: exact or an error.
	RelaxNever
	// RelaxOnBudget: when the exact merge exceeds MaxPoints or MaxWork
	// while interactions spanning several points are open, merge again with
	// the states of some of them dropped (in rounds, fewer open each time)
	// and return an approximate frontier with a proven bound.
	RelaxOnBudget
	// RelaxAlways: do not try the exact merge; relax interactions until at
	// most relaxAlwaysOpen constraints are open at once (then as
	// RelaxOnBudget).
	RelaxAlways
)

// Order is the merge order of FrontierOptions.Order.
type Order int

const (
	// OrderAuto: the greedy order (greedyOrder) when framework order keeps
	// reorderMinOpen constraints spanning several points open at once or
	// more, the greedy order at least reorderGain fewer, and the space's
	// sums are exact in any order (exactArithmetic), so that the frontier
	// is the framework-order merge's bit for bit; framework order
	// otherwise.
	OrderAuto Order = iota
	// OrderFramework: always framework order.
	OrderFramework
	// OrderGreedy: always the greedy order (whose utilities, recomputed
	// in the canonical order, may then differ from framework order's by
	// rounding when the sums are not exact in any order).
	OrderGreedy
)

// relaxAlwaysOpen is the open constraints RelaxAlways relaxes down to first.
const relaxAlwaysOpen = 12

// relaxTargets are the most constraints left open at once in successive
// relaxation rounds (after the first, which allows one less than the merge
// that failed, at most the first of these).
var relaxTargets = []int{24, 20, 16, 12, 8, 4, 0}

// reorderGain is how many fewer constraints must be open at once in the
// greedy order than in framework order for the merge to use it.
const reorderGain = 2

// reorderMinOpen is the most constraints open at once in framework order
// below which the merge keeps framework order (its states are then few:
// the lowest-witness choice and the method stay those of framework order).
const reorderMinOpen = 10

// mergePlan is how a non-linear merge runs: the order of its points and the
// interactions whose states it drops. The zero plan (nil) is the framework
// order with every interaction exact.
type mergePlan struct {
	// order[k] is the point merged at step k (nil: framework order).
	order []int
	// open and frameworkOpen are the most constraints open at once in
	// order and in framework order.
	open, frameworkOpen int
	// relaxed[i] tells that interaction i (interactionConstraints' order)
	// is relaxed (nil: none); bound[j] is party j's D_j, the sum of |value|
	// of its relaxed interactions, count how many are relaxed.
	relaxed []bool
	bound   []float64
	count   int
	// exactSums: every sum of the space's values is exact in any order
	// (exactArithmetic), so a reordered merge's sums are the canonical ones.
	exactSums bool
	// why says why the interactions were relaxed.
	why string
	// allow is the rounding allowance of the bound: the merge's pruning
	// margin when the sums are not exact in any order (set by the merge).
	allow float64
}

// mergeOrder returns the plan's order (the framework's when p is nil or has
// none).
func (p *mergePlan) mergeOrder(n int) []int {
	if p != nil && p.order != nil {
		return p.order
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	return order
}

// describe is what the plan adds to the frontier's Method, gap the
// relaxed merge's a posteriori bound per party (relaxBound).
func (p *mergePlan) describe(s *Space, gap []float64) string {
	if p == nil {
		return ""
	}
	var b strings.Builder
	if p.order != nil {
		pts := make([]string, len(p.order))
		for i, k := range p.order {
			pts[i] = strconv.Itoa(k + 1)
		}
		fmt.Fprintf(&b, "; points merged in the order %s (greedy order: at most %d multi-point constraints open at once, %d in framework order; the survivors' utilities recomputed in the canonical order before the final skyline)", strings.Join(pts, ", "), p.open, p.frameworkOpen)
	}
	if p.relaxed != nil {
		per := make([]string, len(p.bound))
		for j, x := range p.bound {
			per[j] = fmt.Sprintf("%s %g (D_j %g)", s.Names[j], p.partyBound(gap, j), x)
		}
		fmt.Fprintf(&b, "; APPROXIMATE: %s, so the states of %d interactions were dropped (each counted pessimistically while merging: a positive value never added, a negative one always), at most %d constraints open at once; every exact frontier point is within B_j of a listed point for every party j, B = %s (B_j: the most a merged survivor's utility plus party j's relaxed positive values exceeds its exact utility; at most D_j, the sum of |value| of the party's relaxed interactions", p.why, p.count, p.open, strings.Join(per, ", "))
		if !p.exactSums {
			fmt.Fprintf(&b, "; plus %.3g for floating-point rounding", p.allow)
		}
		b.WriteString("); listed points are real packages with their exact utilities, counts are lower bounds")
	}
	return b.String()
}

// partyBound is party j's bound B_j: the a posteriori gap[j] (never above
// D_j but for rounding, so the smaller of the two), plus the rounding
// allowance when the sums are not exact in any order (allow).
func (p *mergePlan) partyBound(gap []float64, j int) float64 {
	b := p.bound[j]
	if gap != nil {
		b = math.Max(math.Min(b, gap[j]), 0)
	}
	return b + p.allow
}

// mark sets the frontier's approximation fields for a relaxed plan
// (ErrorBound = max_j B_j, plus FrontierOptions.Epsilon when thinned).
func (p *mergePlan) mark(fr *Frontier, gap []float64) {
	if p == nil || p.relaxed == nil {
		return
	}
	d := 0.0
	for j := range p.bound {
		d = math.Max(d, p.partyBound(gap, j))
	}
	fr.ErrorBound += d
	fr.Approximate = true
}

// relaxBound: why a relaxed merge's frontier is within D of the exact one.
//
// Let R be the relaxed interactions, U_j(x) party j's exact utility of a
// package x, and L'_j(x) the utility the merge sums: U_j without the
// values of R. With N_j (P_j) the sum of the negative (positive) values of
// party j's interactions in R, L_j = L'_j + N_j ≤ U_j ≤ L'_j + P_j, and
// D_j = P_j − N_j = Σ_{r∈R_j} |value(r)|. The merge on L' (the other
// interactions and red lines with their states) is the exact merge of the
// utilities L' (the reservation pruning adds P_j to what may still be
// gained, so it stays optimistic for U): every package x allowed has a
// survivor y with L'(y) ≥ L'(x) for every party (the exact merge's
// invariant, see thinBudget with no thinning). Then for every party j
//
//	U_j(y) ≥ L'_j(y) + N_j ≥ L'_j(x) + N_j ≥ U_j(x) − P_j + N_j = U_j(x) − D_j.
//
// Tighter, a posteriori: y is one of the merge's survivors Y (the skyline
// of L' at the end), whose exact U(y) is known, and U_j(x) ≤ L'_j(x) + P_j
// ≤ L'_j(y) + P_j = U_j(y) + (L'_j(y) + P_j − U_j(y)), so x is within
// B_j = max_{y∈Y} (L'_j(y) + P_j − U_j(y)) ≤ D_j of y: P_j less what y
// already gets of its positive relaxed values, plus the negative ones it
// gets. The frontier reports B_j (min(B_j, D_j) as computed).
//
// The survivors' utilities are recomputed exactly (Space.Utilities on their
// witnesses) and the final plain skyline drops y only for a z with U(z) ≥
// U(y): so every exact frontier point x has a listed point within D_j for
// every party j, and every listed point is a real package with its exact
// utilities. (With Rational, a stand-in y below some reservation value is
// not listed: the bound holds for the zone points whose stand-in is in the
// zone. With Epsilon, the thinning's error adds: ε + D_j. When the sums
// are not exact in every order — exactSums false — the rounding of the
// merged sums and of the margin pruning adds, less than the merge's margin
// eps, which the bound then adds: allow.)

// exactArithmetic reports whether every sum of the space's contributions
// and interaction values, in any order, is exact in float64: every value is
// a multiple of 2^-F (F the most fractional bits of any value) and the
// largest possible sum of magnitudes times 2^F is at most 2^53, so every
// partial sum is an integer multiple of 2^-F below 2^53·2^-F. Then any
// order of the additions gives the canonical order's result bit for bit.
func exactArithmetic(s *Space) bool {
	frac := 0
	bits := func(x float64) bool {
		if x == 0 {
			return true
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
		fr, exp := math.Frexp(math.Abs(x)) // x = fr·2^exp, fr in [0.5, 1)
		m := uint64(fr * (1 << 53))
		tz := 0
		for m&1 == 0 {
			m >>= 1
			tz++
		}
		frac = max(frac, 53-exp-tz)
		return true
	}
	mag := 0.0
	for _, t := range s.Tables {
		a := 0.0
		for _, c := range t.Contrib {
			m := 0.0
			for _, x := range c {
				if !bits(x) {
					return false
				}
				m = math.Max(m, math.Abs(x))
			}
			a += m
		}
		for _, e := range t.Effects {
			if !bits(e.Value) {
				return false
			}
			a += math.Abs(e.Value)
		}
		mag = math.Max(mag, a)
	}
	if frac > 1000 {
		return false
	}
	return math.Ldexp(mag, frac) <= 1<<53
}

// constraintPoints returns, per constraint spanning several points, its
// distinct points (constraints on one point never open a state).
func constraintPoints(cons []constraint) [][]int {
	var out [][]int
	for _, c := range cons {
		var pts []int
		for _, t := range c.terms {
			if !slices.Contains(pts, t.Point) {
				pts = append(pts, t.Point)
			}
		}
		if len(pts) > 1 {
			out = append(out, pts)
		}
	}
	return out
}

// openCounts returns, per merge step of order, the constraints (sets of
// points) open after it: some of their points merged, some not.
func openCounts(n int, sets [][]int, order []int) []int {
	step := make([]int, n)
	for k, p := range order {
		step[p] = k
	}
	diff := make([]int, n+1)
	for _, set := range sets {
		lo, hi := n, -1
		for _, p := range set {
			lo, hi = min(lo, step[p]), max(hi, step[p])
		}
		diff[lo]++
		diff[hi]--
	}
	out := make([]int, n)
	c := 0
	for k := range out {
		c += diff[k]
		out[k] = c
	}
	return out
}

// greedyOrder is a merge order that keeps few constraints open at once:
// from each start point, repeatedly merge the point after which the fewest
// constraints are open (ties: the one that closes the most, then the
// lowest index); of these orders, the one with the fewest open at most,
// then the fewest open in all. It returns the order and its most open.
func greedyOrder(n int, sets [][]int) ([]int, int) {
	touch := make([][]int, n)
	for c, set := range sets {
		for _, p := range set {
			touch[p] = append(touch[p], c)
		}
	}
	var best []int
	bestMax, bestSum := math.MaxInt, math.MaxInt
	cnt := make([]int, len(sets))
	placed := make([]bool, n)
	for start := range n {
		clear(cnt)
		clear(placed)
		order := make([]int, 0, n)
		open, most, sum := 0, 0, 0
		place := func(p int) {
			for _, c := range touch[p] {
				was := cnt[c] > 0 && cnt[c] < len(sets[c])
				cnt[c]++
				is := cnt[c] > 0 && cnt[c] < len(sets[c])
				if was != is {
					if is {
						open++
					} else {
						open--
					}
				}
			}
			placed[p] = true
			order = append(order, p)
			most, sum = max(most, open), sum+open
		}
		place(start)
		for len(order) < n && most < bestMax {
			pick, pickOpen, pickClose := -1, 0, 0
			for p := range n {
				if placed[p] {
					continue
				}
				delta, closes := 0, 0
				for _, c := range touch[p] {
					switch {
					case cnt[c] == 0:
						delta++ // opens (sets have 2 points at least)
					case cnt[c]+1 == len(sets[c]):
						delta--
						closes++
					}
				}
				if pick < 0 || open+delta < pickOpen || open+delta == pickOpen && closes > pickClose {
					pick, pickOpen, pickClose = p, open+delta, closes
				}
			}
			place(pick)
		}
		if len(order) == n && (most < bestMax || most == bestMax && sum < bestSum) {
			best, bestMax, bestSum = order, most, sum
		}
	}
	if best == nil {
		best = make([]int, n)
		for i := range best {
			best[i] = i
		}
		return best, 0
	}
	return best, bestMax
}

// orderPlan returns (never nil; see orNil) the plan of a merge of s with options o whose
// interactions relaxed (nil: none) are left out: the greedy order when
// framework order keeps reorderMinOpen constraints open at once or more and
// the greedy order at least reorderGain fewer and the sums are exact in any order (or some interaction is
// relaxed: the result is approximate anyway), framework order otherwise;
// force overrides the choice.
func orderPlan(s *Space, o FrontierOptions, relaxed []bool, force Order) *mergePlan {
	n := len(s.Framework.Points)
	_, multi := compileRedLines(s, o.RedLines)
	effects := interactionConstraints(s)
	cons := multi
	for i, c := range effects {
		if relaxed == nil || !relaxed[i] {
			cons = append(cons, c)
		}
	}
	sets := constraintPoints(cons)
	p := &mergePlan{relaxed: relaxed, exactSums: exactArithmetic(s)}
	p.frameworkOpen = slices.Max(append(openCounts(n, sets, p.mergeOrder(n)), 0))
	p.open = p.frameworkOpen
	if len(sets) == 0 || force == OrderFramework {
		return p
	}
	order, most := greedyOrder(n, sets)
	if force == OrderGreedy || p.frameworkOpen >= reorderMinOpen && most+reorderGain <= p.frameworkOpen && (p.exactSums || relaxed != nil) {
		p.order, p.open = order, most
	}
	return p
}

// orNil is p, or nil when it changes nothing.
func (p *mergePlan) orNil() *mergePlan {
	if p.order == nil && p.relaxed == nil {
		return nil
	}
	return p
}

// relaxTo returns the interactions to relax (on top of relaxed, which it
// extends) so that at most target constraints are open at once in order
// (red lines cannot be relaxed: fewer if they keep more open), choosing at
// the step with the most open an open interaction by rule: 0 the smallest
// |value| (ties: the one open over the most steps), 1 the one open over
// the most steps (ties: the smallest |value|), 2 the smallest |value| per
// step open.
func relaxTo(s *Space, o FrontierOptions, relaxed []bool, order []int, target, rule int) []bool {
	n := len(s.Framework.Points)
	_, multi := compileRedLines(s, o.RedLines)
	effects := interactionConstraints(s)
	if relaxed == nil {
		relaxed = make([]bool, len(effects))
	} else {
		relaxed = slices.Clone(relaxed)
	}
	step := make([]int, n)
	for k, p := range order {
		step[p] = k
	}
	span := func(c constraint) (int, int) {
		lo, hi := n, -1
		for _, t := range c.terms {
			lo, hi = min(lo, step[t.Point]), max(hi, step[t.Point])
		}
		return lo, hi
	}
	for {
		cons := slices.Clone(multi)
		for i, c := range effects {
			if !relaxed[i] {
				cons = append(cons, c)
			}
		}
		counts := openCounts(n, constraintPoints(cons), order)
		worst := 0
		for k, c := range counts {
			if c > counts[worst] {
				worst = k
			}
		}
		if len(counts) == 0 || counts[worst] <= target {
			return relaxed
		}
		pick := -1
		for i, c := range effects {
			if relaxed[i] {
				continue
			}
			lo, hi := span(c)
			if lo > worst || hi <= worst {
				continue
			}
			if pick < 0 {
				pick = i
				continue
			}
			a, b := math.Abs(c.value), math.Abs(effects[pick].value)
			plo, phi := span(effects[pick])
			sa, sb := hi-lo, phi-plo
			var better bool
			switch rule {
			case 0:
				better = a < b || a == b && sa > sb
			case 1:
				better = sa > sb || sa == sb && a < b
			default:
				better = a*float64(sb) < b*float64(sa)
			}
			if better {
				pick = i
			}
		}
		if pick < 0 {
			return relaxed // only red lines open there
		}
		relaxed[pick] = true
	}
}

// relaxBest is relaxTo with the rule whose relaxed interactions have the
// smallest bound (the largest D_j over the parties).
func relaxBest(s *Space, o FrontierOptions, relaxed []bool, order []int, target int) []bool {
	effects := interactionConstraints(s)
	var best []bool
	bestD := math.Inf(1)
	for rule := range 3 {
		r := relaxTo(s, o, relaxed, order, target, rule)
		d := make([]float64, s.N())
		for i, c := range effects {
			if r[i] {
				d[c.party] += math.Abs(c.value)
			}
		}
		if m := slices.Max(d); m < bestD {
			best, bestD = r, m
		}
	}
	return best
}

// relaxedPlan is the plan that relaxes relaxed: the better of the greedy
// order and order for what stays, with the bound of each party.
func relaxedPlan(s *Space, o FrontierOptions, relaxed []bool, order []int, why string) *mergePlan {
	p := orderPlan(s, o, relaxed, OrderAuto)
	if len(order) > 0 {
		// relaxTo's order, when the greedy one (or framework order) keeps
		// more open.
		_, multi := compileRedLines(s, o.RedLines)
		cons := multi
		for i, c := range interactionConstraints(s) {
			if !relaxed[i] {
				cons = append(cons, c)
			}
		}
		if most := slices.Max(openCounts(len(order), constraintPoints(cons), order)); most < p.open {
			p.order, p.open = order, most
		}
	}
	p.why = why
	p.bound = make([]float64, s.N())
	for i, c := range interactionConstraints(s) {
		if relaxed[i] {
			p.bound[c.party] += math.Abs(c.value)
			p.count++
		}
	}
	return p
}

// budgetError reports whether err is the merge's budget (not a context).
func budgetError(err error) bool {
	return errors.Is(err, ErrTooLarge) || errors.Is(err, ErrWorkBudget)
}

// plannedFrontier is frontierAdditive without checkpoints: the merge in the
// order orderPlan chooses and, as o.Relax asks, with interactions relaxed
// in rounds (relaxTargets) while the merge exceeds its budgets.
func plannedFrontier(ctx context.Context, s *Space, o FrontierOptions, work *int64) (*Frontier, error) {
	full := orderPlan(s, o, nil, o.Order)
	plan := full.orNil()
	var exactErr error
	if o.Relax != RelaxAlways {
		fr, err := mergeFrontier(ctx, s, o, nil, 0, work, plan)
		if err == nil || o.Relax != RelaxOnBudget || !budgetError(err) || !hasOpenInteractions(s) {
			return fr, err
		}
		exactErr = err
	}
	targets := relaxTargets
	why := fmt.Sprintf("relaxed on request (at most %d constraints open)", relaxAlwaysOpen)
	if exactErr != nil {
		first := max(min(full.open-1, relaxTargets[0]), 0)
		targets = append([]int{first}, slices.DeleteFunc(slices.Clone(targets), func(t int) bool { return t >= first })...)
		why = fmt.Sprintf("the exact merge exceeded its budget because of the interactions' states (%v)", exactErr)
	} else {
		targets = append([]int{relaxAlwaysOpen}, slices.DeleteFunc(slices.Clone(targets), func(t int) bool { return t >= relaxAlwaysOpen })...)
	}
	order := plan.mergeOrder(len(s.Framework.Points))
	var relaxed []bool
	err := exactErr
	for _, t := range targets {
		before := slices.Clone(relaxed)
		relaxed = relaxBest(s, o, relaxed, order, t)
		if before != nil && slices.Equal(before, relaxed) {
			continue
		}
		rp := relaxedPlan(s, o, relaxed, order, why)
		var fr *Frontier
		if fr, err = mergeFrontier(ctx, s, o, nil, 0, work, rp); err == nil {
			return fr, nil
		}
		if !budgetError(err) {
			return nil, err
		}
		order = rp.mergeOrder(len(s.Framework.Points))
	}
	if exactErr != nil {
		// The exact merge's error, which says where and why it stopped.
		return nil, fmt.Errorf("%w (relaxing interactions spanning several points did not fit either: %v)", exactErr, err)
	}
	return nil, fmt.Errorf("%w (even with every interaction spanning several points relaxed)", err)
}

// hasOpenInteractions reports whether some interaction spans several points.
func hasOpenInteractions(s *Space) bool {
	return len(constraintPoints(interactionConstraints(s))) > 0
}

// remapConstraints returns cons with their points moved to their merge
// steps (order[k] is the point merged at step k).
func remapConstraints(cons []constraint, order []int) []constraint {
	step := make([]int, len(order))
	identity := true
	for k, p := range order {
		step[p] = k
		identity = identity && p == k
	}
	if identity {
		return cons
	}
	out := make([]constraint, len(cons))
	for i, c := range cons {
		c.terms = slices.Clone(c.terms)
		c.first, c.last = len(order), -1
		for t := range c.terms {
			c.terms[t].Point = step[c.terms[t].Point]
			c.first, c.last = min(c.first, c.terms[t].Point), max(c.last, c.terms[t].Point)
		}
		out[i] = c
	}
	return out
}

// constraintLastStep is the merge step at which c completes (step[p] is
// point p's).
func constraintLastStep(c constraint, step []int) int {
	last := -1
	for _, t := range c.terms {
		last = max(last, step[t.Point])
	}
	return last
}

// rebuildWitness returns the package of survivor i after the last merge
// step, from the merge layers (order[k] is the point of step k).
func rebuildWitness(layers []mergeLayer, order []int, i int) framework.Package {
	w := make(framework.Package, len(order))
	node := int32(i)
	for k := len(order) - 1; k >= 0; k-- {
		w[order[k]] = int(layers[k].level[node])
		node = layers[k].parent[node]
	}
	return w
}
