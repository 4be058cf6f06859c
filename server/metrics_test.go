package server_test

import (
	"bytes"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/parley-negotiation/parley/server"
)

const metricsToken = "test-metrics-token-0123456789"

// scrape reads /metrics with the token and parses it with the Prometheus
// text parser.
func scrape(t *testing.T, ts *testServer) map[string]*dto.MetricFamily {
	t.Helper()
	req, _ := http.NewRequest("GET", ts.http.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+metricsToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET /metrics: %d %s", resp.StatusCode, b)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// value is the sum of a family's counters, gauges or histogram counts
// whose labels include want.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	f := fams[name]
	if f == nil {
		return 0
	}
	var sum float64
next:
	for _, m := range f.Metric {
		for k, v := range want {
			found := false
			for _, l := range m.Label {
				if l.GetName() == k && l.GetValue() == v {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		}
	}
	return sum
}

// TestMetrics scrapes /metrics, parses it, and sees the counters move
// after a few moves; anonymous callers and wrong tokens are refused and
// told nothing.
func TestMetrics(t *testing.T) {
	ts := newTestServer(t, server.Config{Metrics: server.NewMetrics(), MetricsToken: metricsToken})
	for _, auth := range []string{"", "Bearer wrong", "Bearer " + ts.login, "Basic " + metricsToken} {
		req, _ := http.NewRequest("GET", ts.http.URL+"/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 401 || bytes.Contains(b, []byte("parley_")) {
			t.Errorf("Authorization %q: %d %s, want 401 and no metrics", auth, resp.StatusCode, b)
		}
	}

	before := scrape(t, ts)
	if value(before, "parley_moves_total", nil) != 0 {
		t.Errorf("moves before any: %v", value(before, "parley_moves_total", nil))
	}
	for _, name := range []string{"parley_moves_total", "parley_http_requests_total", "parley_store_errors_total", "parley_open_streams", "go_goroutines"} {
		if before[name] == nil {
			t.Errorf("no %s in /metrics", name)
		}
	}

	id, tok := ts.miami(`{}`)
	ts.mustDo("POST", "/api/negotiations/"+id+"/start", ts.mediator(), "", 200, nil)
	for i, p := range []string{"russia", "ukraine", "europe"} {
		ts.mustDo("POST", "/api/negotiations/"+id+"/moves", "invite:"+tok[p], `{"kind":"message","message":"hello `+p+`","to":["us"]}`, 200, nil)
		if i == 0 {
			// A refused move is not counted.
			ts.mustDo("POST", "/api/negotiations/"+id+"/moves", "invite:"+tok[p], `{"kind":`, 400, nil)
		}
	}
	ts.mustDo("GET", "/api/negotiations/"+id+"/analysis", ts.mediator(), "", 200, nil)

	// An open stream shows in the gauge.
	req, _ := http.NewRequest("GET", ts.http.URL+"/api/negotiations/"+id+"/stream", nil)
	req.Header.Set("X-Parley-Invite", tok["russia"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("stream: %d", resp.StatusCode)
	}
	buf := make([]byte, 1)
	if _, err := resp.Body.Read(buf); err != nil {
		t.Fatal(err)
	}

	after := scrape(t, ts)
	if got := value(after, "parley_moves_total", nil); got != 3 {
		t.Errorf("parley_moves_total %v, want 3", got)
	}
	if got := value(after, "parley_http_requests_total", map[string]string{"route": "POST /api/negotiations/{id}/moves", "code": "400"}); got != 1 {
		t.Errorf("refused moves counted %v, want 1", got)
	}
	if got := value(after, "parley_http_request_duration_seconds", map[string]string{"route": "POST /api/negotiations/{id}/moves"}); got != 4 {
		t.Errorf("move latencies observed %v, want 4", got)
	}
	if got := value(after, "parley_analysis_duration_seconds", map[string]string{"route": "GET /api/negotiations/{id}/analysis"}); got != 1 {
		t.Errorf("analyses observed %v, want 1", got)
	}
	if got := value(after, "parley_open_streams", nil); got < 1 {
		t.Errorf("parley_open_streams %v, want at least 1", got)
	}
	if got := value(after, "parley_store_errors_total", nil); got != 0 {
		t.Errorf("parley_store_errors_total %v, want 0", got)
	}
	// Route labels are patterns: no negotiation id, no token.
	for _, m := range after["parley_http_requests_total"].Metric {
		for _, l := range m.Label {
			if strings.Contains(l.GetValue(), id) {
				t.Errorf("label %s=%s names a negotiation", l.GetName(), l.GetValue())
			}
		}
	}

	// The store going away: readiness says no, and the failures count.
	ts.mustDo("GET", "/api/ready", "", "", 200, nil)
	ts.st.Close()
	b := ts.mustDo("GET", "/api/ready", "", "", 503, nil)
	if strings.TrimSpace(string(b)) != `{"ok":false}` {
		t.Errorf("ready with the store closed: %s, want only ok:false", b)
	}
	ts.do("GET", "/api/negotiations", ts.mediator(), "")
	if got := value(scrape(t, ts), "parley_store_errors_total", nil); got < 1 {
		t.Errorf("parley_store_errors_total %v after a store failure, want at least 1", got)
	}
}

// TestNoMetricsByDefault: without Config.Metrics there is no /metrics,
// and with metrics but no token it is not on the main handler either.
func TestNoMetricsByDefault(t *testing.T) {
	for _, cfg := range []server.Config{{}, {Metrics: server.NewMetrics()}} {
		ts := newTestServer(t, cfg)
		code, b, _ := ts.do("GET", "/metrics", "", "")
		if code == 200 && bytes.Contains(b, []byte("parley_")) {
			t.Errorf("metrics served without being asked for: %d", code)
		}
	}
}

// TestReadyRevealsNothing: the readiness probe answers anyone with only
// ok, like the health check.
func TestReadyRevealsNothing(t *testing.T) {
	ts := newTestServer(t, server.Config{})
	b := ts.mustDo("GET", "/api/ready", "", "", 200, nil)
	if strings.TrimSpace(string(b)) != `{"ok":true}` {
		t.Errorf("ready: %s, want only ok", b)
	}
}

// TestHTTPSThroughTrustedProxy: a request that a trusted proxy marks
// X-Forwarded-Proto: https gets HSTS and Secure cookies; the same headers
// from any other peer change nothing, and plain requests get neither.
func TestHTTPSThroughTrustedProxy(t *testing.T) {
	ts := newTestServer(t, server.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}})
	other := newTestServer(t, server.Config{})
	login := func(ts *testServer, proto string) *http.Response {
		req, _ := http.NewRequest("POST", ts.http.URL+"/api/login", strings.NewReader(`{"name":"mediator","password":"correct horse"}`))
		req.Header.Set("Content-Type", "application/json")
		if proto != "" {
			req.Header.Set("X-Forwarded-Proto", proto)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || len(resp.Cookies()) == 0 {
			t.Fatalf("login: %d, cookies %v", resp.StatusCode, resp.Cookies())
		}
		return resp
	}
	resp := login(ts, "https")
	if h := resp.Header.Get("Strict-Transport-Security"); h != "max-age=31536000" {
		t.Errorf("HSTS %q through a trusted proxy", h)
	}
	for _, c := range resp.Cookies() {
		if !c.Secure || !c.HttpOnly {
			t.Errorf("cookie %s: Secure %v HttpOnly %v", c.Name, c.Secure, c.HttpOnly)
		}
	}
	for name, resp := range map[string]*http.Response{"plain": login(ts, "http"), "untrusted": login(other, "https")} {
		if h := resp.Header.Get("Strict-Transport-Security"); h != "" {
			t.Errorf("%s: HSTS %q", name, h)
		}
		for _, c := range resp.Cookies() {
			if c.Secure {
				t.Errorf("%s: cookie %s Secure", name, c.Name)
			}
		}
	}
}
