package session

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/internal/fixture"
	"github.com/parley-negotiation/parley/scenario"
)

func fptr(v float64) *float64 { return &v }

func testScenario() *scenario.Scenario { return fixture.Three() }

// fakeClock ticks one second per call.
func fakeClock() Clock { return fixture.Clock() }

// greedy offers its best package at first, concedes linearly and accepts
// anything at least its current target.
type greedy struct{ space []framework.Package }

func (g *greedy) Name() string { return "greedy" }
func (g *greedy) Init(v *agent.View) {
	g.space = nil
	radix := v.Framework.Radix()
	p := make(framework.Package, len(radix))
	var rec func(int)
	rec = func(k int) {
		if k == len(radix) {
			g.space = append(g.space, p.Clone())
			return
		}
		for l := 0; l < radix[k]; l++ {
			p[k] = l
			rec(k + 1)
		}
	}
	rec(0)
}
func (g *greedy) Act(v *agent.View) agent.Action {
	target := 1 - 0.7*v.Time
	if v.Current != nil && v.Table.Utility(v.Current.Package) >= target {
		return agent.Action{Kind: agent.Accept}
	}
	best, bu := g.space[0], -1.0
	for _, p := range g.space {
		u := v.Table.Utility(p)
		if u >= target && (bu < 0 || u < bu) {
			best, bu = p, u
		}
	}
	if bu < 0 {
		_, best = v.Table.Max()
	}
	return agent.Action{Kind: agent.MakeOffer, Package: best}
}

func runSAO(t *testing.T, rounds int) *Session {
	t.Helper()
	sc := testScenario()
	s, err := New(sc, Config{Protocol: SAO, Rounds: rounds}, fakeClock())
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRunner(s, map[string]agent.Negotiator{"a": &greedy{}, "b": &greedy{}, "c": &greedy{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Run(); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSAOAgreementAndReplay(t *testing.T) {
	s := runSAO(t, 20)
	if s.State.Status != StatusInForce || s.State.Agreement == nil {
		t.Fatalf("status %s (%s), want an agreement", s.State.Status, s.State.Reason)
	}
	checkReplay(t, s)
}

func TestSAODeadline(t *testing.T) {
	s := runSAO(t, 1)
	if s.State.Status != StatusNoAgreement || !strings.Contains(s.State.Reason, "1 rounds") {
		t.Fatalf("status %s (%s)", s.State.Status, s.State.Reason)
	}
	if _, err := s.Submit(Move{Kind: KindOffer, Party: "a", Package: framework.Package{0, 0, 0}}); !errors.Is(err, ErrClosed) {
		t.Fatalf("move after the end: %v", err)
	}
}

func TestTamperedLogIsDetected(t *testing.T) {
	s := runSAO(t, 20)
	var buf bytes.Buffer
	if err := WriteLog(&buf, s.Events()); err != nil {
		t.Fatal(err)
	}
	orig := buf.Bytes()
	rng := rand.New(rand.NewPCG(1, 1))
	for range 200 {
		b := bytes.Clone(orig)
		i := rng.IntN(len(b))
		if b[i] == '\n' {
			continue
		}
		b[i] ^= 1 << rng.IntN(7)
		evs, err := ReadLog(bytes.NewReader(b))
		if err != nil {
			continue // no longer JSON: detected at read
		}
		if _, err := Replay(s.Scenario, evs); err == nil {
			t.Fatalf("a flipped byte at %d (%q) went undetected", i, orig[max(0, i-20):min(len(orig), i+20)])
		}
	}
	// The error names the first bad event.
	evs, _ := ReadLog(bytes.NewReader(orig))
	evs[3].Round++
	err := VerifyChain(evs)
	if !errors.Is(err, ErrTampered) || !strings.Contains(err.Error(), "event 4") {
		t.Fatalf("tampering with event 4: %v", err)
	}
}

func TestRefusedMovesChangeNothing(t *testing.T) {
	sc := testScenario()
	s, err := New(sc, Config{Protocol: SAO, Rounds: 5}, fakeClock())
	if err != nil {
		t.Fatal(err)
	}
	n := s.Len()
	for _, m := range []Move{
		{Kind: KindOffer, Party: "b", Package: framework.Package{0, 0, 0}}, // out of turn
		{Kind: KindAccept, Party: "a"},                                     // nothing to accept
		{Kind: KindOffer, Party: "a", Package: framework.Package{0, 0}},    // incomplete
		{Kind: KindOffer, Party: "a", Package: framework.Package{0, 5, 0}}, // bad option
		{Kind: KindOffer, Party: "x", Package: framework.Package{0, 0, 0}}, // not a party
		{Kind: KindVote, Party: "a"},                                       // not an SAO move
	} {
		if _, err := s.Submit(m); err == nil {
			t.Errorf("%+v accepted", m)
		}
	}
	if s.Len() != n {
		t.Fatalf("refused moves appended %d events", s.Len()-n)
	}
}

func TestWallClockDeadlineReplays(t *testing.T) {
	sc := testScenario()
	clock := fakeClock()
	s, err := New(sc, Config{Protocol: SAO, Duration: 3 * time.Second}, clock)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Submit(Move{Kind: KindOffer, Party: "a", Package: framework.Package{0, 0, 0}}); err != nil {
		t.Fatal(err)
	}
	s.Expire()
	s.Expire()
	if s.State.Status != StatusNoAgreement {
		t.Fatalf("status %s", s.State.Status)
	}
	r, err := Replay(sc, s.Events())
	if err != nil {
		t.Fatal(err)
	}
	if !equalState(&r.State, &s.State) {
		t.Fatal("replay differs")
	}
}

func TestVetoAndRatification(t *testing.T) {
	sc := testScenario()
	sc.Decision.Ratification = []scenario.RatificationStep{{Party: "c", Body: "Parliament", Kind: "parliament"}, {Party: "a", Body: "Referendum", Kind: "referendum"}}
	s := func() *Session {
		s, err := New(sc, Config{Protocol: SAO, Rounds: 20}, fakeClock())
		if err != nil {
			t.Fatal(err)
		}
		r, _ := NewRunner(s, map[string]agent.Negotiator{"a": &greedy{}, "b": &greedy{}, "c": &greedy{}})
		if err := r.Run(); err != nil {
			t.Fatal(err)
		}
		return s
	}()
	if s.State.Status != StatusPending {
		t.Fatalf("status %s, want pending ratification", s.State.Status)
	}
	yes := true
	if _, err := s.Submit(Move{Kind: KindRatify, Party: "a", Ref: 2, Yes: &yes}); err == nil {
		t.Fatal("step 2 before step 1 accepted")
	}
	if _, err := s.Submit(Move{Kind: KindRatify, Party: "a", Ref: 1, Yes: &yes}); err == nil {
		t.Fatal("step 1 by the wrong party accepted")
	}
	for _, m := range []Move{{Kind: KindRatify, Party: "c", Ref: 1, Yes: &yes}, {Kind: KindRatify, Party: "a", Ref: 2, Yes: &yes}} {
		if _, err := s.Submit(m); err != nil {
			t.Fatal(err)
		}
	}
	if s.State.Status != StatusInForce {
		t.Fatalf("status %s, want in force", s.State.Status)
	}
	if _, err := Replay(sc, s.Events()); err != nil {
		t.Fatal(err)
	}
	// Decide: the veto holder's no blocks any majority.
	ok, why := s.Decide(map[string]bool{"a": true, "b": true})
	if ok || !strings.Contains(why, "unless c agrees") {
		t.Fatalf("veto ignored: %v %q", ok, why)
	}
}

func equalState(a, b *State) bool {
	ja, _ := jsonMarshal(a)
	jb, _ := jsonMarshal(b)
	return bytes.Equal(ja, jb)
}

func TestSAOLeave(t *testing.T) {
	sc := testScenario()
	s, err := New(sc, Config{Protocol: SAO, Rounds: 10}, fakeClock())
	if err != nil {
		t.Fatal(err)
	}
	must := func(m Move) {
		t.Helper()
		if _, err := s.Submit(m); err != nil {
			t.Fatal(err)
		}
	}
	must(Move{Kind: KindOffer, Party: "a", Package: framework.Package{0, 0, 0}})
	must(Move{Kind: KindLeave, Party: "b"})
	if s.TurnParty() != "c" {
		t.Fatalf("turn %s after b left", s.TurnParty())
	}
	// With b gone, c's acceptance completes the agreement.
	must(Move{Kind: KindAccept, Party: "c"})
	if s.State.Status != StatusInForce {
		t.Fatalf("status %s (%s)", s.State.Status, s.State.Reason)
	}
	if _, err := Replay(sc, s.Events()); err != nil {
		t.Fatal(err)
	}
	// The veto holder leaving ends the talks.
	s, _ = New(sc, Config{Protocol: SAO, Rounds: 10}, fakeClock())
	must(Move{Kind: KindOffer, Party: "a", Package: framework.Package{0, 0, 0}})
	must(Move{Kind: KindAccept, Party: "b"})
	must(Move{Kind: KindLeave, Party: "c"})
	if s.State.Status != StatusNoAgreement || !strings.Contains(s.State.Reason, "unless c agrees") {
		t.Fatalf("status %s (%s)", s.State.Status, s.State.Reason)
	}
}

// slow offers its best package, and its last call takes past the
// deadline (the clock is moved on while it decides).
type slow struct {
	agent.Negotiator
	calls int
	late  func()
}

func (s *slow) Act(v *agent.View) agent.Action {
	s.calls++
	if s.calls == 3 {
		s.late()
	}
	_, best := v.Table.Max()
	return agent.Action{Kind: agent.MakeOffer, Package: best}
}

// TestRunnerDeadlinePassesDuringAct: under a wall-time deadline, a move
// refused because the deadline passed while the agent was deciding ends
// the run normally, without agreement at the deadline — not an error of
// the agent (who could not know).
func TestRunnerDeadlinePassesDuringAct(t *testing.T) {
	for _, proto := range []string{SAO, AMOP} {
		sc := testScenario()
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		s, err := New(sc, Config{Protocol: proto, Duration: 10 * time.Second}, clock)
		if err != nil {
			t.Fatal(err)
		}
		late := func() { now = now.Add(time.Minute) }
		agents := map[string]agent.Negotiator{}
		for _, id := range s.Config.Parties {
			agents[id] = &slow{Negotiator: agent.Boulware(), late: late}
		}
		r, err := NewRunner(s, agents)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Run(); err != nil {
			t.Fatalf("%s: %v", proto, err)
		}
		if s.State.Status != StatusNoAgreement {
			t.Errorf("%s: status %s (%s), want no agreement at the deadline", proto, s.State.Status, s.State.Reason)
		}
		if _, err := Replay(sc, s.Events()); err != nil {
			t.Errorf("%s: replay: %v", proto, err)
		}
	}
}
