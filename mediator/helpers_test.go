package mediator

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// The scenarios and helpers of the session package's tests that the
// strategies' tests use (they moved here with the strategies).

func fptr(v float64) *float64 { return &v }

// testScenario: three principals over three points; "c" holds a veto.
func testScenario() *scenario.Scenario {
	f := &framework.Framework{Name: "t", Points: []framework.Point{
		{ID: "p1", Options: []framework.Option{{ID: "a"}, {ID: "b"}, {ID: "c"}}},
		{ID: "p2", Options: []framework.Option{{ID: "a"}, {ID: "b"}}},
		{ID: "p3", Options: []framework.Option{{ID: "a"}, {ID: "b"}, {ID: "c"}, {ID: "d"}}},
	}}
	prof := func(s1, s2, s3 []float64, r float64) *profile.Profile {
		return &profile.Profile{Weights: []float64{0.5, 0.2, 0.3}, Scores: [][]float64{s1, s2, s3}, Reservation: fptr(r)}
	}
	return &scenario.Scenario{Version: 1, Name: "t", Framework: f,
		Parties: []scenario.Party{
			{ID: "med", Role: scenario.Mediator},
			{ID: "a", Role: scenario.Principal, Profile: prof([]float64{3, 2, 1}, []float64{1, 2}, []float64{4, 3, 2, 1}, 0.3)},
			{ID: "b", Role: scenario.Principal, Profile: prof([]float64{1, 3, 2}, []float64{2, 1}, []float64{1, 4, 3, 2}, 0.3)},
			{ID: "c", Role: scenario.Principal, Profile: prof([]float64{1, 2, 3}, []float64{1, 1}, []float64{2, 1, 4, 3}, 0.3)},
		},
		Decision: scenario.Decision{Rule: scenario.Unanimity, Vetoes: []string{"c"}, Agreement: scenario.WholePackage},
		Format:   scenario.Format{Default: scenario.Plenary},
	}
}

// tightScenario is testScenario with a reservation value of r for every
// principal, so that the agreement zone is a strict part of the space.
func tightScenario(r float64) *scenario.Scenario {
	sc := testScenario()
	for i := range sc.Parties {
		if sc.Parties[i].Profile != nil {
			sc.Parties[i].Profile.Reservation = fptr(r)
		}
	}
	return sc
}

// fakeClock ticks one second per call.
func fakeClock() session.Clock {
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Second); return t }
}

func miami(t testing.TB) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Builtin("miami-2025")
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func mustNew(t testing.TB, sc *scenario.Scenario, cfg session.Config) *session.Session {
	t.Helper()
	s, err := session.New(sc, cfg, fakeClock())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkReplay writes the session's log, reads it back and replays it: the
// replayed state must equal the session's.
func checkReplay(t *testing.T, s *session.Session) {
	t.Helper()
	var buf bytes.Buffer
	if err := session.WriteLog(&buf, s.Events()); err != nil {
		t.Fatal(err)
	}
	evs, err := session.ReadLog(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	r, err := session.Replay(s.Scenario, evs)
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	ja, _ := json.Marshal(&r.State)
	jb, _ := json.Marshal(&s.State)
	if !bytes.Equal(ja, jb) {
		t.Fatalf("replayed state differs:\nreplay   %s\noriginal %s", ja, jb)
	}
}

func profileResponders(s *session.Session, tol float64) map[string]session.Responder {
	rs := map[string]session.Responder{}
	for _, p := range s.Config.Parties {
		rs[p] = session.ProfileResponder{Tolerance: tol}
	}
	return rs
}

func diffPoints(a, b framework.Package) int {
	n := 0
	for i := range a {
		if a[i] != b[i] {
			n++
		}
	}
	return n
}

// byName returns ByName(name, 0) or fails the test.
func byName(t testing.TB, name string) session.Mediator {
	t.Helper()
	m, err := ByName(name, 0)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
