package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Backups of SQLite databases: a consistent copy taken while a server
// writes to the database (VACUUM INTO reads one snapshot), and a restore
// that puts a copy in place. PostgreSQL has pg_dump and pg_restore
// (docs/storage.md#backups).

// ErrPostgres is the error of Backup and Restore on a PostgreSQL URL.
var ErrPostgres = errors.New("PostgreSQL databases are backed up with pg_dump and restored with pg_restore (docs/storage.md#backups)")

// Backup writes a consistent copy of the SQLite database at src to the
// file dst, atomically: to a new file beside dst, synced, then renamed over
// it. It may run while servers read and write src: the copy is one
// snapshot, every transaction committed before it began and none after.
// The copy is compact (no free space, deleted data gone) and needs no WAL.
func Backup(ctx context.Context, src, dst string) (int64, error) {
	if isPostgresDSN(src) {
		return 0, ErrPostgres
	}
	if _, err := os.Stat(src); err != nil {
		return 0, fmt.Errorf("sqlstore: backup: %w", err)
	}
	if strings.Contains(src, "?") {
		return 0, fmt.Errorf("sqlstore: SQLite path %q: a path may not contain '?'", src)
	}
	db, err := sql.Open("sqlite", src+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return 0, fmt.Errorf("sqlstore: backup: open %s: %w", src, err)
	}
	defer db.Close()
	tmp, err := tempBeside(dst)
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp) // a no-op after the rename
	if _, err := db.ExecContext(ctx, `VACUUM INTO $1`, tmp); err != nil {
		return 0, fmt.Errorf("sqlstore: backup %s: %w", src, err)
	}
	n, err := syncRename(tmp, dst)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: backup: %w", err)
	}
	return n, nil
}

// Restore puts the SQLite database file src in place at dst: checked (an
// integrity check, and a parley schema), copied beside dst, synced and
// renamed over it; dst's WAL goes. A dst that holds accounts or
// negotiations is not overwritten unless force. No server may have dst
// open meanwhile. Open dst afterwards to bring its schema up to date.
func Restore(ctx context.Context, src, dst string, force bool) error {
	if isPostgresDSN(dst) {
		return ErrPostgres
	}
	if err := checkCopy(ctx, src); err != nil {
		return err
	}
	if !force {
		used, err := inUse(ctx, dst)
		if err != nil {
			return err
		}
		if used {
			return errors.Join(ErrNotEmpty, fmt.Errorf("%s holds accounts or negotiations", dst))
		}
	}
	tmp, err := tempBeside(dst)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := copyFile(src, tmp); err != nil {
		return fmt.Errorf("sqlstore: restore: %w", err)
	}
	// The old database's WAL and shared memory would be read as the new
	// one's: they go first.
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(dst + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("sqlstore: restore: %w", err)
		}
	}
	if _, err := syncRename(tmp, dst); err != nil {
		return fmt.Errorf("sqlstore: restore: %w", err)
	}
	return nil
}

// ErrNotEmpty is Restore's error for a destination that holds data.
var ErrNotEmpty = errors.New("the database is not empty")

// checkCopy checks that path is a sound SQLite database with parley's
// schema.
func checkCopy(ctx context.Context, path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("sqlstore: restore: %w", err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("sqlstore: restore: %s is not a file", path)
	}
	if strings.Contains(path, "?") {
		return fmt.Errorf("sqlstore: SQLite path %q: a path may not contain '?'", path)
	}
	db, err := sql.Open("sqlite", path+"?_pragma=query_only(1)")
	if err != nil {
		return fmt.Errorf("sqlstore: restore: open %s: %w", path, err)
	}
	defer db.Close()
	var ok string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check(1)`).Scan(&ok); err != nil {
		return fmt.Errorf("sqlstore: restore: %s is not a SQLite database: %w", path, err)
	}
	if ok != "ok" {
		return fmt.Errorf("sqlstore: restore: %s is damaged: %s", path, ok)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('users', 'negotiations', 'events')`).Scan(&n); err != nil || n != 3 {
		return fmt.Errorf("sqlstore: restore: %s is not a parley database (no users, negotiations and events tables)", path)
	}
	return nil
}

// inUse reports whether the SQLite file at path holds accounts or
// negotiations (false when it is not there or empty).
func inUse(ctx context.Context, path string) (bool, error) {
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) || err == nil && st.Size() == 0 {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sqlstore: restore: %w", err)
	}
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return false, fmt.Errorf("sqlstore: restore: open %s: %w", path, err)
	}
	defer db.Close()
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('users', 'negotiations')`).Scan(&tables); err != nil {
		return true, nil // not a database we know: do not overwrite it unasked
	}
	if tables < 2 {
		return tables > 0, nil
	}
	var rows int
	if err := db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM negotiations)`).Scan(&rows); err != nil {
		return false, fmt.Errorf("sqlstore: restore: %s: %w", path, err)
	}
	return rows > 0, nil
}

// tempBeside returns the name of a file that does not exist, in dst's
// folder (so that a rename moves it over dst).
func tempBeside(dst string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-")
	if err != nil {
		return "", err
	}
	name := f.Name()
	f.Close()
	if err := os.Remove(name); err != nil {
		return "", err
	}
	return name, nil
}

// syncRename syncs the file tmp, renames it to dst and syncs dst's folder;
// it returns the file's size.
func syncRename(tmp, dst string) (int64, error) {
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return 0, err
	}
	st, err := f.Stat()
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, err
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return 0, err
	}
	if d, err := os.Open(filepath.Dir(dst)); err == nil {
		d.Sync() // best effort: not every system syncs folders
		d.Close()
	}
	return st.Size(), nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func isPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}
