package tournament

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestAssignments(t *testing.T) {
	for _, tc := range []struct {
		n, k     int
		self     bool
		want     int
		first    []int
		lastWant []int
	}{
		{2, 2, false, 2, []int{0, 1}, []int{1, 0}},
		{2, 7, false, 42, []int{0, 1}, []int{6, 5}},        // k(k−1)
		{3, 7, false, 210, []int{0, 1, 2}, []int{6, 5, 4}}, // k(k−1)(k−2)
		{3, 3, false, 6, []int{0, 1, 2}, []int{2, 1, 0}},   // 3!
		{2, 7, true, 49, []int{0, 0}, []int{6, 6}},         // k²
		{3, 4, true, 64, []int{0, 0, 0}, []int{3, 3, 3}},
		{3, 2, false, 0, nil, nil}, // fewer agents than parties
		{1, 3, false, 3, []int{0}, []int{2}},
	} {
		as := Assignments(tc.n, tc.k, tc.self)
		if len(as) != tc.want {
			t.Errorf("Assignments(%d, %d, %v): %d, want %d", tc.n, tc.k, tc.self, len(as), tc.want)
			continue
		}
		if tc.want == 0 {
			continue
		}
		if !reflect.DeepEqual(as[0], tc.first) || !reflect.DeepEqual(as[len(as)-1], tc.lastWant) {
			t.Errorf("Assignments(%d, %d, %v): first %v last %v", tc.n, tc.k, tc.self, as[0], as[len(as)-1])
		}
		seen := map[string]bool{}
		for _, a := range as {
			b, _ := json.Marshal(a)
			if seen[string(b)] {
				t.Fatalf("duplicate assignment %v", a)
			}
			seen[string(b)] = true
			if !tc.self {
				used := map[int]bool{}
				for _, x := range a {
					if used[x] {
						t.Fatalf("agent %d twice in %v", x, a)
					}
					used[x] = true
				}
			}
		}
	}
}

// TestJobs checks the enumeration: counts per scenario (permutations ×
// repetitions), order, stable unique ids, and that a job survives JSON.
func TestJobs(t *testing.T) {
	cfg, err := ParseConfig("t.yaml", []byte(`
agents: [boulware, conceder, linear, random]
scenarios: [tiny-2p, miami-2025]
repetitions: 3
`))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Resolve(); err != nil {
		t.Fatal(err)
	}
	jobs := Jobs(cfg)
	// tiny-2p: 2 parties → 4·3 = 12; miami-2025: 3 principals → 4·3·2 = 24.
	if len(cfg.Scenarios) != 2 || len(cfg.Scenarios[1].Parties) != 3 {
		t.Fatalf("scenarios %+v", cfg.Scenarios)
	}
	if want := (12 + 24) * 3; len(jobs) != want {
		t.Fatalf("%d jobs, want %d", len(jobs), want)
	}
	ids := map[string]bool{}
	for _, j := range jobs {
		if ids[j.ID] {
			t.Fatalf("duplicate id %s", j.ID)
		}
		ids[j.ID] = true
		if j.ID != j.ComputeID() {
			t.Fatalf("id %s, recomputed %s", j.ID, j.ComputeID())
		}
		b, err := json.Marshal(j)
		if err != nil {
			t.Fatal(err)
		}
		var back Job
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, j) || back.ComputeID() != j.ID {
			t.Fatalf("JSON round trip changed the job:\n%+v\n%+v", j, back)
		}
	}
	if j := jobs[0]; j.Scenario.Name != "tiny-2p" || j.Rep != 0 || j.Agents()[0] != "boulware" || j.Agents()[1] != "conceder" || j.Rounds != DefaultRounds {
		t.Errorf("first job %+v", j)
	}
	if j := jobs[1]; j.Rep != 1 || j.Seed == jobs[0].Seed {
		t.Errorf("second job: rep %d, seed %d (first %d)", j.Rep, j.Seed, jobs[0].Seed)
	}
	// Enumeration is deterministic, and the path is not part of the id.
	again := Jobs(cfg)
	for i := range jobs {
		if again[i].ID != jobs[i].ID {
			t.Fatalf("job %d: id %s then %s", i, jobs[i].ID, again[i].ID)
		}
	}
	moved := jobs[0]
	moved.Scenario.Source = "/elsewhere"
	if moved.ComputeID() != jobs[0].ID {
		t.Error("the scenario's path changes the id")
	}
	other := jobs[0]
	other.Seed++
	if other.ComputeID() == jobs[0].ID {
		t.Error("the seed does not change the id")
	}
	// Another seed gives other ids.
	cfg.Seed = 2
	if Jobs(cfg)[0].ID == jobs[0].ID {
		t.Error("the config seed does not change the ids")
	}
}

// TestJobsValidate: every job a config produces passes Validate and
// DecodeJob of its JSON; tampering with any field is refused.
func TestJobsValidate(t *testing.T) {
	ext, err := ParseConfig("t.yaml", []byte("agents: [boulware, {name: ext, url: 'http://127.0.0.1:1/a'}]\nscenarios: [tiny-2p]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := ext.Resolve(); err != nil {
		t.Fatal(err)
	}
	_, plain := tinyJobs(t, "")
	_, timed := tinyJobs(t, "protocol: amop\ndeadline: {time: 2s}\nscoring: reservation\n")
	for _, jobs := range [][]Job{plain, timed, Jobs(ext)} {
		for _, j := range jobs {
			b, _ := json.Marshal(j)
			got, err := DecodeJob(b)
			if err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			if !reflect.DeepEqual(got, j) {
				t.Fatalf("decoded %+v, want %+v", got, j)
			}
		}
	}
	_, jobs := tinyJobs(t, "")
	j := jobs[0]
	for name, mod := range map[string]func(*Job){
		"seed":        func(j *Job) { j.Seed++ },
		"rounds":      func(j *Job) { j.Rounds = MaxRounds + 1; j.ID = j.ComputeID() },
		"no deadline": func(j *Job) { j.Rounds = 0; j.ID = j.ComputeID() },
		"protocol":    func(j *Job) { j.Protocol = "single-text"; j.ID = j.ComputeID() },
		"one role":    func(j *Job) { j.Roles = j.Roles[:1]; j.ID = j.ComputeID() },
		"file url":    func(j *Job) { j.Roles[0].Agent = AgentSpec{Name: "x", URL: "file:///etc/passwd"}; j.ID = j.ComputeID() },
		"both":        func(j *Job) { j.Roles[0].Agent.URL = "http://x"; j.ID = j.ComputeID() },
		"kind":        func(j *Job) { j.Scenario.Kind = "exec"; j.ID = j.ComputeID() },
		"budget":      func(j *Job) { j.Budget = -1; j.ID = j.ComputeID() },
	} {
		c := j
		c.Roles = append([]Role(nil), j.Roles...)
		mod(&c)
		b, _ := json.Marshal(c)
		if _, err := DecodeJob(b); err == nil {
			t.Errorf("%s: a tampered job was accepted: %s", name, b)
		}
	}
	if _, err := DecodeJob([]byte(`{"id":"x","extra":1}`)); err == nil || !strings.Contains(err.Error(), "unknown field") {
		t.Errorf("unknown field: %v", err)
	}
}

// FuzzDecodeJob: DecodeJob never panics, and a job it accepts encodes
// and decodes to itself.
func FuzzDecodeJob(f *testing.F) {
	_, jobs := tinyJobs(f, "")
	for _, j := range jobs[:3] {
		b, _ := json.Marshal(j)
		f.Add(b)
	}
	f.Add([]byte(`{"id":""}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := DecodeJob(data)
		if err != nil {
			return
		}
		b, err := json.Marshal(j)
		if err != nil {
			t.Fatal(err)
		}
		k, err := DecodeJob(b)
		if err != nil {
			t.Fatalf("re-encoded job refused: %v", err)
		}
		if !reflect.DeepEqual(j, k) {
			t.Fatalf("round trip changed the job: %+v → %+v", j, k)
		}
	})
}
