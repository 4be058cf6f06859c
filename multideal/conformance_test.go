package multideal

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// anlRun is the driver's run output.
type anlRun struct {
	Edges         []string   `json:"edges"`
	Agreements    [][]string `json:"agreements"`
	CenterUtility float64    `json:"center_utility"`
	EdgeUtilities []float64  `json:"edge_utilities"`
	Steps         []int      `json:"steps"`
	Seconds       float64    `json:"seconds_per_session"`
	// RunError is set when anl2025 could not run the session (see
	// Random2025: its center's valuation raises in anl2025).
	RunError string `json:"run_error"`
}

func runGo(t testing.TB, s *Scenario, center string, edges []string, steps int, seed int64) *Record {
	t.Helper()
	c, err := NewAgent(center)
	if err != nil {
		t.Fatal(err)
	}
	as := make([]Agent, len(s.Threads))
	for i := range as {
		if as[i], err = NewAgent(edges[i%len(edges)]); err != nil {
			t.Fatal(err)
		}
	}
	rec, err := Run(s, c, as, Params{Steps: steps, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// TestConformanceWithANL2025 runs anl2025.runner.run_session and Run on
// the example scenarios with the deterministic built-ins (Python's random
// seeded at the start of the threads) and compares agreements and
// utilities.
func TestConformanceWithANL2025(t *testing.T) {
	ex := anlExamples(t)
	type config struct {
		Folder string   `json:"folder"`
		Center string   `json:"center"`
		Edges  []string `json:"edges"`
		Steps  int      `json:"nsteps"`
		Seed   int64    `json:"seed"`
	}
	var configs []config
	edgeSets := [][]string{{"Boulware2025", "Linear2025", "Conceder2025"}, {"Conceder2025", "Random2025"}, {"Linear2025", "Boulware2025"}, {"Random2025"}}
	for _, name := range []string{"JobHunt", "Dinners", "TargetQuantity"} {
		for ci, center := range []string{"Boulware2025", "Linear2025", "Conceder2025", "Random2025"} {
			for k, edges := range edgeSets {
				if k != ci && os.Getenv("PARLEY_ANL_FULL") == "" {
					continue // one edge set per center by default; all (144 sessions) with PARLEY_ANL_FULL=1
				}
				configs = append(configs, config{filepath.Join(ex, name), center, edges, 100, int64(7 + k)})
				if os.Getenv("PARLEY_ANL_FULL") != "" { // shorter deadlines, other seeds
					configs = append(configs, config{filepath.Join(ex, name), center, edges, 20, int64(1000 + k)},
						config{filepath.Join(ex, name), center, edges, 7, int64(99 * k)})
				}
			}
		}
	}
	js, err := json.Marshal(configs)
	if err != nil {
		t.Fatal(err)
	}
	var wants []anlRun
	runDriver(t, &wants, "batch", string(js))
	for c, cfg := range configs {
		want := wants[c]
		t.Run(filepath.Base(cfg.Folder)+"/"+cfg.Center+"/"+strings.Join(cfg.Edges, "+"), func(t *testing.T) {
			if want.RunError != "" {
				if cfg.Center != "Random2025" || !strings.Contains(want.RunError, "zip() argument") {
					t.Fatalf("anl2025 failed: %s", want.RunError)
				}
				t.Skipf("anl2025 failed (Random2025's center valuation raised twice, see Random2025): %.80s", want.RunError)
			}
			s, err := ImportANL(cfg.Folder)
			if err != nil {
				t.Fatal(err)
			}
			rec := runGo(t, s, cfg.Center, cfg.Edges, cfg.Steps, cfg.Seed)
			for i, th := range rec.Threads {
				if th.Edge != want.Edges[i] {
					t.Fatalf("thread %d: edge %s, anl2025 %s", i, th.Edge, want.Edges[i])
				}
				got := outcomeIDs(s.Threads[i].Framework, th.Agreement)
				if !sameIDs(got, want.Agreements[i]) || th.Steps != want.Steps[i] {
					t.Errorf("thread %d (%s): agreement %v at step %d, anl2025 %v at step %d", i, th.Edge, got, th.Steps, want.Agreements[i], want.Steps[i])
				}
				if math.Abs(th.Utility-want.EdgeUtilities[i]) > 1e-9 {
					t.Errorf("thread %d: edge utility %v, anl2025 %v", i, th.Utility, want.EdgeUtilities[i])
				}
				if j := VerifyThread(s.Name, i, &rec.Threads[i]); j >= 0 {
					t.Errorf("thread %d: hash chain breaks at %d", i, j)
				}
			}
			if math.Abs(rec.CenterUtility-want.CenterUtility) > 1e-9 {
				t.Errorf("center utility %v, anl2025 %v", rec.CenterUtility, want.CenterUtility)
			}
		})
	}
}
