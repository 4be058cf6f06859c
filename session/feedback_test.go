package session

import (
	"errors"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/scenario"
)

func TestFeedbackProtocol(t *testing.T) {
	sc := testScenario()
	if _, err := New(sc, Config{Protocol: Feedback, Mediator: "med"}, fakeClock()); err == nil {
		t.Fatal("feedback without a deadline accepted")
	}
	s, err := New(sc, Config{Protocol: Feedback, Mediator: "med", Rounds: 2, Format: scenario.Proximity}, fakeClock())
	if err != nil {
		t.Fatal(err)
	}
	must := func(m Move) int {
		t.Helper()
		seq, err := s.Submit(m)
		if err != nil {
			t.Fatal(err)
		}
		return seq
	}
	p1, p2 := framework.Package{0, 0, 0}, framework.Package{1, 0, 1}
	must(Move{Kind: KindPropose, Party: "med", Package: p1})
	if _, err := s.Submit(Move{Kind: KindFeedback, Party: "a", Feedback: "fine"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad feedback value: %v", err)
	}
	if _, err := s.Submit(Move{Kind: KindPropose, Party: "med", Package: p2}); !errors.Is(err, ErrOutOfTurn) {
		t.Fatalf("proposal while feedback is due: %v", err)
	}
	fa := must(Move{Kind: KindFeedback, Party: "a", Feedback: Same})
	must(Move{Kind: KindFeedback, Party: "b", Feedback: Same})
	must(Move{Kind: KindFeedback, Party: "c", Feedback: Better})
	if s.State.Standing == nil || !slicesEqual(s.State.Standing.Package, p1) {
		t.Fatalf("round without 'worse' not adopted: %+v", s.State.Standing)
	}
	// Round 2: one "worse" rejects; at the deadline the standing package is agreed.
	must(Move{Kind: KindPropose, Party: "med", Package: p2})
	must(Move{Kind: KindFeedback, Party: "a", Feedback: Better})
	must(Move{Kind: KindFeedback, Party: "b", Feedback: Worse})
	must(Move{Kind: KindFeedback, Party: "c", Feedback: Better})
	if s.State.Status != StatusInForce || !slicesEqual(s.State.Agreement, p1) {
		t.Fatalf("status %s, agreement %v; want p1 agreed at the deadline", s.State.Status, s.State.Agreement)
	}
	evs := s.Events()
	if evs[fa-1].VisibleTo("b") || !evs[fa-1].VisibleTo("med") {
		t.Errorf("feedback visible to %v", evs[fa-1].Visible)
	}
	for _, e := range evs {
		if e.Note != nil && len(e.Note.Parties) > 0 && (e.Kind == "adopted" || e.Kind == "rejected") {
			t.Errorf("the result names parties: %+v", e.Note)
		}
	}
	r, err := Replay(sc, evs)
	if err != nil {
		t.Fatal(err)
	}
	if !equalState(&r.State, &s.State) {
		t.Fatal("replay differs")
	}
}

func slicesEqual(a, b framework.Package) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestMediatedLeave: a party leaves between rounds; later rounds and the
// decision rule go on without it; a veto holder leaving ends the talks.
func TestMediatedLeave(t *testing.T) {
	sc := testScenario()
	s, err := New(sc, Config{Protocol: Voting, Mediator: "med", Rounds: 3}, fakeClock())
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	must := func(m Move) {
		t.Helper()
		if _, err := s.Submit(m); err != nil {
			t.Fatal(err)
		}
	}
	p := framework.Package{0, 0, 0}
	must(Move{Kind: KindPropose, Party: "med", Package: p})
	if _, err := s.Submit(Move{Kind: KindLeave, Party: "b"}); !errors.Is(err, ErrOutOfTurn) {
		t.Fatalf("leaving while a reply is due: %v", err)
	}
	must(Move{Kind: KindVote, Party: "b", Yes: &yes})
	must(Move{Kind: KindLeave, Party: "b"})
	must(Move{Kind: KindVote, Party: "a", Yes: &yes})
	must(Move{Kind: KindVote, Party: "c", Yes: &yes})
	must(Move{Kind: KindPropose, Party: "med", Package: p})
	if len(s.State.Waiting) != 2 {
		t.Fatalf("round 2 waits for %v; b has left", s.State.Waiting)
	}
	must(Move{Kind: KindVote, Party: "a", Yes: &yes})
	must(Move{Kind: KindVote, Party: "c", Yes: &yes})
	if s.State.Standing == nil {
		t.Fatal("the proposal a and c accepted after b left was not adopted")
	}
	must(Move{Kind: KindLeave, Party: "a"})
	if s.State.Status != StatusNoAgreement {
		t.Fatalf("with only c at the table: status %s", s.State.Status)
	}
	if _, err := Replay(sc, s.Events()); err != nil {
		t.Fatal(err)
	}
	// The veto holder leaving ends the talks.
	s2, _ := New(sc, Config{Protocol: SingleText, Mediator: "med", Rounds: 3}, fakeClock())
	s = s2
	must(Move{Kind: KindLeave, Party: "c"})
	if s.State.Status != StatusNoAgreement {
		t.Fatalf("veto holder left: status %s", s.State.Status)
	}
}
