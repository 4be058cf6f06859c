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
	history []agent.Offer
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

type runnerConfig struct{ tables map[string]*profile.Table }

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
	for i, id := range s.Config.Parties {
		r.index[id] = i
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
			Profile: p.Profile, Table: t, Deadline: s.Config.Rounds}
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
		v.History = r.history
		v.Current = nil
		if c := s.State.Current; c != nil {
			v.Current = &agent.Offer{By: r.index[c.By], Round: c.Round, Package: c.Package}
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
		if _, err := s.Submit(m); err != nil {
			if expired(s, err) {
				break
			}
			return fmt.Errorf("session: agent %s (%s): %w", r.Agents[id].Name(), id, err)
		}
		if m.Kind == KindOffer {
			r.history = append(r.history, agent.Offer{By: r.index[id], Round: round, Package: slices.Clone(m.Package)})
		}
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
	if _, err := s.Submit(m); err != nil {
		if expired(s, err) {
			return nil
		}
		return fmt.Errorf("session: agent %s (%s): %w", r.Agents[id].Name(), id, err)
	}
	if m.Kind == KindOffer {
		r.history = append(r.history, agent.Offer{By: r.index[id], Round: round, Package: slices.Clone(m.Package)})
	}
	return nil
}
