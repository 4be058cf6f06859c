package session

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/scenario"
)

func textOf(p ...[]int) [][]int { return p }

func TestSingleTextRound(t *testing.T) {
	sc := testScenario()
	s := mustNew(t, sc, Config{Protocol: SingleText, Mediator: "med", Format: scenario.Proximity, Rounds: 5})
	// Round 1: a bracketed draft and the responses to it.
	submit(t, s, Move{Kind: KindDraft, Party: "med", Text: textOf([]int{0, 1}, []int{0}, []int{2})})
	if s.State.Version != 1 || !slices.Equal(s.State.Waiting, []string{"a", "b", "c"}) {
		t.Fatalf("after the draft: version %d, waiting %v", s.State.Version, s.State.Waiting)
	}
	if !slices.Equal(s.State.Current.Package, framework.Package{framework.Open, 0, 2}) {
		t.Fatalf("current %v", s.State.Current.Package)
	}
	ra := submit(t, s, Move{Kind: KindRespond, Party: "a", Responses: []PointResponse{
		{Point: 0, Stance: StanceAccept, Option: 0}, {Point: 1, Stance: StancePropose, Option: 1, Reason: "b reads better"}, {Point: 2, Stance: StanceAccept}}})
	ev := s.Events()[ra-1]
	if !slices.Equal(ev.Visible, []string{"a", "med"}) {
		t.Fatalf("a's response is visible to %v under proximity talks", ev.Visible)
	}
	submit(t, s, Move{Kind: KindCritique, Party: "b", Responses: []PointResponse{{Point: 2, Stance: StanceObject, Reason: "too vague"}}})
	submit(t, s, Move{Kind: KindRespond, Party: "b", Responses: []PointResponse{{Point: 0, Stance: StanceAccept, Option: 1}}})
	if s.State.Round != 1 {
		t.Fatalf("round %d before the last response", s.State.Round)
	}
	submit(t, s, Move{Kind: KindRespond, Party: "c", Responses: []PointResponse{{Point: 2, Stance: StanceObject, Reason: "no"}}})
	if s.State.Round != 2 || len(s.State.Waiting) != 0 {
		t.Fatalf("after the last response: round %d, waiting %v", s.State.Round, s.State.Waiting)
	}
	if len(s.State.Replies) != 3 || s.State.Replies["a"][1].Option != 1 {
		t.Fatalf("replies %+v", s.State.Replies)
	}
	// Round 2: a settled text; round 3: the vote. The veto holder c says no.
	submit(t, s, Move{Kind: KindDraft, Party: "med", Text: textOf([]int{1}, []int{1}, []int{2})})
	for _, p := range []string{"a", "b", "c"} {
		submit(t, s, Move{Kind: KindRespond, Party: p, Responses: []PointResponse{{Point: 0, Stance: StanceAccept}}})
	}
	submit(t, s, Move{Kind: KindCallVote, Party: "med"})
	submit(t, s, Move{Kind: KindVote, Party: "a", Yes: yes(true)})
	submit(t, s, Move{Kind: KindVote, Party: "b", Yes: yes(true)})
	submit(t, s, Move{Kind: KindVote, Party: "c", Yes: yes(false)})
	last := s.Events()[s.Len()-1]
	if last.Kind != "vote-failed" || last.Note.Count != 2 || strings.Contains(last.Note.Reason, "c") && strings.Contains(last.Note.Reason, "unless") {
		t.Fatalf("last event %s %+v", last.Kind, last.Note)
	}
	if s.State.Status != StatusOpen || s.State.Round != 4 || s.State.VoteOpen {
		t.Fatalf("after the failed vote: %s round %d", s.State.Status, s.State.Round)
	}
	// Round 4: the mediator insists; round 5 (the last): everyone agrees.
	submit(t, s, Move{Kind: KindDraft, Party: "med", Text: textOf([]int{1}, []int{1}, []int{3})})
	for _, p := range []string{"a", "b", "c"} {
		submit(t, s, Move{Kind: KindRespond, Party: p, Responses: []PointResponse{{Point: 2, Stance: StanceAccept, Option: 3}}})
	}
	submit(t, s, Move{Kind: KindCallVote, Party: "med"})
	for _, p := range []string{"a", "b", "c"} {
		submit(t, s, Move{Kind: KindVote, Party: p, Yes: yes(true)})
	}
	if s.State.Status != StatusInForce || !slices.Equal(s.State.Agreement, framework.Package{1, 1, 3}) {
		t.Fatalf("status %s, agreement %v", s.State.Status, s.State.Agreement)
	}
	// Every version is kept in the log.
	var versions [][][]int
	for _, e := range s.Events() {
		if e.Kind == KindDraft {
			versions = append(versions, e.Move.Text)
		}
	}
	if len(versions) != 3 || s.State.Version != 3 {
		t.Fatalf("%d drafts in the log, version %d", len(versions), s.State.Version)
	}
	checkReplay(t, s)
}

func TestSingleTextDeadline(t *testing.T) {
	sc := testScenario()
	// The replies of the last round end the session, even on a clean text:
	// a vote needs a round of its own.
	s := mustNew(t, sc, Config{Protocol: SingleText, Mediator: "med", Rounds: 1})
	submit(t, s, Move{Kind: KindDraft, Party: "med", Text: textOf([]int{0}, []int{0}, []int{0})})
	for _, p := range []string{"a", "b", "c"} {
		submit(t, s, Move{Kind: KindRespond, Party: p, Responses: []PointResponse{{Point: 0, Stance: StanceAccept}}})
	}
	if s.State.Status != StatusNoAgreement || !strings.Contains(s.State.Reason, "within 1 rounds") || s.State.Round != 1 {
		t.Fatalf("status %s (%s) round %d", s.State.Status, s.State.Reason, s.State.Round)
	}
	if _, err := s.Submit(Move{Kind: KindCallVote, Party: "med"}); !errors.Is(err, ErrClosed) {
		t.Fatalf("a vote after the deadline: %v", err)
	}
	checkReplay(t, s)
	// A failed vote in the last round ends it too.
	s = mustNew(t, sc, Config{Protocol: SingleText, Mediator: "med", Rounds: 2})
	submit(t, s, Move{Kind: KindDraft, Party: "med", Text: textOf([]int{0}, []int{0}, []int{0})})
	for _, p := range []string{"a", "b", "c"} {
		submit(t, s, Move{Kind: KindRespond, Party: p, Responses: []PointResponse{{Point: 0, Stance: StanceAccept}}})
	}
	submit(t, s, Move{Kind: KindCallVote, Party: "med"})
	for _, p := range []string{"a", "b", "c"} {
		submit(t, s, Move{Kind: KindVote, Party: p, Yes: yes(p != "b")})
	}
	if s.State.Status != StatusNoAgreement || s.State.Agreement != nil {
		t.Fatalf("status %s", s.State.Status)
	}
	evs := s.Events()
	if evs[len(evs)-2].Kind != "vote-failed" || evs[len(evs)-1].Kind != "deadline" || evs[len(evs)-1].Round != 2 {
		t.Fatalf("last events %s, %s (round %d)", evs[len(evs)-2].Kind, evs[len(evs)-1].Kind, evs[len(evs)-1].Round)
	}
	// Plenary: the votes were public, so the note says who did not agree.
	if !strings.Contains(evs[len(evs)-2].Note.Reason, "[b]") {
		t.Fatalf("plenary vote-failed reason %q", evs[len(evs)-2].Note.Reason)
	}
	checkReplay(t, s)
}

func TestSingleTextVisibility(t *testing.T) {
	sc := testScenario()
	sc.Format.NoDirect = [][2]string{{"a", "b"}}
	tests := []struct {
		format, party string
		want          []string
	}{
		{scenario.Plenary, "c", nil},
		{scenario.Plenary, "a", []string{"a", "c", "med"}},
		{scenario.Proximity, "c", []string{"c", "med"}},
		{scenario.Bilateral, "a", []string{"a", "med"}},
		{scenario.Trilateral, "b", []string{"b", "med"}},
	}
	for _, tt := range tests {
		s := mustNew(t, sc, Config{Protocol: SingleText, Mediator: "med", Format: tt.format})
		submit(t, s, Move{Kind: KindDraft, Party: "med", Text: textOf([]int{0}, []int{0}, []int{0})})
		seq := submit(t, s, Move{Kind: KindRespond, Party: tt.party, Responses: []PointResponse{{Point: 1, Stance: StanceObject, Reason: "x"}}})
		if got := s.Events()[seq-1].Visible; !slices.Equal(got, tt.want) {
			t.Errorf("%s, %s's response: visible to %v, want %v", tt.format, tt.party, got, tt.want)
		}
		if v := s.Events()[seq-2].Visible; v != nil {
			t.Errorf("%s: the draft is visible to %v only", tt.format, v)
		}
	}
}

// TestProvisional: under provisional agreement, a point every party
// accepted is closed, and no later draft may change it.
func TestProvisional(t *testing.T) {
	sc := testScenario()
	sc.Decision.Agreement = scenario.Provisional
	s := mustNew(t, sc, Config{Protocol: SingleText, Mediator: "med", Rounds: 10})
	submit(t, s, Move{Kind: KindDraft, Party: "med", Text: textOf([]int{2}, []int{0, 1}, []int{1})})
	submit(t, s, Move{Kind: KindRespond, Party: "a", Responses: []PointResponse{{Point: 0, Stance: StanceAccept}, {Point: 2, Stance: StanceAccept}, {Point: 1, Stance: StanceAccept, Option: 1}}})
	submit(t, s, Move{Kind: KindRespond, Party: "b", Responses: []PointResponse{{Point: 0, Stance: StanceAccept, Option: 2}, {Point: 2, Stance: StanceObject, Reason: "not this"}, {Point: 1, Stance: StanceAccept, Option: 1}}})
	submit(t, s, Move{Kind: KindRespond, Party: "c", Responses: []PointResponse{{Point: 0, Stance: StanceAccept}, {Point: 1, Stance: StanceAccept, Option: 1}}})
	// Point 0 (accepted by all) is closed; point 1 was bracketed and point 2
	// not accepted by c: both stay open.
	want := framework.Package{2, framework.Open, framework.Open}
	if !slices.Equal(s.State.Provisional, want) {
		t.Fatalf("provisional %v, want %v", s.State.Provisional, want)
	}
	last := s.Events()[s.Len()-1]
	if last.Kind != "provisional" || !slices.Equal(last.Note.Points, []int{0}) || last.Note.Version != 1 || last.Round != 1 {
		t.Fatalf("last event %s %+v (round %d)", last.Kind, last.Note, last.Round)
	}
	n := s.Len()
	for _, text := range [][][]int{
		textOf([]int{1}, []int{1}, []int{1}),    // changes the closed point
		textOf([]int{1, 2}, []int{1}, []int{1}), // brackets it again
	} {
		_, err := s.Submit(Move{Kind: KindDraft, Party: "med", Text: text})
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "agreed provisionally") {
			t.Fatalf("draft %v: %v", text, err)
		}
	}
	if s.Len() != n {
		t.Fatal("a refused draft was logged")
	}
	submit(t, s, Move{Kind: KindDraft, Party: "med", Text: textOf([]int{2}, []int{1}, []int{3})})
	if _, err := s.Submit(Move{Kind: KindRespond, Party: "a", Responses: []PointResponse{{Point: 0, Stance: StancePropose, Option: 0}}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("proposing on a closed point: %v", err)
	}
	for _, p := range []string{"a", "b", "c"} {
		submit(t, s, Move{Kind: KindRespond, Party: p, Responses: []PointResponse{{Point: 1, Stance: StanceAccept}}})
	}
	if !slices.Equal(s.State.Provisional, framework.Package{2, 1, framework.Open}) {
		t.Fatalf("provisional %v", s.State.Provisional)
	}
	// A failed vote does not reopen closed points.
	submit(t, s, Move{Kind: KindCallVote, Party: "med"})
	for _, p := range []string{"a", "b", "c"} {
		submit(t, s, Move{Kind: KindVote, Party: p, Yes: yes(p == "a")})
	}
	if _, err := s.Submit(Move{Kind: KindDraft, Party: "med", Text: textOf([]int{2}, []int{0}, []int{3})}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a draft after the failed vote changed a closed point: %v", err)
	}
	checkReplay(t, s)
}
