package mediator

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/session"
)

func TestByName(t *testing.T) {
	// The first names keep their order (parley run's message lists them:
	// cmd/parley/testdata/script/rules.txtar); new strategies come after.
	if got, want := Names(), []string{"hill", "nash", "egalitarian", "kalai-smorodinsky"}; len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
		t.Fatalf("Names() = %v, want it to start with %v", got, want)
	}
	for _, c := range []struct {
		spec, name string
		seed       uint64
	}{
		{"hill", "hill-climbing", 9},
		{" Hill ", "hill-climbing", 9},
		{"hill:seed=3", "hill-climbing", 3},
		{"nash", "zone(nash)", 0},
		{"NASH", "zone(nash)", 0},
		{"egalitarian", "zone(egalitarian)", 0},
		{"kalai-smorodinsky", "zone(kalai-smorodinsky)", 0},
	} {
		m, err := ByName(c.spec, 9)
		if err != nil {
			t.Errorf("ByName(%q): %v", c.spec, err)
			continue
		}
		if m.Name() != c.name {
			t.Errorf("ByName(%q).Name() = %q, want %q", c.spec, m.Name(), c.name)
		}
		if h, ok := m.(*HillClimbing); ok && h.Seed != c.seed {
			t.Errorf("ByName(%q): seed %d, want %d", c.spec, h.Seed, c.seed)
		}
	}
	for _, c := range []struct{ spec, want string }{
		{"oracle", `unknown strategy "oracle": valid strategies are hill, nash, egalitarian, kalai-smorodinsky`}, // and any later ones
		{"", "empty name"},
		{"hill:seed=-1", "not a non-negative integer"},
		{"hill:t0=1", `hill takes no parameter "t0"`},
		{"nash:seed=1", `nash takes no parameter "seed"`},
		{"hill:,", "empty parameter"},
	} {
		_, err := ByName(c.spec, 1)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ByName(%q) error %v, want it to mention %q", c.spec, err, c.want)
		}
	}
	if _, err := ByName("oracle", 1); !errors.Is(err, ErrUnknown) {
		t.Errorf("unknown name: %v does not wrap ErrUnknown", err)
	}
	for _, n := range Names() {
		if !strings.Contains(Help(), n+" (") {
			t.Errorf("Help() does not describe %s: %s", n, Help())
		}
	}
}

// TestEveryStrategy runs every strategy ByName knows — a new one too —
// under the single-text, vote and feedback protocols on a small scenario:
// no error, any agreement inside the agreement zone, every log replays,
// and two strategies built alike play the same session (determinism).
func TestEveryStrategy(t *testing.T) {
	sc := tightScenario(0.5)
	sp, err := analysis.FromScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range Names() {
		for _, protocol := range []string{session.SingleText, session.Voting, session.Feedback} {
			var first []string
			for run := range 2 {
				med, err := ByName(name, 5)
				if err != nil {
					t.Fatal(err)
				}
				s := mustNew(t, sc, session.Config{Protocol: protocol, Mediator: "med", Rounds: 20, MediatorAccess: session.AccessProfiles})
				if err := session.RunMediated(s, med, profileResponders(s, 0.2)); err != nil {
					t.Fatalf("%s under %s: %v", name, protocol, err)
				}
				if a := s.State.Agreement; a != nil && !sp.Acceptable(a) {
					t.Fatalf("%s under %s: agreement %v outside the zone", name, protocol, a)
				}
				checkReplay(t, s)
				var moves []string
				for _, e := range s.Events() {
					if e.Move != nil {
						moves = append(moves, fmt.Sprintf("%s %s %v %v", e.Kind, e.Party, e.Move.Package, e.Move.Text))
					}
				}
				if run == 0 {
					first = moves
				} else if !slices.Equal(moves, first) {
					t.Fatalf("%s under %s: two strategies built alike played different sessions", name, protocol)
				}
			}
		}
	}
}
