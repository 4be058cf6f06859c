package chart_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/chart"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/plot"
	"github.com/parley-negotiation/parley/plot/plottest"
	"github.com/parley-negotiation/parley/scenario"
)

// interactionsYAML is smallYAML whose north and south have interactions
// that move packages into the zone and out of it.
var interactionsYAML = strings.Replace(strings.Replace(smallYAML,
	"      functions: {buffer: {linear: {slope: -0.3, offset: 1}}}\n",
	"      functions: {buffer: {linear: {slope: -0.3, offset: 1}}}\n"+
		"      interactions:\n"+
		"        - when: {monitors: joint, amnesty: yes}\n          value: -0.5\n"+
		"        - when: {monitors: un, amnesty: yes}\n          value: -0.5\n", 1),
	"      functions: {buffer: {linear: {slope: 0.3}}}\n",
	"      functions: {buffer: {linear: {slope: 0.3}}}\n"+
		"      interactions:\n"+
		"        - when: {monitors: joint, buffer: {from: 0, to: 1}}\n          value: 0.4\n", 1)

// interacting is the interactions scenario with its analysis and the
// interactions' effects.
func interacting(t *testing.T) (*scenario.Scenario, *analysis.Space, *analysis.Report, *analysis.InteractionEffects) {
	t.Helper()
	sc, err := scenario.Parse("small.yaml", []byte(interactionsYAML))
	if err != nil {
		t.Fatal(err)
	}
	space, err := analysis.FromScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	if !analysis.HasInteractions(space) {
		t.Fatal("the scenario has no interactions")
	}
	o := analysis.Options{Seed: 1}
	rep, err := analysis.Analyze(space, o)
	if err != nil {
		t.Fatal(err)
	}
	e, err := analysis.CompareInteractions(context.Background(), space, rep, o, analysis.DefaultEffectExamples)
	if err != nil {
		t.Fatal(err)
	}
	return sc, space, rep, e
}

// TestUtilitySpaceInteractions: issue 17 — the plot of a space with
// interactions marks the example packages that enter the zone because of
// them ("+") and those that leave it ("×"), each at its utilities with
// the interactions, exactly those of the effects given, and its note
// says that the profiles have interactions and how many packages move.
func TestUtilitySpaceInteractions(t *testing.T) {
	sc, space, rep, e := interacting(t)
	if len(e.Entering) == 0 || len(e.Leaving) == 0 {
		t.Fatalf("the test scenario moves %d examples in and %d out; want some of each", len(e.Entering), len(e.Leaving))
	}
	plain, err := analysis.WithoutInteractions(space)
	if err != nil {
		t.Fatal(err)
	}
	u, err := chart.UtilitySpace(context.Background(), chart.SpaceInput{Scenario: sc, Space: space, Report: rep, Seed: 1, Effects: e})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		kind, name string
		want       []analysis.PackageEffect
		inZone     bool
	}{{"enters-zone", chart.EnteringName, e.Entering, true}, {"leaves-zone", chart.LeavingName, e.Leaving, false}} {
		m := markers(u, c.kind, false)
		if len(m) != len(c.want) {
			t.Fatalf("%d %s markers, want the %d examples", len(m), c.kind, len(c.want))
		}
		for i, pe := range c.want {
			// At the package's utilities with the interactions, computed
			// again here from the package.
			if got := space.Utilities(pe.Package); !reflect.DeepEqual(m[i].At, got) || m[i].Name != c.name {
				t.Errorf("%s %d: %q at %v, want %q at %v (package %v)", c.kind, i, m[i].Name, m[i].At, c.name, got, pe.Package)
			}
			if space.Acceptable(pe.Package) != c.inZone || plain.Acceptable(pe.Package) == c.inZone {
				t.Errorf("%s %d: package %v in the zone with the interactions %v, without %v", c.kind, i, pe.Package, space.Acceptable(pe.Package), plain.Acceptable(pe.Package))
			}
			for id, lv := range pe.IDs {
				if !strings.Contains(m[i].Tip, id+"="+lv) {
					t.Errorf("%s %d: tooltip %q lacks %s=%s", c.kind, i, m[i].Tip, id, lv)
				}
			}
		}
	}
	if want := []string{"The profiles have interactions", "of all 24 packages,"}; !strings.Contains(u.Note, want[0]) || !strings.Contains(u.Note, want[1]) {
		t.Errorf("note %q, want %q", u.Note, want)
	}
	// The moves, counted here over the 24 packages.
	var in, out int
	analysis.Enumerate(sc.Framework.Radix(), func(p framework.Package) bool {
		with, without := space.Acceptable(p), plain.Acceptable(p)
		if with && !without {
			in++
		}
		if without && !with {
			out++
		}
		return true
	})
	if want := fmt.Sprintf("%d enter the agreement zone and %d leave it", in, out); in == 0 || out == 0 || !strings.Contains(u.Note, want) {
		t.Errorf("note %q lacks the moves %q", u.Note, want)
	}

	// The SVG: one marker group per example and panel, named as the
	// legend names them.
	var buf bytes.Buffer
	if err := plot.Write(&buf, "svg", u); err != nil {
		t.Fatal(err)
	}
	d, err := plottest.Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	panels := len(d.All("panel"))
	if g := d.Markers(chart.EnteringName); len(g) != panels*len(e.Entering) || g[0].Data["kind"] != "enters-zone" {
		t.Errorf("%d entering marker groups on %d panels, want %d", len(g), panels, panels*len(e.Entering))
	}
	if g := d.Markers(chart.LeavingName); len(g) != panels*len(e.Leaving) || g[0].Data["kind"] != "leaves-zone" {
		t.Errorf("%d leaving marker groups on %d panels, want %d", len(g), panels, panels*len(e.Leaving))
	}
	texts := strings.Join(d.Texts, " ")
	for _, s := range []string{chart.EnteringName, chart.LeavingName, "The profiles have interactions"} {
		if !strings.Contains(texts, s) {
			t.Errorf("the SVG lacks %q: %q", s, d.Texts)
		}
	}

	// Without effects: the note only; the rest as before.
	bare, err := chart.UtilitySpace(context.Background(), chart.SpaceInput{Scenario: sc, Space: space, Report: rep, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(markers(bare, "enters-zone", false))+len(markers(bare, "leaves-zone", false)) != 0 || !strings.Contains(bare.Note, "The profiles have interactions") || strings.Contains(bare.Note, "enter") {
		t.Errorf("without effects: markers %v, note %q", bare.Markers, bare.Note)
	}
	// The note on filled glyphs is the solutions' (a filled × is out of
	// the zone).
	if !strings.HasPrefix(u.HollowNote, "filled solutions: in the zone; hollow") {
		t.Errorf("hollow note %q", u.HollowNote)
	}
	u.Markers = u.Markers[:len(bare.Markers)]
	u.Note, u.HollowNote = bare.Note, bare.HollowNote
	if !reflect.DeepEqual(u, bare) {
		t.Error("the effects change more than their markers and the note")
	}
}

// TestUtilitySpaceAdditive: an additive space's plot is unchanged — no
// note on interactions, no effect markers, even given effects.
func TestUtilitySpaceAdditive(t *testing.T) {
	sc, space, rep := small(t)
	_, _, _, e := interacting(t)
	u, err := chart.UtilitySpace(context.Background(), chart.SpaceInput{Scenario: sc, Space: space, Report: rep, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	given, err := chart.UtilitySpace(context.Background(), chart.SpaceInput{Scenario: sc, Space: space, Report: rep, Seed: 1, Effects: e})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(u, given) || strings.Contains(u.Note, "interactions") {
		t.Errorf("additive space: effects change the plot, or the note %q speaks of interactions", u.Note)
	}
	for _, m := range u.Markers {
		if m.Kind == "enters-zone" || m.Kind == "leaves-zone" {
			t.Errorf("additive space: marker %+v", m)
		}
	}
}
