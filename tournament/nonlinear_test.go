package tournament

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/parley-negotiation/parley/genius"
	"github.com/parley-negotiation/parley/internal/fixture"
	"github.com/parley-negotiation/parley/internal/refdata"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// nonLinearJobs returns the jobs of a small tournament (a few built-in
// agents, SAO, 40 rounds) moved onto sc, which e.Load serves.
func nonLinearJobs(t *testing.T, e *Engine, sc *scenario.Scenario) []Job {
	t.Helper()
	cfg, err := ParseConfig("t.yaml", []byte("agents: [boulware, conceder, hard-headed, tft, micro]\nscenarios: [tiny-2p]\nrepetitions: 1\ndeadline: {rounds: 40}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Resolve(); err != nil {
		t.Fatal(err)
	}
	ref := ScenarioRef{Name: sc.Name, Kind: KindBuiltin, Source: sc.Name, Digest: session.Digest(sc)}
	e.Load = func(r ScenarioRef) (*scenario.Scenario, error) {
		if r.Name != sc.Name {
			return nil, errors.New("unknown scenario " + r.Name)
		}
		return sc, nil
	}
	var jobs []Job
	for _, j := range Jobs(cfg) {
		if len(j.Roles) != 2 {
			t.Fatalf("job %+v", j)
		}
		j.Scenario = ref
		for k := range j.Roles {
			j.Roles[k].Party = sc.Parties[k].ID
		}
		j.ID = j.ComputeID()
		jobs = append(jobs, j)
	}
	return jobs
}

// TestNonLinearTournament runs a small tournament of built-in agents on
// non-linear scenarios (a RandomNonLinear one of 10^10 packages, and
// NonLinear10issues when the GENIUS reader reads it): no job errs or
// faults, and every agreement's reported utilities are Table.Utility's,
// bit for bit.
func TestNonLinearTournament(t *testing.T) {
	scs := []*scenario.Scenario{fixture.RandomNonLinear("nl-10x10", 10, 10, 2, 5, 3, 0.2,
		fixture.NonLinear{Interactions: 20, Additive: 1, Negative: true, Outside: true})}
	if root := refdata.Root(); root == "" {
		t.Log("NonLinear10issues skipped: reference data not found")
	} else if sc, err := genius.LoadDir(filepath.Join(root, "genius", "domains", "NonLinear10issues"), nil); errors.Is(err, genius.ErrNonLinear) {
		t.Log("NonLinear10issues skipped: the GENIUS reader returns ErrNonLinear for it")
	} else if err != nil {
		t.Fatal(err)
	} else {
		sc.Name = "NonLinear10issues"
		scs = append(scs, sc)
	}
	for _, sc := range scs {
		e := &Engine{}
		jobs := nonLinearJobs(t, e, sc)
		agreed := 0
		for _, j := range jobs {
			r := e.Run(j)
			if r.Error != "" || r.Fault != "" || r.Status == StatusError {
				t.Fatalf("%s: job %v: status %s, fault %q, error %q", sc.Name, j.Agents(), r.Status, r.Fault, r.Error)
			}
			if r.Status != StatusAgreement {
				continue
			}
			agreed++
			for k, role := range j.Roles {
				tb, err := sc.Party(role.Party).Profile.Compile(sc.Framework)
				if err != nil {
					t.Fatal(err)
				}
				if u := tb.Utility(r.Agreement); r.Utilities[k] != u {
					t.Errorf("%s: job %v: %s's utility %v, Table.Utility %v", sc.Name, j.Agents(), role.Party, r.Utilities[k], u)
				}
			}
		}
		t.Logf("%s: %d jobs, %d agreements", sc.Name, len(jobs), agreed)
	}
}
