package mediator

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// Tests of sessions that the strategies drive: they moved here from package
// session with the strategies.

// TestMediatedLogsTamperEvident: a flipped byte anywhere in the written log
// of a single-text, vote or blind session is detected, at reading or at
// replay.
func TestMediatedLogsTamperEvident(t *testing.T) {
	sc := tightScenario(0.5)
	var sessions []*session.Session
	for _, cfg := range []session.Config{
		{Protocol: session.SingleText, Mediator: "med", Rounds: 12, Format: scenario.Proximity},
		{Protocol: session.Voting, Mediator: "med", Rounds: 6},
		{Protocol: session.Blind, Rounds: 4, BlindReveal: session.RevealPackages},
	} {
		s := mustNew(t, sc, cfg)
		var med session.Mediator
		if cfg.Protocol != session.Blind {
			med = &HillClimbing{Seed: 1}
		}
		if err := session.RunMediated(s, med, profileResponders(s, 0.2)); err != nil {
			t.Fatal(err)
		}
		sessions = append(sessions, s)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for _, s := range sessions {
		var buf bytes.Buffer
		if err := session.WriteLog(&buf, s.Events()); err != nil {
			t.Fatal(err)
		}
		orig := buf.Bytes()
		for range 300 {
			b := bytes.Clone(orig)
			i := rng.IntN(len(b))
			if b[i] == '\n' {
				continue
			}
			b[i] ^= 1 << rng.IntN(7)
			evs, err := session.ReadLog(bytes.NewReader(b))
			if err != nil {
				continue
			}
			if _, err := session.Replay(s.Scenario, evs); err == nil {
				t.Fatalf("%s: a flipped byte at %d (%q) went undetected", s.Config.Protocol, i, orig[max(0, i-30):min(len(orig), i+30)])
			}
		}
		checkReplay(t, s)
	}
}

// climber is an agent.Voter: yes iff no worse than the previous adopted
// proposal; it checks that the view it gets is its own.
type climber struct {
	t    *testing.T
	self string
}

func (climber) Name() string { return "climber" }
func (c climber) Vote(v *agent.View, proposal, previous framework.Package) bool {
	if v.Table == nil || v.Profile == nil || v.Parties != 3 || v.Deadline != 6 {
		c.t.Errorf("%s: view %+v", c.self, v)
	}
	return previous == nil || v.Table.Utility(proposal) >= v.Table.Utility(previous)
}

func TestFromVoter(t *testing.T) {
	sc := tightScenario(0.5)
	s := mustNew(t, sc, session.Config{Protocol: session.Voting, Mediator: "med", Rounds: 6})
	rs := map[string]session.Responder{}
	for _, p := range s.Config.Parties {
		rs[p] = session.FromVoter(climber{t, p}, session.ProfileResponder{})
	}
	if err := session.RunMediated(s, &HillClimbing{Seed: 4}, rs); err != nil {
		t.Fatal(err)
	}
	if s.State.Agreement == nil || rs["a"].Name() != "climber" {
		t.Fatalf("status %s", s.State.Status)
	}
	checkReplay(t, s)
}

// TestProvisionalMediators: with the hill-climbing and the zone mediators,
// every draft after a point is closed keeps it, on the Miami scenario.
func TestProvisionalMediators(t *testing.T) {
	sc := miami(t)
	sc.Decision.Agreement = scenario.Provisional
	start := make(framework.Package, len(sc.Framework.Points))
	for _, med := range []session.Mediator{&HillClimbing{Start: start}, &Zone{Concept: Egalitarian()}} {
		s := mustNew(t, sc, session.Config{Protocol: session.SingleText, Mediator: "us", Rounds: 12, MediatorAccess: session.AccessProfiles})
		if err := session.RunMediated(s, med, profileResponders(s, 0.5)); err != nil {
			t.Fatalf("%s: %v", med.Name(), err)
		}
		closed := framework.NewPackage(len(sc.Framework.Points))
		n := 0
		for _, e := range s.Events() {
			switch {
			case e.Kind == session.KindDraft:
				for k, l := range closed {
					if l != framework.Open && !slices.Equal(e.Move.Text[k], []int{l}) {
						t.Fatalf("%s: version drafted in round %d changes closed point %d", med.Name(), e.Round, k)
					}
				}
			case e.Kind == "provisional":
				for _, k := range e.Note.Points {
					closed[k] = s.State.Provisional[k]
					n++
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no point was ever closed", med.Name())
		}
		checkReplay(t, s)
	}
}
