package agent

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// match sets up n random profiles on a framework of the given radix.
func match(t testing.TB, seed uint64, n int, radix ...int) (*framework.Framework, []*profile.Profile, []*profile.Table) {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	f := testFramework(radix...)
	var ps []*profile.Profile
	var ts []*profile.Table
	for range n {
		p := randomProfile(rng, f, true)
		ps = append(ps, p)
		ts = append(ts, compile(t, f, p))
	}
	return f, ps, ts
}

// TestBoulwareConcederAgree: the minimal alternating-offers loop shows
// Boulware and Conceder agreeing before the deadline, in either order, on
// small random domains, and the agreement is individually rational for both
// in the sense that each accepted or proposed it.
func TestBoulwareConcederAgree(t *testing.T) {
	for seed := range uint64(20) {
		f, ps, ts := match(t, seed, 2, 4, 3, 5, 2)
		for _, order := range [][]Negotiator{{Boulware(), Conceder()}, {Conceder(), Boulware()}} {
			res := runSAOP(t, f, ps, ts, order, 30)
			if res.Agreement == nil {
				t.Errorf("seed %d %s vs %s: no agreement in 30 rounds", seed, order[0].Name(), order[1].Name())
				continue
			}
			if res.Round > 30 {
				t.Errorf("seed %d: agreement after the deadline", seed)
			}
		}
	}
}

// TestStrategiesAgree runs every pair of negotiators on random domains and
// checks the invariants each promises: offers are complete packages that
// never cross the offerer's red lines; the tit-for-tat, hard-headed and
// random negotiators never offer or accept below their reservation value.
func TestStrategiesAgree(t *testing.T) {
	makers := map[string]func() Negotiator{
		"boulware":   func() Negotiator { return Boulware() },
		"conceder":   func() Negotiator { return Conceder() },
		"floor":      func() Negotiator { return NewTimeDependent(0.5, WithFloor()) },
		"tft":        func() Negotiator { return NewTitForTat() },
		"nice-tft":   func() Negotiator { return NewNiceTitForTat() },
		"hardheaded": func() Negotiator { return NewHardHeaded() },
		"random":     func() Negotiator { return NewRandom(42) },
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range makers {
			if !yield(k) {
				return
			}
		}
	})
	agreements := map[string]int{}
	for seed := range uint64(6) {
		f, ps, ts := match(t, 100+seed, 2, 3, 4, 3, 5)
		for i := range ps {
			rv := 0.3
			ps[i].Reservation = &rv
			ps[i].RedLines = []profile.RedLine{{Terms: []profile.Term{{Point: 0, Levels: []int{i}}, {Point: 1, Levels: []int{1}}}}}
			ts[i] = compile(t, f, ps[i])
		}
		for _, a := range names {
			for _, b := range names {
				negs := []Negotiator{makers[a](), makers[b]()}
				checker := &checking{t: t, negs: negs}
				res := runSAOP(t, f, ps, ts, checker.wrap(), 40)
				if res.Agreement != nil {
					agreements[a+" vs "+b]++
				}
			}
		}
	}
	for _, pair := range []string{"tft vs tft", "nice-tft vs nice-tft", "tft vs conceder", "boulware vs conceder", "hardheaded vs conceder", "random vs random"} {
		if agreements[pair] == 0 {
			t.Errorf("%s never agreed", pair)
		}
	}
}

// checking wraps negotiators and checks their actions against their promises.
type checking struct {
	t    *testing.T
	negs []Negotiator
}

type checked struct {
	c *checking
	Negotiator
}

func (c *checking) wrap() []Negotiator {
	out := make([]Negotiator, len(c.negs))
	for i, n := range c.negs {
		out[i] = checked{c, n}
	}
	return out
}

func (c checked) Act(v *View) Action {
	act := c.Negotiator.Act(v)
	t := c.c.t
	rv := v.Table.Reservation
	_, isTimeDep := c.Negotiator.(*TimeDependent)
	floored := !isTimeDep || c.Negotiator.(*TimeDependent).o.floor
	switch act.Kind {
	case MakeOffer:
		if crosses(v, act.Package) {
			t.Errorf("%s offered %v across its red line", c.Name(), act.Package)
		}
		if u := v.Table.Utility(act.Package); floored && u < rv && math.Abs(u-rv) > 1e-12 {
			t.Errorf("%s offered utility %v below its reservation %v", c.Name(), u, rv)
		}
	case Accept:
		if !slices.Equal(act.Package, v.Current.Package) {
			t.Errorf("%s accepted %v, the table has %v", c.Name(), act.Package, v.Current.Package)
		}
		if crosses(v, v.Current.Package) {
			t.Errorf("%s accepted a package across its red line", c.Name())
		}
		if u := v.Table.Utility(v.Current.Package); floored && u < rv {
			t.Errorf("%s accepted utility %v below its reservation %v", c.Name(), u, rv)
		}
	case EndTalks:
		t.Errorf("%s walked away", c.Name())
	}
	return act
}

// trace runs a session and returns every action.
func trace(t *testing.T, negs []Negotiator, f *framework.Framework, ps []*profile.Profile, ts []*profile.Table) []Action {
	var acts []Action
	rec := &recording{acts: &acts}
	wrapped := make([]Negotiator, len(negs))
	for i, n := range negs {
		wrapped[i] = recorded{rec, n}
	}
	runSAOP(t, f, ps, ts, wrapped, 30)
	return acts
}

type recording struct{ acts *[]Action }

type recorded struct {
	r *recording
	Negotiator
}

func (r recorded) Act(v *View) Action {
	a := r.Negotiator.Act(v)
	*r.r.acts = append(*r.r.acts, Action{a.Kind, a.Package.Clone()})
	return a
}

// TestDeterminism: the same negotiators with the same seeds act the same;
// the random negotiator's choices depend on its seed.
func TestDeterminism(t *testing.T) {
	f, ps, ts := match(t, 5, 3, 4, 4, 4, 4)
	for i := range ps {
		rv := 0.6
		ps[i].Reservation = &rv
		ts[i] = compile(t, f, ps[i])
	}
	mk := func(seed uint64) []Negotiator {
		return []Negotiator{NewRandom(seed), NewNiceTitForTat(), NewRandom(seed + 1)}
	}
	a, b := trace(t, mk(1), f, ps, ts), trace(t, mk(1), f, ps, ts)
	if !slices.EqualFunc(a, b, func(x, y Action) bool { return x.Kind == y.Kind && slices.Equal(x.Package, y.Package) }) {
		t.Error("same seeds, different sessions")
	}
	c := trace(t, mk(2), f, ps, ts)
	if slices.EqualFunc(a, c, func(x, y Action) bool { return x.Kind == y.Kind && slices.Equal(x.Package, y.Package) }) {
		t.Error("different seeds, identical sessions")
	}
	// Init restarts the generator: a reused negotiator replays its session.
	r := NewRandom(9)
	d, e := trace(t, []Negotiator{r, Boulware()}, f, ps[:2], ts[:2]), trace(t, []Negotiator{r, Boulware()}, f, ps[:2], ts[:2])
	if !slices.EqualFunc(d, e, func(x, y Action) bool { return x.Kind == y.Kind && slices.Equal(x.Package, y.Package) }) {
		t.Error("a reused random negotiator did not replay its session after Init")
	}
}

// TestTitForTatMirrors: the naive tit-for-tat negotiator's asked utility
// falls by the opponent's concession (in its own utility) plus kindness.
func TestTitForTatMirrors(t *testing.T) {
	f := testFramework(11)
	scores := make([]float64, 11)
	for l := range scores {
		scores[l] = float64(10 - l) // level l is worth 1 − l/10
	}
	p := &profile.Profile{Weights: []float64{1}, Scores: [][]float64{scores}}
	tb := compile(t, f, p)
	a := NewTitForTat(WithKindness(0))
	v := &View{Self: 0, Parties: 2, Framework: f, Profile: p, Table: tb, Round: 1, Deadline: 20}
	a.Init(v)
	if act := a.Act(v); tb.Utility(act.Package) != 1 {
		t.Fatalf("opening %v", act)
	}
	// The opponent opens at 0.1 for us, then offers 0.3: a concession of 0.2.
	v.History = []Offer{{By: 0, Package: framework.Package{0}}, {By: 1, Package: framework.Package{9}}}
	v.Current = &v.History[1]
	v.Round = 2
	if act := a.Act(v); act.Kind != MakeOffer || tb.Utility(act.Package) != 1 {
		t.Errorf("no concession yet: %v (%v)", act, tb.Utility(act.Package))
	}
	v.History = append(v.History, Offer{By: 0, Package: framework.Package{0}}, Offer{By: 1, Package: framework.Package{7}})
	v.Current = &v.History[3]
	v.Round = 3
	act := a.Act(v)
	if act.Kind != MakeOffer || math.Abs(tb.Utility(act.Package)-0.8) > 1e-12 {
		t.Errorf("after a 0.2 concession: %v (%v), want an offer of 0.8", act, tb.Utility(act.Package))
	}
	// An offer at its target is accepted.
	v.History = append(v.History, Offer{By: 0, Package: act.Package}, Offer{By: 1, Package: framework.Package{2}})
	v.Current = &v.History[5]
	if act := a.Act(v); act.Kind != Accept {
		t.Errorf("offer of 0.8 after asking 0.8 (with the opponent conceding to it): %v", act)
	}
}

func TestFrequencyModel(t *testing.T) {
	f := testFramework(3, 3)
	m := NewFrequencyModel(f)
	if u := m.Utility(framework.Package{0, 0}); u != 1 {
		t.Errorf("empty model: %v", u)
	}
	// The opponent insists on option 2 of point 0 and varies point 1.
	for _, l := range []int{0, 1, 2, 0, 1} {
		m.Observe(framework.Package{2, l})
	}
	if m.Offers() != 5 {
		t.Errorf("Offers %d", m.Offers())
	}
	if a, b := m.Utility(framework.Package{2, 0}), m.Utility(framework.Package{0, 0}); a <= b {
		t.Errorf("insisted option not preferred: %v vs %v", a, b)
	}
	// Point 0 never changed, so it weighs more than point 1.
	if a, b := m.Utility(framework.Package{2, 2}), m.Utility(framework.Package{1, 0}); a <= b {
		t.Errorf("weights: %v vs %v", a, b)
	}
}

func TestHardHeaded(t *testing.T) {
	f, p, tb := ladder(t, nil)
	a := NewHardHeaded(WithLevel(0.7))
	v := view(f, p, tb, 1, 10, nil)
	a.Init(v)
	seen := map[int]bool{}
	for r := 1; r <= 10; r++ {
		act := a.Act(view(f, p, tb, r, 10, nil))
		if u := tb.Utility(act.Package); u < 0.7 {
			t.Errorf("offered %v below its target", u)
		}
		seen[act.Package[0]] = true
		for l := range 6 {
			got := a.Act(view(f, p, tb, r, 10, &Offer{By: 1, Package: framework.Package{l}})).Kind == Accept
			if want := tb.Utility(framework.Package{l}) >= 0.7; got != want {
				t.Errorf("round %d level %d: accept %v, want %v", r, l, got, want)
			}
		}
	}
	if len(seen) != 2 { // utilities 1 and 0.8 are the only ones ≥ 0.7
		t.Errorf("offered %v", seen)
	}
}

func TestVoters(t *testing.T) {
	rv := 0.3
	f, p, tb := ladder(t, &rv)
	p.RedLines = []profile.RedLine{{Terms: []profile.Term{{Point: 0, Levels: []int{1}}}}}
	tb = compile(t, f, p)
	v := view(f, p, tb, 5, 10, nil)
	hc := NewHillClimber()
	for _, c := range []struct {
		prop, prev int // levels; -1: no previous
		want       bool
	}{
		{2, -1, true},  // 0.6 ≥ 0
		{4, -1, false}, // 0.2 below the reservation value
		{2, 3, true},   // 0.6 ≥ 0.4
		{2, 2, true},   // equal is no worse
		{3, 2, false},  // 0.4 < 0.6
		{1, 2, false},  // red line
	} {
		var prev framework.Package
		if c.prev >= 0 {
			prev = framework.Package{c.prev}
		}
		if got := hc.Vote(v, framework.Package{c.prop}, prev); got != c.want {
			t.Errorf("hill climber %d after %d: %v, want %v", c.prop, c.prev, got, c.want)
		}
	}
	// Annealer: worse by 0.2 at t = 0 with T0 = 0.4 is accepted with
	// probability exp(−0.5); never at the deadline; the same seed votes the
	// same way.
	a, b := NewAnnealer(3, WithTemperature(0.4)), NewAnnealer(3, WithTemperature(0.4))
	v0 := &View{Framework: f, Profile: p, Table: tb, Time: 0}
	n, yes := 20000, 0
	for range n {
		x, y := a.Vote(v0, framework.Package{3}, framework.Package{2}), b.Vote(v0, framework.Package{3}, framework.Package{2})
		if x != y {
			t.Fatal("same seed, different votes")
		}
		if x {
			yes++
		}
	}
	if got, want := float64(yes)/float64(n), math.Exp(-0.5); math.Abs(got-want) > 0.015 {
		t.Errorf("acceptance rate %v, want about %v", got, want)
	}
	v1 := &View{Framework: f, Profile: p, Table: tb, Time: 1}
	for range 100 {
		if a.Vote(v1, framework.Package{3}, framework.Package{2}) {
			t.Fatal("annealer accepted a worse proposal at T = 0")
		}
	}
	if !a.Vote(v1, framework.Package{2}, framework.Package{3}) || a.Vote(v0, framework.Package{4}, nil) || a.Vote(v0, framework.Package{1}, nil) {
		t.Error("annealer: better proposals must pass, proposals below the reservation value or across a red line must not")
	}
	g := NewAnnealer(1, WithGeniusSchedule())
	if T := g.Temperature(&View{Round: 4, Deadline: 30, Time: RoundTime(4, 30)}); T != math.Max(3.0/30, 4.0/31) {
		t.Errorf("GENIUS temperature %v", T)
	}
	if T := a.Temperature(&View{Time: 0.25}); math.Abs(T-0.3) > 1e-15 {
		t.Errorf("temperature %v", T)
	}
}

// TestManyParties: four negotiators on a 20-point, 3-option framework
// (3.5·10⁹ packages, searched as a knapsack) reach an agreement.
func TestManyParties(t *testing.T) {
	radix := slices.Repeat([]int{3}, 20)
	f, ps, ts := match(t, 77, 4, radix...)
	negs := []Negotiator{Boulware(), Conceder(), NewNiceTitForTat(), Conceder()}
	res := runSAOP(t, f, ps, ts, negs, 60)
	if res.Agreement == nil {
		t.Fatalf("no agreement among %d parties", len(negs))
	}
	for i, a := range negs {
		if sp := spaceOf(a); sp == nil || sp.Exact() {
			t.Errorf("%s: bid space %v, want a knapsack search", a.Name(), sp)
		}
		_ = i
	}
}

func spaceOf(n Negotiator) *BidSpace {
	switch a := n.(type) {
	case *TimeDependent:
		return a.sp.s
	case *TitForTat:
		return a.sp.s
	}
	return nil
}
