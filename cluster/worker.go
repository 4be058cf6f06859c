package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/tournament"
)

// DefaultMaxDeliveries is how many times a job is handed out before a
// worker records it as an error instead of running it again.
const DefaultMaxDeliveries = 5

// Worker takes jobs from the queue, runs them and sends back their results.
type Worker struct {
	// JS is the worker's JetStream context (New on a Connect connection).
	JS jetstream.JetStream
	// Key checks the jobs and signs the results (DeriveKey of the secret
	// the coordinator shares; required): a job without a valid signature
	// is refused, logged and dropped, never run, so the worker calls only
	// the agent URLs of a coordinator's config.
	Key []byte
	// Concurrency is the number of jobs run at once (default 1).
	Concurrency int
	// External builds external agents (see tournament.Engine.External).
	External func(name, url string, job tournament.Job) (agent.Negotiator, error)
	// MaxDeliveries (default DefaultMaxDeliveries): a job delivered more
	// often than that is recorded with status error, not run.
	MaxDeliveries int
	// Logf, when set, receives what the worker has to say.
	Logf func(format string, args ...any)

	done, gaveUp, failed, refused atomic.Int64
	scenarios                     sync.Map // digest → *scenario.Scenario, fetched
	multideals                    sync.Map // digest → *multideal.Scenario, fetched
}

// Stats is what a worker has done so far.
type Stats struct {
	// Done counts results stored; GaveUp the jobs recorded as errors after
	// MaxDeliveries; Failed the results that could not be stored (their
	// jobs go back to the queue); Refused the messages dropped as no valid
	// job (a bad signature, or content a config cannot produce).
	Done, GaveUp, Failed, Refused int64
}

// Stats returns the worker's counters.
func (w *Worker) Stats() Stats {
	return Stats{Done: w.done.Load(), GaveUp: w.gaveUp.Load(), Failed: w.failed.Load(), Refused: w.refused.Load()}
}

func (w *Worker) logf(format string, args ...any) {
	if w.Logf != nil {
		w.Logf(format, args...)
	}
}

// Run takes and runs jobs until ctx is done; it then stops taking jobs,
// gives the running ones back to the queue (they are run again elsewhere)
// and returns nil. It waits for the queue to exist (a coordinator creates
// it with Setup) and rides out a NATS server's loss.
func (w *Worker) Run(ctx context.Context) error {
	if w.JS == nil {
		return errors.New("cluster: worker: no JetStream context")
	}
	if len(w.Key) == 0 {
		return ErrNoKey
	}
	conc := max(1, w.Concurrency)
	maxDel := w.MaxDeliveries
	if maxDel <= 0 {
		maxDel = DefaultMaxDeliveries
	}
	kv, cons, err := w.bind(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	ackWait := DefaultAckWait
	if info := cons.CachedInfo(); info != nil && info.Config.AckWait > 0 {
		ackWait = info.Config.AckWait
	}
	// The engine caches what it loads, failures included, so the worker
	// fetches each scenario itself first (a failed fetch gives the job
	// back to the queue) and the engine only looks it up.
	eng := &tournament.Engine{External: w.External, Load: func(ref tournament.ScenarioRef) (*scenario.Scenario, error) {
		if sc, ok := w.scenarios.Load(ref.Digest); ok {
			return sc.(*scenario.Scenario), nil
		}
		return nil, fmt.Errorf("scenario %s (digest %s) was not fetched", ref.Name, ref.Digest)
	}}

	// Results are stored by goroutines of their own (at most 4 a
	// runner), each retrying until JetStream has the result, so that a
	// server lost mid-publication costs a retry, not a rerun of the job.
	slots := make(chan struct{}, 4*conc)
	var storing sync.WaitGroup
	store := func(h *held, subject, id string, data []byte) {
		slots <- struct{}{}
		storing.Add(1)
		go func() {
			defer storing.Done()
			defer func() { <-slots }()
			w.store(ctx, h, subject, id, data)
		}()
	}

	jobs := make(chan *held)
	var runners sync.WaitGroup
	for range conc {
		runners.Add(1)
		go func() {
			defer runners.Done()
			for h := range jobs {
				w.handle(ctx, eng, kv, h, maxDel, store)
			}
		}()
	}

	// One goroutine takes messages. From its receipt, a message is kept
	// alive (progress every third of the ack wait) until it is
	// acknowledged or given back; the iterator holds at most 2 a runner
	// before that, so a message waits at most two jobs uncovered.
	period := max(ackWait/3, 100*time.Millisecond)
	consume(ctx, cons, 2*conc, w.logf, "worker: pulling jobs", func(msg jetstream.Msg) bool {
		h := keepAlive(msg, period)
		select {
		case jobs <- h:
		case <-ctx.Done():
			h.giveBack()
		}
		return true
	})
	close(jobs)
	runners.Wait()
	storing.Wait()
	return nil
}

// held is a job message in the worker's hands, kept alive until done.
type held struct {
	msg  jetstream.Msg
	once sync.Once
	quit chan struct{}
}

// keepAlive sends progress for msg every period until the message is
// acknowledged, given back or dropped.
func keepAlive(msg jetstream.Msg, period time.Duration) *held {
	h := &held{msg: msg, quit: make(chan struct{})}
	go func() {
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				_ = msg.InProgress()
			case <-h.quit:
				return
			}
		}
	}()
	return h
}

func (h *held) stop() { h.once.Do(func() { close(h.quit) }) }

// ack acknowledges the message: its result is stored.
func (h *held) ack() error { h.stop(); return h.msg.Ack() }

// giveBack returns the message to the queue at once (this worker stops).
func (h *held) giveBack() { h.stop(); _ = h.msg.Nak() }

// retryLater returns the message to the queue after delay.
func (h *held) retryLater(delay time.Duration) { h.stop(); _ = h.msg.NakWithDelay(delay) }

// drop removes a message that is no job from the queue for good.
func (h *held) drop() { h.stop(); _ = h.msg.Term() }

// store publishes a result until JetStream has it (the same message id
// every time, so a retry after a lost answer is not a second result), then
// acknowledges the job; when ctx is done first, the job goes back to the
// queue.
func (w *Worker) store(ctx context.Context, h *held, subject, id string, data []byte) {
	wait := 100 * time.Millisecond
	msg := signed(w.Key, kindResult, subject, id, data)
	for {
		f, err := w.JS.PublishMsgAsync(msg)
		if err == nil {
			select {
			case <-f.Ok():
				if err := h.ack(); err != nil {
					w.logf("worker: acknowledging job %s: %v (it will run again; its result counts once)", id, err)
				}
				w.done.Add(1)
				return
			case err = <-f.Err():
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			w.failed.Add(1)
			h.giveBack()
			return
		}
		w.logf("worker: storing the result of %s: %v; retrying in %v", id, err, wait)
		sleep(ctx, wait)
		wait = min(2*wait, 2*time.Second)
	}
}

// bind waits for the queue (a coordinator's Setup) and returns the
// scenario bucket and the workers' consumer.
func (w *Worker) bind(ctx context.Context) (jetstream.KeyValue, jetstream.Consumer, error) {
	var kv jetstream.KeyValue
	var cons jetstream.Consumer
	said := false
	for {
		err := retry(ctx, time.Minute, func(ctx context.Context) error {
			var err error
			if kv, err = w.JS.KeyValue(ctx, ScenarioBucket); err != nil {
				return err
			}
			cons, err = w.JS.Consumer(ctx, JobsStream, WorkersConsumer)
			return err
		})
		if err == nil {
			return kv, cons, nil
		}
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		if !said {
			w.logf("worker: no queue yet (%v); waiting for a coordinator (parley tournament --nats or --listen)", err)
			said = true
		}
	}
}

// handle runs one job message and hands its result to store.
func (w *Worker) handle(ctx context.Context, eng *tournament.Engine, kv jetstream.KeyValue, h *held, maxDel int, store func(*held, string, string, []byte)) {
	msg := h.msg
	if isMultidealJob(msg.Subject()) {
		w.handleMultideal(ctx, kv, h, maxDel, store)
		return
	}
	if !verify(w.Key, kindJob, msg.Subject(), msg.Headers(), msg.Data()) {
		w.refused.Add(1)
		w.logf("worker: refusing a job on %s without a valid signature (forged, or queued by a coordinator with another secret): not run", msg.Subject())
		h.drop()
		return
	}
	job, err := tournament.DecodeJob(msg.Data())
	if err != nil {
		w.refused.Add(1)
		w.logf("worker: dropping a message on %s that is not a valid job: %v", msg.Subject(), err)
		h.drop()
		return
	}
	if ctx.Err() != nil {
		h.giveBack()
		return
	}
	var res tournament.Result
	md, err := msg.Metadata()
	if err == nil && md.NumDelivered > uint64(maxDel) {
		res = tournament.ErrorResult(job, fmt.Sprintf("given up after %d deliveries: the workers that took the job stopped without a result", md.NumDelivered-1))
		w.gaveUp.Add(1)
		w.logf("worker: job %s (%s): %s", job.ID, job.Scenario.Name, res.Error)
	} else {
		if _, ok := w.scenarios.Load(job.Scenario.Digest); !ok {
			sc, err := loadScenario(ctx, kv, job.Scenario)
			if err != nil {
				w.logf("worker: job %s: %v; the job goes back to the queue", job.ID, err)
				h.retryLater(time.Second)
				return
			}
			w.scenarios.Store(job.Scenario.Digest, sc)
		}
		res, err = eng.RunContext(ctx, job)
		if err != nil {
			h.giveBack() // this worker is stopping
			return
		}
	}
	data, err := json.Marshal(&res)
	if err != nil {
		w.failed.Add(1)
		w.logf("worker: encoding the result of job %s: %v", job.ID, err)
		h.retryLater(time.Second)
		return
	}
	// The result's message id is the job message's (BATCH/RUN/JOB):
	// JetStream drops a second result of this run's job within its
	// duplicate window, while a later run of the batch (new RUN) is heard.
	batch := batchOf(msg.Subject())
	id := batch + "/" + job.ID
	if hd := msg.Headers(); hd != nil && hd.Get(jetstream.MsgIDHeader) != "" {
		id = hd.Get(jetstream.MsgIDHeader)
	}
	store(h, resultsPrefix+batch, id, data)
}

// loadScenario loads a job's scenario from the bucket by digest.
func loadScenario(ctx context.Context, kv jetstream.KeyValue, ref tournament.ScenarioRef) (*scenario.Scenario, error) {
	if ref.Digest == "" {
		return nil, fmt.Errorf("scenario %s: the job names no digest to fetch it by", ref.Name)
	}
	var e jetstream.KeyValueEntry
	err := retry(ctx, time.Minute, func(ctx context.Context) error {
		var err error
		e, err = kv.Get(ctx, ref.Digest)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return fmt.Errorf("not in bucket %s: %w", ScenarioBucket, err)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("scenario %s (digest %s): %w", ref.Name, ref.Digest, err)
	}
	var sc scenario.Scenario
	if err := json.Unmarshal(e.Value(), &sc); err != nil {
		return nil, fmt.Errorf("scenario %s (digest %s) from bucket %s: %w", ref.Name, ref.Digest, ScenarioBucket, err)
	}
	return &sc, nil
}
