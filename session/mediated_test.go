package session

import (
	"bytes"
	"errors"
	"github.com/parley-negotiation/parley/internal/fixture"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/scenario"
)

// checkReplay writes the session's log, reads it back and replays it: the
// replayed state must equal the session's.
func checkReplay(t *testing.T, s *Session) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteLog(&buf, s.Events()); err != nil {
		t.Fatal(err)
	}
	evs, err := ReadLog(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Replay(s.Scenario, evs)
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	if !equalState(&r.State, &s.State) {
		ja, _ := jsonMarshal(&r.State)
		jb, _ := jsonMarshal(&s.State)
		t.Fatalf("replayed state differs:\nreplay   %s\noriginal %s", ja, jb)
	}
}

func miami(t testing.TB) *scenario.Scenario { return fixture.Builtin(t, "miami-2025") }

func mustNew(t testing.TB, sc *scenario.Scenario, cfg Config) *Session {
	t.Helper()
	s, err := New(sc, cfg, fakeClock())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func submit(t testing.TB, s *Session, m Move) int {
	t.Helper()
	seq, err := s.Submit(m)
	if err != nil {
		t.Fatalf("%s by %s: %v", m.Kind, m.Party, err)
	}
	return seq
}

func yes(b bool) *bool { return &b }

func profileResponders(s *Session, tol float64) map[string]Responder {
	rs := map[string]Responder{}
	for _, p := range s.Config.Parties {
		rs[p] = ProfileResponder{Tolerance: tol}
	}
	return rs
}

// insister drafts the same settled text over and over and puts it to the
// vote whenever it can.
type insister struct{ text framework.Package }

func (insister) Name() string { return "insister" }
func (m insister) Act(v *MediatorView) (Move, error) {
	if v.Version > 0 && (v.Votes == nil || v.Round%2 == 0) {
		return Move{Kind: KindCallVote}, nil
	}
	return Move{Kind: KindDraft, Text: SettledText(m.text)}, nil
}

// yesMan accepts everything.
type yesMan struct{ ProfileResponder }

func (yesMan) Name() string { return "yes-man" }
func (yesMan) Respond(v *PartyView) []PointResponse {
	var out []PointResponse
	for k, alts := range v.Text {
		out = append(out, PointResponse{Point: k, Stance: StanceAccept, Option: alts[0]})
	}
	return out
}
func (yesMan) Vote(*PartyView) bool { return true }

// TestMiamiVetoOnRedLine: a mediator that insists on de jure recognition on
// point 14 (Ukraine's red line) never gets an agreement, whatever the rest
// of the text says and even when every other party says yes.
func TestMiamiVetoOnRedLine(t *testing.T) {
	sc := miami(t)
	f := sc.Framework
	k14 := f.PointIndex("p14-territory")
	dejure := f.Points[k14].Level("de-jure-recognition")
	if k14 < 0 || dejure < 0 {
		t.Fatal("miami-2025 has no point 14 / de jure option")
	}
	rng := rand.New(rand.NewPCG(14, 14))
	for run := range 12 {
		text := make(framework.Package, len(f.Points))
		for k := range text {
			if run > 0 {
				text[k] = rng.IntN(f.Points[k].Levels())
			}
		}
		text[k14] = dejure
		s := mustNew(t, sc, Config{Protocol: SingleText, Mediator: "us", Format: scenario.Proximity, Rounds: 4 + run%5})
		rs := profileResponders(s, 0.3)
		if run%2 == 1 {
			rs["russia"], rs["europe"] = yesMan{}, yesMan{}
		}
		if err := RunMediated(s, insister{text}, rs); err != nil {
			t.Fatal(err)
		}
		if s.State.Agreement != nil || s.State.Status != StatusNoAgreement {
			t.Fatalf("run %d: status %s, agreement %v", run, s.State.Status, s.State.Agreement)
		}
		votes := 0
		for _, e := range s.Events() {
			if e.Kind == KindVote && e.Party == "ukraine" {
				votes++
				if *e.Move.Yes {
					t.Fatalf("run %d: Ukraine voted yes to de jure recognition", run)
				}
				if !slices.Equal(e.Visible, []string{"ukraine", "us"}) {
					t.Fatalf("run %d: Ukraine's vote is visible to %v under proximity talks", run, e.Visible)
				}
			}
			if e.Kind == "vote-failed" && strings.Contains(e.Note.Reason, "ukraine") {
				t.Fatalf("run %d: a public note names Ukraine's secret vote: %q", run, e.Note.Reason)
			}
		}
		if votes == 0 {
			t.Fatalf("run %d: the text was never put to the vote", run)
		}
		checkReplay(t, s)
	}
}

// TestMediatedRefusals: out-of-turn and wrong-role moves are refused with
// an error of the right kind that says what was wrong, and append nothing.
func TestMediatedRefusals(t *testing.T) {
	sc := testScenario()
	sc.Decision.Agreement = scenario.Provisional
	type step struct {
		m       Move
		err     error  // nil: the move is accepted
		message string // in the error
	}
	draft := func(text ...[]int) Move { return Move{Kind: KindDraft, Party: "med", Text: text} }
	respond := func(p string, rs ...PointResponse) Move { return Move{Kind: KindRespond, Party: p, Responses: rs} }
	acc := PointResponse{Point: 0, Stance: StanceAccept}
	tests := []struct {
		name string
		cfg  Config
		sc   *scenario.Scenario
		run  []step
	}{
		{"single-text", Config{Protocol: SingleText, Mediator: "med", Rounds: 4}, sc, []step{
			{respond("a", acc), ErrOutOfTurn, "no draft"},
			{Move{Kind: KindCallVote, Party: "med"}, ErrInvalid, "no text"},
			{Move{Kind: KindDraft, Party: "a", Text: [][]int{{0}, {0}, {0}}}, ErrInvalid, "only the mediator"},
			{Move{Kind: KindOffer, Party: "med", Package: framework.Package{0, 0, 0}}, ErrInvalid, "not a move of single-text"},
			{Move{Kind: KindVote, Party: "a", Yes: yes(true)}, ErrOutOfTurn, "no vote is open"},
			{Move{Kind: KindRespond, Party: "zz"}, ErrNotParty, "zz"},
			{draft([]int{0}, []int{0}), ErrInvalid, "each of the 3 points"},
			{draft([]int{0}, []int{}, []int{0}), ErrInvalid, "no option"},
			{draft([]int{1, 0}, []int{0}, []int{0}), ErrInvalid, "increasing order"},
			{draft([]int{0}, []int{2}, []int{0}), ErrInvalid, "out of range"},
			{draft([]int{0, 1}, []int{0}, []int{3}), nil, ""},
			{draft([]int{0}, []int{0}, []int{0}), ErrOutOfTurn, "still waits for a, b, c"},
			{Move{Kind: KindCallVote, Party: "med"}, ErrOutOfTurn, "still waits"},
			{respond("med", acc), ErrInvalid, "not a negotiating party"},
			{respond("a"), ErrInvalid, "between 1 and 3 points"},
			{respond("a", acc, acc), ErrInvalid, "answered twice"},
			{respond("a", PointResponse{Point: 3, Stance: StanceAccept}), ErrInvalid, "out of range"},
			{respond("a", PointResponse{Point: 0, Stance: StanceAccept, Option: 2}), ErrInvalid, "bracketed"},
			{respond("a", PointResponse{Point: 2, Stance: StanceAccept, Option: 1}), ErrInvalid, "names that option or none"},
			{respond("a", PointResponse{Point: 1, Stance: StanceObject}), ErrInvalid, "gives a reason"},
			{respond("a", PointResponse{Point: 1, Stance: StanceObject, Reason: "x", Option: 1}), ErrInvalid, "proposes nothing"},
			{respond("a", PointResponse{Point: 0, Stance: StancePropose, Option: 1}), ErrInvalid, "already in the text"},
			{respond("a", PointResponse{Point: 0, Stance: StancePropose, Option: 7}), ErrInvalid, "no option 7"},
			{respond("a", PointResponse{Point: 0, Stance: "maybe"}), ErrInvalid, "stance"},
			{respond("a", PointResponse{Point: 1, Stance: StanceObject, Reason: "\xff"}), ErrInvalid, "UTF-8"},
			{Move{Kind: KindCritique, Party: "a", Responses: []PointResponse{acc}}, ErrInvalid, "objects or proposes"},
			{Move{Kind: KindCritique, Party: "med", Responses: []PointResponse{{Point: 1, Stance: StanceObject, Reason: "x"}}}, ErrInvalid, "only negotiating parties"},
			{respond("a", PointResponse{Point: 0, Stance: StanceAccept, Option: 1}, PointResponse{Point: 1, Stance: StanceAccept}, PointResponse{Point: 2, Stance: StanceAccept}), nil, ""},
			{respond("a", acc), ErrOutOfTurn, "a already sent a response to version 1"},
			{respond("b", PointResponse{Point: 1, Stance: StanceAccept}, PointResponse{Point: 0, Stance: StanceAccept, Option: 1}), nil, ""},
			{respond("c", PointResponse{Point: 1, Stance: StanceAccept}, PointResponse{Point: 2, Stance: StanceObject, Reason: "no"}), nil, ""},
			{Move{Kind: KindCallVote, Party: "med"}, ErrInvalid, "still bracketed"},
			{respond("a", acc), ErrOutOfTurn, "mediator's move"},
			{draft([]int{1}, []int{1}, []int{3}), ErrInvalid, "agreed provisionally"},
			{draft([]int{1}, []int{0}, []int{3}), nil, ""},
			{Move{Kind: KindCallVote, Party: "med"}, ErrOutOfTurn, "still waits"},
		}},
		{"vote", Config{Protocol: Voting, Mediator: "med", Rounds: 2}, testScenario(), []step{
			{Move{Kind: KindVote, Party: "a", Yes: yes(true)}, ErrOutOfTurn, "no proposal"},
			{Move{Kind: KindPropose, Party: "a", Package: framework.Package{0, 0, 0}}, ErrInvalid, "only the mediator"},
			{Move{Kind: KindPropose, Party: "med", Package: framework.Package{0, framework.Open, 0}}, ErrInvalid, "every point"},
			{Move{Kind: KindDraft, Party: "med", Text: [][]int{{0}, {0}, {0}}}, ErrInvalid, "not a move of vote"},
			{Move{Kind: KindPropose, Party: "med", Package: framework.Package{0, 0, 0}}, nil, ""},
			{Move{Kind: KindPropose, Party: "med", Package: framework.Package{1, 0, 0}}, ErrOutOfTurn, "still waits"},
			{Move{Kind: KindVote, Party: "a"}, ErrInvalid, "yes or no"},
			{Move{Kind: KindVote, Party: "med", Yes: yes(true)}, ErrInvalid, "not a negotiating party"},
			{Move{Kind: KindVote, Party: "a", Yes: yes(true)}, nil, ""},
			{Move{Kind: KindVote, Party: "a", Yes: yes(false)}, ErrOutOfTurn, "already sent"},
			{Move{Kind: KindAccept, Party: "b"}, ErrInvalid, "not a move of vote"},
		}},
		{"blind", Config{Protocol: Blind, Mediator: "med", Rounds: 2}, testScenario(), []step{
			{Move{Kind: KindBid, Party: "med", Packages: []framework.Package{{0, 0, 0}}}, ErrInvalid, "not a negotiating party"},
			{Move{Kind: KindBid, Party: "a"}, ErrInvalid, "between 1 and"},
			{Move{Kind: KindBid, Party: "a", Packages: []framework.Package{{0, 0, 0}, {0, 0, 0}}}, ErrInvalid, "listed twice"},
			{Move{Kind: KindBid, Party: "a", Packages: []framework.Package{{0, 0, framework.Open}}}, ErrInvalid, "open"},
			{Move{Kind: KindBid, Party: "a", Packages: []framework.Package{{0, 0}}}, ErrInvalid, "3"},
			{Move{Kind: KindBid, Party: "a", Packages: make([]framework.Package, MaxBid+1)}, ErrInvalid, "between 1 and"},
			{Move{Kind: KindPropose, Party: "med", Package: framework.Package{0, 0, 0}}, ErrInvalid, "not a move of blind"},
			{Move{Kind: KindBid, Party: "a", Packages: []framework.Package{{0, 0, 0}}}, nil, ""},
			{Move{Kind: KindBid, Party: "a", Packages: []framework.Package{{0, 0, 1}}}, ErrOutOfTurn, "already sent a bid"},
			{Move{Kind: KindEnd, Party: "b"}, nil, ""},
			{Move{Kind: KindBid, Party: "c", Packages: []framework.Package{{0, 0, 1}}}, ErrClosed, "no-agreement"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustNew(t, tt.sc, tt.cfg)
			for i, st := range tt.run {
				n := s.Len()
				_, err := s.Submit(st.m)
				if st.err == nil {
					if err != nil {
						t.Fatalf("step %d (%s by %s): %v", i, st.m.Kind, st.m.Party, err)
					}
					continue
				}
				if !errors.Is(err, st.err) || !strings.Contains(err.Error(), st.message) {
					t.Fatalf("step %d (%s by %s): error %v, want %v mentioning %q", i, st.m.Kind, st.m.Party, err, st.err, st.message)
				}
				if s.Len() != n {
					t.Fatalf("step %d: a refused move appended %d events", i, s.Len()-n)
				}
			}
			checkReplay(t, s)
		})
	}
}
