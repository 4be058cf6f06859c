package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/parley-negotiation/parley/tournament"
)

type tournamentFlags struct {
	out      string
	workers  int
	json     bool
	progress bool
	quiet    bool
	seed     uint64
	// Scale-out over NATS JetStream (package cluster).
	nats, listen string
	replicas     int
	ackWait      time.Duration
	workersGiven bool
}

const tournamentExample = `  parley tournament examples/tournaments/builtins.yaml -o results/builtins
  parley tournament examples/tournaments/genius-linear.yaml --workers 2 --seed 7

A config (YAML; paths are relative to the config file):

  name: time-based agents on tiny-2p
  agents:
    - boulware                     # a built-in strategy, named after it
    - conceder
    - hard-headed
    - name: patient                # a built-in strategy with parameters
      strategy: timedep
      params: {e: 0.5, floor: true}
    # - name: mine                 # an external agent, in any language: any
    #   url: http://127.0.0.1:8080/agent  # URL that speaks parley-agent/1 or /2
  scenarios:
    - tiny-2p                      # a built-in scenario
    - file: my-scenario.yaml       # a scenario file
    - genius: ../shared/data/genius/domains/Laptop
      profiles: [laptop_buyer_utility.xml, laptop_seller_utility.xml]
    - genius: ../shared/data/genius/domains/*   # every folder that matches
      exclude: [NonLinear10issues]
      max_parties: 3               # the first 3 linear profiles by file name
  protocol: sao                    # sao or amop
  deadline: {rounds: 1000}         # or {time: 3s}
  scoring: zero                    # no agreement: 0 (ANAC); or reservation
  repetitions: 3
  self_play: false                 # true: an agent may play several roles
  time_budget: 10s                 # longest one call of an agent may take
  seed: 1
  ranking: utility                 # or discounted_utility`

func newTournament(e *env) *cobra.Command {
	var fl tournamentFlags
	c := &cobra.Command{
		Use:   "tournament CONFIG",
		Short: "Run an ANAC-style tournament of agents over scenarios; rank them",
		Long: `Run every negotiation of a tournament: agents × scenarios × role assignments ×
repetitions. A scenario with n negotiating parties gets every ordered
selection of n distinct agents (k agents: k!/(k−n)! assignments), so every
agent plays every profile against every combination of opponents, as ANAC
rotates profiles.

Negotiations run on --workers goroutines (default: all cores). Each result
is appended to OUT/results.jsonl (OUT is the folder -o/--output names) as it
finishes; rerunning the same command skips the negotiations already there,
so an interrupted tournament resumes.
An agent whose call takes longer than the config's time_budget is abandoned:
that negotiation ends without agreement and its result names the agent.

Outputs in OUT: results.jsonl (one negotiation a line), summary.csv (per
agent: mean and 95% Student-t interval of individual utility with and
without discount, social welfare, agreement rate, distance to the Pareto
frontier and to the Nash point, rounds to agreement) and report.html (the
ranking, score distributions, and every scenario's outcomes against its
Pareto frontier). The ranking is printed (--json: the summary as JSON).
Progress goes to stderr: a bar on a terminal (or with --progress), plain
lines otherwise, nothing with -q.

Negotiations that did not run (an external agent that could not be
reached) are recorded with status error, left out of every score and
counted per agent; rerunning the command runs them again. An agent with no
negotiation that ran is listed as unranked.

Scale-out: with --listen ADDR the negotiations go through a NATS JetStream
work queue on an embedded server (nothing to install) that workers on other
machines join with parley worker --nats nats://ADDR; with --nats URL through
an existing NATS system (such as three parley broker processes and
--replicas 3). --workers then counts the workers in this process (0: none,
only remote ones). A worker killed mid-batch loses nothing, and each
negotiation is counted once; rerunning the command resumes as above.
PARLEY_NATS_TOKEN is the secret shared with the workers: the NATS token of
the embedded server and the key that signs jobs and results (workers run
only signed jobs, the coordinator writes only signed results). With
--listen and no PARLEY_NATS_TOKEN a new one is made and printed on stderr
with the command the workers run; with --nats it is required.

See docs/tournaments.md.`,
		Example: tournamentExample,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fl.workersGiven = cmd.Flags().Changed("workers")
			return runTournament(cmd.Context(), e, args[0], cmd.Flags().Changed("seed"), &fl)
		},
	}
	f := c.Flags()
	f.StringVarP(&fl.out, "output", "o", "", "output folder (default: the config's name without extension, + \".out\")")
	f.StringVar(&fl.out, "out", "", "the output folder (deprecated: -o/--output)")
	_ = f.MarkDeprecated("out", "use -o/--output")
	f.IntVar(&fl.workers, "workers", 0, "negotiations run at once (default: GOMAXPROCS)")
	f.BoolVar(&fl.json, "json", false, "print the summary as JSON")
	f.BoolVar(&fl.progress, "progress", false, "draw the progress bar even when stderr is not a terminal")
	f.BoolVarP(&fl.quiet, "quiet", "q", false, "no progress or timing on stderr")
	f.Uint64Var(&fl.seed, "seed", 1, "seed of the tournament (overrides the config's)")
	f.StringVar(&fl.nats, "nats", "", "run the negotiations on workers through this NATS system (addresses, comma-separated)")
	f.StringVar(&fl.listen, "listen", "", "run the negotiations on workers through an embedded NATS server listening here (host:port)")
	f.IntVar(&fl.replicas, "replicas", 1, "with --nats: copies of the queue's streams (3 on a 3-node cluster)")
	f.DurationVar(&fl.ackWait, "ack-wait", 0, "with --nats/--listen: how long a worker may be silent before its negotiations go to another (default 30s)")
	return c
}

func runTournament(ctx context.Context, e *env, path string, seedSet bool, fl *tournamentFlags) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if fl.workers < 0 {
		return usagef("--workers %d: want 0 (all cores) or more", fl.workers)
	}
	if fl.nats != "" && fl.listen != "" {
		return usagef("--nats and --listen: give one (an existing NATS system, or an embedded server)")
	}
	if fl.replicas < 1 || fl.replicas > 5 {
		return usagef("--replicas %d: want 1 to 5", fl.replicas)
	}
	cfg, err := tournament.LoadConfig(path)
	if err != nil {
		// A config that is not there is a usage error; one that is not
		// valid is the thing checked being bad (exit status 1). Several
		// problems: one a line (the error line itself is one line).
		if errors.Is(err, fs.ErrNotExist) {
			return usageError{err}
		}
		var el tournament.ErrorList
		if errors.As(err, &el) && len(el) > 1 {
			for _, p := range el {
				fmt.Fprintln(e.stderr, clean(p.Error()))
			}
			return fmt.Errorf("%s: %d problems in the tournament config", path, len(el))
		}
		return err
	}
	if os.Getenv("GOGC") == "" {
		// Negotiations allocate fast (about 1 KB an offer) over a small
		// live heap, so the default GOGC=100 collects dozens of times a
		// second; doubling the heap goal saves about 10% of the time of a
		// tournament for about twice the memory (docs/tournaments.md).
		defer debug.SetGCPercent(debug.SetGCPercent(200))
	}
	if seedSet {
		cfg.Seed = fl.seed
	}
	jobs := tournament.Jobs(cfg)
	out := fl.out
	if out == "" {
		out = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)) + ".out"
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	// Agents with a url: speak parley-agent/2 or /1 (docs/agent-protocol.md).
	eng := &tournament.Engine{External: externalAgents(cfg.RankBy)}
	workers := fl.workers
	if workers == 0 && !(fl.workersGiven && (fl.nats != "" || fl.listen != "")) {
		workers = runtime.GOMAXPROCS(0)
	}
	r := &tournament.Runner{Engine: eng, Workers: workers, Results: filepath.Join(out, "results.jsonl")}
	if fl.nats != "" || fl.listen != "" {
		d, stop, err := distributed(ctx, e, fl, out, jobs, workers)
		if err != nil {
			return err
		}
		defer stop()
		r.Dispatcher = d
	}
	switch {
	case fl.quiet:
	case fl.progress || isTerminal(e.stderr):
		r.Progress = tournament.ProgressBar(e.stderr)
	default:
		r.Progress = tournament.ProgressLog(e.stderr, 10*time.Second)
	}
	batch, runErr := r.Run(ctx, jobs)
	if batch == nil {
		if errors.Is(runErr, tournament.ErrNoExternal) {
			return usageError{runErr}
		}
		return runErr
	}
	var names []string
	for _, a := range cfg.Agents {
		names = append(names, a.Name)
	}
	name := cfg.Name
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	sum := tournament.Summarize(name, names, batch.Results, cfg.RankBy)
	if err := writeTournamentFiles(out, cfg, eng, sum, batch.Results); err != nil {
		return err
	}
	if !fl.quiet && batch.New > 0 {
		where := plural(workers, "worker")
		if r.Dispatcher != nil {
			where = fmt.Sprintf("%s here and the workers over NATS", where)
		}
		fmt.Fprintf(e.stderr, "tournament: %d negotiations in %s on %s (%.0f/s)\n", batch.New, batch.Elapsed.Round(time.Millisecond), where, float64(batch.New)/batch.Elapsed.Seconds())
	}
	if batch.Truncated > 0 {
		fmt.Fprintf(e.stderr, "tournament: dropped a half-written last line (%d bytes) of %s\n", batch.Truncated, r.Results)
	}
	if batch.Duplicates > 0 && !fl.quiet {
		fmt.Fprintf(e.stderr, "tournament: %d negotiations were run twice (redelivered after a worker fell silent); each counts once\n", batch.Duplicates)
	}
	if batch.Foreign > 0 {
		fmt.Fprintf(e.stderr, "tournament: %s holds %d results of other negotiations (another config or seed); they are left out\n", r.Results, batch.Foreign)
	}
	if runErr != nil {
		if errors.Is(runErr, context.Canceled) {
			return fmt.Errorf("interrupted after %d of %d negotiations; run the same command again to resume", len(batch.Results), len(jobs))
		}
		return runErr
	}
	if fl.json {
		return writeJSON(e.stdout, sum)
	}
	printTournament(e.stdout, cfg, len(jobs), batch, sum, out)
	return nil
}

func writeTournamentFiles(out string, cfg *tournament.Config, eng *tournament.Engine, sum *tournament.Summary, results []tournament.Result) error {
	write := func(name string, fn func(w io.Writer) error) error {
		path := filepath.Join(out, name)
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := fn(f); err != nil {
			f.Close()
			return fmt.Errorf("%s: %w", path, err)
		}
		return f.Close()
	}
	if err := write("summary.csv", func(w io.Writer) error { return tournament.WriteCSV(w, sum) }); err != nil {
		return err
	}
	rep, err := tournament.NewReport(cfg, eng, sum, results)
	if err != nil {
		return err
	}
	return write("report.html", rep.WriteHTML)
}

func printTournament(w io.Writer, cfg *tournament.Config, jobs int, b *tournament.Batch, sum *tournament.Summary, out string) {
	fmt.Fprintf(w, "Tournament %s: %s, %s, %s, %s, %s: %s\n", sum.Name, plural(len(cfg.Agents), "agent"),
		plural(len(cfg.Scenarios), "scenario"), cfg.Protocol, cfg.Deadline(), plural(cfg.Repetitions, "repetition"), plural(jobs, "negotiation"))
	fmt.Fprintf(w, "Run now: %d; already done: %d. Agreements: %d of %d; timeouts: %d; not run: %d\n",
		b.New, b.Skipped, sum.Agreements, sum.Negotiations, sum.Timeouts, sum.Errors)
	if b.Retried > 0 {
		fmt.Fprintf(w, "Run again: %d that did not run before.\n", b.Retried)
	}
	fmt.Fprintf(w, "Outputs: %s\n\n", strings.Join([]string{filepath.Join(out, "results.jsonl"), filepath.Join(out, "summary.csv"), filepath.Join(out, "report.html")}, ", "))
	width := len("agent")
	for _, a := range sum.Agents {
		width = max(width, len(a.Agent))
	}
	ci := func(s tournament.Stat) string { return fmt.Sprintf("%.3f [%.3f, %.3f]", s.Mean, s.Low, s.High) }
	fmt.Fprintf(w, "rank  %-*s  %-22s  %-22s  %7s  %6s  %8s  %7s  %7s\n", width, "agent", "utility (95% CI)", "discounted (95% CI)", "welfare", "agreed", "d.Pareto", "d.Nash", "rounds")
	// A mean, or a dash where there is no observation.
	mean := func(s tournament.Stat, width, prec int) string {
		if s.N == 0 {
			return fmt.Sprintf("%*s", width, "-")
		}
		return fmt.Sprintf("%*.*f", width, prec, s.Mean)
	}
	for i, a := range sum.Agents {
		if a.Unranked {
			fmt.Fprintf(w, "   -  %-*s  unranked: no negotiation ran\n", width, a.Agent)
			continue
		}
		tie := " "
		if sum.TiedWithNeighbour(i) {
			tie = "~"
		}
		fmt.Fprintf(w, "%3d%s  %-*s  %-22s  %-22s  %7s  %6s  %8s  %7s  %7s\n", a.Rank, tie, width, a.Agent,
			ci(a.Utility), ci(a.Discounted), mean(a.Welfare, 7, 3), mean(a.Agreement, 6, 3), mean(a.DistancePareto, 8, 3), mean(a.DistanceNash, 7, 3), mean(a.Rounds, 7, 1))
	}
	fmt.Fprintf(w, "\nRanked by mean %s. ~: the interval overlaps a neighbour's; the ranking does not separate them.\n", strings.ReplaceAll(sum.RankBy, "_", " "))
	for _, a := range sum.Agents {
		if a.Timeouts > 0 || a.Failures > 0 {
			fmt.Fprintf(w, "%s: %d timeouts, %d failures\n", a.Agent, a.Timeouts, a.Failures)
		}
	}
	if sum.Errors > 0 {
		fmt.Fprintf(w, "\nNot run (left out of every score; run the same command again to retry them):\n")
		for _, a := range sum.Agents {
			if a.NotRun > 0 {
				fmt.Fprintf(w, "  %s: %d (%s)\n", a.Agent, a.NotRun, strings.Join(a.Reasons(), "; "))
			}
		}
	}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
