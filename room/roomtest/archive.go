package roomtest

import (
	"time"

	"testing"

	"github.com/parley-negotiation/parley/room"
)

// The mediator's console: archiving and deleting negotiations, and when a
// seat's holder was last active.

func testArchiveNegotiation(t *testing.T, s room.Store) {
	ctx := t.Context()
	setup(t, s, 1)
	n1, n2 := negotiation("n1", "u1", "", 1), negotiation("n2", "u1", "", 2)
	for _, n := range []room.Negotiation{n1, n2} {
		must(t, s.CreateNegotiation(ctx, n), "CreateNegotiation")
	}
	must(t, s.ArchiveNegotiation(ctx, "n1", at(10)), "ArchiveNegotiation")
	n1.Archived = at(10)
	got, err := s.Negotiation(ctx, "n1")
	must(t, err, "Negotiation")
	if !sameNegotiation(got, n1) {
		t.Errorf("archived: Negotiation = %+v, want %+v", got, n1)
	}
	list, err := s.Negotiations(ctx, "u1")
	must(t, err, "Negotiations")
	// The store lists archived negotiations with the others (the service
	// sorts them out), with their time.
	sameList(t, "Negotiations(u1) with one archived", list, []room.Negotiation{n1, n2}, sameNegotiation)

	// An archived negotiation created so (a copy of a store) reads back.
	n3 := negotiation("n3", "u1", "", 3)
	n3.Archived = at(20)
	must(t, s.CreateNegotiation(ctx, n3), "CreateNegotiation archived")
	got, err = s.Negotiation(ctx, "n3")
	must(t, err, "Negotiation")
	if !sameNegotiation(got, n3) {
		t.Errorf("created archived: Negotiation = %+v, want %+v", got, n3)
	}

	must(t, s.ArchiveNegotiation(ctx, "n1", zeroTime), "restore")
	n1.Archived = zeroTime
	got, err = s.Negotiation(ctx, "n1")
	must(t, err, "Negotiation")
	if !sameNegotiation(got, n1) || !got.Archived.IsZero() {
		t.Errorf("restored: Negotiation = %+v, want %+v", got, n1)
	}
	wantCode(t, s.ArchiveNegotiation(ctx, "missing", at(30)), room.ENOTFOUND, "ArchiveNegotiation of a missing negotiation")
}

func testDeleteNegotiation(t *testing.T, s room.Store) {
	ctx := t.Context()
	setup(t, s, 1)
	must(t, s.CreateNegotiation(ctx, negotiation("n1", "u1", "c1", 1)), "CreateNegotiation")
	keep := negotiation("n2", "u1", "c1", 2)
	must(t, s.CreateNegotiation(ctx, keep), "CreateNegotiation")
	gone := inviteOf("n1", "i1", "north", 10)
	kept := inviteOf("n2", "i1", "north", 11)
	must(t, s.CreateInvite(ctx, gone), "CreateInvite")
	must(t, s.CreateInvite(ctx, kept), "CreateInvite")
	must(t, s.AppendEvents(ctx, "n1", events(1, 3, "gone")), "AppendEvents")
	must(t, s.AppendEvents(ctx, "n2", events(1, 2, "kept")), "AppendEvents")

	must(t, s.DeleteNegotiation(ctx, "n1"), "DeleteNegotiation")
	_, err := s.Negotiation(ctx, "n1")
	wantCode(t, err, room.ENOTFOUND, "Negotiation after its deletion")
	_, err = s.InviteByToken(ctx, gone.Token)
	wantCode(t, err, room.ENOTFOUND, "an invite of a deleted negotiation")
	if ev, err := s.Events(ctx, "n1"); err != nil || len(ev) != 0 {
		t.Errorf("Events of a deleted negotiation = %d events, %v; want none", len(ev), err)
	}
	list, err := s.NegotiationsOfClass(ctx, "c1")
	must(t, err, "NegotiationsOfClass")
	sameList(t, "NegotiationsOfClass(c1) after a deletion", list, []room.Negotiation{keep}, sameNegotiation)

	// The other negotiation keeps everything.
	got, err := s.InviteByToken(ctx, kept.Token)
	must(t, err, "InviteByToken of the other negotiation")
	if !sameInvite(got, kept) {
		t.Errorf("InviteByToken = %+v, want %+v", got, kept)
	}
	sameEvents(t, "the other negotiation's log", logOf(t, s, "n2"), events(1, 2, "kept"))

	wantCode(t, s.DeleteNegotiation(ctx, "n1"), room.ENOTFOUND, "DeleteNegotiation twice")
	wantCode(t, s.DeleteNegotiation(ctx, "missing"), room.ENOTFOUND, "DeleteNegotiation of a missing negotiation")
	// The id may be used again.
	must(t, s.CreateNegotiation(ctx, negotiation("n1", "u1", "", 3)), "CreateNegotiation with a deleted negotiation's id")
	if ev, err := s.Events(ctx, "n1"); err != nil || len(ev) != 0 {
		t.Errorf("Events of a new negotiation with a deleted one's id = %d events, %v; want none", len(ev), err)
	}
}

func testMarkInviteSeen(t *testing.T, s room.Store) {
	ctx := t.Context()
	setup(t, s, 1)
	must(t, s.CreateNegotiation(ctx, negotiation("n1", "u1", "", 1)), "CreateNegotiation")
	inv := inviteOf("n1", "i1", "north", 10)
	must(t, s.CreateInvite(ctx, inv), "CreateInvite")
	must(t, s.MarkInviteSeen(ctx, "n1", "i1", at(12)), "MarkInviteSeen")
	must(t, s.MarkInviteSeen(ctx, "n1", "i1", at(13)), "MarkInviteSeen again") // the last counts
	inv.Seen = at(13)
	got, err := s.InviteByToken(ctx, inv.Token)
	must(t, err, "InviteByToken")
	if !sameInvite(got, inv) {
		t.Errorf("InviteByToken = %+v, want %+v", got, inv)
	}
	list, err := s.Invites(ctx, "n1")
	must(t, err, "Invites")
	sameList(t, "Invites(n1)", list, []room.Invite{inv}, sameInvite)
	wantCode(t, s.MarkInviteSeen(ctx, "n1", "missing", at(14)), room.ENOTFOUND, "MarkInviteSeen of a missing invite")
	wantCode(t, s.MarkInviteSeen(ctx, "n2", "i1", at(14)), room.ENOTFOUND, "MarkInviteSeen in another negotiation")
	wantCode(t, s.MarkInviteSeen(ctx, "n1", "i1", zeroTime), room.EINVALID, "MarkInviteSeen without a time")
}

// zeroTime is the zero time: "never", "not archived".
var zeroTime time.Time
