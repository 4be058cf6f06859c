package extagent_test

import (
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/extagent"
	"github.com/parley-negotiation/parley/extagent/agentserver"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/internal/fixture"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// additive returns sc with every party's interactions removed.
func additive(sc *scenario.Scenario) *scenario.Scenario {
	for i := range sc.Parties {
		if pr := sc.Parties[i].Profile; pr != nil {
			cp := *pr
			cp.Interactions = nil
			sc.Parties[i].Profile = &cp
		}
	}
	return sc
}

// wireUtility is what the protocol tells an agent to compute: Σ contrib,
// each interaction's value added right after its point last, in the order
// listed.
func wireUtility(tb *extagent.Table, p framework.Package) float64 {
	u, k := 0.0, 0
	for i, l := range p {
		u += tb.Contrib[i][l]
		for ; k < len(tb.Interactions) && tb.Interactions[k].Last == i; k++ {
			in := tb.Interactions[k]
			all := true
			for _, term := range in.Terms {
				hit := false
				for _, x := range term.Levels {
					hit = hit || x == p[term.Point]
				}
				all = all && hit
			}
			if all != in.Outside {
				u += in.Value
			}
		}
	}
	return u
}

// TestInteractionsInit: a version 2 agent playing a profile with
// interactions gets them in /init's table (ids and indices), and the
// utility the protocol defines from the table equals Parley's
// Table.Utility bit for bit on random packages; a version 1 agent is
// refused with ErrNonAdditive before any /init is sent.
func TestInteractionsInit(t *testing.T) {
	sc := fixture.RandomNonLinear("nl-wire", 6, 4, 2, 3, 1, 0.3,
		fixture.NonLinear{Interactions: 8, Arity: 3, Additive: 1, Negative: true, Outside: true})
	inits := make(chan []byte, 4)
	v1only := false
	ok := agentserver.New(func() agent.Negotiator { return agent.Conceder() })
	srv := httptest.NewServer(handlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" && v1only {
			io.WriteString(w, `{"name":"old","version":"parley-agent/1"}`)
			return
		}
		if r.URL.Path == extagent.PathInit {
			b, _ := io.ReadAll(r.Body)
			inits <- b
			r.Body = io.NopCloser(strings.NewReader(string(b)))
		}
		ok.ServeHTTP(w, r)
	}))
	defer srv.Close()
	remote := dial(t, srv.URL)
	s := play(t, sc, session.SAO, 10, remote, builtin(t, "boulware", 1))
	var got extagent.InitRequest
	select {
	case b := <-inits:
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no /init")
	}
	if remote.Err() != nil {
		t.Fatalf("v2 agent failed: %v", remote.Err())
	}
	pr := sc.Parties[0].Profile
	tb, err := pr.Compile(sc.Framework)
	if err != nil {
		t.Fatal(err)
	}
	if got.Table == nil || len(got.Table.Interactions) != len(pr.Interactions) || len(got.Profile.Interactions) != len(pr.Interactions) {
		t.Fatalf("/init table interactions %+v", got.Table)
	}
	for _, in := range got.Table.Interactions {
		for _, term := range in.Terms {
			pt := &sc.Framework.Points[term.Point]
			if term.PointID != pt.ID || len(term.LevelIDs) != len(term.Levels) {
				t.Fatalf("term %+v", term)
			}
			for k, l := range term.Levels {
				if term.LevelIDs[k] != pt.LevelID(l) {
					t.Fatalf("term %+v: level %d is %q", term, l, pt.LevelID(l))
				}
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	p := make(framework.Package, len(sc.Framework.Points))
	for range 2000 {
		for i := range p {
			p[i] = rng.IntN(sc.Framework.Points[i].Levels())
		}
		if w, u := wireUtility(got.Table, p), tb.Utility(p); w != u {
			t.Fatalf("%v: utility from the wire %v, Table.Utility %v", p, w, u)
		}
	}
	if hi, _ := tb.Max(); got.Table.Max != hi || got.Table.Min != tb.Min() {
		t.Errorf("table min/max %v %v, exact %v %v", got.Table.Min, got.Table.Max, tb.Min(), hi)
	}
	_ = s
	// Version 1: refused, nothing sent.
	v1only = true
	old := dial(t, srv.URL)
	play(t, sc, session.SAO, 10, old, builtin(t, "boulware", 1))
	if err := old.Err(); !errors.Is(err, extagent.ErrNonAdditive) || !strings.Contains(err.Error(), "parley-agent/2") {
		t.Errorf("v1 agent on interactions: %v", err)
	}
	select {
	case <-inits:
		t.Error("/init sent to a version 1 agent on a profile with interactions")
	default:
	}
}
