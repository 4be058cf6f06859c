package cluster

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/tournament"
)

// DefaultWindow is how many jobs a coordinator keeps queued ahead of their
// results.
const DefaultWindow = 4096

// Coordinator is a tournament.Dispatcher that runs jobs on workers through
// the queue (see the package documentation).
type Coordinator struct {
	// JS is the coordinator's JetStream context; Setup must have run.
	JS jetstream.JetStream
	// Batch names the batch (BatchID of all its jobs, so that a rerun of
	// the same tournament finds its results): its jobs and results travel
	// on parley.jobs.BATCH and parley.results.BATCH.
	Batch string
	// Key signs the jobs and checks the results (DeriveKey of the secret
	// the workers share; required): a result without a valid signature is
	// refused, logged and dropped, never delivered.
	Key []byte
	// Window bounds the jobs queued without a result (default
	// DefaultWindow): the queue holds a window, not the whole batch.
	Window int
	// Load loads a job's scenario to publish it for the workers
	// (default tournament.LoadScenario).
	Load func(tournament.ScenarioRef) (*scenario.Scenario, error)
	// Requeue: when no new result has arrived for this long while jobs
	// are outstanding, those queued are published again (default 5
	// minutes, or 3 times the longest wall-time deadline of the batch; for
	// a lost stream or a queue purged by someone else). Jobs still queued
	// are not doubled within JetStream's duplicate window, and a job run
	// twice counts once.
	Requeue time.Duration
	// Logf, when set, receives what the coordinator has to say.
	Logf func(format string, args ...any)
}

func newRunID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// BatchID returns the batch name of a tournament's jobs: 16 hex digits of
// the SHA-256 of their ids in order.
func BatchID(jobs []tournament.Job) string {
	h := sha256.New()
	for _, j := range jobs {
		h.Write([]byte(j.ID))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

func (c *Coordinator) logf(format string, args ...any) {
	if c.Logf != nil {
		c.Logf(format, args...)
	}
}

// Dispatch implements tournament.Dispatcher: it publishes the scenarios of
// todo, queues its jobs a window at a time and delivers every result that
// arrives on the batch's subject, including results of an earlier run of
// the batch still in the stream, and second results of redelivered jobs
// (the Runner keeps the first). Each delivery's Stored acknowledges its
// message.
func (c *Coordinator) Dispatch(ctx context.Context, todo []tournament.Job, out chan<- tournament.Delivery) error {
	if c.JS == nil || c.Batch == "" {
		return errors.New("cluster: coordinator: JS and Batch are required")
	}
	if len(c.Key) == 0 {
		return ErrNoKey
	}
	window := c.Window
	if window <= 0 {
		window = DefaultWindow
	}
	requeue := c.Requeue
	if requeue <= 0 {
		// Long enough for the longest wall-time negotiation, three times.
		requeue = 5 * time.Minute
		for _, j := range todo {
			requeue = max(requeue, 3*j.Duration)
		}
	}
	if err := c.publishScenarios(ctx, todo); err != nil {
		return err
	}
	w := work{ids: make([]string, len(todo)), encode: func(i int) ([]byte, error) { return json.Marshal(&todo[i]) }}
	for i, j := range todo {
		w.ids[i] = j.ID
	}
	ln := lane{jobs: jobsPrefix + c.Batch, results: resultsPrefix + c.Batch, durable: "coordinator-" + c.Batch}
	return c.run(ctx, ln, w, window, requeue, func(ctx context.Context, cons jetstream.Consumer, t *tracker, finished chan<- struct{}) error {
		return c.readResults(ctx, cons, t, out, finished)
	})
}

// lane is one kind of work on the queue (tournament jobs, multi-deal
// sessions): the subjects of a batch's jobs and results, and the durable
// name of its coordinator's consumer of results.
type lane struct{ jobs, results, durable string }

// work is what a batch queues: job i has id ids[i] and data encode(i).
type work struct {
	ids    []string
	encode func(i int) ([]byte, error)
}

// run queues w on ln a window at a time (queueing what is outstanding
// again after requeue without a result) and has read deliver the results
// until every job has one.
func (c *Coordinator) run(ctx context.Context, ln lane, w work, window int, requeue time.Duration,
	read func(ctx context.Context, cons jetstream.Consumer, t *tracker, finished chan<- struct{}) error) error {
	var cons jetstream.Consumer
	if err := retry(ctx, time.Minute, func(ctx context.Context) error {
		var err error
		cons, err = c.JS.CreateOrUpdateConsumer(ctx, ResultsStream, jetstream.ConsumerConfig{
			Durable:           ln.durable,
			Description:       "the coordinator of batch " + c.Batch,
			AckPolicy:         jetstream.AckExplicitPolicy,
			AckWait:           30 * time.Second,
			MaxDeliver:        -1,
			MaxAckPending:     -1,
			FilterSubject:     ln.results,
			InactiveThreshold: 24 * time.Hour,
		})
		if err != nil {
			return fmt.Errorf("consumer of batch %s: %w", c.Batch, err)
		}
		// Jobs a previous run left in the queue are queued again below.
		st, err := c.JS.Stream(ctx, JobsStream)
		if err != nil {
			return err
		}
		return st.Purge(ctx, jetstream.WithPurgeSubject(ln.jobs))
	}); err != nil {
		return err
	}

	// Message ids de-duplicate the retries of this run's publications; a
	// job queued again by a later run (after the purge above) is new.
	n := len(w.ids)
	t := &tracker{run: newRunID(), want: map[string]int{}, done: make([]bool, n), held: make([]bool, n),
		slots: make(chan struct{}, window), progress: make(chan struct{}, 1)}
	for i, id := range w.ids {
		t.want[id] = i
	}
	t.left = n

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	finished := make(chan struct{})
	var readErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		readErr = read(ctx, cons, t, finished)
	}()

	// Say so when nothing comes back (no worker, or all busy elsewhere).
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.watch(ctx, t, 15*time.Second)
	}()

	// Queue the jobs a window at a time; after a long silence, queue what
	// is outstanding again.
	// The first pass waits for window slots as results come in; the
	// requeue runs beside it, on the jobs queued so far.
	published := make(chan error, 1)
	go func() { published <- c.publish(ctx, ln, w, t, false) }()
	var err error
	timer := time.NewTimer(requeue)
	defer timer.Stop()
loop:
	for {
		select {
		case <-finished:
			break loop
		case <-ctx.Done():
			err = ctx.Err()
			break loop
		case perr := <-published:
			if perr != nil {
				err = perr
				break loop
			}
		case <-timer.C:
			timer.Reset(requeue)
			select {
			case <-t.progress:
				continue // results are arriving
			default:
			}
			c.logf("coordinator: no result for %v with %d jobs outstanding; queueing them again", requeue, t.remaining())
			if err = c.publish(ctx, ln, w, t, true); err != nil {
				break loop
			}
		}
	}
	cancel()
	wg.Wait()
	if t.remaining() == 0 {
		return nil
	}
	if err != nil {
		return err
	}
	return readErr
}

// watch logs, after every period without a result, how many jobs wait.
func (c *Coordinator) watch(ctx context.Context, t *tracker, period time.Duration) {
	tick := time.NewTicker(period)
	defer tick.Stop()
	last := -1
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		n := t.remaining()
		if n == 0 {
			return
		}
		if n == last {
			c.logf("coordinator: no result for %v; %d negotiations wait for workers (start some: parley worker --nats URL)", period, n)
		}
		last = n
	}
}

// tracker follows which jobs of todo have a result.
type tracker struct {
	run      string
	mu       sync.Mutex
	passes   int            // requeues so far
	want     map[string]int // job id → index in todo
	done     []bool
	left     int
	slots    chan struct{} // one per job queued without a result
	held     []bool        // the job holds a slot
	progress chan struct{}
}

// result marks id done and reports whether it was new.
func (t *tracker) result(id string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	i, ok := t.want[id]
	if !ok || t.done[i] {
		return false
	}
	t.done[i] = true
	t.left--
	if t.held[i] {
		t.held[i] = false
		<-t.slots
	}
	select {
	case t.progress <- struct{}{}:
	default:
	}
	return true
}

func (t *tracker) remaining() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.left
}

func (t *tracker) isHeld(i int) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.held[i]
}

func (t *tracker) isDone(i int) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.done[i]
}

// publish queues the jobs of w without a result on ln: the first time
// (again false) every one, each waiting for a window slot; with again set,
// those queued already (they hold their slots), once more.
func (c *Coordinator) publish(ctx context.Context, ln lane, w work, t *tracker, again bool) error {
	const chunk = 256
	// A pass's message ids de-duplicate its own retries; a requeue is a
	// new pass (its messages must not be dropped as the first pass's).
	run := t.run
	if again {
		t.mu.Lock()
		t.passes++
		run = fmt.Sprintf("%s.%d", t.run, t.passes)
		t.mu.Unlock()
	}
	var data [][]byte
	var idx []int
	flush := func() error {
		if len(idx) == 0 {
			return nil
		}
		err := retry(ctx, 10*time.Minute, func(ctx context.Context) error {
			futures := make([]jetstream.PubAckFuture, len(idx))
			for k, i := range idx {
				subject, id := ln.jobs, c.Batch+"/"+run+"/"+w.ids[i]
				f, err := c.JS.PublishMsgAsync(signed(c.Key, kindJob, subject, id, data[k]))
				if err != nil {
					return err
				}
				futures[k] = f
			}
			var failed []int
			var firstErr error
			for k, f := range futures {
				select {
				case <-f.Ok():
				case err := <-f.Err():
					failed = append(failed, k)
					if firstErr == nil {
						firstErr = err
					}
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			if len(failed) == 0 {
				return nil
			}
			// Publish only what failed next time (the rest is stored).
			nd, ni := make([][]byte, len(failed)), make([]int, len(failed))
			for n, k := range failed {
				nd[n], ni[n] = data[k], idx[k]
			}
			data, idx = nd, ni
			return fmt.Errorf("queueing %d jobs: %w", len(failed), firstErr)
		})
		data, idx = data[:0], idx[:0]
		return err
	}
	for i, id := range w.ids {
		if t.isDone(i) || (again && !t.isHeld(i)) {
			continue
		}
		if !again {
			select {
			case t.slots <- struct{}{}:
			default:
				// The window is full: queue what is gathered, then wait.
				if err := flush(); err != nil {
					return err
				}
				select {
				case t.slots <- struct{}{}:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			t.mu.Lock()
			if t.done[i] { // its result came meanwhile (an earlier run's)
				<-t.slots
				t.mu.Unlock()
				continue
			}
			t.held[i] = true
			t.mu.Unlock()
		}
		b, err := w.encode(i)
		if err != nil {
			return fmt.Errorf("cluster: encoding job %s: %w", id, err)
		}
		data, idx = append(data, b), append(idx, i)
		if len(idx) == chunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// readResults delivers the batch's results until every job of t has one
// (closing finished) or ctx is done.
func (c *Coordinator) readResults(ctx context.Context, cons jetstream.Consumer, t *tracker, out chan<- tournament.Delivery, finished chan<- struct{}) error {
	defer close(finished)
	if t.remaining() == 0 {
		return nil
	}
	ours := func(msgID string) bool { // sent for a job queued by this run
		p := c.Batch + "/" + t.run
		return strings.HasPrefix(msgID, p+"/") || strings.HasPrefix(msgID, p+".")
	}
	consume(ctx, cons, 1024, c.logf, "coordinator: reading results", func(msg jetstream.Msg) bool {
		if !verify(c.Key, kindResult, msg.Subject(), msg.Headers(), msg.Data()) {
			c.logf("coordinator: refusing a message on %s without a valid signature (forged, or from a worker with another secret): not written", msg.Subject())
			_ = msg.Term()
			return true
		}
		var res tournament.Result
		if err := json.Unmarshal(msg.Data(), &res); err != nil || res.ID == "" {
			c.logf("coordinator: dropping a message on %s that is not a result: %v", msg.Subject(), err)
			_ = msg.Term()
			return true
		}
		if !res.Final() && !ours(msg.Headers().Get(jetstream.MsgIDHeader)) {
			// A failed attempt from an earlier run: the job is run again.
			_ = msg.Ack()
			return true
		}
		last := t.result(res.ID) && t.remaining() == 0
		select {
		case out <- tournament.Delivery{Result: res, Stored: func() { _ = msg.Ack() }}:
		case <-ctx.Done():
			return false
		}
		return !last
	})
	return ctx.Err()
}

// publishScenarios puts every scenario of todo into the bucket, by digest,
// unless it is there already.
func (c *Coordinator) publishScenarios(ctx context.Context, todo []tournament.Job) error {
	load := c.Load
	if load == nil {
		load = tournament.LoadScenario
	}
	var kv jetstream.KeyValue
	if err := retry(ctx, time.Minute, func(ctx context.Context) error {
		var err error
		kv, err = c.JS.KeyValue(ctx, ScenarioBucket)
		return err
	}); err != nil {
		return fmt.Errorf("cluster: the scenario bucket: %w (has Setup run?)", err)
	}
	seen := map[string]bool{}
	for _, j := range todo {
		ref := j.Scenario
		if seen[ref.Digest] {
			continue
		}
		seen[ref.Digest] = true
		if ref.Digest == "" {
			return fmt.Errorf("cluster: job %s: scenario %s has no digest", j.ID, ref.Name)
		}
		var have bool
		if err := retry(ctx, time.Minute, func(ctx context.Context) error {
			_, err := kv.Get(ctx, ref.Digest)
			if errors.Is(err, jetstream.ErrKeyNotFound) {
				have = false
				return nil
			}
			have = err == nil
			return err
		}); err != nil {
			return fmt.Errorf("cluster: scenario %s: %w", ref.Name, err)
		}
		if have {
			continue
		}
		sc, err := load(ref)
		if err != nil {
			return fmt.Errorf("cluster: %w", err)
		}
		b, err := json.Marshal(sc)
		if err != nil {
			return fmt.Errorf("cluster: scenario %s: %w", ref.Name, err)
		}
		if err := retry(ctx, time.Minute, func(ctx context.Context) error {
			_, err := kv.Put(ctx, ref.Digest, b)
			return err
		}); err != nil {
			return fmt.Errorf("cluster: publishing scenario %s: %w", ref.Name, err)
		}
	}
	return nil
}
