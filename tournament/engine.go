package tournament

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/extagent"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/genius"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// Statuses of a Result. The first four are final: the negotiation ran
// and is scored (a timeout or an agent error is the fault of the agent
// Result.Fault names, and scores as no agreement). StatusError is not: the
// negotiation did not run (an external agent could not be reached, a
// scenario could not be loaded, workers kept dying on the job), it is left
// out of every score, and a Runner runs the job again on its next run.
const (
	StatusAgreement   = "agreement"    // the parties agreed
	StatusNoAgreement = "no-agreement" // deadline, or a party ended the talks
	StatusTimeout     = "timeout"      // an agent's call exceeded the time budget
	StatusAgentError  = "agent-error"  // an agent panicked, made an invalid move or broke its protocol
	StatusError       = "error"        // the negotiation did not run; retried on resume
)

// Result is the outcome of one job, as a line of results.jsonl.
//
// Utilities are per role in turn order: the agreement's utility for each
// party, or for a negotiation without agreement (including timeouts and
// agent errors) 0 under ScoreZero and the party's reservation value under
// ScoreReservation. Discounted applies each party's discount factor d at the
// normalised time t the negotiation ended: u·dᵗ (GENIUS). Welfare is the sum
// of Utilities; DistancePareto and DistanceNash are the Euclidean distances
// of Utilities to the nearest Pareto-frontier point and to the Nash point of
// the negotiating parties (absent when the scenario has no Nash point).
type Result struct {
	ID       string   `json:"id"`
	Scenario string   `json:"scenario"`
	Rep      int      `json:"rep"`
	Parties  []string `json:"parties"`
	Agents   []string `json:"agents"`
	Status   string   `json:"status"`
	// Reason says why the negotiation ended, or for StatusError, in a few
	// words, why it did not run when an agent is the cause.
	Reason string `json:"reason,omitempty"`
	// Fault names the agent that timed out or failed, or for StatusError
	// the external agent that could not be reached or started.
	Fault          string            `json:"fault,omitempty"`
	Agreement      framework.Package `json:"agreement,omitempty"`
	Utilities      []float64         `json:"utilities,omitempty"`
	Discounted     []float64         `json:"discounted,omitempty"`
	Welfare        float64           `json:"welfare"`
	DistancePareto *float64          `json:"distance_pareto,omitempty"`
	DistanceNash   *float64          `json:"distance_nash,omitempty"`
	// Rounds is the round the negotiation ended in; Time the normalised
	// time then; Offers the number of offers made.
	Rounds int     `json:"rounds"`
	Time   float64 `json:"time"`
	Offers int     `json:"offers"`
	// Elapsed is the wall time the job took, in seconds.
	Elapsed float64 `json:"elapsed_s"`
	Error   string  `json:"error,omitempty"`
}

// newResult is the result of job before it has run: which job it is.
func newResult(job Job) Result {
	r := Result{ID: job.ID, Scenario: job.Scenario.Name, Rep: job.Rep, Agents: job.Agents()}
	for _, ro := range job.Roles {
		r.Parties = append(r.Parties, ro.Party)
	}
	return r
}

// ErrorResult is the result of a job that could not be run: status
// StatusError with msg (a remote worker that gives a job up records this).
func ErrorResult(job Job, msg string) Result {
	r := newResult(job)
	r.Status, r.Error = StatusError, msg
	return r
}

// Final reports whether the negotiation ran (every status but
// StatusError): a Runner does not run its job again.
func (r *Result) Final() bool { return r.Status != StatusError }

// Scored reports whether the result counts in the scores: a final result
// with utilities (a timeout or agent error scores as no agreement).
func (r *Result) Scored() bool { return r.Final() && len(r.Utilities) > 0 }

// NotRunReason is, for a result that is not final, why the negotiation did
// not run in a few words (Reason, or the first line of Error): what the
// summary counts per agent. It is "" for a final result.
func (r *Result) NotRunReason() string {
	if r.Final() {
		return ""
	}
	if r.Reason != "" {
		return r.Reason
	}
	msg, _, _ := strings.Cut(r.Error, "\n")
	msg = strings.TrimSpace(msg)
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	if msg == "" {
		msg = "unknown"
	}
	return msg
}

// notRun is base marked as not run because the external agent of role i
// could not be reached or started (err).
func notRun(job Job, base Result, i int, err error) Result {
	r := base
	name := job.Roles[i].Agent.Name
	r.Status, r.Fault, r.Error = StatusError, name, fmt.Sprintf("agent %q: %v", name, err)
	r.Utilities, r.Discounted, r.Agreement = nil, nil, nil
	r.DistancePareto, r.DistanceNash, r.Welfare = nil, nil, 0
	if unreachable(err) {
		r.Reason = name + " could not be reached"
	} else {
		r.Reason = name + " could not be started"
	}
	return r
}

// unreachable reports whether an external agent's error means that it
// could not be reached (the network, or nothing listening), rather than
// that it answered wrongly.
func unreachable(err error) bool {
	return errors.Is(err, extagent.ErrTransport) || errors.Is(err, extagent.ErrTimeout) || errors.Is(err, errDialBudget)
}

// errDialBudget: connecting to an external agent took the whole time budget.
var errDialBudget = errors.New("no answer within the time budget")

// Engine runs jobs. It caches, per scenario, everything sessions share:
// the loaded scenario, compiled profiles, bid spaces and the Pareto frontier
// with its Nash point, so a job costs only its negotiation. An Engine is
// safe for concurrent use; its cache is never emptied (a process runs the
// scenarios of a few tournaments).
type Engine struct {
	// External builds the negotiator of an external agent (an AgentSpec
	// with URL); nil means external agents are not available and such jobs
	// end with StatusError wrapping ErrNoExternal.
	// It is given the job, for its protocol, deadline and time budget.
	External func(name, url string, job Job) (agent.Negotiator, error)
	// Load loads the scenario a job names (nil: LoadScenario, from the
	// built-ins and the files on this machine). A remote worker loads
	// scenarios by digest from where the coordinator published them
	// (package cluster). Whatever loads it, a scenario whose
	// session.Digest differs from the job's is refused.
	Load func(ScenarioRef) (*scenario.Scenario, error)

	mu    sync.Mutex
	cache map[string]*cacheEntry
}

type cacheEntry struct {
	once sync.Once
	p    *prepared
	err  error
}

// prepared is what every session of one scenario shares.
type prepared struct {
	sc       *scenario.Scenario
	parties  []string
	tables   map[string]*profile.Table
	spaces   map[string]*agent.BidSpace
	space    *analysis.Space
	frontier *analysis.Frontier
	nash     []float64
	// bufs holds session.Buffers for reuse: a negotiation takes one and
	// gives it back, so the logs are not regrown in every negotiation.
	bufs sync.Pool
}

var defaultEngine = &Engine{}

// Run runs job on a shared Engine without external agents (see Engine.Run).
func Run(job Job) Result { return defaultEngine.Run(job) }

// Run runs one job and returns its result; it never panics and always
// returns a Result (problems are in Status and Error). It is a function of
// the job alone (and of the time budget: an agent that is slower on a
// loaded machine may time out).
func (e *Engine) Run(job Job) Result {
	r, _ := e.RunContext(context.Background(), job)
	return r
}

// RunContext is Run that gives up when ctx is done: it then returns ctx's
// error and a Result that must not be recorded.
//
// The negotiation runs in its own goroutine while the caller watches the
// agents' calls: a call (Init or Act, or building an external agent) that
// has been running for longer than job.Budget is abandoned — RunContext
// returns at once with StatusTimeout, Fault naming the agent, and the
// negotiation scored as without agreement at the round it reached. The
// abandoned goroutine ends the session at its next turn; a call that never
// returns keeps its goroutine (Go cannot stop it), so agents that may hang
// belong in another process (external agents). Calls are checked every
// Budget/8 (at least 1 ms): a call is abandoned after between Budget and
// 9/8 Budget, never before Budget.
func (e *Engine) RunContext(ctx context.Context, job Job) (Result, error) {
	start := time.Now()
	base := newResult(job)
	fail := func(err error) (Result, error) {
		base.Status, base.Error = StatusError, err.Error()
		base.Elapsed = time.Since(start).Seconds()
		return base, nil
	}
	if err := ctx.Err(); err != nil {
		return base, err
	}
	p, err := e.prepare(job.Scenario)
	if err != nil {
		return fail(err)
	}
	if err := p.check(job); err != nil {
		return fail(err)
	}
	for _, r := range job.Roles {
		if r.Agent.URL != "" && e.External == nil {
			return fail(fmt.Errorf("agent %q (%s): %w", r.Agent.Name, r.Agent.URL, ErrNoExternal))
		}
	}
	g := &guard{}
	done := make(chan Result, 1)
	go func() { done <- e.play(p, job, base, g) }()
	var tick <-chan time.Time
	period := max(job.Budget/8, time.Millisecond)
	if job.Budget > 0 {
		t := time.NewTicker(period)
		defer t.Stop()
		tick = t.C
	}
	var seen uint64
	var seenAt time.Time
	for {
		select {
		case r := <-done:
			r.Elapsed = time.Since(start).Seconds()
			return r, nil
		case <-ctx.Done():
			g.stop.Store(true)
			return base, ctx.Err()
		case now := <-tick:
			st := g.state.Load()
			if st&1 == 0 {
				seen = 0
				continue
			}
			if st != seen {
				seen, seenAt = st, now
				continue
			}
			if now.Sub(seenAt) < job.Budget {
				continue
			}
			g.stop.Store(true)
			role := int(g.role.Load())
			if g.dialing.Load() {
				// Still connecting: the agent was never reached (a host
				// that drops packets), so the negotiation did not run.
				r := notRun(job, base, role, fmt.Errorf("connecting: %w (%v)", errDialBudget, job.Budget))
				r.Elapsed = time.Since(start).Seconds()
				return r, nil
			}
			r := p.disagreement(job, base, math.Float64frombits(g.time.Load()))
			r.Status, r.Fault = StatusTimeout, job.Roles[role].Agent.Name
			r.Reason = fmt.Sprintf("%s (%s) took longer than the time budget of %v", r.Fault, job.Roles[role].Party, job.Budget)
			r.Rounds = int(g.round.Load())
			r.Elapsed = time.Since(start).Seconds()
			return r, nil
		}
	}
}

// play runs the negotiation; it runs in its own goroutine.
func (e *Engine) play(p *prepared, job Job, base Result, g *guard) (res Result) {
	defer func() {
		if v := recover(); v != nil {
			res = p.disagreement(job, base, math.Float64frombits(g.time.Load()))
			res.Rounds = int(g.round.Load())
			if g.state.Load()&1 == 1 {
				role := int(g.role.Load())
				res.Status, res.Fault = StatusAgentError, job.Roles[role].Agent.Name
				res.Reason = fmt.Sprintf("%s (%s) panicked: %v", res.Fault, job.Roles[role].Party, v)
				return
			}
			res = base
			res.Status, res.Error = StatusError, fmt.Sprintf("panic: %v\n%s", v, debug.Stack())
		}
	}()
	clock := fixedClock
	if job.Duration > 0 {
		clock = time.Now
	}
	parties := make([]string, len(job.Roles))
	for i, r := range job.Roles {
		parties[i] = r.Party
	}
	s, err := session.New(p.sc, session.Config{Protocol: job.Protocol, Parties: parties, Rounds: job.Rounds,
		Duration: job.Duration, Scoring: job.Scoring}, clock)
	if err != nil {
		res = base
		res.Status, res.Error = StatusError, err.Error()
		return res
	}
	agents := make(map[string]agent.Negotiator, len(job.Roles))
	raw := make([]agent.Negotiator, len(job.Roles))
	external := map[string]agent.Negotiator{}
	for i, r := range job.Roles {
		var a agent.Negotiator
		if r.Agent.URL != "" {
			g.dialing.Store(true)
			g.begin(i, 0, 0)
			a, err = e.External(r.Agent.Name, r.Agent.URL, job)
			g.end()
			g.dialing.Store(false)
			if g.stop.Load() {
				return base // abandoned: the caller has returned already
			}
			if err != nil {
				return notRun(job, base, i, err)
			}
		} else {
			a, err = builtin(r.Agent.Strategy, mix(job.Seed, uint64(i)), p.spaces[r.Party])
		}
		if err != nil {
			res = base
			res.Status, res.Error = StatusError, fmt.Sprintf("agent %q: %v", r.Agent.Name, err)
			return res
		}
		raw[i] = a
		agents[r.Party] = g.wrap(i, a)
		if r.Agent.URL != "" {
			external[r.Party] = a
		}
	}
	// External agents hear the outcome (POST /end) after every negotiation
	// they were initialised for, failures included, and free their state:
	// after the result is known (End has its own timeout, and an agent that
	// fails to take the outcome has not changed it); when the engine gave
	// up on the negotiation (time budget, cancellation) as abandoned.
	if len(external) > 0 {
		defer func() {
			if g.stop.Load() {
				extagent.Abandon(external, "the tournament gave up this negotiation: an agent exceeded the time budget, or the run was cancelled")
			} else {
				extagent.Finish(s, external)
			}
		}()
	}
	opts := []session.RunnerOption{session.WithTables(p.tables)}
	var bufs *session.Buffers
	if len(external) == 0 { // (extagent.Finish reads the log after the deferred calls below)
		if bufs, _ = p.bufs.Get().(*session.Buffers); bufs == nil {
			bufs = &session.Buffers{}
		}
		opts = append(opts, session.WithBuffers(bufs))
	}
	runner, err := session.NewRunner(s, agents, opts...)
	if err != nil {
		res = base
		res.Status, res.Error = StatusError, err.Error()
		return res
	}
	if bufs != nil {
		defer func() { runner.Release(); p.bufs.Put(bufs) }() // after the result is computed
	}
	err = runner.Run()
	// An external agent that failed ended the talks. Cut off from it, the
	// negotiation did not run (it is run again on resume); one that timed
	// out or broke the protocol failed it: its fault, not a walk-out.
	for i, a := range raw {
		xerr := extagent.Err(a)
		if xerr == nil {
			continue
		}
		if errors.Is(xerr, extagent.ErrTransport) {
			return notRun(job, base, i, xerr)
		}
		res = p.disagreement(job, base, s.Time())
		res.Rounds, res.Offers = s.State.Round, g.offers
		res.Status, res.Fault, res.Reason = StatusAgentError, job.Roles[i].Agent.Name, xerr.Error()
		if errors.Is(xerr, extagent.ErrTimeout) || errors.Is(xerr, extagent.ErrBudget) {
			res.Status = StatusTimeout
		}
		return res
	}
	if err != nil {
		res = p.disagreement(job, base, s.Time())
		res.Rounds, res.Offers = s.State.Round, g.offers
		res.Status, res.Fault = StatusAgentError, job.Roles[g.last].Agent.Name
		res.Reason = strings.TrimPrefix(err.Error(), "session: ")
		return res
	}
	return p.score(job, base, s, g.offers)
}

var epoch = time.Unix(0, 0).UTC()

// fixedClock is the clock of round-deadline sessions: their course does not
// depend on wall time, and reading it costs time.
func fixedClock() time.Time { return epoch }

// score computes the result of a finished session.
func (p *prepared) score(job Job, base Result, s *session.Session, offers int) Result {
	t := s.Time()
	if s.State.Agreement == nil {
		r := p.disagreement(job, base, t)
		r.Reason, r.Rounds, r.Offers = s.State.Reason, s.State.Round, offers
		return r
	}
	r := base
	r.Status, r.Agreement = StatusAgreement, s.State.Agreement.Clone()
	r.Utilities = p.space.Utilities(s.State.Agreement)
	r.Discounted = make([]float64, len(r.Utilities))
	for i, u := range r.Utilities {
		r.Discounted[i] = p.space.Profiles[i].Discounted(u, t)
	}
	p.measure(&r)
	r.Rounds, r.Time, r.Offers = s.State.Round, t, offers
	return r
}

// disagreement scores a negotiation without agreement that ended at time t.
func (p *prepared) disagreement(job Job, base Result, t float64) Result {
	r := base
	r.Status, r.Time = StatusNoAgreement, t
	n := len(p.parties)
	r.Utilities, r.Discounted = make([]float64, n), make([]float64, n)
	if job.Scoring == ScoreReservation {
		for i := range r.Utilities {
			r.Utilities[i] = p.space.Reservation[i]
			r.Discounted[i] = p.space.Profiles[i].Discounted(p.space.Reservation[i], t)
		}
	}
	p.measure(&r)
	return r
}

func (p *prepared) measure(r *Result) {
	r.Welfare = analysis.Welfare(r.Utilities)
	if d := analysis.DistanceToFrontier(r.Utilities, p.frontier); !math.IsInf(d, 0) {
		r.DistancePareto = &d
	}
	if p.nash != nil {
		d := analysis.Distance(r.Utilities, p.nash)
		r.DistanceNash = &d
	}
}

// check verifies that the job's roles are the scenario's negotiating parties
// in turn order and that its rules are ones the engine runs.
func (p *prepared) check(job Job) error {
	if len(job.Roles) != len(p.parties) {
		return fmt.Errorf("scenario %s has %d negotiating parties, the job %d roles", job.Scenario.Name, len(p.parties), len(job.Roles))
	}
	for i, r := range job.Roles {
		if r.Party != p.parties[i] {
			return fmt.Errorf("role %d is party %q; scenario %s's party %d is %q", i+1, r.Party, job.Scenario.Name, i+1, p.parties[i])
		}
		if (r.Agent.URL == "") == (r.Agent.Strategy == "") {
			return fmt.Errorf("agent %q: give a strategy or a url", r.Agent.Name)
		}
	}
	if ps := Protocols(); !slices.Contains(ps, job.Protocol) {
		return fmt.Errorf("protocol %q: tournaments run %s", job.Protocol, strings.Join(ps, " or "))
	}
	if job.Rounds <= 0 && job.Duration <= 0 {
		return fmt.Errorf("the job has no deadline")
	}
	return nil
}

// prepare returns the cached preparation of a scenario, building it once.
func (e *Engine) prepare(ref ScenarioRef) (*prepared, error) {
	key := ref.Kind + "\x00" + ref.Source + "\x00" + strings.Join(ref.Profiles, "\x00") + "\x00" + ref.Digest
	e.mu.Lock()
	if e.cache == nil {
		e.cache = map[string]*cacheEntry{}
	}
	ce := e.cache[key]
	if ce == nil {
		ce = &cacheEntry{}
		e.cache[key] = ce
	}
	e.mu.Unlock()
	ce.once.Do(func() { ce.p, ce.err = e.newPrepared(ref) })
	return ce.p, ce.err
}

// LoadScenario loads the scenario a reference names and checks its digest.
func LoadScenario(ref ScenarioRef) (*scenario.Scenario, error) {
	var sc *scenario.Scenario
	var err error
	switch ref.Kind {
	case KindBuiltin:
		sc, err = scenario.Builtin(ref.Source)
	case KindFile:
		sc, err = scenario.Load(ref.Source)
	case KindGenius:
		sc, err = genius.LoadDir(ref.Source, ref.Profiles)
	default:
		err = fmt.Errorf("unknown scenario kind %q (want %s, %s or %s)", ref.Kind, KindBuiltin, KindFile, KindGenius)
	}
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", ref.Name, err)
	}
	if ref.Digest != "" {
		if d := session.Digest(sc); d != ref.Digest {
			return nil, fmt.Errorf("scenario %s (%s) has changed since the tournament was configured (digest %s, job %s)", ref.Name, ref.Source, d, ref.Digest)
		}
	}
	return sc, nil
}

func (e *Engine) newPrepared(ref ScenarioRef) (*prepared, error) {
	load := e.Load
	if load == nil {
		load = LoadScenario
	}
	sc, err := load(ref)
	if err != nil {
		return nil, err
	}
	if e.Load != nil && ref.Digest != "" {
		if d := session.Digest(sc); d != ref.Digest {
			return nil, fmt.Errorf("scenario %s: the loaded content has digest %s, the job %s", ref.Name, d, ref.Digest)
		}
	}
	p := &prepared{sc: sc, tables: map[string]*profile.Table{}, spaces: map[string]*agent.BidSpace{}}
	for _, pt := range sc.Principals() {
		p.parties = append(p.parties, pt.ID)
	}
	if p.space, err = analysis.FromScenario(sc, p.parties...); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", ref.Name, err)
	}
	for i, id := range p.parties {
		t := p.space.Tables[i]
		p.tables[id] = t
		pr := p.space.Profiles[i]
		var opts []agent.SpaceOption
		if len(pr.RedLines) > 0 {
			// As the negotiators build their own: without the packages
			// across the owner's red lines.
			opts = append(opts, agent.ExcludingRedLines(pr.RedLines))
		}
		bs, err := agent.NewBidSpace(sc.Framework, t, opts...)
		if err != nil {
			// The negotiators find the same problem and walk away.
			continue
		}
		bs.Complete() // shared by every negotiation: sorted once, up front
		p.spaces[id] = bs
	}
	if p.frontier, err = analysis.FrontierAdditive(p.space, analysis.FrontierOptions{}); err != nil {
		return nil, fmt.Errorf("scenario %s: frontier: %w", ref.Name, err)
	}
	// The textbook Nash point (individually rational); GENIUS's variant
	// where no package is individually rational (as parley run).
	nash, ok := analysis.NashPoint(p.frontier, p.space.Reservation)
	if !ok {
		nash, ok = analysis.NashPointGENIUS(p.frontier, p.space.Reservation)
	}
	if ok {
		p.nash = nash.Point.U
	}
	return p, nil
}

// Analysis returns, for reports, the utility space of a scenario's
// negotiating parties, its Pareto frontier and its Nash point (nil when
// none), from the engine's cache.
func (e *Engine) Analysis(ref ScenarioRef) (*analysis.Space, *analysis.Frontier, []float64, error) {
	p, err := e.prepare(ref)
	if err != nil {
		return nil, nil, nil, err
	}
	return p.space, p.frontier, p.nash, nil
}

// guard watches the calls of one session's agents. Only the session's
// goroutine writes state, role, round and time; the watching goroutine
// reads them.
type guard struct {
	// state is seq<<1 | busy: busy while an agent's call runs, seq counts calls.
	state  atomic.Uint64
	role   atomic.Int32
	round  atomic.Int64
	time   atomic.Uint64 // float64 bits of the normalised time
	stop   atomic.Bool   // the watcher gave up: end the session
	last   int           // role of the last call (session goroutine only)
	offers int           // offers made (session goroutine only)
	// dialing is set while the call under way connects to an external agent.
	dialing atomic.Bool
}

func (g *guard) begin(role, round int, t float64) {
	g.role.Store(int32(role))
	g.round.Store(int64(round))
	g.time.Store(math.Float64bits(t))
	g.state.Store((g.state.Load()>>1+1)<<1 | 1)
	g.last = role
}

func (g *guard) end() { g.state.Store(g.state.Load() &^ 1) }

// wrap returns a negotiator that reports a's calls to g (and votes with a
// when a is a Voter).
func (g *guard) wrap(role int, a agent.Negotiator) agent.Negotiator {
	t := &timed{inner: a, g: g, role: role}
	if v, ok := a.(agent.Voter); ok {
		return &timedVoter{timed: t, voter: v}
	}
	return t
}

type timed struct {
	inner agent.Negotiator
	g     *guard
	role  int
}

func (t *timed) Name() string { return t.inner.Name() }

// Err passes on the failure an external agent records (session.Failer),
// so that the session records it as the agent's fault.
func (t *timed) Err() error { return extagent.Err(t.inner) }

func (t *timed) Init(v *agent.View) {
	if t.g.stop.Load() {
		return
	}
	t.g.begin(t.role, v.Round, v.Time)
	t.inner.Init(v)
	t.g.end()
}

func (t *timed) Act(v *agent.View) agent.Action {
	if t.g.stop.Load() {
		return agent.Action{Kind: agent.EndTalks}
	}
	t.g.begin(t.role, v.Round, v.Time)
	a := t.inner.Act(v)
	t.g.end()
	if a.Kind == agent.MakeOffer {
		t.g.offers++
	}
	return a
}

type timedVoter struct {
	*timed
	voter agent.Voter
}

func (t *timedVoter) Vote(v *agent.View, proposal, previous framework.Package) bool {
	if t.g.stop.Load() {
		return false
	}
	t.g.begin(t.role, v.Round, v.Time)
	yes := t.voter.Vote(v, proposal, previous)
	t.g.end()
	return yes
}
