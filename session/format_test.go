package session

import (
	"errors"
	"slices"
	"testing"

	"github.com/parley-negotiation/parley/scenario"
)

func TestFormats(t *testing.T) {
	sc := testScenario()
	sc.Format.NoDirect = [][2]string{{"a", "b"}}
	tests := []struct {
		format string
		m      Move
		ok     bool
	}{
		{scenario.Plenary, Move{Party: "a", To: []string{"c"}}, true},
		{scenario.Plenary, Move{Party: "a", To: []string{"b"}}, false}, // a and b do not meet
		{scenario.Plenary, Move{Party: "a"}, false},                    // to everyone includes b
		{scenario.Plenary, Move{Party: "c"}, true},
		{scenario.Plenary, Move{Party: "med", To: []string{"a", "b"}}, true},
		{scenario.Bilateral, Move{Party: "a", To: []string{"c"}}, true},
		{scenario.Bilateral, Move{Party: "c", To: []string{"a", "med"}}, false},
		{scenario.Trilateral, Move{Party: "c", To: []string{"a", "med"}}, true},
		{scenario.Proximity, Move{Party: "a", To: []string{"med"}}, true},
		{scenario.Proximity, Move{Party: "a", To: []string{"c"}}, false},
		{scenario.Proximity, Move{Party: "med", To: []string{"b"}}, true},
		{scenario.Plenary, Move{Party: "a", To: []string{"a"}}, false},
		{scenario.Plenary, Move{Party: "a", To: []string{"zz"}}, false},
	}
	for i, tt := range tests {
		s, err := New(sc, Config{Protocol: SAO, Mediator: "med", Format: tt.format}, fakeClock())
		if err != nil {
			t.Fatal(err)
		}
		m := tt.m
		m.Kind, m.Message = KindMessage, "hello"
		_, err = s.Submit(m)
		if (err == nil) != tt.ok {
			t.Errorf("case %d (%s, %+v): err %v, want ok=%v", i, tt.format, tt.m, err, tt.ok)
		}
		if !tt.ok && err != nil && !errors.Is(err, ErrFormat) && !errors.Is(err, ErrInvalid) {
			t.Errorf("case %d: unexpected error kind %v", i, err)
		}
	}
}

func TestProximityRelayAndVisibility(t *testing.T) {
	sc := testScenario()
	sc.Format.NoDirect = [][2]string{{"a", "b"}}
	s, err := New(sc, Config{Protocol: SAO, Mediator: "med", Format: scenario.Proximity}, fakeClock())
	if err != nil {
		t.Fatal(err)
	}
	seq, err := s.Submit(Move{Kind: KindMessage, Party: "a", To: []string{"med"}, Message: "tell b we could move on point 2"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Submit(Move{Kind: KindRelay, Party: "b", To: []string{"a"}, Ref: seq, Message: "x"}); !errors.Is(err, ErrFormat) {
		t.Fatalf("a party relayed: %v", err)
	}
	rs, err := s.Submit(Move{Kind: KindRelay, Party: "med", To: []string{"b"}, Ref: seq, Message: "a signals flexibility on point 2"})
	if err != nil {
		t.Fatal(err)
	}
	evs := s.Events()
	if evs[seq-1].VisibleTo("b") || !evs[seq-1].VisibleTo("med") {
		t.Errorf("a's message to the mediator is visible to b: %v", evs[seq-1].Visible)
	}
	if !evs[rs-1].VisibleTo("b") || evs[rs-1].VisibleTo("c") {
		t.Errorf("relay visibility %v", evs[rs-1].Visible)
	}
	if _, err := Replay(sc, evs); err != nil {
		t.Fatal(err)
	}
}

// TestAddressing: the recipients Addressing offers are exactly the ones
// the engine accepts, for every format, every member and every set of
// recipients (with and without a pair of parties that do not meet).
func TestAddressing(t *testing.T) {
	for _, noDirect := range [][][2]string{nil, {{"a", "b"}}} {
		sc := testScenario()
		sc.Format.NoDirect = noDirect
		for _, format := range []string{scenario.Plenary, scenario.Bilateral, scenario.Trilateral, scenario.Proximity} {
			s, err := New(sc, Config{Protocol: SAO, Mediator: "med", Format: format}, fakeClock())
			if err != nil {
				t.Fatal(err)
			}
			members := append(slices.Clone(s.Config.Parties), "med")
			for _, from := range members {
				a := s.Addressing(from)
				for mask := 0; mask < 1<<len(members); mask++ {
					var to []string
					for i, p := range members {
						if mask&(1<<i) != 0 {
							to = append(to, p)
						}
					}
					offered := len(to) == 0 && a.Everyone
					if len(to) > 0 {
						offered = len(to) >= a.Min && (a.Max == 0 || len(to) <= a.Max)
						for _, p := range to {
							offered = offered && slices.Contains(a.To, p)
						}
					}
					err := s.check(&Move{Kind: KindMessage, Party: from, To: to, Message: "hello"})
					if (err == nil) != offered {
						t.Errorf("%s, no-direct %v: %s to %v: engine says %v, Addressing %+v offers it: %v", format, noDirect, from, to, err, a, offered)
					}
				}
			}
		}
	}
	s, err := New(testScenario(), Config{Protocol: SAO, Mediator: "med", Format: scenario.Proximity}, fakeClock())
	if err != nil {
		t.Fatal(err)
	}
	if a := s.Addressing("a"); !slices.Equal(a.To, []string{"med"}) || a.Everyone {
		t.Errorf("a party in proximity talks may address %+v, want the mediator only", a)
	}
	if a := s.Addressing("stranger"); len(a.To) != 0 || a.Everyone {
		t.Errorf("a stranger may address %+v", a)
	}
}
