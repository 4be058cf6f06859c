package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/parley-negotiation/parley/room"
)

// Accounts (users and their sign-ins) and kept records (retention).

const loginColumns = `token, user_id, expires, created`

func scanLogin(row scanner) (room.Login, error) {
	var l room.Login
	var expires, created string
	if err := row.Scan(&l.Token, &l.User, &expires, &created); err != nil {
		return room.Login{}, err
	}
	var err error
	if l.Expires, err = parseTime(expires); err != nil {
		return room.Login{}, err
	}
	l.Created, err = parseOptTime(created)
	return l, err
}

// Logins lists a user's logins, oldest first.
func (s *Store) Logins(ctx context.Context, user string) ([]room.Login, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+loginColumns+` FROM logins WHERE user_id = $1 ORDER BY created, expires, token`, user)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: logins of %q: %w", user, err)
	}
	defer rows.Close()
	out := []room.Login{}
	for rows.Next() {
		l, err := scanLogin(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: logins of %q: %w", user, err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: logins of %q: %w", user, err)
	}
	return out, nil
}

// DeleteLogins removes the user's logins whose ID is in ids (all when ids
// is nil) and returns how many it removed.
func (s *Store) DeleteLogins(ctx context.Context, user string, ids []string) (int, error) {
	var res sql.Result
	var err error
	if ids == nil {
		res, err = s.db.ExecContext(ctx, `DELETE FROM logins WHERE user_id = $1`, user)
	} else {
		if len(ids) == 0 {
			return 0, nil
		}
		args := []any{user}
		marks := make([]string, len(ids))
		for i, id := range ids {
			args = append(args, id)
			marks[i] = fmt.Sprintf("$%d", i+2)
		}
		res, err = s.db.ExecContext(ctx, fmt.Sprintf(`DELETE FROM logins WHERE user_id = $1 AND substr(token, 1, %d) IN (%s)`,
			room.LoginIDLen, strings.Join(marks, ", ")), args...)
	}
	if err != nil {
		return 0, fmt.Errorf("sqlstore: delete logins of %q: %w", user, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlstore: delete logins of %q: %w", user, err)
	}
	return int(n), nil
}

// Users lists the users, oldest first.
func (s *Store) Users(ctx context.Context) ([]room.User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY created, id`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: users: %w", err)
	}
	defer rows.Close()
	out := []room.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: users: %w", err)
	}
	return out, nil
}

// SetPassword replaces the user's password hash and removes its logins,
// in one transaction; ENOTFOUND if none.
func (s *Store) SetPassword(ctx context.Context, user, hash string) error {
	return s.inTx(ctx, "set the password of "+user, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, user)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return room.Errorf(room.ENOTFOUND, "no user %q", user)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM logins WHERE user_id = $1`, user)
		return err
	})
}

// DeleteUser removes the user and its logins; ECONFLICT while it owns
// negotiations, classes or kept records.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	return s.inTx(ctx, "delete user "+id, func(tx *sql.Tx) error {
		var owned int
		err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM negotiations WHERE owner = $1) +
			(SELECT COUNT(*) FROM classes WHERE owner = $1) + (SELECT COUNT(*) FROM kept_records WHERE owner = $1)`, id).Scan(&owned)
		if err != nil {
			return err
		}
		if owned > 0 {
			return room.Errorf(room.ECONFLICT, "the user owns %d negotiations, classes or kept records: delete or hand them over first", owned)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM logins WHERE user_id = $1`, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = $1`, id)
		if err != nil {
			if violated(err) == foreignKeyViolation {
				return coded(room.ECONFLICT, err, "the user still owns records")
			}
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return room.Errorf(room.ENOTFOUND, "no user %q", id)
		}
		return nil
	})
}

// inTx runs f in a transaction (serialised with the other writes on
// SQLite) and commits it; a room error from f is returned as it is.
func (s *Store) inTx(ctx context.Context, what string, f func(tx *sql.Tx) error) error {
	if s.writes != nil {
		s.writes.Lock()
		defer s.writes.Unlock()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: %s: begin: %w", what, err)
	}
	defer tx.Rollback() // a no-op after Commit
	if err := f(tx); err != nil {
		var re *room.Error
		if errors.As(err, &re) {
			return err
		}
		return fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: %s: commit: %w", what, err)
	}
	return nil
}

// KeepRecord deletes the negotiation r names and keeps r in its place, in
// one transaction.
func (s *Store) KeepRecord(ctx context.Context, r room.KeptRecord) error {
	return s.deleteNegotiation(ctx, r.Negotiation, &r)
}

func insertKeptRecord(ctx context.Context, tx *sql.Tx, r room.KeptRecord) error {
	times, err := formatTimes(r.Created, r.Deleted)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO kept_records (negotiation, owner, title, class_id, created, deleted, log, agreement)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		r.Negotiation, r.Owner, r.Title, r.Class, times[0], times[1], string(r.Log), string(r.Agreement))
	if err != nil {
		if violated(err) == uniqueViolation {
			return coded(room.ECONFLICT, err, "a record of negotiation %q is kept already", r.Negotiation)
		}
		return fmt.Errorf("sqlstore: keep the record of %q: %w", r.Negotiation, err)
	}
	return nil
}

const keptColumns = `negotiation, owner, title, class_id, created, deleted, log, agreement`

func scanKept(row scanner) (room.KeptRecord, error) {
	var r room.KeptRecord
	var created, deleted, log, agreement string
	if err := row.Scan(&r.Negotiation, &r.Owner, &r.Title, &r.Class, &created, &deleted, &log, &agreement); err != nil {
		return room.KeptRecord{}, err
	}
	var err error
	if r.Created, err = parseTime(created); err != nil {
		return room.KeptRecord{}, err
	}
	if r.Deleted, err = parseTime(deleted); err != nil {
		return room.KeptRecord{}, err
	}
	r.Log = []byte(log)
	if agreement != "" {
		r.Agreement = []byte(agreement)
	}
	return r, nil
}

// KeptRecords lists an owner's kept records (all for ""), oldest first.
func (s *Store) KeptRecords(ctx context.Context, owner string) ([]room.KeptRecord, error) {
	q := `SELECT ` + keptColumns + ` FROM kept_records WHERE owner = $1 OR $1 = '' ORDER BY deleted, negotiation`
	rows, err := s.db.QueryContext(ctx, q, owner)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: kept records: %w", err)
	}
	defer rows.Close()
	out := []room.KeptRecord{}
	for rows.Next() {
		r, err := scanKept(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: kept records: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: kept records: %w", err)
	}
	return out, nil
}

// KeptRecord returns the kept record of negotiation id; ENOTFOUND if none.
func (s *Store) KeptRecord(ctx context.Context, id string) (room.KeptRecord, error) {
	r, err := scanKept(s.db.QueryRowContext(ctx, `SELECT `+keptColumns+` FROM kept_records WHERE negotiation = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return room.KeptRecord{}, coded(room.ENOTFOUND, err, "no kept record of negotiation %q", id)
	}
	if err != nil {
		return room.KeptRecord{}, fmt.Errorf("sqlstore: kept record %q: %w", id, err)
	}
	return r, nil
}

// DeleteKeptRecord removes the kept record of negotiation id.
func (s *Store) DeleteKeptRecord(ctx context.Context, id string) error {
	err := s.inTx(ctx, "delete the kept record "+id, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM kept_records WHERE negotiation = $1`, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return room.Errorf(room.ENOTFOUND, "no kept record of negotiation %q", id)
		}
		return nil
	})
	if err == nil {
		s.scrub(ctx)
	}
	return err
}

// scrub, after a deletion, checkpoints SQLite's WAL and truncates it, so
// that the pages the deletion overwrote (secure_delete) replace the old
// ones in the database file and the old frames leave the WAL. It is best
// effort: a reader holding an old snapshot keeps the WAL until the next
// checkpoint (Compact waits for it). Nothing on PostgreSQL, whose VACUUM
// reclaims dead rows (docs/security.md).
func (s *Store) scrub(ctx context.Context) {
	if s.writes == nil {
		return
	}
	_, _ = s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
}

// Compact rewrites the database without free space — VACUUM on SQLite,
// then a WAL checkpoint; VACUUM on PostgreSQL, which reclaims the rows
// deleted — so that deleted data leaves the files.
func (s *Store) Compact(ctx context.Context) error {
	if s.writes != nil {
		s.writes.Lock()
		defer s.writes.Unlock()
	}
	if _, err := s.db.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("sqlstore: vacuum: %w", err)
	}
	if s.writes != nil {
		if _, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return fmt.Errorf("sqlstore: checkpoint: %w", err)
		}
	}
	return nil
}
