package server_test

import (
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/server"
)

// TestValidCredentialsPassWhenLimited: once an address has used up its
// allowance with invalid tokens, invalid tokens from it get 429, but valid
// login and invitation tokens from it still pass.
func TestValidCredentialsPassWhenLimited(t *testing.T) {
	ts := newTestServer(t, server.Config{AuthRate: 0.001, AuthBurst: 3})
	id, tok := ts.miami(`{}`)
	for i := range 3 {
		if status, b, _ := ts.do("GET", "/api/negotiations/"+id, "invite:forged", ""); status != 401 {
			t.Fatalf("forged invitation %d: %d %s, want 401", i+1, status, b)
		}
	}
	// Bad tokens are locked out, as before …
	for _, creds := range []string{"invite:forged", "bearer:forged"} {
		if status, b, _ := ts.do("GET", "/api/negotiations/"+id, creds, ""); status != 429 || errorCode(b) != room.ETOOMANY {
			t.Errorf("%s after the allowance: %d %s, want 429", creds, status, b)
		}
	}
	if status, b, _ := ts.do("POST", "/api/join", "", `{"token":"forged"}`); status != 429 {
		t.Errorf("join with a forged invitation after the allowance: %d %s, want 429", status, b)
	}
	// … but valid ones pass.
	ts.mustDo("GET", "/api/negotiations/"+id, "invite:"+tok["russia"], "", 200, nil)
	ts.mustDo("GET", "/api/negotiations/"+id, ts.mediator(), "", 200, nil)
	ts.mustDo("GET", "/api/negotiations", ts.mediator(), "", 200, nil)
	ts.mustDo("POST", "/api/join", "", `{"token":"`+tok["ukraine"]+`"}`, 200, nil)
	ts.mustDo("GET", "/api/me", "invite:"+tok["europe"], "", 200, nil)
}

// TestOnlyFailedSignInsCount: correct passwords do not use up the
// allowance; wrong ones do. While it is used up no password is checked
// (or the answer would tell a guesser which guess was right).
func TestOnlyFailedSignInsCount(t *testing.T) {
	ts := newTestServer(t, server.Config{AuthRate: 0.001, AuthBurst: 2})
	for i := range 4 {
		status, b, _ := ts.do("POST", "/api/login", "", `{"name":"mediator","password":"correct horse"}`)
		if status != 200 {
			t.Fatalf("sign-in %d with the right password: %d %s", i+1, status, b)
		}
	}
	for i := range 2 {
		if status, b, _ := ts.do("POST", "/api/login", "", `{"name":"mediator","password":"wrong"}`); status != 401 {
			t.Fatalf("wrong password %d: %d %s, want 401", i+1, status, b)
		}
	}
	for _, pw := range []string{"wrong", "correct horse"} {
		status, b, _ := ts.do("POST", "/api/login", "", `{"name":"mediator","password":"`+pw+`"}`)
		if status != 429 || !strings.Contains(errorMessage(b), "too many failed sign-in attempts") {
			t.Errorf("password %q after the allowance: %d %s, want 429", pw, status, b)
		}
	}
	// A signed-in mediator is not concerned.
	ts.mustDo("GET", "/api/negotiations", ts.mediator(), "", 200, nil)
}
