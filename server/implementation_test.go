package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/agreement"
	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/server"
)

// outline returns a single text of the 20 Miami points, every point on its
// first option except those given as bracketed.
func outline(bracketed ...int) string {
	text := make([][]int, 20)
	for i := range text {
		text[i] = []int{0}
	}
	for _, i := range bracketed {
		text[i] = []int{0, 1}
	}
	b, _ := json.Marshal(text)
	return string(b)
}

// agreeMiami takes negotiation id to an agreement on the outline through
// the API: a bracketed first draft, the outline, replies and the vote.
func (ts *testServer) agreeMiami(id string, creds map[string]string) {
	ts.t.Helper()
	move := func(who, m string) {
		ts.t.Helper()
		ts.mustDo("POST", "/api/negotiations/"+id+"/moves", creds[who], m, 200, nil)
	}
	var accept []string
	for i := range 20 {
		accept = append(accept, fmt.Sprintf(`{"point":%d,"stance":"accept"}`, i))
	}
	respond := `{"kind":"respond","responses":[` + strings.Join(accept, ",") + `]}`
	for _, text := range []string{outline(0), outline()} {
		move("mediator", `{"kind":"draft","text":`+text+`}`)
		for _, p := range []string{"russia", "ukraine", "europe"} {
			move(p, respond)
		}
	}
	move("mediator", `{"kind":"call-vote"}`)
	for _, p := range []string{"russia", "ukraine", "europe"} {
		move(p, `{"kind":"vote","yes":true}`)
	}
}

// inviteVerifier invites a verifier through the API and returns its token.
func (ts *testServer) inviteVerifier(id, verifier string) string {
	ts.t.Helper()
	var inv server.InviteResponse
	ts.mustDo("POST", "/api/negotiations/"+id+"/invites", ts.mediator(), `{"verifier":"`+verifier+`","person":"Head of mission"}`, 201, &inv)
	if inv.Invite.Verifier != verifier || inv.Invite.Party != "" {
		ts.t.Fatalf("verifier invitation %+v", inv.Invite)
	}
	return inv.Token
}

// TestImplementationAPI: a verifier invited and joined, a report from its
// seat, a party's dispute, the plan's status (now and at an earlier
// instant), the agreement document in every format, the versions and the
// differences of the single text.
func TestImplementationAPI(t *testing.T) {
	ts := newTestServer(t, server.Config{AuthBurst: 1000})
	id, tok := ts.miami(`{"protocol":"single-text"}`)
	creds := map[string]string{"mediator": ts.mediator()}
	for p, tk := range tok {
		creds[p] = "invite:" + tk
	}
	mm := "invite:" + ts.inviteVerifier(id, "monitoring-mission")
	var joined room.Viewer
	ts.mustDo("POST", "/api/join", "", `{"token":"`+strings.TrimPrefix(mm, "invite:")+`"}`, 200, &joined)
	if joined.Verifier != "monitoring-mission" || joined.Party != "" {
		t.Fatalf("joined as %+v", joined)
	}
	var me struct{ Viewer room.Viewer }
	ts.mustDo("GET", "/api/me", mm, "", 200, &me)
	if me.Viewer.Verifier != "monitoring-mission" {
		t.Fatalf("me: %+v", me.Viewer)
	}
	ts.mustDo("POST", "/api/negotiations/"+id+"/start", ts.mediator(), "", 200, nil)
	var pv room.PlanView
	ts.mustDo("GET", "/api/negotiations/"+id+"/plan", mm, "", 200, &pv)
	if pv.Agreement || pv.Status != nil || len(pv.Plan.Verifiers) != 3 {
		t.Fatalf("plan before the agreement: %+v", pv)
	}
	ts.agreeMiami(id, creds)
	agreed := time.Now().UTC()

	// The verifier reports a grave violation of the ceasefire by Russia.
	when := time.Now().UTC().Format(time.RFC3339Nano)
	var ack server.MoveResponse
	ts.mustDo("POST", "/api/negotiations/"+id+"/moves", mm, `{"kind":"report","report":{"commitment":"ceasefire","finding":"violation","party":"russia","severity":"grave",
		"when":"`+when+`","place":"Zaporizhzhia front","evidence":["https://monitoring.example/r/1"],"text":"Shelling of Huliaipole."}}`, 200, &ack)
	ts.mustDo("POST", "/api/negotiations/"+id+"/moves", creds["russia"], fmt.Sprintf(`{"kind":"response","response":{"report":%d,"answer":"dispute","text":"Not our units."}}`, ack.Seq), 200, nil)
	ts.mustDo("GET", "/api/negotiations/"+id+"/plan", creds["ukraine"], "", 200, &pv)
	status := map[string]string{}
	for _, c := range pv.Status.Commitments {
		status[c.ID] = c.Status
	}
	if status["ceasefire"] != "disputed" || status["sanctions-snapback"] != "due" || len(pv.Status.Triggers) != 1 {
		t.Errorf("status after the report: %v, triggers %+v", status, pv.Status.Triggers)
	}
	if len(pv.Reports) != 1 || !pv.Reports[0].Disputed || pv.Reports[0].Place != "Zaporizhzhia front" || pv.Responder != "ukraine" {
		t.Errorf("reports %+v responder %q", pv.Reports, pv.Responder)
	}
	// At the agreement's instant, nothing had been reported.
	ts.mustDo("GET", "/api/negotiations/"+id+"/plan?at="+agreed.Add(-time.Millisecond).Format(time.RFC3339Nano), mm, "", 200, &pv)
	if len(pv.Reports) != 0 || pv.Reporter != "monitoring-mission" {
		t.Errorf("plan at the agreement: %d reports, reporter %q", len(pv.Reports), pv.Reporter)
	}

	// The agreement document.
	var d agreement.Document
	ts.mustDo("GET", "/api/negotiations/"+id+"/agreement", creds["europe"], "", 200, &d)
	if d.Kind != agreement.KindAgreement || d.Version != 2 || len(d.Articles) != 20 {
		t.Errorf("document: kind %s version %d, %d articles", d.Kind, d.Version, len(d.Articles))
	}
	status2, md, h := ts.do("GET", "/api/negotiations/"+id+"/agreement.md", creds["europe"], "")
	if status2 != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/markdown") || !strings.Contains(h.Get("Content-Disposition"), "attachment") || !strings.Contains(string(md), "Article 1") {
		t.Errorf("agreement.md: %d %v %.200s", status2, h, md)
	}
	for _, q := range []string{"", "?print=1", "?version=1"} {
		status2, page, h := ts.do("GET", "/api/negotiations/"+id+"/agreement.html"+q, creds["europe"], "")
		if status2 != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") || !strings.Contains(string(page), "<html") {
			t.Errorf("agreement.html%s: %d %v", q, status2, h)
		}
		if strings.Contains(string(page), "<script") {
			t.Errorf("agreement.html%s has a script", q)
		}
	}
	var vs []agreement.Version
	ts.mustDo("GET", "/api/negotiations/"+id+"/versions", creds["russia"], "", 200, &vs)
	if len(vs) != 2 {
		t.Fatalf("versions %+v", vs)
	}
	var c agreement.Comparison
	ts.mustDo("GET", "/api/negotiations/"+id+"/diff?from=1&to=2", creds["russia"], "", 200, &c)
	if len(c.Changed()) != 1 || c.Changed()[0].Point != 0 {
		t.Errorf("diff: %+v", c.Changed())
	}
	for _, f := range []string{"diff.md", "diff.html"} {
		if st, b, _ := ts.do("GET", "/api/negotiations/"+id+"/"+f, creds["russia"], ""); st != 200 || len(b) == 0 {
			t.Errorf("%s: %d", f, st)
		}
	}
	ts.mustDo("GET", "/api/negotiations/"+id+"/versions", mm, "", 200, &vs)
	if len(vs) != 0 {
		t.Errorf("the verifier sees %d drafts", len(vs))
	}
}

// TestImplementationBadInput: refusals of the implementation routes and
// moves, with their codes.
func TestImplementationBadInput(t *testing.T) {
	ts := newTestServer(t, server.Config{AuthBurst: 1000})
	id, tok := ts.miami(`{}`)
	ru := "invite:" + tok["russia"]
	mm := "invite:" + ts.inviteVerifier(id, "monitoring-mission")
	var tiny room.Negotiation
	ts.mustDo("POST", "/api/negotiations", ts.mediator(), `{"scenario":{"builtin":"tiny-2p"},"settings":{"protocol":"sao"}}`, 201, &tiny)
	n := "/api/negotiations/" + id
	before := []struct {
		name, method, path, creds, body string
		status                          int
		code, says                      string
	}{
		{"verifier of no plan", "POST", "/api/negotiations/" + tiny.ID + "/invites", ts.mediator(), `{"verifier":"monitoring-mission"}`, 400, room.EINVALID, "no implementation plan"},
		{"unknown verifier", "POST", n + "/invites", ts.mediator(), `{"verifier":"un-mission"}`, 400, room.EINVALID, "no verifier"},
		{"verifier and party", "POST", n + "/invites", ts.mediator(), `{"verifier":"monitoring-mission","party":"russia"}`, 400, room.EINVALID, "not both"},
		{"document before the start", "GET", n + "/agreement", ru, ``, 409, room.ECLOSED, "not started"},
		{"plan of no plan", "GET", "/api/negotiations/" + tiny.ID + "/plan", ts.mediator(), ``, 404, room.ENOTFOUND, "no implementation plan"},
	}
	for _, c := range before {
		status, b, _ := ts.do(c.method, c.path, c.creds, c.body)
		if status != c.status || errorCode(b) != c.code || !strings.Contains(errorMessage(b), c.says) {
			t.Errorf("%s: status %d body %.300s; want %d %s saying %q", c.name, status, b, c.status, c.code, c.says)
		}
	}
	ts.mustDo("POST", n+"/start", ts.mediator(), "", 200, nil)
	now := time.Now().UTC().Format(time.RFC3339Nano)
	cases := []struct {
		name, method, path, creds, body string
		status                          int
		code, says                      string
	}{
		{"report before the agreement", "POST", n + "/moves", mm, `{"kind":"report","report":{"commitment":"ceasefire","finding":"compliance","when":"` + now + `"}}`, 400, room.EINVALID, "no agreement"},
		{"party reports", "POST", n + "/moves", ru, `{"kind":"report","report":{"commitment":"ceasefire","finding":"compliance","when":"` + now + `"}}`, 403, room.EFORBIDDEN, "seats of the plan's verifiers"},
		{"verifier messages", "POST", n + "/moves", mm, `{"kind":"message","message":"hi","to":["us"]}`, 403, room.EFORBIDDEN, "reports only"},
		{"verifier's profile", "GET", n + "/profile", mm, ``, 403, room.EFORBIDDEN, "only a party"},
		{"verifier evaluates", "POST", n + "/evaluate", mm, `{"package":[0]}`, 403, room.EFORBIDDEN, "only a party"},
		{"verifier invites", "POST", n + "/invites", mm, `{"verifier":"peace-council"}`, 403, room.EFORBIDDEN, "issue invitations"},
		{"unknown report field", "POST", n + "/moves", mm, `{"kind":"report","report":{"commitment":"ceasefire","sneaky":1}}`, 400, room.EINVALID, "unknown field"},
		{"bad at", "GET", n + "/plan?at=yesterday", ru, ``, 400, room.EINVALID, "RFC 3339"},
		{"at out of range", "GET", n + "/plan?at=3100-01-01T00:00:00Z", ru, ``, 400, room.EINVALID, "years"},
		{"bad version", "GET", n + "/agreement?version=x", ru, ``, 400, room.EINVALID, "version number"},
		{"no draft yet", "GET", n + "/agreement", ru, ``, 404, room.ENOTFOUND, "no agreement yet"},
		{"diff of nothing", "GET", n + "/diff", ru, ``, 404, room.ENOTFOUND, "no draft"},
		{"negative from", "GET", n + "/diff?from=-1", ru, ``, 400, room.EINVALID, "version number"},
		{"plan of a stranger", "GET", "/api/negotiations/" + tiny.ID + "/plan", mm, ``, 404, room.ENOTFOUND, "no negotiation"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, b, _ := ts.do(c.method, c.path, c.creds, c.body)
			if status != c.status || errorCode(b) != c.code || !strings.Contains(errorMessage(b), c.says) {
				t.Errorf("status %d body %.300s; want %d %s saying %q", status, b, c.status, c.code, c.says)
			}
		})
	}
}
