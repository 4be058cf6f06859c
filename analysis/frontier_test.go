package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// randomSpace builds a random additive space. Scores are small integers so
// that exact ties are frequent (the hard case for "keep ties").
func randomSpace(rng *rand.Rand, points, maxLevels, parties int, redLines bool) *Space {
	f := &framework.Framework{Name: "random"}
	for k := 0; k < points; k++ {
		p := framework.Point{ID: fmt.Sprintf("p%d", k)}
		for l := 0; l < 1+rng.IntN(maxLevels); l++ {
			p.Options = append(p.Options, framework.Option{ID: fmt.Sprintf("o%d", l)})
		}
		f.Points = append(f.Points, p)
	}
	var names []string
	var profs []*profile.Profile
	for j := 0; j < parties; j++ {
		pr := &profile.Profile{}
		for k := range f.Points {
			pr.Weights = append(pr.Weights, float64(1+rng.IntN(4))/8)
			sc := make([]float64, len(f.Points[k].Options))
			for l := range sc {
				sc[l] = float64(rng.IntN(5))
			}
			pr.Scores = append(pr.Scores, sc)
		}
		if rng.IntN(2) == 0 {
			r := rng.Float64() * 0.4
			pr.Reservation = &r
		}
		if redLines {
			for range rng.IntN(3) {
				var rl profile.RedLine
				for _, k := range rng.Perm(points)[:1+rng.IntN(min(3, points))] {
					rl.Terms = append(rl.Terms, profile.Term{Point: k, Levels: []int{rng.IntN(len(f.Points[k].Options))}})
				}
				pr.RedLines = append(pr.RedLines, rl)
			}
		}
		names = append(names, fmt.Sprintf("party%d", j))
		profs = append(profs, pr)
	}
	s, err := NewSpace(f, names, profs)
	if err != nil {
		panic(err)
	}
	return s
}

func sameFrontier(t *testing.T, got, want *Frontier, witnesses bool) {
	t.Helper()
	if len(got.Points) != len(want.Points) {
		t.Fatalf("frontier has %d points, brute force %d\ngot  %v\nwant %v", len(got.Points), len(want.Points), us(got), us(want))
	}
	for i := range got.Points {
		g, w := got.Points[i], want.Points[i]
		if !slices.Equal(g.U, w.U) {
			t.Fatalf("point %d: %v, brute force %v", i, g.U, w.U)
		}
		if g.Count != w.Count {
			t.Fatalf("point %d %v: count %d, brute force %d", i, g.U, g.Count, w.Count)
		}
		if witnesses && !slices.Equal(g.Witness, w.Witness) {
			t.Fatalf("point %d %v: witness %v, brute force %v", i, g.U, g.Witness, w.Witness)
		}
	}
}

func us(f *Frontier) [][]float64 {
	var out [][]float64
	for _, p := range f.Points {
		out = append(out, p.U)
	}
	return out
}

// TestFrontierAdditiveMatchesBruteForce is the property test: on random
// small domains, with and without red lines and reservation values, the
// additive merge agrees exactly with enumeration (points, tie counts and
// lowest witnesses), for 1 to 4 parties.
func TestFrontierAdditiveMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 600; iter++ {
		parties := 1 + iter%4
		s := randomSpace(rng, 1+rng.IntN(6), 4, parties, iter%3 != 0)
		for _, o := range []FrontierOptions{{}, {RedLines: true}, {Rational: true}, {RedLines: true, Rational: true}} {
			want, err := FrontierEnumerate(s, o, 0)
			if err != nil {
				t.Fatal(err)
			}
			got, err := FrontierAdditive(s, o)
			if err != nil {
				t.Fatal(err)
			}
			t.Run(fmt.Sprintf("iter%d/%+v", iter, o), func(t *testing.T) { sameFrontier(t, got, want, true) })
			if t.Failed() {
				return
			}
		}
	}
}

// TestFrontierNotDominated checks the invariant directly: no frontier point
// is dominated by any package, and every package is weakly dominated by (or
// equal to) some frontier point.
func TestFrontierNotDominated(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for iter := 0; iter < 100; iter++ {
		s := randomSpace(rng, 2+rng.IntN(4), 5, 2+iter%3, false)
		fr, err := FrontierAdditive(s, FrontierOptions{})
		if err != nil {
			t.Fatal(err)
		}
		Enumerate(s.Framework.Radix(), func(p framework.Package) bool {
			u := s.Utilities(p)
			covered := false
			for _, q := range fr.Points {
				if dominates(u, q.U) {
					t.Fatalf("package %v %v dominates frontier point %v", p, u, q.U)
				}
				if dominates(q.U, u) || slices.Equal(q.U, u) {
					covered = true
				}
			}
			if !covered {
				t.Fatalf("package %v %v is not covered by the frontier", p, u)
			}
			return true
		})
	}
}

func TestFrontierOfVectors(t *testing.T) {
	tests := []struct {
		in   [][]float64
		want [][]float64
	}{
		{[][]float64{{1, 0}, {0, 1}, {0.5, 0.5}, {0.4, 0.4}, {0.5, 0.5}}, [][]float64{{1, 0}, {0.5, 0.5}, {0, 1}}},
		{[][]float64{{1, 1}, {1, 0.5}, {0.5, 1}}, [][]float64{{1, 1}}},
		{[][]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0, 0, 0}, {0, 0.5, 0}}, [][]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}},
		{[][]float64{{0.3}, {0.7}, {0.7}}, [][]float64{{0.7}}},
	}
	for i, tt := range tests {
		got := us(FrontierOfVectors(tt.in))
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("case %d: got %v want %v", i, got, tt.want)
		}
	}
	fr := FrontierOfVectors([][]float64{{0.5, 0.5}, {0.5, 0.5}, {0.2, 0.9}})
	if fr.Points[0].Count != 2 {
		t.Errorf("tie count %d, want 2", fr.Points[0].Count)
	}
}

func TestSolutionsSimple(t *testing.T) {
	fr := FrontierOfVectors([][]float64{{1, 0.2}, {0.8, 0.7}, {0.6, 0.8}, {0.1, 1}})
	for i := range fr.Points {
		fr.Points[i].Witness = framework.Package{i}
	}
	r := []float64{0, 0}
	n, _ := NashPoint(fr, r)
	if !slices.Equal(n.Point.U, []float64{0.8, 0.7}) {
		t.Errorf("nash %v", n.Point.U)
	}
	k, _ := GENIUSKalaiPoint(fr)
	if !slices.Equal(k.Point.U, []float64{0.8, 0.7}) {
		t.Errorf("genius kalai %v", k.Point.U)
	}
	ks, _ := KalaiSmorodinskyPoint(fr, r)
	if !slices.Equal(ks.Point.U, []float64{0.8, 0.7}) {
		t.Errorf("ks %v", ks.Point.U)
	}
	w, _ := MaxWelfarePoint(fr)
	if !slices.Equal(w.Point.U, []float64{0.8, 0.7}) {
		t.Errorf("welfare %v", w.Point.U)
	}
	if _, ok := NashPoint(fr, []float64{0.9, 0.9}); ok {
		t.Errorf("nash exists above every frontier point")
	}
	if d := DistanceToFrontier([]float64{0.8, 0.6}, fr); math.Abs(d-0.1) > 1e-12 {
		t.Errorf("distance %v", d)
	}
}
