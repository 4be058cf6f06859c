package session

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/scenario"
)

// Helpers shared by the round-based protocols (single text, vote, blind).
//
// A round of these protocols is one opening move — the mediator's draft,
// call to vote or proposal; for blind bidding the round itself — followed by
// one reply from every negotiating party (responses, votes or bids). The
// parties a round still waits for are in State.Waiting; when the last reply
// arrives the protocol draws the round's consequences and the round ends:
// the next round begins (State.Round+1) or, after round Config.Rounds, the
// deadline has passed.

// Values of Config.BlindReveal.
const (
	RevealSize     = "size"     // whether the overlap is empty, and its size (default)
	RevealPoints   = "points"   // and, per point, the options the overlap uses
	RevealPackages = "packages" // and the packages of the overlap
)

// Values of Config.MediatorAccess.
const (
	AccessNone     = "none"     // the mediator sees no profile (default)
	AccessProfiles = "profiles" // the mediator may use the parties' profiles
)

// configChecker is implemented by protocols that constrain a session's
// configuration; New refuses a configuration the protocol refuses.
type configChecker interface {
	CheckConfig(sc *scenario.Scenario, cfg Config) error
}

// deadliner is implemented by protocols that draw their own consequences
// from a wall-clock deadline (instead of ending without agreement).
type deadliner interface {
	AtDeadline(s *Session, reason string)
}

// checkMediated checks the configuration of a protocol run by a mediator:
// the mediator is named, is a party of the scenario and does not also
// negotiate.
func checkMediated(name string, sc *scenario.Scenario, cfg Config) error {
	if cfg.Mediator == "" {
		return fmt.Errorf("session: protocol %s needs a mediator: a party with role mediator, named as the session's mediator", name)
	}
	if slices.Contains(cfg.Parties, cfg.Mediator) {
		return fmt.Errorf("session: protocol %s: the mediator %q does not also negotiate", name, cfg.Mediator)
	}
	return checkCommon(sc, cfg)
}

// checkCommon checks the settings every round-based protocol reads.
func checkCommon(sc *scenario.Scenario, cfg Config) error {
	switch cfg.BlindReveal {
	case "", RevealSize, RevealPoints, RevealPackages:
	default:
		return fmt.Errorf("session: blind reveal %q (want %s, %s or %s)", cfg.BlindReveal, RevealSize, RevealPoints, RevealPackages)
	}
	switch cfg.MediatorAccess {
	case "", AccessNone, AccessProfiles:
	default:
		return fmt.Errorf("session: mediator access %q (want %s or %s)", cfg.MediatorAccess, AccessNone, AccessProfiles)
	}
	if cfg.MediatorAccess == AccessProfiles && cfg.Mediator == "" {
		return fmt.Errorf("session: mediator access %q without a mediator", cfg.MediatorAccess)
	}
	if len(cfg.Parties) == 0 {
		return fmt.Errorf("session: scenario %q has no negotiating parties", sc.Name)
	}
	seen := map[string]bool{}
	for _, p := range cfg.Parties {
		if seen[p] {
			return fmt.Errorf("session: party %q is listed twice", p)
		}
		seen[p] = true
	}
	return nil
}

// openRound starts waiting for a reply from every negotiating party.
func (s *Session) openRound() {
	s.State.Waiting = s.atTable()
}

// atTable lists the negotiating parties that have not left, in turn order.
func (s *Session) atTable() []string {
	var out []string
	for _, p := range s.Config.Parties {
		if !s.State.Left[p] {
			out = append(out, p)
		}
	}
	return out
}

// checkMediatedLeave: under the mediated protocols and blind bidding a
// negotiating party may leave the table between its replies (not while the
// round waits for it: it replies, or ends the talks).
func (s *Session) checkMediatedLeave(m *Move) error {
	if s.Config.Protocol == AMOP {
		return fmt.Errorf("%w: under %s a party ends the talks rather than leaving (every offer is voted on by all)", ErrInvalid, AMOP)
	}
	if !slices.Contains(s.Config.Parties, m.Party) {
		return fmt.Errorf("%w: only a negotiating party leaves the table (the mediator ends the talks)", ErrInvalid)
	}
	if s.State.Left[m.Party] {
		return fmt.Errorf("%w: %s has already left", ErrInvalid, m.Party)
	}
	if slices.Contains(s.State.Waiting, m.Party) {
		return fmt.Errorf("%w: the round waits for %s's reply; reply first, or end the talks", ErrOutOfTurn, m.Party)
	}
	return nil
}

// applyMediatedLeave takes a party away from the table: its bids are
// dropped; a veto holder leaving, or fewer than two parties remaining,
// ends the talks; otherwise later rounds go on without it and the decision
// rule counts only the parties at the table.
func (s *Session) applyMediatedLeave(m *Move) {
	st := &s.State
	if st.Left == nil {
		st.Left = map[string]bool{}
	}
	st.Left[m.Party] = true
	delete(st.Bids, m.Party)
	s.Note("left", &Note{Parties: []string{m.Party}})
	switch {
	case slices.Contains(s.Scenario.Decision.Vetoes, m.Party):
		st.Waiting, st.VoteOpen = nil, false
		s.Finish("no-agreement", "no deal unless "+m.Party+" agrees, and "+m.Party+" left the table")
	case len(s.atTable()) < 2:
		st.Waiting, st.VoteOpen = nil, false
		s.Finish("no-agreement", "fewer than two parties remain at the table")
	case s.quorumLost():
		st.Waiting, st.VoteOpen = nil, false
		s.Finish("no-agreement", s.quorumLostReason())
	default:
		s.voidStanding(m.Party)
	}
}

// quorumLost reports whether, from engine version 3, fewer principals
// remain at the table than the quorum the decision rule needs: no
// agreement is possible any more.
func (s *Session) quorumLost() bool {
	d := s.Scenario.Decision
	return s.Config.Engine >= 3 && d.Rule == scenario.Quorum && s.principalsAtTable() < d.Quorum
}

func (s *Session) quorumLostReason() string {
	return fmt.Sprintf("%d principals remain at the table, fewer than the quorum of %d", s.principalsAtTable(), s.Scenario.Decision.Quorum)
}

// principalsAtTable counts the negotiating principals that have not left.
func (s *Session) principalsAtTable() int {
	n := 0
	for _, p := range s.atTable() {
		if q := s.Scenario.Party(p); q != nil && q.Role == scenario.Principal {
			n++
		}
	}
	return n
}

// voidStanding: from engine version 3 a party that leaves takes its
// assent with it (as under sao, where its acceptance is void). A standing
// proposal of the vote protocol that it helped adopt stays standing only
// if the decision rule still holds without it; otherwise it is void (note
// "standing-void"), and the deadline agrees on nothing unless a later
// proposal is adopted.
func (s *Session) voidStanding(party string) {
	st := &s.State
	if s.Config.Engine < 3 || s.Config.Protocol != Voting || st.Standing == nil || !st.standingYes[party] {
		return
	}
	delete(st.standingYes, party)
	if ok, why := s.Decide(st.standingYes); !ok {
		st.Standing, st.standingYes, st.standingVersion = nil, nil, 0
		s.Note("standing-void", &Note{Reason: "the standing proposal no longer meets the decision rule without " + party + ": " + why})
	}
}

// replied removes party from the parties the round waits for and reports
// whether it was the last one.
func (s *Session) replied(party string) bool {
	s.State.Waiting = slices.DeleteFunc(s.State.Waiting, func(p string) bool { return p == party })
	if len(s.State.Waiting) == 0 {
		s.State.Waiting = nil
		return true
	}
	return false
}

// waitsFor checks that the round waits for party's reply; what names the
// reply ("a response to version 3").
func (s *Session) waitsFor(party, what string) error {
	if slices.Contains(s.State.Waiting, party) {
		return nil
	}
	if !slices.Contains(s.Config.Parties, party) {
		return fmt.Errorf("%w: %s is not a negotiating party and sends no %s", ErrInvalid, party, what)
	}
	if len(s.State.Waiting) == 0 {
		return fmt.Errorf("%w: no %s is due: it is the mediator's move", ErrOutOfTurn, what)
	}
	return fmt.Errorf("%w: %s already sent %s this round (still waiting for %s)", ErrOutOfTurn, party, what, strings.Join(s.State.Waiting, ", "))
}

// mediatorMove checks that m is the mediator's and that it is its move.
func (s *Session) mediatorMove(m *Move) error {
	if m.Party != s.Config.Mediator {
		return fmt.Errorf("%w: only the mediator (%s) may %s", ErrInvalid, s.Config.Mediator, m.Kind)
	}
	if len(s.State.Waiting) > 0 {
		return fmt.Errorf("%w: the round still waits for %s", ErrOutOfTurn, strings.Join(s.State.Waiting, ", "))
	}
	return nil
}

// closeRound appends the notes drawn so far (so they carry the round they
// conclude) and starts the next round; it reports false, and leaves the
// round as it is, when the round deadline has passed: the caller then draws
// the deadline's consequences.
func (s *Session) closeRound() bool {
	s.flush()
	if s.Config.Rounds > 0 && s.State.Round >= s.Config.Rounds {
		return false
	}
	s.State.Round++
	return true
}

// deadlineReason says why a round deadline ended a session.
func (s *Session) deadlineReason() string {
	return fmt.Sprintf("no agreement within %d rounds", s.Config.Rounds)
}

// replyVisible says who sees a party's reply to the mediator (responses,
// critiques, votes): in plenary, everyone at the table except parties that
// do not meet the sender (the mediator, to whom replies go, always sees
// them); under every other format, the sender and the mediator only.
func (s *Session) replyVisible(party string) []string {
	if s.Config.Format != scenario.Plenary {
		return sortedSet(party, s.Config.Mediator)
	}
	v := []string{party}
	hidden := false
	for _, p := range s.others(party) {
		if p != s.Config.Mediator && s.noDirect(party, p) {
			hidden = true
			continue
		}
		v = append(v, p)
	}
	if !hidden {
		return nil
	}
	return sortedSet(v...)
}

func sortedSet(ids ...string) []string {
	var v []string
	for _, id := range ids {
		if id != "" {
			v = append(v, id)
		}
	}
	slices.Sort(v)
	return slices.Compact(v)
}

// checkUTF8 refuses a move whose text is not valid UTF-8: JSON would write
// it with replacement characters, so its log could not be read back as the
// engine wrote it (ReadLog would call it tampered) nor replayed.
func checkUTF8(m *Move) error {
	ok := utf8.ValidString(m.Kind) && utf8.ValidString(m.Message)
	for _, to := range m.To {
		ok = ok && utf8.ValidString(to)
	}
	for _, r := range m.Responses {
		ok = ok && utf8.ValidString(r.Stance) && utf8.ValidString(r.Reason)
	}
	if !ok {
		return fmt.Errorf("%w: the move's text is not valid UTF-8", ErrInvalid)
	}
	return nil
}

// checkReason validates free text a move carries.
func checkReason(r string) error {
	if len(r) > MaxMessage {
		return fmt.Errorf("%w: reason of %d bytes (limit %d)", ErrInvalid, len(r), MaxMessage)
	}
	if !utf8.ValidString(r) {
		return fmt.Errorf("%w: reason is not valid UTF-8", ErrInvalid)
	}
	return nil
}

// applyEnd ends the session without agreement.
func (s *Session) applyEnd(m *Move) {
	who := m.Party
	if m.Party == s.Config.Mediator {
		who = "the mediator (" + m.Party + ")"
	}
	s.State.Waiting = nil
	s.State.VoteOpen = false
	s.Finish("ended", who+" ended the negotiation")
}

// pointName names a point for error messages.
func (s *Session) pointName(k int) string {
	return fmt.Sprintf("%d (%s)", k+1, s.Scenario.Framework.Points[k].ID)
}

// levelName names a level of point k for error messages.
func (s *Session) levelName(k, l int) string {
	return s.Scenario.Framework.Points[k].LevelID(l)
}

// clonePackages deep-copies packages (nil for none), so that state never
// shares memory with a logged move.
func clonePackages(ps []framework.Package) []framework.Package {
	if len(ps) == 0 {
		return nil
	}
	out := make([]framework.Package, len(ps))
	for i, p := range ps {
		out[i] = p.Clone()
	}
	return out
}
