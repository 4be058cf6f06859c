package multideal

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/framework"
)

// randomCombineFile writes a random combine scenario: threads over a small
// space, random side and edge profiles and reservations.
func randomCombineFile(r *rand.Rand, combiner string, noPartial bool) string {
	n := 2 + r.IntN(2)
	var b strings.Builder
	num := func() string { return fmt.Sprintf("%.2f", r.Float64()) }
	prof := func(res bool) string {
		s := "{"
		if res {
			s += "reservation: " + fmt.Sprintf("%.2f", 0.6*r.Float64()) + ", "
		}
		return s + "weights: {a: " + num() + ", b: " + num() + "}, scores: {a: {x: " + num() + ", y: " + num() + ", z: " + num() + "}, b: {u: " + num() + ", v: " + num() + "}}}"
	}
	fmt.Fprintf(&b, "multideal: 1\nname: r\nspaces:\n  s: {points: [{id: a, options: [x, y, z]}, {id: b, options: [u, v]}]}\n")
	fmt.Fprintf(&b, "center:\n  reservation: %.2f\n  utility:\n    kind: combine\n    combine: %s\n", 0.3*r.Float64(), combiner)
	if noPartial {
		b.WriteString("    partial: false\n")
	}
	if combiner == "weighted" {
		b.WriteString("    weights: [")
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%.2f", r.Float64()*2-0.5)
		}
		b.WriteString("]\n")
	}
	b.WriteString("    sides:\n")
	for i := 0; i < n; i++ {
		b.WriteString("      - " + prof(true) + "\n")
	}
	b.WriteString("threads:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  - {edge: e%d, space: s, profile: %s}\n", i, prof(true))
	}
	return b.String()
}

const tableFile = `multideal: 1
name: table
spaces:
  s: {points: [{id: x, options: [a, b, c]}, {id: y, options: [u, v]}]}
center:
  reservation: 0.1
  utility:
    kind: table
    default: 0.2
    rows:
      - {outcomes: [{x: a, y: u}, null, {x: c, y: v}], value: 2}
      - {outcomes: [{x: b, y: u}, {x: b, y: v}, null], value: 3}
      - {outcomes: [{x: c, y: u}, {x: a, y: v}, {x: a, y: u}], value: 5}
      - {outcomes: [null, {x: c, y: v}, {x: b, y: v}], value: 0.05}
threads:
  - {edge: e1, space: s, profile: {reservation: 0.3, weights: {x: 1, y: 1}, scores: {x: {a: 1, b: 0, c: 0.5}, y: {u: 0, v: 0.5}}}}
  - {edge: e2, space: s, profile: {weights: {x: 1, y: 1}, scores: {x: {a: 0, b: 1, c: 0.2}, y: {u: 1, v: 0}}}}
  - {edge: e3, space: s, profile: {reservation: 0.7, weights: {x: 1, y: 1}, scores: {x: {a: 0.4, b: 0.9, c: 0}, y: {u: 0.1, v: 1}}}}
`

const meanSMFile = `multideal: 1
name: mean-sm
spaces:
  s: {points: [{id: i1, options: [v1, v4, v9]}, {id: i2, options: [w0, w3, w7]}, {id: i3, options: [z5, zz, z2]}]}
center:
  reservation: 0.3
  utility: {kind: mean-sm}
threads:
  - {edge: e1, space: s, profile: {reservation: 0.4, weights: {i1: 1, i2: 1, i3: 1}, scores: {i1: {v1: 1, v4: 0.5, v9: 0}, i2: {w0: 0, w3: 1, w7: 0.2}, i3: {z5: 0.1, zz: 0.6, z2: 1}}}}
  - {edge: e2, space: s, profile: {reservation: 1.2, weights: {i1: 1, i2: 1, i3: 1}, scores: {i1: {v1: 0, v4: 0.3, v9: 1}, i2: {w0: 1, w3: 0, w7: 0.5}, i3: {z5: 1, zz: 0, z2: 0.4}}}}
`

// bruteBest is the center's best utility over every tuple whose agreements
// the edges accept, with thread i fixed to p when i >= 0.
func bruteBest(s *Scenario, i int, p framework.Package) float64 {
	best := math.Inf(-1)
	s.EachCombination(func(tuple []framework.Package) bool {
		for k, o := range tuple {
			if !s.Acceptable(k, o) {
				return true
			}
		}
		if i >= 0 && !samePackage(tuple[i], p) {
			return true
		}
		if v := s.Utility(tuple); v > best {
			best = v
		}
		return true
	})
	return best
}

// exampleScenarios are Parley's own examples: the testdata folder's
// dinners and targetquantity, and the format documentation's two-jobs.
func exampleScenarios(t *testing.T) []*Scenario {
	t.Helper()
	var out []*Scenario
	for _, f := range []string{"dinners.yml", "targetquantity.yml"} {
		s, err := Load(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	s, err := Parse("two-jobs.yml", []byte(combineFile))
	if err != nil {
		t.Fatal(err)
	}
	return append(out, s)
}

func analysisScenarios(t *testing.T) []*Scenario {
	t.Helper()
	out := exampleScenarios(t)
	for k, src := range []string{tableFile, meanSMFile} {
		s, err := Parse(fmt.Sprintf("kind-%d.yml", k), []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	r := rand.New(rand.NewPCG(18, 3))
	for k := 0; k < 60; k++ {
		c := Combiners[k%len(Combiners)]
		src := randomCombineFile(r, c, k%4 == 3)
		s, err := Parse(fmt.Sprintf("random-%d.yml", k), []byte(src))
		if err != nil {
			t.Fatalf("%v\n%s", err, src)
		}
		out = append(out, s)
	}
	return out
}

func TestAnalysisMatchesBruteForce(t *testing.T) {
	for _, s := range analysisScenarios(t) {
		a, err := Analyze(s)
		if err != nil {
			t.Fatal(err)
		}
		if !a.Exact {
			t.Fatalf("%s: not exact on a small space", s.Name)
		}
		best := a.Best()
		if want := bruteBest(s, -1, nil); best.Center != want {
			t.Errorf("%s (%s): best %v, brute force %v", s.Name, s.Center.Utility.Combine, best.Center, want)
		}
		if got := s.Utility(best.Outcomes); got != best.Center {
			t.Errorf("%s: best tuple worth %v, reported %v", s.Name, got, best.Center)
		}
		for i := range best.Outcomes {
			if !s.Acceptable(i, best.Outcomes[i]) {
				t.Errorf("%s: best tuple's thread %d is not acceptable to its edge", s.Name, i)
			}
		}
		for i, th := range s.Threads {
			if got, want := a.BestWith(i, nil), bruteBest(s, i, nil); got != want {
				t.Errorf("%s: thread %d without agreement: %v, brute force %v", s.Name, i, got, want)
			}
			n, _ := th.Framework.SizeInt()
			radix := th.Framework.Radix()
			var all []FrontierPoint
			all = append(all, FrontierPoint{Edge: th.Table.Reservation, Center: bruteBest(s, i, nil)})
			for c := uint64(0); c < uint64(n); c++ {
				p := make(framework.Package, len(radix))
				framework.FromIndex(radix, c, p)
				if !s.Acceptable(i, p) {
					continue
				}
				want := bruteBest(s, i, p)
				if got := a.BestWith(i, p); got != want {
					t.Errorf("%s: thread %d = %v: %v, brute force %v", s.Name, i, p, got, want)
				}
				all = append(all, FrontierPoint{Package: p, Edge: th.Table.Utility(p), Center: want})
			}
			front := a.Frontier(i)
			wantFront := paretoFront(all)
			if fmt.Sprint(front) != fmt.Sprint(wantFront) {
				t.Errorf("%s: thread %d frontier %v, brute force %v", s.Name, i, front, wantFront)
			}
			// no brute-force point strictly dominates a frontier point
			for _, f := range front {
				for _, q := range all {
					if q.Edge >= f.Edge && q.Center >= f.Center && (q.Edge > f.Edge || q.Center > f.Center) {
						t.Errorf("%s: thread %d frontier point %v dominated by %v", s.Name, i, f, q)
					}
				}
			}
			im := a.Impact(i)
			if im.Agreeable && im.Best < im.Worst {
				t.Errorf("%s: thread %d impact best %v < worst %v", s.Name, i, im.Best, im.Worst)
			}
			if im.Agreeable && math.Max(im.Best, im.Without) != best.Center {
				t.Errorf("%s: thread %d: max(best with agreement %v, without %v) != best %v", s.Name, i, im.Best, im.Without, best.Center)
			}
		}
	}
}

func TestAnalysisBestGivenAgree(t *testing.T) {
	s, err := Load(filepath.Join("testdata", "targetquantity.yml"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := Analyze(s)
	if err != nil {
		t.Fatal(err)
	}
	n := len(s.Threads)
	modes := make([]Mode, n)
	for i := range modes {
		modes[i] = Agree
	}
	c, ok := a.BestGiven(make([]framework.Package, n), modes)
	if !ok {
		t.Fatal("no feasible tuple with every thread agreeing")
	}
	want := math.Inf(-1)
	s.EachCombination(func(tuple []framework.Package) bool {
		for k, o := range tuple {
			if o == nil || !s.Acceptable(k, o) {
				return true
			}
		}
		want = math.Max(want, s.Utility(tuple))
		return true
	})
	if c.Center != want {
		t.Errorf("best with every thread agreeing %v, brute force %v", c.Center, want)
	}
}

// TestAnalysisJobHunt compares Best and the no-agreement values with brute
// force over JobHunt's 923,521 tuples (anl2025's example; skipped when the
// third-party tree is absent).
func TestAnalysisJobHunt(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "thirdparty", "anl2025", "src", "anl2025", "example_scenarios", "JobHunt")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("anl2025's JobHunt not available: %v", err)
	}
	s, err := ImportANL(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Analyze(s)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := a.Best().Center, bruteBest(s, -1, nil); got != want || !a.Exact {
		t.Errorf("best %v (exact %v), brute force %v", got, a.Exact, want)
	}
	for i := range s.Threads {
		if got, want := a.BestWith(i, nil), bruteBest(s, i, nil); got != want {
			t.Errorf("thread %d without agreement: %v, brute force %v", i, got, want)
		}
	}
}
