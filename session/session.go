package session

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/plan"
	"github.com/parley-negotiation/parley/scenario"
)

// Scoring of a session that ends without agreement.
const (
	ScoreReservation = "reservation" // each party gets its reservation value
	ScoreZero        = "zero"        // GENIUS/ANAC scoring: no agreement scores 0
)

// Status of a session.
const (
	StatusOpen        = "negotiating"
	StatusNoAgreement = "no-agreement"
	StatusPending     = "pending-ratification"
	StatusInForce     = "in-force"
	StatusFailed      = "failed"
)

// Config is how a session runs. It is the body of the log's first event.
type Config struct {
	Scenario string `json:"scenario"`
	// Digest identifies the scenario's content; replay refuses another one.
	// Engine version 3 records no digest in this public event (it could be
	// checked against guesses of the profiles): the scenario record, visible
	// to Nobody, carries the scenario itself (see WithScenario).
	Digest   string `json:"digest,omitempty"`
	Protocol string `json:"protocol"`
	// Parties negotiate, in turn order (default: every principal).
	Parties  []string `json:"parties"`
	Mediator string   `json:"mediator,omitempty"`
	// Rounds is the deadline in rounds (0: none); Duration in wall time (0: none).
	Rounds   int           `json:"rounds,omitempty"`
	Duration time.Duration `json:"duration,omitempty"`
	// Format overrides the scenario's default meeting format.
	Format  string `json:"format,omitempty"`
	Scoring string `json:"scoring,omitempty"`
	// BlindReveal says what blind bidding reveals of the overlap of the
	// bids: RevealSize (default), RevealPoints or RevealPackages.
	BlindReveal string `json:"blind_reveal,omitempty"`
	// MediatorAccess says what of the parties' profiles the mediator may use:
	// AccessNone (default) or AccessProfiles.
	MediatorAccess string `json:"mediator_access,omitempty"`
	// Verifiers are the plan's verifiers that file reports once there is
	// an agreement (default: all of the scenario's plan).
	Verifiers []string `json:"verifiers,omitempty"`
	// Start is the wall time the session opened.
	Start time.Time `json:"start"`
	// Engine is the version of the engine's rules the log is written
	// under: EngineVersion for new sessions, 0 for logs written before
	// version 2 (their agreement notes carry neither the version agreed
	// nor the assents). Replay follows the log's version.
	Engine int `json:"engine,omitempty"`
}

// EngineVersion is the version of the engine's rules of new sessions.
// Version 2: the agreement note names the version agreed and the parties
// that assented (or, under a quorum with private votes, counts them), and
// a ratification may say when its body voted.
// Version 3: a session cannot open without every party its decision rule
// needs (every veto holder; every principal under unanimity; a quorum of
// principals), only principals negotiate, and a veto holder's assent is
// needed whoever sits; ratification steps wait for the steps they name and
// for the plan's commitment they carry out; every event has a random salt
// its hash covers, the start event carries no digest, and a session opened
// WithScenario records its scenario (visible to Nobody) as event 2.
const EngineVersion = 3

// Offer is the package on the table and who put it there.
type Offer struct {
	By      string            `json:"by"`
	Package framework.Package `json:"package"`
	Round   int               `json:"round"`
}

// State is everything the engine derives from the log.
type State struct {
	Round int `json:"round"` // 1-based
	Turn  int `json:"turn"`  // index into Config.Parties whose turn it is (turn-based protocols)
	// Current is the offer, proposal or text on the table.
	Current *Offer `json:"current,omitempty"`
	// Accepted lists who accepted Current since it was made.
	Accepted []string        `json:"accepted,omitempty"`
	Left     map[string]bool `json:"left,omitempty"`
	Status   string          `json:"status"`
	// Agreement is the agreed package, when there is one.
	Agreement framework.Package `json:"agreement,omitempty"`
	Reason    string            `json:"reason,omitempty"`
	// Ratified tells, per ratification step of the scenario, whether it completed.
	Ratified []bool `json:"ratified,omitempty"`
	// Text is the mediator's single negotiating text (per point, open options).
	Text     Text                       `json:"text,omitempty"`
	Version  int                        `json:"version,omitempty"`
	Replies  map[string][]PointResponse `json:"replies,omitempty"`
	VoteOpen bool                       `json:"vote_open,omitempty"`
	Votes    map[string]bool            `json:"votes,omitempty"`
	// Bids are blind bids: private to their party, never in a public event.
	Bids map[string][]framework.Package `json:"bids,omitempty"`
	// Waiting lists, in the order of Config.Parties, the parties whose reply
	// the current round still awaits (mediated protocols and blind bidding);
	// empty when it is the mediator's move.
	Waiting []string `json:"waiting,omitempty"`
	// Provisional holds the points agreed provisionally under the
	// "provisional" agreement mode (framework.Open elsewhere).
	Provisional framework.Package `json:"provisional,omitempty"`
	// Standing is the last proposal every party accepted (vote protocol):
	// it becomes the agreement at the deadline.
	Standing *Offer `json:"standing,omitempty"`
	// Table holds the offers of the current round under amop, in turn
	// order; VoteOn is the 1-based offer being voted on (0: offer phase).
	Table  []Offer `json:"table,omitempty"`
	VoteOn int     `json:"vote_on,omitempty"`
	// Prior is the proposal before Current (feedback protocol): parties
	// give feedback on Current compared with it.
	Prior *Offer `json:"prior,omitempty"`
	// Fault is the agent failure that ended the talks (KindFault), if any.
	Fault *Fault `json:"fault,omitempty"`
	// standingVersion and standingYes are the proposal number of Standing
	// and who accepted it (private: the agreement note's record).
	standingVersion int
	standingYes     map[string]bool
}

// Done reports whether no more negotiation moves are possible.
func (st *State) Done() bool { return st.Status != StatusOpen }

// Protocol is the rules of moves. Implementations hold no per-session state:
// everything lives in Session.State, so replay rebuilds it.
type Protocol interface {
	Name() string
	// Open is called once when the session starts and may adjust the state
	// (e.g. who moves first).
	Open(s *Session)
	// Check validates a move against the protocol and the state without
	// changing anything; the error says what was wrong.
	Check(s *Session, m *Move) error
	// Visible returns who may see the move's event (nil: everyone).
	Visible(s *Session, m *Move) []string
	// Apply applies a checked move; it may call s.Note to draw consequences.
	Apply(s *Session, m *Move)
}

// Clock returns the current wall time.
type Clock func() time.Time

// Session is one negotiation in progress.
type Session struct {
	Scenario *scenario.Scenario
	Config   Config
	State    State
	proto    Protocol
	clock    Clock
	events   []Event
	sealed   int
	now      time.Time
	pending  []Event
	// salts draws the salts of new events (engine version 3 on); recorded
	// holds the salts of a replayed log, by position.
	salts    *mrand.ChaCha8
	recorded []string
	// slabs is the storage of the moves of the log's events, of the
	// offers put on the table and of the moves' packages (see reserveMove).
	slabs slabs
}

// Chunk sizes of a session's slabs: the first chunk is small (a session
// of a few moves stays small), each next one twice the last, up to the
// maximum; the sizes fill the allocator's size classes (a chunk of 36 moves
// of 224 bytes is 8064 bytes, of 170 offers 8160, of 1024 levels 8192).
const (
	moveFirst  = 9
	moveMax    = 36
	offerFirst = 10
	offerMax   = 170
	pkgFirst   = 64
	pkgMax     = 1024
)

// slab is storage carved from chunks: a move or an offer costs no
// allocation of its own. A carved element is never written again (except
// the slot of a refused move, given back at once), so pointers into a
// chunk stay valid; chunks are reused only after recycle (a Runner's
// Buffers, once the session is released).
type slab[T any] struct {
	cur   []T   // the chunk being carved
	full  [][]T // chunks carved before cur
	spare [][]T // cleared chunks, carved before any new one is made
}

// take returns the next n elements (capacity n: appending to them never
// writes into the next ones).
func (b *slab[T]) take(n, first, most int) []T {
	if n > most/4 {
		return make([]T, n)
	}
	if len(b.cur)+n > cap(b.cur) {
		if b.cur != nil {
			b.full = append(b.full, b.cur)
		}
		b.cur = nil
		for len(b.spare) > 0 && b.cur == nil {
			c := b.spare[len(b.spare)-1]
			b.spare = b.spare[:len(b.spare)-1]
			if cap(c) >= n {
				b.cur = c[:0]
			}
		}
		if b.cur == nil {
			grown := first
			if k := len(b.full); k > 0 {
				grown = cap(b.full[k-1])
			}
			b.cur = make([]T, 0, nextChunk(grown, first, most))
		}
	}
	k := len(b.cur)
	b.cur = b.cur[:k+n]
	return b.cur[k : k+n : k+n]
}

// untake gives back the last element taken (by take(1, …)), cleared.
func (b *slab[T]) untake() {
	var zero T
	k := len(b.cur) - 1
	b.cur[k] = zero
	b.cur = b.cur[:k]
}

// recycle clears every chunk and gives them to to as its spare chunks
// (with b's lists, so that a session that needs no more chunks than the
// last one allocates nothing); b is left empty.
func (b *slab[T]) recycle(to *slab[T]) {
	spare := b.spare
	for _, c := range b.full {
		clear(c)
		spare = append(spare, c[:0])
	}
	if cap(b.cur) > 0 {
		clear(b.cur)
		spare = append(spare, b.cur[:0])
	}
	spare = append(spare, to.spare...)
	to.spare, to.full = spare, b.full[:0]
	*b = slab[T]{}
}

// adopt takes over from's spare chunks (and its lists, when b has none).
func (b *slab[T]) adopt(from *slab[T]) {
	if len(b.spare) == 0 && len(b.full) == 0 {
		b.spare, b.full = from.spare, from.full[:0]
	} else {
		b.spare = append(b.spare, from.spare...)
	}
	*from = slab[T]{}
}

// nextChunk returns the capacity of the chunk after one of capacity n.
func nextChunk(n, first, most int) int {
	if n < first {
		return first
	}
	return min(2*n, most)
}

// slabs are a session's storage of moves, offers and packages.
type slabs struct {
	moves  slab[Move]
	offers slab[Offer]
	pkgs   slab[int]
}

// adopt takes over the spare chunks of from (a Runner's Buffers).
func (s *slabs) adopt(from *slabs) {
	s.moves.adopt(&from.moves)
	s.offers.adopt(&from.offers)
	s.pkgs.adopt(&from.pkgs)
}

// recycle clears every chunk of s and gives them to to (a Runner's
// Buffers): no move, offer or package of the session may be used after.
func (s *slabs) recycle(to *slabs) {
	s.moves.recycle(&to.moves)
	s.offers.recycle(&to.offers)
	s.pkgs.recycle(&to.pkgs)
}

// reserveMove copies m into the session's move storage and returns the
// copy: the move an event points at. A refused move gives its slot back
// (unreserveMove).
func (s *Session) reserveMove(m *Move) *Move {
	p := &s.slabs.moves.take(1, moveFirst, moveMax)[0]
	*p = *m
	return p
}

// unreserveMove gives back the slot of the last move reserved, which no
// event points at.
func (s *Session) unreserveMove() { s.slabs.moves.untake() }

// newOffer returns a pointer to a copy of o in the session's offer storage.
func (s *Session) newOffer(o Offer) *Offer {
	p := &s.slabs.offers.take(1, offerFirst, offerMax)[0]
	*p = o
	return p
}

// clonePackage returns a copy of p (nil when p is empty, as
// framework.Package.Clone) carved from the session's package storage.
func (s *Session) clonePackage(p framework.Package) framework.Package {
	if len(p) == 0 {
		return nil
	}
	c := s.slabs.pkgs.take(len(p), pkgFirst, pkgMax)
	copy(c, p)
	return framework.Package(c)
}

// Option configures New.
type Option func(*options)

type options struct {
	scenario json.RawMessage
	seed     *[32]byte
}

// WithScenario records the scenario in the log (event 2, visible to
// Nobody): raw is the scenario as EmbedScenario writes it, and must be the
// scenario the session is opened on. A log that records its scenario is
// self-contained: Replay, verification and the agreement need only the log.
func WithScenario(raw json.RawMessage) Option { return func(o *options) { o.scenario = raw } }

// WithSaltSeed draws the events' salts from seed instead of the system's
// random source: for reproducible logs in tests and examples only (anyone
// who knows the seed can check guesses of hidden events against their
// hashes).
func WithSaltSeed(seed [32]byte) Option { return func(o *options) { o.seed = &seed } }

// Errors of Submit.
var (
	ErrClosed    = errors.New("session: closed")
	ErrNotParty  = errors.New("session: not a party to this session")
	ErrOutOfTurn = errors.New("session: not this party's turn")
	ErrInvalid   = errors.New("session: invalid move")
	ErrFormat    = errors.New("session: the format does not allow this")
	// ErrPrecondition: a ratification step's condition (the plan's
	// commitment it carries out) does not hold yet.
	ErrPrecondition = errors.New("session: precondition not met")
)

// Digest returns the identity of a scenario's content.
func Digest(sc *scenario.Scenario) string {
	b, _ := json.Marshal(struct {
		F *framework.Framework
		P []scenario.Party
		D scenario.Decision
		M scenario.Format
		I *plan.Plan `json:",omitempty"` // absent without a plan: digests of older scenarios stay
	}{sc.Framework, sc.Parties, sc.Decision, sc.Format, sc.Plan})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:16])
}

// New opens a session of sc under cfg (Scenario, Start and Engine are
// filled in, and the defaults: the parties, the format, the scoring) and
// appends the "start" event. A configuration the engine refuses is an
// error that says what is wrong (see CheckConfig).
func New(sc *scenario.Scenario, cfg Config, clock Clock, opts ...Option) (*Session, error) {
	if cfg.Engine == 0 {
		cfg.Engine = EngineVersion
	}
	var o options
	for _, f := range opts {
		f(&o)
	}
	if o.scenario != nil {
		raw, err := compactJSON(o.scenario)
		if err != nil {
			return nil, fmt.Errorf("session: the scenario to record is not JSON: %w", err)
		}
		o.scenario = raw
	}
	return open(sc, cfg, clock, &o, nil)
}

// CheckConfig reports whether New would open a session of sc under cfg,
// and if not, why: the same checks, for callers that validate settings
// before anything is written (the command line, the room, tournaments).
func CheckConfig(sc *scenario.Scenario, cfg Config) error {
	if cfg.Engine == 0 {
		cfg.Engine = EngineVersion
	}
	_, _, err := prepare(sc, cfg)
	return err
}

// Formats lists the meeting formats.
var Formats = []string{scenario.Plenary, scenario.Bilateral, scenario.Trilateral, scenario.Proximity}

// prepare fills in cfg's defaults and checks it against sc and the
// protocol.
func prepare(sc *scenario.Scenario, cfg Config) (Config, Protocol, error) {
	if cfg.Engine > EngineVersion {
		return cfg, nil, fmt.Errorf("session: the log was written under engine version %d; this engine knows versions up to %d", cfg.Engine, EngineVersion)
	}
	if cfg.Engine < 0 {
		return cfg, nil, fmt.Errorf("session: engine version %d", cfg.Engine)
	}
	reg, ok := protocols[cfg.Protocol]
	if !ok {
		return cfg, nil, fmt.Errorf("session: unknown protocol %q (known: %s)", cfg.Protocol, strings.Join(Protocols(), ", "))
	}
	if len(cfg.Parties) == 0 {
		// Every principal, with or without a profile (people negotiate
		// without one; automated agents need one, see NewRunner).
		for _, p := range sc.Parties {
			if p.Role == scenario.Principal {
				cfg.Parties = append(cfg.Parties, p.ID)
			}
		}
	}
	for i, id := range cfg.Parties {
		if sc.Party(id) == nil {
			return cfg, nil, fmt.Errorf("session: scenario %q has no party %q%s", sc.Name, id, partyList(sc))
		}
		if slices.Contains(cfg.Parties[:i], id) {
			return cfg, nil, fmt.Errorf("session: party %q is listed twice", id)
		}
	}
	if cfg.Mediator != "" && sc.Party(cfg.Mediator) == nil {
		return cfg, nil, fmt.Errorf("session: scenario %q has no mediator %q%s", sc.Name, cfg.Mediator, partyList(sc))
	}
	if cfg.Scoring == "" {
		cfg.Scoring = ScoreReservation
	}
	if cfg.Scoring != ScoreReservation && cfg.Scoring != ScoreZero {
		return cfg, nil, fmt.Errorf("session: scoring %q (want %s or %s)", cfg.Scoring, ScoreReservation, ScoreZero)
	}
	if cfg.Rounds < 0 || cfg.Duration < 0 {
		return cfg, nil, fmt.Errorf("session: negative deadline (rounds %d, duration %v)", cfg.Rounds, cfg.Duration)
	}
	if cfg.Format == "" {
		cfg.Format = sc.Format.Default
	}
	if cfg.Format == "" {
		cfg.Format = scenario.Plenary
	}
	if !slices.Contains(Formats, cfg.Format) {
		return cfg, nil, fmt.Errorf("session: unknown format %q (known: %s)", cfg.Format, strings.Join(Formats, ", "))
	}
	if err := configureVerifiers(sc, &cfg); err != nil {
		return cfg, nil, err
	}
	proto := reg.make()
	if c, ok := proto.(configChecker); ok {
		if err := c.CheckConfig(sc, cfg); err != nil {
			return cfg, nil, err
		}
	}
	if cfg.Engine >= 3 {
		if err := checkTable(sc, &cfg); err != nil {
			return cfg, nil, err
		}
	}
	return cfg, proto, nil
}

// partyList lists a scenario's parties for an error message.
func partyList(sc *scenario.Scenario) string {
	var ids []string
	for _, p := range sc.Parties {
		ids = append(ids, p.ID+" ("+string(p.Role)+")")
	}
	if len(ids) == 0 {
		return ""
	}
	return " (parties: " + strings.Join(ids, ", ") + ")"
}

// checkTable checks that the table holds every party the decision rule
// needs (engine version 3): at least two negotiators, all of them
// principals; every veto holder; every principal under unanimity; at least
// a quorum of principals under a quorum rule. A mediator has the mediator
// role.
func checkTable(sc *scenario.Scenario, cfg *Config) error {
	for _, id := range cfg.Parties {
		if p := sc.Party(id); p.Role != scenario.Principal {
			return fmt.Errorf("session: %q is %s of scenario %q; only principals negotiate", id, p.Role.Article(), sc.Name)
		}
	}
	if cfg.Mediator != "" {
		if p := sc.Party(cfg.Mediator); p.Role != scenario.Mediator {
			return fmt.Errorf("session: %q is %s of scenario %q, not a mediator", cfg.Mediator, p.Role.Article(), sc.Name)
		}
	}
	if len(cfg.Parties) < 2 {
		return fmt.Errorf("session: a negotiation needs at least two negotiating parties; scenario %q gives %d (%s)", sc.Name, len(cfg.Parties), strings.Join(cfg.Parties, ", "))
	}
	d := sc.Decision
	for _, v := range d.Vetoes {
		if !slices.Contains(cfg.Parties, v) {
			return fmt.Errorf("session: %s holds a veto in scenario %q (no deal unless %s agrees) and is not at the table (parties: %s)", v, sc.Name, v, strings.Join(cfg.Parties, ", "))
		}
	}
	var missing []string
	n := 0
	for _, p := range sc.Parties {
		if p.Role != scenario.Principal {
			continue
		}
		if slices.Contains(cfg.Parties, p.ID) {
			n++
		} else {
			missing = append(missing, p.ID)
		}
	}
	switch {
	case d.Rule == scenario.Quorum && n < d.Quorum:
		return fmt.Errorf("session: the decision rule of scenario %q needs %d principals to agree and only %d are at the table (%s)", sc.Name, d.Quorum, n, strings.Join(cfg.Parties, ", "))
	case d.Rule != scenario.Quorum && len(missing) > 0:
		return fmt.Errorf("session: the decision rule of scenario %q is unanimity (every principal agrees), and %s %s not at the table", sc.Name, strings.Join(missing, ", "), isAre(len(missing)))
	}
	return nil
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// open opens a session: New's, with o's options, or Replay's, with the
// log's salts (recorded).
func open(sc *scenario.Scenario, cfg Config, clock Clock, o *options, recorded []string) (*Session, error) {
	if clock == nil {
		clock = time.Now
	}
	cfg, proto, err := prepare(sc, cfg)
	if err != nil {
		return nil, err
	}
	cfg.Scenario = sc.Name
	if cfg.Engine < 3 {
		cfg.Digest = Digest(sc)
	} else {
		cfg.Digest = ""
	}
	if cfg.Start.IsZero() {
		cfg.Start = clock()
	}
	s := &Session{Scenario: sc, Config: cfg, proto: proto, clock: clock, recorded: recorded}
	if cfg.Engine >= 3 {
		var seed [32]byte
		if o.seed != nil {
			seed = *o.seed
		} else if _, err := rand.Read(seed[:]); err != nil {
			return nil, fmt.Errorf("session: random source: %w", err)
		}
		s.salts = mrand.NewChaCha8(seed)
	}
	s.State = State{Round: 1, Status: StatusOpen}
	s.now = cfg.Start
	c := cfg
	s.append(Event{Kind: "start", Note: &Note{Config: &c}})
	if o.scenario != nil && cfg.Engine >= 3 {
		s.append(Event{Kind: KindScenario, Note: &Note{Scenario: o.scenario}, Visible: []string{Nobody}})
	}
	s.proto.Open(s)
	s.flush()
	return s, nil
}

// salt returns the salt of event seq: the recorded one when replaying a
// log that has it, a fresh random one otherwise ("" before version 3).
func (s *Session) salt(seq int) string {
	if s.Config.Engine < 3 {
		return ""
	}
	if seq <= len(s.recorded) {
		return s.recorded[seq-1]
	}
	var b [16]byte
	for i := 0; i < len(b); i += 8 {
		v := s.salts.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return hex.EncodeToString(b[:])
}

// Protocol returns the session's protocol.
func (s *Session) Protocol() Protocol { return s.proto }

// SetClock replaces the session's clock, e.g. to carry on in real time
// with a session Replay rebuilt from its log.
func (s *Session) SetClock(c Clock) {
	if c == nil {
		c = time.Now
	}
	s.clock = c
}

// append adds an event with sequence, round, time and link filled in.
func (s *Session) append(e Event) {
	e.Seq = len(s.events) + 1
	e.Round = s.State.Round
	e.Time = s.now
	s.events = append(s.events, e)
}

// Note appends an event the engine draws (protocols call it from Apply).
func (s *Session) Note(kind string, n *Note, visible ...string) {
	s.pending = append(s.pending, Event{Kind: kind, Note: n, Visible: visible})
}

func (s *Session) flush() {
	for _, e := range s.pending {
		s.append(e)
	}
	s.pending = s.pending[:0]
}

// Events returns the log, hash-chained. The slice must not be modified.
func (s *Session) Events() []Event {
	for ; s.sealed < len(s.events); s.sealed++ {
		e := &s.events[s.sealed]
		if s.sealed > 0 {
			e.Prev = s.events[s.sealed-1].Hash
		}
		e.Salt = s.salt(e.Seq)
		e.Hash = e.computeHash()
	}
	return s.events
}

// Len returns the number of events so far.
func (s *Session) Len() int { return len(s.events) }

// Submit validates a move against the session (party, deadline, protocol,
// format), appends it and its consequences to the log, and returns the
// move's sequence number. A refused move changes nothing.
func (s *Session) Submit(move Move) (int, error) {
	s.tick()
	s.expire()
	// The move is checked where its event will point (the session's move
	// storage), so that the caller's copy never escapes.
	m := s.reserveMove(&move)
	if err := s.check(m); err != nil {
		s.unreserveMove()
		return 0, err
	}
	m.Package = s.clonePackage(m.Package)
	var visible []string
	switch m.Kind {
	case KindMessage, KindRelay:
		visible = messageVisible(m)
	case KindSeat:
		visible = s.seatVisible(m)
	case KindRatify, KindLeave, KindReport, KindResponse, KindFault:
	default:
		visible = s.proto.Visible(s, m)
	}
	s.append(Event{Party: m.Party, Kind: m.Kind, Move: m, Visible: visible})
	seq := len(s.events)
	switch m.Kind {
	case KindRatify:
		s.applyRatify(m)
	case KindReport, KindResponse:
		s.applyImplementation(m)
	case KindMessage, KindRelay, KindSeat:
	case KindFault:
		s.applyFault(m)
	case KindLeave:
		if s.Config.Protocol == SAO {
			s.proto.Apply(s, m)
		} else {
			s.applyMediatedLeave(m)
		}
	default:
		s.proto.Apply(s, m)
	}
	s.flush()
	return seq, nil
}

// check validates a move against the session as it stands (party, status,
// protocol, format) without changing anything: Submit's checks, after the
// clock is read.
func (s *Session) check(m *Move) error {
	if s.State.Done() && m.Kind != KindRatify && m.Kind != KindMessage && m.Kind != KindRelay && m.Kind != KindSeat && !implementationMove(m.Kind) {
		return fmt.Errorf("%w: %s", ErrClosed, s.State.Status)
	}
	if m.Kind != KindSeat && !s.isMember(m.Party) && !s.verifierMove(m) {
		return fmt.Errorf("%w: %q", ErrNotParty, m.Party)
	}
	if m.When != nil && m.Kind != KindRatify {
		return fmt.Errorf("%w: only a ratification says when (its body's vote); a %s does not", ErrInvalid, m.Kind)
	}
	if err := checkUTF8(m); err != nil {
		return err
	}
	switch m.Kind {
	case KindRatify:
		return s.checkRatify(m)
	case KindReport, KindResponse:
		return s.checkImplementation(m)
	case KindMessage, KindRelay:
		return s.checkMessage(m)
	case KindSeat:
		return s.checkSeat(m)
	case KindFault:
		return s.checkFault(m)
	case KindLeave:
		if s.Config.Protocol == SAO {
			return s.proto.Check(s, m)
		}
		return s.checkMediatedLeave(m)
	}
	return s.proto.Check(s, m)
}

// Expire draws the consequences of the wall-clock deadline, if it passed.
// Callers with a wall-time deadline call it from a timer.
func (s *Session) Expire() {
	s.tick()
	s.expire()
}

// tick reads the clock. From engine version 3 time does not run backwards
// in a log: a clock set back (by hand, or the system's) reads as the time
// of the last event.
func (s *Session) tick() {
	s.now = s.clock()
	if n := len(s.events); s.Config.Engine >= 3 && n > 0 && s.now.Before(s.events[n-1].Time) {
		s.now = s.events[n-1].Time
	}
}

func (s *Session) expire() {
	if s.State.Done() || s.Config.Duration == 0 {
		return
	}
	if s.now.Sub(s.Config.Start) >= s.Config.Duration {
		reason := "the time limit of " + s.Config.Duration.String() + " passed"
		if d, ok := s.proto.(deadliner); ok {
			d.AtDeadline(s, reason)
		} else {
			s.Finish("deadline", reason)
		}
		s.flush()
	}
}

// Finish ends the session without agreement, noting why.
func (s *Session) Finish(kind, reason string) {
	s.State.Status = StatusNoAgreement
	s.State.Reason = reason
	// Current and Accepted stay as they were: the last offer and who had
	// accepted it (GENIUS reports that count for sessions without agreement).
	s.Note(kind, &Note{Reason: reason})
}

// Agree records an agreement on p: the decision rule has been met. With
// ratification steps in the scenario the agreement is pending until they
// complete. The note names no assents (protocols of this package record
// them through agree).
func (s *Session) Agree(p framework.Package) { s.agree(p, nil, 0, false) }

// agree records the agreement on p, decided by the principals in yes on
// the text version or proposal version (0: none). From engine version 2
// the note carries the version and the principals that assented, in turn
// order — unless the rule is a quorum and the assents were not public to
// the table, when it gives their number only (as a failed vote does).
func (s *Session) agree(p framework.Package, yes map[string]bool, version int, public bool) {
	n := &Note{Package: p.Clone()}
	if s.Config.Engine >= 2 {
		n.Version = version
		var assent []string
		for _, id := range s.Config.Parties {
			if q := s.Scenario.Party(id); q != nil && q.Role == scenario.Principal && !s.State.Left[id] && yes[id] {
				assent = append(assent, id)
			}
		}
		if public || s.Scenario.Decision.Rule != scenario.Quorum {
			n.Parties = assent
		} else {
			n.Count = len(assent)
		}
	}
	s.State.Agreement = p.Clone()
	steps := s.Scenario.Decision.Ratification
	status := StatusInForce
	if len(steps) > 0 {
		status = StatusPending
		s.State.Ratified = make([]bool, len(steps))
	}
	s.State.Status = status
	n.Status = status
	s.Note("agreement", n)
}

func (s *Session) isMember(id string) bool {
	return id != "" && (slices.Contains(s.Config.Parties, id) || id == s.Config.Mediator)
}

// Decide applies the scenario's decision rule to who said yes among the
// negotiating principals: unanimity or quorum, and every veto holder.
// It returns whether the rule is met and, if not, why.
func (s *Session) Decide(yes map[string]bool) (bool, string) {
	d := s.Scenario.Decision
	var principals []string
	for _, id := range s.Config.Parties {
		if p := s.Scenario.Party(id); p != nil && p.Role == scenario.Principal && !s.State.Left[id] {
			principals = append(principals, id)
		}
	}
	for _, v := range d.Vetoes {
		// From version 3 a veto holder is at the table from the start
		// (checkTable): its assent is needed, whoever sits.
		if (s.Config.Engine >= 3 || slices.Contains(s.Config.Parties, v)) && !yes[v] {
			return false, fmt.Sprintf("no deal unless %s agrees", v)
		}
	}
	n := 0
	var against []string
	for _, p := range principals {
		if yes[p] {
			n++
		} else {
			against = append(against, p)
		}
	}
	if d.Rule == scenario.Quorum {
		if n < d.Quorum {
			return false, fmt.Sprintf("%d of the %d needed principals agree", n, d.Quorum)
		}
		return true, ""
	}
	if len(against) > 0 {
		return false, fmt.Sprintf("unanimity needed; not agreeing: %v", against)
	}
	return true, ""
}

// Round helpers for turn-based protocols.

// NextTurn passes the turn to the next party still at the table and
// advances the round after the last one; it reports false when the round
// deadline has passed (the session is then finished).
func (s *Session) NextTurn() bool {
	n := len(s.Config.Parties)
	for range n {
		s.State.Turn++
		if s.State.Turn == n {
			s.State.Turn = 0
			s.State.Round++
			if s.Config.Rounds > 0 && s.State.Round > s.Config.Rounds {
				s.State.Round = s.Config.Rounds
				s.Finish("deadline", "no agreement within "+strconv.Itoa(s.Config.Rounds)+" rounds")
				return false
			}
		}
		if !s.State.Left[s.Config.Parties[s.State.Turn]] {
			return true
		}
	}
	return true
}

// TurnParty returns whose turn it is.
func (s *Session) TurnParty() string { return s.Config.Parties[s.State.Turn] }

// Time returns normalised time in [0,1] by the deadline, as GENIUS's
// timelines: with a round deadline R, round r is at r/(R+1)
// (DiscreteTimeline); with a wall-time deadline, the fraction elapsed.
func (s *Session) Time() float64 {
	switch {
	case s.Config.Rounds > 0:
		return min(float64(s.State.Round)/float64(s.Config.Rounds+1), 1)
	case s.Config.Duration > 0:
		t := float64(s.now.Sub(s.Config.Start)) / float64(s.Config.Duration)
		return min(max(t, 0), 1)
	}
	return 0
}

// Replay rebuilds a session from its log: it verifies the hash chain, then
// feeds every recorded move through a fresh engine at its recorded time and
// checks that the engine produces exactly the recorded events. The error
// names the first event that differs.
//
// sc may be nil when the log records its scenario (WithScenario); given,
// it must be the recorded one. A log without a scenario record needs sc,
// and a log written before engine version 3 must match its digest.
//
// The session goes on with fresh random salts (or, WithSaltSeed, salts
// drawn from the seed) after the replayed events.
func Replay(sc *scenario.Scenario, events []Event, opts ...Option) (*Session, error) {
	if err := VerifyChain(events); err != nil {
		return nil, err
	}
	if len(events) == 0 || events[0].Kind != "start" || events[0].Note == nil || events[0].Note.Config == nil {
		return nil, fmt.Errorf("replay: the log does not begin with a start event")
	}
	cfg := *events[0].Note.Config
	var o options
	for _, f := range opts {
		f(&o)
	}
	o.scenario = nil
	raw := scenarioRecord(events)
	switch {
	case raw != nil && cfg.Engine >= 3:
		if sc == nil {
			parsed, err := scenario.Parse("log", raw)
			if err != nil {
				return nil, fmt.Errorf("replay: the scenario recorded in the log: %w", err)
			}
			sc = parsed
		} else if !sameScenario(sc, raw) {
			return nil, fmt.Errorf("replay: the log records another version of scenario %q than the one given (leave the scenario out to replay the recorded one)", cfg.Scenario)
		}
		o.scenario = raw
	case sc == nil:
		return nil, fmt.Errorf("replay: the log does not record its scenario: give scenario %q", cfg.Scenario)
	case cfg.Engine < 3 && cfg.Digest != Digest(sc):
		return nil, fmt.Errorf("replay: the log was made with another version of scenario %q (digest %s, this one %s)", cfg.Scenario, cfg.Digest, Digest(sc))
	}
	salts := make([]string, len(events))
	for i := range events {
		salts[i] = events[i].Salt
	}
	var at time.Time
	clock := func() time.Time { return at }
	at = cfg.Start
	s, err := open(sc, cfg, clock, &o, salts)
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	for i := 0; i < len(events); {
		if i < s.Len() {
			i++
			continue
		}
		e := &events[i]
		at = e.Time
		if e.Move != nil {
			if _, err := s.Submit(*e.Move); err != nil {
				return nil, fmt.Errorf("replay: event %d (%s by %s) is refused by the engine: %w", e.Seq, e.Kind, e.Party, err)
			}
		} else {
			s.Expire()
			if s.Len() <= i {
				return nil, fmt.Errorf("replay: event %d (%s) does not follow from the moves before it", e.Seq, e.Kind)
			}
		}
	}
	got := s.Events()
	if len(got) != len(events) {
		return nil, fmt.Errorf("replay: the engine produced %d events, the log has %d", len(got), len(events))
	}
	for i := range got {
		if got[i].Hash != events[i].Hash {
			return nil, fmt.Errorf("replay: event %d (%s) differs from what the engine produces: %s", events[i].Seq, events[i].Kind, diff(&got[i], &events[i]))
		}
	}
	return s, nil
}

// sameScenario reports whether sc is the scenario recorded as raw: the
// same record (the common case, and fast), or failing that the same
// content (Digest) once the record is read.
func sameScenario(sc *scenario.Scenario, raw []byte) bool {
	if mine, err := EmbedScenario(sc); err == nil && bytes.Equal(mine, raw) {
		return true
	}
	rec, err := scenario.Parse("log", raw)
	return err == nil && Digest(rec) == Digest(sc)
}

func diff(a, b *Event) string {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if reflect.DeepEqual(ja, jb) {
		return "same content, different hash"
	}
	return fmt.Sprintf("engine %s; log %s", ja, jb)
}

// EventsUnsealed returns the log without computing hashes for events not yet
// sealed (for counting and inspection on hot paths). The slice must not be
// modified; Events returns the hash-chained log.
func (s *Session) EventsUnsealed() []Event { return s.events }
