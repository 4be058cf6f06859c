package agent

import (
	"math"
	"strings"

	"github.com/parley-negotiation/parley/framework"
)

// TimeDependent is the time-dependent concession family of GENIUS's
// negotiator.parties.AbstractTimeDependentNegotiationParty (Faratin et al.;
// Baarslag's implementation), with the Pmin/Pmax/k generalisation of the
// GENIUS BOA TimeDependent_Offering.
//
// Target utility at normalised time t (View.Time):
//
//	τ      = t − 1/(Deadline+1) when Deadline > 0 (a round deadline: GENIUS
//	         subtracts one round because its DiscreteTimeline is 1-based),
//	         t otherwise; clamped to [0, 1]
//	f(τ)   = k + (1−k)·τ^(1/e)   (f = k when e = 0: a hardliner)
//	target = Pmin + (Pmax − Pmin)·(1 − f(τ))
//
// with Pmin = 0, Pmax = 1, k = 0 by default, so target = 1 − τ^(1/e) exactly
// as GENIUS computes it. With WithFloor, Pmin is raised to the reservation
// value.
//
// At each turn the negotiator picks next = BidSpace.Near(target) (GENIUS's
// SortedOutcomeSpace.getBidNearUtility) and accepts the offer on the table
// iff its discounted utility is strictly above next's discounted utility
// (GENIUS: nextUtil < lastUtil); otherwise it offers next. The first offer
// of a session is therefore the best package. It never walks away. It never
// accepts a package crossing its own red lines, and with WithFloor never one
// below its reservation value.
type TimeDependent struct {
	e    float64
	name string
	o    options
	sp   space
	// offer is the storage of the package offered at the last turn
	// (reused: the session copies an offer when it takes it).
	offer framework.Package
}

// NewTimeDependent returns a time-dependent negotiator with concession
// exponent e ≥ 0 (e < 1 Boulware, e = 1 linear, e > 1 conceder, 0 hardliner).
// A negative or NaN e is treated as 0. Options: WithFloor, WithRange,
// WithStart, WithBidSpace, WithSpaceOptions.
func NewTimeDependent(e float64, opts ...Option) *TimeDependent {
	if !(e >= 0) {
		e = 0
	}
	return newTimeDependent("timedep", e, opts)
}

// Boulware returns GENIUS's BoulwareNegotiationParty: e = 0.2.
func Boulware(opts ...Option) *TimeDependent { return newTimeDependent("boulware", 0.2, opts) }

// Linear returns the linear time-dependent negotiator: e = 1.
func Linear(opts ...Option) *TimeDependent { return newTimeDependent("linear", 1, opts) }

// Conceder returns GENIUS's ConcederNegotiationParty: e = 2.
func Conceder(opts ...Option) *TimeDependent { return newTimeDependent("conceder", 2, opts) }

func newTimeDependent(kind string, e float64, opts []Option) *TimeDependent {
	a := &TimeDependent{e: e, o: collect(opts)}
	if !a.o.hasRange {
		a.o.pmin, a.o.pmax = 0, 1
	}
	parts := []string{"e=" + fmtFloat(e)}
	if a.o.hasRange {
		parts = append(parts, "min="+fmtFloat(a.o.pmin), "max="+fmtFloat(a.o.pmax))
	}
	if a.o.k != 0 {
		parts = append(parts, "k="+fmtFloat(a.o.k))
	}
	if a.o.floor {
		parts = append(parts, "floor")
	}
	a.name = kind + "(" + strings.Join(parts, ",") + ")"
	return a
}

// Name returns e.g. "boulware(e=0.2)" or "timedep(e=0.5,floor)".
func (a *TimeDependent) Name() string { return a.name }

// E returns the concession exponent.
func (a *TimeDependent) E() float64 { return a.e }

// Init builds the bid space for the view's framework and table (unless
// WithBidSpace gave one).
func (a *TimeDependent) Init(v *View) { _, _ = a.sp.get(v, &a.o) }

// Target returns the target utility at the view's time (see TimeDependent).
func (a *TimeDependent) Target(v *View) float64 {
	tau := v.Time
	if v.Deadline > 0 {
		tau -= 1 / float64(v.Deadline+1)
	}
	tau = math.Min(math.Max(tau, 0), 1)
	f := a.o.k
	if a.e != 0 {
		f = a.o.k + (1-a.o.k)*math.Pow(tau, 1/a.e)
	}
	pmin := a.o.pmin
	if a.o.floor {
		pmin = math.Max(pmin, reservation(v))
	}
	return pmin + (a.o.pmax-pmin)*(1-f)
}

// Act accepts or offers as described on TimeDependent. When no bid space
// can be built (every package crosses a red line) it walks away.
func (a *TimeDependent) Act(v *View) Action {
	s, err := a.sp.get(v, &a.o)
	if err != nil {
		return Action{Kind: EndTalks}
	}
	next := s.nearInto(a.Target(v), a.offer)
	a.offer = next.Package
	rv := reservation(v)
	if a.o.floor && next.Utility < rv {
		next, _ = s.AtLeast(rv)
	}
	if cur := received(v); cur != nil && !crosses(v, cur.Package) {
		u := v.Table.Utility(cur.Package)
		if discounted(v, next.Utility) < discounted(v, u) && (!a.o.floor || u >= rv) {
			return accept(v)
		}
	}
	return offer(next)
}
