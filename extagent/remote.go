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
	timeout  time.Duration
	initTO   time.Duration
	budget   time.Duration
	maxResp  int64
	client   *http.Client
	protocol string
	duration time.Duration
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
// recorded (Err) after which the Remote makes no more calls in that
// negotiation and ends the talks at its turn.
type Remote struct {
	name string
	base string
	cfg  config

	mu  sync.Mutex
	err error

	id      string
	active  bool
	levels  []int
	table   *profile.Table
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
	Reason    string
	Round     int
	Time      float64
}

// StatusAbandoned is the /end status of a negotiation a Remote gives up
// without an outcome (it is initialised for the next one first).
const StatusAbandoned = "abandoned"

// OutcomeOf returns the outcome of a finished (or stopped) session.
func OutcomeOf(s *session.Session) Outcome {
	return Outcome{Status: s.State.Status, Agreement: s.State.Agreement.Clone(), Reason: s.State.Reason,
		Round: s.State.Round, Time: s.Time()}
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
	body, err := r.do(http.MethodGet, PathHello, nil, c.initTO)
	if err != nil {
		return nil, fmt.Errorf("extagent: handshake with %s: %w", shown, err)
	}
	var h Hello
	if !isObject(body) {
		return nil, fmt.Errorf("extagent: handshake with %s: %w: want a JSON object, got %s", shown, ErrMalformed, quote(body))
	}
	if err := decodeStrict(body, &h); err != nil {
		return nil, fmt.Errorf("extagent: handshake with %s: %w: %v", shown, ErrMalformed, err)
	}
	if h.Version != Version {
		return nil, fmt.Errorf("extagent: handshake with %s: %w: agent speaks %q, Parley %q", shown, ErrVersion, h.Version, Version)
	}
	if r.name == "" {
		r.name = h.Name
	}
	if r.name == "" {
		r.name = "external(" + shown + ")"
	}
	return r, nil
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
	if r.active && !r.failed() {
		r.End(Outcome{Status: StatusAbandoned, Reason: "the session stopped without reporting an outcome"})
	}
	r.mu.Lock()
	r.err = nil
	r.mu.Unlock()
	r.id, r.active, r.sent, r.used, r.calls, r.elapsed = newID(), true, 0, 0, 0, 0
	r.levels = v.Framework.Radix()
	req := InitRequest{Version: Version, Negotiation: r.id, Self: v.Self, Parties: v.Parties,
		Protocol: r.cfg.protocol, Framework: v.Framework, Levels: r.levels, Profile: v.Profile,
		Deadline: Deadline{Rounds: v.Deadline, Seconds: r.cfg.duration.Seconds()}}
	t := v.Table
	if t == nil && v.Profile != nil {
		t, _ = v.Profile.Compile(v.Framework)
	}
	r.table = t
	if t != nil {
		hi, _ := t.Max()
		req.Table = &Table{Contrib: t.Contrib, Reservation: t.Reservation, HasReservation: t.HasReservation, Min: t.Min(), Max: hi}
	}
	body, err := r.post(PathInit, &req, r.cfg.initTO)
	if err == nil {
		err = checkAck(body)
	}
	if err != nil {
		r.fail(r.wrap(PathInit, 0, err))
	}
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
	if r.sent > len(v.History) {
		r.sent = 0 // a history that shrank: send it all again
	}
	req := ActRequest{Negotiation: r.id, Time: v.Time, Round: v.Round, HistoryStart: r.sent,
		History: make([]Offer, 0, len(v.History)-r.sent)}
	for _, o := range v.History[r.sent:] {
		req.History = append(req.History, Offer{By: o.By, Round: o.Round, Package: o.Package})
	}
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
	r.sent = len(v.History)
	act, err := ParseAnswer(body, r.levels, current)
	if err != nil {
		r.fail(r.wrap(PathAct, v.Round, err))
		return agent.Action{Kind: agent.EndTalks}
	}
	return act
}

// End reports the outcome to the agent (POST /end) and closes the
// negotiation. It does nothing when no negotiation is open or after a
// failure (a broken agent is not called again).
func (r *Remote) End(o Outcome) {
	if !r.active {
		return
	}
	r.active = false
	if r.failed() {
		return
	}
	req := EndRequest{Negotiation: r.id, Status: o.Status, Agreement: o.Agreement, Reason: o.Reason,
		Round: o.Round, Time: o.Time}
	if o.Agreement != nil && r.table != nil && CheckPackage(o.Agreement, r.levels) == nil {
		u := r.table.Utility(o.Agreement)
		req.Utility = &u
	}
	body, err := r.post(PathEnd, &req, r.cfg.timeout)
	if err == nil {
		err = checkAck(body)
	}
	if err != nil {
		r.fail(r.wrap(PathEnd, o.Round, err))
	}
	r.table = nil
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
