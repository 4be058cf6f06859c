package room

import (
	"context"
	"time"

	"github.com/parley-negotiation/parley/session"
)

// User is a mediator or instructor account. Parties do not have accounts:
// they hold an invitation.
type User struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Role is RoleOwner (the account made on first start, which manages
	// the others), RoleMediator or RoleInstructor. Each account sees only
	// its own negotiations and classes, whatever its role.
	Role string `json:"role"`
	// PasswordHash is an argon2id hash in PHC string form; never sent out.
	PasswordHash string    `json:"-"`
	Created      time.Time `json:"created"`
}

// Negotiation is one room: a scenario, its settings and, once started, a
// session whose log the store holds.
type Negotiation struct {
	ID    string `json:"id"`
	Owner string `json:"owner"` // User.ID of the mediator
	Title string `json:"title"`
	// Scenario is the scenario in its file format (JSON), profiles
	// included; it changes only while the negotiation is being set up.
	Scenario []byte `json:"-"`
	// Settings is the room's Settings as JSON.
	Settings []byte `json:"-"`
	// Class is the teaching class the room belongs to ("" for none).
	Class   string    `json:"class,omitempty"`
	Created time.Time `json:"created"`
	// Archived is when its owner archived it (zero: it is not): an
	// archived negotiation leaves the owner's list of current ones and
	// keeps its record; it opens as before.
	Archived time.Time `json:"archived,omitzero"`
}

// Invite gives one person access to one negotiation as one party, as an
// observer of it, or as one of its implementation plan's verifiers. Only
// the SHA-256 of its token is stored.
//
// A party's seat and a verifier's seat have one credential at a time: a
// new one is issued only by re-issuing the seat, which revokes the one
// before (room.Service.Issue). Observers of a party's seat are invited by
// that party's delegation; the negotiation's owner invites public
// observers only.
type Invite struct {
	// ID names the invitation in lists and when it is revoked; unique
	// within the negotiation. It is not a credential.
	ID          string `json:"id"`
	Negotiation string `json:"negotiation"`
	// Party is the scenario party the invite speaks for; for an observer,
	// the party whose seat it watches ("" for the public view only); ""
	// for a verifier.
	Party    string `json:"party"`
	Person   string `json:"person,omitempty"`
	Observer bool   `json:"observer,omitempty"`
	// Verifier is the plan's verifier the invite speaks for ("" for a
	// party or an observer).
	Verifier string `json:"verifier,omitempty"`
	// IssuedBy is who issued it: "" for the negotiation's owner (the
	// mediator or instructor), a party's id for that party's delegation
	// (the observers of its seat).
	IssuedBy string `json:"issued_by,omitempty"`
	// Reissued tells that the seat had a credential before this one;
	// Note is the reason the owner gave for issuing it.
	Reissued bool      `json:"reissued,omitempty"`
	Note     string    `json:"note,omitempty"`
	Token    string    `json:"-"` // hex SHA-256 of the secret token
	Expires  time.Time `json:"expires"`
	Created  time.Time `json:"created"`
	// Used is when the invitation was first used (zero: never).
	Used time.Time `json:"used,omitzero"`
	// ProfileSaved is when its holder last saved the seat's profile (zero:
	// never).
	ProfileSaved time.Time `json:"profile_saved,omitzero"`
	// Seen is when its holder was last active (the invitation presented
	// with a request or an open stream), recorded at most every SeenEvery
	// (zero: never).
	Seen time.Time `json:"seen,omitzero"`
	// Revoked is when it was revoked (zero: it was not); RevokedBy who
	// revoked it (as IssuedBy), RevokeReason why.
	Revoked      time.Time `json:"revoked,omitzero"`
	RevokedBy    string    `json:"revoked_by,omitempty"`
	RevokeReason string    `json:"revoke_reason,omitempty"`
}

// Holds reports whether the invite is a seat's credential — a party's or
// a verifier's — rather than an observer's.
func (inv *Invite) Holds() bool { return !inv.Observer && (inv.Party != "" || inv.Verifier != "") }

// Active reports whether the invite still opens the negotiation at t:
// neither revoked nor expired.
func (inv *Invite) Active(t time.Time) bool { return inv.Revoked.IsZero() && t.Before(inv.Expires) }

// Revocation says when, by whom ("" for the negotiation's owner, a party's
// id for its delegation) and why invitations are revoked.
type Revocation struct {
	At     time.Time
	By     string
	Reason string
}

// Login is a mediator's signed-in browser session. Only the SHA-256 of its
// token is stored.
type Login struct {
	Token   string    `json:"-"` // hex SHA-256 of the cookie value
	User    string    `json:"user"`
	Expires time.Time `json:"expires"`
	// Created is when the user signed in (zero for sign-ins stored before
	// it was kept).
	Created time.Time `json:"created,omitzero"`
}

// ID names the sign-in in lists and when it is revoked: the first 24 hex
// digits of its token's hash, which tell nothing of the token.
func (l *Login) ID() string {
	if len(l.Token) < LoginIDLen {
		return l.Token
	}
	return l.Token[:LoginIDLen]
}

// LoginIDLen is the length of a Login's ID.
const LoginIDLen = 24

// KeptRecord is what remains of a negotiation deleted with its public
// record kept (Service.Purge): the log as the public sees it — its events
// whole where the public may see them, the others as stubs that tell
// nothing — with a checkpoint of the whole log signed by the server's key,
// and the agreement. Profiles, messages, bids and invitations are gone.
type KeptRecord struct {
	Negotiation string    `json:"negotiation"`
	Owner       string    `json:"owner"`
	Title       string    `json:"title"`
	Class       string    `json:"class,omitempty"`
	Created     time.Time `json:"created"`
	Deleted     time.Time `json:"deleted"`
	// Log is the public record in the log file format (JSON lines, the
	// signed checkpoint last): parley verify reads it.
	Log []byte `json:"-"`
	// Agreement is the agreement's document as JSON ("" without one).
	Agreement []byte `json:"-"`
}

// Class is a teaching class: parallel rooms of one scenario.
type Class struct {
	ID       string    `json:"id"`
	Owner    string    `json:"owner"`
	Title    string    `json:"title"`
	Deadline time.Time `json:"deadline,omitempty"`
	Created  time.Time `json:"created"`
	// Archived is when its owner archived it (zero: it is not): an
	// archived class leaves the owner's list of current ones and keeps
	// its rooms and their records.
	Archived time.Time `json:"archived,omitzero"`
	// Scenario and Settings are the scenario (file format, JSON) and the
	// rooms' Settings (JSON) the class was created with, for cloning it;
	// empty for classes stored before they were kept.
	Scenario []byte `json:"-"`
	Settings []byte `json:"-"`
}

// Shuttle is a mediator's shuttle talks over a multi-deal scenario
// (package multideal): one room (table) per thread, each a negotiation
// whose Class is the shuttle's ID, and a combined view its owner alone
// sees (room/shuttle.go).
type Shuttle struct {
	ID      string    `json:"id"`
	Owner   string    `json:"owner"`
	Title   string    `json:"title"`
	Created time.Time `json:"created"`
	// Archived is when its owner archived it (zero: it is not).
	Archived time.Time `json:"archived,omitzero"`
	// Scenario is the multi-deal scenario as the owner created it, in the
	// multi-deal file format (multideal.Marshal); Settings the tables'
	// Settings (JSON).
	Scenario []byte `json:"-"`
	Settings []byte `json:"-"`
}

// Store keeps users, negotiations, invites, logins, classes and session
// logs. Implementations must be safe for concurrent use, and a method that
// returns nil must have made its change durable (committed), so that a
// crash right after loses nothing.
//
// Error contract: a missing record is an error whose Code is ENOTFOUND; a
// record that already exists (same ID, user name or token) is ECONFLICT.
type Store interface {
	// CreateUser adds u; ECONFLICT if the ID or name is taken.
	CreateUser(ctx context.Context, u User) error
	// UserByName returns the user with that name; ENOTFOUND if none.
	UserByName(ctx context.Context, name string) (User, error)
	// User returns the user with that ID; ENOTFOUND if none.
	User(ctx context.Context, id string) (User, error)

	// CreateLogin adds l; ECONFLICT if the token is taken.
	CreateLogin(ctx context.Context, l Login) error
	// LoginByToken returns the login with that token hash; ENOTFOUND if
	// none (expiry is the caller's to check).
	LoginByToken(ctx context.Context, token string) (Login, error)
	// DeleteLogin removes the login; no error if it is not there.
	DeleteLogin(ctx context.Context, token string) error
	// Logins lists a user's logins (expired ones included), oldest first.
	Logins(ctx context.Context, user string) ([]Login, error)
	// DeleteLogins removes the user's logins whose ID (Login.ID) is in
	// ids, or all of them when ids is nil; it returns how many it removed.
	DeleteLogins(ctx context.Context, user string, ids []string) (int, error)

	// Users lists the users, oldest first.
	Users(ctx context.Context) ([]User, error)
	// SetPassword replaces the user's password hash and, in the same
	// transaction, removes the user's logins (a new password signs out
	// everywhere). ENOTFOUND if none.
	SetPassword(ctx context.Context, user, hash string) error
	// DeleteUser removes the user and its logins in one transaction.
	// ENOTFOUND if none; ECONFLICT if the user still owns negotiations or
	// classes (nothing changes then).
	DeleteUser(ctx context.Context, id string) error

	// CreateNegotiation adds n; ECONFLICT if the ID is taken.
	CreateNegotiation(ctx context.Context, n Negotiation) error
	// Negotiation returns the negotiation; ENOTFOUND if none.
	Negotiation(ctx context.Context, id string) (Negotiation, error)
	// Negotiations lists the negotiations of an owner (all when owner is
	// ""), oldest first.
	Negotiations(ctx context.Context, owner string) ([]Negotiation, error)
	// NegotiationsOfClass lists a class's negotiations, oldest first.
	NegotiationsOfClass(ctx context.Context, class string) ([]Negotiation, error)
	// ArchiveNegotiation sets the negotiation's Archived to at (the zero
	// time restores it). ENOTFOUND if none.
	ArchiveNegotiation(ctx context.Context, id string, at time.Time) error
	// DeleteNegotiation removes the negotiation with its invites and its
	// log, in one transaction. ENOTFOUND if none.
	DeleteNegotiation(ctx context.Context, id string) error
	// KeepRecord deletes the negotiation as DeleteNegotiation does and,
	// in the same transaction, stores r (r.Negotiation is its ID) in its
	// place. ENOTFOUND if none; ECONFLICT if a record of that ID is kept
	// already.
	KeepRecord(ctx context.Context, r KeptRecord) error
	// KeptRecords lists an owner's kept records (all when owner is ""),
	// oldest first.
	KeptRecords(ctx context.Context, owner string) ([]KeptRecord, error)
	// KeptRecord returns the kept record of negotiation id; ENOTFOUND if
	// none.
	KeptRecord(ctx context.Context, id string) (KeptRecord, error)
	// DeleteKeptRecord removes it; ENOTFOUND if none.
	DeleteKeptRecord(ctx context.Context, id string) error

	// UpdateNegotiation replaces the scenario and settings of n.ID;
	// ENOTFOUND if none.
	UpdateNegotiation(ctx context.Context, id string, scenario, settings []byte) error

	// CreateInvite adds inv; ECONFLICT if the token, or the ID within
	// the negotiation, is taken; EINVALID without an ID.
	CreateInvite(ctx context.Context, inv Invite) error
	// InviteByToken returns the invite with that token hash; ENOTFOUND if
	// none (expiry is the caller's to check).
	InviteByToken(ctx context.Context, token string) (Invite, error)
	// Invites lists a negotiation's invites, oldest first.
	Invites(ctx context.Context, negotiation string) ([]Invite, error)
	// RevokeInvites, in one transaction, marks the invites of negotiation
	// with the given IDs revoked as r says and, when add is not nil, adds
	// add. ENOTFOUND if an ID names no invite of the negotiation,
	// ECONFLICT if one is already revoked or add's token or ID is taken;
	// nothing changes then.
	RevokeInvites(ctx context.Context, negotiation string, ids []string, r Revocation, add *Invite) error
	// MarkInviteUsed records the first use of an invite: it sets Used to
	// at unless Used is already set (no error then). ENOTFOUND if none.
	MarkInviteUsed(ctx context.Context, negotiation, id string, at time.Time) error
	// MarkProfileSaved sets the invite's ProfileSaved to at. ENOTFOUND if
	// none.
	MarkProfileSaved(ctx context.Context, negotiation, id string, at time.Time) error
	// MarkInviteSeen sets the invite's Seen to at. ENOTFOUND if none.
	MarkInviteSeen(ctx context.Context, negotiation, id string, at time.Time) error

	// CreateClass adds c; ECONFLICT if the ID is taken.
	CreateClass(ctx context.Context, c Class) error
	// Class returns the class; ENOTFOUND if none.
	Class(ctx context.Context, id string) (Class, error)
	// Classes lists an owner's classes, oldest first.
	Classes(ctx context.Context, owner string) ([]Class, error)
	// ArchiveClass sets the class's Archived to at (the zero time
	// restores it). ENOTFOUND if none.
	ArchiveClass(ctx context.Context, id string, at time.Time) error
	// DeleteClass removes the class with its negotiations, their invites
	// and their logs, in one transaction. ENOTFOUND if none.
	DeleteClass(ctx context.Context, id string) error

	// CreateShuttle adds sh; ECONFLICT if the ID is taken.
	CreateShuttle(ctx context.Context, sh Shuttle) error
	// Shuttle returns the shuttle; ENOTFOUND if none.
	Shuttle(ctx context.Context, id string) (Shuttle, error)
	// Shuttles lists an owner's shuttles, oldest first.
	Shuttles(ctx context.Context, owner string) ([]Shuttle, error)
	// DeleteShuttle removes the shuttle with its tables (the negotiations
	// whose Class is its ID), their invites and their logs, in one
	// transaction. ENOTFOUND if none.
	DeleteShuttle(ctx context.Context, id string) error

	// AppendEvents appends events to a negotiation's log in one
	// transaction. The first event's Seq must be one more than the last
	// stored (1 for an empty log) and the rest must follow on; otherwise
	// nothing is stored and the error's Code is ECONFLICT. ENOTFOUND if
	// the negotiation does not exist.
	AppendEvents(ctx context.Context, negotiation string, events []session.Event) error
	// Events returns a negotiation's log in order (empty if not started).
	Events(ctx context.Context, negotiation string) ([]session.Event, error)

	// Close releases the store.
	Close() error
}
