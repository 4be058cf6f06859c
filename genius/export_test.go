package genius

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/internal/refdata"
	"github.com/parley-negotiation/parley/scenario"
)

// stepsFramework has 8·8·10·10 = 6,400 packages on its options points and a
// real point of 21 levels: 134,400 packages.
func stepsFramework() *framework.Framework {
	opts := func(n int) []framework.Option {
		o := make([]framework.Option, n)
		for i := range o {
			o[i] = framework.Option{ID: string(rune('a' + i))}
			o[i].Label = o[i].ID
		}
		return o
	}
	return &framework.Framework{Name: "steps", Points: []framework.Point{
		{ID: "p1", Kind: framework.Options, Options: opts(8)},
		{ID: "p2", Kind: framework.Options, Options: opts(8)},
		{ID: "p3", Kind: framework.Options, Options: opts(10)},
		{ID: "p4", Kind: framework.Options, Options: opts(10)},
		{ID: "share", Kind: framework.Real, Min: 0, Max: 1, Steps: 21},
	}}
}

func packages(f *framework.Framework) int {
	n := 1
	for i := range f.Points {
		n *= f.Points[i].Levels()
	}
	return n
}

// Issue 14: the steps of a real point were dropped on export to GENIUS
// (134,400 packages came back as 70,400).
func TestWriteDomainKeepsSteps(t *testing.T) {
	f := stepsFramework()
	var b bytes.Buffer
	if err := WriteDomain(&b, f); err != nil {
		t.Fatal(err)
	}
	g, _, err := ReadDomain(&b, "domain.xml")
	if err != nil {
		t.Fatal(err)
	}
	if got := packages(g); got != 134400 {
		t.Errorf("re-imported domain has %d packages, want 134,400\n%s", got, b.String())
	}
}

// Issue 14: IS_BT_Acquisition has an option id with a trailing space;
// converting it to a scenario file failed citing a line of a file that was
// never written. It loads with the id trimmed (and a warning naming it), and
// converts.
func TestISBTAcquisitionToYAML(t *testing.T) {
	dir := filepath.Join(refdata.Dir(t, "genius", "domains"), "IS_BT_Acquisition")
	s, err := LoadDir(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !hasWarning(s.Warnings, `"BI-Tech founders get 5% + jobs "`, `"BI-Tech founders get 5% + jobs"`) {
		t.Errorf("no warning names the trimmed id: %q", s.Warnings)
	}
	out, err := scenario.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	back, err := scenario.Parse("is_bt.yaml", out)
	if err != nil {
		t.Fatal(err)
	}
	if packages(back.Framework) != 384 || !strings.Contains(string(out), `+ jobs"`) || strings.Contains(string(out), `+ jobs "`) {
		t.Errorf("round trip: %d packages\n%s", packages(back.Framework), out)
	}
}

// roundTrip exports s to format in a folder of dir, loads it back and
// checks what must survive: every point's kind (up to what Changed names)
// and levels, so the package count; for every party, the utilities of 300
// random packages within 1e-9 and the reservation (GENIUS: the effective
// one; GeniusWeb: the fallback's utility). It returns the export.
func roundTrip(t *testing.T, s *scenario.Scenario, format, dir string) *Export {
	t.Helper()
	var back *scenario.Scenario
	var x *Export
	if format == "yaml" {
		out, err := scenario.Marshal(s)
		if err != nil {
			t.Fatalf("yaml: %v", err)
		}
		if back, err = scenario.Parse("back.yaml", out); err != nil {
			t.Fatalf("yaml: %v", err)
		}
	} else {
		var err error
		if x, err = ExportScenario(s, format); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		out := filepath.Join(dir, format)
		if err := x.WriteDir(out, false); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if back, err = LoadDir(out, nil); err != nil {
			t.Fatalf("%s: reading back: %v", format, err)
		}
	}
	f, g := s.Framework, back.Framework
	if len(f.Points) != len(g.Points) {
		t.Fatalf("%s: %d points, want %d", format, len(g.Points), len(f.Points))
	}
	count := func(f *framework.Framework) float64 {
		n := 1.0
		for i := range f.Points {
			n *= float64(f.Points[i].Levels())
		}
		return n
	}
	if count(f) != count(g) {
		t.Errorf("%s: %g packages, want %g", format, count(g), count(f))
	}
	for i := range f.Points {
		a, b := &f.Points[i], &g.Points[i]
		if a.ID != b.ID || a.Levels() != b.Levels() {
			t.Errorf("%s: point %q (%d levels) came back as %q (%d levels)", format, a.ID, a.Levels(), b.ID, b.Levels())
		}
		if a.Kind != b.Kind && (x == nil || !hasWarning(x.Changed, fmt.Sprintf("point %q", a.ID))) {
			t.Errorf("%s: point %q: %v came back as %v, and Changed does not say so", format, a.ID, a.Kind, b.Kind)
		}
		if a.Kind == framework.Options && b.Kind == framework.Options {
			for j := range a.Options {
				if a.Options[j].ID != b.Options[j].ID {
					t.Errorf("%s: point %q option %d: %q came back as %q", format, a.ID, j, a.Options[j].ID, b.Options[j].ID)
				}
			}
		}
	}
	rng := rand.New(rand.NewPCG(14, uint64(len(f.Points))))
	pkgs := make([]framework.Package, 300)
	for k := range pkgs {
		pkgs[k] = framework.NewPackage(len(f.Points))
		for i := range f.Points {
			pkgs[k][i] = rng.IntN(f.Points[i].Levels())
		}
	}
	profiled := s.Profiled()
	if len(back.Profiled()) != len(profiled) {
		t.Fatalf("%s: %d profiles came back, want %d", format, len(back.Profiled()), len(profiled))
	}
	for _, p := range profiled {
		q := back.Party(p.ID)
		if q == nil || q.Profile == nil {
			t.Errorf("%s: party %q did not come back", format, p.ID)
			continue
		}
		tp, tq := compile(t, f, p.Profile), compile(t, g, q.Profile)
		for _, pkg := range pkgs {
			if a, b := tp.Utility(pkg), tq.Utility(pkg); math.Abs(a-b) > 1e-9 {
				t.Errorf("%s: party %q: utility of %v is %v, want %v", format, p.ID, pkg, b, a)
				break
			}
		}
		if format == FormatGeniusWeb {
			if (p.Profile.Fallback == nil) != (q.Profile.Fallback == nil) ||
				p.Profile.Fallback != nil && math.Abs(tp.Utility(p.Profile.Fallback)-tq.Utility(q.Profile.Fallback)) > 1e-9 {
				t.Errorf("%s: party %q: fallback %v came back as %v", format, p.ID, p.Profile.Fallback, q.Profile.Fallback)
			}
		}
		// Both formats keep the effective reservation and the discount
		// (GeniusWeb as NegMAS's reserved_value and discount_factor).
		switch {
		case tp.HasReservation != tq.HasReservation || math.Abs(tp.Reservation-tq.Reservation) > 1e-9:
			t.Errorf("%s: party %q: reservation %v %v came back as %v %v", format, p.ID, tp.HasReservation, tp.Reservation, tq.HasReservation, tq.Reservation)
		case p.Profile.DiscountFactor() != q.Profile.DiscountFactor():
			t.Errorf("%s: party %q: discount %v came back as %v", format, p.ID, p.Profile.DiscountFactor(), q.Profile.DiscountFactor())
		}
		// What the profile has and the format cannot hold is reported.
		if x == nil {
			continue
		}
		pr := p.Profile
		for _, c := range []struct {
			has  bool
			what string
		}{
			{len(pr.RedLines) > 0, "red line"},
			{pr.Uncertainty != nil, "uncertainty"},
			{format == FormatGenius && pr.Fallback != nil, "fallback"},
		} {
			if c.has && !hasWarning(x.LeftOut, fmt.Sprintf("party %q", p.ID), c.what) {
				t.Errorf("%s: party %q: its %s is not reported as left out: %q", format, p.ID, c.what, x.LeftOut)
			}
		}
	}
	return x
}

// Issue 14: every shared GENIUS domain (and the built-in scenarios)
// converts to a scenario file, a GENIUS folder and a GeniusWeb folder and
// back with its packages and utilities; what each export leaves out or
// changes is logged.
func TestExportRoundTrip(t *testing.T) {
	type input struct {
		name string
		s    *scenario.Scenario
	}
	var inputs []input
	for _, b := range scenario.BuiltinNames() {
		s, err := scenario.Builtin(b)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, input{b, s})
	}
	if root := refdata.Root(); root != "" {
		dirs, err := filepath.Glob(filepath.Join(root, "genius", "domains", "*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range dirs {
			if st, err := os.Stat(d); err != nil || !st.IsDir() {
				continue
			}
			s, err := LoadDir(d, nil)
			if err != nil {
				t.Fatal(err)
			}
			inputs = append(inputs, input{filepath.Base(d), s})
		}
		if len(inputs) < 25+2 {
			t.Errorf("only %d inputs", len(inputs))
		}
	} else {
		t.Log("shared GENIUS data not found: built-in scenarios only")
	}
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, format := range []string{"yaml", FormatGenius, FormatGeniusWeb} {
				if format == FormatGeniusWeb && nonLinearScenario(in.s) {
					// Issue 17: GeniusWeb has no hyper-rectangle space.
					if _, err := ExportScenario(in.s, format); !errors.Is(err, ErrNonLinear) {
						t.Errorf("geniusweb export of interactions: %v, want ErrNonLinear", err)
					}
					continue
				}
				if format == FormatGenius && nonLinearScenario(in.s) {
					// Issue 17: interactions over an additive part (the
					// built-in Miami talks) have no GENIUS form and are
					// refused; GENIUS's own non-linear domains round-trip
					// (TestNonLinear10issues checks them bit for bit).
					if _, err := ExportScenario(in.s, format); errors.Is(err, ErrNonLinear) {
						if in.name == "NonLinear10issues" {
							t.Errorf("genius export of NonLinear10issues: %v", err)
						}
						t.Logf("genius: %v", err)
						continue
					}
				}
				x := roundTrip(t, in.s, format, dir)
				if x != nil && testing.Verbose() {
					t.Logf("%s: %d files; left out: %q; changed: %q", format, len(x.Files), x.LeftOut, x.Changed)
				}
			}
		})
	}
}

// Issue 14: an export that cannot be written leaves nothing behind, an
// existing folder is never mixed with a new export, and party ids that
// cannot name files are refused before anything is written.
func TestExportWritesAllOrNothing(t *testing.T) {
	s, err := scenario.Builtin("tiny-2p")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "sub", "w")
	x, err := ExportScenario(s, FormatGeniusWeb)
	if err != nil {
		t.Fatal(err)
	}
	// A file that cannot be created half-way: nothing is left.
	bad := *x
	bad.Files = append(append([]File(nil), x.Files...), File{Name: "bad\x00.json"})
	if err := bad.WriteDir(out, false); err == nil {
		t.Fatal("wrote a file named with a NUL")
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "sub")); len(entries) != 0 {
		t.Errorf("a failed export left %v behind", entries)
	}
	if err := x.WriteDir(out, false); err != nil {
		t.Fatal(err)
	}
	if err := x.WriteDir(out, false); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("second export into the same folder: %v", err)
	}
	// Replacing: the old export goes as a whole.
	os.WriteFile(filepath.Join(out, "stale.json"), []byte("{}"), 0o644)
	if err := x.WriteDir(out, true); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "stale.json")); err == nil {
		t.Error("replacing kept a file of the old folder")
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "sub"))
	if len(entries) != 1 {
		t.Errorf("temporary folders left: %v", entries)
	}
	// Never replace a folder that holds what no export writes.
	os.WriteFile(filepath.Join(out, "notes.txt"), []byte("mine"), 0o644)
	if err := x.WriteDir(out, true); err == nil || !strings.Contains(err.Error(), "notes.txt") {
		t.Errorf("replaced a folder holding notes.txt: %v", err)
	}

	for _, c := range []struct{ id, want string }{
		{"domain", "domain.json"},
		{"a/b", "without folders"},
		{"North", "differ only in case"},
	} {
		t2 := *s
		t2.Parties = append([]scenario.Party(nil), s.Parties...)
		if c.id == "North" {
			t2.Parties[1].ID = "North"
		} else {
			t2.Parties[0].ID = c.id
		}
		t2.Decision.Vetoes, t2.Decision.Ratification, t2.Format.NoDirect = nil, nil, nil
		if err := t2.Validate(); err != nil {
			t.Fatalf("%q: %v", c.id, err)
		}
		_, err := ExportScenario(&t2, FormatGeniusWeb)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), fmt.Sprintf("%q", c.id)) {
			t.Errorf("party %q: %v", c.id, err)
		}
	}
}

// LoadDir reads GeniusWeb folders too (JSON files only): the reference
// folders name the domain <name>.json and the profiles <name>N.json.
func TestLoadDirGeniusWeb(t *testing.T) {
	dir := filepath.Join(refdata.Dir(t, "genius", "reference", "geniusweb-json"), "Fitness")
	s, err := LoadDir(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Framework.Points) != 5 || len(s.Parties) != 2 || s.Parties[0].ID != "fitness1" || s.Parties[1].Profile.Fallback == nil {
		t.Errorf("fitness: %d points, parties %+v", len(s.Framework.Points), s.Parties)
	}
	s, err = LoadDir(dir, []string{"fitness2"})
	if err != nil || len(s.Parties) != 1 || s.Parties[0].ID != "fitness2" {
		t.Errorf("fitness2 alone: %v %+v", err, s)
	}
	if _, err := LoadDir(dir, []string{"fitness"}); err == nil || !strings.Contains(err.Error(), "not a GeniusWeb LinearAdditiveUtilitySpace profile") {
		t.Errorf("the domain named as a profile: %v", err)
	}
}
