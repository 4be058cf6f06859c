package room_test

import (
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/session"
)

// studentClass creates a class of two tiny-2p rooms (single text) with
// north, south and a student mediator in each, and returns the class and
// each seat's viewer by "room/party".
func studentClass(t *testing.T, f *classFixture, sees string) (room.Class, []room.IssuedSeat, map[string]room.Viewer) {
	t.Helper()
	seats := seatsOf(2)
	seats = append(seats, room.Seat{Room: 1, Mediator: true, Person: "Mia"}, room.Seat{Room: 2, Mediator: true, Person: "Max"})
	c, issued, err := f.svc.CreateClass(f.ctx, f.user, f.sc, room.ClassSetup{Title: "Students mediate", Rooms: 2, Settings: room.Settings{MediatorSees: sees}, Seats: seats})
	if err != nil {
		t.Fatal(err)
	}
	vs := map[string]room.Viewer{}
	for _, s := range issued {
		v, err := f.svc.Join(f.ctx, s.Token)
		if err != nil {
			t.Fatal(err)
		}
		vs[string(rune('0'+s.Room))+"/"+s.Party] = v
	}
	return c, issued, vs
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if room.ErrorCode(err) != code {
		t.Fatalf("%s: %v, want %s", what, err, code)
	}
}

// TestStudentMediator: a class's student mediator holds its room's
// mediator's seat by invitation. It makes the mediator's moves and sees
// what the mediator's seat sees in its own room, nothing in another room,
// no party's profile unless the settings let the mediator see them, and
// has none of the owner's rights.
func TestStudentMediator(t *testing.T) {
	f := newClassFixture(t)
	c, issued, vs := studentClass(t, f, room.MediatorOverlap)
	med, med2 := vs["1/mediator"], vs["2/mediator"]
	// The seat is the room's (synthesized) mediator's, with the role's brief
	// on the parties' slips.
	for _, s := range issued {
		if s.Mediator != (s.Party == "mediator") {
			t.Errorf("issued seat %+v: mediator flag and party disagree", s.Seat)
		}
		if s.Party == "north" && (s.Brief == "" || s.Brief != f.sc.Party("north").Brief) {
			t.Errorf("north's slip brief %q, want north's brief", s.Brief)
		}
	}
	v, err := f.svc.View(f.ctx, med, med.Negotiation)
	if err != nil {
		t.Fatal(err)
	}
	if v.Role != "mediator" || !v.Invited || v.Party != "mediator" || v.Profile != nil {
		t.Fatalf("student mediator's view: role %q invited %v party %q profile %v", v.Role, v.Invited, v.Party, v.Profile != nil)
	}
	// Each party's view carries its own role's brief only.
	nv, err := f.svc.View(f.ctx, vs["1/north"], vs["1/north"].Negotiation)
	if err != nil {
		t.Fatal(err)
	}
	if nv.Brief != f.sc.Party("north").Brief || strings.Contains(nv.Brief, "South's delegation") {
		t.Errorf("north's view brief %q", nv.Brief)
	}

	// Not the owner: no seats, invitations, revocations; no start.
	_, err = f.svc.Seats(f.ctx, med, med.Negotiation)
	wantCode(t, "seats", err, room.EFORBIDDEN)
	_, _, err = f.svc.Issue(f.ctx, med, med.Negotiation, room.SeatRequest{Party: "north", Person: "x", Reissue: true, TTL: 3600e9})
	wantCode(t, "re-issue north", err, room.EFORBIDDEN)
	_, _, err = f.svc.Issue(f.ctx, med, med.Negotiation, room.SeatRequest{Observer: true, Person: "x", TTL: 3600e9})
	wantCode(t, "invite an observer", err, room.EFORBIDDEN)
	_, err = f.svc.Revoke(f.ctx, med, med.Negotiation, issued[0].Token, "")
	wantCode(t, "revoke", err, room.EFORBIDDEN)
	_, err = f.svc.Submit(f.ctx, med, med.Negotiation, session.Move{Kind: session.KindDraft, Text: session.Text{{0, 1}, {0}, {0}}})
	wantCode(t, "a draft before the start", err, room.ECLOSED)
	// Another room is not found, whatever the move.
	_, err = f.svc.View(f.ctx, med, med2.Negotiation)
	wantCode(t, "another room's view", err, room.ENOTFOUND)
	_, err = f.svc.Submit(f.ctx, med, med2.Negotiation, session.Move{Kind: session.KindDraft, Text: session.Text{{0}, {0}, {0}}})
	wantCode(t, "a draft in another room", err, room.ENOTFOUND)
	_, err = f.svc.AnalysisAs(f.ctx, med, med2.Negotiation)
	wantCode(t, "another room's analysis", err, room.ENOTFOUND)

	// The analysis: aggregates only (mediator_sees overlap); a party gets
	// none.
	a, err := f.svc.AnalysisAs(f.ctx, med, med.Negotiation)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Parties) != 0 || a.Access != room.MediatorOverlap {
		t.Errorf("overlap analysis for the student: parties %v access %q", a.Parties, a.Access)
	}
	for _, p := range a.Points {
		for _, o := range p.Options {
			if len(o.Scores) != 0 {
				t.Fatalf("overlap analysis for the student carries the parties' scores: %+v", o)
			}
		}
	}
	_, err = f.svc.AnalysisAs(f.ctx, vs["1/north"], med.Negotiation)
	wantCode(t, "a party's analysis", err, room.EFORBIDDEN)
	_, err = f.svc.DancePlotAs(f.ctx, med, med.Negotiation, "", "")
	wantCode(t, "the dance plot under overlap", err, room.EFORBIDDEN)

	// The instructor starts the class; the student drafts, the parties
	// respond, and the student sees both replies (the mediator's seat).
	if err := f.svc.StartClass(f.ctx, f.user, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Submit(f.ctx, med, med.Negotiation, session.Move{Kind: session.KindDraft, Text: session.Text{{0, 1}, {0}, {0}}}); err != nil {
		t.Fatalf("the student mediator's draft: %v", err)
	}
	for _, p := range []string{"north", "south"} {
		resp := []session.PointResponse{{Point: 0, Stance: session.StanceAccept, Option: 0}, {Point: 1, Stance: session.StanceAccept}, {Point: 2, Stance: session.StanceAccept}}
		if _, err := f.svc.Submit(f.ctx, vs["1/"+p], med.Negotiation, session.Move{Kind: session.KindRespond, Responses: resp}); err != nil {
			t.Fatalf("%s's response: %v", p, err)
		}
	}
	v, err = f.svc.View(f.ctx, med, med.Negotiation)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.State.Replies) != 2 {
		t.Errorf("the student mediator sees the replies of %d parties, want 2", len(v.State.Replies))
	}
	// A party cannot draft (the mediator's move), nor can the student
	// mediator respond (a party's).
	_, err = f.svc.Submit(f.ctx, vs["1/north"], med.Negotiation, session.Move{Kind: session.KindDraft, Text: session.Text{{0}, {0}, {0}}})
	if err == nil {
		t.Error("north drafted the single text")
	}
	// Room 2's student mediator drafts in its own room.
	if _, err := f.svc.Submit(f.ctx, med2, med2.Negotiation, session.Move{Kind: session.KindDraft, Text: session.Text{{0, 1, 2}, {0}, {0}}}); err != nil {
		t.Fatalf("room 2's student mediator: %v", err)
	}
	// The class monitor counts the mediators' seats.
	info, err := f.svc.Class(f.ctx, f.user, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range info.Rooms {
		if r.Seats != 3 || r.Joined != 3 {
			t.Errorf("room %s: %d of %d seats joined, want 3 of 3", r.Title, r.Joined, r.Seats)
		}
	}
	// A clone keeps the student mediators.
	_, cloned, err := f.svc.CloneClass(f.ctx, f.user, c.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range cloned {
		if s.Mediator && s.Party == "mediator" && (s.Person == "Mia" || s.Person == "Max") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("the clone has %d student mediators, want 2: %+v", n, cloned)
	}
}

// TestStudentMediatorSeesProfilesWhenAllowed: with mediator_sees full,
// the student mediator's analysis carries the parties' numbers.
func TestStudentMediatorSeesProfilesWhenAllowed(t *testing.T) {
	f := newClassFixture(t)
	_, _, vs := studentClass(t, f, room.MediatorFull)
	med := vs["1/mediator"]
	a, err := f.svc.AnalysisAs(f.ctx, med, med.Negotiation)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Parties) != 2 {
		t.Errorf("full analysis for the student: parties %v, want north and south", a.Parties)
	}
	v, err := f.svc.View(f.ctx, med, med.Negotiation)
	if err != nil {
		t.Fatal(err)
	}
	if v.Profile != nil {
		t.Error("the mediator's view carries a profile")
	}
}

// TestStudentMediatorRules: a mediator's seat is refused where nobody
// should hold it.
func TestStudentMediatorRules(t *testing.T) {
	f := newClassFixture(t)
	med := room.Seat{Room: 1, Mediator: true, Person: "Mia"}
	for _, tt := range []struct {
		name string
		set  room.Settings
		seat room.Seat
		want string
	}{
		{"with an automatic mediator", room.Settings{AutoMediator: "hill"}, med, "automatic mediator"},
		{"without a mediator", room.Settings{Protocol: session.SAO}, med, "has no mediator"},
		{"as an observer", room.Settings{}, room.Seat{Room: 1, Mediator: true, Observer: true}, "not an observer's"},
		{"another party's id", room.Settings{}, room.Seat{Room: 1, Mediator: true, Party: "north"}, `the mediator's seat is "mediator"'s`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := f.svc.CreateClass(f.ctx, f.user, f.sc, room.ClassSetup{Rooms: 1, Settings: tt.set, Seats: []room.Seat{tt.seat}})
			if room.ErrorCode(err) != room.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("%v, want EINVALID containing %q", err, tt.want)
			}
		})
	}
	// Outside a class the owner keeps the mediator's seat.
	n, err := f.svc.CreateNegotiation(f.ctx, f.user, "talks", f.sc, room.Settings{}, "")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = f.svc.Invite(f.ctx, f.user, n.ID, "mediator", "Mia", false, 3600e9)
	if room.ErrorCode(err) != room.EINVALID || !strings.Contains(err.Error(), "only a class's rooms") {
		t.Fatalf("a mediator's seat outside a class: %v", err)
	}
}
