package agent

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// knapsack answers utility queries on spaces too large to enumerate, as a
// multiple-choice knapsack over discretised utilities.
//
// Contributions are shifted so every point's lowest is 0 (base holds the
// sum of the lowest), then rounded to multiples of delta: q = round(c/delta).
// reach[i] is the set of quantised sums reachable by points 0..i-1, a
// bitset. Every package's exact shifted utility lies within err[n] of
// delta·Q, where Q is its quantised total. A depth-first walk from a
// reachable total back through the layers finds packages with that total
// without dead ends (quantised reachability is exact); the same walk can
// also bound the exact utility (search), pruning with err[i] margins.
type knapsack struct {
	n      int
	c      [][]float64 // the table's contributions
	sh     [][]float64 // c shifted so every point's lowest is 0
	shq    [][]float64 // sh / delta
	inv    float64     // 1 / delta
	base   float64
	delta  float64
	q      [][]int32
	groups [][]qgroup // per point: levels grouped by q, ascending
	err    []float64  // err[i]: bound on |Σ_{j<i} shifted − delta·Σ q| (len n+1)
	bits   int        // bits per layer
	reach  [][]uint64 // len n+1
	lv     [][]klevel // per point: its levels by q ascending, then level
	marg   []float64  // marg[i] = err[i]/delta + 1e-6: search's prefix margin in buckets
	// Near's scan: combinations of the first points (tail), of the next
	// ones (mid) and of the next (top), each list sorted by sum.
	tail, mid, top *knapList
	fuzz           float64 // rounding allowance of sums of contributions
	minStep        float64 // smallest non-zero change of one point's contribution
	// exact, when set, is the part's table with its interactions (every
	// one decided in the part, c holding their values folded in; see
	// effectBoxes): utilities are its, bit for bit.
	exact *profile.Table
}

// klevel is one level of a point, as the search walks it.
type klevel struct {
	q       int     // quantised contribution
	l       int     // level
	sh, shq float64 // shifted contribution, and in buckets
}

type qgroup struct {
	q      int
	levels []int
}

// Memory and time budgets for building the layers.
const (
	knapsackMaxBytes = 1 << 27 // all layers together
	knapsackMaxWork  = 1 << 28 // word operations to build them
	knapsackMinBits  = 1 << 12
)

// newKnapsack builds the knapsack of an additive table (NewBidSpace
// searches tables with interactions with nlspace instead: per-point
// contributions do not sum to their utilities).
func newKnapsack(t *profile.Table, k, lists, maxBytes int) *knapsack {
	if !t.Additive() {
		panic("agent: knapsack over a table with interactions")
	}
	n := len(t.Contrib)
	m := &knapsack{n: n, c: t.Contrib}
	mins := make([]float64, n)
	span := 0.0
	for i, c := range t.Contrib {
		lo, hi := slices.Min(c), slices.Max(c)
		mins[i] = lo
		m.base += lo
		span += hi - lo
	}
	if k < 2*n+64 {
		k = 2*n + 64
	}
	if maxBits := maxBytes * 8 / (n + 1); k > maxBits {
		k = max(maxBits, knapsackMinBits)
	}
	for {
		m.quantise(mins, span, k)
		if k <= knapsackMinBits || m.buildWork() <= knapsackMaxWork {
			break
		}
		k /= 2
	}
	m.fuzz = 4 * float64(m.n+1) * (math.Abs(m.base) + span) * 0x1p-52
	m.minStep = math.Inf(1)
	for _, c := range m.c {
		c = slices.Sorted(slices.Values(c))
		for l := 1; l < len(c); l++ {
			if c[l] != c[l-1] {
				m.minStep = math.Min(m.minStep, c[l]-c[l-1])
			}
		}
	}
	// The reachability bitsets and the three lists read only the quantised
	// table: they are built at once, on as many cores.
	midFrom := knapListEnd(m, 0, lists)
	topFrom := knapListEnd(m, midFrom, lists)
	parallel(4, func(w int) {
		switch w {
		case 0:
			m.build()
		case 1:
			m.tail = newKnapList(m, 0, lists)
		case 2:
			m.mid = newKnapList(m, midFrom, lists)
		default:
			m.top = newKnapList(m, topFrom, lists)
		}
	})
	return m
}

// quantise sets delta, q, groups and err for k bits per layer.
func (m *knapsack) quantise(mins []float64, span float64, k int) {
	m.bits = k
	m.delta = span / float64(k-1-m.n)
	if !(m.delta > 0) {
		m.delta = 1 // every package has the same utility
	}
	m.inv = 1 / m.delta
	m.q = make([][]int32, m.n)
	m.sh = make([][]float64, m.n)
	m.shq = make([][]float64, m.n)
	m.groups = make([][]qgroup, m.n)
	m.err = make([]float64, m.n+1)
	for i, c := range m.c {
		m.q[i] = make([]int32, len(c))
		m.sh[i] = make([]float64, len(c))
		m.shq[i] = make([]float64, len(c))
		e := 0.0
		byQ := map[int][]int{}
		for l, v := range c {
			sh := v - mins[i]
			m.sh[i][l] = sh
			m.shq[i][l] = sh * m.inv
			q := int(math.Round(sh / m.delta))
			m.q[i][l] = int32(q)
			e = math.Max(e, math.Abs(sh-float64(q)*m.delta))
			byQ[q] = append(byQ[q], l)
		}
		// Shifting and the sum itself round too: allow for a few ulps.
		m.err[i+1] = m.err[i] + e + 4*math.Abs(m.base+span)*0x1p-52
		gs := make([]qgroup, 0, len(byQ))
		for q, ls := range byQ {
			gs = append(gs, qgroup{q, ls})
		}
		slices.SortFunc(gs, func(a, b qgroup) int { return a.q - b.q })
		m.groups[i] = gs
	}
	m.lv = make([][]klevel, m.n)
	m.marg = make([]float64, m.n+1)
	for i, gs := range m.groups {
		for _, g := range gs {
			for _, l := range g.levels {
				m.lv[i] = append(m.lv[i], klevel{g.q, l, m.sh[i][l], m.shq[i][l]})
			}
		}
	}
	for i, e := range m.err {
		m.marg[i] = e*m.inv + 1e-6
	}
}

func (m *knapsack) words() int { return (m.bits + 63) / 64 }

func (m *knapsack) buildWork() int {
	w := 0
	for _, g := range m.groups {
		w += len(g) * m.words()
	}
	return w
}

func (m *knapsack) build() {
	words := m.words()
	m.reach = make([][]uint64, m.n+1)
	m.reach[0] = make([]uint64, words)
	m.reach[0][0] = 1
	hi := 0 // highest reachable quantised sum so far
	for i := 0; i < m.n; i++ {
		dst := make([]uint64, words)
		srcWords := hi/64 + 1
		for _, g := range m.groups[i] {
			orShift(dst, m.reach[i][:srcWords], g.q)
		}
		hi = min(hi+m.groups[i][len(m.groups[i])-1].q, m.bits-1)
		m.reach[i+1] = dst
	}
}

// orShift sets dst |= src << d.
func orShift(dst, src []uint64, d int) {
	ws, bs := d/64, uint(d%64)
	for w, v := range src {
		if v == 0 {
			continue
		}
		if w+ws < len(dst) {
			dst[w+ws] |= v << bs
		}
		if bs != 0 && w+ws+1 < len(dst) {
			dst[w+ws+1] |= v >> (64 - bs)
		}
	}
}

// anyIn reports whether some bit in [lo, hi] is set.
func anyIn(b []uint64, lo, hi int) bool {
	lo = max(lo, 0)
	hi = min(hi, len(b)*64-1)
	if lo > hi {
		return false
	}
	wl, wh := lo/64, hi/64
	if wl == wh {
		mask := (^uint64(0) << uint(lo%64)) & (^uint64(0) >> uint(63-hi%64))
		return b[wl]&mask != 0
	}
	if b[wl]&(^uint64(0)<<uint(lo%64)) != 0 {
		return true
	}
	for w := wl + 1; w < wh; w++ {
		if b[w] != 0 {
			return true
		}
	}
	return b[wh]&(^uint64(0)>>uint(63-hi%64)) != 0
}

// nextSet returns the smallest set bit ≥ x, or -1.
func nextSet(b []uint64, x int) int {
	x = max(x, 0)
	if x >= len(b)*64 {
		return -1
	}
	w := x / 64
	if v := b[w] >> uint(x%64); v != 0 {
		return x + bits.TrailingZeros64(v)
	}
	for w++; w < len(b); w++ {
		if b[w] != 0 {
			return w*64 + bits.TrailingZeros64(b[w])
		}
	}
	return -1
}

// prevSet returns the largest set bit ≤ x, or -1.
func prevSet(b []uint64, x int) int {
	x = min(x, len(b)*64-1)
	if x < 0 {
		return -1
	}
	w := x / 64
	if v := b[w] << uint(63-x%64); v != 0 {
		return x - bits.LeadingZeros64(v)
	}
	for w--; w >= 0; w-- {
		if b[w] != 0 {
			return w*64 + 63 - bits.LeadingZeros64(b[w])
		}
	}
	return -1
}

// window restricts a search to packages whose quantised total lies in
// [qa, qb] and whose exact utility lies in [lo, hi]. A visit may narrow lo
// and hi while the search runs (branch and bound).
type window struct {
	qa, qb int
	lo, hi float64
}

// clampBucket converts a real bucket position to an int in [-1, bits+1].
func (m *knapsack) clampBucket(x float64) int {
	if !(x > -1) {
		return -1
	}
	if !(x < float64(m.bits+1)) {
		return m.bits + 1
	}
	return int(x)
}

// search visits, depth first from the last point, the packages inside w,
// until visit returns false or budget nodes were expanded; it returns false
// when stopped. It tracks the exact shifted sum of the points chosen so far,
// so that a prefix of i points is pruned unless some reachable quantised
// prefix total lies within err[i]/delta of what the window still allows:
// no package inside w is ever missed, and dead ends can only occur within
// that rounding margin. p is reused between visits.
func (m *knapsack) search(w *window, budget *int, p framework.Package, visit func(framework.Package, float64) bool) bool {
	return m.rec(w, budget, p, visit, m.n, 0, 0)
}

// rec expands search's node choosing point i-1 after the points above it
// summed to s buckets (S exactly, shifted).
func (m *knapsack) rec(w *window, budget *int, p framework.Package, visit func(framework.Package, float64) bool, i, s int, S float64) bool {
	if *budget <= 0 {
		return false
	}
	*budget--
	if i == 0 {
		u := m.utility(p)
		if u < w.lo || u > w.hi {
			return true
		}
		return visit(p, u)
	}
	// The window for the prefix, in buckets, before this point's share;
	// the margin covers the rounding of these products (under 1e-9 of a
	// bucket for a million buckets).
	e := m.marg[i-1]
	A := (w.lo-m.base-S)*m.inv - e
	B := (w.hi-m.base-S)*m.inv + e
	for _, lv := range m.lv[i-1] {
		s2 := s + lv.q
		if s2 > w.qb {
			break
		}
		a := max(w.qa-s2, m.clampBucket(math.Ceil(A-lv.shq)))
		b := min(w.qb-s2, m.clampBucket(math.Floor(B-lv.shq)))
		if a > b || !anyIn(m.reach[i-1], a, b) {
			continue
		}
		p[i-1] = lv.l
		if !m.rec(w, budget, p, visit, i-1, s2, S+lv.sh) {
			return false
		}
	}
	return true
}

// utility is the exact utility, summed as Table.Utility sums it.
func (m *knapsack) utility(p framework.Package) float64 {
	if m.exact != nil {
		return m.exact.Utility(p)
	}
	u := 0.0
	for i, l := range p {
		u += m.c[i][l]
	}
	return u
}

// Query budgets, in search nodes (a node costs well under 100 ns; a walk to
// one package takes points+1): for the first package, per discretised total
// tried, and for improving on it by branch and bound.
func (m *knapsack) firstBudget() int     { return 1024 + 16*(m.n+1) }
func (m *knapsack) perBucketBudget() int { return 64 + 2*(m.n+1) }
func (m *knapsack) improveBudget() int   { return 64 + 2*(m.n+1) }

// bucket returns the quantised total at or below shifted utility x, clamped
// to [0, bits].
func (m *knapsack) bucket(x float64) int {
	b := math.Floor(x / m.delta)
	if !(b > 0) {
		return 0
	}
	return int(math.Min(b, float64(m.bits)))
}

// bucketsOutward calls fn with the reachable quantised totals in order of
// distance from the real shifted target tp, until fn returns false.
func (m *knapsack) bucketsOutward(tp float64, fn func(b int, dist float64) bool) {
	last := m.reach[m.n]
	x := tp / m.delta
	var up, down int
	if x >= float64(m.bits) {
		up, down = -1, prevSet(last, m.bits-1)
	} else if x < 0 {
		up, down = nextSet(last, 0), -1
	} else {
		up = nextSet(last, int(math.Ceil(x)))
		down = prevSet(last, int(math.Ceil(x))-1)
	}
	for up >= 0 || down >= 0 {
		du, dd := math.Inf(1), math.Inf(1)
		if up >= 0 {
			du = math.Abs(float64(up)*m.delta - tp)
		}
		if down >= 0 {
			dd = math.Abs(float64(down)*m.delta - tp)
		}
		if down >= 0 && (up < 0 || dd <= du) {
			if !fn(down, dd) {
				return
			}
			down = prevSet(last, down-1)
		} else {
			if !fn(up, du) {
				return
			}
			up = nextSet(last, up+1)
		}
	}
}

// closer reports whether (d, u) beats (bd, bu): smaller distance, then
// higher utility.
func closer(d, u, bd, bu float64) bool { return d < bd || (d == bd && u > bu) }

func (s *kspace) approxNear(t float64) Bid {
	m := s.m
	// Beyond the range every package is as far as infinity: clamp so that
	// distances still order them.
	t = math.Min(math.Max(t, m.base-1), m.base+float64(m.bits)*m.delta+1)
	p := make(framework.Package, m.n)
	best := make(framework.Package, m.n)
	bu, bd := 0.0, math.Inf(1)
	all, lower := false, 0.0
	if s.hasExcl {
		// The first package found from the reachable totals nearest t:
		// its distance exceeds the best achievable by at most 2·err[n]
		// (Tolerance) when nothing nearer is excluded. The nearest
		// excluded package met on the way is kept to be repaired: the
		// search may spend its budget on excluded packages only.
		budget := m.firstBudget()
		found := false
		var rej framework.Package
		ru, rd := 0.0, math.Inf(1)
		keep := func(p framework.Package, u float64) bool {
			if s.excluded(p) {
				if d := math.Abs(u - t); closer(d, u, rd, ru) {
					rej, ru, rd = append(rej[:0], p...), u, d
				}
				return true
			}
			copy(best, p)
			bu, bd, found = u, math.Abs(u-t), true
			return false
		}
		m.bucketsOutward(t-m.base, func(b int, dist float64) bool {
			nb := min(m.perBucketBudget(), budget)
			budget -= nb
			m.search(&window{b, b, math.Inf(-1), math.Inf(1)}, &nb, p, keep)
			budget += nb
			return !found && budget > 0
		})
		score := func(u float64) (float64, bool) { return math.Abs(u - t), true }
		if rej != nil && rd < bd {
			if r, ok := s.repair(rej, score, !found); ok && closer(math.Abs(r.Utility-t), r.Utility, bd, bu) {
				copy(best, r.Package)
				bu, bd, found = r.Utility, math.Abs(r.Utility-t), true
			}
		}
		for _, w := range [2]Bid{s.best, s.worst} {
			if d := math.Abs(w.Utility - t); w.Package != nil && closer(d, w.Utility, bd, bu) {
				copy(best, w.Package)
				bu, bd, found = w.Utility, d, true
			}
		}
		if !found {
			return Bid{} // only while the part is built (no Best yet)
		}
		if bd > 0 {
			bu, bd, _ = s.scanNear(t, p, best, bu, bd, bd)
		}
	} else {
		// Q is the reachable total nearest t, δ·Q at dq from t. Every
		// package is within err[n] of its total, so none is nearer t than
		// dq − err[n], and those of total Q are within dq + err[n]: any
		// package within bound = dq + err[n] of t is within Tolerance
		// (2·err[n]) of the best achievable.
		q, dq := -1, 0.0
		m.bucketsOutward(t-m.base, func(b int, dist float64) bool {
			q, dq = b, dist
			return false
		})
		if q < 0 {
			return Bid{} // no reachable total: cannot happen
		}
		bound := dq + m.err[m.n]
		lower = dq - m.err[m.n] // no package is nearer
		if m.top.to < m.n {
			// The scan keeps the points above its lists: take them from a
			// package of total Q.
			m.walk(q, best)
			bu = m.utility(best)
			bd = math.Abs(bu - t)
		}
		bu, bd, all = s.scanNear(t, p, best, bu, bd, min(bd, bound))
		if bd > bound {
			m.walk(q, p)
			if u := m.utility(p); closer(math.Abs(u-t), u, bd, bu) {
				copy(best, p)
				bu, bd = u, math.Abs(u-t)
			}
		}
	}
	if !all && bd > m.delta && bd > lower+m.fuzz {
		// Few packages near t, or the scan missed them: branch and bound
		// over all points for closer ones.
		budget := m.improveBudget()
		w := &window{0, m.bits, t - bd, t + bd}
		m.search(w, &budget, p, func(p framework.Package, u float64) bool {
			if !s.excluded(p) {
				if d := math.Abs(u - t); closer(d, u, bd, bu) {
					copy(best, p)
					bu, bd = u, d
					w.lo, w.hi = t-d, t+d
				}
			}
			return bd > 0
		})
	}
	if bd < (m.minStep-2*m.fuzz)/2 {
		// No change of one point can come closer.
		return Bid{best, bu}
	}
	return s.polish(Bid{best, bu}, func(u float64) (float64, bool) { return math.Abs(u - t), true })
}

// walk sets p to the first package that search finds with quantised total
// q (reachable): from the last point down, the first level (by q, then
// level) that leaves a reachable total for the points below.
func (m *knapsack) walk(q int, p framework.Package) {
	for i := m.n; i > 0; i-- {
		prev := m.reach[i-1]
		for _, lv := range m.lv[i-1] {
			r := q - lv.q
			if r < 0 {
				break
			}
			if prev[r/64]&(1<<uint(r%64)) != 0 {
				p[i-1], q = lv.l, r
				break
			}
		}
	}
}

// polish improves b by changing one point at a time while score (smaller is
// better; ok false rejects) improves.
func (s *kspace) polish(b Bid, score func(u float64) (float64, bool)) Bid {
	m := s.m
	bs, _ := score(b.Utility)
	p := b.Package.Clone()
	for round := 0; round < m.n; round++ {
		improved := false
		for i := range p {
			old := p[i]
			for l := range m.c[i] {
				if l == old {
					continue
				}
				// Screen with the incremental sum before the exact one.
				if sc, _ := score(b.Utility - m.c[i][old] + m.c[i][l]); sc > bs+1e-9 {
					continue
				}
				p[i] = l
				u := m.utility(p)
				if sc, ok := score(u); ok && closer(sc, u, bs, b.Utility) && !s.excluded(p) {
					b, bs = Bid{p.Clone(), u}, sc
					old = l
					improved = true
				}
			}
			p[i] = old
		}
		if !improved {
			break
		}
	}
	return b
}

func (s *kspace) approxAtLeast(t float64) (Bid, bool) {
	m := s.m
	t = math.Max(t, m.base-1) // every package qualifies; keep scores finite
	p := make(framework.Package, m.n)
	best := make(framework.Package, m.n)
	bu := math.Inf(1)
	found := false
	// Every package of a reachable total q with δ·q ≥ t − base + err[n]
	// (and rounding) has utility ≥ t: walk to one of the lowest such
	// total. (A search from the totals nearest t meets their packages
	// below t first, and a cluster of packages tied at t whose sums round
	// just below it can use up its budget.)
	x := (t - m.base + m.err[m.n] + m.fuzz) / m.delta
	if x <= float64(m.bits) {
		if q := nextSet(m.reach[m.n], int(math.Ceil(math.Max(x, 0)))); q >= 0 {
			m.walk(q, best)
			if u := m.utility(best); u >= t && !s.excluded(best) {
				bu, found = u, true
			}
		}
	}
	if !found {
		// A first package from the reachable totals nearest t + err[n];
		// as in approxNear, the lowest excluded package met is kept to
		// be repaired.
		var rej framework.Package
		ru := math.Inf(1)
		budget := m.firstBudget()
		first := func(p framework.Package, u float64) bool {
			if s.excluded(p) {
				if u < ru {
					rej, ru = append(rej[:0], p...), u
				}
				return true
			}
			copy(best, p)
			bu, found = u, true
			return false
		}
		m.bucketsOutward(t-m.base+m.err[m.n], func(b int, dist float64) bool {
			nb := min(m.perBucketBudget(), budget)
			budget -= nb
			m.search(&window{b, b, t, math.Inf(1)}, &nb, p, first)
			budget += nb
			return !found && budget > 0
		})
		if rej != nil && ru < bu {
			if r, ok := s.repair(rej, func(u float64) (float64, bool) { return u - t, u >= t }, !found); ok && r.Utility < bu {
				copy(best, r.Package)
				bu, found = r.Utility, true
			}
		}
		if w := s.best; w.Package != nil && w.Utility >= t && w.Utility < bu {
			copy(best, w.Package)
			bu, found = w.Utility, true
		}
		if !found {
			return Bid{}, false
		}
	}
	// No package ≥ t lies below a total that cannot reach t: the lowest
	// is at least lower, and any package within Tolerance of lower is
	// within Tolerance of it.
	lower := t
	if q := nextSet(m.reach[m.n], m.clampBucket(math.Ceil((t-m.base-m.err[m.n]-m.fuzz)/m.delta))); q >= 0 {
		lower = math.Max(t, m.base+float64(q)*m.delta-m.err[m.n]-m.fuzz)
	}
	tol := s.tol()
	all := bu == t
	if !all && bu-lower > tol {
		from := slices.Clone(best)
		bu, all = s.scanAtLeast(t, lower+tol, from, p, best, bu)
		if bu-lower > tol && m.top.to < m.n {
			// The points above the lists came from a package of a total
			// where every package reaches t. Packages of the totals
			// below it may reach t too (those of a cluster tied at t
			// do): take the points above from them as well.
			q := nextSet(m.reach[m.n], m.clampBucket(math.Ceil((t-m.base-m.err[m.n]-m.fuzz)/m.delta)))
			for tries := 0; q >= 0 && tries < atLeastTotals && bu-lower > tol; tries++ {
				if float64(q)*m.delta+m.base-m.err[m.n] > bu {
					break
				}
				m.walk(q, from)
				bu, _ = s.scanAtLeast(t, lower+tol, from, p, best, bu)
				q = nextSet(m.reach[m.n], q+1)
			}
		}
	}
	if !all && bu-lower > tol {
		// Farther (few packages near t, or ties at t): branch and bound
		// over all points for lower ones.
		budget := m.firstBudget()
		w := &window{0, m.bits, t, bu}
		m.search(w, &budget, p, func(p framework.Package, u float64) bool {
			if u < bu && !s.excluded(p) {
				copy(best, p)
				bu = u
				w.hi = u
			}
			return bu > t
		})
	}
	if bu-t < m.minStep-2*m.fuzz {
		// A change of one point moves the utility by minStep at least:
		// none lands in [t, bu).
		return Bid{best, bu}, true
	}
	return s.polish(Bid{best, bu}, func(u float64) (float64, bool) { return u - t, u >= t }), true
}

// atLeastTotals bounds the reachable totals below the first whose packages
// approxAtLeast takes the points above the lists from.
const atLeastTotals = 8

// repair looks for packages that are not excluded among those that differ
// from p (excluded) in one point, and, when none is and deep is set, in
// two; it returns the one of smallest score (ok false rejects; equal
// scores: higher utility). Rejected packages are what a search meets when
// it spends its budget in a corner of the space that exclusions fill (a
// forbidden option at a point it fixed first); changing the points that
// cross the exclusion leaves that corner.
func (s *kspace) repair(p framework.Package, score func(u float64) (float64, bool), deep bool) (Bid, bool) {
	m := s.m
	q := slices.Clone(p)
	var best Bid
	bs := math.Inf(1)
	try := func() {
		u := m.utility(q)
		if sc, ok := score(u); ok && (best.Package == nil || closer(sc, u, bs, best.Utility)) && !s.excluded(q) {
			best, bs = Bid{slices.Clone(q), u}, sc
		}
	}
	for i := range q {
		for l := range m.c[i] {
			if l != p[i] {
				q[i] = l
				try()
			}
		}
		q[i] = p[i]
	}
	if best.Package != nil || !deep {
		return best, best.Package != nil
	}
	budget := repairBudget
	for i := 0; i < len(q) && budget > 0; i++ {
		for j := i + 1; j < len(q) && budget > 0; j++ {
			for li := range m.c[i] {
				if li == p[i] {
					continue
				}
				q[i] = li
				for lj := range m.c[j] {
					if lj != p[j] {
						q[j] = lj
						try()
						budget--
					}
				}
				q[j] = p[j]
			}
			q[i] = p[i]
		}
	}
	return best, best.Package != nil
}

// repairBudget bounds the packages repair examines two points away.
const repairBudget = 1 << 15

// kspace is one part of a knapsack-mode BidSpace: the packages of a box
// (per point, a set of levels; see redlines.go), searched as a knapsack
// over the box's levels (its own level numbers: levels maps them to the
// framework's), minus what is left to reject package by package.
type kspace struct {
	m       *knapsack
	slop    float64                      // bound on |exact utility − sum of c| (folded interactions)
	levels  box                          // part level → framework level per point; nil: every level, same numbers
	lines   []lineSet                    // red lines left to check, over the part's levels
	bb      func(framework.Package) bool // Excluding's function, over framework levels
	hasExcl bool                         // lines or bb
	// A package of highest and one of lowest utility found, not
	// excluded, in part levels (the fallback of every query).
	best, worst Bid
}

// excluded reports whether p (part levels) is excluded.
func (s *kspace) excluded(p framework.Package) bool { return s.hasExcl && s.rejects(p) }

// rejects is excluded for parts with something to exclude.
func (s *kspace) rejects(p framework.Package) bool {
	for i := range s.lines {
		if s.lines[i].crossed(p) {
			return true
		}
	}
	if s.bb == nil {
		return false
	}
	if s.levels == nil {
		return s.bb(p)
	}
	q := slices.Clone(p)
	for i, l := range p {
		q[i] = s.levels[i][l]
	}
	return s.bb(q)
}

// export converts b's package from part levels to framework levels, in
// place (packages that queries return are their own).
func (s *kspace) export(b Bid) Bid {
	if s.levels != nil {
		for i, l := range b.Package {
			b.Package[i] = s.levels[i][l]
		}
	}
	return b
}

// tol is the part's Tolerance.
func (s *kspace) tol() float64 { return 2*s.m.err[s.m.n] + s.slop }

// init finds the part's best and worst packages, and reports whether it
// has any package that is not excluded (found by search; certain when
// nothing is left to reject).
func (s *kspace) init() bool {
	s.best = s.approxExtreme(true)
	if s.best.Package == nil {
		w, ok := s.anyPackage()
		if !ok {
			return false
		}
		s.best = w
		s.best = s.approxExtreme(true) // at worst w
	}
	s.worst = s.approxExtreme(false) // at worst best
	return true
}

// anyPackage searches for a package that is not excluded when the searches
// from the extremes found none: packages drawn at random (a fixed seed),
// then a depth-first search with a large budget.
func (s *kspace) anyPackage() (Bid, bool) {
	m := s.m
	rng := rand.New(rand.NewPCG(0x5eed, uint64(m.n)))
	p := make(framework.Package, m.n)
	for range anyDraws {
		for i, c := range m.c {
			p[i] = rng.IntN(len(c))
		}
		if !s.excluded(p) {
			return Bid{p, m.utility(p)}, true
		}
	}
	var b Bid
	budget := anyBudget
	m.search(&window{0, m.bits, math.Inf(-1), math.Inf(1)}, &budget, p, func(p framework.Package, u float64) bool {
		if s.excluded(p) {
			return true
		}
		b = Bid{slices.Clone(p), u}
		return false
	})
	return b, b.Package != nil
}

// How hard anyPackage looks before a part counts as empty.
const (
	anyDraws  = 1 << 14
	anyBudget = 1 << 20
)

// kbest returns the (up to) k packages of smallest key(u) inside windows
// of growing width (as built by at(width), which reports whether the
// window covers everything), by branch and bound: once k are held, narrow
// shrinks the window to the k-th key, and the search stops when that key
// is within Tolerance of ideal (good enough: see BidSpace) or the node
// budget is spent. Packages come out in key order, ties in search order.
func (s *kspace) kbest(k int, first float64, at func(width float64) (window, bool), key func(u float64) float64, narrow func(w *window, kth float64), ideal float64) []Bid {
	m := s.m
	p := make(framework.Package, m.n)
	tol := s.tol()
	budget := m.firstBudget() + 64*k
	var best []Bid
	for width := first; budget > 0; width *= 4 {
		w, whole := at(width)
		best = best[:0]
		m.search(&w, &budget, p, func(p framework.Package, u float64) bool {
			if s.excluded(p) {
				return true
			}
			kv := key(u)
			if len(best) == k && kv >= key(best[k-1].Utility) {
				return true
			}
			i, _ := slices.BinarySearchFunc(best, kv, func(b Bid, kv float64) int {
				if key(b.Utility) <= kv {
					return -1
				}
				return 1
			})
			best = slices.Insert(best, i, Bid{p.Clone(), u})
			if len(best) > k {
				best = best[:k]
			}
			if len(best) == k {
				kth := key(best[k-1].Utility)
				narrow(&w, kth)
				return kth-ideal > tol
			}
			return true
		})
		if len(best) == k || whole {
			break
		}
	}
	return best
}

func (s *kspace) approxAround(t float64, k int, dst []Bid) []Bid {
	m := s.m
	if math.IsNaN(t) {
		t = math.Inf(1)
	}
	t = math.Min(math.Max(t, m.base-1), m.base+float64(m.bits)*m.delta+1)
	near := s.approxNear(t)
	if near.Package == nil {
		return dst
	}
	span := float64(m.bits) * m.delta
	first := math.Max(math.Abs(near.Utility-t), math.Max(m.delta, s.tol()/2))
	found := s.kbest(k, first,
		func(width float64) (window, bool) { return window{0, m.bits, t - width, t + width}, width > span+2 },
		func(u float64) float64 { return math.Abs(u - t) },
		func(w *window, kth float64) { w.lo, w.hi = t-kth, t+kth },
		math.Abs(near.Utility-t))
	found = append(found, near)
	sortByDistance(found, t)
	n := len(dst)
	for _, b := range found {
		if len(dst)-n == k {
			break
		}
		if !slices.ContainsFunc(dst[n:], func(x Bid) bool { return slices.Equal(x.Package, b.Package) }) {
			dst = append(dst, b)
		}
	}
	return dst
}

func sortByDistance(bs []Bid, t float64) {
	slices.SortStableFunc(bs, func(a, b Bid) int {
		da, db := math.Abs(a.Utility-t), math.Abs(b.Utility-t)
		switch {
		case closer(da, a.Utility, db, b.Utility):
			return -1
		case closer(db, b.Utility, da, a.Utility):
			return 1
		}
		return 0
	})
}

func (s *kspace) approxWithin(lo, hi float64, k int, dst []Bid) []Bid {
	m := s.m
	lo = math.Max(lo, m.base-1)
	found := s.kbest(k, math.Max(m.delta, s.tol()),
		func(width float64) (window, bool) {
			return window{0, m.bits, lo, math.Min(lo+width, hi)}, lo+width >= hi
		},
		func(u float64) float64 { return u },
		func(w *window, kth float64) { w.hi = kth },
		lo)
	return append(dst, found...)
}

// approxExtreme returns the best (or worst) package: per point the first
// level of highest (lowest) contribution, or, when that package is
// excluded, the nearest non-excluded one.
func (s *kspace) approxExtreme(best bool) Bid {
	m := s.m
	p := make(framework.Package, m.n)
	for i, c := range m.c {
		for l, v := range c {
			if (best && v > c[p[i]]) || (!best && v < c[p[i]]) {
				p[i] = l
			}
		}
	}
	u := m.utility(p)
	if !s.excluded(p) {
		return Bid{p, u}
	}
	if best {
		// Near (the highest utility on equal distances) from above.
		return s.approxNear(u)
	}
	if b, ok := s.approxAtLeast(u); ok {
		return b
	}
	return s.approxNear(u)
}
