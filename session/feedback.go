package session

import (
	"fmt"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/scenario"
)

// Feedback is GENIUS's mediated feedback protocol
// (genius.core.protocol.MediatorFeedbackBasedProtocol). Each round:
//
//  1. the mediator proposes a complete package (KindPropose, public);
//  2. every negotiating party gives feedback on it (KindFeedback with
//     Feedback "better", "same" or "worse" — compared with the previous
//     proposal, by the party's own judgement), seen by the party and the
//     mediator only;
//  3. when all feedback is in, the engine notes "adopted" when nobody said
//     worse, "rejected" otherwise (never who said what); an adopted
//     proposal becomes State.Standing.
//
// As in GENIUS, the outcome is the proposal of the last round without a
// "worse": at the deadline (rounds or wall time, required) Standing is
// agreed; with none, the session ends without agreement. KindEnd (anyone)
// ends the talks without agreement. The decision rule's veto holders are
// covered because a veto holder's "worse" rejects the round; quorum rules
// do not apply (GENIUS's rule is that nobody is worse off).
const Feedback = "feedback"

// Feedback values.
const (
	Better = "better"
	Same   = "same"
	Worse  = "worse"
)

func init() {
	register(ProtocolInfo{
		Name:          Feedback,
		Title:         "mediator's proposals with feedback",
		Description:   "Each round the mediator proposes a complete package and every party says whether it is better, the same or worse than the previous one; at the deadline the last proposal nobody found worse is the agreement (GENIUS's feedback protocol).",
		Mediated:      true,
		NeedsDeadline: true,
		Moves: []MoveInfo{
			{KindPropose, ByMediator}, {KindEnd, ByMediator},
			{KindFeedback, ByParties}, {KindEnd, ByParties}, {KindLeave, ByParties},
		},
	}, func() Protocol { return feedback{} })
}

type feedback struct{}

func (feedback) Name() string { return Feedback }

func (feedback) CheckConfig(sc *scenario.Scenario, cfg Config) error {
	return voting{}.checkConfigFor(Feedback, sc, cfg)
}

func (feedback) Open(*Session) {}

func (feedback) Check(s *Session, m *Move) error {
	switch m.Kind {
	case KindPropose:
		if err := s.mediatorMove(m); err != nil {
			return err
		}
		return s.checkComplete(m)
	case KindFeedback:
		if !s.State.VoteOpen {
			return fmt.Errorf("%w: no proposal is waiting for feedback", ErrOutOfTurn)
		}
		if err := s.waitsFor(m.Party, fmt.Sprintf("feedback on proposal %d", s.State.Version)); err != nil {
			return err
		}
		switch m.Feedback {
		case Better, Same, Worse:
			return nil
		}
		return fmt.Errorf("%w: feedback %q (want better, same or worse)", ErrInvalid, m.Feedback)
	case KindEnd:
		return nil
	}
	return fmt.Errorf("%w: %q is not a move of %s (propose, feedback, end)", ErrInvalid, m.Kind, Feedback)
}

func (feedback) Visible(s *Session, m *Move) []string {
	if m.Kind == KindFeedback {
		return sortedSet(m.Party, s.Config.Mediator)
	}
	return nil
}

func (feedback) Apply(s *Session, m *Move) {
	st := &s.State
	switch m.Kind {
	case KindPropose:
		s.openProposal(m)
	case KindFeedback:
		if st.Votes == nil {
			st.Votes = map[string]bool{}
		}
		// Votes records "not worse" per party, as the vote protocol's yes.
		st.Votes[m.Party] = m.Feedback != Worse
		if !s.replied(m.Party) {
			return
		}
		adopted := true
		for _, ok := range st.Votes {
			adopted = adopted && ok
		}
		s.closeProposal(adopted)
	case KindEnd:
		s.applyEnd(m)
	}
}

// AtDeadline agrees on the standing proposal, if any.
func (feedback) AtDeadline(s *Session, reason string) { voting{}.AtDeadline(s, reason) }

// FeedbackFor is the feedback a party with compiled utilities u gives on
// proposal p after prior (nil for the first proposal): worse when p is not
// acceptable to it (below its reservation value or across one of its red
// lines) or lower than prior, better when higher, same otherwise.
func FeedbackFor(v *PartyView, p, prior framework.Package) string {
	if !acceptable(v, p) {
		return Worse
	}
	if prior == nil {
		return Same
	}
	a, b := v.Table.Utility(p), v.Table.Utility(prior)
	switch {
	case a > b:
		return Better
	case a < b:
		return Worse
	}
	return Same
}
