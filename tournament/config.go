package tournament

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/genius"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// Scoring of a negotiation that ends without agreement.
const (
	ScoreZero        = session.ScoreZero        // 0 for every party (ANAC)
	ScoreReservation = session.ScoreReservation // each party's reservation value
)

// Ranking keys.
const (
	RankUtility    = "utility"            // mean individual utility, undiscounted
	RankDiscounted = "discounted_utility" // mean individual utility, discounted
)

// Kinds of scenario reference.
const (
	KindBuiltin = "builtin" // a built-in scenario, by name
	KindFile    = "file"    // a scenario file (YAML or JSON)
	KindGenius  = "genius"  // a GENIUS domain folder with profile files
)

// Defaults of a config.
const (
	DefaultRounds = 1000
	DefaultBudget = 10 * time.Second
)

// Config is a tournament: agents × scenarios × role assignments ×
// repetitions, and the rules every negotiation runs under. ParseConfig
// reads it; Resolve (called by LoadConfig) loads its scenarios.
type Config struct {
	// File is the config's path (for messages); Dir the folder relative
	// paths are resolved against.
	File, Dir string
	Name      string
	Agents    []AgentSpec
	// Entries are the scenario entries as written; Scenarios is what they
	// resolve to (set by Resolve), in entry order then name order for
	// folder patterns.
	Entries   []ScenarioEntry
	Scenarios []Scenario
	Protocol  string
	// Rounds and Duration are the deadline (one of them is non-zero).
	Rounds   int
	Duration time.Duration
	Scoring  string
	// Repetitions of every role assignment (default 1).
	Repetitions int
	// SelfPlay lets an agent take several roles of one negotiation (then
	// every tuple of agents is an assignment, not only distinct ones).
	SelfPlay bool
	// Budget is the longest one call of an agent (Init or Act) may take.
	Budget time.Duration
	Seed   uint64
	// RankBy is RankUtility (default) or RankDiscounted.
	RankBy string
}

// AgentSpec is one agent of a tournament: a built-in strategy or an
// external agent reached at URL.
type AgentSpec struct {
	// Name identifies the agent in results and reports (unique).
	Name string `json:"name"`
	// Strategy is a built-in negotiator in agent.ByName's syntax, e.g.
	// "boulware", "timedep:e=0.5,floor", "hardheaded:level=0.8".
	Strategy string `json:"strategy,omitempty"`
	// URL locates an external agent (the runner's External constructor
	// builds it).
	URL string `json:"url,omitempty"`

	line, col int
}

// ScenarioEntry is one entry of the scenarios list, as written.
type ScenarioEntry struct {
	Name   string
	Kind   string // KindBuiltin, KindFile or KindGenius
	Source string // the name or path as written
	// Profiles (GENIUS) are the profile files in party order; MaxParties
	// keeps only the first N linear profiles when Profiles is empty;
	// Exclude names folders a pattern skips.
	Profiles   []string
	MaxParties int
	Exclude    []string

	line, col int
}

// Scenario is a resolved scenario: how to load it (Ref) and its
// negotiating parties in turn order.
type Scenario struct {
	Ref     ScenarioRef
	Parties []string

	sc *scenario.Scenario // while Resolve checks it
}

var (
	topKeys      = []string{"name", "agents", "scenarios", "protocol", "deadline", "scoring", "repetitions", "self_play", "time_budget", "seed", "ranking"}
	agentKeys    = []string{"name", "strategy", "params", "url"}
	scenarioKeys = []string{"builtin", "file", "genius", "name", "profiles", "max_parties", "exclude"}
	deadlineKeys = []string{"rounds", "time"}
	protocols    = []string{session.SAO, session.AMOP}
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
	d := &decoder{file: filename}
	body := d.parse(data)
	if body == nil {
		return nil, d.result()
	}
	cfg := d.config(body)
	if err := d.result(); err != nil {
		return nil, err
	}
	cfg.File = filename
	return cfg, nil
}

func (d *decoder) config(n ast.Node) *Config {
	cfg := &Config{Protocol: session.SAO, Scoring: ScoreZero, Repetitions: 1, Budget: DefaultBudget, Seed: 1, RankBy: RankUtility}
	top, ok := d.object(n, "tournament", topKeys)
	if !ok && top.entries == nil {
		return cfg
	}
	for _, k := range []string{"agents", "scenarios"} {
		if !top.has(k) {
			d.errorf(top.node, "tournament: missing key %q", k)
		}
	}
	if top.has("name") {
		cfg.Name, _ = d.text(top.val("name"), "name")
	}
	if top.has("agents") {
		cfg.Agents = d.agents(top.val("agents"))
	}
	if top.has("scenarios") {
		cfg.Entries = d.scenarios(top.val("scenarios"))
	}
	if top.has("protocol") {
		cfg.Protocol, _ = d.protocol(top.val("protocol"))
	}
	cfg.Rounds = DefaultRounds
	if top.has("deadline") {
		cfg.Rounds, cfg.Duration = d.deadline(top.val("deadline"))
	}
	if top.has("scoring") {
		cfg.Scoring, _ = d.oneOf(top.val("scoring"), "scoring", scorings)
	}
	if top.has("repetitions") {
		if v, ok := d.integer(top.val("repetitions"), "repetitions", 1, 1_000_000); ok {
			cfg.Repetitions = int(v)
		}
	}
	if top.has("self_play") {
		cfg.SelfPlay, _ = d.boolean(top.val("self_play"), "self_play")
	}
	if top.has("time_budget") {
		if v, ok := d.duration(top.val("time_budget"), "time_budget"); ok {
			cfg.Budget = v
		}
	}
	if top.has("seed") {
		if v, ok := d.integer(top.val("seed"), "seed", 0, 1<<53); ok {
			cfg.Seed = uint64(v)
		}
	}
	if top.has("ranking") {
		cfg.RankBy, _ = d.oneOf(top.val("ranking"), "ranking", rankings)
	}
	return cfg
}

// duration reads "1.5s", "200ms", "2m" or a number of seconds; it must be > 0.
func (d *decoder) duration(n ast.Node, what string) (time.Duration, bool) {
	r := d.resolve(n)
	if r == nil {
		return 0, false
	}
	var v time.Duration
	switch r.(type) {
	case *ast.IntegerNode, *ast.FloatNode:
		s, ok := d.number(r, what)
		if !ok {
			return 0, false
		}
		v = time.Duration(s * float64(time.Second))
	case *ast.StringNode:
		x, err := time.ParseDuration(scalarText(r))
		if err != nil {
			d.errorf(r, "%s: expected a duration such as 500ms, 2s or 1m, found %s", what, describe(r))
			return 0, false
		}
		v = x
	default:
		d.errorf(r, "%s: expected a duration such as 500ms, 2s or 1m, found %s", what, describe(r))
		return 0, false
	}
	if v <= 0 || v > 24*time.Hour {
		d.errorf(r, "%s: expected a duration above 0 and at most 24h, found %s", what, scalarText(r))
		return 0, false
	}
	return v, true
}

// protocol reads the protocol: one of protocols, which the session engine
// knows (session.Protocols) and tournaments run.
func (d *decoder) protocol(n ast.Node) (string, bool) {
	r := d.resolve(n)
	if r == nil {
		return "", false
	}
	s := scalarText(r)
	if isScalar(r) && !contains(protocols, s) && contains(session.Protocols(), s) {
		d.errorf(r, "protocol: expected %s, found %s (a protocol of the session engine that tournaments do not run: their negotiators play %s)", orList(protocols), describe(r), orList(protocols))
		return "", false
	}
	return d.oneOf(r, "protocol", protocols)
}

// deadline reads {rounds: N} or {time: D} (exactly one).
func (d *decoder) deadline(n ast.Node) (int, time.Duration) {
	o, ok := d.object(n, "deadline", deadlineKeys)
	if !ok && !o.has("rounds") && !o.has("time") {
		return DefaultRounds, 0 // what is wrong is reported
	}
	switch {
	case o.has("rounds") && o.has("time"):
		d.errorf(o.entries["time"].kn, "deadline: give rounds or time, not both")
		return DefaultRounds, 0
	case o.has("rounds"):
		v, _ := d.integer(o.val("rounds"), "deadline: rounds", 1, 10_000_000)
		return int(v), 0
	case o.has("time"):
		v, _ := d.duration(o.val("time"), "deadline: time")
		return 0, v
	}
	d.errorf(o.node, "deadline: expected rounds: N or time: DURATION")
	return DefaultRounds, 0
}

// agents reads the agents list: each a strategy string, or a mapping with
// name, strategy, params and url.
func (d *decoder) agents(n ast.Node) []AgentSpec {
	items, ok := d.list(n, "agents")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.errorf(d.resolve(n), "agents: expected at least one agent")
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
			d.errAt(a.line, a.col, "%s: name %q already used by agent %d (give it another name:)", what, a.Name, first)
			continue
		}
		seen[a.Name] = i + 1
		out = append(out, a)
	}
	return out
}

func (d *decoder) agent(n ast.Node, what string) (AgentSpec, bool) {
	r := d.resolve(n)
	if r == nil {
		return AgentSpec{}, false
	}
	var a AgentSpec
	a.line, a.col = position(r)
	if isScalar(r) {
		s, ok := d.text(r, what)
		if !ok {
			return a, false
		}
		a.Strategy = s
		a.Name = strings.TrimSpace(s)
		return a, d.checkStrategy(r, what, &a)
	}
	o, ok := d.object(r, what, agentKeys)
	if !ok && o.entries == nil {
		return a, false
	}
	if o.has("name") {
		name, ok1 := d.text(o.val("name"), what+": name")
		if ok1 && !agentName.MatchString(name) {
			d.errorf(o.val("name"), "%s: name %s: expected letters, digits and . _ - : = , + (no spaces), starting with a letter or digit", what, quoteShort(name))
			ok1 = false
		}
		a.Name, ok = name, ok && ok1
	}
	if o.has("url") {
		u, ok1 := d.text(o.val("url"), what+": url")
		if ok1 {
			if msg := checkAgentURL(u); msg != "" {
				d.errorf(d.resolve(o.val("url")), "%s: url: %s", what, msg)
				ok1 = false
			}
		}
		a.URL, ok = u, ok && ok1
		if o.has("strategy") || o.has("params") {
			d.errorf(o.entries["url"].kn, "%s: an external agent (url) takes no strategy or params", what)
			return a, false
		}
		if !o.has("name") {
			d.errorf(o.node, "%s: an external agent (url) needs a name", what)
			return a, false
		}
		return a, ok
	}
	if !o.has("strategy") {
		d.errorf(o.node, "%s: missing key \"strategy\" (a built-in negotiator: %s) or \"url\" (an external agent)", what, agent.Negotiators)
		return a, false
	}
	s, ok1 := d.text(o.val("strategy"), what+": strategy")
	if !ok1 {
		return a, false
	}
	a.Strategy = strings.TrimSpace(s)
	if o.has("params") {
		po, ok2 := d.object(o.val("params"), what+": params", paramKeys)
		if !ok2 {
			return a, false
		}
		keys := make([]string, 0, len(po.entries))
		for k := range po.entries {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		bounds := map[string]float64{}
		for _, k := range keys {
			v := d.resolve(po.val(k))
			if v == nil {
				return a, false
			}
			if b, isBool := v.(*ast.BoolNode); isBool && k == "floor" {
				if b.Value {
					parts = append(parts, "floor")
				}
				continue
			}
			if !isScalar(v) {
				d.errorf(v, "%s: params: %s: expected a number, found %s", what, k, describe(v))
				return a, false
			}
			if x, msg := checkParam(k, scalarText(v)); msg != "" {
				d.errorf(v, "%s: params: %s: %s", what, k, msg)
				return a, false
			} else if k == "min" || k == "max" {
				bounds[k] = x
			}
			parts = append(parts, k+"="+scalarText(v))
		}
		if lo, hasLo := bounds["min"]; hasLo {
			if hi, hasHi := bounds["max"]; hasHi && hi < lo {
				d.errorf(d.resolve(po.val("max")), "%s: params: max: %s is below min (%s)", what, scalarText(d.resolve(po.val("max"))), scalarText(d.resolve(po.val("min"))))
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
	return a, ok && d.checkStrategy(o.val("strategy"), what, &a)
}

// paramKeys are the parameters built-in negotiators take (agent.ByName).
var paramKeys = []string{"e", "min", "max", "k", "floor", "kindness", "level", "seed"}

// checkStrategy normalises a.Strategy (the alias hard-headed) and checks it
// (the ranges of its parameters, then agent.ByName), reporting at n.
func (d *decoder) checkStrategy(n ast.Node, what string, a *AgentSpec) bool {
	a.Strategy = normaliseStrategy(a.Strategy)
	if msg := checkParams(a.Strategy); msg != "" {
		d.errorf(d.resolve(n), "%s: %s: %s", what, a.Strategy, msg)
		return false
	}
	if _, err := agent.ByName(a.Strategy, 0); err != nil {
		d.errorf(d.resolve(n), "%s: %s", what, strings.TrimPrefix(err.Error(), "agent: "))
		return false
	}
	return true
}

// paramRanges are the values the numeric parameters of the built-in
// negotiators make sense for (docs/agents.md): the concession exponent e
// is at least 0; the others are fractions of the utility range.
var paramRanges = map[string][2]float64{
	"e": {0, math.Inf(1)}, "k": {0, 1}, "min": {0, 1}, "max": {0, 1}, "kindness": {0, 1}, "level": {0, 1},
}

// checkParam checks the value v of parameter k against paramRanges; it
// returns the number, or what is wrong. Parameters without a range (floor,
// seed) and values that are no number are left to agent.ByName.
func checkParam(k, v string) (float64, string) {
	r, ok := paramRanges[strings.ToLower(strings.TrimSpace(k))]
	if !ok {
		return 0, ""
	}
	v = strings.TrimSpace(v)
	x, err := strconv.ParseFloat(v, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, ""
	}
	switch {
	case math.IsInf(r[1], 1) && (x < r[0] || math.IsInf(x, 0) || math.IsNaN(x)):
		return 0, fmt.Sprintf("expected a finite number of at least %g, found %s", r[0], v)
	case !math.IsInf(r[1], 1) && !(x >= r[0] && x <= r[1]):
		return 0, fmt.Sprintf("expected a number from %g to %g, found %s", r[0], r[1], v)
	}
	return x, ""
}

// checkParams checks the parameters of a strategy in agent.ByName's syntax
// (name:k=v,k=v) with checkParam, and that min is not above max.
func checkParams(spec string) string {
	_, rest, has := strings.Cut(spec, ":")
	if !has {
		return ""
	}
	bounds := map[string]float64{}
	for _, p := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(p, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		x, msg := checkParam(k, v)
		if msg != "" {
			return k + ": " + msg
		}
		if _, ranged := paramRanges[k]; ranged && (k == "min" || k == "max") {
			bounds[k] = x
		}
	}
	lo, hasLo := bounds["min"]
	hi, hasHi := bounds["max"]
	if hasLo && hasHi && hi < lo {
		return fmt.Sprintf("max: %g is below min (%g)", hi, lo)
	}
	return ""
}

// checkAgentURL says what is wrong with an external agent's url, or "": an
// http or https address with a host, without query, fragment or
// credentials (they would be written to logs and results).
func checkAgentURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return "expected an http:// or https:// address (http://host:port/path), found " + quoteShort(redactURL(s))
	}
	if u.User != nil {
		return "no credentials in an agent's url: they would be written to logs and results, found " + quoteShort(redactURL(s))
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "no query or fragment, please: the protocol's paths are added to it, found " + quoteShort(s)
	}
	return ""
}

// redactURL hides the credentials of an address, for messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		if i := strings.Index(s, "@"); i >= 0 && strings.Contains(s[:i], "://") {
			return s[:strings.Index(s, "://")+3] + "…" + s[i:]
		}
		return s
	}
	u.User = nil
	return strings.Replace(u.String(), "://", "://…@", 1)
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
	items, ok := d.list(n, "scenarios")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.errorf(d.resolve(n), "scenarios: expected at least one scenario")
	}
	var out []ScenarioEntry
	for i, it := range items {
		what := fmt.Sprintf("scenario %d", i+1)
		r := d.resolve(it)
		if r == nil {
			continue
		}
		var e ScenarioEntry
		e.line, e.col = position(r)
		if isScalar(r) {
			// A bare string is a built-in name.
			if s, ok := d.text(r, what); ok {
				e.Kind, e.Source = KindBuiltin, s
				out = append(out, e)
			}
			continue
		}
		o, ok := d.object(r, what, scenarioKeys)
		if !ok && o.entries == nil {
			continue
		}
		var kinds []string
		for _, k := range []string{KindBuiltin, KindFile, KindGenius} {
			if o.has(k) {
				kinds = append(kinds, k)
			}
		}
		if len(kinds) != 1 {
			found := "none"
			if len(kinds) > 0 {
				found = strings.Join(kinds, " and ")
			}
			d.errorf(o.node, "%s: expected exactly one of builtin, file or genius, found %s", what, found)
			continue
		}
		e.Kind = kinds[0]
		src, ok1 := d.text(o.val(e.Kind), what+": "+e.Kind)
		ok = ok && ok1
		e.Source = src
		if o.has("name") {
			e.Name, ok1 = d.text(o.val("name"), what+": name")
			ok = ok && ok1
		}
		for _, k := range []string{"profiles", "max_parties", "exclude"} {
			if o.has(k) && e.Kind != KindGenius {
				d.errorf(o.entries[k].kn, "%s: %s applies to genius folders only", what, k)
				ok = false
			}
		}
		if o.has("profiles") {
			e.Profiles, ok1 = d.strings(o.val("profiles"), what+": profiles")
			ok = ok && ok1
			if len(e.Profiles) == 1 {
				d.errorf(d.resolve(o.val("profiles")), "%s: profiles: expected at least two profiles (one per negotiating party)", what)
				ok = false
			}
		}
		if o.has("max_parties") {
			v, ok1 := d.integer(o.val("max_parties"), what+": max_parties", 2, 1000)
			e.MaxParties, ok = int(v), ok && ok1
			if o.has("profiles") {
				d.errorf(o.entries["max_parties"].kn, "%s: give profiles or max_parties, not both", what)
				ok = false
			}
		}
		if o.has("exclude") {
			e.Exclude, ok1 = d.strings(o.val("exclude"), what+": exclude")
			ok = ok && ok1
		}
		if ok && e.Kind == KindGenius && isPattern(e.Source) && len(e.Profiles) > 0 {
			d.errorf(o.entries["profiles"].kn, "%s: profiles name the files of one folder; a pattern (%s) matches several (use max_parties)", what, e.Source)
			ok = false
		}
		if ok && len(e.Exclude) > 0 && !isPattern(e.Source) {
			d.errorf(o.entries["exclude"].kn, "%s: exclude applies to folder patterns (with * ? or [)", what)
			ok = false
		}
		if ok {
			out = append(out, e)
		}
	}
	return out
}

func (d *decoder) strings(n ast.Node, what string) ([]string, bool) {
	items, ok := d.list(n, what)
	if !ok {
		return nil, false
	}
	var out []string
	for _, it := range items {
		s, ok1 := d.text(it, what)
		if !ok1 {
			ok = false
			continue
		}
		out = append(out, s)
	}
	return out, ok
}

func isPattern(s string) bool { return strings.ContainsAny(s, "*?[") }

// Resolve loads every scenario entry (built-in names, files relative to
// Dir, GENIUS folders and folder patterns), checks that each has enough
// agents for its parties, and sets Scenarios. Problems are an ErrorList
// positioned at the entry concerned.
func (c *Config) Resolve() error {
	d := &decoder{file: c.File}
	c.Scenarios = nil
	names := map[string]int{}
	for i, e := range c.Entries {
		what := fmt.Sprintf("scenario %d", i+1)
		refs, err := c.resolveEntry(e)
		if err != nil {
			d.errAt(e.line, e.col, "%s: %s", what, err)
			continue
		}
		for _, s := range refs {
			if first, dup := names[s.Ref.Name]; dup {
				d.errAt(e.line, e.col, "%s: a scenario named %q is already in the tournament (scenario %d); give this entry a name:", what, s.Ref.Name, first)
				continue
			}
			names[s.Ref.Name] = i + 1
			n, k := len(s.Parties), len(c.Agents)
			if n < 2 {
				d.errAt(e.line, e.col, "%s: %s has %d negotiating party with a profile; a negotiation needs at least 2", what, s.Ref.Name, n)
				continue
			}
			if !c.SelfPlay && k < n && k > 0 {
				d.errAt(e.line, e.col, "%s: %s has %d parties but the tournament has %d agents; add agents or set self_play: true", what, s.Ref.Name, n, k)
				continue
			}
			// The session engine's own checks, as every negotiation of
			// the scenario will meet them.
			if err := session.CheckConfig(s.sc, c.sessionConfig(s.Parties)); err != nil {
				d.errAt(e.line, e.col, "%s: %s cannot be negotiated under this tournament's rules: %v", what, s.Ref.Name, err)
				continue
			}
			s.sc = nil
			c.Scenarios = append(c.Scenarios, s)
		}
	}
	return d.result()
}

// resolveEntry loads one entry into its scenarios.
func (c *Config) resolveEntry(e ScenarioEntry) ([]Scenario, error) {
	switch e.Kind {
	case KindBuiltin:
		sc, err := scenario.Builtin(e.Source)
		if err != nil {
			return nil, fmt.Errorf("no built-in scenario %q (built-in: %s)", e.Source, strings.Join(scenario.BuiltinNames(), ", "))
		}
		return []Scenario{newScenario(sc, orName(e.Name, sc.Name), KindBuiltin, e.Source, nil)}, nil
	case KindFile:
		path := c.path(e.Source)
		sc, err := scenario.Load(path)
		if err != nil {
			var el scenario.ErrorList
			switch {
			case errors.As(err, &el) && len(el) == 1:
				return nil, el[0]
			case len(el) == 2:
				return nil, fmt.Errorf("%s (and 1 more problem)", el[0])
			case len(el) > 2:
				return nil, fmt.Errorf("%s (and %d more problems)", el[0], len(el)-1)
			}
			return nil, err
		}
		return []Scenario{newScenario(sc, orName(e.Name, sc.Name), KindFile, path, nil)}, nil
	}
	dirs := []string{c.path(e.Source)}
	if isPattern(e.Source) {
		m, err := filepath.Glob(dirs[0])
		if err != nil {
			return nil, fmt.Errorf("pattern %s: %w", e.Source, err)
		}
		dirs = dirs[:0]
		for _, p := range m {
			if st, err := os.Stat(p); err == nil && st.IsDir() && !contains(e.Exclude, filepath.Base(p)) {
				dirs = append(dirs, p)
			}
		}
		if len(dirs) == 0 {
			return nil, fmt.Errorf("pattern %s matches no folder", e.Source)
		}
		if e.Name != "" {
			return nil, fmt.Errorf("name applies to one folder, not to a pattern")
		}
	}
	var out []Scenario
	for _, dir := range dirs {
		s, err := loadGenius(dir, e)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// loadGenius loads a GENIUS folder with the entry's profiles (default:
// every linear profile, or the first MaxParties of them by file name).
func loadGenius(dir string, e ScenarioEntry) (Scenario, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return Scenario{}, fmt.Errorf("%s: no such folder", dir)
	}
	sc, err := genius.LoadDir(dir, e.Profiles)
	if err != nil {
		return Scenario{}, err
	}
	var files []string
	for _, p := range sc.Principals() {
		files = append(files, p.ID+".xml")
	}
	if len(e.Profiles) == 0 && e.MaxParties > 0 && len(files) > e.MaxParties {
		files = files[:e.MaxParties]
		if sc, err = genius.LoadDir(dir, files); err != nil {
			return Scenario{}, err
		}
	}
	name := e.Name
	if name == "" {
		name = filepath.Base(dir)
	}
	return newScenario(sc, name, KindGenius, dir, files), nil
}

// sessionConfig is the session configuration of a negotiation of the
// tournament among parties (as the engine opens it).
func (c *Config) sessionConfig(parties []string) session.Config {
	cfg := session.Config{Protocol: c.Protocol, Parties: parties, Rounds: c.Rounds, Duration: c.Duration, Scoring: c.Scoring}
	if cfg.Duration > 0 {
		cfg.Rounds = 0
	}
	return cfg
}

func newScenario(sc *scenario.Scenario, name, kind, source string, profiles []string) Scenario {
	s := Scenario{Ref: ScenarioRef{Name: name, Kind: kind, Source: source, Profiles: profiles, Digest: session.Digest(sc)}, sc: sc}
	for _, p := range sc.Principals() {
		s.Parties = append(s.Parties, p.ID)
	}
	return s
}

func orName(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// path resolves a path of the config against Dir, as an absolute path.
func (c *Config) path(p string) string {
	if !filepath.IsAbs(p) && c.Dir != "" {
		p = filepath.Join(c.Dir, p)
	}
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// Deadline returns the deadline as text, e.g. "1000 rounds".
func (c *Config) Deadline() string {
	if c.Duration > 0 {
		return c.Duration.String()
	}
	return strconv.Itoa(c.Rounds) + " rounds"
}
