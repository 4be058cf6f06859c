package tournament

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/plot/plottest"
	"github.com/parley-negotiation/parley/scenario"
)

// threeParties is a scenario of 3·4·3 = 36 packages with three named
// parties.
const threeParties = `parley: 1
name: three
title: Three-way talks
points:
  - id: monitors
    options: [{id: joint}, {id: un}, {id: neutral}]
  - id: buffer
    integer: {min: 0, max: 3}
  - id: amnesty
    options: [{id: no}, {id: partial}, {id: yes}]
parties:
  - id: north
    name: North
    role: principal
    profile:
      weights: {monitors: 0.5, buffer: 0.2, amnesty: 0.3}
      scores: {monitors: {joint: 10, un: 4, neutral: 6}, amnesty: {no: 2, partial: 6, yes: 10}}
      functions: {buffer: {linear: {slope: -0.3, offset: 1}}}
      reservation: 0.3
  - id: south
    name: South
    role: principal
    profile:
      weights: {monitors: 0.4, buffer: 0.4, amnesty: 0.2}
      scores: {monitors: {joint: 1, un: 10, neutral: 7}, amnesty: {no: 10, partial: 5, yes: 3}}
      functions: {buffer: {linear: {slope: 0.3}}}
      reservation: 0.3
  - id: east
    name: East
    role: principal
    profile:
      weights: {monitors: 0.3, buffer: 0.3, amnesty: 0.4}
      scores: {monitors: {joint: 5, un: 10, neutral: 2}, amnesty: {no: 4, partial: 9, yes: 10}}
      functions: {buffer: {linear: {slope: 0.2, offset: 0.2}}}
      reservation: 0.2
decision: {rule: unanimity}
`

// TestReportPlotThreeParties: golden structure of the report's outcome
// plot for three parties (issue 14: it projected the three-party frontier
// on the first two parties): a panel per pair named as the scenario
// names the parties, the three-party frontier on each, and the Nash point
// that every negotiation's distance to Nash is measured to.
func TestReportPlotThreeParties(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "three.yaml"), []byte(threeParties), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseConfig(filepath.Join(dir, "t.yaml"), []byte("agents: [boulware, conceder, linear]\nscenarios:\n  - file: three.yaml\ndeadline: {rounds: 30}\n"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Dir = dir
	if err := cfg.Resolve(); err != nil {
		t.Fatal(err)
	}
	eng := &Engine{}
	var results []Result
	for _, j := range Jobs(cfg) {
		results = append(results, eng.Run(j))
	}
	names := []string{"boulware", "conceder", "linear"}
	rep, err := NewReport(cfg, eng, Summarize("three", names, results, cfg.RankBy), results)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rep.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	var plots [][]byte
	for _, m := range regexp.MustCompile(`(?s)<svg.*?</svg>`).FindAll(buf.Bytes(), -1) {
		if bytes.Contains(m, []byte(`class="panel"`)) {
			plots = append(plots, m)
		}
	}
	if len(plots) != 1 {
		t.Fatalf("%d outcome plots, want 1", len(plots))
	}
	if !strings.Contains(buf.String(), "3 parties: a panel per pair") {
		t.Error("the caption does not say what the panels are")
	}
	d, err := plottest.Parse(plots[0])
	if err != nil {
		t.Fatal(err)
	}
	space, fr, nash, err := eng.Analysis(cfg.Scenarios[0].Ref)
	if err != nil {
		t.Fatal(err)
	}
	// The frontier drawn is the three parties', each point dominated by
	// no package.
	sc, err := scenario.Parse("three.yaml", []byte(threeParties))
	if err != nil {
		t.Fatal(err)
	}
	full, err := analysis.FromScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	var frontier [][]float64
	for _, p := range fr.Points {
		frontier = append(frontier, p.U)
		analysis.Enumerate(sc.Framework.Radix(), func(q framework.Package) bool {
			v := full.Utilities(q)
			better := false
			for i := range v {
				if v[i] < p.U[i] {
					return true
				}
				better = better || v[i] > p.U[i]
			}
			if better {
				t.Fatalf("frontier point %v dominated by %v", p.U, v)
			}
			return true
		})
	}
	if space.N() != 3 || len(frontier) == 0 {
		t.Fatalf("%d parties, %d frontier points", space.N(), len(frontier))
	}
	gs, ps, err := d.Panels()
	if err != nil || len(gs) != 3 {
		t.Fatalf("%d panels (%v), want 3", len(gs), err)
	}
	for _, p := range ps {
		if p.X == "north" || p.Y == "south" || p.Y == "east" {
			t.Errorf("panel %s×%s: ids, not names", p.X, p.Y)
		}
	}
	if err := plottest.CheckFrontier(d, []string{"North", "South", "East"}, frontier); err != nil {
		t.Error(err)
	}
	if err := plottest.CheckMarker(d, "Nash", false, nash); err != nil {
		t.Error(err)
	}
	at, err := d.Markers("Nash")[0].At()
	if err != nil {
		t.Fatal(err)
	}
	counted := 0
	for _, r := range results {
		if !r.Scored() || r.DistanceNash == nil {
			continue
		}
		counted++
		if got := analysis.Distance(r.Utilities, at); math.Abs(got-*r.DistanceNash) > 1e-6 {
			t.Errorf("negotiation %s: distance to the marked Nash %.6f, the report's %.6f", r.ID, got, *r.DistanceNash)
		}
	}
	if counted == 0 {
		t.Error("no negotiation measured against Nash")
	}
	if c := d.All("counts"); len(c) != 3 || c[0].Int("total") != counted {
		t.Errorf("counts %v, want the %d negotiations on each panel", c, counted)
	}
}
