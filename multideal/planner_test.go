package multideal

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/parley-negotiation/parley/framework"
)

// plannerScenarios are the example scenarios of the planner comparison:
// Parley's testdata, anl2025's JobHunt when the third-party tree is
// present, and the built-in Miami shuttle.
func plannerScenarios(t *testing.T) []*Scenario {
	t.Helper()
	out := exampleScenarios(t)
	jobhunt := filepath.Join("..", "..", "shared", "thirdparty", "anl2025", "src", "anl2025", "example_scenarios", "JobHunt")
	if _, err := os.Stat(jobhunt); err == nil {
		s, err := ImportANL(jobhunt)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	} else {
		t.Logf("JobHunt skipped: %s absent", jobhunt)
	}
	if s, err := Builtin("miami-shuttle"); err == nil {
		out = append(out, s)
	} else {
		t.Fatal(err)
	}
	return out
}

// meanCenter is the center's mean utility with the given center agent over
// every edge assignment of the time-based agents and seeds 1..seeds.
func meanCenter(t *testing.T, s *Scenario, center string, seeds int) float64 {
	t.Helper()
	edgeSets := [][]string{{"Boulware2025"}, {"Linear2025"}, {"Conceder2025"}, {"Boulware2025", "Linear2025", "Conceder2025"}}
	sum, n := 0.0, 0
	for _, edges := range edgeSets {
		for seed := int64(1); seed <= int64(seeds); seed++ {
			rec := runGo(t, s, center, edges, 100, seed)
			sum += rec.CenterUtility
			n++
		}
	}
	return sum / float64(n)
}

// TestPlannerNotWorseThanBoulware: on the example scenarios, the planner
// as center does at least as well on average as Boulware2025 as center,
// over the time-based edges and a few seeds.
func TestPlannerNotWorseThanBoulware(t *testing.T) {
	for _, s := range plannerScenarios(t) {
		p := meanCenter(t, s, "Planner", 3)
		b := meanCenter(t, s, "Boulware2025", 3)
		t.Logf("%-16s planner %.6f  boulware2025 %.6f", s.Name, p, b)
		if p < b {
			t.Errorf("%s: planner mean %v < Boulware2025 mean %v", s.Name, p, b)
		}
	}
}

// TestPlannerValueMatchesBruteForce: the planner's value of every package
// of the first thread is the expectation, over which remaining threads
// agree, of the brute-force best over the combined space.
func TestPlannerValueMatchesBruteForce(t *testing.T) {
	for _, s := range analysisScenarios(t)[:8] {
		pl := NewPlanner(0.3)
		n := len(s.Threads)
		turn := &Turn{Thread: 0, Center: true, Framework: s.Threads[0].Framework, Scenario: s, Agreed: make([]framework.Package, n)}
		pt := pl.plan(turn)
		k := n - 1
		want := func(p framework.Package) float64 {
			total, mass := 0.0, 0.0
			for mask := 0; mask < 1<<k; mask++ {
				prob := 1.0
				for b := 0; b < k; b++ {
					r := 0.3
					if pl.an.Acceptable[b+1] == 0 {
						r = 0
					}
					if mask&(1<<b) != 0 {
						prob *= r
					} else {
						prob *= 1 - r
					}
				}
				if prob == 0 {
					continue
				}
				best := math.Inf(-1)
				s.EachCombination(func(tuple []framework.Package) bool {
					if !samePackage(tuple[0], p) {
						return true
					}
					for b := 0; b < k; b++ {
						o := tuple[b+1]
						if (mask&(1<<b) != 0) != (o != nil) || !s.Acceptable(b+1, o) {
							return true
						}
					}
					best = math.Max(best, s.Utility(tuple))
					return true
				})
				total += prob * best
				mass += prob
			}
			return total / mass
		}
		if got, w := pt.Reservation, want(nil); got != w {
			t.Errorf("%s: reservation %v, brute force %v", s.Name, got, w)
		}
		nn, _ := s.Threads[0].Framework.SizeInt()
		radix := s.Threads[0].Framework.Radix()
		for c := uint64(0); c < uint64(nn); c++ {
			p := make(framework.Package, len(radix))
			framework.FromIndex(radix, c, p)
			if got, w := pt.Utility(p), want(p); got != w {
				t.Errorf("%s: V(%v) = %v, brute force %v", s.Name, p, got, w)
			}
		}
	}
}
