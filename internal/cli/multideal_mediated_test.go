package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/multideal"
)

// TestMultidealRunSingleText: --protocol single-text runs the threads
// under a mediator, the record says so and its logs verify; mediator flags
// without it, and a strategy that needs profiles without --mediator-sees
// full, are refused.
func TestMultidealRunSingleText(t *testing.T) {
	log := filepath.Join(t.TempDir(), "rec.json")
	code, out, errOut := run("", "multideal", "run", "miami-shuttle", "--protocol", "single-text", "--mediator", "hill", "--seed", "1", "--log", log)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "single-text, mediator hill") || !strings.Contains(out, "center utility") {
		t.Errorf("output:\n%s", out)
	}
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	var rec multideal.Record
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Params.Protocol != multideal.ProtocolSingleText || rec.Params.Mediator != "hill" {
		t.Errorf("params %+v", rec.Params)
	}
	for i := range rec.Threads {
		if j := multideal.VerifyThread(rec.Scenario, i, &rec.Threads[i]); j >= 0 {
			t.Errorf("thread %d: chain breaks at %d", i+1, j)
		}
	}
	if code, _, errOut := run("", "multideal", "run", "miami-shuttle", "--mediator", "hill"); code != 2 || !strings.Contains(errOut, "--protocol single-text") {
		t.Errorf("--mediator without the protocol: exit %d: %s", code, errOut)
	}
	if code, _, errOut := run("", "multideal", "run", "miami-shuttle", "--protocol", "single-text", "--mediator", "nash"); code == 0 || !strings.Contains(errOut, "--mediator-sees full") {
		t.Errorf("nash without access: exit %d: %s", code, errOut)
	}
	if code, out, errOut := run("", "multideal", "run", "miami-shuttle", "--protocol", "single-text", "--mediator", "nash", "--mediator-sees", "full"); code != 0 || !strings.Contains(out, "mediator nash (sees full)") {
		t.Errorf("nash with access: exit %d: %s%s", code, out, errOut)
	}
}
