package session

import (
	"fmt"
)

// AMOP is GENIUS's alternating multiple offers protocol
// (genius.core.protocol.AlternatingMultipleOffersProtocol), voting on
// offers. A round has two phases:
//
//  1. offers: every negotiating party, in turn order, puts a complete
//     package on the table (KindOffer); nobody's offer overrides another's;
//  2. votes: for each offer on the table in order, every party in turn
//     order votes on it (KindVote with Yes; Ref names the offer, 1-based).
//
// The first offer whose votes meet the scenario's decision rule (GENIUS:
// everyone accepts; here unanimity or quorum, and every veto holder) is the
// agreement. Otherwise the next round begins with new offers. With a round
// deadline R, the session ends without agreement after the votes of round
// R (GENIUS counts the offer and the vote phases as two rounds). Every move
// is public, as in GENIUS where every party listens to all. KindEnd (anyone)
// ends the talks.
const AMOP = "amop"

func init() {
	register(ProtocolInfo{
		Name:        AMOP,
		Title:       "alternating multiple offers",
		Description: "Each round every party in turn puts an offer on the table, then every party in turn votes on each offer in order; the first offer whose votes meet the decision rule is agreed (GENIUS's AMOP).",
		TurnBased:   true,
		Moves: []MoveInfo{
			{KindEnd, ByMediator},
			{KindOffer, ByParties}, {KindVote, ByParties}, {KindEnd, ByParties},
		},
	}, func() Protocol { return amop{} })
}

type amop struct{}

func (amop) Name() string { return AMOP }

func (amop) Open(s *Session) { s.State.Turn = 0 }

func (amop) Check(s *Session, m *Move) error {
	st := &s.State
	if m.Kind == KindEnd {
		return nil
	}
	if t := s.TurnParty(); m.Party != t {
		return fmt.Errorf("%w: it is %s's turn", ErrOutOfTurn, t)
	}
	switch m.Kind {
	case KindOffer:
		if st.VoteOn != 0 {
			return fmt.Errorf("%w: the round is voting on offer %d", ErrOutOfTurn, st.VoteOn)
		}
		return s.checkComplete(m)
	case KindVote:
		if st.VoteOn == 0 {
			return fmt.Errorf("%w: the parties are still making their offers", ErrOutOfTurn)
		}
		if m.Ref != st.VoteOn {
			return fmt.Errorf("%w: the vote is on offer %d, not %d", ErrInvalid, st.VoteOn, m.Ref)
		}
		if m.Yes == nil {
			return fmt.Errorf("%w: a vote says yes or no", ErrInvalid)
		}
		return nil
	}
	return fmt.Errorf("%w: %q is not a move of %s (offer, vote, end)", ErrInvalid, m.Kind, AMOP)
}

func (amop) Visible(*Session, *Move) []string { return nil }

func (amop) Apply(s *Session, m *Move) {
	st := &s.State
	n := len(s.Config.Parties)
	switch m.Kind {
	case KindEnd:
		s.Finish("ended", m.Party+" ended the negotiation")
	case KindOffer:
		st.Table = append(st.Table, Offer{By: m.Party, Package: m.Package.Clone(), Round: st.Round})
		st.Turn++
		if st.Turn == n {
			st.Turn, st.VoteOn, st.Votes = 0, 1, nil
		}
	case KindVote:
		if st.Votes == nil {
			st.Votes = map[string]bool{}
		}
		st.Votes[m.Party] = *m.Yes
		st.Turn++
		if st.Turn < n {
			return
		}
		st.Turn = 0
		if ok, _ := s.Decide(st.Votes); ok {
			o := st.Table[st.VoteOn-1]
			st.Current = &o
			s.agree(o.Package, st.Votes, 0, true)
			return
		}
		st.Votes = nil
		st.VoteOn++
		if st.VoteOn <= len(st.Table) {
			return
		}
		// No offer of this round was accepted: the next round, or the end.
		st.VoteOn, st.Table = 0, nil
		if s.Config.Rounds > 0 && st.Round >= s.Config.Rounds {
			s.Finish("deadline", fmt.Sprintf("no offer accepted within %d rounds", s.Config.Rounds))
			return
		}
		st.Round++
	}
}
