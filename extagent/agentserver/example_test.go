package agentserver_test

import (
	"fmt"
	"net/http/httptest"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/extagent"
	"github.com/parley-negotiation/parley/extagent/agentserver"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// Stubborn is a researcher's strategy, written against the same interface
// as Parley's built-in agents: it repeats its best package and accepts any
// offer worth at least 70% of it.
type Stubborn struct {
	best framework.Package
	max  float64
}

func (s *Stubborn) Name() string { return "stubborn" }

func (s *Stubborn) Init(v *agent.View) { s.max, s.best = v.Table.Max() }

func (s *Stubborn) Act(v *agent.View) agent.Action {
	if c := v.Current; c != nil && c.By != v.Self && v.Table.Utility(c.Package) >= 0.7*s.max {
		return agent.Action{Kind: agent.Accept, Package: c.Package.Clone()}
	}
	return agent.Action{Kind: agent.MakeOffer, Package: s.best.Clone()}
}

func Example() {
	// The agent's side: serve the strategy, one instance per negotiation.
	// In a real deployment:
	//
	//	log.Fatal(http.ListenAndServe(":9001", agentserver.New(func() agent.Negotiator { return &Stubborn{} })))
	srv := httptest.NewServer(agentserver.New(func() agent.Negotiator { return &Stubborn{} }))
	defer srv.Close()

	// Parley's side: the remote agent plays wherever a built-in one does.
	remote, err := extagent.New("", srv.URL)
	if err != nil {
		panic(err)
	}
	sc, err := scenario.Builtin("tiny-2p")
	if err != nil {
		panic(err)
	}
	s, err := session.New(sc, session.Config{Protocol: session.SAO, Rounds: 30}, nil)
	if err != nil {
		panic(err)
	}
	r, err := session.NewRunner(s, map[string]agent.Negotiator{"north": agent.Conceder(), "south": remote})
	if err != nil {
		panic(err)
	}
	if err := r.Run(); err != nil {
		panic(err)
	}
	extagent.Finish(s, r.Agents) // POST /end: the server forgets the negotiation
	fmt.Println(remote.Name(), "in round", s.State.Round, "→", s.State.Status)
	fmt.Println(sc.Framework.IDs(s.State.Agreement))
	fmt.Println("agent errors:", extagent.Err(remote))
	// Output:
	// stubborn in round 8 → pending-ratification
	// map[buffer-km:2 monitors:neutral-state withdrawal-km:30]
	// agent errors: <nil>
}
