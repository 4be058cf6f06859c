package server_test

import (
	"bufio"
	"context"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/server"
)

// TestOpenAPIDocumentsEveryRoute keeps docs/openapi.yaml in sync with the
// server's routes, both ways.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	b, err := os.ReadFile("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                    `yaml:"openapi"`
		Paths   map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	ts := newTestServer(t, server.Config{})
	routes := map[string]bool{}
	for _, rt := range ts.srv.Routes() {
		key := strings.ToLower(rt.Method) + " " + rt.Pattern
		routes[key] = true
		op, ok := doc.Paths[rt.Pattern][strings.ToLower(rt.Method)].(map[string]any)
		if !ok {
			t.Errorf("route %s %s is not in docs/openapi.yaml", rt.Method, rt.Pattern)
			continue
		}
		if _, ok := op["responses"]; !ok {
			t.Errorf("%s %s: no responses documented", rt.Method, rt.Pattern)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			if !routes[method+" "+path] {
				t.Errorf("docs/openapi.yaml documents %s %s, which the server does not serve", strings.ToUpper(method), path)
			}
		}
	}
}

// TestBadInput: malformed JSON, oversize bodies, unknown ids, moves out of
// turn, expired or wrong tokens give clear 4xx errors, store nothing, and
// the server keeps serving.
func TestBadInput(t *testing.T) {
	ts := newTestServer(t, server.Config{AuthBurst: 1000})
	id, tok := ts.miami(`{}`)
	ru := "invite:" + tok["russia"]
	ts.mustDo("POST", "/api/negotiations/"+id+"/start", ts.mediator(), "", 200, nil)
	big := `{"kind":"message","message":"` + strings.Repeat("x", server.MaxBody) + `"}`
	cases := []struct {
		name, method, path, creds, body string
		status                          int
		code, says                      string
	}{
		{"malformed JSON", "POST", "/api/negotiations/" + id + "/moves", ru, `{"kind":`, 400, room.EINVALID, "malformed JSON"},
		{"syntax error", "POST", "/api/negotiations/" + id + "/moves", ru, `{"kind" "x"}`, 400, room.EINVALID, "malformed JSON at byte"},
		{"wrong type", "POST", "/api/negotiations/" + id + "/moves", ru, `{"kind":5}`, 400, room.EINVALID, `field "kind"`},
		{"unknown field", "POST", "/api/negotiations/" + id + "/moves", ru, `{"kind":"end","sneaky":1}`, 400, room.EINVALID, "unknown field"},
		{"two values", "POST", "/api/negotiations/" + id + "/moves", ru, `{"kind":"end"}{"kind":"end"}`, 400, room.EINVALID, "more than one value"},
		{"empty body", "POST", "/api/negotiations/" + id + "/moves", ru, ``, 400, room.EINVALID, "empty body"},
		{"oversize body", "POST", "/api/negotiations/" + id + "/moves", ru, big, 413, room.ETOOLARGE, "over 1048576 bytes"},
		{"unknown negotiation", "GET", "/api/negotiations/nope", ts.mediator(), ``, 404, room.ENOTFOUND, `no negotiation "nope"`},
		{"unknown route", "GET", "/api/nothing", ``, ``, 404, room.ENOTFOUND, "no API route"},
		{"out of turn", "POST", "/api/negotiations/" + id + "/moves", ru, `{"kind":"respond","responses":[{"point":0,"stance":"accept"}]}`, 409, room.EOUTOFTURN, "no draft"},
		{"party drafts", "POST", "/api/negotiations/" + id + "/moves", ru, `{"kind":"draft","text":[[0]]}`, 400, room.EINVALID, "mediator"},
		{"bad invitation", "GET", "/api/negotiations/" + id, "invite:forged", ``, 401, room.EUNAUTHORIZED, "not valid"},
		{"bad login", "GET", "/api/negotiations", "bearer:forged", ``, 401, room.EUNAUTHORIZED, "not signed in"},
		{"no credentials", "GET", "/api/negotiations/" + id, ``, ``, 401, room.EUNAUTHORIZED, "sign in"},
		{"party lists negotiations", "GET", "/api/negotiations", ru, ``, 401, room.EUNAUTHORIZED, "sign in"},
		{"party invites", "POST", "/api/negotiations/" + id + "/invites", ru, `{"party":"europe"}`, 403, room.EFORBIDDEN, "observers of its own seat"},
		{"bad after", "GET", "/api/negotiations/" + id + "/events?after=x", ru, ``, 400, room.EINVALID, "sequence number"},
		{"unknown scenario", "POST", "/api/negotiations", ts.mediator(), `{"scenario":{"builtin":"atlantis"}}`, 400, room.EINVALID, "atlantis"},
		{"scenario file error", "POST", "/api/negotiations", ts.mediator(), `{"scenario":{"file":"parley: 1\nname: x\n","file_name":"x.yaml"}}`, 400, room.EINVALID, "x.yaml:"},
		{"two scenario sources", "POST", "/api/negotiations", ts.mediator(), `{"scenario":{"builtin":"tiny-2p","file":"x"}}`, 400, room.EINVALID, "exactly one"},
		{"bad protocol", "POST", "/api/negotiations", ts.mediator(), `{"scenario":{"builtin":"tiny-2p"},"settings":{"protocol":"poker"}}`, 400, room.EINVALID, "unknown protocol"},
		{"start twice", "POST", "/api/negotiations/" + id + "/start", ts.mediator(), ``, 409, room.ECONFLICT, "already started"},
		{"evaluate short package", "POST", "/api/negotiations/" + id + "/evaluate", ru, `{"package":[0]}`, 400, room.EINVALID, "points"},
		{"profile after start", "PUT", "/api/negotiations/" + id + "/profile", ru, `{"weights":[1],"scores":[[1]],"scale":"max"}`, 409, room.ECONFLICT, "fixed"},
		{"wrong content type", "POST", "/api/login", ``, ``, 400, room.EINVALID, "empty body"},
		{"wrong password", "POST", "/api/login", ``, `{"name":"mediator","password":"nope"}`, 401, room.EUNAUTHORIZED, "wrong user name or password"},
		{"genius path escape", "POST", "/api/negotiations", ts.mediator(), `{"scenario":{"genius":{"name":"d","files":{"../x.xml":"<a/>"}}}}`, 400, room.EINVALID, "plain name"},
	}
	before, _ := ts.st.Events(context.Background(), id)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, b, _ := ts.do(c.method, c.path, c.creds, c.body)
			if status != c.status || errorCode(b) != c.code || !strings.Contains(errorMessage(b), c.says) {
				t.Errorf("status %d body %.300s; want %d %s saying %q", status, b, c.status, c.code, c.says)
			}
		})
	}
	after, _ := ts.st.Events(context.Background(), id)
	if len(after) != len(before) {
		t.Errorf("bad requests stored %d events", len(after)-len(before))
	}
	ts.mustDo("GET", "/api/health", "", "", 200, nil)
}

func TestExpiredInvitation(t *testing.T) {
	ts := newTestServer(t, server.Config{})
	var n room.Negotiation
	ts.mustDo("POST", "/api/negotiations", ts.mediator(), `{"scenario":{"builtin":"tiny-2p"},"settings":{"protocol":"sao"}}`, 201, &n)
	var inv server.InviteResponse
	now := time.Now()
	ts.mustDo("POST", "/api/negotiations/"+n.ID+"/invites", ts.mediator(), `{"party":"north","hours":0.0001}`, 201, &inv)
	for time.Since(now) < 600*time.Millisecond {
		time.Sleep(50 * time.Millisecond)
	}
	status, b, _ := ts.do("GET", "/api/negotiations/"+n.ID, "invite:"+inv.Token, "")
	if status != 401 || !strings.Contains(string(b), "expired") {
		t.Fatalf("expired invitation: %d %s", status, b)
	}
}

func TestRateLimitedSignIn(t *testing.T) {
	ts := newTestServer(t, server.Config{AuthRate: 0.001, AuthBurst: 3})
	limited := false
	for i := 0; i < 6; i++ {
		status, b, _ := ts.do("POST", "/api/login", "", `{"name":"mediator","password":"guess`+string(rune('a'+i))+`"}`)
		if status == 429 {
			limited = errorCode(b) == room.ETOOMANY
			break
		}
	}
	if !limited {
		t.Fatal("sign-in attempts are not rate limited")
	}
	// Forged invitations are limited too, valid ones are not.
	for i := 0; i < 5; i++ {
		ts.do("GET", "/api/negotiations/x", "invite:forged", "")
	}
	status, _, _ := ts.do("GET", "/api/negotiations/x", "invite:forged", "")
	if status != 429 {
		t.Fatalf("forged invitations: status %d, want 429", status)
	}
}

func TestCrossOriginRefused(t *testing.T) {
	ts := newTestServer(t, server.Config{})
	req, _ := http.NewRequest("POST", ts.http.URL+"/api/negotiations", strings.NewReader(`{"scenario":{"builtin":"tiny-2p"}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	req.AddCookie(&http.Cookie{Name: "parley_login", Value: ts.login})
	resp, err := ts.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("cross-origin POST: status %d, want 403", resp.StatusCode)
	}
	ns, _ := ts.svc.Negotiations(context.Background(), ts.user)
	if len(ns) != 0 {
		t.Fatal("the cross-origin request created a negotiation")
	}
}

// TestStreamDeliversMoves follows the SSE stream while moves are made.
func TestStreamDeliversMoves(t *testing.T) {
	ts := newTestServer(t, server.Config{})
	id, tok := ts.miami(`{}`)
	ts.mustDo("POST", "/api/negotiations/"+id+"/start", ts.mediator(), "", 200, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.http.URL+"/api/negotiations/"+id+"/stream", nil)
	req.Header.Set(server.InviteHeader, tok["europe"])
	resp, err := ts.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	go ts.mustDo("POST", "/api/negotiations/"+id+"/moves", ts.mediator(), `{"kind":"message","message":"hello all","to":["russia","ukraine","europe"]}`, 200, nil)
	sc := bufio.NewScanner(resp.Body)
	var ids []string
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "id: "); ok {
			ids = append(ids, v)
		}
		if strings.HasPrefix(line, "data: ") && strings.Contains(line, "hello all") {
			break
		}
	}
	if len(ids) < 2 || !slices.IsSorted(ids) {
		t.Fatalf("event ids %v: want the start batch then the message", ids)
	}
}

// TestAnalysisOfAnEmptyZone: tiny-2p has no agreement zone (shares are
// undefined); the analysis is still valid JSON.
func TestAnalysisOfAnEmptyZone(t *testing.T) {
	ts := newTestServer(t, server.Config{})
	var n room.Negotiation
	ts.mustDo("POST", "/api/negotiations", ts.mediator(), `{"scenario":{"builtin":"tiny-2p"},"settings":{"protocol":"sao","mediator_sees":"full"}}`, 201, &n)
	var a room.MediatorAnalysis
	ts.mustDo("GET", "/api/negotiations/"+n.ID+"/analysis", ts.mediator(), "", 200, &a)
	if a.ZoneSize != 0 || len(a.Points) != 3 {
		t.Fatalf("analysis %+v", a)
	}
}
