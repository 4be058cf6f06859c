package agent

import (
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// saopResult is the outcome of runSAOP.
type saopResult struct {
	Agreement framework.Package // nil: none
	Round     int               // round of the last action
	Column    int               // GENIUS's "Round" log column: session.getRoundNumber()+1
	Agreeing  int               // GENIUS getNumberOfAgreeingParties at the end
	Offers    int
}

// runSAOP is a minimal stacked alternating offers loop with GENIUS's rules
// (genius.core.protocol.StackedAlternatingOffersProtocol driven by
// genius.core.session.SessionManager), written here only to test agents:
// parties act in a fixed order every round; the very first turn may only
// offer; the session ends with an agreement as soon as the n-1 actions
// after an offer are all accepts, and without one after `deadline` rounds.
// Time in round r is r/(deadline+1) (DiscreteTimeline).
func runSAOP(t testing.TB, f *framework.Framework, profiles []*profile.Profile, tables []*profile.Table, negs []Negotiator, deadline int) saopResult {
	t.Helper()
	n := len(negs)
	views := make([]*View, n)
	for i, a := range negs {
		views[i] = &View{Self: i, Parties: n, Framework: f, Profile: profiles[i], Table: tables[i], Deadline: deadline}
		a.Init(views[i])
	}
	var history []Offer
	var current *Offer
	accepts := 0
	res := saopResult{}
	for r := 1; r <= deadline; r++ {
		for i, a := range negs {
			v := views[i]
			v.Round, v.Time, v.Current, v.History = r, RoundTime(r, deadline), current, history
			act := a.Act(v)
			res.Round = r
			switch act.Kind {
			case Accept:
				if current == nil {
					t.Fatalf("%s accepted before any offer", a.Name())
				}
				accepts++
				if accepts == n-1 {
					res.Agreement, res.Column, res.Agreeing = current.Package, r+1, n
					return res
				}
			case MakeOffer:
				if err := f.CheckPackage(act.Package); err != nil || !act.Package.Complete() {
					t.Fatalf("%s offered a bad package %v: %v", a.Name(), act.Package, err)
				}
				history = append(history, Offer{By: i, Round: r, Package: act.Package.Clone()})
				o := history[len(history)-1]
				current = &o
				accepts = 0
				res.Offers++
			case EndTalks:
				res.Column, res.Agreeing = r+1, 0
				return res
			}
		}
	}
	res.Column = deadline + 1
	if current != nil {
		res.Agreeing = accepts + 1
	}
	return res
}
