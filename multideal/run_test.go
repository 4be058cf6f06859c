package multideal

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/parley-negotiation/parley/framework"
)

func TestRunRecordAndHashChain(t *testing.T) {
	s, err := Load(filepath.Join("testdata", "targetquantity.yml"))
	if err != nil {
		t.Fatal(err)
	}
	a := runGo(t, s, "Conceder2025", []string{"Boulware2025"}, 50, 11)
	b := runGo(t, s, "Conceder2025", []string{"Boulware2025"}, 50, 11)
	if a.Hash != b.Hash || a.CenterUtility != b.CenterUtility {
		t.Fatalf("two runs with the same seed differ: %s %v, %s %v", a.Hash, a.CenterUtility, b.Hash, b.CenterUtility)
	}
	if got := s.Utility(a.Agreements()); got != a.CenterUtility {
		t.Errorf("center utility %v, utility of the agreements %v", a.CenterUtility, got)
	}
	for i := range a.Threads {
		tr := &a.Threads[i]
		if j := VerifyThread(s.Name, i, tr); j >= 0 {
			t.Fatalf("thread %d: chain breaks at %d", i, j)
		}
		if len(tr.Log) < 2 {
			t.Fatalf("thread %d: log of %d events", i, len(tr.Log))
		}
		// tampering with any event breaks the chain there
		saved := tr.Log[1].Step
		tr.Log[1].Step += 1
		if j := VerifyThread(s.Name, i, tr); j != 1 {
			t.Errorf("thread %d: tampered event 1 reported at %d", i, j)
		}
		tr.Log[1].Step = saved
		if j := VerifyThread(s.Name, i+1, tr); j != 0 {
			t.Errorf("thread %d verified as another thread: break at %d, want 0", i, j)
		}
	}
	// the seed reaches the agents: Random2025's offers change with it
	c1 := runGo(t, s, "Random2025", []string{"Boulware2025"}, 50, 11)
	c2 := runGo(t, s, "Random2025", []string{"Boulware2025"}, 50, 12)
	if fmt.Sprint(c1.Threads[0].Log[0].Package) == fmt.Sprint(c2.Threads[0].Log[0].Package) && c1.Hash == c2.Hash {
		t.Errorf("another seed gives the same logs")
	}
}

// TestCenterSeesEarlierAgreements: in thread 2 of TargetQuantity the
// center's side utility counts thread 1's agreed quantity.
func TestCenterSeesEarlierAgreements(t *testing.T) {
	s, err := Load(filepath.Join("testdata", "targetquantity.yml"))
	if err != nil {
		t.Fatal(err)
	}
	four := framework.Package{3} // "4"
	side := s.SideUtility(1, []framework.Package{four})
	if got := side(framework.Package{4}); got != 0.9 { // 4 + 5 = 9
		t.Errorf("side utility of 5 after 4 = %v, want 0.9", got)
	}
	if got := s.SideUtility(1, []framework.Package{nil})(framework.Package{4}); got != 0.5 {
		t.Errorf("side utility of 5 after no agreement = %v, want 0.5", got)
	}
	if got := side(nil); got != s.Center.Reservation {
		t.Errorf("side utility of no agreement = %v, want the center's reservation", got)
	}
}

func TestRandom2025RunsAndEnds(t *testing.T) {
	s, err := Load(filepath.Join("testdata", "dinners.yml"))
	if err != nil {
		t.Fatal(err)
	}
	rec := runGo(t, s, "Random2025", []string{"Random2025", "Boulware2025"}, 30, 5)
	for i, tr := range rec.Threads {
		if tr.Steps < 1 || tr.Steps > 30 {
			t.Errorf("thread %d ended at step %d", i, tr.Steps)
		}
		if tr.Agreement == nil && tr.Utility != s.Threads[i].Table.Reservation {
			t.Errorf("thread %d: no agreement but edge utility %v", i, tr.Utility)
		}
	}
	if _, err := NewAgent("nobody"); err == nil {
		t.Error("NewAgent accepts an unknown name")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(combineFile))
	f.Add([]byte("multideal: 1\nname: x\nspaces: {}\ncenter: {utility: {kind: table}}\nthreads: []\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("f.yml", data)
		if err == nil {
			if err := s.Validate(); err != nil {
				t.Fatalf("Parse accepted a scenario Validate rejects: %v", err)
			}
		}
	})
}
