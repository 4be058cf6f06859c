package room_test

import (
	"slices"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/session"
)

func seatOfParty(s *room.Seats, party string) room.SeatStatus {
	for _, st := range s.Seats {
		if st.Party == party {
			return st
		}
	}
	return room.SeatStatus{}
}

// signalled reports whether c got a signal (within a moment).
func signalled(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	case <-time.After(time.Second):
		return false
	}
}

// quiet reports whether c got no signal.
func quiet(c <-chan struct{}) bool {
	select {
	case <-c:
		return false
	default:
		return true
	}
}

// TestReadiness: the owner's seats say, per party, joined, profile saved
// and last active; the last activity is recorded at most every
// SeenEvery; the owner's watch is signalled on every change (issue, join,
// activity, profile saved, revoke), and nobody else may watch.
func TestReadiness(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
	f := newMiamiOn(t, room.Settings{Protocol: session.SingleText}, clock.now)
	joined := clock.now()

	c, cancel, err := f.svc.WatchSeats(f.ctx, f.user, f.neg)
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	for _, v := range []room.Viewer{f.parties["russia"], {User: "someone-else"}} {
		if _, _, err := f.svc.WatchSeats(f.ctx, v.User, f.neg); room.ErrorCode(err) != room.ENOTFOUND {
			t.Errorf("WatchSeats as %+v: %v, want ENOTFOUND", v, err)
		}
	}

	ru := seatOfParty(f.seats(f.mediator()), "russia")
	if ru.Status != room.InviteJoined || ru.ProfileSaved || !ru.LastActive.Equal(joined) {
		t.Errorf("russia after joining: %+v; want joined at %v, no profile", ru, joined)
	}

	// Within SeenEvery: nothing recorded, no signal.
	clock.set(clock.now().Add(room.SeenEvery / 2))
	f.join(f.tokens["russia"])
	if !quiet(c) {
		t.Error("a request within SeenEvery of the last record signalled the watch")
	}
	if got := seatOfParty(f.seats(f.mediator()), "russia").LastActive; !got.Equal(joined) {
		t.Errorf("last active %v after a request within SeenEvery, want %v", got, joined)
	}
	// After SeenEvery: recorded, signalled.
	clock.set(clock.now().Add(room.SeenEvery))
	f.join(f.tokens["russia"])
	if !signalled(c) {
		t.Error("activity after SeenEvery did not signal the watch")
	}
	if got, want := seatOfParty(f.seats(f.mediator()), "russia").LastActive, clock.now(); !got.Equal(want) {
		t.Errorf("last active %v, want %v", got, want)
	}

	// A profile saved.
	clock.set(clock.now().Add(time.Second))
	p := f.view(f.parties["ukraine"]).Profile
	if err := f.svc.SetProfile(f.ctx, f.parties["ukraine"], f.neg, p); err != nil {
		t.Fatal(err)
	}
	if !signalled(c) {
		t.Error("a profile saved did not signal the watch")
	}
	uk := seatOfParty(f.seats(f.mediator()), "ukraine")
	if !uk.ProfileSaved || !uk.LastActive.Equal(clock.now()) {
		t.Errorf("ukraine after saving: %+v", uk)
	}

	// Re-issue, then a join of the new link; revoke.
	clock.set(clock.now().Add(time.Second))
	tok, _ := f.issue(f.mediator(), room.SeatRequest{Party: "europe", Reissue: true, Reason: "lost"})
	if !signalled(c) {
		t.Error("a re-issue did not signal the watch")
	}
	eu := seatOfParty(f.seats(f.mediator()), "europe")
	if eu.Status != room.InviteIssued {
		t.Errorf("europe after the re-issue: status %q, want issued (the new link not used)", eu.Status)
	}
	f.join(tok)
	if !signalled(c) {
		t.Error("joining did not signal the watch")
	}
	eu = seatOfParty(f.seats(f.mediator()), "europe")
	if eu.Status != room.InviteJoined {
		t.Errorf("europe after joining: status %q, want joined", eu.Status)
	}
	last := eu.Invitations[len(eu.Invitations)-1]
	if _, err := f.svc.Revoke(f.ctx, f.mediator(), f.neg, last.ID, ""); err != nil {
		t.Fatal(err)
	}
	if !signalled(c) {
		t.Error("a revocation did not signal the watch")
	}
	cancel()
	cancel() // twice is harmless
	f.issue(f.mediator(), room.SeatRequest{Party: "europe"})
	if !quiet(c) {
		t.Error("a cancelled watch was signalled")
	}
}

// TestArchiveAndDelete: the owner archives a negotiation (it leaves the
// current list, keeps its record, opens as before), restores it, and
// deletes it (with the confirmation): it is gone with its invitations,
// its open streams end, and the owner's watch is told. Nobody else may
// do any of it.
func TestArchiveAndDelete(t *testing.T) {
	f := newMiami(t, room.Settings{Protocol: session.SingleText})
	if err := f.svc.Start(f.ctx, f.user, f.neg); err != nil {
		t.Fatal(err)
	}
	ids := func(archived bool) []string {
		t.Helper()
		ns, err := f.svc.NegotiationsOf(f.ctx, f.user, archived)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, n := range ns {
			out = append(out, n.ID)
		}
		return out
	}
	for _, v := range []room.Viewer{f.parties["russia"], {User: "someone-else"}} {
		if _, err := f.svc.Archive(f.ctx, v.User, f.neg, true); room.ErrorCode(err) != room.ENOTFOUND {
			t.Errorf("Archive as %+v: %v, want ENOTFOUND", v, err)
		}
		if err := f.svc.Delete(f.ctx, v.User, f.neg, f.neg); room.ErrorCode(err) != room.ENOTFOUND {
			t.Errorf("Delete as %+v: %v, want ENOTFOUND", v, err)
		}
	}
	n, err := f.svc.Archive(f.ctx, f.user, f.neg, true)
	if err != nil || n.Archived.IsZero() {
		t.Fatalf("Archive: %+v, %v", n, err)
	}
	if got := ids(false); len(got) != 0 {
		t.Errorf("current negotiations after archiving: %v, want none", got)
	}
	if got := ids(true); !slices.Equal(got, []string{f.neg}) {
		t.Errorf("archived negotiations: %v, want [%s]", got, f.neg)
	}
	// The record is kept and the room works.
	if v := f.view(f.parties["russia"]); !v.Started {
		t.Errorf("an archived negotiation's view: %+v", v)
	}
	f.submit(f.parties["russia"], session.Move{Kind: session.KindMessage, Message: "still here", To: []string{"us"}})
	if n, err = f.svc.Archive(f.ctx, f.user, f.neg, false); err != nil || !n.Archived.IsZero() {
		t.Fatalf("restore: %+v, %v", n, err)
	}
	if got := ids(false); !slices.Equal(got, []string{f.neg}) {
		t.Errorf("current negotiations after restoring: %v", got)
	}

	sub, err := f.svc.Subscribe(f.ctx, f.parties["ukraine"], f.neg, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	watch, cancel, err := f.svc.WatchSeats(f.ctx, f.user, f.neg)
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	if err := f.svc.Delete(f.ctx, f.user, f.neg, "yes"); room.ErrorCode(err) != room.EINVALID {
		t.Errorf("Delete without the confirmation: %v, want EINVALID", err)
	}
	if err := f.svc.Delete(f.ctx, f.user, f.neg, f.neg); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-sub.C; ok {
		t.Error("a subscription of a deleted negotiation is still open")
	}
	sub.Cancel() // harmless after the deletion
	if !signalled(watch) {
		t.Error("the deletion did not signal the owner's watch")
	}
	if _, err := f.svc.View(f.ctx, f.mediator(), f.neg); room.ErrorCode(err) != room.ENOTFOUND {
		t.Errorf("View after the deletion: %v, want ENOTFOUND", err)
	}
	if _, err := f.svc.Seats(f.ctx, f.mediator(), f.neg); room.ErrorCode(err) != room.ENOTFOUND {
		t.Errorf("Seats after the deletion: %v, want ENOTFOUND", err)
	}
	if _, err := f.svc.Join(f.ctx, f.tokens["russia"]); room.ErrorCode(err) != room.EUNAUTHORIZED {
		t.Errorf("an invitation of a deleted negotiation: %v, want EUNAUTHORIZED", err)
	}
	if got := append(ids(false), ids(true)...); len(got) != 0 {
		t.Errorf("negotiations after the deletion: %v", got)
	}
}

// TestPreview: the owner previews a party's screen, read-only. With
// mediator_sees overlap it carries none of the party's numbers (profile,
// reservation, utilities); with full it carries them. Its events are
// those both the party and the mediator may see. Only the owner
// previews, and only a party's seat.
func TestPreview(t *testing.T) {
	for _, sees := range []string{room.MediatorOverlap, room.MediatorFull} {
		t.Run(sees, func(t *testing.T) {
			f := newMiami(t, room.Settings{Protocol: session.SingleText, Format: "bilateral", MediatorSees: sees})
			if err := f.svc.Start(f.ctx, f.user, f.neg); err != nil {
				t.Fatal(err)
			}
			f.submit(f.parties["ukraine"], session.Move{Kind: session.KindMessage, Message: "between us", To: []string{"europe"}})
			f.submit(f.parties["europe"], session.Move{Kind: session.KindMessage, Message: "to the mediator", To: []string{"us"}})
			text := make([][]int, len(f.view(f.mediator()).Framework.Points))
			for i := range text {
				text[i] = []int{0}
			}
			f.submit(f.mediator(), session.Move{Kind: session.KindDraft, Text: text})
			v, err := f.svc.Preview(f.ctx, f.user, f.neg, "europe")
			if err != nil {
				t.Fatal(err)
			}
			if v.Role != room.RolePreview || v.Party != "europe" || v.Seat != nil || !v.Started {
				t.Errorf("preview: role %q, party %q, seat %+v, started %v", v.Role, v.Party, v.Seat, v.Started)
			}
			full := sees == room.MediatorFull
			if (v.Profile != nil) != full || (v.Reservation != nil) != (full && f.view(f.parties["europe"]).Reservation != nil) || (len(v.Utilities) > 0) != full {
				t.Errorf("preview with mediator_sees %s: profile %v, reservation %v, %d utilities", sees, v.Profile != nil, v.Reservation, len(v.Utilities))
			}
			var msgs []string
			for _, e := range v.Events {
				if e.Kind == session.KindMessage {
					msgs = append(msgs, e.Move.Message)
				}
			}
			if !slices.Equal(msgs, []string{"to the mediator"}) {
				t.Errorf("preview's messages: %q, want only what the mediator sees too", msgs)
			}
			for _, bad := range []struct{ user, party, code string }{
				{"", "europe", room.ENOTFOUND},
				{"someone-else", "europe", room.ENOTFOUND},
				{f.user, "nobody", room.ENOTFOUND},
				{f.user, "us", room.EINVALID},
			} {
				if _, err := f.svc.Preview(f.ctx, bad.user, f.neg, bad.party); room.ErrorCode(err) != bad.code {
					t.Errorf("Preview(%q, %q): %v, want %s", bad.user, bad.party, err, bad.code)
				}
			}
		})
	}
}
