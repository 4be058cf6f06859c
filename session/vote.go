package session

import (
	"fmt"
	"maps"

	"github.com/parley-negotiation/parley/scenario"
)

// Voting is the mediator-based voting protocol of GENIUS
// (genius.core.protocol.SimpleMediatorBasedProtocol, as run in ANAC's
// mediated tracks and AMOP-like settings). Each round:
//
//  1. the mediator proposes a complete package (KindPropose, public);
//  2. every negotiating party votes on it (KindVote with Yes), in any order;
//     a vote is seen by the voter and the mediator only, as in GENIUS where
//     the parties listen to the mediator alone;
//  3. when the last vote is in the engine informs everyone of the result
//     (note "adopted" or "rejected", GENIUS's InformVotingResult; it does
//     not say who voted how). The proposal is adopted when the votes meet
//     the scenario's decision rule (Session.Decide: unanimity — GENIUS's
//     "all accept" — or quorum, and every veto holder); an adopted proposal
//     becomes State.Standing, the agreement in progress.
//
// As in GENIUS, the talks do not stop at the first adopted proposal: the
// mediator keeps proposing (typically one change to the standing package
// at a time) until the deadline, and the outcome is the last proposal every
// party accepted (SimpleMediatorBasedProtocol.getCurrentAgreement: the bid
// of the last InformVotingResult with ACCEPT). When the deadline passes —
// after the votes of round Config.Rounds, or at the wall-clock deadline —
// Standing is agreed; with none, the session ends without agreement. The
// protocol therefore needs a deadline. KindEnd (anyone) ends the talks
// without agreement, whatever is standing. State.Version counts proposals.
const Voting = "vote"

func init() {
	register(ProtocolInfo{
		Name:          Voting,
		Title:         "mediator's proposals put to the vote",
		Description:   "Each round the mediator proposes a complete package and every party votes on it; at the deadline the last proposal every party accepted is the agreement (GENIUS's mediator protocol).",
		Mediated:      true,
		NeedsDeadline: true,
		Moves: []MoveInfo{
			{KindPropose, ByMediator}, {KindEnd, ByMediator},
			{KindVote, ByParties}, {KindEnd, ByParties}, {KindLeave, ByParties},
		},
	}, func() Protocol { return voting{} })
}

type voting struct{}

func (voting) Name() string { return Voting }

func (v voting) CheckConfig(sc *scenario.Scenario, cfg Config) error {
	return v.checkConfigFor(Voting, sc, cfg)
}

// checkConfigFor checks a mediated protocol whose outcome is the standing
// proposal at the deadline (vote, feedback).
func (voting) checkConfigFor(name string, sc *scenario.Scenario, cfg Config) error {
	if err := checkMediated(name, sc, cfg); err != nil {
		return err
	}
	if cfg.Rounds == 0 && cfg.Duration == 0 {
		return fmt.Errorf("session: protocol %s needs a deadline (rounds or duration): its outcome is the last proposal every party accepted when the deadline passes", name)
	}
	return nil
}

func (voting) Open(*Session) {}

func (voting) Check(s *Session, m *Move) error {
	switch m.Kind {
	case KindPropose:
		if err := s.mediatorMove(m); err != nil {
			return err
		}
		return s.checkComplete(m)
	case KindVote:
		if !s.State.VoteOpen {
			return fmt.Errorf("%w: no proposal is put to the vote", ErrOutOfTurn)
		}
		if err := s.waitsFor(m.Party, fmt.Sprintf("a vote on proposal %d", s.State.Version)); err != nil {
			return err
		}
		if m.Yes == nil {
			return fmt.Errorf("%w: a vote says yes or no", ErrInvalid)
		}
		return nil
	case KindEnd:
		return nil
	}
	return fmt.Errorf("%w: %q is not a move of %s (propose, vote, end)", ErrInvalid, m.Kind, Voting)
}

func (voting) Visible(s *Session, m *Move) []string {
	if m.Kind == KindVote {
		return sortedSet(m.Party, s.Config.Mediator)
	}
	return nil
}

func (voting) Apply(s *Session, m *Move) {
	st := &s.State
	switch m.Kind {
	case KindPropose:
		s.openProposal(m)
	case KindVote:
		if st.Votes == nil {
			st.Votes = map[string]bool{}
		}
		st.Votes[m.Party] = *m.Yes
		if !s.replied(m.Party) {
			return
		}
		ok, _ := s.Decide(st.Votes)
		s.closeProposal(ok)
	case KindEnd:
		s.applyEnd(m)
	}
}

// openProposal puts the mediator's proposal on the table and waits for
// every party's reply (vote and feedback protocols).
func (s *Session) openProposal(m *Move) {
	st := &s.State
	st.Version++
	st.Prior = st.Current
	st.Current = &Offer{By: m.Party, Package: m.Package.Clone(), Round: st.Round}
	st.VoteOpen = true
	st.Votes = nil
	s.openRound()
}

// closeProposal records the round's result once every reply is in: an
// adopted proposal becomes the standing one; the engine says only
// "adopted" or "rejected"; past the last round the standing proposal is
// agreed.
func (s *Session) closeProposal(adopted bool) {
	st := &s.State
	st.VoteOpen = false
	if adopted {
		st.Standing = &Offer{By: st.Current.By, Package: st.Current.Package.Clone(), Round: st.Current.Round}
		st.standingVersion, st.standingYes = st.Version, maps.Clone(st.Votes)
		s.Note("adopted", &Note{Version: st.Version})
	} else {
		s.Note("rejected", &Note{Version: st.Version})
	}
	if !s.closeRound() {
		voting{}.AtDeadline(s, fmt.Sprintf("the %d rounds are over", s.Config.Rounds))
	}
}

// AtDeadline agrees on the standing proposal, if any.
func (voting) AtDeadline(s *Session, reason string) {
	st := &s.State
	st.VoteOpen = false
	st.Waiting = nil
	if st.Standing == nil {
		s.Finish("deadline", reason+"; no proposal was accepted by every party")
		return
	}
	s.Note("deadline", &Note{Reason: reason + "; the last proposal every party accepted is the agreement", Version: st.Version})
	s.agree(st.Standing.Package, st.standingYes, st.standingVersion, false)
}
