package roomtest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/room"
)

// Accounts (roles, sign-ins listed and revoked, passwords, removal) and
// kept records (retention), issue 20.

func testAccounts(t *testing.T, s room.Store) {
	ctx := t.Context()
	owner, inst := user(1), user(2)
	owner.Role, inst.Role = room.RoleOwner, room.RoleInstructor
	plain := user(3) // no role: a mediator
	for _, u := range []room.User{owner, inst, plain} {
		must(t, s.CreateUser(ctx, u), "CreateUser")
	}
	plain.Role = room.RoleMediator
	list, err := s.Users(ctx)
	must(t, err, "Users")
	same := func(a, b room.User) bool { return sameUser(a, b) && a.Role == b.Role }
	sameList(t, "Users", list, []room.User{owner, inst, plain}, same)
	got, err := s.UserByName(ctx, inst.Name)
	must(t, err, "UserByName")
	if got.Role != room.RoleInstructor {
		t.Errorf("UserByName role = %q, want %q", got.Role, room.RoleInstructor)
	}

	// Sign-ins: listed oldest first with their time, revoked by id.
	a := room.Login{Token: strings.Repeat("a1", 32), User: "u2", Expires: at(3600), Created: at(1)}
	b := room.Login{Token: strings.Repeat("b2", 32), User: "u2", Expires: at(7200), Created: at(2)}
	c := room.Login{Token: strings.Repeat("c3", 32), User: "u2", Expires: at(7200), Created: at(3)}
	other := room.Login{Token: strings.Repeat("d4", 32), User: "u3", Expires: at(7200), Created: at(4)}
	for _, l := range []room.Login{b, a, c, other} {
		must(t, s.CreateLogin(ctx, l), "CreateLogin")
	}
	sameLogins := func(a, b room.Login) bool { return sameLogin(a, b) && a.Created.Equal(b.Created) }
	logins, err := s.Logins(ctx, "u2")
	must(t, err, "Logins")
	sameList(t, "Logins(u2)", logins, []room.Login{a, b, c}, sameLogins)
	if a.ID() != strings.Repeat("a1", 12) {
		t.Errorf("Login.ID = %q", a.ID())
	}
	n, err := s.DeleteLogins(ctx, "u2", []string{a.ID(), other.ID(), "nothing"})
	must(t, err, "DeleteLogins")
	if n != 1 {
		t.Errorf("DeleteLogins of one of u2's and one of u3's removed %d, want 1 (only the user's own)", n)
	}
	logins, err = s.Logins(ctx, "u2")
	must(t, err, "Logins")
	sameList(t, "Logins(u2) after a revocation", logins, []room.Login{b, c}, sameLogins)
	if _, err := s.LoginByToken(ctx, other.Token); err != nil {
		t.Errorf("another user's login after DeleteLogins: %v", err)
	}

	// A new password signs out everywhere.
	must(t, s.SetPassword(ctx, "u2", "$argon2id$new"), "SetPassword")
	got, err = s.User(ctx, "u2")
	must(t, err, "User")
	if got.PasswordHash != "$argon2id$new" {
		t.Errorf("after SetPassword the hash is %q", got.PasswordHash)
	}
	if logins, err = s.Logins(ctx, "u2"); err != nil || len(logins) != 0 {
		t.Errorf("Logins after SetPassword = %v, %v; want none", logins, err)
	}
	wantCode(t, s.SetPassword(ctx, "nobody", "x"), room.ENOTFOUND, "SetPassword of a missing user")

	// All sign-ins at once.
	must(t, s.CreateLogin(ctx, a), "CreateLogin")
	must(t, s.CreateLogin(ctx, b), "CreateLogin")
	if n, err := s.DeleteLogins(ctx, "u2", nil); err != nil || n != 2 {
		t.Errorf("DeleteLogins(all) = %d, %v; want 2", n, err)
	}

	// A user who owns a negotiation is not removed; one who owns nothing
	// is, with its sign-ins.
	must(t, s.CreateNegotiation(ctx, negotiation("n1", "u2", "", 1)), "CreateNegotiation")
	must(t, s.CreateLogin(ctx, a), "CreateLogin")
	wantCode(t, s.DeleteUser(ctx, "u2"), room.ECONFLICT, "DeleteUser of an owner of a negotiation")
	if _, err := s.User(ctx, "u2"); err != nil {
		t.Errorf("a refused DeleteUser removed the user: %v", err)
	}
	if _, err := s.LoginByToken(ctx, a.Token); err != nil {
		t.Errorf("a refused DeleteUser removed a login: %v", err)
	}
	must(t, s.DeleteUser(ctx, "u3"), "DeleteUser")
	_, err = s.User(ctx, "u3")
	wantCode(t, err, room.ENOTFOUND, "User after DeleteUser")
	_, err = s.LoginByToken(ctx, other.Token)
	wantCode(t, err, room.ENOTFOUND, "a removed user's login")
	wantCode(t, s.DeleteUser(ctx, "u3"), room.ENOTFOUND, "DeleteUser twice")
	// The name may be taken again.
	must(t, s.CreateUser(ctx, user(3)), "CreateUser with a removed user's name and id")
}

func sameKept(a, b room.KeptRecord) bool {
	return a.Negotiation == b.Negotiation && a.Owner == b.Owner && a.Title == b.Title && a.Class == b.Class &&
		a.Created.Equal(b.Created) && a.Deleted.Equal(b.Deleted) && bytes.Equal(a.Log, b.Log) && bytes.Equal(a.Agreement, b.Agreement)
}

func testKeptRecords(t *testing.T, s room.Store) {
	ctx := t.Context()
	setup(t, s, 1, 2)
	must(t, s.CreateNegotiation(ctx, negotiation("n1", "u1", "c1", 1)), "CreateNegotiation")
	must(t, s.CreateNegotiation(ctx, negotiation("n2", "u2", "", 2)), "CreateNegotiation")
	must(t, s.CreateInvite(ctx, inviteOf("n1", "i1", "north", 10)), "CreateInvite")
	must(t, s.AppendEvents(ctx, "n1", events(1, 3, "private")), "AppendEvents")

	r1 := room.KeptRecord{Negotiation: "n1", Owner: "u1", Title: "T1", Class: "c1", Created: at(1), Deleted: at(50),
		Log: []byte(`{"seq":1}` + "\n"), Agreement: []byte(`{"title":"x"}`)}
	must(t, s.KeepRecord(ctx, r1), "KeepRecord")
	_, err := s.Negotiation(ctx, "n1")
	wantCode(t, err, room.ENOTFOUND, "Negotiation after KeepRecord")
	if ev, err := s.Events(ctx, "n1"); err != nil || len(ev) != 0 {
		t.Errorf("Events after KeepRecord = %d events, %v; want none", len(ev), err)
	}
	if inv, err := s.Invites(ctx, "n1"); err != nil || len(inv) != 0 {
		t.Errorf("Invites after KeepRecord = %d, %v; want none", len(inv), err)
	}
	got, err := s.KeptRecord(ctx, "n1")
	must(t, err, "KeptRecord")
	if !sameKept(got, r1) {
		t.Errorf("KeptRecord = %+v, want %+v", got, r1)
	}
	wantCode(t, s.KeepRecord(ctx, room.KeptRecord{Negotiation: "missing", Owner: "u1", Created: at(1), Deleted: at(2)}),
		room.ENOTFOUND, "KeepRecord of a missing negotiation")

	// Without a log nor an agreement.
	r2 := room.KeptRecord{Negotiation: "n2", Owner: "u2", Title: "T2", Created: at(2), Deleted: at(60)}
	must(t, s.KeepRecord(ctx, r2), "KeepRecord without a log")
	list, err := s.KeptRecords(ctx, "u1")
	must(t, err, "KeptRecords")
	sameList(t, "KeptRecords(u1)", list, []room.KeptRecord{r1}, sameKept)
	list, err = s.KeptRecords(ctx, "")
	must(t, err, "KeptRecords")
	sameList(t, "KeptRecords(all)", list, []room.KeptRecord{r1, r2}, sameKept)

	// A user who owns kept records is not removed.
	wantCode(t, s.DeleteUser(ctx, "u2"), room.ECONFLICT, "DeleteUser of the owner of a kept record")
	must(t, s.DeleteKeptRecord(ctx, "n2"), "DeleteKeptRecord")
	wantCode(t, s.DeleteKeptRecord(ctx, "n2"), room.ENOTFOUND, "DeleteKeptRecord twice")
	_, err = s.KeptRecord(ctx, "n2")
	wantCode(t, err, room.ENOTFOUND, "KeptRecord after DeleteKeptRecord")
	must(t, s.DeleteUser(ctx, "u2"), "DeleteUser once it owns nothing")
}
