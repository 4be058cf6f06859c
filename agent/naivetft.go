package agent

import (
	"math"
	"slices"

	"github.com/parley-negotiation/parley/framework"
)

// NaiveTitForTat is NegMAS's NaiveTitForTatNegotiator (a MAP negotiator
// with a ZeroSumModel partner model, KindConcessionRecommender,
// TFTAcceptancePolicy and TFTOfferingPolicy, stochastic=False), with
// NegMAS's conventions described in negmas.go. It is the tit-for-tat that
// Parley's `tft` used to be closest to; time-based agents exploit it (see
// TitForTat for the one that is not).
//
// With n(x) = (u(x) − mn)/(mx − mn) its normalised utility above the
// reservation value (mn = max(lowest utility, reservation value), mx the
// highest), the partner's concession as seen through the zero-sum model is
// pc = 1 − (1 − n(offer)), i.e. n(offer). Its own concession in step s
// (View.Round − 1) is
//
//	s = 0:     0
//	s = 1, 2:  (u(r_k) − u(r_{k+1}) + 1e-12)/(mx − mn), the smallest step
//	           down its ranking (r_0 its best outcome), k advancing by two
//	           with every call as NegMAS's cached inverter does
//	s ≥ 3:     max(pc, 0) + kindness
//
// It accepts the offer on the table iff n(offer) ≥ 1 − concession, and
// otherwise offers NegMAS's worst_in over [1 − concession, 1] relative to its
// whole utility range (not raised to the reservation value: it may offer
// below its reservation value), the concession computed from the last offer
// it responded to (pc = 0 before any). In effect it accepts any offer worth
// half of its range above its reservation value.
type NaiveTitForTat struct {
	kindness float64
	o        options
	c        nmCache

	next    int               // NegMAS's next_worse position (−1: not started)
	partner framework.Package // the last offer it responded to
	round   int               // to notice a new session
}

// NewNaiveTitForTat returns NegMAS's NaiveTitForTatNegotiator with the
// given kindness (NegMAS's default 0). Options: WithSpaceOptions.
func NewNaiveTitForTat(kindness float64, opts ...Option) *NaiveTitForTat {
	a := &NaiveTitForTat{kindness: kindness, o: collect(opts)}
	a.reset()
	return a
}

func (a *NaiveTitForTat) reset() { a.next, a.partner, a.round = -1, nil, 0 }

// Name returns e.g. "naive-tft(kindness=0)".
func (a *NaiveTitForTat) Name() string {
	return "naive-tft(kindness=" + fmtFloat(a.kindness) + ")"
}

// Init forgets any previous session and builds the sorted outcome space.
func (a *NaiveTitForTat) Init(v *View) {
	a.reset()
	_, _ = a.c.get(v, false, &a.o)
}

// normalized is NegMAS's ufun.eval_normalized(x, above_reserve=True).
func (s *nmSpace) normalized(u float64) float64 {
	mn, mx := s.min, s.max
	if mx < s.rv {
		mn, mx = math.Inf(-1), math.Inf(-1)
	} else if mn < s.rv {
		mn = s.rv
	}
	d := mx - mn
	if d < 1e-5 {
		if math.IsInf(mx, 0) || math.IsNaN(mx) {
			return 0
		}
		return 1
	}
	return (u - mn) * (1 / d)
}

// nextWorse is NegMAS's PresortingInverseUtilityFunction.next_worse: the
// utility of the next outcome down the ranking (the reservation value, as
// NegMAS's ufun(None), past the last).
func (a *NaiveTitForTat) nextWorse(s *nmSpace) float64 {
	last := len(s.utils) - 1
	if s.bs != nil {
		if a.next < 0 {
			a.next = 0
		} else {
			a.next++
		}
		if _, u, ok := s.rank(a.next); ok {
			return u
		}
		return s.rv
	}
	switch {
	case a.next < 0:
		a.next = last
	case a.next > 0:
		a.next--
	default:
		return s.rv
	}
	return s.utils[a.next]
}

// concession is NegMAS's KindConcessionRecommender (punish=False,
// initial_concession=0, must_concede=True, no_concession_step=0,
// kindness_start_step=3), with the range check of the TFT policies.
func (a *NaiveTitForTat) concession(s *nmSpace, pc float64, step int) float64 {
	c := pc
	if pc < 0 {
		c = 0
	}
	switch {
	case step <= 0:
		c = 0
	case step >= 3:
		c += a.kindness
	default:
		best, nxt := a.nextWorse(s), a.nextWorse(s)
		d := s.max - s.min
		if len(s.utils) > 0 && s.bs == nil {
			d = s.utils[len(s.utils)-1] - s.utils[0]
		}
		c = (best - nxt + 1e-12) / d
	}
	if math.IsNaN(c) || math.IsInf(c, 0) || !(-1e-6 <= c && c <= 1.0000001) {
		c = 0
	}
	return c
}

// partnerConcession is 1 − ZeroSumModel.eval_normalized(x) for an offer of
// utility u.
func (s *nmSpace) partnerConcession(u float64) float64 {
	return 1.0 - (s.normalized(u)*-1 + 1.0)
}

// Act accepts or offers as described on NaiveTitForTat.
func (a *NaiveTitForTat) Act(v *View) Action {
	s, err := a.c.get(v, false, &a.o)
	if err != nil {
		return Action{Kind: EndTalks}
	}
	if v.Round < a.round {
		a.reset()
	}
	a.round = v.Round
	step := v.Round - 1
	if cur := received(v); cur != nil {
		a.partner = slices.Clone(cur.Package)
		u := v.Table.Utility(cur.Package)
		c := a.concession(s, s.partnerConcession(u), step)
		if s.normalized(u) >= 1.0-c && !crosses(v, cur.Package) {
			return accept(v)
		}
	}
	pc := 0.0
	if a.partner != nil {
		pc = s.partnerConcession(v.Table.Utility(a.partner))
	}
	// worst_in((target, 1), normalized=True): a target above 1 (a
	// concession down to −1e-6) is swapped into (1, target).
	lo := math.Min(1.0-a.concession(s, pc, step), 1)
	d := s.max - s.min
	if d < 1e-6 {
		lo = 0
	} else {
		lo = lo*d + s.min
	}
	p, _, ok := s.worstIn(lo)
	if !ok {
		p = s.best
	}
	return Action{Kind: MakeOffer, Package: slices.Clone(p)}
}
