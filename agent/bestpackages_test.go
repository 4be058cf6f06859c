package agent

import (
	"slices"
	"testing"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// TestBestPackages checks BestPackages against brute force: every package
// at or above the floor, best first, ties by package. (It moved here from
// package session with BestPackages.)
func TestBestPackages(t *testing.T) {
	f := testFramework(3, 2, 4)
	r := 0.4
	p := &profile.Profile{Weights: []float64{0.5, 0.2, 0.3},
		Scores:      [][]float64{{3, 2, 1}, {1, 2}, {4, 3, 2, 1}},
		Reservation: &r}
	tb, err := p.Compile(f)
	if err != nil {
		t.Fatal(err)
	}
	// Brute force: every acceptable package, best first, ties by package.
	var want []framework.Package
	analysis.Enumerate(f.Radix(), func(q framework.Package) bool {
		if tb.Utility(q) >= 0.6 {
			want = append(want, q.Clone())
		}
		return true
	})
	slices.SortStableFunc(want, func(x, y framework.Package) int {
		ux, uy := tb.Utility(x), tb.Utility(y)
		switch {
		case ux > uy:
			return -1
		case ux < uy:
			return 1
		}
		return slices.Compare(x, y)
	})
	got := BestPackages(tb, p, 100, 0.6)
	if len(got) != len(want) {
		t.Fatalf("%d packages, want %d", len(got), len(want))
	}
	for i := range got {
		if tb.Utility(got[i]) != tb.Utility(want[i]) {
			t.Fatalf("package %d: %v (%v), want %v (%v)", i, got[i], tb.Utility(got[i]), want[i], tb.Utility(want[i]))
		}
	}
	if got := BestPackages(tb, p, 3, 0); len(got) != 3 {
		t.Fatalf("limit 3: %d packages", len(got))
	}
	// A red line removes the packages that cross it, and only those.
	p.RedLines = []profile.RedLine{{Terms: []profile.Term{{Point: 0, Levels: []int{0}}}}}
	for _, q := range BestPackages(tb, p, 100, 0.4) {
		if q[0] == 0 {
			t.Fatalf("package %v crosses the red line", q)
		}
	}
}
