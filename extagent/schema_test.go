package extagent_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/extagent"
	"github.com/parley-negotiation/parley/extagent/agentserver"
	"github.com/parley-negotiation/parley/session"
)

const protocolSchema = "../docs/agent-protocol.schema.json"

// schemas compiles every message schema of docs/agent-protocol.schema.json.
func schemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	f, err := os.Open(protocolSchema)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", protocolSchema, err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("agent-protocol.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]*jsonschema.Schema{}
	for _, m := range []string{"hello", "init", "act", "answer", "end", "init_v2", "act_v2", "end_v2", "ack", "error"} {
		s, err := c.Compile("agent-protocol.schema.json#/$defs/" + m)
		if err != nil {
			t.Fatalf("%s: $defs/%s does not compile: %v", protocolSchema, m, err)
		}
		out[m] = s
	}
	return out
}

func validate(t *testing.T, s *jsonschema.Schema, what string, data []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Errorf("%s: not JSON: %v: %s", what, err, data)
		return
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("%s: %s\nviolates the schema: %v", what, data, err)
	}
}

// exchange is one recorded call.
type exchange struct {
	method, path string
	status       int
	req, resp    []byte
}

// recorder records every call passing to next.
type recording struct {
	mu   sync.Mutex
	log  []exchange
	next http.Handler
}

func (rec *recording) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	rw := httptest.NewRecorder()
	rec.next.ServeHTTP(rw, r)
	rec.mu.Lock()
	rec.log = append(rec.log, exchange{r.Method, r.URL.Path, rw.Code, body, rw.Body.Bytes()})
	rec.mu.Unlock()
	for k, v := range rw.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rw.Code)
	w.Write(rw.Body.Bytes())
}

// check validates every recorded message against its schema (version 1's
// or version 2's, as the negotiation's /init says) and returns how many of
// each path it saw, and of each version's /init ("/init v1", "/init v2").
func (rec *recording) check(t *testing.T, sch map[string]*jsonschema.Schema) map[string]int {
	t.Helper()
	seen := map[string]int{}
	version := map[string]string{} // negotiation → its version's suffix
	suffix := func(req []byte) string {
		var m struct{ Negotiation, Version string }
		_ = json.Unmarshal(req, &m)
		if m.Version != "" {
			if m.Version == extagent.Version2 {
				version[m.Negotiation] = "_v2"
			} else {
				version[m.Negotiation] = ""
			}
		}
		return version[m.Negotiation]
	}
	for _, e := range rec.log {
		seen[e.path]++
		if e.status != http.StatusOK {
			validate(t, sch["error"], e.path+" error answer", e.resp)
			continue
		}
		switch e.path {
		case extagent.PathHello:
			validate(t, sch["hello"], "GET /", e.resp)
		case extagent.PathInit:
			v := suffix(e.req)
			seen["/init v"+map[string]string{"": "1", "_v2": "2"}[v]]++
			validate(t, sch["init"+v], "/init"+v+" request", e.req)
			validate(t, sch["ack"], "/init answer", e.resp)
		case extagent.PathAct:
			v := suffix(e.req)
			validate(t, sch["act"+v], "/act"+v+" request", e.req)
			validate(t, sch["answer"], "/act answer", e.resp)
		case extagent.PathEnd:
			v := suffix(e.req)
			validate(t, sch["end"+v], "/end"+v+" request", e.req)
			validate(t, sch["ack"], "/end answer", e.resp)
		default:
			t.Errorf("unexpected call %s %s", e.method, e.path)
		}
	}
	return seen
}

// Every message Parley sends and agentserver answers, in real sessions
// (tiny-2p has every point kind, value functions, red lines, a fallback,
// a discount and uncertainty; plus a GENIUS domain and an amop session),
// is valid under the published schema.
func TestSchemaGoMessages(t *testing.T) {
	sch := schemas(t)
	rec := &recording{next: agentserver.New(func() agent.Negotiator { return agent.NewNiceTitForTat() })}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	for side := range 2 {
		remote := dial(t, srv.URL)
		agents := []agent.Negotiator{remote, builtin(t, "conceder", 1)}
		if side == 1 {
			agents[0], agents[1] = agents[1], agents[0]
		}
		play(t, tiny(t), session.SAO, 30, agents...)
	}
	play(t, tiny(t), session.AMOP, 10, builtin(t, "boulware", 1), dial(t, srv.URL, extagent.WithProtocol(session.AMOP)))
	// Version 1, spoken with an agent that knows both.
	play(t, tiny(t), session.SAO, 30, dial(t, srv.URL, extagent.WithVersion(extagent.Version1)), builtin(t, "conceder", 1))
	play(t, tiny(t), session.AMOP, 10, dial(t, srv.URL, extagent.WithVersion(extagent.Version1), extagent.WithProtocol(session.AMOP)), builtin(t, "conceder", 1))
	// Three parties: acceptances and votes in the history, names and
	// scoring in /init; the agent's own failure and its /end.
	for _, p := range []string{session.SAO, session.AMOP} {
		s, _ := session.New(miami(t), session.Config{Protocol: p, Rounds: 12, Parties: []string{"russia", "ukraine", "europe"}}, fixedClock)
		m := map[string]agent.Negotiator{"russia": builtin(t, "conceder", 1), "europe": builtin(t, "linear", 1),
			"ukraine": dial(t, srv.URL, extagent.WithProtocol(p), extagent.WithAgents([]string{"a", "b", "c"}),
				extagent.WithScoring(extagent.Scoring{Rule: extagent.ScoreUtility, NoAgreement: session.ScoreZero}))}
		r, _ := session.NewRunner(s, m)
		if err := r.Run(); err != nil {
			t.Fatal(err)
		}
		extagent.Finish(s, m)
	}
	sessions := 7
	if g, why := geniusDomain(t, "Amsterdam"); g != nil {
		play(t, g, session.SAO, 40, dial(t, srv.URL), builtin(t, "boulware", 1))
		sessions++
	} else {
		t.Logf("GENIUS part skipped: %s", why)
	}
	// A call to an unknown negotiation: the error answer.
	resp, err := http.Post(srv.URL+extagent.PathAct, "application/json", strings.NewReader(`{"negotiation":"none"}`))
	if err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown negotiation: %v %v", resp, err)
	}
	resp.Body.Close()
	seen := rec.check(t, sch)
	if seen[extagent.PathInit] != sessions || seen[extagent.PathEnd] != sessions || seen[extagent.PathAct] < 40 ||
		seen["/init v1"] != 2 || seen["/init v2"] != sessions-2 {
		t.Errorf("calls: %v", seen)
	}
	t.Logf("validated %d exchanges: %v", len(rec.log), seen)
}

// The Python example's answers are valid too, in version 2 (its default)
// and in version 1 (--protocol-version 1: it then speaks version 1 only,
// and Parley speaks version 1 to it).
func TestSchemaPythonMessages(t *testing.T) {
	sch := schemas(t)
	for _, c := range []struct {
		args    []string
		version string
	}{{nil, extagent.Version2}, {[]string{"--protocol-version", "1"}, extagent.Version1}} {
		target, err := url.Parse(startPython(t, c.args...))
		if err != nil {
			t.Fatal(err)
		}
		rec := &recording{next: httputil.NewSingleHostReverseProxy(target)}
		srv := httptest.NewServer(rec)
		defer srv.Close()
		for side := range 2 {
			remote := dial(t, srv.URL)
			if remote.Version() != c.version {
				t.Fatalf("%v: Parley speaks %s with the Python agent, want %s", c.args, remote.Version(), c.version)
			}
			agents := []agent.Negotiator{remote, builtin(t, "conceder", 1)}
			if side == 1 {
				agents[0], agents[1] = agents[1], agents[0]
			}
			play(t, tiny(t), session.SAO, 30, agents...)
		}
		play(t, tiny(t), session.AMOP, 10, dial(t, srv.URL, extagent.WithProtocol(session.AMOP)), builtin(t, "boulware", 1))
		seen := rec.check(t, sch)
		if n := seen["/init v"+c.version[len(c.version)-1:]]; n != 3 || seen[extagent.PathEnd] != 3 {
			t.Errorf("%v: calls %v", c.args, seen)
		}
		t.Logf("validated %d exchanges with the Python agent %v: %v", len(rec.log), c.args, seen)
	}
}

// The schema rejects what Parley rejects.
func TestSchemaRejects(t *testing.T) {
	sch := schemas(t)
	for _, c := range []struct{ def, msg string }{
		{"answer", `{"action":"counter"}`},
		{"answer", `{"action":"offer"}`},
		{"answer", `{"action":"offer","package":[0,1.5]}`},
		{"answer", `{"action":"offer","package":[0,-1]}`},
		{"answer", `{"package":[0]}`},
		{"answer", `"end"`},
		{"hello", `{"name":"x","version":"parley-agent/3"}`},
		{"init_v2", `{"version":"parley-agent/1","negotiation":"n"}`},
		{"act_v2", `{"negotiation":"n","time":0.5,"round":1,"current":null,"can_accept":false,"history":[{"by":0,"round":1,"kind":"vote","package":[0]}],"history_start":0}`},
		{"act_v2", `{"negotiation":"n","time":0.5,"round":1,"current":null,"can_accept":false,"history":[{"by":0,"round":1,"kind":"offer"}],"history_start":0}`},
		{"act", `{"negotiation":"n","time":0.5,"round":1,"current":null,"can_accept":false,"history":[{"by":0,"round":1,"kind":"offer","package":[0]}],"history_start":0}`},
		{"end_v2", `{"negotiation":"n","status":"no-agreement","agreement":null,"round":3,"time":0.1,"utility":null,"cause":"bored"}`},
		{"end", `{"negotiation":"n","status":"no-agreement","agreement":null,"round":3,"time":0.1,"utility":null,"cause":"deadline"}`},
		{"init", `{"version":"parley-agent/1","negotiation":"n"}`},
		{"act", `{"negotiation":"n","time":1.5,"round":1,"current":null,"can_accept":false,"history":[],"history_start":0}`},
	} {
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(c.msg))
		if err != nil {
			t.Fatal(err)
		}
		if sch[c.def].Validate(v) == nil {
			t.Errorf("$defs/%s accepts %s", c.def, c.msg)
		}
	}
	for _, c := range []struct{ def, msg string }{
		{"answer", `{"action":"accept"}`},
		{"answer", `{"action":"accept","package":[1,2]}`},
		{"answer", `{"action":"end","why":"enough"}`},
		{"answer", `{"action":"offer","package":[0,4,5],"comment":"my best"}`},
		{"ack", `{}`},
		{"hello", `{"name":"x","version":"parley-agent/2","versions":["parley-agent/2","parley-agent/1"]}`},
		{"act_v2", `{"negotiation":"n","time":0.5,"round":2,"current":null,"can_accept":false,"history":[{"by":0,"round":1,"kind":"offer","package":[0]},{"by":1,"round":1,"kind":"accept","package":[0]},{"by":1,"round":1,"kind":"vote","package":[0],"vote":false},{"by":2,"round":2,"kind":"end"}],"history_start":0}`},
	} {
		v, _ := jsonschema.UnmarshalJSON(strings.NewReader(c.msg))
		if err := sch[c.def].Validate(v); err != nil {
			t.Errorf("$defs/%s rejects %s: %v", c.def, c.msg, err)
		}
	}
}
