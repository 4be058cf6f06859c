package agent

import (
	"container/heap"
	"math"
	"slices"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// BestPackages returns up to limit complete packages, best first for the
// table, whose utility is at least floor and at least the table's
// reservation value and which cross none of the profile's red lines. It
// explores packages in non-increasing utility (best-first over per-point
// option ranks), so it never enumerates the outcome space; ties are ordered
// by package. Options a one-point red line forbids are left out of the
// search first (they can be in no package it returns). It examines at most
// 64·limit + 1024 packages, so it may return fewer than limit when
// red lines over several points forbid most of the best packages.
func BestPackages(t *profile.Table, pr *profile.Profile, limit int, floor float64) []framework.Package {
	return bestFirst(t, pr, limit, math.Max(floor, t.Reservation))
}

// BestAllowed returns the party's best package that crosses none of its
// red lines, whatever its reservation value (BestPackages with no floor,
// limit 1), or its best package, red lines or not, when the search finds
// none (every option of a point forbidden, or more forbidden packages
// than it examines). The engine takes it as the offer of an agent that
// neither offers nor ends the talks, and the web UI's "Load my best
// package" computes the same (ui/profile.js bestAllowedPackage).
func BestAllowed(t *profile.Table, pr *profile.Profile) framework.Package {
	_, best := t.Max()
	if pr == nil || len(pr.RedLines) == 0 || pr.CrossesRedLine(best) < 0 {
		return best
	}
	if !t.Additive() {
		// The exact best within the red lines, by branch and bound (see
		// nlspace.extreme).
		radix := make([]int, len(t.Contrib))
		for i, c := range t.Contrib {
			radix[i] = len(c)
		}
		if s, err := newNLBase(t, radix, compileLines(radix, pr.RedLines), nil); err == nil {
			if b, _, err := s.extreme(1); err == nil {
				return b.Package
			}
		}
		return best
	}
	if ps := bestFirst(t, pr, 1, math.Inf(-1)); len(ps) > 0 {
		return ps[0]
	}
	return best
}

// bestFirst is BestPackages without the reservation value: packages of
// utility at least floor, best first, crossing none of pr's red lines.
func bestFirst(t *profile.Table, pr *profile.Profile, limit int, floor float64) []framework.Package {
	if !t.Additive() {
		return bestFirstNonLinear(t, pr, limit, floor)
	}
	n := len(t.Contrib)
	banned := bannedOptions(pr, t.Contrib)
	order := make([][]int, n)
	for k, c := range t.Contrib {
		for l := range c {
			if banned == nil || !banned[k][l] {
				order[k] = append(order[k], l)
			}
		}
		if len(order[k]) == 0 {
			return nil // every option of point k is forbidden
		}
		slices.SortStableFunc(order[k], func(a, b int) int {
			switch {
			case c[a] > c[b]:
				return -1
			case c[a] < c[b]:
				return 1
			}
			return 0
		})
	}
	pkgOf := func(ranks []int) framework.Package {
		p := make(framework.Package, n)
		for k, r := range ranks {
			p[k] = order[k][r]
		}
		return p
	}
	h := &rankHeap{}
	seen := map[string]bool{}
	push := func(ranks []int) {
		key := framework.Package(ranks).Key()
		if seen[key] {
			return
		}
		seen[key] = true
		p := pkgOf(ranks)
		heap.Push(h, rankItem{ranks: ranks, pkg: p, u: t.Utility(p)})
	}
	push(make([]int, n))
	var out []framework.Package
	budget := 64*limit + 1024
	for h.Len() > 0 && len(out) < limit && budget > 0 {
		budget--
		it := heap.Pop(h).(rankItem)
		if it.u < floor {
			break
		}
		if pr.CrossesRedLine(it.pkg) < 0 {
			out = append(out, it.pkg)
		}
		for k := range it.ranks {
			if it.ranks[k]+1 < len(order[k]) {
				next := slices.Clone(it.ranks)
				next[k]++
				push(next)
			}
		}
	}
	return out
}

// bannedOptions marks, per point, the options a one-point red line of pr
// forbids (nil when there is none).
func bannedOptions(pr *profile.Profile, contrib [][]float64) [][]bool {
	var banned [][]bool
	if pr == nil {
		return nil
	}
	for _, rl := range pr.RedLines {
		if len(rl.Terms) != 1 || rl.Terms[0].Point < 0 || rl.Terms[0].Point >= len(contrib) {
			continue
		}
		if banned == nil {
			banned = make([][]bool, len(contrib))
			for k, c := range contrib {
				banned[k] = make([]bool, len(c))
			}
		}
		b := banned[rl.Terms[0].Point]
		for _, l := range rl.Terms[0].Levels {
			if l >= 0 && l < len(b) {
				b[l] = true
			}
		}
	}
	return banned
}

type rankItem struct {
	ranks []int
	pkg   framework.Package
	u     float64
}

// rankHeap pops the highest utility first, ties by package.
type rankHeap []rankItem

func (h rankHeap) Len() int { return len(h) }
func (h rankHeap) Less(i, j int) bool {
	if h[i].u != h[j].u {
		return h[i].u > h[j].u
	}
	return slices.Compare(h[i].pkg, h[j].pkg) < 0
}
func (h rankHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *rankHeap) Push(x any)   { *h = append(*h, x.(rankItem)) }
func (h *rankHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

// bestFirstNonLinear is bestFirst for a table with interactions, where
// per-point ranks do not order utilities: a best-first search over
// partial packages in framework order, each ranked by an upper bound of
// its completions (its exact partial utility, the best allowed
// contributions of the points left and the positive values of the
// effects not yet decided; see nlspace), so that complete packages come
// out in non-increasing utility — Table.Utility's, exactly. Red lines are
// searched around (forbidden options left out, combinations pruned at
// their last point). It pops at most 64·limit + 1024 nodes.
func bestFirstNonLinear(t *profile.Table, pr *profile.Profile, limit int, floor float64) []framework.Package {
	n := len(t.Contrib)
	radix := make([]int, n)
	for i, c := range t.Contrib {
		radix[i] = len(c)
	}
	var lines []lineSet
	if pr != nil {
		lines = compileLines(radix, pr.RedLines)
	}
	s, err := newNLBase(t, radix, lines, nil)
	if err != nil {
		return nil // every option of some point is forbidden
	}
	q := s.newSearch(0, 0)
	type node struct {
		levels []int // of points 0…len−1
		u      float64
		fxLo   float64
		fxHi   float64
		hi     float64
	}
	h := &nodeHeap[node]{less: func(a, b node) bool {
		if a.hi != b.hi {
			return a.hi > b.hi
		}
		if len(a.levels) != len(b.levels) {
			return len(a.levels) > len(b.levels) // complete packages first
		}
		return slices.Compare(a.levels, b.levels) < 0
	}}
	heap.Push(h, node{hi: s.restMax[0] + s.fxHi, fxLo: s.fxLo, fxHi: s.fxHi})
	var out []framework.Package
	for budget := 64*limit + 1024; h.Len() > 0 && len(out) < limit && budget > 0; budget-- {
		nd := heap.Pop(h).(node)
		if nd.hi+s.slack < floor {
			break
		}
		i := len(nd.levels)
		if i == n {
			if nd.u >= floor {
				out = append(out, framework.Package(nd.levels))
			}
			continue
		}
		// The node's failed terms, for its children's bounds.
		clear(q.missed)
		copy(q.p, nd.levels)
		for j, l := range nd.levels {
			for k := range s.touch[j] {
				if !s.touch[j][k].in[l] {
					q.missed[s.touch[j][k].e] = true
				}
			}
		}
		for _, l := range s.levels[i] {
			kd := q.child(i, l, nd.u, nd.fxLo, nd.fxHi)
			if kd.hi+s.slack < floor {
				continue
			}
			if q.p[i] = l; q.crosses(i) {
				continue
			}
			hi := kd.hi + s.slack // never below a completion's utility
			if i+1 == n {
				hi = kd.u // exact
			}
			heap.Push(h, node{levels: append(slices.Clone(nd.levels), l), u: kd.u, fxLo: kd.fxLo, fxHi: kd.fxHi, hi: hi})
		}
	}
	return out
}

// nodeHeap is a heap of T ordered by less (the least on top).
type nodeHeap[T any] struct {
	items []T
	less  func(a, b T) bool
}

func (h *nodeHeap[T]) Len() int           { return len(h.items) }
func (h *nodeHeap[T]) Less(i, j int) bool { return h.less(h.items[i], h.items[j]) }
func (h *nodeHeap[T]) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *nodeHeap[T]) Push(x any)         { h.items = append(h.items, x.(T)) }
func (h *nodeHeap[T]) Pop() any {
	it := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return it
}
