package sqlstore

import (
	"testing"
	"time"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/room/roomtest"
	"github.com/parley-negotiation/parley/session"
)

// TestShuttleStoreSQLite and TestShuttleStorePostgres: a shuttle round
// trips (its scenario and settings byte for byte, times exactly), lists
// oldest first per owner, and its deletion removes its tables with their
// invitations and logs while another shuttle's table, a class's room and
// a negotiation of neither stay.
func TestShuttleStoreSQLite(t *testing.T) { testShuttleStore(t, openSQLite(t)) }

func TestShuttleStorePostgres(t *testing.T) {
	roomtest.PostgresDSN(t) // skips early when PostgreSQL is not configured
	testShuttleStore(t, openPostgres(t))
}

func testShuttleStore(t *testing.T, s *Store) {
	defer s.Close()
	ctx := t.Context()
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	created := time.Date(2026, 12, 7, 23, 1, 2, 123456789, time.UTC)
	for _, u := range []string{"u1", "u2"} {
		must(s.CreateUser(ctx, room.User{ID: u, Name: u, PasswordHash: "x", Role: room.RoleMediator, Created: created}), "CreateUser")
	}
	sh := room.Shuttle{ID: "s1", Owner: "u1", Title: "Miami — shuttle", Created: created,
		Scenario: []byte("multideal: 1\nname: miami-shuttle\n"), Settings: []byte(`{"protocol":"single-text","mediator_sees":"overlap"}`)}
	must(s.CreateShuttle(ctx, sh), "CreateShuttle")
	if err := s.CreateShuttle(ctx, sh); room.ErrorCode(err) != room.ECONFLICT {
		t.Errorf("the same id again: %v, want ECONFLICT", err)
	}
	if err := s.CreateShuttle(ctx, room.Shuttle{ID: "s9", Owner: "nobody", Created: created}); room.ErrorCode(err) != room.ENOTFOUND {
		t.Errorf("an owner that does not exist: %v, want ENOTFOUND", err)
	}
	got, err := s.Shuttle(ctx, "s1")
	must(err, "Shuttle")
	if got.ID != sh.ID || got.Owner != sh.Owner || got.Title != sh.Title || !got.Created.Equal(created) || !got.Archived.IsZero() ||
		string(got.Scenario) != string(sh.Scenario) || string(got.Settings) != string(sh.Settings) {
		t.Errorf("Shuttle(s1) = %+v, want %+v", got, sh)
	}
	if _, err := s.Shuttle(ctx, "nope"); room.ErrorCode(err) != room.ENOTFOUND {
		t.Errorf("Shuttle(nope): %v, want ENOTFOUND", err)
	}
	must(s.CreateShuttle(ctx, room.Shuttle{ID: "s0", Owner: "u1", Title: "later", Created: created.Add(time.Minute), Scenario: []byte("x"), Settings: []byte("{}")}), "CreateShuttle s0")
	must(s.CreateShuttle(ctx, room.Shuttle{ID: "s2", Owner: "u2", Title: "theirs", Created: created, Scenario: []byte("x"), Settings: []byte("{}")}), "CreateShuttle s2")
	list, err := s.Shuttles(ctx, "u1")
	must(err, "Shuttles")
	if len(list) != 2 || list[0].ID != "s1" || list[1].ID != "s0" {
		t.Errorf("Shuttles(u1) = %+v, want s1 then s0", list)
	}
	must(s.CreateClass(ctx, room.Class{ID: "c1", Owner: "u1", Title: "class", Created: created}), "CreateClass")
	for _, n := range []struct{ id, class string }{{"t1", "s1"}, {"t2", "s1"}, {"t3", "s0"}, {"r1", "c1"}, {"n1", ""}} {
		must(s.CreateNegotiation(ctx, room.Negotiation{ID: n.id, Owner: "u1", Title: n.id, Scenario: []byte("{}"), Settings: []byte("{}"), Class: n.class, Created: created}), "CreateNegotiation")
		must(s.CreateInvite(ctx, room.Invite{ID: "i1", Negotiation: n.id, Party: "north", Token: n.id + "-token", Expires: created.Add(time.Hour), Created: created}), "CreateInvite")
		must(s.AppendEvents(ctx, n.id, []session.Event{{Seq: 1, Kind: session.KindMessage, Time: created, Party: "north"}}), "AppendEvents")
	}
	tables, err := s.NegotiationsOfClass(ctx, "s1")
	must(err, "NegotiationsOfClass")
	if len(tables) != 2 || tables[0].ID != "t1" {
		t.Errorf("tables of s1: %+v", tables)
	}
	if err := s.DeleteShuttle(ctx, ""); room.ErrorCode(err) != room.ENOTFOUND {
		t.Errorf("DeleteShuttle(\"\"): %v, want ENOTFOUND (and the negotiations of no class kept)", err)
	}
	must(s.DeleteShuttle(ctx, "s1"), "DeleteShuttle")
	if err := s.DeleteShuttle(ctx, "s1"); room.ErrorCode(err) != room.ENOTFOUND {
		t.Errorf("DeleteShuttle twice: %v, want ENOTFOUND", err)
	}
	if _, err := s.Shuttle(ctx, "s1"); room.ErrorCode(err) != room.ENOTFOUND {
		t.Errorf("Shuttle after the deletion: %v", err)
	}
	for _, id := range []string{"t1", "t2"} {
		if _, err := s.Negotiation(ctx, id); room.ErrorCode(err) != room.ENOTFOUND {
			t.Errorf("table %s after the deletion: %v", id, err)
		}
		if _, err := s.InviteByToken(ctx, id+"-token"); room.ErrorCode(err) != room.ENOTFOUND {
			t.Errorf("table %s's invitation after the deletion: %v", id, err)
		}
		if evs, err := s.Events(ctx, id); err != nil || len(evs) != 0 {
			t.Errorf("table %s's log after the deletion: %d events, %v", id, len(evs), err)
		}
	}
	for _, id := range []string{"t3", "r1", "n1"} {
		if _, err := s.Negotiation(ctx, id); err != nil {
			t.Errorf("%s was not the shuttle's, yet: %v", id, err)
		}
		if evs, err := s.Events(ctx, id); err != nil || len(evs) != 1 {
			t.Errorf("%s's log: %d events, %v", id, len(evs), err)
		}
	}
}
