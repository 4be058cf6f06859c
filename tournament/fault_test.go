package tournament

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/extagent"
	"github.com/parley-negotiation/parley/extagent/agentserver"
)

// httpAgent builds external agents as parley tournament does (extagent,
// parley-agent over HTTP).
func httpAgent(name, url string, job Job) (agent.Negotiator, error) {
	return extagent.New(name, url, extagent.WithProtocol(job.Protocol), extagent.WithTimeout(2*time.Second))
}

// freeAddr returns a loopback address nothing listens on (yet).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// serveAgent serves a conceder over parley-agent on addr until the test
// ends.
func serveAgent(t *testing.T, addr string) {
	t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the port was just released; it may linger a moment
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: agentserver.New(func() agent.Negotiator { return agent.Conceder() })}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
}

// extJobs is a small tournament with an external agent at url.
func extJobs(t *testing.T, url string) (*Config, []Job) {
	t.Helper()
	cfg, err := ParseConfig("t.yaml", []byte(fmt.Sprintf("agents: [boulware, hard-headed, {name: ext, url: '%s'}]\nscenarios: [tiny-2p]\ndeadline: {rounds: 30}\nrepetitions: 2\n", url)))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Resolve(); err != nil {
		t.Fatal(err)
	}
	return cfg, Jobs(cfg)
}

func names(cfg *Config) []string {
	var out []string
	for _, a := range cfg.Agents {
		out = append(out, a.Name)
	}
	return out
}

// TestResumeRetriesUnreachable (issue 11, item 6): the negotiations of an
// external agent that could not be reached are recorded as not run; run
// again once the agent is back, they run, and the batch then equals a run
// in which the agent was reachable throughout.
func TestResumeRetriesUnreachable(t *testing.T) {
	addr := freeAddr(t)
	cfg, jobs := extJobs(t, "http://"+addr)
	eng := &Engine{External: httpAgent}
	path := filepath.Join(t.TempDir(), "results.jsonl")
	first, err := (&Runner{Engine: eng, Workers: 2, Results: path}).Run(context.Background(), jobs)
	if err != nil {
		t.Fatal(err)
	}
	withExt := 0
	for _, r := range first.Results {
		if !strings.Contains(strings.Join(r.Agents, " "), "ext") {
			continue
		}
		withExt++
		if r.Status != StatusError || r.Final() || r.Scored() || r.Fault != "ext" || !strings.Contains(r.Reason, "could not be reached") {
			t.Errorf("unreachable agent: %+v", r)
		}
	}
	if withExt != 8 {
		t.Fatalf("%d negotiations with the external agent, want 8", withExt)
	}
	sum := Summarize("t", names(cfg), first.Results, "")
	for _, a := range sum.Agents {
		switch a.Agent {
		case "ext":
			if !a.Unranked || a.Rank != 0 || a.Negotiations != 0 || a.NotRun != 8 {
				t.Errorf("ext, never reached: %+v", a)
			}
		default:
			if a.Unranked || a.Rank == 0 || a.NotRun != 4 || a.Negotiations != 4 {
				t.Errorf("%s: %+v", a.Agent, a)
			}
		}
	}

	serveAgent(t, addr)
	second, err := (&Runner{Engine: eng, Workers: 2, Results: path}).Run(context.Background(), jobs)
	if err != nil {
		t.Fatal(err)
	}
	if second.New != withExt || second.Skipped != len(jobs)-withExt {
		t.Errorf("resume: %d new, %d skipped; want %d, %d", second.New, second.Skipped, withExt, len(jobs)-withExt)
	}
	clean, err := (&Runner{Engine: eng, Workers: 2, Results: filepath.Join(t.TempDir(), "clean.jsonl")}).Run(context.Background(), jobs)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(strip(second.Results), strip(clean.Results)) {
		t.Errorf("resumed results differ from a clean run:\n%+v\n%+v", strip(second.Results), strip(clean.Results))
	}
	a, b := Summarize("t", names(cfg), second.Results, ""), Summarize("t", names(cfg), clean.Results, "")
	if !reflect.DeepEqual(a, b) || a.Errors != 0 {
		t.Errorf("summaries differ: %+v\n%+v", a, b)
	}
	// The file keeps the failed attempts; reading it again gives the same.
	third, err := (&Runner{Engine: eng, Results: path}).Run(context.Background(), jobs)
	if err != nil || third.New != 0 || !reflect.DeepEqual(strip(third.Results), strip(clean.Results)) {
		t.Errorf("third run: %+v, %v", third, err)
	}
}

// cutOff is an external agent whose connection was lost mid-negotiation.
type cutOff struct{ agent.Negotiator }

func (cutOff) Act(*agent.View) agent.Action { return agent.Action{Kind: agent.EndTalks} }
func (cutOff) Err() error {
	return fmt.Errorf("agent ext: /act (round 3): %w: connection reset by peer", extagent.ErrTransport)
}

// TestLostConnectionIsNotScored: an external agent that could not be
// reached mid-negotiation did not fail the negotiation by its strategy:
// the negotiation did not run (it is retried), not an agent error.
func TestLostConnectionIsNotScored(t *testing.T) {
	e := &Engine{External: func(name, url string, _ Job) (agent.Negotiator, error) { return cutOff{agent.Linear()}, nil }}
	_, jobs := extJobs(t, "http://127.0.0.1:1")
	for _, j := range jobs {
		if !strings.Contains(strings.Join(j.Agents(), " "), "ext") {
			continue
		}
		r := e.Run(j)
		if r.Status != StatusError || r.Scored() || r.Fault != "ext" || !strings.Contains(r.Reason, "could not be reached") || !strings.Contains(r.Error, "connection reset") {
			t.Fatalf("%+v: want not run, ext unreachable", r)
		}
	}
}

// TestHandshakeBeyondBudgetIsNotScored: an external agent whose handshake
// hangs past the time budget (a host that drops packets) was never
// reached: not run, rather than a timeout scored against it.
func TestHandshakeBeyondBudgetIsNotScored(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	e := &Engine{External: func(name, url string, _ Job) (agent.Negotiator, error) {
		<-release
		return nil, errors.New("late")
	}}
	_, jobs := extJobs(t, "http://127.0.0.1:1")
	for _, j := range jobs {
		j.Budget = 30 * time.Millisecond
		j.ID = j.ComputeID()
		if !strings.Contains(strings.Join(j.Agents(), " "), "ext") {
			continue
		}
		r := e.Run(j)
		if r.Status != StatusError || r.Scored() || r.Fault != "ext" || !strings.Contains(r.Reason, "could not be reached") {
			t.Fatalf("%+v: want not run, ext unreachable", r)
		}
		break
	}
}

// TestRankingExcludesNotRun (issue 11, item 6): an agent is ranked only on
// negotiations that ran; one with none is unranked (no rank, no means: not
// a distance of 0), and every agent's negotiations that did not run are
// counted with their reason in the summary, the CSV and the report.
func TestRankingExcludesNotRun(t *testing.T) {
	unreachable := func(id string, agents ...string) Result {
		return Result{ID: id, Agents: agents, Status: StatusError, Fault: "mine", Reason: "mine could not be reached",
			Error: `agent "mine": extagent: handshake with http://127.0.0.1:9: extagent: cannot reach agent: connection refused`}
	}
	rs := []Result{
		{ID: "1", Agents: []string{"a", "b"}, Status: StatusAgreement, Utilities: []float64{0.9, 0.3}, Discounted: []float64{0.8, 0.2}, Welfare: 1.2, DistancePareto: fp(0), DistanceNash: fp(0.1), Rounds: 10},
		{ID: "2", Agents: []string{"b", "a"}, Status: StatusNoAgreement, Utilities: []float64{0, 0}, Discounted: []float64{0, 0}, DistancePareto: fp(1), DistanceNash: fp(1), Rounds: 30},
		unreachable("3", "a", "mine"), unreachable("4", "mine", "a"), unreachable("5", "b", "mine"),
		{ID: "6", Agents: []string{"a", "b"}, Status: StatusError, Error: "given up after 5 deliveries: the workers that took the job stopped without a result\nmore"},
	}
	s := Summarize("t", []string{"a", "b", "mine"}, rs, RankUtility)
	if s.Negotiations != 2 || s.Errors != 4 {
		t.Errorf("counts: %d scored, %d not run", s.Negotiations, s.Errors)
	}
	if got := strings.Join(s.Ranking(), " "); got != "a b mine" {
		t.Errorf("ranking %s", got)
	}
	m := s.Agents[2]
	if m.Agent != "mine" || m.Rank != 0 || !m.Unranked || m.NotRun != 3 || m.Negotiations != 0 ||
		!reflect.DeepEqual(m.NotRunReasons, map[string]int{"mine could not be reached": 3}) {
		t.Errorf("mine: %+v", m)
	}
	a := s.Agents[0]
	if a.Rank != 1 || a.Unranked || a.NotRun != 3 || a.Negotiations != 2 ||
		!reflect.DeepEqual(a.NotRunReasons, map[string]int{"mine could not be reached": 2, "given up after 5 deliveries: the workers that took the job stopped without a result": 1}) {
		t.Errorf("a: %+v", a)
	}
	if len(m.Tied) != 0 || strings.Contains(strings.Join(a.Tied, " "), "mine") {
		t.Errorf("an unranked agent is tied: %v, %v", m.Tied, a.Tied)
	}

	var buf bytes.Buffer
	if err := WriteCSV(&buf, s); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, h := range []string{"not_run", "not_run_reasons", "distance_pareto_mean", "rank"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("CSV has no column %s: %v", h, rows[0])
		}
	}
	mine := rows[3]
	if mine[col["agent"]] != "mine" || mine[col["rank"]] != "" || mine[col["distance_pareto_mean"]] != "" || mine[col["utility_mean"]] != "" ||
		mine[col["not_run"]] != "3" || mine[col["not_run_reasons"]] != "3 mine could not be reached" {
		t.Errorf("CSV row of mine: %v", mine)
	}
	if rows[1][col["not_run_reasons"]] != "2 mine could not be reached; 1 given up after 5 deliveries: the workers that took the job stopped without a result" {
		t.Errorf("CSV reasons of a: %q", rows[1][col["not_run_reasons"]])
	}

	cfg, _ := tinyJobs(t, "")
	rep, err := NewReport(cfg, &Engine{}, s, rs)
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := rep.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{"unranked", "Not run", "mine could not be reached", "<td>3</td>"} {
		if !strings.Contains(html, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}

// replay is a Dispatcher that delivers the given results in order.
type replay []Result

func (r replay) Dispatch(ctx context.Context, todo []Job, out chan<- Delivery) error {
	for _, res := range r {
		out <- Delivery{Result: res}
	}
	return nil
}

// TestFinalResultSupersedesFailure: within a run, a final result delivered
// after a failed attempt of the same job (a worker gave it up, then a late
// worker finished it) counts; a failed attempt after a final result is a
// duplicate. The file keeps both attempts and reads back the same.
func TestFinalResultSupersedesFailure(t *testing.T) {
	_, jobs := tinyJobs(t, "")
	jobs = jobs[:2]
	done := strip((&Runner{Results: filepath.Join(t.TempDir(), "x.jsonl")}).mustRun(t, jobs).Results)
	failed := func(j Job) Result { return ErrorResult(j, "given up after 5 deliveries") }
	path := filepath.Join(t.TempDir(), "r.jsonl")
	r := &Runner{Results: path, Dispatcher: replay{failed(jobs[0]), done[0], done[1], failed(jobs[1])}}
	b := r.mustRun(t, jobs)
	if b.New != 2 || b.Duplicates != 1 || !reflect.DeepEqual(strip(b.Results), done) {
		t.Errorf("batch %+v", b)
	}
	if n := len(fileIDs(t, path)); n != 3 {
		t.Errorf("%d lines in the file, want 3", n)
	}
	again := (&Runner{Results: path, Dispatcher: replay{}}).mustRun(t, jobs)
	if again.Skipped != 2 || again.New != 0 || !reflect.DeepEqual(strip(again.Results), done) {
		t.Errorf("rerun %+v", again)
	}
}

func (r *Runner) mustRun(t *testing.T, jobs []Job) *Batch {
	t.Helper()
	b, err := r.Run(context.Background(), jobs)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
