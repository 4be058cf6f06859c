package agent

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// Values computed with a JVM (java.lang.String.hashCode and the arithmetic
// of genius.core.bidding.BidDetails.hashCode).
func TestJavaHashes(t *testing.T) {
	for _, c := range []struct {
		s    string
		want int32
	}{
		{"Chips and Nuts", 1468621256},
		{"Catering", 115477023},
		{"Soda’s, ice water, etc.", -517417591},
		{"Custom, Handmade", -385637911},
		{"€𝄞x", 304116258}, // a surrogate pair counts as two UTF-16 units
		{"", 0},
	} {
		if got := javaStringHash(c.s); got != c.want {
			t.Errorf("javaStringHash(%q) = %d, want %d", c.s, got, c.want)
		}
	}
	if got := bidDetailsHash(123456789, 0.975); got != -298758092 {
		t.Errorf("bidDetailsHash(123456789, 0.975) = %d, want -298758092", got)
	}
	if got := bidDetailsHash(-2000000000, 0.4324145751341); got != 1572868529 {
		t.Errorf("bidDetailsHash(-2000000000, 0.4324…) = %d, want 1572868529", got)
	}
}

// TestSearchQuirks pins GENIUS's getIndexOfBidNearUtility on a list with
// ties (checked against the Java code): the index reached by the binary
// search among equal utilities, and equal distances going up.
func TestSearchQuirks(t *testing.T) {
	s := sortedFrom(nil, []float64{1, 0.75, 0.75, 0.75, 0.5, 0.25, 0.25, 0.125}, make([]uint32, 8))
	for _, c := range []struct {
		t    float64
		want int
	}{
		{2, 0}, {1, 0}, {0.875, 0}, {0.75, 3}, {0.625, 3}, {0.5625, 4}, {0.375, 4},
		{0.25, 5}, {0.1875, 6}, {0.125, 7}, {-1, 7},
	} {
		if got := s.nearIndex(c.t); got != c.want {
			t.Errorf("nearIndex(%v) = %d, want %d", c.t, got, c.want)
		}
	}
}

// checkSpace compares every query of s with brute force; tol is the
// tolerance the space promises (0 for exact).
func checkSpace(t *testing.T, s *BidSpace, all []Bid, targets []float64, exclude func(framework.Package) bool) {
	t.Helper()
	tol := s.Tolerance() + 1e-12
	var ok []Bid
	for _, b := range all {
		if exclude == nil || !exclude(b.Package) {
			ok = append(ok, b)
		}
	}
	valid := func(what string, b Bid) {
		t.Helper()
		if b.Package == nil {
			t.Fatalf("%s: nil package", what)
		}
		if exclude != nil && exclude(b.Package) {
			t.Errorf("%s: excluded package %v returned", what, b.Package)
		}
		if u := s.Utility(b.Package); u != b.Utility {
			t.Errorf("%s: reported utility %v, table says %v", what, b.Utility, u)
		}
	}
	maxU := math.Inf(-1)
	for _, b := range ok {
		maxU = math.Max(maxU, b.Utility)
	}
	b := s.Best()
	valid("Best", b)
	if b.Utility < maxU-tol {
		t.Errorf("Best %v, brute force %v", b.Utility, maxU)
	}
	for _, x := range targets {
		bestD := math.Inf(1)
		above := math.Inf(1)
		var dists []float64
		for _, b := range ok {
			d := math.Abs(b.Utility - x)
			bestD = math.Min(bestD, d)
			dists = append(dists, d)
			if b.Utility >= x {
				above = math.Min(above, b.Utility)
			}
		}
		slices.Sort(dists)
		n := s.Near(x)
		valid("Near", n)
		if d := math.Abs(n.Utility - x); d > bestD+tol {
			t.Errorf("Near(%v) = %v at distance %v; brute force %v (tolerance %v)", x, n.Utility, d, bestD, s.Tolerance())
		}
		a, found := s.AtLeast(x)
		if found != !math.IsInf(above, 1) {
			t.Errorf("AtLeast(%v) found=%v, brute force lowest above %v", x, found, above)
		} else if found {
			valid("AtLeast", a)
			if a.Utility < x || a.Utility > above+tol {
				t.Errorf("AtLeast(%v) = %v, brute force %v", x, a.Utility, above)
			}
		}
		k := 5
		ar := s.Around(x, k, nil)
		if want := min(k, len(ok)); len(ar) != want && s.Exact() {
			t.Errorf("Around(%v, %d) returned %d bids, want %d", x, k, len(ar), want)
		}
		seen := map[string]bool{}
		for i, b := range ar {
			valid("Around", b)
			key := string(fmtPkg(b.Package))
			if seen[key] {
				t.Errorf("Around(%v): %v twice", x, b.Package)
			}
			seen[key] = true
			if d := math.Abs(b.Utility - x); d > dists[i]+tol {
				t.Errorf("Around(%v)[%d] at distance %v, brute force %v", x, i, d, dists[i])
			}
			if i > 0 && math.Abs(ar[i-1].Utility-x) > math.Abs(b.Utility-x) {
				t.Errorf("Around(%v) not closest first: %v", x, ar)
			}
		}
		if len(ar) > 0 && ar[0].Utility != n.Utility && s.Exact() {
			t.Errorf("Around(%v)[0] = %v, Near = %v", x, ar[0].Utility, n.Utility)
		}
		lo, hi := x-0.1, x+0.1
		w := s.Within(lo, hi, k, nil)
		count := 0
		var inRange []float64
		for _, b := range ok {
			if b.Utility >= lo && b.Utility <= hi {
				count++
				inRange = append(inRange, b.Utility)
			}
		}
		slices.Sort(inRange)
		if s.Exact() && len(w) != min(k, count) {
			t.Errorf("Within(%v, %v, %d) returned %d, brute force %d", lo, hi, k, len(w), min(k, count))
		}
		if len(w) == 0 && count > 0 {
			t.Errorf("Within(%v, %v) empty, brute force has %d", lo, hi, count)
		}
		for i, b := range w {
			valid("Within", b)
			if b.Utility < lo || b.Utility > hi {
				t.Errorf("Within(%v, %v): %v outside", lo, hi, b.Utility)
			}
			if i > 0 && w[i-1].Utility > b.Utility {
				t.Errorf("Within(%v, %v) not lowest first", lo, hi)
			}
			if s.Exact() && b.Utility != inRange[i] {
				t.Errorf("Within(%v, %v)[%d] = %v, brute force %v", lo, hi, i, b.Utility, inRange[i])
			}
		}
	}
}

func fmtPkg(p framework.Package) []byte {
	b := make([]byte, 0, len(p))
	for _, l := range p {
		b = append(b, byte(l))
	}
	return b
}

func targetsFor(rng *rand.Rand, all []Bid) []float64 {
	ts := []float64{-0.5, 0, 1, 1.5, math.Inf(1), math.Inf(-1)}
	for range 20 {
		ts = append(ts, rng.Float64()*1.2-0.1, all[rng.IntN(len(all))].Utility)
	}
	return ts
}

// TestBidSpaceBruteForce checks both search modes against enumeration on
// random small domains, with and without ties, with and without
// exclusions; the knapsack is forced with ExactLimit(0) and a coarse grid
// so that its tolerance is exercised.
func TestBidSpaceBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for trial := range 120 {
		n := 1 + rng.IntN(6)
		radix := make([]int, n)
		for i := range radix {
			radix[i] = 1 + rng.IntN(5)
		}
		f := testFramework(radix...)
		tb := compile(t, f, randomProfile(rng, f, trial%2 == 0))
		all := allBids(f, tb)
		var exclude func(framework.Package) bool
		if trial%3 == 0 {
			pt, lv := rng.IntN(n), rng.IntN(radix[0])
			exclude = func(p framework.Package) bool { return p[pt] == lv && p[0] == lv }
			if !slices.ContainsFunc(all, func(b Bid) bool { return !exclude(b.Package) }) {
				exclude = nil
			}
		}
		targets := targetsFor(rng, all)
		for _, mode := range []struct {
			name string
			opts []SpaceOption
		}{
			{"exact", nil},
			{"knapsack", []SpaceOption{ExactLimit(0), Buckets(64 + rng.IntN(512))}},
			{"knapsack-fine", []SpaceOption{ExactLimit(0)}},
		} {
			opts := mode.opts
			if exclude != nil {
				opts = append(slices.Clip(opts), Excluding(exclude))
			}
			s, err := NewBidSpace(f, tb, opts...)
			if err != nil {
				t.Fatal(err)
			}
			if s.Exact() != (mode.name == "exact") {
				t.Fatalf("%s: Exact() = %v", mode.name, s.Exact())
			}
			t.Run(mode.name, func(t *testing.T) { checkSpace(t, s, all, targets, exclude) })
		}
	}
}

// TestBidSpaceAllExcluded: an exact space with nothing left fails.
func TestBidSpaceAllExcluded(t *testing.T) {
	f := testFramework(2, 2)
	tb := compile(t, f, randomProfile(rand.New(rand.NewPCG(1, 1)), f, true))
	if _, err := NewBidSpace(f, tb, Excluding(func(framework.Package) bool { return true })); err != ErrNoBids {
		t.Errorf("err = %v, want ErrNoBids", err)
	}
	if _, err := NewBidSpace(f, &profile.Table{Contrib: [][]float64{{1}}}); err == nil {
		t.Error("mismatched table accepted")
	}
}

// TestBidSpaceGeniusOrder: on the Party domain the sorted list is GENIUS's
// (verified once against Java's Collections.sort with
// BidDetailsSorterUtility; pinned here by its first entries).
func TestBidSpaceGeniusOrder(t *testing.T) {
	f, _, ts := partyDomain(t, "party1_utility.xml")
	s := newSpace(t, f, ts[0])
	if s.Len() != 3072 || !s.Exact() {
		t.Fatalf("Len %d exact %v", s.Len(), s.Exact())
	}
	// party1 has 27 packages of utility 0.5583333333333332 (ties); the
	// GENIUS order among them follows BidDetails.hashCode.
	var got []uint32
	for k := range s.exact.len() {
		if s.exact.util(k) == 0.5583333333333332 {
			got = append(got, s.exact.iter[k])
		}
	}
	if len(got) < 2 {
		t.Fatalf("expected ties, got %v", got)
	}
	if slices.IsSorted(got) {
		t.Errorf("ties are in BidIterator order %v; GENIUS orders them by hash code", got)
	}
}

// TestBidSpaceLarge: on 20 points × 4 options (10^12 packages) every target
// inside the utility range is met within Tolerance, and answers are exact
// utilities of real packages.
func TestBidSpaceLarge(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	radix := make([]int, 20)
	for i := range radix {
		radix[i] = 4
	}
	f := testFramework(radix...)
	tb := compile(t, f, randomProfile(rng, f, true))
	s := newSpace(t, f, tb)
	if s.Exact() {
		t.Fatal("10^12 outcomes enumerated")
	}
	if tol := s.Tolerance(); tol > 1e-4 || tol <= 0 {
		t.Errorf("Tolerance %v", tol)
	}
	maxU, _ := tb.Max()
	if b := s.Best(); b.Utility != maxU {
		t.Errorf("Best %v, table max %v", b.Utility, maxU)
	}
	if w := s.Worst(); w.Utility != tb.Min() {
		t.Errorf("Worst %v, table min %v", w.Utility, tb.Min())
	}
	lo, hi := tb.Min(), maxU
	var dists []float64
	for range 300 {
		x := lo + 0.02 + rng.Float64()*(hi-lo-0.04)
		b := s.Near(x)
		if b.Utility != tb.Utility(b.Package) {
			t.Fatalf("utility %v reported, %v actual", b.Utility, tb.Utility(b.Package))
		}
		d := math.Abs(b.Utility - x)
		if d > s.Tolerance() {
			t.Errorf("Near(%v) = %v, distance %v > tolerance %v", x, b.Utility, d, s.Tolerance())
		}
		dists = append(dists, d)
		a, ok := s.AtLeast(x)
		if !ok || a.Utility < x || a.Utility > x+s.Tolerance() {
			t.Errorf("AtLeast(%v) = %v %v", x, a.Utility, ok)
		}
		ar := s.Around(x, 8, nil)
		if len(ar) != 8 {
			t.Errorf("Around(%v, 8) returned %d", x, len(ar))
		}
		w := s.Within(x, x+0.01, 8, nil)
		if len(w) != 8 {
			t.Errorf("Within(%v, +0.01, 8) returned %d", x, len(w))
		}
	}
	if _, ok := s.AtLeast(maxU + 1e-9); ok {
		t.Error("AtLeast above the maximum found a package")
	}
	// Near's scan pairs lists of 65,536 combinations: on 10^12 packages it
	// typically lands far closer than the proven bound (median 4e-8 here,
	// tolerance 1.1e-5).
	slices.Sort(dists)
	if med := dists[len(dists)/2]; med > s.Tolerance()/100 {
		t.Errorf("Near's median distance %v, tolerance %v", med, s.Tolerance())
	}
}

// TestBidSpaceManyPoints: 120 points of 3 options (10^57 packages).
func TestBidSpaceManyPoints(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	f := testFramework(slices.Repeat([]int{3}, 120)...)
	tb := compile(t, f, randomProfile(rng, f, true))
	s := newSpace(t, f, tb)
	maxU, _ := tb.Max()
	for range 50 {
		x := tb.Min() + rng.Float64()*(maxU-tb.Min())
		if b := s.Near(x); math.Abs(b.Utility-x) > s.Tolerance() || b.Utility != tb.Utility(b.Package) {
			t.Errorf("Near(%v) = %v (tolerance %v)", x, b.Utility, s.Tolerance())
		}
		if a, ok := s.AtLeast(x); !ok || a.Utility < x || a.Utility > x+s.Tolerance() {
			t.Errorf("AtLeast(%v) = %v", x, a.Utility)
		}
	}
}

// TestBidSpaceRealIntegerPoints: numeric points enumerate and search too.
func TestBidSpaceRealIntegerPoints(t *testing.T) {
	f := &framework.Framework{Name: "num", Points: []framework.Point{
		{ID: "price", Kind: framework.Integer, Min: 0, Max: 99},
		{ID: "share", Kind: framework.Real, Min: 0, Max: 1, Steps: 21},
		{ID: "colour", Kind: framework.Options, Options: []framework.Option{{ID: "red"}, {ID: "blue"}}},
	}}
	p := &profile.Profile{
		Weights: []float64{0.5, 0.3, 0.2},
		Scores:  [][]float64{nil, nil, {1, 3}},
		Funcs:   []*profile.ValueFunc{{Kind: profile.Linear, Slope: -0.01, Offset: 1}, {Kind: profile.Triangular, Low: 0, High: 1, Top: 0.5, TopValue: 1}, nil},
	}
	tb := compile(t, f, p)
	all := allBids(f, tb)
	rng := rand.New(rand.NewPCG(9, 9))
	for _, opts := range [][]SpaceOption{nil, {ExactLimit(0)}} {
		s := newSpace(t, f, tb, opts...)
		checkSpace(t, s, all, targetsFor(rng, all), nil)
	}
}

// TestKnapLists: the lists Near's scan pairs hold every combination of
// their points once, sorted by the sum of shifted contributions (added in
// point order), decode to their levels, and their index brackets every
// value.
func TestKnapLists(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for trial := range 40 {
		n := 1 + rng.IntN(7)
		radix := make([]int, n)
		for i := range radix {
			radix[i] = 1 + rng.IntN(6)
		}
		if trial%8 == 7 {
			radix[rng.IntN(n)] = 17 + rng.IntN(8) // sorted, not merged
		}
		f := testFramework(radix...)
		tb := compile(t, f, randomProfile(rng, f, trial%2 == 0))
		limit := []int{1, 4, 16, 100, knapsackListMax}[trial%5]
		m := newKnapsack(tb, 256, limit, knapsackMaxBytes)
		if m.tail.from != 0 || m.mid.from != m.tail.to || m.top.from != m.mid.to {
			t.Fatalf("lists [%d,%d) [%d,%d) [%d,%d)", m.tail.from, m.tail.to, m.mid.from, m.mid.to, m.top.from, m.top.to)
		}
		p := make(framework.Package, n)
		for _, kl := range []*knapList{m.tail, m.mid, m.top} {
			size := 1
			for i := kl.from; i < kl.to; i++ {
				size *= radix[i]
			}
			if len(kl.sum) != size || size > max(limit, 1) || (kl.to < n && size*radix[kl.to] <= limit) {
				t.Fatalf("radix %v limit %d: list [%d,%d) has %d combinations", radix, limit, kl.from, kl.to, len(kl.sum))
			}
			seen := map[uint32]bool{}
			for k, v := range kl.sum {
				if k > 0 && v < kl.sum[k-1] {
					t.Fatalf("list [%d,%d) not sorted at %d", kl.from, kl.to, k)
				}
				if seen[kl.code[k]] {
					t.Fatalf("list [%d,%d): combination %x twice", kl.from, kl.to, kl.code[k])
				}
				seen[kl.code[k]] = true
				kl.set(p, k)
				sum := 0.0
				for i := kl.from; i < kl.to; i++ {
					if p[i] < 0 || p[i] >= radix[i] {
						t.Fatalf("list [%d,%d) decodes level %d of point %d", kl.from, kl.to, p[i], i)
					}
					sum += m.sh[i][p[i]]
				}
				if sum != v {
					t.Fatalf("list [%d,%d)[%d]: sum %v, levels %v sum to %v", kl.from, kl.to, k, v, p[kl.from:kl.to], sum)
				}
			}
			lo, hi := kl.sum[0], kl.sum[len(kl.sum)-1]
			for _, x := range append(slices.Clone(kl.sum), lo-1, hi+1, lo, hi, (lo+hi)/2, rng.Float64()*(hi-lo+0.2)+lo-0.1) {
				lb := kl.lowerBound(x)
				if (lb < len(kl.sum) && kl.sum[lb] < x) || (lb > 0 && kl.sum[lb-1] >= x) {
					t.Fatalf("lowerBound(%v) = %d in %v", x, lb, kl.sum)
				}
				ub, _ := slices.BinarySearchFunc(kl.sum, x, func(v, x float64) int {
					if v <= x {
						return -1
					}
					return 1
				})
				if b, a := kl.below(x), kl.above(x); b > lb || a < ub {
					t.Fatalf("below(%v) = %d > %d or above = %d < %d", x, b, lb, a, ub)
				}
			}
		}
	}
}

// TestBidSpaceBruteForceLists: Near and AtLeast with small lists, so that
// the tail, middle and top lists and points above them all take part,
// against enumeration, with and without exclusions, on coarse and fine
// grids (the queries that use the lists). Targets include utilities of
// packages, where ties whose sums round just below the target used to make
// AtLeast miss on 2 of these 120 spaces.
func TestBidSpaceBruteForceLists(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 13))
	above, three := 0, 0 // spaces with points above the lists; with three lists covering all
	for trial := 0; trial < 60; {
		n := 3 + rng.IntN(6)
		radix := make([]int, n)
		size := 1
		for i := range radix {
			radix[i] = 2 + rng.IntN(3)
			size *= radix[i]
		}
		if size > 20000 {
			continue
		}
		trial++
		f := testFramework(radix...)
		tb := compile(t, f, randomProfile(rng, f, trial%2 == 0))
		all := allBids(f, tb)
		var exclude func(framework.Package) bool
		if trial%3 == 0 {
			pt, lv := rng.IntN(n), rng.IntN(2)
			exclude = func(p framework.Package) bool { return p[pt] == lv && p[n-1] != lv }
		}
		limit := []int{2, 4, 9, 30}[trial%4]
		for _, k := range []int{64 + rng.IntN(256), DefaultBuckets} {
			opts := []SpaceOption{ExactLimit(0), Buckets(k), listLimit(limit)}
			if exclude != nil {
				opts = append(opts, Excluding(exclude))
			}
			s := newSpace(t, f, tb, opts...)
			if m := s.parts[0].m; m.top.to < n {
				above++
			} else if m.top.from < n {
				three++
			}
			for _, x := range targetsFor(rng, all) {
				bestD, above := math.Inf(1), math.Inf(1)
				for _, b := range all {
					if exclude == nil || !exclude(b.Package) {
						bestD = math.Min(bestD, math.Abs(b.Utility-x))
						if b.Utility >= x {
							above = math.Min(above, b.Utility)
						}
					}
				}
				a, ok := s.AtLeast(x)
				switch {
				case ok != !math.IsInf(above, 1):
					t.Errorf("radix %v limit %d: AtLeast(%v) found %v, brute force lowest above %v", radix, limit, x, ok, above)
				case a.Package == nil || (exclude != nil && exclude(a.Package)) || a.Utility != tb.Utility(a.Package):
					t.Errorf("radix %v limit %d: AtLeast(%v) = %v", radix, limit, x, a)
				case ok && (a.Utility < x || a.Utility > above+s.Tolerance()+1e-12):
					t.Errorf("radix %v limit %d: AtLeast(%v) = %v, brute force %v (tolerance %v)", radix, limit, x, a.Utility, above, s.Tolerance())
				}
				b := s.Near(x)
				switch {
				case b.Package == nil:
					t.Fatalf("radix %v limit %d: Near(%v) found nothing", radix, limit, x)
				case exclude != nil && exclude(b.Package):
					t.Errorf("radix %v limit %d: Near(%v) = excluded %v", radix, limit, x, b.Package)
				case b.Utility != tb.Utility(b.Package):
					t.Errorf("radix %v limit %d: Near(%v) reports %v for a package of %v", radix, limit, x, b.Utility, tb.Utility(b.Package))
				case math.Abs(b.Utility-x) > bestD+s.Tolerance()+1e-12:
					t.Errorf("radix %v limit %d: Near(%v) at distance %v, brute force %v (tolerance %v)", radix, limit, x, math.Abs(b.Utility-x), bestD, s.Tolerance())
				}
			}
		}
	}
	if above < 20 || three < 10 {
		t.Errorf("%d spaces with points above the lists, %d with three lists", above, three)
	}
}

// TestBidSpaceConcurrent: one knapsack space queried from several
// goroutines (as a tournament sharing it does) answers as it does alone
// (run with -race).
func TestBidSpaceConcurrent(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	f := testFramework(slices.Repeat([]int{3}, 20)...)
	tb := compile(t, f, randomProfile(rng, f, true))
	s := newSpace(t, f, tb)
	xs := make([]float64, 200)
	want := make([]Bid, len(xs))
	for i := range xs {
		xs[i] = tb.Min() + rng.Float64()*(s.Best().Utility-tb.Min())
		want[i] = s.Near(xs[i])
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range xs {
				i := (k + 50*g) % len(xs)
				if b := s.Near(xs[i]); b.Utility != want[i].Utility || !slices.Equal(b.Package, want[i].Package) {
					t.Errorf("Near(%v) = %v concurrently, %v alone", xs[i], b, want[i])
				}
			}
		}()
	}
	wg.Wait()
}

// eagerSorted is the sorted list built the direct way (every outcome
// enumerated in BidIterator order, then sorted by GENIUS's comparator), the
// reference the lazy, bucketed sortedSpace must equal.
func eagerSorted(f *framework.Framework, tb *profile.Table, exclude func(framework.Package) bool) ([]float64, []uint32) {
	radix := f.Radix()
	vh := valueHashes(f)
	type entry struct {
		u float64
		h int32
		i uint32
	}
	var es []entry
	p := make(framework.Package, len(radix))
	size := 1
	for _, r := range radix {
		size *= r
	}
	for idx := range size {
		if exclude == nil || !exclude(p) {
			u := 0.0
			var bh int32
			for i, l := range p {
				u += tb.Contrib[i][l]
				bh += vh[i][l]
			}
			es = append(es, entry{u, bidDetailsHash(bh, u), uint32(idx)})
		}
		for i := range p {
			p[i]++
			if p[i] < radix[i] {
				break
			}
			p[i] = 0
		}
	}
	slices.SortStableFunc(es, func(a, b entry) int {
		if a.u != b.u {
			if a.u > b.u {
				return -1
			}
			return 1
		}
		return int(min(max(int64(a.h)-int64(b.h), -1), 1))
	})
	us, is := make([]float64, len(es)), make([]uint32, len(es))
	for k, e := range es {
		us[k], is[k] = e.u, e.i
	}
	return us, is
}

// TestSortedLazyEqualsEager: on random domains (few distinct
// contributions, so many ties; negative and equal contributions;
// exclusions) the lazily sorted space answers every query as the eagerly
// sorted list does — the same index for Near (GENIUS's binary-search
// quirks included), AtLeast, Around and Within — and, once every bucket is
// sorted, holds the same list.
func TestSortedLazyEqualsEager(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 3))
	for trial := range 60 {
		n := rng.IntN(6)
		radix := make([]int, n)
		for i := range radix {
			radix[i] = 1 + rng.IntN(7)
		}
		f := testFramework(radix...)
		tb := &profile.Table{Contrib: make([][]float64, n)}
		for i, r := range radix {
			tb.Contrib[i] = make([]float64, r)
			for l := range r {
				switch trial % 3 {
				case 0: // coarse values: many exact ties
					tb.Contrib[i][l] = float64(rng.IntN(4)) / 8
				case 1:
					tb.Contrib[i][l] = rng.Float64() - 0.3
				default: // one constant point and tiny differences
					tb.Contrib[i][l] = 0.1 + float64(rng.IntN(2))*1e-17
				}
			}
		}
		var exclude func(framework.Package) bool
		if trial%4 == 3 && n > 0 {
			exclude = func(p framework.Package) bool { return p[0] == 0 }
		}
		us, is := eagerSorted(f, tb, exclude)
		if len(us) == 0 {
			continue
		}
		lazy := func() *sortedSpace { return newSortedSpace(f, tb, f.Radix(), exclude, 1+trial%4) }
		ref := sortedFrom(f.Radix(), us, is)
		targets := []float64{math.Inf(1), math.Inf(-1), math.NaN(), 0, 1, -1}
		for range 30 {
			targets = append(targets, us[rng.IntN(len(us))], rng.Float64()*2-0.5)
		}
		s := lazy() // one space for every query: buckets sorted as queries come
		full := lazy()
		full.sortAll() // every bucket sorted up front: the direct search
		fallback := lazy()
		fallback.fuzz = math.Inf(-1) // the two halves find no member: every outcome is checked
		for _, x := range targets {
			if got, want := s.nearIndex(x), ref.nearIndex(x); got != want {
				t.Fatalf("trial %d: nearIndex(%v) = %d, eager %d", trial, x, got, want)
			}
			if got, want := lazy().nearIndex(x), ref.nearIndex(x); got != want {
				t.Fatalf("trial %d: fresh nearIndex(%v) = %d, eager %d", trial, x, got, want)
			}
			if got, want := fallback.nearIndex(x), ref.nearIndex(x); got != want {
				t.Fatalf("trial %d: nearIndex(%v) by checking every outcome = %d, eager %d", trial, x, got, want)
			}
			if got, want := full.nearIndex(x), ref.nearIndex(x); got != want {
				t.Fatalf("trial %d: complete nearIndex(%v) = %d, eager %d", trial, x, got, want)
			}
			if got, want := full.lastAtLeast(x), ref.lastAtLeast(x); got != want {
				t.Fatalf("trial %d: complete lastAtLeast(%v) = %d, eager %d", trial, x, got, want)
			}
			if got, want := s.lastAtLeast(x), ref.lastAtLeast(x); got != want {
				t.Fatalf("trial %d: lastAtLeast(%v) = %d, eager %d", trial, x, got, want)
			}
			if got, want := s.around(x, 7, nil), ref.around(x, 7, nil); !slices.EqualFunc(got, want, bidEqual) {
				t.Fatalf("trial %d: around(%v) = %v, eager %v", trial, x, got, want)
			}
			if got, want := lazy().within(x-0.2, x+0.2, 7, nil), ref.within(x-0.2, x+0.2, 7, nil); !slices.EqualFunc(got, want, bidEqual) {
				t.Fatalf("trial %d: within(%v) = %v, eager %v", trial, x, got, want)
			}
		}
		for k := range s.len() {
			if b := s.bid(k); b.Utility != us[k] || s.iter[k] != is[k] {
				t.Fatalf("trial %d: entry %d = (%v, %d), eager (%v, %d)", trial, k, b.Utility, s.iter[k], us[k], is[k])
			}
		}
	}
}

func bidEqual(a, b Bid) bool { return a.Utility == b.Utility && slices.Equal(a.Package, b.Package) }

// TestSortedConcurrent: goroutines querying one fresh space at once (each
// query may sort buckets) get the answers of a single-threaded one (run
// with -race to check the buckets' synchronisation).
func TestSortedConcurrent(t *testing.T) {
	f := testFramework(6, 6, 6, 6, 6)
	rng := rand.New(rand.NewPCG(4, 4))
	tb := &profile.Table{Contrib: make([][]float64, 5)}
	for i := range tb.Contrib {
		for range 6 {
			tb.Contrib[i] = append(tb.Contrib[i], float64(rng.IntN(10))/40)
		}
	}
	us, is := eagerSorted(f, tb, nil)
	ref := sortedFrom(f.Radix(), us, is)
	s := newSortedSpace(f, tb, f.Radix(), nil, 3)
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for range 500 {
				x := r.Float64() * 1.3
				if got, want := s.nearIndex(x), ref.nearIndex(x); got != want {
					errs <- "nearIndex differs"
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
