package extagent_test

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/extagent"
	"github.com/parley-negotiation/parley/extagent/agentserver"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// A negotiator served by agentserver and played through extagent produces
// exactly the session it produces in-process: same moves, same log (hashes
// included, with a fixed clock), whichever side it plays.
func TestServedMatchesInProcess(t *testing.T) {
	type sc struct {
		name   string
		s      *scenario.Scenario
		rounds int
	}
	scs := []sc{{"tiny-2p", tiny(t), 40}}
	if g, why := geniusDomain(t, "Amsterdam"); g != nil {
		scs = append(scs, sc{"Amsterdam", g, 60})
	} else {
		t.Logf("GENIUS part skipped: %s", why)
	}
	specs := []string{"boulware", "conceder", "linear", "tft", "nice-tft", "hardheaded", "random"}
	for _, c := range scs {
		for _, spec := range specs {
			for side := range 2 {
				t.Run(fmt.Sprintf("%s/%s/side%d", c.name, spec, side), func(t *testing.T) {
					srv := serve(t, spec, 7)
					remote := dial(t, srv.URL)
					in := []agent.Negotiator{builtin(t, "boulware", 1), builtin(t, spec, 7)}
					ex := []agent.Negotiator{builtin(t, "boulware", 1), remote}
					if side == 1 {
						in[0], in[1] = in[1], in[0]
						ex[0], ex[1] = ex[1], ex[0]
					}
					want := play(t, c.s, session.SAO, c.rounds, in...)
					got := play(t, c.s, session.SAO, c.rounds, ex...)
					if err := remote.Err(); err != nil {
						t.Fatalf("remote failed: %v", err)
					}
					if g, w := got.State.Status, want.State.Status; g != w {
						t.Fatalf("status %s, in-process %s", g, w)
					}
					if !slices.Equal(got.State.Agreement, want.State.Agreement) || got.Len() != want.Len() {
						t.Fatalf("agreement %v after %d events; in-process %v after %d", got.State.Agreement, got.Len(), want.State.Agreement, want.Len())
					}
					if lastHash(got) != lastHash(want) {
						t.Fatalf("logs differ (same outcome)")
					}
					if n := srv.Config.Handler.(*agentserver.Server).Len(); n != 0 {
						t.Errorf("server still holds %d negotiations after /end", n)
					}
				})
			}
		}
	}
}

// AMOP: the remote's offers drive the offer phase; votes follow the
// runner's rule. Same log as in-process.
func TestServedAMOP(t *testing.T) {
	srv := serve(t, "conceder", 3)
	remote := dial(t, srv.URL, extagent.WithProtocol(session.AMOP))
	want := play(t, tiny(t), session.AMOP, 30, builtin(t, "boulware", 1), builtin(t, "conceder", 3))
	got := play(t, tiny(t), session.AMOP, 30, builtin(t, "boulware", 1), remote)
	if err := remote.Err(); err != nil {
		t.Fatal(err)
	}
	if lastHash(got) != lastHash(want) {
		t.Fatalf("amop: logs differ: %s %v vs %s %v", got.State.Status, got.State.Agreement, want.State.Status, want.State.Agreement)
	}
}

// One Remote reused for successive sessions, and several Remotes playing
// concurrently against one server.
func TestReuseAndConcurrency(t *testing.T) {
	srv := serve(t, "tft", 1)
	remote := dial(t, srv.URL)
	want := play(t, tiny(t), session.SAO, 30, builtin(t, "conceder", 1), builtin(t, "tft", 1))
	for range 3 {
		got := play(t, tiny(t), session.SAO, 30, builtin(t, "conceder", 1), remote)
		if lastHash(got) != lastHash(want) || remote.Err() != nil {
			t.Fatalf("reuse: %v", remote.Err())
		}
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := dial(t, srv.URL)
			got := play(t, tiny(t), session.SAO, 30, builtin(t, "conceder", 1), r)
			if lastHash(got) != lastHash(want) || r.Err() != nil {
				t.Errorf("concurrent session %d: %v", i, r.Err())
			}
		}()
	}
	wg.Wait()
	if n := srv.Config.Handler.(*agentserver.Server).Len(); n != 0 {
		t.Errorf("server holds %d negotiations", n)
	}
}

// A Remote whose session stops without Finish reports the negotiation as
// abandoned at its next Init, so the server does not keep it.
func TestAbandoned(t *testing.T) {
	var mu sync.Mutex
	var ends []extagent.Outcome
	srv := httptest.NewServer(agentserver.New(func() agent.Negotiator {
		return &recorder{Negotiator: agent.Boulware(), end: func(o extagent.Outcome) {
			mu.Lock()
			ends = append(ends, o)
			mu.Unlock()
		}}
	}))
	defer srv.Close()
	remote := dial(t, srv.URL)
	for range 2 {
		s, _ := session.New(tiny(t), session.Config{Protocol: session.SAO, Rounds: 10}, fixedClock)
		r, err := session.NewRunner(s, map[string]agent.Negotiator{"north": remote, "south": agent.Conceder()})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Run(); err != nil {
			t.Fatal(err)
		}
	}
	if len(ends) != 1 || ends[0].Status != extagent.StatusAbandoned {
		t.Fatalf("ends %+v, want one abandoned", ends)
	}
	remote.End(extagent.Outcome{Status: session.StatusNoAgreement})
	if len(ends) != 2 || srv.Config.Handler.(*agentserver.Server).Len() != 0 || remote.Err() != nil {
		t.Fatalf("ends %+v, err %v", ends, remote.Err())
	}
}

// Handler(a) with one instance: a new negotiation supersedes the previous
// one, whose next call fails cleanly.
func TestSingleHandlerSupersedes(t *testing.T) {
	srv := httptest.NewServer(agentserver.Handler(agent.Boulware()))
	defer srv.Close()
	r1, r2 := dial(t, srv.URL), dial(t, srv.URL)
	sc := tiny(t)
	s1, _ := session.New(sc, session.Config{Protocol: session.SAO, Rounds: 10}, fixedClock)
	run1, err := session.NewRunner(s1, map[string]agent.Negotiator{"north": r1, "south": agent.Boulware()})
	if err != nil {
		t.Fatal(err)
	}
	got := play(t, sc, session.SAO, 10, r2, agent.Conceder()) // supersedes r1's negotiation
	if r2.Err() != nil || got.State.Status == session.StatusOpen {
		t.Fatal(r2.Err())
	}
	if err := run1.Run(); !errors.Is(err, session.ErrAgentFault) {
		t.Fatalf("run of the superseded negotiation: %v, want the agent's fault", err)
	}
	if r1.Err() == nil || s1.State.Status != session.StatusNoAgreement || s1.State.Fault == nil {
		t.Fatalf("superseded negotiation: err %v, status %s", r1.Err(), s1.State.Status)
	}
	t.Logf("superseded: %v", r1.Err())
}

type recorder struct {
	agent.Negotiator
	end func(extagent.Outcome)
}

func (r *recorder) End(o extagent.Outcome) { r.end(o) }
