package cli

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/chart"
	"github.com/parley-negotiation/parley/extagent"
	"github.com/parley-negotiation/parley/mediator"
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
	progress  bool
	svg, png  string
	plotPair  string
	roundsSVG string
	roundsPNG string
	scoring   string
	format    string
	mediator  string
	strategy  string
	access    string
	tolerance float64
	keys      keyFlags
	// at is the simulated time of the session ("" now: the wall clock).
	at string
	// agentTimeout and agentInit bound an external agent's calls.
	agentTimeout, agentInit time.Duration
}

func newRun(e *env) *cobra.Command {
	var fl runFlags
	c := &cobra.Command{
		Use:   "run [SCENARIO]",
		Short: "Run a session between automated agents and write its event log",
		Long: `Run a session of a scenario under a protocol with an automated agent per
party. The rounds are printed as they happen (on stderr with --progress; none
with -q or --json); the outcome reports the agreement, who assented and who
was outvoted (or only how many, when the votes were private), each party's
utility, the distance to the Pareto frontier and to the Nash point, and
whether every veto holder agreed. The event log (JSON lines, hash-chained) is
written with --log and can be checked with parley replay.

` + wrap("Agents (SAO): "+agent.Negotiators+`. GENIUS's time-dependent
agents ignore the reservation value; add ":floor" (e.g. boulware:floor) for
agents that never go below it. An agent given as a URL (http:// or https://)
is an external agent in any language, speaking parley-agent (version 1 or 2)
(docs/agent-protocol.md; examples/python has one). An agent that fails
(unreachable, too slow, breaking the protocol) is a fault, not a walk-out:
the log records it, the outcome names it and parley run exits with status 1.`, helpWidth-1, "") + `

The log records the scenario, so parley replay, verify, plan and agreement
need only the log; its last line is a checkpoint signed with your key (see
--key), which parley verify --pub checks. The ratification steps and the
implementation reports can then be recorded on it from the command line
(parley ratify, parley plan file-report, parley plan respond).

Every flag is checked before anything runs: a bad value is an error (exit
status 2) and nothing is written.`,
		Example: `  parley run ../shared/data/genius/domains/Party \
      --profiles party1_utility.xml,party2_utility.xml,party3_utility.xml \
      --agent party1_utility=boulware --agent party2_utility=conceder \
      --agent party3_utility=conceder --rounds 30
  parley run tiny-2p --agent north=boulware --agent south=linear --rounds 20 \
      --log run.jsonl --svg dance.svg
  parley run tiny-2p --agent north=boulware \
      --agent south=http://127.0.0.1:8090 --rounds 20`,
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
	f.BoolVarP(&fl.quiet, "quiet", "q", false, "do not print the rounds, nor warnings")
	f.BoolVar(&fl.progress, "progress", false, "print the rounds on stderr as they happen (with --json or -q too)")
	f.StringVar(&fl.svg, "svg", "", "write the negotiation-dance plot to this SVG file")
	f.StringVar(&fl.png, "png", "", "write the negotiation-dance plot to this PNG file")
	f.StringVar(&fl.plotPair, "plot-parties", "", "the parties on the plot's axes, 2 to 4 (default: every negotiating party, the first 4 of more); with 3 or more, a panel per pair")
	f.StringVar(&fl.roundsSVG, "rounds-svg", "", "write the chart of each party's utility over the rounds to this SVG file")
	f.StringVar(&fl.roundsPNG, "rounds-png", "", "write the chart of each party's utility over the rounds to this PNG file")
	f.StringVar(&fl.scoring, "scoring", session.ScoreReservation, "no-agreement utility: reservation, or zero (GENIUS/ANAC)")
	f.StringVar(&fl.format, "format", "", "meeting format (default: the scenario's)")
	f.StringVar(&fl.mediator, "mediator", "", "the mediator's party id (mediated protocols; default: the scenario's mediator)")
	f.StringVar(&fl.strategy, "mediator-strategy", "hill", "mediator for single-text/vote/feedback: "+mediator.Help()+"; a strategy that needs the profiles needs --mediator-access profiles")
	f.StringVar(&fl.access, "mediator-access", session.AccessNone, "what the mediator may see of the profiles: none or profiles")
	f.Float64Var(&fl.tolerance, "tolerance", 0.1, "automated parties accept a drafted option within this fraction of the point's span from their best (0 to 1)")
	f.StringVar(&fl.at, "at", "", "record the session at this simulated time (a date or RFC 3339 time) instead of the wall clock: every event of the run bears it, so a script's later records (parley ratify --at …) have known dates")
	f.DurationVar(&fl.agentTimeout, "agent-timeout", extagent.DefaultTimeout, "an external agent's time to answer each move")
	f.DurationVar(&fl.agentInit, "agent-init-timeout", extagent.DefaultInitTimeout, "an external agent's time to answer its handshake and /init")
	fl.keys.register(c)
	return c
}

// check validates the flags that need no scenario.
func (fl *runFlags) check() error {
	if math.IsNaN(fl.tolerance) || fl.tolerance < 0 || fl.tolerance > 1 {
		return usagef("--tolerance %g: want a fraction of a point's span, from 0 to 1", fl.tolerance)
	}
	if _, err := mediator.ByName(fl.strategy, fl.seed); errors.Is(err, mediator.ErrUnknown) {
		return usagef("--mediator-strategy %q: want %s", fl.strategy, strings.Join(mediator.Names(), ", "))
	} else if err != nil {
		return usagef("--mediator-strategy %q: %v", fl.strategy, err)
	}
	if _, ok := session.Info(fl.protocol); !ok {
		return usagef("--protocol %q: want %s", fl.protocol, strings.Join(session.Protocols(), ", "))
	}
	if fl.scoring != session.ScoreReservation && fl.scoring != session.ScoreZero {
		return usagef("--scoring %q: want %s or %s", fl.scoring, session.ScoreReservation, session.ScoreZero)
	}
	if fl.format != "" && !slices.Contains(session.Formats, fl.format) {
		return usagef("--format %q: want %s (default: the scenario's)", fl.format, strings.Join(session.Formats, ", "))
	}
	if fl.rounds < 0 {
		return usagef("--rounds %d: want 0 (no round deadline) or more", fl.rounds)
	}
	if fl.duration < 0 {
		return usagef("--duration %v: want 0 (no time limit) or more", fl.duration)
	}
	if fl.at != "" && fl.duration > 0 {
		return usagef("--at (a simulated time) and --duration (a wall-time deadline) exclude each other")
	}
	if fl.agentTimeout <= 0 || fl.agentInit <= 0 {
		return usagef("--agent-timeout and --agent-init-timeout must be positive")
	}
	for _, f := range []struct{ flag, path string }{{"--log", fl.log}, {"--svg", fl.svg}, {"--png", fl.png}, {"--rounds-svg", fl.roundsSVG}, {"--rounds-png", fl.roundsPNG}} {
		if f.path == "" {
			continue
		}
		if st, err := os.Stat(f.path); err == nil && st.IsDir() {
			return usagef("%s %s is a folder", f.flag, f.path)
		}
		if st, err := os.Stat(filepath.Dir(f.path)); err != nil || !st.IsDir() {
			return usagef("%s %s: no folder %s to write it in", f.flag, f.path, filepath.Dir(f.path))
		}
	}
	return nil
}

// tableError is a usage error for a session the scenario and the flags do
// not make (a party that is not there, too few parties, a mediator that is
// not one): it names the flags that chose the table, or the flags to choose
// it with.
func tableError(err error, fl *runFlags) error {
	msg := strings.TrimPrefix(err.Error(), "session: ")
	var given []string
	if fl.parties != "" {
		given = append(given, "--parties "+fl.parties)
	}
	if fl.mediator != "" {
		given = append(given, "--mediator "+fl.mediator)
	}
	if len(given) == 0 {
		return usagef("%s (choose the table with --parties and --mediator)", msg)
	}
	return usagef("%s: %s", strings.Join(given, ", "), msg)
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

	// AgreementLevels is Agreement (labels by point id) as level indices
	// in framework order: the package the agents exchanged, as external
	// agents and NegMAS outcomes index it.
	AgreementLevels []int `json:"agreement_levels,omitempty"`

	// DistancePareto and DistanceNash are GENIUS's measures for the
	// negotiating parties (utility space, Euclidean).
	DistancePareto float64 `json:"distance_pareto"`
	DistanceNash   float64 `json:"distance_nash"`
	Welfare        float64 `json:"welfare"`
	// Decision says who assented to the agreement and who was outvoted,
	// as the engine's agreement record says.
	Decision *Decision `json:"decision,omitempty"`
	// VetoHolders maps each veto holder to whether it assented to the
	// agreement, as the engine's agreement record says.
	VetoHolders map[string]bool `json:"veto_holders,omitempty"`
	// BelowReservation maps each party whose utility of the agreement is
	// under its reservation value to that value: an automated party
	// without a floor accepts such a package (as GENIUS's agents do), and
	// a reader must not take its assent for a good deal.
	BelowReservation map[string]float64 `json:"below_reservation,omitempty"`
	// Fault is the agent failure that ended the session, if any.
	Fault *session.Fault `json:"fault,omitempty"`
	Log   string         `json:"log,omitempty"`
	// SignedBy is the key that signed the log's checkpoint ("" unsigned).
	SignedBy string `json:"signed_by,omitempty"`
}

func runSession(e *env, arg string, fl *runFlags) error {
	if err := fl.check(); err != nil {
		return err
	}
	sc, err := loadScenario(arg, splitList(fl.profiles))
	if err != nil {
		return err
	}
	if !fl.quiet {
		printWarnings(e, sc)
	}
	cfg := session.Config{Protocol: fl.protocol, Parties: splitList(fl.parties), Rounds: fl.rounds,
		Duration: fl.duration, Scoring: fl.scoring, Format: fl.format, Mediator: fl.mediator}
	// Agents (--agent) play the turn-based protocols; under the others a
	// mediator strategy and profile-driven parties play round by round, with
	// the scenario's mediator (optional under blind bidding). An unknown
	// protocol is refused by CheckConfig below.
	info, _ := session.Info(fl.protocol)
	mediated := !info.TurnBased
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
		if cfg.Mediator == "" && info.Mediated {
			return usagef("--protocol %s needs a mediator: scenario %q has no party with role mediator; add one, and name it with --mediator if there are several", fl.protocol, sc.Name)
		}
	} else if fl.access != session.AccessNone {
		return usagef("--mediator-access applies to the mediated protocols, not to %s", fl.protocol)
	}
	if err := session.CheckConfig(sc, cfg); err != nil {
		return tableError(err, fl)
	}
	if mediated && len(fl.agents) > 0 {
		var turnBased []string
		for _, p := range session.ProtocolInfos() {
			if p.TurnBased {
				turnBased = append(turnBased, p.Name)
			}
		}
		return usagef("--agent applies to %s; under %s the parties respond from their profiles (--tolerance)", strings.Join(turnBased, " and "), fl.protocol)
	}
	specs := map[string]string{}
	for _, spec := range fl.agents {
		id, name, ok := strings.Cut(spec, "=")
		if !ok || name == "" {
			return usagef("--agent %q: want PARTY=AGENT", spec)
		}
		if sc.Party(id) == nil {
			return usagef("--agent %q: scenario %q has no party %q", spec, sc.Name, id)
		}
		if _, dup := specs[id]; dup {
			return usagef("--agent %q: party %s has an agent already", spec, id)
		}
		if !strings.HasPrefix(name, "http://") && !strings.HasPrefix(name, "https://") {
			if _, err := agent.ByName(name, 0); err != nil {
				return usagef("--agent %q: %v", spec, err)
			}
		}
		specs[id] = name
	}
	var opts []session.Option
	var priv ed25519.PrivateKey
	if fl.log != "" {
		if priv, err = fl.keys.load(e); err != nil {
			return err
		}
		raw, err := session.EmbedScenario(sc)
		if err != nil {
			fmt.Fprintf(e.stderr, "warning: the log cannot record scenario %s (%v): replay it with the scenario as its second argument\n", clean(sc.Name), err)
		} else {
			opts = append(opts, session.WithScenario(raw))
		}
	}
	var clock session.Clock
	if fl.at != "" {
		at, err := parseTimeFlag("--at", fl.at)
		if err != nil {
			return err
		}
		clock = func() time.Time { return at }
	}
	s, err := session.New(sc, cfg, clock, opts...)
	if err != nil {
		return tableError(err, fl)
	}
	space, err := analysis.FromScenario(sc, s.Config.Parties...)
	if err != nil {
		return err
	}
	// The outcome's distances need the exact Pareto frontier: it is
	// computed (or read from the cache) while the agents prepare and
	// negotiate.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	frontier := analysis.StartFrontier(ctx, space, frontierCache())
	if fl.svg != "" || fl.png != "" {
		if _, err := plotAxes(space, fl.plotPair); err != nil {
			return err
		}
	}
	if mediated {
		return runMediated(e, sc, s, space, frontier, fl, priv)
	}
	agents := map[string]agent.Negotiator{}
	external := map[string]agent.Negotiator{}
	names := map[string]string{}
	for _, spec := range fl.agents {
		id, name, _ := strings.Cut(spec, "=")
		if strings.HasPrefix(name, "http://") || strings.HasPrefix(name, "https://") {
			// An external agent (parley-agent/2 or /1, docs/agent-protocol.md).
			a, err := extagent.New("", name, extagent.WithProtocol(cfg.Protocol), extagent.WithDuration(fl.duration),
				extagent.WithTimeout(fl.agentTimeout), extagent.WithInitTimeout(fl.agentInit),
				extagent.WithScoring(extagent.Scoring{Rule: extagent.ScoreUtility, NoAgreement: s.Config.Scoring,
					Note: "parley run reports each party's own undiscounted utility of the agreement; without agreement, " +
						map[string]string{session.ScoreReservation: "its reservation value", session.ScoreZero: "0"}[s.Config.Scoring]}))
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
	extagent.SetAgents(external, s.Config.Parties, names) // the agents' names are public in parley run
	if w := extagent.NoDeadlineWarning(external, s.Config.Rounds, s.Config.Duration); w != "" && !fl.quiet {
		fmt.Fprintln(e.stderr, "warning: "+w)
	}
	r, err := session.NewRunner(s, agents)
	if err != nil {
		return usageError{err}
	}
	if w := roundsTo(e, fl); w != nil {
		r.OnEvent = func(ev *session.Event) { printEvent(w, sc, space, ev) }
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
	if runErr != nil && !errors.Is(runErr, session.ErrAgentFault) {
		return runErr
	}
	if err := finishRun(e, sc, s, space, frontier, names, fl, priv); err != nil {
		return err
	}
	return runErr // an agent's fault: the log and the outcome say so, and the exit status
}

func finishRun(e *env, sc *scenario.Scenario, s *session.Session, space *analysis.Space, frontier *analysis.PendingFrontier, names map[string]string, fl *runFlags, priv ed25519.PrivateKey) error {
	out, err := outcome(sc, s, space, frontier, names)
	if err != nil {
		return err
	}
	if fl.log != "" {
		events := s.Events()
		cps, err := sign(priv, events, nil, events[len(events)-1].Time)
		if err != nil {
			return err
		}
		if err := writeLogFile(fl.log, events, cps); err != nil {
			return err
		}
		out.Log = fl.log
		if priv != nil {
			out.SignedBy = session.KeyID(priv.Public().(ed25519.PublicKey))
		}
	}
	if fl.svg != "" || fl.png != "" || fl.roundsSVG != "" || fl.roundsPNG != "" {
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
func runMediated(e *env, sc *scenario.Scenario, s *session.Session, space *analysis.Space, frontier *analysis.PendingFrontier, fl *runFlags, priv ed25519.PrivateKey) error {
	med, err := mediator.ByName(fl.strategy, fl.seed)
	if err != nil {
		return usageError{err}
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
	seen := s.Len()
	w := roundsTo(e, fl)
	for i := 0; i < seen && w != nil; i++ {
		printEvent(w, sc, space, &s.Events()[i])
	}
	runErr := session.RunMediated(s, med, parties)
	if w != nil {
		evs := s.Events()
		for i := seen; i < len(evs); i++ {
			printEvent(w, sc, space, &evs[i])
		}
	}
	if runErr != nil {
		if errors.Is(runErr, session.ErrNoAccess) {
			return usagef("--mediator-strategy %s needs the parties' profiles: give --mediator-access profiles (by default the mediator sees none)", fl.strategy)
		}
		return runErr
	}
	return finishRun(e, sc, s, space, frontier, names, fl, priv)
}

func printEvent(w io.Writer, sc *scenario.Scenario, space *analysis.Space, ev *session.Event) {
	switch {
	case ev.Move != nil && ev.Move.Package != nil:
		fmt.Fprintf(w, "round %3d  %-12s %-8s %s\n", ev.Round, clean(ev.Party), ev.Kind, fmtU(space.Names, space.Utilities(ev.Move.Package)))
	case ev.Kind == session.KindFault:
		fmt.Fprintf(w, "round %3d  %-12s FAULT: %s\n", ev.Round, clean(ev.Party), clean(ev.Move.Message))
	case ev.Move != nil:
		fmt.Fprintf(w, "round %3d  %-12s %s\n", ev.Round, clean(ev.Party), ev.Kind)
	case ev.Kind == "start":
		fmt.Fprintf(w, "session of %s under %s, parties %s\n", clean(sc.Name), ev.Note.Config.Protocol, clean(strings.Join(ev.Note.Config.Parties, ", ")))
	case ev.Kind == session.KindScenario:
		// the scenario record: nothing to show
	default:
		msg := ev.Kind
		if ev.Note != nil && ev.Note.Reason != "" {
			msg += ": " + ev.Note.Reason
		}
		fmt.Fprintf(w, "round %3d  %s\n", ev.Round, clean(msg))
	}
}

func outcome(sc *scenario.Scenario, s *session.Session, space *analysis.Space, frontier *analysis.PendingFrontier, names map[string]string) (*Outcome, error) {
	o := &Outcome{Scenario: sc.Name, Protocol: s.Config.Protocol, Status: s.State.Status, Reason: s.State.Reason,
		Rounds: s.State.Round, Events: s.Len(), Agents: names, Utilities: map[string]float64{}}
	var u []float64
	if s.State.Agreement != nil {
		o.Agreement = sc.Framework.IDs(s.State.Agreement)
		o.AgreementLevels = []int(s.State.Agreement.Clone())
		u = space.Utilities(s.State.Agreement)
	} else {
		u = make([]float64, space.N())
		if s.Config.Scoring == session.ScoreReservation {
			copy(u, space.Reservation)
		}
	}
	for i, id := range space.Names {
		o.Utilities[id] = u[i]
		if s.State.Agreement != nil && u[i] < space.Reservation[i] {
			if o.BelowReservation == nil {
				o.BelowReservation = map[string]float64{}
			}
			o.BelowReservation[id] = space.Reservation[i]
		}
	}
	fr, _, err := frontier.Wait()
	if err != nil {
		return nil, err
	}
	d := analysis.OutcomeDistances(fr, space, u)
	o.DistancePareto, o.DistanceNash = d.Pareto, d.Nash
	o.Welfare = analysis.Welfare(u)
	o.Fault = s.State.Fault
	o.Decision = decisionOf(s)
	if len(sc.Decision.Vetoes) > 0 {
		o.VetoHolders = map[string]bool{}
		note := agreementNote(s.Events())
		for _, v := range sc.Decision.Vetoes {
			// The engine agrees only with every veto holder's assent (the
			// note names the assents, or under a quorum with private votes
			// only counts them, the veto holders among them).
			o.VetoHolders[v] = note != nil && (slices.Contains(note.Parties, v) || (note.Parties == nil && note.Count > 0))
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
	printDecision(w, o.Decision)
	fmt.Fprintf(w, "Utilities: %s\n", fmtU(space.Names, u))
	fmt.Fprintf(w, "Distance to Pareto %.5f, to Nash %.5f, welfare %.5f\n", o.DistancePareto, o.DistanceNash, o.Welfare)
	for _, v := range slices.Sorted(maps.Keys(o.VetoHolders)) {
		fmt.Fprintf(w, "Veto holder %s assented: %v\n", clean(v), o.VetoHolders[v])
	}
	if len(o.BelowReservation) > 0 {
		var parts []string
		for _, id := range space.Names {
			if r, ok := o.BelowReservation[id]; ok {
				parts = append(parts, fmt.Sprintf("%s %.4f < %.4f", clean(id), o.Utilities[id], r))
			}
		}
		fmt.Fprintf(w, "Below the reservation value: %s (GENIUS's time-dependent agents accept under it; boulware:floor never does)\n", strings.Join(parts, ", "))
	}
	if o.Fault != nil {
		fmt.Fprintf(w, "FAULT: the agent of %s failed: %s\n", clean(o.Fault.Party), clean(o.Fault.Cause))
	}
	if o.Log != "" {
		if o.SignedBy != "" {
			fmt.Fprintf(w, "Log: %s, signed with key %s (check it with: parley verify %s --pub YOUR-KEY.pub.pem)\n", clean(o.Log), short(o.SignedBy), clean(o.Log))
		} else {
			fmt.Fprintf(w, "Log: %s, not signed (check it with: parley verify %s)\n", clean(o.Log), clean(o.Log))
		}
	}
}

// writeDance plots each party's packages in the utility space of the
// negotiating parties (chart.Dance) to the files of --svg and --png, and
// their utility over the rounds (chart.Rounds) to those of --rounds-svg
// and --rounds-png. The command ran the whole session, so every event is
// drawn.
func writeDance(s *session.Session, space *analysis.Space, fl *runFlags) error {
	in := chart.DanceInput{Scenario: s.Scenario, Events: s.Events(), Parties: space.Names}
	if fl.svg != "" || fl.png != "" {
		axes, err := plotAxes(space, fl.plotPair)
		if err != nil {
			return err
		}
		in.Axes = axes
		u, err := chart.Dance(context.Background(), in)
		if err != nil {
			return err
		}
		if err := writePlotFiles(u, fl.svg, fl.png); err != nil {
			return err
		}
	}
	if fl.roundsSVG != "" || fl.roundsPNG != "" {
		t, err := chart.Rounds(context.Background(), in)
		if err != nil {
			return err
		}
		return writePlotFiles(t, fl.roundsSVG, fl.roundsPNG)
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
The scenario is the one the log records; a log written before engine
version 3 needs SCENARIO (default: the built-in scenario named in the log).
parley verify also says whether a signature proves the log.`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			path, scArg := args12(args)
			lf, err := readLogFile(path, scArg, splitList(profiles))
			if err != nil {
				return err
			}
			s, err := lf.replay()
			if err != nil {
				return err
			}
			events := lf.events()
			if jsonOut {
				return writeJSON(e.stdout, map[string]any{"log": path, "events": len(events), "verified": true, "state": s.State})
			}
			fmt.Fprintf(e.stdout, "%s: %d events verified; replay equals the recorded session\nstatus: %s", clean(path), len(events), s.State.Status)
			if s.State.Reason != "" {
				fmt.Fprintf(e.stdout, " (%s)", clean(s.State.Reason))
			}
			fmt.Fprintln(e.stdout)
			if s.State.Agreement != nil {
				for _, line := range analysis.Describe(s.Scenario.Framework, s.State.Agreement) {
					fmt.Fprintf(e.stdout, "  %s\n", clean(line))
				}
			}
			return nil
		},
	}
	c.Flags().StringVar(&profiles, "profiles", "", "GENIUS folder given as SCENARIO: profile files, in the order used by the run")
	c.Flags().BoolVar(&jsonOut, "json", false, "print the result as JSON")
	return c
}

// cacheEnv names the environment variable that sets the folder of run's
// frontier cache ("off": no cache). By default it is parley/frontiers in
// the user's cache folder (os.UserCacheDir).
const cacheEnv = "PARLEY_CACHE_DIR"

// frontierCache is the cache of cacheEnv, storing frontiers that took at
// least 20 ms to compute (docs/cli.md).
func frontierCache() analysis.FrontierCache {
	c := analysis.FrontierCache{MinCost: 20 * time.Millisecond}
	switch dir := os.Getenv(cacheEnv); dir {
	case "off":
	case "":
		if base, err := os.UserCacheDir(); err == nil {
			c.Dir = filepath.Join(base, "parley", "frontiers")
		}
	default:
		c.Dir = dir
	}
	return c
}
