package extagent_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/extagent"
	"github.com/parley-negotiation/parley/extagent/agentserver"
	"github.com/parley-negotiation/parley/genius"
	"github.com/parley-negotiation/parley/internal/refdata"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// epoch is the fixed clock of every test session: two runs of the same
// moves then produce byte-identical logs (hashes included).
var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func fixedClock() time.Time { return epoch }

func tiny(t testing.TB) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Builtin("tiny-2p")
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// geniusDomain loads a shared GENIUS domain folder (its linear profiles), or
// returns nil with the reason when the reference data is absent.
func geniusDomain(t testing.TB, name string) (*scenario.Scenario, string) {
	t.Helper()
	root := refdata.Root()
	if root == "" {
		return nil, "reference data not found (../shared/data beside the repository, or $PARLEY_SHARED_DATA)"
	}
	sc, err := genius.LoadDir(filepath.Join(root, "genius", "domains", name), nil)
	if err != nil {
		return nil, "GENIUS domain " + name + ": " + err.Error()
	}
	return sc, ""
}

func builtin(t testing.TB, spec string, seed uint64) agent.Negotiator {
	t.Helper()
	a, err := agent.ByName(spec, seed)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// serve starts an agentserver for spec on a loopback test server.
func serve(t testing.TB, spec string, seed uint64) *httptest.Server {
	t.Helper()
	builtin(t, spec, seed) // check the spec
	srv := httptest.NewServer(agentserver.New(func() agent.Negotiator {
		a, _ := agent.ByName(spec, seed)
		return a
	}))
	t.Cleanup(srv.Close)
	return srv
}

func dial(t testing.TB, url string, opts ...extagent.Option) *extagent.Remote {
	t.Helper()
	r, err := extagent.Dial("", url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// play runs one session of sc under protocol with the given agents (by
// party, in turn order) and reports the outcome to Enders.
func play(t testing.TB, sc *scenario.Scenario, protocol string, rounds int, agents ...agent.Negotiator) *session.Session {
	t.Helper()
	s, err := session.New(sc, session.Config{Protocol: protocol, Rounds: rounds}, fixedClock)
	if err != nil {
		t.Fatal(err)
	}
	if len(agents) != len(s.Config.Parties) {
		t.Fatalf("%d agents for %d parties", len(agents), len(s.Config.Parties))
	}
	m := map[string]agent.Negotiator{}
	for i, id := range s.Config.Parties {
		m[id] = agents[i]
	}
	r, err := session.NewRunner(s, m)
	if err != nil {
		t.Fatal(err)
	}
	// A failed agent is a fault the log records (the tests of broken
	// agents check it), not a failure of the run.
	if err := r.Run(); err != nil && !errors.Is(err, session.ErrAgentFault) {
		t.Fatalf("run: %v", err)
	}
	extagent.Finish(s, m)
	return s
}

// lastHash identifies a whole session log.
// lastHash identifies what a session's log records (not its salts, which
// differ between runs).
func lastHash(s *session.Session) string { return session.ContentHash(s.Events()) }

// handlerFunc adapts a function to an http.Handler for broken agents.
type handlerFunc func(w http.ResponseWriter, r *http.Request)

func (f handlerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) { f(w, r) }

var defaultHTTP = &http.Client{Timeout: 10 * time.Second}
