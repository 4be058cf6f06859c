package room

import (
	"context"
	"strings"
	"time"
)

// Accounts: the mediators and instructors of a room, managed by its owner
// (the account made on first start) from the command line (parley user)
// or the accounts API; and each account's sign-ins, which it may list and
// revoke.

// CreateAccount adds an account with role (RoleMediator, RoleInstructor
// or RoleOwner; "" makes the first account of the room its owner and any
// later one a mediator).
func (s *Service) CreateAccount(ctx context.Context, name, password, role string) (User, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > MaxName {
		return User{}, Errorf(EINVALID, "user name: want 1 to %d bytes", MaxName)
	}
	if len(password) < 8 || len(password) > MaxPassword {
		return User{}, Errorf(EINVALID, "password: want 8 to %d bytes", MaxPassword)
	}
	if role == "" {
		all, err := s.store.Users(ctx)
		if err != nil {
			return User{}, err
		}
		role = RoleMediator
		if len(all) == 0 {
			role = RoleOwner
		}
	}
	if !ValidRole(role) {
		return User{}, Errorf(EINVALID, "role %q: want %s or %s", role, RoleMediator, RoleInstructor)
	}
	h, err := HashPassword(password)
	if err != nil {
		return User{}, err
	}
	u := User{ID: newID(), Name: name, Role: role, PasswordHash: h, Created: s.clock().UTC()}
	if err := s.store.CreateUser(ctx, u); err != nil {
		if ErrorCode(err) == ECONFLICT {
			return User{}, Errorf(ECONFLICT, "user name %q is taken", name)
		}
		return User{}, err
	}
	return u, nil
}

// Users lists the accounts, oldest first.
func (s *Service) Users(ctx context.Context) ([]User, error) { return s.store.Users(ctx) }

// userNamed returns the account named name; ENOTFOUND if none.
func (s *Service) userNamed(ctx context.Context, name string) (User, error) {
	u, err := s.store.UserByName(ctx, name)
	if ErrorCode(err) == ENOTFOUND {
		return User{}, Errorf(ENOTFOUND, "no account named %q", name)
	}
	return u, err
}

// SetPassword sets the password of the account named name; its sign-ins
// end (it signs in again everywhere).
func (s *Service) SetPassword(ctx context.Context, name, password string) (User, error) {
	if len(password) < 8 || len(password) > MaxPassword {
		return User{}, Errorf(EINVALID, "password: want 8 to %d bytes", MaxPassword)
	}
	u, err := s.userNamed(ctx, name)
	if err != nil {
		return User{}, err
	}
	h, err := HashPassword(password)
	if err != nil {
		return User{}, err
	}
	if err := s.store.SetPassword(ctx, u.ID, h); err != nil {
		return User{}, err
	}
	return u, nil
}

// RemoveUser removes the account named name and its sign-ins. An account
// that still owns negotiations, classes or kept records is not removed
// (ECONFLICT): delete them first. The last owner is not removed either.
func (s *Service) RemoveUser(ctx context.Context, name string) (User, error) {
	u, err := s.userNamed(ctx, name)
	if err != nil {
		return User{}, err
	}
	if u.Role == RoleOwner {
		all, err := s.store.Users(ctx)
		if err != nil {
			return User{}, err
		}
		owners := 0
		for _, o := range all {
			if o.Role == RoleOwner {
				owners++
			}
		}
		if owners == 1 {
			return User{}, Errorf(ECONFLICT, "%q is the room's only owner account", name)
		}
	}
	if err := s.store.DeleteUser(ctx, u.ID); err != nil {
		return User{}, err
	}
	return u, nil
}

// Session is a sign-in as its user sees it: never the token.
type Session struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created,omitzero"`
	Expires time.Time `json:"expires"`
	// Expired: it no longer opens anything (kept until revoked or the
	// user's password changes).
	Expired bool `json:"expired,omitempty"`
	// Current: the sign-in the request was made with.
	Current bool `json:"current,omitempty"`
}

// Sessions lists the sign-ins of user (an ID); current is the token of
// the asking sign-in ("" for none), marked Current.
func (s *Service) Sessions(ctx context.Context, user, current string) ([]Session, error) {
	if user == "" {
		return nil, Errorf(EUNAUTHORIZED, "sign in to list your sign-ins")
	}
	all, err := s.store.Logins(ctx, user)
	if err != nil {
		return nil, err
	}
	cur := ""
	if current != "" {
		cur = HashToken(current)
	}
	now := s.clock()
	out := make([]Session, 0, len(all))
	for i := range all {
		l := &all[i]
		out = append(out, Session{ID: l.ID(), Created: l.Created, Expires: l.Expires,
			Expired: !now.Before(l.Expires), Current: cur != "" && l.Token == cur})
	}
	return out, nil
}

// RevokeSessions ends the sign-ins of user with the given IDs (all of them
// when ids is nil); ENOTFOUND when an ID names none of the user's.
func (s *Service) RevokeSessions(ctx context.Context, user string, ids []string) (int, error) {
	if user == "" {
		return 0, Errorf(EUNAUTHORIZED, "sign in to revoke your sign-ins")
	}
	for _, id := range ids {
		if len(id) != LoginIDLen {
			return 0, Errorf(ENOTFOUND, "no sign-in %q", id)
		}
	}
	n, err := s.store.DeleteLogins(ctx, user, ids)
	if err != nil {
		return 0, err
	}
	if ids != nil && n < len(ids) {
		return n, Errorf(ENOTFOUND, "%d of the %d sign-ins named were not found", len(ids)-n, len(ids))
	}
	return n, nil
}

// SessionsOf and RevokeSessionsOf are Sessions and RevokeSessions for the
// account named name (the operator's command line).
func (s *Service) SessionsOf(ctx context.Context, name string) (User, []Session, error) {
	u, err := s.userNamed(ctx, name)
	if err != nil {
		return User{}, nil, err
	}
	list, err := s.Sessions(ctx, u.ID, "")
	return u, list, err
}

// RevokeSessionsOf: see SessionsOf.
func (s *Service) RevokeSessionsOf(ctx context.Context, name string, ids []string) (int, error) {
	u, err := s.userNamed(ctx, name)
	if err != nil {
		return 0, err
	}
	return s.RevokeSessions(ctx, u.ID, ids)
}

// mustOwner checks that user is an owner account (one that manages the
// others).
func (s *Service) mustOwner(ctx context.Context, user string) error {
	u, err := s.store.User(ctx, user)
	if err != nil {
		if ErrorCode(err) == ENOTFOUND {
			return Errorf(EUNAUTHORIZED, "not signed in")
		}
		return err
	}
	if u.Role != RoleOwner {
		return Errorf(EFORBIDDEN, "only the room's owner account manages accounts")
	}
	return nil
}

// UsersFor, CreateAccountFor and RemoveUserFor are the account management
// of the accounts API: for an owner account only (EFORBIDDEN otherwise).
func (s *Service) UsersFor(ctx context.Context, user string) ([]User, error) {
	if err := s.mustOwner(ctx, user); err != nil {
		return nil, err
	}
	return s.Users(ctx)
}

// CreateAccountFor: see UsersFor. The role is mediator or instructor.
func (s *Service) CreateAccountFor(ctx context.Context, user, name, password, role string) (User, error) {
	if err := s.mustOwner(ctx, user); err != nil {
		return User{}, err
	}
	if role != RoleMediator && role != RoleInstructor {
		return User{}, Errorf(EINVALID, "role %q: want %s or %s", role, RoleMediator, RoleInstructor)
	}
	return s.CreateAccount(ctx, name, password, role)
}

// RemoveUserFor: see UsersFor. An owner does not remove itself here.
func (s *Service) RemoveUserFor(ctx context.Context, user, name string) (User, error) {
	if err := s.mustOwner(ctx, user); err != nil {
		return User{}, err
	}
	u, err := s.userNamed(ctx, name)
	if err != nil {
		return User{}, err
	}
	if u.ID == user {
		return User{}, Errorf(EINVALID, "you cannot remove your own account here (parley user remove does)")
	}
	return s.RemoveUser(ctx, name)
}
