package agent

import (
	"math"
	"slices"
	"sort"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// NegMAS-equivalent negotiators: Parley-native versions of NegMAS's
// BoulwareTBNegotiator, LinearTBNegotiator, ConcederTBNegotiator,
// AspirationNegotiator (this file), NaiveTitForTatNegotiator (naivetft.go)
// and MiCRONegotiator (micro.go), written from NegMAS's documented
// behaviour and reproducing its runs (docs/negmas-conformance.md).
//
// Conventions shared by all of them:
//
//   - Time is NegMAS's relative time of an SAOMechanism with n_steps and no
//     time limit: (step+1)/(n_steps+1) with step 0-based. A NegMAS step is one
//     turn of every negotiator, which is a Parley SAO round, so step =
//     View.Round−1 and n_steps = View.Deadline: t = Round/(Deadline+1), at
//     most 1 (NegmasTime). That is also what a Parley session with a round
//     deadline puts in View.Time; the agents compute it from Round and
//     Deadline themselves so they keep NegMAS's clock whatever clock the
//     session uses, and fall back to View.Time when there is no round
//     deadline (a wall-time deadline).
//   - Utilities are undiscounted (NegMAS's scenario loaded with
//     ignore_discount) and the reservation value is the table's (0 when the
//     profile has none, as GENIUS and NegMAS read GENIUS files).
//   - NegMAS's inverse utility function (PresortingInverseUtilityFunction,
//     exact up to 10^6 outcomes) is an array of the outcomes sorted by
//     utility. Parley's is the same array (nmSpace), with ties in the
//     order NegMAS enumerates outcomes (first point slowest); numpy's
//     argsort leaves the order of equal utilities unspecified, so runs in
//     which an agent picks among outcomes of equal utility may differ in
//     which of them it offers. Above NegmasExactLimit outcomes (where NegMAS
//     switches to its approximate BIDS inverter) the agents search a
//     BidSpace instead and are approximate like NegMAS.
//   - Packages crossing the party's own red lines (NegMAS has none) are
//     never offered nor accepted.
//   - Options: WithBidSpace (the packages the shared space leaves out are
//     left out; above NegmasExactLimit it is searched instead of a new
//     BidSpace) and WithSpaceOptions (for a BidSpace built above the limit).

// NegmasExactLimit is the largest number of outcomes for which the
// NegMAS-equivalent negotiators enumerate and sort the outcome space (NegMAS's
// AdaptiveInverseUtilityFunction presorts up to 10^6 outcomes).
const NegmasExactLimit = 1_000_000

// NegmasTime returns NegMAS's relative time at the view's turn:
// Round/(Deadline+1), at most 1, with a round deadline; View.Time otherwise.
func NegmasTime(v *View) float64 {
	if v.Deadline > 0 {
		return math.Min(float64(v.Round)/float64(v.Deadline+1), 1)
	}
	return v.Time
}

// nmSpace is NegMAS's presorted inverse utility function over one table:
// the outcomes (rational ones only when rationalOnly) sorted by ascending
// utility, ties by enumeration index.
type nmSpace struct {
	f            *framework.Framework
	t            *profile.Table
	rationalOnly bool
	rv           float64
	radix        []int
	codes        []uint64  // enumeration indices, ascending utility
	utils        []float64 // their utilities
	min, max     float64   // lowest and highest utility of any allowed package
	best         framework.Package
	bs           *BidSpace // when the space is too large to enumerate
}

// nmCache holds the nmSpace a negotiator uses, rebuilt when the view's
// framework or table changes.
type nmCache struct {
	s   *nmSpace
	f   *framework.Framework // of the last build (for a failed one)
	t   *profile.Table
	err error
}

func (c *nmCache) get(v *View, rationalOnly bool, o *options) (*nmSpace, error) {
	if c.s != nil && c.s.f == v.Framework && c.s.t == v.Table && c.s.rationalOnly == rationalOnly {
		return c.s, nil
	}
	if c.err != nil && c.s == nil && c.f == v.Framework && c.t == v.Table {
		return nil, c.err
	}
	var shared *BidSpace
	if o.space != nil && o.space.f == v.Framework && o.space.table == v.Table {
		shared = o.space
	}
	c.f, c.t = v.Framework, v.Table
	c.s, c.err = newNMSpace(v, rationalOnly, o.spaceOpts, shared)
	return c.s, c.err
}

// newNMSpace builds the sorted space for the view. With shared (the
// caller's WithBidSpace), the packages it leaves out are left out too, and
// above NegmasExactLimit it is searched instead of a new BidSpace.
func newNMSpace(v *View, rationalOnly bool, opts []SpaceOption, shared *BidSpace) (*nmSpace, error) {
	s := &nmSpace{f: v.Framework, t: v.Table, rationalOnly: rationalOnly, rv: reservation(v), radix: v.Framework.Radix()}
	size, ok := v.Framework.SizeInt()
	if !ok || size > NegmasExactLimit {
		bs := shared
		if bs == nil {
			o := append([]SpaceOption(nil), opts...)
			if pr := v.Profile; pr != nil && len(pr.RedLines) > 0 {
				o = append(o, ExcludingRedLines(pr.RedLines))
			}
			var err error
			if bs, err = NewBidSpace(v.Framework, v.Table, o...); err != nil {
				return nil, err
			}
		}
		s.bs, s.min, s.max, s.best = bs, bs.Worst().Utility, bs.Best().Utility, bs.Best().Package
		return s, nil
	}
	redLines := v.Profile != nil && len(v.Profile.RedLines) > 0
	var exclude func(framework.Package) bool
	if shared != nil {
		exclude = shared.exclude
	}
	p := make(framework.Package, len(s.radix))
	var keys, codes []uint64
	s.min, s.max = math.Inf(1), math.Inf(-1)
	for code := uint64(0); code < uint64(size); code++ {
		if code > 0 { // odometer, last point fastest
			for i := len(p) - 1; i >= 0; i-- {
				if p[i]++; p[i] < s.radix[i] {
					break
				}
				p[i] = 0
			}
		}
		if redLines && v.Profile.CrossesRedLine(p) >= 0 || exclude != nil && exclude(p) {
			continue
		}
		u := v.Table.Utility(p)
		if u > s.max {
			s.max, s.best = u, slices.Clone(p)
		}
		s.min = math.Min(s.min, u)
		if rationalOnly && u < s.rv {
			continue
		}
		keys, codes = append(keys, orderKey(u)), append(codes, code)
	}
	if s.best == nil {
		return nil, ErrNoBids
	}
	// codes are ascending, and the radix sort is stable: ties keep
	// enumeration order.
	radixSort(keys, codes)
	s.codes, s.utils = codes, make([]float64, len(keys))
	for i, k := range keys {
		s.utils[i] = fromOrderKey(k)
	}
	return s, nil
}

// orderKey maps a float64 to a uint64 of the same order (NaN aside).
func orderKey(u float64) uint64 {
	b := math.Float64bits(u)
	if b>>63 != 0 {
		return ^b
	}
	return b | 1<<63
}

func fromOrderKey(k uint64) float64 {
	if k>>63 != 0 {
		return math.Float64frombits(k &^ (1 << 63))
	}
	return math.Float64frombits(^k)
}

// radixSort sorts keys ascending, carrying vals along, stably (LSD, a byte
// a pass, skipping bytes all keys share).
func radixSort(keys, vals []uint64) {
	n := len(keys)
	if n < 2 {
		return
	}
	ok, ov := keys, vals
	tk, tv := make([]uint64, n), make([]uint64, n)
	for shift := uint(0); shift < 64; shift += 8 {
		var count [257]int
		for _, k := range keys {
			count[(k>>shift)&0xff+1]++
		}
		if count[(keys[0]>>shift)&0xff+1] == n {
			continue
		}
		for i := 1; i < 257; i++ {
			count[i] += count[i-1]
		}
		for i, k := range keys {
			d := (k >> shift) & 0xff
			tk[count[d]], tv[count[d]] = k, vals[i]
			count[d]++
		}
		keys, tk = tk, keys
		vals, tv = tv, vals
	}
	if &keys[0] != &ok[0] {
		copy(ok, keys)
		copy(ov, vals)
	}
}

// decode returns the package of enumeration index code.
func (s *nmSpace) decode(code uint64) framework.Package {
	p := make(framework.Package, len(s.radix))
	for i := len(p) - 1; i >= 0; i-- {
		r := uint64(s.radix[i])
		p[i] = int(code % r)
		code /= r
	}
	return p
}

// worstIn is NegMAS's PresortingInverseUtilityFunction.worst_in over the
// raw range [lo, hi]: the first outcome (in sorted order) of utility ≥ lo,
// or the best one when none reaches lo, unless an outcome at most 1e-6 below
// lo is strictly nearer to lo. ok is false when there is no outcome at all
// (no rational one).
func (s *nmSpace) worstIn(lo float64) (framework.Package, float64, bool) {
	if s.bs != nil {
		b, ok := s.bs.AtLeast(lo)
		if !ok {
			b = s.bs.Best()
		}
		return b.Package, b.Utility, true
	}
	n := len(s.utils)
	if n == 0 {
		return nil, 0, false
	}
	i := min(sort.SearchFloat64s(s.utils, lo), n-1)
	if i > 0 {
		if b := s.utils[i-1]; b >= lo-1e-6 && lo-b < math.Abs(s.utils[i]-lo) {
			i = sort.SearchFloat64s(s.utils, b) // first of its group
		}
	}
	return s.decode(s.codes[i]), s.utils[i], true
}

// rank returns the i-th best outcome (0: the best), as NegMAS's
// outcome_at; ok is false past the last one. Above NegmasExactLimit it is
// approximate: the lowest package of utility ≥ max − i·(max−min)/2^16.
func (s *nmSpace) rank(i int) (framework.Package, float64, bool) {
	if i < 0 {
		return nil, 0, false
	}
	if s.bs != nil {
		if i > 1<<16 {
			return nil, 0, false
		}
		b, ok := s.bs.AtLeast(s.max - float64(i)*(s.max-s.min)/(1<<16))
		return b.Package, b.Utility, ok
	}
	k := len(s.utils) - 1 - i
	if k < 0 {
		return nil, 0, false
	}
	return s.decode(s.codes[k]), s.utils[k], true
}

// TimeBasedNegotiator is NegMAS's TimeBasedConcedingNegotiator with a
// PolyAspiration curve: BoulwareTBNegotiator (exponent 4),
// LinearTBNegotiator (1), ConcederTBNegotiator (0.25) and
// AspirationNegotiator (any exponent, a starting aspiration and a
// tolerance).
//
// With t = NegmasTime, mn = max(lowest utility, reservation value) and mx
// the highest utility, its aspiration is a = max·(1 − t^exponent) (max the
// starting aspiration, 1 by default), relative to [mn, mx]:
//
//	lo = clamp((mx − mn)·a + mn − eps, mn, mx)
//	hi = clamp((mx − mn) + mn + eps, mn, mx)
//
// with eps = 1e-4 (the TB negotiators) or the tolerance (AspirationNegotiator,
// 1e-3). It accepts the offer on the table iff its utility is in [lo, hi];
// otherwise it offers NegMAS's worst_in(lo, hi): the outcome of lowest utility
// ≥ lo (see nmSpace.worstIn), or its best outcome when none is left. The TB
// negotiators search rational outcomes only (utility ≥ the reservation
// value), AspirationNegotiator all of them (NegMAS's defaults). It never
// walks away.
type TimeBasedNegotiator struct {
	name         string
	exp, maxAsp  float64
	eps          float64
	rationalOnly bool
	o            options
	c            nmCache
}

// NegmasBoulware returns NegMAS's BoulwareTBNegotiator (exponent 4).
func NegmasBoulware(opts ...Option) *TimeBasedNegotiator {
	return &TimeBasedNegotiator{name: "boulware-tb", exp: 4, maxAsp: 1, eps: 1e-4, rationalOnly: true, o: collect(opts)}
}

// NegmasLinear returns NegMAS's LinearTBNegotiator (exponent 1).
func NegmasLinear(opts ...Option) *TimeBasedNegotiator {
	return &TimeBasedNegotiator{name: "linear-tb", exp: 1, maxAsp: 1, eps: 1e-4, rationalOnly: true, o: collect(opts)}
}

// NegmasConceder returns NegMAS's ConcederTBNegotiator (exponent 0.25).
func NegmasConceder(opts ...Option) *TimeBasedNegotiator {
	return &TimeBasedNegotiator{name: "conceder-tb", exp: 0.25, maxAsp: 1, eps: 1e-4, rationalOnly: true, o: collect(opts)}
}

// NewAspiration returns NegMAS's AspirationNegotiator with the given
// PolyAspiration exponent (NegMAS's aspiration_type: 4 "boulware", 1
// "linear", 0.25 "conceder"; NaN or negative: 4) and starting aspiration
// maxAsp (max_aspiration, in [0, 1]; NaN: 1), tolerance 0.001 and
// stochastic=False.
func NewAspiration(exponent, maxAsp float64, opts ...Option) *TimeBasedNegotiator {
	if !(exponent >= 0) {
		exponent = 4
	}
	if !(maxAsp >= 0) {
		maxAsp = 1
	}
	name := "aspiration(e=" + fmtFloat(exponent) + ",max=" + fmtFloat(maxAsp) + ")"
	return &TimeBasedNegotiator{name: name, exp: exponent, maxAsp: maxAsp, eps: 1e-3, o: collect(opts)}
}

// Name returns "boulware-tb", "linear-tb", "conceder-tb" or
// "aspiration(e=4,max=1)".
func (a *TimeBasedNegotiator) Name() string { return a.name }

// Init builds the sorted outcome space for the view.
func (a *TimeBasedNegotiator) Init(v *View) { _, _ = a.c.get(v, a.rationalOnly, &a.o) }

// Aspiration returns the aspiration level in [0, 1] at NegMAS time t.
func (a *TimeBasedNegotiator) Aspiration(t float64) float64 {
	return a.maxAsp * (1.0 - math.Pow(t, a.exp))
}

// Range returns the utilities [lo, hi] the negotiator accepts and offers
// from at the view's turn (see TimeBasedNegotiator).
func (a *TimeBasedNegotiator) Range(v *View) (lo, hi float64, err error) {
	s, err := a.c.get(v, a.rationalOnly, &a.o)
	if err != nil {
		return 0, 0, err
	}
	lo, hi = s.scale(a.Aspiration(NegmasTime(v)), 1.0, a.eps)
	return lo, hi, nil
}

// scale is NegMAS's UtilityBasedOutcomeSetRecommender.scale_utilities:
// [x, y] relative to [mn, mx] (mn raised to the reservation value), widened
// by eps and clamped.
func (s *nmSpace) scale(x, y, eps float64) (float64, float64) {
	mn, mx := s.min, s.max
	if mn < s.rv {
		mn = s.rv
	}
	lo := (mx-mn)*x + mn - eps
	hi := (mx-mn)*y + mn + eps
	lo = math.Max(mn, math.Min(mx, lo))
	hi = math.Max(mn, math.Min(mx, hi))
	return lo, hi
}

// Act accepts or offers as described on TimeBasedNegotiator; it walks away
// only when no package can be offered at all.
func (a *TimeBasedNegotiator) Act(v *View) Action {
	s, err := a.c.get(v, a.rationalOnly, &a.o)
	if err != nil {
		return Action{Kind: EndTalks}
	}
	lo, hi := s.scale(a.Aspiration(NegmasTime(v)), 1.0, a.eps)
	if cur := received(v); cur != nil && !crosses(v, cur.Package) {
		if u := v.Table.Utility(cur.Package); lo <= u && u <= hi {
			return accept(v)
		}
	}
	p, _, ok := s.worstIn(lo)
	if !ok {
		p = s.best
	}
	return Action{Kind: MakeOffer, Package: slices.Clone(p)}
}
