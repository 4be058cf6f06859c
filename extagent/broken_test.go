package extagent_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/extagent"
	"github.com/parley-negotiation/parley/extagent/agentserver"
	"github.com/parley-negotiation/parley/session"
)

// brokenAgent speaks the handshake and /init correctly and answers /act
// with act (after good answers for the first `good` calls).
func brokenAgent(t *testing.T, good int, act func(w http.ResponseWriter, r *http.Request)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	ok := agentserver.New(func() agent.Negotiator { return agent.Boulware() })
	srv := httptest.NewServer(handlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == extagent.PathAct {
			if n := calls.Add(1); int(n) > good {
				act(w, r)
				return
			}
		}
		ok.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func writeString(s string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, s) }
}

// Every kind of broken agent: the session ends cleanly (the broken party
// ends the talks at its turn), Err says what was wrong, and the agent is
// not called again.
func TestBrokenAgents(t *testing.T) {
	slow := func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // the server notices a closed connection only once the body is read
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
	cases := []struct {
		name string
		good int
		act  func(w http.ResponseWriter, r *http.Request)
		opts []extagent.Option
		want error
		text string // in the error message
		max  int    // most /act calls (default: exactly good+1)
	}{
		{"timeout", 0, slow, []extagent.Option{extagent.WithTimeout(250 * time.Millisecond)}, extagent.ErrTimeout, "round 1", 0},
		{"timeout-later", 3, slow, []extagent.Option{extagent.WithTimeout(250 * time.Millisecond)}, extagent.ErrTimeout, "round 4", 0},
		{"budget", 0, func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(40 * time.Millisecond)
			io.WriteString(w, `{"action":"offer","package":[0,0,0]}`)
		}, []extagent.Option{extagent.WithBudget(100 * time.Millisecond)}, extagent.ErrBudget, "budget", 3},
		{"malformed-json", 0, writeString(`{"action":"offer","package":[1,2`), nil, extagent.ErrMalformed, "unexpected EOF", 0},
		{"not-an-object", 0, writeString(`"offer"`), nil, extagent.ErrMalformed, "JSON object", 0},
		{"trailing-data", 0, writeString(`{"action":"end"} {"action":"end"}`), nil, extagent.ErrMalformed, "after the JSON value", 0},
		{"fractional-level", 0, writeString(`{"action":"offer","package":[0,1.5,0]}`), nil, extagent.ErrMalformed, "integers", 0},
		{"no-action", 0, writeString(`{"package":[0,0,0]}`), nil, extagent.ErrMalformed, "no \"action\"", 0},
		{"unknown-action", 0, writeString(`{"action":"counter","package":[0,0,0]}`), nil, extagent.ErrInvalid, "counter", 0},
		{"out-of-range", 0, writeString(`{"action":"offer","package":[0,7,0]}`), nil, extagent.ErrInvalid, "outside 0..4", 0},
		{"negative-level", 0, writeString(`{"action":"offer","package":[0,-1,0]}`), nil, extagent.ErrInvalid, "outside", 0},
		{"short-package", 0, writeString(`{"action":"offer","package":[0,0]}`), nil, extagent.ErrInvalid, "2 entries", 0},
		{"offer-without-package", 0, writeString(`{"action":"offer"}`), nil, extagent.ErrInvalid, "needs a \"package\"", 0},
		{"accept-nothing", 0, writeString(`{"action":"accept"}`), nil, extagent.ErrInvalid, "no offer on the table", 0},
		{"accept-other", 1, writeString(`{"action":"accept","package":[2,2,2]}`), nil, extagent.ErrInvalid, "on the table is", 0},
		{"http-500", 0, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, `{"error":"strategy crashed: division by zero"}`, http.StatusInternalServerError)
		}, nil, extagent.ErrStatus, "division by zero", 0},
		{"huge-body", 0, func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"action":"offer","package":[`)
			chunk := []byte(strings.Repeat("0,", 32<<10))
			for i := 0; i < 3200 && r.Context().Err() == nil; i++ { // up to 200 MB
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, nil, extagent.ErrTooLarge, "1048576 bytes", 0},
		{"connection-dropped", 0, func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
		}, nil, extagent.ErrTransport, "EOF", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, calls := brokenAgent(t, c.good, c.act)
			remote := dial(t, srv.URL, c.opts...)
			start := time.Now()
			s := play(t, tiny(t), session.SAO, 30, remote, builtin(t, "boulware", 1))
			took := time.Since(start)
			err := remote.Err()
			if !errors.Is(err, c.want) {
				t.Fatalf("Err() = %v, want %v", err, c.want)
			}
			if !strings.Contains(err.Error(), c.text) {
				t.Errorf("Err() = %q, want it to mention %q", err, c.text)
			}
			if s.State.Status != session.StatusNoAgreement {
				t.Fatalf("status %s (%s)", s.State.Status, s.State.Reason)
			}
			ev := s.Events()
			var last *session.Event
			for i := range ev {
				if ev[i].Move != nil {
					last = &ev[i]
				}
			}
			// The log says the agent failed, and why: not that north
			// walked out.
			if last == nil || last.Party != "north" || last.Kind != session.KindFault || !strings.Contains(last.Move.Message, c.text) {
				t.Fatalf("last move %+v, want north's agent's fault", last)
			}
			if f := s.State.Fault; f == nil || f.Party != "north" {
				t.Fatalf("state's fault %+v", f)
			}
			if n := int(calls.Load()); (c.max == 0 && n != c.good+1) || (c.max > 0 && n > c.max) {
				t.Errorf("%d /act calls, want %d (no call after the failure)", n, c.good+1)
			}
			if took > 3*time.Second {
				t.Errorf("session took %v", took)
			}
			t.Logf("%v (%v)", err, took.Round(time.Millisecond))
		})
	}
}

// Failures at /init: the negotiator ends the talks at its first turn.
func TestBrokenInit(t *testing.T) {
	for _, c := range []struct {
		name string
		h    func(w http.ResponseWriter, r *http.Request)
		want error
	}{
		{"500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", 500) }, extagent.ErrStatus},
		{"not-json", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "OK") }, extagent.ErrMalformed},
		{"slow", func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, extagent.ErrTimeout},
	} {
		t.Run(c.name, func(t *testing.T) {
			var acts atomic.Int32
			ends := make(chan extagent.EndRequest, 4)
			srv := httptest.NewServer(handlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/":
					json.NewEncoder(w).Encode(extagent.Hello{Name: "bad-init", Version: extagent.Version})
				case extagent.PathInit:
					c.h(w, r)
				case extagent.PathEnd:
					var e extagent.EndRequest
					json.NewDecoder(r.Body).Decode(&e)
					ends <- e
					io.WriteString(w, `{"ok":true}`)
				default:
					acts.Add(1)
					io.WriteString(w, `{"action":"end"}`)
				}
			}))
			defer srv.Close()
			remote := dial(t, srv.URL, extagent.WithInitTimeout(100*time.Millisecond))
			s := play(t, tiny(t), session.SAO, 30, builtin(t, "conceder", 1), remote)
			if !errors.Is(remote.Err(), c.want) || !strings.Contains(remote.Err().Error(), "/init") {
				t.Fatalf("Err() = %v, want %v at /init", remote.Err(), c.want)
			}
			if s.State.Status != session.StatusNoAgreement || acts.Load() != 0 {
				t.Fatalf("status %s, %d calls after /init", s.State.Status, acts.Load())
			}
			if f := s.State.Fault; f == nil || f.Party != "south" || !strings.Contains(f.Cause, "/init") {
				t.Fatalf("fault %+v, want south's agent's failure at /init", f)
			}
			// The agent still hears the end, with its own failure.
			select {
			case e := <-ends:
				wantCause := extagent.CauseAgentError
				if c.want == extagent.ErrTimeout {
					wantCause = extagent.CauseTimeout
				}
				if e.Negotiation != remote.Negotiation() || e.Cause != wantCause || e.By != "south" ||
					!strings.Contains(e.OwnError, "/init") || !strings.Contains(e.Reason, "failed") {
					t.Errorf("/end %+v, want cause %s by south with the /init failure", e, wantCause)
				}
			default:
				t.Error("no /end after the agent's failure at /init")
			}
		})
	}
}

// A Go negotiator that panics: agentserver answers 500, the session goes on.
func TestServedPanic(t *testing.T) {
	srv := httptest.NewServer(agentserver.New(func() agent.Negotiator { return panicky{agent.Boulware()} }))
	defer srv.Close()
	remote := dial(t, srv.URL)
	s := play(t, tiny(t), session.SAO, 30, builtin(t, "conceder", 1), remote)
	if !errors.Is(remote.Err(), extagent.ErrStatus) || !strings.Contains(remote.Err().Error(), "panicked: boom") {
		t.Fatalf("Err() = %v", remote.Err())
	}
	if s.State.Status != session.StatusNoAgreement || s.State.Fault == nil || s.State.Fault.Party != "south" {
		t.Fatal(s.State.Status, s.State.Fault)
	}
}

type panicky struct{ agent.Negotiator }

func (panicky) Act(*agent.View) agent.Action { panic("boom") }

// The handshake refuses what is not a parley-agent/1 agent.
func TestHandshake(t *testing.T) {
	for _, c := range []struct {
		name, body string
		status     int
		want       error
	}{
		{"version", `{"name":"x","version":"parley-agent/3"}`, 200, extagent.ErrVersion},
		{"versions", `{"name":"x","version":"parley-agent/3","versions":["parley-agent/0"]}`, 200, extagent.ErrVersion},
		{"html", `<html>hello</html>`, 200, extagent.ErrMalformed},
		{"404", `not found`, 404, extagent.ErrStatus},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(handlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(c.status)
				io.WriteString(w, c.body)
			}))
			defer srv.Close()
			_, err := extagent.New("", srv.URL)
			if !errors.Is(err, c.want) {
				t.Fatalf("New: %v, want %v", err, c.want)
			}
		})
	}
	if _, err := extagent.New("", "ftp://example.org"); err == nil {
		t.Error("ftp URL accepted")
	}
	srv := httptest.NewServer(handlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	url := srv.URL
	srv.Close()
	if _, err := extagent.New("", url, extagent.WithTimeout(time.Second)); !errors.Is(err, extagent.ErrTransport) {
		t.Errorf("closed server: %v", err)
	}
	// The name: the caller's, else the agent's.
	ok := httptest.NewServer(agentserver.Handler(agent.Conceder()))
	defer ok.Close()
	for _, c := range [][2]string{{"", agent.Conceder().Name()}, {"mine", "mine"}} {
		n, err := extagent.New(c[0], ok.URL+"/")
		if err != nil || n.Name() != c[1] {
			t.Errorf("New(%q): %v %v", c[0], n, err)
		}
	}
	_ = fmt.Sprint()
}

// TestCredentialsNeverShown: an agent's URL with credentials in it never
// reaches a message or a name (they would go to logs and results).
func TestCredentialsNeverShown(t *testing.T) {
	srv := httptest.NewServer(handlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", 500) }))
	defer srv.Close()
	withCreds := strings.Replace(srv.URL, "http://", "http://alice:s3cret@", 1)
	for _, u := range []string{withCreds, withCreds + "?x=1", "ftp://alice:s3cret@example.org"} {
		_, err := extagent.New("", u, extagent.WithTimeout(time.Second))
		if err == nil || strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "alice") {
			t.Errorf("New(%q): %v", u, err)
		}
	}
	if got := extagent.RedactURL("https://bob:pw@host:1/x"); got != "https://…@host:1/x" {
		t.Errorf("RedactURL: %q", got)
	}
}
