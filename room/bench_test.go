package room_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/room/sqlstore"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// The hot path of the room: Service.Submit, which validates a move, stores
// it (one SQLite transaction, fsynced) and publishes it. Not part of
// go test ./...; run with
//
//	go test -run '^$' -bench Submit -benchtime 3s ./room
//
// The parallel benchmarks report the latency of one Submit (p50-ms,
// p99-ms, max-ms) besides the throughput (ns/op is wall time per move).

// benchRoom is a service over a fresh SQLite store with n started Miami
// negotiations and, for each, the viewers of its principals.
type benchRoom struct {
	svc   *room.Service
	user  string
	negs  []string
	party []map[string]room.Viewer
}

func newBenchRoom(b *testing.B, n int) *benchRoom {
	b.Helper()
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	r := &benchRoom{svc: room.New(st, nil)}
	u, err := r.svc.CreateUser(ctx, "mediator", "correct horse")
	if err != nil {
		b.Fatal(err)
	}
	r.user = u.ID
	sc, err := scenario.Builtin("miami-2025")
	if err != nil {
		b.Fatal(err)
	}
	for range n {
		neg, err := r.svc.CreateNegotiation(ctx, r.user, "", sc, room.Settings{}, "")
		if err != nil {
			b.Fatal(err)
		}
		vs := map[string]room.Viewer{}
		for _, p := range []string{"russia", "ukraine", "europe"} {
			tok, _, err := r.svc.Invite(ctx, r.user, neg.ID, p, "", false, time.Hour)
			if err != nil {
				b.Fatal(err)
			}
			if vs[p], err = r.svc.Join(ctx, tok); err != nil {
				b.Fatal(err)
			}
		}
		if err := r.svc.Start(ctx, r.user, neg.ID); err != nil {
			b.Fatal(err)
		}
		r.negs = append(r.negs, neg.ID)
		r.party = append(r.party, vs)
	}
	return r
}

func message(i int) session.Move {
	return session.Move{Kind: session.KindMessage, Message: fmt.Sprintf("bench message %d", i), To: []string{"us"}}
}

// BenchmarkSubmitMessage: one goroutine, one negotiation, messages.
func BenchmarkSubmitMessage(b *testing.B) {
	r := newBenchRoom(b, 1)
	ctx := context.Background()
	v := r.party[0]["russia"]
	i := 0
	for b.Loop() {
		if _, err := r.svc.Submit(ctx, v, r.negs[0], message(i)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkSubmitRound: one goroutine, one negotiation, single-text rounds
// (a bracketed draft, then the three responses); ns/op is per move.
func BenchmarkSubmitRound(b *testing.B) {
	r := newBenchRoom(b, 1)
	ctx := context.Background()
	med := room.Viewer{User: r.user}
	parties := []string{"russia", "ukraine", "europe"}
	text := make([][]int, 20)
	for k := range text {
		text[k] = []int{0, 1}
	}
	i := 0
	for b.Loop() {
		var err error
		if i%4 == 0 {
			_, err = r.svc.Submit(ctx, med, r.negs[0], session.Move{Kind: session.KindDraft, Text: text})
		} else {
			p := parties[i%4-1]
			_, err = r.svc.Submit(ctx, r.party[0][p], r.negs[0], session.Move{Kind: session.KindRespond, Responses: []session.PointResponse{
				{Point: 0, Stance: session.StanceAccept, Option: 0},
				{Point: 1, Stance: session.StanceObject, Reason: "no"},
				{Point: 2, Stance: session.StancePropose, Option: 2},
			}})
		}
		if err != nil {
			b.Fatalf("move %d: %v", i, err)
		}
		i++
	}
}

// BenchmarkSubmitParallel: many goroutines submitting messages at once,
// each to a negotiation of its own (no contention on a negotiation's lock:
// only the store's), or all to one negotiation (sessions=1).
func BenchmarkSubmitParallel(b *testing.B) {
	for _, c := range []struct{ goroutines, sessions int }{{1, 1}, {8, 8}, {64, 64}, {256, 256}, {64, 1}} {
		b.Run(fmt.Sprintf("goroutines=%d/sessions=%d", c.goroutines, c.sessions), func(b *testing.B) {
			r := newBenchRoom(b, c.sessions)
			ctx := context.Background()
			var mu sync.Mutex
			var lat []time.Duration
			var next atomic.Int64
			var moves atomic.Int64
			b.ResetTimer()
			var wg sync.WaitGroup
			per := b.N / c.goroutines
			if per == 0 {
				per = 1
			}
			for range c.goroutines {
				wg.Go(func() {
					k := int(next.Add(1)-1) % c.sessions
					v := r.party[k]["russia"]
					mine := make([]time.Duration, 0, per)
					for i := range per {
						t0 := time.Now()
						if _, err := r.svc.Submit(ctx, v, r.negs[k], message(i)); err != nil {
							b.Error(err)
							return
						}
						mine = append(mine, time.Since(t0))
					}
					moves.Add(int64(per))
					mu.Lock()
					lat = append(lat, mine...)
					mu.Unlock()
				})
			}
			wg.Wait()
			b.StopTimer()
			if len(lat) == 0 {
				return
			}
			slices.Sort(lat)
			q := func(f float64) float64 {
				return float64(lat[min(int(f*float64(len(lat))), len(lat)-1)]) / 1e6
			}
			b.ReportMetric(q(0.50), "p50-ms")
			b.ReportMetric(q(0.99), "p99-ms")
			b.ReportMetric(float64(lat[len(lat)-1])/1e6, "max-ms")
			b.ReportMetric(float64(moves.Load())/b.Elapsed().Seconds(), "moves/s")
		})
	}
}
