package agent

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"unicode/utf16"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// sortedSpace is every non-excluded outcome sorted as GENIUS's
// SortedOutcomeSpace sorts them (genius.core.boaframework.SortedOutcomeSpace
// with genius.core.bidding.BidDetailsSorterUtility): utility descending, then
// BidDetails.hashCode ascending, then the order of genius.core.BidIterator
// (Collections.sort is stable), in which the first issue changes fastest.
//
// The list is sorted lazily. Building it enumerates the outcomes once, on
// every core (each utility computed with the same additions in the same
// order as GENIUS, from prefix sums that change one point at a time), and
// only counts them into about len/128 buckets of equal utility width,
// highest utilities first, noting each bucket's lowest and highest
// utility: the buckets are in the final order, and so is every bucket's
// range of indices. A bucket's outcomes are listed (members) and sorted by
// the full GENIUS comparator the first time a query needs one of its
// entries; a query that only needs to know whether an entry is above or
// below a utility answers from the bucket's range without listing it. A
// session thus sorts only the few hundred buckets its targets fall in, not
// the whole list; the answers are those of the fully sorted list
// (TestSortedLazyEqualsEager). Buckets are sorted at most once each, under
// a sync.Once, so a space is safe for concurrent use; sortAll sorts them
// all.
type sortedSpace struct {
	radix   []int
	contrib [][]float64 // the table's contributions (utilities are recomputed from them)
	// stored: the table has interactions; the utilities (Table.Utility's,
	// bit for bit) were computed once, when the outcomes were scattered
	// into their buckets at build time, and utils holds them in bucket
	// order until the bucket is sorted (see newSortedSpace).
	stored bool
	vh     [][]int32 // per point and level: the GENIUS Value hash code
	utils  []float64 // the sorted list's utilities, written bucket by bucket as they are sorted
	iter   []uint32  // BidIterator indices (level of point 0 the least significant digit), by bucket; sorted with it

	start      []int     // start[b]: index of bucket b's first entry; start[nb] = len
	lo, hi     []float64 // lowest and highest utility of bucket b
	blockShift uint      // bucketAt[k>>blockShift] is the bucket of the block's first index
	bucketAt   []int32
	once       []sync.Once
	complete   atomic.Bool // every bucket sorted (sortAll): utils is the whole list

	// Members of a bucket are found when it is first needed, from two
	// halves of the points (see members), not scattered when the space is
	// built.
	bucketOf func(u float64) int
	out      []uint64 // excluded outcomes, by enumeration position (nil: none)
	halves   sync.Once
	half     [2]halfList
	fuzz     float64 // bound on |exact utility − sum of the two halves' sums|
}

// halfList is every combination of the levels of a range of points, sorted
// by the (approximate) sum of their contributions.
type halfList struct {
	sum []float64
	idx []uint32 // their part of the BidIterator index
}

// perBucket is the mean number of entries of a bucket.
const perBucket = 128

// buildChunk is the least number of outcomes worth a goroutine of its own
// when a space is built.
const buildChunk = 1 << 16

// newSortedSpace enumerates and buckets the outcomes of t that exclude
// keeps, split over workers goroutines (0: GOMAXPROCS, at most one per
// buildChunk outcomes); with more than one, exclude is called from several
// goroutines at once.
func newSortedSpace(f *framework.Framework, t *profile.Table, radix []int, exclude func(framework.Package) bool, workers int) *sortedSpace {
	size := 1
	for _, r := range radix {
		size *= r
	}
	s := &sortedSpace{radix: radix, contrib: t.Contrib, vh: valueHashes(f), stored: !t.Additive()}
	if len(radix) == 0 { // one empty package, of utility 0
		s.start, s.lo, s.hi = []int{0, 1}, []float64{0}, []float64{0}
		if exclude != nil && exclude(framework.Package{}) {
			s.start[1] = 0
		}
		s.iter = make([]uint32, s.start[1])
		s.index()
		return s
	}
	// Bounds of the utilities: sums of each point's extreme contributions
	// in the same order, which the (monotone) floating-point additions of
	// every outcome stay within.
	umax, umin := 0.0, 0.0
	for i := range radix {
		umax += slices.Max(t.Contrib[i])
		umin += slices.Min(t.Contrib[i])
	}
	if s.stored {
		// With interactions: the exact extremes (Table.Max and Min sum as
		// Utility does).
		umax, _ = t.Max()
		umin = t.Min()
	}
	ranges := effectRanges(t)
	nb := min(size/perBucket+1, math.MaxUint16)
	scale := 0.0
	if umax > umin {
		scale = float64(nb) / (umax - umin)
	}
	if math.IsInf(scale, 0) {
		scale = 0 // a range too narrow to split: one bucket
	}
	bucketOf := func(u float64) int {
		x := (umax - u) * scale // monotone: higher utilities, lower buckets
		if !(x < float64(nb-1)) {
			return nb - 1
		}
		return max(int(x), 0)
	}
	// The enumeration positions are split into chunks (multiples of 64, so
	// that each chunk has its own words of the exclusion bitset), one
	// goroutine each.
	if workers <= 0 {
		workers = min(runtime.GOMAXPROCS(0), size/buildChunk)
	}
	workers = max(1, min(workers, size/64))
	bound := func(w int) int { return min(size, (size/workers+64)&^63*w) }
	var out []uint64 // exclusion bitset by enumeration position
	if exclude != nil {
		out = make([]uint64, (size+63)/64)
	}
	type chunk struct {
		count  []int     // outcomes per bucket
		lo, hi []float64 // utility range per bucket
	}
	chunks := make([]chunk, workers)
	parallel(workers, func(w int) {
		c := chunk{count: make([]int, nb), lo: make([]float64, nb), hi: make([]float64, nb)}
		for b := range nb {
			c.lo[b], c.hi[b] = math.Inf(1), math.Inf(-1)
		}
		from := bound(w)
		enumerate(radix, t, from, bound(w+1), func(prev float64, _, _ uint32, p framework.Package, l0, l1 int, pos int) {
			cl := t.Contrib[len(radix)-1]
			for l := l0; l < l1; l++ {
				if exclude != nil {
					p[len(p)-1] = l
					if exclude(p) {
						k := pos + l - l0
						out[k/64] |= 1 << (k % 64)
						continue
					}
				}
				u := prev + cl[l]
				if s.stored {
					p[len(p)-1] = l
					u = addEffects(t, ranges, len(p)-1, p, u)
				}
				b := bucketOf(u)
				c.count[b]++
				c.lo[b], c.hi[b] = min(c.lo[b], u), max(c.hi[b], u)
			}
		})
		chunks[w] = c
	})
	s.start = make([]int, nb+1)
	s.lo, s.hi = chunks[0].lo, chunks[0].hi
	for b := range nb {
		n := s.start[b]
		for w := range chunks {
			n += chunks[w].count[b]
			s.lo[b], s.hi[b] = min(s.lo[b], chunks[w].lo[b]), max(s.hi[b], chunks[w].hi[b])
		}
		s.start[b+1] = n
	}
	// The members of a bucket are only listed when a query needs the
	// bucket (members): a session looks at a few hundred buckets of
	// thousands.
	s.iter = make([]uint32, s.start[nb]) // pages mapped as buckets are listed
	s.bucketOf, s.out = bucketOf, out
	if s.stored {
		// members finds a bucket's outcomes from sums of two halves of
		// the points, which interactions break: the outcomes are scattered
		// into their buckets now, with their utilities, by a second
		// enumeration (chunk w writes each bucket from where the chunks
		// before it stopped).
		s.utils = make([]float64, s.start[nb])
		offs := make([][]int, workers)
		for w := range chunks {
			offs[w] = make([]int, nb)
			for b := range nb {
				offs[w][b] = s.start[b]
				for v := range w {
					offs[w][b] += chunks[v].count[b]
				}
			}
		}
		parallel(workers, func(w int) {
			off := offs[w]
			enumerate(radix, t, bound(w), bound(w+1), func(prev float64, pb, ml uint32, p framework.Package, l0, l1 int, pos int) {
				cl := t.Contrib[len(radix)-1]
				for l := l0; l < l1; l++ {
					if k := pos + l - l0; out != nil && out[k/64]&(1<<(k%64)) != 0 {
						continue
					}
					p[len(p)-1] = l
					u := addEffects(t, ranges, len(p)-1, p, prev+cl[l])
					b := bucketOf(u)
					s.iter[off[b]], s.utils[off[b]] = pb+uint32(l)*ml, u
					off[b]++
				}
			})
		})
		s.bucketOf, s.out = nil, nil
	}
	mag := 0.0
	for _, c := range t.Contrib {
		mag += max(math.Abs(slices.Max(c)), math.Abs(slices.Min(c)))
	}
	s.fuzz = 4 * float64(len(radix)+1) * mag * 0x1p-52
	// An empty bucket takes the range of the last non-empty one above it
	// (none: +Inf), so that lo and hi are non-increasing and split can
	// binary-search them.
	above := math.Inf(1)
	for b := range nb {
		if s.start[b] == s.start[b+1] {
			s.lo[b], s.hi[b] = above, above
		} else {
			above = s.lo[b]
		}
	}
	s.index()
	return s
}

// parallel runs fn(0) … fn(n−1), each in its own goroutine when n > 1.
func parallel(n int, fn func(w int)) {
	if n == 1 {
		fn(0)
		return
	}
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() { fn(w) })
	}
	wg.Wait()
}

// index prepares the bucket lookup, the buckets' sorted utilities and
// their onces.
func (s *sortedSpace) index() {
	nb := len(s.start) - 1
	s.once = make([]sync.Once, nb)
	if s.utils == nil {
		// Pages of a fresh allocation are only mapped when written: the
		// utilities of the buckets never sorted cost no memory.
		s.utils = make([]float64, len(s.iter))
	}
	s.blockShift = 6
	s.bucketAt = make([]int32, len(s.iter)>>s.blockShift+1)
	b := 0
	for blk := range s.bucketAt {
		k := blk << s.blockShift
		for b+1 < nb && s.start[b+1] <= k {
			b++
		}
		s.bucketAt[blk] = int32(b)
	}
}

// sortedFrom is a space whose list is utils, already sorted (tests).
func sortedFrom(radix []int, utils []float64, iter []uint32) *sortedSpace {
	s := &sortedSpace{radix: radix, iter: iter, utils: utils, start: []int{0, len(utils)}}
	if len(utils) > 0 {
		s.lo, s.hi = []float64{slices.Min(utils)}, []float64{slices.Max(utils)}
	} else {
		s.lo, s.hi = []float64{0}, []float64{0}
	}
	s.index()
	s.once[0].Do(func() {})
	return s
}

// effectRanges returns, per point i, the index range start[i]…start[i+1]
// of t.Effects added right after point i's contribution (Effects are
// sorted by Last).
func effectRanges(t *profile.Table) []int {
	n := len(t.Contrib)
	start := make([]int, n+1)
	e := 0
	for i := range n {
		start[i] = e
		for e < len(t.Effects) && t.Effects[e].Last <= i {
			e++
		}
	}
	start[n] = e
	return start
}

// addEffects adds to u, the partial utility of p through point i (its
// contributions and the effects of the points before i), the value of
// each effect of point i that applies: Table.Utility's additions, in its
// order. p must be decided up to point i.
func addEffects(t *profile.Table, ranges []int, i int, p framework.Package, u float64) float64 {
	for e := ranges[i]; e < ranges[i+1]; e++ {
		if t.Effects[e].Applies(p) {
			u += t.Effects[e].Value
		}
	}
	return u
}

// enumerate calls fn for the packages of the space at enumeration positions
// [from, to), row by row: a row is the packages that differ only in the
// last point's level, levels l0 to l1−1 of it. The last point changes
// fastest, so that the prefix sums of the other points are computed once
// per row. For level l of the row, prev + contrib[last][l] is the
// package's utility with the additions of GENIUS's
// AdditiveUtilitySpace.getUtility (point 0 first, from 0.0) — with
// interactions, prev holds the effects of the points before the last
// (Table.Utility's order) and the caller adds the last point's
// (addEffects) —, pb + l·ml its
// BidIterator index, and pos + l − l0 its enumeration position; p holds the
// other points' levels (the last is the caller's to set) and is only valid
// during the call.
func enumerate(radix []int, t *profile.Table, from, to int, fn func(prev float64, pb, ml uint32, p framework.Package, l0, l1, pos int)) {
	n := len(radix)
	contrib := t.Contrib
	var ranges []int
	if !t.Additive() {
		ranges = effectRanges(t)
	}
	p := make(framework.Package, n)
	if from >= to {
		return
	}
	if n == 0 {
		panic("agent: enumerate needs a point")
	}
	mul := make([]uint32, n)
	m := uint32(1)
	for i, r := range radix {
		mul[i] = m
		m *= uint32(r)
	}
	// The levels at position from (the last point is the least
	// significant digit of the enumeration position).
	rest := from
	for i := n - 1; i >= 0; i-- {
		p[i] = rest % radix[i]
		rest /= radix[i]
	}
	pre := make([]float64, n) // pre[j]: 0.0 + c_0 + … + c_j of the current levels
	base := make([]uint32, n) // base[j]: Σ_{i≤j} level_i·mul_i
	set := func(from int) {
		for j := from; j < n-1; j++ {
			prev, pb := 0.0, uint32(0)
			if j > 0 {
				prev, pb = pre[j-1], base[j-1]
			}
			pre[j] = prev + contrib[j][p[j]]
			if ranges != nil {
				pre[j] = addEffects(t, ranges, j, p, pre[j])
			}
			base[j] = pb + uint32(p[j])*mul[j]
		}
	}
	set(0)
	last := n - 1
	pos := from
	l0 := p[last]
	for {
		prev, pb := 0.0, uint32(0)
		if last > 0 {
			prev, pb = pre[last-1], base[last-1]
		}
		l1 := min(radix[last], l0+to-pos)
		fn(prev, pb, mul[last], p, l0, l1, pos)
		pos += l1 - l0
		if pos >= to {
			return
		}
		l0 = 0
		k := last - 1
		for ; k >= 0; k-- {
			p[k]++
			if p[k] < radix[k] {
				break
			}
			p[k] = 0
		}
		if k < 0 {
			return
		}
		set(k)
	}
}

// bucket returns the bucket holding index k.
func (s *sortedSpace) bucket(k int) int {
	b := int(s.bucketAt[k>>s.blockShift])
	for s.start[b+1] <= k {
		b++
	}
	return b
}

// sortBucket sorts bucket b (once) by GENIUS's comparator.
func (s *sortedSpace) sortBucket(b int) {
	s.once[b].Do(func() {
		from, to := s.start[b], s.start[b+1]
		es := make([]sortEntry, to-from)
		switch {
		case s.stored:
			for j := range es {
				idx := s.iter[from+j]
				u := s.utils[from+j]
				_, _, bh := s.utilityAt(idx)
				es[j] = sortEntry{u, bidDetailsHash(bh, u), idx}
			}
		case s.bucketOf != nil:
			s.members(b, es)
		default:
			for j := range es {
				es[j] = s.entry(s.iter[from+j])
			}
		}
		slices.SortFunc(es, func(a, b sortEntry) int {
			if a.u != b.u {
				if a.u > b.u {
					return -1
				}
				return 1
			}
			if c := cmp.Compare(a.h, b.h); c != 0 {
				return c
			}
			return cmp.Compare(a.i, b.i)
		})
		for j, e := range es {
			s.utils[from+j], s.iter[from+j] = e.u, e.i
		}
	})
}

// sortAll sorts every bucket, on GOMAXPROCS goroutines: queries then read
// the list directly, as if it had been sorted up front.
func (s *sortedSpace) sortAll() {
	if s.complete.Load() {
		return
	}
	nb := len(s.once)
	workers := max(1, min(runtime.GOMAXPROCS(0), len(s.iter)/buildChunk))
	parallel(workers, func(w int) {
		for b := w * nb / workers; b < (w+1)*nb/workers; b++ {
			s.sortBucket(b)
		}
	})
	s.complete.Store(true)
}

// sortEntry is an outcome with the keys of GENIUS's order.
type sortEntry struct {
	u float64 // utility
	h int32   // BidDetails hash code
	i uint32  // BidIterator index
}

// entry returns the sort entry of the outcome of BidIterator index idx.
func (s *sortedSpace) entry(idx uint32) sortEntry {
	u, _, bh := s.utilityAt(idx)
	return sortEntry{u, bidDetailsHash(bh, u), idx}
}

// members writes the sort entries of bucket b's outcomes into es (in no
// particular order). The outcomes are the pairs of a
// combination of the first half of the points and one of the second whose
// sums add up to within fuzz of the bucket's utility range — found by
// walking the two halves' sorted lists against each other, O(√size) steps
// and not one per outcome — and whose exact utility (GENIUS's additions)
// falls in the bucket, excluded ones left out. Should rounding ever make
// the count differ from the one of the enumeration, every outcome is
// checked instead.
func (s *sortedSpace) members(b int, es []sortEntry) {
	s.halves.Do(s.makeHalves)
	from, to := s.start[b], s.start[b+1]
	if from == to {
		return
	}
	lo, hi := s.lo[b]-s.fuzz, s.hi[b]+s.fuzz
	a, c := &s.half[0], &s.half[1]
	k := from
	take := func(idx uint32) bool {
		if u, pos, bh := s.utilityAt(idx); s.bucketOf(u) == b && (s.out == nil || s.out[pos/64]&(1<<(pos%64)) == 0) {
			if k == to {
				return false
			}
			es[k-from] = sortEntry{u, bidDetailsHash(bh, u), idx}
			k++
		}
		return true
	}
	// For a ascending, the window of c whose sums complete it into [lo, hi]
	// moves down.
	jlo, jhi := len(c.sum), len(c.sum) // c.sum[jlo:jhi] ⊂ [lo−sa, hi−sa]
	ok := true
	for i := range a.sum {
		sa := a.sum[i]
		for jhi > 0 && c.sum[jhi-1] > hi-sa {
			jhi--
		}
		for jlo > 0 && c.sum[jlo-1] >= lo-sa {
			jlo--
		}
		jlo = min(jlo, jhi)
		for j := jlo; j < jhi && ok; j++ {
			ok = take(a.idx[i] + c.idx[j])
		}
	}
	if ok && k == to {
		return
	}
	k = from
	for idx, n := 0, s.size(); idx < n && take(uint32(idx)); idx++ {
	}
}

// size is the number of outcomes of the space.
func (s *sortedSpace) size() int {
	n := 1
	for _, r := range s.radix {
		n *= r
	}
	return n
}

// utilityAt returns the utility of the outcome of BidIterator index idx
// (GENIUS's additions, point 0 first), its enumeration position (the last
// point the least significant digit) and the sum of its values' hash codes.
func (s *sortedSpace) utilityAt(idx uint32) (float64, int, int32) {
	u, pos := 0.0, 0
	var bh int32
	for i, r := range s.radix {
		l := idx % uint32(r)
		u += s.contrib[i][l]
		bh += s.vh[i][l]
		pos = pos*r + int(l)
		idx /= uint32(r)
	}
	return u, pos, bh
}

// makeHalves lists the combinations of the first points and of the others,
// splitting where the two lists are closest in size.
func (s *sortedSpace) makeHalves() {
	n := len(s.radix)
	h, best := 0, math.MaxInt
	left := 1
	total := s.size()
	for i := 0; i <= n; i++ {
		if d := max(left, total/left); d < best {
			h, best = i, d
		}
		if i < n {
			left *= s.radix[i]
		}
	}
	mul := uint32(1)
	for i := range h {
		mul *= uint32(s.radix[i])
	}
	s.half[0] = s.combos(0, h, 1)
	s.half[1] = s.combos(h, n, mul)
}

// combos lists the combinations of points [from, to) with their sums and
// their part of the index (point from's digit worth mul), sorted by sum.
func (s *sortedSpace) combos(from, to int, mul uint32) halfList {
	hl := halfList{sum: []float64{0}, idx: []uint32{0}}
	for i := from; i < to; i++ {
		r := s.radix[i]
		sum, idx := make([]float64, 0, len(hl.sum)*r), make([]uint32, 0, len(hl.sum)*r)
		for l := range r {
			for j := range hl.sum {
				sum = append(sum, hl.sum[j]+s.contrib[i][l])
				idx = append(idx, hl.idx[j]+uint32(l)*mul)
			}
		}
		hl.sum, hl.idx = sum, idx
		mul *= uint32(r)
	}
	order := make([]int, len(hl.sum))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(hl.sum[a], hl.sum[b]) })
	sorted := halfList{sum: make([]float64, len(order)), idx: make([]uint32, len(order))}
	for k, i := range order {
		sorted.sum[k], sorted.idx[k] = hl.sum[i], hl.idx[i]
	}
	return sorted
}

// len returns the number of outcomes in the list.
func (s *sortedSpace) len() int { return len(s.iter) }

// util returns the k-th utility of the sorted list.
func (s *sortedSpace) util(k int) float64 {
	if s.complete.Load() {
		return s.utils[k]
	}
	s.sortBucket(s.bucket(k))
	return s.utils[k]
}

// split is where v falls in the sorted list: every utility before index p
// is above v and every one from index q on is below; the entries between
// (the buckets bp and on whose range holds v, usually one) are compared
// exactly, and their buckets sorted.
type split struct{ p, q, bp int }

func (s *sortedSpace) split(v float64) split {
	// The first bucket not wholly above v (lo is non-increasing).
	lo, hi := 0, len(s.lo)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.lo[m] > v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	bp, bq := lo, lo
	for bq < len(s.hi) && !(s.hi[bq] < v) {
		s.sortBucket(bq)
		bq++
	}
	return split{s.start[bp], s.start[bq], bp}
}

// cmp compares the k-th utility of the sorted list with v (−1: below, 0:
// equal, +1: above), given v's split sp.
func (s *sortedSpace) cmp(k int, v float64, sp split) int {
	switch {
	case k < sp.p:
		return 1
	case k >= sp.q:
		return -1
	}
	// split sorted the buckets between p and q.
	switch u := s.utils[k]; {
	case u < v:
		return -1
	case u > v:
		return 1
	}
	return 0
}

// bid decodes the k-th sorted outcome.
func (s *sortedSpace) bid(k int) Bid {
	return s.bidInto(k, make(framework.Package, len(s.radix)))
}

// bidInto is bid writing the package into p (of the framework's length).
func (s *sortedSpace) bidInto(k int, p framework.Package) Bid {
	u := s.util(k)
	idx := s.iter[k]
	for i, r := range s.radix {
		p[i] = int(idx % uint32(r))
		idx /= uint32(r)
	}
	return Bid{Package: p, Utility: u}
}

// searchIndexWith is SortedOutcomeSpace.searchIndexWith, quirks included:
// a binary search over the descending list that returns an index holding
// value exactly if it meets one, and otherwise the index where low and high
// stopped moving. (NaN compares neither way, as in Java.)
func (s *sortedSpace) searchIndexWith(value float64) int {
	middle, low, high, lastMiddle := -1, 0, len(s.iter)-1, 0
	if s.complete.Load() {
		return s.searchSorted(value)
	}
	var sp split
	if value == value {
		sp = s.split(value)
	}
	for lastMiddle != middle {
		lastMiddle = middle
		middle = (low + high) / 2
		if value != value {
			continue
		}
		switch s.cmp(middle, value, sp) {
		case 0:
			return middle
		case -1:
			high = middle
		default:
			low = middle
		}
	}
	return middle
}

// searchSorted is searchIndexWith on a complete list.
func (s *sortedSpace) searchSorted(value float64) int {
	middle, low, high, lastMiddle := -1, 0, len(s.utils)-1, 0
	for lastMiddle != middle {
		lastMiddle = middle
		middle = (low + high) / 2
		u := s.utils[middle]
		if u == value {
			return middle
		}
		if u < value {
			high = middle
		}
		if u > value {
			low = middle
		}
	}
	return middle
}

// nearIndex is SortedOutcomeSpace.getIndexOfBidNearUtility, statement for
// statement (the index above is only kept if the index below is not closer,
// and is then overwritten: GENIUS returns index or index+1).
func (s *sortedSpace) nearIndex(utility float64) int {
	index := s.searchIndexWith(utility)
	newIndex := -1
	closest := math.Abs(s.util(index) - utility)
	if index > 0 && math.Abs(s.util(index-1)-utility) < closest {
		newIndex = index - 1
		closest = math.Abs(s.util(index-1) - utility)
	}
	if index+1 < len(s.iter) && math.Abs(s.util(index+1)-utility) < closest {
		newIndex = index + 1
	} else {
		newIndex = index
	}
	return newIndex
}

// lastAtLeast returns the index of the lowest utility ≥ t, or -1.
func (s *sortedSpace) lastAtLeast(t float64) int {
	if t != t {
		return len(s.iter) - 1 // no utility is below NaN
	}
	sp := s.split(t)
	return sort.Search(len(s.iter), func(i int) bool { return s.cmp(i, t, sp) < 0 }) - 1
}

func (s *sortedSpace) around(t float64, k int, dst []Bid) []Bid {
	j := s.nearIndex(t)
	dst = append(dst, s.bid(j))
	up, down := j-1, j+1
	for len(dst) < k && (up >= 0 || down < len(s.iter)) {
		switch {
		case down >= len(s.iter) || (up >= 0 && math.Abs(s.util(up)-t) <= math.Abs(s.util(down)-t)):
			dst = append(dst, s.bid(up))
			up--
		default:
			dst = append(dst, s.bid(down))
			down++
		}
	}
	return dst
}

func (s *sortedSpace) within(lo, hi float64, k int, dst []Bid) []Bid {
	for i, n := s.lastAtLeast(lo), 0; i >= 0 && n < k && s.util(i) <= hi; i-- {
		dst = append(dst, s.bid(i))
		n++
	}
	return dst
}

// valueHashes returns, per point and level, the Java hashCode of the GENIUS
// Value object: String.hashCode of the option (ValueDiscrete), 0 for
// integers (ValueInteger). GENIUS's ValueReal has no hashCode of its own
// (identity hash, different in every run); 0 is used, so ties between real
// outcomes fall back to BidIterator order.
func valueHashes(f *framework.Framework) [][]int32 {
	out := make([][]int32, len(f.Points))
	for i := range f.Points {
		pt := &f.Points[i]
		out[i] = make([]int32, pt.Levels())
		if pt.Kind == framework.Options {
			for l, o := range pt.Options {
				out[i][l] = javaStringHash(o.ID)
			}
		}
	}
	return out
}

// javaStringHash is java.lang.String.hashCode: s[0]·31^(n-1) + … + s[n-1]
// over UTF-16 code units, in wrapping 32-bit arithmetic.
func javaStringHash(s string) int32 {
	var h int32
	for _, c := range utf16.Encode([]rune(s)) {
		h = 31*h + int32(c)
	}
	return h
}

// bidDetailsHash is genius.core.bidding.BidDetails.hashCode for a bid whose
// Bid.hashCode is bidHash (the sum of its values' hash codes), with utility u
// and time -1 (as OutcomeSpace creates them).
func bidDetailsHash(bidHash int32, u float64) int32 {
	const prime = 31
	result := int32(1)
	result = prime*result + bidHash
	temp := math.Float64bits(u)
	result = prime*result + int32(uint32(temp^(temp>>32)))
	temp = math.Float64bits(-1)
	result = prime*result + int32(uint32(temp^(temp>>32)))
	return result
}
