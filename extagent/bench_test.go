package extagent_test

import (
	"os/exec"
	"testing"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// benchAct measures one Act on the counter-offer path: each call sees one
// new offer by the other party (as in a real session), history restarted
// every 100 calls so it stays bounded.
func benchAct(b *testing.B, sc *scenario.Scenario, n agent.Negotiator) {
	me, other := sc.Principals()[1], sc.Principals()[0]
	t, err := me.Profile.Compile(sc.Framework)
	if err != nil {
		b.Fatal(err)
	}
	ot, _ := other.Profile.Compile(sc.Framework)
	_, theirBest := ot.Max() // poor for me: never accepted early
	const rounds = 1000
	v := &agent.View{Self: 1, Parties: 2, Framework: sc.Framework, Profile: me.Profile, Table: t, Deadline: rounds}
	n.Init(v)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		r := i%100 + 1
		if r == 1 {
			v.History = v.History[:0]
		}
		o := agent.Offer{By: 0, Round: r, Package: theirBest}
		v.History = append(v.History, o)
		v.Round, v.Time, v.Current = r, agent.RoundTime(r, rounds), &o
		if act := n.Act(v); act.Kind != agent.MakeOffer {
			b.Fatalf("act %d: %+v (%v)", i, act, n.(interface{ Err() error }))
		}
	}
}

// BenchmarkRemoteAct: the cost of one turn of a boulware agent in-process,
// served by agentserver over loopback HTTP, and (if python3 is on PATH) the
// Python example agent.
func BenchmarkRemoteAct(b *testing.B) {
	scs := []*scenario.Scenario{tiny(b)}
	if g, _ := geniusDomain(b, "Amsterdam"); g != nil {
		scs = append(scs, g)
	}
	for _, sc := range scs {
		b.Run(sc.Name+"/in-process", func(b *testing.B) { benchAct(b, sc, agent.Boulware()) })
		b.Run(sc.Name+"/agentserver", func(b *testing.B) {
			srv := serve(b, "boulware", 1)
			benchAct(b, sc, dial(b, srv.URL))
		})
		b.Run(sc.Name+"/python", func(b *testing.B) {
			if _, err := exec.LookPath("python3"); err != nil {
				b.Skip("python3 not on PATH")
			}
			benchAct(b, sc, dial(b, startPython(b)))
		})
	}
}

// BenchmarkRemoteSession: whole 100-round SAO sessions on tiny-2p, boulware
// against conceder, in-process and with one side served over loopback.
func BenchmarkRemoteSession(b *testing.B) {
	sc := tiny(b)
	run := func(b *testing.B, south agent.Negotiator) {
		b.ReportAllocs()
		for range b.N {
			play(b, sc, session.SAO, 100, agent.Boulware(), south)
		}
	}
	b.Run("in-process", func(b *testing.B) { run(b, agent.Conceder()) })
	b.Run("agentserver", func(b *testing.B) { run(b, dial(b, serve(b, "conceder", 1).URL)) })
}
