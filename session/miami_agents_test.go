package session_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// checked passes a negotiator's actions through, failing the test on an
// offer that is not a complete package inside the party's own red lines
// and on a walk-out (the built-in negotiators only walk out when no
// package is left, and miami-2025 leaves every party plenty).
type checked struct {
	agent.Negotiator
	t     *testing.T
	id    string
	f     *framework.Framework
	pr    *profile.Profile
	turns int
}

func (c *checked) Act(v *agent.View) agent.Action {
	c.t.Helper()
	a := c.Negotiator.Act(v)
	c.turns++
	switch a.Kind {
	case agent.MakeOffer:
		if err := c.f.CheckPackage(a.Package); err != nil {
			c.t.Errorf("%s (%s), round %d of %d: offers %v: %v", c.id, c.Name(), v.Round, v.Deadline, a.Package, err)
		} else if k := c.pr.CrossesRedLine(a.Package); k >= 0 {
			c.t.Errorf("%s (%s), round %d of %d: offers %v across its red line %d", c.id, c.Name(), v.Round, v.Deadline, a.Package, k+1)
		}
	case agent.EndTalks:
		c.t.Errorf("%s (%s), round %d of %d: walks away", c.id, c.Name(), v.Round, v.Deadline)
	}
	return a
}

// TestMiamiAgentsNoRefusedMove runs the built-in negotiators on the
// built-in miami-2025 scenario (20 points, 10^12 packages, red lines of
// forbidden options and forbidden combinations) through the session engine
// as `parley run` does, for many round counts and seeds: the engine refuses
// no move, and every offer is a complete package inside its party's red
// lines. The first configuration is the one that used to fail (`parley run
// miami-2025 --agent russia=boulware --agent ukraine=linear --agent
// europe=conceder --rounds 200`: Ukraine's linear agent offered an empty
// package in round 127). The negotiators build their own bid spaces, as
// under `parley run`, or share ones built as the tournament engine builds
// them (red lines given as a black-box agent.Excluding).
func TestMiamiAgentsNoRefusedMove(t *testing.T) {
	sc, err := scenario.Builtin("miami-2025")
	if err != nil {
		t.Fatal(err)
	}
	parties := []string{"russia", "ukraine", "europe"}
	specs := []string{"boulware", "linear", "conceder", "timedep:e=0.5", "boulware:floor", "tft", "nice-tft", "hardheaded", "random"}
	type run struct {
		agents []string
		rounds int
		seed   uint64
		shared bool
	}
	var runs []run
	rounds := []int{50, 100, 127, 200, 333, 500, 1000}
	for i, r := range rounds {
		runs = append(runs, run{[]string{"boulware", "linear", "conceder"}, r, uint64(1 + i), false})
	}
	if !testing.Short() {
		for i := range 3 * len(specs) {
			a := specs[i%len(specs)]
			b := specs[(i/len(specs)*4+i+1)%len(specs)]
			c := specs[(i/len(specs)*2+i+5)%len(specs)]
			runs = append(runs, run{[]string{a, b, c}, rounds[i%len(rounds)], uint64(10 + i), i%2 == 1})
		}
	}
	// The tournament's shared spaces: red lines as a black-box exclusion.
	shared := map[string]*agent.BidSpace{}
	for _, id := range parties {
		pr := sc.Party(id).Profile
		tb, err := pr.Compile(sc.Framework)
		if err != nil {
			t.Fatal(err)
		}
		bs, err := agent.NewBidSpace(sc.Framework, tb, agent.Excluding(func(p framework.Package) bool { return pr.CrossesRedLine(p) >= 0 }))
		if err != nil {
			t.Fatal(err)
		}
		shared[id] = bs
	}
	for _, rn := range runs {
		name := fmt.Sprintf("%s/%d/seed=%d", strings.Join(rn.agents, ","), rn.rounds, rn.seed)
		if rn.shared {
			name += "/shared"
		}
		t.Run(name, func(t *testing.T) {
			s, err := session.New(sc, session.Config{Protocol: session.SAO, Rounds: rn.rounds}, nil)
			if err != nil {
				t.Fatal(err)
			}
			agents := map[string]agent.Negotiator{}
			var all []*checked
			for i, id := range parties {
				spec := rn.agents[i]
				a, err := agent.ByName(spec, rn.seed+uint64(i))
				if err != nil {
					t.Fatal(err)
				}
				if rn.shared {
					a = withSpace(t, spec, rn.seed+uint64(i), shared[id])
				}
				c := &checked{Negotiator: a, t: t, id: id, f: sc.Framework, pr: sc.Party(id).Profile}
				agents[id] = c
				all = append(all, c)
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
			for _, c := range all {
				if c.turns == 0 {
					t.Errorf("%s never acted", c.id)
				}
			}
		})
	}
}

// withSpace builds the negotiator spec names (agent.ByName's names, no
// parameters but floor) on the shared bid space bs, as the tournament
// engine does.
func withSpace(t *testing.T, spec string, seed uint64, bs *agent.BidSpace) agent.Negotiator {
	t.Helper()
	opts := []agent.Option{agent.WithBidSpace(bs)}
	name, params, _ := strings.Cut(spec, ":")
	switch params {
	case "":
	case "floor":
		opts = append(opts, agent.WithFloor())
	case "e=0.5":
		return agent.NewTimeDependent(0.5, opts...)
	default:
		t.Fatalf("withSpace: parameters %q", params)
	}
	switch name {
	case "boulware":
		return agent.Boulware(opts...)
	case "linear":
		return agent.Linear(opts...)
	case "conceder":
		return agent.Conceder(opts...)
	case "tft":
		return agent.NewTitForTat(opts...)
	case "nice-tft":
		return agent.NewNiceTitForTat(opts...)
	case "hardheaded":
		return agent.NewHardHeaded(opts...)
	case "random":
		return agent.NewRandom(seed, opts...)
	}
	t.Fatalf("withSpace: strategy %q", name)
	return nil
}
