package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/session"
)

// The queries use $1, $2, … placeholders: PostgreSQL's, which SQLite also
// reads as numbered parameters.

// CreateUser adds u; ECONFLICT if the ID or name is taken.
func (s *Store) CreateUser(ctx context.Context, u room.User) error {
	created, err := formatTime(u.Created)
	if err != nil {
		return err
	}
	role := u.Role
	if role == "" {
		role = room.RoleMediator
	}
	_, err = s.db.ExecContext(ctx,
		`INSERT INTO users (id, name, password_hash, created, role) VALUES ($1, $2, $3, $4, $5)`,
		u.ID, u.Name, u.PasswordHash, created, role)
	if err != nil {
		if violated(err) == uniqueViolation {
			return coded(room.ECONFLICT, err, "a user with ID %q or name %q already exists", u.ID, u.Name)
		}
		return fmt.Errorf("sqlstore: create user %q: %w", u.ID, err)
	}
	return nil
}

const userColumns = `id, name, password_hash, created, role`

func scanUser(row scanner) (room.User, error) {
	var u room.User
	var created string
	if err := row.Scan(&u.ID, &u.Name, &u.PasswordHash, &created, &u.Role); err != nil {
		return room.User{}, err
	}
	var err error
	u.Created, err = parseTime(created)
	return u, err
}

// UserByName returns the user with that name; ENOTFOUND if none.
func (s *Store) UserByName(ctx context.Context, name string) (room.User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE name = $1`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return room.User{}, coded(room.ENOTFOUND, err, "no user named %q", name)
	}
	if err != nil {
		return room.User{}, fmt.Errorf("sqlstore: user named %q: %w", name, err)
	}
	return u, nil
}

// User returns the user with that ID; ENOTFOUND if none.
func (s *Store) User(ctx context.Context, id string) (room.User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return room.User{}, coded(room.ENOTFOUND, err, "no user %q", id)
	}
	if err != nil {
		return room.User{}, fmt.Errorf("sqlstore: user %q: %w", id, err)
	}
	return u, nil
}

// CreateLogin adds l; ECONFLICT if the token is taken, ENOTFOUND if its
// user does not exist.
func (s *Store) CreateLogin(ctx context.Context, l room.Login) error {
	expires, err := formatTime(l.Expires)
	if err != nil {
		return err
	}
	made, err := formatOptTime(l.Created)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx,
		`INSERT INTO logins (token, user_id, expires, created) VALUES ($1, $2, $3, $4)`,
		l.Token, l.User, expires, made)
	if err != nil {
		switch violated(err) {
		case uniqueViolation:
			return coded(room.ECONFLICT, err, "a login with that token already exists")
		case foreignKeyViolation:
			return coded(room.ENOTFOUND, err, "no user %q", l.User)
		}
		return fmt.Errorf("sqlstore: create login for user %q: %w", l.User, err)
	}
	return nil
}

// LoginByToken returns the login with that token hash; ENOTFOUND if none.
func (s *Store) LoginByToken(ctx context.Context, token string) (room.Login, error) {
	l, err := scanLogin(s.db.QueryRowContext(ctx,
		`SELECT `+loginColumns+` FROM logins WHERE token = $1`, token))
	if errors.Is(err, sql.ErrNoRows) {
		return room.Login{}, coded(room.ENOTFOUND, err, "no login with that token")
	}
	if err != nil {
		return room.Login{}, fmt.Errorf("sqlstore: login by token: %w", err)
	}
	return l, nil
}

// DeleteLogin removes the login; no error if it is not there.
func (s *Store) DeleteLogin(ctx context.Context, token string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM logins WHERE token = $1`, token); err != nil {
		return fmt.Errorf("sqlstore: delete login: %w", err)
	}
	return nil
}

// CreateNegotiation adds n; ECONFLICT if the ID is taken, ENOTFOUND if its
// owner does not exist.
func (s *Store) CreateNegotiation(ctx context.Context, n room.Negotiation) error {
	created, err := formatTime(n.Created)
	if err != nil {
		return err
	}
	archived, err := formatOptTime(n.Archived)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx,
		`INSERT INTO negotiations (id, owner, title, scenario, settings, class_id, created, archived)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		n.ID, n.Owner, n.Title, nonNil(n.Scenario), nonNil(n.Settings), n.Class, created, archived)
	if err != nil {
		switch violated(err) {
		case uniqueViolation:
			return coded(room.ECONFLICT, err, "negotiation %q already exists", n.ID)
		case foreignKeyViolation:
			return coded(room.ENOTFOUND, err, "no user %q", n.Owner)
		}
		return fmt.Errorf("sqlstore: create negotiation %q: %w", n.ID, err)
	}
	return nil
}

const negotiationColumns = `id, owner, title, scenario, settings, class_id, created, archived`

func scanNegotiation(row scanner) (room.Negotiation, error) {
	var n room.Negotiation
	var created, archived string
	if err := row.Scan(&n.ID, &n.Owner, &n.Title, &n.Scenario, &n.Settings, &n.Class, &created, &archived); err != nil {
		return room.Negotiation{}, err
	}
	var err error
	if n.Created, err = parseTime(created); err != nil {
		return room.Negotiation{}, err
	}
	n.Archived, err = parseOptTime(archived)
	return n, err
}

// Negotiation returns the negotiation; ENOTFOUND if none.
func (s *Store) Negotiation(ctx context.Context, id string) (room.Negotiation, error) {
	n, err := scanNegotiation(s.db.QueryRowContext(ctx,
		`SELECT `+negotiationColumns+` FROM negotiations WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return room.Negotiation{}, coded(room.ENOTFOUND, err, "no negotiation %q", id)
	}
	if err != nil {
		return room.Negotiation{}, fmt.Errorf("sqlstore: negotiation %q: %w", id, err)
	}
	return n, nil
}

// Negotiations lists the negotiations of an owner (all when owner is ""),
// oldest first.
func (s *Store) Negotiations(ctx context.Context, owner string) ([]room.Negotiation, error) {
	var rows *sql.Rows
	var err error
	if owner == "" {
		rows, err = s.db.QueryContext(ctx,
			`SELECT `+negotiationColumns+` FROM negotiations ORDER BY created, id`)
	} else {
		rows, err = s.db.QueryContext(ctx,
			`SELECT `+negotiationColumns+` FROM negotiations WHERE owner = $1 ORDER BY created, id`, owner)
	}
	out, err := collectNegotiations(rows, err)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: negotiations of %q: %w", owner, err)
	}
	return out, nil
}

// NegotiationsOfClass lists a class's negotiations, oldest first.
func (s *Store) NegotiationsOfClass(ctx context.Context, class string) ([]room.Negotiation, error) {
	out, err := collectNegotiations(s.db.QueryContext(ctx,
		`SELECT `+negotiationColumns+` FROM negotiations WHERE class_id = $1 ORDER BY created, id`, class))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: negotiations of class %q: %w", class, err)
	}
	return out, nil
}

func collectNegotiations(rows *sql.Rows, err error) ([]room.Negotiation, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []room.Negotiation
	for rows.Next() {
		n, err := scanNegotiation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// UpdateNegotiation replaces the scenario and settings of negotiation id;
// ENOTFOUND if none.
func (s *Store) UpdateNegotiation(ctx context.Context, id string, scenario, settings []byte) error {
	res, err := s.db.ExecContext(ctx,
		`UPDATE negotiations SET scenario = $1, settings = $2 WHERE id = $3`,
		nonNil(scenario), nonNil(settings), id)
	if err != nil {
		return fmt.Errorf("sqlstore: update negotiation %q: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlstore: update negotiation %q: %w", id, err)
	}
	if n == 0 {
		return room.Errorf(room.ENOTFOUND, "no negotiation %q", id)
	}
	return nil
}

// ArchiveNegotiation sets when the negotiation was archived ("" for the
// zero time: restored); ENOTFOUND if none.
func (s *Store) ArchiveNegotiation(ctx context.Context, id string, at time.Time) error {
	t, err := formatOptTime(at)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE negotiations SET archived = $1 WHERE id = $2`, t, id)
	if err != nil {
		return fmt.Errorf("sqlstore: archive negotiation %q: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlstore: archive negotiation %q: %w", id, err)
	}
	if n == 0 {
		return room.Errorf(room.ENOTFOUND, "no negotiation %q", id)
	}
	return nil
}

// DeleteNegotiation removes the negotiation, its invites and its log in one
// transaction; ENOTFOUND if none.
func (s *Store) DeleteNegotiation(ctx context.Context, id string) error {
	return s.deleteNegotiation(ctx, id, nil)
}

// deleteNegotiation removes the negotiation, its invites and its log and,
// when keep is not nil, stores keep, in one transaction; then, on SQLite,
// it checkpoints the WAL, so that what was deleted leaves it too.
func (s *Store) deleteNegotiation(ctx context.Context, id string, keep *room.KeptRecord) error {
	if s.writes != nil {
		s.writes.Lock()
		defer s.writes.Unlock()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: delete negotiation %q: begin: %w", id, err)
	}
	defer tx.Rollback() // a no-op after Commit
	for _, q := range []string{
		`DELETE FROM events WHERE negotiation = $1`,
		`DELETE FROM invites WHERE negotiation = $1`,
	} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("sqlstore: delete negotiation %q: %w", id, err)
		}
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM negotiations WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("sqlstore: delete negotiation %q: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlstore: delete negotiation %q: %w", id, err)
	}
	if n == 0 {
		return room.Errorf(room.ENOTFOUND, "no negotiation %q", id)
	}
	if keep != nil {
		if err := insertKeptRecord(ctx, tx, *keep); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: delete negotiation %q: commit: %w", id, err)
	}
	s.scrub(ctx)
	return nil
}

// CreateInvite adds inv; ECONFLICT if the token, or the ID within the
// negotiation, is taken; ENOTFOUND if its negotiation does not exist.
func (s *Store) CreateInvite(ctx context.Context, inv room.Invite) error {
	return createInvite(ctx, s.db, inv)
}

// execer is a *sql.DB or a *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func createInvite(ctx context.Context, db execer, inv room.Invite) error {
	if inv.ID == "" {
		return room.Errorf(room.EINVALID, "an invite needs an ID")
	}
	ts, err := formatTimes(inv.Expires, inv.Created)
	if err != nil {
		return err
	}
	opt, err := formatOptTimes(inv.Used, inv.ProfileSaved, inv.Revoked, inv.Seen)
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx,
		`INSERT INTO invites (token, negotiation, party, person, observer, verifier, expires, created,
		   id, issued_by, reissued, note, used, profile_saved, revoked, revoked_by, revoke_reason, seen)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		inv.Token, inv.Negotiation, inv.Party, inv.Person, flag(inv.Observer), inv.Verifier, ts[0], ts[1],
		inv.ID, inv.IssuedBy, flag(inv.Reissued), inv.Note, opt[0], opt[1], opt[2], inv.RevokedBy, inv.RevokeReason, opt[3])
	if err != nil {
		switch violated(err) {
		case uniqueViolation:
			return coded(room.ECONFLICT, err, "an invite with that token or ID already exists")
		case foreignKeyViolation:
			return coded(room.ENOTFOUND, err, "no negotiation %q", inv.Negotiation)
		}
		return fmt.Errorf("sqlstore: create invite to %q: %w", inv.Negotiation, err)
	}
	return nil
}

// flag is a boolean as the INTEGER 0 or 1 both databases store.
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

const inviteColumns = `token, negotiation, party, person, observer, verifier, expires, created, ` +
	`id, issued_by, reissued, note, used, profile_saved, revoked, revoked_by, revoke_reason, seen`

func scanInvite(row scanner) (room.Invite, error) {
	var inv room.Invite
	var observer, reissued int64
	var expires, created, used, saved, revoked, seen string
	if err := row.Scan(&inv.Token, &inv.Negotiation, &inv.Party, &inv.Person, &observer, &inv.Verifier, &expires, &created,
		&inv.ID, &inv.IssuedBy, &reissued, &inv.Note, &used, &saved, &revoked, &inv.RevokedBy, &inv.RevokeReason, &seen); err != nil {
		return room.Invite{}, err
	}
	inv.Observer, inv.Reissued = observer != 0, reissued != 0
	var err error
	if inv.Expires, err = parseTime(expires); err != nil {
		return room.Invite{}, err
	}
	if inv.Created, err = parseTime(created); err != nil {
		return room.Invite{}, err
	}
	if inv.Used, err = parseOptTime(used); err != nil {
		return room.Invite{}, err
	}
	if inv.ProfileSaved, err = parseOptTime(saved); err != nil {
		return room.Invite{}, err
	}
	if inv.Revoked, err = parseOptTime(revoked); err != nil {
		return room.Invite{}, err
	}
	if inv.Seen, err = parseOptTime(seen); err != nil {
		return room.Invite{}, err
	}
	return inv, nil
}

// InviteByToken returns the invite with that token hash; ENOTFOUND if none.
func (s *Store) InviteByToken(ctx context.Context, token string) (room.Invite, error) {
	inv, err := scanInvite(s.db.QueryRowContext(ctx,
		`SELECT `+inviteColumns+` FROM invites WHERE token = $1`, token))
	if errors.Is(err, sql.ErrNoRows) {
		return room.Invite{}, coded(room.ENOTFOUND, err, "no invite with that token")
	}
	if err != nil {
		return room.Invite{}, fmt.Errorf("sqlstore: invite by token: %w", err)
	}
	return inv, nil
}

// Invites lists a negotiation's invites, oldest first.
func (s *Store) Invites(ctx context.Context, negotiation string) ([]room.Invite, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT `+inviteColumns+` FROM invites WHERE negotiation = $1 ORDER BY created, token`, negotiation)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: invites to %q: %w", negotiation, err)
	}
	defer rows.Close()
	var out []room.Invite
	for rows.Next() {
		inv, err := scanInvite(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: invites to %q: %w", negotiation, err)
		}
		out = append(out, inv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: invites to %q: %w", negotiation, err)
	}
	return out, nil
}

// RevokeInvites marks the invites with the given IDs revoked and adds add
// (if not nil) in one transaction. ENOTFOUND if an ID names no invite of
// the negotiation, ECONFLICT if one is already revoked or add's token or
// ID is taken; nothing changes then.
func (s *Store) RevokeInvites(ctx context.Context, negotiation string, ids []string, r room.Revocation, add *room.Invite) error {
	if len(ids) > 0 && r.At.IsZero() {
		return room.Errorf(room.EINVALID, "a revocation needs its time")
	}
	at, err := formatOptTime(r.At)
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: revoke invites to %q: begin: %w", negotiation, err)
	}
	defer tx.Rollback() // a no-op after Commit
	for _, id := range ids {
		res, err := tx.ExecContext(ctx,
			`UPDATE invites SET revoked = $1, revoked_by = $2, revoke_reason = $3
			 WHERE negotiation = $4 AND id = $5 AND revoked = ''`,
			at, r.By, r.Reason, negotiation, id)
		if err != nil {
			return fmt.Errorf("sqlstore: revoke invite %q of %q: %w", id, negotiation, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("sqlstore: revoke invite %q of %q: %w", id, negotiation, err)
		}
		if n == 0 {
			var revoked string
			err := tx.QueryRowContext(ctx, `SELECT revoked FROM invites WHERE negotiation = $1 AND id = $2`, negotiation, id).Scan(&revoked)
			if errors.Is(err, sql.ErrNoRows) {
				return coded(room.ENOTFOUND, err, "negotiation %q has no invitation %q", negotiation, id)
			}
			if err != nil {
				return fmt.Errorf("sqlstore: revoke invite %q of %q: %w", id, negotiation, err)
			}
			return room.Errorf(room.ECONFLICT, "invitation %q was already revoked", id)
		}
	}
	if add != nil {
		if add.Negotiation != negotiation {
			return room.Errorf(room.EINVALID, "the invite added is to %q, not %q", add.Negotiation, negotiation)
		}
		if err := createInvite(ctx, tx, *add); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: revoke invites to %q: commit: %w", negotiation, err)
	}
	return nil
}

// MarkInviteUsed sets the invite's first use unless it is set already.
func (s *Store) MarkInviteUsed(ctx context.Context, negotiation, id string, at time.Time) error {
	return s.markInvite(ctx, "used", negotiation, id, at, ` AND used = ''`)
}

// MarkProfileSaved sets when the invite's holder last saved a profile.
func (s *Store) MarkProfileSaved(ctx context.Context, negotiation, id string, at time.Time) error {
	return s.markInvite(ctx, "profile_saved", negotiation, id, at, ``)
}

// MarkInviteSeen sets when the invite's holder was last active.
func (s *Store) MarkInviteSeen(ctx context.Context, negotiation, id string, at time.Time) error {
	return s.markInvite(ctx, "seen", negotiation, id, at, ``)
}

// markInvite sets the time column of an invite (where the condition
// holds); ENOTFOUND if there is no such invite.
func (s *Store) markInvite(ctx context.Context, column, negotiation, id string, at time.Time, cond string) error {
	if at.IsZero() {
		return room.Errorf(room.EINVALID, "%s: a time is needed", column)
	}
	t, err := formatTime(at)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx,
		`UPDATE invites SET `+column+` = $1 WHERE negotiation = $2 AND id = $3`+cond, t, negotiation, id)
	if err != nil {
		return fmt.Errorf("sqlstore: mark invite %q of %q %s: %w", id, negotiation, column, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlstore: mark invite %q of %q %s: %w", id, negotiation, column, err)
	}
	if n > 0 {
		return nil
	}
	var one int
	err = s.db.QueryRowContext(ctx, `SELECT 1 FROM invites WHERE negotiation = $1 AND id = $2`, negotiation, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return coded(room.ENOTFOUND, err, "negotiation %q has no invitation %q", negotiation, id)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: mark invite %q of %q %s: %w", id, negotiation, column, err)
	}
	return nil
}

// CreateClass adds c; ECONFLICT if the ID is taken, ENOTFOUND if its owner
// does not exist.
func (s *Store) CreateClass(ctx context.Context, c room.Class) error {
	ts, err := formatTimes(c.Deadline, c.Created)
	if err != nil {
		return err
	}
	archived, err := formatOptTime(c.Archived)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx,
		`INSERT INTO classes (id, owner, title, deadline, created, archived, scenario, settings) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		c.ID, c.Owner, c.Title, ts[0], ts[1], archived, nonNil(c.Scenario), nonNil(c.Settings))
	if err != nil {
		switch violated(err) {
		case uniqueViolation:
			return coded(room.ECONFLICT, err, "class %q already exists", c.ID)
		case foreignKeyViolation:
			return coded(room.ENOTFOUND, err, "no user %q", c.Owner)
		}
		return fmt.Errorf("sqlstore: create class %q: %w", c.ID, err)
	}
	return nil
}

const classColumns = `id, owner, title, deadline, created, archived, scenario, settings`

func scanClass(row scanner) (room.Class, error) {
	var c room.Class
	var deadline, created, archived string
	if err := row.Scan(&c.ID, &c.Owner, &c.Title, &deadline, &created, &archived, &c.Scenario, &c.Settings); err != nil {
		return room.Class{}, err
	}
	var err error
	if c.Deadline, err = parseTime(deadline); err != nil {
		return room.Class{}, err
	}
	if c.Created, err = parseTime(created); err != nil {
		return room.Class{}, err
	}
	if c.Archived, err = parseOptTime(archived); err != nil {
		return room.Class{}, err
	}
	return c, nil
}

// ArchiveClass sets when the class was archived ("" for the zero time:
// restored); ENOTFOUND if none.
func (s *Store) ArchiveClass(ctx context.Context, id string, at time.Time) error {
	t, err := formatOptTime(at)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE classes SET archived = $1 WHERE id = $2`, t, id)
	if err != nil {
		return fmt.Errorf("sqlstore: archive class %q: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlstore: archive class %q: %w", id, err)
	}
	if n == 0 {
		return room.Errorf(room.ENOTFOUND, "no class %q", id)
	}
	return nil
}

// DeleteClass removes the class with its negotiations, their invites and
// their logs, in one transaction; ENOTFOUND if none.
func (s *Store) DeleteClass(ctx context.Context, id string) error {
	if s.writes != nil {
		s.writes.Lock()
		defer s.writes.Unlock()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: delete class %q: begin: %w", id, err)
	}
	defer tx.Rollback() // a no-op after Commit
	for _, q := range []string{
		`DELETE FROM events WHERE negotiation IN (SELECT id FROM negotiations WHERE class_id = $1)`,
		`DELETE FROM invites WHERE negotiation IN (SELECT id FROM negotiations WHERE class_id = $1)`,
		`DELETE FROM negotiations WHERE class_id = $1`,
	} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("sqlstore: delete class %q: %w", id, err)
		}
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM classes WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("sqlstore: delete class %q: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlstore: delete class %q: %w", id, err)
	}
	if n == 0 {
		return room.Errorf(room.ENOTFOUND, "no class %q", id)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: delete class %q: commit: %w", id, err)
	}
	s.scrub(ctx)
	return nil
}

// Class returns the class; ENOTFOUND if none.
func (s *Store) Class(ctx context.Context, id string) (room.Class, error) {
	c, err := scanClass(s.db.QueryRowContext(ctx, `SELECT `+classColumns+` FROM classes WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return room.Class{}, coded(room.ENOTFOUND, err, "no class %q", id)
	}
	if err != nil {
		return room.Class{}, fmt.Errorf("sqlstore: class %q: %w", id, err)
	}
	return c, nil
}

// Classes lists an owner's classes, oldest first.
func (s *Store) Classes(ctx context.Context, owner string) ([]room.Class, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT `+classColumns+` FROM classes WHERE owner = $1 ORDER BY created, id`, owner)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: classes of %q: %w", owner, err)
	}
	defer rows.Close()
	var out []room.Class
	for rows.Next() {
		c, err := scanClass(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: classes of %q: %w", owner, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: classes of %q: %w", owner, err)
	}
	return out, nil
}

// AppendEvents appends events to a negotiation's log in one transaction.
// The first event's Seq must be one more than the last stored and the rest
// must follow on; otherwise nothing is stored and the error is ECONFLICT.
// ENOTFOUND if the negotiation does not exist.
//
// Two appends racing for the same sequence number cannot both succeed: on
// SQLite the transactions are IMMEDIATE, so the second reads the log only
// after the first has committed; on PostgreSQL the second's insert waits
// for the first and then breaks the (negotiation, seq) primary key. Either
// way the loser gets ECONFLICT.
func (s *Store) AppendEvents(ctx context.Context, negotiation string, events []session.Event) error {
	data := make([]string, len(events))
	for i := range events {
		b, err := json.Marshal(&events[i])
		if err != nil {
			return fmt.Errorf("sqlstore: append to %q: encode event %d: %w", negotiation, events[i].Seq, err)
		}
		data[i] = string(b)
	}
	if s.writes != nil {
		s.writes.Lock()
		defer s.writes.Unlock()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: append to %q: begin: %w", negotiation, err)
	}
	defer tx.Rollback() // a no-op after Commit

	var one int
	err = tx.QueryRowContext(ctx, `SELECT 1 FROM negotiations WHERE id = $1`, negotiation).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return coded(room.ENOTFOUND, err, "no negotiation %q", negotiation)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: append to %q: %w", negotiation, err)
	}
	if len(events) == 0 {
		return nil
	}
	var last int64
	err = tx.QueryRowContext(ctx,
		`SELECT COALESCE(MAX(seq), 0) FROM events WHERE negotiation = $1`, negotiation).Scan(&last)
	if err != nil {
		return fmt.Errorf("sqlstore: append to %q: last sequence number: %w", negotiation, err)
	}
	want := last + 1
	for i := range events {
		if int64(events[i].Seq) != want {
			return room.Errorf(room.ECONFLICT,
				"the log of negotiation %q holds %d events; event %d of the append has sequence number %d, want %d",
				negotiation, last, i+1, events[i].Seq, want)
		}
		want++
	}
	for i := range events {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO events (negotiation, seq, data) VALUES ($1, $2, $3)`,
			negotiation, int64(events[i].Seq), data[i])
		if err != nil {
			if violated(err) == uniqueViolation {
				return coded(room.ECONFLICT, err, "event %d of negotiation %q is already stored", events[i].Seq, negotiation)
			}
			return fmt.Errorf("sqlstore: append event %d to %q: %w", events[i].Seq, negotiation, err)
		}
	}
	if err := tx.Commit(); err != nil {
		if violated(err) == uniqueViolation {
			return coded(room.ECONFLICT, err, "the log of negotiation %q moved on", negotiation)
		}
		return fmt.Errorf("sqlstore: append to %q: commit: %w", negotiation, err)
	}
	return nil
}

// Events returns a negotiation's log in order (empty if not started).
func (s *Store) Events(ctx context.Context, negotiation string) ([]session.Event, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT seq, data FROM events WHERE negotiation = $1 ORDER BY seq`, negotiation)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: events of %q: %w", negotiation, err)
	}
	defer rows.Close()
	var out []session.Event
	for rows.Next() {
		var seq int64
		var data string
		if err := rows.Scan(&seq, &data); err != nil {
			return nil, fmt.Errorf("sqlstore: events of %q: %w", negotiation, err)
		}
		var e session.Event
		if err := json.Unmarshal([]byte(data), &e); err != nil {
			return nil, fmt.Errorf("sqlstore: events of %q: decode event %d: %w", negotiation, seq, err)
		}
		if int64(e.Seq) != seq {
			return nil, fmt.Errorf("sqlstore: events of %q: row %d holds event %d", negotiation, seq, e.Seq)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: events of %q: %w", negotiation, err)
	}
	return out, nil
}
