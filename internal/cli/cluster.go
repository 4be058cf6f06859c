package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/spf13/cobra"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/cluster"
	"github.com/parley-negotiation/parley/extagent"
	"github.com/parley-negotiation/parley/tournament"
)

// externalAgents returns the constructor of a tournament's agents with a
// url: (parley-agent/2 or /1), telling them the job's protocol, wall-time
// deadline, agents and scoring (rankBy: the tournament's ranking, "" when
// unknown, as on a remote worker); a call longer than the job's time budget
// fails. Each agent is greeted (GET /) once per constructor: one per
// tournament run or worker process.
func externalAgents(rankBy string) func(name, url string, job tournament.Job) (agent.Negotiator, error) {
	hs := extagent.NewHandshakes()
	return func(name, url string, job tournament.Job) (agent.Negotiator, error) {
		sc := extagent.Scoring{Rule: extagent.ScoreUtility, NoAgreement: job.Scoring,
			Note: "the tournament ranks agents by the mean of this score over their negotiations; a timeout or agent error scores as no agreement"}
		switch rankBy {
		case tournament.RankDiscounted:
			sc.Rule = extagent.ScoreDiscounted
		case "":
			sc.Note = "each negotiation records every party's utility and discounted utility; the tournament's ranking (one of them) is not known to this worker"
		}
		opts := []extagent.Option{extagent.WithProtocol(job.Protocol), extagent.WithDuration(job.Duration),
			extagent.WithHandshakes(hs), extagent.WithAgents(job.Agents()), extagent.WithScoring(sc)}
		if job.Budget > 0 {
			opts = append(opts, extagent.WithTimeout(job.Budget))
		}
		return extagent.New(name, url, opts...)
	}
}

// distributed is a tournament's dispatch over NATS: it connects to
// fl.nats or starts an embedded node on fl.listen, sets up the queue,
// starts the local workers and returns the coordinator; stop ends the
// workers and the connections.
func distributed(ctx context.Context, e *env, fl *tournamentFlags, out string, jobs []tournament.Job, workers int) (d tournament.Dispatcher, stop func(), err error) {
	logf := func(format string, args ...any) { fmt.Fprintf(e.stderr, format+"\n", args...) }
	if fl.quiet {
		logf = func(string, ...any) {}
	}
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	defer func() {
		if err != nil {
			stop()
		}
	}()
	// The secret shared with the workers: the NATS token of the embedded
	// server, and the root of the key that signs jobs and results.
	secret := natsToken()
	var connect func(name string) (*nats.Conn, error)
	if fl.listen != "" {
		generated := secret == ""
		if generated {
			if secret, err = cluster.NewSecret(); err != nil {
				return nil, stop, err
			}
		}
		node, err := cluster.StartNode(cluster.NodeConfig{Name: "parley-tournament", Listen: fl.listen, StoreDir: filepath.Join(out, "nats"), Token: secret})
		if err != nil {
			return nil, stop, usageError{err}
		}
		stops = append(stops, node.Shutdown)
		connect = node.Connect
		url := reachableURL(node.ClientURL())
		if generated {
			logf("tournament: NATS JetStream on %s (store %s), with a new token; workers on other machines join with:\n  %s=%s parley worker --nats %s",
				node.ClientURL(), filepath.Join(out, "nats"), tokenEnv, secret, url)
		} else {
			logf("tournament: NATS JetStream on %s (store %s); workers on other machines join with %s set as here:\n  parley worker --nats %s",
				node.ClientURL(), filepath.Join(out, "nats"), tokenEnv, url)
		}
	} else {
		if secret == "" {
			return nil, stop, usagef("--nats: set %s to the secret the workers share (it signs the jobs and the results, and is the token of parley broker); e.g. %s=$(openssl rand -base64 32)", tokenEnv, tokenEnv)
		}
		connect = func(name string) (*nats.Conn, error) { return cluster.Connect(fl.nats, name, secret) }
	}
	key := cluster.DeriveKey(secret)
	nc, err := connect("parley-tournament")
	if err != nil {
		return nil, stop, err
	}
	stops = append(stops, func() { _ = nc.Drain(); waitClosed(nc) })
	js, err := cluster.NewJetStream(nc)
	if err != nil {
		return nil, stop, err
	}
	if err := cluster.Setup(ctx, js, cluster.QueueConfig{Replicas: fl.replicas, AckWait: fl.ackWait}); err != nil {
		return nil, stop, err
	}
	wctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	stops = append(stops, func() { cancel(); wg.Wait() })
	if workers > 0 {
		wnc, err := connect("parley-tournament-workers")
		if err != nil {
			return nil, stop, err
		}
		stops = append(stops, func() { wnc.Close() })
		wjs, err := cluster.NewJetStream(wnc)
		if err != nil {
			return nil, stop, err
		}
		w := &cluster.Worker{JS: wjs, Key: key, Concurrency: workers, External: externalAgents(""), Logf: logf}
		wg.Add(1)
		go func() { defer wg.Done(); _ = w.Run(wctx) }()
	}
	return &cluster.Coordinator{JS: js, Batch: cluster.BatchID(jobs), Key: key, Logf: logf}, stop, nil
}

// reachableURL is a node's client URL as workers elsewhere reach it: an
// unspecified host (0.0.0.0, ::) is replaced by this machine's name.
func reachableURL(u string) string {
	for _, unspecified := range []string{"nats://0.0.0.0:", "nats://[::]:"} {
		if strings.HasPrefix(u, unspecified) {
			if host, err := os.Hostname(); err == nil && host != "" {
				return "nats://" + host + ":" + strings.TrimPrefix(u, unspecified)
			}
		}
	}
	return u
}

// tokenEnv names the environment variable holding the secret shared by a
// coordinator and its workers: the NATS token that the embedded server and
// parley broker require of clients, and the root of the key that signs
// jobs and results (not a flag: command lines are public).
const tokenEnv = "PARLEY_NATS_TOKEN"

func natsToken() string { return os.Getenv(tokenEnv) }

// waitClosed waits (up to 5 s) for a draining connection to close, so
// that its last acknowledgements reach the server.
func waitClosed(nc *nats.Conn) {
	for range 500 {
		if nc.IsClosed() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	nc.Close()
}

type workerFlags struct {
	nats          string
	workers       int
	maxDeliveries int
	quiet         bool
	progress      *progressFlag
	// statsEvery is the deprecated --stats (now --progress=INTERVAL).
	statsEvery time.Duration
}

func newWorker(e *env) *cobra.Command {
	fl := workerFlags{progress: newProgressFlag(10 * time.Second)}
	c := &cobra.Command{
		Use:   "worker --nats URL",
		Short: "Run tournament negotiations for a coordinator over NATS",
		Long: `Take negotiations from the tournament queue on a NATS system, run them and
send back their results, until stopped (Ctrl-C, SIGTERM). Any number of
workers on any number of machines may serve one coordinator (parley
tournament or parley multideal tournament, with --listen ADDR or --nats
URL); they need none of its files: the scenarios come through NATS.
Multi-deal sessions come in their own lane of the same queue.

A worker acknowledges a negotiation only once its result is stored in
JetStream, and sends progress while it runs; a worker that dies leaves its
negotiations to be given to another after the queue's ack wait. A stopped
worker gives its running negotiations back at once. A negotiation handed
out more than --max-deliveries times is recorded as an error instead of run
again. It logs on stderr, with a line of counts every 10 seconds
(--progress=INTERVAL); with -q only warnings and errors.

PARLEY_NATS_TOKEN (required) is the secret the coordinator prints, or
the one it was given: the worker sends it to the NATS server, runs only
jobs signed with it (a job without a valid signature, or that is not a
valid job, is logged and dropped, never run: the worker calls no agent
URL but those of the coordinator's config) and signs its results with it.

See docs/tournaments.md (Scale-out).`,
		Example: `  PARLEY_NATS_TOKEN=... parley worker --nats nats://10.0.0.5:4222
  PARLEY_NATS_TOKEN=... parley worker \
      --nats nats://a:4222,nats://b:4222,nats://c:4222 --workers 8`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("stats") {
				if err := fl.progress.Set(fl.statsEvery.String()); err != nil {
					return usagef("--stats %v: %v", fl.statsEvery, err)
				}
			}
			return runWorker(cmd.Context(), e, &fl)
		},
	}
	f := c.Flags()
	f.StringVar(&fl.nats, "nats", "", "NATS server addresses, comma-separated (required)")
	f.IntVar(&fl.workers, "workers", 0, "negotiations run at once (default: GOMAXPROCS)")
	f.IntVar(&fl.maxDeliveries, "max-deliveries", cluster.DefaultMaxDeliveries, "record a negotiation as an error after this many deliveries")
	fl.progress.register(c, "a line of counts")
	f.BoolVarP(&fl.quiet, "quiet", "q", false, "log only warnings and errors: no start, stop or count lines")
	f.DurationVar(&fl.statsEvery, "stats", 10*time.Second, "write a line of counts this often (deprecated: --progress=INTERVAL)")
	_ = f.MarkDeprecated("stats", "use --progress=INTERVAL")
	return c
}

func runWorker(ctx context.Context, e *env, fl *workerFlags) error {
	if fl.nats == "" {
		return usagef("--nats: give the NATS server addresses (e.g. nats://127.0.0.1:4222)")
	}
	if fl.workers < 0 || fl.maxDeliveries < 1 {
		return usagef("--workers wants 0 (all cores) or more, --max-deliveries 1 or more")
	}
	secret := natsToken()
	if secret == "" {
		return usagef("set %s to the secret of the coordinator (parley tournament --listen prints it): it authenticates this worker to NATS and the jobs to this worker", tokenEnv)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	conc := fl.workers
	if conc == 0 {
		conc = runtime.GOMAXPROCS(0)
	}
	host, _ := os.Hostname()
	name := fmt.Sprintf("parley-worker %s/%d", host, os.Getpid())
	nc, err := cluster.Connect(fl.nats, name, secret)
	if err != nil {
		return err
	}
	defer waitClosed(nc)
	defer func() { _ = nc.Drain() }()
	js, err := cluster.NewJetStream(nc)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if fl.quiet {
		level = slog.LevelWarn
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	w := &cluster.Worker{JS: js, Key: cluster.DeriveKey(secret), Concurrency: conc, External: externalAgents(""), MaxDeliveries: fl.maxDeliveries,
		Logf: func(format string, args ...any) { log.Warn(fmt.Sprintf(format, args...)) }}
	log.Info("worker started", "nats", fl.nats, "concurrency", conc)
	if every := fl.progress.every; fl.progress.on && !fl.quiet {
		go func() {
			t := time.NewTicker(every)
			defer t.Stop()
			var last int64
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					s := w.Stats()
					log.Info("worker", "results", s.Done, "per_s", fmt.Sprintf("%.1f", float64(s.Done-last)/every.Seconds()), "given_up", s.GaveUp, "failed", s.Failed, "refused", s.Refused)
					last = s.Done
				}
			}
		}()
	}
	err = w.Run(ctx)
	s := w.Stats()
	log.Info("worker stopped", "results", s.Done, "given_up", s.GaveUp, "failed", s.Failed, "refused", s.Refused)
	return err
}

type brokerFlags struct {
	name, listen, store               string
	clusterName, clusterListen, route string
}

func newBroker(e *env) *cobra.Command {
	var fl brokerFlags
	c := &cobra.Command{
		Use:   "broker --store DIR",
		Short: "Run a NATS JetStream server (embedded) for tournament workers",
		Long: `Run a NATS server with JetStream, the same one parley tournament --listen
embeds, as a process of its own: nothing to install. Three brokers with
--cluster make a cluster whose queue (with parley tournament --replicas 3)
survives the loss of any one of them.

The broker serves until stopped (Ctrl-C, SIGTERM); JetStream's files stay
in --store and a broker restarted on them carries on. With PARLEY_NATS_TOKEN
set, clients must send that token (workers and coordinators with the same
variable set do), and the members of a cluster (all with the same token)
demand a password derived from it of each other's routes. Without it the
broker listens on loopback addresses only: listening on 0.0.0.0 or another
address (--listen or --cluster-listen) without a token is refused. The
token travels in clear: on an untrusted network, use a NATS system with
TLS.`,
		Example: `  export PARLEY_NATS_TOKEN=$(openssl rand -base64 32)
  parley broker --store /var/lib/parley/nats --listen 0.0.0.0:4222

  # a 3-node cluster on one machine
  routes=127.0.0.1:6222,127.0.0.1:6223,127.0.0.1:6224
  parley broker --name n1 --store n1 --listen 127.0.0.1:4222 \
      --cluster parley --cluster-listen 127.0.0.1:6222 --routes $routes
  parley broker --name n2 --store n2 --listen 127.0.0.1:4223 \
      --cluster parley --cluster-listen 127.0.0.1:6223 --routes $routes
  parley broker --name n3 --store n3 --listen 127.0.0.1:4224 \
      --cluster parley --cluster-listen 127.0.0.1:6224 --routes $routes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBroker(cmd.Context(), e, &fl)
		},
	}
	f := c.Flags()
	f.StringVar(&fl.name, "name", "", "server name (unique in a cluster; required with --cluster)")
	f.StringVar(&fl.listen, "listen", "127.0.0.1:4222", "address for clients (host:port)")
	f.StringVar(&fl.store, "store", "", "folder for JetStream's files (required)")
	f.StringVar(&fl.clusterName, "cluster", "", "cluster name (with --cluster-listen and --routes)")
	f.StringVar(&fl.clusterListen, "cluster-listen", "", "address for the other cluster members (host:port)")
	f.StringVar(&fl.route, "routes", "", "the members' cluster addresses, comma-separated")
	return c
}

func runBroker(ctx context.Context, e *env, fl *brokerFlags) error {
	if fl.store == "" {
		return usagef("--store: give a folder for JetStream's files")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	var routes []string
	for _, r := range strings.Split(fl.route, ",") {
		if r = strings.TrimSpace(r); r != "" {
			routes = append(routes, r)
		}
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	node, err := cluster.StartNode(cluster.NodeConfig{Name: fl.name, Listen: fl.listen, StoreDir: fl.store,
		Cluster: fl.clusterName, ClusterListen: fl.clusterListen, Routes: routes, Token: natsToken(),
		Logf: func(format string, args ...any) { log.Info(fmt.Sprintf(format, args...)) }})
	if err != nil {
		return usageError{err}
	}
	fmt.Fprintf(e.stdout, "parley broker %s ready on %s\n", fl.name, node.ClientURL())
	<-ctx.Done()
	node.Shutdown()
	return nil
}
