package agent

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

func TestByName(t *testing.T) {
	for _, c := range []struct{ spec, name string }{
		{"boulware", "boulware(e=0.2)"},
		{"Boulware", "boulware(e=0.2)"},
		{"conceder", "conceder(e=2)"},
		{"linear", "linear(e=1)"},
		{"linear:floor", "linear(e=1,floor)"},
		{"timedep:e=0.5", "timedep(e=0.5)"},
		{" timedep : e = 0.5 , floor ", "timedep(e=0.5,floor)"},
		{"timedep:e=3,min=0.2", "timedep(e=3,min=0.2,max=1)"},
		{"timedep:e=1,max=0.9,min=0.1,k=0.05", "timedep(e=1,min=0.1,max=0.9,k=0.05)"},
		{"tft", "tft(kindness=0.01)"},
		{"tft:kindness=0", "tft(kindness=0)"},
		{"nice-tft:kindness=0.03", "nice-tft(kindness=0.03)"},
		{"hardheaded", "hardheaded(level=0.9)"},
		{"hardheaded:level=0.8", "hardheaded(level=0.8)"},
		{"random", "random(seed=17)"},
		{"random:seed=3", "random(seed=3)"},
	} {
		n, err := ByName(c.spec, 17)
		if err != nil {
			t.Errorf("ByName(%q): %v", c.spec, err)
			continue
		}
		if n.Name() != c.name {
			t.Errorf("ByName(%q).Name() = %q, want %q", c.spec, n.Name(), c.name)
		}
	}
	for _, c := range []struct{ spec, want string }{
		{"bolware", "valid negotiators are boulware, conceder"},
		{"", "empty name"},
		{"timedep", "timedep needs e"},
		{"timedep:e=x", `e="x" is not a number`},
		{"timedep:e=-1", "e: expected a finite number of at least 0, found -1"},
		{"boulware:k=7", "k: expected a number from 0 to 1, found 7"},
		{"tft:kindness=2", "kindness: expected a number from 0 to 1"},
		{"linear:min=0.8,max=0.2", "max: 0.2 is below min (0.8)"},
		{"boulware:e=0.3", "fixed e"},
		{"tft:level=0.3", `tft takes no parameter "level"`},
		{"random:seed=-1", "not a non-negative integer"},
		{"hardheaded:level", "needs a value"},
		{"tft:,", "empty parameter"},
	} {
		_, err := ByName(c.spec, 1)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ByName(%q) error %v, want it to mention %q", c.spec, err, c.want)
		}
	}
	if _, err := ByName("nope", 1); !errors.Is(err, ErrUnknown) {
		t.Errorf("unknown name: %v does not wrap ErrUnknown", err)
	}
}

func TestVoterByName(t *testing.T) {
	for _, c := range []struct{ spec, name string }{
		{"hill-climber", "hill-climber"},
		{"hillclimber", "hill-climber"},
		{"annealer", "annealer(t0=0.1,seed=4)"},
		{"annealer:t0=0.3,seed=9", "annealer(t0=0.3,seed=9)"},
		{"annealer:genius", "annealer(genius,seed=4)"},
	} {
		v, err := VoterByName(c.spec, 4)
		if err != nil || v.Name() != c.name {
			t.Errorf("VoterByName(%q) = %v, %v; want %s", c.spec, v, err, c.name)
		}
	}
	for _, spec := range []string{"climber", "annealer:t0=0", "hill-climber:x=1", "annealer:hot=1"} {
		if _, err := VoterByName(spec, 1); err == nil {
			t.Errorf("VoterByName(%q) accepted", spec)
		}
	}
	if _, err := VoterByName("boulware", 1); !errors.Is(err, ErrUnknown) {
		t.Errorf("a negotiator as a voter: %v", err)
	}
}

// byNameSpecs gives the spec to build a registry name with when the bare
// name is not enough.
var byNameSpecs = map[string]string{"timedep": "timedep:e=0.5"}

// TestByNameSharesBidSpace: every negotiator ByName knows builds with
// WithBidSpace and searches the space it is given instead of building its
// own. The shared space leaves out the better half of the party's packages,
// so a negotiator searching a space of its own would offer one of them (its
// best package, first); the party's reservation value lies above every
// package, so that even the random negotiator, which draws its offers and
// searches only for a fallback, searches at every turn.
func TestByNameSharesBidSpace(t *testing.T) {
	f := testFramework(3, 4, 3, 2)
	rng := rand.New(rand.NewPCG(13, 13))
	profiles := []*profile.Profile{randomProfile(rng, f, true), randomProfile(rng, f, true)}
	high := 2.0
	profiles[0].Reservation = &high
	tables := make([]*profile.Table, 2)
	for i, p := range profiles {
		tb, err := p.Compile(f)
		if err != nil {
			t.Fatal(err)
		}
		tables[i] = tb
	}
	var us []float64
	analysis.Enumerate(f.Radix(), func(p framework.Package) bool {
		us = append(us, tables[0].Utility(p))
		return true
	})
	slices.Sort(us)
	median := us[len(us)/2]
	better := func(p framework.Package) bool { return tables[0].Utility(p) > median }
	shared, err := NewBidSpace(f, tables[0], Excluding(better))
	if err != nil {
		t.Fatal(err)
	}
	// play runs 20 rounds against a Boulware and returns n's offers.
	play := func(n Negotiator) []framework.Package {
		var offers []framework.Package
		spy := &recorder{Negotiator: n, offers: &offers}
		opp, _ := ByName("boulware", 1)
		runSAOP(t, f, profiles, tables, []Negotiator{spy, opp}, 20)
		return offers
	}
	if len(negotiators) == 0 {
		t.Fatal("no negotiator registered")
	}
	for _, reg := range negotiators {
		spec := reg.name
		if s, ok := byNameSpecs[reg.name]; ok {
			spec = s
		}
		if !strings.Contains(Negotiators, reg.name) {
			t.Errorf("%s is not listed in Negotiators (the help text)", reg.name)
		}
		n, err := ByName(spec, 7, WithBidSpace(shared))
		if err != nil {
			t.Errorf("ByName(%q, WithBidSpace): %v (give the test a spec in byNameSpecs)", spec, err)
			continue
		}
		offers := play(n)
		if len(offers) == 0 {
			t.Errorf("%s made no offer", spec)
		}
		for _, p := range offers {
			if better(p) {
				t.Errorf("%s offered %v (utility %.4f, above the median %.4f): not from the shared space", spec, p, tables[0].Utility(p), median)
				break
			}
		}
	}
	// Positive control: without the shared space the first offer is the
	// party's best package, which the shared space leaves out.
	n, _ := ByName("boulware", 7)
	if offers := play(n); len(offers) == 0 || !better(offers[0]) {
		t.Fatalf("without the shared space boulware offered %v first: the test shows nothing", offers)
	}
}

// recorder passes the turns to a negotiator and records its offers.
type recorder struct {
	Negotiator
	offers *[]framework.Package
}

func (r *recorder) Act(v *View) Action {
	a := r.Negotiator.Act(v)
	if a.Kind == MakeOffer {
		*r.offers = append(*r.offers, a.Package.Clone())
	}
	return a
}
