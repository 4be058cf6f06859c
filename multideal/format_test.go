package multideal

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/internal/posyaml"
)

const combineFile = `multideal: 1
name: two-jobs
spaces:
  job:
    points:
      - id: days
        options: ["0", "1", "2"]
      - id: pay
        options: [low, high]
center:
  name: employer
  reservation: 0.05
  utility:
    kind: combine
    combine: weighted
    weights: [1, 3]
    sides:
      - weights: {days: 0.5, pay: 0.5}
        scores: {days: {"0": 0, "1": 0.5, "2": 1}, pay: {low: 1, high: 0}}
      - reservation: 0.1
        weights: {days: 0.2, pay: 0.8}
        scores: {days: {"0": 1, "1": 0.5, "2": 0}, pay: {low: 1, high: 0.2}}
threads:
  - edge: ann
    space: job
    profile:
      reservation: 0.3
      weights: {days: 0.4, pay: 0.6}
      scores: {days: {"0": 1, "1": 0.5, "2": 0}, pay: {low: 0, high: 1}}
  - edge: bob
    space: job
    profile:
      weights: {days: 0.7, pay: 0.3}
      scores: {days: {"0": 0, "1": 1, "2": 0.5}, pay: {low: 0.1, high: 1}}
`

func TestParseCombineWeighted(t *testing.T) {
	s, err := Parse("two-jobs.yml", []byte(combineFile))
	if err != nil {
		t.Fatal(err)
	}
	// weights normalised to 1/4, 3/4; bob's side has reservation 0.1
	a := framework.Package{2, 0} // side 1: 0.5·1 + 0.5·1 = 1
	got := s.Utility([]framework.Package{a, nil})
	if want := 1*0.25 + 0.1*0.75; got != want {
		t.Errorf("utility = %v, want %v", got, want)
	}
	if got := s.Utility([]framework.Package{nil, nil}); got != 0.05 {
		t.Errorf("no agreement = %v, want the center's reservation 0.05", got)
	}
	side := s.SideUtility(1, []framework.Package{a})
	b := framework.Package{0, 0} // side 2: 0.2·1 + 0.8·1 = 1
	if got, want := side(b), 0.25+0.75; got != want {
		t.Errorf("side utility = %v, want %v", got, want)
	}
}

func TestParseTable(t *testing.T) {
	src := `multideal: 1
name: t
spaces:
  s: {points: [{id: x, options: [a, b]}]}
center:
  utility:
    kind: table
    default: -1
    rows:
      - {outcomes: [{x: a}, null], value: 2}
      - {outcomes: [{x: b}, {x: b}], value: 3}
threads:
  - {edge: e1, space: s, profile: {weights: {x: 1}, scores: {x: {a: 1, b: 0}}}}
  - {edge: e2, space: s, profile: {weights: {x: 1}, scores: {x: {a: 0, b: 1}}}}
`
	s, err := Parse("t.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		tuple []framework.Package
		want  float64
	}{
		{[]framework.Package{{0}, nil}, 2},
		{[]framework.Package{{1}, {1}}, 3},
		{[]framework.Package{{0}, {0}}, -1},
		{[]framework.Package{nil, nil}, 0},
	} {
		if got := s.Utility(tc.tuple); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.tuple, got, tc.want)
		}
	}
}

func TestParseErrorsArePositioned(t *testing.T) {
	for _, tc := range []struct{ name, old, new, want string }{
		{"unknown combiner", "combine: weighted", "combine: average", "two-jobs.yml:15:14: center.utility.combine: expected "},
		{"unknown option", `pay: {low: 1, high: 0}}
      - reservation`, `pay: {low: 1, hihg: 0}}
      - reservation`, `two-jobs.yml:19:66: center.utility.sides[0].scores.pay: point "pay" has no option "hihg"`},
		{"unknown space", "space: job\n    profile:\n      weights: {days: 0.7", "space: jbo\n    profile:\n      weights: {days: 0.7", `two-jobs.yml:31:12: threads[1].space: no space "jbo"`},
		{"wrong weight count", "weights: [1, 3]", "weights: [1]", "two-jobs.yml:16:14: center.utility.weights: 1 weights for 2 threads"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(combineFile, tc.old, tc.new, 1)
			if src == combineFile {
				t.Fatal("replacement not found")
			}
			_, err := Parse("two-jobs.yml", []byte(src))
			var list posyaml.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %v is not an ErrorList", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error:\n%v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

// TestMarshalRoundTrip writes imported anl2025 scenarios and the test
// files in Parley's format, reads them back, and compares the center
// utility on every combination and each edge's utility, bit for bit.
func TestMarshalRoundTrip(t *testing.T) {
	var scs []*Scenario
	for _, f := range []string{"dinners.yml", "targetquantity.yml"} {
		s, err := Load(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		scs = append(scs, s)
	}
	s, err := Parse("two-jobs.yml", []byte(combineFile))
	if err != nil {
		t.Fatal(err)
	}
	scs = append(scs, s)
	if dir := filepath.Join(anlRootOrEmpty(), "src", "anl2025", "example_scenarios", "JobHunt"); dir != "" {
		if s, err := ImportANL(dir); err == nil {
			scs = append(scs, s)
		}
	}
	for _, s := range scs {
		data, err := Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(s.Name+".yml", data)
		if err != nil {
			t.Fatalf("%s: %v\n%s", s.Name, err, data)
		}
		n := 0
		s.EachCombination(func(tuple []framework.Package) bool {
			if a, b := s.Utility(tuple), back.Utility(tuple); a != b {
				t.Fatalf("%s: %v: %v, read back %v", s.Name, tuple, a, b)
			}
			n++
			return n < 200000
		})
		for i, th := range s.Threads {
			fw := th.Framework
			size, _ := fw.SizeInt()
			p := make(framework.Package, len(fw.Points))
			for c := uint64(0); c < uint64(size); c++ {
				framework.FromIndex(fw.Radix(), c, p)
				if a, b := th.Table.Utility(p), back.Threads[i].Table.Utility(p); a != b {
					t.Fatalf("%s: edge %s: %v: %v, read back %v", s.Name, th.Edge, p, a, b)
				}
			}
		}
	}
}

func anlRootOrEmpty() string {
	dir := os.Getenv("PARLEY_ANL2025")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "thirdparty", "anl2025")
	}
	if _, err := os.Stat(dir); err != nil {
		return ""
	}
	return dir
}
