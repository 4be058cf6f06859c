package session

import (
	"errors"
	"fmt"
	"slices"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// Runner drives a turn-based session with automated negotiators, one per
// negotiating party. People and programs share the same moves: a Runner only
// calls Submit.
type Runner struct {
	S      *Session
	Agents map[string]agent.Negotiator
	// OnEvent, when set, sees every event as it is appended.
	OnEvent func(e *Event)
	// MaxTurns bounds a session without deadline (default 1,000,000).
	MaxTurns int

	views   map[string]*agent.View
	bufs    *Buffers // WithBuffers: where the slices below come from and go back to
	pkgs    []int    // storage of the packages of history (see clonePackage)
	history []agent.Offer
	moves   []agent.Move
	// current is the offer on the table as the acting party's view shows
	// it (View.Current points here): one value reused for every turn
	// rather than an allocation per turn.
	current agent.Offer
	index   map[string]int
}

// ErrStopped is returned by Run when a session without deadline reaches
// Runner.MaxTurns.
var ErrStopped = errors.New("session: runner stopped")

// ErrAgentFault is returned by Run when a party's agent failed (crashed,
// timed out, broke its protocol): the log records the fault (KindFault)
// and the session ended without agreement.
var ErrAgentFault = errors.New("session: agent fault")

// Failer is implemented by negotiators that can fail outside the game —
// an external agent that could not be reached, timed out or broke the
// protocol — and report it: Err returns the failure, nil while none.
type Failer interface {
	Err() error
}

// agentFault reports the failure of party id's agent, if it has one.
func (r *Runner) agentFault(id string) error {
	if f, ok := r.Agents[id].(Failer); ok {
		return f.Err()
	}
	return nil
}

// fault records the failure of party id's agent and returns the error Run
// returns.
func (r *Runner) fault(id string, cause error) error {
	msg := cause.Error()
	if len(msg) > MaxCause {
		msg = msg[:MaxCause]
	}
	if _, err := r.S.Submit(Move{Kind: KindFault, Party: id, Message: msg}); err != nil && !errors.Is(err, ErrClosed) {
		return fmt.Errorf("session: recording the fault of %s's agent: %w (the fault: %v)", id, err, cause)
	}
	return fmt.Errorf("%w: %s (%s): %w", ErrAgentFault, r.Agents[id].Name(), id, cause)
}

// RunnerOption configures NewRunner.
type RunnerOption func(*runnerConfig)

type runnerConfig struct {
	tables map[string]*profile.Table
	bufs   *Buffers
}

// Buffers are the slices a Runner grows as its session goes — the
// session's log, the offers and moves shown to the agents, the storage of
// the offered packages — kept from one session to the next, so that a
// worker running thousands of sessions one after another allocates them
// once instead of regrowing them in every session (see WithBuffers). A
// Buffers serves one session at a time; the zero value is ready to use.
type Buffers struct {
	events  []Event
	history []agent.Offer
	moves   []agent.Move
	pkgs    []int
	slabs   slabs // the session's moves, offers and packages
}

// pkgChunk is the number of package levels a runner's package storage
// grows by (the offers of a 1000-round session between two parties on a
// domain of 8 points fit in two chunks).
const pkgChunk = 8192

// WithBuffers makes the runner grow b's slices instead of new ones; call
// Runner.Release when the session and its log are no longer needed, to
// give them back to b for the next session.
func WithBuffers(b *Buffers) RunnerOption {
	return func(c *runnerConfig) { c.bufs = b }
}

// Release gives the runner's slices back to its Buffers (WithBuffers),
// cleared, for the next session. Neither the runner nor its session (its
// log, the agents' views of the history, the moves, offers and packages
// of its events, copied or not) may be used afterwards: the session's log
// is emptied and that storage reused. Without Buffers it does nothing.
func (r *Runner) Release() {
	b := r.bufs
	if b == nil {
		return
	}
	r.bufs = nil
	clear(r.S.events)
	r.S.slabs.recycle(&b.slabs)
	clear(r.history)
	clear(r.moves)
	b.events, b.history, b.moves = r.S.events[:0], r.history[:0], r.moves[:0]
	r.S.events, r.history, r.moves = nil, nil, nil
	for _, v := range r.views {
		v.History, v.Moves, v.Current = nil, nil, nil
	}
	// The packages handed out were carved from b.pkgs' last chunk (and
	// earlier ones, now garbage): the chunk is reused from its start.
	b.pkgs = r.pkgs[:0]
	r.pkgs = nil
}

// clonePackage copies p into the runner's package storage (a chunk of
// levels carved into packages of capacity len(p), so that appending to
// one never writes into the next).
func (r *Runner) clonePackage(p framework.Package) framework.Package {
	if len(p) == 0 || len(p) > pkgChunk/4 {
		return slices.Clone(p)
	}
	if len(r.pkgs)+len(p) > cap(r.pkgs) {
		r.pkgs = make([]int, 0, pkgChunk)
	}
	n := len(r.pkgs)
	r.pkgs = append(r.pkgs, p...)
	return framework.Package(r.pkgs[n : n+len(p) : n+len(p)])
}

// WithTables gives the runner already compiled profiles (by party id), so
// that agents can reuse structures built for them across sessions (e.g. an
// agent.BidSpace made with agent.WithBidSpace for the same table).
func WithTables(t map[string]*profile.Table) RunnerOption {
	return func(c *runnerConfig) { c.tables = t }
}

// NewRunner prepares agents for a session; every negotiating party needs one.
func NewRunner(s *Session, agents map[string]agent.Negotiator, opts ...RunnerOption) (*Runner, error) {
	var rc runnerConfig
	for _, o := range opts {
		o(&rc)
	}
	r := &Runner{S: s, Agents: agents, views: map[string]*agent.View{}, index: map[string]int{}}
	if b := rc.bufs; b != nil {
		r.bufs = b
		s.events = append(b.events[:0], s.events...)
		r.history, r.moves, r.pkgs = b.history[:0], b.moves[:0], b.pkgs[:0]
		s.slabs.adopt(&b.slabs)
		b.events, b.history, b.moves, b.pkgs = nil, nil, nil, nil // the runner's until Release
	}
	names := make([]string, len(s.Config.Parties))
	for i, id := range s.Config.Parties {
		r.index[id] = i
		names[i] = id
		if p := s.Scenario.Party(id); p != nil && p.Name != "" {
			names[i] = p.Name
		}
	}
	for i, id := range s.Config.Parties {
		a, ok := agents[id]
		if !ok {
			return nil, fmt.Errorf("session: no agent for party %q", id)
		}
		p := s.Scenario.Party(id)
		if p.Profile == nil {
			return nil, fmt.Errorf("session: party %q has no profile for its agent to use", id)
		}
		t := rc.tables[id]
		if t == nil {
			var err error
			if t, err = p.Profile.Compile(s.Scenario.Framework); err != nil {
				return nil, err
			}
		}
		v := &agent.View{Self: i, Parties: len(s.Config.Parties), Framework: s.Scenario.Framework,
			Profile: p.Profile, Table: t, Deadline: s.Config.Rounds, PartyIDs: s.Config.Parties, PartyNames: names}
		r.views[id] = v
		a.Init(v)
	}
	return r, nil
}

// Table returns the compiled profile of a negotiating party.
func (r *Runner) Table(id string) *profile.Table { return r.views[id].Table }

// Run plays the session to its end (agreement, deadline or walk-out).
func (r *Runner) Run() error {
	s := r.S
	if s.Config.Protocol != SAO && s.Config.Protocol != AMOP {
		return fmt.Errorf("session: the runner drives %s and %s sessions, not %s", SAO, AMOP, s.Config.Protocol)
	}
	max := r.MaxTurns
	if max <= 0 {
		max = 1_000_000
	}
	seen := s.Len()
	r.emit(&seen)
	// An agent that failed before its first move (e.g. its Init).
	for _, id := range s.Config.Parties {
		if err := r.agentFault(id); err != nil && !s.State.Done() {
			err = r.fault(id, err)
			r.emit(&seen)
			return err
		}
	}
	for turn := 0; !s.State.Done(); turn++ {
		if turn >= max {
			// The engine only draws consequences of moves and of the clock,
			// so the runner stops without writing anything: the session
			// stays open and its log replays.
			return fmt.Errorf("%w: no agreement after %d turns and no deadline", ErrStopped, max)
		}
		id := s.TurnParty()
		v := r.views[id]
		v.Time, v.Round = s.Time(), s.State.Round
		v.History, v.Moves = r.history, r.moves
		v.Current = nil
		if c := s.State.Current; c != nil {
			r.current = agent.Offer{By: r.index[c.By], Round: c.Round, Package: c.Package}
			v.Current = &r.current
		}
		if s.Config.Protocol == AMOP {
			if err := r.amopTurn(id, v); err != nil {
				r.emit(&seen)
				return err
			}
			r.emit(&seen)
			continue
		}
		act := r.Agents[id].Act(v)
		if err := r.agentFault(id); err != nil {
			err = r.fault(id, err)
			r.emit(&seen)
			return err
		}
		m := Move{Party: id}
		switch act.Kind {
		case agent.MakeOffer:
			m.Kind, m.Package = KindOffer, act.Package
		case agent.Accept:
			m.Kind = KindAccept
		case agent.EndTalks:
			m.Kind = KindEnd
		default:
			return fmt.Errorf("session: agent %s returned unknown action %d", r.Agents[id].Name(), act.Kind)
		}
		round := s.State.Round
		var accepted framework.Package
		if m.Kind == KindAccept && s.State.Current != nil {
			accepted = s.State.Current.Package
		}
		if _, err := s.Submit(m); err != nil {
			if expired(s, err) {
				break
			}
			return fmt.Errorf("session: agent %s (%s): %w", r.Agents[id].Name(), id, err)
		}
		r.record(id, round, &m, accepted)
		r.emit(&seen)
	}
	r.emit(&seen)
	return nil
}

// expired reports whether a move was refused only because the session's
// wall-time deadline passed while the agent was deciding: the session has
// ended at its deadline (the log says so), which is no fault of the agent.
func expired(s *Session, err error) bool {
	return errors.Is(err, ErrClosed) && s.State.Done() && s.Config.Duration > 0 && s.State.Agreement == nil
}

func (r *Runner) emit(seen *int) {
	if r.OnEvent == nil {
		*seen = r.S.Len()
		return
	}
	for ; *seen < r.S.Len(); *seen++ {
		r.OnEvent(&r.S.events[*seen])
	}
}

// amopTurn plays one turn of an amop session: in the offer phase the
// agent's offer (it is shown no offer to accept); in the vote phase a yes
// when the offer is worth at least what the party itself offered this round
// (the time-dependent acceptance rule) — or the agent's own vote when it is
// also an agent.Voter.
func (r *Runner) amopTurn(id string, v *agent.View) error {
	s := r.S
	st := &s.State
	m := Move{Party: id}
	if st.VoteOn == 0 {
		v.Current = nil
		act := r.Agents[id].Act(v)
		if err := r.agentFault(id); err != nil {
			return r.fault(id, err)
		}
		switch act.Kind {
		case agent.MakeOffer:
			m.Kind, m.Package = KindOffer, act.Package
		case agent.EndTalks:
			m.Kind = KindEnd
		default:
			m.Kind, m.Package = KindOffer, BestAllowed(v.Table, v.Profile)
		}
	} else {
		offer := st.Table[st.VoteOn-1]
		var own framework.Package
		for _, o := range st.Table {
			if o.By == id {
				own = o.Package
			}
		}
		yes := offer.By == id || v.Table.Utility(offer.Package) >= v.Table.Utility(own)
		if voter, ok := r.Agents[id].(agent.Voter); ok {
			yes = voter.Vote(v, offer.Package, own)
			if err := r.agentFault(id); err != nil {
				return r.fault(id, err)
			}
		}
		m.Kind, m.Yes, m.Ref = KindVote, &yes, st.VoteOn
	}
	round := st.Round
	var voted framework.Package
	if m.Kind == KindVote {
		voted = st.Table[st.VoteOn-1].Package
	}
	if _, err := s.Submit(m); err != nil {
		if expired(s, err) {
			return nil
		}
		return fmt.Errorf("session: agent %s (%s): %w", r.Agents[id].Name(), id, err)
	}
	r.record(id, round, &m, voted)
	return nil
}

// record appends party id's move m, made in round and accepted by the
// session, to the public history the agents see (View.History for offers,
// View.Moves for every move); pkg is the package an acceptance or a vote
// is on.
func (r *Runner) record(id string, round int, m *Move, pkg framework.Package) {
	mv := agent.Move{By: r.index[id], Round: round}
	switch m.Kind {
	case KindOffer:
		p := r.clonePackage(m.Package)
		r.history = append(r.history, agent.Offer{By: mv.By, Round: round, Package: p})
		mv.Kind, mv.Package = agent.MoveOffer, p
	case KindAccept:
		mv.Kind, mv.Package = agent.MoveAccept, r.offered(pkg)
	case KindEnd:
		mv.Kind = agent.MoveEnd
	case KindVote:
		mv.Kind, mv.Package, mv.Yes = agent.MoveVote, r.offered(pkg), m.Yes != nil && *m.Yes
	default:
		return
	}
	r.moves = append(r.moves, mv)
}

// offered returns the history's copy of pkg when it is one of the last
// offers (the offer accepted, or voted on, this round), so that moves share
// it; otherwise a copy of pkg.
func (r *Runner) offered(pkg framework.Package) framework.Package {
	for i := len(r.history) - 1; i >= 0 && i >= len(r.history)-len(r.S.Config.Parties); i-- {
		if slices.Equal(r.history[i].Package, pkg) {
			return r.history[i].Package
		}
	}
	return slices.Clone(pkg)
}
