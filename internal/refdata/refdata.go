// Package refdata locates the shared reference data (../shared/data beside the
// repository, or $PARLEY_SHARED_DATA) for tests. Tests that need it skip with a
// clear message when it is absent; the data is never copied into the project.
package refdata

import (
	"os"
	"path/filepath"
	"testing"
)

// Root returns the reference data directory, or "" when it cannot be found.
func Root() string {
	if d := os.Getenv("PARLEY_SHARED_DATA"); d != "" {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
		return ""
	}
	root := repoRoot()
	if root == "" {
		return ""
	}
	d := filepath.Join(root, "..", "shared", "data")
	if st, err := os.Stat(d); err == nil && st.IsDir() {
		return d
	}
	return ""
}

// repoRoot returns the nearest folder holding go.mod at or above the
// working directory, or "" when there is none.
func repoRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Dir returns filepath.Join(Root(), elem...) or skips the test when the
// reference data is absent.
func Dir(t testing.TB, elem ...string) string {
	t.Helper()
	r := Root()
	if r == "" {
		t.Skip("reference data not found: expected ../shared/data beside the repository (or set PARLEY_SHARED_DATA); skipping conformance test")
	}
	p := filepath.Join(append([]string{r}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("reference data %s not found; skipping", p)
	}
	return p
}
