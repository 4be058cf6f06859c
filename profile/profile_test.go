package profile

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/parley-negotiation/parley/framework"
)

func testFramework() *framework.Framework {
	return &framework.Framework{Name: "t", Points: []framework.Point{
		{ID: "a", Options: []framework.Option{{ID: "x"}, {ID: "y"}, {ID: "z"}}},
		{ID: "n", Kind: framework.Integer, Min: 8, Max: 14},
		{ID: "r", Kind: framework.Real, Min: 10, Max: 40, Steps: 4},
	}}
}

func TestUtilityGENIUSSemantics(t *testing.T) {
	f := testFramework()
	rv := 0.3
	p := &Profile{
		Weights: []float64{0.5, 0.3, 0.2},
		Scores:  [][]float64{{2, 4, 8}, nil, nil},
		Funcs: []*ValueFunc{nil,
			{Kind: Linear, Slope: -0.15, Offset: 1, Origin: 8},
			{Kind: Linear, Slope: -0.033333333, Offset: 1.3333333333}},
		Reservation: &rv,
	}
	tb, err := p.Compile(f)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		pkg  framework.Package
		want float64
	}{
		// 0.5·8/8 + 0.3·1 + 0.2·clamp(1.3333333333−0.33333333) = 0.5+0.3+0.2·1
		{framework.Package{2, 0, 0}, 0.5 + 0.3 + 0.2*clamp01(1.3333333333-0.033333333*10)},
		{framework.Package{0, 6, 3}, 0.5*2.0/8 + 0.3*(1-0.15*6) + 0.2*clamp01(1.3333333333-0.033333333*40)},
		{framework.Package{1, 3, 1}, 0.5*4.0/8 + 0.3*(1-0.15*3) + 0.2*clamp01(1.3333333333-0.033333333*20)},
	}
	for _, tt := range tests {
		if got := tb.Utility(tt.pkg); math.Abs(got-tt.want) > 1e-15 {
			t.Errorf("u(%v) = %v, want %v", tt.pkg, got, tt.want)
		}
	}
	if tb.Reservation != 0.3 {
		t.Errorf("reservation %v", tb.Reservation)
	}
	// A fallback better than the reservation value raises it.
	p.Fallback = framework.Package{2, 0, 0}
	tb, _ = p.Compile(f)
	if math.Abs(tb.Reservation-tests[0].want) > 1e-15 {
		t.Errorf("reservation with fallback %v", tb.Reservation)
	}
}

func TestValueFuncs(t *testing.T) {
	tri := &ValueFunc{Kind: Triangular, Low: 10, Top: 20, High: 40, TopValue: 1}
	for _, c := range []struct{ x, want float64 }{{5, 0}, {10, 0}, {15, 0.5}, {20, 1}, {30, 0.5}, {40, 0}, {50, 0}} {
		if got := tri.Eval(c.x); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("triangular(%v) = %v, want %v", c.x, got, c.want)
		}
	}
	if got := (&ValueFunc{Kind: Linear, Slope: 0.08, Offset: 0.3, Origin: -5}).Eval(5); got != 1 {
		t.Errorf("linear clamps above 1: %v", got)
	}
	if got := (&ValueFunc{Kind: Constant, Value: 0.4}).Eval(99); got != 0.4 {
		t.Errorf("constant %v", got)
	}
}

func TestDiscount(t *testing.T) {
	for _, c := range []struct{ d, t, u, want float64 }{
		{0.5, 1, 0.8, 0.4}, {0.5, 0, 0.8, 0.8}, {0, 1, 0.8, 0.8}, {1.5, 1, 0.8, 0.8}, {-1, 0.5, 0.8, 0.8},
		{0.25, 0.5, 1, 0.5}, {0.5, 2, 0.8, 0.4},
	} {
		p := &Profile{Discount: c.d}
		if got := p.Discounted(c.u, c.t); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("d=%v t=%v: %v, want %v", c.d, c.t, got, c.want)
		}
	}
}

func TestScaleAndCheck(t *testing.T) {
	f := &framework.Framework{Name: "s", Points: []framework.Point{{ID: "a", Options: []framework.Option{{ID: "x"}, {ID: "y"}}}}}
	abs := &Profile{Weights: []float64{1}, Scores: [][]float64{{0.25, 0.75}}, Scale: ScaleAbsolute}
	tb, _ := abs.Compile(f)
	if tb.Contrib[0][1] != 0.75 {
		t.Errorf("absolute scale: %v", tb.Contrib[0])
	}
	zero := &Profile{Weights: []float64{1}, Scores: [][]float64{{0, 0.000001}}}
	tb, _ = zero.Compile(f)
	if tb.Contrib[0][1] != 0 {
		t.Errorf("GENIUS maps a max below 1e-5 to 0: %v", tb.Contrib[0])
	}
	for _, bad := range []*Profile{
		{Weights: []float64{-1}, Scores: [][]float64{{1, 1}}},
		{Weights: []float64{1}, Scores: [][]float64{{1}}},
		{Weights: []float64{math.NaN()}, Scores: [][]float64{{1, 1}}},
		{Weights: []float64{1}, Scores: [][]float64{{1, 1}}, Fallback: framework.Package{framework.Open}},
		{Weights: []float64{1}, Scores: [][]float64{{1, 1}}, RedLines: []RedLine{{Terms: []Term{{Point: 0, Levels: []int{5}}}}}},
	} {
		if err := bad.Check(f); err == nil {
			t.Errorf("Check accepted %+v", bad)
		}
	}
}

func TestRedLine(t *testing.T) {
	r := RedLine{Terms: []Term{{Point: 0, Levels: []int{1, 2}}, {Point: 2, Levels: []int{0}}}}
	for _, c := range []struct {
		p    framework.Package
		want bool
	}{{framework.Package{1, 0, 0}, true}, {framework.Package{2, 5, 0}, true}, {framework.Package{0, 0, 0}, false}, {framework.Package{1, 0, 1}, false}, {framework.Package{1, 0, framework.Open}, false}} {
		if got := r.Crossed(c.p); got != c.want {
			t.Errorf("%v: crossed %v, want %v", c.p, got, c.want)
		}
	}
}

func TestSampleWithinIntervals(t *testing.T) {
	f := &framework.Framework{Name: "s", Points: []framework.Point{
		{ID: "a", Options: []framework.Option{{ID: "x"}, {ID: "y"}}},
		{ID: "b", Options: []framework.Option{{ID: "x"}, {ID: "y"}}},
	}}
	p := &Profile{Weights: []float64{0.5, 0.5}, Scores: [][]float64{{0, 1}, {0, 1}},
		Uncertainty: &Uncertainty{Weights: []*Interval{{0.2, 0.8}, nil}, Reservation: &Interval{0.1, 0.2}}}
	rng := rand.New(rand.NewPCG(1, 1))
	for range 1000 {
		tb, err := p.Sample(f, rng.Float64)
		if err != nil {
			t.Fatal(err)
		}
		u := tb.Utility(framework.Package{1, 1})
		if math.Abs(u-1) > 1e-12 {
			t.Fatalf("weights must keep their total: %v", u)
		}
		if tb.Reservation < 0.1 || tb.Reservation > 0.2 {
			t.Fatalf("reservation %v outside its interval", tb.Reservation)
		}
	}
}

// BenchmarkUtility measures additive evaluation: one utility of a random
// package of an 8-point × 6-option profile per op (outcomes/s/core).
func BenchmarkUtility(b *testing.B) {
	f := &framework.Framework{Name: "b"}
	p := &Profile{}
	rng := rand.New(rand.NewPCG(1, 2))
	for k := 0; k < 8; k++ {
		pt := framework.Point{ID: fmt.Sprint(k)}
		sc := make([]float64, 6)
		for l := range sc {
			pt.Options = append(pt.Options, framework.Option{ID: fmt.Sprint(l)})
			sc[l] = rng.Float64()
		}
		f.Points = append(f.Points, pt)
		p.Weights = append(p.Weights, 0.125)
		p.Scores = append(p.Scores, sc)
	}
	tb, err := p.Compile(f)
	if err != nil {
		b.Fatal(err)
	}
	pkgs := make([]framework.Package, 1024)
	for i := range pkgs {
		pkgs[i] = make(framework.Package, 8)
		for k := range pkgs[i] {
			pkgs[i][k] = rng.IntN(6)
		}
	}
	s := 0.0
	i := 0
	for b.Loop() {
		s += tb.Utility(pkgs[i&1023])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "outcomes/s")
	_ = s
}
