package tournament

import (
	"strconv"
	"time"

	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// The config of a tournament as its types: config_decode.go reads it from a
// file (ParseConfig, LoadConfig), config_resolve.go finds and loads the
// scenarios it names (Resolve).

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

// sessionConfig is the session configuration of a negotiation of the
// tournament among parties (as the engine opens it).
func (c *Config) sessionConfig(parties []string) session.Config {
	cfg := session.Config{Protocol: c.Protocol, Parties: parties, Rounds: c.Rounds, Duration: c.Duration, Scoring: c.Scoring}
	if cfg.Duration > 0 {
		cfg.Rounds = 0
	}
	return cfg
}

// Deadline returns the deadline as text, e.g. "1000 rounds".
func (c *Config) Deadline() string {
	if c.Duration > 0 {
		return c.Duration.String()
	}
	return strconv.Itoa(c.Rounds) + " rounds"
}
