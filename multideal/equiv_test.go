package multideal

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/parley-negotiation/parley/framework"
)

// anlEval is the driver's eval output.
type anlEval struct {
	Edges []string `json:"edges"`
	Rows  []struct {
		Outcomes [][]string `json:"outcomes"`
		Value    float64    `json:"value"`
	} `json:"rows"`
}

// checkAgainstANL compares s's center utility with anl2025's on every
// combination of thread outcomes of the folder.
func checkAgainstANL(t *testing.T, s *Scenario, folder string) {
	t.Helper()
	var want anlEval
	runDriver(t, &want, "eval", folder)
	n, ok := s.Combinations()
	if !ok || n != len(want.Rows) {
		t.Fatalf("%d combinations in Go, %d in anl2025", n, len(want.Rows))
	}
	k, bad := 0, 0
	s.EachCombination(func(tuple []framework.Package) bool {
		row := want.Rows[k]
		k++
		for i, o := range tuple {
			if got := outcomeIDs(s.Threads[i].Framework, o); !sameIDs(got, row.Outcomes[i]) {
				t.Fatalf("combination %d thread %d: Go %v, anl2025 %v", k, i, got, row.Outcomes[i])
			}
		}
		if got := s.Utility(tuple); math.Abs(got-row.Value) > 1e-12 {
			bad++
			if bad < 5 {
				t.Errorf("%v: center utility %v, anl2025 %v", row.Outcomes, got, row.Value)
			}
		}
		return true
	})
	if bad > 0 {
		t.Errorf("%d of %d combinations differ", bad, n)
	}
	t.Logf("%s: %d combinations equal to 1e-12", filepath.Base(folder), n)
}

func outcomeIDs(fw *framework.Framework, p framework.Package) []string {
	if p == nil {
		return nil
	}
	out := make([]string, len(p))
	for i, l := range p {
		out[i] = fw.Points[i].LevelID(l)
	}
	return out
}

func sameIDs(a, b []string) bool {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestImportedCenterEqualsANL(t *testing.T) {
	ex := anlExamples(t)
	for _, name := range []string{"JobHunt", "Dinners", "TargetQuantity"} {
		t.Run(name, func(t *testing.T) {
			if name == "JobHunt" && os.Getenv("PARLEY_ANL_FULL") == "" {
				t.Skip("JobHunt's 923521 combinations take two minutes in anl2025: set PARLEY_ANL_FULL=1")
			}
			s, err := ImportANL(filepath.Join(ex, name))
			if err != nil {
				t.Fatal(err)
			}
			checkAgainstANL(t, s, filepath.Join(ex, name))
		})
	}
}

// TestParleyFilesEqualANL checks the hand-written declarative equivalents
// of the Python-defined centers against anl2025 on every combination, and
// that they run to the same records as the imported folders.
func TestParleyFilesEqualANL(t *testing.T) {
	ex := anlExamples(t)
	for _, tc := range []struct{ file, folder string }{{"dinners.yml", "Dinners"}, {"targetquantity.yml", "TargetQuantity"}} {
		t.Run(tc.folder, func(t *testing.T) {
			s, err := Load(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			checkAgainstANL(t, s, filepath.Join(ex, tc.folder))
			imp, err := ImportANL(filepath.Join(ex, tc.folder))
			if err != nil {
				t.Fatal(err)
			}
			a := runGo(t, s, "Boulware2025", []string{"Linear2025", "Conceder2025"}, 100, 3)
			b := runGo(t, imp, "Boulware2025", []string{"Linear2025", "Conceder2025"}, 100, 3)
			if a.CenterUtility != b.CenterUtility {
				t.Errorf("file run: center utility %v, imported folder %v", a.CenterUtility, b.CenterUtility)
			}
			for i := range a.Threads {
				if !samePackage(a.Threads[i].Agreement, b.Threads[i].Agreement) || a.Threads[i].Utility != b.Threads[i].Utility {
					t.Errorf("thread %d: file %v (%v), imported %v (%v)", i, a.Threads[i].Agreement, a.Threads[i].Utility, b.Threads[i].Agreement, b.Threads[i].Utility)
				}
			}
		})
	}
}
