package session

import (
	"errors"
	"testing"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/framework"
)

func TestAMOPRules(t *testing.T) {
	sc := testScenario()
	s, err := New(sc, Config{Protocol: AMOP, Rounds: 2}, fakeClock())
	if err != nil {
		t.Fatal(err)
	}
	yes, no := true, false
	must := func(m Move) {
		t.Helper()
		if _, err := s.Submit(m); err != nil {
			t.Fatal(err)
		}
	}
	pa, pb, pc := framework.Package{0, 0, 0}, framework.Package{1, 1, 1}, framework.Package{2, 0, 2}
	if _, err := s.Submit(Move{Kind: KindVote, Party: "a", Ref: 1, Yes: &yes}); !errors.Is(err, ErrOutOfTurn) {
		t.Fatalf("vote in the offer phase: %v", err)
	}
	must(Move{Kind: KindOffer, Party: "a", Package: pa})
	must(Move{Kind: KindOffer, Party: "b", Package: pb})
	must(Move{Kind: KindOffer, Party: "c", Package: pc})
	if _, err := s.Submit(Move{Kind: KindVote, Party: "a", Ref: 2, Yes: &yes}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("vote on the wrong offer: %v", err)
	}
	// Offer 1: c (veto holder) says no; offer 2: all yes → agreement on pb.
	for _, p := range []string{"a", "b"} {
		must(Move{Kind: KindVote, Party: p, Ref: 1, Yes: &yes})
	}
	must(Move{Kind: KindVote, Party: "c", Ref: 1, Yes: &no})
	if s.State.Done() {
		t.Fatal("an offer the veto holder rejected was agreed")
	}
	for _, p := range []string{"a", "b", "c"} {
		must(Move{Kind: KindVote, Party: p, Ref: 2, Yes: &yes})
	}
	if s.State.Status != StatusInForce || !slicesEqual(s.State.Agreement, pb) {
		t.Fatalf("status %s agreement %v", s.State.Status, s.State.Agreement)
	}
	if _, err := Replay(sc, s.Events()); err != nil {
		t.Fatal(err)
	}
}

func TestAMOPAgentsAndDeadline(t *testing.T) {
	sc := testScenario()
	for _, rounds := range []int{1, 30} {
		s, err := New(sc, Config{Protocol: AMOP, Rounds: rounds}, fakeClock())
		if err != nil {
			t.Fatal(err)
		}
		r, err := NewRunner(s, map[string]agent.Negotiator{"a": agent.Boulware(), "b": agent.Conceder(), "c": agent.Linear()})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Run(); err != nil {
			t.Fatal(err)
		}
		if !s.State.Done() {
			t.Fatalf("rounds %d: not finished", rounds)
		}
		if rounds == 30 && s.State.Agreement == nil {
			t.Fatalf("no agreement in 30 rounds: %s", s.State.Reason)
		}
		if _, err := Replay(sc, s.Events()); err != nil {
			t.Fatal(err)
		}
	}
}
