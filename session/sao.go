package session

import (
	"fmt"
	"slices"
)

// SAO is the stacked alternating offers protocol for any number of parties
// (GENIUS's SAOP, as in ANAC): the parties take turns in a fixed order; at
// its turn a party accepts the offer on the table, makes a new offer (which
// wipes earlier acceptances) or ends the negotiation. An offer is agreed when
// every other party has accepted it in turn. A round is one turn of every
// party; with a round deadline, the session ends without agreement when the
// last round is over.
const SAO = "sao"

func init() {
	register(ProtocolInfo{
		Name:        SAO,
		Title:       "stacked alternating offers",
		Description: "The parties take turns: at its turn a party offers a complete package, accepts the one on the table, ends the talks or leaves; an offer is agreed when every other party has accepted it in turn (GENIUS's SAOP).",
		TurnBased:   true,
		Moves: []MoveInfo{
			{KindOffer, ByParties}, {KindAccept, ByParties}, {KindEnd, ByParties}, {KindLeave, ByParties},
		},
	}, func() Protocol { return sao{} })
}

type sao struct{}

func (sao) Name() string { return SAO }

func (sao) Open(s *Session) { s.State.Turn = 0 }

func (sao) Check(s *Session, m *Move) error {
	if m.Party == s.Config.Mediator && !slices.Contains(s.Config.Parties, m.Party) {
		return fmt.Errorf("%w: the mediator does not make offers under %s", ErrInvalid, SAO)
	}
	if t := s.TurnParty(); m.Party != t {
		return fmt.Errorf("%w: it is %s's turn", ErrOutOfTurn, t)
	}
	switch m.Kind {
	case KindOffer:
		return s.checkComplete(m)
	case KindAccept:
		if s.State.Current == nil {
			return fmt.Errorf("%w: there is no offer to accept", ErrInvalid)
		}
		if s.State.Current.By == m.Party {
			return fmt.Errorf("%w: a party cannot accept its own offer", ErrInvalid)
		}
		return nil
	case KindEnd, KindLeave:
		return nil
	}
	return fmt.Errorf("%w: %q is not a move of %s (offer, accept, end, leave)", ErrInvalid, m.Kind, SAO)
}

// checkComplete checks the move's package is complete and within the framework.
func (s *Session) checkComplete(m *Move) error {
	if err := s.Scenario.Framework.CheckPackage(m.Package); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if !m.Package.Complete() {
		return fmt.Errorf("%w: an offer names an option for every point", ErrInvalid)
	}
	return nil
}

func (sao) Visible(*Session, *Move) []string { return nil }

func (sao) Apply(s *Session, m *Move) {
	st := &s.State
	switch m.Kind {
	case KindOffer:
		st.Current = s.newOffer(Offer{By: m.Party, Package: m.Package, Round: st.Round})
		st.Accepted = st.Accepted[:0]
		s.NextTurn()
	case KindAccept:
		st.Accepted = append(st.Accepted, m.Party)
		if len(st.Accepted) == remainingCount(s)-1 {
			yes := map[string]bool{st.Current.By: true}
			for _, p := range st.Accepted {
				yes[p] = true
			}
			if ok, why := s.Decide(yes); ok {
				s.agree(st.Current.Package, yes, 0, true)
			} else {
				s.Finish("no-agreement", why)
			}
			return
		}
		s.NextTurn()
	case KindEnd:
		s.Finish("ended", m.Party+" ended the negotiation")
	case KindLeave:
		saoLeave(s, m.Party)
	}
}

// saoLeave takes a party away from the table at its turn: its offer is
// withdrawn and its acceptance void; a veto holder leaving, or fewer than
// two parties remaining, ends the talks; otherwise the others go on and an
// agreement needs every remaining party.
func saoLeave(s *Session, id string) {
	st := &s.State
	if st.Left == nil {
		st.Left = map[string]bool{}
	}
	st.Left[id] = true
	s.Note("left", &Note{Parties: []string{id}})
	if slices.Contains(s.Scenario.Decision.Vetoes, id) {
		s.Finish("no-agreement", "no deal unless "+id+" agrees, and "+id+" left the table")
		return
	}
	if remainingCount(s) < 2 {
		s.Finish("no-agreement", "fewer than two parties remain at the table")
		return
	}
	if s.quorumLost() {
		s.Finish("no-agreement", s.quorumLostReason())
		return
	}
	if st.Current != nil && st.Current.By == id {
		st.Current, st.Accepted = nil, st.Accepted[:0]
	}
	st.Accepted = slices.DeleteFunc(st.Accepted, func(p string) bool { return p == id })
	s.NextTurn()
}

// remainingCount counts the negotiating parties still at the table.
func remainingCount(s *Session) int {
	n := 0
	for _, p := range s.Config.Parties {
		if !s.State.Left[p] {
			n++
		}
	}
	return n
}
