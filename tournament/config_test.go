package tournament

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestParseConfigErrors pins the messages of rejected configs: each names
// the file, line and column, and says what was expected.
func TestParseConfigErrors(t *testing.T) {
	const ok = "agents: [boulware, conceder]\nscenarios: [tiny-2p]\n"
	for _, tc := range []struct{ in, want string }{
		{"", `t.yaml: empty file: expected a mapping with keys agents and scenarios`},
		{"- a\n- b\n", `t.yaml:1:1: tournament: expected a mapping, found a list`},
		{"agents: [boulware]\n", `t.yaml:1:1: tournament: missing key "scenarios"`},
		{"agents: boulware\nscenarios: [tiny-2p]\n", `t.yaml:1:9: agents: expected a list, found string "boulware"`},
		{"agents: []\nscenarios: []\n", "t.yaml:1:9: agents: expected at least one agent\nt.yaml:2:12: scenarios: expected at least one scenario"},
		{"agents: [boulwar]\nscenarios: [tiny-2p]\n", `t.yaml:1:10: agent 1: unknown strategy "boulwar": valid negotiators are boulware, conceder, linear, timedep:e=<e>, tft, nice-tft, hardheaded, random, boulware-tb, linear-tb, conceder-tb, aspiration, naive-tft, micro (parameters after a colon, comma-separated: timedep/boulware/conceder/linear take e=, min=, max=, k=, floor; tft, nice-tft and naive-tft kindness=; hardheaded level=; random seed=; aspiration e= (NegMAS exponent) and max=)`},
		{"agents: [boulware, boulware]\nscenarios: [tiny-2p]\n", `t.yaml:1:20: agent 2: name "boulware" already used by agent 1 (give it another name:)`},
		{"agents: ['timedep:e=x']\nscenarios: [tiny-2p]\n", `t.yaml:1:10: agent 1: timedep:e=x: parameter e="x" is not a number`},
		{"agents:\n  - name: x\n    url: ftp://a\nscenarios: [tiny-2p]\n", `t.yaml:3:10: agent 1: url: expected an http:// or https:// address (http://host:port/path), found "ftp://a"`},
		{"agents:\n  - name: x\n    url: ws://a\nscenarios: [tiny-2p]\n", `t.yaml:3:10: agent 1: url: expected an http:// or https:// address (http://host:port/path), found "ws://a"`},
		{"agents:\n  - name: x\n    url: 'http://'\nscenarios: [tiny-2p]\n", `t.yaml:3:10: agent 1: url: expected an http:// or https:// address (http://host:port/path), found "http://"`},
		{"agents:\n  - name: x\n    url: 'http://a/p?x=1'\nscenarios: [tiny-2p]\n", `t.yaml:3:10: agent 1: url: no query or fragment, please: the protocol's paths are added to it, found "http://a/p?x=1"`},
		{"agents:\n  - name: x\n    url: 'http://bob:s3cret@a'\nscenarios: [tiny-2p]\n", `t.yaml:3:10: agent 1: url: no credentials in an agent's url: they would be written to logs and results, found "http://…@a"`},
		{"agents:\n  - strategy: timedep\n    params: {e: 0.5, min: 1.5}\nscenarios: [tiny-2p]\n", `t.yaml:3:27: agent 1: params: min: expected a number from 0 to 1, found 1.5`},
		{"agents:\n  - strategy: timedep\n    params: {e: 0.5, min: 0.8, max: 0.2}\nscenarios: [tiny-2p]\n", `t.yaml:3:37: agent 1: params: max: 0.2 is below min (0.8)`},
		{"agents:\n  - strategy: tft\n    params: {kindness: -0.1}\nscenarios: [tiny-2p]\n", `t.yaml:3:24: agent 1: params: kindness: expected a number from 0 to 1, found -0.1`},
		{"agents: ['hardheaded:level=2', 'timedep:e=1,k=-1']\nscenarios: [tiny-2p]\n", "t.yaml:1:10: agent 1: hardheaded:level=2: level: expected a number from 0 to 1, found 2\nt.yaml:1:32: agent 2: timedep:e=1,k=-1: k: expected a number from 0 to 1, found -1"},
		{"agents: ['timedep:e=1e400']\nscenarios: [tiny-2p]\n", `t.yaml:1:10: agent 1: timedep:e=1e400: e: expected a finite number of at least 0, found 1e400`},
		{"agents:\n  - url: http://a\nscenarios: [tiny-2p]\n", `t.yaml:2:5: agent 1: an external agent (url) needs a name`},
		{"agents:\n  - name: x\n    url: http://a\n    strategy: boulware\nscenarios: [tiny-2p]\n", `t.yaml:3:5: agent 1: an external agent (url) takes no strategy or params`},
		{"agents:\n  - name: a b\n    strategy: boulware\nscenarios: [tiny-2p]\n", `t.yaml:2:11: agent 1: name "a b": expected letters, digits and . _ - : = , + (no spaces), starting with a letter or digit`},
		{"agents:\n  - name: x\nscenarios: [tiny-2p]\n", `t.yaml:2:5: agent 1: missing key "strategy" (a built-in negotiator: ` + "boulware, conceder, linear, timedep:e=<e>, tft, nice-tft, hardheaded, random, boulware-tb, linear-tb, conceder-tb, aspiration, naive-tft, micro (parameters after a colon, comma-separated: timedep/boulware/conceder/linear take e=, min=, max=, k=, floor; tft, nice-tft and naive-tft kindness=; hardheaded level=; random seed=; aspiration e= (NegMAS exponent) and max=)" + `) or "url" (an external agent)`},
		{"agents:\n  - strategy: boulware\n    params: {e: 2}\nscenarios: [tiny-2p]\n", `t.yaml:2:15: agent 1: boulware:e=2: boulware has a fixed e; use timedep:e=…`},
		{"agents:\n  - strategy: tft\n    parms: {kindness: 2}\nscenarios: [tiny-2p]\n", `t.yaml:3:5: agent 1: unknown key "parms" (expected name, strategy, params or url); did you mean "params"?`},
		{"agents:\n  - strategy: tft\n    params: {kind: 2}\nscenarios: [tiny-2p]\n", `t.yaml:3:14: agent 1: params: unknown key "kind" (expected e, min, max, k, floor, kindness, level or seed)`},
		{"agents: [boulware]\nscenarios:\n  - builtin: tiny-2p\n    file: x.yaml\n", `t.yaml:3:5: scenario 1: expected exactly one of builtin, file or genius, found builtin and file`},
		{"agents: [boulware]\nscenarios:\n  - name: x\n", `t.yaml:3:5: scenario 1: expected exactly one of builtin, file or genius, found none`},
		{"agents: [boulware]\nscenarios:\n  - file: x.yaml\n    profiles: [a, b]\n", `t.yaml:4:5: scenario 1: profiles applies to genius folders only`},
		{"agents: [boulware]\nscenarios:\n  - genius: x/*\n    profiles: [a, b]\n", `t.yaml:4:5: scenario 1: profiles name the files of one folder; a pattern (x/*) matches several (use max_parties)`},
		{"agents: [boulware]\nscenarios:\n  - genius: x\n    profiles: [a]\n", `t.yaml:4:15: scenario 1: profiles: expected at least two profiles (one per negotiating party)`},
		{"agents: [boulware]\nscenarios:\n  - genius: x\n    exclude: [a]\n", `t.yaml:4:5: scenario 1: exclude applies to folder patterns (with * ? or [)`},
		{"agents: [boulware]\nscenarios:\n  - genius: x\n    max_parties: 1\n", `t.yaml:4:18: scenario 1: max_parties: expected a whole number from 2 to 1000, found 1`},
		{ok + "protocol: single-text\n", `t.yaml:3:11: protocol: expected amop or sao, found string "single-text" (a protocol of the session engine that tournaments do not run: their negotiators play amop or sao)`},
		{ok + "protocol: SAO\n", `t.yaml:3:11: protocol: expected amop or sao, found string "SAO"`},
		{ok + "protocol: [sao]\n", `t.yaml:3:11: protocol: expected amop or sao, found a list`},
		{ok + "scoring: 0\n", `t.yaml:3:10: scoring: expected zero or reservation, found number 0`},
		{ok + "deadline: {rounds: 10.5}\n", `t.yaml:3:20: deadline: rounds: expected a whole number from 1 to 10000000, found 10.5`},
		{ok + "deadline: {time: 25h}\n", `t.yaml:3:18: deadline: time: expected a duration above 0 and at most 24h, found 25h`},
		{ok + "deadline: {turns: 10}\n", `t.yaml:3:12: deadline: unknown key "turns" (expected rounds or time)`},
		{ok + "ranking: Utility\n", `t.yaml:3:10: ranking: expected utility or discounted_utility, found string "Utility"; did you mean "utility"?`},
		{ok + "time_budget: 0\n", `t.yaml:3:14: time_budget: expected a duration above 0 and at most 24h, found 0`},
		{ok + "deadline: {rounds: 0}\n", `t.yaml:3:20: deadline: rounds: expected a whole number from 1 to 10000000, found 0`},
		{ok + "deadline: {rounds: 10, time: 2s}\n", `t.yaml:3:24: deadline: give rounds or time, not both`},
		{ok + "deadline: {time: soon}\n", `t.yaml:3:18: deadline: time: expected a duration such as 500ms, 2s or 1m, found string "soon"`},
		{ok + "deadline: {}\n", `t.yaml:3:11: deadline: expected rounds: N or time: DURATION`},
		{ok + "scoring: nil\n", `t.yaml:3:10: scoring: expected zero or reservation, found string "nil"`},
		{ok + "scoring: zer0\n", `t.yaml:3:10: scoring: expected zero or reservation, found string "zer0"; did you mean "zero"?`},
		{ok + "repetitions: 1.5\n", `t.yaml:3:14: repetitions: expected a whole number from 1 to 1000000, found 1.5`},
		{ok + "self_play: yes\n", `t.yaml:3:12: self_play: expected true or false, found string "yes"`},
		{ok + "time_budget: -1s\n", `t.yaml:3:14: time_budget: expected a duration above 0 and at most 24h, found -1s`},
		{ok + "ranking: welfare\n", `t.yaml:3:10: ranking: expected utility or discounted_utility, found string "welfare"`},
		{ok + "seeed: 3\n", `t.yaml:3:1: tournament: unknown key "seeed" (expected name, agents, scenarios, protocol, deadline, scoring, repetitions, self_play, time_budget, seed or ranking); did you mean "seed"?`},
		{ok + "agents: [x]\n", `t.yaml:3:1: YAML syntax: mapping key "agents" already defined at [1:1]`},
		{"agents: [&a boulware, *a]\nscenarios: [tiny-2p]\n", "t.yaml:1:10: anchors (&) are not supported in tournament configs\nt.yaml:1:23: aliases (*) are not supported in tournament configs"},
		{"agents: [boulware\nscenarios: [tiny-2p]\n", `t.yaml:2:1: YAML syntax: ',' or ']' must be specified`},
		{ok + "---\nagents: []\n", `t.yaml:4:1: a second YAML document: a tournament config holds exactly one`},
		{"agents: " + strings.Repeat("[", 40) + "\n", `t.yaml:1:1: collections nested more than 32 deep`},
		{"\xff", `t.yaml:1:1: invalid UTF-8 (tournament configs must be UTF-8 text)`},
		{ok + "scoring: !!str zero\n", `t.yaml:3:10: YAML tag !!str: tags are not supported in tournament configs`},
		{ok + "<<: {seed: 2}\n", `t.yaml:3:1: tournament: merge keys (<<) are not supported in tournament configs`},
		{ok + "sede: 3\n", `t.yaml:3:1: tournament: unknown key "sede" (expected name, agents, scenarios, protocol, deadline, scoring, repetitions, self_play, time_budget, seed or ranking); did you mean "seed"?`},
		{ok + "repetitions: .inf\n", `t.yaml:3:14: repetitions: expected a finite number, found .inf`},
		{ok + "repetitions: 1e400\n", `t.yaml:3:14: repetitions: expected a finite number, found 1e400`},
		{strings.Repeat("#", MaxConfigSize+1), `t.yaml: file is 1048577 bytes, larger than the 1 MiB limit for tournament configs`},
	} {
		_, err := ParseConfig("t.yaml", []byte(tc.in))
		var el ErrorList
		if !errors.As(err, &el) {
			t.Errorf("%q: error %v, want an ErrorList", tc.in, err)
			continue
		}
		if got := err.Error(); got != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

func TestParseConfig(t *testing.T) {
	in := `name: demo
agents:
  - boulware
  - Hard-Headed
  - name: patient
    strategy: timedep
    params: {e: 0.5, floor: true}
  - name: ext
    url: http://127.0.0.1:9/agent
scenarios:
  - tiny-2p
  - builtin: miami-2025
    name: miami
  - file: s.yaml
  - genius: domains/*
    exclude: [NonLinear10issues]
    max_parties: 3
protocol: amop
deadline: {time: 1.5s}
scoring: reservation
repetitions: 4
self_play: true
time_budget: 250ms
seed: 9
ranking: discounted_utility
`
	cfg, err := ParseConfig("t.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range cfg.Agents {
		got = append(got, a.Name+"="+a.Strategy+a.URL)
	}
	want := "boulware=boulware Hard-Headed=hardheaded patient=timedep:e=0.5,floor ext=http://127.0.0.1:9/agent"
	if strings.Join(got, " ") != want {
		t.Errorf("agents %v, want %s", got, want)
	}
	if len(cfg.Entries) != 4 || cfg.Entries[1].Name != "miami" || cfg.Entries[3].MaxParties != 3 || cfg.Entries[3].Exclude[0] != "NonLinear10issues" {
		t.Errorf("entries %+v", cfg.Entries)
	}
	if cfg.Protocol != "amop" || cfg.Rounds != 0 || cfg.Duration != 1500*time.Millisecond || cfg.Scoring != ScoreReservation ||
		cfg.Repetitions != 4 || !cfg.SelfPlay || cfg.Budget != 250*time.Millisecond || cfg.Seed != 9 || cfg.RankBy != RankDiscounted || cfg.Name != "demo" {
		t.Errorf("config %+v", cfg)
	}
	// Defaults.
	cfg, err = ParseConfig("t.yaml", []byte("agents: [boulware]\nscenarios: [tiny-2p]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Protocol != "sao" || cfg.Rounds != DefaultRounds || cfg.Scoring != ScoreZero || cfg.Repetitions != 1 ||
		cfg.Budget != DefaultBudget || cfg.Seed != 1 || cfg.RankBy != RankUtility || cfg.SelfPlay {
		t.Errorf("defaults %+v", cfg)
	}
}

// TestResolveErrors pins the messages of configs whose scenarios cannot be
// loaded or played, positioned at the scenario entry.
func TestResolveErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte("parley: 1\nname: Bad\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "silent.yaml"), []byte(silent), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ in, want string }{
		{"agents: [boulware, linear]\nscenarios: [tiny-3p]\n", `t.yaml:2:13: scenario 1: no built-in scenario "tiny-3p" (built-in: miami-2025, tiny-2p)`},
		{"agents: [boulware, linear]\nscenarios:\n  - file: missing.yaml\n", `t.yaml:3:5: scenario 1: scenario: open ` + filepath.Join(dir, "missing.yaml") + `: no such file or directory`},
		{"agents: [boulware, linear]\nscenarios:\n  - file: bad.yaml\n", `t.yaml:3:5: scenario 1: ` + filepath.Join(dir, "bad.yaml") + `:1:1: scenario: missing key "points" (and 2 more problems)`},
		{"agents: [boulware, linear]\nscenarios:\n  - genius: nowhere\n", `t.yaml:3:5: scenario 1: ` + filepath.Join(dir, "nowhere") + `: no such folder`},
		{"agents: [boulware, linear]\nscenarios:\n  - genius: none-*\n", `t.yaml:3:5: scenario 1: pattern none-* matches no folder`},
		{"agents: [boulware, linear]\nscenarios: [tiny-2p, tiny-2p]\n", `t.yaml:2:22: scenario 2: a scenario named "tiny-2p" is already in the tournament (scenario 1); give this entry a name:`},
		{"agents: [boulware]\nscenarios: [tiny-2p]\n", `t.yaml:2:13: scenario 1: tiny-2p has 2 parties but the tournament has 1 agents; add agents or set self_play: true`},
		// The session engine's own checks, on every scenario: here a
		// principal without a profile, whom unanimity needs at the table.
		{"agents: [boulware, linear]\nscenarios:\n  - file: silent.yaml\n", `t.yaml:3:5: scenario 1: silent cannot be negotiated under this tournament's rules: session: the decision rule of scenario "silent" is unanimity (every principal agrees), and c is not at the table`},
	} {
		cfg, err := ParseConfig("t.yaml", []byte(tc.in))
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		cfg.Dir = dir
		err = cfg.Resolve()
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q:\n got %v\nwant %s", tc.in, err, tc.want)
		}
	}
	// With self-play one agent is enough.
	cfg, _ := ParseConfig("t.yaml", []byte("agents: [boulware]\nscenarios: [tiny-2p]\nself_play: true\n"))
	if err := cfg.Resolve(); err != nil {
		t.Fatal(err)
	}
	if n := len(Jobs(cfg)); n != 1 {
		t.Errorf("%d jobs, want 1", n)
	}
}

// FuzzParseConfig: no input makes the parser panic or hang, every error is
// a non-empty ErrorList whose positions lie within the file, and a config
// that parses has the invariants the rest of the package relies on.
func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{
		"agents: [boulware, conceder]\nscenarios: [tiny-2p]\n",
		"agents:\n  - name: p\n    strategy: timedep\n    params: {e: 0.5, floor: true}\n  - name: x\n    url: http://a\nscenarios:\n  - genius: d/*\n    exclude: [a]\n    max_parties: 3\n  - file: s.yaml\ndeadline: {time: 2s}\n",
		"agents: [random]\nscenarios: [tiny-2p]\nself_play: true\nrepetitions: 3\nseed: 4\nscoring: reservation\nranking: discounted_utility\ntime_budget: 1\n",
		"{agents: [a], scenarios: [{builtin: b}]}",
		"agents: [&a x, *a]\n",
		"agents: !!str x\n",
		"<<: {a: 1}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseConfig("f.yaml", data)
		if err != nil {
			var el ErrorList
			if !errors.As(err, &el) || len(el) == 0 {
				t.Fatalf("error %v is not a non-empty ErrorList", err)
			}
			lines := strings.Count(string(data), "\n") + strings.Count(string(data), "\r") + 2 // YAML breaks lines at CR too
			for _, e := range el {
				if e.Line < 0 || e.Line > lines || e.Msg == "" || e.File != "f.yaml" {
					t.Fatalf("bad error %#v (file has %d lines)", e, lines)
				}
			}
			return
		}
		if len(cfg.Agents) == 0 || len(cfg.Entries) == 0 || cfg.Repetitions < 1 || (cfg.Rounds <= 0) == (cfg.Duration <= 0) || cfg.Budget <= 0 {
			t.Fatalf("accepted an invalid config %+v", cfg)
		}
		names := map[string]bool{}
		for _, a := range cfg.Agents {
			if a.Name == "" || names[a.Name] || (a.Strategy == "") == (a.URL == "") {
				t.Fatalf("bad agent %+v", a)
			}
			names[a.Name] = true
		}
	})
}

// silent is a scenario whose third principal has no profile: no agent can
// play it, and unanimity needs it.
const silent = `parley: 1
name: silent
points:
  - id: price
    options: [{id: low}, {id: high}]
parties:
  - id: a
    role: principal
    profile:
      weights: {price: 1}
      scores: {price: {low: 1, high: 0}}
  - id: b
    role: principal
    profile:
      weights: {price: 1}
      scores: {price: {low: 0, high: 1}}
  - id: c
    role: principal
`
