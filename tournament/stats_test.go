package tournament

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/internal/refdata"
)

func TestTQuantile(t *testing.T) {
	// Two-sided 95% critical values of Student's t (standard tables).
	for df, want := range map[float64]float64{1: 12.7062, 2: 4.3027, 5: 2.5706, 10: 2.2281, 30: 2.0423, 100: 1.9840, 1e6: 1.9600} {
		if got := tQuantile(0.975, df); math.Abs(got-want) > 5e-4 {
			t.Errorf("t(0.975, %g) = %.5f, want %.4f", df, got, want)
		}
	}
}

func TestStat(t *testing.T) {
	s := newStat([]float64{1, 2, 3, 4, 5})
	// mean 3, sd √2.5, half-width 2.7764·√2.5/√5.
	h := 2.776445 * math.Sqrt(2.5) / math.Sqrt(5)
	if s.N != 5 || s.Mean != 3 || math.Abs(s.SD-math.Sqrt(2.5)) > 1e-12 || math.Abs(s.Low-(3-h)) > 1e-5 || math.Abs(s.High-(3+h)) > 1e-5 {
		t.Errorf("%+v", s)
	}
	if s := newStat([]float64{0.4}); s.Low != 0.4 || s.High != 0.4 || s.SD != 0 {
		t.Errorf("one observation: %+v", s)
	}
	if s := newStat(nil); s.N != 0 || s.Mean != 0 {
		t.Errorf("none: %+v", s)
	}
}

func fp(x float64) *float64 { return &x }

// TestSummarize checks the per-agent scores and the ranking on hand-made
// results.
func TestSummarize(t *testing.T) {
	rs := []Result{
		{ID: "1", Agents: []string{"a", "b"}, Status: StatusAgreement, Utilities: []float64{0.9, 0.3}, Discounted: []float64{0.8, 0.2}, Welfare: 1.2, DistancePareto: fp(0), DistanceNash: fp(0.1), Rounds: 10},
		{ID: "2", Agents: []string{"b", "a"}, Status: StatusAgreement, Utilities: []float64{0.4, 0.7}, Discounted: []float64{0.4, 0.7}, Welfare: 1.1, DistancePareto: fp(0.1), DistanceNash: fp(0.2), Rounds: 20},
		{ID: "3", Agents: []string{"a", "c"}, Status: StatusNoAgreement, Utilities: []float64{0, 0}, Discounted: []float64{0, 0}, DistancePareto: fp(1), DistanceNash: fp(1), Rounds: 100},
		{ID: "4", Agents: []string{"c", "b"}, Status: StatusTimeout, Fault: "c", Utilities: []float64{0, 0}, Discounted: []float64{0, 0}, DistancePareto: fp(1), DistanceNash: fp(1), Rounds: 5},
		{ID: "5", Agents: []string{"c", "a"}, Status: StatusError, Error: "x"},
	}
	s := Summarize("t", []string{"a", "b", "c", "d"}, rs, RankUtility)
	if s.Negotiations != 4 || s.Agreements != 2 || s.Timeouts != 1 || s.Errors != 1 {
		t.Errorf("counts %+v", s)
	}
	if got := strings.Join(s.Ranking(), " "); got != "a b c d" {
		t.Errorf("ranking %s", got)
	}
	a := s.Agents[0]
	if a.Negotiations != 3 || math.Abs(a.Utility.Mean-(0.9+0.7+0)/3) > 1e-12 || math.Abs(a.Discounted.Mean-0.5) > 1e-12 ||
		math.Abs(a.Agreement.Mean-2.0/3) > 1e-12 || a.Rounds.N != 2 || a.Rounds.Mean != 15 || math.Abs(a.Welfare.Mean-2.3/3) > 1e-12 {
		t.Errorf("a: %+v", a)
	}
	c := s.Agents[2]
	if c.Timeouts != 1 || c.Negotiations != 2 || c.Utility.Mean != 0 || c.Rounds.N != 0 {
		t.Errorf("c: %+v", c)
	}
	// d played nothing: unranked, not last with made-up means.
	if d := s.Agents[3]; d.Agent != "d" || d.Negotiations != 0 || d.Rank != 0 || !d.Unranked {
		t.Errorf("d: %+v", d)
	}
	// a's wide interval overlaps b's.
	if !reflect.DeepEqual(s.Agents[0].Tied, []string{"b", "c"}) || !s.TiedWithNeighbour(0) {
		t.Errorf("ties of a: %v", s.Agents[0].Tied)
	}
	// Equal means share a rank.
	s = Summarize("", nil, []Result{{ID: "1", Agents: []string{"x", "y"}, Status: StatusAgreement, Utilities: []float64{0.5, 0.5}, Discounted: []float64{0.5, 0.5}}}, RankDiscounted)
	if s.Agents[0].Rank != 1 || s.Agents[1].Rank != 1 || s.RankBy != RankDiscounted {
		t.Errorf("%+v", s.Agents)
	}
}

// TestTournamentTiny is the end-to-end test: a tournament on tiny-2p run by
// the local runner, scored, and written as CSV and HTML.
func TestTournamentTiny(t *testing.T) {
	cfg, jobs := tinyJobs(t, "")
	if len(jobs) != 6*5*2 {
		t.Fatalf("%d jobs, want 60", len(jobs))
	}
	eng := &Engine{}
	b, err := (&Runner{Engine: eng, Results: filepath.Join(t.TempDir(), "r.jsonl")}).Run(context.Background(), jobs)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range cfg.Agents {
		names = append(names, a.Name)
	}
	sum := Summarize("tiny", names, b.Results, cfg.RankBy)
	if sum.Negotiations != 60 || len(sum.Agents) != 6 {
		t.Fatalf("summary %+v", sum)
	}
	for _, a := range sum.Agents {
		// Every agent plays 5 opponents × 2 sides × 2 repetitions.
		if a.Negotiations != 20 || a.Utility.Low > a.Utility.Mean || a.Utility.High < a.Utility.Mean {
			t.Errorf("%s: %+v", a.Agent, a)
		}
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, sum); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != 7 || rows[0][4] != "utility_mean" || rows[1][0] != "1" || rows[1][1] != sum.Agents[0].Agent {
		t.Errorf("CSV %v %v", rows, err)
	}
	rep, err := NewReport(cfg, eng, sum, b.Results)
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := rep.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{"<h1>tiny</h1>", "<svg", `data-x="North"`, `data-y="South"`, `data-kind="nash"`, "Nash: North ", "Individual utility", sum.Agents[0].Agent} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, bad := range []string{"http://", "https://", "<script"} {
		if strings.Contains(strings.ReplaceAll(html, `xmlns="http://www.w3.org/2000/svg"`, ""), bad) {
			t.Errorf("report is not self-contained: %q", bad)
		}
	}
	var again bytes.Buffer
	rep2, _ := NewReport(cfg, eng, Summarize("tiny", names, b.Results, cfg.RankBy), b.Results)
	if err := rep2.WriteHTML(&again); err != nil || again.String() != html {
		t.Error("the report is not deterministic")
	}
}

// TestSharedDomains runs a tiny tournament over two shared GENIUS domains
// (a bilateral and a three-party one) when the reference data is present.
func TestSharedDomains(t *testing.T) {
	dir := refdata.Dir(t, "genius", "domains")
	cfg, err := ParseConfig(filepath.Join(dir, "t.yaml"), []byte(`
agents: [boulware, conceder, linear]
scenarios:
  - genius: Laptop
  - genius: T*
    exclude: [Travel]
deadline: {rounds: 200}
`))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Dir = dir
	if err := cfg.Resolve(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range cfg.Scenarios {
		names = append(names, s.Ref.Name)
	}
	if strings.Join(names, " ") != "Laptop TriangularFight" || len(cfg.Scenarios[1].Parties) != 3 {
		t.Fatalf("scenarios %v", cfg.Scenarios)
	}
	jobs := Jobs(cfg)
	if len(jobs) != 6+6 {
		t.Fatalf("%d jobs, want 12", len(jobs))
	}
	for _, j := range jobs {
		r := Run(j)
		if !r.Scored() || r.Error != "" {
			t.Fatalf("%+v", r)
		}
		if len(r.Utilities) != len(j.Roles) {
			t.Errorf("%d utilities for %d roles", len(r.Utilities), len(j.Roles))
		}
	}
}
