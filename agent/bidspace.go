package agent

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/big"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// Bid is a complete package with its utility for the owner of the BidSpace
// that produced it.
type Bid struct {
	Package framework.Package
	Utility float64
}

// DefaultExactLimit is the largest outcome space a BidSpace enumerates and
// sorts (GENIUS SortedOutcomeSpace semantics); larger spaces are searched
// as a multiple-choice knapsack over discretised utilities.
const DefaultExactLimit = 1 << 21 // 2,097,152 outcomes

// DefaultBuckets is the number of utility levels the knapsack search
// discretises the utility range into.
const DefaultBuckets = 1 << 20

// ErrNoBids is returned when no package is left once exclusions are applied.
var ErrNoBids = errors.New("agent: no package is left to bid")

// SpaceOption configures NewBidSpace.
type SpaceOption func(*spaceConfig)

type spaceConfig struct {
	exactLimit int64
	buckets    int
	exclude    func(framework.Package) bool
	lists      int // knapsack list size (tests); 0: knapsackListMax
}

// ExactLimit sets the largest number of outcomes enumerated and sorted
// exactly (default DefaultExactLimit); 0 or less forces the knapsack search
// for every space.
func ExactLimit(n int64) SpaceOption { return func(c *spaceConfig) { c.exactLimit = n } }

// Buckets sets the number of discretised utility levels of the knapsack
// search (default DefaultBuckets, at least 64). More buckets give a smaller
// Tolerance and cost memory: (points+1)·buckets/8 bytes.
func Buckets(k int) SpaceOption { return func(c *spaceConfig) { c.buckets = k } }

// Excluding removes every package for which exclude returns true (typically
// the owner's red lines) from every answer. exclude must be pure: it is
// called with a package it must not keep.
func Excluding(exclude func(framework.Package) bool) SpaceOption {
	return func(c *spaceConfig) { c.exclude = exclude }
}

// listLimit bounds the knapsack's lists of combinations (tests use small
// lists to exercise every part of the search on spaces they can enumerate).
func listLimit(n int) SpaceOption { return func(c *spaceConfig) { c.lists = n } }

// BidSpace answers "which package has a utility close to / at least t" for
// one party's additive utility table without enumerating large spaces.
//
// Small spaces (at most ExactLimit outcomes) are enumerated once and sorted
// as GENIUS's SortedOutcomeSpace sorts them (utility descending, ties by the
// GENIUS BidDetails hash code, then GENIUS's BidIterator order), and Near
// reproduces SortedOutcomeSpace.getBidNearUtility bit for bit: Exact reports
// true and Tolerance 0.
//
// Larger spaces are searched as a multiple-choice knapsack: per-point
// contributions are rounded to a grid of Buckets levels over the utility
// range and the reachable rounded partial sums of every prefix of points
// are kept as bitsets. A query walks back from a reachable total to a
// package in O(points·options) steps, then improves on it by a
// branch-and-bound search (tracking exact partial sums, pruned by the
// bitsets) and by changing one point at a time, within a fixed budget of
// search nodes, so a query takes microseconds whatever the size of the
// space. Near instead pairs two lists of up to 65,536 combinations of
// points each (the first points, the next ones), sorted by sum: for each of
// up to 128 combinations of the second list it finds the combination of
// the first whose sum completes it nearest t, with the points above the
// lists taken from a package of the reachable total nearest t and from a
// third list; it falls back on that package when the pairing does not beat
// its bound, and on the branch and bound when the answer is still farther
// than one grid step (few packages near t). Utilities returned are always
// exact (computed from the table). Near's package is never farther from t
// than the closest achievable distance plus Tolerance (about
// points·range/Buckets; with Excluding, among the packages examined), and
// in practice far closer (a median of 4·10⁻⁸ on 10^12 packages, Tolerance
// 10⁻⁵). AtLeast, Around and Within stop when their answer is within
// Tolerance of the ideal or their node budget is spent; they are checked
// against brute force on random domains but carry no proof for
// pathological ones.
//
// Utilities are Table.Utility values (not capped at 1, unlike GENIUS's
// AdditiveUtilitySpace.getUtility; this matters only for profiles whose
// weights sum above 1). A BidSpace is immutable after construction and safe
// for concurrent use.
type BidSpace struct {
	f       *framework.Framework
	table   *profile.Table
	radix   []int
	exclude func(framework.Package) bool
	best    Bid
	worst   Bid
	exact   *sortedSpace
	approx  *knapsack
}

// NewBidSpace builds the search structure for table over f. It fails when
// the table does not fit the framework, or with ErrNoBids when every package
// is excluded (known only for exactly enumerated spaces; for large ones
// queries then return empty bids).
func NewBidSpace(f *framework.Framework, table *profile.Table, opts ...SpaceOption) (*BidSpace, error) {
	cfg := spaceConfig{exactLimit: DefaultExactLimit, buckets: DefaultBuckets}
	for _, o := range opts {
		o(&cfg)
	}
	if f == nil || table == nil {
		return nil, fmt.Errorf("agent: bid space needs a framework and a table")
	}
	if len(table.Contrib) != len(f.Points) {
		return nil, fmt.Errorf("agent: table has %d points, framework %q has %d", len(table.Contrib), f.Name, len(f.Points))
	}
	radix := f.Radix()
	for i, r := range radix {
		if r <= 0 || len(table.Contrib[i]) != r {
			return nil, fmt.Errorf("agent: point %q: table has %d levels, framework %d", f.Points[i].ID, len(table.Contrib[i]), r)
		}
		for _, c := range table.Contrib[i] {
			if math.IsNaN(c) || math.IsInf(c, 0) {
				return nil, fmt.Errorf("agent: point %q: utility contribution %v is not finite", f.Points[i].ID, c)
			}
		}
	}
	s := &BidSpace{f: f, table: table, radix: radix, exclude: cfg.exclude}
	if size, ok := f.SizeInt(); ok && size <= cfg.exactLimit && size <= math.MaxUint32 {
		s.exact = newSortedSpace(f, table, radix, cfg.exclude)
		if len(s.exact.utils) == 0 {
			return nil, ErrNoBids
		}
		s.best = s.exact.bid(0)
		s.worst = s.exact.bid(len(s.exact.utils) - 1)
		return s, nil
	}
	k := cfg.buckets
	if k < 64 {
		k = 64
	}
	s.approx = newKnapsack(table, k, cmp.Or(cfg.lists, knapsackListMax))
	s.best = s.approxExtreme(true)
	s.worst = s.approxExtreme(false)
	return s, nil
}

// Exact reports whether the space was enumerated and sorted (GENIUS
// SortedOutcomeSpace semantics) rather than searched as a knapsack.
func (s *BidSpace) Exact() bool { return s.exact != nil }

// Tolerance is the largest amount by which Near may miss the closest
// achievable distance (see BidSpace): 0 for exact spaces, at most
// points·range/Buckets (2·Σ of the per-point rounding errors) for knapsack
// search.
func (s *BidSpace) Tolerance() float64 {
	if s.exact != nil {
		return 0
	}
	return 2 * s.approx.err[s.approx.n]
}

// Size returns the number of packages in the framework (exclusions included).
func (s *BidSpace) Size() *big.Int { return s.f.Size() }

// Len returns the number of packages that can be returned when the space is
// exact, and -1 otherwise.
func (s *BidSpace) Len() int {
	if s.exact != nil {
		return len(s.exact.utils)
	}
	return -1
}

// Best returns a package of highest utility (for exact spaces, the first of
// GENIUS's sorted list, as SortedOutcomeSpace.getMaxBidPossible).
func (s *BidSpace) Best() Bid { return s.best.clone() }

// Worst returns a package of lowest utility (the last of the sorted list).
func (s *BidSpace) Worst() Bid { return s.worst.clone() }

// Utility returns the owner's utility of p.
func (s *BidSpace) Utility(p framework.Package) float64 { return s.table.Utility(p) }

// Near returns a package whose utility is closest to t. For exact spaces it
// is GENIUS's SortedOutcomeSpace.getBidNearUtility(t) (binary search over the
// sorted list; the next lower bid wins only when strictly closer, so equal
// distances go to the higher utility). For knapsack spaces the distance is
// within Tolerance of the smallest achievable, equal distances going to the
// higher utility among the candidates examined (a NaN target gives Best).
// Near returns a zero Bid (nil Package) only when every package is
// excluded.
func (s *BidSpace) Near(t float64) Bid {
	if s.exact != nil {
		return s.exact.bid(s.exact.nearIndex(t))
	}
	if math.IsNaN(t) {
		return s.Best()
	}
	return s.approxNear(t)
}

// AtLeast returns a package of lowest utility not below t, and false when no
// package reaches t (then the Bid is Best). For knapsack spaces the utility
// is meant to exceed the lowest achievable one ≥ t by at most Tolerance
// (see BidSpace).
func (s *BidSpace) AtLeast(t float64) (Bid, bool) {
	if s.exact != nil {
		i := s.exact.lastAtLeast(t)
		if i < 0 {
			return s.Best(), false
		}
		return s.exact.bid(i), true
	}
	if t > s.best.Utility {
		return s.Best(), false
	}
	b, ok := s.approxAtLeast(t)
	if !ok {
		return s.Best(), false
	}
	return b, true
}

// Around returns up to k distinct packages whose utilities are closest to t,
// closest first (equal distances: higher utility first), appended to dst.
// For knapsack spaces the k-th distance is meant to be within Tolerance of
// the true k-th smallest (see BidSpace).
func (s *BidSpace) Around(t float64, k int, dst []Bid) []Bid {
	if k <= 0 {
		return dst
	}
	if s.exact != nil {
		return s.exact.around(t, k, dst)
	}
	return s.approxAround(t, k, dst)
}

// Within returns up to k distinct packages with lo ≤ utility ≤ hi, lowest
// utility first, appended to dst. For exact spaces these are the k lowest
// such packages; for knapsack spaces the k-th is meant to be within
// Tolerance of the true k-th lowest (see BidSpace).
func (s *BidSpace) Within(lo, hi float64, k int, dst []Bid) []Bid {
	if k <= 0 || lo > hi {
		return dst
	}
	if s.exact != nil {
		return s.exact.within(lo, hi, k, dst)
	}
	return s.approxWithin(lo, hi, k, dst)
}

func (b Bid) clone() Bid { return Bid{Package: b.Package.Clone(), Utility: b.Utility} }

// excluded reports whether p is excluded from answers.
func (s *BidSpace) excluded(p framework.Package) bool {
	return s.exclude != nil && s.exclude(p)
}
