package analysis_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/internal/fixture"
)

// methodStates reads the states per point a non-linear merge reports in
// its Method ("… (up to 6,264 states per point)"); 0 when it says none.
func methodStates(method string) int {
	_, rest, ok := strings.Cut(method, "(up to ")
	if !ok {
		return 0
	}
	num, _, _ := strings.Cut(rest, " ")
	n, _ := strconv.Atoi(strings.ReplaceAll(num, ",", ""))
	return n
}

// benchNonLinearFrontier runs FrontierAdditive with o on s and reports the
// frontier's points and the most states per point of the merge.
func benchNonLinearFrontier(b *testing.B, s *analysis.Space, o analysis.FrontierOptions) {
	var fr *analysis.Frontier
	for b.Loop() {
		var err error
		if fr, err = analysis.FrontierAdditive(s, o); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(fr.Points)), "points")
	b.ReportMetric(float64(methodStates(fr.Method)), "states")
}

// BenchmarkFrontierNonLinear10issues: GENIUS's NonLinear10issues (10^10
// outcomes, 2 parties, 40 hyper-rectangles), exact frontier (goal: under
// 1 s on one core, -cpu 1).
func BenchmarkFrontierNonLinear10issues(b *testing.B) {
	s, _ := nonLinear10(b)
	benchNonLinearFrontier(b, s, analysis.FrontierOptions{})
}

// nonLinearScaleSpace is the scaling benchmarks' space: points × 10
// values, 2 parties, each with interactions hyper-rectangles of 1 to 4
// points chosen at random among all (boxes of contiguous values, integer
// values 1…100, no additive part: the shape of GENIUS's non-linear
// domains).
func nonLinearScaleSpace(b *testing.B, points, interactions int) *analysis.Space {
	sc := fixture.RandomNonLinear(fmt.Sprintf("nl%d", points), points, 10, 2, 2026, 17, -1,
		fixture.NonLinear{Interactions: interactions, Arity: 4, Integer: true})
	s, err := analysis.FromScenario(sc)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// nonLinearScaleCases are the scaling benchmarks' sizes: 20, 30 and 50
// points × 10 values (10^20 to 10^50 outcomes), with 2 × points
// interactions per party (GENIUS's NonLinear10issues has 4 × points) and
// with points / 2.
var nonLinearScaleCases = []struct{ points, interactions int }{
	{20, 40}, {30, 60}, {50, 100}, {20, 10}, {30, 15}, {50, 25},
}

// BenchmarkFrontierNonLinearScale: the exact frontier of random
// hyper-rectangle profiles (nonLinearScaleCases). Where the default
// budgets stop the exact merge, the error (naming the interaction states)
// is logged and the benchmark skipped.
func BenchmarkFrontierNonLinearScale(b *testing.B) {
	for _, c := range nonLinearScaleCases {
		b.Run(fmt.Sprintf("points=%d/interactions=%d", c.points, c.interactions), func(b *testing.B) {
			s := nonLinearScaleSpace(b, c.points, c.interactions)
			if _, err := analysis.FrontierAdditive(s, analysis.FrontierOptions{}); err != nil {
				b.Skipf("exact: %v", err)
			}
			benchNonLinearFrontier(b, s, analysis.FrontierOptions{})
		})
	}
}

// BenchmarkFrontierNonLinearScaleEpsilon: the same spaces with an
// approximate frontier (FrontierOptions.Epsilon, parley analyze
// --epsilon) of error 5% of the larger party's highest utility. Thinning
// is per state (its proof needs the same future), so it cannot keep fewer
// partial packages than there are states.
func BenchmarkFrontierNonLinearScaleEpsilon(b *testing.B) {
	for _, c := range nonLinearScaleCases {
		b.Run(fmt.Sprintf("points=%d/interactions=%d", c.points, c.interactions), func(b *testing.B) {
			s := nonLinearScaleSpace(b, c.points, c.interactions)
			hi := 0.0
			for _, t := range s.Tables {
				m, _ := t.Max()
				hi = max(hi, m)
			}
			o := analysis.FrontierOptions{Epsilon: hi * 0.05}
			if _, err := analysis.FrontierAdditive(s, o); err != nil {
				b.Skipf("ε = %g: %v", o.Epsilon, err)
			}
			benchNonLinearFrontier(b, s, o)
		})
	}
}

// methodOpen reads the constraints open at once a reordered merge reports
// in its Method ("at most 30 multi-point constraints open at once, 39 in
// framework order"): (greedy, framework), 0s when it says none.
func methodOpen(method string) (greedy, framework int) {
	_, rest, ok := strings.Cut(method, "at most ")
	if !ok {
		return 0, 0
	}
	fmt.Sscanf(rest, "%d multi-point constraints open at once, %d in framework order", &greedy, &framework)
	return greedy, framework
}

// nonLinearOrderCases are the merge-order benchmarks' sizes: 20, 30 and
// 50 points × 10 values with 2 × points interactions per party.
var nonLinearOrderCases = []struct{ points, interactions int }{{20, 40}, {30, 60}, {50, 100}}

// BenchmarkFrontierNonLinearOrder: the exact frontier of random
// hyper-rectangle profiles (nonLinearOrderCases) merged in framework order
// (order=framework), in the greedy order (order=greedy; exact or the
// budget error), and with the relaxation fallback (relax=budget, what
// parley analyze does: exact when the greedy order fits, otherwise
// approximate with the bound D reported, max over the parties, and
// relative to the larger party's highest utility as D%). Where the
// default budgets stop a merge, the error (naming the states) is logged
// and the case skipped.
func BenchmarkFrontierNonLinearOrder(b *testing.B) {
	for _, c := range nonLinearOrderCases {
		for _, v := range []struct {
			name string
			o    analysis.FrontierOptions
		}{
			{"order=framework", analysis.FrontierOptions{Order: analysis.OrderFramework, Relax: analysis.RelaxNever}},
			{"order=greedy", analysis.FrontierOptions{Order: analysis.OrderGreedy, Relax: analysis.RelaxNever}},
			{"relax=budget", analysis.FrontierOptions{Relax: analysis.RelaxOnBudget}},
		} {
			b.Run(fmt.Sprintf("points=%d/interactions=%d/%s", c.points, c.interactions, v.name), func(b *testing.B) {
				s := nonLinearScaleSpace(b, c.points, c.interactions)
				if _, err := analysis.FrontierAdditive(s, v.o); err != nil {
					b.Skipf("%v", err)
				}
				var fr *analysis.Frontier
				for b.Loop() {
					var err error
					if fr, err = analysis.FrontierAdditive(s, v.o); err != nil {
						b.Fatal(err)
					}
				}
				hi := 0.0
				for _, t := range s.Tables {
					m, _ := t.Max()
					hi = max(hi, m)
				}
				g, fw := methodOpen(fr.Method)
				b.ReportMetric(float64(len(fr.Points)), "points")
				b.ReportMetric(float64(methodStates(fr.Method)), "states")
				b.ReportMetric(float64(g), "open")
				b.ReportMetric(float64(fw), "open-framework")
				b.ReportMetric(fr.ErrorBound, "D")
				b.ReportMetric(100*fr.ErrorBound/hi, "D%")
				b.Logf("%s", fr.Method)
			})
		}
	}
}
