package multideal

import "github.com/parley-negotiation/parley/framework"

// ANLOptions settles what an anl2025 folder leaves to chance when it is
// imported (ImportANLWith).
type ANLOptions struct {
	// NumpySeed draws the weights of a LinearCombinationCenterUFun saved
	// without them (anl2025 does not save them: its GENIUS-derived folders
	// have none) as anl2025 does when it loads the folder after
	// np.random.seed(*NumpySeed): np.random.rand(n_edges) divided by its
	// sum. Without it such a center is an error: anl2025 would draw other
	// weights at every load.
	NumpySeed *uint32
	// SideReservation, when set, replaces the reserved values of a
	// combining center's side utilities (the value of a thread without
	// agreement). anl2025's GENIUS-derived folders save them as -inf, which
	// makes the center's utility -inf whenever a thread fails and its side
	// utilities useless to TimeBased2025 (anl2025 raises "Could not find
	// worst and best outcomes"); genius.py, which made them, sets 0.
	SideReservation *float64
}

// numpyRandWeights is LinearCombinationCenterUFun's weights drawn from
// numpy's global RandomState seeded with seed: w = np.random.rand(n),
// tuple((w / w.sum()).tolist()).
func numpyRandWeights(seed uint32, n int) []float64 {
	r := NewNumpyRandom(seed)
	w := make([]float64, n)
	for i := range w {
		w[i] = r.Rand()
	}
	s := npSum(w)
	for i := range w {
		w[i] /= s
	}
	return w
}

// npSum is numpy's float64 add.reduce of a contiguous array: 0 plus the
// pairwise sum of the elements (a plain left fold below 8 elements, eight
// accumulators up to 128, halves beyond), checked against numpy 1.24.2.
func npSum(a []float64) float64 {
	return 0 + npPairwise(a)
}

func npPairwise(a []float64) float64 {
	n := len(a)
	switch {
	case n < 8:
		s := 0.0
		for _, v := range a {
			s += v
		}
		return s
	case n <= 128:
		var r [8]float64
		copy(r[:], a[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			for j := range r {
				r[j] += a[i+j]
			}
		}
		s := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			s += a[i]
		}
		return s
	}
	h := n / 2
	h -= h % 8
	return npPairwise(a[:h]) + npPairwise(a[h:])
}

// pairEdges re-pairs the threads with the center's outcome spaces when the
// listed order is inconsistent: anl2025 pairs the i-th edge file (in
// directory order) with the center's i-th side utility and negotiates
// thread i over the edge's own outcome space, so an edge listed out of the
// center's order makes the center's side utility look up values of
// another issue (a KeyError that fails the thread at step 0). Each center
// outcome space then takes the first remaining edge whose outcome space is
// equal to it (same points and option IDs, in order); when some center
// space has no such edge the listed order is kept (and the side utilities
// fail to import, as they fail in anl2025).
func (s *Scenario) pairEdges(spaces []*framework.Framework) {
	consistent := true
	for i := range s.Threads {
		if !sameSpace(s.Threads[i].Framework, spaces[i]) {
			consistent = false
			break
		}
	}
	if consistent {
		return
	}
	used := make([]bool, len(s.Threads))
	out := make([]Thread, 0, len(s.Threads))
	for _, sp := range spaces {
		found := false
		for j := range s.Threads {
			if !used[j] && sameSpace(s.Threads[j].Framework, sp) {
				used[j], found = true, true
				out = append(out, s.Threads[j])
				break
			}
		}
		if !found {
			return
		}
	}
	s.Threads = out
}

// sameSpace tells whether two outcome spaces have the same points and
// options (IDs, in order).
func sameSpace(a, b *framework.Framework) bool {
	if len(a.Points) != len(b.Points) {
		return false
	}
	for i := range a.Points {
		p, q := &a.Points[i], &b.Points[i]
		if p.ID != q.ID || len(p.Options) != len(q.Options) {
			return false
		}
		for k := range p.Options {
			if p.Options[k].ID != q.Options[k].ID {
				return false
			}
		}
	}
	return true
}
