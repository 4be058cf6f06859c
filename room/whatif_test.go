package room_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/room/sqlstore"
	"github.com/parley-negotiation/parley/scenario"
)

// wiRoom is a negotiation for the what-if tests: its service, owner (the
// mediator) and parties.
type wiRoom struct {
	ctx     context.Context
	svc     *room.Service
	user    string
	neg     string
	parties map[string]room.Viewer
}

func (f *wiRoom) mediator() room.Viewer { return room.Viewer{User: f.user} }

// openRoom opens a room on sc with its principals ids invited.
func openRoom(tb testing.TB, sc *scenario.Scenario, set room.Settings, ids ...string) *wiRoom {
	tb.Helper()
	f := &wiRoom{ctx: context.Background(), parties: map[string]room.Viewer{}}
	st, err := sqlstore.OpenSQLite(f.ctx, filepath.Join(tb.TempDir(), "room.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	f.svc = room.New(st, nil)
	u, err := f.svc.CreateUser(f.ctx, "mediator", "correct horse")
	if err != nil {
		tb.Fatal(err)
	}
	f.user = u.ID
	n, err := f.svc.CreateNegotiation(f.ctx, f.user, "", sc, set, "")
	if err != nil {
		tb.Fatal(err)
	}
	f.neg = n.ID
	for _, p := range ids {
		tok, _, err := f.svc.Invite(f.ctx, f.user, n.ID, p, "Delegate of "+p, false, time.Hour)
		if err != nil {
			tb.Fatal(err)
		}
		if f.parties[p], err = f.svc.Join(f.ctx, tok); err != nil {
			tb.Fatal(err)
		}
	}
	return f
}

// newTiny opens a tiny-2p room (the scenario file edited: each old→new
// replacement once) with north and south invited.
func newTiny(t *testing.T, set room.Settings, edits ...[2]string) *wiRoom {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "scenario", "builtin", "tiny-2p.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	for _, e := range edits {
		if strings.Count(text, e[0]) != 1 {
			t.Fatalf("edit %q: not exactly once in tiny-2p.yaml", e[0])
		}
		text = strings.Replace(text, e[0], e[1], 1)
	}
	sc, err := scenario.Parse("tiny-2p.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return openRoom(t, sc, set, "north", "south")
}

func num(v float64) *float64 { return &v }

// figures is a MediatorAnalysis as JSON without its what-if list.
func figures(t *testing.T, a *room.MediatorAnalysis) string {
	t.Helper()
	c := *a
	c.WhatIf = nil
	b, err := json.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestWhatIfEqualsEditedProfiles: the mediator's what-if gives, figure for
// figure, the analysis of a negotiation whose profiles are edited the same
// way, whatever the previous request changed (each request changes only
// the numbers that differ; a reservation value no longer set starts
// afresh), the last change of a number winning, and with none (the
// negotiation's own analysis).
func TestWhatIfEqualsEditedProfiles(t *testing.T) {
	full := room.Settings{MediatorSees: room.MediatorFull}
	f := newTiny(t, full)
	resNorth := room.WhatIfChange{Party: "north", Reservation: num(0.5)}
	resSouth := room.WhatIfChange{Party: "south", Reservation: num(0.2)}
	wNorth := room.WhatIfChange{Party: "north", Point: "buffer-km", Weight: num(0.6)}
	wSouth := room.WhatIfChange{Party: "south", Point: "monitors", Weight: num(0.2)}
	// North's reservation value is its fallback's utility (0.85): set
	// directly, it is as if it had no fallback.
	editNorthRes := [2]string{"reservation: 0.35\n      fallback: {monitors: joint-commission, buffer-km: 0, withdrawal-km: 5}\n", "reservation: 0.5\n"}
	editSouthRes := [2]string{"reservation: 0.3\n", "reservation: 0.2\n"}
	editNorth := [2]string{"weights: {monitors: 0.5, buffer-km: 0.2,", "weights_total: any\n      weights: {monitors: 0.5, buffer-km: 0.6,"}
	editSouth := [2]string{"weights: {monitors: 0.4,", "weights_total: any\n      weights: {monitors: 0.2,"}
	tests := []struct {
		name    string
		changes []room.WhatIfChange
		edits   [][2]string
	}{
		{"none", nil, nil},
		{"reservation", []room.WhatIfChange{resNorth}, [][2]string{editNorthRes}},
		{"then a weight (incremental)", []room.WhatIfChange{resNorth, wSouth}, [][2]string{editNorthRes, editSouth}},
		{"then a reservation (incremental)", []room.WhatIfChange{resNorth, wSouth, resSouth}, [][2]string{editNorthRes, editSouth, editSouthRes}},
		{"another weight instead (afresh: south's reservation no longer set)", []room.WhatIfChange{resNorth, wNorth}, [][2]string{editNorthRes, editNorth}},
		{"the same again", []room.WhatIfChange{resNorth, wNorth}, [][2]string{editNorthRes, editNorth}},
		{"a value moved, a weight back", []room.WhatIfChange{{Party: "north", Reservation: num(0.55)}}, [][2]string{{editNorthRes[0], "reservation: 0.55\n"}}},
		{"a reservation dropped (afresh)", []room.WhatIfChange{wSouth}, [][2]string{editSouth}},
		{"the last change of a number wins", []room.WhatIfChange{wSouth, {Party: "south", Point: "monitors", Weight: num(0.9)}, resSouth, wSouth, {Party: "south", Reservation: num(0.25)}}, [][2]string{editSouth, {"reservation: 0.3\n", "reservation: 0.25\n"}}},
		{"back to none", []room.WhatIfChange{}, nil},
	}
	distinct := map[string]bool{}
	for _, tt := range tests {
		got, err := f.svc.WhatIfAs(f.ctx, f.mediator(), f.neg, tt.changes)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(got.WhatIf) != len(tt.changes) {
			t.Errorf("%s: what_if lists %d changes, want %d", tt.name, len(got.WhatIf), len(tt.changes))
		}
		g := newTiny(t, full, tt.edits...)
		want, err := g.svc.Analysis(g.ctx, g.user, g.neg)
		if err != nil {
			t.Fatal(err)
		}
		gf, wf := figures(t, got), figures(t, want)
		if gf != wf {
			t.Errorf("%s: what-if differs from the edited negotiation's analysis:\n got %s\nwant %s", tt.name, gf, wf)
		}
		distinct[wf] = true
		t.Logf("%s: zone %v, %d suggestions", tt.name, got.ZoneSize, len(got.Suggestions))
	}
	if len(distinct) < 4 {
		t.Errorf("only %d distinct analyses among the cases: the changes do not change the figures", len(distinct))
	}
}

// TestWhatIfConfidential: a what-if starts from the parties' numbers: it
// is refused where the mediator sees aggregates only (saying nothing of
// the numbers), and to every party and stranger whatever the setting.
func TestWhatIfConfidential(t *testing.T) {
	changes := []room.WhatIfChange{{Party: "south", Reservation: num(0.3)}}
	t.Run("overlap", func(t *testing.T) {
		f := newTiny(t, room.Settings{MediatorSees: room.MediatorOverlap})
		_, err := f.svc.WhatIfAs(f.ctx, f.mediator(), f.neg, changes)
		if room.ErrorCode(err) != room.EFORBIDDEN {
			t.Fatalf("owner, mediator_sees overlap: %v, want %s", err, room.EFORBIDDEN)
		}
		for _, secret := range []string{"0.35", "0.3", "0.4", "0.5", "0.2", "0.85"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the refusal %q shows %s", err, secret)
			}
		}
		// A bad request is refused the same way: nothing is checked first.
		_, err = f.svc.WhatIfAs(f.ctx, f.mediator(), f.neg, []room.WhatIfChange{{Party: "nobody", Reservation: num(2)}})
		if room.ErrorCode(err) != room.EFORBIDDEN {
			t.Errorf("bad request, mediator_sees overlap: %v, want %s", err, room.EFORBIDDEN)
		}
	})
	t.Run("full", func(t *testing.T) {
		f := newTiny(t, room.Settings{MediatorSees: room.MediatorFull})
		for p, v := range f.parties {
			if a, err := f.svc.WhatIfAs(f.ctx, v, f.neg, changes); err == nil || a != nil {
				t.Errorf("party %s: %v, %v; want a refusal", p, a, err)
			}
		}
		for _, user := range []string{"", "someone-else"} {
			if a, err := f.svc.WhatIfAs(f.ctx, room.Viewer{User: user}, f.neg, changes); err == nil || a != nil {
				t.Errorf("user %q: %v, %v; want a refusal", user, a, err)
			}
		}
		a, err := f.svc.WhatIfAs(f.ctx, f.mediator(), f.neg, changes)
		if err != nil {
			t.Fatal(err)
		}
		if a.Access != room.MediatorFull || len(a.Parties) != 2 {
			t.Errorf("owner: access %q, parties %v", a.Access, a.Parties)
		}
	})
}

// TestWhatIfBounded: a what-if request is bounded and its ids known; each
// refusal says what is wrong.
func TestWhatIfBounded(t *testing.T) {
	f := newTiny(t, room.Settings{MediatorSees: room.MediatorFull})
	many := make([]room.WhatIfChange, room.MaxWhatIfChanges+1)
	for i := range many {
		many[i] = room.WhatIfChange{Party: "north", Reservation: num(0.5)}
	}
	tests := []struct {
		name    string
		changes []room.WhatIfChange
		want    string
	}{
		{"too many", many, "at most 20 changes, got 21"},
		{"no party", []room.WhatIfChange{{Reservation: num(0.5)}}, "change 1: no party"},
		{"neither", []room.WhatIfChange{{Party: "north"}}, "either a reservation or a weight"},
		{"both", []room.WhatIfChange{{Party: "north", Point: "monitors", Reservation: num(0.5), Weight: num(0.5)}}, "either a reservation or a weight"},
		{"reservation with a point", []room.WhatIfChange{{Party: "north", Point: "monitors", Reservation: num(0.5)}}, "leave the point out"},
		{"weight without its point", []room.WhatIfChange{{Party: "north", Weight: num(0.5)}}, "needs its point"},
		{"above 1", []room.WhatIfChange{{Party: "north", Reservation: num(1.5)}}, "value 1.5 is not in [0, 1]"},
		{"negative", []room.WhatIfChange{{Party: "north", Point: "monitors", Weight: num(-0.1)}}, "not in [0, 1]"},
		{"NaN", []room.WhatIfChange{{Party: "north", Reservation: num(math.NaN())}}, "not in [0, 1]"},
		{"unknown party", []room.WhatIfChange{{Party: "north", Reservation: num(0.4)}, {Party: "east", Reservation: num(0.5)}}, `change 2: "east" is not one of the analysed parties (north, south)`},
		{"unknown point", []room.WhatIfChange{{Party: "north", Point: "p99", Weight: num(0.5)}}, `change 1: no point "p99"`},
	}
	for _, tt := range tests {
		_, err := f.svc.WhatIfAs(f.ctx, f.mediator(), f.neg, tt.changes)
		if room.ErrorCode(err) != room.EINVALID || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %s with %q", tt.name, err, room.EINVALID, tt.want)
		}
	}
}

// BenchmarkWhatIfMiami: one what-if request on Miami (3 principals, 20
// points) through the room, each changing one number from the previous
// request (the analysis and the first what-if are computed before the
// timer starts).
func BenchmarkWhatIfMiami(b *testing.B) {
	for _, bc := range []struct {
		name string
		a, b room.WhatIfChange
	}{
		{"reservation", room.WhatIfChange{Party: "russia", Reservation: num(0.5)}, room.WhatIfChange{Party: "russia", Reservation: num(0.55)}},
		{"weight", room.WhatIfChange{Party: "ukraine", Point: "p03-security-guarantees", Weight: num(0.2)}, room.WhatIfChange{Party: "ukraine", Point: "p03-security-guarantees", Weight: num(0.25)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			sc, err := scenario.Builtin("miami-2025")
			if err != nil {
				b.Fatal(err)
			}
			f := openRoom(b, sc, room.Settings{MediatorSees: room.MediatorFull})
			start := time.Now()
			if _, err := f.svc.Analysis(f.ctx, f.user, f.neg); err != nil {
				b.Fatal(err)
			}
			analysed := time.Since(start)
			start = time.Now()
			if _, err := f.svc.WhatIfAs(f.ctx, f.mediator(), f.neg, []room.WhatIfChange{bc.a}); err != nil {
				b.Fatal(err)
			}
			b.Logf("analysis %v, first what-if (state built) %v", analysed, time.Since(start))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c := bc.b
				if i%2 == 1 {
					c = bc.a
				}
				if _, err := f.svc.WhatIfAs(f.ctx, f.mediator(), f.neg, []room.WhatIfChange{c}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestWhatIfConcurrent: what-ifs asked at once (one state per scenario,
// serving one request at a time) each get the figures of their own
// changes.
func TestWhatIfConcurrent(t *testing.T) {
	f := newTiny(t, room.Settings{MediatorSees: room.MediatorFull})
	sets := [][]room.WhatIfChange{
		{{Party: "north", Reservation: num(0.5)}},
		{{Party: "north", Reservation: num(0.5)}, {Party: "south", Point: "monitors", Weight: num(0.2)}},
		{{Party: "south", Point: "buffer-km", Weight: num(0.9)}},
		nil,
	}
	want := make([]string, len(sets))
	for i, cs := range sets {
		a, err := f.svc.WhatIfAs(f.ctx, f.mediator(), f.neg, cs)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = figures(t, a)
	}
	var wg sync.WaitGroup
	got := make([]string, 4*len(sets))
	errs := make([]error, len(got))
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := f.svc.WhatIfAs(f.ctx, f.mediator(), f.neg, sets[i%len(sets)])
			if errs[i] = err; err == nil {
				got[i] = figures(t, a)
			}
		}()
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil {
			t.Errorf("request %d: %v", i, errs[i])
		} else if got[i] != want[i%len(sets)] {
			t.Errorf("request %d (changes %d): other figures than asked alone", i, i%len(sets))
		}
	}
}
