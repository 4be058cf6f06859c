package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/parley-negotiation/parley/room"
)

// migrations holds the schema, one goose SQL file per version, the same
// files for both databases.
//
//go:embed migrations/*.sql
var migrations embed.FS

// sqliteOptions is the one place the SQLite connection settings live. They
// go in the DSN so that the driver applies them to every connection the
// pool opens, not just the first:
//
//   - busy_timeout: wait up to 10 s for another connection's write lock
//     instead of failing with SQLITE_BUSY;
//   - foreign_keys: SQLite enforces REFERENCES only when this is on;
//   - journal_mode WAL: readers do not block the writer nor it them;
//   - synchronous FULL: a commit is on disk (the WAL fsynced) when it
//     returns, which the room relies on before it acknowledges a move;
//   - _txlock=immediate: transactions take the write lock when they begin,
//     so a read-then-write transaction (AppendEvents) never fails half-way
//     because another writer got in between; it waits its turn;
//   - secure_delete: deleted content is overwritten with zeros, so that a
//     deleted negotiation's private data does not linger in free space
//     (docs/security.md, retention).
const sqliteOptions = "_pragma=busy_timeout(10000)" +
	"&_pragma=foreign_keys(ON)" +
	"&_pragma=journal_mode(WAL)" +
	"&_pragma=synchronous(FULL)" +
	"&_pragma=secure_delete(ON)" +
	"&_txlock=immediate"

// Store is a room.Store over a SQL database. It is safe for concurrent use.
type Store struct {
	db *sql.DB
	// writes serialises the log appends of this process on SQLite, which
	// has one writer at a time: waiting on a Go mutex is fair and cheap,
	// where SQLite's busy handler sleeps and retries (and, under load,
	// times out with "database is locked"). nil on PostgreSQL.
	writes *sync.Mutex
}

// Connection pool sizes: enough for the concurrency of a server, bounded
// so that load cannot exhaust file descriptors or PostgreSQL's
// max_connections, and kept idle so requests do not reopen connections.
const (
	sqlitePool   = 16
	postgresPool = 32
)

var _ room.Store = (*Store)(nil)

// Open opens a store: a PostgreSQL database when dsn is a postgres:// or
// postgresql:// URL, otherwise a SQLite file at the path dsn.
func Open(ctx context.Context, dsn string) (*Store, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return OpenPostgres(ctx, dsn)
	}
	return OpenSQLite(ctx, dsn)
}

// OpenSQLite opens the SQLite database file at path, creating it if it does
// not exist, and brings its schema up to date.
func OpenSQLite(ctx context.Context, path string) (*Store, error) {
	switch {
	case path == "":
		return nil, errors.New("sqlstore: empty SQLite path")
	case strings.HasPrefix(path, ":memory:") || strings.HasPrefix(path, "file:"):
		return nil, fmt.Errorf("sqlstore: SQLite path %q: want a plain file path (no :memory:, no file: URI)", path)
	case strings.Contains(path, "?"):
		return nil, fmt.Errorf("sqlstore: SQLite path %q: a path may not contain '?'", path)
	}
	db, err := sql.Open("sqlite", path+"?"+sqliteOptions)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open SQLite %s: %w", path, err)
	}
	// Two processes opening a new file at once: switching it to WAL needs
	// the file to itself, and SQLite reports SQLITE_BUSY for that without
	// waiting out the busy timeout. Once it is in WAL mode (which lasts),
	// the pragma is a no-op; so try again for a while.
	err = retry(ctx, 200, func() error { return db.PingContext(ctx) }, isBusy)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlstore: open SQLite %s: %w", path, err)
	}
	// goose has no migration lock for SQLite, so two processes migrating
	// the same file at once may both decide to apply a migration. Each
	// runs in a transaction, so the loser's rolls back; run again, it
	// finds the migration applied. A migration that really fails fails
	// every time.
	err = retry(ctx, 5, func() error { return migrate(ctx, db, goose.DialectSQLite3) }, func(error) bool { return true })
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlstore: SQLite %s: %w", path, err)
	}
	db.SetMaxOpenConns(sqlitePool)
	db.SetMaxIdleConns(sqlitePool)
	return &Store{db: db, writes: new(sync.Mutex)}, nil
}

// retry calls f until it succeeds, fails with an error again does not
// accept, or has been called tries times, pausing 50 ms between calls.
func retry(ctx context.Context, tries int, f func() error, again func(error) bool) error {
	const pause = 50 * time.Millisecond
	for i := 1; ; i++ {
		err := f()
		if err == nil || !again(err) || i == tries {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

// OpenPostgres opens the PostgreSQL database at url (postgres://user:
// password@host:port/dbname?sslmode=…; other query parameters such as
// search_path are sent as session settings) and brings its schema up to
// date.
func OpenPostgres(ctx context.Context, url string) (*Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open PostgreSQL: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlstore: open PostgreSQL: %w", err)
	}
	if err := migrate(ctx, db, goose.DialectPostgres); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlstore: PostgreSQL: %w", err)
	}
	db.SetMaxOpenConns(postgresPool)
	db.SetMaxIdleConns(postgresPool)
	return &Store{db: db}, nil
}

// migrate applies the migrations not yet applied. On PostgreSQL it holds
// an advisory lock while it does, so that servers starting together do not
// migrate at once; the lock is per database and schema, so stores in
// different schemas (tests) do not wait for each other. On SQLite the
// IMMEDIATE transactions goose runs each migration in serialise it.
func migrate(ctx context.Context, db *sql.DB, dialect goose.Dialect) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if dialect == goose.DialectPostgres {
		var where string
		if err := db.QueryRowContext(ctx, `SELECT current_database() || '.' || COALESCE(current_schema(), '')`).Scan(&where); err != nil {
			return fmt.Errorf("migrations: find the current schema: %w", err)
		}
		if strings.HasSuffix(where, ".") {
			return errors.New("migrations: no schema to create tables in (does the search_path name an existing schema?)")
		}
		h := fnv.New64a()
		h.Write([]byte("parley " + where))
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64())), lock.WithLockTimeout(1, 300))
		if err != nil {
			return fmt.Errorf("migrations: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, db, fsys, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return nil
}

// Close releases the database connections.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("sqlstore: close: %w", err)
	}
	return nil
}

// violation is the kind of constraint a failed statement broke.
type violation int

const (
	noViolation violation = iota
	uniqueViolation
	foreignKeyViolation
)

// violated reports which constraint, if any, err says was broken, for
// either driver.
func violated(err error) violation {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return uniqueViolation
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return foreignKeyViolation
		}
		return noViolation
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return uniqueViolation
		case "23503": // foreign_key_violation
			return foreignKeyViolation
		}
	}
	return noViolation
}

// coded returns a room error with code and message that keeps err as its
// cause.
func coded(code string, err error, format string, args ...any) error {
	return &room.Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// timeLayout is how times are stored: always UTC, always nine fractional
// digits, so equal-length strings whose order is the order of the times.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func formatTime(t time.Time) (string, error) {
	t = t.UTC()
	if y := t.Year(); y < 0 || y > 9999 {
		return "", room.Errorf(room.EINVALID, "time %s is out of range (years 0 to 9999)", t.Format(time.RFC3339))
	}
	return t.Format(timeLayout), nil
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

// formatOptTime formats a time that may be unset: the zero time is "".
func formatOptTime(t time.Time) (string, error) {
	if t.IsZero() {
		return "", nil
	}
	return formatTime(t)
}

// parseOptTime parses a time that may be unset ("": the zero time).
func parseOptTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return parseTime(s)
}

// formatOptTimes formats several times that may be unset.
func formatOptTimes(ts ...time.Time) ([]string, error) {
	out := make([]string, len(ts))
	for i, t := range ts {
		var err error
		if out[i], err = formatOptTime(t); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// formatTimes formats several times, stopping at the first error.
func formatTimes(ts ...time.Time) ([]string, error) {
	out := make([]string, len(ts))
	for i, t := range ts {
		var err error
		if out[i], err = formatTime(t); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// nonNil returns b, or an empty slice for nil: the byte columns are NOT
// NULL, and drivers send a nil slice as NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}
