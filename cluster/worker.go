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
	// Concurrency is the number of jobs run at once (default 1).
	Concurrency int
	// External builds external agents (see tournament.Engine.External).
	External func(name, url string, job tournament.Job) (agent.Negotiator, error)
	// MaxDeliveries (default DefaultMaxDeliveries): a job delivered more
	// often than that is recorded with status error, not run.
	MaxDeliveries int
	// Logf, when set, receives what the worker has to say.
	Logf func(format string, args ...any)

	done, gaveUp, failed atomic.Int64
	scenarios            sync.Map // digest → *scenario.Scenario, fetched
}

// Stats is what a worker has done so far.
type Stats struct {
	// Done counts results stored; GaveUp the jobs recorded as errors after
	// MaxDeliveries; Failed the results that could not be stored (their
	// jobs go back to the queue).
	Done, GaveUp, Failed int64
}

// Stats returns the worker's counters.
func (w *Worker) Stats() Stats {
	return Stats{Done: w.done.Load(), GaveUp: w.gaveUp.Load(), Failed: w.failed.Load()}
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

	type stored struct {
		f   jetstream.PubAckFuture
		msg jetstream.Msg
		id  string
	}
	acks := make(chan stored, 4*conc)
	var ackers sync.WaitGroup
	ackers.Add(1)
	go func() {
		defer ackers.Done()
		for s := range acks {
			select {
			case <-s.f.Ok():
				if err := s.msg.Ack(); err != nil {
					w.logf("worker: acknowledging job %s: %v (it will run again; its result counts once)", s.id, err)
				}
				w.done.Add(1)
			case err := <-s.f.Err():
				w.failed.Add(1)
				w.logf("worker: storing the result of job %s: %v (the job goes back to the queue)", s.id, err)
				_ = s.msg.Nak()
			}
		}
	}()

	jobs := make(chan jetstream.Msg)
	var runners sync.WaitGroup
	for range conc {
		runners.Add(1)
		go func() {
			defer runners.Done()
			for msg := range jobs {
				w.handle(ctx, eng, kv, msg, maxDel, ackWait, func(f jetstream.PubAckFuture, id string) {
					acks <- stored{f: f, msg: msg, id: id}
				})
			}
		}()
	}

	// One goroutine takes messages; the iterator keeps at most 2 per
	// runner in hand, so a message waits at most two jobs before it runs
	// (and is covered by progress from then on).
	consume(ctx, cons, 2*conc, w.logf, "worker: pulling jobs", func(msg jetstream.Msg) bool {
		select {
		case jobs <- msg:
		case <-ctx.Done():
			_ = msg.Nak()
		}
		return true
	})
	close(jobs)
	runners.Wait()
	close(acks)
	ackers.Wait()
	return nil
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

// handle runs one job message and hands its result's publication to
// stored; a job given back (ctx done) is Nak'd.
func (w *Worker) handle(ctx context.Context, eng *tournament.Engine, kv jetstream.KeyValue, msg jetstream.Msg, maxDel int, ackWait time.Duration, stored func(jetstream.PubAckFuture, string)) {
	job, err := tournament.DecodeJob(msg.Data())
	if err != nil {
		w.logf("worker: dropping a message on %s that is not a valid job: %v", msg.Subject(), err)
		_ = msg.Term()
		return
	}
	if ctx.Err() != nil {
		_ = msg.Nak()
		return
	}
	var res tournament.Result
	md, err := msg.Metadata()
	if err == nil && md.NumDelivered > uint64(maxDel) {
		res = tournament.Result{ID: job.ID, Scenario: job.Scenario.Name, Rep: job.Rep, Agents: job.Agents(),
			Status: tournament.StatusError,
			Error:  fmt.Sprintf("given up after %d deliveries: the workers that took the job stopped without a result", md.NumDelivered-1)}
		for _, r := range job.Roles {
			res.Parties = append(res.Parties, r.Party)
		}
		w.gaveUp.Add(1)
		w.logf("worker: job %s (%s): %s", job.ID, job.Scenario.Name, res.Error)
	} else {
		if _, ok := w.scenarios.Load(job.Scenario.Digest); !ok {
			sc, err := loadScenario(ctx, kv, job.Scenario)
			if err != nil {
				w.logf("worker: job %s: %v; the job goes back to the queue", job.ID, err)
				_ = msg.NakWithDelay(time.Second)
				return
			}
			w.scenarios.Store(job.Scenario.Digest, sc)
		}
		// Progress every third of the ack wait while the job runs.
		keep := time.NewTicker(max(ackWait/3, 100*time.Millisecond))
		quit := make(chan struct{})
		go func() {
			for {
				select {
				case <-keep.C:
					_ = msg.InProgress()
				case <-quit:
					return
				}
			}
		}()
		res, err = eng.RunContext(ctx, job)
		keep.Stop()
		close(quit)
		if err != nil {
			_ = msg.Nak() // given back: this worker is stopping
			return
		}
	}
	data, err := json.Marshal(&res)
	if err != nil {
		w.failed.Add(1)
		w.logf("worker: encoding the result of job %s: %v", job.ID, err)
		_ = msg.Nak()
		return
	}
	// The result's message id is the job message's (BATCH/RUN/JOB):
	// JetStream drops a second result of this run's job within its
	// duplicate window, while a later run of the batch (new RUN) is heard.
	batch := batchOf(msg.Subject())
	id := batch + "/" + job.ID
	if h := msg.Headers(); h != nil && h.Get(jetstream.MsgIDHeader) != "" {
		id = h.Get(jetstream.MsgIDHeader)
	}
	f, err := w.JS.PublishAsync(resultsPrefix+batch, data, jetstream.WithMsgID(id))
	if err != nil {
		w.failed.Add(1)
		w.logf("worker: publishing the result of job %s: %v (the job goes back to the queue)", job.ID, err)
		_ = msg.Nak()
		return
	}
	stored(f, job.ID)
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
