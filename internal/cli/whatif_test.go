package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// whatIfFigures are the figures of a --json report that a what-if must
// reproduce exactly.
type whatIfFigures struct {
	Parties       json.RawMessage `json:"parties"`
	Frontier      json.RawMessage `json:"frontier"`
	FrontierTotal int             `json:"frontier_total"`
	Solutions     json.RawMessage `json:"solutions"`
	ZoneFrontier  json.RawMessage `json:"zone_frontier"`
	ZoneTotal     int             `json:"zone_frontier_total"`
	Suggestions   json.RawMessage `json:"suggestions"`
	Zone          json.RawMessage `json:"zone"`
	Packages      json.RawMessage `json:"packages"`
	WhatIf        []whatIfApplied `json:"what_if"`
}

func analyzeJSON(t *testing.T, args ...string) whatIfFigures {
	t.Helper()
	code, out, errOut := run("", append([]string{"analyze", "-q", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("parley analyze %v: exit %d: %s", args, code, errOut)
	}
	var f whatIfFigures
	if err := json.Unmarshal([]byte(out), &f); err != nil {
		t.Fatalf("parley analyze %v: %v", args, err)
	}
	return f
}

// TestAnalyzeWhatIfEqualsEditedScenario: `parley analyze --what-if ...`
// reports, figure for figure (parties, frontier, solutions, zone frontier,
// zone, suggestions), what `parley analyze` reports on the scenario file
// edited the same way, and says what it changed.
func TestAnalyzeWhatIfEqualsEditedScenario(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "scenario", "builtin", "tiny-2p.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		whatIf []string
		// edits are old→new replacements of the scenario file, each once.
		edits    [][2]string
		wantText []string
	}{
		{
			name:     "reservation",
			whatIf:   []string{"south.reservation=0.45"},
			edits:    [][2]string{{"reservation: 0.3\n", "reservation: 0.45\n"}},
			wantText: []string{"south reservation 0.3000 → 0.4500"},
		},
		{
			name:     "weight",
			whatIf:   []string{"south.weight.monitors=0.2"},
			edits:    [][2]string{{"weights: {monitors: 0.4,", "weights_total: any\n      weights: {monitors: 0.2,"}},
			wantText: []string{"south weight of monitors 0.4000 → 0.2000"},
		},
		{
			name:   "weight with fallback, then reservation, in order",
			whatIf: []string{"north.weight.buffer-km=0.6", "south.reservation=0.2", "south.weight.withdrawal-km=0.5"},
			edits: [][2]string{
				{"weights: {monitors: 0.5, buffer-km: 0.2,", "weights_total: any\n      weights: {monitors: 0.5, buffer-km: 0.6,"},
				{"reservation: 0.3\n", "reservation: 0.2\n"},
				{"weights: {monitors: 0.4, buffer-km: 0.35, withdrawal-km: 0.25}", "weights_total: any\n      weights: {monitors: 0.4, buffer-km: 0.35, withdrawal-km: 0.5}"},
			},
			wantText: []string{"north weight of buffer-km 0.2000 → 0.6000 (reservation, the utility of its fallback, 0.8500 → 1.2500)", "south reservation 0.3000 → 0.2000", "south weight of withdrawal-km 0.2500 → 0.5000"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			edited := string(src)
			for _, e := range tt.edits {
				if strings.Count(edited, e[0]) != 1 {
					t.Fatalf("edit %q: not exactly once in tiny-2p.yaml", e[0])
				}
				edited = strings.Replace(edited, e[0], e[1], 1)
			}
			path := filepath.Join(t.TempDir(), "edited.yaml")
			if err := os.WriteFile(path, []byte(edited), 0o600); err != nil {
				t.Fatal(err)
			}
			args := []string{"tiny-2p"}
			for _, w := range tt.whatIf {
				args = append(args, "--what-if", w)
			}
			got := analyzeJSON(t, args...)
			want := analyzeJSON(t, path)
			var texts []string
			for _, a := range got.WhatIf {
				texts = append(texts, a.Text)
			}
			if !reflect.DeepEqual(texts, tt.wantText) {
				t.Errorf("what_if = %q, want %q", texts, tt.wantText)
			}
			got.WhatIf = nil
			// The zone frontier's points must be equal; its method label
			// is not a figure (the engine's what-if names the reservation
			// filter it applied where Analyze, with red lines, merged
			// again).
			got.ZoneFrontier = zoneFrontierPoints(t, got.ZoneFrontier)
			want.ZoneFrontier = zoneFrontierPoints(t, want.ZoneFrontier)
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			if string(g) != string(w) {
				t.Errorf("what-if report differs from the edited scenario's:\n got %s\nwant %s", g, w)
			}
			// The text report says what was changed.
			code, out, errOut := run("", append([]string{"analyze", "-q"}, args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, s := range tt.wantText {
				if !strings.Contains(out, "what-if: "+s+"\n") {
					t.Errorf("text report lacks %q:\n%s", "what-if: "+s, out)
				}
			}
		})
	}
}

// TestAnalyzeWhatIfErrors: a bad --what-if is a usage error (exit 2) that
// names its position and what is wrong.
func TestAnalyzeWhatIfErrors(t *testing.T) {
	tests := []struct {
		whatIf []string
		want   string
	}{
		{[]string{"north.reservation"}, `--what-if #1 "north.reservation": want PARTY.reservation=VALUE`},
		{[]string{"north.reservation=0.4", "east.reservation=0.5"}, `--what-if #2 "east.reservation=0.5": no analysed party "east" (parties: north, south)`},
		{[]string{"north.weight.nope=0.2"}, `no point "nope" (points: monitors, buffer-km, withdrawal-km)`},
		{[]string{"north.weight.monitors=-1"}, `weight -1 is outside [0, 1e+06]`},
		{[]string{"north.weight.monitors=NaN"}, `value "NaN" is not a number`},
		{[]string{"north.reservation=abc"}, `value "abc" is not a number`},
		{[]string{"north.reservation=1e10"}, `reservation 1e+10 is outside`},
		{[]string{"north.budget=1"}, `"north.budget" names neither PARTY.reservation nor PARTY.weight.POINT`},
		{[]string{".reservation=1"}, `names neither`},
	}
	for _, tt := range tests {
		args := []string{"analyze", "-q", "tiny-2p"}
		for _, w := range tt.whatIf {
			args = append(args, "--what-if", w)
		}
		code, _, errOut := run("", args...)
		if code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tt.whatIf, code, errOut, tt.want)
		}
	}
}

// FuzzParseWhatIf: parseWhatIf never panics, and what it accepts names a
// party, a finite value in range, and reparses to the same.
func FuzzParseWhatIf(f *testing.F) {
	for _, s := range []string{"russia.reservation=0.5", "ukraine.weight.p3=0.2", "a.weight.b.c=1", "=", "x.weight.=1", "a.reservation=NaN", " a.reservation = 1e9 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := parseWhatIf(s)
		if err != nil {
			return
		}
		if w.party == "" {
			t.Fatalf("%q: accepted with no party", s)
		}
		if w.point != "" && (w.value < 0 || w.value > 1e6) {
			t.Fatalf("%q: weight %v accepted", s, w.value)
		}
	})
}

// zoneFrontierPoints keeps a JSON frontier's points and package count.
func zoneFrontierPoints(t *testing.T, raw json.RawMessage) json.RawMessage {
	t.Helper()
	var f struct {
		Points      json.RawMessage `json:"points"`
		Packages    uint64          `json:"packages"`
		Approximate bool            `json:"approximate"`
		ErrorBound  float64         `json:"error_bound"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
