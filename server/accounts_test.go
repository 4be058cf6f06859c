package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/server"
)

// signIn signs name in and returns its credentials ("bearer:TOKEN").
func signIn(ts *testServer, name, password string) string {
	ts.t.Helper()
	var lr struct{ Token string }
	ts.mustDo("POST", "/api/login", "", `{"name":"`+name+`","password":"`+password+`"}`, 200, &lr)
	return "bearer:" + lr.Token
}

// noSecrets fails when an answer carries a password hash, a sign-in
// token or a token's hash.
func noSecrets(t *testing.T, where string, body []byte, tokens ...string) {
	t.Helper()
	s := string(body)
	if strings.Contains(s, "argon2") || strings.Contains(s, "password_hash") || strings.Contains(strings.ToLower(s), `"token"`) {
		t.Errorf("%s: a hash or a token in the answer: %s", where, s)
	}
	for _, tok := range tokens {
		tok = strings.TrimPrefix(tok, "bearer:")
		if strings.Contains(s, tok) || strings.Contains(s, room.HashToken(tok)) {
			t.Errorf("%s: a sign-in's token or its whole hash in the answer: %s", where, s)
		}
	}
}

// TestAccountRoutes: the owner account lists, adds (with a password made
// and shown once, or given) and removes accounts, and lists and ends any
// account's sign-ins; every other account, an invitation and nobody are
// refused. Every account lists and ends its own sign-ins (the request's
// own among them: then it is signed out) and changes its password. No
// answer carries a password hash, a token or a token's hash.
func TestAccountRoutes(t *testing.T) {
	ts := newTestServer(t, server.Config{AuthBurst: 1000, AuthRate: 1000})
	owner := ts.mediator()
	_, tok := ts.miami(`{}`)
	invite := "invite:" + tok["russia"]

	var list []room.User
	b := ts.mustDo("GET", "/api/accounts", owner, "", 200, &list)
	noSecrets(t, "GET /api/accounts", b, owner)
	if len(list) != 1 || list[0].Name != "mediator" || list[0].Role != room.RoleOwner {
		t.Fatalf("accounts %+v, want the owner alone", list)
	}

	// Added with a password made by the room, shown once; with one given,
	// not answered back.
	var alice server.AccountResponse
	b = ts.mustDo("POST", "/api/accounts", owner, `{"name":"alice","role":"mediator"}`, 201, &alice)
	if alice.User.Role != room.RoleMediator || len(alice.Password) < 16 {
		t.Fatalf("added %s", b)
	}
	noSecrets(t, "POST /api/accounts", b)
	var bob server.AccountResponse
	b = ts.mustDo("POST", "/api/accounts", owner, `{"name":"bob","role":"instructor","password":"bob's password"}`, 201, &bob)
	if bob.Password != "" || strings.Contains(string(b), "bob's password") || bob.User.Role != room.RoleInstructor {
		t.Errorf("added with a password given: %s", b)
	}
	for _, c := range []struct{ body, code string }{
		{`{"name":"carol","role":"owner"}`, room.EINVALID},
		{`{"name":"carol","role":""}`, room.EINVALID},
		{`{"name":"carol","role":"mediator","password":"short"}`, room.EINVALID},
		{`{"name":"","role":"mediator"}`, room.EINVALID},
		{`{"name":"alice","role":"mediator"}`, room.ECONFLICT},
	} {
		if status, b, _ := ts.do("POST", "/api/accounts", owner, c.body); errorCode(b) != c.code {
			t.Errorf("POST /api/accounts %s: %d %s, want %s", c.body, status, b, c.code)
		}
	}
	a1 := signIn(ts, "alice", alice.Password)
	a2 := signIn(ts, "alice", alice.Password)
	b1 := signIn(ts, "bob", "bob's password")

	// Nobody but the owner manages accounts: another account gets 403,
	// an invitation and nobody 401.
	admin := []struct{ method, path, body string }{
		{"GET", "/api/accounts", ""},
		{"POST", "/api/accounts", `{"name":"mallory","role":"mediator"}`},
		{"DELETE", "/api/accounts/" + bob.User.ID, ""},
		{"DELETE", "/api/accounts/" + ts.user, ""},
		{"GET", "/api/accounts/" + ts.user + "/sessions", ""},
		{"GET", "/api/accounts/" + bob.User.ID + "/sessions", ""},
		{"POST", "/api/accounts/" + ts.user + "/sessions/revoke", `{"all":true}`},
		{"POST", "/api/accounts/" + bob.User.ID + "/sessions/revoke", `{"all":true}`},
	}
	for _, rq := range admin {
		for _, c := range []struct{ creds, code string }{{a1, room.EFORBIDDEN}, {b1, room.EFORBIDDEN}, {invite, room.EUNAUTHORIZED}, {"", room.EUNAUTHORIZED}} {
			status, body, _ := ts.do(rq.method, rq.path, c.creds, rq.body)
			if errorCode(body) != c.code {
				t.Errorf("%s %s as %.12s: %d %s, want %s", rq.method, rq.path, c.creds, status, body, c.code)
			}
		}
	}
	for _, rq := range []struct{ method, path, body string }{
		{"GET", "/api/me/sessions", ""},
		{"POST", "/api/me/sessions/revoke", `{"all":true}`},
		{"POST", "/api/me/password", `{"current":"x","password":"another password"}`},
	} {
		for _, creds := range []string{invite, ""} {
			if status, body, _ := ts.do(rq.method, rq.path, creds, rq.body); status != 401 {
				t.Errorf("%s %s as %.12q: %d %s, want 401", rq.method, rq.path, creds, status, body)
			}
		}
	}
	// The refusals changed nothing: bob is still there, signed in.
	ts.mustDo("GET", "/api/me/sessions", b1, "", 200, nil)
	ts.mustDo("GET", "/api/me/sessions", owner, "", 200, nil)

	// Alice's two sign-ins, the asking one marked current: ids, times,
	// never a token.
	var mine []room.Session
	b = ts.mustDo("GET", "/api/me/sessions", a1, "", 200, &mine)
	noSecrets(t, "GET /api/me/sessions", b, a1, a2, owner)
	if len(mine) != 2 {
		t.Fatalf("alice's sign-ins: %s, want 2", b)
	}
	var cur, other room.Session
	for _, s := range mine {
		if len(s.ID) != room.LoginIDLen || s.Created.IsZero() || !s.Expires.After(s.Created) || s.Expired {
			t.Errorf("sign-in %+v", s)
		}
		if s.Current {
			cur = s
		} else {
			other = s
		}
	}
	if cur.ID == "" || other.ID == "" {
		t.Fatalf("want one current sign-in and another: %s", b)
	}
	// The owner sees them too (none current: not the owner's request).
	var theirs []room.Session
	b = ts.mustDo("GET", "/api/accounts/"+alice.User.ID+"/sessions", owner, "", 200, &theirs)
	noSecrets(t, "GET /api/accounts/{account}/sessions", b, a1, a2, owner)
	if len(theirs) != 2 || theirs[0].Current || theirs[1].Current {
		t.Errorf("alice's sign-ins as the owner sees them: %s", b)
	}
	ts.mustDo("GET", "/api/accounts/no-such-account/sessions", owner, "", 404, nil)

	// Ending one: the other sign-in, then it opens nothing; alice stays in.
	var rv server.SignInsRevokeResponse
	ts.mustDo("POST", "/api/me/sessions/revoke", a1, `{"ids":["`+other.ID+`"]}`, 200, &rv)
	if rv.Revoked != 1 || rv.SignedOut {
		t.Errorf("revoked %+v, want 1, still signed in", rv)
	}
	ts.mustDo("GET", "/api/me/sessions", a2, "", 401, nil)
	ts.mustDo("GET", "/api/me/sessions", a1, "", 200, nil)
	// Bob's sign-in ids are not alice's to end.
	var bobs []room.Session
	ts.mustDo("GET", "/api/me/sessions", b1, "", 200, &bobs)
	ts.mustDo("POST", "/api/me/sessions/revoke", a1, `{"ids":["`+bobs[0].ID+`"]}`, 404, nil)
	ts.mustDo("GET", "/api/me/sessions", b1, "", 200, nil)
	ts.mustDo("POST", "/api/me/sessions/revoke", a1, `{}`, 400, nil)
	ts.mustDo("POST", "/api/me/sessions/revoke", a1, `{"all":true,"ids":["`+cur.ID+`"]}`, 400, nil)
	// All of them: alice is signed out (the cookie cleared).
	status, body, hdr := ts.do("POST", "/api/me/sessions/revoke", a1, `{"all":true}`)
	if status != 200 || json.Unmarshal(body, &rv) != nil || rv.Revoked != 1 || !rv.SignedOut {
		t.Errorf("revoke all: %d %s", status, body)
	}
	if c := hdr.Get("Set-Cookie"); !strings.Contains(c, "parley_login=;") {
		t.Errorf("revoke all: the login cookie is not cleared: %q", c)
	}
	ts.mustDo("GET", "/api/me/sessions", a1, "", 401, nil)

	// The owner ends another account's sign-ins.
	rv = server.SignInsRevokeResponse{}
	ts.mustDo("POST", "/api/accounts/"+bob.User.ID+"/sessions/revoke", owner, `{"all":true}`, 200, &rv)
	if rv.Revoked != 1 || rv.SignedOut {
		t.Errorf("the owner ends bob's sign-ins: %+v", rv)
	}
	ts.mustDo("GET", "/api/me/sessions", b1, "", 401, nil)
	ts.mustDo("GET", "/api/me/sessions", owner, "", 200, nil)

	// A new password: the current one is checked; every sign-in ends and
	// the caller is signed in again.
	a1 = signIn(ts, "alice", alice.Password)
	a2 = signIn(ts, "alice", alice.Password)
	ts.mustDo("POST", "/api/me/password", a1, `{"current":"wrong","password":"alice's new password"}`, 403, nil)
	ts.mustDo("POST", "/api/me/password", a1, `{"current":"`+alice.Password+`","password":"short"}`, 400, nil)
	ts.mustDo("GET", "/api/me/sessions", a2, "", 200, nil) // nothing changed
	var lr struct{ Token string }
	b = ts.mustDo("POST", "/api/me/password", a1, `{"current":"`+alice.Password+`","password":"alice's new password"}`, 200, &lr)
	if strings.Contains(string(b), "argon2") || lr.Token == "" {
		t.Errorf("password changed: %s", b)
	}
	ts.mustDo("GET", "/api/me/sessions", a1, "", 401, nil)
	ts.mustDo("GET", "/api/me/sessions", a2, "", 401, nil)
	ts.mustDo("GET", "/api/me/sessions", "bearer:"+lr.Token, "", 200, nil)
	ts.mustDo("POST", "/api/login", "", `{"name":"alice","password":"`+alice.Password+`"}`, 401, nil)
	a1 = signIn(ts, "alice", "alice's new password")

	// Removing: not an account that owns negotiations, not the owner's
	// own, not one that does not exist; bob, who owns nothing, goes.
	ts.mustDo("POST", "/api/negotiations", a1, `{"scenario":{"builtin":"tiny-2p"},"settings":{"protocol":"sao"}}`, 201, nil)
	ts.mustDo("DELETE", "/api/accounts/"+alice.User.ID, owner, "", 409, nil)
	ts.mustDo("DELETE", "/api/accounts/"+ts.user, owner, "", 400, nil)
	ts.mustDo("DELETE", "/api/accounts/no-such-account", owner, "", 404, nil)
	b1 = signIn(ts, "bob", "bob's password")
	ts.mustDo("DELETE", "/api/accounts/"+bob.User.ID, owner, "", 200, nil)
	ts.mustDo("GET", "/api/me/sessions", b1, "", 401, nil)
	ts.mustDo("POST", "/api/login", "", `{"name":"bob","password":"bob's password"}`, 401, nil)
	ts.mustDo("GET", "/api/accounts", owner, "", 200, &list)
	if len(list) != 2 || list[1].Name != "alice" {
		t.Errorf("accounts after removing bob: %+v", list)
	}
}

// TestAccountsSeeOnlyTheirOwn: a mediator neither lists nor opens another
// account's negotiation or class — not even the owner account's, nor the
// owner another's: each answers 404, as for an id that does not exist.
func TestAccountsSeeOnlyTheirOwn(t *testing.T) {
	ts := newTestServer(t, server.Config{AuthBurst: 1000, AuthRate: 1000})
	ctx := context.Background()
	for _, name := range []string{"alice", "bob"} {
		if _, err := ts.svc.CreateAccount(ctx, name, name+"'s password", room.RoleMediator); err != nil {
			t.Fatal(err)
		}
	}
	creds := map[string]string{"owner": ts.mediator(), "alice": signIn(ts, "alice", "alice's password"), "bob": signIn(ts, "bob", "bob's password")}
	negs, classes := map[string]string{}, map[string]string{}
	for who, c := range creds {
		var n room.Negotiation
		ts.mustDo("POST", "/api/negotiations", c, `{"title":"`+who+`'s","scenario":{"builtin":"tiny-2p"},"settings":{"protocol":"sao"}}`, 201, &n)
		negs[who] = n.ID
		var cls server.ClassResponse
		ts.mustDo("POST", "/api/classes", c, `{"title":"`+who+`'s class","scenario":{"builtin":"tiny-2p"},"rooms":1,"settings":{"protocol":"sao"}}`, 201, &cls)
		classes[who] = cls.Class.ID
	}
	// An archived one of each, too.
	var archived room.Negotiation
	for who, c := range creds {
		ts.mustDo("POST", "/api/negotiations", c, `{"scenario":{"builtin":"tiny-2p"},"settings":{"protocol":"sao"}}`, 201, &archived)
		ts.mustDo("POST", "/api/negotiations/"+archived.ID+"/archive", c, "", 200, nil)
		negs[who+"/archived"] = archived.ID
	}
	for who, c := range creds {
		for _, q := range []string{"", "?archived=1"} {
			// Its own negotiation (and, not archived, its class's room).
			var ns []room.Negotiation
			ts.mustDo("GET", "/api/negotiations"+q, c, "", 200, &ns)
			want, found := negs[who], false
			if q != "" {
				want = negs[who+"/archived"]
			}
			for _, n := range ns {
				found = found || n.ID == want
				if n.Owner != ts.userID(who) || n.Class != "" && n.Class != classes[who] {
					t.Errorf("%s lists negotiations%s: %+v, not its own", who, q, n)
				}
			}
			if !found {
				t.Errorf("%s lists negotiations%s: %+v, without its own %s", who, q, ns, want)
			}
		}
		var cs []room.Class
		ts.mustDo("GET", "/api/classes", c, "", 200, &cs)
		if len(cs) != 1 || cs[0].ID != classes[who] {
			t.Errorf("%s lists classes %+v, want its own one", who, cs)
		}
		for other := range creds {
			if other == who {
				continue
			}
			for _, n := range []string{negs[other], negs[other+"/archived"]} {
				for _, rq := range []struct{ method, path, body string }{
					{"GET", "/api/negotiations/" + n, ""},
					{"GET", "/api/negotiations/" + n + "/invites", ""},
					{"GET", "/api/negotiations/" + n + "/log", ""},
					{"GET", "/api/negotiations/" + n + "/preview/north", ""},
					{"POST", "/api/negotiations/" + n + "/start", ""},
					{"POST", "/api/negotiations/" + n + "/archive", `{"archived":false}`},
					{"POST", "/api/negotiations/" + n + "/invites", `{"party":"north"}`},
					{"DELETE", "/api/negotiations/" + n, `{"confirm":"` + n + `"}`},
					{"DELETE", "/api/negotiations/" + n + "?keep=record", `{"confirm":"` + n + `"}`},
				} {
					status, body, _ := ts.do(rq.method, rq.path, c, rq.body)
					fake := strings.ReplaceAll(rq.path, n, "no-such-negotiation")
					fs, fb, _ := ts.do(rq.method, fake, c, strings.ReplaceAll(rq.body, n, "no-such-negotiation"))
					if status != 404 || fs != 404 || strings.ReplaceAll(string(fb), "no-such-negotiation", n) != string(body) {
						t.Errorf("%s: %s %s of %s's: %d %s, want 404 as for no negotiation (%d %s)", who, rq.method, rq.path, other, status, body, fs, fb)
					}
				}
			}
			for _, p := range []string{"", "/debrief", "/debrief.csv"} {
				if status, body, _ := ts.do("GET", "/api/classes/"+classes[other]+p, c, ""); status != 404 {
					t.Errorf("%s: GET class of %s%s: %d %s, want 404", who, other, p, status, body)
				}
			}
			for _, rq := range []struct{ method, path, body string }{
				{"POST", "/api/classes/" + classes[other] + "/start", ""},
				{"POST", "/api/classes/" + classes[other] + "/clone", `{"title":"mine now"}`},
				{"POST", "/api/classes/" + classes[other] + "/archive", ""},
				{"DELETE", "/api/classes/" + classes[other], `{"confirm":"` + classes[other] + `"}`},
			} {
				if status, body, _ := ts.do(rq.method, rq.path, c, rq.body); status != 404 {
					t.Errorf("%s: %s %s of %s's: %d %s, want 404", who, rq.method, rq.path, other, status, body)
				}
			}
		}
	}
	// Everything is still there for its owner.
	for who, c := range creds {
		ts.mustDo("GET", "/api/negotiations/"+negs[who], c, "", 200, nil)
		ts.mustDo("GET", "/api/classes/"+classes[who], c, "", 200, nil)
	}
}

// userID maps the names of TestAccountsSeeOnlyTheirOwn to account ids.
func (ts *testServer) userID(who string) string {
	if who == "owner" {
		return ts.user
	}
	us, err := ts.svc.Users(context.Background())
	if err != nil {
		ts.t.Fatal(err)
	}
	for _, u := range us {
		if u.Name == who {
			return u.ID
		}
	}
	ts.t.Fatalf("no account %q", who)
	return ""
}

// TestDeleteKeepingTheRecord: DELETE ?keep=record deletes the negotiation
// as a plain delete does and keeps its public record; a plain delete keeps
// nothing; any other keep is refused.
func TestDeleteKeepingTheRecord(t *testing.T) {
	ts := newTestServer(t, server.Config{})
	ctx := context.Background()
	mk := func() string {
		var n room.Negotiation
		ts.mustDo("POST", "/api/negotiations", ts.mediator(), `{"scenario":{"builtin":"tiny-2p"},"settings":{"protocol":"sao"}}`, 201, &n)
		ts.mustDo("POST", "/api/negotiations/"+n.ID+"/start", ts.mediator(), "", 200, nil)
		return n.ID
	}
	kept, plain := mk(), mk()
	ts.mustDo("DELETE", "/api/negotiations/"+kept+"?keep=all", ts.mediator(), `{"confirm":"`+kept+`"}`, 400, nil)
	ts.mustDo("DELETE", "/api/negotiations/"+kept+"?keep=record", ts.mediator(), `{"confirm":"no"}`, 400, nil)
	var dr server.DeleteResponse
	ts.mustDo("DELETE", "/api/negotiations/"+kept+"?keep=record", ts.mediator(), `{"confirm":"`+kept+`"}`, 200, &dr)
	if !dr.Deleted || dr.Kept == nil || dr.Kept.Negotiation != kept || dr.Kept.Owner != ts.user {
		t.Errorf("delete keeping the record: %+v", dr)
	}
	dr = server.DeleteResponse{}
	ts.mustDo("DELETE", "/api/negotiations/"+plain, ts.mediator(), `{"confirm":"`+plain+`"}`, 200, &dr)
	if !dr.Deleted || dr.Kept != nil {
		t.Errorf("plain delete: %+v", dr)
	}
	for _, id := range []string{kept, plain} {
		ts.mustDo("GET", "/api/negotiations/"+id, ts.mediator(), "", 404, nil)
	}
	r, err := ts.st.KeptRecord(ctx, kept)
	if err != nil || len(r.Log) == 0 {
		t.Errorf("the kept record: %v (%d bytes of log)", err, len(r.Log))
	}
	if _, err := ts.st.KeptRecord(ctx, plain); room.ErrorCode(err) != room.ENOTFOUND {
		t.Errorf("a plain delete kept a record: %v", err)
	}
}

// TestReadyAndMetricsAreRoutes: the readiness probe and /metrics are among
// the routes the API documents; /metrics answers 404 unless configured
// with a token, 401 without it.
func TestReadyAndMetricsAreRoutes(t *testing.T) {
	ts := newTestServer(t, server.Config{})
	have := map[string]bool{}
	for _, rt := range ts.srv.Routes() {
		have[rt.Method+" "+rt.Pattern] = true
	}
	if !have["GET /api/ready"] || !have["GET /metrics"] {
		t.Fatalf("routes %v: want GET /api/ready and GET /metrics", have)
	}
	ts.mustDo("GET", "/metrics", "", "", 404, nil)
	tm := newTestServer(t, server.Config{Metrics: server.NewMetrics(), MetricsToken: "metrics secret"})
	tm.mustDo("GET", "/metrics", "", "", 401, nil)
	tm.mustDo("GET", "/metrics", ts.mediator(), "", 401, nil)
	if status, _, _ := tm.do("GET", "/metrics", "bearer:metrics secret", ""); status != http.StatusOK {
		t.Errorf("/metrics with its token: %d", status)
	}
}
