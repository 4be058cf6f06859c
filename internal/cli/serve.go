package cli

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

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
verify. parley export writes a negotiation's whole log, for the operator.`,
		Example: `  parley serve
  parley serve --addr :8080 --db /var/lib/parley/parley.db
  parley serve --db postgres://parley:secret@localhost/parley
  parley serve --addr 127.0.0.1:8080 --trusted-proxy 127.0.0.1 --secure-cookies`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
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
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	ln, err := net.Listen("tcp", fl.addr)
	if err != nil {
		return usagef("listen on %s: %v", fl.addr, err)
	}
	base := "http://" + ln.Addr().String()
	if err := bootstrap(ctx, e, svc, fl, base); err != nil {
		ln.Close()
		return err
	}
	fmt.Fprintf(e.stdout, "Parley is serving on %s (storage: %s). Stop with Ctrl-C.\n", base, describeDB(fl.db))
	srv := server.New(server.Config{Service: svc, Log: log, Secure: fl.secure,
		TrustedProxies: proxies, Operators: []string{fl.user}})
	return srv.Run(ctx, ln)
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
