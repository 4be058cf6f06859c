package mediator

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/internal/fixture"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// The scenarios and helpers of the session package's tests that the
// strategies' tests use (they moved here with the strategies).

// testScenario: three principals over three points; "c" holds a veto.
func testScenario() *scenario.Scenario { return fixture.Three() }

// tightScenario is testScenario with every reservation value at r.
func tightScenario(r float64) *scenario.Scenario { return fixture.Tight(r) }

// fakeClock ticks one second per call.
func fakeClock() session.Clock { return fixture.Clock() }

func miami(t testing.TB) *scenario.Scenario { return fixture.Builtin(t, "miami-2025") }

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
