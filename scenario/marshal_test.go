package scenario

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// roundTrip checks Parse(MarshalFormat(s)) equals s in both formats, and
// that marshalling is stable.
func roundTrip(t testing.TB, s *Scenario) {
	t.Helper()
	for _, format := range []string{"yaml", "json"} {
		out, err := MarshalFormat(s, format)
		if err != nil {
			t.Fatalf("MarshalFormat(%s): %v", format, err)
		}
		back, err := Parse("roundtrip."+format, out)
		if err != nil {
			t.Fatalf("Parse(MarshalFormat(%s)): %v\n%s", format, err, out)
		}
		if !reflect.DeepEqual(back, s) {
			t.Fatalf("%s round trip changed the scenario:\n%s\ngot  %+v\nwant %+v", format, out, back, s)
		}
		again, err := MarshalFormat(back, format)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, out) {
			t.Fatalf("%s output not stable:\n%s\n---\n%s", format, out, again)
		}
	}
}

func TestRoundTripFixtures(t *testing.T) {
	for _, f := range goodFixtures(t) {
		t.Run(f, func(t *testing.T) {
			s, err := Load(f)
			if err != nil {
				t.Fatal(err)
			}
			roundTrip(t, s)
		})
	}
}

func TestRoundTripBuiltins(t *testing.T) {
	for _, name := range BuiltinNames() {
		t.Run(name, func(t *testing.T) {
			s, err := Builtin(name)
			if err != nil {
				t.Fatal(err)
			}
			roundTrip(t, s)
		})
	}
}

func TestMarshalKeyOrder(t *testing.T) {
	s, err := Load("testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	want := `parley: 1
name: minimal

points:
  - id: p
    options:
      - id: a
      - id: b

parties:
  - id: x
    role: principal

decision:
  rule: unanimity
  agreement: package

format:
  default: plenary
`
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

// TestMarshalBuiltInCode marshals a scenario built in code, with zero-value
// defaults and awkward strings, and checks what comes back.
func TestMarshalBuiltInCode(t *testing.T) {
	res := 1.0
	s := &Scenario{
		Name:   "code",
		Title:  "yes",
		Notice: "Line one\n  indented line\ttab\n\n",
		Framework: &framework.Framework{Name: "other", Points: []framework.Point{
			{ID: "opt: 1", Kind: framework.Options, Options: []framework.Option{{ID: "null"}, {ID: "7"}, {ID: "a, b", Clause: "ends without newline\nsecond"}}},
			{ID: "big", Kind: framework.Real, Min: -1e21, Max: 1e21, Steps: 3},
		}},
		Parties: []Party{{ID: "p", Role: Principal, Profile: &profile.Profile{
			Weights:     []float64{0.5, 0.5},
			Scores:      [][]float64{{0, 1e-9, 3}, nil},
			Funcs:       []*profile.ValueFunc{nil, {Kind: profile.Linear, Slope: 1e-21, Origin: -1e21}},
			Reservation: &res,
			Fallback:    framework.Package{1, 2},
		}}},
	}
	out, err := Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse("code.yaml", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// Normalisation: the framework takes the scenario's name, defaults are filled in.
	s.Framework.Name = "code"
	s.Version = FormatVersion
	s.Decision = Decision{Rule: Unanimity, Agreement: WholePackage}
	s.Format = Format{Default: Plenary}
	if !reflect.DeepEqual(back, s) {
		t.Errorf("got  %+v\nwant %+v\n%s", back, s, out)
	}
	for _, want := range []string{`title: "yes"`, `"opt: 1":`, `- id: "null"`, `- id: "7"`, `{min: -1.0e+21, max: 1.0e+21, steps: 3}`, "clause: |-\n"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestMarshalWeightsTotal(t *testing.T) {
	s, err := Load("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	// ukraine sums to 1: nothing written; russia and europe do not: any.
	if n := strings.Count(string(out), "weights_total: any"); n != 2 {
		t.Errorf("weights_total: any written %d times, want 2:\n%s", n, out)
	}
}

func TestMarshalErrors(t *testing.T) {
	if _, err := Marshal(nil); err == nil {
		t.Error("nil scenario marshalled")
	}
	s, err := Load("testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := MarshalFormat(s, "toml"); err == nil {
		t.Error("unknown format accepted")
	}
	s.Parties[0].Role = "boss"
	if _, err := Marshal(s); err == nil || !strings.Contains(err.Error(), "unknown role") {
		t.Errorf("invalid scenario: %v", err)
	}
	s.Parties[0].Role = Principal
	s.Parties[0].Estimate = "orphan"
	if _, err := Marshal(s); err == nil || !strings.Contains(err.Error(), "estimate without a profile") {
		t.Errorf("estimate without profile: %v", err)
	}
}
