package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-negotiation/parley/tournament"
)

// testKey signs and checks the test queues' messages.
var testKey = DeriveKey("test secret")

// testNode starts an in-process node (memory streams unless onDisk) and
// returns JetStream contexts on new in-process connections.
func testNode(t testing.TB, cfg QueueConfig) (*Node, func(name string) jetstream.JetStream) {
	t.Helper()
	n, err := StartNode(NodeConfig{StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.Shutdown)
	connect := func(name string) jetstream.JetStream {
		nc, err := n.Connect(name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		js, err := jetstream.New(nc)
		if err != nil {
			t.Fatal(err)
		}
		return js
	}
	if err := Setup(context.Background(), connect("setup"), cfg); err != nil {
		t.Fatal(err)
	}
	return n, connect
}

// tinyJobs is a small tournament on both built-in scenarios' smaller one
// and a scenario file, so that workers fetch scenarios from the bucket.
func tinyJobs(t testing.TB, reps int) (*tournament.Config, []tournament.Job) {
	t.Helper()
	cfg, err := tournament.ParseConfig("t.yaml", []byte(fmt.Sprintf(
		"agents: [boulware, conceder, linear, hard-headed, tft, random]\nscenarios: [tiny-2p]\nrepetitions: %d\ndeadline: {rounds: 200}\n", reps)))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Resolve(); err != nil {
		t.Fatal(err)
	}
	return cfg, tournament.Jobs(cfg)
}

// startWorkers runs n workers (each with its own connection) until the
// test ends.
func startWorkers(t testing.TB, connect func(string) jetstream.JetStream, n, conc int, mod func(*Worker)) []*Worker {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var ws []*Worker
	for i := range n {
		w := &Worker{JS: connect(fmt.Sprintf("worker-%d", i)), Key: testKey, Concurrency: conc, Logf: t.Logf}
		if mod != nil {
			mod(w)
		}
		ws = append(ws, w)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.Run(ctx); err != nil {
				t.Errorf("worker %d: %v", i, err)
			}
		}()
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
	return ws
}

func strip(rs []tournament.Result) []tournament.Result {
	out := append([]tournament.Result(nil), rs...)
	for i := range out {
		out[i].Elapsed = 0
	}
	return out
}

// localResults runs jobs on this process's goroutines.
func localResults(t testing.TB, jobs []tournament.Job) []tournament.Result {
	t.Helper()
	r := &tournament.Runner{Workers: 2, Results: filepath.Join(t.TempDir(), "local.jsonl")}
	b, err := r.Run(context.Background(), jobs)
	if err != nil {
		t.Fatal(err)
	}
	return strip(b.Results)
}

// checkOnce requires the results file to hold every job exactly once.
func checkOnce(t *testing.T, path string, jobs []tournament.Job) []tournament.Result {
	t.Helper()
	rs, _, err := tournament.ReadResults(path)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, r := range rs {
		count[r.ID]++
	}
	for _, j := range jobs {
		if count[j.ID] != 1 {
			t.Errorf("job %s has %d results in the file, want 1", j.ID, count[j.ID])
		}
	}
	if len(rs) != len(jobs) {
		t.Errorf("%d results in the file for %d jobs", len(rs), len(jobs))
	}
	return rs
}

// TestDistributedEqualsLocal: a batch run by two workers over NATS gives
// the results of a local run, each job once, with scenarios the workers
// only have from the bucket.
func TestDistributedEqualsLocal(t *testing.T) {
	_, jobs := tinyJobs(t, 3)
	want := localResults(t, jobs)
	_, connect := testNode(t, QueueConfig{Memory: true})
	ws := startWorkers(t, connect, 2, 2, nil)
	path := filepath.Join(t.TempDir(), "results.jsonl")
	r := &tournament.Runner{Results: path, Dispatcher: &Coordinator{JS: connect("coordinator"), Batch: BatchID(jobs), Key: testKey, Window: 16, Logf: t.Logf}}
	b, err := r.Run(context.Background(), jobs)
	if err != nil {
		t.Fatal(err)
	}
	if b.New != len(jobs) || b.Duplicates != 0 {
		t.Errorf("new %d, duplicates %d; want %d, 0", b.New, b.Duplicates, len(jobs))
	}
	if got := strip(b.Results); !reflect.DeepEqual(got, want) {
		t.Errorf("distributed results differ from local ones")
	}
	checkOnce(t, path, jobs)
	var done int64
	for _, w := range ws {
		done += w.Stats().Done
	}
	if done != int64(len(jobs)) {
		t.Errorf("workers stored %d results for %d jobs", done, len(jobs))
	}
}

// TestDeadWorkerLosesNothing: a "worker" that takes jobs and dies without
// a word (never acknowledges) loses none of them: JetStream redelivers
// them after the ack wait to a live worker; each counts once.
func TestDeadWorkerLosesNothing(t *testing.T) {
	_, jobs := tinyJobs(t, 2)
	_, connect := testNode(t, QueueConfig{Memory: true, AckWait: time.Second})
	js := connect("dead")
	path := filepath.Join(t.TempDir(), "results.jsonl")
	coord := &Coordinator{JS: connect("coordinator"), Batch: BatchID(jobs), Key: testKey, Logf: t.Logf}
	// Queue the batch with no worker yet, and let the dead one take 20.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := runAsync(ctx, &tournament.Runner{Results: path, Dispatcher: coord}, jobs)
	takeSilently(t, js, 20)
	ws := startWorkers(t, connect, 1, 2, nil)
	res := <-done
	if res.err != nil {
		t.Fatal(res.err)
	}
	if res.b.New != len(jobs) {
		t.Errorf("%d new results for %d jobs", res.b.New, len(jobs))
	}
	checkOnce(t, path, jobs)
	if got, want := strip(res.b.Results), localResults(t, jobs); !reflect.DeepEqual(got, want) {
		t.Error("results differ from a local run")
	}
	if ws[0].Stats().Done < int64(len(jobs)) {
		t.Errorf("the live worker stored %d results", ws[0].Stats().Done)
	}
}

type ran struct {
	b   *tournament.Batch
	err error
}

// runAsync runs r on jobs in a goroutine.
func runAsync(ctx context.Context, r *tournament.Runner, jobs []tournament.Job) <-chan ran {
	done := make(chan ran, 1)
	go func() { b, err := r.Run(ctx, jobs); done <- ran{b, err} }()
	return done
}

// takeSilently takes n job messages from the workers' consumer and never
// answers them, as a worker that dies would.
func takeSilently(t *testing.T, js jetstream.JetStream, n int) {
	t.Helper()
	cons, err := js.Consumer(context.Background(), JobsStream, WorkersConsumer)
	if err != nil {
		t.Fatal(err)
	}
	for taken := 0; taken < n; {
		mb, err := cons.Fetch(n-taken, jetstream.FetchMaxWait(3*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		for range mb.Messages() {
			taken++
		}
	}
}

// TestDuplicateResultsCountOnce: a job run twice (its first worker was
// thought dead but was only slow) sends two results; the file and the
// scores hold one.
func TestDuplicateResultsCountOnce(t *testing.T) {
	_, jobs := tinyJobs(t, 1)
	jobs = jobs[:10]
	_, connect := testNode(t, QueueConfig{Memory: true})
	js := connect("doubler")
	// Results of 3 jobs are in the stream before the batch starts, twice
	// each under distinct message ids (as two workers would send them
	// outside the duplicate window).
	batch := BatchID(jobs)
	local := localResults(t, jobs[:3])
	for _, res := range local {
		b, _ := json.Marshal(res)
		for k := range 2 {
			if _, err := js.PublishMsg(context.Background(), signed(testKey, kindResult, resultsPrefix+batch, fmt.Sprintf("%s/%s/%d", batch, res.ID, k), b)); err != nil {
				t.Fatal(err)
			}
		}
	}
	startWorkers(t, connect, 1, 1, nil)
	path := filepath.Join(t.TempDir(), "results.jsonl")
	r := &tournament.Runner{Results: path, Dispatcher: &Coordinator{JS: connect("coordinator"), Batch: batch, Key: testKey, Logf: t.Logf}}
	b, err := r.Run(context.Background(), jobs)
	if err != nil {
		t.Fatal(err)
	}
	checkOnce(t, path, jobs)
	if b.New != len(jobs) || b.Duplicates < 3 {
		t.Errorf("new %d (want %d), duplicates %d (want ≥ 3)", b.New, len(jobs), b.Duplicates)
	}
	// Every result message was acknowledged: the stream is empty.
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := js.Stream(context.Background(), ResultsStream)
		if err != nil {
			t.Fatal(err)
		}
		info, err := st.Info(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Msgs == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d result messages left unacknowledged", info.State.Msgs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestGiveUpAfterMaxDeliveries: a job handed out more than MaxDeliveries
// times is recorded as an error rather than run for ever.
func TestGiveUpAfterMaxDeliveries(t *testing.T) {
	_, jobs := tinyJobs(t, 1)
	jobs = jobs[:4]
	_, connect := testNode(t, QueueConfig{Memory: true, AckWait: 300 * time.Millisecond})
	js := connect("dead")
	path := filepath.Join(t.TempDir(), "results.jsonl")
	ctx := context.Background()
	done := runAsync(ctx, &tournament.Runner{Results: path, Dispatcher: &Coordinator{JS: connect("coordinator"), Batch: BatchID(jobs), Key: testKey, Logf: t.Logf}}, jobs)
	// Take every job twice without a word.
	takeSilently(t, js, 2*len(jobs))
	startWorkers(t, connect, 1, 1, func(w *Worker) { w.MaxDeliveries = 2 })
	res := <-done
	if res.err != nil {
		t.Fatal(res.err)
	}
	for _, rr := range checkOnce(t, path, jobs) {
		if rr.Status != tournament.StatusError || !strings.Contains(rr.Error, "given up after 2 deliveries") {
			t.Errorf("job %s: status %s (%s), want an error after 2 deliveries", rr.ID, rr.Status, rr.Error)
		}
	}
}

// TestCoordinatorResumes: a coordinator stopped midway and started again
// finishes the batch; every job counts once, and results the workers sent
// while no coordinator ran are taken from the stream, not run again.
func TestCoordinatorResumes(t *testing.T) {
	_, jobs := tinyJobs(t, 4)
	_, connect := testNode(t, QueueConfig{Memory: true})
	startWorkers(t, connect, 2, 1, nil)
	path := filepath.Join(t.TempDir(), "results.jsonl")
	batch := BatchID(jobs)
	ctx, cancel := context.WithCancel(context.Background())
	first := &tournament.Runner{Results: path, SyncEvery: 5, Dispatcher: &Coordinator{JS: connect("c1"), Batch: batch, Key: testKey, Window: 32, Logf: t.Logf},
		Progress: func(p tournament.Progress) {
			if p.Done >= len(jobs)/3 {
				cancel()
			}
		}}
	if _, err := first.Run(ctx, jobs); !errors.Is(err, context.Canceled) {
		t.Fatalf("first run: %v, want canceled", err)
	}
	second := &tournament.Runner{Results: path, Dispatcher: &Coordinator{JS: connect("c2"), Batch: batch, Key: testKey, Logf: t.Logf}}
	b, err := second.Run(context.Background(), jobs)
	if err != nil {
		t.Fatal(err)
	}
	if b.Skipped == 0 || b.Skipped+b.New != len(jobs) {
		t.Errorf("skipped %d + new %d, want %d jobs", b.Skipped, b.New, len(jobs))
	}
	rs := checkOnce(t, path, jobs)
	sort.Slice(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID })
	want := localResults(t, jobs)
	sort.Slice(want, func(i, j int) bool { return want[i].ID < want[j].ID })
	if !reflect.DeepEqual(strip(rs), want) {
		t.Error("resumed results differ from a local run")
	}
}

// TestRerunSameBatch: the same batch run again at once (its results file
// removed) is run again, not mistaken by JetStream's duplicate window for
// the first run.
func TestRerunSameBatch(t *testing.T) {
	_, jobs := tinyJobs(t, 1)
	_, connect := testNode(t, QueueConfig{Memory: true})
	startWorkers(t, connect, 1, 2, nil)
	coord := &Coordinator{JS: connect("coordinator"), Batch: BatchID(jobs), Key: testKey, Logf: t.Logf}
	for run := range 2 {
		path := filepath.Join(t.TempDir(), "results.jsonl")
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		b, err := (&tournament.Runner{Results: path, Dispatcher: coord}).Run(ctx, jobs)
		cancel()
		if err != nil {
			t.Fatalf("run %d: %v", run+1, err)
		}
		if b.New != len(jobs) {
			t.Fatalf("run %d: %d new results for %d jobs", run+1, b.New, len(jobs))
		}
	}
}

// TestForgedJobsAreDropped: messages on the jobs subjects that are not
// valid jobs (garbage, a job whose id does not match its content), even
// signed with the coordinator's key, are dropped by the workers, not run;
// the batch around them finishes.
func TestForgedJobsAreDropped(t *testing.T) {
	_, jobs := tinyJobs(t, 1)
	jobs = jobs[:6]
	_, connect := testNode(t, QueueConfig{Memory: true})
	js := connect("forger")
	forged := jobs[0]
	forged.Seed++ // the id no longer matches
	fb, _ := json.Marshal(forged)
	for i, b := range [][]byte{[]byte("not json"), fb, []byte(`{"id":"x","roles":[]}`)} {
		if _, err := js.PublishMsg(context.Background(), signed(testKey, kindJob, jobsPrefix+"forged", fmt.Sprint("forged/", i), b)); err != nil {
			t.Fatal(err)
		}
	}
	var logs syncLog
	startWorkers(t, connect, 1, 1, func(w *Worker) { w.Logf = logs.logf })
	path := filepath.Join(t.TempDir(), "results.jsonl")
	if _, err := (&tournament.Runner{Results: path, Dispatcher: &Coordinator{JS: connect("coordinator"), Batch: BatchID(jobs), Key: testKey}}).Run(context.Background(), jobs); err != nil {
		t.Fatal(err)
	}
	checkOnce(t, path, jobs)
	if n := strings.Count(logs.String(), "not a valid job"); n != 3 {
		t.Errorf("%d messages dropped as invalid, want 3:\n%s", n, logs.String())
	}
}

type syncLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncLog) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(&l.b, format+"\n", args...)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestToken: a node with a token refuses clients without it, over the
// network and in-process alike, and serves those that send it.
func TestToken(t *testing.T) {
	n, err := StartNode(NodeConfig{Listen: "127.0.0.1:0", StoreDir: t.TempDir(), Token: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Shutdown()
	url := n.ClientURL()
	if nc, err := Connect(url, "anonymous", ""); err == nil {
		nc.Close()
		t.Fatal("a client without the token was let in")
	} else if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("the error shows the token: %v", err)
	}
	if nc, err := Connect(url, "wrong", "guess"); err == nil {
		nc.Close()
		t.Fatal("a client with a wrong token was let in")
	}
	for _, c := range []func() (*nats.Conn, error){
		func() (*nats.Conn, error) { return Connect(url, "token", "s3cret") },
		func() (*nats.Conn, error) {
			return Connect(strings.Replace(url, "nats://", "nats://s3cret@", 1), "in-url", "")
		},
		func() (*nats.Conn, error) { return n.Connect("in-process") },
	} {
		nc, err := c()
		if err != nil {
			t.Fatal(err)
		}
		js, err := NewJetStream(nc)
		if err != nil {
			t.Fatal(err)
		}
		if err := Setup(context.Background(), js, QueueConfig{Memory: true}); err != nil {
			t.Fatal(err)
		}
		nc.Close()
	}
}

// TestResultStoreRetries: while results cannot be stored (the results
// stream is gone), a worker keeps its finished jobs and retries; once the
// stream is back the results arrive and no job was handed out twice.
func TestResultStoreRetries(t *testing.T) {
	_, jobs := tinyJobs(t, 1)
	jobs = jobs[:3]
	_, connect := testNode(t, QueueConfig{Memory: true, AckWait: 5 * time.Second})
	js := connect("test")
	ctx := context.Background()
	if err := js.DeleteStream(ctx, ResultsStream); err != nil {
		t.Fatal(err)
	}
	batch := "retry"
	for _, j := range jobs {
		b, _ := json.Marshal(j)
		if _, err := js.PublishMsg(ctx, signed(testKey, kindJob, jobsPrefix+batch, batch+"/run/"+j.ID, b)); err != nil {
			t.Fatal(err)
		}
	}
	var logs syncLog
	startWorkers(t, connect, 1, 1, func(w *Worker) { w.Logf = logs.logf })
	waitUntil(t, 10*time.Second, func() bool { return strings.Count(logs.String(), "retrying in") >= 3 })
	if err := Setup(ctx, js, QueueConfig{Memory: true, AckWait: 5 * time.Second}); err != nil {
		t.Fatal(err)
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, ResultsStream, jetstream.ConsumerConfig{Durable: "check", AckPolicy: jetstream.AckExplicitPolicy, FilterSubject: resultsPrefix + batch})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for len(got) < len(jobs) {
		mb, err := cons.Fetch(len(jobs), jetstream.FetchMaxWait(10*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for m := range mb.Messages() {
			var r tournament.Result
			if err := json.Unmarshal(m.Data(), &r); err != nil {
				t.Fatal(err)
			}
			got[r.ID] = true
			_ = m.Ack()
			n++
		}
		if n == 0 {
			t.Fatalf("results %d of %d after the stream came back:\n%s", len(got), len(jobs), logs.String())
		}
	}
	wc, err := js.Consumer(ctx, JobsStream, WorkersConsumer)
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 5*time.Second, func() bool {
		info, err := wc.Info(ctx)
		return err == nil && info.NumAckPending == 0
	})
	if info, _ := wc.Info(ctx); info.NumRedelivered != 0 {
		t.Errorf("%d jobs were handed out again; want 0 (the worker retries the store)", info.NumRedelivered)
	}
}

func waitUntil(t *testing.T, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v", d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRequeueLostJobs: jobs lost from the queue (purged by someone else)
// are queued again after Requeue without a result, and the batch ends.
func TestRequeueLostJobs(t *testing.T) {
	_, jobs := tinyJobs(t, 1)
	jobs = jobs[:8]
	_, connect := testNode(t, QueueConfig{Memory: true})
	js := connect("purger")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var logs syncLog
	coord := &Coordinator{JS: connect("coordinator"), Batch: BatchID(jobs), Key: testKey, Requeue: 300 * time.Millisecond, Window: 4, Logf: logs.logf}
	path := filepath.Join(t.TempDir(), "results.jsonl")
	done := runAsync(ctx, &tournament.Runner{Results: path, Dispatcher: coord}, jobs)
	st, err := js.Stream(ctx, JobsStream)
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 5*time.Second, func() bool {
		info, err := st.Info(ctx)
		return err == nil && info.State.Msgs == 4 // the window is queued
	})
	if err := st.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	startWorkers(t, connect, 1, 1, nil)
	res := <-done
	if res.err != nil {
		t.Fatal(res.err)
	}
	checkOnce(t, path, jobs)
	if !strings.Contains(logs.String(), "queueing them again") {
		t.Errorf("no requeue logged:\n%s", logs.String())
	}
}
