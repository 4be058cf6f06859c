package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/parley-negotiation/parley/room"
)

// Metrics are the server's Prometheus metrics (docs/deploy.md lists them).
// A server counts into them when Config.Metrics is set; Handler serves
// them in the Prometheus text format.
type Metrics struct {
	reg      *prometheus.Registry
	moves    prometheus.Counter
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	analysis *prometheus.HistogramVec
	internal prometheus.Counter
	// streams counts the open event streams of the last server bound.
	streams atomic.Pointer[func() int]
}

// NewMetrics returns a registry with the server's metrics and the Go
// runtime's and process's.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		moves: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parley_moves_total",
			Help: "Moves accepted (POST /api/negotiations/{id}/moves answered 2xx); rate() gives moves per second.",
		}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_http_requests_total",
			Help: "HTTP requests answered, by route pattern and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "parley_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern (event streams excluded).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		analysis: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "parley_analysis_duration_seconds",
			Help:    "Time to compute an analysis (mediator analysis, negotiation dance, evaluation, class debrief), by route pattern.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
		internal: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parley_store_errors_total",
			Help: "Internal failures: requests answered 5xx (a store failure, in practice) and failed background store work; each is logged.",
		}),
	}
	streams := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "parley_open_streams",
		Help: "Open realtime event streams (subscriptions).",
	}, func() float64 {
		if f := m.streams.Load(); f != nil {
			return float64((*f)())
		}
		return 0
	})
	m.reg.MustRegister(m.moves, m.requests, m.latency, m.analysis, m.internal, streams,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Registry is the registry the metrics are in, for adding more.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// bind makes the open streams gauge read count.
func (m *Metrics) bind(count func() int) { m.streams.Store(&count) }

// StoreError counts an internal failure outside a request.
func (m *Metrics) StoreError() {
	if m != nil {
		m.internal.Inc()
	}
}

// analysisRoutes are the routes whose time is an analysis's.
var analysisRoutes = map[string]bool{
	"GET /api/negotiations/{id}/analysis":  true,
	"GET /api/negotiations/{id}/dance.svg": true,
	"POST /api/negotiations/{id}/evaluate": true,
	"GET /api/classes/{id}/debrief":        true,
	"GET /api/classes/{id}/debrief.csv":    true,
	"GET /api/classes/{id}/debrief.svg":    true,
}

const moveRoute = "POST /api/negotiations/{id}/moves"

// RequireToken lets through only requests bearing token
// (Authorization: Bearer TOKEN); others get 401 and learn nothing else.
func RequireToken(token string, h http.Handler) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
		if !ok || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="parley metrics"`)
			writeJSON(w, http.StatusUnauthorized, errorBody(room.EUNAUTHORIZED, "a bearer token is required"))
			return
		}
		h.ServeHTTP(w, r)
	})
}

func errorBody(code, msg string) ErrorBody {
	var b ErrorBody
	b.Error.Code, b.Error.Message = code, msg
	return b
}

// observe wraps the server's handler: it marks HTTPS answers (HSTS, Secure
// cookies: tls.go), counts requests into the metrics, and logs each
// request at debug level.
func (s *Server) observe(next http.Handler) http.Handler {
	debug := s.log.Enabled(context.Background(), slog.LevelDebug)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		https := s.isHTTPS(r)
		if https && s.hsts != "" {
			w.Header().Set("Strict-Transport-Security", s.hsts)
		}
		if s.metrics == nil && !debug && (!https || s.secure) {
			next.ServeHTTP(w, r)
			return
		}
		_, route := s.mux.Handler(r)
		if route == "" {
			route = "other"
		}
		rec := &recorder{ResponseWriter: w, secure: https && !s.secure}
		start := time.Now()
		defer func() {
			d := time.Since(start)
			status := rec.status
			if v := recover(); v != nil {
				status = http.StatusInternalServerError
				defer panic(v)
			}
			if status == 0 {
				status = http.StatusOK
			}
			stream := strings.HasSuffix(route, "/stream") || strings.HasPrefix(rec.Header().Get("Content-Type"), "text/event-stream")
			if m := s.metrics; m != nil {
				m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
				if !stream {
					m.latency.WithLabelValues(route).Observe(d.Seconds())
				}
				if analysisRoutes[route] && status < 300 {
					m.analysis.WithLabelValues(route).Observe(d.Seconds())
				}
				if route == moveRoute && status < 300 {
					m.moves.Inc()
				}
				if status >= 500 {
					m.internal.Inc()
				}
			}
			if debug {
				s.log.Debug("request", slog.String("method", r.Method), slog.String("route", route),
					slog.Int("status", status), slog.Duration("duration", d), slog.Int64("bytes", rec.bytes))
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// recorder notes a response's status and size, and marks its cookies
// Secure when the request came over HTTPS through a trusted proxy.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	secure bool
}

func (rc *recorder) WriteHeader(status int) {
	if rc.status == 0 && status >= 200 {
		rc.status = status
		if rc.secure {
			secureCookies(rc.Header())
		}
	}
	rc.ResponseWriter.WriteHeader(status)
}

func (rc *recorder) Write(b []byte) (int, error) {
	if rc.status == 0 {
		rc.WriteHeader(http.StatusOK)
	}
	n, err := rc.ResponseWriter.Write(b)
	rc.bytes += int64(n)
	return n, err
}

func (rc *recorder) Flush() {
	if rc.status == 0 {
		rc.WriteHeader(http.StatusOK)
	}
	if f, ok := rc.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (rc *recorder) Unwrap() http.ResponseWriter { return rc.ResponseWriter }

// secureCookies adds the Secure attribute to the Set-Cookie headers that
// lack it.
func secureCookies(h http.Header) {
	cs := h["Set-Cookie"]
	for i, c := range cs {
		secure := false
		for _, attr := range strings.Split(c, ";")[1:] {
			if strings.EqualFold(strings.TrimSpace(attr), "Secure") {
				secure = true
			}
		}
		if !secure {
			cs[i] = c + "; Secure"
		}
	}
}
