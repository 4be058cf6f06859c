package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/server"
)

// sseReader reads the messages of an event stream one at a time.
type sseReader struct {
	resp *http.Response
	sc   *bufio.Scanner
}

func openSSE(t *testing.T, ctx context.Context, ts *testServer, path, creds string) *sseReader {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.http.URL+path, nil)
	setCreds(req, creds)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return &sseReader{resp: resp, sc: bufio.NewScanner(resp.Body)}
}

// next returns the next message's event name and data.
func (r *sseReader) next(t *testing.T) (string, string) {
	t.Helper()
	var event, data string
	for r.sc.Scan() {
		line := r.sc.Text()
		switch {
		case line == "" && (event != "" || data != ""):
			return event, data
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		}
	}
	t.Fatalf("the stream ended: %v", r.sc.Err())
	return "", ""
}

// nextSeats returns the next seats message's seats.
func (r *sseReader) nextSeats(t *testing.T) room.Seats {
	t.Helper()
	ev, data := r.next(t)
	if ev != "seats" {
		t.Fatalf("event %q (%s), want seats", ev, data)
	}
	var s room.Seats
	if err := json.Unmarshal([]byte(data), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func seatIn(s room.Seats, party string) room.SeatStatus {
	for _, st := range s.Seats {
		if st.Party == party {
			return st
		}
	}
	return room.SeatStatus{}
}

// TestReadinessStream: the owner's stream of the seats sends them at once,
// then again when a party joins and when it saves its profile — joined,
// profile saved and last active, never the profile's content — and ends
// when the negotiation is deleted. Anyone else gets no stream.
func TestReadinessStream(t *testing.T) {
	ts := newTestServer(t, server.Config{AuthBurst: 100000, AuthRate: 1000})
	id, tok := ts.miami(`{"protocol":"single-text","mediator_sees":"overlap"}`)
	path := "/api/negotiations/" + id + "/invites/stream"
	for _, creds := range []string{"", "invite:" + tok["europe"]} {
		if status, body, _ := ts.do("GET", path, creds, ""); status != 401 {
			t.Errorf("the seats stream as %q: %d %s, want 401", creds, status, body)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := openSSE(t, ctx, ts, path, ts.mediator())
	if r.resp.StatusCode != 200 {
		t.Fatalf("status %d", r.resp.StatusCode)
	}
	s := r.nextSeats(t)
	if st := seatIn(s, "russia"); st.Status != room.InviteIssued || st.ProfileSaved || !st.LastActive.IsZero() {
		t.Errorf("russia before joining: %+v", st)
	}

	ru := "invite:" + tok["russia"]
	ts.mustDo("POST", "/api/join", "", `{"token":"`+tok["russia"]+`"}`, 200, nil)
	s = r.nextSeats(t)
	if st := seatIn(s, "russia"); st.Status != room.InviteJoined || st.ProfileSaved || st.LastActive.IsZero() {
		t.Errorf("russia after joining: %+v", st)
	}
	prof := ts.mustDo("GET", "/api/negotiations/"+id+"/profile", ru, "", 200, nil)
	// The same request again within a minute records nothing new: the
	// next message is the profile saved.
	ts.mustDo("PUT", "/api/negotiations/"+id+"/profile", ru, string(prof), 200, nil)
	ev, data := r.next(t)
	var after room.Seats
	if err := json.Unmarshal([]byte(data), &after); ev != "seats" || err != nil {
		t.Fatalf("event %q %s", ev, data)
	}
	if st := seatIn(after, "russia"); !st.ProfileSaved {
		t.Errorf("russia after saving: %+v", st)
	}
	if strings.Contains(data, `"weights"`) || strings.Contains(data, "red_lines") {
		t.Errorf("the seats stream carries a profile: %.300s", data)
	}

	ts.mustDo("DELETE", "/api/negotiations/"+id, ts.mediator(), `{"confirm":"`+id+`"}`, 200, nil)
	ev, data = r.next(t)
	if ev != "end" || !strings.Contains(data, room.ENOTFOUND) {
		t.Errorf("after the deletion the stream says %q %s, want end, not found", ev, data)
	}
}

// TestArchiveDeletePreviewRoutes: the owner archives (the negotiation
// leaves the list for ?archived=1), restores and deletes (with the
// confirmation) a negotiation, and previews a party's screen without its
// numbers; a party and another user can do none of it.
func TestArchiveDeletePreviewRoutes(t *testing.T) {
	ts := newTestServer(t, server.Config{AuthBurst: 100000, AuthRate: 1000})
	id, tok := ts.miami(`{"protocol":"single-text","mediator_sees":"overlap"}`)
	n := "/api/negotiations/" + id
	list := func(q string) []string {
		t.Helper()
		var ns []room.Negotiation
		ts.mustDo("GET", "/api/negotiations"+q, ts.mediator(), "", 200, &ns)
		var ids []string
		for _, x := range ns {
			ids = append(ids, x.ID)
		}
		return ids
	}
	if _, err := ts.svc.CreateUser(context.Background(), "other", "another password"); err != nil {
		t.Fatal(err)
	}
	var lr struct{ Token string }
	ts.mustDo("POST", "/api/login", "", `{"name":"other","password":"another password"}`, 200, &lr)
	for _, who := range []string{"invite:" + tok["russia"], "bearer:" + lr.Token} {
		for _, rq := range []struct{ method, path, body string }{
			{"POST", n + "/archive", ""},
			{"DELETE", n, `{"confirm":"` + id + `"}`},
			{"GET", n + "/preview/russia", ""},
		} {
			status, body, _ := ts.do(rq.method, rq.path, who, rq.body)
			if status != 401 && status != 404 {
				t.Errorf("%s %s as %.20s: %d %s, want 401 or 404", rq.method, rq.path, who, status, body)
			}
		}
	}
	if got := list(""); len(got) != 1 || got[0] != id {
		t.Fatalf("list: %v", got)
	}
	var neg room.Negotiation
	ts.mustDo("POST", n+"/archive", ts.mediator(), "", 200, &neg)
	if neg.Archived.IsZero() {
		t.Errorf("archived: %+v", neg)
	}
	if got := list(""); len(got) != 0 {
		t.Errorf("list after archiving: %v", got)
	}
	if got := list("?archived=1"); len(got) != 1 || got[0] != id {
		t.Errorf("archived list: %v", got)
	}
	ts.mustDo("GET", "/api/negotiations?archived=maybe", ts.mediator(), "", 400, nil)
	ts.mustDo("GET", n, "invite:"+tok["russia"], "", 200, nil) // the room opens as before
	neg = room.Negotiation{}
	ts.mustDo("POST", n+"/archive", ts.mediator(), `{"archived":false}`, 200, &neg)
	if !neg.Archived.IsZero() || len(list("")) != 1 {
		t.Errorf("restored: %+v, list %v", neg, list(""))
	}

	var v room.View
	ts.mustDo("GET", n+"/preview/russia", ts.mediator(), "", 200, &v)
	if v.Role != room.RolePreview || v.Party != "russia" || v.Profile != nil || v.Reservation != nil {
		t.Errorf("preview: role %q party %q profile %v reservation %v", v.Role, v.Party, v.Profile != nil, v.Reservation)
	}
	ts.mustDo("GET", n+"/preview/us", ts.mediator(), "", 400, nil)
	ts.mustDo("GET", n+"/preview/nobody", ts.mediator(), "", 404, nil)

	ts.mustDo("DELETE", n, ts.mediator(), `{"confirm":"yes"}`, 400, nil)
	ts.mustDo("DELETE", n, ts.mediator(), ``, 400, nil)
	ts.mustDo("DELETE", n, ts.mediator(), `{"confirm":"`+id+`"}`, 200, nil)
	ts.mustDo("GET", n, ts.mediator(), "", 404, nil)
	ts.mustDo("DELETE", n, ts.mediator(), `{"confirm":"`+id+`"}`, 404, nil)
	if status, _, _ := ts.do("GET", n, "invite:"+tok["ukraine"], ""); status != 401 {
		t.Errorf("an invitation of a deleted negotiation: %d, want 401", status)
	}
	if got := append(list(""), list("?archived=1")...); len(got) != 0 {
		t.Errorf("lists after the deletion: %v", got)
	}
}
