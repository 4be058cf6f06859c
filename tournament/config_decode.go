package tournament

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/extagent"
	"github.com/parley-negotiation/parley/internal/posyaml"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// Reading a tournament config: posyaml's positioned decoder (the one
// scenario files use, with the same messages) and the checks of agents and
// scenario entries that need no file system.

// MaxConfigSize is the largest config file accepted, in bytes.
const MaxConfigSize = 1 << 20

// configFormat is what posyaml needs to know of tournament configs: a config
// needs a handful of nesting levels and a dozen keys per mapping, and has no
// use for anchors and aliases.
var configFormat = posyaml.Format{
	Name:     "tournament config",
	Contents: "a mapping with keys agents and scenarios",
	MaxSize:  MaxConfigSize,
	MaxDepth: 32,
	MaxKeys:  1000,
}

// Error is one problem found in a tournament config: the same type as a
// scenario file's problems ("FILE:LINE:COL: MSG", or "FILE: MSG" without a
// position), so that tools handle both alike.
type Error = scenario.Error

// ErrorList is every problem found in one config file, sorted by position.
// ParseConfig, LoadConfig and Resolve return a non-empty ErrorList whenever
// a file is rejected for its content.
type ErrorList = scenario.ErrorList

// decoder turns a YAML AST into a Config, collecting positioned problems.
type decoder struct{ *posyaml.Decoder }

var (
	topKeys      = []string{"name", "agents", "scenarios", "protocol", "deadline", "scoring", "repetitions", "self_play", "time_budget", "seed", "ranking"}
	agentKeys    = []string{"name", "strategy", "params", "url"}
	scenarioKeys = []string{"builtin", "file", "genius", "name", "profiles", "max_parties", "exclude"}
	deadlineKeys = []string{"rounds", "time"}
	protocols    = Protocols()
	scorings     = []string{ScoreZero, ScoreReservation}
	rankings     = []string{RankUtility, RankDiscounted}
	agentName    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:=,+-]*$`)
)

// LoadConfig reads the config file at path, parses it and resolves its
// scenarios (relative paths are relative to the file's folder). Problems
// with the content are an ErrorList with positions.
func LoadConfig(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tournament: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxConfigSize+1))
	if err != nil {
		return nil, fmt.Errorf("tournament: reading %s: %w", path, err)
	}
	cfg, err := ParseConfig(path, data)
	if err != nil {
		return nil, err
	}
	cfg.Dir = filepath.Dir(path)
	if err := cfg.Resolve(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// ParseConfig reads a config from YAML (or JSON) text without touching the
// file system; filename is used in messages. The error is an ErrorList
// holding every problem found, each "FILE:LINE:COL: what was expected".
// ParseConfig never panics.
func ParseConfig(filename string, data []byte) (*Config, error) {
	d := &decoder{posyaml.NewDecoder(filename, configFormat)}
	body := d.Parse(data)
	if body == nil {
		return nil, d.Err()
	}
	cfg := d.config(body)
	if err := d.Err(); err != nil {
		return nil, err
	}
	cfg.File = filename
	return cfg, nil
}

// config decodes the top-level mapping; keys not given keep their defaults.
func (d *decoder) config(n ast.Node) *Config {
	cfg := &Config{Protocol: session.SAO, Scoring: ScoreZero, Repetitions: 1, Budget: DefaultBudget, Seed: 1, RankBy: RankUtility}
	top, ok := d.Object(n, "tournament", topKeys, []string{"agents", "scenarios"})
	if !ok && !top.IsMapping() {
		return cfg
	}
	if top.Has("name") {
		cfg.Name, _ = d.Text(top.Value("name"), "name")
	}
	if top.Has("agents") {
		cfg.Agents = d.agents(top.Value("agents"))
	}
	if top.Has("scenarios") {
		cfg.Entries = d.scenarios(top.Value("scenarios"))
	}
	if top.Has("protocol") {
		cfg.Protocol, _ = d.protocol(top.Value("protocol"))
	}
	cfg.Rounds = DefaultRounds
	if top.Has("deadline") {
		cfg.Rounds, cfg.Duration = d.deadline(top.Value("deadline"))
	}
	if top.Has("scoring") {
		cfg.Scoring, _ = d.OneOf(top.Value("scoring"), "scoring", scorings)
	}
	if top.Has("repetitions") {
		if v, ok := d.IntIn(top.Value("repetitions"), "repetitions", 1, 1_000_000); ok {
			cfg.Repetitions = int(v)
		}
	}
	if top.Has("self_play") {
		cfg.SelfPlay, _ = d.Bool(top.Value("self_play"), "self_play")
	}
	if top.Has("time_budget") {
		if v, ok := d.duration(top.Value("time_budget"), "time_budget"); ok {
			cfg.Budget = v
		}
	}
	if top.Has("seed") {
		if v, ok := d.IntIn(top.Value("seed"), "seed", 0, 1<<53); ok {
			cfg.Seed = uint64(v)
		}
	}
	if top.Has("ranking") {
		cfg.RankBy, _ = d.OneOf(top.Value("ranking"), "ranking", rankings)
	}
	return cfg
}

// duration reads "1.5s", "200ms", "2m" or a number of seconds; it must be > 0.
func (d *decoder) duration(n ast.Node, what string) (time.Duration, bool) {
	r := d.Resolve(n)
	if r == nil {
		return 0, false
	}
	var v time.Duration
	switch r.(type) {
	case *ast.IntegerNode, *ast.FloatNode:
		s, ok := d.Number(r, what)
		if !ok {
			return 0, false
		}
		v = time.Duration(s * float64(time.Second))
	case *ast.StringNode:
		x, err := time.ParseDuration(posyaml.ScalarText(r))
		if err != nil {
			d.Errorf(r, "%s: expected a duration such as 500ms, 2s or 1m, found %s", what, posyaml.Describe(r))
			return 0, false
		}
		v = x
	default:
		d.Errorf(r, "%s: expected a duration such as 500ms, 2s or 1m, found %s", what, posyaml.Describe(r))
		return 0, false
	}
	if v <= 0 || v > 24*time.Hour {
		d.Errorf(r, "%s: expected a duration above 0 and at most 24h, found %s", what, posyaml.ScalarText(r))
		return 0, false
	}
	return v, true
}

// protocol reads the protocol: one of protocols, which the session engine
// knows (session.Protocols) and tournaments run.
func (d *decoder) protocol(n ast.Node) (string, bool) {
	r := d.Resolve(n)
	if r == nil {
		return "", false
	}
	s := posyaml.ScalarText(r)
	if posyaml.IsScalar(r) && !slices.Contains(protocols, s) && slices.Contains(session.Protocols(), s) {
		d.Errorf(r, "protocol: expected %s, found %s (a protocol of the session engine that tournaments do not run: their negotiators play %s)", posyaml.OrList(protocols), posyaml.Describe(r), posyaml.OrList(protocols))
		return "", false
	}
	return d.OneOf(r, "protocol", protocols)
}

// deadline reads {rounds: N} or {time: D} (exactly one).
func (d *decoder) deadline(n ast.Node) (int, time.Duration) {
	o, ok := d.Object(n, "deadline", deadlineKeys, nil)
	if !ok && !o.Has("rounds") && !o.Has("time") {
		return DefaultRounds, 0 // what is wrong is reported
	}
	switch {
	case o.Has("rounds") && o.Has("time"):
		d.Errorf(o.Key("time"), "deadline: give rounds or time, not both")
		return DefaultRounds, 0
	case o.Has("rounds"):
		v, _ := d.IntIn(o.Value("rounds"), "deadline: rounds", 1, 10_000_000)
		return int(v), 0
	case o.Has("time"):
		v, _ := d.duration(o.Value("time"), "deadline: time")
		return 0, v
	}
	d.Errorf(o.Node, "deadline: expected rounds: N or time: DURATION")
	return DefaultRounds, 0
}

// agents reads the agents list: each a strategy string, or a mapping with
// name, strategy, params and url.
func (d *decoder) agents(n ast.Node) []AgentSpec {
	items, ok := d.List(n, "agents")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.Errorf(d.Resolve(n), "agents: expected at least one agent")
	}
	var out []AgentSpec
	seen := map[string]int{}
	for i, it := range items {
		what := fmt.Sprintf("agent %d", i+1)
		a, ok := d.agent(it, what)
		if !ok {
			continue
		}
		if first, dup := seen[a.Name]; dup {
			d.ErrorAt(a.line, a.col, "%s: name %q already used by agent %d (give it another name:)", what, a.Name, first)
			continue
		}
		seen[a.Name] = i + 1
		out = append(out, a)
	}
	return out
}

// agent decodes one agent: a strategy string, or a mapping with name,
// strategy, params and url. ok is false when anything was reported.
func (d *decoder) agent(n ast.Node, what string) (AgentSpec, bool) {
	r := d.Resolve(n)
	if r == nil {
		return AgentSpec{}, false
	}
	var a AgentSpec
	a.line, a.col = posyaml.Position(r)
	if posyaml.IsScalar(r) {
		s, ok := d.Text(r, what)
		if !ok {
			return a, false
		}
		a.Strategy = s
		a.Name = strings.TrimSpace(s)
		return a, d.checkStrategy(r, what, &a)
	}
	o, ok := d.Object(r, what, agentKeys, nil)
	if !ok && !o.IsMapping() {
		return a, false
	}
	if o.Has("name") {
		name, ok1 := d.Text(o.Value("name"), what+": name")
		if ok1 && !agentName.MatchString(name) {
			d.Errorf(o.Value("name"), "%s: name %s: expected letters, digits and . _ - : = , + (no spaces), starting with a letter or digit", what, posyaml.Quote(name))
			ok1 = false
		}
		a.Name, ok = name, ok && ok1
	}
	if o.Has("url") {
		u, ok1 := d.Text(o.Value("url"), what+": url")
		if ok1 {
			if msg := checkAgentURL(u); msg != "" {
				d.Errorf(d.Resolve(o.Value("url")), "%s: url: %s", what, msg)
				ok1 = false
			}
		}
		a.URL, ok = u, ok && ok1
		if o.Has("strategy") || o.Has("params") {
			d.Errorf(o.Key("url"), "%s: an external agent (url) takes no strategy or params", what)
			return a, false
		}
		if !o.Has("name") {
			d.Errorf(o.Node, "%s: an external agent (url) needs a name", what)
			return a, false
		}
		return a, ok
	}
	if !o.Has("strategy") {
		d.Errorf(o.Node, "%s: missing key \"strategy\" (a built-in negotiator: %s) or \"url\" (an external agent)", what, agent.Negotiators)
		return a, false
	}
	s, ok1 := d.Text(o.Value("strategy"), what+": strategy")
	if !ok1 {
		return a, false
	}
	a.Strategy = strings.TrimSpace(s)
	if o.Has("params") {
		po, ok2 := d.Object(o.Value("params"), what+": params", agent.ParamNames, nil)
		if !ok2 {
			return a, false
		}
		keys := po.Keys()
		sort.Strings(keys)
		var parts []string
		bounds := map[string]float64{}
		for _, k := range keys {
			v := d.Resolve(po.Value(k))
			if v == nil {
				return a, false
			}
			if b, isBool := v.(*ast.BoolNode); isBool && k == "floor" {
				if b.Value {
					parts = append(parts, "floor")
				}
				continue
			}
			if !posyaml.IsScalar(v) {
				d.Errorf(v, "%s: params: %s: expected a number, found %s", what, k, posyaml.Describe(v))
				return a, false
			}
			if x, err := agent.CheckParam(k, posyaml.ScalarText(v)); err != nil {
				msg := err.Error()
				d.Errorf(v, "%s: params: %s: %s", what, k, msg)
				return a, false
			} else if k == "min" || k == "max" {
				bounds[k] = x
			}
			parts = append(parts, k+"="+posyaml.ScalarText(v))
		}
		if lo, hasLo := bounds["min"]; hasLo {
			if hi, hasHi := bounds["max"]; hasHi && hi < lo {
				d.Errorf(d.Resolve(po.Value("max")), "%s: params: max: %s is below min (%s)", what, posyaml.ScalarText(d.Resolve(po.Value("max"))), posyaml.ScalarText(d.Resolve(po.Value("min"))))
				return a, false
			}
		}
		if len(parts) > 0 {
			sep := ":"
			if strings.Contains(a.Strategy, ":") {
				sep = ","
			}
			a.Strategy += sep + strings.Join(parts, ",")
		}
	}
	if a.Name == "" {
		a.Name = a.Strategy
	}
	return a, ok && d.checkStrategy(o.Value("strategy"), what, &a)
}

// checkStrategy normalises a.Strategy (the alias hard-headed) and checks it
// (the ranges of its parameters, then agent.ByName), reporting at n.
func (d *decoder) checkStrategy(n ast.Node, what string, a *AgentSpec) bool {
	a.Strategy = normaliseStrategy(a.Strategy)
	if k, err := agent.CheckParams(a.Strategy); err != nil {
		msg := err.Error()
		if k != "" {
			msg = k + ": " + msg
		}
		d.Errorf(d.Resolve(n), "%s: %s: %s", what, a.Strategy, msg)
		return false
	}
	if _, err := agent.ByName(a.Strategy, 0); err != nil {
		d.Errorf(d.Resolve(n), "%s: %s", what, strings.TrimPrefix(err.Error(), "agent: "))
		return false
	}
	return true
}

// checkAgentURL says what is wrong with an external agent's url, or "": an
// http or https address with a host, without query, fragment or
// credentials (they would be written to logs and results).
func checkAgentURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return "expected an http:// or https:// address (http://host:port/path), found " + posyaml.Quote(extagent.RedactURL(s))
	}
	if u.User != nil {
		return "no credentials in an agent's url: they would be written to logs and results, found " + posyaml.Quote(extagent.RedactURL(s))
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "no query or fragment, please: the protocol's paths are added to it, found " + posyaml.Quote(s)
	}
	return ""
}

// normaliseStrategy accepts "hard-headed" for agent.ByName's "hardheaded".
func normaliseStrategy(s string) string {
	s = strings.TrimSpace(s)
	name, rest, has := strings.Cut(s, ":")
	if strings.EqualFold(strings.TrimSpace(name), "hard-headed") {
		name = "hardheaded"
	}
	if has {
		return name + ":" + rest
	}
	return name
}

// scenarios reads the scenarios list.
func (d *decoder) scenarios(n ast.Node) []ScenarioEntry {
	items, ok := d.List(n, "scenarios")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.Errorf(d.Resolve(n), "scenarios: expected at least one scenario")
	}
	var out []ScenarioEntry
	for i, it := range items {
		what := fmt.Sprintf("scenario %d", i+1)
		r := d.Resolve(it)
		if r == nil {
			continue
		}
		var e ScenarioEntry
		e.line, e.col = posyaml.Position(r)
		if posyaml.IsScalar(r) {
			// A bare string is a built-in name.
			if s, ok := d.Text(r, what); ok {
				e.Kind, e.Source = KindBuiltin, s
				out = append(out, e)
			}
			continue
		}
		o, ok := d.Object(r, what, scenarioKeys, nil)
		if !ok && !o.IsMapping() {
			continue
		}
		var kinds []string
		for _, k := range []string{KindBuiltin, KindFile, KindGenius} {
			if o.Has(k) {
				kinds = append(kinds, k)
			}
		}
		if len(kinds) != 1 {
			found := "none"
			if len(kinds) > 0 {
				found = strings.Join(kinds, " and ")
			}
			d.Errorf(o.Node, "%s: expected exactly one of builtin, file or genius, found %s", what, found)
			continue
		}
		e.Kind = kinds[0]
		src, ok1 := d.Text(o.Value(e.Kind), what+": "+e.Kind)
		ok = ok && ok1
		e.Source = src
		if o.Has("name") {
			e.Name, ok1 = d.Text(o.Value("name"), what+": name")
			ok = ok && ok1
		}
		for _, k := range []string{"profiles", "max_parties", "exclude"} {
			if o.Has(k) && e.Kind != KindGenius {
				d.Errorf(o.Key(k), "%s: %s applies to genius folders only", what, k)
				ok = false
			}
		}
		if o.Has("profiles") {
			e.Profiles, ok1 = d.strings(o.Value("profiles"), what+": profiles")
			ok = ok && ok1
			if len(e.Profiles) == 1 {
				d.Errorf(d.Resolve(o.Value("profiles")), "%s: profiles: expected at least two profiles (one per negotiating party)", what)
				ok = false
			}
		}
		if o.Has("max_parties") {
			v, ok1 := d.IntIn(o.Value("max_parties"), what+": max_parties", 2, 1000)
			e.MaxParties, ok = int(v), ok && ok1
			if o.Has("profiles") {
				d.Errorf(o.Key("max_parties"), "%s: give profiles or max_parties, not both", what)
				ok = false
			}
		}
		if o.Has("exclude") {
			e.Exclude, ok1 = d.strings(o.Value("exclude"), what+": exclude")
			ok = ok && ok1
		}
		if ok && e.Kind == KindGenius && isPattern(e.Source) && len(e.Profiles) > 0 {
			d.Errorf(o.Key("profiles"), "%s: profiles name the files of one folder; a pattern (%s) matches several (use max_parties)", what, e.Source)
			ok = false
		}
		if ok && len(e.Exclude) > 0 && !isPattern(e.Source) {
			d.Errorf(o.Key("exclude"), "%s: exclude applies to folder patterns (with * ? or [)", what)
			ok = false
		}
		if ok {
			out = append(out, e)
		}
	}
	return out
}

// strings decodes a list of non-empty strings.
func (d *decoder) strings(n ast.Node, what string) ([]string, bool) {
	items, ok := d.List(n, what)
	if !ok {
		return nil, false
	}
	var out []string
	for _, it := range items {
		s, ok1 := d.Text(it, what)
		if !ok1 {
			ok = false
			continue
		}
		out = append(out, s)
	}
	return out, ok
}
