package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/server"
	"github.com/parley-negotiation/parley/session"
)

// credentialFree are the routes that take no credentials.
var credentialFree = map[string]bool{
	"GET /api/health": true, "GET /api/ready": true, "GET /metrics": true, "GET /api/keys": true, "GET /api/scenarios": true, "GET /api/protocols": true, "POST /api/login": true, "POST /api/logout": true,
}

// TestSeatHijackRefused is issue 12, finding 1, over HTTP: a mediator who
// may see aggregates only invited an observer of Ukraine's seat (which
// returned Ukraine's profile) and a second delegate of Ukraine (who moved
// as Ukraine). Both are refused now; a re-issue of the seat locks the old
// credential out of every route at once, and Ukraine's view and log show
// the re-issue.
func TestSeatHijackRefused(t *testing.T) {
	ts := newTestServer(t, server.Config{AuthBurst: 100000, AuthRate: 1000})
	id, tok := ts.miami(`{"protocol":"single-text","mediator_sees":"overlap"}`)
	ukraine := "invite:" + tok["ukraine"]
	var pr profile.Profile
	ts.mustDo("GET", "/api/negotiations/"+id+"/profile", ukraine, "", 200, &pr)
	pr.RedLines = append(pr.RedLines, profile.RedLine{Terms: []profile.Term{{Point: 19, Levels: []int{0}}}, Reason: "CANARY-UKRAINE-RED-LINE"})
	b, _ := json.Marshal(&pr)
	ts.mustDo("PUT", "/api/negotiations/"+id+"/profile", ukraine, string(b), 200, nil)

	invites := "/api/negotiations/" + id + "/invites"
	status, body, _ := ts.do("POST", invites, ts.mediator(), `{"party":"ukraine","observer":true,"person":"spy"}`)
	if status != 403 || errorCode(body) != room.EFORBIDDEN || strings.Contains(string(body), "CANARY") {
		t.Errorf("the mediator invites an observer of ukraine's seat: %d %s, want 403", status, body)
	}
	status, body, _ = ts.do("POST", invites, ts.mediator(), `{"party":"ukraine","person":"impostor"}`)
	if status != 409 || errorCode(body) != room.ECONFLICT || !strings.Contains(errorMessage(body), "re-issue") {
		t.Errorf("a second invitation to ukraine's seat: %d %s, want 409 saying how to re-issue", status, body)
	}
	ts.mustDo("POST", "/api/negotiations/"+id+"/start", ts.mediator(), "", 200, nil)
	var inv server.InviteResponse
	ts.mustDo("POST", invites, ts.mediator(), `{"party":"ukraine","person":"New delegate","reissue":true,"reason":"the link leaked"}`, 201, &inv)
	if !inv.Invite.Reissued || inv.Invite.ID == "" || inv.Token == "" {
		t.Fatalf("re-issued invitation %+v", inv)
	}

	// The old credential: 401 on every route that takes credentials.
	var cls server.ClassResponse
	ts.mustDo("POST", "/api/classes", ts.mediator(), `{"scenario":{"builtin":"tiny-2p"},"rooms":1,"settings":{"protocol":"sao"}}`, 201, &cls)
	for _, rt := range ts.srv.Routes() {
		key := rt.Method + " " + rt.Pattern
		if credentialFree[key] {
			continue
		}
		reqs := requestsFor(rt, id, cls.Class.ID)
		if reqs == nil {
			continue // TestConfidentiality fails for a route without requests
		}
		for _, rq := range reqs {
			if key == "POST /api/join" {
				rq.body = `{"token":"` + tok["ukraine"] + `"}`
			}
			status, body, _ := ts.do(rt.Method, rq.path, ukraine, rq.body)
			if status != 401 || errorCode(body) != room.EUNAUTHORIZED {
				t.Errorf("%s %s with the re-issued seat's old credential: %d %.200s, want 401", rt.Method, rq.path, status, body)
			}
		}
	}

	// Ukraine's new holder: the notice in its view, the record in its log.
	nu := "invite:" + inv.Token
	var v room.View
	ts.mustDo("GET", "/api/negotiations/"+id, nu, "", 200, &v)
	if v.Seat == nil || len(v.Seat.Reissued) != 1 || v.Seat.Reissued[0].By != "us" || v.Seat.Reissued[0].Reason != "the link leaked" {
		t.Fatalf("ukraine's view: seat %+v", v.Seat)
	}
	var events []session.Event
	ts.mustDo("GET", "/api/negotiations/"+id+"/events", nu, "", 200, &events)
	found := false
	for _, e := range events {
		if e.Kind == session.KindSeat && e.Move != nil && e.Move.Party == "us" && len(e.Move.To) == 1 && e.Move.To[0] == "ukraine" {
			found = true
		}
	}
	if !found {
		t.Errorf("ukraine's log has no record of the re-issue: %+v", events)
	}
	ts.mustDo("GET", "/api/negotiations/"+id+"/events", "invite:"+tok["russia"], "", 200, &events)
	for _, e := range events {
		if e.Kind == session.KindSeat {
			t.Errorf("russia sees ukraine's seat record: %+v", e)
		}
	}
	// Seat records and faults never come from the move endpoint.
	for who, cred := range map[string]string{"mediator": ts.mediator(), "ukraine": nu} {
		for _, m := range []string{`{"kind":"seat","to":["ukraine"]}`, `{"kind":"fault","message":"crashed"}`} {
			status, body, _ := ts.do("POST", "/api/negotiations/"+id+"/moves", cred, m)
			if status != 403 {
				t.Errorf("%s posts %s: %d %s, want 403", who, m, status, body)
			}
		}
	}
}

// TestDelegationObserversOverHTTP: a party invites, lists and revokes the
// observers of its seat; the mediator sees a count of them only and
// revokes the seats it issued.
func TestDelegationObserversOverHTTP(t *testing.T) {
	ts := newTestServer(t, server.Config{AuthBurst: 100000, AuthRate: 1000})
	id, tok := ts.miami(`{}`)
	ukraine := "invite:" + tok["ukraine"]
	invites := "/api/negotiations/" + id + "/invites"
	var obs server.InviteResponse
	ts.mustDo("POST", invites, ukraine, `{"observer":true,"person":"CANARY-ADVISER"}`, 201, &obs)
	if obs.Invite.Party != "ukraine" || obs.Invite.IssuedBy != "ukraine" {
		t.Fatalf("the delegation's observer %+v", obs.Invite)
	}
	status, body, _ := ts.do("POST", invites, ukraine, `{"party":"europe","observer":true}`)
	if status != 403 {
		t.Errorf("ukraine invites an observer of europe's seat: %d %s", status, body)
	}
	_, body, _ = ts.do("GET", invites, ts.mediator(), "")
	var ms room.Seats
	if err := json.Unmarshal(body, &ms); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(body), "CANARY-ADVISER") || strings.Contains(string(body), obs.Invite.ID) || ms.Seats[1].Observers != 1 {
		t.Errorf("the mediator's listing: %s", body)
	}
	var us room.Seats
	ts.mustDo("GET", invites, ukraine, "", 200, &us)
	if len(us.Observers) != 1 || us.Observers[0].Person != "CANARY-ADVISER" || len(us.Seats) != 1 {
		t.Errorf("ukraine's listing %+v", us)
	}
	status, _, _ = ts.do("POST", invites+"/"+obs.Invite.ID+"/revoke", ts.mediator(), "")
	if status != 404 {
		t.Errorf("the mediator revokes ukraine's observer: %d, want 404", status)
	}
	var info room.InviteInfo
	ts.mustDo("POST", invites+"/"+obs.Invite.ID+"/revoke", ukraine, `{"reason":"done"}`, 200, &info)
	if info.Status != room.InviteRevoked {
		t.Errorf("revoked: %+v", info)
	}
	status, _, _ = ts.do("GET", "/api/negotiations/"+id, "invite:"+obs.Token, "")
	if status != 401 {
		t.Errorf("the revoked observer: %d, want 401", status)
	}
	// The mediator revokes a party's seat, with an empty body.
	seat := ms.Seats[0]
	ts.mustDo("POST", invites+"/"+seat.Invitations[0].ID+"/revoke", ts.mediator(), "", 200, &info)
	status, _, _ = ts.do("GET", "/api/negotiations/"+id, "invite:"+tok[seat.Party], "")
	if status != 401 {
		t.Errorf("the revoked seat %s: %d, want 401", seat.Party, status)
	}
}

// TestStreamOfRevokedCredential checks that a stream opened with a
// credential revoked before gets 401.
func TestStreamOfRevokedCredential(t *testing.T) {
	ts := newTestServer(t, server.Config{})
	id, tok := ts.miami(`{}`)
	ts.mustDo("POST", "/api/negotiations/"+id+"/start", ts.mediator(), "", 200, nil)
	ts.mustDo("POST", "/api/negotiations/"+id+"/invites", ts.mediator(), `{"party":"europe","reissue":true}`, 201, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.http.URL+"/api/negotiations/"+id+"/stream", nil)
	req.Header.Set(server.InviteHeader, tok["europe"])
	resp, err := ts.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("stream of a re-issued seat's old credential: %d, want 401", resp.StatusCode)
	}
}
