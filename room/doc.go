// Package room is the negotiation room: negotiations people join through
// invitations, their sessions kept as the session engine's event logs in a
// Store, and what each participant may see of them.
//
// The package holds the domain types (User, Negotiation, Invite, Class),
// the Store contract that storage adapters implement (package sqlstore for
// SQLite and PostgreSQL), error codes that the HTTP shell maps to statuses,
// and the Service that runs live sessions: it appends every move to the
// store before acknowledging it, so a restart loses nothing acknowledged,
// and it filters every view and update by who is looking: the mediator, a
// party, an observer, or a verifier of the implementation plan, who files
// reports once there is an agreement and sees only the public record of it
// (implementation.go: the plan's status, the agreement document, the
// versions of the single text).
//
// Lock ordering: Service.mu is never held while a negotiation's live.mu is
// taken (it may be taken while holding one); no lock is held while a
// subscriber consumes its channel.
package room
