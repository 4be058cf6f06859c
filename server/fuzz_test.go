package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/server"
)

// FuzzMoveBody posts arbitrary bodies as a party's move and as a profile:
// the server answers 2xx or a JSON 4xx, never a 5xx, and whatever it
// stores still replays.
func FuzzMoveBody(f *testing.F) {
	for _, s := range []string{
		`{"kind":"message","message":"hi","to":["us"]}`,
		`{"kind":"respond","responses":[{"point":0,"stance":"accept"}]}`,
		`{"kind":"vote","yes":true}`,
		`{"kind":"bid","packages":[[0,0,0]]}`,
		`{"kind":"ratify","ref":1,"yes":true}`,
		`{"kind":"offer","package":[-1,2,99]}`,
		`{"kind":"draft","text":[[0,1],[2]]}`,
		`{"weights":[1,2],"scores":[[1],[2]],"scale":"max"}`,
		`{"kind":"message","message":"\xff\xfe","to":["us","us"]}`,
		`[]`, `null`, `{"kind":"leave"}`,
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	ts := newTestServer(f, server.Config{AuthBurst: 1 << 30, AuthRate: 1 << 30})
	id, tok := ts.miami(`{"format":"plenary"}`)
	ts.mustDo("POST", "/api/negotiations/"+id+"/start", ts.mediator(), "", 200, nil)
	f.Fuzz(func(t *testing.T, body string, asProfile bool) {
		method, path := "POST", "/api/negotiations/"+id+"/moves"
		if asProfile {
			method, path = "PUT", "/api/negotiations/"+id+"/profile"
		}
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(server.InviteHeader, tok["ukraine"])
		rec := httptest.NewRecorder()
		ts.srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: status %d: %s", method, body, rec.Code, rec.Body)
		}
		if rec.Code != http.StatusOK && errorCode(rec.Body.Bytes()) == "" {
			t.Fatalf("%s %q: status %d without a JSON error: %s", method, body, rec.Code, rec.Body)
		}
	})
}
