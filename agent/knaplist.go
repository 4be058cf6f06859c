package agent

import (
	"cmp"
	"math"
	"math/bits"
	"slices"

	"github.com/parley-negotiation/parley/framework"
)

// Near on a knapsack space improves on its first package by pairing sorted
// lists rather than by searching the tree of points (a node per point, some
// 50 ns each, most of them dead ends). The tail list holds every
// combination of the first points, the middle list every combination of
// the next ones and the top list of the next, each at most
// knapsackListMax combinations (59,049 of 10 points of 3 levels), sorted by
// exact sum. With the points above the lists fixed and a top combination
// chosen, the package nearest t that uses middle combination a completes
// it with a tail combination next to x−a, found from the previous one in a
// step or two: every middle combination visited, in a few nanoseconds,
// yields the best of its tail completions (59,049 packages on 20 × 3).

// knapList lists every combination of the points [from, to) sorted by
// exact shifted sum, with an index of bins over the sums, so that the
// combination whose sum is nearest any x is found in O(1) expected time.
type knapList struct {
	from, to int
	sum      []float64 // ascending; ties by code
	code     []uint32  // the levels as bit fields, point from in the lowest bits
	shift    []uint8   // bit offset of each point's level in code
	mask     []uint32  // and its mask
	mean, vr float64   // mean and variance of the sums
	lo       float64   // sum[0]
	scale    float64   // bins per unit of sum
	idx      []int32   // idx[g]: first position of bin ≥ g (len bins+1)
}

// knapsackListMax bounds the number of combinations in a list (12 bytes
// each, plus half as many index bins of 4 bytes). A list of at most 2^16
// combinations has at most 32 bits of level fields (a point of r levels
// takes bits.Len(r-1) ≤ 2·log2(r) bits).
const knapsackListMax = 1 << 16

// knapListEnd is the end of the list newKnapList(m, from, limit) makes.
func knapListEnd(m *knapsack, from, limit int) int {
	to, size := from, 1
	for to < m.n && size*len(m.sh[to]) <= limit {
		size *= len(m.sh[to])
		to++
	}
	return to
}

// newKnapList lists the points from, from+1, ... while there are at most
// max(limit, 1) combinations (none: the empty combination only).
func newKnapList(m *knapsack, from, limit int) *knapList {
	kl := &knapList{from: from, to: from}
	size, off := 1, 0
	for kl.to < m.n && size*len(m.sh[kl.to]) <= limit {
		r := len(m.sh[kl.to])
		size *= r
		kl.shift = append(kl.shift, uint8(off))
		kl.mask = append(kl.mask, uint32(1)<<uint(bits.Len(uint(r-1)))-1)
		off += bits.Len(uint(r - 1))
		kl.to++
	}
	// Sums of shifted contributions are ≥ +0, so their bit patterns sort as
	// they do: the merge compares integers (branch-free selection). A +Inf
	// sentinel ends every list being merged.
	inf := math.Float64bits(math.Inf(1))
	sum := make([]uint64, 1, size+1)
	code := make([]uint32, 1, size)
	ns := make([]uint64, 0, size+1)
	nc := make([]uint32, 0, size)
	for i := kl.from; i < kl.to; i++ {
		sh, off := m.sh[i], kl.shift[i-kl.from]
		n := len(sum)
		sum = append(sum, inf)
		ns, nc = ns[:n*len(sh)], nc[:n*len(sh)]
		switch len(sh) {
		case 2:
			merge2(ns, nc, sum, code, sh[0], sh[1], off)
		case 3:
			merge3(ns, nc, sum, code, sh[0], sh[1], sh[2], off)
		default:
			if len(sh) > 16 {
				sortCombos(ns, nc, sum[:n], code, sh, off)
				break
			}
			// Every level adds a constant to a sorted list (float addition
			// is monotone): merge the len(sh) sorted copies, lower level
			// first on ties.
			pos := make([]int, len(sh))
			for o := range ns {
				bl, bv := 0, uint64(math.MaxUint64)
				for l, v := range sh {
					x := math.Float64bits(math.Float64frombits(sum[pos[l]]) + v)
					m := -uint64(b2i(x < bv))
					bv ^= (bv ^ x) & m
					bl ^= (bl ^ l) & int(m)
				}
				ns[o], nc[o] = bv, code[pos[bl]]|uint32(bl)<<off
				pos[bl]++
			}
		}
		sum, ns = ns, sum[:0]
		code, nc = nc, code[:0]
	}
	kl.sum = make([]float64, len(sum))
	for k, x := range sum {
		kl.sum[k] = math.Float64frombits(x)
	}
	kl.code = code
	// Every combination once: the means and variances of the points' shifted
	// contributions add up.
	for i := kl.from; i < kl.to; i++ {
		mu, vr := 0.0, 0.0
		for _, v := range m.sh[i] {
			mu += v
		}
		mu /= float64(len(m.sh[i]))
		for _, v := range m.sh[i] {
			vr += (v - mu) * (v - mu)
		}
		kl.mean += mu
		kl.vr += vr / float64(len(m.sh[i]))
	}
	bins := max(len(kl.sum)/2, 1)
	kl.lo = kl.sum[0]
	if span := kl.sum[len(kl.sum)-1] - kl.sum[0]; span > 0 {
		kl.scale = float64(bins) / span
	}
	kl.idx = make([]int32, bins+1)
	g := 0
	for k, v := range kl.sum {
		for b := kl.bin(v); g <= b; g++ {
			kl.idx[g] = int32(k)
		}
	}
	for ; g <= bins; g++ {
		kl.idx[g] = int32(len(kl.sum))
	}
	return kl
}

// sortCombos sets s to the sums a+v for v in sh, sorted (ties by code),
// with their codes c|l<<off in cs.
func sortCombos(s []uint64, cs []uint32, a []uint64, c []uint32, sh []float64, off uint8) {
	type entry struct {
		s uint64
		c uint32
	}
	es := make([]entry, 0, len(s))
	for l, v := range sh {
		for k, x := range a {
			es = append(es, entry{math.Float64bits(math.Float64frombits(x) + v), c[k] | uint32(l)<<off})
		}
	}
	slices.SortFunc(es, func(a, b entry) int {
		if a.s != b.s {
			return cmp.Compare(a.s, b.s)
		}
		return cmp.Compare(a.c, b.c)
	})
	for o, e := range es {
		s[o], cs[o] = e.s, e.c
	}
}

// merge2 merges the sorted sums a+v0 and a+v1 (a ends with a +Inf
// sentinel) into s, with their codes c|l<<off in cs, level 0 first on ties.
// Selections are by masks: no data-dependent branch.
func merge2(s []uint64, cs []uint32, a []uint64, c []uint32, v0, v1 float64, off uint8) {
	k0, k1 := 0, 0
	for o := range s {
		x0 := math.Float64bits(math.Float64frombits(a[k0]) + v0)
		x1 := math.Float64bits(math.Float64frombits(a[k1]) + v1)
		t := b2i(x1 < x0)
		m := -uint64(t)
		x := x0 ^ (x0^x1)&m
		k := k0 ^ (k0^k1)&int(m)
		s[o], cs[o] = x, c[k]|uint32(t)<<off
		k0 += 1 - t
		k1 += t
	}
}

// merge3 is merge2 for three levels.
func merge3(s []uint64, cs []uint32, a []uint64, c []uint32, v0, v1, v2 float64, off uint8) {
	k0, k1, k2 := 0, 0, 0
	for o := range s {
		x0 := math.Float64bits(math.Float64frombits(a[k0]) + v0)
		x1 := math.Float64bits(math.Float64frombits(a[k1]) + v1)
		x2 := math.Float64bits(math.Float64frombits(a[k2]) + v2)
		t1 := b2i(x1 < x0)
		m1 := -uint64(t1)
		x := x0 ^ (x0^x1)&m1
		k := k0 ^ (k0^k1)&int(m1)
		t2 := b2i(x2 < x)
		m2 := -uint64(t2)
		x ^= (x ^ x2) & m2
		k ^= (k ^ k2) & int(m2)
		l := t1 ^ (t1^2)&int(m2) // 0, 1 or 2
		s[o], cs[o] = x, c[k]|uint32(l)<<off
		k0 += b2i(l == 0)
		k1 += t1 &^ t2
		k2 += t2
	}
}

// bin is the index bin of sum x: monotone non-decreasing in x.
func (kl *knapList) bin(x float64) int {
	f := (x - kl.lo) * kl.scale
	if !(f > 0) {
		return 0
	}
	if last := len(kl.idx) - 2; f >= float64(last) {
		return last
	}
	return int(f)
}

// lowerBound returns the first position whose sum is ≥ x (len(sum) if
// none). Sums in earlier bins are < x and sums in later bins > x, so the
// position lies in x's bin or just after it.
func (kl *knapList) lowerBound(x float64) int {
	g := kl.bin(x)
	a, b := int(kl.idx[g]), int(kl.idx[g+1])
	for a < b {
		h := int(uint(a+b) >> 1)
		if kl.sum[h] < x {
			a = h + 1
		} else {
			b = h
		}
	}
	return a
}

// below returns a position at or before the first whose sum is ≥ x (the
// start of x's bin), above one after the last whose sum is ≤ x (the start
// of the next bin).
func (kl *knapList) below(x float64) int { return int(kl.idx[kl.bin(x)]) }
func (kl *knapList) above(x float64) int { return int(kl.idx[kl.bin(x)+1]) }

// set writes combination k into p[from:to].
func (kl *knapList) set(p framework.Package, k int) {
	c := kl.code[k]
	q := p[kl.from:kl.to]
	for i := range q {
		q[i] = int(c >> kl.shift[i] & kl.mask[i])
	}
}

// nearScanWidth is how many middle combinations Near's scan pairs with
// their nearest tail combinations.
const nearScanWidth = 128

// scanNear improves on best (at distance bd from t, in the buffer best;
// bd may be +Inf) among the packages that keep best's points from top.to
// on, looking for packages within r of t. It sets the top list's points to
// the combination that leaves for the middle and tail lists the sum where
// most of their pairs lie (each list off its mean in proportion to its
// variance); then for every middle combination of a window it visits the
// tail combinations just below and just above its ideal partner (two
// pointers, the tail one moving down). The window is every middle
// combination that has a partner within r when there are at most
// nearScanWidth (the scan is then exhaustive), otherwise the nearScanWidth
// around where most pairs sum to t, walked as two halves side by side. It
// keeps the closest package that is not excluded (equal distances: the
// higher utility), and returns its utility and distance, and whether no
// package within r of t was left unexamined. p is scratch.
func (s *kspace) scanNear(t float64, p, best framework.Package, bu, bd, r float64) (float64, float64, bool) {
	m := s.m
	tail, mid, top := m.tail, m.mid, m.top
	copy(p, best)
	x := m.listsSum(t, p)
	// x: what top, mid and tail must sum to. The scan can only be
	// exhaustive (all) when the tail and middle lists cover every point.
	all := top.to == m.n && top.to == top.from
	if top.to > top.from {
		k := m.topFor(x)
		top.set(p, k)
		x -= top.sum[k]
	}
	ts, ms := tail.sum, mid.sum
	// The middle combinations with a partner within r, and a few more.
	ia, ib, whole := m.midWindow(x, r, r)
	all = all && whole
	if ia >= ib {
		return bu, bd, all
	}
	// Approximate distances (sums of the lists' shifted sums) are within
	// slack of the exact ones.
	slack := m.fuzz + 8*math.Abs(t)*0x1p-52
	sc := scan{s: s, t: t, p: p, best: best, bu: bu, bd: bd, lim: bd + slack, slack: slack, lazy: !s.hasExcl, pi: -1}
	// Two independent walks, [ia, ic) and [ic, ib), interleaved (their
	// memory accesses overlap). j is the first tail combination at or above
	// i's ideal partner y, found by stepping down from the last one or from
	// the start of the bin after y's, whichever is lower.
	ic := (ia + ib) / 2
	n := len(ts)
	i1, j1 := ia, n
	i2, j2 := ic, n
	for (i1 < ic || i2 < ib) && !sc.done {
		if i1 < ic {
			y := x - ms[i1]
			j := min(j1, tail.above(y))
			for j > 0 && ts[j-1] >= y {
				j--
			}
			if j < n && ts[j]-y <= sc.lim {
				sc.cand(i1, j, ts[j]-y)
			}
			if j > 0 && y-ts[j-1] <= sc.lim {
				sc.cand(i1, j-1, y-ts[j-1])
			}
			i1, j1 = i1+1, j
		}
		if i2 < ib {
			y := x - ms[i2]
			j := min(j2, tail.above(y))
			for j > 0 && ts[j-1] >= y {
				j--
			}
			if j < n && ts[j]-y <= sc.lim {
				sc.cand(i2, j, ts[j]-y)
			}
			if j > 0 && y-ts[j-1] <= sc.lim {
				sc.cand(i2, j-1, y-ts[j-1])
			}
			i2, j2 = i2+1, j
		}
	}
	sc.flush()
	return sc.bu, sc.bd, all || sc.bd == 0
}

// listsSum returns what the lists' shifted sums must add up to for a
// package of utility t that keeps p's points above the lists.
func (m *knapsack) listsSum(t float64, p framework.Package) float64 {
	x := t - m.base
	for i := m.n - 1; i >= m.top.to; i-- {
		x -= m.sh[i][p[i]]
	}
	return x
}

// topFor returns the top combination that leaves for the middle and tail
// lists the sum where most of their pairs lie, when the three lists must
// sum to x: each list off its mean in proportion to its variance.
func (m *knapsack) topFor(x float64) int {
	tail, mid, top := m.tail, m.mid, m.top
	a := top.mean
	if v := top.vr + mid.vr + tail.vr; v > 0 {
		a += (x - top.mean - mid.mean - tail.mean) * top.vr / v
	}
	k := top.lowerBound(a)
	if k == len(top.sum) || (k > 0 && a-top.sum[k-1] <= top.sum[k]-a) {
		k--
	}
	return k
}

// midWindow returns the middle combinations [ia, ib) that some tail
// combination completes to within [x − below, x + above] when the middle
// and tail lists must sum to x, and whole true; or, when there are more
// than nearScanWidth, the nearScanWidth around where most pairs sum to x,
// and whole false.
func (m *knapsack) midWindow(x, below, above float64) (ia, ib int, whole bool) {
	tail, mid := m.tail, m.mid
	ts := tail.sum
	ia = mid.below(x - ts[len(ts)-1] - below)
	ib = mid.above(x - ts[0] + above)
	if ib-ia <= nearScanWidth {
		return ia, ib, true
	}
	a := mid.mean
	if v := mid.vr + tail.vr; v > 0 {
		a += (x - mid.mean - tail.mean) * mid.vr / v
	}
	c := mid.below(a)
	ia = min(max(c-nearScanWidth/2, ia), ib-nearScanWidth)
	return ia, ia + nearScanWidth, false
}

// scanAtLeast improves on best (utility bu ≥ t, in the buffer best) among
// the packages that keep from's points from top.to on, looking for lower
// utilities still ≥ t. For a top combination (first the one scanNear
// would choose) and every middle combination of the window (those with a
// partner that completes them to [t, bu], or the nearScanWidth around
// where most pairs reach t) it walks the tail combinations up from the
// first whose approximate sum reaches t, evaluating exactly only those
// that would improve on bu, and stops at the first that reaches t (sums
// rounded just below t, as packages tied at t can be, and excluded ones
// move it on to the next, within the bounds below). While the
// answer is above good it goes on with the top combinations next to the
// first, up to atLeastTops of them. It returns the new utility, and whether every
// package of [t, bu] that keeps from's points above the lists was
// examined. p is scratch.
func (s *kspace) scanAtLeast(t, good float64, from, p, best framework.Package, bu float64) (float64, bool) {
	m := s.m
	tail, mid, top := m.tail, m.mid, m.top
	copy(p, from)
	x := m.listsSum(t, p) // what top, mid and tail must sum to
	ts, ms := tail.sum, mid.sum
	n := len(ts)
	slack := m.fuzz + 8*math.Abs(t)*0x1p-52
	// scanMid scans the middle and tail lists for the sum x (p's top
	// points set), and reports whether it was exhaustive.
	passed := atLeastPassed
	scanMid := func(x float64) bool {
		ia, ib, all := m.midWindow(x, slack, bu-t+slack)
		// Packages passed over (rounded below t, or excluded) per middle
		// combination, and in all.
		most := max(atLeastMisses, atLeastPassed/(ib-ia))
		j := n
		for i := ia; i < ib && bu > t; i++ {
			y := x - ms[i] - slack // tails from y on may complete i to t
			j = min(j, tail.above(y))
			for j > 0 && ts[j-1] >= y {
				j--
			}
			for k, miss := j, 0; k < n && ts[k]+ms[i]-x < bu-t+slack; k++ {
				if miss == most || passed == 0 {
					all = false
					break
				}
				mid.set(p, i)
				tail.set(p, k)
				if u := m.utility(p); u >= t && !s.excluded(p) {
					if u < bu {
						copy(best, p)
						bu = u
					}
					break
				}
				miss++
				passed--
			}
		}
		return all
	}
	if top.to == top.from {
		all := scanMid(x)
		return bu, (all && top.to == m.n) || bu == t
	}
	k0 := m.topFor(x)
	// k0, then alternately the combinations above and below it.
	all := top.to == m.n
	lo, hi := k0, k0+1
	for tried := 0; bu > t; tried++ {
		if tried > 0 && (bu <= good || tried == atLeastTops || passed == 0) {
			all = false
			break
		}
		var k int
		switch {
		case lo < 0 && hi >= len(top.sum):
			return bu, all || bu == t
		case lo < 0 || (hi < len(top.sum) && tried%2 == 1):
			k, hi = hi, hi+1
		default:
			k, lo = lo, lo-1
		}
		copy(p, from)
		top.set(p, k)
		if !scanMid(x - top.sum[k]) {
			all = false
		}
	}
	return bu, all || bu == t
}

// atLeastTops bounds the top combinations scanAtLeast pairs, and
// atLeastPassed the packages it passes over (rounded below t or excluded),
// at least atLeastMisses of them per middle combination.
const (
	atLeastTops   = 16
	atLeastPassed = 1 << 12
	atLeastMisses = 8
)

// scan is the state of scanNear: the best package so far (in best, at
// exact distance bd), and the screening limit on the approximate distances
// (within slack of the exact ones) of the pairs the walks visit. Without
// exclusions a pair is decoded and evaluated exactly only when it must be:
// the best pair so far is held by position (pi, pj, its approximate
// distance pa) and evaluated at the end, unless another comes within
// 2·slack of it (a near tie, settled exactly at once), so the outcome is
// that of evaluating every pair under the limit, which is what happens
// with exclusions.
type scan struct {
	s                  *kspace
	t                  float64
	p, best            framework.Package
	bu, bd, lim, slack float64
	lazy               bool
	pi, pj             int     // best pair not yet evaluated (pi < 0: none)
	pa                 float64 // its approximate distance
	done               bool    // a distance of 0 was found
}

// cand considers middle combination i with tail combination j, at
// approximate distance a ≤ lim.
func (sc *scan) cand(i, j int, a float64) {
	if !sc.lazy {
		sc.try(i, j)
		sc.lim = sc.bd + sc.slack
		sc.done = sc.bd == 0
		return
	}
	if sc.pi >= 0 && a >= sc.pa-2*sc.slack {
		// A near tie with the held pair: settle both exactly.
		sc.flush()
		sc.try(i, j)
		sc.lim = sc.bd + sc.slack
		sc.done = sc.bd == 0
		return
	}
	sc.pi, sc.pj, sc.pa = i, j, a
	sc.lim = min(a+2*sc.slack, sc.bd+sc.slack)
	if a == 0 {
		// Possibly exact: settle it, a distance of 0 ends the scan.
		sc.flush()
		sc.lim = sc.bd + sc.slack
		sc.done = sc.bd == 0
	}
}

// flush evaluates the held pair, if any.
func (sc *scan) flush() {
	if sc.pi >= 0 {
		sc.try(sc.pi, sc.pj)
		sc.pi = -1
	}
}

// try evaluates middle combination i with tail combination j exactly.
func (sc *scan) try(i, j int) {
	m := sc.s.m
	m.mid.set(sc.p, i)
	m.tail.set(sc.p, j)
	if sc.s.excluded(sc.p) {
		return
	}
	u := m.utility(sc.p)
	if d := math.Abs(u - sc.t); closer(d, u, sc.bd, sc.bu) {
		copy(sc.best, sc.p)
		sc.bu, sc.bd = u, d
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
