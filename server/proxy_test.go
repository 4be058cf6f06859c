package server_test

import (
	"io"
	"net/http"
	"net/netip"
	"testing"

	"github.com/parley-negotiation/parley/server"
)

// doFrom makes a request with extra headers (X-Forwarded-For, …) and
// returns the status.
func (ts *testServer) doFrom(t *testing.T, path, creds string, headers map[string]string) int {
	t.Helper()
	req, err := http.NewRequest("GET", ts.http.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case len(creds) > 7 && creds[:7] == "bearer:":
		req.Header.Set("Authorization", "Bearer "+creds[7:])
	case len(creds) > 7 && creds[:7] == "invite:":
		req.Header.Set(server.InviteHeader, creds[7:])
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := ts.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestForwardedForFromUntrustedPeerIgnored: without trusted proxies a
// client cannot escape its limit (or put it on someone else) by sending
// X-Forwarded-For or X-Real-IP.
func TestForwardedForFromUntrustedPeerIgnored(t *testing.T) {
	ts := newTestServer(t, server.Config{AuthRate: 0.001, AuthBurst: 3,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}})
	spoof := []string{"198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4", "198.51.100.5"}
	last := 0
	for _, a := range spoof {
		last = ts.doFrom(t, "/api/me", "invite:forged", map[string]string{"X-Forwarded-For": a, "X-Real-IP": a})
	}
	if last != 429 {
		t.Fatalf("forged tokens with a new X-Forwarded-For each time: status %d, want 429", last)
	}
	if got := ts.doFrom(t, "/api/me", "invite:forged", nil); got != 429 {
		t.Errorf("the peer itself: %d, want 429", got)
	}
}

// TestTrustedProxy: behind a trusted proxy each client has its own limit,
// counted by the right-most address of X-Forwarded-For that is not a
// trusted proxy; what the client wrote to the left of it is ignored.
func TestTrustedProxy(t *testing.T) {
	ts := newTestServer(t, server.Config{AuthRate: 0.001, AuthBurst: 3, TrustedProxies: []netip.Prefix{
		netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.0.0.0/8"),
	}})
	id, tok := ts.miami(`{}`)
	n := "/api/negotiations/" + id
	attacker := map[string]string{"X-Forwarded-For": "198.51.100.7"}
	for range 4 {
		ts.doFrom(t, n, "invite:forged", attacker)
	}
	if got := ts.doFrom(t, n, "invite:forged", attacker); got != 429 {
		t.Fatalf("the attacker behind the proxy: %d, want 429", got)
	}
	cases := []struct {
		name    string
		creds   string
		headers map[string]string
		want    int
	}{
		{"another client behind the proxy", "invite:forged", map[string]string{"X-Forwarded-For": "198.51.100.8"}, 401},
		{"another client by X-Real-IP", "invite:forged", map[string]string{"X-Real-IP": "198.51.100.9"}, 401},
		{"the attacker with a valid invitation", "invite:" + tok["russia"], attacker, 200},
		{"the attacker prepends a spoofed address", "invite:forged", map[string]string{"X-Forwarded-For": "198.51.100.8, 198.51.100.7"}, 429},
		{"the attacker through a second trusted proxy", "invite:forged", map[string]string{"X-Forwarded-For": "198.51.100.7, 10.1.2.3"}, 429},
		{"the attacker with a port", "invite:forged", map[string]string{"X-Forwarded-For": "198.51.100.7:4711"}, 429},
		{"another client through a second trusted proxy", "invite:forged", map[string]string{"X-Forwarded-For": "198.51.100.7, 198.51.100.10, 10.1.2.3"}, 401},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ts.doFrom(t, n, c.creds, c.headers); got != c.want {
				t.Errorf("status %d, want %d", got, c.want)
			}
		})
	}
}
