package session

import (
	"fmt"
	"slices"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// This file holds the parties' automated responders for the mediated
// protocols and blind bidding.

// ProfileResponder answers from the party's own profile.
//
// Respond: for a settled point it accepts the drafted option when its
// contribution is within Tolerance of the point's span (best minus worst
// option) of the party's best option, and otherwise proposes that best
// option (its best among the options no single-point red line forbids). For
// a bracketed point it accepts its preferred alternative when that is within
// tolerance, and otherwise proposes its best option. A settled option that
// takes part in a red line the settled text crosses is objected to. A point
// agreed provisionally is accepted or objected to, never reopened. Reasons
// never quote a red line's own (confidential) reason.
//
// Vote: yes iff the package is complete, its utility is at least the
// party's reservation value and it crosses none of the party's red lines.
//
// Bid: agent.BlindBidder's bid — at most agent.MaxBlindBid (1,000)
// packages, all of which the vote would accept, whose utility reaches a
// threshold conceding linearly from the party's best utility within its
// red lines in the first round to its reservation value at 80% of the
// round deadline (held there to the end; without a deadline, a fifth of
// the distance each round): the first such packages in the round's public
// order (agent.PublicOrder, keyed on the framework and the round only), so
// that the bids of automated parties overlap inside the agreement zone
// when it is not too small. It uses the party's own profile and the round
// and deadline only; no bid is ever empty while some package is
// acceptable to the party.
type ProfileResponder struct {
	// Tolerance is the fraction of a point's span a drafted option may
	// fall short of the party's best option and still be accepted.
	Tolerance float64
}

// Name implements Responder.
func (r ProfileResponder) Name() string { return fmt.Sprintf("profile(tolerance=%g)", r.Tolerance) }

// Respond implements Responder.
func (r ProfileResponder) Respond(v *PartyView) []PointResponse {
	f, t, pr := v.Framework, v.Table, v.Profile
	settled := v.Text.Package()
	inCrossed := make([]bool, len(v.Text))
	for i := range pr.RedLines {
		if pr.RedLines[i].Crossed(settled) {
			for _, term := range pr.RedLines[i].Terms {
				inCrossed[term.Point] = true
			}
		}
	}
	var out []PointResponse
	ref := conditionalBase(t, settled)
	for k, alts := range v.Text {
		c := t.Contrib[k]
		if !t.Additive() {
			c = conditional(t, ref, k)
		}
		best := bestAllowed(pr, k, c)
		closed := v.Provisional != nil && v.Provisional[k] != framework.Open
		within := func(o int) bool {
			return o >= 0 && !forbidden(pr, k, o) && c[best]-c[o] <= r.Tolerance*span(c)+1e-12
		}
		pt := &f.Points[k]
		if len(alts) == 1 {
			o := alts[0]
			switch {
			case inCrossed[k] || forbidden(pr, k, o):
				if !closed && best != o && !forbidden(pr, k, best) {
					out = append(out, PointResponse{Point: k, Stance: StancePropose, Option: best, Reason: "the drafted wording is unacceptable to us; we propose " + pt.LevelID(best)})
				} else {
					out = append(out, PointResponse{Point: k, Stance: StanceObject, Reason: "the drafted wording is unacceptable to us"})
				}
			case within(o) || closed:
				out = append(out, PointResponse{Point: k, Stance: StanceAccept, Option: o})
			default:
				out = append(out, PointResponse{Point: k, Stance: StancePropose, Option: best, Reason: "we prefer " + pt.LevelID(best)})
			}
			continue
		}
		pref := -1
		for _, a := range alts {
			if !forbidden(pr, k, a) && (pref < 0 || c[a] > c[pref]) {
				pref = a
			}
		}
		switch {
		case pref >= 0 && within(pref):
			out = append(out, PointResponse{Point: k, Stance: StanceAccept, Option: pref})
		case !slices.Contains(alts, best) && !closed && !forbidden(pr, k, best):
			out = append(out, PointResponse{Point: k, Stance: StancePropose, Option: best, Reason: "we prefer " + pt.LevelID(best)})
		case pref >= 0:
			out = append(out, PointResponse{Point: k, Stance: StanceAccept, Option: pref})
		default:
			out = append(out, PointResponse{Point: k, Stance: StanceObject, Reason: "none of the alternatives is acceptable to us"})
		}
	}
	return out
}

// conditionalBase is the package a party with interactions judges one
// point's options in: the settled points of the text, the others at their
// best contribution.
func conditionalBase(t *profile.Table, settled framework.Package) framework.Package {
	ref := make(framework.Package, len(t.Contrib))
	for k, c := range t.Contrib {
		if k < len(settled) && settled[k] >= 0 {
			ref[k] = settled[k]
			continue
		}
		for l := range c {
			if c[l] > c[ref[k]] {
				ref[k] = l
			}
		}
	}
	return ref
}

// conditional returns the value of each option of point k to a party whose
// profile has interactions: the utility (Table.Utility) of ref with point
// k at that option. Per-point stances are this responder's additive view
// of a non-additive profile; its votes use the utility itself.
func conditional(t *profile.Table, ref framework.Package, k int) []float64 {
	p := ref.Clone()
	c := make([]float64, len(t.Contrib[k]))
	for l := range c {
		p[k] = l
		c[l] = t.Utility(p)
	}
	return c
}

// Vote implements Responder.
func (r ProfileResponder) Vote(v *PartyView) bool { return acceptable(v, v.Proposal) }

// acceptable reports whether p is complete, at least the reservation value
// and crosses none of the party's red lines.
func acceptable(v *PartyView, p framework.Package) bool {
	if len(p) != len(v.Framework.Points) || !p.Complete() {
		return false
	}
	return v.Table.Utility(p) >= v.Table.Reservation && v.Profile.CrossesRedLine(p) < 0
}

// Bid implements Responder.
func (r ProfileResponder) Bid(v *PartyView) []framework.Package {
	b, err := agent.NewBlindBidder(v.Framework, v.Profile, v.Table)
	if err != nil {
		// The table does not fit the framework: nothing can be bid.
		return nil
	}
	return b.Bid(v.Round, v.Rounds)
}

func span(c []float64) float64 {
	lo, hi := c[0], c[0]
	for _, x := range c {
		lo, hi = min(lo, x), max(hi, x)
	}
	return hi - lo
}

// forbidden reports whether a single-point red line forbids option o of point k.
func forbidden(pr *profile.Profile, k, o int) bool {
	for _, rl := range pr.RedLines {
		if len(rl.Terms) == 1 && rl.Terms[0].Point == k && slices.Contains(rl.Terms[0].Levels, o) {
			return true
		}
	}
	return false
}

// bestAllowed returns the option of point k with the highest contribution
// among those no single-point red line forbids (the lowest on ties; the
// overall best when every option is forbidden).
func bestAllowed(pr *profile.Profile, k int, c []float64) int {
	best := -1
	for l := range c {
		if !forbidden(pr, k, l) && (best < 0 || c[l] > c[best]) {
			best = l
		}
	}
	if best < 0 {
		best = 0
		for l := range c {
			if c[l] > c[best] {
				best = l
			}
		}
	}
	return best
}

// HillClimber is GENIUS's hill-climbing voter
// (parties.simplemediator.HillClimber): it votes for a proposal iff the
// proposal's (undiscounted) utility is at least that of the last proposal
// every party accepted, or at least 0 before any was. It ignores its
// reservation value and red lines, as GENIUS does. It responds and bids as
// the embedded ProfileResponder.
type HillClimber struct{ ProfileResponder }

// Name implements Responder.
func (HillClimber) Name() string { return "hill-climber" }

// Vote implements Responder.
func (HillClimber) Vote(v *PartyView) bool {
	if len(v.Proposal) != len(v.Framework.Points) || !v.Proposal.Complete() {
		return false
	}
	prev := 0.0
	if v.Previous != nil {
		prev = v.Table.Utility(v.Previous)
	}
	return v.Table.Utility(v.Proposal) >= prev
}

// FromVoter returns a responder that votes with an agent.Voter (previous is
// the standing proposal) and responds and bids as base.
func FromVoter(voter agent.Voter, base Responder) Responder {
	return voterResponder{voter, base}
}

type voterResponder struct {
	voter agent.Voter
	Responder
}

func (r voterResponder) Name() string { return r.voter.Name() }

func (r voterResponder) Vote(v *PartyView) bool {
	self := slices.Index(v.Parties, v.Self)
	av := &agent.View{Self: self, Parties: len(v.Parties), Framework: v.Framework, Profile: v.Profile,
		Table: v.Table, Time: v.Time, Round: v.Round, Deadline: v.Rounds}
	return r.voter.Vote(av, v.Proposal, v.Previous)
}
