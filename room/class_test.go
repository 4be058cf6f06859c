package room_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/room/roomtest"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// classFixture is a service with an instructor and the tiny-2p scenario.
type classFixture struct {
	t    *testing.T
	ctx  context.Context
	svc  *room.Service
	user string
	sc   *scenario.Scenario
}

func newClassFixture(t *testing.T) *classFixture {
	t.Helper()
	st := openStore(t, filepath.Join(t.TempDir(), "room.db"))
	svc := room.New(st, nil)
	u, err := svc.CreateUser(t.Context(), "teacher", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Builtin("tiny-2p")
	if err != nil {
		t.Fatal(err)
	}
	return &classFixture{t: t, ctx: t.Context(), svc: svc, user: u.ID, sc: sc}
}

// profileOf returns the viewer's own profile as its view shows it.
func profileOf(f *classFixture, v room.Viewer) (*profile.Profile, error) {
	view, err := f.svc.View(f.ctx, v, v.Negotiation)
	if err != nil {
		return nil, err
	}
	if view.Profile == nil {
		return nil, room.Errorf(room.ENOTFOUND, "no profile in %s's view", v.Party)
	}
	return view.Profile, nil
}

// seatsOf assigns north and south of every room.
func seatsOf(rooms int) []room.Seat {
	var out []room.Seat
	for r := 1; r <= rooms; r++ {
		out = append(out, room.Seat{Room: r, Party: "north", Person: "N" + string(rune('a'+r))}, room.Seat{Room: r, Party: "south", Person: "S" + string(rune('a'+r))})
	}
	return out
}

// scriptedParty makes v's move when the room waits for it: it accepts
// every point of the text, votes yes and ratifies its step. It reports
// whether it moved.
func scriptedParty(t *testing.T, svc *room.Service, v room.Viewer) bool {
	t.Helper()
	ctx := t.Context()
	view, err := svc.View(ctx, v, v.Negotiation)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := roomtest.StudentMove(view.State, v.Party, true)
	if !ok {
		return false
	}
	if _, err := svc.Submit(ctx, v, v.Negotiation, m); err != nil {
		t.Fatalf("%s in %s: %s: %v", v.Party, v.Negotiation, m.Kind, err)
	}
	return true
}

// TestClassAutomaticMediator: a class whose rooms have an automatic
// mediator runs without the instructor: the scripted parties of two rooms
// act, and the mediator's moves come by themselves until the agreements
// are in force; the third room, whose parties never act, is shown as
// negotiating and is not scored by the debrief. The mediator's moves are
// the mediator's seat's in the log.
func TestClassAutomaticMediator(t *testing.T) {
	f := newClassFixture(t)
	set := room.Settings{AutoMediator: "Hill", Rounds: 20, LockProfiles: true}
	c, seats, err := f.svc.CreateClass(f.ctx, f.user, f.sc, room.ClassSetup{Title: "Week 3", Rooms: 3, Settings: set, Seats: seatsOf(3)})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.StartClass(f.ctx, f.user, c.ID); err != nil {
		t.Fatal(err)
	}
	var players []room.Viewer
	for _, s := range seats[:4] { // rooms 1 and 2
		v, err := f.svc.Join(f.ctx, s.Token)
		if err != nil {
			t.Fatal(err)
		}
		players = append(players, v)
	}
	// Every room waits for its parties at once: the mediator drafted.
	info, err := f.svc.Class(f.ctx, f.user, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range info.Rooms {
		if !r.Started || r.Finished || len(r.Waiting) != 2 || r.Problem != "" {
			t.Fatalf("after the start, room %s: %+v (want it waiting for both parties)", r.Title, r)
		}
	}
	if info.Settings == nil || info.Settings.AutoMediator != "hill" || !info.Settings.LockProfiles {
		t.Errorf("class settings %+v; want the automatic mediator hill, profiles locked", info.Settings)
	}
	for moves := 0; ; moves++ {
		if moves > 200 {
			t.Fatal("the rooms did not finish in 200 moves")
		}
		acted := false
		for _, v := range players {
			acted = scriptedParty(t, f.svc, v) || acted
		}
		if !acted {
			break
		}
	}
	info, err = f.svc.Class(f.ctx, f.user, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range info.Rooms {
		done := i < 2
		if r.Finished != done || r.Agreement != done || (done && r.Status != session.StatusInForce) || r.Problem != "" {
			t.Errorf("room %d: %+v; finished and agreed: want %v", i+1, r, done)
		}
		if r.Seats != 2 || r.LastActivity.IsZero() {
			t.Errorf("room %d: %d seats, last activity %v", i+1, r.Seats, r.LastActivity)
		}
	}
	if j := info.Rooms[0].Joined; j != 2 {
		t.Errorf("room 1: %d joined, want 2", j)
	}
	if j := info.Rooms[2].Joined; j != 0 {
		t.Errorf("room 3: %d joined, want 0", j)
	}
	evs, err := f.svc.Events(f.ctx, room.Viewer{User: f.user}, seats[0].Negotiation, 0)
	if err != nil {
		t.Fatal(err)
	}
	var drafts, calls int
	for _, e := range evs {
		switch e.Kind {
		case session.KindDraft:
			drafts++
		case session.KindCallVote:
			calls++
		}
		if (e.Kind == session.KindDraft || e.Kind == session.KindCallVote) && e.Party != "mediator" {
			t.Errorf("event %d (%s) by %q, want the mediator's seat", e.Seq, e.Kind, e.Party)
		}
	}
	if drafts == 0 || calls == 0 {
		t.Errorf("room 1's log: %d drafts, %d calls to vote; want the automatic mediator's", drafts, calls)
	}

	d, err := f.svc.Debrief(f.ctx, f.user, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Finished != 2 || d.Agreement != 1 || len(d.Rooms) != 3 {
		t.Fatalf("debrief: %d finished of %d, agreement %v", d.Finished, len(d.Rooms), d.Agreement)
	}
	if r := d.Rooms[2]; r.Scored || r.Utilities != nil || r.Status != session.StatusOpen {
		t.Errorf("room 3 (negotiating) in the debrief: %+v; want it listed, not scored", r)
	}
	for _, r := range d.Rooms[:2] {
		if !r.Scored || len(r.Utilities) != 2 || len(r.Agreement) == 0 {
			t.Errorf("room %s: %+v; want it scored with its agreement", r.Title, r)
		}
	}
	for i := range d.Mean {
		want := (d.Rooms[0].Utilities[i] + d.Rooms[1].Utilities[i]) / 2
		if diff := d.Mean[i] - want; diff > 1e-9 || diff < -1e-9 {
			t.Errorf("mean utility %d: %v, want %v (over the finished rooms)", i, d.Mean[i], want)
		}
	}
	csv := strings.Split(strings.TrimSpace(string(d.CSV())), "\n")
	if len(csv) != 4 || !strings.Contains(csv[3], "negotiating") || strings.Contains(csv[3], "0.000000") {
		t.Errorf("CSV row of room 3: %q; want its status and no figures", csv[len(csv)-1])
	}
}

// TestClassLockedProfiles: with the class's profiles locked a party sees
// its role's profile and cannot save another: the service refuses; the
// same room unlocked takes it.
func TestClassLockedProfiles(t *testing.T) {
	f := newClassFixture(t)
	for _, lock := range []bool{true, false} {
		_, seats, err := f.svc.CreateClass(f.ctx, f.user, f.sc, room.ClassSetup{Rooms: 1, Settings: room.Settings{LockProfiles: lock}, Seats: seatsOf(1)})
		if err != nil {
			t.Fatal(err)
		}
		v, err := f.svc.Join(f.ctx, seats[0].Token)
		if err != nil {
			t.Fatal(err)
		}
		p, err := profileOf(f, v)
		if err != nil {
			t.Fatalf("locked %v: the role's profile: %v", lock, err)
		}
		err = f.svc.SetProfile(f.ctx, v, v.Negotiation, p)
		if lock && room.ErrorCode(err) != room.EFORBIDDEN {
			t.Errorf("save of a locked profile: %v, want EFORBIDDEN", err)
		}
		if !lock && err != nil {
			t.Errorf("save of an unlocked profile: %v", err)
		}
	}
}

// TestClassLimits: the room count is bounded by the service, and an
// automatic mediator must be known, have a mediator's move to make, and
// see the profiles it needs.
func TestClassLimits(t *testing.T) {
	f := newClassFixture(t)
	for _, tc := range []struct {
		name  string
		setup room.ClassSetup
		ok    bool
	}{
		{"too many rooms", room.ClassSetup{Rooms: room.MaxRooms + 1}, false},
		{"no room", room.ClassSetup{Rooms: 0}, false},
		{"unknown mediator", room.ClassSetup{Rooms: 1, Settings: room.Settings{AutoMediator: "oracle"}}, false},
		{"nash without the profiles", room.ClassSetup{Rooms: 1, Settings: room.Settings{AutoMediator: "nash"}}, false},
		{"a protocol without a mediator", room.ClassSetup{Rooms: 1, Settings: room.Settings{Protocol: session.SAO, AutoMediator: "hill", Rounds: 10}}, false},
		{"hill without the profiles", room.ClassSetup{Rooms: 1, Settings: room.Settings{AutoMediator: "hill"}}, true},
		{"the most rooms", room.ClassSetup{Rooms: room.MaxRooms}, true},
	} {
		_, _, err := f.svc.CreateClass(f.ctx, f.user, f.sc, tc.setup)
		if tc.ok && err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if !tc.ok && room.ErrorCode(err) != room.EINVALID {
			t.Errorf("%s: %v, want EINVALID", tc.name, err)
		}
	}
}

// TestClassCloneArchiveDelete: a clone has the class's scenario as
// created (not a student's saved profile), settings, rooms and people,
// with new invitations; archiving moves a class (and its rooms) out of
// the current list and back; deleting needs the id repeated, is the
// owner's only, and removes the rooms.
func TestClassCloneArchiveDelete(t *testing.T) {
	f := newClassFixture(t)
	set := room.Settings{AutoMediator: "hill", Rounds: 30}
	c, seats, err := f.svc.CreateClass(f.ctx, f.user, f.sc, room.ClassSetup{Title: "Week 3", Rooms: 2, Settings: set, Seats: seatsOf(2)})
	if err != nil {
		t.Fatal(err)
	}
	// A student changes its role's profile (not locked) before the start.
	v, err := f.svc.Join(f.ctx, seats[0].Token)
	if err != nil {
		t.Fatal(err)
	}
	p, err := profileOf(f, v)
	if err != nil {
		t.Fatal(err)
	}
	changed := *p
	r := 0.99
	changed.Reservation = &r
	if err := f.svc.SetProfile(f.ctx, v, v.Negotiation, &changed); err != nil {
		t.Fatal(err)
	}

	c2, seats2, err := f.svc.CloneClass(f.ctx, f.user, c.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if c2.ID == c.ID || c2.Title != "Week 3 (copy)" || len(seats2) != len(seats) {
		t.Fatalf("clone %+v with %d seats; want a new class of %d seats", c2, len(seats2), len(seats))
	}
	for i := range seats2 {
		if seats2[i].Seat != seats[i].Seat || seats2[i].Token == seats[i].Token || seats2[i].Negotiation == seats[i].Negotiation {
			t.Errorf("seat %d of the clone: %+v; want %+v with a new invitation", i, seats2[i].Seat, seats[i].Seat)
		}
	}
	info, err := f.svc.Class(f.ctx, f.user, c2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Rooms) != 2 || info.Settings.AutoMediator != "hill" || info.Settings.Rounds != 30 {
		t.Errorf("clone: %d rooms, settings %+v", len(info.Rooms), info.Settings)
	}
	v2, err := f.svc.Join(f.ctx, seats2[0].Token)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := profileOf(f, v2)
	if err != nil {
		t.Fatal(err)
	}
	if p2.Reservation != nil && *p2.Reservation == 0.99 {
		t.Errorf("the clone copied a student's saved profile (reservation %v), not the class's", *p2.Reservation)
	}
	if _, _, err := f.svc.CloneClass(f.ctx, "someone-else", c.ID, ""); room.ErrorCode(err) != room.ENOTFOUND {
		t.Errorf("clone by another user: %v, want ENOTFOUND", err)
	}

	if _, err := f.svc.ArchiveClass(f.ctx, f.user, c.ID, true); err != nil {
		t.Fatal(err)
	}
	cur, _ := f.svc.ClassesOf(f.ctx, f.user, false)
	arch, _ := f.svc.ClassesOf(f.ctx, f.user, true)
	if len(cur) != 1 || cur[0].ID != c2.ID || len(arch) != 1 || arch[0].ID != c.ID {
		t.Errorf("after archiving: current %v, archived %v", cur, arch)
	}
	if negs, _ := f.svc.NegotiationsOf(f.ctx, f.user, true); len(negs) != 2 {
		t.Errorf("%d archived negotiations, want the class's 2 rooms", len(negs))
	}
	if _, err := f.svc.ArchiveClass(f.ctx, f.user, c.ID, false); err != nil {
		t.Fatal(err)
	}
	if cur, _ := f.svc.ClassesOf(f.ctx, f.user, false); len(cur) != 2 {
		t.Errorf("after restoring: %d current classes, want 2", len(cur))
	}

	if err := f.svc.DeleteClass(f.ctx, f.user, c.ID, "yes"); room.ErrorCode(err) != room.EINVALID {
		t.Errorf("delete without the id: %v, want EINVALID", err)
	}
	if err := f.svc.DeleteClass(f.ctx, "someone-else", c.ID, c.ID); room.ErrorCode(err) != room.ENOTFOUND {
		t.Errorf("delete by another user: %v, want ENOTFOUND", err)
	}
	if err := f.svc.DeleteClass(f.ctx, f.user, c.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Class(f.ctx, f.user, c.ID); room.ErrorCode(err) != room.ENOTFOUND {
		t.Errorf("the deleted class: %v, want ENOTFOUND", err)
	}
	if _, err := f.svc.View(f.ctx, v, v.Negotiation); room.ErrorCode(err) != room.ENOTFOUND {
		t.Errorf("a room of the deleted class: %v, want ENOTFOUND", err)
	}
	if _, err := f.svc.Join(f.ctx, seats[1].Token); room.ErrorCode(err) != room.EUNAUTHORIZED {
		t.Errorf("an invitation of the deleted class: %v, want EUNAUTHORIZED", err)
	}
}
