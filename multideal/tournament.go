package multideal

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/goccy/go-yaml"
)

// Tournament is an ANL 2025 tournament: every agent plays the center once
// per scenario and repetition, the others fill the edges, and the scores
// are anl2025's (Tournament.run in anl2025/tournament.py).
//
// Assignment: for each repetition the competitor list starts in its
// declared order; for each scenario it is shuffled (random.shuffle), then
// for each of the len(Agents) rotations the players are the competitors,
// padded with random.choices of them up to edges+1 when there are too few;
// the first plays the center, the next `edges` are shuffled and assigned to
// the threads in order, and the list rotates left by one. With
// NoDoubleScores (anl2025's default) only the first min(len(Agents)−1,
// edges) edges of a session are scored. The draws come from a PyRandom
// seeded with Seed, used for the assignment only.
//
// Scoring: a session scores its center agent CenterMultiplier × the
// center's utility and each counted edge EdgeMultiplier × its utility
// (infinite or NaN utilities count 0). An agent's Center and Edge scores
// are the sums over the sessions, Total their sum; WeightedAverage is the
// mean of its per-session center and edge averages, UnweightedAverage
// Total over its number of sessions.
type Tournament struct {
	Scenarios []*Scenario
	// Agents are built-in agent names (NewAgent); sessions and scores
	// name them by their anl2025 class names.
	Agents      []string
	Steps       int
	Repetitions int
	Seed        int64
	// CenterMultiplier and EdgeMultiplier scale the utilities; nil gives
	// anl2025_tournament's defaults: the number of edges for the center,
	// 1 for an edge.
	CenterMultiplier, EdgeMultiplier *float64
	// AllowDoubleScores scores every edge, also the padding ones
	// (anl2025's no_double_scores=False).
	AllowDoubleScores bool
	// Workers is the number of sessions run at once (0: every core).
	Workers int
	// Progress, when set, is called after each session (from one
	// goroutine at a time) with the number done and the total.
	Progress func(done, total int)
}

// TournamentSession is one session of a tournament and its result.
type TournamentSession struct {
	Index      int    `json:"run_index"`
	Scenario   string `json:"scenario"`
	Repetition int    `json:"repetition"`
	Rotation   int    `json:"rotation"`
	Center     string `json:"center"`
	// Edges are the agents of the threads, in thread order.
	Edges []string `json:"edges"`
	// Counted is how many of the edges (the first ones) are scored.
	Counted int   `json:"counted_edges"`
	Seed    int64 `json:"seed"`
	// Agreements are the threads' outcomes by point ID (nil for none).
	Agreements    []map[string]string `json:"agreements"`
	CenterUtility float64             `json:"center_utility"`
	EdgeUtilities []float64           `json:"edge_utilities"`
	CenterFactor  float64             `json:"center_factor"`
	EdgeFactor    float64             `json:"edge_factor"`
	scenario      int
}

// AgentScore is one agent's tournament score.
type AgentScore struct {
	Agent string `json:"agent"`
	// Center and Edge are the scaled utilities summed over the sessions it
	// played in that role (anl2025's final_scoresC, final_scoresE), Total
	// their sum (final_scores), Raw the unscaled sum (raw_scores).
	Center float64 `json:"center_score"`
	Edge   float64 `json:"edge_score"`
	Total  float64 `json:"total"`
	Raw    float64 `json:"raw"`
	// CenterCount and EdgeCount count its scored sessions in each role.
	CenterCount int `json:"center_count"`
	EdgeCount   int `json:"edge_count"`
	// WeightedAverage is ½(Center/CenterCount + Edge/EdgeCount);
	// UnweightedAverage is Total/(CenterCount+EdgeCount).
	WeightedAverage   float64 `json:"weighted_average"`
	UnweightedAverage float64 `json:"unweighted_average"`
}

// TournamentResult is a tournament's sessions (in run order) and scores
// (in the order the agents were first scored, as anl2025's dicts are).
type TournamentResult struct {
	Sessions []TournamentSession `json:"sessions"`
	Scores   []AgentScore        `json:"scores"`
}

// SessionSeed is the seed of a tournament's session: (seed·1000003 +
// index) mod 2⁶², derived from the configuration only, so results do not
// depend on the number of workers.
func SessionSeed(seed int64, index int) int64 {
	return int64((uint64(seed)*1000003 + uint64(index)) & (1<<62 - 1))
}

// Plan returns the tournament's sessions, assigned but not run.
func (t *Tournament) Plan() ([]TournamentSession, error) {
	if len(t.Agents) < 2 {
		return nil, fmt.Errorf("multideal: tournament: need at least 2 agents, have %d", len(t.Agents))
	}
	if len(t.Scenarios) == 0 {
		return nil, fmt.Errorf("multideal: tournament: no scenarios")
	}
	if t.Steps <= 0 || t.Repetitions <= 0 {
		return nil, fmt.Errorf("multideal: tournament: steps and repetitions must be positive (have %d, %d)", t.Steps, t.Repetitions)
	}
	names := make([]string, len(t.Agents))
	for i, a := range t.Agents {
		ag, err := NewAgent(a)
		if err != nil {
			return nil, fmt.Errorf("multideal: tournament: %w", err)
		}
		names[i] = ag.Name() // anl2025's class name
	}
	rnd := NewPyRandom(t.Seed)
	var out []TournamentSession
	for i := 0; i < t.Repetitions; i++ {
		comps := append([]string(nil), names...)
		for k, s := range t.Scenarios {
			nedges := len(s.Threads)
			rnd.shuffle(len(comps), func(a, b int) { comps[a], comps[b] = comps[b], comps[a] })
			for j := range comps {
				players := append([]string(nil), comps...)
				if len(comps) < nedges+1 {
					for n := nedges + 1 - len(comps); n > 0; n-- {
						players = append(players, comps[int(math.Floor(rnd.Random()*float64(len(comps))))])
					}
				}
				counted := nedges
				if !t.AllowDoubleScores {
					counted = min(len(comps)-1, nedges)
				}
				edges := append([]string(nil), players[1:nedges+1]...)
				rnd.shuffle(len(edges), func(a, b int) { edges[a], edges[b] = edges[b], edges[a] })
				cf, ef := float64(nedges), 1.0
				if t.CenterMultiplier != nil {
					cf = *t.CenterMultiplier
				}
				if t.EdgeMultiplier != nil {
					ef = *t.EdgeMultiplier
				}
				out = append(out, TournamentSession{
					Index: len(out), Scenario: s.Name, Repetition: i, Rotation: j,
					Center: players[0], Edges: edges, Counted: counted,
					Seed: SessionSeed(t.Seed, len(out)), CenterFactor: cf, EdgeFactor: ef, scenario: k,
				})
				comps = append(comps[1:], comps[0])
			}
		}
	}
	return out, nil
}

// shuffle is CPython's random.shuffle.
func (r *PyRandom) shuffle(n int, swap func(i, j int)) {
	for i := n - 1; i > 0; i-- {
		swap(i, r.Below(i+1))
	}
}

// Run plans and runs the tournament on Workers goroutines and scores it.
// The result does not depend on Workers.
func (t *Tournament) Run() (*TournamentResult, error) {
	sessions, err := t.Plan()
	if err != nil {
		return nil, err
	}
	workers := t.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	jobs := make(chan int)
	errs := make([]error, len(sessions))
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for w := 0; w < min(workers, len(sessions)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				errs[i] = t.runSession(&sessions[i])
				if t.Progress != nil {
					mu.Lock()
					done++
					t.Progress(done, len(sessions))
					mu.Unlock()
				}
			}
		}()
	}
	for i := range sessions {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return &TournamentResult{Sessions: sessions, Scores: Score(sessions)}, nil
}

func (t *Tournament) runSession(ts *TournamentSession) error {
	return runTournamentSession(t.Scenarios[ts.scenario], t.Steps, ts)
}

// runTournamentSession runs ts on s with steps per thread and fills in its
// agreements and utilities: the same for a local run and a remote worker
// (RunSessionJob).
func runTournamentSession(s *Scenario, steps int, ts *TournamentSession) error {
	center, err := NewAgent(ts.Center)
	if err != nil {
		return err
	}
	edges := make([]Agent, len(ts.Edges))
	for i, name := range ts.Edges {
		if edges[i], err = NewAgent(name); err != nil {
			return err
		}
	}
	rec, err := Run(s, center, edges, Params{Steps: steps, Seed: ts.Seed})
	if err != nil {
		return fmt.Errorf("multideal: tournament session %d: %w", ts.Index, err)
	}
	ts.CenterUtility = rec.CenterUtility
	for _, th := range rec.Threads {
		ts.Agreements = append(ts.Agreements, th.Outcome)
		ts.EdgeUtilities = append(ts.EdgeUtilities, th.Utility)
	}
	return nil
}

// finite is anl2025's avoid_inf_nan.
func finite(x float64) float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return 0
	}
	return x
}

// Score computes anl2025's scores of run sessions, summing in session
// order (as anl2025's serial run does).
func Score(sessions []TournamentSession) []AgentScore {
	var order []string
	by := map[string]*AgentScore{}
	get := func(name string) *AgentScore {
		if a, ok := by[name]; ok {
			return a
		}
		order = append(order, name)
		by[name] = &AgentScore{Agent: name}
		return by[name]
	}
	for i := range sessions {
		s := &sessions[i]
		cu := finite(s.CenterUtility)
		c := get(s.Center)
		c.Total += cu * s.CenterFactor
		c.Center += cu * s.CenterFactor
		c.Raw += cu
		c.CenterCount++
		for e := 0; e < s.Counted && e < len(s.Edges); e++ {
			a := get(s.Edges[e])
			eu := finite(s.EdgeUtilities[e])
			a.Total += eu * s.EdgeFactor
			a.Edge += eu * s.EdgeFactor
			a.Raw += eu
			a.EdgeCount++
		}
	}
	out := make([]AgentScore, len(order))
	for i, name := range order {
		a := *by[name]
		var we, wc float64
		if a.EdgeCount > 0 {
			we = a.Edge / float64(a.EdgeCount)
		}
		if a.CenterCount > 0 {
			wc = a.Center / float64(a.CenterCount)
		}
		a.WeightedAverage = 0.5 * (wc + we)
		a.UnweightedAverage = a.Total
		if n := a.CenterCount + a.EdgeCount; n > 0 {
			a.UnweightedAverage = a.Total / float64(n)
		}
		out[i] = a
	}
	return out
}

// TournamentConfig is a tournament's YAML configuration file.
type TournamentConfig struct {
	Agents []string `yaml:"agents"`
	// Scenarios are Parley multi-deal files or anl2025 scenario folders,
	// relative to the configuration file.
	Scenarios   []string `yaml:"scenarios"`
	Steps       int      `yaml:"steps"`
	Repetitions int      `yaml:"repetitions"`
	Seed        int64    `yaml:"seed"`
	// CenterMultiplier and EdgeMultiplier: see Tournament.
	CenterMultiplier  *float64 `yaml:"center_multiplier"`
	EdgeMultiplier    *float64 `yaml:"edge_multiplier"`
	AllowDoubleScores bool     `yaml:"allow_double_scores"`
	Workers           int      `yaml:"workers"`
}

// LoadTournamentConfig reads a configuration file (unknown keys are
// errors, with their position); scenario paths are made relative to its
// folder.
func LoadTournamentConfig(path string) (*TournamentConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("multideal: tournament config: %w", err)
	}
	var c TournamentConfig
	if len(bytes.TrimSpace(b)) == 0 {
		return &c, nil
	}
	if err := yaml.NewDecoder(bytes.NewReader(b), yaml.DisallowUnknownField()).Decode(&c); err != nil {
		return nil, fmt.Errorf("%s: %s", path, yaml.FormatError(err, false, true))
	}
	for i, s := range c.Scenarios {
		if !filepath.IsAbs(s) {
			c.Scenarios[i] = filepath.Join(filepath.Dir(path), s)
		}
	}
	return &c, nil
}

// LoadScenarioPath reads an anl2025 scenario folder (one holding
// center.yml) or a Parley multi-deal file.
func LoadScenarioPath(path string) (*Scenario, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		if _, err := os.Stat(filepath.Join(path, "center.yml")); err != nil {
			return nil, fmt.Errorf("%s: a folder must be an anl2025 scenario (center.yml and edges/*.yml)", path)
		}
		return ImportANL(path)
	}
	return Load(path)
}
