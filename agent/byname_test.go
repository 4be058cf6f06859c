package agent

import (
	"errors"
	"strings"
	"testing"
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
		{"timedep:e=-1", "e must be ≥ 0"},
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
