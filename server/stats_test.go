package server_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/server"
)

// TestHealthSaysOnlyUp: /api/health tells anyone that the server is up and
// nothing else; the operational counts are for operators only.
func TestHealthSaysOnlyUp(t *testing.T) {
	ts := newTestServer(t, server.Config{Operators: []string{"mediator"}})
	id, tok := ts.miami(`{}`)
	c := ts.openStream(t, id, "invite:"+tok["russia"])
	_ = c
	var health map[string]any
	ts.mustDo("GET", "/api/health", "", "", 200, &health)
	if len(health) != 1 || health["ok"] != true {
		t.Errorf("health %v, want only ok", health)
	}
	if _, err := ts.svc.CreateUser(context.Background(), "other", "another horse"); err != nil {
		t.Fatal(err)
	}
	var lr struct{ Token string }
	ts.mustDo("POST", "/api/login", "", `{"name":"other","password":"another horse"}`, 200, &lr)
	ts.mustDo("GET", "/api/stats", "", "", 401, nil)
	ts.mustDo("GET", "/api/stats", "invite:"+tok["russia"], "", 401, nil)
	ts.mustDo("GET", "/api/stats", "bearer:"+lr.Token, "", 403, nil)
	deadline := time.Now().Add(5 * time.Second)
	for {
		var st server.Stats
		b := ts.mustDo("GET", "/api/stats", ts.mediator(), "", 200, &st)
		if st.Subscribers == 1 {
			var m map[string]any
			if json.Unmarshal(b, &m) != nil || len(m) != 1 {
				t.Errorf("stats %s", b)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stats %s, want 1 subscriber", b)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
