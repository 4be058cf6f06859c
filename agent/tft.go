package agent

import (
	"math"

	"github.com/parley-negotiation/parley/framework"
)

// TitForTat concedes as much as its opponents have conceded, measured in its
// own utility (it assumes, like NegMAS's NaiveTitForTatNegotiator, that what
// is better for it is worse for them), and no more: time-based opponents
// cannot draw it down by waiting (NaiveTitForTat is NegMAS's version, which
// they can).
//
// Let hi be its highest utility, lo its reservation value (or its lowest
// utility when it has none) and floor = lo + level·(hi − lo) with level 0.5
// by default (WithLevel). For every other party j that has offered, its
// concession is c_j = max(0, u(best offer of j so far) − u(first offer of
// j)) in this negotiator's utility u. With C the smallest c_j (the least
// generous opponent; 0 before any opponent has offered),
//
//	target = max(floor, hi − C − min(k·kindness, 0.1)·(hi − lo))
//
// where k is the number of offers it has made so far, so it opens with its
// best package. The goodwill term (kindness, default 0.01 of the range per
// own offer, at most 0.1 of the range in all) lets two tit-for-tat
// negotiators start conceding to each other when their concessions do not
// show in each other's utility; being bounded, it is all an opponent gets
// without conceding itself.
//
// It offers the package of lowest utility ≥ target (BidSpace.AtLeast) and
// accepts the offer on the table iff its utility is at least target (so
// never below floor nor the reservation value) and it crosses none of its
// red lines. It never walks away.
//
// Until issue 16 the goodwill term was unbounded (k·kindness), the mirror
// used the opponent's last offer rather than its best, and there was no
// floor: against Boulware it conceded 0.01 of its range per offer whatever
// the opponent did and accepted utilities of 0.10–0.21 by round ~85.
//
// The nice variant (NewNiceTitForTat) concedes the same way but keeps a
// FrequencyModel of every opponent and, among up to 16 packages with
// utility in [target, target + 2% of the range] (lowest first), offers the
// one whose lowest modelled opponent utility is highest: the same
// concession, made where it helps the others most.
type TitForTat struct {
	nice bool
	o    options
	sp   space

	hist      int // offers of History already read
	first     map[int]float64
	best      map[int]float64 // highest utility of each opponent's offers
	models    map[int]*FrequencyModel
	ownOffers int
	round     int // to notice a new session
}

// NewTitForTat returns the tit-for-tat negotiator. Options: WithKindness,
// WithLevel (its floor, default 0.5), WithBidSpace, WithSpaceOptions.
func NewTitForTat(opts ...Option) *TitForTat { return newTFT(false, opts) }

// NewNiceTitForTat returns the nice tit-for-tat negotiator. Options:
// WithKindness, WithLevel, WithBidSpace, WithSpaceOptions.
func NewNiceTitForTat(opts ...Option) *TitForTat { return newTFT(true, opts) }

func newTFT(nice bool, opts []Option) *TitForTat {
	a := &TitForTat{nice: nice, o: collect(opts)}
	if !a.o.hasKind {
		a.o.kindness = 0.01
	}
	if !a.o.hasLevel {
		a.o.level = DefaultTFTLevel
	}
	a.reset()
	return a
}

func (a *TitForTat) reset() {
	a.hist, a.ownOffers, a.round = 0, 0, 0
	a.first, a.best, a.models = map[int]float64{}, map[int]float64{}, map[int]*FrequencyModel{}
}

// Name returns "tft(kindness=0.01)" or "nice-tft(kindness=0.01)".
func (a *TitForTat) Name() string {
	n := "tft"
	if a.nice {
		n = "nice-tft"
	}
	return n + "(kindness=" + fmtFloat(a.o.kindness) + ")"
}

// Init forgets any previous session and builds the bid space.
func (a *TitForTat) Init(v *View) {
	a.reset()
	_, _ = a.sp.get(v, &a.o)
}

// observe reads the offers of v.History not read yet.
func (a *TitForTat) observe(v *View) {
	if len(v.History) < a.hist || v.Round < a.round {
		a.reset() // a new session without Init
	}
	a.round = v.Round
	for _, o := range v.History[a.hist:] {
		if o.By == v.Self || o.Package == nil {
			continue
		}
		u := v.Table.Utility(o.Package)
		if _, ok := a.first[o.By]; !ok {
			a.first[o.By], a.best[o.By] = u, u
		}
		a.best[o.By] = math.Max(a.best[o.By], u)
		if a.nice {
			m := a.models[o.By]
			if m == nil {
				m = NewFrequencyModel(v.Framework)
				a.models[o.By] = m
			}
			m.Observe(o.Package)
		}
	}
	a.hist = len(v.History)
}

// bounds returns the negotiator's floor and highest utility.
func bounds(v *View, s *BidSpace) (lo, hi float64) {
	lo, hi = s.Worst().Utility, s.Best().Utility
	if v.Table.HasReservation {
		lo = v.Table.Reservation
	}
	return lo, hi
}

// DefaultTFTLevel is the default floor of the tit-for-tat negotiators, as a
// fraction of the range from the reservation value to the highest utility.
const DefaultTFTLevel = 0.5

// maxGoodwill bounds the tit-for-tat negotiators' unreciprocated concession,
// as a fraction of their utility range.
const maxGoodwill = 0.1

// target returns the utility the negotiator asks for at this turn.
func (a *TitForTat) target(v *View, s *BidSpace) float64 {
	lo, hi := bounds(v, s)
	c := math.Inf(1)
	for j, f := range a.first {
		c = math.Min(c, math.Max(0, a.best[j]-f))
	}
	if math.IsInf(c, 1) {
		c = 0
	}
	span := math.Max(hi-lo, 0)
	floor := lo + a.o.level*span
	goodwill := math.Min(float64(a.ownOffers)*a.o.kindness, maxGoodwill)
	return math.Max(floor, hi-c-goodwill*span)
}

// Act accepts or offers as described on TitForTat.
func (a *TitForTat) Act(v *View) Action {
	s, err := a.sp.get(v, &a.o)
	if err != nil {
		return Action{Kind: EndTalks}
	}
	a.observe(v)
	target := a.target(v, s)
	if cur := received(v); cur != nil && !crosses(v, cur.Package) {
		if u := v.Table.Utility(cur.Package); u >= target && u >= reservation(v) {
			return accept(v)
		}
	}
	next, ok := s.AtLeast(target)
	if ok && a.nice && len(a.models) > 0 {
		lo, hi := bounds(v, s)
		cands := s.Within(next.Utility, next.Utility+0.02*math.Max(hi-lo, 0)+s.Tolerance(), 16, nil)
		bestScore := math.Inf(-1)
		for _, c := range cands {
			if sc := a.opponentsUtility(c.Package); sc > bestScore {
				next, bestScore = c, sc
			}
		}
	}
	a.ownOffers++
	return offer(next)
}

// opponentsUtility is the lowest modelled utility of p over the opponents.
func (a *TitForTat) opponentsUtility(p framework.Package) float64 {
	u := math.Inf(1)
	for _, m := range a.models {
		u = math.Min(u, m.Utility(p))
	}
	return u
}
