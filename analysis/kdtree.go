package analysis

import (
	"cmp"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// The skyline of three or more parties is computed as a static problem:
// a vector is kept unless some vector of the set dominates it (by the
// margin eps). That is the same set the sort-filter skyline keeps (dominance
// with a margin is transitive, so being dominated by any vector and being
// dominated by a kept one are the same), but each vector can be decided on
// its own: a k-d tree with per-node bounding boxes answers "does any vector
// lie in the cone above c?" by visiting only the nodes whose box reaches
// that cone, and the queries run in parallel over the cores. The sort-filter
// skyline compares each candidate with every kept vector, which grows
// quadratically with the frontier (80% of the time of the issue 19 grid).

// kdLeaf is the largest number of vectors in a leaf.
const kdLeaf = 12

// kdMin is the smallest candidate set for which the tree pays off; smaller
// sets use the sort-filter skyline (both keep the same vectors).
const kdMin = 64

// kdChunk is the number of queries a worker takes at a time.
const kdChunk = 1024

// kdTree is a static k-d tree over a set of d-dimensional vectors.
type kdTree struct {
	d int
	// pts are the vectors in tree order.
	pts []float64
	// lo and hi are the nodes' bounding boxes (d values each).
	lo, hi []float64
	// start, end delimit a node's vectors in pts; left, right are its
	// children (-1 for a leaf).
	start, end, left, right []int32
}

// newKDTree builds a tree over the vectors of v with the given indices
// (which it reorders).
func newKDTree(v *vecs, idx []int32) *kdTree {
	d := v.d
	t := &kdTree{d: d, pts: make([]float64, 0, len(idx)*d)}
	n := 2*(len(idx)/kdLeaf+1) + 1
	t.lo = make([]float64, 0, n*d)
	t.hi = make([]float64, 0, n*d)
	t.build(v, idx, 0)
	return t
}

// build adds the node of idx (whose vectors go to pts from offset) and
// returns its number.
func (t *kdTree) build(v *vecs, idx []int32, offset int) int32 {
	d := t.d
	node := int32(len(t.start))
	t.start = append(t.start, int32(offset))
	t.end = append(t.end, int32(offset+len(idx)))
	t.left = append(t.left, -1)
	t.right = append(t.right, -1)
	lo := v.at(int(idx[0]))
	t.lo = append(t.lo, lo...)
	t.hi = append(t.hi, lo...)
	nlo, nhi := t.lo[int(node)*d:int(node+1)*d], t.hi[int(node)*d:int(node+1)*d]
	for _, i := range idx[1:] {
		for k, x := range v.at(int(i)) {
			nlo[k] = min(nlo[k], x)
			nhi[k] = max(nhi[k], x)
		}
	}
	if len(idx) <= kdLeaf {
		for _, i := range idx {
			t.pts = append(t.pts, v.at(int(i))...)
		}
		return node
	}
	// Split at the median of the widest dimension.
	axis, spread := 0, -1.0
	for k := 0; k < d; k++ {
		if s := nhi[k] - nlo[k]; s > spread {
			axis, spread = k, s
		}
	}
	if spread <= 0 { // every vector equal (cannot happen after folding duplicates)
		for _, i := range idx {
			t.pts = append(t.pts, v.at(int(i))...)
		}
		return node
	}
	mid := len(idx) / 2
	selectNth(v.vals, d, axis, idx, mid)
	l := t.build(v, idx[:mid], offset)
	r := t.build(v, idx[mid:], offset+mid)
	t.left[node], t.right[node] = l, r
	return node
}

// dominated reports whether some vector of the tree dominates c by the
// margin eps (≥ c everywhere, > c+eps somewhere); stack is scratch space.
// It returns the number of nodes visited as the work done.
func (t *kdTree) dominated(c []float64, eps float64, stack []int32) (bool, int64, []int32) {
	d := t.d
	stack = append(stack[:0], 0)
	var work int64
	for len(stack) > 0 {
		node := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		work++
		hi := t.hi[int(node)*d : int(node+1)*d]
		reach, strict := true, false
		for k, x := range c {
			if hi[k] < x {
				reach = false
				break
			}
			if hi[k] > x+eps {
				strict = true
			}
		}
		if !reach || !strict {
			continue
		}
		lo := t.lo[int(node)*d : int(node+1)*d]
		if dominatesBy(lo, c, eps) {
			return true, work, stack // every vector of the node dominates c
		}
		if t.left[node] < 0 {
			for p := t.start[node]; p < t.end[node]; p++ {
				work++
				if dominatesBy(t.pts[int(p)*d:int(p+1)*d], c, eps) {
					return true, work, stack
				}
			}
			continue
		}
		// Visit the upper half first: dominators lie above c.
		stack = append(stack, t.left[node], t.right[node])
	}
	return false, work, stack
}

// skylineKD returns the vectors of idx that no vector of idx dominates by
// the margin eps, folding exact duplicates into their lowest index first
// (see skyline). The queries run on up to GOMAXPROCS goroutines; the work
// (nodes visited) is counted on m.
func skylineKD(v *vecs, idx []int32, counts []uint64, eps float64, m *meter) []int32 {
	d := v.d
	uniq := foldDuplicates(v, idx, counts)
	if !m.add(int64(len(idx))) {
		return nil
	}
	t := newKDTree(v, slices.Clone(uniq))
	keep := make([]bool, len(uniq))
	workers := min(runtime.GOMAXPROCS(0), (len(uniq)+kdChunk-1)/kdChunk)
	var next atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	var mu sync.Mutex
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var stack []int32
			for !stop.Load() {
				lo := int(next.Add(kdChunk)) - kdChunk
				if lo >= len(uniq) {
					return
				}
				hi := min(lo+kdChunk, len(uniq))
				var work int64
				for q := lo; q < hi; q++ {
					i := uniq[q]
					var dom bool
					var w int64
					dom, w, stack = t.dominated(v.vals[int(i)*d:int(i+1)*d], eps, stack)
					work += w
					keep[q] = !dom
				}
				mu.Lock()
				ok := m.add(work)
				mu.Unlock()
				if !ok {
					stop.Store(true)
					return
				}
			}
		}()
	}
	wg.Wait()
	if m != nil && m.err != nil {
		return nil
	}
	out := uniq[:0]
	for q, i := range uniq {
		if keep[q] {
			out = append(out, i)
		}
	}
	return out
}

// foldDuplicates returns idx without exact duplicate vectors, each kept at
// its lowest index with the counts of its duplicates added (counts may be
// nil), ordered by decreasing first coordinate, then decreasing next ones.
// It reorders idx. The first coordinate is ordered by a radix sort (linear
// time); only runs of equal first coordinates are compared further.
func foldDuplicates(v *vecs, idx []int32, counts []uint64) []int32 {
	d := v.d
	if !slices.IsSorted(idx) { // the merge's candidates come in index order
		slices.Sort(idx) // ties keep the lowest index first
	}
	keys := make([]uint64, len(idx))
	for q, i := range idx {
		keys[q] = ^floatKey(v.vals[int(i)*d])
	}
	radixSort(keys, idx)
	lex := func(a, b int32) int {
		va, vb := v.vals[int(a)*d:int(a+1)*d], v.vals[int(b)*d:int(b+1)*d]
		for k := 1; k < d; k++ {
			if c := cmp.Compare(vb[k], va[k]); c != 0 {
				return c
			}
		}
		return cmp.Compare(a, b)
	}
	out := idx[:0]
	for lo := 0; lo < len(idx); {
		hi := lo + 1
		for hi < len(idx) && keys[hi] == keys[lo] {
			hi++
		}
		run := idx[lo:hi]
		if len(run) > 1 {
			slices.SortFunc(run, lex)
		}
		for k := 0; k < len(run); {
			i := run[k]
			c := v.at(int(i))
			j := k + 1
			for j < len(run) && slices.Equal(v.at(int(run[j])), c) {
				mergeDup(counts, i, run[j])
				j++
			}
			out = append(out, i)
			k = j
		}
		lo = hi
	}
	return out
}

// floatKey maps a float64 to a uint64 in the same order (−0 and +0 to the
// same key; NaN does not occur).
func floatKey(x float64) uint64 {
	b := math.Float64bits(x + 0) // −0 + 0 = +0
	if b>>63 != 0 {
		return ^b
	}
	return b | 1<<63
}

// radixSort sorts keys ascending, stably, moving vals along (LSD radix
// sort, 11-bit digits; a digit that is the same for every key is skipped).
func radixSort(keys []uint64, vals []int32) {
	const bits, buckets = 11, 1 << 11
	n := len(keys)
	if n < 64 {
		// Insertion sort: stable and fast for short runs.
		for i := 1; i < n; i++ {
			k, v := keys[i], vals[i]
			j := i
			for j > 0 && keys[j-1] > k {
				keys[j], vals[j] = keys[j-1], vals[j-1]
				j--
			}
			keys[j], vals[j] = k, v
		}
		return
	}
	origK, origV := keys, vals
	k2 := make([]uint64, n)
	v2 := make([]int32, n)
	var count [buckets]int
	for shift := uint(0); shift < 64; shift += bits {
		clear(count[:])
		for _, k := range keys {
			count[(k>>shift)&(buckets-1)]++
		}
		if count[(keys[0]>>shift)&(buckets-1)] == n {
			continue
		}
		sum := 0
		for b := range count {
			count[b], sum = sum, sum+count[b]
		}
		for i, k := range keys {
			b := (k >> shift) & (buckets - 1)
			k2[count[b]], v2[count[b]] = k, vals[i]
			count[b]++
		}
		keys, k2 = k2, keys
		vals, v2 = v2, vals
	}
	if &keys[0] != &origK[0] { // the result is in the scratch slices
		copy(origK, keys)
		copy(origV, vals)
	}
}

// skyline3 is the skyline of three-dimensional vectors by two sweeps in
// O(n log n): a vector c is dominated by the margin eps when some a has
// a ≥ c everywhere and a_k > c_k + eps for some k, that is when one of
//
//	Q0: a0 > c0+eps, a1 ≥ c1,     a2 ≥ c2
//	Q1: a0 ≥ c0,     a1 > c1+eps, a2 ≥ c2
//	Q2: a0 ≥ c0,     a1 ≥ c1,     a2 > c2+eps
//
// holds. Sweeping the vectors by decreasing a0 and inserting them in a
// Fenwick tree indexed by a1 that keeps the largest a2 answers each as
// "the largest a2 among inserted vectors with a1 at least (or above) a
// bound". Exact duplicates are folded first, as in skyline.
func skyline3(v *vecs, idx []int32, counts []uint64, eps float64, m *meter) []int32 {
	uniq := foldDuplicates(v, idx, counts) // by decreasing a0 (then a1, a2)
	n := len(uniq)
	if !m.add(int64(n) * int64(bits.Len(uint(n))+1) * 4) {
		return nil
	}
	vals := v.vals
	// rank[q] is the rank of uniq[q]'s a1 among the distinct values ys.
	ord := make([]int32, n)
	for q := range ord {
		ord[q] = int32(q)
	}
	y := func(q int32) float64 { return vals[3*int(uniq[q])+1] }
	ykeys := make([]uint64, n)
	for q := range ykeys {
		ykeys[q] = floatKey(y(int32(q)))
	}
	radixSort(ykeys, ord)
	rank := make([]int32, n)
	ys := make([]float64, 0, n)
	for _, q := range ord {
		if len(ys) == 0 || y(q) != ys[len(ys)-1] {
			ys = append(ys, y(q))
		}
		rank[q] = int32(len(ys) - 1)
	}
	ny := len(ys)
	fw := newMaxFenwick(ny)
	insert := func(q int) { fw.update(ny-int(rank[q]), vals[3*int(uniq[q])+2]) }
	// atLeastOwn(q) is the largest a2 among inserted vectors with a1 ≥
	// uniq[q]'s; aboveOwn(q, t) among those with a1 > t, for t ≥ uniq[q]'s a1.
	atLeastOwn := func(q int) float64 { return fw.prefix(ny - int(rank[q])) }
	aboveOwn := func(q int, t float64) float64 {
		r := int(rank[q])
		for r < ny && ys[r] <= t {
			r++
		}
		return fw.prefix(ny - r)
	}
	dominated := make([]bool, n)
	if eps == 0 {
		// Without a margin one sweep decides: the distinct vectors come
		// in decreasing lexicographic order, so every a ≥ c (a ≠ c) comes
		// before c, and every vector before c with a1 ≥ c1 and a2 ≥ c2
		// (its a0 ≥ c0) is such an a.
		out := uniq[:0]
		for q, i := range uniq {
			c := vals[3*int(i) : 3*int(i)+3]
			if atLeastOwn(q) < c[2] {
				out = append(out, i)
			}
			insert(q)
		}
		return out
	}
	// Sweep for Q1 and Q2: every vector with a0 ≥ c0 inserted.
	for lo := 0; lo < n; {
		x := vals[3*int(uniq[lo])]
		hi := lo
		for hi < n && vals[3*int(uniq[hi])] == x {
			insert(hi)
			hi++
		}
		for q := lo; q < hi; q++ {
			c := vals[3*int(uniq[q]) : 3*int(uniq[q])+3]
			if aboveOwn(q, c[1]+eps) >= c[2] || atLeastOwn(q) > c[2]+eps {
				dominated[q] = true
			}
		}
		lo = hi
	}
	// Sweep for Q0: every vector with a0 > c0+eps inserted.
	fw.reset()
	ins := 0
	for q := 0; q < n; q++ {
		c := vals[3*int(uniq[q]) : 3*int(uniq[q])+3]
		for ins < n && vals[3*int(uniq[ins])] > c[0]+eps {
			insert(ins)
			ins++
		}
		if !dominated[q] && atLeastOwn(q) >= c[2] {
			dominated[q] = true
		}
	}
	out := uniq[:0]
	for q, i := range uniq {
		if !dominated[q] {
			out = append(out, i)
		}
	}
	return out
}

// maxFenwick is a Fenwick tree of prefix maxima over positions 1..n.
type maxFenwick []float64

func newMaxFenwick(n int) maxFenwick {
	f := make(maxFenwick, n+1)
	f.reset()
	return f
}

func (f maxFenwick) reset() {
	for i := range f {
		f[i] = math.Inf(-1)
	}
}

// update raises position p (1-based) to at least x.
func (f maxFenwick) update(p int, x float64) {
	for ; p < len(f); p += p & -p {
		if x > f[p] {
			f[p] = x
		}
	}
}

// prefix returns the largest value at positions 1..p (-Inf for none).
func (f maxFenwick) prefix(p int) float64 {
	m := math.Inf(-1)
	for ; p > 0; p -= p & -p {
		if f[p] > m {
			m = f[p]
		}
	}
	return m
}

// selectNth reorders idx so that idx[n] holds the vector whose coordinate
// axis is the n-th smallest, with no larger one before it and no smaller
// one after it (Hoare's selection, expected linear time).
func selectNth(vals []float64, d, axis int, idx []int32, n int) {
	key := func(i int32) float64 { return vals[int(i)*d+axis] }
	lo, hi := 0, len(idx)-1
	for lo < hi {
		// Median of three as the pivot.
		m := lo + (hi-lo)/2
		a, b, c := key(idx[lo]), key(idx[m]), key(idx[hi])
		p := c
		switch {
		case (a <= b) == (b <= c):
			p = b
		case (b <= a) == (a <= c):
			p = a
		}
		i, j := lo, hi
		for i <= j {
			for key(idx[i]) < p {
				i++
			}
			for key(idx[j]) > p {
				j--
			}
			if i <= j {
				idx[i], idx[j] = idx[j], idx[i]
				i++
				j--
			}
		}
		switch {
		case n <= j:
			hi = j
		case n >= i:
			lo = i
		default:
			return
		}
	}
}
