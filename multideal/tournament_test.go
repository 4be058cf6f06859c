package multideal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// anlTournament is the output of testdata/anl2025_tournament.py.
type anlTournament struct {
	Sessions []struct {
		Scenario      string     `json:"scenario"`
		Repetition    int        `json:"repetition"`
		Rotation      int        `json:"rotation"`
		Center        string     `json:"center"`
		Edges         []string   `json:"edges"`
		Agreements    [][]string `json:"agreements"`
		CenterUtility float64    `json:"center_utility"`
		EdgeUtilities []float64  `json:"edge_utilities"`
		Error         string     `json:"error"`
	} `json:"sessions"`
	Final    map[string]float64 `json:"final_scores"`
	FinalC   map[string]float64 `json:"final_scoresC"`
	FinalE   map[string]float64 `json:"final_scoresE"`
	Raw      map[string]float64 `json:"raw_scores"`
	CCount   map[string]float64 `json:"center_count"`
	ECount   map[string]float64 `json:"edge_count"`
	Weighted map[string]float64 `json:"weighted_average"`
	Unweight map[string]float64 `json:"unweighted_average"`
	Seconds  float64            `json:"seconds"`
}

var tournamentAgents = []string{"Boulware2025", "Linear2025", "Conceder2025"}

func exampleTournament(t testing.TB, names ...string) *Tournament {
	t.Helper()
	ex := anlExamples(t)
	tr := &Tournament{Agents: tournamentAgents, Steps: 20, Repetitions: 2, Seed: 5}
	for _, n := range names {
		s, err := ImportANL(filepath.Join(ex, n))
		if err != nil {
			t.Fatal(err)
		}
		tr.Scenarios = append(tr.Scenarios, s)
	}
	return tr
}

// TestTournamentConformanceWithANL2025 runs anl2025's Tournament (through
// the driver, which seeds the assignment and each session from the seed)
// and Tournament.Run on the same small tournament and compares every
// session's assignment, agreements and utilities and the final scores.
func TestTournamentConformanceWithANL2025(t *testing.T) {
	names := []string{"Dinners", "TargetQuantity", "JobHunt"}
	tr := exampleTournament(t, names...)
	ex := anlExamples(t)
	args := []string{"5", "20", "2", strings.Join(tournamentAgents, ",")}
	for _, n := range names {
		args = append(args, filepath.Join(ex, n))
	}
	var want anlTournament
	runScript(t, &want, "anl2025_tournament.py", args...)
	got, err := tr.Run()
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Sessions) != len(want.Sessions) {
		t.Fatalf("%d sessions, anl2025 %d", len(got.Sessions), len(want.Sessions))
	}
	for i, g := range got.Sessions {
		w := want.Sessions[i]
		if w.Error != "" {
			t.Fatalf("anl2025 session %d: %s", i, w.Error)
		}
		if g.Scenario != w.Scenario || g.Rotation != w.Rotation || g.Center != w.Center || !reflect.DeepEqual(g.Edges, w.Edges) {
			t.Fatalf("session %d: %s rotation %d center %s edges %v; anl2025 %s rotation %d center %s edges %v",
				i, g.Scenario, g.Rotation, g.Center, g.Edges, w.Scenario, w.Rotation, w.Center, w.Edges)
		}
		s := tr.Scenarios[g.scenario]
		for k := range g.Agreements {
			var ids []string
			if g.Agreements[k] != nil {
				for _, p := range s.Threads[k].Framework.Points {
					ids = append(ids, g.Agreements[k][p.ID])
				}
			}
			if !sameIDs(ids, w.Agreements[k]) {
				t.Errorf("session %d thread %d: agreement %v, anl2025 %v", i, k, ids, w.Agreements[k])
			}
			if math.Abs(g.EdgeUtilities[k]-w.EdgeUtilities[k]) > 1e-9 {
				t.Errorf("session %d thread %d: edge utility %v, anl2025 %v", i, k, g.EdgeUtilities[k], w.EdgeUtilities[k])
			}
		}
		if math.Abs(g.CenterUtility-w.CenterUtility) > 1e-9 {
			t.Errorf("session %d: center utility %v, anl2025 %v", i, g.CenterUtility, w.CenterUtility)
		}
	}
	if len(got.Scores) != len(want.Final) {
		t.Fatalf("%d scored agents, anl2025 %d", len(got.Scores), len(want.Final))
	}
	for _, a := range got.Scores {
		for _, c := range []struct {
			what string
			got  float64
			want map[string]float64
		}{
			{"total", a.Total, want.Final}, {"center", a.Center, want.FinalC}, {"edge", a.Edge, want.FinalE},
			{"raw", a.Raw, want.Raw}, {"center count", float64(a.CenterCount), want.CCount},
			{"edge count", float64(a.EdgeCount), want.ECount}, {"weighted", a.WeightedAverage, want.Weighted},
			{"unweighted", a.UnweightedAverage, want.Unweight},
		} {
			if w, ok := c.want[a.Agent]; !ok || math.Abs(c.got-w) > 1e-9 {
				t.Errorf("%s: %s %v, anl2025 %v", a.Agent, c.what, c.got, w)
			}
		}
	}
	t.Logf("anl2025 tournament: %d sessions in %.3fs", len(want.Sessions), want.Seconds)
}

// TestTournamentWorkersDeterministic checks that the result does not
// depend on the number of workers, and that the league's roles hold:
// every agent is the center once per scenario and repetition.
func TestTournamentWorkersDeterministic(t *testing.T) {
	tr := &Tournament{Agents: []string{"Boulware2025", "Linear2025", "Conceder2025", "Random2025"}, Steps: 15, Repetitions: 2, Seed: 11}
	for _, n := range []string{"dinners.yml", "targetquantity.yml"} {
		s, err := Load(filepath.Join("testdata", n))
		if err != nil {
			t.Fatal(err)
		}
		tr.Scenarios = append(tr.Scenarios, s)
	}
	var prev []byte
	for _, w := range []int{1, 3, 8} {
		tr.Workers = w
		calls := 0
		tr.Progress = func(done, total int) { calls++ }
		r, err := tr.Run()
		if err != nil {
			t.Fatal(err)
		}
		if calls != len(r.Sessions) || len(r.Sessions) != 2*2*4 {
			t.Fatalf("workers %d: %d sessions, %d progress calls", w, len(r.Sessions), calls)
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if prev != nil && string(b) != string(prev) {
			t.Fatalf("workers %d: result differs from 1 worker", w)
		}
		prev = b
		centers := map[string]int{}
		for _, s := range r.Sessions {
			centers[s.Scenario+"/"+s.Center]++
			if s.Counted != min(3, len(s.Edges)) {
				t.Errorf("session %d: %d counted edges", s.Index, s.Counted)
			}
		}
		for k, n := range centers {
			if n != 2 {
				t.Errorf("%s: center %d times, want once per repetition", k, n)
			}
		}
		for _, a := range r.Scores {
			if math.Abs(a.Total-(a.Center+a.Edge)) > 1e-12 || a.CenterCount != 4 {
				t.Errorf("%s: total %v center %v edge %v center count %d", a.Agent, a.Total, a.Center, a.Edge, a.CenterCount)
			}
		}
	}
	tr.Seed = 12
	r, err := tr.Run()
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(r); string(b) == string(prev) {
		t.Error("another seed gives the same tournament")
	}
}

// TestPlanPadding checks anl2025's padding: with fewer competitors than
// threads+1 the missing edges are drawn from the competitors and only
// len(Agents)−1 edges are scored.
func TestPlanPadding(t *testing.T) {
	s, err := Load(filepath.Join("testdata", "targetquantity.yml"))
	if err != nil {
		t.Fatal(err)
	}
	tr := &Tournament{Scenarios: []*Scenario{s}, Agents: []string{"Boulware2025", "Linear2025"}, Steps: 10, Repetitions: 1, Seed: 3}
	plan, err := tr.Plan()
	if err != nil {
		t.Fatal(err)
	}
	if len(plan) != 2 {
		t.Fatalf("%d sessions, want 2", len(plan))
	}
	for _, p := range plan {
		if len(p.Edges) != len(s.Threads) || p.Counted != 1 || p.CenterFactor != float64(len(s.Threads)) || p.EdgeFactor != 1 {
			t.Errorf("session %d: %d edges, %d counted, factors %v %v", p.Index, len(p.Edges), p.Counted, p.CenterFactor, p.EdgeFactor)
		}
	}
	if _, err := (&Tournament{Scenarios: []*Scenario{s}, Agents: []string{"Boulware2025", "nobody"}, Steps: 1, Repetitions: 1}).Plan(); err == nil || !strings.Contains(err.Error(), "nobody") {
		t.Errorf("unknown agent: %v", err)
	}
}

// BenchmarkTournamentExamples runs the conformance tournament (Dinners,
// TargetQuantity, JobHunt; 3 agents, 20 steps, 1 repetition: 9 sessions)
// on one worker and on every core.
func BenchmarkTournamentExamples(b *testing.B) {
	tr := exampleTournament(b, "Dinners", "TargetQuantity", "JobHunt")
	tr.Repetitions = 1
	for _, w := range []int{1, 0} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			tr.Workers = w
			for i := 0; i < b.N; i++ {
				if _, err := tr.Run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// runScript runs testdata/SCRIPT with anl2025 on the Python path and
// decodes its JSON output.
func runScript(t testing.TB, v any, script string, args ...string) {
	t.Helper()
	py, pp := anlPython(t)
	cmd := exec.Command(py, append([]string{filepath.Join("testdata", script)}, args...)...)
	cmd.Env = append(os.Environ(), "PYTHONPATH="+pp)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", script, args, err, stderr.String())
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("%s %v: %v\n%s", script, args, err, out)
	}
}
