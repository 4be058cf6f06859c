package analysis_test

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/genius"
	"github.com/parley-negotiation/parley/internal/refdata"
	"github.com/parley-negotiation/parley/profile"
)

// nonLinear10 loads GENIUS's NonLinear10issues domain (two hyper-rectangle
// profiles over 10 integer issues of 10 values: 10^10 outcomes), skipping
// when the reference data is absent or package genius cannot read
// non-linear profiles yet.
func nonLinear10(t testing.TB) (*analysis.Space, string) {
	t.Helper()
	dir := filepath.Join(refdata.Dir(t, "genius", "domains"), "NonLinear10issues")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("%s not found; skipping", dir)
	}
	sc, err := genius.LoadDir(dir, []string{"profile-1.xml", "profile-2.xml"})
	if errors.Is(err, genius.ErrNonLinear) {
		t.Skipf("package genius does not read hyper-rectangle profiles yet: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	s, err := analysis.FromScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}

// readParetoXML reads GENIUS's pareto.xml of a domain: one "u1, u2" line
// per frontier point (comments and other lines skipped).
func readParetoXML(t *testing.T, path string) [][]float64 {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var out [][]float64
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		fields := strings.Split(strings.TrimSpace(sc.Text()), ",")
		if len(fields) < 2 {
			continue
		}
		var u []float64
		for _, f := range fields {
			x, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil {
				u = nil
				break
			}
			u = append(u, x)
		}
		if u != nil {
			out = append(out, u)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestNonLinear10issuesGENIUSPareto: Parley's exact frontier of
// NonLinear10issues (merged with the interactions' states, never
// enumerated) covers every point of GENIUS's own pareto.xml: each is on or
// weakly dominated by a frontier point (within 1e-6: GENIUS prints
// float32-ish numbers, and it divides the sum by maxutility where Parley
// divides each value). Every frontier point is its witness's utilities.
func TestNonLinear10issuesGENIUSPareto(t *testing.T) {
	s, dir := nonLinear10(t)
	fr, err := analysis.FrontierAdditive(s, analysis.FrontierOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if fr.Approximate || !strings.Contains(fr.Method, "interactions merged exactly with their states") {
		t.Fatalf("method %q (approximate %v): want an exact merge with interaction states", fr.Method, fr.Approximate)
	}
	for _, p := range fr.Points {
		if u := s.Utilities(p.Witness); !slices.Equal(u, p.U) {
			t.Fatalf("frontier point %v: its witness %v has %v", p.U, p.Witness, u)
		}
	}
	ref := readParetoXML(t, filepath.Join(dir, "pareto.xml"))
	if len(ref) == 0 {
		t.Fatal("pareto.xml: no points read")
	}
	const tol = 1e-6
	on := 0
	for _, r := range ref {
		covered, equal := false, false
		for _, p := range fr.Points {
			if p.U[0] >= r[0]-tol && p.U[1] >= r[1]-tol {
				covered = true
				equal = equal || p.U[0] <= r[0]+tol && p.U[1] <= r[1]+tol
			}
		}
		if !covered {
			t.Errorf("GENIUS's pareto point %v is not weakly dominated by Parley's frontier %v", r, frontierUs(fr))
		}
		if equal {
			on++
		}
	}
	t.Logf("%s; %d frontier points (%d packages); %d of GENIUS's %d pareto.xml points are on it, the others strictly dominated", fr.Method, len(fr.Points), fr.Packages(), on, len(ref))
}

func frontierUs(fr *analysis.Frontier) [][]float64 {
	var out [][]float64
	for _, p := range fr.Points {
		out = append(out, p.U)
	}
	return out
}

// reduceSpace returns a copy of s whose point k keeps only the levels
// keep[k] (in that order): options points whose contributions are the kept
// levels' (scores used as they are, weight 1, so each contribution is the
// same float64), every interaction's terms restricted to the kept levels
// (an interaction a term of which keeps no level can never match: it is
// dropped, or, outside, always applies: it is kept with an empty term, which
// never matches). A package of the copy has exactly the utilities of the
// package of s it stands for (checked by the caller).
func reduceSpace(t *testing.T, s *analysis.Space, keep [][]int) *analysis.Space {
	t.Helper()
	f := &framework.Framework{Name: s.Framework.Name + "-reduced"}
	for k, pt := range s.Framework.Points {
		np := framework.Point{ID: pt.ID}
		for _, l := range keep[k] {
			np.Options = append(np.Options, framework.Option{ID: fmt.Sprintf("v%d", l)})
		}
		f.Points = append(f.Points, np)
	}
	var profs []*profile.Profile
	for j, tb := range s.Tables {
		pr := &profile.Profile{Scale: profile.ScaleAbsolute}
		for k := range f.Points {
			pr.Weights = append(pr.Weights, 1)
			var sc []float64
			for _, l := range keep[k] {
				sc = append(sc, tb.Contrib[k][l])
			}
			pr.Scores = append(pr.Scores, sc)
		}
		for _, in := range s.Profiles[j].Interactions {
			out := profile.Interaction{Value: in.Value, Outside: in.Outside, Label: in.Label}
			never := false
			for _, tm := range in.Terms {
				nt := profile.Term{Point: tm.Point}
				for a, l := range keep[tm.Point] {
					if slices.Contains(tm.Levels, l) {
						nt.Levels = append(nt.Levels, a)
					}
				}
				if len(nt.Levels) == 0 {
					never = true
					break
				}
				out.Terms = append(out.Terms, nt)
			}
			switch {
			case !never:
				pr.Interactions = append(pr.Interactions, out)
			case in.Outside:
				// Some term never matches: the value always applies, after
				// the interaction's last point (a term on that point
				// listing every kept level keeps the order of addition).
				last := 0
				for _, tm := range in.Terms {
					last = max(last, tm.Point)
				}
				all := profile.Term{Point: last}
				for a := range keep[last] {
					all.Levels = append(all.Levels, a)
				}
				pr.Interactions = append(pr.Interactions, profile.Interaction{Terms: []profile.Term{all}, Value: in.Value, Label: in.Label})
			}
		}
		profs = append(profs, pr)
	}
	r, err := analysis.NewSpace(f, slices.Clone(s.Names), profs)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestNonLinear10issuesReducedBruteForce verifies the exact merge on
// reduced copies of NonLinear10issues (every issue restricted to a few of
// its values, every hyper-rectangle restricted with it) against an
// independent brute-force enumeration, bit for bit: utility vectors, tie
// counts, lowest witnesses, and the witnesses' utilities in the full
// domain.
func TestNonLinear10issuesReducedBruteForce(t *testing.T) {
	s, _ := nonLinear10(t)
	rng := rand.New(rand.NewPCG(10, 10))
	type reduction struct {
		name string
		keep [][]int
	}
	var cases []reduction
	window := func(lo, n int) [][]int {
		keep := make([][]int, len(s.Framework.Points))
		for k := range keep {
			for l := range n {
				keep[k] = append(keep[k], lo+l)
			}
		}
		return keep
	}
	cases = append(cases, reduction{"values 0..1", window(0, 2)}, reduction{"values 0..2", window(0, 3)},
		reduction{"values 4..6", window(4, 3)}, reduction{"values 7..9", window(7, 3)})
	for c := range 8 {
		keep := make([][]int, len(s.Framework.Points))
		for k, pt := range s.Framework.Points {
			keep[k] = rng.Perm(pt.Levels())[:2+rng.IntN(2)]
			slices.Sort(keep[k])
		}
		cases = append(cases, reduction{fmt.Sprintf("random values %d", c), keep})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := reduceSpace(t, s, c.keep)
			want, err := analysis.FrontierEnumerate(r, analysis.FrontierOptions{}, 0)
			if err != nil {
				t.Fatal(err)
			}
			got, err := analysis.FrontierAdditive(r, analysis.FrontierOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Points) != len(want.Points) {
				t.Fatalf("%d frontier points, brute force %d:\n%v\n%v", len(got.Points), len(want.Points), frontierUs(got), frontierUs(want))
			}
			for i := range got.Points {
				g, w := got.Points[i], want.Points[i]
				if !slices.Equal(g.U, w.U) || g.Count != w.Count || !slices.Equal(g.Witness, w.Witness) {
					t.Fatalf("point %d: %v ×%d witness %v, brute force %v ×%d witness %v", i, g.U, g.Count, g.Witness, w.U, w.Count, w.Witness)
				}
				full := make(framework.Package, len(g.Witness))
				for k, a := range g.Witness {
					full[k] = c.keep[k][a]
				}
				if u := s.Utilities(full); !slices.Equal(u, g.U) {
					t.Fatalf("point %d: %v, its package in the full domain %v has %v", i, g.U, full, u)
				}
			}
			size, _ := r.Framework.SizeInt()
			t.Logf("%d packages: %d frontier points equal brute force's; %s", size, len(got.Points), got.Method)
		})
	}
}
