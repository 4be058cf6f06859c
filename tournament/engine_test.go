package tournament

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/extagent"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// tinyJobs returns the jobs of a small tournament on tiny-2p.
func tinyJobs(t testing.TB, extra string) (*Config, []Job) {
	t.Helper()
	if !strings.Contains(extra, "deadline:") {
		extra += "deadline: {rounds: 60}\n"
	}
	cfg, err := ParseConfig("t.yaml", []byte("agents: [boulware, conceder, linear, hard-headed, tft, random]\nscenarios: [tiny-2p]\nrepetitions: 2\n"+extra))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Resolve(); err != nil {
		t.Fatal(err)
	}
	return cfg, Jobs(cfg)
}

// TestBuiltinMatchesByName: the negotiators built with a shared bid space
// are the ones agent.ByName builds, and negotiate the same way.
func TestBuiltinMatchesByName(t *testing.T) {
	sc, err := scenario.Builtin("tiny-2p")
	if err != nil {
		t.Fatal(err)
	}
	p, err := (&Engine{}).newPrepared(ScenarioRef{Name: "tiny-2p", Kind: KindBuiltin, Source: "tiny-2p", Digest: session.Digest(sc)})
	if err != nil {
		t.Fatal(err)
	}
	specs := []string{"boulware", "conceder", "linear", "timedep:e=0.5", "timedep:e=0.3,floor", "boulware:min=0.2",
		"linear:max=0.9", "conceder:min=0.1,max=0.8,k=0.1", "tft", "tft:kindness=0.05", "nice-tft", "hardheaded",
		"hard-headed:level=0.7", "random", "random:seed=5", "Boulware:floor"}
	for _, spec := range specs {
		for _, opp := range []string{"linear", "tft"} {
			play := func(mk func(string, uint64, string) agent.Negotiator) (string, []string) {
				s, err := session.New(p.sc, session.Config{Protocol: session.SAO, Rounds: 40}, fixedClock)
				if err != nil {
					t.Fatal(err)
				}
				agents := map[string]agent.Negotiator{"north": mk(spec, 3, "north"), "south": mk(opp, 4, "south")}
				r, err := session.NewRunner(s, agents, session.WithTables(p.tables))
				if err != nil {
					t.Fatal(err)
				}
				if err := r.Run(); err != nil {
					t.Fatal(err)
				}
				var moves []string
				for _, e := range s.EventsUnsealed() {
					if e.Move != nil {
						moves = append(moves, e.Kind+fmtPkg(e.Move.Package))
					}
				}
				return agents["north"].Name(), moves
			}
			n1, m1 := play(func(spec string, seed uint64, party string) agent.Negotiator {
				a, err := agent.ByName(normaliseStrategy(spec), seed)
				if err != nil {
					t.Fatal(err)
				}
				return a
			})
			n2, m2 := play(func(spec string, seed uint64, party string) agent.Negotiator {
				a, err := builtin(spec, seed, p.spaces[party])
				if err != nil {
					t.Fatal(err)
				}
				return a
			})
			if n1 != n2 || !reflect.DeepEqual(m1, m2) {
				t.Errorf("%s vs %s: ByName %s played %d moves, builtin %s %d moves", spec, opp, n1, len(m1), n2, len(m2))
			}
		}
	}
}

func fmtPkg(p []int) string {
	var b strings.Builder
	for _, x := range p {
		b.WriteByte(byte('0' + x))
	}
	return b.String()
}

// TestRun checks a result against the session it summarises.
func TestRun(t *testing.T) {
	_, jobs := tinyJobs(t, "")
	e := &Engine{}
	var agreed, none int
	for _, j := range jobs {
		r := e.Run(j)
		if r.ID != j.ID || r.Scenario != "tiny-2p" || !reflect.DeepEqual(r.Agents, j.Agents()) || r.Error != "" {
			t.Fatalf("result %+v for job %+v", r, j)
		}
		switch r.Status {
		case StatusAgreement:
			agreed++
			if len(r.Agreement) != 3 || r.Rounds < 1 || r.Rounds > 60 || r.Offers < 1 {
				t.Errorf("agreement %+v", r)
			}
		case StatusNoAgreement:
			none++
			if r.Utilities[0] != 0 || r.Utilities[1] != 0 || r.Reason == "" {
				t.Errorf("no agreement scored %v (%s)", r.Utilities, r.Reason)
			}
		default:
			t.Fatalf("status %s: %+v", r.Status, r)
		}
		if math.Abs(r.Welfare-(r.Utilities[0]+r.Utilities[1])) > 1e-12 || r.DistancePareto == nil || r.DistanceNash == nil {
			t.Errorf("measures %+v", r)
		}
		for i := range r.Utilities {
			if r.Discounted[i] > r.Utilities[i]+1e-12 {
				t.Errorf("discounted %v above %v", r.Discounted, r.Utilities)
			}
		}
		// A job is a function: the same job gives the same result.
		again := e.Run(j)
		again.Elapsed, r.Elapsed = 0, 0
		if !reflect.DeepEqual(again, r) {
			t.Fatalf("job %s: %+v then %+v", j.ID, r, again)
		}
	}
	if agreed == 0 || none == 0 {
		t.Errorf("%d agreements, %d without", agreed, none)
	}
}

// TestRunReservation: under reservation scoring no agreement scores the
// reservation values, discounted at the end time.
func TestRunReservation(t *testing.T) {
	_, jobs := tinyJobs(t, "scoring: reservation\n")
	for _, j := range jobs {
		if j.Agents()[0] != "hard-headed" || j.Agents()[1] != "boulware" {
			continue
		}
		r := Run(j)
		if r.Status != StatusNoAgreement {
			t.Fatalf("%+v", r)
		}
		p, _ := defaultEngine.prepare(j.Scenario)
		for i, u := range r.Utilities {
			if u != p.space.Reservation[i] || u == 0 {
				t.Errorf("party %d: %v, reservation %v", i, u, p.space.Reservation[i])
			}
		}
		return
	}
	t.Fatal("no hard-headed vs boulware job")
}

// slow is a negotiator that plays linear but whose Act blocks in round
// `at` for `d` (or until release is closed when d < 0).
type slow struct {
	agent.Negotiator
	at      int
	d       time.Duration
	release chan struct{}
}

func (s *slow) Act(v *agent.View) agent.Action {
	if v.Round == s.at {
		if s.d < 0 {
			<-s.release
		} else {
			time.Sleep(s.d)
		}
	}
	return s.Negotiator.Act(v)
}

// TestTimeBudget: an agent whose call exceeds the budget is abandoned (even
// one that never returns), the result names it, and the other
// negotiations of the batch are unaffected.
func TestTimeBudget(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var mu sync.Mutex
	built := map[string]int{}
	e := &Engine{External: func(name, url string, _ Job) (agent.Negotiator, error) {
		mu.Lock()
		built[name]++
		mu.Unlock()
		d := 300 * time.Millisecond
		if strings.Contains(url, "hang") {
			d = -1
		}
		return &slow{Negotiator: agent.Linear(), at: 3, d: d, release: release}, nil
	}}
	cfg, err := ParseConfig("t.yaml", []byte(`
agents:
  - boulware
  - conceder
  - name: sleepy
    url: http://127.0.0.1:1/sleep
  - name: stuck
    url: http://127.0.0.1:1/hang
scenarios: [tiny-2p]
deadline: {rounds: 30}
time_budget: 40ms
`))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Resolve(); err != nil {
		t.Fatal(err)
	}
	jobs := Jobs(cfg)
	start := time.Now()
	run := &Runner{Engine: e, Workers: 4, Results: t.TempDir() + "/r.jsonl"}
	b, err := run.Run(context.Background(), jobs)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the batch took %v: slow agents were waited for", took)
	}
	if len(b.Results) != len(jobs) || len(jobs) != 12 {
		t.Fatalf("%d results for %d jobs", len(b.Results), len(jobs))
	}
	for _, r := range b.Results {
		slowAgent := ""
		for _, a := range r.Agents {
			if a == "sleepy" || a == "stuck" {
				slowAgent = a // the first to reach round 3 times out
				break
			}
		}
		if slowAgent == "" {
			if r.Status == StatusTimeout {
				t.Errorf("%v timed out", r.Agents)
			}
			continue
		}
		if r.Status != StatusTimeout || r.Fault != slowAgent || r.Rounds != 3 || r.Utilities[0] != 0 || !strings.Contains(r.Reason, "time budget of 40ms") {
			t.Errorf("%v: %+v", r.Agents, r)
		}
		// Never before the budget; the upper bound is loose because a
		// loaded machine delays the watcher (a timeout status already
		// shows that the 300 ms call was not waited for).
		if r.Elapsed < 0.04 || r.Elapsed > 5 {
			t.Errorf("%v: abandoned after %.3fs, budget 40ms", r.Agents, r.Elapsed)
		}
	}
	sum := Summarize("", []string{"boulware", "conceder", "sleepy", "stuck"}, b.Results, "")
	for _, a := range sum.Agents {
		if (a.Timeouts > 0) != (a.Agent == "sleepy" || a.Agent == "stuck") {
			t.Errorf("%s: %d timeouts", a.Agent, a.Timeouts)
		}
	}
}

// panicky panics at its second turn.
type panicky struct{ agent.Negotiator }

func (p panicky) Act(v *agent.View) agent.Action {
	if v.Round == 2 {
		panic("boom")
	}
	return p.Negotiator.Act(v)
}

// invalid offers an incomplete package.
type invalid struct{ agent.Negotiator }

func (invalid) Act(v *agent.View) agent.Action {
	return agent.Action{Kind: agent.MakeOffer, Package: []int{0}}
}

func TestAgentErrors(t *testing.T) {
	e := &Engine{External: func(name, url string, _ Job) (agent.Negotiator, error) {
		switch name {
		case "boom":
			return panicky{agent.Linear()}, nil
		case "bad":
			return invalid{agent.Linear()}, nil
		}
		return nil, context.DeadlineExceeded
	}}
	cfg, err := ParseConfig("t.yaml", []byte("agents: [boulware, {name: boom, url: 'http://x'}, {name: bad, url: 'http://x'}, {name: gone, url: 'http://x'}]\nscenarios: [tiny-2p]\ndeadline: {rounds: 20}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Resolve(); err != nil {
		t.Fatal(err)
	}
	for _, j := range Jobs(cfg) {
		r := e.Run(j)
		a := j.Agents()
		switch {
		case a[0] == "gone" || a[1] == "gone":
			if r.Status != StatusError || !strings.Contains(r.Error, `agent "gone": context deadline exceeded`) || r.Scored() {
				t.Errorf("%v: %+v", a, r)
			}
		case a[0] == "bad" || a[1] == "bad": // bad fails in round 1, before boom's round 2
			if r.Status != StatusAgentError || r.Fault != "bad" || !strings.Contains(r.Reason, "invalid move") || !r.Scored() {
				t.Errorf("%v: %+v", a, r)
			}
		case a[0] == "boom" || a[1] == "boom":
			if r.Status != StatusAgentError || r.Fault != "boom" || !strings.Contains(r.Reason, "panicked: boom") || r.Rounds != 2 {
				t.Errorf("%v: %+v", a, r)
			}
		}
	}
	// Without an External constructor an external agent is an error.
	var j Job
	for _, x := range Jobs(cfg) {
		if x.Agents()[0] == "boulware" && x.Agents()[1] == "boom" {
			j = x
		}
	}
	if r := Run(j); r.Status != StatusError || !strings.Contains(r.Error, "need an External constructor") {
		t.Errorf("%+v", r)
	}
	if _, err := (&Runner{Results: t.TempDir() + "/r"}).Run(context.Background(), []Job{j}); !errors.Is(err, ErrNoExternal) || !strings.Contains(err.Error(), `agent "boom" (http://x)`) {
		t.Errorf("runner without External: %v", err)
	}
}

// TestRunChecks: a job that does not fit its scenario is an error result.
func TestRunChecks(t *testing.T) {
	_, jobs := tinyJobs(t, "")
	for _, tc := range []struct {
		edit func(j *Job)
		want string
	}{
		{func(j *Job) { j.Scenario.Digest = "0123" }, "has changed since the tournament was configured"},
		{func(j *Job) { j.Roles = j.Roles[:1] }, "has 2 negotiating parties, the job 1 roles"},
		{func(j *Job) { j.Roles[0].Party, j.Roles[1].Party = j.Roles[1].Party, j.Roles[0].Party }, `role 1 is party "south"`},
		{func(j *Job) { j.Protocol = "vote" }, `protocol "vote"`},
		{func(j *Job) { j.Rounds = 0 }, "no deadline"},
		{func(j *Job) { j.Scenario.Kind = "zip" }, `unknown scenario kind "zip"`},
	} {
		j := jobs[0]
		j.Roles = append([]Role(nil), j.Roles...)
		tc.edit(&j)
		if r := Run(j); r.Status != StatusError || !strings.Contains(r.Error, tc.want) {
			t.Errorf("%+v, want error %q", r, tc.want)
		}
	}
}

// TestWallTimeAndAMOP: a wall-time deadline and the amop protocol run.
func TestWallTimeAndAMOP(t *testing.T) {
	_, jobs := tinyJobs(t, "protocol: amop\ndeadline: {time: 50ms}\n")
	for _, j := range jobs[:4] {
		r := Run(j)
		if (r.Status != StatusAgreement && r.Status != StatusNoAgreement) || r.Elapsed > 1 {
			t.Errorf("%+v", r)
		}
	}
}

// broken is an external agent that broke the protocol: it ends the talks
// and says why through Err, as extagent's negotiators do.
type broken struct{ agent.Negotiator }

func (broken) Act(*agent.View) agent.Action { return agent.Action{Kind: agent.EndTalks} }
func (broken) Err() error                   { return errors.New("extagent: /act: malformed answer") }

func TestExternalProtocolFaultIsTheAgents(t *testing.T) {
	e := &Engine{External: func(name, url string, _ Job) (agent.Negotiator, error) { return broken{agent.Linear()}, nil }}
	cfg, err := ParseConfig("t.yaml", []byte("agents: [boulware, {name: ext, url: 'http://x'}]\nscenarios: [tiny-2p]\ndeadline: {rounds: 20}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Resolve(); err != nil {
		t.Fatal(err)
	}
	for _, j := range Jobs(cfg) {
		r := e.Run(j)
		if r.Status != StatusAgentError || r.Fault != "ext" || !strings.Contains(r.Reason, "malformed answer") {
			t.Fatalf("%+v: want agent-error by ext", r)
		}
	}
}

// ender is an external agent that records the outcomes it is told.
type ender struct {
	agent.Negotiator
	mu   *sync.Mutex
	seen *[]extagent.Outcome
}

func (e ender) End(o extagent.Outcome) {
	e.mu.Lock()
	defer e.mu.Unlock()
	*e.seen = append(*e.seen, o)
}

// TestExternalAgentsHearTheOutcome: every negotiation with an external
// agent ends with one End call (POST /end for a Remote) carrying the
// outcome the result records.
func TestExternalAgentsHearTheOutcome(t *testing.T) {
	var mu sync.Mutex
	var seen []extagent.Outcome
	e := &Engine{External: func(name, url string, _ Job) (agent.Negotiator, error) {
		return ender{Negotiator: agent.Conceder(), mu: &mu, seen: &seen}, nil
	}}
	cfg, err := ParseConfig("t.yaml", []byte("agents: [boulware, hard-headed, {name: ext, url: 'http://x'}]\nscenarios: [tiny-2p]\ndeadline: {rounds: 30}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Resolve(); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	withExt := 0
	for _, j := range Jobs(cfg) {
		r := e.Run(j)
		for _, a := range r.Agents {
			if a == "ext" {
				withExt++
				want[r.Status]++
			}
		}
	}
	if len(seen) != withExt || withExt == 0 {
		t.Fatalf("%d End calls for %d negotiations with the external agent", len(seen), withExt)
	}
	got := map[string]int{}
	for _, o := range seen {
		if o.Agreement != nil {
			got[StatusAgreement]++
		} else {
			got[StatusNoAgreement]++
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("outcomes told %v, results %v", got, want)
	}
}
