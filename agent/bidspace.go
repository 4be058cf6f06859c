package agent

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"

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

// ErrNoBids is returned by NewBidSpace when no package is left once
// exclusions are applied: every package crosses a red line (ExcludingRedLines
// and exactly enumerated spaces: known exactly), or a knapsack space's
// search found no package that Excluding keeps.
var ErrNoBids = errors.New("agent: no package is left to bid")

// SpaceOption configures NewBidSpace.
type SpaceOption func(*spaceConfig)

type spaceConfig struct {
	exactLimit int64
	buckets    int
	exclude    func(framework.Package) bool
	lines      []profile.RedLine
	lists      int // knapsack list size (tests); 0: knapsackListMax
	parts      int // most boxes (tests); 0: maxParts
	fxParts    int // most boxes for interactions (tests); 0: maxEffectParts, <0: none
}

// ExactLimit sets the largest number of outcomes enumerated and sorted
// exactly (default DefaultExactLimit); 0 or less forces the knapsack search
// for every space.
func ExactLimit(n int64) SpaceOption { return func(c *spaceConfig) { c.exactLimit = n } }

// Buckets sets the number of discretised utility levels of the knapsack
// search (default DefaultBuckets, at least 64). More buckets give a smaller
// Tolerance and cost memory: (points+1)·buckets/8 bytes.
func Buckets(k int) SpaceOption { return func(c *spaceConfig) { c.buckets = k } }

// Excluding removes every package for which exclude returns true from every
// answer. exclude must be pure: it is called with a package it must not
// keep. For red lines prefer ExcludingRedLines: a knapsack space can only
// reject the packages exclude refuses one by one, so it answers from the
// packages its searches examine (see BidSpace), whereas it searches the
// packages within red lines directly.
func Excluding(exclude func(framework.Package) bool) SpaceOption {
	return func(c *spaceConfig) { c.exclude = exclude }
}

// ExcludingRedLines removes every package that crosses one of lines
// (profile.RedLine.Crossed: forbidden options and forbidden combinations)
// from every answer. Exactly enumerated spaces drop them from the sorted
// list, as Excluding does; knapsack spaces split the packages within the
// lines into a few boxes of allowed levels (see BidSpace), so that every
// query searches only allowed packages and NewBidSpace knows exactly
// whether any is left (ErrNoBids). It may be combined with Excluding; the
// lines are read when the space is built.
func ExcludingRedLines(lines []profile.RedLine) SpaceOption {
	lines = slices.Clone(lines)
	return func(c *spaceConfig) { c.lines = append(c.lines, lines...) }
}

// listLimit bounds the knapsack's lists of combinations (tests use small
// lists to exercise every part of the search on spaces they can enumerate).
func listLimit(n int) SpaceOption { return func(c *spaceConfig) { c.lists = n } }

// effectPartLimit bounds the boxes interactions may split a knapsack
// space into (tests: -1 sends every large table with interactions to the
// branch and bound).
func effectPartLimit(n int) SpaceOption { return func(c *spaceConfig) { c.fxParts = n } }

// partLimit bounds the number of boxes red lines split a knapsack space
// into (tests: 1 leaves every combination to be checked package by
// package).
func partLimit(n int) SpaceOption { return func(c *spaceConfig) { c.parts = n } }

// BidSpace answers "which package has a utility close to / at least t" for
// one party's utility table without enumerating large spaces. Tables with
// interactions (non-additive) are covered too: see the end of this comment.
//
// Small spaces (at most ExactLimit outcomes) are enumerated once and sorted
// as GENIUS's SortedOutcomeSpace sorts them (utility descending, ties by the
// GENIUS BidDetails hash code, then GENIUS's BidIterator order), and Near
// reproduces SortedOutcomeSpace.getBidNearUtility bit for bit: Exact reports
// true and Tolerance 0. The list is sorted lazily: building the space only
// distributes the outcomes into buckets of utility (in parallel), and a
// bucket is sorted when a query first needs its order, so that a session
// starts without sorting 1.68M outcomes it will never look at; Complete
// sorts the rest at once, for a space many sessions share.
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
// than one grid step (few packages near t). AtLeast starts from a package
// of the lowest reachable total all of whose packages reach t and pairs
// the same lists for lower ones. Utilities returned are always
// exact (computed from the table). Near's package is never farther from t
// than the closest achievable distance plus Tolerance (about
// points·range/Buckets; with Excluding, among the packages examined), and
// in practice far closer (a median of 4·10⁻⁸ on 10^12 packages, Tolerance
// 10⁻⁵). AtLeast, Around and Within stop when their answer is within
// Tolerance of the ideal or their node budget is spent; they are checked
// against brute force on random domains but carry no proof for
// pathological ones.
//
// Red lines given with ExcludingRedLines are searched around, not
// rejected: the allowed packages are split into at most eight disjoint
// boxes (products of per-point sets of levels), each searched as its own
// knapsack with nothing excluded, and every query answers from the best
// of the boxes; the bounds above hold over the allowed packages.
// Exclusions given with Excluding (and combinations beyond eight boxes)
// are rejected package by package: queries then answer from the allowed
// packages they examine (the search repairs a rejected package by changing
// one or two points, and falls back on Best and Worst), never with an
// excluded or empty package.
//
// Tables with interactions (profile.Table.Effects): exact spaces are
// enumerated the same way, every utility Table.Utility's bit for bit. A
// larger space whose interactions touch few points is split into boxes in
// which every interaction is decided (at most 32 with the red lines'),
// each an additive knapsack as above with Table.Utility's utilities and
// the same Tolerance. Otherwise queries run a branch and bound over
// exact partial utilities and bounds of what the rest can add (see
// nonlinear.go): Best and Worst are exact (Table.Max), Exact is false, and
// Tolerance is the resolution a query stops at, not a bound: a query
// whose budget runs out may answer farther. Every answer is still a real
// package that no exclusion removes, with its exact utility.
//
// Utilities are Table.Utility values (not capped at 1, unlike GENIUS's
// AdditiveUtilitySpace.getUtility; this matters only for profiles whose
// weights sum above 1). A BidSpace is immutable after construction and safe
// for concurrent use.
type BidSpace struct {
	f       *framework.Framework
	table   *profile.Table
	radix   []int
	exclude func(framework.Package) bool // Excluding and red lines together
	best    Bid
	worst   Bid
	exact   *sortedSpace
	parts   []*kspace // knapsack search: disjoint parts, every allowed package in one
	nl      *nlspace  // search of a large table with interactions (see nonlinear.go)
}

// NewBidSpace builds the search structure for table over f. It fails when
// the table does not fit the framework, or with ErrNoBids when no package
// is left to bid (see ErrNoBids).
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
	lines := compileLines(radix, cfg.lines)
	s := &BidSpace{f: f, table: table, radix: radix, exclude: cfg.exclude}
	if len(lines) > 0 {
		s.exclude = func(p framework.Package) bool {
			for i := range lines {
				if lines[i].crossed(p) {
					return true
				}
			}
			return cfg.exclude != nil && cfg.exclude(p)
		}
	}
	if size, ok := f.SizeInt(); ok && size <= cfg.exactLimit && size <= math.MaxUint32 {
		s.exact = newSortedSpace(f, table, radix, s.exclude, buildWorkers(cfg.exclude))
		if s.exact.len() == 0 {
			return nil, ErrNoBids
		}
		s.best = s.exact.bid(0)
		s.worst = s.exact.bid(s.exact.len() - 1)
		return s, nil
	}
	boxes, rest := decompose(radix, lines, cmp.Or(cfg.parts, maxParts))
	if !table.Additive() {
		// Interactions on few points: boxes in which every effect is
		// decided, each an additive knapsack plus constants. Otherwise the
		// knapsack's per-point sums say nothing: branch and bound.
		var ok bool
		if boxes, ok = effectBoxes(table, boxes, cmp.Or(cfg.fxParts, maxEffectParts)); !ok {
			nl, err := newNLSpace(table, radix, lines, cfg.exclude)
			if err != nil {
				return nil, fmt.Errorf("agent: bid space: %w", err)
			}
			s.nl, s.best, s.worst = nl, nl.best, nl.worst
			return s, nil
		}
	}
	k := cfg.buckets
	if k < 64 {
		k = 64
	}
	for _, b := range boxes {
		part := &kspace{bb: cfg.exclude}
		t := table
		var exact *profile.Table
		if !b.full(radix) {
			part.levels = b
			t = boxTable(table, b)
		}
		if !table.Additive() {
			exact, t = t, folded(t)
		}
		for i := range rest {
			if b.meets(&rest[i]) {
				part.lines = append(part.lines, rest[i].within(b))
			}
		}
		part.hasExcl = part.bb != nil || len(part.lines) > 0
		// Every part gets its share of the memory budget.
		part.m = newKnapsack(t, k, cmp.Or(cfg.lists, knapsackListMax), knapsackMaxBytes/len(boxes))
		if exact != nil {
			part.m.exact, part.slop = exact, foldSlop(exact)
		}
		if part.init() {
			s.parts = append(s.parts, part)
		}
	}
	if len(s.parts) == 0 {
		return nil, ErrNoBids
	}
	for i, part := range s.parts {
		b, w := part.export(part.best.clone()), part.export(part.worst.clone())
		if i == 0 || b.Utility > s.best.Utility {
			s.best = b
		}
		if i == 0 || w.Utility < s.worst.Utility {
			s.worst = w
		}
	}
	return s, nil
}

// buildWorkers is the number of goroutines an exact space is enumerated
// with: all (0) unless a caller's Excluding function, which need not be
// safe for concurrent calls, must be called from one.
func buildWorkers(exclude func(framework.Package) bool) int {
	if exclude != nil {
		return 1
	}
	return 0
}

// Exact reports whether the space was enumerated and sorted (GENIUS
// SortedOutcomeSpace semantics) rather than searched as a knapsack.
func (s *BidSpace) Exact() bool { return s.exact != nil }

// Complete finishes now, on every core, the work an exact space otherwise
// does as queries need it (sorting the buckets of its list, see
// BidSpace): every later query is then as fast as on a list sorted up
// front. Answers are the same either way. For a space shared by many
// sessions (a tournament's); it does nothing for knapsack spaces.
func (s *BidSpace) Complete() {
	if s.exact != nil {
		s.exact.sortAll()
	}
}

// Tolerance is the largest amount by which Near may miss the closest
// achievable distance (see BidSpace): 0 for exact spaces, at most
// points·range/Buckets (2·Σ of the per-point rounding errors) for knapsack
// search. For the branch and bound of tables with interactions it is the
// resolution queries stop at (2^-20 of the utility range), which they
// usually but not always reach: not a bound (ToleranceProven is false).
func (s *BidSpace) Tolerance() float64 {
	if s.exact != nil {
		return 0
	}
	if s.nl != nil {
		return s.nl.tol
	}
	tol := 0.0
	for _, p := range s.parts {
		tol = math.Max(tol, p.tol())
	}
	return tol
}

// ToleranceProven reports whether Tolerance is a proven bound (exact and
// knapsack spaces) or only the resolution a search stops at (the branch
// and bound of large tables with interactions, which usually but not
// always reaches it).
func (s *BidSpace) ToleranceProven() bool { return s.nl == nil }

// Size returns the number of packages in the framework (exclusions included).
func (s *BidSpace) Size() *big.Int { return s.f.Size() }

// Len returns the number of packages that can be returned when the space is
// exact, and -1 otherwise.
func (s *BidSpace) Len() int {
	if s.exact != nil {
		return s.exact.len()
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
// The package is always a complete one that no exclusion removes.
func (s *BidSpace) Near(t float64) Bid {
	if s.exact != nil {
		return s.exact.bid(s.exact.nearIndex(t))
	}
	if s.nl != nil {
		return s.nl.near(t)
	}
	if math.IsNaN(t) {
		return s.Best()
	}
	if len(s.parts) == 1 {
		return s.parts[0].export(s.parts[0].approxNear(t))
	}
	var best Bid
	bd := math.Inf(1)
	for _, p := range s.parts {
		b := p.approxNear(t)
		if d := math.Abs(b.Utility - t); b.Package != nil && (best.Package == nil || closer(d, b.Utility, bd, best.Utility)) {
			best, bd = p.export(b), d
		}
	}
	return best
}

// nearInto is Near, writing the package into buf's storage when the space
// is a sorted list (an offer made at every turn then allocates nothing:
// the caller reuses buf once the package is copied, as the session does
// at once); other spaces answer with a fresh package, as Near does.
func (s *BidSpace) nearInto(t float64, buf framework.Package) Bid {
	if s.exact == nil {
		return s.Near(t)
	}
	n := len(s.exact.radix)
	if cap(buf) < n {
		buf = make(framework.Package, n)
	}
	return s.exact.bidInto(s.exact.nearIndex(t), buf[:n])
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
	if s.nl != nil {
		return s.nl.atLeast(t)
	}
	if t > s.best.Utility {
		return s.Best(), false
	}
	var best Bid
	for _, p := range s.parts {
		if b, ok := p.approxAtLeast(t); ok && (best.Package == nil || b.Utility < best.Utility) {
			best = p.export(b)
		}
	}
	if best.Package == nil {
		return s.Best(), false
	}
	return best, true
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
	if s.nl != nil {
		return s.nl.around(t, k, dst)
	}
	if len(s.parts) == 1 && s.parts[0].levels == nil {
		return s.parts[0].approxAround(t, k, dst)
	}
	var all []Bid
	for _, p := range s.parts {
		n := len(all)
		all = p.approxAround(t, k, all)
		for i := n; i < len(all); i++ {
			all[i] = p.export(all[i])
		}
	}
	if math.IsNaN(t) {
		t = math.Inf(1)
	}
	// Beyond the range, distances order packages as the parts' do.
	t = math.Min(math.Max(t, s.worst.Utility-1), s.best.Utility+1)
	sortByDistance(all, t) // parts are disjoint: no package twice
	return append(dst, all[:min(k, len(all))]...)
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
	if s.nl != nil {
		return s.nl.within(lo, hi, k, dst)
	}
	if len(s.parts) == 1 && s.parts[0].levels == nil {
		return s.parts[0].approxWithin(lo, hi, k, dst)
	}
	var all []Bid
	for _, p := range s.parts {
		n := len(all)
		all = p.approxWithin(lo, hi, k, all)
		for i := n; i < len(all); i++ {
			all[i] = p.export(all[i])
		}
	}
	slices.SortStableFunc(all, func(a, b Bid) int { return cmp.Compare(a.Utility, b.Utility) })
	return append(dst, all[:min(k, len(all))]...)
}

func (b Bid) clone() Bid { return Bid{Package: b.Package.Clone(), Utility: b.Utility} }
