package session

import (
	"fmt"
	"maps"
	"slices"

	"github.com/parley-negotiation/parley/profile"
)

// MaxMediatedMoves bounds the moves RunMediated submits.
const MaxMediatedMoves = 200_000

// RunMediated plays a single-text, vote, feedback or blind session to its
// end with a mediator strategy (nil for blind bidding) and one responder per
// negotiating party. Parties reply in the order of Config.Parties. It
// returns an error when a strategy fails or makes a move the engine refuses
// (the session is then left as it is), or when the session has not ended
// after MaxMediatedMoves moves.
func RunMediated(s *Session, med Mediator, parties map[string]Responder) error {
	switch s.Config.Protocol {
	case SingleText, Voting, Feedback:
		if med == nil {
			return fmt.Errorf("session: protocol %s needs a mediator strategy", s.Config.Protocol)
		}
	case Blind:
	default:
		return fmt.Errorf("session: RunMediated drives %s, %s, %s and %s sessions, not %s", SingleText, Voting, Feedback, Blind, s.Config.Protocol)
	}
	tables := map[string]*profile.Table{}
	for _, id := range s.Config.Parties {
		if parties[id] == nil {
			return fmt.Errorf("session: no responder for party %q", id)
		}
		p := s.Scenario.Party(id)
		if p.Profile == nil {
			return fmt.Errorf("session: party %q has no profile for its responder to use", id)
		}
		t, err := p.Profile.Compile(s.Scenario.Framework)
		if err != nil {
			return fmt.Errorf("session: party %q: %w", id, err)
		}
		tables[id] = t
	}
	// visible returns the events id may see, kept per viewer with a cursor
	// into the log.
	views, cursor := map[string][]Event{}, map[string]int{}
	visible := func(id string) []Event {
		all := s.Events()
		for ; cursor[id] < len(all); cursor[id]++ {
			if all[cursor[id]].VisibleTo(id) {
				views[id] = append(views[id], all[cursor[id]])
			}
		}
		evs := views[id]
		return evs[:len(evs):len(evs)]
	}
	for n := 0; !s.State.Done(); n++ {
		if n >= MaxMediatedMoves {
			return fmt.Errorf("session: no end after %d moves; give the session a deadline", n)
		}
		if len(s.State.Waiting) == 0 {
			if med == nil {
				return fmt.Errorf("session: it is the mediator's move and there is no mediator strategy")
			}
			v := s.mediatorView(visible(s.Config.Mediator))
			m, err := med.Act(v)
			if err != nil {
				return fmt.Errorf("session: mediator %s: %w", med.Name(), err)
			}
			m.Party = s.Config.Mediator
			if _, err := s.Submit(m); err != nil {
				return fmt.Errorf("session: mediator %s (%s): %w", med.Name(), m.Party, err)
			}
			continue
		}
		id := s.State.Waiting[0]
		r := parties[id]
		v := s.partyView(id, tables[id], visible(id))
		m := Move{Party: id}
		switch {
		case s.Config.Protocol == Blind:
			m.Kind, m.Packages = KindBid, r.Bid(v)
			if len(m.Packages) == 0 {
				m.Kind = KindEnd
			}
		case s.Config.Protocol == Feedback:
			m.Kind = KindFeedback
			if fg, ok := r.(FeedbackGiver); ok {
				m.Feedback = fg.Feedback(v)
			} else {
				m.Feedback = FeedbackFor(v, v.Proposal, v.Prior)
			}
		case s.State.VoteOpen:
			yes := r.Vote(v)
			m.Kind, m.Yes = KindVote, &yes
		default:
			m.Kind, m.Responses = KindRespond, r.Respond(v)
		}
		if _, err := s.Submit(m); err != nil {
			return fmt.Errorf("session: responder %s (%s): %w", r.Name(), id, err)
		}
	}
	return nil
}

// MediatorView returns what the mediator strategy may know now (as
// RunMediated shows it), for a caller that plays the mediator's seat move
// by move (a room's automatic mediator).
func (s *Session) MediatorView() *MediatorView {
	var events []Event
	for _, e := range s.Events() {
		if e.VisibleTo(s.Config.Mediator) {
			events = append(events, e)
		}
	}
	return s.mediatorView(events)
}

func (s *Session) mediatorView(events []Event) *MediatorView {
	st := &s.State
	v := &MediatorView{
		Self: s.Config.Mediator, Protocol: s.Config.Protocol, Parties: slices.Clone(s.Config.Parties),
		Framework: s.Scenario.Framework, Decision: s.Scenario.Decision,
		Round: st.Round, Rounds: s.Config.Rounds, Time: s.Time(),
		Text: st.Text.Clone(), Version: st.Version, Provisional: st.Provisional.Clone(),
		Votes: maps.Clone(st.Votes), VoteOpen: st.VoteOpen, Events: events,
	}
	if st.Replies != nil {
		v.Replies = map[string][]PointResponse{}
		for p, rs := range st.Replies {
			v.Replies[p] = slices.Clone(rs)
		}
	}
	if st.Current != nil {
		v.Current = st.Current.Package.Clone()
	}
	if st.Standing != nil {
		v.Standing = st.Standing.Package.Clone()
	}
	if s.Config.MediatorAccess == AccessProfiles {
		v.Profiles = map[string]*profile.Profile{}
		for _, id := range s.Config.Parties {
			if p := s.Scenario.Party(id); p != nil && p.Profile != nil {
				v.Profiles[id] = p.Profile
			}
		}
	}
	return v
}

func (s *Session) partyView(id string, t *profile.Table, events []Event) *PartyView {
	st := &s.State
	v := &PartyView{
		Self: id, Protocol: s.Config.Protocol, Parties: slices.Clone(s.Config.Parties),
		Framework: s.Scenario.Framework, Profile: s.Scenario.Party(id).Profile, Table: t,
		Round: st.Round, Rounds: s.Config.Rounds, Time: s.Time(),
		Text: st.Text.Clone(), Version: st.Version, Provisional: st.Provisional.Clone(),
		Events: events,
	}
	switch s.Config.Protocol {
	case SingleText:
		if st.VoteOpen {
			v.Proposal = st.Text.Package()
		}
	case Voting, Feedback:
		if st.Current != nil {
			v.Proposal = st.Current.Package.Clone()
		}
		if st.Standing != nil {
			v.Previous = st.Standing.Package.Clone()
		}
		if st.Prior != nil {
			v.Prior = st.Prior.Package.Clone()
		}
	}
	return v
}
