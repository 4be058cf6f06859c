package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/tournament"
)

// proc is a parley process of the fault test.
type proc struct {
	name string
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error
}

func startParley(t *testing.T, name string, args ...string) *proc {
	t.Helper()
	return startParleyIn(t, "", name, args...)
}

// startParleyIn starts parley ARGS in folder dir ("": this one).
func startParleyIn(t *testing.T, dir, name string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, cmd: exec.Command("parley", args...), out: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Dir = dir
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Signal(syscall.SIGKILL)
			<-p.done
		}
		if t.Failed() {
			t.Logf("--- %s:\n%s", name, tail(p.out.String(), 40))
		}
	})
	return p
}

func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func countLines(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return bytes.Count(b, []byte{'\n'})
}

// TestClusterFault runs a tournament over a 3-node NATS cluster (three
// `parley broker` processes on 127.0.0.1, streams with 3 replicas) with
// three `parley worker` processes and a coordinator that runs nothing
// itself; midway it kills one worker and one broker with SIGKILL. The batch
// must finish with every negotiation in the results file exactly once,
// and with the results of a local run. Every process has the same
// PARLEY_NATS_TOKEN: the brokers demand it of clients and of each other's
// routes, and the jobs and results are signed with it.
func TestClusterFault(t *testing.T) {
	if testing.Short() {
		t.Skip("starts seven processes; skipped with -short")
	}
	t.Setenv("PARLEY_NATS_TOKEN", "cluster-fault-test-secret")
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "fault.yaml")
	// A scenario file, so that the workers (which run in dir/w*) can only
	// have it from the coordinator through NATS.
	if err := os.WriteFile(filepath.Join(dir, "two.yaml"), []byte(twoParty), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgPath, []byte(`name: fault test
agents: [boulware, linear, conceder, tft, hard-headed, random]
scenarios: [tiny-2p, {file: two.yaml}]
deadline: {rounds: 1000}
repetitions: 15
seed: 5
`), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := tournament.LoadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	jobs := tournament.Jobs(cfg)

	var clients, routes []string
	for range 3 {
		clients = append(clients, freeAddr(t))
		routes = append(routes, freeAddr(t))
	}
	urls := "nats://" + strings.Join(clients, ",nats://")
	var brokers []*proc
	for i := range 3 {
		brokers = append(brokers, startParley(t, fmt.Sprintf("broker n%d", i+1), "broker", "--name", fmt.Sprintf("n%d", i+1),
			"--store", filepath.Join(dir, fmt.Sprintf("n%d", i+1)), "--listen", clients[i],
			"--cluster", "parley-test", "--cluster-listen", routes[i], "--routes", strings.Join(routes, ",")))
	}
	for _, b := range brokers {
		waitFor(t, 20*time.Second, b.name+" ready", func() bool { return strings.Contains(b.out.String(), "ready on") })
	}
	var workers []*proc
	for i := range 3 {
		wdir := filepath.Join(dir, fmt.Sprintf("w%d", i+1))
		if err := os.Mkdir(wdir, 0o755); err != nil {
			t.Fatal(err)
		}
		workers = append(workers, startParleyIn(t, wdir, fmt.Sprintf("worker %d", i+1), "worker", "--nats", urls, "--workers", "1", "--stats", "1s"))
	}
	out := filepath.Join(dir, "out")
	coord := startParley(t, "coordinator", "tournament", cfgPath, "--nats", urls, "--replicas", "3", "--workers", "0",
		"--ack-wait", "2s", "-o", out, "--json")
	results := filepath.Join(out, "results.jsonl")
	waitFor(t, 2*time.Minute, "a fifth of the results", func() bool { return countLines(results) >= len(jobs)/5 })
	before := countLines(results)
	workers[0].kill()
	brokers[1].kill()
	t.Logf("killed worker 1 and broker n2 with %d of %d results in the file", before, len(jobs))
	select {
	case <-coord.done:
	case <-time.After(4 * time.Minute):
		t.Fatalf("the coordinator did not finish within 4 minutes after the kills (%d of %d results)", countLines(results), len(jobs))
	}
	if coord.err != nil {
		t.Fatalf("coordinator: %v", coord.err)
	}
	if before >= len(jobs) {
		t.Fatalf("the batch was over before the kills; make it longer")
	}

	got, _, err := tournament.ReadResults(results)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	byID := map[string]tournament.Result{}
	for _, r := range got {
		count[r.ID]++
		r.Elapsed = 0
		byID[r.ID] = r
	}
	if len(got) != len(jobs) {
		t.Errorf("%d results in the file for %d negotiations", len(got), len(jobs))
	}
	for _, j := range jobs {
		if count[j.ID] != 1 {
			t.Errorf("negotiation %s counted %d times", j.ID, count[j.ID])
		}
	}
	local := &tournament.Runner{Workers: 2, Results: filepath.Join(dir, "local.jsonl")}
	want, err := local.Run(context.Background(), jobs)
	if err != nil {
		t.Fatal(err)
	}
	diff := 0
	for _, w := range want.Results {
		w.Elapsed = 0
		if g := byID[w.ID]; !reflect.DeepEqual(g, w) {
			if diff++; diff <= 3 {
				t.Errorf("negotiation %s: distributed %+v, local %+v", w.ID, g, w)
			}
		}
	}
	sc := bufio.NewScanner(strings.NewReader(coord.out.String()))
	for sc.Scan() {
		if l := sc.Text(); strings.Contains(l, "run twice") || strings.Contains(l, "negotiations in") {
			t.Log(l)
		}
	}
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// twoParty is a small two-party scenario file.
const twoParty = `parley: 1
name: two-points
points:
  - id: price
    options: [{id: low}, {id: mid}, {id: high}]
  - id: term
    options: [{id: short}, {id: long}]
parties:
  - id: buyer
    role: principal
    profile:
      weights: {price: 0.7, term: 0.3}
      scores:
        price: {low: 1, mid: 0.6, high: 0}
        term: {short: 0.2, long: 1}
  - id: seller
    role: principal
    profile:
      weights: {price: 0.6, term: 0.4}
      scores:
        price: {low: 0, mid: 0.5, high: 1}
        term: {short: 1, long: 0.3}
`
