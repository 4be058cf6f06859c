package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"runtime"
	"sort"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/parley-negotiation/parley/cluster"
	"github.com/parley-negotiation/parley/multideal"
)

// newMultidealTournament is parley multideal tournament: ANL 2025
// tournaments over multi-deal scenarios.
func newMultidealTournament(e *env) *cobra.Command {
	var (
		jsonOut, sessions, quiet, double bool
		agents, scenarios                []string
		steps, reps, workers             int
		seed                             int64
		cmult, emult                     float64
		progress                         = newProgressFlag(time.Second)
		dist                             tournamentFlags // --nats, --listen, --replicas, --ack-wait
		anl                              anlFlags
	)
	c := &cobra.Command{
		Use:   "tournament [CONFIG.yml]",
		Short: "Run an ANL 2025 tournament: every agent as center and as edge",
		Long: `Tournament runs anl2025's tournament over multi-deal scenarios: for each
repetition and scenario the agents are shuffled, and each agent in turn plays
the center while the others (padded with random picks when there are too few)
play the edges, in shuffled order. Sessions run on every core; each has its
own seed derived from --seed and its index, so the results do not depend on
the number of workers.

Scores are anl2025's: a session gives its center agent the center's utility
times the center multiplier (default: the number of edges) and each scored
edge its utility times the edge multiplier (default 1); with fewer agents
than edges+1 only the first agents-1 edges of a session are scored. The
table lists per agent its center score, edge score and total (sums over the
sessions), the counts and the weighted average (the mean of its average as
center and as edge).

CONFIG.yml (optional) holds agents, scenarios (Parley multi-deal files or
anl2025 folders, relative to the file), steps, repetitions, seed,
center_multiplier, edge_multiplier, allow_double_scores and workers; flags
given on the command line override it.

Scale-out, as for parley tournament: with --listen ADDR the sessions go
through a NATS JetStream work queue on an embedded server that workers on
other machines join with parley worker --nats nats://ADDR; with --nats URL
through an existing NATS system (such as parley broker). The scenarios are
sent to the workers once (they need none of these files); --workers then
counts the workers in this process (0: none, only remote ones). The result
is the local run's, session for session and score for score, whatever the
number of workers and whichever ran what; a worker killed mid-batch loses
nothing (its sessions go to another after --ack-wait). PARLEY_NATS_TOKEN
is the secret shared with the workers (the NATS token and the key that
signs jobs and results); with --listen and none set, a new one is made and
printed with the command the workers run. See docs/multideal.md.`,
		Example: `  parley multideal tournament --scenario dinners.yml \
      --scenario path/to/anl2025/JobHunt \
      --agents boulware2025,linear2025,conceder2025 --steps 20 --seed 5
  parley multideal tournament league.yml --json
  parley multideal tournament league.yml --listen 0.0.0.0:4222 --workers 0`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg := &multideal.TournamentConfig{Agents: multideal.AgentNames[:3], Steps: 100, Repetitions: 1}
			if len(args) == 1 {
				var err error
				if cfg, err = multideal.LoadTournamentConfig(args[0]); err != nil {
					if errors.Is(err, fs.ErrNotExist) {
						return usageError{err}
					}
					return err
				}
				if cfg.Steps == 0 {
					cfg.Steps = 100
				}
				if cfg.Repetitions == 0 {
					cfg.Repetitions = 1
				}
				if len(cfg.Agents) == 0 {
					cfg.Agents = multideal.AgentNames[:3]
				}
			}
			f := cmd.Flags()
			if f.Changed("agents") {
				cfg.Agents = agents
			}
			if f.Changed("scenario") {
				cfg.Scenarios = scenarios
			}
			if f.Changed("steps") {
				cfg.Steps = steps
			}
			if f.Changed("repetitions") {
				cfg.Repetitions = reps
			}
			if f.Changed("seed") {
				cfg.Seed = seed
			}
			if f.Changed("workers") {
				cfg.Workers = workers
			}
			if f.Changed("center-multiplier") {
				cfg.CenterMultiplier = &cmult
			}
			if f.Changed("edge-multiplier") {
				cfg.EdgeMultiplier = &emult
			}
			if f.Changed("allow-double-scores") {
				cfg.AllowDoubleScores = double
			}
			if len(cfg.Scenarios) == 0 {
				return usagef("give scenarios with --scenario or in a configuration file")
			}
			t := &multideal.Tournament{
				Agents: cfg.Agents, Steps: cfg.Steps, Repetitions: cfg.Repetitions, Seed: cfg.Seed,
				CenterMultiplier: cfg.CenterMultiplier, EdgeMultiplier: cfg.EdgeMultiplier,
				AllowDoubleScores: cfg.AllowDoubleScores, Workers: cfg.Workers,
			}
			for _, p := range cfg.Scenarios {
				s, err := anl.load(cmd, p)
				if err != nil {
					return err
				}
				t.Scenarios = append(t.Scenarios, s)
			}
			if _, err := t.Plan(); err != nil {
				return usageError{err}
			}
			remote := dist.nats != "" || dist.listen != ""
			if remote {
				if dist.nats != "" && dist.listen != "" {
					return usagef("--nats and --listen: give one (an existing NATS system, or an embedded server)")
				}
				if dist.replicas < 1 || dist.replicas > 5 {
					return usagef("--replicas %d: want 1 to 5", dist.replicas)
				}
				if cfg.Workers < 0 {
					return usagef("--workers %d: want 0 (all cores) or more", cfg.Workers)
				}
			}
			start := time.Now()
			if progress.on && !quiet {
				last := time.Now()
				t.Progress = func(done, total int) {
					if done == total || time.Since(last) >= progress.every {
						last = time.Now()
						fmt.Fprintf(e.stderr, "tournament: %d/%d sessions (%s)\n", done, total, time.Since(start).Round(time.Millisecond))
					}
				}
			}
			var r *multideal.TournamentResult
			var err error
			if remote {
				dist.quiet = quiet
				r, err = runMultidealRemote(cmd.Context(), e, t, &dist, f.Changed("workers"))
			} else {
				r, err = t.Run()
			}
			if err != nil {
				return err
			}
			scores := append([]multideal.AgentScore(nil), r.Scores...)
			sort.SliceStable(scores, func(i, j int) bool { return scores[i].Total > scores[j].Total })
			if jsonOut {
				out := struct {
					Agents      []string                      `json:"agents"`
					Scenarios   []string                      `json:"scenarios"`
					Steps       int                           `json:"steps"`
					Repetitions int                           `json:"repetitions"`
					Seed        int64                         `json:"seed"`
					Scores      []multideal.AgentScore        `json:"scores"`
					Sessions    []multideal.TournamentSession `json:"sessions,omitempty"`
				}{Agents: t.Agents, Steps: t.Steps, Repetitions: t.Repetitions, Seed: t.Seed, Scores: scores}
				for _, s := range t.Scenarios {
					out.Scenarios = append(out.Scenarios, s.Name)
				}
				if sessions {
					out.Sessions = r.Sessions
				}
				return writeJSON(e.stdout, out)
			}
			w := e.stdout
			if sessions {
				for _, s := range r.Sessions {
					fmt.Fprintf(w, "%4d  %-16s rep %d rot %d  center %-13s %.6g  edges", s.Index, s.Scenario, s.Repetition, s.Rotation, s.Center, s.CenterUtility)
					for k, a := range s.Edges {
						fmt.Fprintf(w, " %s %.6g", a, s.EdgeUtilities[k])
					}
					fmt.Fprintln(w)
				}
			}
			fmt.Fprintf(w, "%d sessions: %d scenarios, %d agents, %d repetitions, %d steps, seed %d\n",
				len(r.Sessions), len(t.Scenarios), len(t.Agents), t.Repetitions, t.Steps, t.Seed)
			fmt.Fprintf(w, "%-14s %12s %12s %12s %7s %7s %12s\n", "agent", "center", "edge", "total", "centers", "edges", "weighted")
			for _, a := range scores {
				fmt.Fprintf(w, "%-14s %12.6g %12.6g %12.6g %7d %7d %12.6g\n", a.Agent, a.Center, a.Edge, a.Total, a.CenterCount, a.EdgeCount, a.WeightedAverage)
			}
			return nil
		},
	}
	fl := c.Flags()
	anl.add(c)
	fl.BoolVar(&jsonOut, "json", false, "print the scores (and with --sessions the sessions) as JSON")
	fl.BoolVar(&sessions, "sessions", false, "also list every session's assignment and utilities")
	fl.BoolVarP(&quiet, "quiet", "q", false, "no progress lines on stderr")
	fl.StringSliceVar(&agents, "agents", multideal.AgentNames[:3], "the competing built-in agents")
	fl.StringArrayVar(&scenarios, "scenario", nil, "a multi-deal file or anl2025 folder (repeatable)")
	fl.IntVar(&steps, "steps", 100, "NegMAS steps per thread")
	fl.IntVar(&reps, "repetitions", 1, "repetitions of the rotations over the scenarios")
	fl.Int64Var(&seed, "seed", 0, "seed of the assignment and (with the session index) of each session")
	fl.IntVar(&workers, "workers", 0, "sessions run at once (0: every core)")
	fl.Float64Var(&cmult, "center-multiplier", 0, "scale of center utilities (default: the number of edges)")
	fl.Float64Var(&emult, "edge-multiplier", 1, "scale of edge utilities")
	fl.BoolVar(&double, "allow-double-scores", false, "score every edge, also the random fill-ins (anl2025's no_double_scores=false)")
	progress.register(c, "progress lines")
	fl.StringVar(&dist.nats, "nats", "", "run the sessions on workers through this NATS system (addresses, comma-separated)")
	fl.StringVar(&dist.listen, "listen", "", "run the sessions on workers through an embedded NATS server listening here (host:port)")
	fl.IntVar(&dist.replicas, "replicas", 1, "with --nats: copies of the queue's streams (3 on a 3-node cluster)")
	fl.DurationVar(&dist.ackWait, "ack-wait", 0, "with --nats/--listen: how long a worker may be silent before its sessions go to another (default 30s)")
	return c
}

// runMultidealRemote runs t's sessions on workers over NATS (package
// cluster, as parley tournament --nats/--listen does): t.Workers of them in
// this process (0: every core, unless --workers 0 was given: none).
func runMultidealRemote(ctx context.Context, e *env, t *multideal.Tournament, fl *tournamentFlags, workersGiven bool) (*multideal.TournamentResult, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	_, jobs, _, err := t.SessionJobs()
	if err != nil {
		return nil, usageError{err}
	}
	workers := t.Workers
	if workers == 0 && !workersGiven {
		workers = runtime.GOMAXPROCS(0)
	}
	// The embedded server's files (--listen) live as long as the run.
	store, err := os.MkdirTemp("", "parley-multideal-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(store)
	d, stopDist, err := distributed(ctx, e, fl, store, nil, workers)
	if err != nil {
		return nil, err
	}
	defer stopDist()
	coord, ok := d.(*cluster.Coordinator)
	if !ok {
		return nil, fmt.Errorf("multideal tournament: the NATS dispatcher is a %T, not a cluster coordinator", d)
	}
	coord.Batch = cluster.MultidealBatchID(jobs)
	start := time.Now()
	r, err := t.RunRemote(ctx, coord)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, fmt.Errorf("interrupted: %w", err)
		}
		return nil, err
	}
	if !fl.quiet {
		el := time.Since(start)
		fmt.Fprintf(e.stderr, "tournament: %d sessions in %s on %s here and the workers over NATS (%.0f/s)\n",
			len(r.Sessions), el.Round(time.Millisecond), plural(workers, "worker"), float64(len(r.Sessions))/el.Seconds())
	}
	return r, nil
}
