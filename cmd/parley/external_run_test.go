package main

import (
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/extagent/agentserver"
	"github.com/parley-negotiation/parley/internal/cli"
)

// TestRunWithExternalAgent: `parley run --agent PARTY=URL` plays a session
// with an agent behind the parley-agent/1 protocol, and the session is the
// one the same strategy plays in-process (same agreement, rounds and
// utilities).
func TestRunWithExternalAgent(t *testing.T) {
	srv := httptest.NewServer(agentserver.New(func() agent.Negotiator { return agent.Conceder() }, agentserver.Name("remote-conceder")))
	defer srv.Close()
	run := func(south string) map[string]any {
		t.Helper()
		var stdout, stderr strings.Builder
		args := []string{"run", "tiny-2p", "--agent", "north=boulware", "--agent", "south=" + south, "--rounds", "40", "--json"}
		if code := cli.Main(args, strings.NewReader(""), &stdout, &stderr); code != 0 {
			t.Fatalf("parley %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
		}
		if stderr.Len() > 0 {
			t.Errorf("stderr: %s", stderr.String())
		}
		var out map[string]any
		if err := json.Unmarshal([]byte(stdout.String()), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	remote, local := run(srv.URL), run("conceder")
	if remote["agreement"] == nil {
		t.Fatalf("no agreement: %v", remote)
	}
	for _, k := range []string{"agreement", "utilities", "rounds", "events", "status"} {
		if !reflect.DeepEqual(remote[k], local[k]) {
			t.Errorf("%s: external %v, in-process %v", k, remote[k], local[k])
		}
	}
	if !strings.Contains(mustJSON(t, remote), "remote-conceder") {
		t.Errorf("the outcome does not name the external agent: %s", mustJSON(t, remote))
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
