package server_test

import (
	"bufio"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/room/sqlstore"
	"github.com/parley-negotiation/parley/server"
)

// clock is a settable clock for the service.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newClockServer is newTestServer with the service on clk.
func newClockServer(t *testing.T, cfg server.Config, clk *clock) *testServer {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "parley.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := room.New(st, clk.Now)
	u, err := svc.CreateUser(ctx, "mediator", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Service = svc
	cfg.Log = slog.New(slog.NewTextHandler(testWriter{t}, nil))
	srv := server.New(cfg)
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	ts := &testServer{t: t, srv: srv, http: hs, svc: svc, st: st, user: u.ID}
	ts.login = ts.signIn()
	return ts
}

// signIn returns a fresh login token of the mediator.
func (ts *testServer) signIn() string {
	ts.t.Helper()
	var lr struct{ Token string }
	ts.mustDo("POST", "/api/login", "", `{"name":"mediator","password":"correct horse"}`, 200, &lr)
	return lr.Token
}

// sseEvent is one server-sent event.
type sseEvent struct{ event, data string }

// openStream opens the event stream of negotiation id as creds and returns
// its events as they come; the channel closes when the stream ends.
func (ts *testServer) openStream(t *testing.T, id, creds string) <-chan sseEvent {
	t.Helper()
	return ts.openPath(t, "/api/negotiations/"+id+"/stream", creds)
}

// openPath opens the event stream at path.
func (ts *testServer) openPath(t *testing.T, path, creds string) <-chan sseEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
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
	if resp.StatusCode != 200 {
		resp.Body.Close()
		t.Fatalf("stream: status %d", resp.StatusCode)
	}
	c := make(chan sseEvent, 16)
	go func() {
		defer close(c)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.data != "" {
					c <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "event: "):
				ev.event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return c
}

// waitEnd reads the stream until it ends and returns its events; it fails
// if the stream is still open after a few seconds.
func waitEnd(t *testing.T, c <-chan sseEvent) []sseEvent {
	t.Helper()
	var got []sseEvent
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-c:
			if !ok {
				return got
			}
			got = append(got, ev)
		case <-timeout:
			t.Fatalf("the stream is still open after 5 s (events %v)", got)
			return nil
		}
	}
}

// checkEnded checks that the stream's last event is an end event with an
// error of code saying says, and that nothing after the cut-off was
// delivered.
func checkEnded(t *testing.T, got []sseEvent, code, says, notDelivered string) {
	t.Helper()
	if len(got) == 0 {
		t.Fatal("the stream ended without a final event")
	}
	last := got[len(got)-1]
	if last.event != "end" || errorCode([]byte(last.data)) != code || !strings.Contains(errorMessage([]byte(last.data)), says) {
		t.Errorf("final event %q %s; want end, %s saying %q", last.event, last.data, code, says)
	}
	for _, ev := range got {
		if notDelivered != "" && strings.Contains(ev.data, notDelivered) {
			t.Errorf("delivered after the credential ended: %s", ev.data)
		}
	}
}

// TestStreamEndsAtLogout: a mediator's stream ends when the login is
// logged out, with a final event saying why, and delivers nothing more.
// The periodic check is an hour, so the check before delivery is tested
// too.
func TestStreamEndsAtLogout(t *testing.T) {
	for _, recheck := range []time.Duration{20 * time.Millisecond, time.Hour} {
		t.Run(recheck.String(), func(t *testing.T) {
			ts := newTestServer(t, server.Config{StreamRecheck: recheck, StreamFresh: -1})
			id, _ := ts.miami(`{}`)
			ts.mustDo("POST", "/api/negotiations/"+id+"/start", ts.mediator(), "", 200, nil)
			second := ts.signIn()
			c := ts.openStream(t, id, "bearer:"+second)
			if ev := <-c; ev.event != "events" {
				t.Fatalf("first event %+v, want the start", ev)
			}
			req, _ := http.NewRequest("POST", ts.http.URL+"/api/logout", nil)
			req.AddCookie(&http.Cookie{Name: "parley_login", Value: second})
			resp, err := ts.http.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			ts.mustDo("POST", "/api/negotiations/"+id+"/moves", ts.mediator(), `{"kind":"message","message":"after the logout","to":["russia"]}`, 200, nil)
			checkEnded(t, waitEnd(t, c), room.EUNAUTHORIZED, "not signed in", "after the logout")
			ts.mustDo("GET", "/api/negotiations/"+id, "bearer:"+second, "", 401, nil)
		})
	}
}

// TestStreamEndsWhenLoginExpires: the stream of a login that expires ends.
func TestStreamEndsWhenLoginExpires(t *testing.T) {
	clk := &clock{now: time.Now()}
	ts := newClockServer(t, server.Config{StreamRecheck: 20 * time.Millisecond, StreamFresh: -1}, clk)
	id, _ := ts.miami(`{}`)
	c := ts.openStream(t, id, ts.mediator())
	time.Sleep(100 * time.Millisecond)
	select {
	case ev, ok := <-c:
		if !ok || ev.event == "end" {
			t.Fatalf("the stream ended while the login held: %+v", ev)
		}
	default:
	}
	clk.advance(room.LoginTTL + time.Minute)
	checkEnded(t, waitEnd(t, c), room.EUNAUTHORIZED, "sign-in expired", "")
}

// TestStreamEndsWhenInvitationExpires: a party's stream ends when its
// invitation expires.
func TestStreamEndsWhenInvitationExpires(t *testing.T) {
	clk := &clock{now: time.Now()}
	ts := newClockServer(t, server.Config{StreamRecheck: 20 * time.Millisecond, StreamFresh: -1}, clk)
	var n room.Negotiation
	ts.mustDo("POST", "/api/negotiations", ts.mediator(), `{"scenario":{"builtin":"tiny-2p"},"settings":{"protocol":"sao"}}`, 201, &n)
	var inv server.InviteResponse
	ts.mustDo("POST", "/api/negotiations/"+n.ID+"/invites", ts.mediator(), `{"party":"north","hours":1}`, 201, &inv)
	c := ts.openStream(t, n.ID, "invite:"+inv.Token)
	clk.advance(2 * time.Hour)
	checkEnded(t, waitEnd(t, c), room.EUNAUTHORIZED, "invitation expired", "")
}

// TestStreamEndsWhenInvitationRevoked: re-issuing a seat revokes its old
// invitation, and the old holder's open stream ends.
func TestStreamEndsWhenInvitationRevoked(t *testing.T) {
	ts := newTestServer(t, server.Config{StreamRecheck: 20 * time.Millisecond, StreamFresh: -1})
	id, tok := ts.miami(`{}`)
	c := ts.openStream(t, id, "invite:"+tok["russia"])
	ts.mustDo("POST", "/api/negotiations/"+id+"/invites", ts.mediator(), `{"party":"russia","reissue":true,"reason":"the link leaked"}`, 201, nil)
	checkEnded(t, waitEnd(t, c), room.EUNAUTHORIZED, "revoked", "")
}

// TestClassStream: the instructor follows every room of a class on one
// stream, which says which room moved; it is the owner's alone.
func TestClassStream(t *testing.T) {
	ts := newTestServer(t, server.Config{StreamFresh: -1})
	var cls struct {
		Class struct{ ID string }
		Seats []struct {
			Room        int
			Party       string
			Token       string
			Negotiation string
		}
	}
	ts.mustDo("POST", "/api/classes", ts.mediator(), `{"scenario":{"builtin":"tiny-2p"},"rooms":2,"settings":{"protocol":"sao"},"seats":[{"room":1,"party":"north","person":"a"},{"room":1,"party":"south","person":"b"},{"room":2,"party":"north","person":"c"},{"room":2,"party":"south","person":"d"}]}`, 201, &cls)
	var d struct{ Stream string }
	ts.mustDo("GET", "/api/classes/"+cls.Class.ID+"/debrief", ts.mediator(), "", 200, &d)
	if d.Stream != "/api/classes/"+cls.Class.ID+"/stream" {
		t.Fatalf("the debrief announces stream %q", d.Stream)
	}
	ts.mustDo("POST", "/api/classes/"+cls.Class.ID+"/start", ts.mediator(), "", 200, nil)
	c := ts.openPath(t, d.Stream, ts.mediator())
	var room2, north2 string
	for _, st := range cls.Seats {
		if st.Room == 2 && st.Party == "north" {
			room2, north2 = st.Negotiation, st.Token
		}
	}
	ts.mustDo("POST", "/api/negotiations/"+room2+"/moves", "invite:"+north2, `{"kind":"offer","package":[0,0,0]}`, 200, nil)
	select {
	case ev := <-c:
		if ev.event != "events" || !strings.Contains(ev.data, `"negotiation":"`+room2+`"`) {
			t.Fatalf("note %+v, want room 2", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no note from the class stream")
	}
	// Nobody else's.
	if code, _, _ := ts.do("GET", d.Stream, "", ""); code != 401 {
		t.Errorf("anonymous class stream: %d", code)
	}
	if code, _, _ := ts.do("GET", d.Stream, "invite:"+north2, ""); code != 401 {
		t.Errorf("a party's class stream: %d", code)
	}
}
