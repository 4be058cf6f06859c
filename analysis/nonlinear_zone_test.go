package analysis

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/internal/fixture"
	"github.com/parley-negotiation/parley/profile"
)

// nonlinearShape is the interaction shape of property-test iteration iter:
// negative values, EXCLUDES terms, integer values (GENIUS-like, many ties)
// and no additive part each on a share of the iterations.
func nonlinearShape(rng *rand.Rand, iter int) fixture.NonLinear {
	sh := fixture.NonLinear{
		Interactions: 1 + rng.IntN(6),
		Arity:        2 + rng.IntN(2),
		Additive:     1,
		Negative:     iter%2 == 0,
		Outside:      iter%3 == 0,
		Integer:      iter%5 == 0,
	}
	if iter%4 == 0 {
		sh.Additive = 0
	}
	return sh
}

// nonlinearSpace is a random non-linear space for the property tests:
// fixture.RandomNonLinear (2–4 parties, 2–6 points of 2–4 levels) with red
// lines on some profiles, and each party's reservation value either the
// exact utility of a random package (so that packages sit exactly on it),
// the next float above one (so that they miss it by one ulp), or a random
// low quantile of its utilities, so that the zone is usually a strict part
// of the space.
func nonlinearSpace(tb testing.TB, rng *rand.Rand, iter int) *Space {
	tb.Helper()
	points, levels, parties := 2+rng.IntN(5), 2+rng.IntN(3), 2+iter%3
	sc := fixture.RandomNonLinear(fmt.Sprintf("nl%d", iter), points, levels, parties, uint64(iter), 7, -1, nonlinearShape(rng, iter))
	names, profs := fixture.Principals(sc)
	if iter%3 != 1 {
		for _, pr := range profs {
			if rng.IntN(2) == 0 {
				continue
			}
			for range 1 + rng.IntN(2) {
				var rl profile.RedLine
				for _, k := range rng.Perm(points)[:1+rng.IntN(2)] {
					rl.Terms = append(rl.Terms, profile.Term{Point: k, Levels: []int{rng.IntN(levels)}})
				}
				pr.RedLines = append(pr.RedLines, rl)
			}
		}
	}
	s, err := NewSpace(sc.Framework, names, profs)
	if err != nil {
		tb.Fatal(err)
	}
	radix := s.Framework.Radix()
	for j, t := range s.Tables {
		var all []float64
		Enumerate(radix, func(p framework.Package) bool {
			all = append(all, t.Utility(p))
			return true
		})
		switch rng.IntN(3) {
		case 0:
			s.Reservation[j] = all[rng.IntN(len(all))]
		case 1: // just above a package's utility: it is out
			s.Reservation[j] = math.Nextafter(all[rng.IntN(len(all))], math.Inf(1))
		default:
			slices.Sort(all)
			s.Reservation[j] = all[int(rng.Float64()*0.7*float64(len(all))/float64(parties-1))]
		}
	}
	return s
}

// TestNonlinearZoneExactMatchesBruteForce: on hundreds of random non-linear
// spaces the exact zone (Gray-code walker, several task splits) counts
// exactly the packages Space.Acceptable accepts, and every option's share
// is the brute-force share bit for bit.
func TestNonlinearZoneExactMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 2))
	strict := 0
	const iters = 400
	for iter := range iters {
		s := nonlinearSpace(t, rng, iter)
		wantN, wantC := bruteZone(s)
		size, _ := s.Framework.SizeInt()
		if wantN > 0 && int64(wantN) < size {
			strict++
		}
		for _, workers := range []int{1, 2, 5} {
			z := AgreementZone(s, ZoneOptions{Workers: workers})
			if !z.Exact || z.Size != float64(wantN) || z.Low != z.Size || z.High != z.Size {
				t.Fatalf("iter %d workers %d: zone %v [%v, %v] (exact %v), brute force %d", iter, workers, z.Size, z.Low, z.High, z.Exact, wantN)
			}
			for k, po := range z.Overlap {
				for l, lo := range po.Options {
					if (wantC[k][l] > 0) != (lo.Possible == Yes) || (wantC[k][l] == 0) != (lo.Possible == No) {
						t.Fatalf("iter %d point %d option %d: possible %s, brute-force count %d", iter, k, l, lo.Possible, wantC[k][l])
					}
					if wantN == 0 && !math.IsNaN(lo.Share) || wantN > 0 && lo.Share != float64(wantC[k][l])/float64(wantN) {
						t.Fatalf("iter %d point %d option %d: share %v, brute force %d/%d", iter, k, l, lo.Share, wantC[k][l], wantN)
					}
				}
			}
		}
		// One walker over the whole space (no prefix) and one per first
		// level, as the smallest and largest tasks.
		radix := s.Framework.Radix()
		for _, m := range []int{0, 1} {
			counts := make([][]uint64, len(radix))
			for k := range counts {
				counts[k] = make([]uint64, radix[k])
			}
			tasks := 1
			if m == 1 {
				tasks = radix[0]
			}
			var n uint64
			w := newGrayWalker(s, radix, m)
			for task := range tasks {
				n += w.run(uint64(task), counts)
			}
			if n != wantN || !slices.EqualFunc(counts, wantC, slices.Equal) {
				t.Fatalf("iter %d walker prefix %d: %d packages %v, brute force %d %v", iter, m, n, counts, wantN, wantC)
			}
		}
	}
	if strict < iters/2 {
		t.Errorf("only %d of %d spaces have a zone that is a strict, non-empty part", strict, iters)
	}
}

// TestNonlinearZoneGrayDriftLargeUtilities: GENIUS-like integer
// interaction values (utilities in the thousands) over a walk much longer
// than exactEvery, with every reservation value the exact utility of some
// package, still count exactly; so do additive utilities in the
// thousands (weights up to 1000: the walker's wider margin, not the
// plain path).
func TestNonlinearZoneGrayDriftLargeUtilities(t *testing.T) {
	for seed := range uint64(6) {
		shape := fixture.NonLinear{Interactions: 60, Arity: 3, Integer: true, Negative: seed%2 == 0, Outside: true}
		if seed >= 4 {
			shape = fixture.NonLinear{Additive: 7000}
		}
		sc := fixture.RandomNonLinear("drift", 7, 5, 2, seed, 3, -1, shape)
		names, profs := fixture.Principals(sc)
		s, err := NewSpace(sc.Framework, names, profs)
		if err != nil {
			t.Fatal(err)
		}
		if w := newGrayWalker(s, s.Framework.Radix(), 0); w.plain {
			t.Fatalf("seed %d: utilities up to %v walked as plain", seed, utilityScale(s.Tables[0]))
		}
		rng := rand.New(rand.NewPCG(seed, 9))
		radix := s.Framework.Radix()
		p := make(framework.Package, len(radix))
		for j, tb := range s.Tables {
			for k := range p {
				p[k] = rng.IntN(radix[k])
			}
			s.Reservation[j] = tb.Utility(p)
		}
		wantN, wantC := bruteZone(s)
		z := AgreementZone(s, ZoneOptions{Workers: 1})
		if z.Size != float64(wantN) {
			t.Fatalf("seed %d: zone %v, brute force %d", seed, z.Size, wantN)
		}
		for k, po := range z.Overlap {
			for l, lo := range po.Options {
				if wantN > 0 && lo.Share != float64(wantC[k][l])/float64(wantN) {
					t.Fatalf("seed %d point %d option %d: share %v, brute force %d/%d", seed, k, l, lo.Share, wantC[k][l], wantN)
				}
			}
		}
	}
}

// TestNonlinearZoneOverlapSearchMatchesBruteForce: the exact search behind
// per-point overlap on sampled spaces says Yes for exactly the options some
// zone package uses, on every option of random non-linear spaces; the
// sampled zone's overlap agrees and its size is never called exact.
func TestNonlinearZoneOverlapSearchMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 3))
	ctx := context.Background()
	for iter := range 400 {
		s := nonlinearSpace(t, rng, iter)
		wantN, wantC := bruteZone(s)
		se := newSearcher(ctx, s, 1<<22, 1<<40)
		for k := range wantC {
			for l := range wantC[k] {
				want := No
				if wantC[k][l] > 0 {
					want = Yes
				}
				if got := se.possible(k, l); got != want {
					t.Fatalf("iter %d point %d option %d: search says %s, brute-force count %d (zone %d)", iter, k, l, got, wantC[k][l], wantN)
				}
			}
		}
		z := AgreementZone(s, ZoneOptions{EnumLimit: 1, Samples: 300, Seed: uint64(iter)})
		if z.Exact || !strings.Contains(z.Method, "estimate") || z.Samples != 300 {
			t.Fatalf("iter %d: a sampled zone reads exact=%v, method %q", iter, z.Exact, z.Method)
		}
		for k, po := range z.Overlap {
			for l, lo := range po.Options {
				if (wantC[k][l] > 0) != (lo.Possible == Yes) || lo.Possible == Unknown {
					t.Fatalf("iter %d point %d option %d: sampled zone says %s, brute-force count %d", iter, k, l, lo.Possible, wantC[k][l])
				}
			}
		}
	}
}

// TestNonlinearZoneSampleUtilities: the sampled zone's evaluator gives
// every party's Table.Utility bit for bit and Space.Acceptable's verdict,
// and the sampled counts are those of Space.Acceptable on the same draws.
func TestNonlinearZoneSampleUtilities(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 4))
	ctx := context.Background()
	for iter := range 200 {
		s := nonlinearSpace(t, rng, iter)
		e := newSampleEval(s)
		radix := s.Framework.Radix()
		Enumerate(radix, func(p framework.Package) bool {
			u := e.utilities(p)
			for j, tb := range s.Tables {
				if want := tb.Utility(p); u[j] != want {
					t.Fatalf("iter %d %v: party %d utility %v, Table.Utility %v", iter, p, j, u[j], want)
				}
			}
			if e.acceptable(p) != s.Acceptable(p) {
				t.Fatalf("iter %d %v: sampled verdict %v, Space.Acceptable %v", iter, p, e.acceptable(p), s.Acceptable(p))
			}
			return true
		})
		o := ZoneOptions{Samples: 2000, Seed: uint64(iter), Workers: 2}.withDefaults()
		hits, counts := sampleZone(ctx, s, o)
		var want uint64
		wantC := make([][]uint64, len(radix))
		for k := range wantC {
			wantC[k] = make([]uint64, radix[k])
		}
		o.Workers = 1
		if err := forEachSample(ctx, s, o, func(_, _ int, p framework.Package) {
			if s.Acceptable(p) {
				want++
				for k, l := range p {
					wantC[k][l]++
				}
			}
		}); err != nil {
			t.Fatal(err)
		}
		if hits != want || !slices.EqualFunc(counts, wantC, slices.Equal) {
			t.Fatalf("iter %d: %d sampled hits %v, Space.Acceptable %d %v", iter, hits, counts, want, wantC)
		}
	}
}

// TestNonlinearZoneRobustness: robustness draws, with and without
// interactions, are what whole sampled tables (profile.Sample, which keeps
// the interactions) give package by package.
func TestNonlinearZoneRobustness(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 5))
	for iter := range 60 {
		shape := nonlinearShape(rng, iter)
		if iter%3 == 0 {
			shape.Interactions = 0 // additive: unchanged
		}
		sc := fixture.RandomNonLinear("robust", 2+rng.IntN(4), 2+rng.IntN(3), 2+iter%3, uint64(iter), 11, 0.3, shape)
		names, profs := fixture.Principals(sc)
		for j, pr := range profs {
			if j%2 == 1 && iter%2 == 0 {
				continue // a certain party
			}
			u := &profile.Uncertainty{Reservation: &profile.Interval{Lo: 0, Hi: 0.6}}
			for _, w := range pr.Weights {
				u.Weights = append(u.Weights, &profile.Interval{Lo: w / 2, Hi: w * 1.5})
			}
			pr.Uncertainty = u
		}
		s, err := NewSpace(sc.Framework, names, profs)
		if err != nil {
			t.Fatal(err)
		}
		radix := s.Framework.Radix()
		p := make(framework.Package, len(radix))
		for k := range p {
			p[k] = rng.IntN(radix[k])
		}
		const samples = 300
		seed := rng.Uint64()
		got, err := PackageRobustness(s, p, samples, seed)
		if err != nil {
			t.Fatal(err)
		}
		// The reference: the same random numbers, whole tables.
		r := rand.New(rand.NewPCG(seed, 0x726f62))
		hits := make([]int, s.N())
		all := 0
		for range samples {
			ok := true
			for j, pr := range s.Profiles {
				var acc bool
				if pr.Uncertainty == nil {
					acc = s.Tables[j].Utility(p) >= s.Reservation[j] && pr.CrossesRedLine(p) < 0
				} else {
					tb, err := pr.Sample(s.Framework, r.Float64)
					if err != nil {
						t.Fatal(err)
					}
					acc = tb.Utility(p) >= tb.Reservation && pr.CrossesRedLine(p) < 0
				}
				if acc {
					hits[j]++
				}
				ok = ok && acc
			}
			if ok {
				all++
			}
		}
		for j := range hits {
			if want := float64(hits[j]) / samples; got.Acceptable[j] != want {
				t.Fatalf("iter %d party %d: robustness %v, sampled tables %v", iter, j, got.Acceptable[j], want)
			}
		}
		if want := float64(all) / samples; got.All != want {
			t.Fatalf("iter %d: all at once %v, sampled tables %v", iter, got.All, want)
		}
	}
}

// TestNonlinearZoneAnalyzeMatchesBruteForce: Analyze's whole report on small
// non-linear spaces equals one computed from brute force: frontier and zone
// frontier (points, tie counts, witnesses), solution points and
// suggestions, party ranges, zone size and overlap; and the report says
// how many interactions there are and that every figure is exact. The
// frontier part depends on the merge being exact with interactions.
func TestNonlinearZoneAnalyzeMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 6))
	for iter := range 120 {
		s := nonlinearSpace(t, rng, iter)
		rep, err := Analyze(s, Options{})
		if err != nil {
			t.Fatalf("iter %d: %v", iter, err)
		}
		count := 0
		for j, tb := range s.Tables {
			count += len(tb.Effects)
			lo, hi := math.Inf(1), math.Inf(-1)
			Enumerate(s.Framework.Radix(), func(p framework.Package) bool {
				u := tb.Utility(p)
				lo, hi = math.Min(lo, u), math.Max(hi, u)
				return true
			})
			if ps := rep.Parties[j]; ps.Min != lo || ps.Max != hi || ps.Interactions != len(tb.Effects) {
				t.Fatalf("iter %d party %d: range [%v, %v] with %d interactions, brute force [%v, %v] with %d", iter, j, ps.Min, ps.Max, ps.Interactions, lo, hi, len(tb.Effects))
			}
		}
		is := rep.Interactions
		if is == nil || is.Count != count || !is.Exact || !strings.Contains(is.Text, fmt.Sprintf("%d interaction", count)) {
			t.Fatalf("iter %d: interaction summary %+v, want %d interactions, exact", iter, is, count)
		}
		wantN, wantC := bruteZone(s)
		if !rep.Zone.Exact || rep.Zone.Size != float64(wantN) {
			t.Fatalf("iter %d: zone %v, brute force %d", iter, rep.Zone.Size, wantN)
		}
		for k, po := range rep.Zone.Overlap {
			for l, lo := range po.Options {
				if (wantC[k][l] > 0) != (lo.Possible == Yes) {
					t.Fatalf("iter %d point %d option %d: %s, brute-force count %d", iter, k, l, lo.Possible, wantC[k][l])
				}
			}
		}
		fr, err := FrontierEnumerate(s, FrontierOptions{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		zf, err := FrontierEnumerate(s, FrontierOptions{RedLines: true, Rational: true}, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(fmt.Sprintf("iter%d/frontier", iter), func(t *testing.T) { sameFrontier(t, rep.Frontier, fr, true) })
		t.Run(fmt.Sprintf("iter%d/zone-frontier", iter), func(t *testing.T) { sameFrontier(t, rep.ZoneFrontier, zf, true) })
		if t.Failed() {
			return
		}
		wantSol := solutionsOf(fr, s.Reservation)
		if len(rep.Solutions) != len(wantSol) {
			t.Fatalf("iter %d: %d solutions, brute force %d", iter, len(rep.Solutions), len(wantSol))
		}
		for i, sol := range rep.Solutions {
			w := wantSol[i]
			if sol.Name != w.Name || sol.Value != w.Value || !slices.Equal(sol.Point.U, w.Point.U) || !slices.Equal(sol.Point.Witness, w.Point.Witness) {
				t.Fatalf("iter %d: solution %s %v at %v, brute force %s %v at %v", iter, sol.Name, sol.Point.U, sol.Point.Witness, w.Name, w.Point.U, w.Point.Witness)
			}
		}
		wantSug, err := suggestionsOf(context.Background(), s, zf, Options{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Suggestions) != len(wantSug) {
			t.Fatalf("iter %d: %d suggestions, brute force %d", iter, len(rep.Suggestions), len(wantSug))
		}
		for i, sg := range rep.Suggestions {
			w := wantSug[i]
			if sg.Name != w.Name || sg.Value != w.Value || !slices.Equal(sg.Point.U, w.Point.U) || !slices.Equal(sg.Point.Witness, w.Point.Witness) {
				t.Fatalf("iter %d: suggestion %s %v, brute force %s %v", iter, sg.Name, sg.Point.U, w.Name, w.Point.U)
			}
		}
	}
}

// TestNonlinearZoneSummary: additive spaces get no interaction summary; a
// sampled zone is reported as an estimate, never exact.
func TestNonlinearZoneSummary(t *testing.T) {
	sc := fixture.RandomAdditive("add", 3, 3, 2, 1, 1, 0.2)
	names, profs := fixture.Principals(sc)
	s, err := NewSpace(sc.Framework, names, profs)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Analyze(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Interactions != nil || rep.Parties[0].Interactions != 0 {
		t.Fatalf("additive space: summary %+v", rep.Interactions)
	}
	sc = fixture.RandomNonLinear("nl", 4, 3, 2, 1, 1, 0.3, fixture.NonLinear{Interactions: 3, Additive: 1})
	names, profs = fixture.Principals(sc)
	if s, err = NewSpace(sc.Framework, names, profs); err != nil {
		t.Fatal(err)
	}
	rep, err = Analyze(s, Options{Zone: ZoneOptions{EnumLimit: 1, Samples: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	is := rep.Interactions
	if is == nil || is.Count != 6 || is.Exact || !strings.Contains(is.Zone, "ESTIMATED") || !strings.Contains(is.Text, "6 interactions") {
		t.Fatalf("sampled zone: summary %+v", is)
	}
}

// nonlinearBenchSpace is a mid-size non-linear space: 3 parties, points
// points of levels levels, 12 interactions of up to 3 points per party,
// negative and EXCLUDES ones included, reservation values 0.6.
func nonlinearBenchSpace(tb testing.TB, points, levels int) *Space {
	sc := fixture.RandomNonLinear(fmt.Sprintf("nl-%dx%d", points, levels), points, levels, 3, 1, 21, 0.6,
		fixture.NonLinear{Interactions: 12, Arity: 3, Additive: 1, Negative: true, Outside: true})
	names, profs := fixture.Principals(sc)
	for _, pr := range profs {
		for i := range pr.Interactions {
			pr.Interactions[i].Value /= 4 // interactions worth about a tenth of the utility
		}
	}
	s, err := NewSpace(sc.Framework, names, profs)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// BenchmarkNonlinearZone measures the agreement zone of a mid-size
// non-linear space (3 parties, 12 interactions each): exact counting by
// the Gray-code walker over 6^9 ≈ 10 million packages, and the sampled
// estimate (10^6 samples, option possibility by exact search) on 10^20
// packages; with the additive space of the same shape for comparison.
func BenchmarkNonlinearZone(b *testing.B) {
	for _, bc := range []struct {
		name           string
		points, levels int
		additive       bool
	}{
		{"enumerate-9x6", 9, 6, false},
		{"enumerate-9x6-additive", 9, 6, true},
		{"sample-20x10", 20, 10, false},
		{"sample-20x10-additive", 20, 10, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := nonlinearBenchSpace(b, bc.points, bc.levels)
			if bc.additive {
				for _, pr := range s.Profiles {
					pr.Interactions = nil
				}
				var err error
				if s, err = NewSpace(s.Framework, s.Names, s.Profiles); err != nil {
					b.Fatal(err)
				}
			}
			var z *Zone
			for b.Loop() {
				z = AgreementZone(s, ZoneOptions{})
			}
			per := float64(z.Samples)
			if size, ok := s.Framework.SizeInt(); ok && z.Exact {
				per = float64(size)
			}
			b.ReportMetric(per*float64(b.N)/b.Elapsed().Seconds(), "packages/s")
			b.ReportMetric(z.Fraction, "zone-fraction")
			unknown := 0
			for _, po := range z.Overlap {
				for _, lo := range po.Options {
					if lo.Possible == Unknown {
						unknown++
					}
				}
			}
			b.ReportMetric(float64(unknown), "unknown-options")
		})
	}
}
