package room

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// Seats and their credentials.
//
// A party's seat and a verifier's seat have one credential at a time. The
// negotiation's owner issues it; issuing another while one is active takes
// an explicit re-issue, which revokes the one before at once (with the
// observers its delegation invited, who may have been invited by whoever
// held the leaked credential). Once the session has started, a re-issue is
// recorded in the log (session.KindSeat), visible to the seat and the
// mediator; the seat's history in the view shows it in any case. The
// owner invites public observers only: the observers of a party's seat are
// invited, listed and revoked by that party's delegation.

// Statuses of an invitation, and of a seat without one.
const (
	InviteIssued  = "issued"  // not used yet
	InviteJoined  = "joined"  // used at least once
	InviteRevoked = "revoked" // revoked: it opens nothing
	InviteExpired = "expired" // past its lifetime: it opens nothing
	SeatVacant    = "vacant"  // no invitation was ever issued for the seat
)

// SeatRequest asks for an invitation: to a party's seat (Party), a
// verifier's seat (Verifier), or as an observer (Observer; of Party's
// seat, or public when Party is "").
type SeatRequest struct {
	Party    string
	Verifier string
	Observer bool
	Person   string
	// TTL is the invitation's lifetime.
	TTL time.Duration
	// Reissue revokes the seat's active credential and issues a new one;
	// without it, a seat that has an active credential is not issued
	// another (ECONFLICT).
	Reissue bool
	// Reason says why the seat is (re-)issued; the seat sees it.
	Reason string
}

// InviteInfo is an invitation as listed: no token, with its status.
type InviteInfo struct {
	Invite
	Status string `json:"status"`
}

// SeatNotice tells a seat's holder that its seat was re-issued: when, by
// whom (the mediator's seat; "" for the negotiation's host when the
// session has no mediator) and why.
type SeatNotice struct {
	At     time.Time `json:"at"`
	By     string    `json:"by,omitempty"`
	Reason string    `json:"reason,omitempty"`
}

// SeatStatus is one seat — a party's or a verifier's — and its
// credentials.
type SeatStatus struct {
	Party    string `json:"party,omitempty"`
	Verifier string `json:"verifier,omitempty"`
	// Status is "joined" or "issued" while a credential is active,
	// otherwise that of the newest credential (revoked or expired), or
	// "vacant" when none was ever issued.
	Status string `json:"status"`
	// ProfileSaved tells whether a holder of the seat saved its profile.
	ProfileSaved bool `json:"profile_saved"`
	// LastActive is when a holder of the seat was last active: joined,
	// saved its profile, or presented its invitation (recorded at most
	// every SeenEvery); zero: never.
	LastActive time.Time `json:"last_active,omitzero"`
	// Invitations are the seat's credentials, oldest first.
	Invitations []InviteInfo `json:"invitations"`
	// Reissued lists the times the seat was re-issued, oldest first.
	Reissued []SeatNotice `json:"reissued,omitempty"`
	// Observers counts the active invitations of observers of the seat
	// (which its delegation issues).
	Observers int `json:"observers"`
}

// Seats lists seats and observers' invitations as one viewer may see them.
type Seats struct {
	Seats []SeatStatus `json:"seats"`
	// Observers are observers' invitations: for the owner, the public
	// observers'; for a party, its delegation's observers'.
	Observers []InviteInfo `json:"observers"`
}

// Invite creates an invitation to negotiation id for party (or a public
// observer seat, observer with no party) and returns its secret token,
// which is not stored. See Issue.
func (s *Service) Invite(ctx context.Context, user, id, party, person string, observer bool, ttl time.Duration) (string, Invite, error) {
	return s.Issue(ctx, Viewer{User: user}, id, SeatRequest{Party: party, Person: person, Observer: observer, TTL: ttl})
}

// InviteVerifier creates an invitation to negotiation id for one of the
// scenario's plan's verifiers and returns its secret token. The holder
// files that verifier's reports once there is an agreement. See Issue.
func (s *Service) InviteVerifier(ctx context.Context, user, id, verifier, person string, ttl time.Duration) (string, Invite, error) {
	return s.Issue(ctx, Viewer{User: user}, id, SeatRequest{Verifier: verifier, Person: person, TTL: ttl})
}

// Issue creates an invitation and returns its secret token, which is not
// stored. The negotiation's owner issues the seats of the parties and of
// the verifiers and public observers' invitations; a party's delegation
// issues the invitations of the observers of its own seat. A seat with an
// active credential gets a new one only when re-issued (req.Reissue),
// which revokes the active one and the observers of the seat, and records
// the re-issue in the session's log once it has started.
func (s *Service) Issue(ctx context.Context, v Viewer, id string, req SeatRequest) (string, Invite, error) {
	l, role, party, err := s.access(ctx, v, id)
	if err != nil {
		return "", Invite{}, err
	}
	inv := Invite{Negotiation: id, Party: req.Party, Person: strings.TrimSpace(req.Person), Observer: req.Observer,
		Verifier: req.Verifier, Note: strings.TrimSpace(req.Reason)}
	switch role {
	case roleOwner:
		if err := l.checkOwnerInvite(&inv); err != nil {
			return "", Invite{}, err
		}
	case roleParty:
		if inv.Verifier != "" || !inv.Observer || (inv.Party != "" && inv.Party != party) {
			return "", Invite{}, Errorf(EFORBIDDEN, "a delegation invites observers of its own seat (%s) only; the mediator issues the seats", party)
		}
		inv.Party, inv.IssuedBy = party, party
	case roleSeatMediator:
		return "", Invite{}, Errorf(EFORBIDDEN, "the negotiation's owner issues the seats; the mediator's seat held by invitation issues none")
	default:
		return "", Invite{}, Errorf(EFORBIDDEN, "only the mediator and the parties' delegations issue invitations")
	}
	if inv.Observer && req.Reissue {
		return "", Invite{}, Errorf(EINVALID, "only a party's or a verifier's seat is re-issued; an observer's invitation is revoked, and another one issued")
	}
	if len(inv.Person) > MaxName {
		return "", Invite{}, Errorf(EINVALID, "person: %d bytes, at most %d", len(inv.Person), MaxName)
	}
	if len(inv.Note) > MaxMessage {
		return "", Invite{}, Errorf(EINVALID, "reason: %d bytes, at most %d", len(inv.Note), MaxMessage)
	}
	if req.TTL <= 0 || req.TTL > MaxInviteTTL {
		return "", Invite{}, Errorf(EINVALID, "invitation lifetime %v: want more than 0 and at most %v", req.TTL, MaxInviteTTL)
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	now := s.clock().UTC()
	token, hash := NewToken()
	inv.ID, inv.Token, inv.Created, inv.Expires = newID(), hash, now, now.Add(req.TTL)
	var revoke []string
	if inv.Holds() {
		all, err := s.store.Invites(ctx, id)
		if err != nil {
			return "", Invite{}, fmt.Errorf("room: invite: %w", err)
		}
		var active []Invite
		for _, o := range all {
			if o.Holds() && o.Party == inv.Party && o.Verifier == inv.Verifier {
				inv.Reissued = true
				if o.Active(now) {
					active = append(active, o)
				}
			}
		}
		if len(active) > 0 && !req.Reissue {
			last := active[len(active)-1]
			return "", Invite{}, Errorf(ECONFLICT, "%s already has an active invitation (issued %s, %s): re-issue the seat to revoke it and issue a new one",
				l.seatName(inv.Party, inv.Verifier), last.Created.Format(time.RFC3339), describeUse(&last))
		}
		if len(active) > 0 {
			revoke = l.revocable(all, active, now)
		}
	}
	reason := "the seat was re-issued"
	if inv.Note != "" {
		reason += ": " + inv.Note
	}
	if err := s.store.RevokeInvites(ctx, id, revoke, Revocation{At: now, By: inv.IssuedBy, Reason: reason}, &inv); err != nil {
		return "", Invite{}, fmt.Errorf("room: invite: %w", err)
	}
	s.seatWatch.notify(id)
	if inv.Reissued && l.sess != nil {
		seat := inv.Party
		if inv.Verifier != "" {
			seat = inv.Verifier
		}
		if err := s.recordSeat(ctx, l, seat, inv.Note); err != nil {
			return "", Invite{}, err
		}
	}
	return token, inv, nil
}

// hosted loads negotiation id for whoever acts from its mediator's seat:
// its owner (a signed-in user), or the holder of an invitation to the
// mediator's seat (a class's student mediator). Anyone else is refused:
// a user who is not the owner as not found, an invitation to another seat
// as forbidden.
func (s *Service) hosted(ctx context.Context, v Viewer, id string) (*live, error) {
	if v.User != "" {
		return s.owned(ctx, v.User, id)
	}
	l, role, _, err := s.access(ctx, v, id)
	if err != nil {
		return nil, err
	}
	if role != roleSeatMediator {
		return nil, Errorf(EFORBIDDEN, "the analysis is the mediator's")
	}
	return l, nil
}

// mediatorSeatable reports whether the mediator's seat of the negotiation
// may be issued to a person (a student mediator): a class's room (not a
// table of shuttle talks) whose protocol has a mediator and that no
// automatic mediator plays. Elsewhere the owner takes that seat. l.mu need not be held: the fields read do not
// change.
func (l *live) mediatorSeatable() error {
	switch {
	case l.neg.Class == "":
		return Errorf(EINVALID, "party %q is the mediator: the negotiation's owner takes that seat (only a class's rooms seat a student mediator)", mediatorOf(l.sc))
	case l.shuttle:
		return Errorf(EINVALID, "party %q is the mediator: at every table of shuttle talks the owner, who alone sees the combined view, takes that seat", mediatorOf(l.sc))
	case !mediated(l.settings.Protocol):
		return Errorf(EINVALID, "protocol %q has no mediator: there is no mediator's seat to issue", l.settings.Protocol)
	case l.settings.AutoMediator != "":
		return Errorf(EINVALID, "an automatic mediator (%s) plays the mediator's seat of this room: it is not issued to a person", l.settings.AutoMediator)
	}
	return nil
}

// checkOwnerInvite checks an invitation the negotiation's owner asks for.
func (l *live) checkOwnerInvite(inv *Invite) error {
	switch {
	case inv.Verifier != "" && (inv.Party != "" || inv.Observer):
		return Errorf(EINVALID, "an invitation is for a party, an observer or a verifier: give party or verifier, not both")
	case inv.Verifier != "":
		if l.sc.Plan == nil {
			return Errorf(EINVALID, "scenario %q has no implementation plan, so no verifiers", l.sc.Name)
		}
		if l.sc.Plan.Verifier(inv.Verifier) == nil {
			return Errorf(EINVALID, "the plan has no verifier %q (verifiers: %s)", inv.Verifier, strings.Join(l.sc.Plan.VerifierIDs(), ", "))
		}
	case inv.Observer && inv.Party != "":
		if l.sc.Party(inv.Party) == nil {
			return Errorf(EINVALID, "scenario has no party %q", inv.Party)
		}
		return Errorf(EFORBIDDEN, "observers of %s's seat are invited by its delegation, not by the mediator; the mediator invites public observers (no party)", inv.Party)
	case inv.Observer:
	default:
		p := l.sc.Party(inv.Party)
		if p == nil {
			return Errorf(EINVALID, "scenario has no party %q", inv.Party)
		}
		if p.Role == scenario.Mediator {
			if inv.Party != mediatorOf(l.sc) {
				return Errorf(EINVALID, "party %q is a mediator, but the room's mediator's seat is %q's", inv.Party, mediatorOf(l.sc))
			}
			return l.mediatorSeatable()
		}
	}
	return nil
}

// revocable returns the IDs to revoke with the active credentials of a
// seat: those credentials and, for a party's seat, the active invitations
// of the observers of the seat.
func (l *live) revocable(all, active []Invite, now time.Time) []string {
	var ids []string
	for _, a := range active {
		ids = append(ids, a.ID)
	}
	party := active[0].Party
	if party == "" {
		return ids
	}
	for _, o := range all {
		if o.Observer && o.Party == party && o.Active(now) {
			ids = append(ids, o.ID)
		}
	}
	return ids
}

// recordSeat records in the session's log that the seat was re-issued.
// l.mu must be held and the session started. Seats the session does not
// know (a party that does not negotiate) get no record: their history is
// in the view.
func (s *Service) recordSeat(ctx context.Context, l *live, seat, reason string) error {
	cfg := &l.sess.Config
	if !slices.Contains(cfg.Parties, seat) && !slices.Contains(cfg.Verifiers, seat) {
		return nil
	}
	_, err := s.commit(ctx, l, session.Move{Kind: session.KindSeat, Party: cfg.Mediator, To: []string{seat}, Message: reason})
	if err != nil {
		return fmt.Errorf("room: the seat of %s was re-issued, but the record of it was not stored: %w", seat, err)
	}
	return nil
}

// Revoke revokes an invitation: the negotiation's owner revokes the seats'
// credentials and public observers' invitations, a party's delegation the
// invitations of its observers. Revoking a party's active credential also
// revokes the invitations of the observers of its seat. An invitation the
// caller may not revoke is not found.
func (s *Service) Revoke(ctx context.Context, v Viewer, id, invite, reason string) (InviteInfo, error) {
	l, role, party, err := s.access(ctx, v, id)
	if err != nil {
		return InviteInfo{}, err
	}
	by := ""
	switch role {
	case roleOwner:
	case roleParty:
		by = party
	case roleSeatMediator:
		return InviteInfo{}, Errorf(EFORBIDDEN, "the negotiation's owner revokes the seats; the mediator's seat held by invitation revokes none")
	default:
		return InviteInfo{}, Errorf(EFORBIDDEN, "only the mediator and the parties' delegations revoke invitations")
	}
	reason = strings.TrimSpace(reason)
	if len(reason) > MaxMessage {
		return InviteInfo{}, Errorf(EINVALID, "reason: %d bytes, at most %d", len(reason), MaxMessage)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	all, err := s.store.Invites(ctx, id)
	if err != nil {
		return InviteInfo{}, fmt.Errorf("room: revoke: %w", err)
	}
	i := slices.IndexFunc(all, func(inv Invite) bool { return inv.ID == invite && mayRevoke(&inv, role, party) })
	if i < 0 {
		return InviteInfo{}, Errorf(ENOTFOUND, "no invitation %q of yours to revoke", invite)
	}
	target := all[i]
	if !target.Revoked.IsZero() {
		return InviteInfo{}, Errorf(ECONFLICT, "invitation %q was already revoked on %s", invite, target.Revoked.Format(time.RFC3339))
	}
	now := s.clock().UTC()
	ids := []string{target.ID}
	if target.Holds() && target.Active(now) {
		ids = l.revocable(all, []Invite{target}, now)
	}
	if err := s.store.RevokeInvites(ctx, id, ids, Revocation{At: now, By: by, Reason: reason}, nil); err != nil {
		return InviteInfo{}, fmt.Errorf("room: revoke: %w", err)
	}
	target.Revoked, target.RevokedBy, target.RevokeReason = now, by, reason
	s.seatWatch.notify(id)
	return infoOf(target, now), nil
}

// mayRevoke reports whether a viewer of the role and seat may revoke
// (and list in detail) the invitation: the owner everything but the
// observers of a party's seat (those of its own seat, the mediator's,
// only exist from before the rule), a party the observers of its own seat.
func mayRevoke(inv *Invite, role, party string) bool {
	if role == roleParty {
		return inv.Observer && inv.Party == party
	}
	return role == roleOwner && !(inv.Observer && inv.Party != "" && inv.Party != party)
}

// Seats lists the seats and invitations viewer v may see: the owner every
// seat's status and credentials (no tokens), a count only of the
// observers each delegation invited, and the public observers; a party its
// own seat's history and its observers; a verifier its own seat's history.
func (s *Service) Seats(ctx context.Context, v Viewer, id string) (*Seats, error) {
	l, role, party, err := s.access(ctx, v, id)
	if err != nil {
		return nil, err
	}
	if role == roleObserver {
		return nil, Errorf(EFORBIDDEN, "observers see no invitations")
	}
	if role == roleSeatMediator {
		return nil, Errorf(EFORBIDDEN, "the seats are issued by the negotiation's owner; the mediator's seat held by invitation sees none")
	}
	all, err := s.store.Invites(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("room: invitations: %w", err)
	}
	now := s.clock().UTC()
	l.mu.Lock()
	defer l.mu.Unlock()
	out := &Seats{Seats: []SeatStatus{}, Observers: []InviteInfo{}}
	switch role {
	case roleOwner:
		for _, p := range l.sc.Parties {
			if p.Role != scenario.Mediator || (p.ID == mediatorOf(l.sc) && l.mediatorSeatable() == nil) {
				out.Seats = append(out.Seats, l.seatStatus(all, now, p.ID, ""))
			}
		}
		if l.sc.Plan != nil {
			for _, vid := range l.sc.Plan.VerifierIDs() {
				out.Seats = append(out.Seats, l.seatStatus(all, now, "", vid))
			}
		}
	case roleParty:
		out.Seats = append(out.Seats, l.seatStatus(all, now, party, ""))
	case roleVerifier:
		out.Seats = append(out.Seats, l.seatStatus(all, now, "", party))
	}
	for _, inv := range all {
		if inv.Observer && mayRevoke(&inv, role, party) {
			out.Observers = append(out.Observers, infoOf(inv, now))
		}
	}
	return out, nil
}

// seatStatus sums up the seat of a party or a verifier. l.mu must be held.
func (l *live) seatStatus(all []Invite, now time.Time, party, verifier string) SeatStatus {
	st := SeatStatus{Party: party, Verifier: verifier, Status: SeatVacant, Invitations: []InviteInfo{}}
	host := l.hostSeat()
	active := false
	for _, inv := range all {
		if inv.Observer {
			if verifier == "" && inv.Party == party && inv.Active(now) {
				st.Observers++
			}
			continue
		}
		if !inv.Holds() || inv.Party != party || inv.Verifier != verifier {
			continue
		}
		info := infoOf(inv, now)
		st.Invitations = append(st.Invitations, info)
		if inv.Active(now) {
			st.Status, active = info.Status, true
		} else if !active {
			st.Status = info.Status
		}
		if !inv.ProfileSaved.IsZero() {
			st.ProfileSaved = true
		}
		st.LastActive = lastActive(&inv, st.LastActive)
		if inv.Reissued {
			st.Reissued = append(st.Reissued, SeatNotice{At: inv.Created, By: host, Reason: inv.Note})
		}
	}
	return st
}

// hostSeat is the seat the negotiation's owner acts from in the session:
// the mediator's, or "" when the protocol has no mediator.
func (l *live) hostSeat() string {
	if mediated(l.settings.Protocol) {
		return mediatorOf(l.sc)
	}
	return ""
}

// seatName names a seat in messages.
func (l *live) seatName(party, verifier string) string {
	if verifier != "" {
		return "the seat of verifier " + verifier
	}
	return party + "'s seat"
}

// infoOf is the listed form of an invitation at now.
func infoOf(inv Invite, now time.Time) InviteInfo {
	status := InviteIssued
	switch {
	case !inv.Revoked.IsZero():
		status = InviteRevoked
	case !now.Before(inv.Expires):
		status = InviteExpired
	case !inv.Used.IsZero():
		status = InviteJoined
	}
	return InviteInfo{Invite: inv, Status: status}
}

// describeUse says whether an invitation was used.
func describeUse(inv *Invite) string {
	if inv.Used.IsZero() {
		return "not used yet"
	}
	return "first used " + inv.Used.Format(time.RFC3339)
}

// seatOf returns the seat's status for a party or a verifier viewing its
// own seat (nil for anyone else), from the store.
func (s *Service) seatOf(ctx context.Context, l *live, role, party string) (*SeatStatus, error) {
	if role != roleParty && role != roleVerifier {
		return nil, nil
	}
	all, err := s.store.Invites(ctx, l.neg.ID)
	if err != nil {
		return nil, fmt.Errorf("room: the seat's invitations: %w", err)
	}
	now := s.clock().UTC()
	l.mu.Lock()
	defer l.mu.Unlock()
	var st SeatStatus
	if role == roleVerifier {
		st = l.seatStatus(all, now, "", party)
	} else {
		st = l.seatStatus(all, now, party, "")
	}
	return &st, nil
}

// markProfileSaved records on the active credentials of a party's seat that
// its profile was saved.
func (s *Service) markProfileSaved(ctx context.Context, id, party string) error {
	all, err := s.store.Invites(ctx, id)
	if err != nil {
		return fmt.Errorf("room: record the profile saved: %w", err)
	}
	now := s.clock().UTC()
	for _, inv := range all {
		if inv.Holds() && inv.Verifier == "" && inv.Party == party && inv.Active(now) {
			if err := s.store.MarkProfileSaved(ctx, id, inv.ID, now); err != nil {
				return fmt.Errorf("room: record the profile saved: %w", err)
			}
		}
	}
	s.seatWatch.notify(id)
	return nil
}
