package cli

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/room/sqlstore"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/server"
	"github.com/parley-negotiation/parley/session"
)

type serveFlags struct {
	addr     string
	db       string
	user     string
	password string
	demo     string
	secure   bool
	proxies  []string
	// key signs the logs the room exports; retired are earlier public keys.
	key     string
	retired []string

	// HTTPS (tlsConfig).
	tlsCert, tlsKey string
	domains         []string
	acmeDir         string
	acmeCache       string
	acmeEmail       string
	acmeRoots       string
	httpAddr        string
	hsts            time.Duration
	// addrSet and httpAddrSet say whether --addr and --http-addr were
	// given (with --domain they default to :443 and :80).
	addrSet, httpAddrSet bool

	// Observability.
	logFormat    string
	logLevel     string
	metrics      bool
	metricsAddr  string
	metricsToken string
}

func newServe(e *env) *cobra.Command {
	var fl serveFlags
	c := &cobra.Command{
		Use:   "serve",
		Short: "Serve the negotiation room: the web UI and the JSON API",
		Long: `Serve the negotiation room: a web UI for parties, mediators and instructors,
and the JSON API with realtime updates (docs/room.md; the API's reference is
docs/openapi.yaml).

Storage is an SQLite file by default (--db parley.db, created if missing);
--db postgres://user:pass@host/db uses PostgreSQL with the same schema.
Every move is stored before it is acknowledged: a restart loses nothing.

On first start the mediator account is created (its password is
--password, or $PARLEY_PASSWORD, or a random one printed once), and a
negotiation of the --demo scenario (default miami-2025) is opened with one
invitation link per party, printed once.

Failed sign-ins and invalid tokens are rate limited per client address.
Behind a reverse proxy, name it with --trusted-proxy: the client address is
then read from X-Forwarded-For (the right-most address that is not a
trusted proxy) or X-Real-IP, for requests from the proxy only; without it
those headers are ignored, and every client behind the proxy shares the
proxy's limit.

The --user account is the server's operator: it may read the operational
counts (GET /api/stats).

The server signs the logs it exports (GET /api/negotiations/{id}/log: each
viewer's own log, with a checkpoint) with an ed25519 key: --signing-key,
made on first start (default parley-signing-key.pem beside an SQLite
database, else in the current folder). Its public key is published at
GET /api/keys and written beside it (.pub.pem); parley verify LOG --pub KEY
proves a log. To rotate the key, make a new one (parley keygen), start with
it and list the old public key with --retired-key: logs signed with it still
verify. parley export writes a negotiation's whole log, for the operator.

HTTPS (docs/deploy.md): --tls-cert and --tls-key serve the given
certificate (read again when the files change); --domain gets certificates
over ACME (Let's Encrypt unless --acme-directory names another CA), kept in
--acme-cache, and then listens on :443 with :80 for the ACME challenge and
redirects, unless --addr and --http-addr say otherwise. --http-addr
redirects plain HTTP to HTTPS. With TLS every cookie is Secure and answers
carry Strict-Transport-Security (--hsts-max-age, 0 for none). Behind a proxy
that terminates TLS, name it with --trusted-proxy: requests it marks
X-Forwarded-Proto: https get Secure cookies and HSTS.

Logs are structured (log/slog) on standard error: --log-format text|json,
--log-level debug|info|warn|error (debug logs every request). GET
/api/health says the server is up, GET /api/ready that its store answers.
Prometheus metrics are off by default: --metrics-addr serves /metrics on a
listener of its own (keep it private), --metrics on the main listener, to
requests bearing --metrics-token ($PARLEY_METRICS_TOKEN) only.`,
		Example: `  parley serve
  parley serve --addr :8080 --db /var/lib/parley/parley.db
  parley serve --db postgres://parley:secret@localhost/parley
  parley serve --addr 127.0.0.1:8080 --trusted-proxy 127.0.0.1 --secure-cookies
  parley serve --domain parley.example.org --acme-email ops@example.org
  parley serve --addr :8443 --tls-cert cert.pem --tls-key key.pem
  parley serve --log-format json --metrics-addr 127.0.0.1:9090`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fl.addrSet, fl.httpAddrSet = cmd.Flags().Changed("addr"), cmd.Flags().Changed("http-addr")
			return runServe(cmd.Context(), e, &fl)
		},
	}
	f := c.Flags()
	f.StringVar(&fl.addr, "addr", "127.0.0.1:8080", "address to listen on")
	f.StringVar(&fl.db, "db", "parley.db", "SQLite file, or a postgres:// URL")
	f.StringVar(&fl.user, "user", "mediator", "name of the mediator account created on first start")
	f.StringVar(&fl.password, "password", "", "its password (default $PARLEY_PASSWORD, else random, printed once)")
	f.StringVar(&fl.demo, "demo", "miami-2025", "built-in scenario opened on first start (\"\" for none)")
	f.BoolVar(&fl.secure, "secure-cookies", false, "mark cookies Secure (when served over HTTPS)")
	f.StringSliceVar(&fl.proxies, "trusted-proxy", nil, "reverse proxies (CIDR[,CIDR…] or addresses) whose X-Forwarded-For / X-Real-IP name the client")
	f.StringVar(&fl.key, "signing-key", "", "private key (PEM) that signs exported logs (default: parley-signing-key.pem beside the SQLite file, made on first start)")
	f.StringArrayVar(&fl.retired, "retired-key", nil, "an earlier public key (PEM), still published at /api/keys (repeatable)")
	f.StringVar(&fl.tlsCert, "tls-cert", "", "serve HTTPS with this certificate (PEM, with its chain)")
	f.StringVar(&fl.tlsKey, "tls-key", "", "the certificate's private key (PEM)")
	f.StringSliceVar(&fl.domains, "domain", nil, "serve HTTPS for these names with certificates obtained over ACME (then listening on :443, and :80 for redirects)")
	f.StringVar(&fl.acmeDir, "acme-directory", "", "the ACME CA's directory URL (default Let's Encrypt's)")
	f.StringVar(&fl.acmeCache, "acme-cache", "", "folder keeping the ACME account and certificates (default parley-acme beside the SQLite file)")
	f.StringVar(&fl.acmeEmail, "acme-email", "", "contact address given to the ACME CA (expiry notices)")
	f.StringVar(&fl.acmeRoots, "acme-ca-roots", "", "PEM roots to trust for the ACME directory's HTTPS (a private CA)")
	f.StringVar(&fl.httpAddr, "http-addr", "", "plain HTTP listener redirecting to HTTPS (and answering ACME http-01 challenges)")
	f.DurationVar(&fl.hsts, "hsts-max-age", server.DefaultHSTSMaxAge, "Strict-Transport-Security max-age on HTTPS answers (0: none)")
	f.StringVar(&fl.logFormat, "log-format", "text", "log format on standard error: text or json")
	f.StringVar(&fl.logLevel, "log-level", "info", "least level logged: debug (every request), info, warn or error")
	f.BoolVar(&fl.metrics, "metrics", false, "serve Prometheus metrics at /metrics on the main listener (a token is required)")
	f.StringVar(&fl.metricsAddr, "metrics-addr", "", "serve Prometheus metrics at /metrics on this address of their own")
	f.StringVar(&fl.metricsToken, "metrics-token", "", "bearer token required to read /metrics (default $PARLEY_METRICS_TOKEN)")
	return c
}

// serverKey returns the room's signing key and its retired public keys:
// the key at --signing-key, or the default one, made on first start (and
// said so on w).
func serverKey(w io.Writer, fl *serveFlags) (ed25519.PrivateKey, []ed25519.PublicKey, error) {
	var retired []ed25519.PublicKey
	for _, p := range fl.retired {
		k, err := readPublicKey(p)
		if err != nil {
			return nil, nil, err
		}
		retired = append(retired, k)
	}
	path := fl.key
	if path == "" {
		path = defaultServerKey(fl.db)
	}
	if _, err := os.Stat(path); err != nil {
		if fl.key != "" {
			return nil, nil, usagef("--signing-key %s: %v", path, err)
		}
		pub, err := writeKeyPair(path, pubPath(path))
		if err != nil {
			return nil, nil, err
		}
		fmt.Fprintf(w, "Made the server's signing key %s (keep it private); its public key %s, key %s, is published at /api/keys.\n", path, pubPath(path), session.KeyID(pub))
	}
	k, err := readPrivateKey(path)
	return k, retired, err
}

// defaultServerKey is the key file beside an SQLite database, or in the
// current folder for PostgreSQL.
func defaultServerKey(dsn string) string {
	const name = "parley-signing-key.pem"
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return name
	}
	return filepath.Join(filepath.Dir(dsn), name)
}

func runServe(ctx context.Context, e *env, fl *serveFlags) error {
	if ctx == nil {
		ctx = context.Background()
	}
	proxies, err := parseProxies(fl.proxies)
	if err != nil {
		return err
	}
	log, err := newLogger(e.stderr, fl.logFormat, fl.logLevel)
	if err != nil {
		return err
	}
	if err := fl.checkServing(); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	key, retired, err := serverKey(e.stdout, fl)
	if err != nil {
		return err
	}
	st, err := sqlstore.Open(ctx, fl.db)
	if err != nil {
		return fmt.Errorf("open store %s: %w", fl.db, err)
	}
	defer st.Close()
	svc := room.New(st, nil, room.WithSigningKey(key, retired...))
	tlsConf, acm, err := fl.tlsConfig()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", fl.addr)
	if err != nil {
		return usagef("listen on %s: %v", fl.addr, err)
	}
	defer ln.Close()
	base := "http://" + ln.Addr().String()
	if tlsConf != nil {
		base = httpsBase(ln.Addr(), fl.domains)
	}
	if err := bootstrap(ctx, e, svc, fl, base); err != nil {
		return err
	}
	cfg := server.Config{Service: svc, Log: log, Secure: fl.secure || tlsConf != nil,
		TrustedProxies: proxies, Operators: []string{fl.user}, HSTSMaxAge: fl.hsts}
	if cfg.HSTSMaxAge == 0 {
		cfg.HSTSMaxAge = -1
	}
	var aux []auxListener
	if fl.metrics || fl.metricsAddr != "" {
		cfg.Metrics = server.NewMetrics()
		if fl.metrics {
			cfg.MetricsToken = fl.metricsToken
		}
		if fl.metricsAddr != "" {
			h := cfg.Metrics.Handler()
			if fl.metricsToken != "" {
				h = server.RequireToken(fl.metricsToken, h)
			}
			mux := http.NewServeMux()
			mux.Handle("GET /metrics", h)
			a, err := listenAux("metrics", fl.metricsAddr, mux)
			if err != nil {
				return err
			}
			defer a.ln.Close()
			aux = append(aux, a)
		}
	}
	if fl.httpAddr != "" {
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		if len(fl.domains) > 0 {
			port = "443" // ACME reaches the domain there (docs/deploy.md)
		}
		var h http.Handler = server.RedirectHTTPS(port, fl.domains...)
		if acm != nil {
			h = acm.HTTPHandler(h)
		}
		a, err := listenAux("redirect", fl.httpAddr, h)
		if err != nil {
			return err
		}
		defer a.ln.Close()
		aux = append(aux, a)
	}
	fmt.Fprintf(e.stdout, "Parley is serving on %s (storage: %s). Stop with Ctrl-C.\n", base, describeDB(fl.db))
	for _, a := range aux {
		log.Info("listening", slog.String("for", a.what), slog.String("addr", a.ln.Addr().String()))
	}
	srv := server.New(cfg)
	return serveAll(ctx, log, aux, func(ctx context.Context) error {
		if tlsConf != nil {
			return srv.RunTLS(ctx, ln, tlsConf)
		}
		return srv.Run(ctx, ln)
	})
}

// parseProxies reads --trusted-proxy: CIDR prefixes, or single addresses.
func parseProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, usagef("--trusted-proxy %q: want a CIDR range such as 10.0.0.0/8 or an address such as 127.0.0.1", s)
		}
		a = a.Unmap().WithZone("")
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func describeDB(dsn string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return "PostgreSQL"
	}
	return "SQLite " + dsn
}

// bootstrap creates the mediator account and the demo negotiation on
// first start and prints how to get in.
func bootstrap(ctx context.Context, e *env, svc *room.Service, fl *serveFlags, base string) error {
	pw := fl.password
	if pw == "" {
		pw = os.Getenv("PARLEY_PASSWORD")
	}
	generated := false
	if pw == "" {
		tok, _ := room.NewToken()
		pw, generated = tok[:16], true
	}
	u, created, err := svc.EnsureUser(ctx, fl.user, pw)
	if err != nil {
		return fmt.Errorf("mediator account: %w", err)
	}
	if !created {
		return nil
	}
	fmt.Fprintf(e.stdout, "Created the mediator account %q", u.Name)
	if generated {
		fmt.Fprintf(e.stdout, " with password %s (shown once; set --password or $PARLEY_PASSWORD to choose)", pw)
	}
	fmt.Fprintln(e.stdout, ".")
	if fl.demo == "" {
		return nil
	}
	sc, err := scenario.Builtin(fl.demo)
	if err != nil {
		return usagef("--demo: %v", err)
	}
	n, err := svc.CreateNegotiation(ctx, u.ID, "", sc, room.Settings{}, "")
	if err != nil {
		return fmt.Errorf("demo negotiation: %w", err)
	}
	fmt.Fprintf(e.stdout, "Opened %q: %s/n/%s (sign in as %s)\n", n.Title, base, n.ID, u.Name)
	for _, p := range sc.Principals() {
		tok, _, err := svc.Invite(ctx, u.ID, n.ID, p.ID, "", false, 30*24*time.Hour)
		if err != nil {
			return fmt.Errorf("demo invitation: %w", err)
		}
		fmt.Fprintf(e.stdout, "  invitation for %-10s %s/join#%s\n", p.ID+":", base, tok)
	}
	// The implementation plan's verifiers file reports once there is an
	// agreement (docs/room.md).
	if sc.Plan != nil {
		for _, v := range sc.Plan.Verifiers {
			tok, _, err := svc.InviteVerifier(ctx, u.ID, n.ID, v.ID, "", 30*24*time.Hour)
			if err != nil {
				return fmt.Errorf("demo invitation of verifier %s: %w", v.ID, err)
			}
			fmt.Fprintf(e.stdout, "  invitation for verifier %s: %s/join#%s\n", v.ID, base, tok)
		}
	}
	return nil
}

// checkServing checks the HTTPS and metrics flags and fills in their
// defaults.
func (fl *serveFlags) checkServing() error {
	if (fl.tlsCert == "") != (fl.tlsKey == "") {
		return usagef("--tls-cert and --tls-key go together")
	}
	if fl.tlsCert != "" && len(fl.domains) > 0 {
		return usagef("--tls-cert and --domain exclude each other: give a certificate, or have one made over ACME")
	}
	for i, d := range fl.domains {
		d = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
		if d == "" || strings.ContainsAny(d, ":/ ") {
			return usagef("--domain %q: want a host name such as parley.example.org", fl.domains[i])
		}
		fl.domains[i] = d
	}
	if len(fl.domains) > 0 {
		if !fl.addrSet {
			fl.addr = ":443"
		}
		if !fl.httpAddrSet {
			fl.httpAddr = ":80"
		}
	}
	if fl.httpAddr != "" && fl.tlsCert == "" && len(fl.domains) == 0 {
		return usagef("--http-addr redirects to HTTPS: give --tls-cert/--tls-key or --domain")
	}
	if fl.hsts < 0 {
		return usagef("--hsts-max-age %v: want 0 (none) or more", fl.hsts)
	}
	if fl.metricsToken == "" {
		fl.metricsToken = os.Getenv("PARLEY_METRICS_TOKEN")
	}
	if fl.metrics && fl.metricsToken == "" {
		return usagef("--metrics serves /metrics on the main listener only behind a token: give --metrics-token or $PARLEY_METRICS_TOKEN (or use --metrics-addr on a private address)")
	}
	if fl.metricsToken != "" && len(fl.metricsToken) < 16 {
		return usagef("--metrics-token: use at least 16 characters (parley makes none; openssl rand -hex 32 does)")
	}
	return nil
}

// tlsConfig is the main listener's TLS configuration: the --tls-cert key
// pair, or certificates over ACME for --domain (with the manager, whose
// HTTP handler answers http-01 challenges). Both nil without TLS.
func (fl *serveFlags) tlsConfig() (*tls.Config, *autocert.Manager, error) {
	switch {
	case fl.tlsCert != "":
		kp, err := server.LoadKeyPair(fl.tlsCert, fl.tlsKey)
		if err != nil {
			return nil, nil, usagef("%v", err)
		}
		return &tls.Config{GetCertificate: kp.GetCertificate, MinVersion: tls.VersionTLS12}, nil, nil
	case len(fl.domains) > 0:
		cache := fl.acmeCache
		if cache == "" {
			cache = filepath.Join(filepath.Dir(defaultServerKey(fl.db)), "parley-acme")
		}
		if err := os.MkdirAll(cache, 0o700); err != nil {
			return nil, nil, fmt.Errorf("--acme-cache: %w", err)
		}
		client := &acme.Client{DirectoryURL: fl.acmeDir}
		if client.DirectoryURL == "" {
			client.DirectoryURL = autocert.DefaultACMEDirectory
		}
		if fl.acmeRoots != "" {
			pem, err := os.ReadFile(fl.acmeRoots)
			if err != nil {
				return nil, nil, usagef("--acme-ca-roots: %v", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, nil, usagef("--acme-ca-roots %s: no PEM certificate", fl.acmeRoots)
			}
			tr := http.DefaultTransport.(*http.Transport).Clone()
			tr.TLSClientConfig = &tls.Config{RootCAs: pool}
			client.HTTPClient = &http.Client{Transport: tr}
		}
		m := &autocert.Manager{
			Prompt:     autocert.AcceptTOS,
			Cache:      autocert.DirCache(cache),
			HostPolicy: autocert.HostWhitelist(fl.domains...),
			Email:      fl.acmeEmail,
			Client:     client,
		}
		conf := m.TLSConfig()
		conf.MinVersion = tls.VersionTLS12
		return conf, m, nil
	}
	return nil, nil, nil
}

// httpsBase is the URL the room is reached at over HTTPS: the first
// --domain (on port 443, where ACME reaches it, whatever port the server
// listens on behind a port forward), else the listener's address, with
// the port unless it is 443.
func httpsBase(addr net.Addr, domains []string) string {
	host, port, _ := net.SplitHostPort(addr.String())
	if len(domains) > 0 {
		host, port = domains[0], "443"
	} else if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	if port == "443" {
		return "https://" + host
	}
	return "https://" + net.JoinHostPort(host, port)
}

// newLogger is the server's structured log on w.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usagef("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usagef("--log-format %q: want text or json", format)
}

// auxListener is a listener beside the main one: the HTTPS redirect, or
// the metrics.
type auxListener struct {
	what string
	ln   net.Listener
	h    http.Handler
}

func listenAux(what, addr string, h http.Handler) (auxListener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return auxListener{}, usagef("listen on %s (%s): %v", addr, what, err)
	}
	return auxListener{what: what, ln: ln, h: h}, nil
}

// serveAll runs the main server and the auxiliary listeners until ctx
// ends or one of them fails, then stops them all.
func serveAll(ctx context.Context, log *slog.Logger, aux []auxListener, run func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, len(aux)+1)
	var servers []*http.Server
	for _, a := range aux {
		hs := &http.Server{Handler: a.h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute,
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
		servers = append(servers, hs)
		go func() {
			if err := hs.Serve(a.ln); err != nil && err != http.ErrServerClosed {
				errc <- fmt.Errorf("%s listener: %w", a.what, err)
				cancel()
			}
		}()
	}
	err := run(ctx)
	for _, hs := range servers {
		sctx, c := context.WithTimeout(context.Background(), 2*time.Second)
		_ = hs.Shutdown(sctx)
		c()
	}
	select {
	case aerr := <-errc:
		if err == nil {
			err = aerr
		}
	default:
	}
	return err
}
