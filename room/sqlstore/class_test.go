package sqlstore

import (
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/room/roomtest"
	"github.com/parley-negotiation/parley/session"
)

// latestMigration is the number of the embedded migrations (numbered 1
// to n without gaps).
func latestMigration(t *testing.T) int {
	t.Helper()
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("embedded migrations: %v, %v", names, err)
	}
	return len(names)
}

// TestClassArchiveDelete: a database at schema version 4 holding a class
// opens at version 5 with the class not archived; the class is archived,
// restored, and deleted with its rooms, their invitations and logs, while
// another class's room and a negotiation of no class are kept. On SQLite
// and on PostgreSQL.
func TestClassArchiveDelete(t *testing.T) {
	run := func(t *testing.T, dialect goose.Dialect, driver, dsn string, open func() (*Store, error)) {
		ctx := t.Context()
		db := atVersion(t, dialect, driver, dsn, 4)
		created := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
		at, _ := formatTime(created)
		none, _ := formatTime(time.Time{})
		execAll(t, db,
			`INSERT INTO users (id, name, password_hash, created) VALUES ('u1', 'ana', 'x', '`+at+`')`,
			`INSERT INTO classes (id, owner, title, deadline, created) VALUES ('c1', 'u1', 'Week 3', '`+none+`', '`+at+`')`,
		)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		s, err := open()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		c, err := s.Class(ctx, "c1")
		if err != nil || !c.Archived.IsZero() || c.Title != "Week 3" {
			t.Fatalf("class after the migration: %+v, %v (want it, not archived)", c, err)
		}
		must := func(err error, what string) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		}
		if len(c.Scenario) != 0 || len(c.Settings) != 0 {
			t.Errorf("class of version 4: scenario %q, settings %q; want none", c.Scenario, c.Settings)
		}
		c2 := room.Class{ID: "c2", Owner: "u1", Title: "Week 4", Created: created, Scenario: []byte(`{"name":"x"}`), Settings: []byte(`{"protocol":"single-text"}`)}
		must(s.CreateClass(ctx, c2), "CreateClass")
		if got, err := s.Class(ctx, "c2"); err != nil || string(got.Scenario) != string(c2.Scenario) || string(got.Settings) != string(c2.Settings) {
			t.Errorf("Class(c2) = %+v, %v; want its scenario and settings back", got, err)
		}
		for _, n := range []struct{ id, class string }{{"n1", "c1"}, {"n2", "c1"}, {"n3", "c2"}, {"n4", ""}} {
			must(s.CreateNegotiation(ctx, room.Negotiation{ID: n.id, Owner: "u1", Title: n.id, Scenario: []byte("{}"), Settings: []byte("{}"), Class: n.class, Created: created}), "CreateNegotiation")
			must(s.CreateInvite(ctx, room.Invite{ID: "i1", Negotiation: n.id, Party: "north", Token: n.id + "-token", Expires: created.Add(time.Hour), Created: created}), "CreateInvite")
			must(s.AppendEvents(ctx, n.id, []session.Event{{Seq: 1, Kind: session.KindMessage, Time: created, Party: "north"}}), "AppendEvents")
		}

		later := created.Add(time.Hour)
		must(s.ArchiveClass(ctx, "c1", later), "ArchiveClass")
		if c, _ := s.Class(ctx, "c1"); !c.Archived.Equal(later) {
			t.Errorf("archived class: Archived = %v, want %v", c.Archived, later)
		}
		list, err := s.Classes(ctx, "u1")
		if err != nil || len(list) != 2 || !list[0].Archived.Equal(later) || !list[1].Archived.IsZero() {
			t.Errorf("Classes = %+v, %v; want c1 archived, c2 not", list, err)
		}
		must(s.ArchiveClass(ctx, "c1", time.Time{}), "restore")
		if c, _ := s.Class(ctx, "c1"); !c.Archived.IsZero() {
			t.Errorf("restored class: Archived = %v, want zero", c.Archived)
		}
		if err := s.ArchiveClass(ctx, "missing", later); room.ErrorCode(err) != room.ENOTFOUND {
			t.Errorf("ArchiveClass(missing) = %v, want ENOTFOUND", err)
		}

		must(s.DeleteClass(ctx, "c1"), "DeleteClass")
		if _, err := s.Class(ctx, "c1"); room.ErrorCode(err) != room.ENOTFOUND {
			t.Errorf("Class after its deletion: %v, want ENOTFOUND", err)
		}
		for _, id := range []string{"n1", "n2"} {
			if _, err := s.Negotiation(ctx, id); room.ErrorCode(err) != room.ENOTFOUND {
				t.Errorf("room %s of the deleted class: %v, want ENOTFOUND", id, err)
			}
			if _, err := s.InviteByToken(ctx, id+"-token"); room.ErrorCode(err) != room.ENOTFOUND {
				t.Errorf("invitation of room %s: %v, want ENOTFOUND", id, err)
			}
			if ev, err := s.Events(ctx, id); err != nil || len(ev) != 0 {
				t.Errorf("log of room %s: %d events, %v; want none", id, len(ev), err)
			}
		}
		for _, id := range []string{"n3", "n4"} {
			if _, err := s.Negotiation(ctx, id); err != nil {
				t.Errorf("negotiation %s (not of the class) after the deletion: %v", id, err)
			}
			if ev, err := s.Events(ctx, id); err != nil || len(ev) != 1 {
				t.Errorf("log of %s: %d events, %v; want 1", id, len(ev), err)
			}
		}
		if err := s.DeleteClass(ctx, "c1"); room.ErrorCode(err) != room.ENOTFOUND {
			t.Errorf("DeleteClass again = %v, want ENOTFOUND", err)
		}
	}
	t.Run("SQLite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "v4.db")
		run(t, goose.DialectSQLite3, "sqlite", path, func() (*Store, error) { return OpenSQLite(t.Context(), path) })
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		dsn := roomtest.PostgresDSN(t)
		run(t, goose.DialectPostgres, "pgx", dsn, func() (*Store, error) { return OpenPostgres(t.Context(), dsn) })
	})
}
