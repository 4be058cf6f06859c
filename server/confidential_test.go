package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/server"
	"github.com/parley-negotiation/parley/session"
)

// canary is a value planted in someone's private data, with the viewers
// allowed to see it.
type canary struct {
	value   string
	allowed map[string]bool
	what    string
}

func allow(vs ...string) map[string]bool {
	m := map[string]bool{}
	for _, v := range vs {
		m[v] = true
	}
	return m
}

// TestConfidentiality plants canaries in every party's private data
// (profile weights, reservation value, red-line reasons, private messages,
// objections, blind bids) and calls every API route and the event stream
// as every party, an observer, a verifier, the mediator (who may see
// aggregates only), another mediator, nobody and the holder of a re-issued
// seat's old credential: no canary reaches anyone
// not allowed to see it. A third negotiation reaches an agreement and
// carries reports and responses (public to the table, never to outsiders)
// and messages after the agreement (never to a verifier). Positive
// controls check that the detector does find each canary where it is
// allowed, so the test fails if a route leaks.
func TestConfidentiality(t *testing.T) {
	ts := newTestServer(t, server.Config{AuthBurst: 100000, AuthRate: 1000})
	ctx := context.Background()
	principals := []string{"russia", "ukraine", "europe"}

	// Negotiation 1: single text in bilateral format, mediator sees overlap only.
	id, tok := ts.miami(`{"protocol":"single-text","format":"bilateral","mediator_sees":"overlap"}`)
	creds := map[string]string{"mediator": ts.mediator(), "anon": ""}
	for _, p := range principals {
		creds[p] = "invite:" + tok[p]
	}
	var obs server.InviteResponse
	ts.mustDo("POST", "/api/negotiations/"+id+"/invites", ts.mediator(), `{"party":"","observer":true,"person":"public gallery"}`, 201, &obs)
	creds["observer"] = "invite:" + obs.Token
	creds["verifier"] = "invite:" + ts.inviteVerifier(id, "monitoring-mission")
	if _, err := ts.svc.CreateUser(ctx, "other", "another password"); err != nil {
		t.Fatal(err)
	}
	var lr struct{ Token string }
	ts.mustDo("POST", "/api/login", "", `{"name":"other","password":"another password"}`, 200, &lr)
	creds["stranger"] = "bearer:" + lr.Token

	var canaries []canary
	// plant puts canaries in every principal's profile of negotiation neg
	// (the n-th of the test): each weight, the reservation value and a
	// red-line reason, each allowed to its party only.
	plant := func(neg string, cr map[string]string, n int) {
		t.Helper()
		for k, p := range principals {
			var pr profile.Profile
			ts.mustDo("GET", "/api/negotiations/"+neg+"/profile", cr[p], "", 200, &pr)
			for i := range pr.Weights {
				pr.Weights[i] += 1e-7*float64(n)*float64(i+1) + 1e-9*float64(k+1)
				canaries = append(canaries, canary{strconv.FormatFloat(pr.Weights[i], 'g', -1, 64), allow(p), fmt.Sprintf("%s weight (negotiation %d)", p, n)})
			}
			r := 0.0271828182*float64(n) + 1e-10*float64(k)
			pr.Reservation = &r
			pr.Fallback = nil
			reason := fmt.Sprintf("CANARY-N%d-%s-REDLINE", n, p)
			pr.RedLines = append(pr.RedLines, profile.RedLine{Terms: []profile.Term{{Point: 19, Levels: []int{0}}}, Reason: reason})
			canaries = append(canaries,
				canary{strconv.FormatFloat(r, 'g', -1, 64), allow(p), fmt.Sprintf("%s reservation (negotiation %d)", p, n)},
				canary{reason, allow(p), p + " red-line reason"})
			b, _ := json.Marshal(&pr)
			ts.mustDo("PUT", "/api/negotiations/"+neg+"/profile", cr[p], string(b), 200, nil)
		}
	}
	plant(id, creds, 1)
	ts.mustDo("POST", "/api/negotiations/"+id+"/start", ts.mediator(), "", 200, nil)
	move := func(who, m string) {
		t.Helper()
		ts.mustDo("POST", "/api/negotiations/"+id+"/moves", creds[who], m, 200, nil)
	}
	for _, p := range principals {
		msg := "CANARY-" + p + "-TO-MEDIATOR"
		move(p, `{"kind":"message","message":"`+msg+`","to":["us"]}`)
		canaries = append(canaries, canary{msg, allow(p, "mediator"), p + "'s message to the mediator"})
	}
	move("ukraine", `{"kind":"message","message":"CANARY-ukraine-TO-europe","to":["europe"]}`)
	canaries = append(canaries, canary{"CANARY-ukraine-TO-europe", allow("ukraine", "europe"), "ukraine's message to europe"})
	// A bracketed draft; each party objects to point 1 with a private reason.
	text := make([][]int, 20)
	for i := range text {
		text[i] = []int{0}
	}
	text[0] = []int{0, 1}
	tb, _ := json.Marshal(text)
	move("mediator", `{"kind":"draft","text":`+string(tb)+`}`)
	for _, p := range principals {
		reason := "CANARY-" + p + "-OBJECTION"
		move(p, `{"kind":"respond","responses":[{"point":1,"stance":"object","reason":"`+reason+`"},{"point":0,"stance":"accept","option":1}]}`)
		canaries = append(canaries, canary{reason, allow(p, "mediator"), p + "'s objection"})
	}
	// Seats: ukraine's delegation invites an observer of its seat (whom the
	// mediator may count, not name); the mediator re-issues europe's seat
	// with a reason (europe and the mediator see it), and the old
	// credential opens nothing.
	var adviser server.InviteResponse
	ts.mustDo("POST", "/api/negotiations/"+id+"/invites", creds["ukraine"], `{"observer":true,"person":"CANARY-N1-ukraine-ADVISER"}`, 201, &adviser)
	canaries = append(canaries, canary{"CANARY-N1-ukraine-ADVISER", allow("ukraine"), "the person ukraine's delegation invited to observe"})
	var reissued server.InviteResponse
	ts.mustDo("POST", "/api/negotiations/"+id+"/invites", ts.mediator(), `{"party":"europe","reissue":true,"reason":"CANARY-N1-europe-REISSUE"}`, 201, &reissued)
	canaries = append(canaries, canary{"CANARY-N1-europe-REISSUE", allow("europe", "mediator"), "why europe's seat was re-issued"})
	creds["revoked"], creds["europe"] = creds["europe"], "invite:"+reissued.Token

	// Negotiation 2: blind bidding. Bids are private to their party.
	var blind room.Negotiation
	ts.mustDo("POST", "/api/negotiations", ts.mediator(), `{"scenario":{"builtin":"miami-2025"},"settings":{"protocol":"blind","mediator_sees":"overlap"}}`, 201, &blind)
	blindCreds := map[string]string{"mediator": ts.mediator(), "anon": "", "stranger": creds["stranger"], "revoked": creds["revoked"]}
	for _, p := range principals {
		var inv server.InviteResponse
		ts.mustDo("POST", "/api/negotiations/"+blind.ID+"/invites", ts.mediator(), `{"party":"`+p+`"}`, 201, &inv)
		blindCreds[p] = "invite:" + inv.Token
	}
	ts.mustDo("POST", "/api/negotiations/"+blind.ID+"/invites", ts.mediator(), `{"party":"","observer":true}`, 201, &obs)
	blindCreds["observer"] = "invite:" + obs.Token
	blindCreds["verifier"] = "invite:" + ts.inviteVerifier(blind.ID, "peace-council")
	ts.mustDo("POST", "/api/negotiations/"+blind.ID+"/start", ts.mediator(), "", 200, nil)
	// Two parties bid (so the round stays open and nothing is revealed).
	for k, p := range principals[:2] {
		pkg := make([]int, 20)
		pkg[19] = k + 1
		pb, _ := json.Marshal([][]int{pkg})
		ts.mustDo("POST", "/api/negotiations/"+blind.ID+"/moves", blindCreds[p], `{"kind":"bid","packages":`+string(pb)+`}`, 200, nil)
	}

	// Negotiation 3: the single text to an agreement under proximity talks,
	// then the implementation: reports, responses, messages.
	impl, implTok := ts.miami(`{"protocol":"single-text","mediator_sees":"overlap"}`)
	implCreds := map[string]string{"mediator": ts.mediator(), "anon": "", "stranger": creds["stranger"], "revoked": creds["revoked"]}
	for _, p := range principals {
		implCreds[p] = "invite:" + implTok[p]
	}
	ts.mustDo("POST", "/api/negotiations/"+impl+"/invites", ts.mediator(), `{"party":"","observer":true}`, 201, &obs)
	implCreds["observer"] = "invite:" + obs.Token
	implCreds["verifier"] = "invite:" + ts.inviteVerifier(impl, "monitoring-mission")
	// The same canaries as negotiation 1: the same profiles make the same
	// scenario, whose analysis the room has cached (a third one would
	// double the test's time).
	plant(impl, implCreds, 1)
	ts.mustDo("POST", "/api/negotiations/"+impl+"/start", ts.mediator(), "", 200, nil)
	ts.agreeMiami(impl, implCreds)
	implMove := func(who, m string) int {
		t.Helper()
		var ack server.MoveResponse
		ts.mustDo("POST", "/api/negotiations/"+impl+"/moves", implCreds[who], m, 200, &ack)
		return ack.Seq
	}
	implMove("ukraine", `{"kind":"message","message":"CANARY-N3-ukraine-TO-MEDIATOR","to":["us"]}`)
	implMove("mediator", `{"kind":"message","message":"CANARY-N3-TO-THE-TABLE","to":["russia","ukraine","europe"]}`)
	when := time.Now().UTC().Format(time.RFC3339Nano)
	rep := implMove("verifier", `{"kind":"report","report":{"commitment":"ceasefire","finding":"violation","party":"russia","severity":"major","when":"`+when+`","place":"CANARY-N3-PLACE","text":"CANARY-N3-REPORT"}}`)
	implMove("russia", fmt.Sprintf(`{"kind":"response","response":{"report":%d,"answer":"dispute","text":"CANARY-N3-RESPONSE"}}`, rep))
	table := allow("russia", "ukraine", "europe", "mediator", "observer", "verifier")
	canaries = append(canaries,
		canary{"CANARY-N3-ukraine-TO-MEDIATOR", allow("ukraine", "mediator"), "ukraine's message to the mediator after the agreement"},
		canary{"CANARY-N3-TO-THE-TABLE", allow("russia", "ukraine", "europe", "mediator"), "the mediator's message to the parties after the agreement"},
		canary{"CANARY-N3-PLACE", table, "the place of a report"},
		canary{"CANARY-N3-REPORT", table, "the text of a report"},
		canary{"CANARY-N3-RESPONSE", table, "the text of a response"})

	// A class, so that the class routes have an id.
	var cls server.ClassResponse
	ts.mustDo("POST", "/api/classes", ts.mediator(), `{"scenario":{"builtin":"tiny-2p"},"rooms":1,"settings":{"protocol":"sao"},"seats":[{"room":1,"party":"north","person":"n"}]}`, 201, &cls)

	viewers := []string{"russia", "ukraine", "europe", "mediator", "observer", "verifier", "anon", "stranger", "revoked"}
	seen := map[string]map[string]bool{} // canary value → viewers who saw it
	check := func(viewer, where string, body []byte) {
		s := string(body)
		for _, c := range canaries {
			if containsValue(s, c.value) {
				if seen[c.value] == nil {
					seen[c.value] = map[string]bool{}
				}
				seen[c.value][viewer] = true
				if !c.allowed[viewer] {
					t.Errorf("LEAK: %s sees %s (%s) in %s: …%s…", viewer, c.what, c.value, where, excerpt(s, c.value))
				}
			}
		}
		checkBids(t, viewer, where, body)
	}

	covered := map[string]bool{}
	for _, negID := range []string{id, blind.ID, impl} {
		cr := creds
		switch negID {
		case blind.ID:
			cr = blindCreds
		case impl:
			cr = implCreds
		}
		for _, rt := range ts.srv.Routes() {
			reqs := requestsFor(rt, negID, cls.Class.ID)
			if reqs == nil {
				t.Fatalf("route %s %s has no request in the confidentiality test: add one", rt.Method, rt.Pattern)
			}
			covered[rt.Method+" "+rt.Pattern] = true
			for _, v := range viewers {
				for _, rq := range reqs {
					var body []byte
					if rt.Pattern == "/api/negotiations/{id}/stream" {
						body = readStream(t, ts, rq.path, cr[v])
					} else {
						_, body, _ = ts.do(rt.Method, rq.path, cr[v], rq.body)
					}
					check(v, rt.Method+" "+rq.path, body)
				}
			}
		}
	}
	if len(covered) != len(ts.srv.Routes()) {
		t.Fatalf("covered %d of %d routes", len(covered), len(ts.srv.Routes()))
	}
	// Positive controls: every canary was found by someone allowed to see
	// it, so the detector works and the data is really there.
	for _, c := range canaries {
		if len(seen[c.value]) == 0 {
			t.Errorf("control: %s (%s) was seen by nobody; the detector cannot have worked", c.what, c.value)
		}
	}
}

type apiRequest struct{ path, body string }

// requestsFor returns the requests that exercise a route (nil for a route
// the test does not know, which fails the test).
func requestsFor(rt server.Route, neg, class string) []apiRequest {
	n := "/api/negotiations/" + neg
	c := "/api/classes/" + class
	pkg := `[` + strings.TrimSuffix(strings.Repeat("0,", 20), ",") + `]`
	switch rt.Method + " " + rt.Pattern {
	case "GET /api/health", "GET /api/stats", "GET /api/me", "GET /api/scenarios", "GET /api/negotiations", "GET /api/classes":
		return []apiRequest{{rt.Pattern, ""}}
	case "POST /api/login":
		return []apiRequest{{rt.Pattern, `{"name":"mediator","password":"wrong"}`}}
	case "POST /api/logout":
		return []apiRequest{{rt.Pattern, ""}}
	case "POST /api/join":
		return []apiRequest{{rt.Pattern, `{"token":"forged"}`}}
	case "POST /api/negotiations":
		return []apiRequest{{rt.Pattern, `{"scenario":{"builtin":"tiny-2p"},"settings":{"protocol":"sao"}}`}}
	case "GET /api/negotiations/{id}":
		return []apiRequest{{n, ""}}
	case "GET /api/negotiations/{id}/invites":
		return []apiRequest{{n + "/invites", ""}}
	case "POST /api/negotiations/{id}/invites":
		return []apiRequest{
			{n + "/invites", `{"party":"nobody"}`},
			{n + "/invites", `{"party":"ukraine","observer":true}`},
			{n + "/invites", `{"party":"russia","reissue":true,"hours":-1}`},
		}
	case "POST /api/negotiations/{id}/invites/{invite}/revoke":
		return []apiRequest{{n + "/invites/no-such-invitation/revoke", `{}`}, {n + "/invites/no-such-invitation/revoke", ``}}
	case "POST /api/negotiations/{id}/start":
		return []apiRequest{{n + "/start", ""}}
	case "POST /api/negotiations/{id}/moves":
		return []apiRequest{
			{n + "/moves", `{"kind":"vote"}`},
			{n + "/moves", `{"kind":"respond","responses":[{"point":99,"stance":"accept"}]}`},
			{n + "/moves", `{"kind":"bid","packages":[` + pkg + `]}`},
			{n + "/moves", `{"kind":"report","report":{"commitment":"no-such-commitment","finding":"compliance","when":"2026-01-01T00:00:00Z"}}`},
			{n + "/moves", `{"kind":"response","response":{"report":1,"answer":"dispute"}}`},
		}
	case "GET /api/negotiations/{id}/events":
		return []apiRequest{{n + "/events", ""}, {n + "/events?after=3", ""}}
	case "GET /api/negotiations/{id}/stream":
		return []apiRequest{{n + "/stream", ""}}
	case "GET /api/negotiations/{id}/profile":
		return []apiRequest{{n + "/profile", ""}}
	case "PUT /api/negotiations/{id}/profile":
		return []apiRequest{{n + "/profile", `{"weights":[1]}`}}
	case "POST /api/negotiations/{id}/evaluate":
		return []apiRequest{{n + "/evaluate", `{"package":` + pkg + `}`}}
	case "GET /api/negotiations/{id}/analysis":
		return []apiRequest{{n + "/analysis", ""}}
	case "GET /api/negotiations/{id}/dance.svg":
		return []apiRequest{{n + "/dance.svg", ""}}
	case "GET /api/negotiations/{id}/plan":
		return []apiRequest{{n + "/plan", ""}, {n + "/plan?at=2020-01-01T00:00:00Z", ""}, {n + "/plan?at=2999-01-01T00:00:00Z", ""}}
	case "GET /api/negotiations/{id}/agreement":
		return []apiRequest{{n + "/agreement", ""}, {n + "/agreement?version=1", ""}}
	case "GET /api/negotiations/{id}/agreement.md":
		return []apiRequest{{n + "/agreement.md", ""}}
	case "GET /api/negotiations/{id}/agreement.html":
		return []apiRequest{{n + "/agreement.html", ""}, {n + "/agreement.html?print=1", ""}}
	case "GET /api/negotiations/{id}/versions":
		return []apiRequest{{n + "/versions", ""}}
	case "GET /api/negotiations/{id}/diff":
		return []apiRequest{{n + "/diff", ""}, {n + "/diff?from=1&to=2", ""}}
	case "GET /api/negotiations/{id}/diff.md":
		return []apiRequest{{n + "/diff.md", ""}}
	case "GET /api/negotiations/{id}/diff.html":
		return []apiRequest{{n + "/diff.html", ""}}
	case "POST /api/classes":
		return []apiRequest{{rt.Pattern, `{"scenario":{"builtin":"tiny-2p"},"rooms":1,"settings":{"protocol":"sao"}}`}}
	case "GET /api/classes/{id}":
		return []apiRequest{{c, ""}}
	case "POST /api/classes/{id}/start":
		return []apiRequest{{c + "/start", ""}}
	case "GET /api/classes/{id}/debrief":
		return []apiRequest{{c + "/debrief", ""}}
	case "GET /api/classes/{id}/debrief.csv":
		return []apiRequest{{c + "/debrief.csv", ""}}
	case "GET /api/classes/{id}/debrief.svg":
		return []apiRequest{{c + "/debrief.svg", ""}}
	}
	return nil
}

// readStream reads an event stream for a moment.
func readStream(t *testing.T, ts *testServer, path, creds string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.http.URL+path, nil)
	switch {
	case strings.HasPrefix(creds, "bearer:"):
		req.Header.Set("Authorization", "Bearer "+strings.TrimPrefix(creds, "bearer:"))
	case strings.HasPrefix(creds, "invite:"):
		req.Header.Set(server.InviteHeader, strings.TrimPrefix(creds, "invite:"))
	}
	resp, err := ts.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body) // ends with the context's deadline
	return b
}

// checkBids fails when a body carries another party's blind bid: an event
// of kind bid by someone else, or bids in a state.
func checkBids(t *testing.T, viewer, where string, body []byte) {
	t.Helper()
	s := string(body)
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimPrefix(line, "data: ")
		var events []session.Event
		var view struct {
			Events []session.Event `json:"events"`
		}
		if json.Unmarshal([]byte(line), &events) != nil {
			if json.Unmarshal([]byte(line), &view) != nil {
				continue
			}
			events = view.Events
		}
		for _, e := range events {
			if e.Kind == session.KindBid && e.Party != viewer {
				t.Errorf("LEAK: %s sees %s's blind bid in %s", viewer, e.Party, where)
			}
			if e.Move != nil && len(e.Move.Packages) > 0 && e.Party != viewer {
				t.Errorf("LEAK: %s sees %s's packages in %s", viewer, e.Party, where)
			}
		}
	}
}

// containsValue reports whether s holds v; a number counts only as a whole
// number (0.0100015 is not found in 0.01000150150), so that a party's own
// figures are not mistaken for another's canary.
func containsValue(s, v string) bool {
	digit := func(b byte) bool { return b >= '0' && b <= '9' || b == '.' }
	for i := 0; ; {
		j := strings.Index(s[i:], v)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(v)
		if !digit(v[0]) || ((j == 0 || !digit(s[j-1])) && (end == len(s) || !digit(s[end]))) {
			return true
		}
		i = j + 1
	}
}

func excerpt(s, v string) string {
	i := strings.Index(s, v)
	lo, hi := max(0, i-60), min(len(s), i+len(v)+60)
	return s[lo:hi]
}
