package session

import (
	"fmt"
	"slices"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/scenario"
)

// SingleText is the mediator's single negotiating text (the procedure of
// the Camp David talks: one text, drafted by the mediator, criticised by the
// parties, redrafted until it can be put to a yes/no decision as a whole).
//
// Moves and rounds. A round is one move of the mediator and one reply from
// every negotiating party (Config.Parties):
//
//   - KindDraft (mediator): Text gives, per point, the options still open,
//     in increasing order: one option is settled wording, several are
//     bracketed alternatives. Every draft is a new version (State.Version);
//     all versions stay in the log. The parties reply with KindRespond.
//   - KindCallVote (mediator), only when the current text has no brackets:
//     the parties reply with KindVote (Yes) on the whole text, with their
//     reason if they give one (Message; seen as the vote is). When every
//     party has voted, Session.Decide applies the scenario's decision rule
//     (unanimity or quorum, and every veto holder): the text is agreed, or
//     it fails and the mediator may redraft in the next round.
//   - KindRespond (party, once per draft): per point (PointResponse.Point is
//     the 0-based point index) accept, object (with a reason) or propose an
//     alternative option. Accept on a bracketed point names the alternative
//     accepted (Option); on a settled point Option is 0 or the settled
//     option. Propose names an option that is not already in the text of
//     the point. Points not answered are not accepted.
//   - KindCritique (party): one object/propose remark on one point of the
//     current text, at any time outside a vote; advisory, it is logged and
//     changes no state and is no reply.
//   - KindEnd (anyone at the table): the talks end without agreement.
//
// The mediator moves only when the round's replies are all in (State.Waiting
// is empty). With a round deadline (Config.Rounds) the session ends when the
// replies of round Rounds are in without an agreement: a text voted on in
// round Rounds must therefore have been drafted in an earlier round.
//
// Visibility: drafts, calls to vote and the vote's outcome are public.
// Responses, critiques and votes are replies to the mediator: in plenary
// they are public (except to parties that do not meet the sender); under
// every other format (proximity, bilateral, trilateral) only the sender and
// the mediator see them. A failed vote's public note names the parties that
// did not agree only when every vote was itself public; otherwise it gives
// the count of yes votes.
//
// Agreement mode (scenario Decision.Agreement): "package" (the default):
// nothing is agreed until everything is agreed. "provisional": when every
// negotiating party accepts a settled point of a draft, the point is agreed
// provisionally (State.Provisional, note "provisional"); every later draft
// must keep it as it is. Provisional points stay agreed when a vote fails;
// the whole text still needs the final vote.
const SingleText = "single-text"

func init() {
	register(ProtocolInfo{
		Name:        SingleText,
		Title:       "single negotiating text",
		Description: "The mediator drafts one text, bracketing alternatives where the parties differ; the parties respond point by point to each draft until the mediator puts a text without brackets to a final vote.",
		Mediated:    true,
		Moves: []MoveInfo{
			{KindDraft, ByMediator}, {KindCallVote, ByMediator}, {KindEnd, ByMediator},
			{KindRespond, ByParties}, {KindCritique, ByParties}, {KindVote, ByParties}, {KindEnd, ByParties}, {KindLeave, ByParties},
		},
	}, func() Protocol { return singleText{} })
}

type singleText struct{}

func (singleText) Name() string { return SingleText }

func (singleText) CheckConfig(sc *scenario.Scenario, cfg Config) error {
	if err := checkMediated(SingleText, sc, cfg); err != nil {
		return err
	}
	switch sc.Decision.Agreement {
	case "", scenario.WholePackage, scenario.Provisional:
	default:
		return fmt.Errorf("session: agreement mode %q (want %s or %s)", sc.Decision.Agreement, scenario.WholePackage, scenario.Provisional)
	}
	return nil
}

func (singleText) Open(*Session) {}

func (singleText) Check(s *Session, m *Move) error {
	switch m.Kind {
	case KindDraft:
		return s.checkDraft(m)
	case KindCallVote:
		if err := s.mediatorMove(m); err != nil {
			return err
		}
		if s.State.Version == 0 {
			return fmt.Errorf("%w: there is no text to put to the vote yet", ErrInvalid)
		}
		for k, alts := range s.State.Text {
			if len(alts) > 1 {
				return fmt.Errorf("%w: point %s is still bracketed (%d alternatives); only a text without brackets goes to the vote", ErrInvalid, s.pointName(k), len(alts))
			}
		}
		return nil
	case KindRespond:
		return s.checkRespond(m)
	case KindCritique:
		return s.checkCritique(m)
	case KindVote:
		if !s.State.VoteOpen {
			return fmt.Errorf("%w: no vote is open", ErrOutOfTurn)
		}
		if err := s.waitsFor(m.Party, fmt.Sprintf("a vote on version %d", s.State.Version)); err != nil {
			return err
		}
		if m.Yes == nil {
			return fmt.Errorf("%w: a vote says yes or no", ErrInvalid)
		}
		return nil
	case KindEnd:
		return nil
	}
	return fmt.Errorf("%w: %q is not a move of %s (draft, call-vote, respond, critique, vote, end)", ErrInvalid, m.Kind, SingleText)
}

func (s *Session) checkDraft(m *Move) error {
	if err := s.mediatorMove(m); err != nil {
		return err
	}
	pts := s.Scenario.Framework.Points
	if len(m.Text) != len(pts) {
		return fmt.Errorf("%w: a draft gives the options of each of the %d points (it has %d)", ErrInvalid, len(pts), len(m.Text))
	}
	for k, alts := range m.Text {
		if len(alts) == 0 {
			return fmt.Errorf("%w: point %s has no option in the draft", ErrInvalid, s.pointName(k))
		}
		n := pts[k].Levels()
		for i, l := range alts {
			if l < 0 || l >= n {
				return fmt.Errorf("%w: point %s: option %d out of range 0..%d", ErrInvalid, s.pointName(k), l, n-1)
			}
			if i > 0 && l <= alts[i-1] {
				return fmt.Errorf("%w: point %s: alternatives are listed once each, in increasing order", ErrInvalid, s.pointName(k))
			}
		}
		if pv := s.State.Provisional; pv != nil && pv[k] != framework.Open {
			if len(alts) != 1 || alts[0] != pv[k] {
				return fmt.Errorf("%w: point %s was agreed provisionally (%s); a draft may not change it", ErrInvalid, s.pointName(k), s.levelName(k, pv[k]))
			}
		}
	}
	return nil
}

func (s *Session) checkRespond(m *Move) error {
	if s.State.VoteOpen {
		return fmt.Errorf("%w: version %d is put to the vote; vote yes or no", ErrOutOfTurn, s.State.Version)
	}
	if s.State.Version == 0 {
		return fmt.Errorf("%w: there is no draft to respond to yet", ErrOutOfTurn)
	}
	if err := s.waitsFor(m.Party, fmt.Sprintf("a response to version %d", s.State.Version)); err != nil {
		return err
	}
	n := len(s.Scenario.Framework.Points)
	if len(m.Responses) == 0 || len(m.Responses) > n {
		return fmt.Errorf("%w: a response answers between 1 and %d points (it answers %d)", ErrInvalid, n, len(m.Responses))
	}
	seen := make([]bool, n)
	for i := range m.Responses {
		if err := s.checkPointResponse(&m.Responses[i], seen); err != nil {
			return err
		}
	}
	return nil
}

func (s *Session) checkCritique(m *Move) error {
	if !slices.Contains(s.Config.Parties, m.Party) {
		return fmt.Errorf("%w: only negotiating parties critique the text", ErrInvalid)
	}
	if s.State.Version == 0 {
		return fmt.Errorf("%w: there is no draft to critique yet", ErrOutOfTurn)
	}
	if s.State.VoteOpen {
		return fmt.Errorf("%w: version %d is put to the vote; vote yes or no", ErrOutOfTurn, s.State.Version)
	}
	if len(m.Responses) != 1 {
		return fmt.Errorf("%w: a critique concerns exactly one point (it has %d)", ErrInvalid, len(m.Responses))
	}
	r := &m.Responses[0]
	if r.Stance != StanceObject && r.Stance != StancePropose {
		return fmt.Errorf("%w: a critique objects or proposes (stance %q)", ErrInvalid, r.Stance)
	}
	return s.checkPointResponse(r, make([]bool, len(s.Scenario.Framework.Points)))
}

// checkPointResponse validates one point of a response against the
// current text; seen marks the points already answered.
func (s *Session) checkPointResponse(r *PointResponse, seen []bool) error {
	n := len(s.Scenario.Framework.Points)
	if r.Point < 0 || r.Point >= n {
		return fmt.Errorf("%w: point index %d out of range 0..%d", ErrInvalid, r.Point, n-1)
	}
	k := r.Point
	if seen[k] {
		return fmt.Errorf("%w: point %s is answered twice", ErrInvalid, s.pointName(k))
	}
	seen[k] = true
	if err := checkReason(r.Reason); err != nil {
		return fmt.Errorf("point %s: %w", s.pointName(k), err)
	}
	alts := s.State.Text[k]
	switch r.Stance {
	case StanceAccept:
		if settled, ok := s.State.Text.Settled(k); ok {
			if r.Option != 0 && r.Option != settled {
				return fmt.Errorf("%w: point %s reads %s; accepting it names that option or none (got %d)", ErrInvalid, s.pointName(k), s.levelName(k, settled), r.Option)
			}
			return nil
		}
		if !slices.Contains(alts, r.Option) {
			return fmt.Errorf("%w: point %s is bracketed (options %v); accepting it names one of them (got %d)", ErrInvalid, s.pointName(k), alts, r.Option)
		}
	case StanceObject:
		if r.Reason == "" {
			return fmt.Errorf("%w: an objection to point %s gives a reason", ErrInvalid, s.pointName(k))
		}
		if r.Option != 0 {
			return fmt.Errorf("%w: an objection to point %s proposes nothing (use stance %q)", ErrInvalid, s.pointName(k), StancePropose)
		}
	case StancePropose:
		if r.Option < 0 || r.Option >= s.Scenario.Framework.Points[k].Levels() {
			return fmt.Errorf("%w: point %s has no option %d", ErrInvalid, s.pointName(k), r.Option)
		}
		if slices.Contains(alts, r.Option) {
			return fmt.Errorf("%w: option %s is already in the text of point %s (accept it instead)", ErrInvalid, s.levelName(k, r.Option), s.pointName(k))
		}
		if pv := s.State.Provisional; pv != nil && pv[k] != framework.Open {
			return fmt.Errorf("%w: point %s was agreed provisionally; it is not reopened", ErrInvalid, s.pointName(k))
		}
	default:
		return fmt.Errorf("%w: stance %q (want %s, %s or %s)", ErrInvalid, r.Stance, StanceAccept, StanceObject, StancePropose)
	}
	return nil
}

func (singleText) Visible(s *Session, m *Move) []string {
	switch m.Kind {
	case KindRespond, KindCritique, KindVote:
		return s.replyVisible(m.Party)
	}
	return nil
}

func (singleText) Apply(s *Session, m *Move) {
	st := &s.State
	switch m.Kind {
	case KindDraft:
		st.Version++
		st.Text = m.Text.Clone()
		st.Replies = nil
		st.Votes = nil
		st.Current = &Offer{By: m.Party, Package: st.Text.Package(), Round: st.Round}
		s.openRound()
	case KindCallVote:
		st.VoteOpen = true
		st.Votes = nil
		s.openRound()
	case KindRespond:
		if st.Replies == nil {
			st.Replies = map[string][]PointResponse{}
		}
		rs := slices.Clone(m.Responses)
		slices.SortFunc(rs, func(a, b PointResponse) int { return a.Point - b.Point })
		st.Replies[m.Party] = rs
		if s.replied(m.Party) {
			s.endDraftRound()
		}
	case KindVote:
		if st.Votes == nil {
			st.Votes = map[string]bool{}
		}
		st.Votes[m.Party] = *m.Yes
		if s.replied(m.Party) {
			s.endTextVote()
		}
	case KindEnd:
		s.applyEnd(m)
	}
}

// endDraftRound draws the consequences of the last response to a draft.
func (s *Session) endDraftRound() {
	st := &s.State
	if s.Scenario.Decision.Agreement == scenario.Provisional {
		var closed []int
		for k := range st.Text {
			option, settled := st.Text.Settled(k)
			if !settled || (st.Provisional != nil && st.Provisional[k] != framework.Open) {
				continue
			}
			all := true
			for _, p := range s.atTable() {
				if !acceptsPoint(st.Replies[p], k) {
					all = false
					break
				}
			}
			if all {
				if st.Provisional == nil {
					st.Provisional = framework.NewPackage(len(st.Text))
				}
				st.Provisional[k] = option
				closed = append(closed, k)
			}
		}
		if len(closed) > 0 {
			s.Note("provisional", &Note{Version: st.Version, Points: closed})
		}
	}
	if !s.closeRound() {
		s.Finish("deadline", s.deadlineReason())
	}
}

func acceptsPoint(rs []PointResponse, k int) bool {
	for _, r := range rs {
		if r.Point == k {
			return r.Stance == StanceAccept
		}
	}
	return false
}

// endTextVote decides on the text put to the vote.
func (s *Session) endTextVote() {
	st := &s.State
	st.VoteOpen = false
	ok, why := s.Decide(st.Votes)
	yes, public := 0, true
	for _, p := range s.atTable() {
		if st.Votes[p] {
			yes++
		}
		if s.replyVisible(p) != nil {
			public = false
		}
	}
	if ok {
		s.agree(st.Text.Package(), st.Votes, st.Version, public)
		return
	}
	reason := why
	if !public {
		reason = fmt.Sprintf("the decision rule is not met: %d of %d parties voted yes", yes, len(s.atTable()))
	}
	s.Note("vote-failed", &Note{Version: st.Version, Reason: reason, Count: yes})
	if !s.closeRound() {
		s.Finish("deadline", s.deadlineReason())
	}
}
