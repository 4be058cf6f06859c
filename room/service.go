package room

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// Limits on what a request may ask the service to store.
const (
	MaxTitle     = 200
	MaxName      = 100
	MaxMessage   = 4000
	MaxInviteTTL = 366 * 24 * time.Hour
	// MaxBidPackages bounds the packages of one blind bid.
	MaxBidPackages = 1000
	LoginTTL       = 12 * time.Hour
)

// Service runs the negotiation rooms over a Store.
type Service struct {
	store Store
	clock func() time.Time

	mu      sync.Mutex
	live    map[string]*live
	reports *reportCache // analyses by scenario digest (analysis.go)

	subscribers atomic.Int64
	// seatWatch are the owners' screens following seats (console.go).
	seatWatch seatWatchers

	// key signs exported logs' checkpoints (nil: unsigned); retired are
	// earlier public keys (records.go).
	key     ed25519.PrivateKey
	retired []ed25519.PublicKey
}

// live is a negotiation in memory: its parsed scenario and, once started,
// its session. mu serialises moves; the store holds the truth.
type live struct {
	mu       sync.Mutex
	neg      Negotiation
	sc       *scenario.Scenario
	settings Settings
	sess     *session.Session // nil until started
	subs     map[*Subscription]struct{}
	// auto is the automatic mediator playing the mediator's seat (nil:
	// none, or not built yet) and autoErr why it last stopped
	// (automediator.go).
	auto    session.Mediator
	autoErr string
	// shuttle: the room is a table of shuttle talks (its Class names a
	// shuttle): one mediator, the owner, at every table.
	shuttle bool
}

// New returns a service over st. clock may be nil (wall time).
func New(st Store, clock func() time.Time, opts ...Option) *Service {
	if clock == nil {
		clock = time.Now
	}
	s := &Service{store: st, clock: clock, live: map[string]*live{}, reports: newReportCache()}
	for _, o := range opts {
		o(s)
	}
	go dummyHash()
	return s
}

// Option configures New.
type Option func(*Service)

// WithSigningKey makes the service sign the checkpoints of the logs it
// exports with key (ed25519): whoever holds the public key (GET /api/keys)
// can prove an exported log up to its checkpoint. retired are earlier
// public keys, still published so that logs signed with them verify after
// a rotation.
func WithSigningKey(key ed25519.PrivateKey, retired ...ed25519.PublicKey) Option {
	return func(s *Service) { s.key, s.retired = key, retired }
}

// Store returns the service's store.
func (s *Service) Store() Store { return s.store }

// Viewer is who asks: a signed-in user (mediator or instructor), or the
// holder of an invitation to one negotiation.
type Viewer struct {
	User string `json:"user,omitempty"`
	// Negotiation, Party, Observer and Verifier come from an invitation.
	Negotiation string `json:"negotiation,omitempty"`
	Party       string `json:"party,omitempty"`
	Observer    bool   `json:"observer,omitempty"`
	Verifier    string `json:"verifier,omitempty"`
}

// role of a viewer in a negotiation.
const (
	roleOwner    = "mediator"
	roleParty    = "party"
	roleObserver = "observer"
	// roleVerifier is a seat of one of the plan's verifiers: it sees the
	// public record of the implementation and files reports.
	roleVerifier = "verifier"
	// roleSeatMediator holds the mediator's seat through an invitation (a
	// student mediator of a class's room): the mediator's moves and view of
	// the talks, none of the owner's rights (seats, start, archive,
	// delete, preview). Its View says Role "mediator" with Invited set.
	roleSeatMediator = "seat-mediator"
)

// access resolves what v is to negotiation l: its role and the seat it
// takes (the scenario's mediator party for the owner, the verifier's id
// for a verifier). Anyone else gets ENOTFOUND, so that ids of other
// negotiations are not confirmed.
func (l *live) access(v Viewer) (role, party string, err error) {
	switch {
	case v.User != "" && v.User == l.neg.Owner:
		return roleOwner, mediatorOf(l.sc), nil
	case v.Negotiation == l.neg.ID && v.Verifier != "":
		if l.sc.Plan == nil || l.sc.Plan.Verifier(v.Verifier) == nil {
			return "", "", Errorf(ENOTFOUND, "no negotiation %q", l.neg.ID)
		}
		return roleVerifier, v.Verifier, nil
	case v.Negotiation == l.neg.ID && v.Observer:
		return roleObserver, v.Party, nil
	case v.Negotiation == l.neg.ID && v.Party != "" && v.Party == mediatorOf(l.sc):
		if !mediated(l.settings.Protocol) {
			return "", "", Errorf(ENOTFOUND, "no negotiation %q", l.neg.ID)
		}
		return roleSeatMediator, v.Party, nil
	case v.Negotiation == l.neg.ID && v.Party != "":
		return roleParty, v.Party, nil
	}
	return "", "", Errorf(ENOTFOUND, "no negotiation %q", l.neg.ID)
}

// access loads negotiation id and resolves v's role and seat in it.
func (s *Service) access(ctx context.Context, v Viewer, id string) (*live, string, string, error) {
	l, err := s.load(ctx, id)
	if err != nil {
		return nil, "", "", err
	}
	role, party, err := l.access(v)
	if err != nil {
		return nil, "", "", err
	}
	return l, role, party, nil
}

// load returns the live negotiation id, reading it from the store (and
// replaying its log) the first time.
func (s *Service) load(ctx context.Context, id string) (*live, error) {
	s.mu.Lock()
	l := s.live[id]
	s.mu.Unlock()
	if l != nil {
		return l, nil
	}
	n, err := s.store.Negotiation(ctx, id)
	if err != nil {
		if ErrorCode(err) == ENOTFOUND {
			return nil, Errorf(ENOTFOUND, "no negotiation %q", id)
		}
		return nil, err
	}
	l, err = s.rebuild(ctx, n)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if have := s.live[id]; have != nil {
		return have, nil
	}
	s.live[id] = l
	return l, nil
}

// rebuild makes a live negotiation from its stored record and log.
func (s *Service) rebuild(ctx context.Context, n Negotiation) (*live, error) {
	sc, err := scenario.Parse("stored.json", n.Scenario)
	if err != nil {
		return nil, fmt.Errorf("room: negotiation %s: stored scenario: %w", n.ID, err)
	}
	set, err := decodeSettings(n.Settings)
	if err != nil {
		return nil, fmt.Errorf("room: negotiation %s: %w", n.ID, err)
	}
	l := &live{neg: n, sc: sc, settings: set, subs: map[*Subscription]struct{}{}}
	if n.Class != "" {
		switch _, err := s.store.Shuttle(ctx, n.Class); {
		case err == nil:
			l.shuttle = true
		case ErrorCode(err) != ENOTFOUND:
			return nil, fmt.Errorf("room: negotiation %s: %w", n.ID, err)
		}
	}
	events, err := s.store.Events(ctx, n.ID)
	if err != nil {
		return nil, fmt.Errorf("room: negotiation %s: %w", n.ID, err)
	}
	if len(events) > 0 {
		sess, err := session.Replay(sc, events)
		if err != nil {
			return nil, fmt.Errorf("room: negotiation %s: stored log: %w", n.ID, err)
		}
		sess.SetClock(s.clock)
		l.sess = sess
	}
	return l, nil
}

// CreateNegotiation opens a room for sc owned by user.
func (s *Service) CreateNegotiation(ctx context.Context, user, title string, sc *scenario.Scenario, set Settings, class string) (Negotiation, error) {
	if user == "" {
		return Negotiation{}, Errorf(EUNAUTHORIZED, "sign in to create a negotiation")
	}
	title = strings.TrimSpace(title)
	if title == "" {
		title = sc.Title
		if title == "" {
			title = sc.Name
		}
	}
	if len(title) > MaxTitle {
		return Negotiation{}, Errorf(EINVALID, "title: %d bytes, at most %d", len(title), MaxTitle)
	}
	sc = withMediatorSeat(sc, set.Protocol)
	if err := set.normalize(sc); err != nil {
		return Negotiation{}, err
	}
	data, err := scenario.MarshalFormat(sc, "json")
	if err != nil {
		return Negotiation{}, Errorf(EINVALID, "scenario: %v", err)
	}
	// What is stored must read back as the same scenario: check now rather
	// than fail when the room is loaded.
	if _, err := scenario.Parse("stored.json", data); err != nil {
		return Negotiation{}, Errorf(EINVALID, "scenario does not survive storage: %v", err)
	}
	n := Negotiation{ID: newID(), Owner: user, Title: title, Scenario: data, Settings: encodeSettings(set), Class: class, Created: s.clock().UTC()}
	if err := s.store.CreateNegotiation(ctx, n); err != nil {
		return Negotiation{}, fmt.Errorf("room: create negotiation: %w", err)
	}
	return n, nil
}

// withMediatorSeat returns sc with a mediator party added when the
// protocol is mediated and the scenario has none (GENIUS imports): the
// negotiation's owner takes that seat.
func withMediatorSeat(sc *scenario.Scenario, protocol string) *scenario.Scenario {
	if protocol == "" {
		protocol = session.SingleText
	}
	if !mediated(protocol) || mediatorOf(sc) != "" {
		return sc
	}
	id := "mediator"
	for k := 2; sc.Party(id) != nil; k++ {
		id = fmt.Sprintf("mediator%d", k)
	}
	c := *sc
	c.Parties = append(slices.Clone(sc.Parties), scenario.Party{ID: id, Name: "Mediator", Role: scenario.Mediator})
	return &c
}

// owned loads a negotiation and checks the user owns it.
func (s *Service) owned(ctx context.Context, user, id string) (*live, error) {
	l, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	if user == "" || l.neg.Owner != user {
		return nil, Errorf(ENOTFOUND, "no negotiation %q", id)
	}
	return l, nil
}

// Negotiations lists the user's negotiations.
func (s *Service) Negotiations(ctx context.Context, user string) ([]Negotiation, error) {
	if user == "" {
		return nil, Errorf(EUNAUTHORIZED, "sign in to list negotiations")
	}
	return s.store.Negotiations(ctx, user)
}

// Join resolves an invitation token to the viewer it makes; a revoked or
// expired invitation is EUNAUTHORIZED. Every request and open stream that
// presents an invitation is resolved here, so a revocation takes effect at
// once. The first use is recorded, and the last activity (console.go).
func (s *Service) Join(ctx context.Context, token string) (Viewer, error) {
	if token == "" || len(token) > 200 {
		return Viewer{}, Errorf(EUNAUTHORIZED, "no valid invitation")
	}
	inv, err := s.store.InviteByToken(ctx, HashToken(token))
	if err != nil {
		if ErrorCode(err) == ENOTFOUND {
			return Viewer{}, Errorf(EUNAUTHORIZED, "this invitation is not valid")
		}
		return Viewer{}, err
	}
	if !inv.Revoked.IsZero() {
		return Viewer{}, Errorf(EUNAUTHORIZED, "this invitation was revoked on %s; ask whoever invited you for a new one", inv.Revoked.Format(time.RFC3339))
	}
	now := s.clock()
	if !now.Before(inv.Expires) {
		return Viewer{}, Errorf(EUNAUTHORIZED, "this invitation expired on %s", inv.Expires.Format(time.RFC3339))
	}
	if err := s.seen(ctx, &inv, now.UTC()); err != nil {
		return Viewer{}, err
	}
	return Viewer{Negotiation: inv.Negotiation, Party: inv.Party, Observer: inv.Observer, Verifier: inv.Verifier}, nil
}

// EnsureUser creates the user with a password unless one by that name
// exists; it returns the user either way.
func (s *Service) EnsureUser(ctx context.Context, name, password string) (User, bool, error) {
	u, err := s.store.UserByName(ctx, name)
	if err == nil {
		return u, false, nil
	}
	if ErrorCode(err) != ENOTFOUND {
		return User{}, false, err
	}
	u, err = s.CreateUser(ctx, name, password)
	return u, err == nil, err
}

// CreateUser adds a mediator/instructor account: the room's owner when it
// is the first (accounts.go).
func (s *Service) CreateUser(ctx context.Context, name, password string) (User, error) {
	return s.CreateAccount(ctx, name, password, "")
}

// Login checks a name and password and returns a fresh login token.
func (s *Service) Login(ctx context.Context, name, password string) (string, User, error) {
	bad := Errorf(EUNAUTHORIZED, "wrong user name or password")
	if len(name) > MaxName || len(password) > MaxPassword {
		return "", User{}, bad
	}
	u, err := s.store.UserByName(ctx, name)
	if err != nil {
		if ErrorCode(err) == ENOTFOUND {
			// Spend the same time as a real check, so that timing does
			// not tell which names exist.
			CheckPassword(dummyHash(), password)
			return "", User{}, bad
		}
		return "", User{}, err
	}
	if !CheckPassword(u.PasswordHash, password) {
		return "", User{}, bad
	}
	token, hash := NewToken()
	if err := s.store.CreateLogin(ctx, Login{Token: hash, User: u.ID, Expires: s.clock().Add(LoginTTL).UTC(), Created: s.clock().UTC()}); err != nil {
		return "", User{}, err
	}
	return token, u, nil
}

// dummyHash returns a valid hash of a random password, checked when the
// user name is unknown. It is made on first use, not at package init: an
// argon2 hash costs ~100 ms and 19 MiB, which every parley command paid
// before doing anything (issue 14). New warms it in the background, so
// that the first unknown name does not take twice as long as the others.
var dummyHash = sync.OnceValue(func() string {
	t, _ := NewToken()
	h, _ := HashPassword(t)
	return h
})

// Logout ends a login.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.store.DeleteLogin(ctx, HashToken(token))
}

// UserByLogin resolves a login token to its user.
func (s *Service) UserByLogin(ctx context.Context, token string) (User, error) {
	if token == "" || len(token) > 200 {
		return User{}, Errorf(EUNAUTHORIZED, "not signed in")
	}
	l, err := s.store.LoginByToken(ctx, HashToken(token))
	if err != nil {
		if ErrorCode(err) == ENOTFOUND {
			return User{}, Errorf(EUNAUTHORIZED, "not signed in")
		}
		return User{}, err
	}
	if !s.clock().Before(l.Expires) {
		return User{}, Errorf(EUNAUTHORIZED, "your sign-in expired; sign in again")
	}
	return s.store.User(ctx, l.User)
}

// Start opens the negotiation's session; profiles are fixed from then on.
func (s *Service) Start(ctx context.Context, user, id string) error {
	l, err := s.owned(ctx, user, id)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sess != nil {
		return Errorf(ECONFLICT, "the negotiation has already started")
	}
	// The log records the scenario as stored (profiles fixed from now on),
	// so that an exported log is self-contained.
	sess, err := session.New(l.sc, l.settings.config(l.sc), s.clock, session.WithScenario(l.neg.Scenario))
	if err != nil {
		return Errorf(EINVALID, "cannot start: %v", err)
	}
	events := sess.Events()
	if err := s.store.AppendEvents(ctx, id, events); err != nil {
		return fmt.Errorf("room: start: %w", err)
	}
	l.sess = sess
	l.publish(events)
	s.autoMediate(ctx, l)
	return nil
}

// Submit makes a move for the viewer. The move's party is the viewer's
// seat. It returns the move's sequence number once the move and its
// consequences are stored.
func (s *Service) Submit(ctx context.Context, v Viewer, id string, m session.Move) (int, error) {
	l, role, party, err := s.access(ctx, v, id)
	if err != nil {
		return 0, err
	}
	switch m.Kind {
	case session.KindFault:
		return 0, Errorf(EFORBIDDEN, "a fault is recorded by the harness that runs an automated agent, never from the room")
	case session.KindSeat:
		return 0, Errorf(EFORBIDDEN, "a seat record comes from re-issuing the seat's invitation, not from a move")
	}
	if role == roleObserver {
		return 0, Errorf(EFORBIDDEN, "observers cannot make moves")
	}
	if role == roleVerifier && m.Kind != session.KindReport {
		return 0, Errorf(EFORBIDDEN, "a verifier files reports only (kind %q), not %q", session.KindReport, m.Kind)
	}
	if role != roleVerifier && m.Kind == session.KindReport {
		return 0, Errorf(EFORBIDDEN, "reports come from the seats of the plan's verifiers, not from %q: a party answers a report with a response", party)
	}
	if party == "" {
		return 0, Errorf(EINVALID, "the scenario has no mediator seat for you to move from")
	}
	if err := checkMoveBounds(&m); err != nil {
		return 0, err
	}
	m.Party = party
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sess == nil {
		return 0, Errorf(ECLOSED, "the negotiation has not started yet")
	}
	seq, err := s.commit(ctx, l, m)
	if err == nil {
		s.autoMediate(ctx, l)
	}
	return seq, err
}

// commit runs m through the live session and stores what it appends, or
// leaves memory as the store holds it. l.mu must be held and the session
// started.
func (s *Service) commit(ctx context.Context, l *live, m session.Move) (int, error) {
	id := l.neg.ID
	before := l.sess.Len()
	seq, err := l.sess.Submit(m)
	if err != nil {
		return 0, moveError(err)
	}
	events := l.sess.Events()[before:]
	if err := s.store.AppendEvents(ctx, id, events); err != nil {
		// The move is not acknowledged: go back to what is stored.
		// Reload even when the request's context is gone: memory must
		// not keep a move the store does not hold.
		if rerr := s.reload(context.WithoutCancel(ctx), l); rerr != nil {
			l.sess = nil
			s.forget(l)
			return 0, fmt.Errorf("room: store failed (%v) and reload failed: %w", err, rerr)
		}
		return 0, fmt.Errorf("room: store the move: %w", err)
	}
	l.publish(events)
	return seq, nil
}

// forget drops a live negotiation whose memory cannot be trusted; the next
// access reloads it from the store.
func (s *Service) forget(l *live) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.live[l.neg.ID] == l {
		delete(s.live, l.neg.ID)
	}
}

// reload replaces l's session with the one its stored log replays to.
// l.mu must be held.
func (s *Service) reload(ctx context.Context, l *live) error {
	events, err := s.store.Events(ctx, l.neg.ID)
	if err != nil {
		return err
	}
	if len(events) == 0 {
		l.sess = nil
		return nil
	}
	sess, err := session.Replay(l.sc, events)
	if err != nil {
		return err
	}
	sess.SetClock(s.clock)
	l.sess = sess
	return nil
}

// Tick expires the sessions of loaded negotiations whose wall-time
// deadline passed, storing what that draws. Servers call it periodically.
func (s *Service) Tick(ctx context.Context) error {
	s.mu.Lock()
	all := make([]*live, 0, len(s.live))
	for _, l := range s.live {
		all = append(all, l)
	}
	s.mu.Unlock()
	var errs []error
	for _, l := range all {
		l.mu.Lock()
		if l.sess != nil && !l.sess.State.Done() && l.sess.Config.Duration > 0 {
			before := l.sess.Len()
			l.sess.Expire()
			if l.sess.Len() > before {
				events := l.sess.Events()[before:]
				if err := s.store.AppendEvents(ctx, l.neg.ID, events); err != nil {
					errs = append(errs, err)
					_ = s.reload(ctx, l)
				} else {
					l.publish(events)
				}
			}
		}
		l.mu.Unlock()
	}
	return errors.Join(errs...)
}

// checkMoveBounds refuses moves too large to be honest.
func checkMoveBounds(m *session.Move) error {
	if len(m.Message) > MaxMessage {
		return Errorf(EINVALID, "message: %d bytes, at most %d", len(m.Message), MaxMessage)
	}
	if len(m.Packages) > MaxBidPackages {
		return Errorf(EINVALID, "bid: %d packages, at most %d", len(m.Packages), MaxBidPackages)
	}
	for _, r := range m.Responses {
		if len(r.Reason) > MaxMessage {
			return Errorf(EINVALID, "response reason: %d bytes, at most %d", len(r.Reason), MaxMessage)
		}
	}
	if len(m.To) > 100 {
		return Errorf(EINVALID, "to: %d recipients, at most 100", len(m.To))
	}
	return nil
}

// moveError gives an engine refusal its code.
func moveError(err error) error {
	code := EINVALID
	switch {
	case errors.Is(err, session.ErrOutOfTurn):
		code = EOUTOFTURN
	case errors.Is(err, session.ErrClosed):
		code = ECLOSED
	case errors.Is(err, session.ErrNotParty):
		code = EFORBIDDEN
	case errors.Is(err, session.ErrFormat):
		code = EFORBIDDEN
	}
	return &Error{Code: code, Message: err.Error(), Err: err}
}

// packageOK checks a package fits the framework.
func packageOK(f *framework.Framework, p framework.Package) error {
	if len(p) != len(f.Points) {
		return Errorf(EINVALID, "package has %d points, the framework %d", len(p), len(f.Points))
	}
	for i, v := range p {
		if v == framework.Open {
			continue
		}
		if v < 0 || v >= f.Points[i].Levels() {
			return Errorf(EINVALID, "point %q: option %d out of range", f.Points[i].ID, v)
		}
	}
	return nil
}
