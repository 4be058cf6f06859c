package extagent

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/session"
)

// Defaults of a Remote.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultInitTimeout = 30 * time.Second
	DefaultMaxResponse = 1 << 20
)

// Option configures New.
type Option func(*config)

type config struct {
	timeout    time.Duration
	initTO     time.Duration
	budget     time.Duration
	maxResp    int64
	client     *http.Client
	protocol   string
	duration   time.Duration
	handshakes *Handshakes
	agents     []string
	scoring    *Scoring
	version    string
}

// WithTimeout bounds every /act and /end call; default DefaultTimeout.
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithInitTimeout bounds the handshake and every /init, where an agent may
// prepare (build its bid space, load a model); default DefaultInitTimeout,
// or the WithTimeout if longer.
func WithInitTimeout(d time.Duration) Option { return func(c *config) { c.initTO = d } }

// WithBudget bounds the total time the agent may spend answering within one
// negotiation, /init included (0, the default: no bound besides the
// per-call timeouts).
func WithBudget(d time.Duration) Option { return func(c *config) { c.budget = d } }

// WithMaxResponse bounds the size of an answer in bytes; default
// DefaultMaxResponse (1 MiB).
func WithMaxResponse(n int64) Option { return func(c *config) { c.maxResp = n } }

// WithHTTPClient replaces the HTTP client (default: a shared client with
// keep-alive connections and no proxy). Its own Timeout, if any, applies on
// top of WithTimeout.
func WithHTTPClient(h *http.Client) Option { return func(c *config) { c.client = h } }

// WithProtocol tells the agent which session protocol it plays (the /init
// "protocol" field): session.SAO (the default) or session.AMOP.
func WithProtocol(p string) Option { return func(c *config) { c.protocol = p } }

// WithDuration tells the agent the session's wall-time deadline (the /init
// "deadline.seconds"); the round deadline comes from the agent.View.
func WithDuration(d time.Duration) Option { return func(c *config) { c.duration = d } }

// WithHandshakes shares a handshake cache: an agent's URL is greeted (GET /)
// once per cache, not once per Remote. A tournament run uses one cache for
// all its negotiations.
func WithHandshakes(h *Handshakes) Option { return func(c *config) { c.handshakes = h } }

// WithAgents tells the agent (version 2, /init "parties_info[].agent") the
// names of the agents playing the negotiating parties, in turn order, when
// the configuration makes them public, as tournaments and parley run do; ""
// for a party whose agent is not to be named.
func WithAgents(names []string) Option {
	return func(c *config) { c.agents = slices.Clone(names) }
}

// WithScoring tells the agent (version 2, /init "scoring") what its result
// is scored by. Without it, /init has no scoring.
func WithScoring(sc Scoring) Option { return func(c *config) { c.scoring = &sc } }

// WithVersion makes Parley speak version v (Version1 or Version2) even when
// the agent knows a higher one; the handshake still fails when the agent
// does not speak v. For tests and for agents whose newer version is broken.
func WithVersion(v string) Option { return func(c *config) { c.version = v } }

// Handshakes caches the agents' handshakes by base URL, so that an agent is
// greeted once per cache (one tournament run) however many negotiations it
// plays. A failed handshake is not cached: the next Dial tries again.
// Concurrent Dials of one URL share one GET /. Safe for concurrent use.
type Handshakes struct {
	mu sync.Mutex
	m  map[string]*handshake
	n  int
}

type handshake struct {
	done  chan struct{}
	hello Hello
	err   error
}

// NewHandshakes returns an empty handshake cache.
func NewHandshakes() *Handshakes { return &Handshakes{m: map[string]*handshake{}} }

// Count returns how many handshakes (GET /) the cache made.
func (h *Handshakes) Count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

// get returns the cached handshake of url, or makes it with greet.
func (h *Handshakes) get(url string, greet func() (Hello, error)) (Hello, error) {
	h.mu.Lock()
	e, ok := h.m[url]
	if !ok {
		e = &handshake{done: make(chan struct{})}
		h.m[url] = e
		h.n++
	}
	h.mu.Unlock()
	if ok {
		<-e.done
		return e.hello, e.err
	}
	e.hello, e.err = greet()
	if e.err != nil {
		h.mu.Lock()
		delete(h.m, url)
		h.mu.Unlock()
	}
	close(e.done)
	return e.hello, e.err
}

// defaultClient is shared by every Remote so that connections to the same
// agent are reused across negotiations.
var defaultClient = &http.Client{Transport: &http.Transport{
	Proxy:               nil,
	DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	MaxIdleConns:        256,
	MaxIdleConnsPerHost: 64,
	IdleConnTimeout:     90 * time.Second,
	DisableCompression:  true,
	ForceAttemptHTTP2:   false,
}}

// Remote is an agent.Negotiator played by an external agent over HTTP
// (docs/agent-protocol.md). Init starts a negotiation (POST /init), Act asks
// for a move (POST /act), End reports the outcome (POST /end). A Remote
// plays one negotiation at a time and may be reused for the next one.
//
// A broken agent cannot hang or crash a session: every call is bounded in
// time and size, every answer is validated, and the first failure is
// recorded (Err) after which the Remote ends the talks at its turn and
// makes no more calls in that negotiation but a short /end, so that the
// agent hears its failure and can free the negotiation.
type Remote struct {
	name string
	base string
	cfg  config

	mu  sync.Mutex
	err error

	// version is the protocol version spoken with the agent.
	version string

	id      string
	active  bool
	levels  []int
	table   *profile.Table
	fw      *framework.Framework
	self    string
	sent    int
	used    time.Duration
	calls   int
	elapsed time.Duration
}

// Ender is implemented by negotiators that want to hear a negotiation's
// outcome: *Remote (which passes it on to its agent with /end), and any Go
// negotiator served by agentserver that implements it.
type Ender interface {
	End(o Outcome)
}

// Outcome is how a negotiation ended.
type Outcome struct {
	// Status is the session's status (session.StatusInForce, …).
	Status string
	// Agreement is the agreed package, nil without agreement.
	Agreement framework.Package
	// Reason says in words why there is no agreement ("" with one).
	Reason string
	// Cause is the reason in one word (CauseDeadline, …) and By the id of
	// the party it is due to, if any.
	Cause, By string
	Round     int
	Time      float64
}

// StatusAbandoned is the /end status of a negotiation a Remote gives up
// without an outcome (it is initialised for the next one first), or that
// its runner abandoned (Abandon).
const StatusAbandoned = "abandoned"

// OutcomeOf returns the outcome of a finished (or stopped) session, with
// its cause read from the state and the log's last notes.
func OutcomeOf(s *session.Session) Outcome {
	o := Outcome{Status: s.State.Status, Agreement: s.State.Agreement.Clone(), Reason: s.State.Reason,
		Round: s.State.Round, Time: s.Time()}
	switch {
	case o.Agreement != nil:
		o.Cause, o.Reason = CauseAgreement, ""
	case s.State.Fault != nil:
		o.Cause, o.By = CauseAgentError, s.State.Fault.Party
		if strings.Contains(s.State.Fault.Cause, ErrTimeout.Error()) || strings.Contains(s.State.Fault.Cause, ErrBudget.Error()) {
			o.Cause = CauseTimeout
		}
	case o.Status == session.StatusOpen:
		o.Cause, o.Reason = CauseStopped, "the session was stopped while still open"
	case o.Status == session.StatusFailed:
		o.Cause = CauseRejected
	default:
		o.Cause, o.By = endCause(s)
	}
	if o.Agreement == nil && o.Reason == "" {
		o.Reason = o.Cause
	}
	return o
}

// endCause reads why a session without agreement ended from the last note
// of its log, and who walked away from the last move.
func endCause(s *session.Session) (cause, by string) {
	ev := s.EventsUnsealed()
	for i := len(ev) - 1; i >= 0; i-- {
		e := &ev[i]
		if e.Move != nil && e.Kind == session.KindEnd {
			return CauseWalkedAway, e.Party
		}
		if e.Note == nil {
			continue
		}
		switch e.Kind {
		case "deadline":
			return CauseDeadline, ""
		case "ended":
			continue // the move before it says who
		case "no-agreement":
			return CauseRejected, ""
		}
	}
	return CauseRejected, ""
}

// Abandon tells every negotiator of agents that implements Ender that its
// runner gave up the negotiation without an outcome (a tournament's time
// budget ran out, or the run was cancelled), with reason.
func Abandon(agents map[string]agent.Negotiator, reason string) {
	for _, a := range agents {
		if e, ok := a.(Ender); ok {
			e.End(Outcome{Status: StatusAbandoned, Cause: CauseAbandoned, Reason: reason})
		}
	}
}

// Finish tells every negotiator of agents that implements Ender the outcome
// of s. Call it after session.Runner.Run, so that external agents free
// their state and learning agents learn.
func Finish(s *session.Session, agents map[string]agent.Negotiator) {
	o := OutcomeOf(s)
	for _, id := range s.Config.Parties {
		if e, ok := agents[id].(Ender); ok {
			e.End(o)
		}
	}
}

// Err returns the error recorded by a negotiator that records one (a
// *Remote: see Remote.Err), and nil for any other negotiator.
func Err(n agent.Negotiator) error {
	if f, ok := n.(interface{ Err() error }); ok {
		return f.Err()
	}
	return nil
}

// New connects to the external agent at url (its base URL, http or https),
// checks its handshake (GET /: protocol version Version) and returns a
// negotiator that plays through it. name is the negotiator's Name; when
// empty, the agent's own name from the handshake is used. The dynamic type
// of the result is *Remote.
func New(name, rawURL string, opts ...Option) (agent.Negotiator, error) {
	r, err := Dial(name, rawURL, opts...)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Dial is New returning the *Remote itself.
func Dial(name, rawURL string, opts ...Option) (*Remote, error) {
	c := config{timeout: DefaultTimeout, maxResp: DefaultMaxResponse, client: defaultClient, protocol: session.SAO}
	for _, o := range opts {
		o(&c)
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.initTO <= 0 {
		c.initTO = max(DefaultInitTimeout, c.timeout)
	}
	if c.maxResp <= 0 {
		c.maxResp = DefaultMaxResponse
	}
	if c.client == nil {
		c.client = defaultClient
	}
	shown := RedactURL(rawURL) // messages never show credentials
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("extagent: agent URL %q: %v", shown, RedactURL(err.Error()))
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("extagent: agent URL %q: want http://host:port or https://host:port", shown)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("extagent: agent URL %q: no query or fragment, please", shown)
	}
	r := &Remote{name: name, base: strings.TrimRight(u.String(), "/"), cfg: c}
	shown = RedactURL(r.base)
	var h Hello
	if c.handshakes != nil {
		h, err = c.handshakes.get(r.base, r.greet)
	} else {
		h, err = r.greet()
	}
	if err != nil {
		return nil, fmt.Errorf("extagent: handshake with %s: %w", shown, err)
	}
	r.version = h.Pick()
	if c.version != "" {
		if h.Version != c.version && !slices.Contains(h.Versions, c.version) {
			return nil, fmt.Errorf("extagent: handshake with %s: %w: agent speaks %s, and %s was asked for", shown, ErrVersion, spoken(h), c.version)
		}
		r.version = c.version
	}
	if r.version == "" {
		return nil, fmt.Errorf("extagent: handshake with %s: %w: agent speaks %s, Parley %q", shown, ErrVersion, spoken(h), versions)
	}
	if r.name == "" {
		r.name = h.Name
	}
	if r.name == "" {
		r.name = "external(" + shown + ")"
	}
	return r, nil
}

// greet performs the handshake (GET /).
func (r *Remote) greet() (Hello, error) {
	var h Hello
	body, err := r.do(http.MethodGet, PathHello, nil, r.cfg.initTO)
	if err != nil {
		return h, err
	}
	if !isObject(body) {
		return h, fmt.Errorf("%w: want a JSON object, got %s", ErrMalformed, quote(body))
	}
	if err := decodeStrict(body, &h); err != nil {
		return h, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return h, nil
}

// spoken lists the versions of a handshake, for messages.
func spoken(h Hello) string {
	all := []string{h.Version}
	for _, v := range h.Versions {
		if !slices.Contains(all, v) {
			all = append(all, v)
		}
	}
	return fmt.Sprintf("%q", all)
}

// RedactURL hides the credentials of an address (user:password@), for
// messages and names: they would otherwise reach logs and results.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		if i := strings.Index(s, "@"); i >= 0 && strings.Contains(s[:i], "://") {
			return s[:strings.Index(s, "://")+3] + "…" + s[i:]
		}
		return s
	}
	u.User = nil
	return strings.Replace(u.String(), "://", "://…@", 1)
}

// Name returns the negotiator's name.
func (r *Remote) Name() string { return r.name }

// Version returns the protocol version spoken with the agent (Version1 or
// Version2).
func (r *Remote) Version() string { return r.version }

// URL returns the agent's base URL.
func (r *Remote) URL() string { return r.base }

// Err returns the first failure of the current (or last) negotiation: a
// timeout, an unreachable agent, an error status, an answer too large,
// malformed or invalid. It wraps one of ErrTimeout, ErrBudget,
// ErrTransport, ErrStatus, ErrTooLarge, ErrMalformed, ErrInvalid and names
// the call and round. nil when all went well.
func (r *Remote) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Negotiation returns the id of the current (or last) negotiation.
func (r *Remote) Negotiation() string { return r.id }

// Stats returns how many calls the current negotiation made and the total
// time spent waiting for them.
func (r *Remote) Stats() (calls int, elapsed time.Duration) { return r.calls, r.elapsed }

func (r *Remote) fail(err error) {
	r.mu.Lock()
	if r.err == nil {
		r.err = err
	}
	r.mu.Unlock()
}

func (r *Remote) failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err != nil
}

// Init starts a new negotiation with the agent (POST /init). A previous
// negotiation that was never ended is first reported as abandoned.
func (r *Remote) Init(v *agent.View) {
	if r.active {
		r.End(Outcome{Status: StatusAbandoned, Cause: CauseAbandoned, Reason: "the session stopped without reporting an outcome"})
	}
	r.mu.Lock()
	r.err = nil
	r.mu.Unlock()
	r.id, r.active, r.sent, r.used, r.calls, r.elapsed = newID(), true, 0, 0, 0, 0
	r.levels, r.fw, r.self = v.Framework.Radix(), v.Framework, ""
	if v.Self >= 0 && v.Self < len(v.PartyIDs) {
		r.self = v.PartyIDs[v.Self]
	}
	req := InitRequest{Version: r.version, Negotiation: r.id, Self: v.Self, Parties: v.Parties,
		Protocol: r.cfg.protocol, Framework: v.Framework, Levels: r.levels, Profile: v.Profile,
		Deadline: Deadline{Rounds: v.Deadline, Seconds: r.cfg.duration.Seconds()}}
	if r.version == Version2 {
		r.initV2(&req, v)
	}
	t := v.Table
	if t == nil && v.Profile != nil {
		t, _ = v.Profile.Compile(v.Framework)
	}
	r.table = t
	if t != nil {
		if !t.Additive() && r.version == Version1 {
			// A version 1 table is additive: the agent would compute
			// wrong utilities.
			r.fail(r.wrap(PathInit, 0, fmt.Errorf("%w: the profile has %d interactions; %s tables are additive only, the agent must speak %s",
				ErrNonAdditive, len(t.Effects), Version1, Version2)))
			return
		}
		hi, _ := t.Max()
		req.Table = &Table{Contrib: t.Contrib, Reservation: t.Reservation, HasReservation: t.HasReservation, Min: t.Min(), Max: hi,
			Interactions: tableInteractions(v.Framework, t)}
	}
	body, err := r.post(PathInit, &req, r.cfg.initTO)
	if err == nil {
		err = checkAck(body)
	}
	if err != nil {
		r.fail(r.wrap(PathInit, 0, err))
	}
}

// initV2 adds version 2's fields to req.
func (r *Remote) initV2(req *InitRequest, v *agent.View) {
	req.HistoryPolicy = HistoryDelta
	switch {
	case req.Deadline.Rounds > 0:
		req.Deadline.Time = TimeRounds
	case req.Deadline.Seconds > 0:
		req.Deadline.Time = TimeSeconds
	default:
		req.Deadline.Time = TimeNone
	}
	if len(v.PartyIDs) == v.Parties {
		req.PartiesInfo = make([]PartyInfo, v.Parties)
		for i, id := range v.PartyIDs {
			p := PartyInfo{Index: i, ID: id, Name: id}
			if i < len(v.PartyNames) && v.PartyNames[i] != "" {
				p.Name = v.PartyNames[i]
			}
			if i < len(r.cfg.agents) {
				p.Agent = r.cfg.agents[i]
			}
			req.PartiesInfo[i] = p
		}
		if v.Self >= 0 && v.Self < v.Parties {
			p := req.PartiesInfo[v.Self]
			req.Party = &p
		}
	}
	if info, ok := session.Info(r.cfg.protocol); ok {
		pi := &ProtocolInfo{Name: info.Name, Title: info.Title, Description: info.Description, Moves: []string{}}
		for _, m := range info.Moves {
			if m.By == session.ByParties && !slices.Contains(pi.Moves, m.Kind) {
				pi.Moves = append(pi.Moves, m.Kind)
			}
		}
		req.ProtocolInfo = pi
	}
	req.Scoring = r.cfg.scoring
}

// Act asks the agent for its move (POST /act). After a failure, or when
// the answer fails validation, it ends the talks.
func (r *Remote) Act(v *agent.View) agent.Action {
	if !r.active || r.failed() {
		if !r.active {
			r.fail(r.wrap(PathAct, v.Round, errors.New("extagent: Act before Init")))
		}
		return agent.Action{Kind: agent.EndTalks}
	}
	total := r.historyLen(v)
	if r.sent > total {
		r.sent = 0 // a history that shrank: send it all again
	}
	req := ActRequest{Negotiation: r.id, Time: v.Time, Round: v.Round, HistoryStart: r.sent,
		History: r.history(v, r.sent)}
	var current framework.Package
	if c := v.Current; c != nil {
		req.Current = &Offer{By: c.By, Round: c.Round, Package: c.Package}
		req.CanAccept = true
		current = c.Package
	}
	body, err := r.post(PathAct, &req, r.cfg.timeout)
	if err != nil {
		r.fail(r.wrap(PathAct, v.Round, err))
		return agent.Action{Kind: agent.EndTalks}
	}
	r.sent = total
	act, err := ParseAnswer(body, r.levels, current)
	if err != nil {
		r.fail(r.wrap(PathAct, v.Round, err))
		return agent.Action{Kind: agent.EndTalks}
	}
	return act
}

// useMoves reports whether the history sent is v.Moves (version 2, when
// the View has them) rather than v.History's offers.
func (r *Remote) useMoves(v *agent.View) bool {
	return r.version == Version2 && (v.Moves != nil || len(v.History) == 0)
}

// historyLen is the length of the full public history in the protocol's
// version.
func (r *Remote) historyLen(v *agent.View) int {
	if r.useMoves(v) {
		return len(v.Moves)
	}
	return len(v.History)
}

// history returns the public history from index from on in the protocol's
// version: offers (version 1) or every move (version 2; the offers of
// v.History as moves when the View has no Moves).
func (r *Remote) history(v *agent.View, from int) []Move {
	if r.useMoves(v) {
		out := make([]Move, len(v.Moves)-from)
		for i, m := range v.Moves[from:] {
			out[i] = Move{By: m.By, Round: m.Round, Kind: m.Kind, Package: m.Package}
			if m.Kind == agent.MoveVote {
				yes := m.Yes
				out[i].Vote = &yes
			}
		}
		return out
	}
	kind := ""
	if r.version == Version2 {
		kind = agent.MoveOffer
	}
	out := make([]Move, len(v.History)-from)
	for i, o := range v.History[from:] {
		out[i] = Move{By: o.By, Round: o.Round, Kind: kind, Package: o.Package}
	}
	return out
}

// endAfterFailure bounds the /end sent to an agent that failed: it may
// still be busy with the call that timed out.
const endAfterFailure = time.Second

// End reports the outcome to the agent (POST /end) and closes the
// negotiation. It does nothing when no negotiation is open. After the
// agent's own failure it still sends /end (so that the agent can free the
// negotiation), within at most a second and outside the time budget, and
// the answer is not checked.
func (r *Remote) End(o Outcome) {
	if !r.active {
		return
	}
	r.active = false
	own := r.Err()
	req := EndRequest{Negotiation: r.id, Status: o.Status, Agreement: o.Agreement, Reason: o.Reason,
		Round: o.Round, Time: o.Time}
	if o.Agreement != nil && r.table != nil && CheckPackage(o.Agreement, r.levels) == nil {
		u := r.table.Utility(o.Agreement)
		req.Utility = &u
	}
	if own != nil && req.Reason == "" {
		req.Reason = own.Error()
	}
	if r.version == Version2 {
		req.Cause, req.By = o.Cause, o.By
		if own != nil {
			req.OwnError = own.Error()
			if o.Cause == "" || o.Cause == CauseAbandoned {
				req.Cause, req.By = CauseAgentError, r.self
				if errors.Is(own, ErrTimeout) || errors.Is(own, ErrBudget) {
					req.Cause = CauseTimeout
				}
			}
		}
		if req.Cause == "" {
			req.Cause = CauseAbandoned
			if o.Agreement != nil {
				req.Cause = CauseAgreement
			}
		}
		if o.Agreement != nil && r.fw != nil && CheckPackage(o.Agreement, r.levels) == nil {
			req.AgreementLabels = r.fw.IDs(o.Agreement)
		}
	}
	if req.Agreement == nil && req.Reason == "" {
		req.Reason = req.Status
	}
	r.table, r.fw = nil, nil
	if own != nil {
		if b, err := json.Marshal(&req); err == nil {
			_, _ = r.do(http.MethodPost, PathEnd, b, min(endAfterFailure, r.cfg.timeout))
		}
		return
	}
	body, err := r.post(PathEnd, &req, r.cfg.timeout)
	if err == nil {
		err = checkAck(body)
	}
	if err != nil {
		r.fail(r.wrap(PathEnd, o.Round, err))
	}
}

func (r *Remote) wrap(path string, round int, err error) error {
	if round > 0 {
		return fmt.Errorf("agent %s: %s (round %d): %w", r.name, path, round, err)
	}
	return fmt.Errorf("agent %s: %s: %w", r.name, path, err)
}

// post sends one call of the current negotiation within timeout and the
// remaining budget.
func (r *Remote) post(path string, req any, timeout time.Duration) ([]byte, error) {
	if r.cfg.budget > 0 {
		left := r.cfg.budget - r.used
		if left <= 0 {
			return nil, fmt.Errorf("%w (%v)", ErrBudget, r.cfg.budget)
		}
		if left < timeout {
			timeout = left
		}
	}
	b, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("extagent: encoding %s: %v", path, err)
	}
	start := time.Now()
	body, err := r.do(http.MethodPost, path, b, timeout)
	d := time.Since(start)
	r.used += d
	r.calls++
	r.elapsed += d
	if errors.Is(err, ErrTimeout) && r.cfg.budget > 0 && r.used >= r.cfg.budget {
		return nil, fmt.Errorf("%w (%v)", ErrBudget, r.cfg.budget)
	}
	return body, err
}

// do performs one HTTP exchange and returns the body of a 200 answer.
func (r *Remote) do(method, path string, body []byte, timeout time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.base+path, rd)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTransport, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := r.cfg.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w (%v)", ErrTimeout, timeout)
		}
		return nil, fmt.Errorf("%w: %v", ErrTransport, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, r.cfg.maxResp+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w (%v)", ErrTimeout, timeout)
		}
		return nil, fmt.Errorf("%w: reading the answer: %v", ErrTransport, err)
	}
	if int64(len(data)) > r.cfg.maxResp {
		// Do not drain an endless body: closing drops the connection.
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, r.cfg.maxResp)
	}
	if resp.StatusCode != http.StatusOK {
		msg := strings.TrimSpace(string(data))
		var e ErrorReply
		if json.Unmarshal(data, &e) == nil && e.Error != "" {
			msg = e.Error
		}
		if len(msg) > 200 {
			msg = msg[:200] + "…"
		}
		return nil, fmt.Errorf("%w: %s: %q", ErrStatus, resp.Status, msg)
	}
	return data, nil
}

// checkAck validates the reply to /init or /end: a JSON object.
func checkAck(body []byte) error {
	var a map[string]any
	if !isObject(body) {
		return fmt.Errorf("%w: want a JSON object, got %s", ErrMalformed, quote(body))
	}
	if err := decodeStrict(body, &a); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return nil
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "n-" + hex.EncodeToString(b[:])
}

// SetAgents tells every *Remote among agents (by party id) the names of the
// agents playing parties (ids in turn order), names[id], for version 2's
// /init "parties_info[].agent". Call it before the negotiation starts, and
// only where the configuration makes the names public.
func SetAgents(agents map[string]agent.Negotiator, parties []string, names map[string]string) {
	list := make([]string, len(parties))
	for i, id := range parties {
		list[i] = names[id]
	}
	for _, a := range agents {
		if r, ok := a.(*Remote); ok {
			r.cfg.agents = slices.Clone(list)
		}
	}
}

// NoDeadlineWarning returns a warning when external agents (any in agents)
// play a negotiation without deadline (rounds and duration 0): /act's time
// then stays 0, so time-based agents never concede. "" otherwise.
func NoDeadlineWarning(agents map[string]agent.Negotiator, rounds int, duration time.Duration) string {
	if len(agents) == 0 || rounds > 0 || duration > 0 {
		return ""
	}
	return "no deadline: external agents are told deadline.time \"none\" and time stays 0 at every /act, so time-based agents never concede; give a deadline in rounds or wall time"
}

// ErrNonAdditive is reported when a version 1 agent would play a profile
// with interactions, which its additive table cannot express.
var ErrNonAdditive = errors.New("extagent: a parley-agent/1 agent cannot play a profile with interactions")

// tableInteractions returns t's effects for the wire, in Utility's order
// (nil when t is additive).
func tableInteractions(f *framework.Framework, t *profile.Table) []TableInteraction {
	var out []TableInteraction
	for _, e := range t.Effects {
		ti := TableInteraction{Value: e.Value, Outside: e.Outside, Last: e.Last}
		for _, tm := range e.Terms {
			pt := &f.Points[tm.Point]
			tt := TableTerm{Point: tm.Point, PointID: pt.ID, Levels: []int{}, LevelIDs: []string{}}
			for l, in := range tm.In {
				if in {
					tt.Levels = append(tt.Levels, l)
					tt.LevelIDs = append(tt.LevelIDs, pt.LevelID(l))
				}
			}
			ti.Terms = append(ti.Terms, tt)
		}
		out = append(out, ti)
	}
	return out
}
