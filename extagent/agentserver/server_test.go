package agentserver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/extagent"
	"github.com/parley-negotiation/parley/scenario"
)

// initBody is a version 1 /init of negotiation id.
func initBody(t *testing.T, id string) string { return initBodyV(t, id, extagent.Version1) }

func initBodyV(t *testing.T, id, version string) string {
	t.Helper()
	sc, err := scenario.Builtin("tiny-2p")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(extagent.InitRequest{Version: version, Negotiation: id, Self: 1, Parties: 2,
		Protocol: "sao", Framework: sc.Framework, Levels: sc.Framework.Radix(), Profile: sc.Party("south").Profile,
		Deadline: extagent.Deadline{Rounds: 10}})
	return string(b)
}

func call(t *testing.T, h http.Handler, method, path, body string) (int, string) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(method, path, strings.NewReader(body)))
	return w.Code, w.Body.String()
}

// recordingAgent remembers the history it was shown.
type recordingAgent struct {
	agent.Negotiator
	mu    sync.Mutex
	seen  [][]agent.Offer
	moves [][]agent.Move
}

func (r *recordingAgent) Act(v *agent.View) agent.Action {
	r.mu.Lock()
	r.seen = append(r.seen, append([]agent.Offer(nil), v.History...))
	r.moves = append(r.moves, append([]agent.Move(nil), v.Moves...))
	r.mu.Unlock()
	return r.Negotiator.Act(v)
}

func TestServerCalls(t *testing.T) {
	rec := &recordingAgent{Negotiator: agent.Boulware()}
	now := time.Unix(0, 0)
	s := New(func() agent.Negotiator { return rec }, MaxNegotiations(2), IdleTimeout(time.Minute), MaxRequest(1<<16))
	s.now = func() time.Time { return now }

	if code, body := call(t, s, "GET", "/", ""); code != 200 || !strings.Contains(body, `"version":"parley-agent/2","versions":["parley-agent/2","parley-agent/1"]`) || !strings.Contains(body, "boulware") {
		t.Fatalf("hello: %d %s", code, body)
	}
	for _, c := range []struct {
		method, path, body string
		code               int
		text               string
	}{
		{"POST", "/", "", 405, "handshake"},
		{"GET", "/act", "", 405, "POST"},
		{"POST", "/nope", "{}", 404, "no such call"},
		{"POST", "/init", `{"version":"parley-agent/9"}`, 400, "version"},
		{"POST", "/init", `{"version":"parley-agent/1","negotiation":"a"}`, 400, "framework"},
		{"POST", "/init", `{"version":`, 400, "malformed"},
		{"POST", "/init", `{} {}`, 400, "after the JSON value"},
		{"POST", "/init", strings.Repeat(" ", 1<<16+1), 413, "larger than"},
		{"POST", "/act", `{"negotiation":"zz"}`, 404, "unknown negotiation"},
		{"POST", "/end", `{"negotiation":"zz","status":"no-agreement"}`, 404, "unknown negotiation"},
	} {
		code, body := call(t, s, c.method, c.path, c.body)
		if code != c.code || !strings.Contains(body, c.text) {
			t.Errorf("%s %s %.40q: %d %s, want %d %q", c.method, c.path, c.body, code, body, c.code, c.text)
		}
	}

	if code, body := call(t, s, "POST", "/init", initBody(t, "a")); code != 200 || body != `{"ok":true}` {
		t.Fatalf("init: %d %s", code, body)
	}
	if code, _ := call(t, s, "POST", "/init", initBody(t, "a")); code != 409 {
		t.Errorf("second init of a: %d", code)
	}
	// Incremental history; a resent tail replaces what it overlaps.
	acts := []string{
		`{"negotiation":"a","time":0.09,"round":1,"current":{"by":0,"round":1,"package":[0,0,0]},"can_accept":true,"history":[{"by":0,"round":1,"package":[0,0,0]}],"history_start":0}`,
		`{"negotiation":"a","time":0.18,"round":2,"current":{"by":0,"round":2,"package":[1,0,0]},"can_accept":true,"history":[{"by":1,"round":1,"package":[1,4,5]},{"by":0,"round":2,"package":[1,0,0]}],"history_start":1}`,
		`{"negotiation":"a","time":0.27,"round":3,"current":{"by":0,"round":3,"package":[2,0,0]},"can_accept":true,"history":[{"by":0,"round":2,"package":[1,1,0]},{"by":1,"round":2,"package":[1,4,5]},{"by":0,"round":3,"package":[2,0,0]}],"history_start":2}`,
	}
	for i, a := range acts {
		code, body := call(t, s, "POST", "/act", a)
		if code != 200 || !strings.Contains(body, `"action":"offer"`) {
			t.Fatalf("act %d: %d %s", i, code, body)
		}
	}
	if got := [3]int{len(rec.seen[0]), len(rec.seen[1]), len(rec.seen[2])}; got != [3]int{1, 3, 5} {
		t.Errorf("history lengths %v", got)
	} else if p := rec.seen[2][2].Package; p[1] != 1 {
		t.Errorf("resent offer not replaced: %v", rec.seen[2])
	}
	for _, bad := range []string{
		`{"negotiation":"a","time":0.3,"round":4,"current":null,"history":[],"history_start":9}`,
		`{"negotiation":"a","time":0.3,"round":4,"current":{"by":0,"round":4,"package":[0,9,0]},"history":[],"history_start":5}`,
		`{"negotiation":"a","time":0.3,"round":4,"current":null,"history":[{"by":5,"round":4,"package":[0,0,0]}],"history_start":5}`,
	} {
		if code, _ := call(t, s, "POST", "/act", bad); code != 400 {
			t.Errorf("bad act %s: %d", bad, code)
		}
	}
	if len(rec.seen) != 3 {
		t.Errorf("bad acts reached the negotiator")
	}

	// Capacity: a and b fill it; c is refused until a expires.
	if code, _ := call(t, s, "POST", "/init", initBody(t, "b")); code != 200 {
		t.Fatal(code)
	}
	if code, body := call(t, s, "POST", "/init", initBody(t, "c")); code != 503 || !strings.Contains(body, "busy") {
		t.Fatalf("over capacity: %d %s", code, body)
	}
	now = now.Add(2 * time.Minute)
	if code, _ := call(t, s, "POST", "/init", initBody(t, "c")); code != 200 {
		t.Fatalf("after expiry: %d", code)
	}
	if code, _ := call(t, s, "POST", "/act", `{"negotiation":"a","time":0.3,"round":4,"current":null,"history":[],"history_start":5}`); code != 404 {
		t.Errorf("expired a: %d", code)
	}
	if code, _ := call(t, s, "POST", "/end", `{"negotiation":"c","status":"no-agreement","agreement":null,"round":1,"time":0.1,"utility":null}`); code != 200 {
		t.Errorf("end c: %d", code)
	}
	if s.Len() != 0 {
		t.Errorf("%d negotiations left", s.Len())
	}
}

// Version 2: the history holds moves of every kind; the negotiator sees
// them as View.Moves and the offers among them as View.History; a resend
// rebuilds both; a malformed move is refused.
func TestServerCallsV2(t *testing.T) {
	rec := &recordingAgent{Negotiator: agent.Boulware()}
	s := New(func() agent.Negotiator { return rec })
	if code, body := call(t, s, "POST", "/init", initBodyV(t, "a", extagent.Version2)); code != 200 {
		t.Fatalf("init: %d %s", code, body)
	}
	acts := []string{
		`{"negotiation":"a","time":0.09,"round":1,"current":{"by":0,"round":1,"package":[0,0,0]},"can_accept":true,"history":[{"by":0,"round":1,"kind":"offer","package":[0,0,0]}],"history_start":0}`,
		`{"negotiation":"a","time":0.18,"round":2,"current":{"by":0,"round":2,"package":[1,0,0]},"can_accept":true,"history":[{"by":1,"round":1,"kind":"offer","package":[1,4,5]},{"by":0,"round":2,"kind":"accept","package":[1,4,5]},{"by":0,"round":2,"kind":"vote","package":[1,4,5],"vote":true},{"by":0,"round":2,"kind":"offer","package":[1,0,0]}],"history_start":1}`,
		// A resend from 2: the acceptance, the vote and the offer are replaced.
		`{"negotiation":"a","time":0.27,"round":3,"current":{"by":0,"round":3,"package":[2,0,0]},"can_accept":true,"history":[{"by":0,"round":2,"kind":"offer","package":[1,1,0]},{"by":1,"round":2,"kind":"offer","package":[1,4,5]},{"by":0,"round":3,"kind":"offer","package":[2,0,0]}],"history_start":2}`,
	}
	for i, a := range acts {
		if code, body := call(t, s, "POST", "/act", a); code != 200 || !strings.Contains(body, `"action":"offer"`) {
			t.Fatalf("act %d: %d %s", i, code, body)
		}
	}
	kinds := func(ms []agent.Move) string {
		var b strings.Builder
		for _, m := range ms {
			b.WriteString(m.Kind[:1])
		}
		return b.String()
	}
	for i, c := range []struct {
		kinds  string
		offers int
	}{{"o", 1}, {"ooavo", 3}, {"ooooo", 5}} {
		if got := kinds(rec.moves[i]); got != c.kinds || len(rec.seen[i]) != c.offers {
			t.Errorf("act %d: moves %q and %d offers, want %q and %d", i, got, len(rec.seen[i]), c.kinds, c.offers)
		}
	}
	if m := rec.moves[1][3]; m.Kind != agent.MoveVote || !m.Yes || m.Package[1] != 4 {
		t.Errorf("vote %+v", m)
	}
	for _, bad := range []string{
		`{"negotiation":"a","time":0.3,"round":4,"current":null,"history":[{"by":0,"round":4,"kind":"counter","package":[0,0,0]}],"history_start":6}`,
		`{"negotiation":"a","time":0.3,"round":4,"current":null,"history":[{"by":0,"round":4,"kind":"vote","package":[0,0,0]}],"history_start":6}`,
		`{"negotiation":"a","time":0.3,"round":4,"current":null,"history":[{"by":0,"round":4,"kind":"accept"}],"history_start":6}`,
		`{"negotiation":"a","time":0.3,"round":4,"current":null,"history":[{"by":0,"round":4,"package":[0,0,0]}],"history_start":6}`,
		`{"negotiation":"a","time":0.3,"round":4,"current":null,"history":[],"history_start":7}`,
	} {
		if code, _ := call(t, s, "POST", "/act", bad); code != 400 {
			t.Errorf("bad act %s: %d", bad, code)
		}
	}
	// A version 1 history may not carry kinds.
	if code, _ := call(t, s, "POST", "/init", initBody(t, "b")); code != 200 {
		t.Fatal(code)
	}
	if code, _ := call(t, s, "POST", "/act", `{"negotiation":"b","time":0.1,"round":1,"current":null,"history":[{"by":0,"round":1,"kind":"offer","package":[0,0,0]}],"history_start":0}`); code != 400 {
		t.Errorf("version 1 history with kinds: %d", code)
	}
}
