package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/parley-negotiation/parley/room"
)

// CreateShuttle adds sh; ECONFLICT if the ID is taken, ENOTFOUND if its
// owner does not exist.
func (s *Store) CreateShuttle(ctx context.Context, sh room.Shuttle) error {
	created, err := formatTime(sh.Created)
	if err != nil {
		return err
	}
	archived, err := formatOptTime(sh.Archived)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx,
		`INSERT INTO shuttles (id, owner, title, created, archived, scenario, settings) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		sh.ID, sh.Owner, sh.Title, created, archived, nonNil(sh.Scenario), nonNil(sh.Settings))
	if err != nil {
		switch violated(err) {
		case uniqueViolation:
			return coded(room.ECONFLICT, err, "shuttle %q already exists", sh.ID)
		case foreignKeyViolation:
			return coded(room.ENOTFOUND, err, "no user %q", sh.Owner)
		}
		return fmt.Errorf("sqlstore: create shuttle %q: %w", sh.ID, err)
	}
	return nil
}

const shuttleColumns = `id, owner, title, created, archived, scenario, settings`

func scanShuttle(row scanner) (room.Shuttle, error) {
	var sh room.Shuttle
	var created, archived string
	if err := row.Scan(&sh.ID, &sh.Owner, &sh.Title, &created, &archived, &sh.Scenario, &sh.Settings); err != nil {
		return room.Shuttle{}, err
	}
	var err error
	if sh.Created, err = parseTime(created); err != nil {
		return room.Shuttle{}, err
	}
	if sh.Archived, err = parseOptTime(archived); err != nil {
		return room.Shuttle{}, err
	}
	return sh, nil
}

// Shuttle returns the shuttle; ENOTFOUND if none.
func (s *Store) Shuttle(ctx context.Context, id string) (room.Shuttle, error) {
	sh, err := scanShuttle(s.db.QueryRowContext(ctx, `SELECT `+shuttleColumns+` FROM shuttles WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return room.Shuttle{}, coded(room.ENOTFOUND, err, "no shuttle %q", id)
	}
	if err != nil {
		return room.Shuttle{}, fmt.Errorf("sqlstore: shuttle %q: %w", id, err)
	}
	return sh, nil
}

// Shuttles lists an owner's shuttles, oldest first.
func (s *Store) Shuttles(ctx context.Context, owner string) ([]room.Shuttle, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT `+shuttleColumns+` FROM shuttles WHERE owner = $1 ORDER BY created, id`, owner)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: shuttles of %q: %w", owner, err)
	}
	defer rows.Close()
	var out []room.Shuttle
	for rows.Next() {
		sh, err := scanShuttle(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: shuttles of %q: %w", owner, err)
		}
		out = append(out, sh)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: shuttles of %q: %w", owner, err)
	}
	return out, nil
}

// DeleteShuttle removes the shuttle with its tables (the negotiations whose
// class_id is its id), their invites and their logs, in one transaction;
// ENOTFOUND if none.
func (s *Store) DeleteShuttle(ctx context.Context, id string) error {
	if id == "" {
		// "" is the class_id of every negotiation of no class or shuttle.
		return room.Errorf(room.ENOTFOUND, "no shuttle %q", id)
	}
	err := s.inTx(ctx, "delete shuttle "+id, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM events WHERE negotiation IN (SELECT id FROM negotiations WHERE class_id = $1)`,
			`DELETE FROM invites WHERE negotiation IN (SELECT id FROM negotiations WHERE class_id = $1)`,
			`DELETE FROM negotiations WHERE class_id = $1`,
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM shuttles WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return room.Errorf(room.ENOTFOUND, "no shuttle %q", id)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.scrub(ctx)
	return nil
}
