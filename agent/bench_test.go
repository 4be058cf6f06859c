package agent

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
)

// benchSpace builds a bid space on points × options with fine utilities.
func benchSpace(b *testing.B, points, options int) (*framework.Framework, *profile.Profile, *profile.Table, *BidSpace) {
	rng := rand.New(rand.NewPCG(1, 2))
	f := testFramework(slices.Repeat([]int{options}, points)...)
	p := randomProfile(rng, f, true)
	tb := compile(b, f, p)
	return f, p, tb, newSpace(b, f, tb)
}

// BenchmarkBidSpaceNear: one "package closest to t" query on 20 points × 4
// and 20 points × 3 options (10^12 and 3.5·10^9 packages, knapsack search)
// and on 8 points × 6 options (1.68·10^6 packages, GENIUS's sorted list:
// sorted lazily, bucket by bucket as targets need them, or Complete), at
// targets drawn uniformly over the utility range.
func BenchmarkBidSpaceNear(b *testing.B) {
	for _, c := range []struct {
		name            string
		points, options int
		complete        bool
	}{{"20x4", 20, 4, false}, {"20x3", 20, 3, false}, {"8x6", 8, 6, false}, {"8x6-complete", 8, 6, true}} {
		b.Run(c.name, func(b *testing.B) {
			_, _, tb, s := benchSpace(b, c.points, c.options)
			if c.complete {
				s.Complete() // as a tournament's shared space
			}
			lo, hi := tb.Min(), s.Best().Utility
			rng := rand.New(rand.NewPCG(3, 4))
			targets := make([]float64, 1024)
			for i := range targets {
				targets[i] = lo + rng.Float64()*(hi-lo)
			}
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				s.Near(targets[i%len(targets)])
			}
		})
	}
}

// BenchmarkBidSpaceQueries: the other queries on 10^12 packages.
func BenchmarkBidSpaceQueries(b *testing.B) {
	_, _, tb, s := benchSpace(b, 20, 4)
	lo, hi := tb.Min(), s.Best().Utility
	rng := rand.New(rand.NewPCG(3, 4))
	targets := make([]float64, 1024)
	for i := range targets {
		targets[i] = lo + rng.Float64()*(hi-lo)
	}
	b.Run("AtLeast", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			s.AtLeast(targets[i%len(targets)])
		}
	})
	b.Run("Around8", func(b *testing.B) {
		var dst []Bid
		for i := 0; b.Loop(); i++ {
			dst = s.Around(targets[i%len(targets)], 8, dst[:0])
		}
	})
	b.Run("Within8", func(b *testing.B) {
		var dst []Bid
		for i := 0; b.Loop(); i++ {
			x := targets[i%len(targets)]
			dst = s.Within(x, x+0.02, 8, dst[:0])
		}
	})
}

// BenchmarkNewBidSpace: building the structure (done once per Init).
func BenchmarkNewBidSpace(b *testing.B) {
	for _, c := range []struct {
		name            string
		points, options int
	}{{"20x4-knapsack", 20, 4}, {"20x3-knapsack", 20, 3}, {"8x6-sorted", 8, 6}} {
		b.Run(c.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			f := testFramework(slices.Repeat([]int{c.options}, c.points)...)
			tb := compile(b, f, randomProfile(rng, f, true))
			for b.Loop() {
				if _, err := NewBidSpace(f, tb); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAct: one turn of each negotiator, the bid space already built,
// on 8 points × 6 options (bilateral, GENIUS's sorted list) and 20 points ×
// 3 options (4 parties, knapsack search), after 40 rounds of the others'
// offers. No offer is on the table, so every turn computes a counter-offer
// (the costlier path).
func BenchmarkAct(b *testing.B) {
	for _, c := range []struct {
		name                     string
		points, options, parties int
	}{{"8x6", 8, 6, 2}, {"20x3-4p", 20, 3, 4}} {
		rng := rand.New(rand.NewPCG(5, 6))
		f := testFramework(slices.Repeat([]int{c.options}, c.points)...)
		var ps []*profile.Profile
		var ts []*profile.Table
		for range c.parties {
			p := randomProfile(rng, f, true)
			ps = append(ps, p)
			ts = append(ts, compile(b, f, p))
		}
		space := newSpace(b, f, ts[0])
		// A history of 40 rounds of the other parties' random offers.
		var hist []Offer
		for r := 1; r <= 40; r++ {
			for j := 1; j < c.parties; j++ {
				p := make(framework.Package, c.points)
				for i := range p {
					p[i] = rng.IntN(c.options)
				}
				hist = append(hist, Offer{By: j, Round: r, Package: p})
			}
		}
		for _, neg := range []Negotiator{
			Boulware(WithBidSpace(space)), Conceder(WithBidSpace(space)),
			NewTitForTat(WithBidSpace(space)), NewNiceTitForTat(WithBidSpace(space)),
			NewHardHeaded(WithBidSpace(space)), NewRandom(1, WithBidSpace(space)),
		} {
			b.Run(c.name+"/"+neg.Name(), func(b *testing.B) {
				v := &View{Self: 0, Parties: c.parties, Framework: f, Profile: ps[0], Table: ts[0], Round: 41, Deadline: 60,
					Time: RoundTime(41, 60), History: hist}
				neg.Init(v)
				for b.Loop() {
					neg.Act(v)
				}
			})
		}
	}
}

// BenchmarkBidSpaceRedLines: Near and AtLeast on the built-in miami-2025
// scenario's Ukraine profile (20 points, 10^12 packages; a forbidden option
// and a forbidden combination: two boxes), its red lines searched around
// (ExcludingRedLines, as the negotiators build their spaces) and rejected
// (Excluding, as the tournament engine builds shared ones), at targets
// uniform over [0, 1].
func BenchmarkBidSpaceRedLines(b *testing.B) {
	sc, err := scenario.Builtin("miami-2025")
	if err != nil {
		b.Fatal(err)
	}
	pr := sc.Party("ukraine").Profile
	tb := compile(b, sc.Framework, pr)
	rng := rand.New(rand.NewPCG(3, 4))
	targets := make([]float64, 1024)
	for i := range targets {
		targets[i] = rng.Float64()
	}
	for _, c := range []struct {
		name string
		opt  SpaceOption
	}{
		{"boxes", ExcludingRedLines(pr.RedLines)},
		{"rejected", Excluding(func(p framework.Package) bool { return pr.CrossesRedLine(p) >= 0 })},
	} {
		s := newSpace(b, sc.Framework, tb, c.opt)
		b.Run(c.name+"/Near", func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				s.Near(targets[i%len(targets)])
			}
		})
		b.Run(c.name+"/AtLeast", func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				s.AtLeast(targets[i%len(targets)])
			}
		})
	}
}
