package session

import (
	"github.com/parley-negotiation/parley/agent"
	"math/rand/v2"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
)

// bruteBestAllowed enumerates the packages: the best that crosses no red
// line (ties: the first in package order), or nil.
func bruteBestAllowed(f *framework.Framework, t *profile.Table, pr *profile.Profile) framework.Package {
	radix := f.Radix()
	var best framework.Package
	bu := 0.0
	pkg := make(framework.Package, len(radix))
	var rec func(int)
	rec = func(k int) {
		if k == len(radix) {
			if pr.CrossesRedLine(pkg) >= 0 {
				return
			}
			if u := t.Utility(pkg); best == nil || u > bu {
				best, bu = pkg.Clone(), u
			}
			return
		}
		for l := range radix[k] {
			pkg[k] = l
			rec(k + 1)
		}
	}
	rec(0)
	return best
}

// TestBestAllowedRespectsRedLines: the package an agent is taken to offer
// when it neither offers nor ends the talks (and the web UI's "Load my
// best package") never crosses the party's own red lines — a red line on
// its best option of a point included — and is the best package that
// crosses none, whatever the reservation value.
func TestBestAllowedRespectsRedLines(t *testing.T) {
	sc := testScenario()
	f := sc.Framework
	r := rand.New(rand.NewPCG(3, 7))
	checked := 0
	for _, pa := range sc.Principals() {
		for trial := range 40 {
			pr := *pa.Profile
			tb, err := pr.Compile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, top := tb.Max()
			// A red line on the best option of a random point, and now
			// and then a two-point line on the best options.
			k := r.IntN(len(f.Points))
			pr.RedLines = []profile.RedLine{{Terms: []profile.Term{{Point: k, Levels: []int{top[k]}}}}}
			if trial%3 == 0 && len(f.Points) > 1 {
				j := (k + 1) % len(f.Points)
				pr.RedLines = append(pr.RedLines, profile.RedLine{Terms: []profile.Term{{Point: j, Levels: []int{top[j]}}, {Point: (j + 1) % len(f.Points), Levels: []int{r.IntN(f.Points[(j+1)%len(f.Points)].Levels())}}}})
			}
			// A reservation above every package changes nothing.
			hi := 1e6
			pr.Reservation = &hi
			tb, err = pr.Compile(f)
			if err != nil {
				t.Fatal(err)
			}
			got := BestAllowed(tb, &pr)
			want := bruteBestAllowed(f, tb, &pr)
			if want == nil {
				continue
			}
			checked++
			if pr.CrossesRedLine(got) >= 0 {
				t.Fatalf("%s: BestAllowed %v crosses red line %d of %+v", pa.ID, got, pr.CrossesRedLine(got), pr.RedLines)
			}
			if tb.Utility(got) != tb.Utility(want) {
				t.Errorf("%s: BestAllowed %v worth %v, the best allowed %v is worth %v", pa.ID, got, tb.Utility(got), want, tb.Utility(want))
			}
		}
	}
	if checked < 50 {
		t.Fatalf("only %d cases with an allowed package", checked)
	}
	// Without red lines it is the best package.
	pa := sc.Principals()[0]
	tb, err := pa.Profile.Compile(f)
	if err != nil {
		t.Fatal(err)
	}
	pr := *pa.Profile
	pr.RedLines = nil
	if _, best := tb.Max(); BestAllowed(tb, &pr).Key() != best.Key() {
		t.Errorf("without red lines: %v, want the best package %v", BestAllowed(tb, &pr), best)
	}
}

// TestBestAllowedMiami: on the Miami scenario, with every party's own red
// lines and one more on its best option of its most important point.
func TestBestAllowedMiami(t *testing.T) {
	sc, err := scenario.Builtin("miami-2025")
	if err != nil {
		t.Skip("no miami-2025:", err)
	}
	f := sc.Framework
	for _, pa := range sc.Principals() {
		pr := *pa.Profile
		tb, err := pr.Compile(f)
		if err != nil {
			t.Fatal(err)
		}
		u, top := tb.Max()
		k := 0
		for i, w := range pr.Weights {
			if w > pr.Weights[k] {
				k = i
			}
		}
		pr.RedLines = append(append([]profile.RedLine(nil), pr.RedLines...), profile.RedLine{Terms: []profile.Term{{Point: k, Levels: []int{top[k]}}}})
		got := BestAllowed(tb, &pr)
		if pr.CrossesRedLine(got) >= 0 {
			t.Fatalf("%s: %v crosses its red line %d", pa.ID, got, pr.CrossesRedLine(got))
		}
		// The best allowed differs from the best only where it must:
		// per point, the best option no one-point red line forbids.
		if g := tb.Utility(got); g >= u || g < u-tb.Contrib[k][top[k]] {
			t.Errorf("%s: best allowed worth %v, best %v", pa.ID, g, u)
		}
	}
}

// passive neither offers nor ends the talks: the engine offers for it.
type passive struct{}

func (passive) Name() string                 { return "passive" }
func (passive) Init(*agent.View)             {}
func (passive) Act(*agent.View) agent.Action { return agent.Action{Kind: agent.Accept} }

// TestRunnerOffersWithinRedLines: under amop an agent that neither offers
// nor ends the talks is taken to offer its best package within its red
// lines — never one that crosses them.
func TestRunnerOffersWithinRedLines(t *testing.T) {
	sc := testScenario()
	for i := range sc.Parties {
		p := sc.Parties[i].Profile
		if p == nil {
			continue
		}
		tb, err := p.Compile(sc.Framework)
		if err != nil {
			t.Fatal(err)
		}
		_, top := tb.Max()
		p.RedLines = []profile.RedLine{{Terms: []profile.Term{{Point: 0, Levels: []int{top[0]}}}}}
	}
	s, err := New(sc, Config{Protocol: AMOP, Rounds: 2}, fakeClock())
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRunner(s, map[string]agent.Negotiator{"a": passive{}, "b": passive{}, "c": passive{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Run(); err != nil {
		t.Fatal(err)
	}
	offers := 0
	for _, e := range s.Events() {
		if e.Kind != KindOffer || e.Move == nil {
			continue
		}
		offers++
		pr := sc.Party(e.Party).Profile
		if k := pr.CrossesRedLine(e.Move.Package); k >= 0 {
			t.Errorf("%s's offer %v crosses its red line %d", e.Party, e.Move.Package, k)
		}
	}
	if offers == 0 {
		t.Fatal("no offer made")
	}
}
