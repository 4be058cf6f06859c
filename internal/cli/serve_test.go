package cli

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	pebbleca "github.com/letsencrypt/pebble/v2/ca"
	pebbledb "github.com/letsencrypt/pebble/v2/db"
	pebbleva "github.com/letsencrypt/pebble/v2/va"
	pebblewfe "github.com/letsencrypt/pebble/v2/wfe"
	"github.com/miekg/dns"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestParseProxies reads --trusted-proxy: ranges and single addresses; a
// malformed entry is a usage error naming it.
func TestParseProxies(t *testing.T) {
	got, err := parseProxies([]string{"10.0.0.0/8", " 127.0.0.1", "2001:db8::/32", "192.168.1.7/24", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32"),
		netip.MustParsePrefix("2001:db8::/32"), netip.MustParsePrefix("192.168.1.0/24"), netip.MustParsePrefix("::1/128"),
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	_, err = parseProxies([]string{"10.0.0.0/8", "proxy.example"})
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), `"proxy.example"`) {
		t.Errorf("error %v, want a usage error naming the entry", err)
	}
}

// TestCheckServing: the HTTPS and metrics flags that cannot work together
// are usage errors saying why; --domain moves the default listeners to
// :443 and :80.
func TestCheckServing(t *testing.T) {
	t.Setenv("PARLEY_METRICS_TOKEN", "")
	for _, c := range []struct {
		fl   serveFlags
		says string
	}{
		{serveFlags{tlsCert: "c.pem"}, "go together"},
		{serveFlags{tlsCert: "c.pem", tlsKey: "k.pem", domains: []string{"a.example"}}, "exclude each other"},
		{serveFlags{domains: []string{"https://a.example"}}, "host name"},
		{serveFlags{httpAddr: ":80"}, "--http-addr"},
		{serveFlags{metrics: true}, "--metrics-token"},
		{serveFlags{metricsAddr: ":9090", metricsToken: "short"}, "16 characters"},
	} {
		err := c.fl.checkServing()
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%+v: %v, want a usage error saying %q", c.fl, err, c.says)
		}
	}
	fl := serveFlags{addr: "127.0.0.1:8080", domains: []string{"Parley.Example.org."}}
	if err := fl.checkServing(); err != nil || fl.addr != ":443" || fl.httpAddr != ":80" || fl.domains[0] != "parley.example.org" {
		t.Errorf("--domain: %v, addr %q http-addr %q domains %v", err, fl.addr, fl.httpAddr, fl.domains)
	}
	fl = serveFlags{addr: "127.0.0.1:8080"}
	if err := fl.checkServing(); err != nil || fl.addr != "127.0.0.1:8080" || fl.httpAddr != "" || fl.metrics {
		t.Errorf("no flags: %v, addr %q http-addr %q", err, fl.addr, fl.httpAddr)
	}
}

// syncBuffer is a bytes.Buffer safe for a server writing while the test
// reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// startServe runs `parley serve ARGS…` until the test ends and returns
// its standard output and error once it says it is serving.
func startServe(t *testing.T, args ...string) (stdout, stderr *syncBuffer) {
	t.Helper()
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	e := &env{stdin: strings.NewReader(""), stdout: stdout, stderr: stderr}
	root := newRoot(e)
	root.SetArgs(append([]string{"serve", "--db", filepath.Join(t.TempDir(), "parley.db"), "--password", "secret-password", "--demo", ""}, args...))
	root.SetOut(stdout)
	root.SetErr(stderr)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("parley serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("parley serve did not stop")
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stdout.String(), "Parley is serving on") {
		select {
		case err := <-done:
			t.Fatalf("parley serve ended: %v\n%s%s", err, stdout, stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("parley serve did not start:\n%s%s", stdout, stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return stdout, stderr
}

// selfSigned writes a self-signed certificate for 127.0.0.1 and localhost
// and its key, and returns their files and a pool trusting it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "parley test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return certFile, keyFile, pool
}

// noRedirects is a client that shows redirects rather than following them.
func noRedirects(tr http.RoundTripper) *http.Client {
	return &http.Client{Transport: tr, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// checkHTTPS signs in over HTTPS at base and checks HSTS, Secure cookies
// and the redirect from the plain listener at httpBase (for host) to
// public.
func checkHTTPS(t *testing.T, c *http.Client, base, httpBase, host, public string) {
	t.Helper()
	resp, err := c.Get(base + "/api/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Strict-Transport-Security") != "max-age=31536000" {
		t.Errorf("health over HTTPS: %d, HSTS %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
	if resp.ProtoMajor != 2 {
		t.Errorf("protocol %s, want HTTP/2", resp.Proto)
	}
	resp, err = c.Post(base+"/api/login", "application/json", strings.NewReader(`{"name":"mediator","password":"secret-password"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || len(resp.Cookies()) == 0 {
		t.Fatalf("login over HTTPS: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	for _, ck := range resp.Cookies() {
		if !ck.Secure || !ck.HttpOnly {
			t.Errorf("cookie %s: Secure %v, HttpOnly %v", ck.Name, ck.Secure, ck.HttpOnly)
		}
	}
	plain := noRedirects(&http.Transport{})
	for method, status := range map[string]int{"GET": 301, "POST": 308} {
		req, _ := http.NewRequest(method, httpBase+"/n/abc?x=1", nil)
		req.Host = host
		resp, err := plain.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != status || resp.Header.Get("Location") != public+"/n/abc?x=1" {
			t.Errorf("%s over plain HTTP: %d to %q, want %d to %s/n/abc?x=1", method, resp.StatusCode, resp.Header.Get("Location"), status, public)
		}
	}
}

// TestServeTLS: parley serve with a given certificate serves HTTPS (HTTP/2)
// with HSTS and Secure cookies, redirects plain HTTP, logs JSON, and serves
// metrics on their own listener to the bearer of the token only.
func TestServeTLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	port, hport, mport := freePort(t), freePort(t), freePort(t)
	const token = "metrics-token-0123456789abcdef"
	stdout, stderr := startServe(t, "--addr", "127.0.0.1:"+port, "--http-addr", "127.0.0.1:"+hport,
		"--tls-cert", certFile, "--tls-key", keyFile, "--log-format", "json",
		"--metrics-addr", "127.0.0.1:"+mport, "--metrics-token", token)
	base := "https://127.0.0.1:" + port
	if !strings.Contains(stdout.String(), "Parley is serving on "+base+" ") {
		t.Errorf("stdout:\n%s", stdout)
	}
	c := noRedirects(&http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true})
	checkHTTPS(t, c, base, "http://127.0.0.1:"+hport, "127.0.0.1", base)

	// Metrics: refused without the token, parsed with it.
	resp, err := http.Get("http://127.0.0.1:" + mport + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("anonymous /metrics: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", "http://127.0.0.1:"+mport+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("/metrics: %d %v", resp.StatusCode, err)
	}
	if f := fams["parley_http_requests_total"]; f == nil || len(f.Metric) == 0 {
		t.Errorf("no requests counted: %v", fams["parley_http_requests_total"])
	}
	// The main listener has no /metrics without --metrics.
	if resp, err := c.Get(base + "/metrics"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Errorf("/metrics on the main listener without --metrics")
		}
	}
	// Every log line is JSON.
	for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil || m["msg"] == nil {
			t.Errorf("log line not JSON: %q", l)
		}
	}
	if !strings.Contains(stderr.String(), `"addr":"127.0.0.1:`+mport+`"`) {
		t.Errorf("the metrics listener is not logged:\n%s", stderr)
	}
}

// startPebble runs Letsencrypt's test CA, pebble, in the test: its ACME
// directory over HTTPS (a test certificate, returned as a PEM file), a DNS
// server answering 127.0.0.1 for every name, and its validation authority
// checking challenges at httpPort (http-01) and tlsPort (tls-alpn-01) of
// that address. It returns the directory URL, the roots file for it, and
// a pool trusting the certificates pebble issues.
func startPebble(t *testing.T, httpPort, tlsPort string) (dir, rootsFile string, issued *x509.CertPool) {
	t.Helper()
	t.Setenv("PEBBLE_VA_NOSLEEP", "1")
	t.Setenv("PEBBLE_WFE_NONCEREJECT", "0")
	dnsLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dnsSrv := &dns.Server{Listener: dnsLn, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		for _, qq := range q.Question {
			if qq.Qtype == dns.TypeA {
				m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: qq.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.ParseIP("127.0.0.1")})
			}
		}
		_ = w.WriteMsg(m)
	})}
	go func() { _ = dnsSrv.ActivateAndServe() }()
	t.Cleanup(func() { _ = dnsSrv.Shutdown() })

	logger := log.New(io.Discard, "pebble ", 0)
	if testing.Verbose() {
		logger.SetOutput(os.Stderr)
	}
	hp, _ := strconv.Atoi(httpPort)
	tp, _ := strconv.Atoi(tlsPort)
	store := pebbledb.NewMemoryStore()
	authority := pebbleca.New(logger, store, "", "ecdsa", 0, 1, map[string]pebbleca.Profile{"default": {Description: "test"}})
	validator := pebbleva.New(logger, hp, tp, false, dnsLn.Addr().String(), store)
	front := pebblewfe.New(logger, store, validator, authority, []string{"pebble.letsencrypt.org"}, false, false, 1, 1)
	hs := httptest.NewTLSServer(front.Handler())
	t.Cleanup(hs.Close)

	rootsFile = filepath.Join(t.TempDir(), "pebble-directory.pem")
	if err := os.WriteFile(rootsFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: hs.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	issued = x509.NewCertPool()
	issued.AddCert(authority.GetRootCert(0).Cert)
	return hs.URL + pebblewfe.DirectoryPath, rootsFile, issued
}

// TestServeACME: parley serve --domain gets its certificate from a real
// ACME CA (pebble, run by the test, validating the challenge against
// parley's own listeners), serves HTTPS with it, with HSTS and Secure
// cookies, and redirects plain HTTP to it.
func TestServeACME(t *testing.T) {
	port, hport := freePort(t), freePort(t)
	dir, roots, issued := startPebble(t, hport, port)
	const domain = "parley.test"
	cache := filepath.Join(t.TempDir(), "acme")
	stdout, _ := startServe(t, "--domain", domain, "--addr", "127.0.0.1:"+port, "--http-addr", "127.0.0.1:"+hport,
		"--acme-directory", dir, "--acme-ca-roots", roots, "--acme-cache", cache, "--acme-email", "ops@parley.test")
	// The public address is the domain on 443, where ACME reaches it.
	base := "https://" + domain + ":" + port
	if !strings.Contains(stdout.String(), "Parley is serving on https://"+domain+" ") {
		t.Errorf("stdout:\n%s", stdout)
	}
	tr := &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: issued},
		ForceAttemptHTTP2: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			_, p, _ := net.SplitHostPort(addr)
			return (&net.Dialer{}).DialContext(ctx, network, net.JoinHostPort("127.0.0.1", p))
		},
	}
	c := noRedirects(tr)
	checkHTTPS(t, c, base, "http://127.0.0.1:"+hport, domain, "https://"+domain)
	// Another host is sent to the domain.
	if resp, err := noRedirects(nil).Get("http://127.0.0.1:" + hport + "/x"); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.Header.Get("Location") != "https://"+domain+"/x" {
		t.Errorf("redirect of another host to %q", resp.Header.Get("Location"))
	}

	// The certificate is pebble's, for the domain, and kept in the cache.
	conn, err := tls.Dial("tcp", "127.0.0.1:"+port, &tls.Config{ServerName: domain, RootCAs: issued})
	if err != nil {
		t.Fatal(err)
	}
	leaf := conn.ConnectionState().PeerCertificates[0]
	conn.Close()
	if err := leaf.VerifyHostname(domain); err != nil || !strings.Contains(leaf.Issuer.CommonName, "Pebble") {
		t.Errorf("certificate for %v issued by %q: %v", leaf.DNSNames, leaf.Issuer.CommonName, err)
	}
	if _, err := os.Stat(filepath.Join(cache, domain)); err != nil {
		t.Errorf("certificate not cached: %v", err)
	}
	// Another name gets no certificate.
	if conn, err := tls.Dial("tcp", "127.0.0.1:"+port, &tls.Config{ServerName: "other.test", RootCAs: issued}); err == nil {
		conn.Close()
		t.Errorf("a certificate for a name not in --domain")
	}
}
