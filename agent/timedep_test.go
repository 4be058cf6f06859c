package agent

import (
	"math"
	"slices"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// ladder is one point whose six options are worth 1, 0.8, …, 0 to the owner.
func ladder(t testing.TB, reservation *float64) (*framework.Framework, *profile.Profile, *profile.Table) {
	f := testFramework(6)
	p := &profile.Profile{Weights: []float64{1}, Scores: [][]float64{{5, 4, 3, 2, 1, 0}}, Reservation: reservation}
	return f, p, compile(t, f, p)
}

// TestTargetCurves compares the target with GENIUS's formula,
// 1 − f(t − 1/(R+1)) with t = r/(R+1) and f(x) = x^(1/e), at several rounds,
// and with 1 − t^(1/e) without a round deadline.
func TestTargetCurves(t *testing.T) {
	f, p, tb := ladder(t, nil)
	for _, a := range []*TimeDependent{Boulware(), Linear(), Conceder(), NewTimeDependent(0.5), NewTimeDependent(0)} {
		for _, R := range []int{10, 30, 180} {
			for _, r := range []int{1, 2, R / 3, R / 2, R - 1, R} {
				v := view(f, p, tb, r, R, nil)
				// GENIUS, operation for operation: getTime() − offset.
				want, ideal := 1.0, 1.0
				if a.E() != 0 {
					want = 1 - math.Pow(float64(r)/float64(R+1)-1/float64(R+1), 1/a.E())
					ideal = 1 - math.Pow(float64(r-1)/float64(R+1), 1/a.E())
				}
				if got := a.Target(v); got != want || math.Abs(got-ideal) > 1e-14 {
					t.Errorf("%s round %d/%d: target %.17g, GENIUS %.17g", a.Name(), r, R, got, want)
				}
			}
		}
		for _, x := range []float64{0, 0.1, 0.5, 0.9, 1} {
			v := &View{Framework: f, Profile: p, Table: tb, Time: x}
			want := 1.0
			if a.E() != 0 {
				want = 1 - math.Pow(x, 1/a.E())
			}
			if got := a.Target(v); math.Abs(got-want) > 1e-15 {
				t.Errorf("%s at t=%v: target %v, want %v", a.Name(), x, got, want)
			}
		}
	}
	// A few values written out.
	for _, c := range []struct {
		a    *TimeDependent
		r, R int
		want float64
	}{
		{Boulware(), 16, 30, 1 - math.Pow(15.0/31, 5)},                          // 0.97347…
		{Conceder(), 2, 10, 0.6984886554222364},                                 // 1 − √(1/11)
		{Linear(), 10, 10, 1 - 9.0/11},                                          // 0.1818…
		{Boulware(), 1, 30, 1},                                                  // GENIUS opens at 1
		{Conceder(), 30, 30, 1 - math.Sqrt(29.0/31)},                            // never 0 on a round deadline
		{NewTimeDependent(1, WithRange(0.2, 0.9)), 6, 10, 0.2 + 0.7*(1-5.0/11)}, // BOA form
		{NewTimeDependent(1, WithStart(0.1)), 1, 10, 0.9},                       // k concedes at once
	} {
		if got := c.a.Target(view(f, p, tb, c.r, c.R, nil)); math.Abs(got-c.want) > 1e-14 {
			t.Errorf("%s round %d/%d: %v, want %v", c.a.Name(), c.r, c.R, got, c.want)
		}
	}
}

func TestTimeDependentActs(t *testing.T) {
	f, p, tb := ladder(t, nil)
	a := Linear()
	a.Init(view(f, p, tb, 1, 10, nil))
	// First turn of the session: the best package.
	if act := a.Act(view(f, p, tb, 1, 10, nil)); act.Kind != MakeOffer || tb.Utility(act.Package) != 1 {
		t.Errorf("opening %v, want an offer of utility 1", act)
	}
	// Round 3 of 10: target 1 − 2/11 ≈ 0.818, next bid 0.8.
	for _, c := range []struct {
		level int // utility 1 − 0.2·level
		want  Kind
	}{
		{0, Accept},    // 1 > 0.8
		{1, MakeOffer}, // 0.8 is not strictly better than 0.8 (GENIUS nextUtil < lastUtil)
		{2, MakeOffer},
	} {
		cur := &Offer{By: 1, Round: 3, Package: framework.Package{c.level}}
		act := a.Act(view(f, p, tb, 3, 10, cur))
		if act.Kind != c.want {
			t.Errorf("offer of level %d at round 3: %v, want kind %v", c.level, act, c.want)
		}
		if act.Kind == MakeOffer && !(math.Abs(tb.Utility(act.Package)-0.8) < 1e-12) {
			t.Errorf("round 3 offer %v, want utility 0.8", tb.Utility(act.Package))
		}
		if act.Kind == Accept && act.Package[0] != c.level {
			t.Errorf("accepted %v, not the offer on the table", act.Package)
		}
	}
	// Its own offer on the table is never accepted.
	if act := a.Act(view(f, p, tb, 9, 10, &Offer{By: 0, Package: framework.Package{0}})); act.Kind == Accept {
		t.Error("accepted its own offer")
	}
}

func TestTimeDependentFloorAndRedLines(t *testing.T) {
	rv := 0.5
	f, p, tb := ladder(t, &rv)
	p.RedLines = []profile.RedLine{{Terms: []profile.Term{{Point: 0, Levels: []int{0}}}}}
	tb = compile(t, f, p)
	plain, floor := Linear(), Linear(WithFloor())
	if floor.Name() != "linear(e=1,floor)" {
		t.Errorf("name %q", floor.Name())
	}
	for r := 1; r <= 10; r++ {
		for _, a := range []*TimeDependent{plain, floor} {
			v := view(f, p, tb, r, 10, nil)
			a.Init(v)
			act := a.Act(v)
			if act.Package[0] == 0 {
				t.Errorf("%s offered a package crossing its red line", a.Name())
			}
			if a == floor && tb.Utility(act.Package) < rv {
				t.Errorf("%s offered %v below its reservation value", a.Name(), tb.Utility(act.Package))
			}
			for l := range 6 {
				act := a.Act(view(f, p, tb, r, 10, &Offer{By: 1, Package: framework.Package{l}}))
				if act.Kind == Accept && (l == 0 || (a == floor && tb.Utility(act.Package) < rv)) {
					t.Errorf("%s accepted level %d at round %d", a.Name(), l, r)
				}
			}
		}
	}
	// Late in the session the plain negotiator accepts 0.4, the floored one not.
	cur := &Offer{By: 1, Package: framework.Package{3}}
	if act := plain.Act(view(f, p, tb, 10, 10, cur)); act.Kind != Accept {
		t.Errorf("plain linear at the deadline: %v, want accept of 0.4", act)
	}
	if act := floor.Act(view(f, p, tb, 10, 10, cur)); act.Kind != MakeOffer || tb.Utility(act.Package) < rv {
		t.Errorf("floored linear at the deadline: %v", act)
	}
}

// TestTimeDependentDiscount: acceptance compares discounted utilities at
// the same time, so a discount factor does not change decisions.
func TestTimeDependentDiscount(t *testing.T) {
	f, p, tb := ladder(t, nil)
	p.Discount = 0.5
	a := Conceder()
	for r := 1; r <= 10; r++ {
		for l := range 6 {
			cur := &Offer{By: 1, Package: framework.Package{l}}
			d := a.Act(view(f, p, tb, r, 10, cur)).Kind
			p.Discount = 0
			u := a.Act(view(f, p, tb, r, 10, cur)).Kind
			p.Discount = 0.5
			if d != u {
				t.Errorf("round %d level %d: discounted %v, undiscounted %v", r, l, d, u)
			}
		}
	}
}

// TestTimeDependentReusesItsOffer: on a sorted space the time-dependent
// negotiator writes each offer into the storage of its previous one (no
// allocation per turn) and each answer is still Near's: the package of
// every turn equals a fresh Near on a fresh negotiator's space, and a
// caller that copied the previous offer keeps it intact.
func TestTimeDependentReusesItsOffer(t *testing.T) {
	f, p, tb := ladder(t, nil)
	a := Linear()
	a.Init(view(f, p, tb, 1, 10, nil))
	var kept []framework.Package // copies, as the session keeps offers
	for r := 1; r <= 10; r++ {
		act := a.Act(view(f, p, tb, r, 10, nil))
		if act.Kind != MakeOffer {
			t.Fatalf("round %d: %v, want an offer", r, act)
		}
		want := a.sp.s.Near(a.Target(view(f, p, tb, r, 10, nil)))
		if !slices.Equal(act.Package, want.Package) {
			t.Fatalf("round %d: offer %v, Near %v", r, act.Package, want.Package)
		}
		kept = append(kept, act.Package.Clone())
	}
	for r := 1; r < len(kept); r++ {
		if tb.Utility(kept[r]) > tb.Utility(kept[r-1]) {
			t.Fatalf("the kept offers %v do not concede in order: a copy was overwritten", kept)
		}
	}
	if tb.Utility(kept[0]) == tb.Utility(kept[len(kept)-1]) {
		t.Fatalf("the kept offers %v never moved", kept)
	}
	v := view(f, p, tb, 5, 10, nil)
	if allocs := testing.AllocsPerRun(100, func() { a.Act(v) }); allocs != 0 {
		t.Errorf("an offer allocates %v times, want 0", allocs)
	}
}
