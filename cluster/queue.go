package cluster

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Names of what Setup creates.
const (
	JobsStream      = "PARLEY_JOBS"
	ResultsStream   = "PARLEY_RESULTS"
	WorkersConsumer = "parley-workers"
	ScenarioBucket  = "PARLEY_SCENARIOS"

	jobsPrefix    = "parley.jobs."
	resultsPrefix = "parley.results."
)

// DefaultAckWait is how long a job may go without a word from its worker
// before JetStream gives it to another (a worker sends progress every
// third of it while a job runs).
const DefaultAckWait = 30 * time.Second

// QueueConfig is the shape of the queue on a NATS system.
type QueueConfig struct {
	// Replicas is the number of copies of each stream: 1 on a single
	// node, 3 on a 3-node cluster (it survives the loss of one node).
	Replicas int
	// AckWait is the workers' consumer's ack wait (default DefaultAckWait).
	AckWait time.Duration
	// Memory keeps the streams in memory instead of files (faster; lost
	// with the node, so only for a single in-process node and tests).
	Memory bool
}

// Setup creates (or updates to cfg) the streams, the workers' consumer and
// the scenario bucket. It retries for up to a minute while JetStream is
// not available yet (a cluster still electing its leader).
func Setup(ctx context.Context, js jetstream.JetStream, cfg QueueConfig) error {
	if cfg.Replicas <= 0 {
		cfg.Replicas = 1
	}
	if cfg.AckWait <= 0 {
		cfg.AckWait = DefaultAckWait
	}
	storage := jetstream.FileStorage
	if cfg.Memory {
		storage = jetstream.MemoryStorage
	}
	return retry(ctx, time.Minute, func(ctx context.Context) error {
		for _, st := range []struct{ name, prefix, what string }{
			{JobsStream, jobsPrefix, "parley tournament jobs (one message a negotiation; subject parley.jobs.BATCH)"},
			{ResultsStream, resultsPrefix, "parley tournament results (subject parley.results.BATCH)"},
		} {
			if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
				Name:        st.name,
				Description: st.what,
				Subjects:    []string{st.prefix + ">"},
				Retention:   jetstream.WorkQueuePolicy,
				Storage:     storage,
				Replicas:    cfg.Replicas,
				Duplicates:  2 * time.Minute,
			}); err != nil {
				return fmt.Errorf("stream %s: %w", st.name, err)
			}
		}
		if _, err := js.CreateOrUpdateConsumer(ctx, JobsStream, jetstream.ConsumerConfig{
			Durable:       WorkersConsumer,
			Description:   "the workers of every batch, in turn",
			AckPolicy:     jetstream.AckExplicitPolicy,
			AckWait:       cfg.AckWait,
			MaxDeliver:    -1, // Worker.MaxDeliveries ends a job that keeps failing
			MaxAckPending: -1,
			MaxWaiting:    4096,
			FilterSubject: jobsPrefix + ">",
			Replicas:      cfg.Replicas,
		}); err != nil {
			return fmt.Errorf("consumer %s: %w", WorkersConsumer, err)
		}
		if _, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket:       ScenarioBucket,
			Description:  "scenarios of parley tournaments, by session digest (JSON)",
			History:      1,
			Storage:      storage,
			Replicas:     cfg.Replicas,
			MaxValueSize: 8 << 20,
		}); err != nil {
			return fmt.Errorf("bucket %s: %w", ScenarioBucket, err)
		}
		return nil
	})
}

// retry calls fn until it succeeds, ctx is done or limit has passed,
// waiting a little longer after each failure; it returns fn's last error.
func retry(ctx context.Context, limit time.Duration, fn func(context.Context) error) error {
	deadline := time.Now().Add(limit)
	wait := 50 * time.Millisecond
	for {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := fn(cctx)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().After(deadline) || !transient(err) {
			return fmt.Errorf("cluster: %w", err)
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		wait = min(2*wait, time.Second)
	}
}

// transient reports whether err may go away by itself: no JetStream
// answer yet (leader election, a reconnecting client, a timeout).
func transient(err error) bool {
	switch {
	case errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, jetstream.ErrJetStreamNotEnabled),
		errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount),
		errors.Is(err, jetstream.ErrNoStreamResponse),
		errors.Is(err, jetstream.ErrStreamNotFound),
		errors.Is(err, jetstream.ErrConsumerNotFound),
		errors.Is(err, jetstream.ErrBucketNotFound):
		return true
	}
	var api *jetstream.APIError
	if errors.As(err, &api) {
		// 503-style: no leader / no quorum / not ready
		return api.Code == 503 || api.Code == 500 || api.Code == 408
	}
	msg := err.Error()
	for _, s := range []string{"no responders", "timeout", "connection closed", "disconnected", "leader", "quorum", "not ready"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// batchOf returns the batch of a job or result subject.
func batchOf(subject string) string {
	if i := strings.LastIndexByte(subject, '.'); i >= 0 {
		return subject[i+1:]
	}
	return subject
}

// consume hands the messages of cons to handle, pulling at most pull at a
// time, until handle returns false or ctx is done; a failing pull (a
// server lost, a consumer's leader moving) is logged as what and pulled
// again.
func consume(ctx context.Context, cons jetstream.Consumer, pull int, logf func(string, ...any), what string, handle func(jetstream.Msg) bool) {
	for ctx.Err() == nil {
		it, err := cons.Messages(jetstream.PullMaxMessages(pull))
		if err != nil {
			logf("%s: %v; retrying", what, err)
			sleep(ctx, 500*time.Millisecond)
			continue
		}
		stop := context.AfterFunc(ctx, it.Stop)
		more := true
		for more {
			msg, err := it.Next()
			if err != nil {
				if !errors.Is(err, jetstream.ErrMsgIteratorClosed) && ctx.Err() == nil {
					logf("%s: %v; retrying", what, err)
				}
				break
			}
			more = handle(msg)
		}
		stop()
		it.Stop()
		if !more {
			return
		}
		sleep(ctx, 200*time.Millisecond)
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
}
