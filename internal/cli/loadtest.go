package cli

import (
	"context"
	"encoding/json"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/parley-negotiation/parley/internal/loadtest"
	"github.com/parley-negotiation/parley/scenario"
)

type loadtestFlags struct {
	cfg        loadtest.Config
	jsonOut    bool
	cpuProfile string
	quiet      bool
	progress   *progressFlag
}

func newLoadtest(e *env) *cobra.Command {
	fl := loadtestFlags{progress: newProgressFlag(loadtest.DefaultProgressEvery)}
	c := &cobra.Command{
		Use:   "loadtest",
		Short: "Benchmark the negotiation room under load, over real HTTP",
		Long: `Benchmark the negotiation room (parley serve) under load.

It starts a server in this process on a loopback port (SQLite in a temporary
directory by default; --db names a SQLite file or a postgres:// database), or
targets a running one (--url with --user and --password of a mediator
account). Through the JSON API it opens --sessions negotiations of a built-in
scenario, invites their parties and starts them; then, for --duration, every
seat of every negotiation makes valid moves as fast as the server
acknowledges them (under single-text the mediator drafts, the parties
respond, and everyone exchanges messages; under sao the parties take turns
offering and message each other), while --subscribers realtime event streams
(default: one per seat) stay open and count what they receive.

It reports acknowledged moves per second, latency quantiles per move,
errors by status and code, the streams held at the end (and the server's
own count), events delivered per second, and the peak RSS, goroutines and
CPU of this process (with an in-process server: server and clients
together). Progress goes to stderr every few seconds (--progress=INTERVAL;
none with -q).`,
		Example: `  parley loadtest --sessions 100 --duration 20s
  parley loadtest --sessions 1000 --json > load.json
  parley loadtest --db postgres://parley:secret@localhost/parley_load
  parley loadtest --protocol sao --sessions 500
  parley loadtest --url http://127.0.0.1:8080 --user mediator \
      --password "$PARLEY_PASSWORD"`,
		Args: fl.progress.legacyArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLoadtest(cmd.Context(), e, &fl)
		},
	}
	f := c.Flags()
	f.IntVar(&fl.cfg.Sessions, "sessions", loadtest.DefaultSessions, "negotiations driven at once")
	f.DurationVar(&fl.cfg.Duration, "duration", loadtest.DefaultDuration, "how long the moves go on")
	f.IntVar(&fl.cfg.Subscribers, "subscribers", -1, "realtime event streams held open (-1: one per seat of every negotiation)")
	f.StringVar(&fl.cfg.Protocol, "protocol", "single-text", "single-text or sao")
	f.StringVar(&fl.cfg.Scenario, "scenario", "", "built-in scenario (default miami-2025 for single-text, tiny-2p for sao)")
	f.StringVar(&fl.cfg.DB, "db", "", "store of the in-process server: SQLite file or postgres:// URL (default: SQLite in a temporary directory)")
	f.StringVar(&fl.cfg.URL, "url", "", "load a running server at this URL instead (http://host:port)")
	f.StringVar(&fl.cfg.User, "user", "mediator", "with --url: a mediator account of that server")
	f.StringVar(&fl.cfg.Password, "password", "", "with --url: its password (default $PARLEY_PASSWORD)")
	f.IntVar(&fl.cfg.SetupWorkers, "setup-workers", loadtest.DefaultSetupWorkers, "negotiations set up at once")
	f.DurationVar(&fl.cfg.Timeout, "timeout", loadtest.DefaultTimeout, "limit of one request")
	fl.progress.register(c, "a progress line")
	f.BoolVarP(&fl.quiet, "quiet", "q", false, "nothing on stderr but errors: no progress lines")
	f.BoolVar(&fl.jsonOut, "json", false, "write the report as JSON")
	f.StringVar(&fl.cpuProfile, "cpuprofile", "", "write a CPU profile of this process (with an in-process server: server and clients) to this file (go tool pprof)")
	return c
}

func runLoadtest(ctx context.Context, e *env, fl *loadtestFlags) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := fl.cfg
	if cfg.Sessions < 1 {
		return usagef("--sessions %d: want at least 1", cfg.Sessions)
	}
	if cfg.Duration <= 0 {
		return usagef("--duration %v: want more than 0", cfg.Duration)
	}
	if cfg.URL != "" {
		if cfg.DB != "" {
			return usagef("--db is for the in-process server; with --url the running server has its own store")
		}
		if cfg.Password == "" {
			cfg.Password = os.Getenv("PARLEY_PASSWORD")
		}
		if cfg.Password == "" {
			return usagef("--url needs the password of the mediator account --user (--password or $PARLEY_PASSWORD)")
		}
	}
	switch cfg.Protocol {
	case "single-text", "sao":
	default:
		return usagef("--protocol %q: want single-text or sao", cfg.Protocol)
	}
	if cfg.Scenario != "" {
		if _, err := scenario.Builtin(cfg.Scenario); err != nil {
			return usagef("--scenario %q: want a built-in scenario (%s)", cfg.Scenario, strings.Join(scenario.BuiltinNames(), ", "))
		}
	}
	if fl.progress.on && !fl.quiet {
		cfg.Progress, cfg.ProgressEvery = e.stderr, fl.progress.every
	}
	if fl.cpuProfile != "" {
		f, err := os.Create(fl.cpuProfile)
		if err != nil {
			return usageError{err}
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	rep, err := loadtest.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if fl.jsonOut {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return rep.WriteText(e.stdout)
}
