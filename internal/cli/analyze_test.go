package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/scenario"
)

func TestThin(t *testing.T) {
	pts := make([]analysis.Point, 10)
	for i := range pts {
		pts[i].U = []float64{float64(i)}
	}
	tests := []struct {
		limit int
		want  string
		trunc bool
	}{
		{0, "[0 1 2 3 4 5 6 7 8 9]", false},
		{10, "[0 1 2 3 4 5 6 7 8 9]", false},
		{4, "[0 3 6 9]", true},
		{2, "[0 9]", true},
		{1, "[0]", true},
	}
	for _, tt := range tests {
		got, trunc := thin(pts, tt.limit)
		var us []float64
		for _, p := range got {
			us = append(us, p.U[0])
		}
		if fmt.Sprint(us) != tt.want || trunc != tt.trunc {
			t.Errorf("thin(10 points, %d) = %v %v, want %s %v", tt.limit, us, trunc, tt.want, tt.trunc)
		}
	}
}

// TestWriteReportJSON: the streamed report is valid JSON with every field
// of the report, each frontier's points listed in full (limit 0) or thinned
// and marked truncated with its total.
func TestWriteReportJSON(t *testing.T) {
	sc, err := scenario.Builtin("tiny-2p")
	if err != nil {
		t.Fatal(err)
	}
	s, err := analysis.FromScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := analysis.Analyze(s, analysis.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	n := len(rep.Frontier.Points)
	if n < 3 {
		t.Skipf("tiny-2p has %d frontier points", n)
	}
	for _, limit := range []int{0, 2} {
		var buf bytes.Buffer
		if err := writeReportJSON(&buf, sc, rep, limit); err != nil {
			t.Fatal(err)
		}
		var got struct {
			Scenario string `json:"scenario"`
			Frontier struct {
				Points []struct {
					U       []float64         `json:"utilities"`
					Witness framework.Package `json:"witness"`
				} `json:"points"`
				Method string `json:"method"`
			} `json:"frontier"`
			Truncated bool                `json:"frontier_truncated"`
			Total     int                 `json:"frontier_total"`
			Solutions []analysis.Solution `json:"solutions"`
			Zone      *analysis.Zone      `json:"zone"`
			Packages  map[string]any      `json:"packages"`
		}
		if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
			t.Fatalf("limit %d: invalid JSON: %v\n%s", limit, err, buf.String())
		}
		want := n
		if limit > 0 {
			want = limit
		}
		if len(got.Frontier.Points) != want || got.Total != n || got.Truncated != (limit > 0) {
			t.Errorf("limit %d: %d points listed, total %d, truncated %v; want %d, %d, %v", limit, len(got.Frontier.Points), got.Total, got.Truncated, want, n, limit > 0)
		}
		if got.Scenario != sc.Name || got.Frontier.Method == "" || len(got.Solutions) == 0 || got.Zone == nil || len(got.Packages) == 0 {
			t.Errorf("limit %d: fields missing: %+v", limit, got)
		}
		if limit == 0 && fmt.Sprint(got.Frontier.Points[0].U) != fmt.Sprint(rep.Frontier.Points[0].U) {
			t.Errorf("first point %v, report %v", got.Frontier.Points[0].U, rep.Frontier.Points[0].U)
		}
	}
}
