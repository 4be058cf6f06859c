package server_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/room/sqlstore"
	"github.com/parley-negotiation/parley/server"
)

// testServer is a server over a fresh SQLite store with one mediator.
type testServer struct {
	t     testing.TB
	srv   *server.Server
	http  *httptest.Server
	svc   *room.Service
	st    room.Store
	login string // the mediator's bearer token
	user  string
	pub   ed25519.PublicKey // the server's signing key
}

func newTestServer(t testing.TB, cfg server.Config) *testServer {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "parley.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pub, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	svc := room.New(st, nil, room.WithSigningKey(key))
	u, err := svc.CreateUser(ctx, "mediator", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Service = svc
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(testWriter{t}, nil))
	}
	srv := server.New(cfg)
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	ts := &testServer{t: t, srv: srv, http: hs, svc: svc, st: st, user: u.ID, pub: pub}
	var lr struct{ Token string }
	ts.mustDo("POST", "/api/login", "", `{"name":"mediator","password":"correct horse"}`, 200, &lr)
	ts.login = lr.Token
	return ts
}

// testWriter sends the server's log to the test's log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// creds says who makes a request: "" nobody, "bearer:TOKEN" a mediator,
// "invite:TOKEN" a party.
func (ts *testServer) do(method, path, creds, body string) (int, []byte, http.Header) {
	ts.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ts.http.URL+path, rd)
	if err != nil {
		ts.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	switch {
	case strings.HasPrefix(creds, "bearer:"):
		req.Header.Set("Authorization", "Bearer "+strings.TrimPrefix(creds, "bearer:"))
	case strings.HasPrefix(creds, "invite:"):
		req.Header.Set(server.InviteHeader, strings.TrimPrefix(creds, "invite:"))
	}
	resp, err := ts.http.Client().Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		ts.t.Fatal(err)
	}
	return resp.StatusCode, b, resp.Header
}

// mustDo makes a request, checks the status and decodes the JSON answer into out.
func (ts *testServer) mustDo(method, path, creds, body string, status int, out any) []byte {
	ts.t.Helper()
	got, b, _ := ts.do(method, path, creds, body)
	if got != status {
		ts.t.Fatalf("%s %s: status %d, want %d: %s", method, path, got, status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			ts.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return b
}

func (ts *testServer) mediator() string { return "bearer:" + ts.login }

// errorCode returns the code of a JSON error body ("" if it is not one).
func errorCode(b []byte) string {
	var e server.ErrorBody
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if dec.Decode(&e) != nil {
		return ""
	}
	return e.Error.Code
}

// errorMessage returns the message of a JSON error body.
func errorMessage(b []byte) string {
	var e server.ErrorBody
	if json.Unmarshal(b, &e) != nil {
		return ""
	}
	return e.Error.Message
}

// miami creates a Miami negotiation and returns its id and one invite
// token per principal.
func (ts *testServer) miami(settings string) (string, map[string]string) {
	ts.t.Helper()
	var n room.Negotiation
	ts.mustDo("POST", "/api/negotiations", ts.mediator(), `{"scenario":{"builtin":"miami-2025"},"settings":`+settings+`}`, 201, &n)
	tokens := map[string]string{}
	for _, p := range []string{"russia", "ukraine", "europe"} {
		var inv server.InviteResponse
		ts.mustDo("POST", "/api/negotiations/"+n.ID+"/invites", ts.mediator(), `{"party":"`+p+`","person":"delegate"}`, 201, &inv)
		tokens[p] = inv.Token
	}
	return n.ID, tokens
}
