package genius

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/parley-negotiation/parley/framework"
)

// testdata/NegmasEdges is negmasEdgeScenario exported by Parley to GENIUS,
// read by NegMAS (Scenario.from_genius_folder) and written back by NegMAS
// (to_genius_folder): integer issues as item tables, real issues without
// <range>, evaluations not divided by their maximum, <objective
// name="any">. The utilities are NegMAS's own (ufun(outcome)).
func TestNegmasWrittenFolder(t *testing.T) {
	s, err := LoadDir("testdata/NegmasEdges", nil)
	if err != nil {
		t.Fatal(err)
	}
	f := s.Framework
	// Integer issues given as item tables become options points.
	for _, c := range []struct {
		id   string
		kind framework.Kind
	}{{"qty", framework.Options}, {"late", framework.Options}, {"size", framework.Real}, {"colour", framework.Options}} {
		i := f.PointIndex(c.id)
		if i < 0 || f.Points[i].Kind != c.kind {
			t.Errorf("point %q: want kind %v, got %+v", c.id, c.kind, f.Points)
		}
	}
	if !hasWarning(s.Warnings, `integer issue "qty" is an item table`) {
		t.Errorf("no warning for the tabled integer issue: %q", s.Warnings)
	}
	for _, c := range []struct {
		party string
		vals  [2][]any
		want  [2]float64
		res   float64
	}{
		{"alice", [2][]any{{"green", "5", "20", "3", "4", "-1", 0.25}, {"blue", "9", "40", "10", "1", "3", 1.0}}, [2]float64{0.7652, 0.47}, 0.25},
		{"bob", [2][]any{{"green", "5", "20", "3", "4", "-1", 0.25}, {"blue", "9", "40", "10", "1", "3", 1.0}}, [2]float64{0.7983333333333332, 0.44499999999999995}, 0.63},
	} {
		p := s.Party(c.party)
		if p == nil {
			t.Fatalf("no party %q", c.party)
		}
		for k := range c.vals {
			u, err := utilityAt(f, p.Profile, c.vals[k])
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(u-c.want[k]) > 1e-12 {
				t.Errorf("%s: utility of %v is %v, NegMAS's %v", c.party, c.vals[k], u, c.want[k])
			}
		}
		if r := p.Profile.Reservation; r == nil || math.Abs(*r-c.res) > 1e-12 {
			t.Errorf("%s: reservation %v, want %v", c.party, r, c.res)
		}
	}
	// alice's colour peaks at 1 as NegMAS wrote it: no warning that GENIUS
	// reads it otherwise; bob's peaks at 1 too.
	if hasWarning(s.Warnings, "alice.xml", "GENIUS reads this profile differently") {
		t.Errorf("unexpected GENIUS difference warning: %q", s.Warnings)
	}
}

// Reading a NegMAS-written profile alone against a framework whose issue is
// integer says to load the folder.
func TestTabledIntegerNeedsTheFolder(t *testing.T) {
	d, err := os.ReadFile("testdata/NegmasEdges/domain.xml")
	if err != nil {
		t.Fatal(err)
	}
	f, _, err := ReadDomain(strings.NewReader(string(d)), "domain.xml")
	if err != nil {
		t.Fatal(err)
	}
	fh, err := os.Open("testdata/NegmasEdges/alice.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	_, _, err = ReadProfile(fh, f, "alice.xml")
	if err == nil || !strings.Contains(err.Error(), "LoadDir") {
		t.Errorf("got %v, want an error pointing to LoadDir", err)
	}
}

// A GENIUS file whose discrete issue peaks below 1 (0.759) is divided by
// GENIUS and Parley, not by NegMAS: the warning says by how much NegMAS's
// utilities differ, exactly.
func TestWarnsWhereNegmasDiffers(t *testing.T) {
	dom := `<negotiation_template><utility_space><objective index="0" name="root">
<issue index="1" name="a" type="discrete"><item value="x"/><item value="y"/></issue>
<issue index="2" name="n" type="integer" lowerbound="8" upperbound="14"/>
</objective></utility_space></negotiation_template>`
	prof := `<utility_space><objective index="0" name="root">
<issue index="1" name="a" type="discrete"><item value="x" evaluation="0.759"/><item value="y" evaluation="0.2"/></issue>
<issue index="2" name="n" type="integer" lowerbound="8" upperbound="14"><evaluator ftype="linear" slope="0.1" offset="0.3"/></issue>
<weight index="1" value="0.5"/><weight index="2" value="0.5"/>
</objective></utility_space>`
	s, err := LoadFS(fstest.MapFS{"d.xml": {Data: []byte(dom)}, "p.xml": {Data: []byte(prof)}}, "w", nil)
	if err != nil {
		t.Fatal(err)
	}
	// a: NegMAS reads 0.759 and 0.2, GENIUS 1 and 0.2/0.759: Δ −0.241 or
	// −0.0317 (weight 0.5). n: NegMAS 0.1·x + 0.3, GENIUS
	// clamp01(0.1·(x − 8) + 0.3): Δ +0.8 at every x (weight 0.5). The
	// largest |Δ| over all packages: y with any n.
	want := 0.5*0.8 + 0.5*(0.2-0.2/0.759)
	b, ok := warnedBound(s.Warnings, "p.xml", "NegMAS reads this profile differently")
	if !ok {
		t.Fatalf("no warning: %q", s.Warnings)
	}
	if math.Abs(b-want) > 1e-3*want {
		t.Errorf("warned %v, want %v (%q)", b, want, s.Warnings)
	}
	if !hasWarning(s.Warnings, "by their peak", `"a" 0.759`, "ignoring the lower bound", `"n" 8`) {
		t.Errorf("warning does not say why: %q", s.Warnings)
	}
}

// FuzzLoadNegmasFolder feeds mutated NegMAS-written folders (profile and
// domain) to LoadFS: no panic, and what loads fits its framework and exports
// to GENIUS and GeniusWeb and back with the same utilities.
func FuzzLoadNegmasFolder(f *testing.F) {
	dir := "testdata/NegmasEdges"
	dom, err := os.ReadFile(filepath.Join(dir, "domain.xml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, n := range []string{"alice.xml", "bob.xml"} {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(dom, b)
	}
	f.Add([]byte(`<negotiation_template><utility_space><objective index="0" name="root"><issue index="1" name="n" type="integer" lowerbound="-2" upperbound="2"/><issue index="2" name="r" type="real"><range lowerbound="0" upperbound="1"/></issue></objective></utility_space></negotiation_template>`),
		[]byte(`<utility_space><objective index="1" name="any"><issue index="1" name="n" type="discrete"><item index="1" value="-2" evaluation="-0.5"/><item value="-1" evaluation="0"/><item value="0" evaluation="2"/><item value="1" evaluation="1"/><item value="2" evaluation="1"/></issue><issue index="2" name="r" type="real"><evaluator ftype="linear" parameter0="0.5" parameter1="0.7"/></issue><weight index="1" value="0.5"/><weight index="2" value="0.5"/><weight index="3" value="0.1"/></objective><reservation value="0.2"/></utility_space>`))
	f.Fuzz(func(t *testing.T, dom, prof []byte) {
		fsys := fstest.MapFS{"domain.xml": {Data: dom}, "p.xml": {Data: prof}}
		s, err := LoadFS(fsys, "fuzz", []string{"p.xml"})
		if err != nil {
			return
		}
		fw := s.Framework
		if totalLevels(fw) > 1<<12 {
			return
		}
		p := s.Party("p")
		if p == nil || p.Profile == nil {
			t.Fatalf("no party p: %+v", s.Parties)
		}
		if err := p.Profile.Check(fw); err != nil {
			t.Fatalf("accepted a profile that does not fit: %v", err)
		}
		for _, format := range []string{FormatGenius, FormatGeniusWeb} {
			x, err := ExportScenario(s, format)
			if err != nil {
				continue // ids a format cannot hold, said by the error
			}
			back := fstest.MapFS{}
			for _, fl := range x.Files {
				back[fl.Name] = &fstest.MapFile{Data: fl.Data}
			}
			s2, err := LoadFS(back, "back", nil)
			if err != nil {
				t.Fatalf("%s: reading the export back: %v", format, err)
			}
			q := s2.Party("p")
			if q == nil {
				t.Fatalf("%s: party p did not come back", format)
			}
			tp, err1 := p.Profile.Compile(fw)
			tq, err2 := q.Profile.Compile(s2.Framework)
			if err1 != nil || err2 != nil {
				t.Fatalf("%s: compile: %v %v", format, err1, err2)
			}
			for i := range tp.Contrib {
				for l := range tp.Contrib[i] {
					if a, b := tp.Contrib[i][l], tq.Contrib[i][l]; !relNearAbs(a, b) {
						t.Fatalf("%s: point %d level %d: %v vs %v", format, i, l, a, b)
					}
				}
			}
			if tp.HasReservation != tq.HasReservation || !relNearAbs(tp.Reservation, tq.Reservation) {
				t.Fatalf("%s: reservation %v %v vs %v %v", format, tp.HasReservation, tp.Reservation, tq.HasReservation, tq.Reservation)
			}
		}
	})
}

// relNearAbs is relNear with a floor of 1e-9 for values written pre-divided
// and re-multiplied.
func relNearAbs(a, b float64) bool {
	return relNear(a, b) || math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// The edge scenario (clamped linear, triangular and constant-above-1
// functions, scores peaking below 1, integer points away from 0) exports to
// both formats — nothing refused, nothing half-written — and reads back with
// the same utilities, reservation and discount; what changes form is in
// Changed.
func TestExportEdgesBothFormats(t *testing.T) {
	s := negmasEdgeScenario(t)
	for _, format := range []string{FormatGenius, FormatGeniusWeb} {
		x := roundTrip(t, s, format, t.TempDir())
		for _, id := range []string{"price", "temp", "days"} {
			if !hasWarning(x.Changed, fmt.Sprintf("point %q: written as a discrete issue", id)) {
				t.Errorf("%s: point %q: no Changed line: %q", format, id, x.Changed)
			}
		}
		kept := !hasWarning(x.Changed, `point "qty": written as a discrete issue`)
		if kept != (format == FormatGenius) {
			t.Errorf("%s: point qty kept numeric: %v, want %v (%q)", format, kept, format == FormatGenius, x.Changed)
		}
	}
}
