package refdata

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// NegMAS returns a python3 that imports NegMAS from the shared third-party
// copy ($PARLEY_NEGMAS, or ../shared/thirdparty/negmas beside the
// repository) and the PYTHONPATH that makes it do so, or skips the test
// saying why. The python3 is $PARLEY_PYTHON when set; otherwise Debian's
// /usr/bin/python3 (which .ci/run gives NegMAS's dependencies), then the
// first python3 on PATH (a pyenv one may lack numpy). The probe imports
// NegMAS (a second or more), once per test binary.
func NegMAS(t testing.TB) (python, pythonpath string) {
	t.Helper()
	e := findNegMAS()
	if e.skip != "" {
		t.Skip(e.skip)
	}
	return e.python, e.pythonpath
}

// negmasEnv is how to run NegMAS, or why it cannot run (skip).
type negmasEnv struct{ python, pythonpath, skip string }

var findNegMAS = sync.OnceValue(func() negmasEnv {
	dir := os.Getenv("PARLEY_NEGMAS")
	if dir == "" {
		root := repoRoot()
		if root == "" {
			return negmasEnv{skip: "NegMAS not found: no go.mod above the working directory; skipping"}
		}
		dir = filepath.Join(root, "..", "shared", "thirdparty", "negmas")
	}
	if _, err := os.Stat(filepath.Join(dir, "src", "negmas", "sao")); err != nil {
		return negmasEnv{skip: fmt.Sprintf("NegMAS not found at %s (the shared third-party copy; set PARLEY_NEGMAS): skipping", dir)}
	}
	pythonpath := filepath.Join(dir, "stubs") + string(os.PathListSeparator) + filepath.Join(dir, "src")
	var candidates []string
	if py := os.Getenv("PARLEY_PYTHON"); py != "" {
		candidates = []string{py}
	} else {
		candidates = []string{"/usr/bin/python3"}
		if p, err := exec.LookPath("python3"); err == nil && p != candidates[0] {
			candidates = append(candidates, p)
		}
	}
	for _, py := range candidates {
		cmd := exec.Command(py, "-c", "import negmas.sao, negmas.preferences")
		cmd.Env = append(os.Environ(), "PYTHONPATH="+pythonpath)
		if err := cmd.Run(); err == nil {
			return negmasEnv{python: py, pythonpath: pythonpath}
		}
	}
	return negmasEnv{skip: fmt.Sprintf("no python3 imports NegMAS from %s (tried %v; .ci/run installs Debian's python3 packages): skipping", dir, candidates)}
})
