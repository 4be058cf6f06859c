package server

import (
	"context"
	"crypto/tls"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// HTTPS: the server marks the answers to requests that came over HTTPS —
// over its own TLS listener (RunTLS), or through a trusted proxy
// (Config.TrustedProxies) that says so with X-Forwarded-Proto: https —
// with Strict-Transport-Security, and their cookies Secure.

// DefaultHSTSMaxAge is how long browsers are told to use HTTPS only.
const DefaultHSTSMaxAge = 365 * 24 * time.Hour

// hstsValue is the Strict-Transport-Security header for maxAge; "" when
// it is off (negative).
func hstsValue(maxAge time.Duration) string {
	if maxAge == 0 {
		maxAge = DefaultHSTSMaxAge
	}
	if maxAge < 0 {
		return ""
	}
	return "max-age=" + strconv.FormatInt(int64(maxAge/time.Second), 10)
}

// isHTTPS says whether r came over HTTPS: to this server's TLS listener,
// or to a trusted proxy that says so (X-Forwarded-Proto, or the proto of
// a Forwarded header). From any other peer these headers are ignored.
func (s *Server) isHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	peer, ok := parseHop(r.RemoteAddr)
	if !ok || !s.limiter.isTrusted(peer) {
		return false
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p != "" {
		first, _, _ := strings.Cut(p, ",")
		return strings.EqualFold(strings.TrimSpace(first), "https")
	}
	if f := r.Header.Get("Forwarded"); f != "" {
		first, _, _ := strings.Cut(f, ",")
		for _, kv := range strings.Split(first, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
			if strings.EqualFold(k, "proto") {
				return strings.EqualFold(strings.Trim(v, `"`), "https")
			}
		}
	}
	return false
}

// RunTLS is Run over TLS: the listener ln is plain TCP, conf gives the
// certificates (Certificates or GetCertificate). HTTP/2 is offered.
func (s *Server) RunTLS(ctx context.Context, ln net.Listener, conf *tls.Config) error {
	if conf == nil || (len(conf.Certificates) == 0 && conf.GetCertificate == nil) {
		return fmt.Errorf("RunTLS: no certificate")
	}
	return s.run(ctx, ln, conf)
}

// RedirectHTTPS answers plain HTTP requests with a permanent redirect to
// the same URL over HTTPS on port (left out when it is 443). When hosts
// are given, a request for another host is sent to the first of them.
func RedirectHTTPS(port string, hosts ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.TrimSuffix(strings.ToLower(host), ".")
		if len(hosts) > 0 && !containsFold(hosts, host) {
			host = hosts[0]
		}
		if host == "" {
			http.Error(w, "no Host: use https", http.StatusBadRequest)
			return
		}
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		if port != "" && port != "443" {
			host += ":" + port
		}
		status := http.StatusMovedPermanently
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			status = http.StatusPermanentRedirect
		}
		http.Redirect(w, r, "https://"+host+r.URL.RequestURI(), status)
	})
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// KeyPair serves the certificate and key of two PEM files, read again
// when either file changes (a renewal by certbot, say), so that the server
// need not restart. A file that cannot be read after a change keeps the
// certificate in use, and the error is returned by Reload.
type KeyPair struct {
	certFile, keyFile string

	mu      sync.Mutex
	cert    *tls.Certificate
	stamp   string
	checked time.Time
}

// LoadKeyPair reads certFile and keyFile.
func LoadKeyPair(certFile, keyFile string) (*KeyPair, error) {
	kp := &KeyPair{certFile: certFile, keyFile: keyFile}
	if err := kp.Reload(); err != nil {
		return nil, err
	}
	return kp, nil
}

func (kp *KeyPair) fileStamp() string {
	var b strings.Builder
	for _, f := range []string{kp.certFile, kp.keyFile} {
		if fi, err := os.Stat(f); err == nil {
			fmt.Fprintf(&b, "%d/%d;", fi.ModTime().UnixNano(), fi.Size())
		}
	}
	return b.String()
}

// Reload reads the files again when they changed.
func (kp *KeyPair) Reload() error {
	kp.mu.Lock()
	defer kp.mu.Unlock()
	return kp.reload()
}

func (kp *KeyPair) reload() error {
	kp.checked = time.Now()
	stamp := kp.fileStamp()
	if kp.cert != nil && stamp == kp.stamp {
		return nil
	}
	c, err := tls.LoadX509KeyPair(kp.certFile, kp.keyFile)
	if err != nil {
		return fmt.Errorf("TLS certificate %s, key %s: %w", kp.certFile, kp.keyFile, err)
	}
	kp.cert, kp.stamp = &c, stamp
	return nil
}

// GetCertificate is for tls.Config: the current certificate, the files
// looked at again at most every 10 seconds.
func (kp *KeyPair) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	kp.mu.Lock()
	defer kp.mu.Unlock()
	if time.Since(kp.checked) > 10*time.Second {
		_ = kp.reload() // keep serving the certificate in use
	}
	return kp.cert, nil
}

// serverErrorLog is the http.Server's error log: TLS handshake failures
// (scanners, clients that do not trust the certificate) at debug level,
// anything else (accept errors such as running out of file descriptors)
// at warn.
func serverErrorLog(l *slog.Logger) *log.Logger {
	return log.New(errorLogWriter{l}, "", 0)
}

type errorLogWriter struct{ l *slog.Logger }

func (w errorLogWriter) Write(b []byte) (int, error) {
	msg := strings.TrimSpace(string(b))
	level := slog.LevelWarn
	if strings.Contains(msg, "TLS handshake error") {
		level = slog.LevelDebug
	}
	w.l.Log(context.Background(), level, msg)
	return len(b), nil
}
