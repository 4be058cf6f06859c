package server

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

// TestClientAddress: which address a request is counted by.
func TestClientAddress(t *testing.T) {
	l := newLimiter(1, 1, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")})
	cases := []struct {
		name, peer, xff, realIP, want string
	}{
		{"untrusted peer, headers ignored", "192.0.2.1:5000", "198.51.100.1", "198.51.100.2", "192.0.2.1"},
		{"trusted peer, no headers", "10.0.0.1:5000", "", "", "10.0.0.1"},
		{"trusted peer, X-Forwarded-For", "10.0.0.1:5000", "198.51.100.1", "", "198.51.100.1"},
		{"right-most untrusted wins", "10.0.0.1:5000", "203.0.113.9, 198.51.100.1, 10.2.3.4", "", "198.51.100.1"},
		{"X-Forwarded-For before X-Real-IP", "10.0.0.1:5000", "198.51.100.1", "198.51.100.2", "198.51.100.1"},
		{"X-Real-IP alone", "10.0.0.1:5000", "", "198.51.100.2", "198.51.100.2"},
		{"every hop trusted: the left-most", "10.0.0.1:5000", "10.9.9.9, 10.2.3.4", "", "10.9.9.9"},
		{"unreadable hop: the last vouched for", "10.0.0.1:5000", "198.51.100.1, junk, 10.2.3.4", "", "10.2.3.4"},
		{"unreadable header", "10.0.0.1:5000", "junk", "", "10.0.0.1"},
		{"hop with a port", "10.0.0.1:5000", "[2001:db8::1]:443", "", "2001:db8::1"},
		{"IPv6 trusted peer", "[::1]:5000", "198.51.100.1", "", "198.51.100.1"},
		{"IPv4-mapped", "10.0.0.1:5000", "::ffff:198.51.100.1", "", "198.51.100.1"},
		{"unreadable peer", "pipe", "198.51.100.1", "", "pipe"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.peer
			if c.xff != "" {
				r.Header.Set("X-Forwarded-For", c.xff)
			}
			if c.realIP != "" {
				r.Header.Set("X-Real-IP", c.realIP)
			}
			if got := l.client(r); got != c.want {
				t.Errorf("client %q, want %q", got, c.want)
			}
		})
	}
	// Several X-Forwarded-For lines are one list.
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.1:5000"
	r.Header.Add("X-Forwarded-For", "203.0.113.9")
	r.Header.Add("X-Forwarded-For", "198.51.100.1, 10.2.3.4")
	if got := l.client(r); got != "198.51.100.1" {
		t.Errorf("two header lines: client %q", got)
	}
}
