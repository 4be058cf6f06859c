package sqlstore

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/room/roomtest"
)

// TestMigrationToReadiness: a database at schema version 3 opens at
// version 4 with its negotiations not archived and its invitations never
// seen; both new columns then work on the old rows. On SQLite and on
// PostgreSQL.
func TestMigrationToReadiness(t *testing.T) {
	run := func(t *testing.T, dialect goose.Dialect, driver, dsn string, open func() (*Store, error)) {
		ctx := t.Context()
		db := atVersion(t, dialect, driver, dsn, 3)
		created := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
		at, _ := formatTime(created)
		expires, _ := formatTime(created.Add(24 * time.Hour))
		execAll(t, db,
			`INSERT INTO users (id, name, password_hash, created) VALUES ('u1', 'ana', 'x', '`+at+`')`,
			`INSERT INTO negotiations (id, owner, title, scenario, settings, class_id, created) VALUES ('n1', 'u1', 'T', '{}', '{}', '', '`+at+`')`,
			`INSERT INTO invites (token, negotiation, party, person, observer, verifier, expires, created, id, used) VALUES ('`+
				strings.Repeat("a", 64)+`', 'n1', 'north', 'Ana', 0, '', '`+expires+`', '`+at+`', 'i1', '`+at+`')`,
		)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		s, err := open()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		n, err := s.Negotiation(ctx, "n1")
		if err != nil || !n.Archived.IsZero() {
			t.Fatalf("negotiation after the migration: %+v, %v (want it not archived)", n, err)
		}
		inv, err := s.InviteByToken(ctx, strings.Repeat("a", 64))
		if err != nil || !inv.Seen.IsZero() || !inv.Used.Equal(created) {
			t.Fatalf("invitation after the migration: %+v, %v (want it used, never seen)", inv, err)
		}
		later := created.Add(time.Hour)
		if err := s.MarkInviteSeen(ctx, "n1", "i1", later); err != nil {
			t.Fatal(err)
		}
		if err := s.ArchiveNegotiation(ctx, "n1", later); err != nil {
			t.Fatal(err)
		}
		n, _ = s.Negotiation(ctx, "n1")
		inv, _ = s.InviteByToken(ctx, strings.Repeat("a", 64))
		if !n.Archived.Equal(later) || !inv.Seen.Equal(later) {
			t.Errorf("after marking: archived %v, seen %v; want %v", n.Archived, inv.Seen, later)
		}
		if err := s.DeleteNegotiation(ctx, "n1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Negotiation(ctx, "n1"); room.ErrorCode(err) != room.ENOTFOUND {
			t.Errorf("after the deletion: %v, want ENOTFOUND", err)
		}
	}
	t.Run("SQLite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "v3.db")
		run(t, goose.DialectSQLite3, "sqlite", path, func() (*Store, error) { return OpenSQLite(t.Context(), path) })
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		dsn := roomtest.PostgresDSN(t)
		run(t, goose.DialectPostgres, "pgx", dsn, func() (*Store, error) { return OpenPostgres(t.Context(), dsn) })
	})
}
