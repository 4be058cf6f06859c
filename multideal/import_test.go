package multideal

import (
	"os"
	"path/filepath"
	"testing"
)

// anlExamples returns the anl2025 example_scenarios folder, or skips.
func anlExamples(t testing.TB) string {
	t.Helper()
	d := filepath.Join(anlRoot(t), "src", "anl2025", "example_scenarios")
	if _, err := os.Stat(d); err != nil {
		t.Skipf("anl2025 example scenarios not found at %s: skipping", d)
	}
	return d
}

func TestImportANLExamples(t *testing.T) {
	ex := anlExamples(t)
	for _, tc := range []struct {
		name    string
		threads int
		kind    Kind
	}{{"JobHunt", 4, KindCombine}, {"Dinners", 3, KindCounts}, {"TargetQuantity", 4, KindQuantity}} {
		s, err := ImportANL(filepath.Join(ex, tc.name))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(s.Threads) != tc.threads || s.Center.Utility.Kind != tc.kind {
			t.Errorf("%s: %d threads of kind %s, want %d of %s", tc.name, len(s.Threads), s.Center.Utility.Kind, tc.threads, tc.kind)
		}
	}
}
