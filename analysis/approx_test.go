package analysis

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestApproximateFrontierProperty checks the approximate mode's two
// promises on 300 small random domains of 3 to 6 parties, thinned at
// almost every point (thinAbove 2 to 9) so that the error budget is split
// over many thinnings: every exact frontier point has a listed point at
// most ErrorBound below it in every party's utility, and every listed
// point's witness has exactly the listed utilities.
func TestApproximateFrontierProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 5))
	thinnings := 0
	for iter := range 300 {
		parties := 3 + iter%4
		s := benchSpace(3+rng.IntN(5), 2+rng.IntN(3), parties, rng.Uint64())
		eps := []float64{0.001, 0.01, 0.05, 0.2, 0.5}[rng.IntN(5)]
		exact, err := FrontierAdditive(s, FrontierOptions{})
		if err != nil {
			t.Fatal(err)
		}
		approx, err := FrontierAdditive(s, FrontierOptions{Epsilon: eps, thinAbove: 2 + rng.IntN(8)})
		if err != nil {
			t.Fatal(err)
		}
		if !approx.Approximate || approx.ErrorBound != eps {
			t.Fatalf("iter %d: approximate %v, bound %v, want true, %v", iter, approx.Approximate, approx.ErrorBound, eps)
		}
		if len(approx.Points) < len(exact.Points) {
			thinnings++
		}
		for _, p := range approx.Points {
			if got := s.Utilities(p.Witness); !slices.Equal(got, p.U) {
				t.Fatalf("iter %d: listed %v, its witness %v gives %v", iter, p.U, p.Witness, got)
			}
		}
	exact:
		for _, u := range exact.Points {
			for _, v := range approx.Points {
				if covers(v.U, u.U, approx.ErrorBound) {
					continue exact
				}
			}
			t.Fatalf("iter %d (%d parties, eps %v): exact point %v has no listed point within the bound", iter, parties, eps, u.U)
		}
	}
	if thinnings < 50 {
		t.Errorf("only %d of 300 domains lost points to thinning: the test does not exercise it", thinnings)
	}
}

// covers reports whether v_j ≥ u_j − eps for every j.
func covers(v, u []float64, eps float64) bool {
	for j := range u {
		if v[j] < u[j]-eps {
			return false
		}
	}
	return true
}

// TestThinCellBudget checks that the grid sides the approximate mode
// spends never add up past the budget, whatever the pace of thinnings.
func TestThinCellBudget(t *testing.T) {
	for _, tc := range []struct {
		name  string
		paces []int
	}{
		{"every point", []int{40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
		{"one", []int{1}},
		{"few", []int{3, 2, 1}},
		{"zero guard", []int{0, 0, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const eps = 0.05
			budget, spent := eps, 0.0
			for _, n := range tc.paces {
				c := thinCell(budget, n)
				if c < 0 || c > budget {
					t.Fatalf("side %v with %v left", c, budget)
				}
				budget -= c
				spent += c
			}
			if spent > eps {
				t.Fatalf("spent %v > %v", spent, eps)
			}
		})
	}
}
