package archtest

import (
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/parley-negotiation/parley/"

// engine are the packages a researcher imports as libraries.
var engine = []string{
	"framework", "profile", "scenario", "genius", "analysis", "plot", "chart", "session", "agent",
	"mediator", "plan", "agreement", "extagent", "tournament", "multideal",
}

// shells wrap the engine: the server, the stores, the command line, the
// queue. No engine package may depend on one.
var shells = []string{"server", "room", "room/sqlstore", "internal/cli", "internal/loadtest", "cluster", "cmd/parley"}

// forbidden lists further edges the design rules out: the session engine
// is deterministic and needs no analysis.
var forbidden = map[string][]string{
	"session": {"analysis"},
}

// deps returns the module's packages pkg depends on (transitively).
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-json", module+pkg).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pkg, err)
	}
	var all []string
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p struct{ ImportPath string }
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if rest, ok := strings.CutPrefix(p.ImportPath, module); ok {
			all = append(all, rest)
		}
	}
	return all
}

// TestImportGraphIsOneWay: no engine package depends on a shell.
func TestImportGraphIsOneWay(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not available")
	}
	for _, pkg := range engine {
		d := deps(t, pkg)
		for _, s := range shells {
			if slices.Contains(d, s) {
				t.Errorf("engine package %s depends on the shell %s", pkg, s)
			}
		}
		for _, f := range forbidden[pkg] {
			if slices.Contains(d, f) {
				t.Errorf("%s depends on %s", pkg, f)
			}
		}
	}
}
