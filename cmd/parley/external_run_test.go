package main

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
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

// crashing answers the handshake and /init like a parley-agent/1 agent,
// then its /act fails after n good moves.
type crashing struct {
	agent.Negotiator
	n, moves int
}

func (c *crashing) Act(v *agent.View) agent.Action {
	c.moves++
	if c.moves > c.n {
		panic("division by zero")
	}
	return c.Negotiator.Act(v)
}

// TestRunWithFailingAgent: an external agent that crashed or timed out
// ended the session as if it had walked away — exit 0, "south ended the
// negotiation". It is a fault: the log records it with its cause, the
// outcome names it and parley run exits 1; the log still verifies.
func TestRunWithFailingAgent(t *testing.T) {
	srv := httptest.NewServer(agentserver.New(func() agent.Negotiator { return &crashing{Negotiator: agent.Conceder(), n: 3} }, agentserver.Name("flaky")))
	defer srv.Close()
	dir := t.TempDir()
	t.Setenv("PARLEY_SIGNING_KEY", filepath.Join(dir, "key.pem"))
	log := filepath.Join(dir, "run.jsonl")
	var stdout, stderr strings.Builder
	code := cli.Main([]string{"run", "tiny-2p", "--agent", "north=boulware", "--agent", "south=" + srv.URL, "--rounds", "40", "--json", "--log", log},
		strings.NewReader(""), &stdout, &stderr)
	if code != cli.ExitFail {
		t.Fatalf("exit %d, want %d\n%s%s", code, cli.ExitFail, stdout.String(), stderr.String())
	}
	if !strings.Contains(stderr.String(), "agent fault") || !strings.Contains(stderr.String(), "panicked: division by zero") {
		t.Errorf("stderr: %s", stderr.String())
	}
	var out struct {
		Status string
		Reason string
		Fault  *struct{ Party, Cause string }
	}
	if err := json.Unmarshal([]byte(stdout.String()), &out); err != nil {
		t.Fatal(err)
	}
	if out.Fault == nil || out.Fault.Party != "south" || !strings.Contains(out.Reason, "the agent of south failed") || strings.Contains(out.Reason, "ended the negotiation") {
		t.Fatalf("outcome %+v", out)
	}
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"kind":"fault","move":{"kind":"fault","party":"south","message":"agent flaky:`) {
		t.Errorf("the log has no fault record:\n%s", b)
	}
	var vout, verr strings.Builder
	if code := cli.Main([]string{"verify", log, "--pub", filepath.Join(dir, "key.pub.pem")}, strings.NewReader(""), &vout, &verr); code != 0 {
		t.Fatalf("verify: exit %d %s%s", code, vout.String(), verr.String())
	}
}
