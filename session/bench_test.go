package session_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/internal/fixture"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// randomScenario builds a random additive scenario with n principals.
func randomScenario(points, levels, parties int, seed uint64) *scenario.Scenario {
	return fixture.RandomAdditive("bench", points, levels, parties, seed, 5, -1)
}

// benchSAO runs whole SAO sessions between time-based agents (Boulware
// against Conceders) with a deadline of `rounds`, and reports offers per
// second per core (moves that put a package on the table, each validated
// and logged by the engine).
func benchSAO(b *testing.B, sc *scenario.Scenario, rounds int) {
	clock := func() time.Time { return time.Unix(0, 0) }
	offers := 0
	// Bid spaces are built once per party profile and shared by the
	// sessions (as a tournament does); building is not an offer.
	spaces := map[string]*agent.BidSpace{}
	tables := map[string]*profile.Table{}
	for _, p := range sc.Parties {
		t, err := p.Profile.Compile(sc.Framework)
		if err != nil {
			b.Fatal(err)
		}
		tables[p.ID] = t
		bs, err := agent.NewBidSpace(sc.Framework, t)
		if err != nil {
			b.Fatal(err)
		}
		spaces[p.ID] = bs
	}
	// The log and the agents' history grow in buffers kept from one
	// session to the next, as a tournament worker keeps them.
	var bufs session.Buffers
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s, err := session.New(sc, session.Config{Protocol: session.SAO, Rounds: rounds}, clock)
		if err != nil {
			b.Fatal(err)
		}
		agents := map[string]agent.Negotiator{}
		for i, p := range sc.Parties {
			if i == 0 {
				agents[p.ID] = agent.Boulware(agent.WithBidSpace(spaces[p.ID]))
			} else {
				agents[p.ID] = agent.Conceder(agent.WithBidSpace(spaces[p.ID]))
			}
		}
		r, err := session.NewRunner(s, agents, session.WithTables(tables), session.WithBuffers(&bufs))
		if err != nil {
			b.Fatal(err)
		}
		if err := r.Run(); err != nil {
			b.Fatal(err)
		}
		offers += countOffers(s)
		r.Release()
	}
	b.ReportMetric(float64(offers)/b.Elapsed().Seconds(), "offers/s")
	b.ReportMetric(float64(offers)/float64(b.N), "offers/session")
}

func countOffers(s *session.Session) int {
	n := 0
	for _, e := range s.EventsUnsealed() {
		if e.Kind == session.KindOffer {
			n++
		}
	}
	return n
}

// BenchmarkSAO2p8x6: 2 parties, 8 points × 6 options (1.68M outcomes),
// 1000-round deadline. Goal ≥ 1M offers/s/core (NegMAS: 0.4 ms/step).
func BenchmarkSAO2p8x6(b *testing.B) { benchSAO(b, randomScenario(8, 6, 2, 1), 1000) }

// BenchmarkSAO4p20x3: 4 parties, 20 points × 3 options (3.5·10⁹ outcomes),
// 1000-round deadline. Goal ≥ 100k offers/s/core (NegMAS: 52 ms/step).
func BenchmarkSAO4p20x3(b *testing.B) { benchSAO(b, randomScenario(20, 3, 4, 1), 1000) }

// TestSubmitOwnsItsMoves: the log keeps what was submitted — the caller may
// reuse its package, refused moves between accepted ones leave no trace —
// across many moves (the session's move, offer and package storage grows in
// chunks), and the log replays.
func TestSubmitOwnsItsMoves(t *testing.T) {
	sc := randomScenario(3, 3, 2, 1)
	clock := func() time.Time { return time.Unix(0, 0) }
	s, err := session.New(sc, session.Config{Protocol: session.SAO, Rounds: 100}, clock, session.WithSaltSeed([32]byte{3}))
	if err != nil {
		t.Fatal(err)
	}
	var want [][]int
	pkg := make([]int, 3)
	for i := range 150 {
		mover := s.TurnParty()
		other := s.Config.Parties[0]
		if other == mover {
			other = s.Config.Parties[1]
		}
		pkg[0], pkg[1], pkg[2] = i%3, (i/3)%3, (i/9)%3
		if _, err := s.Submit(session.Move{Kind: session.KindOffer, Party: other, Package: pkg}); err == nil {
			t.Fatalf("move %d: an offer out of turn was accepted", i)
		}
		if _, err := s.Submit(session.Move{Kind: session.KindOffer, Party: mover, Package: pkg}); err != nil {
			t.Fatalf("move %d: %v", i, err)
		}
		want = append(want, slices.Clone(pkg))
		if c := s.State.Current; !slices.Equal(c.Package, pkg) || c.By != mover {
			t.Fatalf("move %d: the offer on the table is %+v, want %v by %s", i, c, pkg, mover)
		}
		pkg[0], pkg[1], pkg[2] = -1, -1, -1 // the caller reuses its package
	}
	var got [][]int
	for _, e := range s.Events() {
		if e.Move != nil {
			if e.Move.Party != e.Party || e.Move.Kind != session.KindOffer {
				t.Fatalf("event %d: move %+v of event by %s", e.Seq, e.Move, e.Party)
			}
			got = append(got, e.Move.Package)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("the log's offers are\n%v\nwant\n%v", got, want)
	}
	if _, err := session.Replay(sc, s.Events()); err != nil {
		t.Fatalf("the log does not replay: %v", err)
	}
}
