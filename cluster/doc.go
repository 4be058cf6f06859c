// Package cluster spreads tournaments over many processes and machines
// through NATS JetStream (https://docs.nats.io/nats-concepts/jetstream):
// a coordinator queues the jobs of a batch, workers anywhere take them,
// run them with a tournament.Engine and send their results back, and the
// coordinator's tournament.Runner writes each job's result exactly once.
// Multi-deal tournaments (package multideal) use the same queue in their
// own lane (multideal.go): subjects parley.jobs.multideal.BATCH and
// parley.results.multideal.BATCH, jobs and outcomes signed over their
// subject so that neither lane's messages pass in the other, scenarios
// published once per batch under "multideal-" digests.
//
// # Pieces
//
//   - Node (node.go) is an embedded NATS server with JetStream, in this
//     process: nothing to install. `parley tournament --listen ADDR`
//     starts one for a batch; `parley broker` runs one as a cluster member
//     (three of them make a cluster that survives the loss of one).
//   - Setup (queue.go) creates what the queue needs on a NATS system: the
//     jobs stream PARLEY_JOBS (work-queue retention: a job is deleted once
//     a worker acknowledges it), the results stream PARLEY_RESULTS (also a
//     work queue, read by the coordinator), the shared durable consumer of
//     the workers and the key-value bucket PARLEY_SCENARIOS, which holds
//     every scenario of a batch by digest so that workers need none of the
//     coordinator's files.
//   - Coordinator (coordinator.go) is a tournament.Dispatcher: it publishes
//     the batch's scenarios and jobs (subject parley.jobs.BATCH, message id
//     BATCH/RUN/JOB, so JetStream drops a retried publication) and delivers the results
//     (subject parley.results.BATCH), acknowledging each only once the
//     Runner has synced it to the results file.
//   - Worker (worker.go) takes jobs from the shared consumer, runs them,
//     publishes each result (under the job message's id) and acknowledges the
//     job only after JetStream has stored the result.
//
// # Delivery guarantees
//
// Nothing is lost: a job stays in the stream until a worker has stored its
// result; a worker that dies (kill -9) leaves its jobs unacknowledged, and
// JetStream redelivers them to another worker after the consumer's ack
// wait (running jobs send progress every third of it, so a long job is not
// redelivered while it runs). A result stays in its stream until the
// coordinator has written it to disk. With three replicas (a 3-node
// cluster) the streams survive the loss of a node.
//
// Nothing counts twice: a redelivered job may be run twice, and both
// results reach the coordinator (JetStream's duplicate window drops a
// second publication of the same result message id only within it). The
// tournament.Runner keeps the first result of each job id and counts the
// rest in Batch.Duplicates; results are a function of the job, so which
// copy wins does not matter.
//
// A job delivered more than Worker.MaxDeliveries times (workers keep dying
// on it) is not run again: the worker records it with status error, so a
// batch always ends (and the next run of the coordinator queues it again,
// as every negotiation that did not run).
//
// # Security
//
// A coordinator and its workers share a secret (auth.go): the NATS token a
// Node requires of every client (a Node without one listens on loopback
// only, ErrNoToken; cluster members authenticate each other's routes with
// a password derived from it), and the root of the key (DeriveKey) under
// which the coordinator signs every job and a worker every result
// (HMAC-SHA256 over kind, subject, message id and data, header SigHeader).
// A worker runs only jobs that verify — so it calls only the agent URLs of
// the coordinator's config — and the coordinator writes only results that
// verify; anything else is logged and dropped.
//
// See docs/tournaments.md ("Scale-out") for the commands and figures.
package cluster
