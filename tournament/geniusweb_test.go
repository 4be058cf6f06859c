package tournament

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/parley-negotiation/parley/genius"
	"github.com/parley-negotiation/parley/scenario"
)

// Issue 16: a GeniusWeb folder is accepted wherever a GENIUS folder is:
// resolved (max_parties keeps the first profiles by file name), recorded
// with its profile files (.json) and loaded back from the reference with
// the same digest.
func TestResolveGeniusWebFolder(t *testing.T) {
	dir := t.TempDir()
	s, err := scenario.Builtin("miami-2025")
	if err != nil {
		t.Fatal(err)
	}
	// GeniusWeb has no non-additive space: the export refuses interactions
	// (issue 17), so the additive part of the Miami profiles is exported.
	for i := range s.Parties {
		if s.Parties[i].Profile != nil {
			s.Parties[i].Profile.Interactions = nil
		}
	}
	x, err := genius.ExportScenario(s, genius.FormatGeniusWeb)
	if err != nil {
		t.Fatal(err)
	}
	web := filepath.Join(dir, "miami-web")
	if err := x.WriteDir(web, false); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "t.yaml")
	cfg := "agents: [boulware, linear]\nscenarios:\n  - genius: miami-web\n    max_parties: 2\n"
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	if len(c.Scenarios) != 1 {
		t.Fatalf("%d scenarios", len(c.Scenarios))
	}
	ref := c.Scenarios[0].Ref
	if len(ref.Profiles) != 2 || filepath.Ext(ref.Profiles[0]) != ".json" {
		t.Fatalf("profiles %q, want two .json files", ref.Profiles)
	}
	back, err := LoadScenario(ref)
	if err != nil {
		t.Fatalf("loading the reference back: %v", err)
	}
	if n := len(back.Principals()); n != 2 {
		t.Errorf("%d parties, want 2", n)
	}
}
