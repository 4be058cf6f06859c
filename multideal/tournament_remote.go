package multideal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// A tournament's sessions can run on workers elsewhere (package cluster,
// over NATS): RunRemote plans the tournament, turns each session into a
// SessionJob (its scenario named by the digest of its Marshal encoding,
// which the workers receive once per batch), hands the jobs to a
// SessionDispatcher and scores the outcomes in session order, exactly as
// Run does. A worker decodes a job (DecodeSessionJob), the scenario
// (DecodeScenario) and runs it with RunSessionJob, the code a local run
// uses, so the result is the local one whatever the workers and whichever
// ran what.

// SessionJob is one session of a tournament as a worker runs it: which
// scenario (by digest), how many steps, and the session's assignment and
// seed. Its ID is the hash of the rest, so that a job altered on the way
// is refused (DecodeSessionJob).
type SessionJob struct {
	ID string `json:"id"`
	// Scenario is the scenario's name (for messages); Digest is
	// ScenarioDigest of its encoding (EncodeScenario), by which a worker
	// fetches it.
	Scenario string `json:"scenario"`
	Digest   string `json:"digest"`
	Steps    int    `json:"steps"`
	// Index, Center, Edges and Seed are the TournamentSession's.
	Index  int      `json:"index"`
	Center string   `json:"center"`
	Edges  []string `json:"edges"`
	Seed   int64    `json:"seed"`
}

// ComputeID returns the job's id: "md-" and 32 hex digits of the SHA-256
// of its JSON encoding without the id.
func (j SessionJob) ComputeID() string {
	j.ID = ""
	b, _ := json.Marshal(j) // strings, ints and a string slice: cannot fail
	sum := sha256.Sum256(b)
	return "md-" + hex.EncodeToString(sum[:16])
}

// Validate checks that the job is one a tournament can produce: its id
// matches its content, the agents are built-in ones, steps, index and
// seed are in range and the digest is a SHA-256.
func (j *SessionJob) Validate() error {
	if j.ID != j.ComputeID() {
		return fmt.Errorf("multideal: session job %q: the id does not match the content", j.ID)
	}
	if j.Steps <= 0 || j.Index < 0 || j.Seed < 0 || j.Seed >= 1<<62 {
		return fmt.Errorf("multideal: session job %s: steps %d, index %d, seed %d out of range", j.ID, j.Steps, j.Index, j.Seed)
	}
	if d, err := hex.DecodeString(j.Digest); err != nil || len(d) != sha256.Size {
		return fmt.Errorf("multideal: session job %s: digest %q is not a SHA-256", j.ID, j.Digest)
	}
	if len(j.Edges) == 0 {
		return fmt.Errorf("multideal: session job %s: no edges", j.ID)
	}
	for _, a := range append([]string{j.Center}, j.Edges...) {
		if _, err := NewAgent(a); err != nil {
			return fmt.Errorf("multideal: session job %s: %w", j.ID, err)
		}
	}
	return nil
}

// DecodeSessionJob reads a job that came from elsewhere (a queue) and
// validates it: no unknown field, nothing after it, and Validate.
func DecodeSessionJob(data []byte) (SessionJob, error) {
	var j SessionJob
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return SessionJob{}, fmt.Errorf("multideal: not a session job: %w", err)
	}
	if dec.More() {
		return SessionJob{}, errors.New("multideal: not a session job: data after the job")
	}
	if err := j.Validate(); err != nil {
		return SessionJob{}, err
	}
	return j, nil
}

// ExactFloat is a float64 that survives JSON bit for bit: a number
// (Go's shortest representation, which reads back to the same bits), or
// "NaN", "+Inf" or "-Inf", which JSON numbers cannot hold.
type ExactFloat float64

// MarshalJSON implements json.Marshaler.
func (f ExactFloat) MarshalJSON() ([]byte, error) {
	x := float64(f)
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return []byte(strconv.Quote(strconv.FormatFloat(x, 'g', -1, 64))), nil
	}
	return strconv.AppendFloat(nil, x, 'g', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *ExactFloat) UnmarshalJSON(b []byte) error {
	s := string(b)
	if uq, err := strconv.Unquote(s); err == nil {
		x, err := strconv.ParseFloat(uq, 64)
		if err != nil || !(math.IsNaN(x) || math.IsInf(x, 0)) {
			return fmt.Errorf("multideal: %s is not a number, NaN or ±Inf", s)
		}
		*f = ExactFloat(x)
		return nil
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("multideal: %s is not a number: %w", s, err)
	}
	*f = ExactFloat(x)
	return nil
}

// SessionOutcome is what a worker sends back for a SessionJob: the
// session's agreements and utilities, or the error that stopped it.
type SessionOutcome struct {
	ID    string `json:"id"`
	Index int    `json:"index"`
	// Agreements are the threads' outcomes by point ID (null for none).
	Agreements    []map[string]string `json:"agreements"`
	CenterUtility ExactFloat          `json:"center_utility"`
	EdgeUtilities []ExactFloat        `json:"edge_utilities"`
	// Error, when not empty, says why the session has no result.
	Error string `json:"error,omitempty"`
}

// ErrorOutcome returns an outcome of job that says why it did not run.
func ErrorOutcome(job SessionJob, msg string) SessionOutcome {
	return SessionOutcome{ID: job.ID, Index: job.Index, Error: msg}
}

// RunSessionJob runs a job on its scenario s (the one its Digest names)
// with the code Tournament.Run uses for a session.
func RunSessionJob(s *Scenario, job SessionJob) SessionOutcome {
	ts := TournamentSession{Index: job.Index, Scenario: s.Name, Center: job.Center, Edges: job.Edges, Seed: job.Seed}
	if err := runTournamentSession(s, job.Steps, &ts); err != nil {
		return ErrorOutcome(job, err.Error())
	}
	o := SessionOutcome{ID: job.ID, Index: job.Index, Agreements: ts.Agreements, CenterUtility: ExactFloat(ts.CenterUtility)}
	for _, u := range ts.EdgeUtilities {
		o.EdgeUtilities = append(o.EdgeUtilities, ExactFloat(u))
	}
	return o
}

// EncodeScenario returns the encoding of s that workers receive (Marshal:
// Parse reads it back to the same utilities, bit for bit) and its digest.
func EncodeScenario(s *Scenario) (data []byte, digest string, err error) {
	data, err = Marshal(s)
	if err != nil {
		return nil, "", fmt.Errorf("multideal: scenario %s cannot be sent to workers: %w", s.Name, err)
	}
	return data, ScenarioDigest(data), nil
}

// ScenarioDigest is the hex SHA-256 of a scenario's encoding.
func ScenarioDigest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// DecodeScenario reads a scenario a coordinator published, checking that
// it is the one digest names.
func DecodeScenario(data []byte, digest string) (*Scenario, error) {
	if got := ScenarioDigest(data); got != digest {
		return nil, fmt.Errorf("multideal: scenario data has digest %s, want %s", got, digest)
	}
	s, err := Parse("scenario-"+digest[:min(12, len(digest))]+".yml", data)
	if err != nil {
		return nil, fmt.Errorf("multideal: scenario %s: %w", digest, err)
	}
	return s, nil
}

// SessionDispatcher runs session jobs elsewhere (cluster.Coordinator does,
// on workers over NATS).
type SessionDispatcher interface {
	// DispatchSessions runs jobs, whose scenarios are in scenarios (by
	// digest, EncodeScenario's data), and calls out, from one goroutine
	// at a time, with each outcome as it arrives; it may call it more
	// than once for a job (a job run twice), and RunRemote keeps the
	// first. It returns nil once every job has had an outcome, ctx's
	// error when ctx is done, or an error when it cannot go on.
	DispatchSessions(ctx context.Context, jobs []SessionJob, scenarios map[string][]byte, out func(SessionOutcome)) error
}

// SessionJobs plans the tournament and returns its sessions (not run),
// each one's job and the encodings of the scenarios by digest.
func (t *Tournament) SessionJobs() ([]TournamentSession, []SessionJob, map[string][]byte, error) {
	sessions, err := t.Plan()
	if err != nil {
		return nil, nil, nil, err
	}
	digests := make([]string, len(t.Scenarios))
	scenarios := map[string][]byte{}
	for k, s := range t.Scenarios {
		data, digest, err := EncodeScenario(s)
		if err != nil {
			return nil, nil, nil, err
		}
		digests[k], scenarios[digest] = digest, data
	}
	jobs := make([]SessionJob, len(sessions))
	for i := range sessions {
		ts := &sessions[i]
		j := SessionJob{Scenario: ts.Scenario, Digest: digests[ts.scenario], Steps: t.Steps,
			Index: ts.Index, Center: ts.Center, Edges: append([]string(nil), ts.Edges...), Seed: ts.Seed}
		j.ID = j.ComputeID()
		jobs[i] = j
	}
	return sessions, jobs, scenarios, nil
}

// RunRemote plans the tournament, runs its sessions through d and scores
// them: the result of Run, whatever ran the sessions where (Workers is
// not used; Progress is called as outcomes arrive). A session that failed
// on a worker fails the tournament, as it does Run.
func (t *Tournament) RunRemote(ctx context.Context, d SessionDispatcher) (*TournamentResult, error) {
	sessions, jobs, scenarios, err := t.SessionJobs()
	if err != nil {
		return nil, err
	}
	byID := make(map[string]int, len(jobs))
	for i, j := range jobs {
		byID[j.ID] = i
	}
	have := make([]bool, len(jobs))
	failed := make([]string, len(jobs))
	done := 0
	err = d.DispatchSessions(ctx, jobs, scenarios, func(o SessionOutcome) {
		i, ok := byID[o.ID]
		if !ok || have[i] {
			return
		}
		have[i] = true
		done++
		ts := &sessions[i]
		switch {
		case o.Error != "":
			failed[i] = o.Error
		case o.Index != ts.Index || len(o.Agreements) != len(ts.Edges) || len(o.EdgeUtilities) != len(ts.Edges):
			failed[i] = fmt.Sprintf("the outcome (index %d, %d agreements, %d utilities) does not fit the session (index %d, %d edges)",
				o.Index, len(o.Agreements), len(o.EdgeUtilities), ts.Index, len(ts.Edges))
		default:
			ts.Agreements = o.Agreements
			ts.CenterUtility = float64(o.CenterUtility)
			ts.EdgeUtilities = make([]float64, len(o.EdgeUtilities))
			for k, u := range o.EdgeUtilities {
				ts.EdgeUtilities[k] = float64(u)
			}
		}
		if t.Progress != nil {
			t.Progress(done, len(jobs))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("multideal: tournament: %w", err)
	}
	for i := range jobs {
		switch {
		case !have[i]:
			return nil, fmt.Errorf("multideal: tournament session %d: no outcome came back", i)
		case failed[i] != "":
			return nil, fmt.Errorf("multideal: tournament session %d, run on a worker: %s", i, failed[i])
		}
	}
	return &TournamentResult{Sessions: sessions, Scores: Score(sessions)}, nil
}
