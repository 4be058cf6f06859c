package server_test

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestUIJavaScriptParses checks every script of the web UI with Node's
// parser (node --check, as an ES module), so that a syntax error fails
// here rather than only in the browser tests. Skipped without node.
func TestUIJavaScriptParses(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the browser tests still load every script")
	}
	dir := t.TempDir()
	n := 0
	err = filepath.WalkDir("ui", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".js") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		// A copy named .mjs is parsed as a module whatever Node's default.
		mod := filepath.Join(dir, strings.ReplaceAll(strings.TrimSuffix(path, ".js"), string(filepath.Separator), "_")+".mjs")
		if err := os.WriteFile(mod, b, 0o644); err != nil {
			return err
		}
		if out, err := exec.Command(node, "--check", mod).CombinedOutput(); err != nil {
			t.Errorf("%s does not parse: %v\n%s", path, err, out)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Fatalf("checked %d scripts: the UI's files were not found", n)
	}
}
