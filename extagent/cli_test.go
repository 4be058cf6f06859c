package extagent_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/extagent"
	"github.com/parley-negotiation/parley/extagent/agentserver"
	"github.com/parley-negotiation/parley/internal/cli"
)

// callLog serves an agent and keeps every request body by path.
type callLog struct {
	mu    sync.Mutex
	count map[string]int
	inits [][]byte
	ends  [][]byte
	next  http.Handler
}

func newCallLog(next http.Handler) *callLog { return &callLog{count: map[string]int{}, next: next} }

func (c *callLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(b))
	c.mu.Lock()
	c.count[r.URL.Path]++
	switch r.URL.Path {
	case extagent.PathInit:
		c.inits = append(c.inits, b)
	case extagent.PathEnd:
		c.ends = append(c.ends, b)
	}
	c.mu.Unlock()
	c.next.ServeHTTP(w, r)
}

func parley(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = cli.Main(args, strings.NewReader(""), &o, &e)
	return o.String(), e.String(), code
}

// A tournament greets its external agent once (GET /), not once per
// negotiation; every negotiation it plays is initialised and ended, and
// /init names the agents and the tournament's scoring.
func TestTournamentHandshakeOnce(t *testing.T) {
	calls := newCallLog(agentserver.New(func() agent.Negotiator { return agent.Conceder() }))
	srv := httptest.NewServer(calls)
	defer srv.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "t.yaml")
	os.WriteFile(cfg, []byte(`name: handshakes
agents: [boulware, linear, {name: mine, url: "`+srv.URL+`"}]
scenarios: [tiny-2p]
protocol: sao
deadline: {rounds: 30}
repetitions: 2
`), 0o644)
	out, errs, code := parley(t, "tournament", cfg, "-o", filepath.Join(dir, "out"), "-q", "--workers", "2")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	// 3 agents, 2 roles: 6 ordered pairs × 2 repetitions; mine in 8.
	if calls.count["/"] != 1 || calls.count[extagent.PathInit] != 8 || calls.count[extagent.PathEnd] != 8 {
		t.Fatalf("calls %v, want 1 handshake, 8 /init and 8 /end", calls.count)
	}
	for _, b := range calls.inits {
		var in extagent.InitRequest
		json.Unmarshal(b, &in)
		names := []string{in.PartiesInfo[0].Agent, in.PartiesInfo[1].Agent}
		if in.Version != extagent.Version2 || in.Party.Agent != "mine" || !slices.Contains(names, "mine") ||
			(!slices.Contains(names, "boulware") && !slices.Contains(names, "linear")) ||
			in.Scoring == nil || in.Scoring.Rule != extagent.ScoreUtility || in.Scoring.NoAgreement != "zero" {
			t.Errorf("/init: agents %v party %+v scoring %+v", names, in.Party, in.Scoring)
		}
	}
	for _, b := range calls.ends {
		var e extagent.EndRequest
		json.Unmarshal(b, &e)
		if e.Cause == "" || (e.Agreement == nil && e.Reason == "") {
			t.Errorf("/end %s", b)
		}
	}
}

// parley run --json gives the agreement as level indices in framework
// order besides the labels; they are the package the agent hears at /end.
func TestRunJSONAgreementLevels(t *testing.T) {
	calls := newCallLog(agentserver.New(func() agent.Negotiator { return agent.Conceder() }))
	srv := httptest.NewServer(calls)
	defer srv.Close()
	out, errs, code := parley(t, "run", "tiny-2p", "--agent", "north=boulware", "--agent", "south="+srv.URL, "--rounds", "40", "--json")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	var o cli.Outcome
	if err := json.Unmarshal([]byte(out), &o); err != nil {
		t.Fatal(err)
	}
	if o.AgreementLevels == nil {
		t.Fatalf("no agreement: %s", out)
	}
	sc := tiny(t)
	if got := sc.Framework.IDs(o.AgreementLevels); !maps(got, o.Agreement) {
		t.Errorf("levels %v are %v, labels say %v", o.AgreementLevels, got, o.Agreement)
	}
	var end extagent.EndRequest
	json.Unmarshal(calls.ends[0], &end)
	var in extagent.InitRequest
	json.Unmarshal(calls.inits[0], &in)
	if !slices.Equal([]int(end.Agreement), o.AgreementLevels) || calls.count["/"] != 1 {
		t.Errorf("/end agreement %v, --json %v; %d handshakes", end.Agreement, o.AgreementLevels, calls.count["/"])
	}
	if in.Scoring == nil || in.Scoring.NoAgreement != "reservation" || in.PartiesInfo[0].Agent != o.Agents["north"] {
		t.Errorf("/init scoring %+v parties %+v", in.Scoring, in.PartiesInfo)
	}
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// walker ends the talks at its first turn.
type walker struct{ agent.Negotiator }

func (walker) Act(*agent.View) agent.Action { return agent.Action{Kind: agent.EndTalks} }

// Without a deadline, parley run warns that time stays 0 for its external
// agents, and /init says deadline time "none".
func TestRunNoDeadlineWarning(t *testing.T) {
	calls := newCallLog(agentserver.New(func() agent.Negotiator { return walker{agent.Conceder()} }))
	srv := httptest.NewServer(calls)
	defer srv.Close()
	_, errs, code := parley(t, "run", "tiny-2p", "--agent", "north="+srv.URL, "--rounds", "0", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "warning: no deadline") || !strings.Contains(errs, "never concede") {
		t.Errorf("stderr %q", errs)
	}
	var in extagent.InitRequest
	json.Unmarshal(calls.inits[0], &in)
	var end extagent.EndRequest
	json.Unmarshal(calls.ends[0], &end)
	if in.Deadline.Time != extagent.TimeNone || end.Cause != extagent.CauseWalkedAway || end.By != "north" {
		t.Errorf("/init deadline %+v; /end cause %q by %q", in.Deadline, end.Cause, end.By)
	}
	// With a deadline: no warning.
	_, errs, _ = parley(t, "run", "tiny-2p", "--agent", "north="+srv.URL, "--rounds", "10")
	if strings.Contains(errs, "no deadline") {
		t.Errorf("warning with a deadline: %q", errs)
	}
}

// In a tournament, an agent that breaks the protocol still hears /end after
// each of its negotiations, with its own failure; the others go on.
func TestTournamentEndAfterFailure(t *testing.T) {
	srv, _ := brokenAgent(t, 2, writeString(`{"action":"offer","package":[0,9,0]}`))
	calls := newCallLog(handlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, srv.URL+r.URL.Path, r.Body)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	proxy := httptest.NewServer(calls)
	defer proxy.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "t.yaml")
	os.WriteFile(cfg, []byte(`name: broken
agents: [boulware, {name: broken, url: "`+proxy.URL+`"}]
scenarios: [tiny-2p]
protocol: sao
deadline: {rounds: 30}
`), 0o644)
	out, errs, _ := parley(t, "tournament", cfg, "-o", filepath.Join(dir, "out"), "-q")
	if calls.count["/"] != 1 || calls.count[extagent.PathInit] != 2 || calls.count[extagent.PathEnd] != 2 {
		t.Fatalf("calls %v, want 1 handshake, 2 /init and 2 /end\n%s\n%s", calls.count, out, errs)
	}
	for _, b := range calls.ends {
		var e extagent.EndRequest
		json.Unmarshal(b, &e)
		if e.Cause != extagent.CauseAgentError || !strings.Contains(e.OwnError, "outside 0..4") || e.Reason == "" {
			t.Errorf("/end %s", b)
		}
	}
}
