package agent

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// Bid search on tables with interactions.
//
// A table with interactions (profile.Table.Effects) is not a sum of
// per-point contributions, so the knapsack's reachable sums say nothing
// about it. A BidSpace over such a table, when it is too large to
// enumerate, answers by a depth-first branch and bound over the points in
// framework order (nlspace). A node is a package decided on points 0…i−1;
// it carries the exact partial utility (Table.Utility's additions in its
// order: point by point, each effect's value right after its last point)
// and bounds on what the rest can add: per undecided point its lowest and
// highest allowed contribution, plus, per effect not yet added, the
// interval of what it may still add — [min(0,v), max(0,v)] while
// undecided, 0 once a decided term fails it (an INCLUDES box), v once a
// decided term fails an Outside one. A node whose interval [lo, hi] cannot
// meet the window a query still looks in (the target ± the distance of
// the best package found so far) is pruned. Children are tried in order of
// the distance between their interval's centre and the target, slightly
// jittered by a generator seeded from the query (so that a query always
// gives the same answer, and nearby targets explore differently). A query
// stops when its answer is within Tolerance of the ideal (a package at the
// target for Near) or when its budget of child evaluations is spent
// (nlBudget). Near and AtLeast then improve the answer by rounds of pairs
// (a meet in the middle over two groups of points no interaction links,
// see pairs) and by changing one point at a time: a millisecond or so in
// all. Every answer is a real, allowed package whose
// utility is Table.Utility's, bit for bit; it is not proven optimal
// (Exact is false), and on targets that few packages reach the distance
// may exceed Tolerance.
//
// Best and Worst are exact: Table.Max (a dynamic programme over the
// effects open at each point) and a search for a package of Table.Min's
// value; with red lines or exclusions, when Max's package is not allowed,
// an exhaustive branch and bound over the allowed packages (exact when it
// completes within nlExtremeBudget, which the space records).

// nlBudget is the number of child evaluations one query's branch and
// bound may spend (about 30 ns each).
const nlBudget = 1 << 12

// nlCollectBudget is nlBudget for Around and Within (no pairs after).
const nlCollectBudget = 1 << 14

// nlPairRounds bounds the rounds of pairs (meet in the middle over two
// groups of points) a query runs after its branch and bound; nlPairSide
// bounds the combinations of one group.
const (
	nlPairRounds = 6
	nlPairSide   = 1024
)

// nlExtremeBudget bounds the child evaluations of the searches for Best
// and Worst when red lines or exclusions are involved.
const nlExtremeBudget = 1 << 24

// nlTouch is an effect seen from one of its points.
type nlTouch struct {
	e       int
	in      []bool // the term's levels at this point
	value   float64
	outside bool
}

// interval is what the effect may still add: undecided, or missed (a
// decided term does not match).
func (c *nlTouch) interval(missed bool) (lo, hi float64) {
	switch {
	case !missed:
		return min(0, c.value), max(0, c.value)
	case c.outside:
		return c.value, c.value
	}
	return 0, 0
}

// nlspace is the search structure of a non-additive BidSpace.
type nlspace struct {
	t       *profile.Table
	n       int
	levels  [][]int     // allowed levels per point (one-point red lines removed)
	restMin []float64   // restMin[i]: lowest the allowed contributions of points i… can add
	restMax []float64   // restMax[i]: highest
	touch   [][]nlTouch // per point: the effects with a term there whose last point is later
	closing [][]nlTouch // per point: the effects whose last point it is, in Utility's order
	fxLo    float64     // what the effects can add, nothing decided
	fxHi    float64
	lines   [][]lineSet                  // red lines on several points, by their last point
	bb      func(framework.Package) bool // Excluding's function (nil: none)
	allowed func(framework.Package) bool // every exclusion (red lines too)
	linked  [][]bool                     // linked[i][j]: an effect has terms on points i and j
	slack   float64                      // rounding margin of the bounds
	tol     float64
	best    Bid
	worst   Bid
	// bestExact and worstExact tell whether Best and Worst are proven
	// (false only when a search for them ran out of budget).
	bestExact, worstExact bool
}

// newNLSpace builds the search of a non-additive table over radix, with
// the red lines lines (compiled) and the black-box exclusion bb. It fails
// with ErrNoBids when no package is allowed.
func newNLSpace(t *profile.Table, radix []int, lines []lineSet, bb func(framework.Package) bool) (*nlspace, error) {
	s, err := newNLBase(t, radix, lines, bb)
	if err != nil {
		return nil, err
	}
	// Best and Worst (Table.Max's dynamic programme each) side by side.
	// (Excluding's function need not be safe for concurrent calls.)
	var errs [2]error
	both := func(w int) {
		if w == 0 {
			s.best, s.bestExact, errs[0] = s.extreme(1)
		} else {
			s.worst, s.worstExact, errs[1] = s.extreme(-1)
		}
	}
	if bb == nil {
		parallel(2, both)
	} else {
		both(0)
		both(1)
	}
	if err := cmp.Or(errs[0], errs[1]); err != nil {
		return nil, err
	}
	// The resolution queries stop at: far below any difference of utility
	// that matters to a negotiator, far above rounding.
	s.tol = max((s.best.Utility-s.worst.Utility)*0x1p-20, 4*s.slack)
	return s, nil
}

// newNLBase is newNLSpace without Best, Worst and Tolerance.
func newNLBase(t *profile.Table, radix []int, lines []lineSet, bb func(framework.Package) bool) (*nlspace, error) {
	n := len(radix)
	s := &nlspace{t: t, n: n, levels: make([][]int, n), restMin: make([]float64, n+1), restMax: make([]float64, n+1),
		touch: make([][]nlTouch, n), closing: make([][]nlTouch, n), lines: make([][]lineSet, n), bb: bb}
	banned := make([][]bool, n)
	for i, r := range radix {
		banned[i] = make([]bool, r)
	}
	for _, ln := range lines {
		if len(ln.pts) == 1 {
			for l, in := range ln.sets[0] {
				banned[ln.pts[0]][l] = banned[ln.pts[0]][l] || in
			}
			continue
		}
		s.lines[slices.Max(ln.pts)] = append(s.lines[slices.Max(ln.pts)], ln)
	}
	mag := 0.0
	for i := n - 1; i >= 0; i-- {
		lo, hi := math.Inf(1), math.Inf(-1)
		for l, c := range t.Contrib[i] {
			if !banned[i][l] {
				s.levels[i] = append(s.levels[i], l)
				lo, hi = min(lo, c), max(hi, c)
			}
			mag += math.Abs(c)
		}
		if len(s.levels[i]) == 0 {
			return nil, ErrNoBids
		}
		s.restMin[i], s.restMax[i] = s.restMin[i+1]+lo, s.restMax[i+1]+hi
	}
	for e := range t.Effects {
		ef := &t.Effects[e]
		mag += math.Abs(ef.Value)
		s.fxLo += min(0, ef.Value)
		s.fxHi += max(0, ef.Value)
		for _, tm := range ef.Terms {
			c := nlTouch{e: e, in: tm.In, value: ef.Value, outside: ef.Outside}
			if tm.Point == ef.Last {
				s.closing[tm.Point] = append(s.closing[tm.Point], c)
			} else {
				s.touch[tm.Point] = append(s.touch[tm.Point], c)
			}
		}
	}
	s.linked = make([][]bool, n)
	for i := range s.linked {
		s.linked[i] = make([]bool, n)
	}
	for e := range t.Effects {
		for _, a := range t.Effects[e].Terms {
			for _, b := range t.Effects[e].Terms {
				s.linked[a.Point][b.Point] = true
			}
		}
	}
	// Bounds are sums of up to 3(n + effects) terms, each rounded by at
	// most half an ulp of the magnitude: a generous margin.
	s.slack = 16 * float64(n+len(t.Effects)+1) * math.Max(mag, 1) * 0x1p-52
	s.allowed = func(p framework.Package) bool {
		for i, l := range p {
			if banned[i][l] {
				return false
			}
		}
		for _, ls := range s.lines {
			for k := range ls {
				if ls[k].crossed(p) {
					return false
				}
			}
		}
		return bb == nil || !bb(p)
	}
	return s, nil
}

// extreme returns the highest (sign 1) or lowest (sign −1) utility of an
// allowed package, and whether it is proven.
func (s *nlspace) extreme(sign float64) (Bid, bool, error) {
	// Table.Max of the table negated (contributions and values: every sum
	// is the exact negation of Utility's, rounding being symmetric) gives
	// a package of the lowest utility.
	t := s.t
	if sign < 0 {
		t = negated(t)
	}
	_, p := t.Max()
	target := s.t.Utility(p)
	if s.allowed(p) {
		return Bid{Package: p, Utility: target}, true, nil
	}
	// The best allowed package by branch and bound, from the best allowed
	// one or two points away from the extreme package (a bound that prunes
	// most of the space: exclusions tested on complete packages only would
	// otherwise keep a depth-first search among forbidden options).
	q := s.newSearch(target, nlExtremeBudget)
	q.order = orderHigh
	if sign < 0 {
		q.order = orderLow
	}
	score := func(u float64) float64 { return sign * u }
	best, found := s.nearby(p, score)
	if !found {
		best, found = s.dives(target, score)
	}
	if found {
		best = s.polish(best, func(u float64) (float64, bool) { return -score(u), true })
		if sign > 0 {
			q.lo = best.Utility
		} else {
			q.hi = best.Utility
		}
	}
	q.leaf = func(u float64) bool {
		if !found || sign*u > sign*best.Utility {
			best, found = Bid{Package: q.p.Clone(), Utility: u}, true
			if sign > 0 {
				q.lo = u
			} else {
				q.hi = u
			}
		}
		return u != target
	}
	q.run()
	switch {
	case found:
		return best, best.Utility == target || q.budget > 0, nil
	case q.budget > 0:
		return Bid{}, false, ErrNoBids
	}
	return Bid{}, false, fmt.Errorf("no allowed package found within %d search steps: %w", nlExtremeBudget, ErrNoBids)
}

// negated returns t with every contribution and effect value negated (the
// effects' level sets shared).
func negated(t *profile.Table) *profile.Table {
	n := &profile.Table{Contrib: make([][]float64, len(t.Contrib)), Effects: slices.Clone(t.Effects)}
	for i, c := range t.Contrib {
		n.Contrib[i] = make([]float64, len(c))
		for l, x := range c {
			n.Contrib[i][l] = -x
		}
	}
	for e := range n.Effects {
		n.Effects[e].Value = -n.Effects[e].Value
	}
	return n
}

// nearby returns the allowed package of highest score among those that
// differ from p in one point, or failing that in two, and whether there
// is one.
func (s *nlspace) nearby(p framework.Package, score func(u float64) float64) (Bid, bool) {
	var best Bid
	found := false
	q := p.Clone()
	try := func() {
		if u := s.t.Utility(q); (!found || score(u) > score(best.Utility)) && s.allowed(q) {
			best, found = Bid{Package: q.Clone(), Utility: u}, true
		}
	}
	for i := range q {
		for _, l := range s.levels[i] {
			q[i] = l
			try()
		}
		q[i] = p[i]
	}
	for i := 0; i < len(q) && !found; i++ {
		for j := i + 1; j < len(q); j++ {
			for _, l := range s.levels[i] {
				q[i] = l
				for _, m := range s.levels[j] {
					q[j] = m
					try()
				}
			}
			q[i], q[j] = p[i], p[j]
		}
	}
	return best, found
}

// dives returns the allowed package of highest score among those of up to
// 256 random dives from the root (each point's level drawn at random,
// red lines avoided), and whether it found one: a start for searches that
// exclusions tested on complete packages keep among forbidden ones.
func (s *nlspace) dives(target float64, score func(u float64) float64) (Bid, bool) {
	q := s.newSearch(target, 0)
	var best Bid
	found := false
	for range 256 {
		ok := true
		for i := 0; i < s.n && ok; i++ {
			ok = false
			for range 8 {
				ls := s.levels[i]
				if q.p[i] = ls[int(q.random()*float64(len(ls)))]; !q.crosses(i) {
					ok = true
					break
				}
			}
		}
		if !ok {
			continue
		}
		if u := s.t.Utility(q.p); (!found || score(u) > score(best.Utility)) && s.allowed(q.p) {
			best, found = Bid{Package: q.p.Clone(), Utility: u}, true
		}
	}
	return best, found
}

// Value orders of a search's children.
const (
	orderTarget = iota // centre of the interval nearest the target first
	orderHigh          // highest upper bound first
	orderLow           // lowest lower bound first
)

// nlsearch is one query's depth-first search.
type nlsearch struct {
	s      *nlspace
	p      framework.Package
	missed []bool
	budget int
	target float64
	order  int
	// lo and hi: the window of utilities still wanted (the leaf callback
	// narrows it).
	lo, hi float64
	// leaf is called with every allowed complete package (q.p) reached
	// inside the window; false stops the search.
	leaf    func(u float64) bool
	stopped bool
	kids    [][]nlkid
	rng     uint64
}

// nlkid is a child of a node: level l of the node's point, the exact
// partial utility u with it, the interval of the effects not yet added,
// and the child's bounds.
type nlkid struct {
	l             int
	u, fxLo, fxHi float64
	lo, hi        float64
	key           float64
}

func (s *nlspace) newSearch(target float64, budget int) *nlsearch {
	q := &nlsearch{s: s, p: make(framework.Package, s.n), missed: make([]bool, len(s.t.Effects)), budget: budget,
		target: target, lo: math.Inf(-1), hi: math.Inf(1), kids: make([][]nlkid, s.n)}
	q.rng = mix(math.Float64bits(target) ^ 0x6a09e667f3bcc908)
	return q
}

func (q *nlsearch) random() float64 {
	q.rng = q.rng*6364136223846793005 + 1442695040888963407
	return float64(mix(q.rng)>>11) * 0x1p-53
}

func (q *nlsearch) run() { q.rec(0, 0, q.s.fxLo, q.s.fxHi) }

// rec expands the node of points 0…i−1 decided (q.p), of exact partial
// utility u, the effects not yet added able to add [fxLo, fxHi].
func (q *nlsearch) rec(i int, u, fxLo, fxHi float64) {
	s := q.s
	if i == s.n {
		if s.bb != nil && s.bb(q.p) {
			return
		}
		if !q.leaf(u) {
			q.stopped = true
		}
		return
	}
	kids := q.kids[i][:0]
	for _, l := range s.levels[i] {
		q.budget--
		kd := q.child(i, l, u, fxLo, fxHi)
		if kd.hi+s.slack < q.lo || kd.lo-s.slack > q.hi {
			continue
		}
		if len(s.lines[i]) > 0 {
			if q.p[i] = l; q.crosses(i) {
				continue
			}
		}
		switch q.order {
		case orderHigh:
			kd.key = -kd.hi
		case orderLow:
			kd.key = kd.lo
		default:
			kd.key = math.Abs((kd.lo+kd.hi)/2-q.target) + 0.125*(kd.hi-kd.lo)*q.random()
		}
		kids = append(kids, kd)
	}
	slices.SortFunc(kids, func(a, b nlkid) int { return cmp.Compare(a.key, b.key) })
	q.kids[i] = kids
	for j := range kids {
		kd := &q.kids[i][j]
		if q.stopped || q.budget <= 0 {
			return
		}
		if kd.hi+s.slack < q.lo || kd.lo-s.slack > q.hi {
			continue // the window narrowed
		}
		q.p[i] = kd.l
		var marked [16]int
		mk := marked[:0]
		for k := range s.touch[i] {
			ef := &s.touch[i][k]
			if !q.missed[ef.e] && !ef.in[kd.l] {
				q.missed[ef.e] = true
				mk = append(mk, ef.e)
			}
		}
		q.rec(i+1, kd.u, kd.fxLo, kd.fxHi)
		for _, e := range mk {
			q.missed[e] = false
		}
	}
}

// pairs improves b toward t (the utility nearest t, or with atLeast the
// lowest not below t) by a meet in the middle: two random groups of
// points that no interaction links (so that a package's utility changes
// by the sum of what each group's change adds, up to rounding), every
// combination of each group's levels evaluated on b (Table.Utility) and
// sorted, and for each combination of the first the combination of the
// second completing it nearest t; the best pairs are evaluated exactly and
// kept if allowed and better.
func (s *nlspace) pairs(q *nlsearch, b Bid, t float64, atLeast bool) Bid {
	pickGroup := func(avoid []int) []int {
		var g []int
		size := 1
		start := int(q.random() * float64(s.n))
		for k := range s.n {
			i := (start + k) % s.n
			if len(s.levels[i]) < 2 || slices.Contains(avoid, i) || size*len(s.levels[i]) > nlPairSide {
				continue
			}
			linked := false
			for _, j := range avoid {
				linked = linked || s.linked[i][j]
			}
			if linked {
				continue
			}
			g = append(g, i)
			size *= len(s.levels[i])
		}
		return g
	}
	ga := pickGroup(nil)
	gb := pickGroup(ga)
	if len(ga) == 0 || len(gb) == 0 {
		return b
	}
	p := b.Package.Clone()
	type combo struct {
		d   float64 // utility change
		idx int
	}
	list := func(g []int) []combo {
		var out []combo
		var rec func(k, idx int)
		rec = func(k, idx int) {
			if k == len(g) {
				out = append(out, combo{s.t.Utility(p) - b.Utility, idx})
				return
			}
			for li, l := range s.levels[g[k]] {
				p[g[k]] = l
				rec(k+1, idx*len(s.levels[g[k]])+li)
			}
			p[g[k]] = b.Package[g[k]]
		}
		rec(0, 0)
		return out
	}
	set := func(g []int, idx int) {
		for k := len(g) - 1; k >= 0; k-- {
			ls := s.levels[g[k]]
			p[g[k]] = ls[idx%len(ls)]
			idx /= len(ls)
		}
	}
	la, lb := list(ga), list(gb)
	slices.SortFunc(lb, func(x, y combo) int { return cmp.Compare(x.d, y.d) })
	// The few best predicted pairs, evaluated exactly.
	type cand struct {
		score  float64
		ia, ib int
	}
	var cands []cand
	const keep = 8
	consider := func(ia, ib int) {
		u := b.Utility + la[ia].d + lb[ib].d
		sc := math.Abs(u - t)
		if atLeast {
			if u < t {
				return
			}
			sc = u - t
		}
		if len(cands) == keep && sc >= cands[keep-1].score {
			return
		}
		at, _ := slices.BinarySearchFunc(cands, sc, func(c cand, x float64) int { return cmp.Compare(c.score, x) })
		cands = slices.Insert(cands, at, cand{sc, ia, ib})
		if len(cands) > keep {
			cands = cands[:keep]
		}
	}
	for ia := range la {
		need := t - b.Utility - la[ia].d
		j, _ := slices.BinarySearchFunc(lb, need, func(c combo, x float64) int { return cmp.Compare(c.d, x) })
		for _, ib := range []int{j - 1, j, j + 1} {
			if ib >= 0 && ib < len(lb) {
				consider(ia, ib)
			}
		}
	}
	best := b
	for _, c := range cands {
		set(ga, la[c.ia].idx)
		set(gb, lb[c.ib].idx)
		u := s.t.Utility(p)
		better := closer(math.Abs(u-t), u, math.Abs(best.Utility-t), best.Utility)
		if atLeast {
			better = u >= t && u < best.Utility
		}
		if better && s.allowed(p) {
			best = Bid{Package: p.Clone(), Utility: u}
		}
		copy(p, b.Package)
	}
	return best
}

// child evaluates level l of point i below a node of exact partial utility
// u whose effects not yet added can add [fxLo, fxHi] (q.missed: the
// node's failed terms).
func (q *nlsearch) child(i, l int, u, fxLo, fxHi float64) nlkid {
	s := q.s
	v := u + s.t.Contrib[i][l]
	dlo, dhi := 0.0, 0.0
	for k := range s.closing[i] {
		ef := &s.closing[i][k]
		m := q.missed[ef.e]
		if (m || !ef.in[l]) == ef.outside {
			v += ef.value
		}
		a, b := ef.interval(m)
		dlo, dhi = dlo-a, dhi-b
	}
	for k := range s.touch[i] {
		ef := &s.touch[i][k]
		if !q.missed[ef.e] && !ef.in[l] {
			a, b := ef.interval(false)
			x, y := ef.interval(true)
			dlo, dhi = dlo+x-a, dhi+y-b
		}
	}
	kd := nlkid{l: l, u: v, fxLo: fxLo + dlo, fxHi: fxHi + dhi}
	kd.lo = v + s.restMin[i+1] + kd.fxLo
	kd.hi = v + s.restMax[i+1] + kd.fxHi
	return kd
}

// crosses reports whether q.p, decided up to point i, crosses a red line
// whose last point is i.
func (q *nlsearch) crosses(i int) bool {
	for k := range q.s.lines[i] {
		if q.s.lines[i][k].crossed(q.p) {
			return true
		}
	}
	return false
}

// polish improves b by changing one point at a time while score (smaller
// is better; ok false rejects) improves, within a few sweeps.
func (s *nlspace) polish(b Bid, score func(u float64) (float64, bool)) Bid {
	cur, ok := score(b.Utility)
	if !ok {
		cur = math.Inf(1)
	}
	p := b.Package.Clone()
	for sweep := 0; sweep < 4 && cur > 0; sweep++ {
		improved := false
		for i := range p {
			keep := p[i]
			bestL, bestU := keep, b.Utility
			for _, l := range s.levels[i] {
				if l == keep {
					continue
				}
				p[i] = l
				u := s.t.Utility(p)
				if sc, ok := score(u); ok && (sc < cur || sc == cur && u > bestU) && s.allowed(p) {
					cur, bestL, bestU = sc, l, u
				}
			}
			p[i] = bestL
			if bestL != keep {
				improved = true
				b = Bid{Package: p.Clone(), Utility: bestU}
			}
		}
		if !improved {
			break
		}
	}
	return b
}

func (s *nlspace) near(t float64) Bid {
	if math.IsNaN(t) || t >= s.best.Utility {
		return s.best.clone()
	}
	if t <= s.worst.Utility {
		return s.worst.clone()
	}
	best := s.best
	if closer(t-s.worst.Utility, s.worst.Utility, s.best.Utility-t, s.best.Utility) {
		best = s.worst
	}
	bd := math.Abs(best.Utility - t)
	q := s.newSearch(t, nlBudget)
	q.lo, q.hi = t-bd, t+bd
	q.leaf = func(u float64) bool {
		if d := math.Abs(u - t); closer(d, u, bd, best.Utility) {
			best, bd = Bid{Package: q.p.Clone(), Utility: u}, d
			q.lo, q.hi = t-d, t+d
		}
		return bd > s.tol
	}
	q.run()
	score := func(u float64) (float64, bool) { return math.Abs(u - t), true }
	for round := 0; round < nlPairRounds && bd > s.tol; round++ {
		best = s.pairs(q, best, t, false)
		bd = math.Abs(best.Utility - t)
	}
	if bd > s.tol {
		best = s.polish(best, score)
	}
	return best.clone()
}

func (s *nlspace) atLeast(t float64) (Bid, bool) {
	if t > s.best.Utility {
		return s.best.clone(), false
	}
	if math.IsNaN(t) || t <= s.worst.Utility {
		return s.worst.clone(), true
	}
	best := s.best
	q := s.newSearch(t, nlBudget)
	q.lo, q.hi = t, best.Utility
	q.leaf = func(u float64) bool {
		if u >= t && u < best.Utility {
			best = Bid{Package: q.p.Clone(), Utility: u}
			q.hi = u
		}
		return best.Utility-t > s.tol
	}
	q.run()
	for round := 0; round < nlPairRounds && best.Utility-t > s.tol; round++ {
		best = s.pairs(q, best, t, true)
	}
	if best.Utility-t > s.tol {
		best = s.polish(best, func(u float64) (float64, bool) { return u - t, u >= t })
	}
	return best.clone(), true
}

// collect runs a search that keeps up to k distinct packages ranked by
// less (the worst last), narrowing the window with window(worst kept)
// once k are kept and stopping once done(worst kept).
func (s *nlspace) collect(q *nlsearch, k int, seed []Bid, inWindow func(u float64) bool, less func(a, b Bid) bool, window func(w Bid), done func(w Bid) bool) []Bid {
	var kept []Bid
	seen := map[string]bool{}
	add := func(b Bid) {
		key := string(keyOf(b.Package))
		if seen[key] {
			return
		}
		if len(kept) == k && !less(b, kept[k-1]) {
			return
		}
		if len(kept) == k {
			delete(seen, string(keyOf(kept[k-1].Package)))
			kept = kept[:k-1]
		}
		seen[key] = true
		at, _ := slices.BinarySearchFunc(kept, b, func(x, y Bid) int {
			if less(x, y) {
				return -1
			}
			return 1
		})
		kept = slices.Insert(kept, at, b.clone())
		if len(kept) == k {
			window(kept[k-1])
		}
	}
	for _, b := range seed {
		if inWindow(b.Utility) {
			add(b)
		}
	}
	q.leaf = func(u float64) bool {
		if inWindow(u) {
			add(Bid{Package: q.p, Utility: u})
		}
		return len(kept) < k || !done(kept[k-1])
	}
	if len(kept) < k || !done(kept[k-1]) {
		q.run()
	}
	return kept
}

func (s *nlspace) around(t float64, k int, dst []Bid) []Bid {
	if math.IsNaN(t) {
		t = math.Inf(1)
	}
	// Beyond the range, distances order packages as utilities do.
	t = math.Min(math.Max(t, s.worst.Utility-1), s.best.Utility+1)
	q := s.newSearch(t, nlCollectBudget)
	less := func(a, b Bid) bool {
		return closer(math.Abs(a.Utility-t), a.Utility, math.Abs(b.Utility-t), b.Utility)
	}
	kept := s.collect(q, k, []Bid{s.best, s.worst}, func(float64) bool { return true }, less,
		func(w Bid) {
			d := math.Abs(w.Utility - t)
			q.lo, q.hi = t-d, t+d
		},
		func(w Bid) bool { return math.Abs(w.Utility-t) <= s.tol })
	return append(dst, kept...)
}

func (s *nlspace) within(lo, hi float64, k int, dst []Bid) []Bid {
	if hi < s.worst.Utility || lo > s.best.Utility {
		return dst
	}
	q := s.newSearch(lo, nlCollectBudget)
	q.lo, q.hi = lo, hi
	less := func(a, b Bid) bool { return a.Utility < b.Utility }
	kept := s.collect(q, k, []Bid{s.worst, s.best}, func(u float64) bool { return lo <= u && u <= hi }, less,
		func(w Bid) { q.hi = w.Utility },
		func(w Bid) bool { return w.Utility-max(lo, s.worst.Utility) <= s.tol })
	return append(dst, kept...)
}
