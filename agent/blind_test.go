package agent

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
)

// TestPublicOrderPermutation: on spaces of 1 to a few thousand packages the
// public order visits every package exactly once, Position inverts At, the
// order depends on the round and on nothing else than public data.
func TestPublicOrderPermutation(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	radices := [][]int{{1}, {2}, {3}, {1, 1, 1}, {7}, {2, 2, 2, 2}, {5, 3, 4}, {10, 10, 10}, {3, 4, 5, 6, 7}}
	for range 20 {
		radices = append(radices, randomRadix(rng, 6, 6))
	}
	for _, radix := range radices {
		f := testFramework(radix...)
		size, _ := f.SizeInt()
		o := NewPublicOrder(f, 3)
		if n, ok := o.Len(); !ok || n != uint64(size) {
			t.Fatalf("%v: Len %d %v, want %d", radix, n, ok, size)
		}
		seen := map[uint64]bool{}
		p := make(framework.Package, len(radix))
		identity := true
		for j := range uint64(size) {
			o.At(j, p)
			if err := f.CheckPackage(p); err != nil || !p.Complete() {
				t.Fatalf("%v: At(%d) = %v: %v", radix, j, p, err)
			}
			idx, _ := framework.Index(radix, p)
			if seen[idx] {
				t.Fatalf("%v: package %v twice", radix, p)
			}
			seen[idx] = true
			identity = identity && idx == j
			if pos, ok := o.Position(p); !ok || pos != j {
				t.Fatalf("%v: Position(At(%d)) = %d %v", radix, j, pos, ok)
			}
		}
		if size > 24 && identity {
			t.Fatalf("%v: the order is the identity", radix)
		}
	}
	// Same data, same order; another round or another framework, another.
	f := testFramework(4, 4, 4, 4)
	a, b, c := NewPublicOrder(f, 1), NewPublicOrder(testFramework(4, 4, 4, 4), 1), NewPublicOrder(f, 2)
	g := testFramework(4, 4, 4, 4)
	g.Points[0].ID = "other"
	d := NewPublicOrder(g, 1)
	pa, pb := make(framework.Package, 4), make(framework.Package, 4)
	sameB, sameC, sameD := true, true, true
	for j := range uint64(256) {
		a.At(j, pa)
		b.At(j, pb)
		sameB = sameB && slices.Equal(pa, pb)
		c.At(j, pb)
		sameC = sameC && slices.Equal(pa, pb)
		d.At(j, pb)
		sameD = sameD && slices.Equal(pa, pb)
	}
	if !sameB || sameC || sameD {
		t.Fatalf("same data same order %v; another round differs %v; another framework differs %v", sameB, !sameC, !sameD)
	}
	// More than 2^64 packages: generator mode.
	huge := testFramework(slices.Repeat([]int{5}, 40)...)
	o := NewPublicOrder(huge, 1)
	if _, ok := o.Len(); ok {
		t.Fatal("5^40 packages: a bounded order")
	}
	p := make(framework.Package, 40)
	o.At(12345, p)
	if err := huge.CheckPackage(p); err != nil || !p.Complete() {
		t.Fatalf("generator mode: %v: %v", p, err)
	}
	if _, ok := o.Position(p); ok {
		t.Fatal("generator mode: Position available")
	}
}

// TestPublicOrderUniform: the first positions of the order are spread like
// a uniform sample: on 4^8 packages, each option of each point takes
// about its share of the first 4,096 positions.
func TestPublicOrderUniform(t *testing.T) {
	f := testFramework(slices.Repeat([]int{4}, 8)...)
	for round := 1; round <= 3; round++ {
		o := NewPublicOrder(f, round)
		counts := make([][]int, 8)
		for k := range counts {
			counts[k] = make([]int, 4)
		}
		p := make(framework.Package, 8)
		for j := range uint64(4096) {
			o.At(j, p)
			for k, l := range p {
				counts[k][l]++
			}
		}
		for k := range counts {
			for l, c := range counts[k] {
				// 1024 expected, standard deviation about 28.
				if c < 900 || c > 1150 {
					t.Fatalf("round %d: option %d of point %d in %d of the first 4096 positions", round, l, k, c)
				}
			}
		}
	}
}

// redLined adds random red lines (a forbidden option, a forbidden
// combination) to p.
func redLined(rng *rand.Rand, f *framework.Framework, p *profile.Profile) {
	n := len(f.Points)
	for range rng.IntN(3) {
		k := rng.IntN(n)
		if f.Points[k].Levels() > 1 {
			p.RedLines = append(p.RedLines, profile.RedLine{Terms: []profile.Term{{Point: k, Levels: []int{rng.IntN(f.Points[k].Levels())}}}})
		}
	}
	if n >= 2 && rng.IntN(2) == 0 {
		a, b := rng.IntN(n), rng.IntN(n)
		if a != b {
			p.RedLines = append(p.RedLines, profile.RedLine{Terms: []profile.Term{
				{Point: a, Levels: []int{rng.IntN(f.Points[a].Levels())}},
				{Point: b, Levels: []int{rng.IntN(f.Points[b].Levels())}},
			}})
		}
	}
}

// firstAcceptable is the brute-force bid: the first k packages of the
// order that are at least threshold (and the reservation value) and cross
// no red line.
func firstAcceptable(f *framework.Framework, pr *profile.Profile, tb *profile.Table, o *PublicOrder, threshold float64, k int) []framework.Package {
	n, _ := o.Len()
	var out []framework.Package
	p := make(framework.Package, len(f.Points))
	for j := uint64(0); j < n && len(out) < k; j++ {
		o.At(j, p)
		if u := tb.Utility(p); u >= threshold && u >= tb.Reservation && pr.CrossesRedLine(p) < 0 {
			out = append(out, p.Clone())
		}
	}
	return out
}

// TestBlindBidderBruteForce: on random small domains with red lines, a bid
// is exactly the first K acceptable packages of the public order whether
// it is found by enumeration (before or after a scan too short to find
// them) or by scanning; when both budgets are too
// small it is still made of acceptable packages only, the scanned prefix
// first; and the threshold concedes from the top to the reservation value.
func TestBlindBidderBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for run := range 300 {
		f := testFramework(randomRadix(rng, 6, 5)...)
		pr := randomProfile(rng, f, run%2 == 0)
		redLined(rng, f, pr)
		res := rng.Float64() * 0.7
		pr.Reservation = &res
		tb := compile(t, f, pr)
		b, err := NewBlindBidder(f, pr, tb)
		if err != nil {
			t.Fatal(err)
		}
		// The best package within the red lines, by brute force.
		top, found := -1.0, false
		for _, bd := range allBids(f, tb) {
			if pr.CrossesRedLine(bd.Package) < 0 && bd.Utility > top {
				top, found = bd.Utility, true
			}
		}
		gotTop, best := b.Top()
		if found != (best != nil) || (found && (gotTop != top || tb.Utility(best) != top || pr.CrossesRedLine(best) >= 0)) {
			t.Fatalf("run %d: Top %v %v, want %v (found %v)", run, gotTop, best, top, found)
		}
		rounds := 1 + rng.IntN(30)
		prev := 2.0
		for r := 1; r <= rounds; r++ {
			th := b.Threshold(r, rounds)
			if th < res || th > prev {
				t.Fatalf("run %d: threshold %v in round %d of %d (previous %v, reservation %v)", run, th, r, rounds, prev, res)
			}
			prev = th
		}
		if found && top >= res && b.Threshold(1, rounds) != top && rounds > 1 {
			t.Fatalf("run %d: round 1 threshold %v, top %v", run, b.Threshold(1, rounds), top)
		}
		if th := b.Threshold(rounds, rounds); th != res && top >= res {
			t.Fatalf("run %d: last-round threshold %v, reservation %v", run, th, res)
		}
		o := NewPublicOrder(f, 1+rng.IntN(100))
		th := res + rng.Float64()*max(0, top-res)
		k := []int{1, 3, 10, MaxBlindBid}[rng.IntN(4)]
		want := firstAcceptable(f, pr, tb, o, th, k)
		for _, mode := range []string{"enumerate", "scan", "enumerate after scan", "neither"} {
			b.K, b.EnumBudget, b.ScanBudget = k, DefaultBlindEnum, DefaultBlindScan
			switch mode {
			case "scan":
				b.EnumBudget = 1
			case "enumerate after scan":
				b.ScanBudget = rng.IntN(8)
			case "neither":
				b.EnumBudget, b.ScanBudget = 1+rng.IntN(20), rng.IntN(20)
			}
			got := b.BidAt(o, th)
			if len(got) > k {
				t.Fatalf("run %d (%s): %d packages, K = %d", run, mode, len(got), k)
			}
			for _, p := range got {
				if !b.Acceptable(p, min(th, tb.Utility(p))) || tb.Utility(p) < res {
					t.Fatalf("run %d (%s): bids %v (utility %v, threshold %v, reservation %v, red line %d)", run, mode, p, tb.Utility(p), th, res, pr.CrossesRedLine(p))
				}
			}
			if len(want) == 0 {
				// Nothing reaches th: the best package, if acceptable at all.
				if len(got) > 1 || (len(got) == 1 && (!found || tb.Utility(got[0]) != top)) || (len(got) == 0 && found && top >= res) {
					t.Fatalf("run %d (%s): nothing reaches %v; bid %v (top %v)", run, mode, th, got, top)
				}
				continue
			}
			if mode != "neither" {
				if !slices.EqualFunc(got, want, slices.Equal) {
					t.Fatalf("run %d (%s): bid %v, want %v", run, mode, got, want)
				}
				continue
			}
			// The scanned part is a prefix of the true bid.
			for i, p := range got {
				if i >= len(want) || !slices.Equal(p, want[i]) {
					for _, q := range got[i:] {
						if tb.Utility(q) < th {
							t.Fatalf("run %d: fill %v below the threshold", run, q)
						}
					}
					break
				}
			}
		}
	}
}

// TestBlindBidderConcurrent: one bidder used from several goroutines at
// once gives every one the same bids as used alone (run with -race).
func TestBlindBidderConcurrent(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	f := testFramework(4, 4, 4, 4, 4, 4, 4, 4)
	pr := randomProfile(rng, f, true)
	redLined(rng, f, pr)
	res := 0.5
	pr.Reservation = &res
	tb := compile(t, f, pr)
	b, err := NewBlindBidder(f, pr, tb)
	if err != nil {
		t.Fatal(err)
	}
	want := make([][]framework.Package, 8)
	for r := range want {
		want[r] = b.Bid(r+1, 8)
	}
	errs := make(chan string, 4)
	for range 4 {
		go func() {
			for r := range want {
				if got := b.Bid(r+1, 8); !slices.EqualFunc(got, want[r], slices.Equal) {
					errs <- "round " + strconv.Itoa(r+1) + ": another bid"
					return
				}
			}
			errs <- ""
		}()
	}
	for range 4 {
		if e := <-errs; e != "" {
			t.Fatal(e)
		}
	}
}

// TestBlindBidderMiami: on the built-in miami-2025 scenario (10^12
// packages) every bid of every party over a 100-round schedule holds 1 to
// 1,000 packages, each at or above the round's threshold and the
// reservation value and inside the party's red lines, and takes
// milliseconds.
func TestBlindBidderMiami(t *testing.T) {
	sc, err := scenario.Builtin("miami-2025")
	if err != nil {
		t.Fatal(err)
	}
	rounds := []int{1, 20, 50, 70, 80, 90, 100}
	if testing.Short() {
		rounds = []int{1, 80}
	}
	for _, id := range []string{"russia", "ukraine", "europe"} {
		pr := sc.Party(id).Profile
		tb := compile(t, sc.Framework, pr)
		b, err := NewBlindBidder(sc.Framework, pr, tb)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rounds {
			start := time.Now()
			bid := b.Bid(r, 100)
			el := time.Since(start)
			th := b.Threshold(r, 100)
			if len(bid) == 0 || len(bid) > MaxBlindBid {
				t.Fatalf("%s round %d: %d packages", id, r, len(bid))
			}
			for _, p := range bid {
				if u := tb.Utility(p); (u < th && len(bid) > 1) || u < tb.Reservation || pr.CrossesRedLine(p) >= 0 {
					t.Fatalf("%s round %d: bids %v (utility %v, threshold %v)", id, r, p, u, th)
				}
			}
			t.Logf("%s round %3d: threshold %.4f, %4d packages, %v", id, r, th, len(bid), el)
		}
	}
}

// BenchmarkBlindBidMiami: one bid of each miami-2025 party, at rounds 1
// (threshold at the top), 60 (mid-way) and 90 (at the reservation value) of
// 100.
func BenchmarkBlindBidMiami(b *testing.B) {
	sc, err := scenario.Builtin("miami-2025")
	if err != nil {
		b.Fatal(err)
	}
	for _, id := range []string{"russia", "ukraine", "europe"} {
		pr := sc.Party(id).Profile
		tb := compile(b, sc.Framework, pr)
		for _, r := range []int{1, 20, 60, 90} {
			b.Run(id+"/round="+strconv.Itoa(r), func(b *testing.B) {
				for b.Loop() {
					bd, err := NewBlindBidder(sc.Framework, pr, tb)
					if err != nil {
						b.Fatal(err)
					}
					bd.Bid(r, 100)
				}
			})
		}
	}
}
