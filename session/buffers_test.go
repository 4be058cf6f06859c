package session_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/session"
)

// TestRunnerBuffers: sessions run one after another with the same Buffers
// (released between them) write exactly the logs of sessions run without,
// on domains of different sizes and party counts, and a session after
// Release finds its log storage emptied.
func TestRunnerBuffers(t *testing.T) {
	clock := func() time.Time { return time.Unix(0, 0) }
	run := func(t *testing.T, c [4]int, bufs *session.Buffers) ([]session.Event, *session.Runner) {
		sc := randomScenario(c[0], c[1], c[2], uint64(c[3]))
		s, err := session.New(sc, session.Config{Protocol: session.SAO, Rounds: 60}, clock, session.WithSaltSeed([32]byte{7}))
		if err != nil {
			t.Fatal(err)
		}
		agents := map[string]agent.Negotiator{}
		for i, p := range sc.Parties {
			if i == 0 {
				agents[p.ID] = agent.Boulware()
			} else {
				agents[p.ID] = agent.Conceder()
			}
		}
		var opts []session.RunnerOption
		if bufs != nil {
			opts = append(opts, session.WithBuffers(bufs))
		}
		r, err := session.NewRunner(s, agents, opts...)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Run(); err != nil {
			t.Fatal(err)
		}
		return append([]session.Event(nil), s.Events()...), r
	}
	cases := [][4]int{{5, 4, 2, 1}, {6, 3, 3, 2}, {4, 5, 2, 3}, {7, 3, 4, 4}, {5, 4, 2, 1}}
	var bufs session.Buffers
	for _, c := range cases {
		want, _ := run(t, c, nil)
		got, r := run(t, c, &bufs)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%v: the log with buffers differs from the log without", c)
		}
		r.Release()
		if n := len(r.S.EventsUnsealed()); n != 0 {
			t.Errorf("%v: %d events left in a released session", c, n)
		}
		r.Release() // a second Release does nothing
	}
}
