package session

import (
	"container/heap"
	"slices"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// bestAllowedBudget bounds the packages BestAllowed examines.
const bestAllowedBudget = 64 + 1024

// BestAllowed returns the party's best package that crosses none of its
// red lines, whatever its reservation value, or its best package, red
// lines or not, when the search finds none (every option of a point
// forbidden, or more forbidden packages than it examines). It is the
// package an agent that neither offers nor ends the talks is taken to
// offer, and the web UI's "Load my best package" computes the same
// (ui/profile.js bestAllowedPackage).
//
// It is agent.BestPackages with no floor, limit 1, except that options a
// one-point red line forbids are left out of the search first (unless
// every option of the point is): a line on a party's best option of its
// most important point would otherwise spend the search's budget on the
// many packages that differ from the best one only on cheaper points.
func BestAllowed(t *profile.Table, pr *profile.Profile) framework.Package {
	_, best := t.Max()
	if pr == nil || len(pr.RedLines) == 0 || pr.CrossesRedLine(best) < 0 {
		return best
	}
	n := len(t.Contrib)
	banned := make([][]bool, n)
	for k, c := range t.Contrib {
		banned[k] = make([]bool, len(c))
	}
	for _, rl := range pr.RedLines {
		if len(rl.Terms) != 1 || rl.Terms[0].Point < 0 || rl.Terms[0].Point >= n {
			continue
		}
		b := banned[rl.Terms[0].Point]
		for _, l := range rl.Terms[0].Levels {
			if l >= 0 && l < len(b) {
				b[l] = true
			}
		}
	}
	order := make([][]int, n)
	for k, c := range t.Contrib {
		idx := make([]int, len(c))
		for l := range c {
			idx[l] = l
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			switch {
			case c[a] > c[b]:
				return -1
			case c[a] < c[b]:
				return 1
			}
			return 0
		})
		kept := slices.DeleteFunc(slices.Clone(idx), func(l int) bool { return banned[k][l] })
		if len(kept) == 0 {
			kept = idx
		}
		order[k] = kept
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
	for budget := bestAllowedBudget; h.Len() > 0 && budget > 0; budget-- {
		it := heap.Pop(h).(rankItem)
		if pr.CrossesRedLine(it.pkg) < 0 {
			return it.pkg
		}
		for k := range it.ranks {
			if it.ranks[k]+1 < len(order[k]) {
				next := slices.Clone(it.ranks)
				next[k]++
				push(next)
			}
		}
	}
	return best
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
