package scenario

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// parseDeadline is far above what any fuzz input should take.
const parseDeadline = 10 * time.Second

// maxSeedSize bounds the files added as fuzz seeds.
const maxSeedSize = 8 << 10

// FuzzParse checks Parse never panics, reports problems as a well-formed
// ErrorList, and that whatever it accepts survives Marshal and Parse again
// unchanged, in YAML and in JSON. Seeds: testdata/fuzz/FuzzParse plus every
// fixture and built-in scenario of at most maxSeedSize bytes.
//
// The YAML parser takes about a millisecond per kilobyte, so minimising a
// new interesting input can hold a worker for the default 60 s, during which
// the exec counter stands still; -fuzzminimizetime 2s keeps the fuzzer
// exploring:
//
//	go test ./scenario -run '^$' -fuzz FuzzParse -fuzztime 5m -fuzzminimizetime 2s
func FuzzParse(f *testing.F) {
	var files []string
	for _, pat := range []string{"testdata/*.yaml", "testdata/*.json", "testdata/bad/*", "builtin/*.yaml"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		// Large files (the Miami scenario) make each execution and every
		// minimisation slow; the unit tests cover them.
		if len(data) <= maxSeedSize {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// A hang is a bug too: crash the worker so the fuzzer records the input.
		watchdog := time.AfterFunc(parseDeadline, func() {
			panic(fmt.Sprintf("Parse did not return within %v on %q", parseDeadline, data))
		})
		s, err := Parse("fuzz.yaml", data)
		watchdog.Stop()
		if err != nil {
			if s != nil {
				t.Fatal("Parse returned both a scenario and an error")
			}
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error is not a non-empty ErrorList: %T %v", err, err)
			}
			if len(list) > MaxErrors+1 {
				t.Fatalf("%d errors reported, limit %d", len(list), MaxErrors)
			}
			for _, e := range list {
				if e.File != "fuzz.yaml" || e.Line < 0 || e.Col < 0 || (e.Line == 0) != (e.Col == 0) || e.Msg == "" {
					t.Fatalf("malformed error %#v", e)
				}
				if strings.HasPrefix(e.Msg, validateFailed) || strings.HasPrefix(e.Msg, "a value is missing") {
					t.Fatalf("the loader's checks missed a problem: %v", e)
				}
			}
			return
		}
		roundTrip(t, s)
	})
}

// FuzzMarshal builds a scenario in code around fuzzed strings and numbers
// (titles, clauses, ids, weights, ranges, an interaction) and checks that whenever Marshal
// accepts it, Parse gives back the same scenario, in YAML and JSON. It
// exercises the quoting and block-scalar rules of the writer, which parsed
// fuzz inputs rarely reach.
func FuzzMarshal(f *testing.F) {
	f.Add("Title", "Text\nwith lines\n", "p", "a", "b", 0.25, 0.5, 0.75, uint8(0))
	f.Add("yes", "  leading\n\ttab\n\n", "1", "null", "~", 1e21, -1e-7, 3.0, uint8(2))
	f.Add("a: b #c", "- x\n---\n...\n", "x, y", "[z]", "{w}", 0.0, 1.0, 0.5, uint8(5))
	f.Add("'q' \"dq\" \\", "|\n>\n", "&a", "*a", "!t", 1.0, 0.0, 0.1, uint8(3))
	f.Add("é\u2028\u00a0", "ends without newline\nsecond", "%d", "@x", "`y", 5.0, 4.0, 0.0, uint8(9))
	f.Fuzz(func(t *testing.T, title, text, id1, id2, id3 string, a, b, c float64, steps uint8) {
		s := &Scenario{
			Version:     FormatVersion,
			Name:        "fuzz",
			Title:       title,
			Description: text,
			Source:      id1,
			Notice:      text + title,
			Framework: &framework.Framework{Name: "fuzz", Description: text, Points: []framework.Point{
				{ID: id1, Title: title, Description: text, Kind: framework.Options, Options: []framework.Option{
					{ID: id2, Label: title, Clause: text}, {ID: id3, Clause: title},
				}},
				{ID: id3 + "-r", Kind: framework.Real, Min: math.Min(a, b), Max: math.Max(a, b), Steps: int(steps)},
			}},
			Decision: Decision{Rule: Unanimity, Agreement: WholePackage, Vetoes: []string{id2},
				Ratification: []RatificationStep{{Party: id2, Body: title, Kind: "other", Condition: text}}},
			Format: Format{Default: Proximity},
		}
		pr := &profile.Profile{
			Weights:  []float64{math.Abs(a), math.Abs(c)},
			Scores:   [][]float64{{math.Abs(b), math.Abs(c)}, nil},
			Funcs:    []*profile.ValueFunc{nil, {Kind: profile.Linear, Slope: c, Offset: a, Origin: b}},
			Discount: c,
		}
		res := math.Abs(c)
		pr.Reservation = &res
		rp := &s.Framework.Points[1]
		if l := rp.NearestLevel(a); l >= 0 {
			pr.Fallback = framework.Package{1, l}
			pr.RedLines = []profile.RedLine{{Terms: []profile.Term{{Point: 0, Levels: []int{0}}, {Point: 1, Levels: []int{l}}}, Reason: text}}
		}
		// An interaction on the options point and, from b's level up, on
		// the real point (a range when it spans three levels or more).
		in := profile.Interaction{Terms: []profile.Term{{Point: 0, Levels: []int{1}}}, Value: c - math.Trunc(c), Outside: steps%2 == 1, Label: title}
		if l := rp.NearestLevel(b); l >= 0 {
			var ls []int
			for k := l; k < rp.Levels(); k++ {
				ls = append(ls, k)
			}
			in.Terms = append(in.Terms, profile.Term{Point: 1, Levels: ls})
		}
		pr.Interactions = []profile.Interaction{in}
		lo, hi := math.Min(math.Abs(a), math.Abs(b)), math.Max(math.Abs(a), math.Abs(b))
		pr.Uncertainty = &profile.Uncertainty{
			Weights: []*profile.Interval{nil, {Lo: lo, Hi: hi}},
			Scores:  [][]*profile.Interval{{{Lo: lo, Hi: hi}, nil}, nil},
		}
		s.Parties = []Party{
			{ID: id2, Name: title, Role: Principal, Estimate: text, Profile: pr},
			{ID: id2 + "+", Role: Mediator},
		}
		for _, format := range []string{"yaml", "json"} {
			out, err := MarshalFormat(s, format)
			if err != nil {
				t.Logf("skip: %v", err)
				return // not representable (invalid id, NaN, ...): the error says so
			}
			back, err := Parse("fuzz."+format, out)
			if err != nil {
				t.Fatalf("Marshal output does not parse: %v\n%s", err, out)
			}
			if !reflect.DeepEqual(back, s) {
				t.Fatalf("%s round trip changed the scenario:\n%s\ngot  %#v\nwant %#v", format, out, back, s)
			}
		}
	})
}
