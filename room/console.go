package room

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// The mediator's console: the readiness of the seats as it changes,
// archiving and deleting negotiations, and the preview of a party's
// screen.

// SeenEvery is how often at most the last activity of a seat's holder is
// recorded: every request and open stream presents the invitation, and a
// write for each would be a write per request.
const SeenEvery = time.Minute

// seatWatchers are the owners' screens following the seats of their
// negotiations: each gets a signal (a buffered channel of one) when a
// seat changes — issued, revoked, joined, a profile saved, its holder
// active again. The zero value is ready for use.
type seatWatchers struct {
	mu sync.Mutex
	m  map[string]map[chan struct{}]struct{}
}

func (w *seatWatchers) add(id string) chan struct{} {
	c := make(chan struct{}, 1)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.m == nil {
		w.m = map[string]map[chan struct{}]struct{}{}
	}
	if w.m[id] == nil {
		w.m[id] = map[chan struct{}]struct{}{}
	}
	w.m[id][c] = struct{}{}
	return c
}

func (w *seatWatchers) remove(id string, c chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.m[id], c)
	if len(w.m[id]) == 0 {
		delete(w.m, id)
	}
}

// notify signals every watcher of negotiation id; a signal already
// waiting is as good as two.
func (w *seatWatchers) notify(id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for c := range w.m[id] {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

// WatchSeats follows the seats of negotiation id for its owner: C gets a
// signal whenever what Seats answers may have changed (read it again
// then), and when the negotiation is deleted (Seats then answers
// ENOTFOUND). Cancel stops it.
func (s *Service) WatchSeats(ctx context.Context, user, id string) (c <-chan struct{}, cancel func(), err error) {
	if _, err := s.owned(ctx, user, id); err != nil {
		return nil, nil, err
	}
	ch := s.seatWatch.add(id)
	var once sync.Once
	return ch, func() { once.Do(func() { s.seatWatch.remove(id, ch) }) }, nil
}

// seen records that the holder of inv is active at now: the first use,
// and the last activity at most every SeenEvery; the owner's screens are
// told.
func (s *Service) seen(ctx context.Context, inv *Invite, now time.Time) error {
	changed := false
	if inv.Used.IsZero() {
		if err := s.store.MarkInviteUsed(ctx, inv.Negotiation, inv.ID, now); err != nil {
			return fmt.Errorf("room: join: %w", err)
		}
		changed = true
	}
	if inv.Seen.IsZero() || now.Sub(inv.Seen) >= SeenEvery {
		if err := s.store.MarkInviteSeen(ctx, inv.Negotiation, inv.ID, now); err != nil {
			return fmt.Errorf("room: join: %w", err)
		}
		changed = true
	}
	if changed {
		s.seatWatch.notify(inv.Negotiation)
	}
	return nil
}

// lastActive is when the holders of a seat's credentials were last active
// (zero: never).
func lastActive(inv *Invite, last time.Time) time.Time {
	for _, t := range []time.Time{inv.Used, inv.Seen, inv.ProfileSaved} {
		if t.After(last) {
			last = t
		}
	}
	return last
}

// Archive archives negotiation id (archived false: restores it) for its
// owner: an archived negotiation leaves the list of current ones
// (Negotiations with archived), keeps its record and opens as before.
func (s *Service) Archive(ctx context.Context, user, id string, archived bool) (Negotiation, error) {
	l, err := s.owned(ctx, user, id)
	if err != nil {
		return Negotiation{}, err
	}
	var at time.Time
	if archived {
		at = s.clock().UTC()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if archived && !l.neg.Archived.IsZero() {
		at = l.neg.Archived // archived already: since then
	}
	if err := s.store.ArchiveNegotiation(ctx, id, at); err != nil {
		return Negotiation{}, fmt.Errorf("room: archive: %w", err)
	}
	l.neg.Archived = at
	return l.neg, nil
}

// Delete removes negotiation id, its invitations and its log, for its
// owner; confirm must repeat its id (a request cannot delete by
// accident). Its open streams end.
func (s *Service) Delete(ctx context.Context, user, id, confirm string) error {
	l, err := s.owned(ctx, user, id)
	if err != nil {
		return err
	}
	if confirm != id {
		return Errorf(EINVALID, "deleting a negotiation cannot be undone: confirm with its id (%q)", id)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := s.store.DeleteNegotiation(ctx, id); err != nil {
		return fmt.Errorf("room: delete: %w", err)
	}
	s.drop(l)
	return nil
}

// NegotiationsOf lists the user's negotiations, the archived ones or the
// others.
func (s *Service) NegotiationsOf(ctx context.Context, user string, archived bool) ([]Negotiation, error) {
	all, err := s.Negotiations(ctx, user)
	if err != nil {
		return nil, err
	}
	out := []Negotiation{}
	for _, n := range all {
		if n.Archived.IsZero() != archived {
			out = append(out, n)
		}
	}
	return out, nil
}

// RolePreview is the role of a View that shows the owner a party's screen
// (Preview): read-only.
const RolePreview = "preview"

// Preview returns, for the negotiation's owner, the View of party's seat
// as the owner may see it, read-only (Role RolePreview): the party's
// profile, reservation and utilities only when the settings let the
// mediator see the profiles (mediator_sees full), otherwise none of the
// party's numbers; of the events, those both the party and the owner may
// see; no blind bids, no seat credentials.
func (s *Service) Preview(ctx context.Context, user, id, party string) (*View, error) {
	l, err := s.owned(ctx, user, id)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	p := l.sc.Party(party)
	full := l.settings.MediatorSees == MediatorFull
	host := mediatorOf(l.sc)
	l.mu.Unlock()
	if p == nil {
		return nil, Errorf(ENOTFOUND, "the scenario has no party %q", party)
	}
	if p.Role == scenario.Mediator {
		return nil, Errorf(EINVALID, "%q is the mediator's seat: your own console", party)
	}
	v, err := s.View(ctx, Viewer{Negotiation: id, Party: party}, id)
	if err != nil {
		return nil, err
	}
	v.Role, v.Seat = RolePreview, nil
	if !full {
		v.Profile, v.Reservation, v.Utilities = nil, nil, nil
	}
	events := []session.Event{}
	for i := range v.Events {
		if mayView(&v.Events[i], roleOwner, host) {
			events = append(events, v.Events[i])
		}
	}
	v.Events = events
	if v.State != nil {
		v.State.MyBids = nil
		if host == "" {
			// Without a mediator's seat the owner sees no replies nor votes.
			v.State.Replies, v.State.Votes = nil, nil
		}
	}
	return v, nil
}
