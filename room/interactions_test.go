package room_test

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/scenario"
)

// Interaction labels the tests plant and look for.
const (
	labelMore = "IA-LABEL-worth-more-together"
	labelLess = "IA-LABEL-worth-less-without"
)

// optionPoints returns the first three options points of f.
func optionPoints(t *testing.T, f *framework.Framework) [3]int {
	t.Helper()
	var out []int
	for i := range f.Points {
		if f.Points[i].Kind == framework.Options && f.Points[i].Levels() >= 2 {
			out = append(out, i)
		}
	}
	if len(out) < 3 {
		t.Fatalf("the framework has %d options points, want 3", len(out))
	}
	return [3]int{out[0], out[1], out[2]}
}

// withInteractions returns a copy of p with two interactions on points
// a, b, c: a bonus when a and b take their first options, and a penalty
// when c takes none of its first two (Outside).
func withInteractions(p *profile.Profile, pts [3]int) *profile.Profile {
	cp := *p
	cp.Interactions = []profile.Interaction{
		{Terms: []profile.Term{{Point: pts[0], Levels: []int{0}}, {Point: pts[1], Levels: []int{0}}}, Value: 0.0625, Label: labelMore},
		{Terms: []profile.Term{{Point: pts[2], Levels: []int{1, 0}}}, Value: -0.03125, Outside: true, Label: labelLess},
	}
	return &cp
}

// newAdditiveMiami is newMiami with every party's interactions taken out
// (the tests state their own; the built-in scenario may have some).
func newAdditiveMiami(t *testing.T, set room.Settings) *fixture {
	t.Helper()
	f := newMiami(t, set)
	for _, v := range f.parties {
		p := *f.view(v).Profile
		if len(p.Interactions) == 0 {
			continue
		}
		p.Interactions = nil
		if err := f.svc.SetProfile(f.ctx, v, f.neg, &p); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// requireInteractionStore skips the test when the scenario file format
// (package scenario, another part of issue 17) does not keep a profile's
// interactions yet: the room stores profiles in it.
func requireInteractionStore(t *testing.T) {
	t.Helper()
	sc, err := scenario.Builtin("miami-2025")
	if err != nil {
		t.Fatal(err)
	}
	pts := optionPoints(t, sc.Framework)
	k := slices.IndexFunc(sc.Parties, func(p scenario.Party) bool { return p.Profile != nil })
	sc.Parties[k].Profile = withInteractions(sc.Parties[k].Profile, pts)
	data, err := scenario.MarshalFormat(sc, "json")
	if err == nil {
		var back *scenario.Scenario
		if back, err = scenario.Parse("rt.json", data); err == nil && len(back.Parties[k].Profile.Interactions) == 2 {
			return
		}
	}
	t.Skipf("the scenario file format does not keep interactions yet (%v): the room cannot store them", err)
}

// TestInteractionsSavedEvaluatedPrivate: a party saves interactions with
// its profile, sees them in its own view and in Evaluate (the additive
// part, each interaction that applies, and a total equal to
// profile.Table.Utility bit for bit), removes one, and nobody else — the
// other parties, the mediator who sees aggregates only — sees their values
// or labels; the mediator's analysis says that some profile has them.
func TestInteractionsSavedEvaluatedPrivate(t *testing.T) {
	requireInteractionStore(t)
	f := newAdditiveMiami(t, room.Settings{})
	ru := f.parties["russia"]
	v := f.view(ru)
	pts := optionPoints(t, v.Framework)
	p := withInteractions(v.Profile, pts)
	if err := f.svc.SetProfile(f.ctx, ru, f.neg, p); err != nil {
		t.Fatalf("save a profile with interactions: %v", err)
	}
	got := f.view(ru).Profile
	if len(got.Interactions) != 2 || got.Interactions[0].Label != labelMore || got.Interactions[1].Value != -0.03125 || !got.Interactions[1].Outside {
		t.Fatalf("russia's own view after the save: %+v", got.Interactions)
	}
	tab, err := got.Compile(v.Framework)
	if err != nil {
		t.Fatal(err)
	}
	// Both apply: a and b at 0, c at its last option (outside {0, 1}).
	pkg := make(framework.Package, len(v.Framework.Points))
	pkg[pts[2]] = v.Framework.Points[pts[2]].Levels() - 1
	if pkg[pts[2]] < 2 {
		pkg[pts[2]] = framework.Open // no level outside {0,1}: the penalty cannot apply
	}
	ev, err := f.svc.Evaluate(f.ctx, ru, f.neg, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Utility != tab.Utility(pkg) {
		t.Errorf("evaluate: utility %v, profile.Table.Utility %v", ev.Utility, tab.Utility(pkg))
	}
	sum := 0.0
	for _, c := range ev.Points {
		sum += c
	}
	if ev.Additive != sum {
		t.Errorf("additive part %v, sum of the points %v", ev.Additive, sum)
	}
	want := []room.AppliedInteraction{{Index: 0, Label: labelMore, Value: 0.0625}}
	if pkg[pts[2]] != framework.Open {
		want = append(want, room.AppliedInteraction{Index: 1, Label: labelLess, Value: -0.03125})
	}
	if !slices.Equal(ev.Interactions, want) {
		t.Errorf("applied interactions %+v, want %+v", ev.Interactions, want)
	}
	total := ev.Additive
	for _, a := range ev.Interactions {
		total += a.Value
	}
	if math.Abs(total-ev.Utility) > 1e-12 {
		t.Errorf("additive %v + interactions = %v, utility %v", ev.Additive, total, ev.Utility)
	}
	if mx, _ := tab.Max(); ev.Max != mx {
		t.Errorf("max %v, profile.Table.Max %v", ev.Max, mx)
	}
	// None applies: a on another option, c inside the box.
	pkg[pts[0]], pkg[pts[2]] = 1, 0
	if ev, err = f.svc.Evaluate(f.ctx, ru, f.neg, pkg); err != nil || len(ev.Interactions) != 0 || ev.Utility != tab.Utility(pkg) {
		t.Errorf("evaluate with none applying: %+v, %v", ev, err)
	}

	// Nobody else sees the values or labels.
	for who, viewer := range map[string]room.Viewer{"ukraine": f.parties["ukraine"], "europe": f.parties["europe"], "the mediator": f.mediator()} {
		b, _ := json.Marshal(f.view(viewer))
		for _, s := range []string{labelMore, labelLess, "0.0625", "-0.03125"} {
			if strings.Contains(string(b), s) {
				t.Errorf("%s's view carries %q", who, s)
			}
		}
	}
	a, err := f.svc.Analysis(f.ctx, f.user, f.neg)
	if err != nil {
		t.Fatal(err)
	}
	// An aggregates-only mediator does not learn that any profile has
	// interactions (nor the method, which counts them).
	if a.Interactions || a.PartyInteractions != nil || a.FrontierMethod != "" || !a.FrontierExact {
		t.Errorf("overlap analysis: interactions %v, per party %v, frontier method %q, exact %v", a.Interactions, a.PartyInteractions, a.FrontierMethod, a.FrontierExact)
	}
	b, _ := json.Marshal(a)
	for _, s := range []string{labelMore, labelLess, "0.0625", "-0.03125"} {
		if strings.Contains(string(b), s) {
			t.Errorf("the mediator's analysis carries %q", s)
		}
	}

	// Removing one: the profile keeps the other.
	p.Interactions = p.Interactions[1:]
	if err := f.svc.SetProfile(f.ctx, ru, f.neg, p); err != nil {
		t.Fatal(err)
	}
	if got := f.view(ru).Profile.Interactions; len(got) != 1 || got[0].Label != labelLess {
		t.Errorf("after removing the first: %+v", got)
	}
	p.Interactions = nil
	if err := f.svc.SetProfile(f.ctx, ru, f.neg, p); err != nil {
		t.Fatal(err)
	}
	if got := f.view(ru).Profile.Interactions; len(got) != 0 {
		t.Errorf("after removing every one: %+v", got)
	}
	if a, err := f.svc.Analysis(f.ctx, f.user, f.neg); err != nil || a.Interactions {
		t.Errorf("analysis with no interaction left: interactions %v, %v", a != nil && a.Interactions, err)
	}
}

// TestInteractionsFullMediator: a mediator who sees the profiles learns
// how many interactions each party has.
func TestInteractionsFullMediator(t *testing.T) {
	requireInteractionStore(t)
	f := newAdditiveMiami(t, room.Settings{MediatorSees: room.MediatorFull})
	ru := f.parties["russia"]
	v := f.view(ru)
	if err := f.svc.SetProfile(f.ctx, ru, f.neg, withInteractions(v.Profile, optionPoints(t, v.Framework))); err != nil {
		t.Fatal(err)
	}
	a, err := f.svc.Analysis(f.ctx, f.user, f.neg)
	if err != nil {
		t.Fatal(err)
	}
	k := slices.Index(a.Parties, "russia")
	if !a.Interactions || k < 0 || len(a.PartyInteractions) != len(a.Parties) || a.PartyInteractions[k] != 2 {
		t.Errorf("full analysis: parties %v, interactions %v, per party %v", a.Parties, a.Interactions, a.PartyInteractions)
	}
}

// TestInteractionsRefused: an interaction profile.Check refuses (or a
// label too long) is refused with a message naming the interaction and
// the problem, and the profile stays as it was.
func TestInteractionsRefused(t *testing.T) {
	f := newMiami(t, room.Settings{})
	ru := f.parties["russia"]
	v := f.view(ru)
	pts := optionPoints(t, v.Framework)
	before, _ := json.Marshal(v.Profile)
	n := len(v.Framework.Points)
	cases := []struct {
		name string
		in   profile.Interaction
		want string
	}{
		{"no terms", profile.Interaction{Value: 0.1}, "interaction 1 (x): no terms"},
		{"a point twice", profile.Interaction{Terms: []profile.Term{{Point: pts[0], Levels: []int{0}}, {Point: pts[0], Levels: []int{1}}}, Value: 0.1}, "in two terms"},
		{"a point out of range", profile.Interaction{Terms: []profile.Term{{Point: n, Levels: []int{0}}}, Value: 0.1}, "out of range"},
		{"a level out of range", profile.Interaction{Terms: []profile.Term{{Point: pts[1], Levels: []int{99}}}, Value: 0.1}, "level 99 out of range"},
		{"no levels", profile.Interaction{Terms: []profile.Term{{Point: pts[1]}}, Value: 0.1}, "no levels"},
		{"a value too large", profile.Interaction{Terms: []profile.Term{{Point: pts[1], Levels: []int{0}}}, Value: 2e6}, "value 2e+06 is not a number"},
		{"a value not a number", profile.Interaction{Terms: []profile.Term{{Point: pts[1], Levels: []int{0}}}, Value: math.NaN()}, "value NaN is not a number"},
		{"a label too long", profile.Interaction{Terms: []profile.Term{{Point: pts[1], Levels: []int{0}}}, Value: 0.1, Label: strings.Repeat("é", room.MaxInteractionLabel)}, "interaction 1: label of 400 bytes"},
		{"a label not UTF-8", profile.Interaction{Terms: []profile.Term{{Point: pts[1], Levels: []int{0}}}, Value: 0.1, Label: "\xff"}, "not valid UTF-8"},
	}
	for _, c := range cases {
		p := *v.Profile
		in := c.in
		if in.Label == "" && c.name != "a label not UTF-8" {
			in.Label = "x"
		}
		p.Interactions = []profile.Interaction{in}
		err := f.svc.SetProfile(f.ctx, ru, f.neg, &p)
		if room.ErrorCode(err) != room.EINVALID || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want EINVALID naming %q", c.name, err, c.want)
		}
		if after, _ := json.Marshal(f.view(ru).Profile); string(after) != string(before) {
			t.Errorf("%s: the refused profile changed the stored one", c.name)
		}
	}
}
