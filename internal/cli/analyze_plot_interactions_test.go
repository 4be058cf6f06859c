package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/chart"
	"github.com/parley-negotiation/parley/plot/plottest"
)

// TestAnalyzePlotInteractions: issue 17 — `parley analyze --svg` on a
// scenario with interactions (the built-in Miami one) marks the very
// example packages its report lists as entering and leaving the zone
// because of them, at their utilities with the interactions; an additive
// scenario's plot has no such marker.
func TestAnalyzePlotInteractions(t *testing.T) {
	dir := t.TempDir()
	svg := filepath.Join(dir, "miami.svg")
	code, out, errOut := run("", "analyze", "-q", "--json", "--svg", svg, "--plot-parties", "russia,ukraine", "miami-2025")
	if code != 0 {
		t.Fatalf("parley analyze: exit %d: %s", code, errOut)
	}
	var rep struct {
		Effects *analysis.InteractionEffects `json:"interaction_effects"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Effects == nil || len(rep.Effects.Entering) == 0 || len(rep.Effects.Leaving) == 0 {
		t.Fatalf("miami-2025: effects %+v; want examples entering and leaving", rep.Effects)
	}
	b, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	d, err := plottest.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	at := func(u []float64) string {
		s := make([]string, len(u))
		for i, v := range u {
			s[i] = strconv.FormatFloat(v, 'g', 8, 64)
		}
		return strings.Join(s, " ")
	}
	for _, c := range []struct {
		name string
		want []analysis.PackageEffect
	}{{chart.EnteringName, rep.Effects.Entering}, {chart.LeavingName, rep.Effects.Leaving}} {
		g := d.Markers(c.name)
		if len(g) != len(c.want) {
			t.Fatalf("%d markers %q, want the report's %d examples", len(g), c.name, len(c.want))
		}
		for i, pe := range c.want {
			if g[i].Data["at"] != at(pe.With) {
				t.Errorf("%q %d at %q, want the report's utilities with the interactions %q", c.name, i, g[i].Data["at"], at(pe.With))
			}
		}
	}
	m := rep.Effects.Moves
	n := func(v uint64) string { return group(strconv.FormatUint(v, 10)) }
	note := "of " + n(m.Examined) + " packages drawn at random, " + n(m.Entering) + " enter the agreement zone and " + n(m.Leaving) + " leave it"
	if m.Exact {
		note = "of all " + n(m.Examined) + " packages, " + n(m.Entering) + " enter the agreement zone and " + n(m.Leaving) + " leave it"
	}
	for _, want := range []string{"The profiles have interactions", note} {
		if !strings.Contains(strings.Join(d.Texts, " "), want) {
			t.Errorf("the subtitle lacks %q: %q", want, d.Texts)
		}
	}

	plain := filepath.Join(dir, "tiny.svg")
	if code, _, errOut := run("", "analyze", "-q", "--svg", plain, "tiny-2p"); code != 0 {
		t.Fatalf("parley analyze tiny-2p: exit %d: %s", code, errOut)
	}
	if b, err = os.ReadFile(plain); err != nil {
		t.Fatal(err)
	}
	if d, err = plottest.Parse(b); err != nil {
		t.Fatal(err)
	}
	if len(d.Markers(chart.EnteringName))+len(d.Markers(chart.LeavingName)) != 0 || strings.Contains(strings.Join(d.Texts, " "), "interactions") {
		t.Error("an additive scenario's plot speaks of interactions")
	}
}
