package session

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/internal/fixture"
	"github.com/parley-negotiation/parley/scenario"
)

// tightScenario is testScenario with every reservation value at r.
func tightScenario(r float64) *scenario.Scenario { return fixture.Tight(r) }

// TestVoteWallClockDeadline: at a wall-clock deadline the standing
// proposal is the agreement (GENIUS semantics), and replay agrees.
func TestVoteWallClockDeadline(t *testing.T) {
	sc := testScenario()
	for _, adopt := range []bool{true, false} {
		s := mustNew(t, sc, Config{Protocol: Voting, Mediator: "med", Duration: 7 * time.Second})
		submit(t, s, Move{Kind: KindPropose, Party: "med", Package: framework.Package{1, 0, 2}})
		for _, p := range []string{"a", "b", "c"} {
			submit(t, s, Move{Kind: KindVote, Party: p, Yes: yes(adopt || p != "c")})
		}
		if s.State.Round != 2 || (s.State.Standing != nil) != adopt {
			t.Fatalf("round %d, standing %v", s.State.Round, s.State.Standing)
		}
		submit(t, s, Move{Kind: KindPropose, Party: "med", Package: framework.Package{2, 0, 2}})
		submit(t, s, Move{Kind: KindVote, Party: "a", Yes: yes(true)})
		s.Expire() // the fake clock passes the deadline here
		if s.State.Status == StatusOpen {
			t.Fatalf("open after the deadline (%d events)", s.Len())
		}
		if adopt != (s.State.Agreement != nil) || (adopt && !slices.Equal(s.State.Agreement, framework.Package{1, 0, 2})) {
			t.Fatalf("adopt=%v: status %s, agreement %v", adopt, s.State.Status, s.State.Agreement)
		}
		if _, err := s.Submit(Move{Kind: KindVote, Party: "b", Yes: yes(true)}); !errors.Is(err, ErrClosed) {
			t.Fatalf("a vote after the deadline: %v", err)
		}
		checkReplay(t, s)
	}
}

func TestMediatedConfig(t *testing.T) {
	sc := testScenario()
	for _, tt := range []struct {
		cfg  Config
		want string
	}{
		{Config{Protocol: SingleText}, "needs a mediator"},
		{Config{Protocol: Voting, Rounds: 3}, "needs a mediator"},
		{Config{Protocol: Voting, Mediator: "med"}, "needs a deadline"},
		{Config{Protocol: SingleText, Mediator: "a", Parties: []string{"a", "b"}}, "does not also negotiate"},
		{Config{Protocol: Blind, Mediator: "a", Parties: []string{"a", "b"}}, "does not also bid"},
		{Config{Protocol: Blind, BlindReveal: "everything"}, "blind reveal"},
		{Config{Protocol: SingleText, Mediator: "med", MediatorAccess: "some"}, "mediator access"},
		{Config{Protocol: Blind, MediatorAccess: AccessProfiles}, "without a mediator"},
		{Config{Protocol: Blind, Parties: []string{"a", "a"}}, "listed twice"},
		{Config{Protocol: SingleText, Mediator: "zz"}, "no mediator"},
	} {
		if _, err := New(sc, tt.cfg, fakeClock()); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want %q", tt.cfg, err, tt.want)
		}
	}
	bad := testScenario()
	bad.Decision.Agreement = "piecemeal"
	if _, err := New(bad, Config{Protocol: SingleText, Mediator: "med"}, fakeClock()); err == nil || !strings.Contains(err.Error(), "agreement mode") {
		t.Errorf("agreement mode: %v", err)
	}
}
