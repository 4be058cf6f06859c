package profile

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/framework"
)

// valid is a profile of testFramework that passes Check; each case of
// TestCheckBounds breaks one thing.
func valid() *Profile {
	rv := 0.3
	return &Profile{
		Weights: []float64{0.5, 0.3, 0.2},
		Scores:  [][]float64{{2, 4, 8}, nil, nil},
		Funcs: []*ValueFunc{nil,
			{Kind: Linear, Slope: -0.15, Offset: 1, Origin: 8},
			{Kind: Triangular, Low: 10, Top: 20, High: 40, TopValue: 1}},
		Reservation: &rv,
		RedLines:    []RedLine{{Terms: []Term{{Point: 0, Levels: []int{1}}, {Point: 1, Levels: []int{0, 2}}}}},
		Uncertainty: &Uncertainty{Weights: []*Interval{{0.4, 0.6}, nil, nil}, Reservation: &Interval{0.2, 0.4}},
	}
}

// TestCheckBounds: issue 12 — weights of 1e308 passed Check and made the
// analysis run for minutes and its JSON fail on +Inf. Every number and
// size of a profile is now bounded, in one place.
func TestCheckBounds(t *testing.T) {
	f := testFramework()
	if err := valid().Check(f); err != nil {
		t.Fatalf("valid profile: %v", err)
	}
	huge, inf, nan := 1e308, math.Inf(1), math.NaN()
	tests := []struct {
		name string
		edit func(p *Profile, f *framework.Framework)
		want string
	}{
		{"weight 1e308", func(p *Profile, f *framework.Framework) { p.Weights[0] = huge }, `point "a": weight 1e+308 is not a number in [0, 1e+06]`},
		{"weight above MaxWeight", func(p *Profile, f *framework.Framework) { p.Weights[1] = MaxWeight * 1.5 }, `point "n": weight 1.5e+06`},
		{"weight NaN", func(p *Profile, f *framework.Framework) { p.Weights[2] = nan }, `point "r": weight NaN`},
		{"score 1e308", func(p *Profile, f *framework.Framework) { p.Scores[0][2] = huge }, `option "z": score 1e+308`},
		{"score +Inf", func(p *Profile, f *framework.Framework) { p.Scores[0][0] = inf }, `score +Inf`},
		{"reservation +Inf", func(p *Profile, f *framework.Framework) { p.Reservation = &inf }, `reservation +Inf`},
		{"reservation 1e308", func(p *Profile, f *framework.Framework) { p.Reservation = &huge }, `reservation 1e+308`},
		{"linear slope 1e308", func(p *Profile, f *framework.Framework) { p.Funcs[1].Slope = huge }, `point "n": linear function: parameter 1e+308`},
		{"linear offset NaN", func(p *Profile, f *framework.Framework) { p.Funcs[1].Offset = nan }, `parameter NaN`},
		{"triangular top value", func(p *Profile, f *framework.Framework) { p.Funcs[2].TopValue = huge }, `top value 1e+308`},
		{"constant value", func(p *Profile, f *framework.Framework) { p.Funcs[2] = &ValueFunc{Kind: Constant, Value: inf} }, `constant function: value +Inf`},
		{"unknown function", func(p *Profile, f *framework.Framework) { p.Funcs[2] = &ValueFunc{Kind: FuncKind(9)} }, `unknown kind`},
		{"scores for a numeric point", func(p *Profile, f *framework.Framework) { p.Scores[1] = []float64{1} }, `scores for integer point`},
		{"function for an options point", func(p *Profile, f *framework.Framework) { p.Funcs[0] = &ValueFunc{Kind: Constant} }, `value function for an options point`},
		{"funcs of the wrong length", func(p *Profile, f *framework.Framework) { p.Funcs = p.Funcs[:2] }, `value functions for 2 points`},
		{"too many red lines", func(p *Profile, f *framework.Framework) {
			p.RedLines = make([]RedLine, MaxRedLines+1)
			for i := range p.RedLines {
				p.RedLines[i] = RedLine{Terms: []Term{{Point: 0, Levels: []int{0}}}}
			}
		}, `1001 red lines (at most 1000)`},
		{"red line listing a level twice", func(p *Profile, f *framework.Framework) { p.RedLines[0].Terms[1].Levels = []int{2, 2} }, `level 10 listed twice`},
		{"red line with a point twice", func(p *Profile, f *framework.Framework) {
			p.RedLines[0].Terms = append(p.RedLines[0].Terms, Term{Point: 0, Levels: []int{2}})
		}, `point "a" in two terms`},
		{"red line term without levels", func(p *Profile, f *framework.Framework) { p.RedLines[0].Terms[0].Levels = nil }, `point "a": no levels`},
		{"red lines listing too many levels", func(p *Profile, f *framework.Framework) {
			many := make([]int, 0, MaxRedLineLevels/2+1)
			for i := range MaxRedLineLevels/2 + 1 {
				many = append(many, i)
			}
			f.Points[1].Max = f.Points[1].Min + float64(MaxRedLineLevels)
			p.RedLines = []RedLine{{Terms: []Term{{Point: 1, Levels: many}}}, {Terms: []Term{{Point: 1, Levels: many}}}}
		}, `more than 1048576 levels`},
		{"weight interval 1e308", func(p *Profile, f *framework.Framework) { p.Uncertainty.Weights[1] = &Interval{0, huge} }, `weight of point "n": interval [0, 1e+308]`},
		{"weight interval reversed", func(p *Profile, f *framework.Framework) { p.Uncertainty.Weights[1] = &Interval{0.5, 0.1} }, `interval [0.5, 0.1]`},
		{"score interval NaN", func(p *Profile, f *framework.Framework) {
			p.Uncertainty.Scores = [][]*Interval{{nil, {nan, 1}, nil}, nil, nil}
		}, `score of option "y" of point "a": interval [NaN, 1]`},
		{"score intervals for a numeric point", func(p *Profile, f *framework.Framework) {
			p.Uncertainty.Scores = [][]*Interval{nil, {{0, 1}}, nil}
		}, `scores of point "n"`},
		{"reservation interval +Inf", func(p *Profile, f *framework.Framework) { p.Uncertainty.Reservation = &Interval{0, inf} }, `reservation: interval [0, +Inf]`},
		{"intervals for too many points", func(p *Profile, f *framework.Framework) { p.Uncertainty.Weights = make([]*Interval, 4) }, `more than the 3 points`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := testFramework()
			p := valid()
			tt.edit(p, f)
			err := p.Check(f)
			if err == nil {
				t.Fatalf("Check accepted it")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
	// Out-of-bounds errors are ErrOutOfBounds, whatever the number.
	p := valid()
	p.Weights[0] = huge
	if err := p.Check(f); !errors.Is(err, ErrOutOfBounds) {
		t.Errorf("weight 1e308: %v, want ErrOutOfBounds", err)
	}
}

// FuzzCheckBounds: whatever the numbers, a profile that passes Check has a
// finite utility for every package, finite best and worst utilities and a
// finite reservation, so no sum, difference or product of two parties'
// gains the analysis forms is NaN or infinite.
func FuzzCheckBounds(f *testing.F) {
	f.Add(0.5, 0.3, 0.2, 2.0, 4.0, 8.0, 0.3, -0.15, 1.0, 8.0, 10.0, 20.0, 40.0, 1.0)
	f.Add(1e308, 1e308, 1e308, 1e308, 0.0, 1.0, 1e308, 1e308, 1e308, -1e308, -1e308, 0.0, 1e308, 1e308)
	f.Add(1e6, 1e6, 1e6, 1e6, 1e6, 1e6, 1e9, 1e100, -1e100, 1e100, -1e100, 0.0, 1e100, 1e6)
	f.Fuzz(func(t *testing.T, w0, w1, w2, s0, s1, s2, res, slope, offset, origin, low, top, high, topValue float64) {
		fw := testFramework()
		p := &Profile{
			Weights: []float64{w0, w1, w2},
			Scores:  [][]float64{{s0, s1, s2}, nil, nil},
			Funcs: []*ValueFunc{nil,
				{Kind: Linear, Slope: slope, Offset: offset, Origin: origin},
				{Kind: Triangular, Low: low, Top: top, High: high, TopValue: topValue}},
			Reservation: &res,
		}
		for _, scale := range []Scale{ScaleMax, ScaleAbsolute} {
			p.Scale = scale
			tb, err := p.Compile(fw)
			if err != nil {
				continue
			}
			finite := func(what string, v float64) {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("%v accepted by Check gives %s %v", p, what, v)
				}
			}
			hi, _ := tb.Max()
			finite("max utility", hi)
			finite("min utility", tb.Min())
			finite("reservation", tb.Reservation)
			finite("gain product", (hi-tb.Reservation)*(tb.Min()-tb.Reservation))
			for a := range 3 {
				for b := range fw.Points[1].Levels() {
					for c := range fw.Points[2].Levels() {
						finite("utility", tb.Utility(framework.Package{a, b, c}))
					}
				}
			}
		}
	})
}
