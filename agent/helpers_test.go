package agent

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// testFramework returns a framework of options points with the given
// numbers of options.
func testFramework(radix ...int) *framework.Framework {
	f := &framework.Framework{Name: "test"}
	for i, r := range radix {
		pt := framework.Point{ID: "p" + strconv.Itoa(i), Kind: framework.Options}
		for l := range r {
			pt.Options = append(pt.Options, framework.Option{ID: "o" + strconv.Itoa(l)})
		}
		f.Points = append(f.Points, pt)
	}
	return f
}

// randomRadix draws 1 to points points of 1 to levels levels.
func randomRadix(rng *rand.Rand, points, levels int) []int {
	radix := make([]int, 1+rng.IntN(points))
	for i := range radix {
		radix[i] = 1 + rng.IntN(levels)
	}
	return radix
}

// randomProfile draws a GENIUS-style profile: weights summing to 1, integer
// evaluations 1..levels (so utilities tie often, as in GENIUS domains) or,
// with fine set, real-valued evaluations.
func randomProfile(rng *rand.Rand, f *framework.Framework, fine bool) *profile.Profile {
	p := &profile.Profile{Scale: profile.ScaleMax}
	sum := 0.0
	for range f.Points {
		w := 0.1 + rng.Float64()
		if !fine {
			w = float64(1 + rng.IntN(4))
		}
		p.Weights = append(p.Weights, w)
		sum += w
	}
	for i := range p.Weights {
		p.Weights[i] /= sum
	}
	for i := range f.Points {
		s := make([]float64, len(f.Points[i].Options))
		for l := range s {
			if fine {
				s[l] = rng.Float64()
			} else {
				s[l] = float64(1 + rng.IntN(len(s)))
			}
		}
		p.Scores = append(p.Scores, s)
	}
	return p
}

func compile(t testing.TB, f *framework.Framework, p *profile.Profile) *profile.Table {
	t.Helper()
	tb, err := p.Compile(f)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// allBids enumerates every package with its utility.
func allBids(f *framework.Framework, tb *profile.Table) []Bid {
	var out []Bid
	radix := f.Radix()
	p := make(framework.Package, len(radix))
	var rec func(i int)
	rec = func(i int) {
		if i == len(radix) {
			out = append(out, Bid{p.Clone(), tb.Utility(p)})
			return
		}
		for l := range radix[i] {
			p[i] = l
			rec(i + 1)
		}
	}
	rec(0)
	return out
}

func newSpace(t testing.TB, f *framework.Framework, tb *profile.Table, opts ...SpaceOption) *BidSpace {
	t.Helper()
	s, err := NewBidSpace(f, tb, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// view returns a view for party self at round r of a deadline-round session.
func view(f *framework.Framework, p *profile.Profile, tb *profile.Table, r, deadline int, cur *Offer) *View {
	v := &View{Self: 0, Parties: 2, Framework: f, Profile: p, Table: tb, Round: r, Deadline: deadline, Time: RoundTime(r, deadline), Current: cur}
	if cur != nil {
		v.History = []Offer{*cur}
	}
	return v
}
