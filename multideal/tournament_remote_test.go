package multideal

import (
	"context"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

// reverseDispatcher runs the jobs in reverse order, each on a scenario
// decoded from the data it was given (as a worker does), and sends every
// outcome twice.
type reverseDispatcher struct{ ran int }

func (d *reverseDispatcher) DispatchSessions(ctx context.Context, jobs []SessionJob, scenarios map[string][]byte, out func(SessionOutcome)) error {
	for i := len(jobs) - 1; i >= 0; i-- {
		b, err := json.Marshal(jobs[i])
		if err != nil {
			return err
		}
		job, err := DecodeSessionJob(b)
		if err != nil {
			return err
		}
		s, err := DecodeScenario(scenarios[job.Digest], job.Digest)
		if err != nil {
			return err
		}
		o := RunSessionJob(s, job)
		if b, err = json.Marshal(o); err != nil {
			return err
		}
		var back SessionOutcome
		if err := json.Unmarshal(b, &back); err != nil {
			return err
		}
		out(back)
		out(back)
		d.ran++
	}
	return nil
}

// TestRunRemoteEqualsRun: sessions run out of order, through JSON, on
// scenarios read back from their encoding, score exactly as Run.
func TestRunRemoteEqualsRun(t *testing.T) {
	miami, err := Builtin("miami-shuttle")
	if err != nil {
		t.Fatal(err)
	}
	dinners, err := Load("testdata/dinners.yml")
	if err != nil {
		t.Fatal(err)
	}
	tr := &Tournament{Scenarios: []*Scenario{miami, dinners}, Agents: []string{"Boulware2025", "Linear2025", "Conceder2025", "Planner"},
		Steps: 20, Repetitions: 1, Seed: 3, Workers: 2}
	want, err := tr.Run()
	if err != nil {
		t.Fatal(err)
	}
	var d reverseDispatcher
	got, err := tr.RunRemote(context.Background(), &d)
	if err != nil {
		t.Fatal(err)
	}
	if d.ran != len(want.Sessions) {
		t.Errorf("%d sessions ran for %d", d.ran, len(want.Sessions))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("remote result differs from Run's:\n%+v\n%+v", got.Scores, want.Scores)
	}
}

// failingDispatcher answers every job with an error outcome.
type failingDispatcher struct{}

func (failingDispatcher) DispatchSessions(ctx context.Context, jobs []SessionJob, scenarios map[string][]byte, out func(SessionOutcome)) error {
	for _, j := range jobs {
		out(ErrorOutcome(j, "the worker broke"))
	}
	return nil
}

// TestRunRemoteFailedSession: a session that failed on a worker fails the
// tournament, naming it.
func TestRunRemoteFailedSession(t *testing.T) {
	miami, err := Builtin("miami-shuttle")
	if err != nil {
		t.Fatal(err)
	}
	tr := &Tournament{Scenarios: []*Scenario{miami}, Agents: []string{"Boulware2025", "Linear2025"}, Steps: 10, Repetitions: 1}
	if _, err := tr.RunRemote(context.Background(), failingDispatcher{}); err == nil || !strings.Contains(err.Error(), "session 0, run on a worker: the worker broke") {
		t.Fatalf("err %v", err)
	}
}

// TestDecodeSessionJob: a job reads back to itself; altering any field
// (the id no longer matches), an unknown agent, an unknown field or a
// bad digest is refused.
func TestDecodeSessionJob(t *testing.T) {
	miami, err := Builtin("miami-shuttle")
	if err != nil {
		t.Fatal(err)
	}
	tr := &Tournament{Scenarios: []*Scenario{miami}, Agents: []string{"Boulware2025", "Planner"}, Steps: 10, Repetitions: 1, Seed: 9}
	_, jobs, scenarios, err := tr.SessionJobs()
	if err != nil {
		t.Fatal(err)
	}
	if len(scenarios) != 1 {
		t.Fatalf("%d scenario encodings", len(scenarios))
	}
	for _, j := range jobs {
		b, _ := json.Marshal(j)
		got, err := DecodeSessionJob(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, j) {
			t.Fatalf("decoded %+v, want %+v", got, j)
		}
	}
	for name, mod := range map[string]func(*SessionJob){
		"seed":   func(j *SessionJob) { j.Seed++ },
		"steps":  func(j *SessionJob) { j.Steps = 1 << 20 },
		"center": func(j *SessionJob) { j.Center = "Random2025" },
		"edges":  func(j *SessionJob) { j.Edges[0] = "Random2025" },
		"digest": func(j *SessionJob) { j.Digest = strings.Repeat("0", 64) },
		"agent (id recomputed)": func(j *SessionJob) {
			j.Center = "http://127.0.0.1:1/agent"
			j.ID = j.ComputeID()
		},
		"digest (id recomputed)": func(j *SessionJob) {
			j.Digest = "abc"
			j.ID = j.ComputeID()
		},
	} {
		j := jobs[0]
		j.Edges = append([]string(nil), j.Edges...)
		mod(&j)
		b, _ := json.Marshal(j)
		if _, err := DecodeSessionJob(b); err == nil {
			t.Errorf("%s: a tampered job was accepted: %s", name, b)
		}
	}
	if _, err := DecodeSessionJob([]byte(`{"id":"x","extra":1}`)); err == nil || !strings.Contains(err.Error(), "unknown field") {
		t.Errorf("unknown field: %v", err)
	}
	for digest, data := range scenarios {
		if _, err := DecodeScenario(data, digest); err != nil {
			t.Fatal(err)
		}
		if _, err := DecodeScenario(append([]byte("# x\n"), data...), digest); err == nil {
			t.Error("scenario data that is not the digest's was accepted")
		}
	}
}

// TestExactFloatJSON: utilities cross JSON bit for bit, also those JSON
// numbers cannot hold; a quoted number is no utility.
func TestExactFloatJSON(t *testing.T) {
	for _, x := range []float64{0, math.Copysign(0, -1), 0.1, 1.0 / 3, math.MaxFloat64, math.SmallestNonzeroFloat64, math.Inf(1), math.Inf(-1), math.NaN()} {
		b, err := json.Marshal(ExactFloat(x))
		if err != nil {
			t.Fatal(err)
		}
		var y ExactFloat
		if err := json.Unmarshal(b, &y); err != nil {
			t.Fatalf("%v (%s): %v", x, b, err)
		}
		if math.Float64bits(float64(y)) != math.Float64bits(x) && !(math.IsNaN(x) && math.IsNaN(float64(y))) {
			t.Errorf("%v → %s → %v", x, b, float64(y))
		}
	}
	var y ExactFloat
	if err := json.Unmarshal([]byte(`"1.5"`), &y); err == nil {
		t.Error(`"1.5" accepted as a utility`)
	}
}
