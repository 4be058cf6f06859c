package server

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/parley-negotiation/parley/room"
)

// Limits of requests.
const (
	// MaxBody bounds a JSON request body.
	MaxBody = 1 << 20
	// MaxUpload bounds a body carrying a scenario or GENIUS files.
	MaxUpload = 8 << 20
)

// Config is what a Server needs.
type Config struct {
	Service *room.Service
	// Log receives request failures; nil discards.
	Log *slog.Logger
	// AuthRate and AuthBurst limit sign-in and invitation attempts per
	// client address (default 1 per second, burst 10).
	AuthRate  rate.Limit
	AuthBurst int
	// Secure marks cookies Secure (serve over HTTPS).
	Secure bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For (or
	// X-Real-IP) names the client that rate limits count by; a request
	// from any other peer is counted by the peer's address, whatever its
	// headers say (docs/room.md).
	TrustedProxies []netip.Prefix
	// Operators are the user names that may read the server's operational
	// counts (GET /api/stats).
	Operators []string
	// StreamRecheck is how often an open event stream checks its
	// credentials again (default DefaultStreamRecheck); it also checks them
	// before a delivery when its last check is older than StreamFresh.
	StreamRecheck time.Duration
	// StreamFresh is how long a stream trusts its last check of its
	// credentials before a delivery (default StreamFresh; negative: check
	// before every delivery).
	StreamFresh time.Duration
	// Metrics, when set, counts requests, moves, latencies and failures
	// (metrics.go); nil counts nothing.
	Metrics *Metrics
	// MetricsToken, with Metrics, serves GET /metrics on this server to
	// the requests that bear it (Authorization: Bearer); without it the
	// metrics are served only where Metrics.Handler is mounted.
	MetricsToken string
	// HSTSMaxAge is the max-age of Strict-Transport-Security on answers
	// to HTTPS requests (default DefaultHSTSMaxAge; negative: none).
	HSTSMaxAge time.Duration
}

// Server serves the API and the web UI.
type Server struct {
	svc     *room.Service
	log     *slog.Logger
	secure  bool
	limiter *limiter
	routes  []Route
	mux     *http.ServeMux
	handler http.Handler
	// done is closed when the server shuts down, ending event streams.
	done     chan struct{}
	doneOnce sync.Once

	// operators may read GET /api/stats; recheck is Config.StreamRecheck.
	operators map[string]bool
	recheck   time.Duration
	fresh     time.Duration

	metrics *Metrics
	hsts    string // the Strict-Transport-Security value, "" for none
}

// Route is one API route: a method, a path pattern (net/http style) and
// its handler. Routes lists them so that documentation can be checked.
type Route struct {
	Method  string
	Pattern string
	handler http.HandlerFunc
}

// New returns a server over cfg.Service.
func New(cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.AuthRate == 0 {
		cfg.AuthRate = 1
	}
	if cfg.AuthBurst == 0 {
		cfg.AuthBurst = 10
	}
	if cfg.StreamRecheck <= 0 {
		cfg.StreamRecheck = DefaultStreamRecheck
	}
	switch {
	case cfg.StreamFresh == 0:
		cfg.StreamFresh = StreamFresh
	case cfg.StreamFresh < 0:
		cfg.StreamFresh = 0
	}
	s := &Server{svc: cfg.Service, log: cfg.Log, secure: cfg.Secure, limiter: newLimiter(cfg.AuthRate, cfg.AuthBurst, cfg.TrustedProxies), operators: operatorSet(cfg.Operators), recheck: cfg.StreamRecheck, fresh: cfg.StreamFresh, mux: http.NewServeMux(), done: make(chan struct{}),
		metrics: cfg.Metrics, hsts: hstsValue(cfg.HSTSMaxAge)}
	const ok, created = http.StatusOK, http.StatusCreated
	s.routes = []Route{
		{"GET", "/api/health", s.health},
		{"GET", "/api/ready", s.ready},
		{"GET", "/metrics", s.metricsHandler(cfg)},
		{"GET", "/api/keys", s.keys},
		{"GET", "/api/stats", s.asUser(ok, s.stats)},
		{"POST", "/api/login", s.login},
		{"POST", "/api/logout", s.logout},
		{"GET", "/api/me", s.me},
		{"POST", "/api/me/password", s.changePassword},
		{"GET", "/api/me/sessions", s.asUser(ok, s.mySessions)},
		{"POST", "/api/me/sessions/revoke", s.revokeMySessions},
		{"GET", "/api/accounts", s.asUser(ok, s.listAccounts)},
		{"POST", "/api/accounts", s.asUser(created, s.createAccount)},
		{"DELETE", "/api/accounts/{account}", s.asUser(ok, s.removeAccount)},
		{"GET", "/api/accounts/{account}/sessions", s.asUser(ok, s.accountSessions)},
		{"POST", "/api/accounts/{account}/sessions/revoke", s.revokeAccountSessions},
		{"POST", "/api/join", s.join},
		{"GET", "/api/scenarios", s.scenarios},
		{"GET", "/api/protocols", s.protocols},
		{"GET", "/api/negotiations", s.asUser(ok, s.listNegotiations)},
		{"POST", "/api/negotiations", s.asUser(created, s.createNegotiation)},
		{"GET", "/api/negotiations/{id}", s.asViewer(s.view)},
		{"DELETE", "/api/negotiations/{id}", s.asUser(ok, s.deleteNegotiation)},
		{"POST", "/api/negotiations/{id}/archive", s.asUser(ok, s.archiveNegotiation)},
		{"GET", "/api/negotiations/{id}/preview/{party}", s.asUser(ok, s.preview)},
		{"GET", "/api/negotiations/{id}/invites", s.asViewer(s.listInvites)},
		{"GET", "/api/negotiations/{id}/invites/stream", s.seatsStream},
		{"POST", "/api/negotiations/{id}/invites", s.createInvite},
		{"POST", "/api/negotiations/{id}/invites/{invite}/revoke", s.asViewer(s.revokeInvite)},
		{"POST", "/api/negotiations/{id}/start", s.asUser(ok, s.start)},
		{"POST", "/api/negotiations/{id}/moves", s.asViewer(s.move)},
		{"GET", "/api/negotiations/{id}/events", s.asViewer(s.events)},
		{"GET", "/api/negotiations/{id}/log", s.asViewer(s.exportLog)},
		{"GET", "/api/negotiations/{id}/stream", s.stream},
		{"GET", "/api/negotiations/{id}/profile", s.asViewer(s.getProfile)},
		{"PUT", "/api/negotiations/{id}/profile", s.asViewer(s.putProfile)},
		{"POST", "/api/negotiations/{id}/evaluate", s.asViewer(s.evaluate)},
		{"GET", "/api/negotiations/{id}/analysis", s.asViewer(s.analysis)},
		{"POST", "/api/negotiations/{id}/analysis/what-if", s.asViewer(s.whatIf)},
		{"GET", "/api/negotiations/{id}/dance.svg", s.asViewer(s.dance)},
		{"GET", "/api/negotiations/{id}/plan", s.asViewer(s.planStatus)},
		{"GET", "/api/negotiations/{id}/agreement", s.asViewer(s.agreementJSON)},
		{"GET", "/api/negotiations/{id}/agreement.md", s.asViewer(s.agreementMarkdown)},
		{"GET", "/api/negotiations/{id}/agreement.html", s.asViewer(s.agreementHTML)},
		{"GET", "/api/negotiations/{id}/versions", s.asViewer(s.textVersions)},
		{"GET", "/api/negotiations/{id}/diff", s.asViewer(s.diffJSON)},
		{"GET", "/api/negotiations/{id}/diff.md", s.asViewer(s.diffMarkdown)},
		{"GET", "/api/negotiations/{id}/diff.html", s.asViewer(s.diffHTML)},
		{"GET", "/api/classes", s.asUser(ok, s.listClasses)},
		{"POST", "/api/classes", s.asUser(created, s.createClass)},
		{"GET", "/api/classes/{id}", s.asUser(ok, s.getClass)},
		{"DELETE", "/api/classes/{id}", s.asUser(ok, s.deleteClass)},
		{"POST", "/api/classes/{id}/archive", s.asUser(ok, s.archiveClass)},
		{"POST", "/api/classes/{id}/clone", s.asUser(created, s.cloneClass)},
		{"POST", "/api/classes/{id}/start", s.asUser(ok, s.startClass)},
		{"GET", "/api/classes/{id}/debrief", s.asUser(ok, s.debrief)},
		{"GET", "/api/classes/{id}/stream", s.classStream},
		{"GET", "/api/classes/{id}/debrief.csv", s.asUser(ok, s.debriefCSV)},
		{"GET", "/api/classes/{id}/debrief.svg", s.asUser(ok, s.debriefSVG)},
		{"GET", "/api/shuttles/scenarios", s.asUser(ok, s.shuttleScenarios)},
		{"GET", "/api/shuttles", s.asUser(ok, s.listShuttles)},
		{"POST", "/api/shuttles", s.asUser(created, s.createShuttle)},
		{"GET", "/api/shuttles/{id}", s.asViewer(s.getShuttle)},
		{"POST", "/api/shuttles/{id}/start", s.asViewer(s.startShuttle)},
		{"DELETE", "/api/shuttles/{id}", s.asViewer(s.deleteShuttle)},
		{"GET", "/api/shuttles/{id}/stream", s.shuttleStream},
	}
	for _, rt := range s.routes {
		s.mux.HandleFunc(rt.Method+" "+rt.Pattern, rt.handler)
	}
	if cfg.Metrics != nil {
		cfg.Metrics.bind(s.svc.Subscribers)
	}
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, room.Errorf(room.ENOTFOUND, "no API route %s %s", r.Method, r.URL.Path))
	})
	s.mountUI()
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, room.Errorf(room.EFORBIDDEN, "cross-origin request refused"))
	}))
	s.handler = s.observe(cop.Handler(gzipAPI(s.recoverer(s.mux))))
	return s
}

// metricsHandler serves GET /metrics on this server when cfg has metrics
// and a token for them (docs/deploy.md); otherwise it answers 404.
func (s *Server) metricsHandler(cfg Config) http.HandlerFunc {
	if cfg.Metrics == nil || cfg.MetricsToken == "" {
		return func(w http.ResponseWriter, r *http.Request) {
			s.writeError(w, r, room.Errorf(room.ENOTFOUND, "no metrics on this listener"))
		}
	}
	return RequireToken(cfg.MetricsToken, cfg.Metrics.Handler()).ServeHTTP
}

// Routes returns the API routes.
func (s *Server) Routes() []Route { return s.routes }

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Frame-Options", "DENY")
	s.handler.ServeHTTP(w, r)
}

// recoverer turns a panic in a handler into a 500 and keeps serving.
func (s *Server) recoverer(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.writeError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		h.ServeHTTP(w, r)
	})
}

// decode reads a JSON body of at most limit bytes into v: one object, no
// unknown fields. Errors say where the JSON went wrong.
func decode(r *http.Request, limit int64, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return room.Errorf(room.EINVALID, "Content-Type %q: send application/json", ct)
	}
	r.Body = http.MaxBytesReader(nil, r.Body, limit)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &mbe):
			return room.Errorf(room.ETOOLARGE, "request body over %d bytes", mbe.Limit)
		case errors.Is(err, io.EOF):
			return room.Errorf(room.EINVALID, "empty body: send a JSON object")
		case errors.As(err, &se):
			return room.Errorf(room.EINVALID, "malformed JSON at byte %d: %v", se.Offset, se)
		case errors.As(err, &te):
			return room.Errorf(room.EINVALID, "JSON field %q: got %s, want %s", te.Field, te.Value, te.Type)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return room.Errorf(room.EINVALID, "malformed JSON: the body ends early")
		default:
			return room.Errorf(room.EINVALID, "malformed JSON: %v", err)
		}
	}
	if dec.More() {
		return room.Errorf(room.EINVALID, "malformed JSON: more than one value in the body")
	}
	if _, err := dec.Token(); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return room.Errorf(room.ETOOLARGE, "request body over %d bytes", mbe.Limit)
		}
		return room.Errorf(room.EINVALID, "malformed JSON: data after the object")
	}
	return nil
}

// Close ends the server's event streams (http.Server.Shutdown does not
// wait for them otherwise).
func (s *Server) Close() { s.doneOnce.Do(func() { close(s.done) }) }

// Run serves on addr until ctx ends, then shuts down gracefully. It also
// expires timed sessions every second.
func (s *Server) Run(ctx context.Context, ln net.Listener) error { return s.run(ctx, ln, nil) }

// run serves on ln, over TLS when conf is set (RunTLS).
func (s *Server) run(ctx context.Context, ln net.Listener, conf *tls.Config) error {
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, TLSConfig: conf,
		ErrorLog: serverErrorLog(s.log)}
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := s.svc.Tick(ctx); err != nil {
					s.log.Error("expiring sessions", slog.Any("err", err))
					s.metrics.StoreError()
				}
			}
		}
	}()
	errc := make(chan error, 1)
	go func() {
		if conf != nil {
			errc <- hs.ServeTLS(ln, "", "")
			return
		}
		errc <- hs.Serve(ln)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		s.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
		return nil
	}
}
