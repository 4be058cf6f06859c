package cluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-negotiation/parley/multideal"
)

// Multi-deal tournaments (multideal.Tournament.RunRemote) go through the
// same queue as tournament jobs, in a lane of their own: a batch's session
// jobs on parley.jobs.multideal.BATCH, their outcomes on
// parley.results.multideal.BATCH, signed like the tournament's (the
// signature covers the subject, so a tournament job cannot pass for a
// session job or the other way round), and the scenarios in the same
// bucket under multideal-DIGEST. The same workers (parley worker) run both.

// multidealLane is the subject token after parley.jobs. and
// parley.results. of multi-deal sessions.
const multidealLane = "multideal."

// multidealKey is the bucket key of a multi-deal scenario.
func multidealKey(digest string) string { return "multideal-" + digest }

// isMultidealJob reports whether a job message's subject is a multi-deal
// session's.
func isMultidealJob(subject string) bool { return strings.HasPrefix(subject, jobsPrefix+multidealLane) }

// MultidealBatchID returns the batch name of a multi-deal tournament's
// session jobs: 16 hex digits of the SHA-256 of their ids in order.
func MultidealBatchID(jobs []multideal.SessionJob) string {
	h := sha256.New()
	for _, j := range jobs {
		h.Write([]byte(j.ID))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// DispatchSessions implements multideal.SessionDispatcher: it publishes
// the scenarios (once per digest: those in the bucket already are not
// sent again), queues the session jobs a window at a time and calls out
// with the first outcome of each job; an outcome is acknowledged once out
// has it. Outcomes of an earlier run of the batch still in the stream
// count (a session's outcome is a function of its job), except errors,
// whose sessions run again.
func (c *Coordinator) DispatchSessions(ctx context.Context, jobs []multideal.SessionJob, scenarios map[string][]byte, out func(multideal.SessionOutcome)) error {
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
		requeue = 5 * time.Minute
	}
	if err := c.publishMultidealScenarios(ctx, jobs, scenarios); err != nil {
		return err
	}
	w := work{ids: make([]string, len(jobs)), encode: func(i int) ([]byte, error) { return json.Marshal(&jobs[i]) }}
	for i, j := range jobs {
		w.ids[i] = j.ID
	}
	ln := lane{jobs: jobsPrefix + multidealLane + c.Batch, results: resultsPrefix + multidealLane + c.Batch, durable: "coordinator-multideal-" + c.Batch}
	return c.run(ctx, ln, w, window, requeue, func(ctx context.Context, cons jetstream.Consumer, t *tracker, finished chan<- struct{}) error {
		return c.readOutcomes(ctx, cons, t, out, finished)
	})
}

// readOutcomes hands the batch's session outcomes to out until every job
// of t has one (closing finished) or ctx is done.
func (c *Coordinator) readOutcomes(ctx context.Context, cons jetstream.Consumer, t *tracker, out func(multideal.SessionOutcome), finished chan<- struct{}) error {
	defer close(finished)
	if t.remaining() == 0 {
		return nil
	}
	ours := func(msgID string) bool { // sent for a job queued by this run
		p := c.Batch + "/" + t.run
		return strings.HasPrefix(msgID, p+"/") || strings.HasPrefix(msgID, p+".")
	}
	consume(ctx, cons, 1024, c.logf, "coordinator: reading session outcomes", func(msg jetstream.Msg) bool {
		if !verify(c.Key, kindResult, msg.Subject(), msg.Headers(), msg.Data()) {
			c.logf("coordinator: refusing a message on %s without a valid signature (forged, or from a worker with another secret): not used", msg.Subject())
			_ = msg.Term()
			return true
		}
		var o multideal.SessionOutcome
		if err := json.Unmarshal(msg.Data(), &o); err != nil || o.ID == "" {
			c.logf("coordinator: dropping a message on %s that is not a session outcome: %v", msg.Subject(), err)
			_ = msg.Term()
			return true
		}
		if o.Error != "" && !ours(msg.Headers().Get(jetstream.MsgIDHeader)) {
			// A failed attempt from an earlier run: the session runs again.
			_ = msg.Ack()
			return true
		}
		if !t.result(o.ID) { // another batch's, or a second copy
			_ = msg.Ack()
			return true
		}
		out(o)
		_ = msg.Ack()
		return t.remaining() > 0
	})
	return ctx.Err()
}

// publishMultidealScenarios puts the scenario of every job into the
// bucket, by digest, unless it is there already.
func (c *Coordinator) publishMultidealScenarios(ctx context.Context, jobs []multideal.SessionJob, scenarios map[string][]byte) error {
	var kv jetstream.KeyValue
	if err := retry(ctx, time.Minute, func(ctx context.Context) error {
		var err error
		kv, err = c.JS.KeyValue(ctx, ScenarioBucket)
		return err
	}); err != nil {
		return fmt.Errorf("cluster: the scenario bucket: %w (has Setup run?)", err)
	}
	seen := map[string]bool{}
	for _, j := range jobs {
		if seen[j.Digest] {
			continue
		}
		seen[j.Digest] = true
		data, ok := scenarios[j.Digest]
		if !ok || multideal.ScenarioDigest(data) != j.Digest {
			return fmt.Errorf("cluster: session job %s: no scenario data with digest %s", j.ID, j.Digest)
		}
		key := multidealKey(j.Digest)
		var have bool
		if err := retry(ctx, time.Minute, func(ctx context.Context) error {
			_, err := kv.Get(ctx, key)
			if errors.Is(err, jetstream.ErrKeyNotFound) {
				have = false
				return nil
			}
			have = err == nil
			return err
		}); err != nil {
			return fmt.Errorf("cluster: scenario %s: %w", j.Scenario, err)
		}
		if have {
			continue
		}
		if err := retry(ctx, time.Minute, func(ctx context.Context) error {
			_, err := kv.Put(ctx, key, data)
			return err
		}); err != nil {
			return fmt.Errorf("cluster: publishing scenario %s: %w", j.Scenario, err)
		}
	}
	return nil
}

// handleMultideal runs one multi-deal session job message and hands its
// outcome to store.
func (w *Worker) handleMultideal(ctx context.Context, kv jetstream.KeyValue, h *held, maxDel int, store func(*held, string, string, []byte)) {
	msg := h.msg
	if !verify(w.Key, kindJob, msg.Subject(), msg.Headers(), msg.Data()) {
		w.refused.Add(1)
		w.logf("worker: refusing a session job on %s without a valid signature (forged, or queued by a coordinator with another secret): not run", msg.Subject())
		h.drop()
		return
	}
	job, err := multideal.DecodeSessionJob(msg.Data())
	if err != nil {
		w.refused.Add(1)
		w.logf("worker: dropping a message on %s that is not a valid session job: %v", msg.Subject(), err)
		h.drop()
		return
	}
	if ctx.Err() != nil {
		h.giveBack()
		return
	}
	var o multideal.SessionOutcome
	md, err := msg.Metadata()
	if err == nil && md.NumDelivered > uint64(maxDel) {
		o = multideal.ErrorOutcome(job, fmt.Sprintf("given up after %d deliveries: the workers that took the session stopped without an outcome", md.NumDelivered-1))
		w.gaveUp.Add(1)
		w.logf("worker: session job %s (%s): %s", job.ID, job.Scenario, o.Error)
	} else {
		s, err := w.multidealScenario(ctx, kv, job)
		if err != nil {
			w.logf("worker: session job %s: %v; the job goes back to the queue", job.ID, err)
			h.retryLater(time.Second)
			return
		}
		o = multideal.RunSessionJob(s, job)
	}
	data, err := json.Marshal(&o)
	if err != nil {
		w.failed.Add(1)
		w.logf("worker: encoding the outcome of session job %s: %v", job.ID, err)
		h.retryLater(time.Second)
		return
	}
	// As for tournament jobs, the outcome's message id is the job
	// message's (BATCH/RUN/JOB).
	batch := batchOf(msg.Subject())
	id := batch + "/" + job.ID
	if hd := msg.Headers(); hd != nil && hd.Get(jetstream.MsgIDHeader) != "" {
		id = hd.Get(jetstream.MsgIDHeader)
	}
	store(h, resultsPrefix+multidealLane+batch, id, data)
}

// multidealScenario returns a job's scenario, fetched from the bucket the
// first time and checked against the job's digest.
func (w *Worker) multidealScenario(ctx context.Context, kv jetstream.KeyValue, job multideal.SessionJob) (*multideal.Scenario, error) {
	if s, ok := w.multideals.Load(job.Digest); ok {
		return s.(*multideal.Scenario), nil
	}
	var e jetstream.KeyValueEntry
	err := retry(ctx, time.Minute, func(ctx context.Context) error {
		var err error
		e, err = kv.Get(ctx, multidealKey(job.Digest))
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return fmt.Errorf("not in bucket %s: %w", ScenarioBucket, err)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("scenario %s (digest %s): %w", job.Scenario, job.Digest, err)
	}
	s, err := multideal.DecodeScenario(e.Value(), job.Digest)
	if err != nil {
		return nil, fmt.Errorf("scenario %s from bucket %s: %w", job.Scenario, ScenarioBucket, err)
	}
	w.multideals.Store(job.Digest, s)
	return s, nil
}
