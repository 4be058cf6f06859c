package multideal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/parley-negotiation/parley/internal/refdata"
)

// anlRoot returns the shared copy of the anl2025 package ($PARLEY_ANL2025,
// or ../shared/thirdparty/anl2025 beside the repository), or skips.
func anlRoot(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("PARLEY_ANL2025")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "thirdparty", "anl2025")
	}
	if _, err := os.Stat(filepath.Join(dir, "src", "anl2025", "runner.py")); err != nil {
		t.Skipf("anl2025 not found at %s (the shared third-party copy; set PARLEY_ANL2025): skipping", dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

var anlProbe sync.Map // pythonpath → error string ("" when it imports)

// anlPython returns a python3 and PYTHONPATH that import anl2025 with
// NegMAS, or skips.
func anlPython(t testing.TB) (python, pythonpath string) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the comparisons with anl2025 start Python (seconds each)")
	}
	root := anlRoot(t)
	py, npath := refdata.NegMAS(t)
	pythonpath = npath + string(os.PathListSeparator) + filepath.Join(root, "stubs") + string(os.PathListSeparator) + filepath.Join(root, "src")
	msg, ok := anlProbe.Load(pythonpath)
	if !ok {
		cmd := exec.Command(py, "-c", "import anl2025.runner")
		cmd.Env = append(os.Environ(), "PYTHONPATH="+pythonpath)
		out, err := cmd.CombinedOutput()
		m := ""
		if err != nil {
			m = "anl2025 does not import: " + string(out)
		}
		anlProbe.Store(pythonpath, m)
		msg = m
	}
	if msg.(string) != "" {
		t.Skip(msg.(string))
	}
	return py, pythonpath
}

var driverCache sync.Map // joined args → output

// runDriver runs testdata/anl2025_driver.py with args and decodes its JSON
// (once per test binary for the same args).
func runDriver(t testing.TB, v any, args ...string) {
	t.Helper()
	key := fmt.Sprint(args)
	if out, ok := driverCache.Load(key); ok {
		if err := json.Unmarshal(out.([]byte), v); err != nil {
			t.Fatal(err)
		}
		return
	}
	py, pp := anlPython(t)
	cmd := exec.Command(py, append([]string{filepath.Join("testdata", "anl2025_driver.py")}, args...)...)
	cmd.Env = append(os.Environ(), "PYTHONPATH="+pp)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("anl2025 driver %v: %v\n%s", args, err, stderr.String())
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("anl2025 driver %v: %v\n%s", args, err, out)
	}
	driverCache.Store(key, out)
}
