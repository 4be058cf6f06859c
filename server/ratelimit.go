package server

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter is a token bucket per client address for failed
// authentication: wrong passwords, and login or invitation tokens that do
// not hold. A valid token never uses it up and is never refused by it.
type limiter struct {
	mu      sync.Mutex
	r       rate.Limit
	burst   int
	trusted []netip.Prefix
	m       map[string]*visitor
	last    time.Time
}

type visitor struct {
	lim  *rate.Limiter
	seen time.Time
	// checking is the number of passwords of the client being checked
	// (see reserve); l.mu guards it.
	checking int
}

func newLimiter(r rate.Limit, burst int, trusted []netip.Prefix) *limiter {
	return &limiter{r: r, burst: burst, trusted: trusted, m: map[string]*visitor{}}
}

// failed counts a failed credential against the client's allowance and
// reports whether the client was still within it (else the answer is
// 429 rather than 401).
func (l *limiter) failed(r *http.Request) bool { return l.visitor(r).lim.Allow() }

// reserve holds one attempt of the client's allowance while a password is
// checked, and reports whether there was one; done(failed) ends the check
// and uses the attempt up only if the password was wrong. So correct
// passwords cost nothing, but while the allowance is used up no password
// is checked at all, or the answers would tell a guesser which guess was
// right. Attempts being checked count as used, so concurrent guesses get
// no more than the allowance.
func (l *limiter) reserve(r *http.Request) (done func(failed bool), ok bool) {
	v := l.visitor(r)
	l.mu.Lock()
	defer l.mu.Unlock()
	if v.lim.Tokens()-float64(v.checking) < 1 {
		return func(bool) {}, false
	}
	v.checking++
	return func(failed bool) {
		l.mu.Lock()
		v.checking--
		l.mu.Unlock()
		if failed {
			v.lim.Allow()
		}
	}, true
}

// visitor returns the bucket of the request's client.
func (l *limiter) visitor(r *http.Request) *visitor {
	key := l.client(r)
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.last) > time.Minute {
		for k, v := range l.m {
			if now.Sub(v.seen) > 10*time.Minute {
				delete(l.m, k)
			}
		}
		l.last = now
	}
	v := l.m[key]
	if v == nil {
		v = &visitor{lim: rate.NewLimiter(l.r, l.burst)}
		l.m[key] = v
	}
	v.seen = now
	return v
}

// client returns the address limits are counted by: the direct peer's,
// unless the peer is a trusted proxy (Config.TrustedProxies). Then it is
// the right-most address of X-Forwarded-For that is not a trusted proxy
// (the addresses to its left were written by the client and prove
// nothing), or, without X-Forwarded-For, X-Real-IP. A hop that cannot be
// read stops the walk at the last address a trusted proxy vouched for.
func (l *limiter) client(r *http.Request) string {
	peer, ok := parseHop(r.RemoteAddr)
	if !ok {
		return r.RemoteAddr
	}
	if !l.isTrusted(peer) {
		return peer.String()
	}
	if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
		var hops []string
		for _, h := range xff {
			hops = append(hops, strings.Split(h, ",")...)
		}
		client := peer
		for i := len(hops) - 1; i >= 0; i-- {
			a, ok := parseHop(hops[i])
			if !ok {
				break
			}
			client = a
			if !l.isTrusted(a) {
				break
			}
		}
		return client.String()
	}
	if a, ok := parseHop(r.Header.Get("X-Real-IP")); ok {
		return a.String()
	}
	return peer.String()
}

func (l *limiter) isTrusted(a netip.Addr) bool {
	for _, p := range l.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseHop reads an address as proxies write it: "192.0.2.1",
// "2001:db8::1", "192.0.2.1:4711" or "[2001:db8::1]:4711". IPv4-mapped
// IPv6 addresses become IPv4, zones are dropped.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	a, err := netip.ParseAddr(s)
	if err != nil {
		host, _, err := net.SplitHostPort(s)
		if err != nil {
			return netip.Addr{}, false
		}
		if a, err = netip.ParseAddr(host); err != nil {
			return netip.Addr{}, false
		}
	}
	return a.Unmap().WithZone(""), true
}
