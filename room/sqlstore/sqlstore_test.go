package sqlstore

import (
	"database/sql"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/room/roomtest"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

func openSQLite(t testing.TB) *Store {
	t.Helper()
	s, err := OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "parley.db"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func openPostgres(t testing.TB) *Store {
	t.Helper()
	s, err := OpenPostgres(t.Context(), roomtest.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSQLiteConformance(t *testing.T) {
	roomtest.Run(t, func(t *testing.T) room.Store { return openSQLite(t) })
}

func TestPostgresConformance(t *testing.T) {
	roomtest.PostgresDSN(t) // skips early when PostgreSQL is not configured
	roomtest.Run(t, func(t *testing.T) room.Store { return openPostgres(t) })
}

func TestOpenChoosesByPrefix(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "by-path.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("Open(%q) made no SQLite file: %v", path, err)
	}
	for _, bad := range []string{"", ":memory:", "file:x.db?mode=memory", filepath.Join(t.TempDir(), "a?b")} {
		if s, err := Open(ctx, bad); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded, want an error", bad)
		}
	}
	if os.Getenv(roomtest.PostgresEnv) == "" {
		return
	}
	pg := roomtest.PostgresDSN(t)
	for _, prefix := range []string{"postgres://", "postgresql://"} {
		dsn := prefix + strings.TrimPrefix(strings.TrimPrefix(pg, "postgresql://"), "postgres://")
		s, err := Open(ctx, dsn)
		if err != nil {
			t.Fatalf("Open(%s…): %v", prefix, err)
		}
		if err := s.CreateUser(ctx, room.User{ID: prefix, Name: prefix, Created: time.Now()}); err != nil {
			t.Error(err)
		}
		s.Close()
	}
}

// TestSQLitePragmas checks that every pooled connection, not just the
// first, runs with the durability and locking settings.
func TestSQLitePragmas(t *testing.T) {
	ctx := t.Context()
	s := openSQLite(t)
	defer s.Close()
	var conns []*sql.Conn
	for range 3 {
		c, err := s.db.Conn(ctx) // held, so each is a distinct connection
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for i, c := range conns {
		for _, p := range []struct{ pragma, want string }{
			{"journal_mode", "wal"},
			{"synchronous", "2"}, // FULL
			{"foreign_keys", "1"},
			{"busy_timeout", "10000"},
		} {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+p.pragma).Scan(&got); err != nil {
				t.Fatalf("connection %d: PRAGMA %s: %v", i, p.pragma, err)
			}
			if got != p.want {
				t.Errorf("connection %d: %s = %s, want %s", i, p.pragma, got, p.want)
			}
		}
	}
	for _, c := range conns {
		c.Close()
	}
}

// TestSQLiteReopen checks that a store reopened on the same file sees
// everything the first one committed, and that migrating again is a no-op.
func TestSQLiteReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "parley.db")
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 5, 1, 9, 30, 0, 123456789, time.FixedZone("CEST", 2*3600))
	u := room.User{ID: "u1", Name: "ana", PasswordHash: "$argon2id$x", Created: created}
	l := room.Login{Token: "login-token", User: "u1", Expires: created.Add(time.Hour)}
	c := room.Class{ID: "c1", Owner: "u1", Title: "Spring", Deadline: created.AddDate(0, 1, 0), Created: created}
	n := room.Negotiation{ID: "n1", Owner: "u1", Title: "Ceasefire", Scenario: []byte(`{"x":1}`), Settings: []byte(`{}`), Class: "c1", Created: created}
	inv := room.Invite{ID: "i1", Negotiation: "n1", Party: "north", Person: "Ben", Token: "invite-token", Expires: created.Add(24 * time.Hour), Created: created}
	for _, err := range []error{
		s.CreateUser(ctx, u), s.CreateLogin(ctx, l), s.CreateClass(ctx, c),
		s.CreateNegotiation(ctx, n), s.CreateInvite(ctx, inv),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	log := sessionEvents(t)
	if err := s.AppendEvents(ctx, "n1", log); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = OpenSQLite(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if got, err := s.UserByName(ctx, "ana"); err != nil || got.ID != u.ID || !got.Created.Equal(created) || got.PasswordHash != u.PasswordHash {
		t.Errorf("user after reopen: %+v, %v", got, err)
	}
	if got, err := s.LoginByToken(ctx, l.Token); err != nil || got.User != "u1" || !got.Expires.Equal(l.Expires) {
		t.Errorf("login after reopen: %+v, %v", got, err)
	}
	if got, err := s.Class(ctx, "c1"); err != nil || !got.Deadline.Equal(c.Deadline) || got.Title != c.Title {
		t.Errorf("class after reopen: %+v, %v", got, err)
	}
	if got, err := s.NegotiationsOfClass(ctx, "c1"); err != nil || len(got) != 1 || string(got[0].Scenario) != `{"x":1}` {
		t.Errorf("negotiations after reopen: %+v, %v", got, err)
	}
	if got, err := s.Invites(ctx, "n1"); err != nil || len(got) != 1 || got[0].Person != "Ben" {
		t.Errorf("invites after reopen: %+v, %v", got, err)
	}
	got, err := s.Events(ctx, "n1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(log) {
		t.Fatalf("after reopen the log holds %d events, want %d", len(got), len(log))
	}
	if err := session.VerifyChain(got); err != nil {
		t.Errorf("after reopen: %v", err)
	}
	// Each event is stored as the engine's own encoding of it.
	rows, err := s.db.QueryContext(ctx, `SELECT data FROM events WHERE negotiation = $1 ORDER BY seq`, "n1")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for i := 0; rows.Next(); i++ {
		var data string
		if err := rows.Scan(&data); err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(&log[i])
		if err != nil {
			t.Fatal(err)
		}
		if data != string(want) {
			t.Errorf("event %d is stored as\n%s\nwant\n%s", i+1, data, want)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var versions int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM goose_db_version WHERE version_id > 0`).Scan(&versions); err != nil {
		t.Fatal(err)
	}
	if want := latestMigration(t); versions != want {
		t.Errorf("goose_db_version records %d applied migrations, want %d", versions, want)
	}
}

// sessionEvents returns the hash-chained log of a short session.
func sessionEvents(t testing.TB) []session.Event {
	t.Helper()
	sc, err := scenario.Builtin("tiny-2p")
	if err != nil {
		t.Fatal(err)
	}
	s, err := session.New(sc, session.Config{Protocol: session.SAO, Rounds: 6}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []session.Move{
		{Kind: session.KindOffer, Party: "north", Package: framework.Package{0, 1, 2}},
		{Kind: session.KindAccept, Party: "south"},
	} {
		if _, err := s.Submit(m); err != nil {
			t.Fatal(err)
		}
	}
	return s.Events()
}

// TestSQLiteTwoStoresOneFile checks that two stores (as two processes
// would) on one file migrate and append safely side by side.
func TestSQLiteTwoStoresOneFile(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "parley.db")
	stores := make([]*Store, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = OpenSQLite(ctx, path)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("store %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	a, b := stores[0], stores[1]
	if err := a.CreateUser(ctx, room.User{ID: "u1", Name: "ana", Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := b.CreateNegotiation(ctx, room.Negotiation{ID: "n1", Owner: "u1", Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	log := sessionEvents(t)
	if err := a.AppendEvents(ctx, "n1", log[:1]); err != nil {
		t.Fatal(err)
	}
	if err := b.AppendEvents(ctx, "n1", log[:1]); room.ErrorCode(err) != room.ECONFLICT {
		t.Errorf("second store appending event 1 again: %v, want %s", err, room.ECONFLICT)
	}
	if err := b.AppendEvents(ctx, "n1", log[1:]); err != nil {
		t.Fatal(err)
	}
	got, err := a.Events(ctx, "n1")
	if err != nil {
		t.Fatal(err)
	}
	if err := session.VerifyChain(got); err != nil || len(got) != len(log) {
		t.Errorf("log read through the first store: %d events, %v", len(got), err)
	}
}

// TestReferencesToMissingRecords checks the codes for records that name a
// user or negotiation that does not exist (the schema's foreign keys).
func TestReferencesToMissingRecords(t *testing.T) {
	run := func(t *testing.T, s *Store) {
		defer s.Close()
		ctx := t.Context()
		now := time.Now()
		for what, err := range map[string]error{
			"login":       s.CreateLogin(ctx, room.Login{Token: "t", User: "nobody", Expires: now}),
			"negotiation": s.CreateNegotiation(ctx, room.Negotiation{ID: "n", Owner: "nobody", Created: now}),
			"class":       s.CreateClass(ctx, room.Class{ID: "c", Owner: "nobody", Created: now}),
			"invite":      s.CreateInvite(ctx, room.Invite{ID: "i", Negotiation: "nowhere", Token: "t", Created: now}),
		} {
			if room.ErrorCode(err) != room.ENOTFOUND {
				t.Errorf("%s referring to a missing record: %v (code %q), want %s", what, err, room.ErrorCode(err), room.ENOTFOUND)
			}
		}
		err := s.CreateUser(ctx, room.User{ID: "u", Name: "far future", Created: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)})
		if room.ErrorCode(err) != room.EINVALID {
			t.Errorf("a user created in the year 10000: %v, want %s", err, room.EINVALID)
		}
	}
	t.Run("SQLite", func(t *testing.T) { run(t, openSQLite(t)) })
	t.Run("PostgreSQL", func(t *testing.T) { run(t, openPostgres(t)) })
}

// BenchmarkAppendEvent appends one event per transaction, as the room
// does for a move with no consequences.
func BenchmarkAppendEvent(b *testing.B) {
	b.Run("SQLite", func(b *testing.B) { benchmarkAppendEvent(b, openSQLite(b)) })
	b.Run("PostgreSQL", func(b *testing.B) { benchmarkAppendEvent(b, openPostgres(b)) })
}

func benchmarkAppendEvent(b *testing.B, s *Store) {
	defer s.Close()
	ctx := b.Context()
	if err := s.CreateUser(ctx, room.User{ID: "u1", Name: "ana", Created: time.Now()}); err != nil {
		b.Fatal(err)
	}
	if err := s.CreateNegotiation(ctx, room.Negotiation{ID: "n1", Owner: "u1", Created: time.Now()}); err != nil {
		b.Fatal(err)
	}
	e := session.Event{
		Round: 1, Time: time.Now(), Party: "north", Kind: session.KindOffer,
		Move: &session.Move{Kind: session.KindOffer, Party: "north", Package: framework.Package{0, 1, 2}},
		Prev: strings.Repeat("a", 64), Hash: strings.Repeat("b", 64),
	}
	for b.Loop() {
		e.Seq++
		if err := s.AppendEvents(ctx, "n1", []session.Event{e}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMigrationToVerifierSeats: a database at schema version 1 holding an
// invitation opens at version 2, and the invitation reads back as it was,
// for a party and no verifier.
func TestMigrationToVerifierSeats(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "v1.db")
	db := atVersion(t, goose.DialectSQLite3, "sqlite", path, 1)
	at, _ := formatTime(time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC))
	execAll(t, db,
		`INSERT INTO users (id, name, password_hash, created) VALUES ('u1', 'ana', 'x', '`+at+`')`,
		`INSERT INTO negotiations (id, owner, title, scenario, settings, class_id, created) VALUES ('n1', 'u1', 'T', x'7b7d', x'7b7d', '', '`+at+`')`,
		`INSERT INTO invites (token, negotiation, party, person, observer, expires, created) VALUES ('`+strings.Repeat("a", 64)+`', 'n1', 'north', 'Ana', 0, '`+at+`', '`+at+`')`,
	)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	inv, err := s.InviteByToken(ctx, strings.Repeat("a", 64))
	if err != nil {
		t.Fatal(err)
	}
	if inv.Party != "north" || inv.Person != "Ana" || inv.Verifier != "" || inv.Observer {
		t.Errorf("invitation after the migration: %+v", inv)
	}
}

// TestMigrationToSeats: a database at schema version 2 holding invitations
// — a party's, a verifier's, an observer's — opens at version 3 with them
// intact (and then at the latest version): the same records, issued by the owner, unused, unrevoked, each
// with an ID of its own; they still resolve by token, and the new columns
// work on them. On SQLite and on PostgreSQL.
func TestMigrationToSeats(t *testing.T) {
	run := func(t *testing.T, dialect goose.Dialect, driver, dsn string, open func() (*Store, error)) {
		ctx := t.Context()
		db := atVersion(t, dialect, driver, dsn, 2)
		created := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
		at, _ := formatTime(created)
		expires, _ := formatTime(created.Add(24 * time.Hour))
		want := []room.Invite{
			{Negotiation: "n1", Party: "ukraine", Person: "Delegate", Token: strings.Repeat("a", 64), Expires: created.Add(24 * time.Hour), Created: created},
			{Negotiation: "n1", Verifier: "monitors", Person: "Head of mission", Token: strings.Repeat("b", 64), Expires: created.Add(24 * time.Hour), Created: created},
			{Negotiation: "n1", Party: "ukraine", Observer: true, Person: "Adviser", Token: strings.Repeat("c", 64), Expires: created.Add(24 * time.Hour), Created: created},
		}
		execAll(t, db,
			`INSERT INTO users (id, name, password_hash, created) VALUES ('u1', 'ana', 'x', '`+at+`')`,
			`INSERT INTO negotiations (id, owner, title, scenario, settings, class_id, created) VALUES ('n1', 'u1', 'T', '{}', '{}', '', '`+at+`')`,
		)
		for _, inv := range want {
			observer := 0
			if inv.Observer {
				observer = 1
			}
			if _, err := db.ExecContext(ctx,
				`INSERT INTO invites (token, negotiation, party, person, observer, verifier, expires, created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
				inv.Token, inv.Negotiation, inv.Party, inv.Person, observer, inv.Verifier, expires, at); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		s, err := open()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		got, err := s.Invites(ctx, "n1")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%d invitations after the migration, want %d: %+v", len(got), len(want), got)
		}
		ids := map[string]bool{}
		for i, g := range got {
			w := want[i]
			w.ID = g.ID
			if !g.Expires.Equal(w.Expires) || !g.Created.Equal(w.Created) || !sameFields(g, w) {
				t.Errorf("invitation %d after the migration:\n got %+v\nwant %+v", i+1, g, w)
			}
			if g.ID == "" || ids[g.ID] || !strings.HasPrefix(g.Token, g.ID) {
				t.Errorf("invitation %d: ID %q (want one of its own, from its hash)", i+1, g.ID)
			}
			ids[g.ID] = true
			if by, err := s.InviteByToken(ctx, w.Token); err != nil || by.ID != g.ID {
				t.Errorf("invitation %d by token after the migration: %+v, %v", i+1, by, err)
			}
		}
		// The new columns work on the old rows.
		later := created.Add(time.Hour)
		if err := s.MarkInviteUsed(ctx, "n1", got[0].ID, later); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeInvites(ctx, "n1", []string{got[2].ID}, room.Revocation{At: later, By: "ukraine"}, nil); err != nil {
			t.Fatal(err)
		}
		after, err := s.Invites(ctx, "n1")
		if err != nil {
			t.Fatal(err)
		}
		if !after[0].Used.Equal(later) || !after[2].Revoked.Equal(later) || after[2].RevokedBy != "ukraine" || !after[1].Revoked.IsZero() {
			t.Errorf("after marking the migrated invitations: %+v", after)
		}
		var versions int
		if err := s.db.QueryRowContext(ctx, `SELECT MAX(version_id) FROM goose_db_version`).Scan(&versions); err != nil {
			t.Fatal(err)
		}
		if want := latestMigration(t); versions != want {
			t.Errorf("schema version %d after opening, want %d (the latest)", versions, want)
		}
	}
	t.Run("SQLite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "v2.db")
		run(t, goose.DialectSQLite3, "sqlite", path, func() (*Store, error) { return OpenSQLite(t.Context(), path) })
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		dsn := roomtest.PostgresDSN(t)
		run(t, goose.DialectPostgres, "pgx", dsn, func() (*Store, error) { return OpenPostgres(t.Context(), dsn) })
	})
}

// sameFields compares invitations but for their times.
func sameFields(a, b room.Invite) bool {
	a.Expires, a.Created, b.Expires, b.Created = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return a == b
}

// atVersion opens the database at dsn and migrates it up to version
// only, as an older parley left it, for the migration tests to fill.
func atVersion(t *testing.T, dialect goose.Dialect, driver, dsn string, version int64) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(dialect, db, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(t.Context(), version); err != nil {
		t.Fatal(err)
	}
	return db
}

// execAll runs each statement on db, failing the test on the first error.
func execAll(t *testing.T, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, q := range stmts {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}
