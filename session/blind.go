package session

import (
	"fmt"
	"slices"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/scenario"
)

// Blind is blind bidding: in every round each negotiating party submits,
// once, a secret set of packages it would accept (KindBid with Packages:
// complete, distinct, at most MaxBid). A bid is visible to its bidder only
// — not to the other parties, not to the mediator — and is kept in
// State.Bids only until the round ends.
//
// When the last bid of a round is in, the engine computes the overlap: the
// packages whose bidders meet the scenario's decision rule (Session.Decide;
// under unanimity, the packages in every party's bid). It notes, publicly
// (note "overlap"), only what Config.BlindReveal allows:
//
//   - RevealSize (default): whether the overlap is empty, and its size (Count);
//   - RevealPoints: also, per point, the options the overlap's packages use (Overlap);
//   - RevealPackages: also the overlap's packages (Packages).
//
// It never says whose bid held what, nor anything about packages outside
// the overlap. A non-empty overlap is agreed at once: every party has
// declared each of its packages acceptable, so no further vote is taken; the
// agreed package is the overlap's first in the framework's mixed-radix
// order (which depends on no bid). A party that cares which package of the
// overlap is chosen bids a narrower set. An empty overlap ends the round;
// after round Config.Rounds the session ends without agreement. KindEnd
// (anyone at the table) ends the talks. A mediator is optional: it sees no
// bid, and besides messages its only move is KindEnd.
const Blind = "blind"

// MaxBid bounds the packages of one blind bid.
const MaxBid = 4096

func init() {
	register(ProtocolInfo{
		Name:        Blind,
		Title:       "blind bidding",
		Description: "Each round every party secretly bids the packages it would accept; the engine reveals only their overlap, and agrees its first package when the bids holding it meet the decision rule.",
		Moves: []MoveInfo{
			{KindEnd, ByMediator},
			{KindBid, ByParties}, {KindEnd, ByParties}, {KindLeave, ByParties},
		},
	}, func() Protocol { return blind{} })
}

type blind struct{}

func (blind) Name() string { return Blind }

func (blind) CheckConfig(sc *scenario.Scenario, cfg Config) error {
	if cfg.Mediator != "" && slices.Contains(cfg.Parties, cfg.Mediator) {
		return fmt.Errorf("session: protocol %s: the mediator %q does not also bid", Blind, cfg.Mediator)
	}
	return checkCommon(sc, cfg)
}

func (blind) Open(s *Session) { s.openRound() }

func (blind) Check(s *Session, m *Move) error {
	switch m.Kind {
	case KindBid:
		if err := s.waitsFor(m.Party, "a bid"); err != nil {
			return err
		}
		if len(m.Packages) == 0 || len(m.Packages) > MaxBid {
			return fmt.Errorf("%w: a bid lists between 1 and %d packages (it lists %d)", ErrInvalid, MaxBid, len(m.Packages))
		}
		seen := make(map[string]bool, len(m.Packages))
		for i, p := range m.Packages {
			if err := s.Scenario.Framework.CheckPackage(p); err != nil {
				return fmt.Errorf("%w: package %d of the bid: %v", ErrInvalid, i+1, err)
			}
			if !p.Complete() {
				return fmt.Errorf("%w: package %d of the bid leaves a point open", ErrInvalid, i+1)
			}
			k := p.Key()
			if seen[k] {
				return fmt.Errorf("%w: package %d of the bid is listed twice", ErrInvalid, i+1)
			}
			seen[k] = true
		}
		return nil
	case KindEnd:
		return nil
	}
	return fmt.Errorf("%w: %q is not a move of %s (bid, end)", ErrInvalid, m.Kind, Blind)
}

func (blind) Visible(_ *Session, m *Move) []string {
	if m.Kind == KindBid {
		return []string{m.Party}
	}
	return nil
}

func (blind) Apply(s *Session, m *Move) {
	st := &s.State
	switch m.Kind {
	case KindBid:
		if st.Bids == nil {
			st.Bids = map[string][]framework.Package{}
		}
		st.Bids[m.Party] = clonePackages(m.Packages)
		if s.replied(m.Party) {
			s.endBidRound()
		}
	case KindEnd:
		st.Bids = nil
		s.applyEnd(m)
	}
}

// endBidRound reveals the overlap of the round's bids and agrees on it or
// starts the next round.
func (s *Session) endBidRound() {
	st := &s.State
	overlap := s.blindOverlap()
	yes := map[string]bool{}
	if len(overlap) > 0 {
		for _, p := range s.atTable() {
			yes[p] = slices.ContainsFunc(st.Bids[p], func(b framework.Package) bool { return slices.Equal(b, overlap[0]) })
		}
	}
	st.Bids = nil
	n := &Note{Count: len(overlap), Reason: "the bids do not overlap"}
	if len(overlap) > 0 {
		n.Reason = fmt.Sprintf("the bids overlap in %d package(s)", len(overlap))
		if s.Config.BlindReveal == RevealPoints || s.Config.BlindReveal == RevealPackages {
			n.Overlap = BracketText(len(s.Scenario.Framework.Points), overlap)
		}
		if s.Config.BlindReveal == RevealPackages {
			n.Packages = clonePackages(overlap)
		}
	}
	s.Note("overlap", n)
	if len(overlap) > 0 {
		s.agree(overlap[0], yes, 0, false)
		return
	}
	if !s.closeRound() {
		s.Finish("deadline", s.deadlineReason())
		return
	}
	s.openRound()
}

// blindOverlap returns, in mixed-radix order, the packages whose bidders
// meet the decision rule.
func (s *Session) blindOverlap() []framework.Package {
	type entry struct {
		p   framework.Package
		yes map[string]bool
	}
	byKey := map[string]*entry{}
	var all []*entry
	for _, party := range s.atTable() {
		for _, p := range s.State.Bids[party] {
			k := p.Key()
			e := byKey[k]
			if e == nil {
				e = &entry{p: p, yes: map[string]bool{}}
				byKey[k] = e
				all = append(all, e)
			}
			e.yes[party] = true
		}
	}
	var out []framework.Package
	for _, e := range all {
		if ok, _ := s.Decide(e.yes); ok {
			out = append(out, e.p.Clone())
		}
	}
	slices.SortFunc(out, func(a, b framework.Package) int { return slices.Compare(a, b) })
	return out
}
