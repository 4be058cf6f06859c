package analysis

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// naiveFrontier is the brute-force oracle written independently of the
// package's skylines: every package is enumerated in index order, equal
// utility vectors are grouped (first package as witness, packages
// counted), and a vector is kept when no other vector dominates it,
// checked pair by pair.
func naiveFrontier(s *Space, redLines, rational bool) [][3]any {
	type group struct {
		u       []float64
		witness framework.Package
		count   uint64
	}
	var groups []group
	byKey := map[string]int{}
	Enumerate(s.Framework.Radix(), func(p framework.Package) bool {
		if redLines {
			for _, pr := range s.Profiles {
				if pr.CrossesRedLine(p) >= 0 {
					return true
				}
			}
		}
		u := make([]float64, s.N())
		for j, t := range s.Tables {
			u[j] = t.Utility(p)
		}
		if rational {
			for j := range u {
				if u[j] < s.Reservation[j] {
					return true
				}
			}
		}
		key := fmt.Sprint(u)
		if g, ok := byKey[key]; ok {
			groups[g].count++
			return true
		}
		byKey[key] = len(groups)
		groups = append(groups, group{u: u, witness: p.Clone(), count: 1})
		return true
	})
	var out [][3]any
	for a := range groups {
		dominated := false
		for b := range groups {
			if b != a && dominates(groups[b].u, groups[a].u) {
				dominated = true
				break
			}
		}
		if !dominated {
			out = append(out, [3]any{groups[a].u, groups[a].witness, groups[a].count})
		}
	}
	slices.SortStableFunc(out, func(x, y [3]any) int {
		return -slices.Compare(x[0].([]float64), y[0].([]float64))
	})
	return out
}

// sameAsNaive fails unless fr has exactly the oracle's points, counts and
// witnesses, in the same order.
func sameAsNaive(t *testing.T, what string, fr *Frontier, want [][3]any) {
	t.Helper()
	if len(fr.Points) != len(want) {
		t.Fatalf("%s: %d points, brute force %d", what, len(fr.Points), len(want))
	}
	for i, p := range fr.Points {
		u, w, c := want[i][0].([]float64), want[i][1].(framework.Package), want[i][2].(uint64)
		if !slices.Equal(p.U, u) || !slices.Equal(p.Witness, w) || p.Count != c {
			t.Fatalf("%s: point %d is %v %v ×%d, brute force %v %v ×%d", what, i, p.U, p.Witness, p.Count, u, w, c)
		}
	}
}

// TestScaleMethodsMatchBruteForce is issue 19's property test: on hundreds
// of random small domains of 3 to 6 parties, with red lines (of one and of
// several points) and reservation values, the frontier (k-d tree skyline in
// the merge), the zone frontier as Analyze computes it (filtered from the
// frontier without red lines, merged with pruning with them), and the
// what-if recomputation equal brute force bit for bit: utilities, tie
// counts and lowest witnesses.
func TestScaleMethodsMatchBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 6))
	for iter := 0; iter < 240; iter++ {
		parties := 3 + iter%4
		points := 3 + rng.IntN(4)
		s := randomSpace(rng, points, 4, parties, iter%2 == 0)
		if iter%4 == 3 { // 4 options a point: intermediate frontiers past kdMin
			points = 5
			s = denseSpace(rng, points, parties)
		} else if iter%3 == 0 { // real-valued scores: few ties, larger frontiers
			for j := range s.Profiles {
				for k := range s.Profiles[j].Scores {
					for l := range s.Profiles[j].Scores[k] {
						s.Profiles[j].Scores[k][l] = rng.Float64()
					}
				}
			}
			var err error
			if s, err = NewSpace(s.Framework, s.Names, s.Profiles); err != nil {
				t.Fatal(err)
			}
		}
		for j := range s.Reservation {
			if rng.IntN(2) == 0 {
				mx, _ := s.Tables[j].Max()
				s.Reservation[j] = mx * rng.Float64() * 0.6
			}
		}
		name := fmt.Sprintf("iter %d (%d parties, %d points)", iter, parties, points)
		fr, err := FrontierAdditive(s, FrontierOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sameAsNaive(t, name+" frontier", fr, naiveFrontier(s, false, false))
		for _, o := range []FrontierOptions{{RedLines: true}, {Rational: true}, {RedLines: true, Rational: true}} {
			got, err := FrontierAdditive(s, o)
			if err != nil {
				t.Fatal(err)
			}
			sameAsNaive(t, fmt.Sprintf("%s %+v", name, o), got, naiveFrontier(s, o.RedLines, o.Rational))
		}
		// Odd iterations sample the zone (the what-if then re-counts its
		// cached sample); even ones count it exactly.
		opts := Options{}
		if iter%2 == 1 {
			opts.Zone = ZoneOptions{EnumLimit: 1, Samples: 3000}
		}
		rep, err := Analyze(s, opts)
		if err != nil {
			t.Fatal(err)
		}
		wantZone := naiveFrontier(s, true, true)
		sameAsNaive(t, name+" Analyze zone frontier", rep.ZoneFrontier, wantZone)

		// What-if: one party's reservation, then one weight.
		w, err := NewWhatIf(context.Background(), s, opts)
		if err != nil {
			t.Fatal(err)
		}
		j := rng.IntN(parties)
		mx, _ := s.Tables[j].Max()
		r := mx * rng.Float64() * 0.7
		got, err := w.SetReservation(context.Background(), j, r)
		if err != nil {
			t.Fatal(err)
		}
		s2 := cloneSpace(s)
		s2.Reservation[j] = r
		want, err := Analyze(s2, opts)
		if err != nil {
			t.Fatal(err)
		}
		sameReport(t, name+" what-if reservation", got, want)
		k := rng.IntN(points)
		weight := rng.Float64()
		got, err = w.SetWeight(context.Background(), j, k, weight)
		if err != nil {
			t.Fatal(err)
		}
		keep := make([]bool, parties)
		keep[j] = true
		s3, err := withWeight(s2, j, k, weight, keep)
		if err != nil {
			t.Fatal(err)
		}
		want, err = Analyze(s3, opts)
		if err != nil {
			t.Fatal(err)
		}
		sameReport(t, name+" what-if weight", got, want)
	}
}

// denseSpace is a random domain of points × 4 options with real-valued
// scores (frontiers of hundreds of points for 4 or more parties), red lines
// of one and two points and no reservation values (the caller sets them).
func denseSpace(rng *rand.Rand, points, parties int) *Space {
	s := benchSpace(points, 4, parties, rng.Uint64())
	for j, pr := range s.Profiles {
		for range rng.IntN(3) {
			var rl profile.RedLine
			for _, k := range rng.Perm(points)[:1+rng.IntN(2)] {
				rl.Terms = append(rl.Terms, profile.Term{Point: k, Levels: []int{rng.IntN(4)}})
			}
			s.Profiles[j].RedLines = append(pr.RedLines, rl)
		}
	}
	s, err := NewSpace(s.Framework, s.Names, s.Profiles)
	if err != nil {
		panic(err)
	}
	return s
}

// sameReport fails unless two reports have the same frontiers, solutions,
// suggestions and zone.
func sameReport(t *testing.T, what string, got, want *Report) {
	t.Helper()
	for _, c := range []struct {
		name string
		g, w *Frontier
	}{{"frontier", got.Frontier, want.Frontier}, {"zone frontier", got.ZoneFrontier, want.ZoneFrontier}} {
		if len(c.g.Points) != len(c.w.Points) {
			t.Fatalf("%s %s: %d points, recomputed %d", what, c.name, len(c.g.Points), len(c.w.Points))
		}
		for i := range c.g.Points {
			a, b := c.g.Points[i], c.w.Points[i]
			if !slices.Equal(a.U, b.U) || !slices.Equal(a.Witness, b.Witness) || a.Count != b.Count {
				t.Fatalf("%s %s point %d: %v, recomputed %v", what, c.name, i, a, b)
			}
		}
	}
	if fmt.Sprint(got.Solutions) != fmt.Sprint(want.Solutions) {
		t.Fatalf("%s: solutions %v, recomputed %v", what, got.Solutions, want.Solutions)
	}
	if fmt.Sprint(got.Suggestions) != fmt.Sprint(want.Suggestions) {
		t.Fatalf("%s: suggestions %v, recomputed %v", what, got.Suggestions, want.Suggestions)
	}
	gz, wz := *got.Zone, *want.Zone
	gz.Method, wz.Method = "", ""
	if fmt.Sprint(gz) != fmt.Sprint(wz) {
		t.Fatalf("%s: zone %+v, recomputed %+v", what, gz, wz)
	}
	if fmt.Sprint(got.Parties) != fmt.Sprint(want.Parties) {
		t.Fatalf("%s: parties %+v, recomputed %+v", what, got.Parties, want.Parties)
	}
}

// TestSkylineKDMatchesPairwise checks the k-d tree skyline alone on random
// vector sets large enough to use it, with many exact ties and with the
// merge's margin: the same vectors as the pairwise definition, duplicates
// folded into the lowest index with their counts summed.
func TestSkylineKDMatchesPairwise(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 19))
	for iter := 0; iter < 60; iter++ {
		d := 3 + iter%4
		n := kdMin + rng.IntN(1500)
		grid := 2 + rng.IntN(9) // coordinates on a small grid: ties
		v := &vecs{d: d, vals: make([]float64, n*d)}
		for i := range v.vals {
			v.vals[i] = float64(rng.IntN(grid)) / float64(grid)
			if iter%2 == 1 {
				v.vals[i] += rng.Float64() * 1e-10 // near-ties inside the margin
			}
		}
		eps := 0.0
		if iter%2 == 1 {
			eps = 1e-9
		}
		counts := make([]uint64, n)
		for i := range counts {
			counts[i] = 1
		}
		got := skyline(v, nil, counts, eps, nil)
		// Pairwise oracle.
		wantCounts := make([]uint64, n)
		var want []int32
		first := map[string]int{}
		for i := 0; i < n; i++ {
			key := fmt.Sprint(v.at(i))
			if f, ok := first[key]; ok {
				wantCounts[f]++
				continue
			}
			first[key] = i
			wantCounts[i] = 1
		}
		for i := 0; i < n; i++ {
			if first[fmt.Sprint(v.at(i))] != i {
				continue
			}
			dom := false
			for j := 0; j < n && !dom; j++ {
				dom = j != i && dominatesBy(v.at(j), v.at(i), eps)
			}
			if !dom {
				want = append(want, int32(i))
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("iter %d (d=%d, n=%d, eps=%v): kept %d vectors, pairwise %d", iter, d, n, eps, len(got), len(want))
		}
		for _, i := range got {
			if counts[i] != wantCounts[i] {
				t.Fatalf("iter %d: vector %d count %d, pairwise %d", iter, i, counts[i], wantCounts[i])
			}
		}
	}
}

// TestApproximateFrontierBound checks the approximate mode's promise on
// random domains of 3 to 6 parties: every exact frontier point has a
// listed point at most Epsilon below it for every party, every listed
// point is a real package with its exact utilities, and the frontier says
// it is approximate.
func TestApproximateFrontierBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 19))
	for iter := 0; iter < 24; iter++ {
		parties := 3 + iter%4
		s := benchSpace(5+rng.IntN(3), 4, parties, rng.Uint64())
		exact, err := FrontierAdditive(s, FrontierOptions{})
		if err != nil {
			t.Fatal(err)
		}
		eps := []float64{0.01, 0.05, 0.2}[iter%3]
		approx, err := FrontierAdditive(s, FrontierOptions{Epsilon: eps, thinAbove: 8})
		if err != nil {
			t.Fatal(err)
		}
		if !approx.Approximate || approx.ErrorBound != eps || exact.Approximate {
			t.Fatalf("iter %d: approximate %v bound %v (exact says %v)", iter, approx.Approximate, approx.ErrorBound, exact.Approximate)
		}
		if !strings.Contains(approx.Method, "approximate: thinned") || strings.Contains(approx.Method, "thinned 0 times") {
			t.Fatalf("iter %d: not thinned: %s", iter, approx.Method)
		}
		if len(approx.Points) > len(exact.Points) {
			t.Errorf("iter %d: %d approximate points, %d exact", iter, len(approx.Points), len(exact.Points))
		}
		for _, p := range approx.Points {
			if !slices.Equal(s.Utilities(p.Witness), p.U) {
				t.Fatalf("iter %d: point %v is not its witness's utilities %v", iter, p.U, s.Utilities(p.Witness))
			}
		}
	exact:
		for _, u := range exact.Points {
			for _, v := range approx.Points {
				ok := true
				for j := range u.U {
					if v.U[j] < u.U[j]-eps {
						ok = false
						break
					}
				}
				if ok {
					continue exact
				}
			}
			t.Fatalf("iter %d (eps %v): exact point %v has no listed point within the bound", iter, eps, u.U)
		}
	}
}
