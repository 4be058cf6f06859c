package tournament

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/parley-negotiation/parley/session"
)

// Protocols returns the session protocols tournaments run, in the order of
// session.ProtocolInfos: the turn-based ones, where every party is an
// automated negotiator moving in turn and no mediator drafts or proposes.
func Protocols() []string {
	var out []string
	for _, p := range session.ProtocolInfos() {
		if p.TurnBased {
			out = append(out, p.Name)
		}
	}
	return out
}

// ScenarioRef says how to load a scenario, anywhere the same files exist.
type ScenarioRef struct {
	// Name is the scenario's name in the tournament (unique there).
	Name string `json:"name"`
	// Kind is KindBuiltin, KindFile or KindGenius; Source the built-in name,
	// the file's path or the folder's path (absolute).
	Kind   string `json:"kind"`
	Source string `json:"source"`
	// Profiles are a GENIUS folder's profile files in party order.
	Profiles []string `json:"profiles,omitempty"`
	// Digest is session.Digest of the scenario's content; a runner refuses
	// to run a job on a scenario whose content has changed.
	Digest string `json:"digest"`
}

// Role is one negotiating party of a job and the agent that plays it.
type Role struct {
	Party string    `json:"party"`
	Agent AgentSpec `json:"agent"`
}

// Job is one negotiation of a tournament: a plain value (it marshals to
// JSON and back unchanged) that holds everything needed to run it, so that
// a remote worker can run it with Engine.Run.
type Job struct {
	// ID is the hash of everything below except Scenario.Source (a path
	// locates the scenario; its Digest identifies it): jobs with the same
	// ID are the same negotiation.
	ID       string      `json:"id"`
	Scenario ScenarioRef `json:"scenario"`
	// Roles are the negotiating parties in turn order with their agents.
	Roles    []Role `json:"roles"`
	Protocol string `json:"protocol"`
	// Rounds or Duration is the deadline.
	Rounds   int           `json:"rounds,omitempty"`
	Duration time.Duration `json:"duration_ns,omitempty"`
	Scoring  string        `json:"scoring"`
	// Budget is the longest one call of an agent may take (0: unlimited).
	Budget time.Duration `json:"budget_ns,omitempty"`
	// Rep is the repetition (0-based); Seed seeds randomised agents.
	Rep  int    `json:"rep"`
	Seed uint64 `json:"seed"`
}

// ComputeID returns the job's identity (see Job.ID): the first 24 hex
// digits of the SHA-256 of its JSON with ID and Scenario.Source empty.
func (j Job) ComputeID() string {
	j.ID, j.Scenario.Source = "", ""
	b, _ := json.Marshal(j)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:12])
}

// Agents returns the agent names of the job's roles, in turn order.
func (j Job) Agents() []string {
	out := make([]string, len(j.Roles))
	for i, r := range j.Roles {
		out[i] = r.Agent.Name
	}
	return out
}

// Assignments returns the role assignments of n parties among k agents, as
// agent indices per party, in lexicographic order: every ordered selection
// of n distinct agents (k!/(k−n)! of them), or with selfPlay every n-tuple
// (kⁿ). Each agent thus plays every profile against every combination of
// opponents, as ANAC rotates profiles.
func Assignments(n, k int, selfPlay bool) [][]int {
	var out [][]int
	cur := make([]int, n)
	used := make([]bool, k)
	var rec func(i int)
	rec = func(i int) {
		if i == n {
			out = append(out, append([]int(nil), cur...))
			return
		}
		for a := 0; a < k; a++ {
			if !selfPlay && used[a] {
				continue
			}
			cur[i], used[a] = a, true
			rec(i + 1)
			used[a] = false
		}
	}
	if n > 0 && k > 0 {
		rec(0)
	}
	return out
}

// Jobs enumerates the negotiations of a resolved config (LoadConfig or
// Resolve), deterministically: for each scenario in order, each role
// assignment (Assignments over its parties in turn order), each
// repetition. The count is Σ over scenarios of assignments × Repetitions.
func Jobs(cfg *Config) []Job {
	var out []Job
	for _, sc := range cfg.Scenarios {
		for _, as := range Assignments(len(sc.Parties), len(cfg.Agents), cfg.SelfPlay) {
			roles := make([]Role, len(as))
			for i, a := range as {
				spec := cfg.Agents[a]
				roles[i] = Role{Party: sc.Parties[i], Agent: AgentSpec{Name: spec.Name, Strategy: spec.Strategy, URL: spec.URL}}
			}
			for rep := 0; rep < cfg.Repetitions; rep++ {
				j := Job{Scenario: sc.Ref, Roles: roles, Protocol: cfg.Protocol, Rounds: cfg.Rounds,
					Duration: cfg.Duration, Scoring: cfg.Scoring, Budget: cfg.Budget, Rep: rep,
					Seed: mix(cfg.Seed, uint64(rep))}
				if j.Duration > 0 {
					j.Rounds = 0
				}
				j.ID = j.ComputeID()
				out = append(out, j)
			}
		}
	}
	return out
}

// mix derives a seed from two numbers (SplitMix64's finaliser).
func mix(a, b uint64) uint64 {
	z := a*0x9e3779b97f4a7c15 + b + 0x632be59bd9b4e019
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Limits of a job, as a config allows them (Validate).
const (
	MaxRounds   = 10_000_000
	MaxDuration = 24 * time.Hour
	MaxRoles    = 64
)

// DecodeJob reads a job from JSON that came from elsewhere (a queue) and
// validates it: everything a config could produce, and an id that is the
// hash of the content, so that a corrupted or forged message is refused
// rather than run.
func DecodeJob(data []byte) (Job, error) {
	var j Job
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return Job{}, fmt.Errorf("tournament: not a job: %w", err)
	}
	if dec.More() {
		return Job{}, errors.New("tournament: not a job: data after the job")
	}
	if err := j.Validate(); err != nil {
		return Job{}, err
	}
	return j, nil
}

// Validate checks that a job is one a config could produce: its id is its
// content's (ComputeID), it has 2 to MaxRoles roles, each with a party and
// exactly one of a strategy and an http(s) url (checkAgentURL), a scenario with a known
// kind and a digest, a deadline of at most MaxRounds rounds or MaxDuration,
// a known protocol and scoring, and a budget within MaxDuration.
func (j *Job) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("tournament: job %.24q: %s", j.ID, fmt.Sprintf(format, a...))
	}
	switch {
	case j.ID == "" || j.ID != j.ComputeID():
		return bad("the id is not the hash of the job's content (%s)", j.ComputeID())
	case len(j.Roles) < 2 || len(j.Roles) > MaxRoles:
		return bad("%d roles; want 2 to %d", len(j.Roles), MaxRoles)
	case j.Scenario.Kind != KindBuiltin && j.Scenario.Kind != KindFile && j.Scenario.Kind != KindGenius:
		return bad("scenario kind %q", j.Scenario.Kind)
	case j.Scenario.Digest == "":
		return bad("the scenario has no digest")
	case !slices.Contains(Protocols(), j.Protocol):
		return bad("protocol %q", j.Protocol)
	case j.Scoring != ScoreZero && j.Scoring != ScoreReservation:
		return bad("scoring %q", j.Scoring)
	case (j.Rounds > 0) == (j.Duration > 0):
		return bad("give one deadline: %d rounds, %v", j.Rounds, j.Duration)
	case j.Rounds < 0 || j.Rounds > MaxRounds:
		return bad("%d rounds; at most %d", j.Rounds, MaxRounds)
	case j.Duration < 0 || j.Duration > MaxDuration:
		return bad("a deadline of %v; at most %v", j.Duration, MaxDuration)
	case j.Budget < 0 || j.Budget > MaxDuration:
		return bad("a time budget of %v; at most %v", j.Budget, MaxDuration)
	case j.Rep < 0:
		return bad("repetition %d", j.Rep)
	}
	for i, r := range j.Roles {
		if r.Party == "" || r.Agent.Name == "" {
			return bad("role %d has no party or no agent name", i+1)
		}
		if (r.Agent.URL == "") == (r.Agent.Strategy == "") {
			return bad("role %d (%s): give a strategy or a url", i+1, r.Party)
		}
		if u := r.Agent.URL; u != "" {
			if msg := checkAgentURL(u); msg != "" {
				return bad("role %d (%s): url: %s", i+1, r.Party, msg)
			}
		}
	}
	return nil
}
