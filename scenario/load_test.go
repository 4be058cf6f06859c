package scenario

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// goodFixtures are the valid files under testdata.
func goodFixtures(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, pat := range []string{"testdata/*.yaml", "testdata/*.json"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	if len(out) == 0 {
		t.Fatal("no fixtures")
	}
	return out
}

func TestGoodFixturesParse(t *testing.T) {
	for _, f := range goodFixtures(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			s, err := Load(f)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if err := s.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}

func TestFullFixtureModel(t *testing.T) {
	s, err := Load("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fw := s.Framework
	if got, want := len(fw.Points), 5; got != want {
		t.Fatalf("%d points, want %d", got, want)
	}
	if fw.Name != "full.example_1" || s.Version != 1 {
		t.Errorf("name %q version %d", fw.Name, s.Version)
	}
	if !strings.HasPrefix(s.Description, "First paragraph.\n\nSecond paragraph") {
		t.Errorf("description %q", s.Description)
	}
	terr := fw.Points[0]
	if terr.Kind != framework.Options || len(terr.Options) != 3 || terr.Options[2].ID != "1991" {
		t.Errorf("territory: %+v", terr)
	}
	// The folded scalar behind the anchor, and its alias.
	wantClause := "The line of contact is recognised as the de facto line.\n"
	if terr.Options[0].Clause != wantClause || fw.Points[4].Options[2].Clause != wantClause {
		t.Errorf("clauses %q / %q", terr.Options[0].Clause, fw.Points[4].Options[2].Clause)
	}
	if p := fw.Points[1]; p.Kind != framework.Integer || p.Min != 600 || p.Max != 900 || p.Levels() != 301 {
		t.Errorf("army: %+v", p)
	}
	if p := fw.Points[2]; p.Kind != framework.Real || p.Steps != 31 {
		t.Errorf("price: %+v", p)
	}
	if p := fw.Points[3]; p.Kind != framework.Real || p.Steps != 0 || p.Levels() != framework.DefaultRealSteps {
		t.Errorf("share: %+v", p)
	}

	ua := s.Party("ukraine").Profile
	if ua == nil || s.Party("ukraine").Estimate == "" {
		t.Fatal("ukraine has no profile or estimate")
	}
	if !reflect.DeepEqual(ua.Weights, []float64{0.3, 0.1, 0.2, 0.15, 0.25}) {
		t.Errorf("weights %v", ua.Weights)
	}
	if !reflect.DeepEqual(ua.Scores[0], []float64{2, 10, 9.5}) || ua.Scores[1] != nil || !reflect.DeepEqual(ua.Scores[4], []float64{0, 5, 10}) {
		t.Errorf("scores %v", ua.Scores)
	}
	if f := ua.Funcs[1]; f == nil || f.Kind != profile.Linear || f.Slope != 0.01 || f.Origin != 600 {
		t.Errorf("army function %+v (origin must default to min)", f)
	}
	if f := ua.Funcs[2]; f == nil || f.Kind != profile.Triangular || f.Low != 10 || f.Top != 25 || f.High != 40 || f.TopValue != 0.9 {
		t.Errorf("price function %+v", f)
	}
	if f := ua.Funcs[3]; f == nil || f.Kind != profile.Constant || f.Value != 0.5 {
		t.Errorf("share function %+v", f)
	}
	if ua.Funcs[0] != nil || ua.Funcs[4] != nil {
		t.Errorf("options points have functions")
	}
	if ua.Reservation == nil || *ua.Reservation != 0.4 {
		t.Errorf("reservation %v", ua.Reservation)
	}
	// price "12.5" snaps to the nearest of 31 levels on [10, 40]: 13 (level 3);
	// share 0.3 is level 3 of 11 on [0, 1].
	if want := (framework.Package{0, 200, 3, 3, 0}); !reflect.DeepEqual(ua.Fallback, want) {
		t.Errorf("fallback %v, want %v", ua.Fallback, want)
	}
	wantRL := []profile.RedLine{
		{Terms: []profile.Term{{Point: 0, Levels: []int{2}}}, Reason: "Constitution forbids ceding territory."},
		{Terms: []profile.Term{{Point: 1, Levels: []int{0, 1}}, {Point: 4, Levels: []int{0}}}},
		{Terms: []profile.Term{{Point: 2, Levels: []int{0, 30}}}},
	}
	if !reflect.DeepEqual(ua.RedLines, wantRL) {
		t.Errorf("red lines %+v", ua.RedLines)
	}
	if ua.Discount != 0.9 {
		t.Errorf("discount %v", ua.Discount)
	}
	u := ua.Uncertainty
	if u == nil || len(u.Weights) != 5 || *u.Weights[0] != (profile.Interval{Lo: 0.25, Hi: 0.4}) || u.Weights[2] != nil ||
		len(u.Scores) != 5 || *u.Scores[0][0] != (profile.Interval{Lo: 1, Hi: 4}) || u.Scores[0][1] != nil || u.Scores[4] != nil ||
		*u.Reservation != (profile.Interval{Lo: 0.3, Hi: 0.5}) {
		t.Errorf("uncertainty %+v", u)
	}

	ru := s.Party("russia").Profile
	if ru.Scale != profile.ScaleAbsolute || *ru.Reservation != 6.5 || ru.Funcs[1].Origin != 650 {
		t.Errorf("russia %+v", ru)
	}
	if eu := s.Party("europe").Profile; eu.Uncertainty == nil || eu.Uncertainty.Weights != nil {
		t.Errorf("europe uncertainty %+v", eu.Uncertainty)
	}
	if s.Party("us").Profile != nil || s.Party("us").Role != Mediator || s.Party("turkey").Role != Guarantor {
		t.Errorf("us/turkey %+v %+v", s.Party("us"), s.Party("turkey"))
	}
	if got := len(s.Principals()); got != 3 {
		t.Errorf("%d principals", got)
	}
	wantDec := Decision{
		Rule: Quorum, Quorum: 2, Vetoes: []string{"ukraine"}, Agreement: Provisional,
		Ratification: []RatificationStep{
			{ID: "rada", Party: "ukraine", Body: "Verkhovna Rada", Kind: "parliament", Condition: "After signature."},
			{Party: "ukraine", Body: "Nationwide vote", Kind: "referendum", After: &[]string{"rada"}},
			{Party: "russia", Body: "Federal Assembly", Kind: "other", After: &[]string{}},
		},
	}
	if !reflect.DeepEqual(s.Decision, wantDec) {
		t.Errorf("decision %+v", s.Decision)
	}
	if want := (Format{Default: Proximity, NoDirect: [][2]string{{"russia", "europe"}, {"russia", "ukraine"}}}); !reflect.DeepEqual(s.Format, want) {
		t.Errorf("format %+v", s.Format)
	}
}

func TestDefaults(t *testing.T) {
	s, err := Load("testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s.Decision.Rule != Unanimity || s.Decision.Agreement != WholePackage || s.Format.Default != Plenary {
		t.Errorf("defaults: %+v %+v", s.Decision, s.Format)
	}
	if s.Decision.Vetoes != nil || s.Format.NoDirect != nil || s.Warnings != nil {
		t.Errorf("empty lists should be nil: %+v %+v", s.Decision, s.Format)
	}
}

func TestJSONInput(t *testing.T) {
	fromJSON, err := Load("testdata/tiny.json")
	if err != nil {
		t.Fatal(err)
	}
	fromYAML, err := Load("testdata/tiny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromJSON, fromYAML) {
		t.Errorf("JSON and YAML forms differ:\n%+v\n%+v", fromJSON, fromYAML)
	}
	if got := fromJSON.Framework.Points[0].Options[1].Label; got != "UN équipe" {
		t.Errorf("JSON escape decoded as %q", got)
	}
}

// TestBadFixtures checks every problem of every file under testdata/bad is
// reported, at the right line and column, and nothing else.
func TestBadFixtures(t *testing.T) {
	tests := []struct {
		file string
		want []string // "LINE:COL: start of message"
	}{
		{"weight-above-1.yaml", []string{
			`13:20: weight 1.5 for point "territory" is above 1 (weights must be in [0,1] when weights_total is 1)`,
		}},
		{"weights-sum.yaml", []string{
			`10:7: weights sum to 0.9, declared weights_total is 1`,
			`16:7: weights sum to 110, declared weights_total is 100`,
			`18:20: reservation 120 is above weights_total 100`,
		}},
		{"unknown-option.yaml", []string{
			`15:9: scores: point "territory" has no score for option "full-withdrawal"`,
			`15:38: scores: point "territory" has no option "full-withdrawl" (options: contact-line, full-withdrawal, recognise-de-jure); did you mean "full-withdrawal"?`,
			`16:29: fallback: point "territory" has no option "contact-lines"`,
			`18:49: red line: point "territory" has no option "de-jure"`,
		}},
		{"unknown-keys.yaml", []string{
			`3:1: scenario: unknown key "titel" (expected parley, name, title,`,
			`6:5: point "a": unknown key "label"`,
			`8:17: point "a": option "x": unknown key "lable" (expected id, label or clause); did you mean "label"?`,
			`13:7: profile of party "p": unknown key "wieghts"`,
			`13:7: profile of party "p": missing key "weights"`,
			`16:3: decision: unknown key "rules"`,
			`17:1: scenario: unknown key "formats"`,
		}},
		{"syntax.yaml", []string{`6:1: YAML syntax: `}},
		{"syntax-indent.yaml", []string{`7:6: YAML syntax: `}},
		{"duplicates.yaml", []string{
			`5:29: point "a": option "x" is defined twice`,
			`6:5: point "a" is defined twice`,
			`10:10: party "p" is defined twice (first at line 9`,
			`12:15: decision: vetoes: party "p" listed twice`,
			`14:15: format: no_direct: pair [p, p] names the same party twice`,
		}},
		{"refs.yaml", []string{
			`14:43: weights: no point "zz" (points: a, n, r)`,
			`17:7: fallback: no level for point "r"`,
			`17:27: fallback: point "n" has no level 7 (expected an integer in 1..5)`,
			`19:25: red line: point "n" has no level 2.5`,
			`19:34: red line: point "r" has no level 1.5 (expected a number in [0, 1])`,
			`20:17: red line: when: expected at least one point`,
			`23:15: decision: vetoes: no party "qq" (parties: p, q); did you mean "q"?`,
			`25:15: ratification step: party: no party "rada"`,
			`27:19: format: no_direct: no party "nobody"`,
		}},
		{"interactions.yaml", []string{
			`18:21: interaction: point "a" has no option "z" (options: x, y); did you mean "x"?`,
			`18:24: interaction: no point "zz" (points: a, n, r)`,
			`20:17: interaction: when: expected at least one point, found an empty mapping`,
			`22:27: interaction: point "n" has no level 9 (expected an integer in 1..5)`,
			`23:18: interaction: value -2 is outside [-1, 1] (an interaction's value is a utility`,
			`25:18: interaction: value 1.5 is outside [-1, 1]`,
			`27:11: interaction: both when and unless given`,
			`29:11: interaction: missing key "when" (or "unless")`,
			`30:25: interaction: point "n": level 2 listed twice`,
			`30:32: interaction: point "r": range from 0.8 to 0.2 is empty (expected from ≤ to)`,
			`32:21: interaction: point "a" is an options point: a range {from, to} is for integer and real points`,
			`32:56: interaction: point "n" has no level 9`,
			`32:63: interaction: point "r": range: missing key "to"`,
			`34:21: interaction: point "n": expected at least one level, found an empty list`,
			`35:18: interaction: value: expected a finite number, found .nan`,
			`36:11: interaction: missing key "value"`,
			`37:11: interaction: unknown key "lable" (expected when, unless, value or label); did you mean "label"?`,
		}},
		{"values.yaml", []string{
			`8:11: role: expected principal, mediator, guarantor or observer, found string "principle"; did you mean "principal"?`,
			`11:23: score -1 for option "x" of point "a" is negative`,
			`11:30: score of option "y" of point "a": expected a finite number, found .inf`,
			`12:20: reservation 1.2 is above weights_total 1`,
			`13:17: discount: expected a number, found string "high"`,
			`18:20: weight for point "a": expected a finite number, found .nan`,
			`19:23: score 2 for option "x" of point "a" is above 1 (with scale: absolute`,
			`20:20: reservation -0.1 is negative`,
			`22:9: decision: rule: expected unanimity or quorum, found string "majority"`,
			`25:12: format: default: expected plenary, bilateral, trilateral or proximity, found string "plenery"; did you mean "plenary"?`,
		}},
		{"quorum.yaml", []string{`11:11: decision: quorum 3 out of range (expected 1..2, the number of principals)`}},
		{"points.yaml", []string{
			`6:5: point "both": both options and integer given`,
			`7:5: point "none": no values: expected one of the keys options, integer or real`,
			`10:14: point "backwards": integer range min 5 > max 1`,
			`12:20: point "fractional": min: expected a whole number, found 0.5`,
			`14:35: point "steps": steps 1 out of range`,
			`16:14: point "empty": options: expected at least one option`,
			`18:14: point "huge": integer range 0..2000000 has 2000001 values (at most 1048576)`,
			`19:9: point id " padded" starts or ends with white space`,
		}},
		{"version.yaml", []string{`1:9: parley: format version 2 is not supported (expected 1)`}},
		{"missing.yaml", []string{
			`1:1: scenario: missing key "name"`,
			`1:1: scenario: missing key "points"`,
			`4:5: party "p": missing key "role"`,
			`5:5: party: missing key "id"`,
		}},
		{"types.yaml", []string{
			`3:8: title: expected a string, found a mapping`,
			`5:9: point id: expected a string, found number 1 (quote it: "1")`,
			`6:20: option id: expected a string, found boolean true`,
			`8:14: point "p2": options: expected a list, found a mapping`,
			`9:10: parties: expected a list, found string "p"`,
		}},
		{"functions.yaml", []string{
			`17:27: scores: point "n" is an integer point`,
			`18:7: functions: no value function for point "s"`,
			`19:9: functions: point "a" is an options point`,
			`20:25: function of point "n": triangular low 5, top 2, high 8 (expected low ≤ top ≤ high)`,
			`21:12: function of point "r": expected exactly one of linear, triangular or constant, found 2`,
		}},
		{"uncertainty.yaml", []string{
			`16:22: uncertainty: weight of point "a": interval [0.6, 0.4] has low > high`,
			`16:37: uncertainty: weight of point "n": expected an interval [low, high], found a list of 1`,
			`17:22: uncertainty: scores: point "a" has no option "z"`,
			`17:34: uncertainty: scores: point "n" is an integer point`,
			`18:22: uncertainty: reservation: interval [0.5, 1.5] goes above 1`,
		}},
		{"yaml-features.yaml", []string{
			`3:8: YAML tag !!str: tags are not supported`,
			`9:11: alias *undefined refers to no anchor defined before it`,
			`10:5: party: merge keys (<<) are not supported`,
			`10:5: party: missing key "id"`,
		}},
		{"two-docs.yaml", []string{
			`1:1: scenario: missing key "points"`,
			`1:1: scenario: missing key "parties"`,
			`4:1: a second YAML document: a scenario file holds exactly one`,
		}},
		{"json-error.json", []string{`5:77: weight 2 for point "a" is above 1`}},
		{"empty.yaml", []string{`: empty file: expected a mapping`}},
		{"not-a-mapping.yaml", []string{`1:1: scenario: expected a mapping, found a list`}},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			path := "testdata/bad/" + tt.file
			s, err := Load(path)
			if err == nil {
				t.Fatalf("Load succeeded: %+v", s)
			}
			if s != nil {
				t.Errorf("Load returned a scenario with its error")
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %T is not an ErrorList: %v", err, err)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Errorf("got %d problems, want %d:\n%v", len(lines), len(tt.want), err)
			}
			for _, w := range tt.want {
				prefix := path + ":" + w
				if strings.HasPrefix(w, ":") {
					prefix = path + w
				}
				found := false
				for _, l := range lines {
					found = found || strings.HasPrefix(l, prefix)
				}
				if !found {
					t.Errorf("missing %q in:\n%v", prefix, err)
				}
			}
			for _, e := range list {
				if e.File != path {
					t.Errorf("error names file %q, want %q", e.File, path)
				}
			}
		})
	}
	files, _ := filepath.Glob("testdata/bad/*")
	for _, f := range files {
		if !covered[filepath.Base(f)] {
			t.Errorf("fixture %s has no expectations in this table", f)
		}
	}
}

func TestErrorPositionsAreExported(t *testing.T) {
	_, err := Load("testdata/bad/weight-above-1.yaml")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("errors.As(*Error) failed on %v", err)
	}
	if e.Line != 13 || e.Col != 20 || !strings.HasPrefix(e.Msg, "weight 1.5") {
		t.Errorf("got %+v", e)
	}
	if got := (&Error{File: "f", Msg: "m"}).Error(); got != "f: m" {
		t.Errorf("position-less error formats as %q", got)
	}
}

func TestTooManyErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString("parley: 1\nname: many\npoints:\n  - id: p\n    options: [{id: x}]\nparties:\n")
	for i := 0; i < 80; i++ {
		b.WriteString("  - {id: p" + strings.Repeat("x", i) + ", role: nobody}\n")
	}
	_, err := Parse("many.yaml", []byte(b.String()))
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("got %v", err)
	}
	if len(list) != MaxErrors+1 {
		t.Fatalf("%d errors, want %d + 1", len(list), MaxErrors)
	}
	if last := list[len(list)-1]; last.Line != 0 || !strings.Contains(last.Msg, "too many problems: checking stopped after the first 50") {
		t.Errorf("last error %v", last)
	}
}

func TestLimits(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string
	}{
		{"deep-flow", "a: " + strings.Repeat("[", 200) + strings.Repeat("]", 200), "x.yaml:1:1: collections nested more than 100 deep"},
		{"deep-block", strings.Repeat("- ", 200) + "x", "x.yaml:1:1: collections nested more than 100 deep"},
		{"many-keys", strings.Repeat("k: v\n", MaxKeys+1), "x.yaml:10001:1: more than 10000 keys in one mapping"},
		{"utf8", "parley: 1\nname: \xff\n", "x.yaml:2:7: invalid UTF-8"},
		{"alias-bomb", aliasBomb(), "aliases expand to more than"},
		{"self-alias", "parley: 1\nname: x\npoints: &a [*a]\n", "alias *a refers to no anchor defined before it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
	big := make([]byte, MaxFileSize+1)
	if _, err := Parse("big.yaml", big); err == nil || !strings.Contains(err.Error(), "larger than the 16 MiB limit") {
		t.Errorf("big input: %v", err)
	}
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, big, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "larger than the 16 MiB limit") {
		t.Errorf("big file: %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || isList(err) {
		t.Errorf("missing file: want an I/O error, got %v", err)
	}
}

func isList(err error) bool {
	var l ErrorList
	return errors.As(err, &l)
}

// aliasBomb is a billion-laughs document: each level doubles ten times.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("parley: 1\nname: bomb\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 8; i++ {
		prev := "*a" + string(rune('0'+i-1))
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		b.WriteString(strings.TrimSuffix(strings.Repeat(prev+", ", 10), ", "))
		b.WriteString("]\n")
	}
	b.WriteString("points: [*a7]\nparties: [{id: p, role: principal}]\n")
	return b.String()
}

func TestBOMAndCRLF(t *testing.T) {
	data, err := os.ReadFile("testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Parse("m.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	crlf := strings.ReplaceAll(string(data), "\n", "\r\n")
	got, err := Parse("m.yaml", append([]byte("\ufeff"), crlf...))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("BOM/CRLF changed the result")
	}
}

// TestFormatDocExample keeps docs/scenario-format.md true: its example file
// must load, round-trip and satisfy the schema.
func TestFormatDocExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/scenario-format.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```yaml\n")
	if !ok {
		t.Fatal("no ```yaml block in docs/scenario-format.md")
	}
	example, _, ok := strings.Cut(rest, "```\n")
	if !ok {
		t.Fatal("unterminated ```yaml block")
	}
	s, err := Parse("scenario-format.md", []byte(example))
	if err != nil {
		t.Fatalf("the example in docs/scenario-format.md does not load:\n%v", err)
	}
	roundTrip(t, s)
	v, err := jsonValue(t, []byte(example))
	if err != nil {
		t.Fatal(err)
	}
	if err := compileSchema(t).Validate(v); err != nil {
		t.Errorf("schema rejects the documented example: %v", err)
	}
}
