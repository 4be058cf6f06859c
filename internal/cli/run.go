package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/extagent"
	"github.com/parley-negotiation/parley/plot"
	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

type runFlags struct {
	profiles  string
	protocol  string
	agents    []string
	parties   string
	rounds    int
	duration  time.Duration
	seed      uint64
	log       string
	json      bool
	quiet     bool
	svg, png  string
	plotPair  string
	scoring   string
	format    string
	mediator  string
	strategy  string
	access    string
	tolerance float64
}

func newRun(e *env) *cobra.Command {
	var fl runFlags
	c := &cobra.Command{
		Use:   "run [SCENARIO]",
		Short: "Run a negotiation session between automated agents and write its event log",
		Long: `Run a session of a scenario under a protocol with an automated agent per party.
The rounds are printed as they happen; the outcome reports the agreement,
each party's utility, the distance to the Pareto frontier and to the Nash
point, and whether every veto holder agreed. The event log (JSON lines,
hash-chained) is written with --log and can be checked with parley replay.

Agents (SAO): ` + agent.Negotiators + `. GENIUS's time-dependent
agents ignore the reservation value; add ":floor" (e.g. boulware:floor) for
agents that never go below it. An agent given as a URL (http:// or https://)
is an external agent in any language, speaking parley-agent/1
(docs/agent-protocol.md; examples/python has one).`,
		Example: `  parley run ../shared/data/genius/domains/Party --profiles party1_utility.xml,party2_utility.xml,party3_utility.xml \
      --agent party1_utility=boulware --agent party2_utility=conceder --agent party3_utility=conceder --rounds 30
  parley run tiny-2p --agent north=boulware --agent south=linear --rounds 20 --log run.jsonl --svg dance.svg
  parley run tiny-2p --agent north=boulware --agent south=http://127.0.0.1:8090 --rounds 20`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			arg := ""
			if len(args) == 1 {
				arg = args[0]
			}
			return runSession(e, arg, &fl)
		},
	}
	f := c.Flags()
	f.StringVar(&fl.profiles, "profiles", "", "GENIUS folder: profile files, in party order")
	f.StringVar(&fl.protocol, "protocol", session.SAO, "protocol: "+strings.Join(session.Protocols(), ", "))
	f.StringArrayVar(&fl.agents, "agent", nil, "PARTY=AGENT, repeatable (default: boulware for every party)")
	f.StringVar(&fl.parties, "parties", "", "negotiating parties in turn order (default: every principal)")
	f.IntVar(&fl.rounds, "rounds", 100, "deadline in rounds (0: none)")
	f.DurationVar(&fl.duration, "duration", 0, "deadline in wall time, e.g. 30s (0: none)")
	f.Uint64Var(&fl.seed, "seed", 1, "seed for randomised agents")
	f.StringVar(&fl.log, "log", "", "write the event log (JSON lines) to this file")
	f.BoolVar(&fl.json, "json", false, "print the outcome as JSON (no round-by-round lines)")
	f.BoolVarP(&fl.quiet, "quiet", "q", false, "do not print the rounds")
	f.StringVar(&fl.svg, "svg", "", "write the negotiation-dance plot to this SVG file")
	f.StringVar(&fl.png, "png", "", "write the negotiation-dance plot to this PNG file")
	f.StringVar(&fl.plotPair, "plot-parties", "", "the two parties on the plot's axes (default: the first two)")
	f.StringVar(&fl.scoring, "scoring", session.ScoreReservation, "no-agreement utility: reservation, or zero (GENIUS/ANAC)")
	f.StringVar(&fl.format, "format", "", "meeting format (default: the scenario's)")
	f.StringVar(&fl.mediator, "mediator", "", "the mediator's party id (mediated protocols; default: the scenario's mediator)")
	f.StringVar(&fl.strategy, "mediator-strategy", "hill", "mediator for single-text/vote/blind: hill (hill-climbing), nash or egalitarian (drafts inside the zone; needs --mediator-access profiles)")
	f.StringVar(&fl.access, "mediator-access", session.AccessNone, "what the mediator may see of the profiles: none or profiles")
	f.Float64Var(&fl.tolerance, "tolerance", 0.1, "automated parties accept a drafted option within this fraction of the point's span from their best")
	return c
}

// Outcome is what parley run reports.
type Outcome struct {
	Scenario  string             `json:"scenario"`
	Protocol  string             `json:"protocol"`
	Status    string             `json:"status"`
	Reason    string             `json:"reason,omitempty"`
	Rounds    int                `json:"rounds"`
	Events    int                `json:"events"`
	Agreement map[string]string  `json:"agreement,omitempty"`
	Agents    map[string]string  `json:"agents"`
	Utilities map[string]float64 `json:"utilities"`
	// DistancePareto and DistanceNash are GENIUS's measures for the
	// negotiating parties (utility space, Euclidean).
	DistancePareto float64 `json:"distance_pareto"`
	DistanceNash   float64 `json:"distance_nash"`
	Welfare        float64 `json:"welfare"`
	// VetoHolders maps each veto holder to whether it agreed.
	VetoHolders map[string]bool `json:"veto_holders,omitempty"`
	Log         string          `json:"log,omitempty"`
}

func runSession(e *env, arg string, fl *runFlags) error {
	sc, err := loadScenario(arg, splitList(fl.profiles))
	if err != nil {
		return err
	}
	printWarnings(e, sc)
	cfg := session.Config{Protocol: fl.protocol, Parties: splitList(fl.parties), Rounds: fl.rounds,
		Duration: fl.duration, Scoring: fl.scoring, Format: fl.format, Mediator: fl.mediator}
	mediated := fl.protocol != session.SAO && fl.protocol != session.AMOP
	if mediated {
		if cfg.Mediator == "" {
			for _, p := range sc.Parties {
				if p.Role == scenario.Mediator {
					cfg.Mediator = p.ID
					break
				}
			}
		}
		cfg.MediatorAccess = fl.access
	}
	s, err := session.New(sc, cfg, nil)
	if err != nil {
		return usageError{err}
	}
	if mediated {
		return runMediated(e, sc, s, fl)
	}
	agents := map[string]agent.Negotiator{}
	external := map[string]agent.Negotiator{}
	names := map[string]string{}
	for _, spec := range fl.agents {
		id, name, ok := strings.Cut(spec, "=")
		if !ok {
			return usagef("--agent %q: want PARTY=AGENT", spec)
		}
		if sc.Party(id) == nil {
			return usagef("--agent %q: scenario %q has no party %q", spec, sc.Name, id)
		}
		if strings.HasPrefix(name, "http://") || strings.HasPrefix(name, "https://") {
			// An external agent (parley-agent/1, docs/agent-protocol.md).
			a, err := extagent.New("", name, extagent.WithProtocol(cfg.Protocol), extagent.WithDuration(fl.duration))
			if err != nil {
				return fmt.Errorf("--agent %s: %w", spec, err)
			}
			agents[id], names[id] = a, a.Name()
			external[id] = a
			continue
		}
		a, err := agent.ByName(name, fl.seed+uint64(len(agents)))
		if err != nil {
			return usagef("--agent %q: %v", spec, err)
		}
		agents[id], names[id] = a, a.Name()
	}
	for i, id := range s.Config.Parties {
		if _, ok := agents[id]; !ok {
			a, _ := agent.ByName("boulware", fl.seed+uint64(100+i))
			agents[id], names[id] = a, a.Name()
		}
	}
	r, err := session.NewRunner(s, agents)
	if err != nil {
		return usageError{err}
	}
	space, err := analysis.FromScenario(sc, s.Config.Parties...)
	if err != nil {
		return err
	}
	if !fl.json && !fl.quiet {
		r.OnEvent = func(ev *session.Event) { printEvent(e.stdout, sc, space, ev) }
	}
	runErr := r.Run()
	// External agents hear the outcome (POST /end); one that broke the
	// protocol ended the talks, and says why.
	extagent.Finish(s, external)
	for _, id := range s.Config.Parties {
		if a, ok := external[id]; ok {
			if err := extagent.Err(a); err != nil {
				fmt.Fprintf(e.stderr, "parley: external agent for %s: %v\n", id, err)
			}
		}
	}
	if runErr != nil {
		return runErr
	}
	return finishRun(e, sc, s, space, names, fl)
}

func finishRun(e *env, sc *scenario.Scenario, s *session.Session, space *analysis.Space, names map[string]string, fl *runFlags) error {
	out, err := outcome(sc, s, space, names)
	if err != nil {
		return err
	}
	if fl.log != "" {
		if err := writeLogFile(fl.log, s.Events()); err != nil {
			return err
		}
		out.Log = fl.log
	}
	if fl.svg != "" || fl.png != "" {
		if err := writeDance(s, space, fl); err != nil {
			return err
		}
	}
	if fl.json {
		return writeJSON(e.stdout, out)
	}
	printOutcome(e.stdout, s, space, out)
	return nil
}

// runMediated runs single-text, vote and blind sessions with a mediator
// strategy and profile-driven parties.
func runMediated(e *env, sc *scenario.Scenario, s *session.Session, fl *runFlags) error {
	var med session.Mediator
	switch fl.strategy {
	case "hill":
		med = &session.HillClimbingMediator{Seed: fl.seed}
	case analysis.Nash, analysis.Egalitarian:
		med = &session.ZoneMediator{Concept: fl.strategy}
	default:
		return usagef("--mediator-strategy %q: want hill, nash or egalitarian", fl.strategy)
	}
	if len(fl.agents) > 0 {
		return usagef("--agent applies to %s and %s; under %s the parties respond from their profiles (--tolerance)", session.SAO, session.AMOP, s.Config.Protocol)
	}
	parties := map[string]session.Responder{}
	names := map[string]string{s.Config.Mediator: med.Name()}
	for _, id := range s.Config.Parties {
		var r session.Responder = session.ProfileResponder{Tolerance: fl.tolerance}
		if s.Config.Protocol == session.Voting {
			r = session.HillClimber{ProfileResponder: session.ProfileResponder{Tolerance: fl.tolerance}}
		}
		parties[id], names[id] = r, r.Name()
	}
	space, err := analysis.FromScenario(sc, s.Config.Parties...)
	if err != nil {
		return err
	}
	seen := s.Len()
	for i := 0; i < seen && !fl.json && !fl.quiet; i++ {
		printEvent(e.stdout, sc, space, &s.Events()[i])
	}
	runErr := session.RunMediated(s, med, parties)
	if !fl.json && !fl.quiet {
		evs := s.Events()
		for i := seen; i < len(evs); i++ {
			printEvent(e.stdout, sc, space, &evs[i])
		}
	}
	if runErr != nil {
		if errors.Is(runErr, session.ErrNoAccess) {
			return usageError{runErr}
		}
		return runErr
	}
	return finishRun(e, sc, s, space, names, fl)
}

func writeLogFile(path string, events []session.Event) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := session.WriteLog(f, events); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func printEvent(w io.Writer, sc *scenario.Scenario, space *analysis.Space, ev *session.Event) {
	switch {
	case ev.Move != nil && ev.Move.Package != nil:
		fmt.Fprintf(w, "round %3d  %-12s %-8s %s\n", ev.Round, ev.Party, ev.Kind, fmtU(space.Names, space.Utilities(ev.Move.Package)))
	case ev.Move != nil:
		fmt.Fprintf(w, "round %3d  %-12s %s\n", ev.Round, ev.Party, ev.Kind)
	case ev.Kind == "start":
		fmt.Fprintf(w, "session of %s under %s, parties %s\n", sc.Name, ev.Note.Config.Protocol, strings.Join(ev.Note.Config.Parties, ", "))
	default:
		msg := ev.Kind
		if ev.Note != nil && ev.Note.Reason != "" {
			msg += ": " + ev.Note.Reason
		}
		fmt.Fprintf(w, "round %3d  %s\n", ev.Round, msg)
	}
}

func outcome(sc *scenario.Scenario, s *session.Session, space *analysis.Space, names map[string]string) (*Outcome, error) {
	o := &Outcome{Scenario: sc.Name, Protocol: s.Config.Protocol, Status: s.State.Status, Reason: s.State.Reason,
		Rounds: s.State.Round, Events: s.Len(), Agents: names, Utilities: map[string]float64{}}
	var u []float64
	if s.State.Agreement != nil {
		o.Agreement = sc.Framework.IDs(s.State.Agreement)
		u = space.Utilities(s.State.Agreement)
	} else {
		u = make([]float64, space.N())
		if s.Config.Scoring == session.ScoreReservation {
			copy(u, space.Reservation)
		}
	}
	for i, id := range space.Names {
		o.Utilities[id] = u[i]
	}
	fr, err := analysis.FrontierAdditive(space, analysis.FrontierOptions{})
	if err != nil {
		return nil, err
	}
	o.DistancePareto = analysis.DistanceToFrontier(u, fr)
	// The textbook Nash point (individually rational); GENIUS's variant
	// only where no package is individually rational. They coincide when
	// reservation values are 0, as in GENIUS's own runs.
	nash, ok := analysis.NashPoint(fr, space.Reservation)
	if !ok {
		nash, ok = analysis.NashPointGENIUS(fr, space.Reservation)
	}
	if ok {
		o.DistanceNash = analysis.Distance(u, nash.Point.U)
	}
	o.Welfare = analysis.Welfare(u)
	if len(sc.Decision.Vetoes) > 0 {
		o.VetoHolders = map[string]bool{}
		for _, v := range sc.Decision.Vetoes {
			o.VetoHolders[v] = s.State.Agreement != nil
		}
	}
	return o, nil
}

func printOutcome(w io.Writer, s *session.Session, space *analysis.Space, o *Outcome) {
	fmt.Fprintf(w, "\nOutcome: %s", o.Status)
	if o.Reason != "" {
		fmt.Fprintf(w, " (%s)", o.Reason)
	}
	fmt.Fprintf(w, " after %d rounds, %d events\n", o.Rounds, o.Events)
	if s.State.Agreement != nil {
		fmt.Fprintln(w, "Agreement:")
		for _, line := range analysis.Describe(s.Scenario.Framework, s.State.Agreement) {
			fmt.Fprintf(w, "  %s\n", line)
		}
	}
	u := make([]float64, len(space.Names))
	for i, id := range space.Names {
		u[i] = o.Utilities[id]
	}
	fmt.Fprintf(w, "Utilities: %s\n", fmtU(space.Names, u))
	fmt.Fprintf(w, "Distance to Pareto %.5f, to Nash %.5f, welfare %.5f\n", o.DistancePareto, o.DistanceNash, o.Welfare)
	for v, ok := range o.VetoHolders {
		fmt.Fprintf(w, "Veto holder %s agreed: %v\n", v, ok)
	}
	if o.Log != "" {
		fmt.Fprintf(w, "Log: %s (check it with: parley replay %s)\n", o.Log, o.Log)
	}
}

// writeDance plots each party's packages in the utility space of two parties.
func writeDance(s *session.Session, space *analysis.Space, fl *runFlags) error {
	ids, _, err := plotAxes(space, fl.plotPair)
	if err != nil {
		return err
	}
	u, err := room.Dance(s.Scenario, s.Events(), ids[0], ids[1])
	if err != nil {
		return err
	}
	u.Title = fmt.Sprintf("%s: negotiation dance (%s)", s.Scenario.Name, s.Config.Protocol)
	for _, path := range []string{fl.svg, fl.png} {
		if path != "" {
			if err := plot.WriteFile(path, u); err != nil {
				return fmt.Errorf("plot: %w", err)
			}
		}
	}
	return nil
}

func newReplay(e *env) *cobra.Command {
	var profiles string
	var jsonOut bool
	c := &cobra.Command{
		Use:   "replay LOG [SCENARIO]",
		Short: "Verify an event log (hash chain) and rebuild the session from it",
		Long: `Replay checks a session's event log: every event's hash and link, then
re-runs every move through the engine and checks it yields exactly the
recorded events. A tampered log is reported with the first bad event.
SCENARIO defaults to the built-in scenario named in the log.`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, events, err := loadLog(args, profiles)
			if err != nil {
				return err
			}
			s, err := session.Replay(sc, events)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if jsonOut {
				return writeJSON(e.stdout, map[string]any{"log": args[0], "events": len(events), "verified": true, "state": s.State})
			}
			fmt.Fprintf(e.stdout, "%s: %d events verified; replay equals the recorded session\nstatus: %s", args[0], len(events), s.State.Status)
			if s.State.Reason != "" {
				fmt.Fprintf(e.stdout, " (%s)", s.State.Reason)
			}
			fmt.Fprintln(e.stdout)
			if s.State.Agreement != nil {
				for _, line := range analysis.Describe(sc.Framework, s.State.Agreement) {
					fmt.Fprintf(e.stdout, "  %s\n", line)
				}
			}
			return nil
		},
	}
	c.Flags().StringVar(&profiles, "profiles", "", "GENIUS folder: profile files, in the order used by the run")
	c.Flags().BoolVar(&jsonOut, "json", false, "print the result as JSON")
	return c
}
