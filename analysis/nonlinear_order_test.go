package analysis

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/internal/fixture"
)

// TestMergeOrderMatchesBruteForce is the property test of the reordered
// merge: on hundreds of random small non-linear domains whose sums are
// exact in any order (exactArithmetic), with RedLines and Rational on and
// off, the merge in the greedy order gives the frontier of the merge in
// framework order and of brute force (1,200 domains, about a fifth of them
// with exact sums), bit for bit (utility vectors and
// counts), and every witness's utilities are Space.Utilities of it. On the
// others, orderPlan keeps framework order.
func TestMergeOrderMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 21))
	exactSpaces, reordered := 0, 0
	for iter := range 1200 {
		s, desc := nonLinearSpace(t, rng, iter)
		exact := exactArithmetic(s)
		for _, o := range []FrontierOptions{{}, {RedLines: true}, {Rational: true}, {RedLines: true, Rational: true}} {
			if p := orderPlan(s, o, nil, 0); !exact && p.order != nil {
				t.Fatalf("%s: sums not exact in every order, yet reordered %v", desc, p.order)
			}
			if !exact {
				continue
			}
			want, err := FrontierEnumerate(s, o, 0)
			if err != nil {
				t.Fatal(err)
			}
			fw := o
			fw.Order = OrderFramework
			gr := o
			gr.Order = OrderGreedy
			if p := orderPlan(s, gr, nil, OrderGreedy); p.order != nil {
				isID := true
				for i, k := range p.order {
					isID = isID && i == k
				}
				if !isID {
					reordered++
				}
			}
			for _, oo := range []FrontierOptions{fw, gr} {
				got, err := FrontierAdditive(s, oo)
				if err != nil {
					t.Fatalf("%s, %+v: %v", desc, oo, err)
				}
				if len(got.Points) != len(want.Points) {
					t.Fatalf("%s, %+v: %d points, brute force %d\ngot  %v\nwant %v", desc, oo, len(got.Points), len(want.Points), us(got), us(want))
				}
				for i := range got.Points {
					g, w := got.Points[i], want.Points[i]
					if !slices.Equal(g.U, w.U) || g.Count != w.Count {
						t.Fatalf("%s, %+v: point %d: %v ×%d; brute force %v ×%d", desc, oo, i, g.U, g.Count, w.U, w.Count)
					}
					if u := s.Utilities(g.Witness); !slices.Equal(u, g.U) {
						t.Fatalf("%s, %+v: point %d: %v, its witness %v has %v", desc, oo, i, g.U, g.Witness, u)
					}
					if o.RedLines {
						for _, pr := range s.Profiles {
							if pr.CrossesRedLine(g.Witness) >= 0 {
								t.Fatalf("%s, %+v: witness %v crosses a red line", desc, oo, g.Witness)
							}
						}
					}
				}
				if got.Approximate {
					t.Fatalf("%s, %+v: marked approximate", desc, oo)
				}
			}
		}
		if exact {
			exactSpaces++
		}
	}
	if exactSpaces < 200 || reordered < 400 {
		t.Fatalf("only %d spaces with exact sums, %d reordered merges: the test checks too little", exactSpaces, reordered)
	}
	t.Logf("%d of 1200 spaces with exact sums, %d merges in a non-framework order", exactSpaces, reordered)
}

// TestGreedyOrder: the greedy order of interactions chained along far-apart
// points keeps fewer open than framework order, and openCounts counts what
// is open after each step.
func TestGreedyOrder(t *testing.T) {
	// Points 0..9; constraints {0,5}, {1,6}, {2,7}, {3,8}, {4,9}: framework
	// order keeps 5 open after point 4; pairing them keeps 1.
	var sets [][]int
	for i := range 5 {
		sets = append(sets, []int{i, i + 5})
	}
	id := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	if got := openCounts(10, sets, id); !slices.Equal(got, []int{1, 2, 3, 4, 5, 4, 3, 2, 1, 0}) {
		t.Fatalf("open counts %v", got)
	}
	order, most := greedyOrder(10, sets)
	if most != 1 || slices.Max(openCounts(10, sets, order)) != 1 {
		t.Fatalf("greedy order %v keeps %d open (counts %v), want 1", order, most, openCounts(10, sets, order))
	}
	sorted := slices.Clone(order)
	slices.Sort(sorted)
	if !slices.Equal(sorted, id) {
		t.Fatalf("greedy order %v is not a permutation", order)
	}
}

// checkRelaxedBound checks a relaxed frontier fr of s against brute force:
// every listed point is a real package with its exact utilities, none
// dominates another, and (without Rational) every exact frontier point has
// a listed point within bound[j] for every party j.
func checkRelaxedBound(t *testing.T, s *Space, o FrontierOptions, fr *Frontier, bound []float64, desc string) {
	t.Helper()
	if !fr.Approximate {
		t.Fatalf("%s: relaxed frontier not marked approximate", desc)
	}
	if d := slices.Max(bound); fr.ErrorBound < d {
		t.Fatalf("%s: error bound %v below the bound checked %v", desc, fr.ErrorBound, d)
	}
	for i, p := range fr.Points {
		if u := s.Utilities(p.Witness); !slices.Equal(u, p.U) {
			t.Fatalf("%s: listed %v, its witness %v has %v", desc, p.U, p.Witness, u)
		}
		if o.Rational && !atLeast(p.U, s.Reservation) {
			t.Fatalf("%s: listed %v below the reservation values", desc, p.U)
		}
		for k, q := range fr.Points {
			if k != i && dominates(q.U, p.U) {
				t.Fatalf("%s: listed %v dominated by listed %v", desc, p.U, q.U)
			}
		}
	}
	if o.Rational {
		return
	}
	exact, err := FrontierEnumerate(s, o, 0)
	if err != nil {
		t.Fatal(err)
	}
	slack := 0.0 // the bound includes its rounding allowance
exact:
	for _, x := range exact.Points {
		for _, p := range fr.Points {
			within := true
			for j := range x.U {
				within = within && p.U[j] >= x.U[j]-bound[j]-slack
			}
			if within {
				continue exact
			}
		}
		t.Fatalf("%s, %+v: exact point %v has no listed point within D = %v: %v", desc, o, x.U, bound, us(fr))
	}
}

// TestRelaxedFrontierBound: relaxing interactions (a random target of
// constraints open at once, down to none) gives a frontier within D_j of
// the exact one for every party (relaxBound), on hundreds of random
// domains, with RedLines and Rational on and off.
func TestRelaxedFrontierBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 22))
	relaxedSome := 0
	for iter := range 300 {
		s, desc := nonLinearSpace(t, rng, iter)
		if !hasOpenInteractions(s) {
			continue
		}
		for _, o := range []FrontierOptions{{}, {RedLines: true}, {Rational: true}, {RedLines: true, Rational: true}} {
			n := len(s.Framework.Points)
			relaxed := relaxTo(s, o, nil, identityOrder(n), rng.IntN(3), rng.IntN(3))
			if !slices.Contains(relaxed, true) {
				continue
			}
			relaxedSome++
			p := relaxedPlan(s, o, relaxed, identityOrder(n), "test")
			fr, err := mergeFrontier(context.Background(), s, o, nil, 0, nil, p)
			if err != nil {
				t.Fatalf("%s, %+v: %v", desc, o, err)
			}
			if !strings.Contains(fr.Method, "APPROXIMATE") || !strings.Contains(fr.Method, "B = ") {
				t.Fatalf("%s: method %q does not say approximate and D", desc, fr.Method)
			}
			if fr.ErrorBound > slices.Max(p.bound)*(1+1e-9)+1e-9 {
				t.Fatalf("%s: error bound %v above max D %v", desc, fr.ErrorBound, p.bound)
			}
			checkRelaxedBound(t, s, o, fr, []float64{fr.ErrorBound, fr.ErrorBound, fr.ErrorBound, fr.ErrorBound}[:s.N()], desc)
		}
	}
	if relaxedSome < 200 {
		t.Fatalf("only %d relaxed merges", relaxedSome)
	}
}

// TestRelaxOnBudget: a non-linear merge past its budget with RelaxOnBudget
// returns an approximate frontier that says why, within its bound of
// brute force; without, the error stays; RelaxAlways relaxes at once.
func TestRelaxOnBudget(t *testing.T) {
	sc := fixture.RandomNonLinear("relax", 8, 4, 2, 5, 1, -1, fixture.NonLinear{Interactions: 16, Arity: 4, Integer: true})
	s, err := FromScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FrontierAdditive(s, FrontierOptions{MaxPoints: 40}); !budgetError(err) {
		t.Fatalf("exact merge with 40 partial packages at most: err = %v, want a budget error", err)
	}
	fr, err := FrontierAdditive(s, FrontierOptions{MaxPoints: 40, Relax: RelaxOnBudget})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(fr.Method, "exceeded its budget because of the interactions' states") {
		t.Fatalf("method %q does not say why it relaxed", fr.Method)
	}
	checkRelaxedBound(t, s, FrontierOptions{}, fr, []float64{fr.ErrorBound, fr.ErrorBound}, "relax on budget")
	// With the budget it needs, RelaxOnBudget is the exact merge.
	exact, err := FrontierAdditive(s, FrontierOptions{})
	if err != nil {
		t.Fatal(err)
	}
	same, err := FrontierAdditive(s, FrontierOptions{Relax: RelaxOnBudget})
	if err != nil || same.Approximate || fmt.Sprint(us(same)) != fmt.Sprint(us(exact)) {
		t.Fatalf("RelaxOnBudget within budget: %v (approximate %v), exact %v", err, same.Approximate, us(exact))
	}
	always, err := FrontierAdditive(s, FrontierOptions{Relax: RelaxAlways})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(always.Method, "relaxed on request") && !always.Approximate {
		// Nothing open past relaxAlwaysOpen: exact.
		if fmt.Sprint(us(always)) != fmt.Sprint(us(exact)) {
			t.Fatalf("RelaxAlways, nothing relaxed: %v, exact %v", us(always), us(exact))
		}
	} else {
		checkRelaxedBound(t, s, FrontierOptions{}, always, []float64{always.ErrorBound, always.ErrorBound}, "relax always")
	}
}

// TestExactArithmetic: integer and dyadic values are exact in any order,
// decimals and huge magnitudes are not.
func TestExactArithmetic(t *testing.T) {
	for _, c := range []struct {
		shape fixture.NonLinear
		want  bool
	}{
		{fixture.NonLinear{Interactions: 4, Arity: 2, Integer: true}, true},
		{fixture.NonLinear{Interactions: 4, Arity: 2, Additive: 1}, false},
	} {
		sc := fixture.RandomNonLinear("exact", 4, 3, 2, 1, 1, -1, c.shape)
		s, err := FromScenario(sc)
		if err != nil {
			t.Fatal(err)
		}
		if got := exactArithmetic(s); got != c.want {
			t.Errorf("%+v: exactArithmetic %v, want %v", c.shape, got, c.want)
		}
		if c.want {
			s.Tables[0].Contrib[0][0] = 0x1p60
			if exactArithmetic(s) {
				t.Errorf("%+v with 2^60: exact", c.shape)
			}
		}
	}
}

func identityOrder(n int) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	return order
}

// TestAnalyzeRelaxes: Analyze (parley analyze) relaxes a non-linear
// frontier that exceeds its budget because of interaction states, and its
// interaction summary says APPROXIMATE and why; RelaxNever keeps the error.
func TestAnalyzeRelaxes(t *testing.T) {
	sc := fixture.RandomNonLinear("relax", 8, 4, 2, 5, 1, -1, fixture.NonLinear{Interactions: 16, Arity: 4, Integer: true})
	s, err := FromScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	r, err := AnalyzeContext(context.Background(), s, Options{Frontier: FrontierOptions{MaxPoints: 40}})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Frontier.Approximate || r.Interactions == nil || r.Interactions.Exact || !strings.Contains(r.Interactions.Frontier, "APPROXIMATE") || !strings.Contains(r.Interactions.Frontier, "exceeded its budget") {
		t.Fatalf("frontier approximate %v, interactions %+v", r.Frontier.Approximate, r.Interactions)
	}
	if _, err := AnalyzeContext(context.Background(), s, Options{Frontier: FrontierOptions{MaxPoints: 40, Relax: RelaxNever}}); !budgetError(err) {
		t.Fatalf("RelaxNever: err = %v, want a budget error", err)
	}
}
