package session_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/genius"
	"github.com/parley-negotiation/parley/internal/fixture"
	"github.com/parley-negotiation/parley/internal/refdata"
	"github.com/parley-negotiation/parley/mediator"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// builtinNegotiators are agent.ByName's strategies (agent.Negotiators),
// every one.
var builtinNegotiators = []string{"boulware", "conceder", "linear", "timedep:e=0.5", "tft", "nice-tft", "hardheaded", "random",
	"boulware-tb", "linear-tb", "conceder-tb", "aspiration", "naive-tft", "micro"}

// nonLinearScenarios are RandomNonLinear scenarios of 10^10 and 10^30
// packages (pairwise interactions, negative and Outside ones) with a
// mediator seat, and NonLinear10issues when the GENIUS reader reads it.
func nonLinearScenarios(t *testing.T) map[string]*scenario.Scenario {
	t.Helper()
	out := map[string]*scenario.Scenario{}
	for _, c := range []struct{ points, inter int }{{10, 20}, {30, 60}} {
		sc := fixture.RandomNonLinear(fmt.Sprintf("nl-%dx10", c.points), c.points, 10, 2, uint64(c.points), 3, 0.2,
			fixture.NonLinear{Interactions: c.inter, Additive: 1, Negative: true, Outside: true})
		out[sc.Name] = sc
	}
	if sc, why := nonLinear10issues(); sc != nil {
		out["NonLinear10issues"] = sc
	} else {
		t.Logf("NonLinear10issues skipped: %s", why)
	}
	for _, sc := range out {
		if !hasInteractions(sc) {
			t.Fatalf("%s: no interactions", sc.Name)
		}
		sc.Parties = append(sc.Parties, scenario.Party{ID: "med", Name: "Mediator", Role: scenario.Mediator})
	}
	return out
}

func hasInteractions(sc *scenario.Scenario) bool {
	for _, p := range sc.Parties {
		if p.Profile != nil && len(p.Profile.Interactions) > 0 {
			return true
		}
	}
	return false
}

// nonLinear10issues loads the shared GENIUS domain NonLinear10issues (10
// issues × 10 values, hyper-rectangle constraints), or returns nil and why
// not (reference data absent, or the GENIUS reader still refuses it).
func nonLinear10issues() (*scenario.Scenario, string) {
	root := refdata.Root()
	if root == "" {
		return nil, "reference data not found (../shared/data beside the repository, or $PARLEY_SHARED_DATA)"
	}
	sc, err := genius.LoadDir(filepath.Join(root, "genius", "domains", "NonLinear10issues"), nil)
	if errors.Is(err, genius.ErrNonLinear) {
		return nil, "the GENIUS reader returns ErrNonLinear for it (non-linear domains not read yet)"
	}
	if err != nil {
		return nil, err.Error()
	}
	return sc, ""
}

// TestNonLinearAgentsSAO runs every built-in negotiator (agent.ByName's
// list) on non-linear scenarios (10^10 packages with interactions, and
// NonLinear10issues when readable: every strategy under SAO, half under
// AMOP; 10^30 packages: a third under SAO) under SAO and AMOP: the
// engine refuses no move, no agent walks away or offers a package that is
// incomplete or across its red lines, and the utilities the session's
// outcome reports are Table.Utility's of the agreement, bit for bit.
func TestNonLinearAgentsSAO(t *testing.T) {
	scs := nonLinearScenarios(t)
	for name, sc := range scs {
		parties := []string{sc.Parties[0].ID, sc.Parties[1].ID}
		tables := map[string]*profile.Table{}
		spaces := map[string]*agent.BidSpace{}
		for _, id := range parties {
			tb, err := sc.Party(id).Profile.Compile(sc.Framework)
			if err != nil {
				t.Fatal(err)
			}
			tables[id] = tb
			if strings.HasSuffix(name, "30x10") {
				// Shared, as a tournament shares them (building one costs
				// Table.Max's programme twice); the other scenarios' agents
				// build their own.
				if spaces[id], err = agent.NewBidSpace(sc.Framework, tb); err != nil {
					t.Fatal(err)
				}
			}
		}
		for i, spec := range builtinNegotiators {
			for _, proto := range []string{session.SAO, session.AMOP} {
				big := strings.HasSuffix(name, "30x10")
				if proto == session.AMOP && (i%2 == 1 || big) || big && i%3 != 0 {
					// Every strategy under SAO on the 10^10 spaces, half of
					// them under AMOP, a third on the 10^30 one: the test
					// stays short.
					continue
				}
				other := builtinNegotiators[(i+5)%len(builtinNegotiators)]
				t.Run(fmt.Sprintf("%s/%s/%s-vs-%s", name, proto, spec, other), func(t *testing.T) {
					s, err := session.New(sc, session.Config{Protocol: proto, Rounds: 40, Parties: parties}, nil)
					if err != nil {
						t.Fatal(err)
					}
					agents := map[string]agent.Negotiator{}
					for k, id := range parties {
						var opts []agent.Option
						if bs := spaces[id]; bs != nil {
							opts = append(opts, agent.WithBidSpace(bs))
						}
						a, err := agent.ByName([]string{spec, other}[k], uint64(7+k), opts...)
						if err != nil {
							t.Fatal(err)
						}
						agents[id] = &checked{Negotiator: a, t: t, id: id, f: sc.Framework, pr: sc.Party(id).Profile}
					}
					r, err := session.NewRunner(s, agents)
					if err != nil {
						t.Fatal(err)
					}
					if err := r.Run(); err != nil {
						t.Fatalf("refused: %v", err)
					}
					if !s.State.Done() {
						t.Errorf("session not finished: %v", s.State.Status)
					}
					checkUtilities(t, s, tables)
				})
			}
		}
	}
}

// checkUtilities requires the agreement, if any, to be a complete package
// that the session's parties' tables value (the session itself records
// packages, not utilities: the outcome and the tournament compute them
// with Table.Utility, see the tournament's TestNonLinearTournament).
func checkUtilities(t *testing.T, s *session.Session, tables map[string]*profile.Table) {
	t.Helper()
	agreed := s.State.Agreement
	if agreed == nil {
		return
	}
	if !agreed.Complete() || len(agreed) != len(s.Scenario.Framework.Points) {
		t.Fatalf("agreement %v is not a complete package", agreed)
	}
	for id, tb := range tables {
		if u := tb.Utility(agreed); u != u {
			t.Errorf("%s: utility of %v is NaN", id, agreed)
		}
	}
}

// TestNonLinearMediatedProtocols runs the mediated protocols (single
// text, vote, feedback, blind) on the same non-linear scenarios with the
// profile-driven parties `parley run` uses and the hill-climbing and Nash
// mediators: RunMediated refuses nothing and ends the session.
func TestNonLinearMediatedProtocols(t *testing.T) {
	scs := nonLinearScenarios(t)
	for name, sc := range scs {
		parties := []string{sc.Parties[0].ID, sc.Parties[1].ID}
		tables := map[string]*profile.Table{}
		for _, id := range parties {
			tb, err := sc.Party(id).Profile.Compile(sc.Framework)
			if err != nil {
				t.Fatal(err)
			}
			tables[id] = tb
		}
		for _, proto := range []string{session.SingleText, session.Voting, session.Feedback, session.Blind} {
			for _, strat := range []string{"hill", "nash"} {
				if strat == "nash" && strings.HasSuffix(name, "30x10") {
					continue // the zone of a 10^30 space is the analysis's to compute
				}
				t.Run(fmt.Sprintf("%s/%s/%s", name, proto, strat), func(t *testing.T) {
					cfg := session.Config{Protocol: proto, Rounds: 20, Parties: parties, Mediator: "med"}
					if strat != "hill" {
						cfg.MediatorAccess = session.AccessProfiles
					}
					s, err := session.New(sc, cfg, nil)
					if err != nil {
						t.Fatal(err)
					}
					med, err := mediator.ByName(strat, 3)
					if err != nil {
						t.Fatal(err)
					}
					rs := map[string]session.Responder{}
					for _, id := range parties {
						var r session.Responder = session.ProfileResponder{Tolerance: 0.1}
						if proto == session.Voting {
							r = session.HillClimber{ProfileResponder: session.ProfileResponder{Tolerance: 0.1}}
						}
						rs[id] = r
					}
					if err := session.RunMediated(s, med, rs); err != nil {
						t.Fatalf("refused: %v", err)
					}
					if !s.State.Done() {
						t.Errorf("session not finished: %v", s.State.Status)
					}
					checkUtilities(t, s, tables)
				})
			}
		}
	}
}
