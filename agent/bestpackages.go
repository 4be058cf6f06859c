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
// by package. It examines at most 64·limit + 1024 packages, so it may return
// fewer than limit when the red lines forbid most of the best packages.
func BestPackages(t *profile.Table, pr *profile.Profile, limit int, floor float64) []framework.Package {
	floor = math.Max(floor, t.Reservation)
	n := len(t.Contrib)
	order := make([][]int, n)
	for k, c := range t.Contrib {
		order[k] = make([]int, len(c))
		for l := range c {
			order[k][l] = l
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
