package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/parley-negotiation/parley/multideal"
)

// multidealTournament is a small multi-deal tournament: the built-in
// miami-shuttle and the Dinners scenario (a file: the workers have it only
// from the bucket), three anl2025 agents and the Planner.
func multidealTournament(t testing.TB, reps int) *multideal.Tournament {
	t.Helper()
	miami, err := multideal.Builtin("miami-shuttle")
	if err != nil {
		t.Fatal(err)
	}
	dinners, err := multideal.Load("../multideal/testdata/dinners.yml")
	if err != nil {
		t.Fatal(err)
	}
	return &multideal.Tournament{Scenarios: []*multideal.Scenario{miami, dinners},
		Agents: []string{"Boulware2025", "Linear2025", "Conceder2025", "Planner"},
		Steps:  20, Repetitions: reps, Seed: 3, Workers: 2}
}

// localTournament runs tr in this process.
func localTournament(t testing.TB, tr *multideal.Tournament) *multideal.TournamentResult {
	t.Helper()
	r, err := tr.Run()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// sameTournament requires got to be want exactly: every session's
// assignment, agreements and utilities (==) and every score (==).
func sameTournament(t *testing.T, got, want *multideal.TournamentResult) {
	t.Helper()
	if len(got.Sessions) != len(want.Sessions) || len(got.Scores) != len(want.Scores) {
		t.Fatalf("%d sessions, %d scores; local %d, %d", len(got.Sessions), len(got.Scores), len(want.Sessions), len(want.Scores))
	}
	for i, g := range got.Sessions {
		w := want.Sessions[i]
		if g.CenterUtility != w.CenterUtility || !reflect.DeepEqual(g.EdgeUtilities, w.EdgeUtilities) || !reflect.DeepEqual(g.Agreements, w.Agreements) {
			t.Errorf("session %d: center %v edges %v agreements %v; local %v %v %v", i, g.CenterUtility, g.EdgeUtilities, g.Agreements, w.CenterUtility, w.EdgeUtilities, w.Agreements)
		}
	}
	for i, g := range got.Scores {
		if g != want.Scores[i] {
			t.Errorf("score %d: %+v; local %+v", i, g, want.Scores[i])
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Error("the distributed result differs from the local one")
	}
}

// TestMultidealDistributedEqualsLocal: a multi-deal tournament whose
// sessions two workers run over NATS gives exactly Run's sessions and
// scores; the scenarios go to the bucket once (a second run of the batch
// does not publish them again) and every session runs once.
func TestMultidealDistributedEqualsLocal(t *testing.T) {
	tr := multidealTournament(t, 2)
	want := localTournament(t, tr)
	_, connect := testNode(t, QueueConfig{Memory: true})
	ws := startWorkers(t, connect, 2, 1, nil)
	_, jobs, scenarios, err := tr.SessionJobs()
	if err != nil {
		t.Fatal(err)
	}
	js := connect("coordinator")
	coord := &Coordinator{JS: js, Batch: MultidealBatchID(jobs), Key: testKey, Window: 4, Logf: t.Logf}
	var progress []int
	tr.Progress = func(done, total int) { progress = append(progress, done) }
	got, err := tr.RunRemote(context.Background(), coord)
	if err != nil {
		t.Fatal(err)
	}
	sameTournament(t, got, want)
	if len(progress) != len(jobs) || progress[len(progress)-1] != len(jobs) {
		t.Errorf("progress %v for %d sessions", progress, len(jobs))
	}
	// A worker counts an outcome once JetStream has acknowledged it, which
	// may be just after the coordinator has it.
	stored := func() (done int64) {
		for _, w := range ws {
			done += w.Stats().Done
		}
		return done
	}
	waitUntil(t, 5*time.Second, func() bool { return stored() >= int64(len(jobs)) })
	if n := stored(); n != int64(len(jobs)) {
		t.Errorf("workers stored %d outcomes for %d sessions", n, len(jobs))
	}
	for i, w := range ws {
		if s := w.Stats(); s.Refused+s.Failed+s.GaveUp != 0 {
			t.Errorf("worker %d: %+v", i, s)
		}
	}
	kv, err := js.KeyValue(context.Background(), ScenarioBucket)
	if err != nil {
		t.Fatal(err)
	}
	revs := map[string]uint64{}
	for digest := range scenarios {
		e, err := kv.Get(context.Background(), multidealKey(digest))
		if err != nil {
			t.Fatalf("scenario %s not in the bucket: %v", digest, err)
		}
		revs[digest] = e.Revision()
	}
	if len(revs) != len(tr.Scenarios) {
		t.Errorf("%d scenarios in the bucket for %d", len(revs), len(tr.Scenarios))
	}
	// The same batch again (on one worker now: which worker ran what does
	// not matter) gives the same result and publishes no scenario again.
	tr.Progress = nil
	again, err := tr.RunRemote(context.Background(), coord)
	if err != nil {
		t.Fatal(err)
	}
	sameTournament(t, again, want)
	for digest, rev := range revs {
		if e, err := kv.Get(context.Background(), multidealKey(digest)); err != nil || e.Revision() != rev {
			t.Errorf("scenario %s published again (revision %d, was %d): %v", digest, e.Revision(), rev, err)
		}
	}
}

// TestMultidealWorkersOfAnyCount: one worker, or three running two
// sessions at once, give the local result too.
func TestMultidealWorkersOfAnyCount(t *testing.T) {
	tr := multidealTournament(t, 1)
	want := localTournament(t, tr)
	for _, n := range []struct{ workers, conc int }{{1, 1}, {3, 2}} {
		t.Run(fmt.Sprintf("%dx%d", n.workers, n.conc), func(t *testing.T) {
			_, connect := testNode(t, QueueConfig{Memory: true})
			startWorkers(t, connect, n.workers, n.conc, nil)
			_, jobs, _, err := tr.SessionJobs()
			if err != nil {
				t.Fatal(err)
			}
			got, err := tr.RunRemote(context.Background(), &Coordinator{JS: connect("coordinator"), Batch: MultidealBatchID(jobs), Key: testKey, Logf: t.Logf})
			if err != nil {
				t.Fatal(err)
			}
			sameTournament(t, got, want)
		})
	}
}

// TestMultidealDeadWorkerLosesNothing: a "worker" that takes session jobs
// and dies without a word (kill -9: it never acknowledges) loses none:
// JetStream gives them to a live worker after the ack wait, and the
// tournament is the local one.
func TestMultidealDeadWorkerLosesNothing(t *testing.T) {
	tr := multidealTournament(t, 2)
	want := localTournament(t, tr)
	_, connect := testNode(t, QueueConfig{Memory: true, AckWait: time.Second})
	_, jobs, _, err := tr.SessionJobs()
	if err != nil {
		t.Fatal(err)
	}
	coord := &Coordinator{JS: connect("coordinator"), Batch: MultidealBatchID(jobs), Key: testKey, Logf: t.Logf}
	type ran struct {
		r   *multideal.TournamentResult
		err error
	}
	done := make(chan ran, 1)
	go func() { r, err := tr.RunRemote(context.Background(), coord); done <- ran{r, err} }()
	// The batch is queued with no worker yet; the dead one takes 5.
	takeSilently(t, connect("dead"), 5)
	ws := startWorkers(t, connect, 1, 2, nil)
	res := <-done
	if res.err != nil {
		t.Fatal(res.err)
	}
	sameTournament(t, res.r, want)
	// The worker counts an outcome once JetStream has it, which may be
	// just after the coordinator has it.
	waitUntil(t, 5*time.Second, func() bool { return ws[0].Stats().Done >= int64(len(jobs)) })
}

// TestMultidealGiveUp: a session job handed out more than MaxDeliveries
// times is not run again; the tournament ends with an error naming it,
// rather than waiting for ever.
func TestMultidealGiveUp(t *testing.T) {
	tr := multidealTournament(t, 1)
	tr.Scenarios, tr.Agents = tr.Scenarios[1:], tr.Agents[:2] // 2 sessions
	_, connect := testNode(t, QueueConfig{Memory: true, AckWait: 300 * time.Millisecond})
	_, jobs, _, err := tr.SessionJobs()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := tr.RunRemote(context.Background(), &Coordinator{JS: connect("coordinator"), Batch: MultidealBatchID(jobs), Key: testKey, Logf: t.Logf})
		done <- err
	}()
	takeSilently(t, connect("dead"), 2*len(jobs))
	startWorkers(t, connect, 1, 1, func(w *Worker) { w.MaxDeliveries = 2 })
	if err := <-done; err == nil || !strings.Contains(err.Error(), "given up after 2 deliveries") {
		t.Fatalf("err %v, want a session given up after 2 deliveries", err)
	}
}

// TestMultidealForgedJobsAreNotRun: session jobs without a valid
// signature (none, another key's, a result's, a signed job moved from the
// tournament lane) or that are not valid jobs (tampered: the id no longer
// matches; an unknown agent) are refused and logged, never run; the same
// job signed by the coordinator runs.
func TestMultidealForgedJobsAreNotRun(t *testing.T) {
	tr := multidealTournament(t, 1)
	_, jobs, scenarios, err := tr.SessionJobs()
	if err != nil {
		t.Fatal(err)
	}
	_, connect := testNode(t, QueueConfig{Memory: true})
	js := connect("forger")
	ctx := context.Background()
	batch := "forged"
	coord := &Coordinator{JS: connect("coordinator"), Batch: batch, Key: testKey}
	if err := coord.publishMultidealScenarios(ctx, jobs[:1], scenarios); err != nil {
		t.Fatal(err)
	}
	job := jobs[0]
	data, _ := json.Marshal(job)
	subject := jobsPrefix + multidealLane + batch
	tampered := job
	tampered.Center = "Random2025" // the id no longer matches
	td, _ := json.Marshal(tampered)
	unknown := job
	unknown.Center = "http://127.0.0.1:1/agent"
	unknown.ID = unknown.ComputeID()
	ud, _ := json.Marshal(unknown)
	moved := signed(testKey, kindJob, jobsPrefix+batch, batch+"/r/0", data) // the tournament lane's subject
	moved.Subject = subject
	for _, m := range []struct {
		name string
		pub  func() error
	}{
		{"unsigned", func() error { _, err := js.Publish(ctx, subject, data); return err }},
		{"another key", func() error {
			_, err := js.PublishMsg(ctx, signed(DeriveKey("another secret"), kindJob, subject, batch+"/r/1", data))
			return err
		}},
		{"a result's signature", func() error {
			_, err := js.PublishMsg(ctx, signed(testKey, kindResult, subject, batch+"/r/2", data))
			return err
		}},
		{"moved from the tournament lane", func() error { _, err := js.PublishMsg(ctx, moved); return err }},
		{"tampered", func() error {
			_, err := js.PublishMsg(ctx, signed(testKey, kindJob, subject, batch+"/r/3", td))
			return err
		}},
		{"unknown agent", func() error {
			_, err := js.PublishMsg(ctx, signed(testKey, kindJob, subject, batch+"/r/4", ud))
			return err
		}},
	} {
		if err := m.pub(); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
	}
	var logs syncLog
	ws := startWorkers(t, connect, 1, 1, func(w *Worker) { w.Logf = logs.logf })
	waitUntil(t, 10*time.Second, func() bool { return ws[0].Stats().Refused == 6 })
	if n := strings.Count(logs.String(), "without a valid signature"); n != 4 {
		t.Errorf("%d refused for their signature, want 4:\n%s", n, logs.String())
	}
	if n := strings.Count(logs.String(), "not a valid session job"); n != 2 {
		t.Errorf("%d refused as no valid job, want 2:\n%s", n, logs.String())
	}
	if s := ws[0].Stats(); s.Done != 0 {
		t.Fatalf("a forged job ran: %+v", s)
	}
	// The same job, signed by the coordinator, runs.
	if _, err := js.PublishMsg(ctx, signed(testKey, kindJob, subject, batch+"/s/"+job.ID, data)); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 10*time.Second, func() bool { return ws[0].Stats().Done == 1 })
}

// TestMultidealForgedOutcomesAreRefused: outcomes on the batch's subject
// without a valid signature (none, another key's, a job's) are refused
// and logged, never used, as is one moved from the tournament lane; the
// tournament is the local one.
func TestMultidealForgedOutcomesAreRefused(t *testing.T) {
	tr := multidealTournament(t, 1)
	want := localTournament(t, tr)
	_, jobs, _, err := tr.SessionJobs()
	if err != nil {
		t.Fatal(err)
	}
	_, connect := testNode(t, QueueConfig{Memory: true})
	js := connect("forger")
	batch := MultidealBatchID(jobs)
	fake := multideal.SessionOutcome{ID: jobs[0].ID, Index: 0, CenterUtility: 1,
		Agreements: make([]map[string]string, len(jobs[0].Edges)), EdgeUtilities: make([]multideal.ExactFloat, len(jobs[0].Edges))}
	b, _ := json.Marshal(fake)
	ctx := context.Background()
	subject := resultsPrefix + multidealLane + batch
	moved := signed(testKey, kindResult, resultsPrefix+batch, batch+"/z/"+fake.ID, b)
	moved.Subject = subject
	if _, err := js.Publish(ctx, subject, b); err != nil {
		t.Fatal(err)
	}
	for _, m := range []*nats.Msg{
		signed(DeriveKey("another secret"), kindResult, subject, batch+"/x/"+fake.ID, b),
		signed(testKey, kindJob, subject, batch+"/y/"+fake.ID, b),
		moved,
	} {
		if _, err := js.PublishMsg(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	startWorkers(t, connect, 1, 1, nil)
	var logs syncLog
	got, err := tr.RunRemote(ctx, &Coordinator{JS: connect("coordinator"), Batch: batch, Key: testKey, Logf: logs.logf})
	if err != nil {
		t.Fatal(err)
	}
	sameTournament(t, got, want)
	if n := strings.Count(logs.String(), "without a valid signature"); n != 4 {
		t.Errorf("%d forged outcomes refused, want 4:\n%s", n, logs.String())
	}
}
