package room_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

func (f *fixture) wantCode(err error, code, what string) {
	f.t.Helper()
	if got := room.ErrorCode(err); got != code {
		f.t.Errorf("%s: %v (code %q), want %q", what, err, got, code)
	}
}

// issue issues an invitation as v and returns its token.
func (f *fixture) issue(v room.Viewer, req room.SeatRequest) (string, room.Invite) {
	f.t.Helper()
	if req.TTL == 0 {
		req.TTL = time.Hour
	}
	tok, inv, err := f.svc.Issue(f.ctx, v, f.neg, req)
	if err != nil {
		f.t.Fatalf("issue %+v: %v", req, err)
	}
	return tok, inv
}

func (f *fixture) join(tok string) room.Viewer {
	f.t.Helper()
	v, err := f.svc.Join(f.ctx, tok)
	if err != nil {
		f.t.Fatalf("join: %v", err)
	}
	return v
}

func (f *fixture) seats(v room.Viewer) *room.Seats {
	f.t.Helper()
	s, err := f.svc.Seats(f.ctx, v, f.neg)
	if err != nil {
		f.t.Fatalf("seats: %v", err)
	}
	return s
}

// seatEvents returns the seat records among events.
func seatEvents(events []session.Event) []session.Event {
	var out []session.Event
	for _, e := range events {
		if e.Kind == session.KindSeat {
			out = append(out, e)
		}
	}
	return out
}

// TestSeatsCannotBeHijacked is issue 12, finding 1: the mediator of a
// negotiation whose mediator sees aggregates only invited an observer of
// Ukraine's seat (and read its profile) and a second delegate of Ukraine
// (and moved as Ukraine). Now the first is refused, the second needs an
// explicit re-issue, which locks out the holder before and tells the seat.
func TestSeatsCannotBeHijacked(t *testing.T) {
	f := newMiami(t, room.Settings{MediatorSees: room.MediatorOverlap})
	ukraine := f.parties["ukraine"]
	p := *f.view(ukraine).Profile
	p.RedLines = append(slices.Clone(p.RedLines), profile.RedLine{Terms: []profile.Term{{Point: 19, Levels: []int{0}}}, Reason: "CANARY-RED-LINE"})
	if err := f.svc.SetProfile(f.ctx, ukraine, f.neg, &p); err != nil {
		t.Fatal(err)
	}

	_, _, err := f.svc.Invite(f.ctx, f.user, f.neg, "ukraine", "spy", true, time.Hour)
	f.wantCode(err, room.EFORBIDDEN, "the mediator invites an observer of ukraine's seat")
	_, _, err = f.svc.Invite(f.ctx, f.user, f.neg, "us", "spy", true, time.Hour)
	f.wantCode(err, room.EFORBIDDEN, "the mediator invites an observer of its own seat")
	_, _, err = f.svc.Invite(f.ctx, f.user, f.neg, "ukraine", "impostor", false, time.Hour)
	f.wantCode(err, room.ECONFLICT, "a second invitation to ukraine's seat while one is active")
	if err == nil || !strings.Contains(err.Error(), "re-issue") {
		t.Errorf("the refusal does not say how to re-issue: %v", err)
	}
	if n := len(f.seats(f.mediator()).Seats[1].Invitations); n != 1 {
		t.Fatalf("ukraine's seat has %d invitations after the refusals, want 1", n)
	}

	if err := f.svc.Start(f.ctx, f.user, f.neg); err != nil {
		t.Fatal(err)
	}
	before := f.view(ukraine).Seq
	tok, inv := f.issue(f.mediator(), room.SeatRequest{Party: "ukraine", Person: "New delegate", Reissue: true, Reason: "the link leaked"})
	if !inv.Reissued || inv.Note != "the link leaked" || inv.Token == tok {
		t.Errorf("re-issued invitation %+v", inv)
	}
	_, err = f.svc.Join(f.ctx, "")
	f.wantCode(err, room.EUNAUTHORIZED, "no token")
	// The old credential opens nothing any more (the server resolves every
	// request and stream through Join).
	oldTok := f.tokens["ukraine"]
	_, err = f.svc.Join(f.ctx, oldTok)
	f.wantCode(err, room.EUNAUTHORIZED, "the re-issued seat's old credential")
	if err != nil && (strings.Contains(err.Error(), "leaked") || !strings.Contains(err.Error(), "revoked")) {
		t.Errorf("the old holder is told %q: want that it was revoked, without the reason", err)
	}

	nu := f.join(tok)
	if nu != ukraine {
		t.Fatalf("the new credential makes %+v, want %+v", nu, ukraine)
	}
	v := f.view(nu)
	if v.Seat == nil || len(v.Seat.Reissued) != 1 {
		t.Fatalf("ukraine's view has no notice of the re-issue: %+v", v.Seat)
	}
	if n := v.Seat.Reissued[0]; n.By != "us" || n.Reason != "the link leaked" || n.At.IsZero() {
		t.Errorf("notice %+v: want by us, the reason, when", n)
	}
	if got := v.Seat.Invitations; len(got) != 2 || got[0].Status != room.InviteRevoked || got[1].Status != room.InviteJoined {
		t.Errorf("ukraine's seat history %+v: want the revoked credential, then the joined one", got)
	}
	recs := seatEvents(v.Events)
	if len(recs) != 1 || recs[0].Seq <= before || recs[0].Move.Party != "us" || !slices.Equal(recs[0].Move.To, []string{"ukraine"}) || recs[0].Move.Message != "the link leaked" {
		t.Fatalf("ukraine's log: seat records %+v", recs)
	}
	if recs := seatEvents(f.view(f.mediator()).Events); len(recs) != 1 {
		t.Errorf("the mediator's log has %d seat records, want 1", len(recs))
	}
	for _, other := range []string{"russia", "europe"} {
		if recs := seatEvents(f.view(f.parties[other]).Events); len(recs) != 0 {
			t.Errorf("%s sees ukraine's seat record: %+v", other, recs)
		}
		if f.view(f.parties[other]).Seat.Reissued != nil {
			t.Errorf("%s's seat shows a re-issue", other)
		}
	}
	// The record is in the stored log and replays.
	events, err := f.st.Events(f.ctx, f.neg)
	if err != nil {
		t.Fatal(err)
	}
	if len(seatEvents(events)) != 1 {
		t.Errorf("the stored log holds %d seat records", len(seatEvents(events)))
	}
	f.svc = room.New(openStore(t, f.path), nil)
	if recs := seatEvents(f.view(nu).Events); len(recs) != 1 {
		t.Errorf("after a restart ukraine's log has %d seat records", len(recs))
	}
	// The seat moves for the new holder.
	f.submit(nu, session.Move{Kind: session.KindMessage, Message: "it is us again", To: []string{"us"}})
}

// TestReissueBeforeStart: before the session there is no log; the seat's
// history says it was re-issued, and the log that starts later has no
// record of it.
func TestReissueBeforeStart(t *testing.T) {
	f := newMiami(t, room.Settings{})
	tok, _ := f.issue(f.mediator(), room.SeatRequest{Party: "russia", Reissue: true})
	_, err := f.svc.Join(f.ctx, f.tokens["russia"])
	f.wantCode(err, room.EUNAUTHORIZED, "russia's old credential")
	v := f.view(f.join(tok))
	if v.Started || v.Seat == nil || len(v.Seat.Reissued) != 1 || v.Seat.Reissued[0].By != "us" || v.Seat.Reissued[0].Reason != "" {
		t.Fatalf("russia's view before the start: started %v seat %+v", v.Started, v.Seat)
	}
	if err := f.svc.Start(f.ctx, f.user, f.neg); err != nil {
		t.Fatal(err)
	}
	if recs := seatEvents(f.view(f.mediator()).Events); len(recs) != 0 {
		t.Errorf("the log has seat records of a re-issue before the start: %+v", recs)
	}
}

// TestRevokeAndIssueAgain: the mediator revokes a seat's credential; the
// seat is then issued without re-issue (none is active), which records
// that the seat changed hands.
func TestRevokeAndIssueAgain(t *testing.T) {
	f := newMiami(t, room.Settings{})
	if err := f.svc.Start(f.ctx, f.user, f.neg); err != nil {
		t.Fatal(err)
	}
	obsTok, _ := f.issue(f.parties["europe"], room.SeatRequest{Observer: true, Person: "adviser"})
	seat := f.seats(f.mediator()).Seats[2]
	if seat.Party != "europe" || seat.Status != room.InviteJoined || len(seat.Invitations) != 1 || seat.Observers != 1 {
		t.Fatalf("europe's seat %+v", seat)
	}
	info, err := f.svc.Revoke(f.ctx, f.mediator(), f.neg, seat.Invitations[0].ID, "the delegate left")
	if err != nil || info.Status != room.InviteRevoked || info.RevokeReason != "the delegate left" {
		t.Fatalf("revoke: %+v, %v", info, err)
	}
	_, err = f.svc.Revoke(f.ctx, f.mediator(), f.neg, seat.Invitations[0].ID, "")
	f.wantCode(err, room.ECONFLICT, "revoke twice")
	_, err = f.svc.Join(f.ctx, f.tokens["europe"])
	f.wantCode(err, room.EUNAUTHORIZED, "a revoked credential")
	_, err = f.svc.Join(f.ctx, obsTok)
	f.wantCode(err, room.EUNAUTHORIZED, "an observer of a seat whose credential was revoked")
	if got := f.seats(f.mediator()).Seats[2].Status; got != room.InviteRevoked {
		t.Errorf("europe's seat is %q after the revocation, want revoked", got)
	}
	tok, inv := f.issue(f.mediator(), room.SeatRequest{Party: "europe", Reason: "a new delegate"})
	if !inv.Reissued {
		t.Errorf("the seat's second credential is not marked re-issued: %+v", inv)
	}
	v := f.view(f.join(tok))
	if recs := seatEvents(v.Events); len(recs) != 1 || recs[0].Move.Message != "a new delegate" {
		t.Errorf("europe's log after a new credential: %+v", recs)
	}
	// A party may not revoke seats.
	_, err = f.svc.Revoke(f.ctx, f.parties["russia"], f.neg, inv.ID, "")
	f.wantCode(err, room.ENOTFOUND, "russia revokes europe's seat")
	_, err = f.svc.Revoke(f.ctx, f.mediator(), f.neg, "no-such-invitation", "")
	f.wantCode(err, room.ENOTFOUND, "revoke an unknown invitation")
}

// TestDelegationObservers: a party invites, lists and revokes the
// observers of its own seat; the mediator sees a count of them only; a
// re-issue of the seat revokes them.
func TestDelegationObservers(t *testing.T) {
	f := newMiami(t, room.Settings{})
	ukraine := f.parties["ukraine"]
	tok, inv := f.issue(ukraine, room.SeatRequest{Observer: true, Person: "CANARY-ADVISER"})
	if inv.Party != "ukraine" || !inv.Observer || inv.IssuedBy != "ukraine" {
		t.Fatalf("the delegation's observer invitation %+v", inv)
	}
	tok2, _ := f.issue(ukraine, room.SeatRequest{Party: "ukraine", Observer: true, Person: "Second adviser"})
	adviser := f.join(tok)
	if v := f.view(adviser); v.Role != "observer" || v.Party != "ukraine" || v.Profile == nil || v.Seat != nil {
		t.Fatalf("the adviser's view: role %s party %s profile %v seat %+v", v.Role, v.Party, v.Profile != nil, v.Seat)
	}
	_, _, err := f.svc.Issue(f.ctx, ukraine, f.neg, room.SeatRequest{Party: "europe", Observer: true, TTL: time.Hour})
	f.wantCode(err, room.EFORBIDDEN, "ukraine invites an observer of europe's seat")
	_, _, err = f.svc.Issue(f.ctx, ukraine, f.neg, room.SeatRequest{Party: "ukraine", TTL: time.Hour})
	f.wantCode(err, room.EFORBIDDEN, "ukraine issues its own seat")
	_, _, err = f.svc.Issue(f.ctx, ukraine, f.neg, room.SeatRequest{Party: "", TTL: time.Hour})
	f.wantCode(err, room.EFORBIDDEN, "ukraine issues a seat")
	_, _, err = f.svc.Issue(f.ctx, adviser, f.neg, room.SeatRequest{Observer: true, TTL: time.Hour})
	f.wantCode(err, room.EFORBIDDEN, "an observer invites")
	_, _, err = f.svc.Issue(f.ctx, ukraine, f.neg, room.SeatRequest{Observer: true, Reissue: true, TTL: time.Hour})
	f.wantCode(err, room.EINVALID, "an observer's invitation re-issued")

	// The mediator: a count, no names; the public observers only.
	pubTok, _ := f.issue(f.mediator(), room.SeatRequest{Observer: true, Person: "press"})
	ms := f.seats(f.mediator())
	b, _ := json.Marshal(ms)
	if strings.Contains(string(b), "CANARY-ADVISER") || strings.Contains(string(b), inv.ID) {
		t.Errorf("the mediator's listing names the delegation's observers: %s", b)
	}
	if ms.Seats[1].Party != "ukraine" || ms.Seats[1].Observers != 2 || len(ms.Observers) != 1 || ms.Observers[0].Person != "press" {
		t.Errorf("the mediator's listing: ukraine's seat %+v, observers %+v", ms.Seats[1], ms.Observers)
	}
	if v, err := f.svc.View(f.ctx, f.mediator(), f.neg); err != nil || strings.Contains(mustJSON(t, v), "CANARY-ADVISER") {
		t.Errorf("the mediator's view names the delegation's observer (%v)", err)
	}
	// Ukraine: its seat and its observers; nothing of the others'.
	us := f.seats(ukraine)
	if len(us.Seats) != 1 || us.Seats[0].Party != "ukraine" || us.Seats[0].Observers != 2 || len(us.Observers) != 2 || us.Observers[0].Person != "CANARY-ADVISER" {
		t.Fatalf("ukraine's listing %+v", us)
	}
	if rs := f.seats(f.parties["russia"]); len(rs.Observers) != 0 || strings.Contains(mustJSON(t, rs), "CANARY-ADVISER") {
		t.Errorf("russia's listing shows ukraine's observers: %+v", rs)
	}
	_, err = f.svc.Seats(f.ctx, adviser, f.neg)
	f.wantCode(err, room.EFORBIDDEN, "an observer lists invitations")
	_, err = f.svc.Seats(f.ctx, f.join(pubTok), f.neg)
	f.wantCode(err, room.EFORBIDDEN, "a public observer lists invitations")

	// Nobody else revokes them, and the mediator cannot confirm their IDs.
	_, err = f.svc.Revoke(f.ctx, f.mediator(), f.neg, inv.ID, "")
	f.wantCode(err, room.ENOTFOUND, "the mediator revokes ukraine's observer")
	_, err = f.svc.Revoke(f.ctx, f.parties["russia"], f.neg, inv.ID, "")
	f.wantCode(err, room.ENOTFOUND, "russia revokes ukraine's observer")
	_, err = f.svc.Revoke(f.ctx, adviser, f.neg, inv.ID, "")
	f.wantCode(err, room.EFORBIDDEN, "the observer revokes itself")
	info, err := f.svc.Revoke(f.ctx, ukraine, f.neg, inv.ID, "no longer advises")
	if err != nil || info.Status != room.InviteRevoked || info.RevokedBy != "ukraine" {
		t.Fatalf("ukraine revokes its observer: %+v, %v", info, err)
	}
	_, err = f.svc.Join(f.ctx, tok)
	f.wantCode(err, room.EUNAUTHORIZED, "the revoked observer")
	if n := f.seats(f.mediator()).Seats[1].Observers; n != 1 {
		t.Errorf("the mediator counts %d observers of ukraine's seat, want 1", n)
	}

	// A re-issue of the seat revokes the observers its holder invited.
	f.issue(f.mediator(), room.SeatRequest{Party: "ukraine", Reissue: true})
	_, err = f.svc.Join(f.ctx, tok2)
	f.wantCode(err, room.EUNAUTHORIZED, "ukraine's observer after the seat was re-issued")
	if _, err := f.svc.Join(f.ctx, pubTok); err != nil {
		t.Errorf("the public observer after ukraine's seat was re-issued: %v", err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSeatListing: the statuses of seats — vacant, issued, joined,
// revoked, expired — whether a profile was saved, and no tokens.
func TestSeatListing(t *testing.T) {
	clk := &testClock{t: day(0, 0)}
	f := newMiamiOn(t, room.Settings{}, clk.now)
	ru := f.parties["russia"]
	p := *f.view(ru).Profile
	if err := f.svc.SetProfile(f.ctx, ru, f.neg, &p); err != nil {
		t.Fatal(err)
	}
	tok, _ := f.issue(f.mediator(), room.SeatRequest{Verifier: "monitoring-mission", TTL: 2 * time.Hour})
	_, _, err := f.svc.Issue(f.ctx, f.mediator(), f.neg, room.SeatRequest{Verifier: "monitoring-mission", TTL: time.Hour})
	f.wantCode(err, room.ECONFLICT, "a second verifier invitation while one is active")
	f.issue(f.mediator(), room.SeatRequest{Verifier: "peace-council", TTL: time.Hour})
	clk.t = clk.t.Add(90 * time.Minute) // the parties' and the council's invitations expire
	f.issue(f.mediator(), room.SeatRequest{Party: "europe", TTL: 24 * time.Hour})

	ms := f.seats(f.mediator())
	status := map[string]room.SeatStatus{}
	for _, s := range ms.Seats {
		status[s.Party+s.Verifier] = s
	}
	for seat, want := range map[string]string{
		"russia": room.InviteExpired, "ukraine": room.InviteExpired, "europe": room.InviteIssued,
		"monitoring-mission": room.InviteIssued, "peace-council": room.InviteExpired,
	} {
		if got := status[seat].Status; got != want {
			t.Errorf("seat %s: %q, want %q", seat, got, want)
		}
	}
	if !status["russia"].ProfileSaved || status["ukraine"].ProfileSaved {
		t.Errorf("profile saved: russia %v ukraine %v, want true false", status["russia"].ProfileSaved, status["ukraine"].ProfileSaved)
	}
	if e := status["europe"]; len(e.Invitations) != 2 || e.Invitations[0].Status != room.InviteExpired || !e.Invitations[1].Reissued {
		t.Errorf("europe's seat %+v", e)
	}
	for _, s := range ms.Seats {
		if _, ok := status[s.Party+s.Verifier]; !ok || s.Party == "us" {
			t.Errorf("unexpected seat %+v", s)
		}
	}
	if len(ms.Seats) != 3+len(miamiVerifiers) {
		t.Errorf("%d seats, want the 3 parties and %d verifiers", len(ms.Seats), len(miamiVerifiers))
	}
	if s := status["humanitarian-committee"]; s.Status != room.SeatVacant || len(s.Invitations) != 0 {
		t.Errorf("a verifier's seat never issued: %+v", s)
	}
	b := mustJSON(t, ms)
	invs, err := f.st.Invites(f.ctx, f.neg)
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range invs {
		if strings.Contains(b, inv.Token) {
			t.Fatalf("the listing carries a token hash: %s", b)
		}
	}
	if strings.Contains(b, tok) {
		t.Fatal("the listing carries a token")
	}
	// The verifier sees its own seat.
	mm := f.join(tok)
	vs := f.seats(mm)
	if len(vs.Seats) != 1 || vs.Seats[0].Verifier != "monitoring-mission" || vs.Seats[0].Status != room.InviteJoined || len(vs.Observers) != 0 {
		t.Errorf("the verifier's listing %+v", vs)
	}
	if v := f.view(mm); v.Seat == nil || v.Seat.Verifier != "monitoring-mission" {
		t.Errorf("the verifier's view has no seat: %+v", v.Seat)
	}
}

// TestVerifierSeatReissued: a verifier's seat re-issued after the start is
// recorded in its log (a verifier sees none of the talks, but its own
// seat's record).
func TestVerifierSeatReissued(t *testing.T) {
	x := newImplementation(t)
	tok, _, err := x.svc.Issue(x.ctx, x.mediator(), x.neg, room.SeatRequest{Verifier: "monitoring-mission", Reissue: true, Reason: "new head of mission", TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	v := x.view(x.join(tok))
	if recs := seatEvents(v.Events); len(recs) != 1 || recs[0].Move.Message != "new head of mission" {
		t.Errorf("the verifier's log: %+v", recs)
	}
	if v.Seat == nil || len(v.Seat.Reissued) != 1 {
		t.Errorf("the verifier's seat: %+v", v.Seat)
	}
	other := x.view(x.verifiers["peace-council"])
	if recs := seatEvents(other.Events); len(recs) != 0 {
		t.Errorf("another verifier sees the record: %+v", recs)
	}
	if recs := seatEvents(x.view(x.observer).Events); len(recs) != 0 {
		t.Errorf("the public observer sees the record: %+v", recs)
	}
}

// TestClassSeatsFollowTheRules: a class's seats obey the rules of the
// seats: no observer of a party's seat assigned by the instructor, one
// person per seat; refused before anything is created.
func TestClassSeatsFollowTheRules(t *testing.T) {
	f := newMiami(t, room.Settings{})
	sc, err := scenario.Builtin("tiny-2p")
	if err != nil {
		t.Fatal(err)
	}
	for name, seats := range map[string][]room.Seat{
		"an observer of a party's seat": {{Room: 1, Party: "north", Person: "Ann"}, {Room: 1, Party: "north", Person: "Coach", Observer: true}},
		"two people on one seat":        {{Room: 1, Party: "north", Person: "Ann"}, {Room: 1, Party: "north", Person: "Ben"}},
	} {
		_, _, err := f.svc.CreateClass(f.ctx, f.user, sc, room.ClassSetup{Rooms: 1, Settings: room.Settings{Protocol: session.SAO}, Seats: seats})
		f.wantCode(err, room.EINVALID, name)
	}
	if cs, err := f.svc.Classes(f.ctx, f.user); err != nil || len(cs) != 0 {
		t.Errorf("refused classes were created: %+v, %v", cs, err)
	}
	_, seats, err := f.svc.CreateClass(f.ctx, f.user, sc, room.ClassSetup{Rooms: 2, Settings: room.Settings{Protocol: session.SAO}, Seats: []room.Seat{
		{Room: 1, Party: "north", Person: "Ann"}, {Room: 2, Party: "north", Person: "Ben"}, {Room: 1, Person: "Gallery", Observer: true}, {Room: 1, Person: "Press", Observer: true},
	}})
	if err != nil || len(seats) != 4 {
		t.Fatalf("class: %d seats, %v", len(seats), err)
	}
}

// TestReissueUnmediated: without a mediator the negotiation's host
// re-issues the seat; the record's party and the notice's author are "".
func TestReissueUnmediated(t *testing.T) {
	f := newMiami(t, room.Settings{})
	sc, err := scenario.Builtin("tiny-2p")
	if err != nil {
		t.Fatal(err)
	}
	n, err := f.svc.CreateNegotiation(f.ctx, f.user, "", sc, room.Settings{Protocol: session.SAO, Rounds: 10}, "")
	if err != nil {
		t.Fatal(err)
	}
	f.neg = n.ID
	for _, p := range []string{"north", "south"} {
		f.issue(f.mediator(), room.SeatRequest{Party: p})
	}
	if err := f.svc.Start(f.ctx, f.user, f.neg); err != nil {
		t.Fatal(err)
	}
	tok, _ := f.issue(f.mediator(), room.SeatRequest{Party: "north", Reissue: true, Reason: "new delegate"})
	v := f.view(f.join(tok))
	recs := seatEvents(v.Events)
	if len(recs) != 1 || recs[0].Move.Party != "" || recs[0].Move.Message != "new delegate" {
		t.Fatalf("north's seat records %+v", recs)
	}
	if v.Seat == nil || len(v.Seat.Reissued) != 1 || v.Seat.Reissued[0].By != "" {
		t.Errorf("north's seat %+v", v.Seat)
	}
	south := f.join(f.mustToken(room.SeatRequest{Party: "south", Reissue: true}))
	if recs := seatEvents(f.view(south).Events); len(recs) != 1 || recs[0].Move.To[0] != "south" {
		t.Errorf("south sees %+v, want its own record only", recs)
	}
}

func (f *fixture) mustToken(req room.SeatRequest) string {
	f.t.Helper()
	tok, _ := f.issue(f.mediator(), req)
	return tok
}

// TestLegacyInvitations: invitations from before the rules — a second
// credential of a seat, observers of a party's seat and of the mediator's
// issued by the mediator — keep working, are listed to whom they concern,
// and are revoked by the next re-issue or by whom may revoke them.
func TestLegacyInvitations(t *testing.T) {
	f := newMiami(t, room.Settings{})
	now := time.Now().UTC()
	legacy := map[string]room.Invite{}
	for i, inv := range []room.Invite{
		{ID: "second-russia", Party: "russia", Person: "Second delegate"},
		{ID: "watch-ukraine", Party: "ukraine", Observer: true, Person: "CANARY-LEGACY-WATCHER"},
		{ID: "watch-us", Party: "us", Observer: true, Person: "Co-mediator"},
	} {
		tok, hash := room.NewToken()
		inv.Negotiation, inv.Token, inv.Created, inv.Expires = f.neg, hash, now.Add(time.Duration(i)*time.Millisecond), now.Add(time.Hour)
		if err := f.st.CreateInvite(f.ctx, inv); err != nil {
			t.Fatal(err)
		}
		legacy[inv.ID] = inv
		f.join(tok)
		f.tokens[inv.ID] = tok
	}
	ms := f.seats(f.mediator())
	if ru := ms.Seats[0]; len(ru.Invitations) != 2 || ru.Status != room.InviteJoined {
		t.Errorf("russia's seat with two legacy credentials: %+v", ru)
	}
	if ms.Seats[1].Observers != 1 || strings.Contains(mustJSON(t, ms), "CANARY-LEGACY-WATCHER") {
		t.Errorf("the mediator's listing of ukraine's legacy observer: %+v", ms.Seats[1])
	}
	if len(ms.Observers) != 1 || ms.Observers[0].ID != "watch-us" {
		t.Errorf("the mediator's observers: %+v", ms.Observers)
	}
	if us := f.seats(f.parties["ukraine"]); len(us.Observers) != 1 || us.Observers[0].ID != "watch-ukraine" {
		t.Errorf("ukraine's observers: %+v", us.Observers)
	}
	if _, err := f.svc.Revoke(f.ctx, f.parties["ukraine"], f.neg, "watch-ukraine", ""); err != nil {
		t.Errorf("ukraine revokes the legacy observer of its seat: %v", err)
	}
	if _, err := f.svc.Revoke(f.ctx, f.mediator(), f.neg, "watch-us", ""); err != nil {
		t.Errorf("the mediator revokes the legacy observer of its seat: %v", err)
	}
	f.issue(f.mediator(), room.SeatRequest{Party: "russia", Reissue: true})
	for _, tok := range []string{f.tokens["russia"], f.tokens["second-russia"], f.tokens["watch-ukraine"], f.tokens["watch-us"]} {
		_, err := f.svc.Join(f.ctx, tok)
		f.wantCode(err, room.EUNAUTHORIZED, "a legacy invitation after the re-issue or revocation")
	}
}
