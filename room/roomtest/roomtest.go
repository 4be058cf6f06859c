package roomtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// Run runs the conformance suite against the stores open makes. open must
// return a fresh, empty store each time; Run closes it.
func Run(t *testing.T, open func(t *testing.T) room.Store) {
	tests := []struct {
		name string
		f    func(t *testing.T, s room.Store)
	}{
		{"Users", testUsers},
		{"Logins", testLogins},
		{"Negotiations", testNegotiations},
		{"NegotiationsOrder", testNegotiationsOrder},
		{"NegotiationsOfClass", testNegotiationsOfClass},
		{"UpdateNegotiation", testUpdateNegotiation},
		{"Invites", testInvites},
		{"RevokeInvites", testRevokeInvites},
		{"MarkInvites", testMarkInvites},
		{"Classes", testClasses},
		{"ArchiveNegotiation", testArchiveNegotiation},
		{"DeleteNegotiation", testDeleteNegotiation},
		{"MarkInviteSeen", testMarkInviteSeen},
		{"Accounts", testAccounts},
		{"KeptRecords", testKeptRecords},
		{"AppendEventsSequence", testAppendSequence},
		{"AppendEventsAtomic", testAppendAtomic},
		{"AppendEventsNotFound", testAppendNotFound},
		{"EventsRoundTrip", testEventsRoundTrip},
		{"SessionLogRoundTrip", testSessionLog},
		{"ConcurrentAppendSameSeq", testConcurrentSameSeq},
		{"ConcurrentAppendRetry", testConcurrentRetry},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			defer func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			}()
			tc.f(t, s)
		})
	}
}

// zone is an odd offset, so that a store that drops or mangles zones or
// fractions of a second shows it.
var zone = time.FixedZone("UTC+05:30", 5*3600+30*60)

// at returns a time i seconds after a fixed instant, with nanoseconds.
func at(i int) time.Time {
	return time.Date(2026, 3, 14, 15, 9, 26, 535897932, zone).Add(time.Duration(i) * time.Second)
}

// wantCode fails the test unless err has the code.
func wantCode(t *testing.T, err error, code, what string) {
	t.Helper()
	if got := room.ErrorCode(err); got != code {
		t.Errorf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}

// must fails the test now if err is not nil.
func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func sameUser(a, b room.User) bool {
	return a.ID == b.ID && a.Name == b.Name && a.PasswordHash == b.PasswordHash && a.Created.Equal(b.Created)
}

func sameLogin(a, b room.Login) bool {
	return a.Token == b.Token && a.User == b.User && a.Expires.Equal(b.Expires)
}

func sameNegotiation(a, b room.Negotiation) bool {
	return a.ID == b.ID && a.Owner == b.Owner && a.Title == b.Title &&
		bytes.Equal(a.Scenario, b.Scenario) && bytes.Equal(a.Settings, b.Settings) &&
		a.Class == b.Class && a.Created.Equal(b.Created) && a.Archived.Equal(b.Archived)
}

func sameInvite(a, b room.Invite) bool {
	return a.ID == b.ID && a.Negotiation == b.Negotiation && a.Party == b.Party && a.Person == b.Person &&
		a.Observer == b.Observer && a.Verifier == b.Verifier && a.Token == b.Token &&
		a.IssuedBy == b.IssuedBy && a.Reissued == b.Reissued && a.Note == b.Note &&
		a.Expires.Equal(b.Expires) && a.Created.Equal(b.Created) &&
		a.Used.Equal(b.Used) && a.ProfileSaved.Equal(b.ProfileSaved) &&
		a.Revoked.Equal(b.Revoked) && a.RevokedBy == b.RevokedBy && a.RevokeReason == b.RevokeReason &&
		a.Seen.Equal(b.Seen)
}

func sameClass(a, b room.Class) bool {
	return a.ID == b.ID && a.Owner == b.Owner && a.Title == b.Title &&
		a.Deadline.Equal(b.Deadline) && a.Created.Equal(b.Created)
}

// sameList reports whether got and want hold equal records in the same
// order; it fails the test with both lists if not.
func sameList[T any](t *testing.T, what string, got, want []T, same func(a, b T) bool) {
	t.Helper()
	if !slices.EqualFunc(got, want, same) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// user returns a user record numbered i.
func user(i int) room.User {
	return room.User{
		ID:           fmt.Sprintf("u%d", i),
		Name:         fmt.Sprintf("mediator-%d", i),
		PasswordHash: fmt.Sprintf("$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaC0%d", i),
		Created:      at(i),
	}
}

// negotiation returns a negotiation record of owner, created at at(i).
func negotiation(id, owner, class string, i int) room.Negotiation {
	return room.Negotiation{
		ID:       id,
		Owner:    owner,
		Title:    "Room " + id,
		Scenario: []byte(`{"parley":1,"name":"` + id + `"}`),
		Settings: []byte(`{"protocol":"sao"}`),
		Class:    class,
		Created:  at(i),
	}
}

// setup creates the users numbered users, for records that need an owner.
func setup(t *testing.T, s room.Store, users ...int) {
	t.Helper()
	ctx := t.Context()
	for _, i := range users {
		must(t, s.CreateUser(ctx, user(i)), "CreateUser")
	}
}

func testUsers(t *testing.T, s room.Store) {
	ctx := t.Context()
	u := user(1)
	must(t, s.CreateUser(ctx, u), "CreateUser")
	must(t, s.CreateUser(ctx, user(2)), "CreateUser second user")

	got, err := s.User(ctx, u.ID)
	must(t, err, "User")
	if !sameUser(got, u) {
		t.Errorf("User(%q) = %+v, want %+v", u.ID, got, u)
	}
	got, err = s.UserByName(ctx, u.Name)
	must(t, err, "UserByName")
	if !sameUser(got, u) {
		t.Errorf("UserByName(%q) = %+v, want %+v", u.Name, got, u)
	}

	_, err = s.User(ctx, "nobody")
	wantCode(t, err, room.ENOTFOUND, "User of a missing ID")
	_, err = s.UserByName(ctx, "nobody")
	wantCode(t, err, room.ENOTFOUND, "UserByName of a missing name")
	_, err = s.UserByName(ctx, u.ID)
	wantCode(t, err, room.ENOTFOUND, "UserByName of an ID")

	sameID := user(3)
	sameID.ID = u.ID
	wantCode(t, s.CreateUser(ctx, sameID), room.ECONFLICT, "CreateUser with a taken ID")
	sameName := user(4)
	sameName.Name = u.Name
	wantCode(t, s.CreateUser(ctx, sameName), room.ECONFLICT, "CreateUser with a taken name")

	// The refused users left no trace and the original is unchanged.
	_, err = s.UserByName(ctx, sameID.Name)
	wantCode(t, err, room.ENOTFOUND, "UserByName of a refused user")
	_, err = s.User(ctx, sameName.ID)
	wantCode(t, err, room.ENOTFOUND, "User of a refused user")
	got, err = s.User(ctx, u.ID)
	must(t, err, "User after conflicts")
	if !sameUser(got, u) {
		t.Errorf("after conflicts User(%q) = %+v, want %+v", u.ID, got, u)
	}
}

func testLogins(t *testing.T, s room.Store) {
	ctx := t.Context()
	setup(t, s, 1)
	a := room.Login{Token: strings.Repeat("a1", 32), User: "u1", Expires: at(3600)}
	b := room.Login{Token: strings.Repeat("b2", 32), User: "u1", Expires: at(7200)}
	must(t, s.CreateLogin(ctx, a), "CreateLogin")
	must(t, s.CreateLogin(ctx, b), "CreateLogin second login")

	got, err := s.LoginByToken(ctx, a.Token)
	must(t, err, "LoginByToken")
	if !sameLogin(got, a) {
		t.Errorf("LoginByToken = %+v, want %+v", got, a)
	}
	_, err = s.LoginByToken(ctx, strings.Repeat("c3", 32))
	wantCode(t, err, room.ENOTFOUND, "LoginByToken of a missing token")

	dup := room.Login{Token: a.Token, User: "u1", Expires: at(99)}
	wantCode(t, s.CreateLogin(ctx, dup), room.ECONFLICT, "CreateLogin with a taken token")
	got, err = s.LoginByToken(ctx, a.Token)
	must(t, err, "LoginByToken after conflict")
	if !sameLogin(got, a) {
		t.Errorf("after conflict LoginByToken = %+v, want %+v", got, a)
	}

	must(t, s.DeleteLogin(ctx, a.Token), "DeleteLogin")
	_, err = s.LoginByToken(ctx, a.Token)
	wantCode(t, err, room.ENOTFOUND, "LoginByToken of a deleted login")
	must(t, s.DeleteLogin(ctx, a.Token), "DeleteLogin of a deleted login")
	must(t, s.DeleteLogin(ctx, "never-there"), "DeleteLogin of a missing login")
	got, err = s.LoginByToken(ctx, b.Token)
	must(t, err, "LoginByToken of the other login")
	if !sameLogin(got, b) {
		t.Errorf("the other login after delete = %+v, want %+v", got, b)
	}
	// A deleted token may be used again.
	must(t, s.CreateLogin(ctx, a), "CreateLogin with a deleted token")
}

func testNegotiations(t *testing.T, s room.Store) {
	ctx := t.Context()
	setup(t, s, 1)
	n := negotiation("n1", "u1", "", 10)
	// Any bytes round-trip, not just text.
	n.Scenario = []byte("{\"a\":1}\x00\xff\xfe binary")
	must(t, s.CreateNegotiation(ctx, n), "CreateNegotiation")
	got, err := s.Negotiation(ctx, n.ID)
	must(t, err, "Negotiation")
	if !sameNegotiation(got, n) {
		t.Errorf("Negotiation = %+v, want %+v", got, n)
	}
	_, err = s.Negotiation(ctx, "missing")
	wantCode(t, err, room.ENOTFOUND, "Negotiation of a missing ID")

	dup := negotiation("n1", "u1", "c1", 11)
	dup.Title = "Another"
	wantCode(t, s.CreateNegotiation(ctx, dup), room.ECONFLICT, "CreateNegotiation with a taken ID")
	got, err = s.Negotiation(ctx, n.ID)
	must(t, err, "Negotiation after conflict")
	if !sameNegotiation(got, n) {
		t.Errorf("after conflict Negotiation = %+v, want %+v", got, n)
	}

	// Empty scenario and settings are allowed (a room being set up).
	empty := negotiation("n2", "u1", "", 12)
	empty.Scenario, empty.Settings = nil, nil
	must(t, s.CreateNegotiation(ctx, empty), "CreateNegotiation with no scenario")
	got, err = s.Negotiation(ctx, empty.ID)
	must(t, err, "Negotiation with no scenario")
	if !sameNegotiation(got, empty) {
		t.Errorf("Negotiation = %+v, want %+v", got, empty)
	}
}

func testNegotiationsOrder(t *testing.T, s room.Store) {
	ctx := t.Context()
	setup(t, s, 1, 2, 3)
	// Created out of order, so that insertion order is not the answer.
	n3 := negotiation("n-a", "u1", "", 30)
	n1 := negotiation("n-b", "u1", "", 10)
	m2 := negotiation("n-c", "u2", "", 20)
	n2 := negotiation("n-d", "u1", "", 15)
	for _, n := range []room.Negotiation{n3, n1, m2, n2} {
		must(t, s.CreateNegotiation(ctx, n), "CreateNegotiation")
	}
	got, err := s.Negotiations(ctx, "u1")
	must(t, err, "Negotiations")
	sameList(t, "Negotiations(u1)", got, []room.Negotiation{n1, n2, n3}, sameNegotiation)
	got, err = s.Negotiations(ctx, "u2")
	must(t, err, "Negotiations")
	sameList(t, "Negotiations(u2)", got, []room.Negotiation{m2}, sameNegotiation)
	got, err = s.Negotiations(ctx, "")
	must(t, err, "Negotiations of everyone")
	sameList(t, `Negotiations("")`, got, []room.Negotiation{n1, n2, m2, n3}, sameNegotiation)
	got, err = s.Negotiations(ctx, "u3")
	must(t, err, "Negotiations of an owner with none")
	if len(got) != 0 {
		t.Errorf("Negotiations(u3) = %+v, want none", got)
	}
	got, err = s.Negotiations(ctx, "nobody")
	must(t, err, "Negotiations of a missing owner")
	if len(got) != 0 {
		t.Errorf("Negotiations(nobody) = %+v, want none", got)
	}
}

func testNegotiationsOfClass(t *testing.T, s room.Store) {
	ctx := t.Context()
	setup(t, s, 1, 2)
	for _, c := range []room.Class{
		{ID: "c1", Owner: "u1", Title: "Spring", Created: at(1)},
		{ID: "c2", Owner: "u1", Title: "Autumn", Created: at(2)},
	} {
		must(t, s.CreateClass(ctx, c), "CreateClass")
	}
	a := negotiation("n-a", "u1", "c1", 40)
	b := negotiation("n-b", "u2", "c1", 20)
	c := negotiation("n-c", "u1", "c2", 30)
	d := negotiation("n-d", "u1", "", 10)
	e := negotiation("n-e", "u1", "c1", 30)
	for _, n := range []room.Negotiation{a, b, c, d, e} {
		must(t, s.CreateNegotiation(ctx, n), "CreateNegotiation")
	}
	got, err := s.NegotiationsOfClass(ctx, "c1")
	must(t, err, "NegotiationsOfClass")
	sameList(t, "NegotiationsOfClass(c1)", got, []room.Negotiation{b, e, a}, sameNegotiation)
	got, err = s.NegotiationsOfClass(ctx, "c2")
	must(t, err, "NegotiationsOfClass")
	sameList(t, "NegotiationsOfClass(c2)", got, []room.Negotiation{c}, sameNegotiation)
	got, err = s.NegotiationsOfClass(ctx, "c-missing")
	must(t, err, "NegotiationsOfClass of a missing class")
	if len(got) != 0 {
		t.Errorf("NegotiationsOfClass(c-missing) = %+v, want none", got)
	}
}

func testUpdateNegotiation(t *testing.T, s room.Store) {
	ctx := t.Context()
	setup(t, s, 1)
	n := negotiation("n1", "u1", "", 1)
	other := negotiation("n2", "u1", "", 2)
	must(t, s.CreateNegotiation(ctx, n), "CreateNegotiation")
	must(t, s.CreateNegotiation(ctx, other), "CreateNegotiation")

	n.Scenario = []byte(`{"parley":1,"name":"changed"}`)
	n.Settings = []byte("{\"rounds\":12,\"bin\":\"\x00\xff\"}")
	must(t, s.UpdateNegotiation(ctx, n.ID, n.Scenario, n.Settings), "UpdateNegotiation")
	got, err := s.Negotiation(ctx, n.ID)
	must(t, err, "Negotiation after update")
	if !sameNegotiation(got, n) {
		t.Errorf("after update Negotiation = %+v, want %+v", got, n)
	}
	got, err = s.Negotiation(ctx, other.ID)
	must(t, err, "other Negotiation after update")
	if !sameNegotiation(got, other) {
		t.Errorf("update changed another negotiation: %+v, want %+v", got, other)
	}

	// Updating to the same content again is not "not found".
	must(t, s.UpdateNegotiation(ctx, n.ID, n.Scenario, n.Settings), "UpdateNegotiation with no change")
	wantCode(t, s.UpdateNegotiation(ctx, "missing", n.Scenario, n.Settings), room.ENOTFOUND, "UpdateNegotiation of a missing ID")
	_, err = s.Negotiation(ctx, "missing")
	wantCode(t, err, room.ENOTFOUND, "Negotiation after updating a missing ID")
}

func testInvites(t *testing.T, s room.Store) {
	ctx := t.Context()
	setup(t, s, 1)
	must(t, s.CreateNegotiation(ctx, negotiation("n1", "u1", "", 1)), "CreateNegotiation")
	must(t, s.CreateNegotiation(ctx, negotiation("n2", "u1", "", 2)), "CreateNegotiation")
	north := room.Invite{ID: "i-north", Negotiation: "n1", Party: "north", Person: "Ana", Token: strings.Repeat("1", 64), Expires: at(86400), Created: at(30),
		Reissued: true, Note: "the first link leaked", Used: at(31), ProfileSaved: at(32)}
	south := room.Invite{ID: "i-south", Negotiation: "n1", Party: "south", Token: strings.Repeat("2", 64), Expires: at(86400), Created: at(10),
		Revoked: at(11), RevokedBy: "", RevokeReason: "wrong person"}
	watcher := room.Invite{ID: "i-watcher", Negotiation: "n1", Party: "", Observer: true, Person: "Press", Token: strings.Repeat("3", 64), Expires: at(3600), Created: at(20)}
	elsewhere := room.Invite{ID: "i-north", Negotiation: "n2", Party: "north", Token: strings.Repeat("4", 64), Expires: at(86400), Created: at(5)}
	monitor := room.Invite{ID: "i-monitor", Negotiation: "n1", Verifier: "monitors", Person: "Head of mission", Token: strings.Repeat("6", 64), Expires: at(86400), Created: at(40)}
	delegate := room.Invite{ID: "i-delegate", Negotiation: "n1", Party: "north", Observer: true, IssuedBy: "north", Person: "Adviser", Token: strings.Repeat("7", 64), Expires: at(3600), Created: at(50)}
	for _, inv := range []room.Invite{north, south, watcher, elsewhere, monitor, delegate} {
		must(t, s.CreateInvite(ctx, inv), "CreateInvite")
	}
	for _, inv := range []room.Invite{north, south, watcher, elsewhere, monitor, delegate} {
		got, err := s.InviteByToken(ctx, inv.Token)
		must(t, err, "InviteByToken")
		if !sameInvite(got, inv) {
			t.Errorf("InviteByToken = %+v, want %+v", got, inv)
		}
	}
	_, err := s.InviteByToken(ctx, strings.Repeat("5", 64))
	wantCode(t, err, room.ENOTFOUND, "InviteByToken of a missing token")

	dup := elsewhere
	dup.Negotiation = "n1"
	dup.Token = north.Token
	wantCode(t, s.CreateInvite(ctx, dup), room.ECONFLICT, "CreateInvite with a taken token")
	dup.Negotiation = "n2"
	wantCode(t, s.CreateInvite(ctx, dup), room.ECONFLICT, "CreateInvite with a token taken in another negotiation")
	dup.Token = strings.Repeat("8", 64)
	wantCode(t, s.CreateInvite(ctx, dup), room.ECONFLICT, "CreateInvite with an ID taken in the negotiation")
	dup.ID = ""
	wantCode(t, s.CreateInvite(ctx, dup), room.EINVALID, "CreateInvite without an ID")

	got, err := s.Invites(ctx, "n1")
	must(t, err, "Invites")
	sameList(t, "Invites(n1)", got, []room.Invite{south, watcher, north, monitor, delegate}, sameInvite)
	got, err = s.Invites(ctx, "n2")
	must(t, err, "Invites")
	sameList(t, "Invites(n2)", got, []room.Invite{elsewhere}, sameInvite)
	got, err = s.Invites(ctx, "missing")
	must(t, err, "Invites of a missing negotiation")
	if len(got) != 0 {
		t.Errorf("Invites(missing) = %+v, want none", got)
	}
}

// inviteOf returns an invite numbered i of negotiation n for party.
func inviteOf(n, id, party string, i int) room.Invite {
	return room.Invite{ID: id, Negotiation: n, Party: party, Token: fmt.Sprintf("%064d", i), Expires: at(86400), Created: at(i)}
}

func testRevokeInvites(t *testing.T, s room.Store) {
	ctx := t.Context()
	setup(t, s, 1)
	must(t, s.CreateNegotiation(ctx, negotiation("n1", "u1", "", 1)), "CreateNegotiation")
	must(t, s.CreateNegotiation(ctx, negotiation("n2", "u1", "", 2)), "CreateNegotiation")
	old := inviteOf("n1", "old", "north", 10)
	adviser := inviteOf("n1", "adviser", "north", 11)
	adviser.Observer, adviser.IssuedBy = true, "north"
	south := inviteOf("n1", "south", "south", 12)
	other := inviteOf("n2", "old", "north", 13)
	for _, inv := range []room.Invite{old, adviser, south, other} {
		must(t, s.CreateInvite(ctx, inv), "CreateInvite")
	}
	r := room.Revocation{At: at(20), By: "", Reason: "the seat was re-issued: the link leaked"}
	next := inviteOf("n1", "new", "north", 20)
	next.Reissued, next.Note = true, "the link leaked"

	// Nothing changes when one of the IDs is missing, or already revoked,
	// or the invite added is taken.
	wantCode(t, s.RevokeInvites(ctx, "n1", []string{"old", "missing"}, r, &next), room.ENOTFOUND, "RevokeInvites of a missing ID")
	wantCode(t, s.RevokeInvites(ctx, "n2", []string{"adviser"}, r, nil), room.ENOTFOUND, "RevokeInvites of another negotiation's invite")
	taken := next
	taken.Token = south.Token
	wantCode(t, s.RevokeInvites(ctx, "n1", []string{"old"}, r, &taken), room.ECONFLICT, "RevokeInvites adding a taken token")
	taken = next
	taken.ID = "south"
	wantCode(t, s.RevokeInvites(ctx, "n1", []string{"old"}, r, &taken), room.ECONFLICT, "RevokeInvites adding a taken ID")
	got, err := s.Invites(ctx, "n1")
	must(t, err, "Invites")
	sameList(t, "Invites after refused revocations", got, []room.Invite{old, adviser, south}, sameInvite)

	must(t, s.RevokeInvites(ctx, "n1", []string{"old", "adviser"}, r, &next), "RevokeInvites")
	for _, inv := range []*room.Invite{&old, &adviser} {
		inv.Revoked, inv.RevokedBy, inv.RevokeReason = r.At, r.By, r.Reason
	}
	got, err = s.Invites(ctx, "n1")
	must(t, err, "Invites")
	sameList(t, "Invites after the re-issue", got, []room.Invite{old, adviser, south, next}, sameInvite)
	byToken, err := s.InviteByToken(ctx, old.Token)
	must(t, err, "InviteByToken")
	if !sameInvite(byToken, old) {
		t.Errorf("InviteByToken of the revoked invite = %+v, want %+v", byToken, old)
	}
	// The other negotiation's invite of the same ID is untouched.
	got, err = s.Invites(ctx, "n2")
	must(t, err, "Invites")
	sameList(t, "Invites(n2)", got, []room.Invite{other}, sameInvite)

	wantCode(t, s.RevokeInvites(ctx, "n1", []string{"old"}, r, nil), room.ECONFLICT, "RevokeInvites of a revoked invite")
	// By a delegation, without adding anything.
	must(t, s.RevokeInvites(ctx, "n1", []string{"south"}, room.Revocation{At: at(30), By: "south", Reason: ""}, nil), "RevokeInvites")
	south.Revoked, south.RevokedBy = at(30), "south"
	byToken, err = s.InviteByToken(ctx, south.Token)
	must(t, err, "InviteByToken")
	if !sameInvite(byToken, south) {
		t.Errorf("InviteByToken = %+v, want %+v", byToken, south)
	}
	// Only adding is a plain create.
	only := inviteOf("n1", "only", "east", 40)
	must(t, s.RevokeInvites(ctx, "n1", nil, room.Revocation{At: at(40)}, &only), "RevokeInvites adding only")
	byToken, err = s.InviteByToken(ctx, only.Token)
	must(t, err, "InviteByToken")
	if !sameInvite(byToken, only) {
		t.Errorf("InviteByToken = %+v, want %+v", byToken, only)
	}
}

func testMarkInvites(t *testing.T, s room.Store) {
	ctx := t.Context()
	setup(t, s, 1)
	must(t, s.CreateNegotiation(ctx, negotiation("n1", "u1", "", 1)), "CreateNegotiation")
	inv := inviteOf("n1", "i1", "north", 10)
	must(t, s.CreateInvite(ctx, inv), "CreateInvite")
	must(t, s.MarkInviteUsed(ctx, "n1", "i1", at(11)), "MarkInviteUsed")
	must(t, s.MarkInviteUsed(ctx, "n1", "i1", at(12)), "MarkInviteUsed again") // the first use stays
	must(t, s.MarkProfileSaved(ctx, "n1", "i1", at(13)), "MarkProfileSaved")
	must(t, s.MarkProfileSaved(ctx, "n1", "i1", at(14)), "MarkProfileSaved again") // the last save counts
	inv.Used, inv.ProfileSaved = at(11), at(14)
	got, err := s.InviteByToken(ctx, inv.Token)
	must(t, err, "InviteByToken")
	if !sameInvite(got, inv) {
		t.Errorf("InviteByToken = %+v, want %+v", got, inv)
	}
	wantCode(t, s.MarkInviteUsed(ctx, "n1", "missing", at(15)), room.ENOTFOUND, "MarkInviteUsed of a missing invite")
	wantCode(t, s.MarkInviteUsed(ctx, "n2", "i1", at(15)), room.ENOTFOUND, "MarkInviteUsed in another negotiation")
	wantCode(t, s.MarkProfileSaved(ctx, "n1", "missing", at(15)), room.ENOTFOUND, "MarkProfileSaved of a missing invite")
}

func testClasses(t *testing.T, s room.Store) {
	ctx := t.Context()
	setup(t, s, 1, 2)
	late := room.Class{ID: "c-a", Owner: "u1", Title: "Late", Deadline: at(1e6), Created: at(30)}
	early := room.Class{ID: "c-b", Owner: "u1", Title: "Early, no deadline", Created: at(10)}
	theirs := room.Class{ID: "c-c", Owner: "u2", Title: "Theirs", Deadline: at(5e5), Created: at(20)}
	for _, c := range []room.Class{late, early, theirs} {
		must(t, s.CreateClass(ctx, c), "CreateClass")
	}
	for _, c := range []room.Class{late, early, theirs} {
		got, err := s.Class(ctx, c.ID)
		must(t, err, "Class")
		if !sameClass(got, c) {
			t.Errorf("Class(%q) = %+v, want %+v", c.ID, got, c)
		}
	}
	if got, err := s.Class(ctx, early.ID); err == nil && !got.Deadline.IsZero() {
		t.Errorf("a class with no deadline reads back with deadline %v", got.Deadline)
	}
	_, err := s.Class(ctx, "missing")
	wantCode(t, err, room.ENOTFOUND, "Class of a missing ID")

	dup := theirs
	dup.ID = late.ID
	wantCode(t, s.CreateClass(ctx, dup), room.ECONFLICT, "CreateClass with a taken ID")
	got, err := s.Class(ctx, late.ID)
	must(t, err, "Class after conflict")
	if !sameClass(got, late) {
		t.Errorf("after conflict Class = %+v, want %+v", got, late)
	}

	list, err := s.Classes(ctx, "u1")
	must(t, err, "Classes")
	sameList(t, "Classes(u1)", list, []room.Class{early, late}, sameClass)
	list, err = s.Classes(ctx, "u2")
	must(t, err, "Classes")
	sameList(t, "Classes(u2)", list, []room.Class{theirs}, sameClass)
	list, err = s.Classes(ctx, "nobody")
	must(t, err, "Classes of a missing owner")
	if len(list) != 0 {
		t.Errorf("Classes(nobody) = %+v, want none", list)
	}
}

// events returns n synthetic events numbered from seq on, tagged so that
// different writers' events differ. They exercise every field but are not
// a valid hash chain.
func events(seq, n int, tag string) []session.Event {
	out := make([]session.Event, n)
	for i := range out {
		s := seq + i
		yes := s%2 == 0
		out[i] = session.Event{
			Seq:     s,
			Round:   1 + s/3,
			Time:    at(s).Add(time.Duration(s) * time.Nanosecond),
			Party:   "north",
			Kind:    session.KindMessage,
			Visible: []string{"north", "south"},
			Move: &session.Move{
				Kind:    session.KindMessage,
				Party:   "north",
				Message: fmt.Sprintf("%s #%d: \"quotes\", <html> & ünïcödé \u2028", tag, s),
				To:      []string{"south"},
				Yes:     &yes,
				Package: framework.Package{s % 3, 0, 2},
			},
			Prev: fmt.Sprintf("prev-%s-%d", tag, s),
			Hash: fmt.Sprintf("hash-%s-%d", tag, s),
		}
	}
	return out
}

// sameEvents fails the test unless got holds the events of want, encoded
// byte for byte alike and with equal times.
func sameEvents(t *testing.T, what string, got, want []session.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d events, want %d", what, len(got), len(want))
		return
	}
	for i := range want {
		g, err := json.Marshal(&got[i])
		must(t, err, "encode event")
		w, err := json.Marshal(&want[i])
		must(t, err, "encode event")
		if !bytes.Equal(g, w) || !got[i].Time.Equal(want[i].Time) {
			t.Errorf("%s: event %d reads back as\n%s\nwant\n%s", what, i+1, g, w)
			return
		}
	}
}

// logOf returns the stored log, failing the test on error.
func logOf(t *testing.T, s room.Store, id string) []session.Event {
	t.Helper()
	evs, err := s.Events(t.Context(), id)
	must(t, err, "Events")
	return evs
}

func testAppendSequence(t *testing.T, s room.Store) {
	ctx := t.Context()
	setup(t, s, 1)
	must(t, s.CreateNegotiation(ctx, negotiation("n1", "u1", "", 1)), "CreateNegotiation")
	must(t, s.CreateNegotiation(ctx, negotiation("n2", "u1", "", 2)), "CreateNegotiation")
	if evs := logOf(t, s, "n1"); len(evs) != 0 {
		t.Fatalf("a new negotiation's log holds %d events", len(evs))
	}

	wantCode(t, s.AppendEvents(ctx, "n1", events(2, 1, "x")), room.ECONFLICT, "first append starting at 2")
	wantCode(t, s.AppendEvents(ctx, "n1", events(0, 1, "x")), room.ECONFLICT, "first append starting at 0")
	if evs := logOf(t, s, "n1"); len(evs) != 0 {
		t.Fatalf("refused appends stored %d events", len(evs))
	}

	log := events(1, 1, "a")
	must(t, s.AppendEvents(ctx, "n1", log), "append event 1")
	more := events(2, 3, "a")
	must(t, s.AppendEvents(ctx, "n1", more), "append events 2-4")
	log = append(log, more...)
	sameEvents(t, "after appends", logOf(t, s, "n1"), log)

	for _, bad := range []struct {
		what   string
		events []session.Event
	}{
		{"a repeat of the last event", events(4, 1, "b")},
		{"a repeat of an earlier event", events(2, 1, "b")},
		{"a repeat running on past the end", events(4, 2, "b")},
		{"a gap", events(6, 1, "b")},
		{"sequence number 0", events(0, 1, "b")},
		{"a repeat within the append", slices.Concat(events(5, 1, "b"), events(5, 1, "c"))},
		{"a gap within the append", slices.Concat(events(5, 1, "b"), events(7, 1, "b"))},
		{"a step back within the append", slices.Concat(events(5, 2, "b"), events(5, 1, "b"))},
	} {
		wantCode(t, s.AppendEvents(ctx, "n1", bad.events), room.ECONFLICT, "append of "+bad.what)
		sameEvents(t, "after an append of "+bad.what, logOf(t, s, "n1"), log)
	}

	// The logs of negotiations are independent.
	if evs := logOf(t, s, "n2"); len(evs) != 0 {
		t.Errorf("another negotiation's log holds %d events", len(evs))
	}
	wantCode(t, s.AppendEvents(ctx, "n2", events(5, 1, "n2")), room.ECONFLICT, "append to n2 continuing n1's log")
	other := events(1, 2, "n2")
	must(t, s.AppendEvents(ctx, "n2", other), "append to n2")
	sameEvents(t, "n2", logOf(t, s, "n2"), other)

	next := events(5, 2, "a")
	must(t, s.AppendEvents(ctx, "n1", next), "append events 5-6")
	sameEvents(t, "n1 at the end", logOf(t, s, "n1"), append(log, next...))
}

func testAppendAtomic(t *testing.T, s room.Store) {
	ctx := t.Context()
	setup(t, s, 1)
	must(t, s.CreateNegotiation(ctx, negotiation("n1", "u1", "", 1)), "CreateNegotiation")
	log := events(1, 3, "a")
	must(t, s.AppendEvents(ctx, "n1", log), "append events 1-3")

	// Events 4 and 5 follow on, event 7 does not: none may be stored.
	bad := slices.Concat(events(4, 2, "b"), events(7, 1, "b"))
	wantCode(t, s.AppendEvents(ctx, "n1", bad), room.ECONFLICT, "append of 4, 5, 7")
	sameEvents(t, "after a refused multi-event append", logOf(t, s, "n1"), log)

	// Events 4 and 5 followed by a repeat of 5.
	bad = slices.Concat(events(4, 2, "b"), events(5, 1, "c"))
	wantCode(t, s.AppendEvents(ctx, "n1", bad), room.ECONFLICT, "append of 4, 5, 5")
	sameEvents(t, "after a refused multi-event append", logOf(t, s, "n1"), log)

	// A long append all goes in.
	long := events(4, 50, "c")
	must(t, s.AppendEvents(ctx, "n1", long), "append of 50 events")
	sameEvents(t, "after a long append", logOf(t, s, "n1"), append(log, long...))
}

func testAppendNotFound(t *testing.T, s room.Store) {
	ctx := t.Context()
	setup(t, s, 1)
	wantCode(t, s.AppendEvents(ctx, "missing", events(1, 1, "a")), room.ENOTFOUND, "append to a missing negotiation")
	wantCode(t, s.AppendEvents(ctx, "missing", events(1, 3, "a")), room.ENOTFOUND, "append of 3 events to a missing negotiation")
	// Creating it afterwards finds an empty log.
	must(t, s.CreateNegotiation(ctx, negotiation("missing", "u1", "", 1)), "CreateNegotiation")
	if evs := logOf(t, s, "missing"); len(evs) != 0 {
		t.Errorf("append to a missing negotiation left %d events", len(evs))
	}
}

func testEventsRoundTrip(t *testing.T, s room.Store) {
	ctx := t.Context()
	setup(t, s, 1)
	must(t, s.CreateNegotiation(ctx, negotiation("n1", "u1", "", 1)), "CreateNegotiation")
	in := events(1, 3, "rt")
	// Times in several zones and at full precision, a zero time, and an
	// event with no move, a note and no visibility list.
	in[1].Time = time.Date(2030, 12, 31, 23, 59, 59, 999999999, time.UTC)
	in[2].Time = time.Time{}
	in[2].Move, in[2].Visible, in[2].Party = nil, nil, ""
	in[2].Kind = "agreement"
	in[2].Note = &session.Note{Package: framework.Package{1, 2, 3}, Reason: "all accepted", Status: session.StatusPending, Points: []int{0, 2}}
	loc, err := time.LoadLocation("America/St_Johns")
	if err == nil { // without tzdata, the fixed zones above still count
		in = append(in, events(4, 1, "rt")...)
		in[3].Time = time.Date(2026, 7, 1, 12, 0, 0, 123456789, loc)
	}
	must(t, s.AppendEvents(ctx, "n1", in), "AppendEvents")
	got := logOf(t, s, "n1")
	sameEvents(t, "read back", got, in)
	for i := range got {
		if got[i].Seq != in[i].Seq || got[i].Hash != in[i].Hash || got[i].Prev != in[i].Prev {
			t.Errorf("event %d reads back with seq %d hash %q prev %q", i+1, got[i].Seq, got[i].Hash, got[i].Prev)
		}
	}
	// Events returns a copy: changing it does not change the store.
	if len(got) > 0 {
		got[0].Kind = "changed"
		sameEvents(t, "read again", logOf(t, s, "n1"), in)
	}
}

// sessionLog plays a short alternating-offers session on the built-in
// scenario tiny-2p and appends each move's events as the room does. It
// returns the session.
func sessionLog(t *testing.T, s room.Store, id string) *session.Session {
	t.Helper()
	ctx := t.Context()
	sc, err := scenario.Builtin("tiny-2p")
	must(t, err, "scenario tiny-2p")
	now := at(0)
	clock := func() time.Time { now = now.Add(1234567891 * time.Nanosecond); return now }
	sess, err := session.New(sc, session.Config{Protocol: session.SAO, Rounds: 10}, clock)
	must(t, err, "session.New")
	stored := 0
	flush := func() {
		t.Helper()
		evs := sess.Events()
		must(t, s.AppendEvents(ctx, id, evs[stored:]), fmt.Sprintf("append events %d-%d", stored+1, len(evs)))
		stored = len(evs)
	}
	flush()
	yes := true
	for _, m := range []session.Move{
		{Kind: session.KindOffer, Party: "north", Package: framework.Package{0, 0, 0}},
		{Kind: session.KindMessage, Party: "south", Message: "Too close to the line.\nThink again.", To: []string{"north"}},
		{Kind: session.KindOffer, Party: "south", Package: framework.Package{1, 4, 5}},
		{Kind: session.KindOffer, Party: "north", Package: framework.Package{2, 2, 2}},
		{Kind: session.KindAccept, Party: "south"},
		{Kind: session.KindRatify, Party: "north", Ref: 1, Yes: &yes},
		{Kind: session.KindRatify, Party: "south", Ref: 2, Yes: &yes},
	} {
		if _, err := sess.Submit(m); err != nil {
			t.Fatalf("Submit(%+v): %v", m, err)
		}
		flush()
	}
	return sess
}

func testSessionLog(t *testing.T, s room.Store) {
	ctx := t.Context()
	setup(t, s, 1)
	must(t, s.CreateNegotiation(ctx, negotiation("n1", "u1", "", 1)), "CreateNegotiation")
	sess := sessionLog(t, s, "n1")
	want := sess.Events()
	if sess.State.Status != session.StatusInForce {
		t.Errorf("the scripted session ended %s (%s), want %s", sess.State.Status, sess.State.Reason, session.StatusInForce)
	}

	got := logOf(t, s, "n1")
	sameEvents(t, "session log", got, want)
	if err := session.VerifyChain(got); err != nil {
		t.Errorf("VerifyChain of the stored log: %v", err)
	}
	// The log file format insists on the engine's exact encoding.
	var buf bytes.Buffer
	must(t, session.WriteLog(&buf, got), "WriteLog")
	if _, err := session.ReadLog(&buf); err != nil {
		t.Errorf("ReadLog of the stored log: %v", err)
	}
	if _, err := session.Replay(sess.Scenario, got); err != nil {
		t.Errorf("Replay of the stored log: %v", err)
	}

	// A stale writer re-sending the last move's events is refused.
	last := want[len(want)-1:]
	wantCode(t, s.AppendEvents(ctx, "n1", last), room.ECONFLICT, "append of the last event again")
	if err := session.VerifyChain(logOf(t, s, "n1")); err != nil {
		t.Errorf("VerifyChain after a refused append: %v", err)
	}
}

// race starts n goroutines that wait on a common start and run f with
// their index, and returns when all are done.
func race(n int, f func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			f(i)
		}()
	}
	close(start)
	wg.Wait()
}

func testConcurrentSameSeq(t *testing.T, s room.Store) {
	ctx := t.Context()
	setup(t, s, 1)
	must(t, s.CreateNegotiation(ctx, negotiation("n1", "u1", "", 1)), "CreateNegotiation")
	const writers, rounds = 8, 5
	var want []session.Event
	for r := range rounds {
		seq := len(want) + 1
		size := 1 + r%2 // single and double appends
		batches := make([][]session.Event, writers)
		errs := make([]error, writers)
		for i := range batches {
			batches[i] = events(seq, size, fmt.Sprintf("writer%d", i))
		}
		race(writers, func(i int) { errs[i] = s.AppendEvents(ctx, "n1", batches[i]) })
		winner := -1
		for i, err := range errs {
			switch room.ErrorCode(err) {
			case "":
				if winner >= 0 {
					t.Fatalf("round %d: writers %d and %d both appended event %d", r, winner, i, seq)
				}
				winner = i
			case room.ECONFLICT:
			default:
				t.Fatalf("round %d: writer %d: %v (code %q), want success or %q", r, i, err, room.ErrorCode(err), room.ECONFLICT)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: no writer appended event %d", r, seq)
		}
		want = append(want, batches[winner]...)
		sameEvents(t, fmt.Sprintf("round %d", r), logOf(t, s, "n1"), want)
	}
}

func testConcurrentRetry(t *testing.T, s room.Store) {
	ctx := t.Context()
	setup(t, s, 1)
	ids := []string{"n1", "n2"}
	for i, id := range ids {
		must(t, s.CreateNegotiation(ctx, negotiation(id, "u1", "", i)), "CreateNegotiation")
	}
	const writers, appends = 6, 8
	errs := make([]error, writers)
	// Each writer appends to both logs, re-reading the log and trying again
	// whenever another writer got in first.
	race(writers, func(w int) {
		tag := fmt.Sprintf("w%d", w)
		for k := range appends {
			id := ids[(w+k)%len(ids)]
			for try := 0; ; try++ {
				if try == 1000 {
					errs[w] = fmt.Errorf("%s gave up after %d tries", tag, try)
					return
				}
				evs, err := s.Events(ctx, id)
				if err != nil {
					errs[w] = err
					return
				}
				err = s.AppendEvents(ctx, id, events(len(evs)+1, 1+k%2, tag))
				if err == nil {
					break
				}
				if room.ErrorCode(err) != room.ECONFLICT {
					errs[w] = err
					return
				}
			}
		}
	})
	for w, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", w, err)
		}
	}
	total := 0
	perWriter := map[string]int{}
	for _, id := range ids {
		evs := logOf(t, s, id)
		total += len(evs)
		for i, e := range evs {
			if e.Seq != i+1 {
				t.Fatalf("%s: event %d has sequence number %d", id, i+1, e.Seq)
			}
			tag, _, _ := strings.Cut(e.Move.Message, " ")
			perWriter[tag]++
		}
	}
	// Each append k of a writer stored 1 + k%2 events.
	each := 0
	for k := range appends {
		each += 1 + k%2
	}
	if total != writers*each {
		t.Errorf("the logs hold %d events, want %d", total, writers*each)
	}
	for w := range writers {
		if n := perWriter[fmt.Sprintf("w%d", w)]; n != each {
			t.Errorf("writer %d has %d events stored, want %d", w, n, each)
		}
	}
}
