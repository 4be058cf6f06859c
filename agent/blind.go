package agent

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// MaxBlindBid is the most packages a BlindBidder puts in one bid: the
// negotiation room's limit (room.MaxBidPackages), below the session
// engine's (session.MaxBid).
const MaxBlindBid = 1000

// Default budgets of a BlindBidder.
const (
	// DefaultBlindScan is the most positions of the public order one bid
	// scans.
	DefaultBlindScan = 1 << 16
	// DefaultBlindEnum is the most search nodes one bid spends enumerating
	// the party's own acceptable packages.
	DefaultBlindEnum = 1 << 17
	// DefaultBlindHold is the share of a round deadline a BlindBidder
	// spends at its reservation value.
	DefaultBlindHold = 0.2
)

// BlindBidder is a blind-bidding strategy for one party that reaches the
// agreement zone when there is one, using only the party's own profile and
// public information (the framework, the round and the deadline).
//
// Threshold. In round r of a deadline of R rounds the party accepts the
// packages whose utility is at least a threshold that concedes linearly
// from its best utility within its red lines (round 1) to its reservation
// value (round C = R − ⌊Hold·R⌋, at least 1) and stays there until the
// deadline; without a deadline it covers a fifth of the remaining distance
// each round. The threshold is never below the reservation value (the
// table's effective one: the larger of the declared value and the
// fallback's utility), and no bid ever holds a package across one of the
// party's red lines.
//
// Bid. Of the packages the party accepts, it bids the first K (at most
// MaxBlindBid) in the round's PublicOrder — a public procedure every
// automated bidder follows, so the bids of different parties are samples of
// their acceptable sets correlated through the same order: a package of the
// agreement zone early in the order is in every bid. With acceptable sets
// A₁…A_n of a space of N packages and a zone Z, the first K acceptable
// packages of party i reach position about K·N/|A_i|, so a round's overlap
// holds about K·|Z|/max|A_i| packages: the bids meet as soon as the
// thresholds leave a zone of at least roughly 1/K of the widest acceptable
// set, and each round at the reservation values is a fresh, independent
// draw (the order changes with the round). Zones smaller than that are not
// found by any procedure that, like this one, uses no knowledge of the
// others' preferences: see docs/agents.md.
//
// Computation, bounded whatever the space. The bidder enumerates its
// acceptable packages by branch and bound (points by decreasing spread,
// options by decreasing contribution, pruned by the best the remaining
// points can add — plus every positive interaction value when the profile
// has interactions; packages are tested with Table.Utility —; red lines
// of one option pruned, others checked per package) within 4,096 nodes; when that completes the bid is the K
// packages of smallest PublicOrder.Position, exactly. Otherwise it scans
// the order from position 0 for up to ScanBudget positions; when it finds
// K or reaches the end of the space the bid is again exact. Otherwise, if
// what it found says the acceptable set may be small enough (at most 4
// times EnumBudget packages), it enumerates it within EnumBudget nodes and
// bids the K of smallest position, exactly when that completes; failing
// that it bids what the scan found — a prefix of the order, fewer than K
// packages — filled up to K with the enumerated packages of smallest
// position. When no package reaches the threshold (the first rounds: the
// threshold starts at the best utility, which the bounded search may not
// settle exactly) it bids its best package within its red lines, if that
// is at least its reservation value. An empty bid means nothing is
// acceptable to the party.
//
// A BlindBidder holds no state between bids: Bid depends only on its
// arguments, and it is safe for concurrent use.
type BlindBidder struct {
	f     *framework.Framework
	pr    *profile.Profile
	t     *profile.Table
	perm  []int     // points by decreasing spread of contribution
	opts  [][]int   // per perm position: allowed options, best first
	rest  []float64 // rest[d]: most the points perm[d:] can add
	multi []profile.RedLine
	top   float64 // best utility within red lines (an upper bound if not found)
	best  framework.Package

	// K is the most packages of one bid (default MaxBlindBid).
	K int
	// ScanBudget and EnumBudget bound one bid's work (defaults
	// DefaultBlindScan, DefaultBlindEnum).
	ScanBudget, EnumBudget int
	// Hold is the share of a round deadline spent at the reservation value
	// (default DefaultBlindHold; 0 concedes until the last round).
	Hold float64
}

// NewBlindBidder returns a blind bidder for the party of profile pr, whose
// table t is pr compiled against f. It fails if t does not fit f.
func NewBlindBidder(f *framework.Framework, pr *profile.Profile, t *profile.Table) (*BlindBidder, error) {
	if len(t.Contrib) != len(f.Points) {
		return nil, fmt.Errorf("agent: blind bidder: the table has %d points, the framework %d", len(t.Contrib), len(f.Points))
	}
	b := &BlindBidder{f: f, pr: pr, t: t, K: MaxBlindBid, ScanBudget: DefaultBlindScan, EnumBudget: DefaultBlindEnum, Hold: DefaultBlindHold}
	n := len(f.Points)
	forbidden := make([][]bool, n)
	for k := range forbidden {
		if len(t.Contrib[k]) != f.Points[k].Levels() {
			return nil, fmt.Errorf("agent: blind bidder: point %d has %d options in the table, %d in the framework", k, len(t.Contrib[k]), f.Points[k].Levels())
		}
		forbidden[k] = make([]bool, len(t.Contrib[k]))
	}
	for _, rl := range pr.RedLines {
		if len(rl.Terms) == 1 {
			for _, l := range rl.Terms[0].Levels {
				if k := rl.Terms[0].Point; k >= 0 && k < n && l >= 0 && l < len(forbidden[k]) {
					forbidden[k][l] = true
				}
			}
			continue
		}
		b.multi = append(b.multi, rl)
	}
	spread := make([]float64, n)
	for k, c := range t.Contrib {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, x := range c {
			lo, hi = min(lo, x), max(hi, x)
		}
		spread[k] = hi - lo
	}
	b.perm = make([]int, n)
	for k := range b.perm {
		b.perm[k] = k
	}
	slices.SortStableFunc(b.perm, func(x, y int) int { return cmp.Compare(spread[y], spread[x]) })
	b.opts = make([][]int, n)
	b.rest = make([]float64, n+1)
	for d, k := range b.perm {
		c := t.Contrib[k]
		for l := range c {
			if !forbidden[k][l] {
				b.opts[d] = append(b.opts[d], l)
			}
		}
		slices.SortStableFunc(b.opts[d], func(x, y int) int { return cmp.Compare(c[y], c[x]) })
	}
	for d := n - 1; d >= 0; d-- {
		b.rest[d] = b.rest[d+1]
		if len(b.opts[d]) > 0 {
			b.rest[d] += t.Contrib[b.perm[d]][b.opts[d][0]]
		} else {
			b.rest[d] = math.Inf(-1)
		}
	}
	if !t.Additive() {
		// With interactions the searches below sum contributions only
		// (leaves are tested with Table.Utility): the bounds also allow
		// every positive interaction value.
		pos := 0.0
		for _, e := range t.Effects {
			pos += max(0, e.Value)
		}
		for d := range b.rest {
			b.rest[d] += pos
		}
	}
	b.best, b.top = b.bestAllowed()
	return b, nil
}

// Top returns the best utility within the party's red lines (an upper
// bound on it when the bounded search did not settle it), and a package
// reaching it (nil when none was found: every package crosses a red line,
// or the search ran out of budget).
func (b *BlindBidder) Top() (float64, framework.Package) { return b.top, b.best.Clone() }

// bestAllowed finds the best package within the red lines by branch and
// bound (budget EnumBudget nodes).
func (b *BlindBidder) bestAllowed() (framework.Package, float64) {
	n := len(b.perm)
	if math.IsInf(b.rest[0], -1) {
		return nil, math.Inf(-1)
	}
	p := make(framework.Package, n)
	var best framework.Package
	bestU := math.Inf(-1)
	budget := DefaultBlindEnum
	var rec func(d int, u float64)
	rec = func(d int, u float64) {
		if budget <= 0 {
			return
		}
		budget--
		if d == n {
			if !b.t.Additive() {
				u = b.t.Utility(p)
			}
			if u > bestU && b.allowed(p) {
				best, bestU = p.Clone(), u
			}
			return
		}
		k := b.perm[d]
		for _, l := range b.opts[d] {
			v := u + b.t.Contrib[k][l]
			if v+b.rest[d+1] <= bestU {
				return
			}
			p[k] = l
			rec(d+1, v)
		}
	}
	rec(0, 0)
	if best == nil {
		return nil, b.rest[0]
	}
	if budget <= 0 {
		// Not settled: the bound is what may still be reachable.
		return best, max(bestU, b.rest[0])
	}
	return best, b.t.Utility(best)
}

func (b *BlindBidder) allowed(p framework.Package) bool {
	for i := range b.multi {
		if b.multi[i].Crossed(p) {
			return false
		}
	}
	return true
}

// Acceptable reports whether the party accepts p at threshold: p is
// complete, its utility is at least threshold and at least the reservation
// value, and it crosses none of the party's red lines.
func (b *BlindBidder) Acceptable(p framework.Package, threshold float64) bool {
	if len(p) != len(b.f.Points) || !p.Complete() {
		return false
	}
	u := b.t.Utility(p)
	return u >= threshold && u >= b.t.Reservation && b.pr.CrossesRedLine(p) < 0
}

// Threshold returns the utility the party requires in round (1-based) of a
// deadline of rounds (0: none); see BlindBidder.
func (b *BlindBidder) Threshold(round, rounds int) float64 {
	res := b.t.Reservation
	top := max(b.top, res)
	var x float64
	switch {
	case rounds > 0:
		c := max(1, rounds-int(math.Floor(b.Hold*float64(rounds))))
		if c > 1 {
			x = float64(round-1) / float64(c-1)
		} else {
			x = 1
		}
	default:
		x = 1 - math.Pow(0.8, float64(round-1))
	}
	if x >= 1 {
		return res
	}
	return max(res, top-(top-res)*max(x, 0))
}

// Bid returns the party's bid in round (1-based) of a deadline of rounds
// (0: none): BidAt with the round's public order and threshold.
func (b *BlindBidder) Bid(round, rounds int) []framework.Package {
	return b.BidAt(NewPublicOrder(b.f, round), b.Threshold(round, rounds))
}

// BidAt returns the first K packages of order the party accepts at
// threshold (see BlindBidder for how they are found and what happens when
// the budgets run out), in order; its best package within its red lines
// when none reaches threshold and that one is acceptable; nothing when no
// package is acceptable.
func (b *BlindBidder) BidAt(order *PublicOrder, threshold float64) []framework.Package {
	k := b.K
	if k <= 0 || k > MaxBlindBid {
		k = MaxBlindBid
	}
	threshold = max(threshold, b.t.Reservation)
	size, bounded := order.Len()
	// 0. A small acceptable set (the first rounds) is enumerated at once.
	if bounded {
		sel := newSelection(order, k, len(b.f.Points))
		if b.enumerate(threshold, min(b.EnumBudget, smallEnum), sel.add) {
			return b.orBest(sel.sorted())
		}
	}
	// 1. Scan the order.
	n := uint64(max(b.ScanBudget, 0))
	if bounded {
		n = min(n, size)
	}
	var out []framework.Package
	p := make(framework.Package, len(b.f.Points))
	if b.rest[0] >= threshold-1e-9 {
		for j := uint64(0); j < n && len(out) < k; j++ {
			order.At(j, p)
			if b.t.Utility(p) >= threshold && b.pr.CrossesRedLine(p) < 0 {
				out = append(out, p.Clone())
			}
		}
	}
	if len(out) >= k || (bounded && n == size) {
		return b.orBest(out)
	}
	if bounded && len(out) > 0 && float64(len(out))*float64(size)/float64(n) > 4*float64(b.EnumBudget) {
		// The scan's density says the acceptable set is far too large to
		// enumerate within budget: the prefix is the bid.
		return out
	}
	// 2. Enumerate the acceptable set, if it is small enough, keeping the
	// k packages of smallest position.
	sel := newSelection(order, k, len(b.f.Points))
	complete := b.enumerate(threshold, b.EnumBudget, sel.add)
	firsts := sel.sorted()
	if complete && bounded {
		return b.orBest(firsts)
	}
	// 3. What the scan found, filled with the enumerated packages of
	// smallest position.
	seen := make(map[string]bool, len(out))
	for _, q := range out {
		seen[string(keyOf(q))] = true
	}
	for _, q := range firsts {
		if len(out) >= k {
			break
		}
		if key := string(keyOf(q)); !seen[key] {
			seen[key] = true
			out = append(out, q)
		}
	}
	return b.orBest(out)
}

// smallEnum is the enumeration budget tried before scanning.
const smallEnum = 4096

// selection keeps the k packages of smallest position in an order (of
// smallest public hash in generator mode) among those added: a max-heap on
// position.
type selection struct {
	order *PublicOrder
	k, n  int
	pos   []uint64
	pkgs  []int // slot i: pkgs[i*n : (i+1)*n]
	heap  []int // slots, largest position first
}

func newSelection(order *PublicOrder, k, n int) *selection {
	return &selection{order: order, k: k, n: n}
}

func (s *selection) add(p framework.Package) {
	pos, ok := s.order.Position(p)
	if !ok {
		pos = packageHash(p)
	}
	if len(s.heap) == s.k {
		top := s.heap[0]
		if pos >= s.pos[top] {
			return
		}
		s.pos[top] = pos
		copy(s.pkgs[top*s.n:], p)
		s.down(0)
		return
	}
	slot := len(s.pos)
	s.pos = append(s.pos, pos)
	s.pkgs = append(s.pkgs, p...)
	s.heap = append(s.heap, slot)
	for i := len(s.heap) - 1; i > 0; {
		parent := (i - 1) / 2
		if s.pos[s.heap[parent]] >= s.pos[s.heap[i]] {
			break
		}
		s.heap[parent], s.heap[i] = s.heap[i], s.heap[parent]
		i = parent
	}
}

func (s *selection) down(i int) {
	for {
		l, big := 2*i+1, i
		if l < len(s.heap) && s.pos[s.heap[l]] > s.pos[s.heap[big]] {
			big = l
		}
		if r := l + 1; r < len(s.heap) && s.pos[s.heap[r]] > s.pos[s.heap[big]] {
			big = r
		}
		if big == i {
			return
		}
		s.heap[i], s.heap[big] = s.heap[big], s.heap[i]
		i = big
	}
}

// sorted returns the kept packages by increasing position.
func (s *selection) sorted() []framework.Package {
	slots := slices.Clone(s.heap)
	slices.SortFunc(slots, func(x, y int) int { return cmp.Compare(s.pos[x], s.pos[y]) })
	out := make([]framework.Package, len(slots))
	for i, slot := range slots {
		out[i] = framework.Package(s.pkgs[slot*s.n : (slot+1)*s.n : (slot+1)*s.n]).Clone()
	}
	return out
}

func (b *BlindBidder) orBest(out []framework.Package) []framework.Package {
	if len(out) > 0 || b.best == nil || b.t.Utility(b.best) < b.t.Reservation {
		return out
	}
	return []framework.Package{b.best.Clone()}
}

// enumerate calls visit with every package within the red lines whose
// utility is at least threshold (the package is reused: visit copies what
// it keeps), by branch and bound within budget nodes; it reports whether
// it visited them all.
func (b *BlindBidder) enumerate(threshold float64, budget int, visit func(framework.Package)) bool {
	n := len(b.perm)
	if math.IsInf(b.rest[0], -1) || b.rest[0] < threshold-1e-9 {
		return true
	}
	p := make(framework.Package, n)
	var rec func(d int, u float64) bool
	rec = func(d int, u float64) bool {
		if budget <= 0 {
			return false
		}
		budget--
		if d == n {
			// The exact test, with the utility summed in framework order
			// as everyone else sums it.
			if b.t.Utility(p) >= threshold && b.allowed(p) {
				visit(p)
			}
			return true
		}
		k := b.perm[d]
		for _, l := range b.opts[d] {
			v := u + b.t.Contrib[k][l]
			// Options are best first: no later one reaches the threshold
			// either. The slack covers sums rounded differently in this
			// order; the leaf test is exact.
			if v+b.rest[d+1] < threshold-1e-9 {
				break
			}
			p[k] = l
			if !rec(d+1, v) {
				return false
			}
		}
		return true
	}
	return rec(0, 0)
}

// keyOf returns a set key of a package.
func keyOf(p framework.Package) []byte {
	out := make([]byte, 0, 4*len(p))
	for _, l := range p {
		out = binary.AppendUvarint(out, uint64(int64(l)))
	}
	return out
}

// packageHash is a public hash of a package (FNV-1a over its options,
// finalised): the order of last resort when positions are unavailable.
func packageHash(p framework.Package) uint64 {
	h := uint64(14695981039346656037)
	for _, l := range p {
		h ^= uint64(int64(l))
		h *= 1099511628211
	}
	return mix(h)
}
