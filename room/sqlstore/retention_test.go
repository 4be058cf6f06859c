package sqlstore

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/room/roomtest"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// Retention (issue 20): a negotiation deleted — with or without its public
// record kept — leaves none of its private data in the database: canary
// strings in its invitations and in its parties' private messages are
// searched for in the SQLite file and its WAL, and in every PostgreSQL
// table.

// canaryRoom opens a Miami room tagged tag: an invitation for a person
// named with the canary, and, once started, a party's message
// to the mediator holding it. It returns the negotiation's id.
func canaryRoom(t *testing.T, svc *room.Service, user, tag string) string {
	t.Helper()
	ctx := context.Background()
	sc, err := scenario.Builtin("miami-2025")
	if err != nil {
		t.Fatal(err)
	}
	n, err := svc.CreateNegotiation(ctx, user, "Public title "+tag, sc, room.Settings{}, "")
	if err != nil {
		t.Fatal(err)
	}
	viewers := map[string]room.Viewer{}
	for _, p := range []string{"russia", "ukraine"} {
		tok, _, err := svc.Invite(ctx, user, n.ID, p, "CANARY-PERSON-"+tag, false, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if viewers[p], err = svc.Join(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.Start(ctx, user, n.ID); err != nil {
		t.Fatal(err)
	}
	m := session.Move{Kind: session.KindMessage, Message: "CANARY-MESSAGE-" + tag, To: []string{mediatorID(sc)}}
	if _, err := svc.Submit(ctx, viewers["russia"], n.ID, m); err != nil {
		t.Fatal(err)
	}
	return n.ID
}

func mediatorID(sc *scenario.Scenario) string {
	for _, p := range sc.Parties {
		if p.Role == scenario.Mediator {
			return p.ID
		}
	}
	return "mediator"
}

// retention deletes one room, purges another keeping its record, and
// keeps a third; it checks the kept record.
func retention(t *testing.T, st room.Store) {
	ctx := context.Background()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	svc := room.New(st, nil, room.WithSigningKey(priv))
	u, err := svc.CreateUser(ctx, "mediator", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	gone := canaryRoom(t, svc, u.ID, "GONE")
	kept := canaryRoom(t, svc, u.ID, "KEPT")
	canaryRoom(t, svc, u.ID, "STAYS")
	if err := svc.Delete(ctx, u.ID, gone, gone); err != nil {
		t.Fatal(err)
	}
	r, err := svc.Purge(ctx, u.ID, kept, kept, true)
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.KeptRecord(ctx, u.ID, kept)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Public title KEPT" || !bytes.Equal(got.Log, r.Log) || len(got.Log) == 0 {
		t.Fatalf("kept record %+v", got)
	}
	if bytes.Contains(got.Log, []byte("CANARY")) {
		t.Errorf("the kept public record holds private data:\n%s", got.Log)
	}
	rec, err := session.ReadRecord(bytes.NewReader(got.Log))
	if err != nil {
		t.Fatalf("the kept record does not read as a log: %v", err)
	}
	if err := session.VerifyPartial(rec.Events); err != nil {
		t.Errorf("the kept record's chain: %v", err)
	}
	proof, err := session.CheckCheckpoints(rec.Events, rec.Checkpoints, pub)
	if err != nil || !proof.Complete() {
		t.Errorf("the kept record's checkpoint does not prove it with the server's key: %+v, %v", proof, err)
	}
	if _, err := svc.KeptRecord(ctx, "someone-else", kept); room.ErrorCode(err) != room.ENOTFOUND {
		t.Errorf("another account's kept record: %v, want ENOTFOUND", err)
	}
	if _, err := st.Negotiation(ctx, kept); room.ErrorCode(err) != room.ENOTFOUND {
		t.Errorf("the purged negotiation is still there: %v", err)
	}
}

var deletedCanaries = []string{"CANARY-PERSON-GONE", "CANARY-MESSAGE-GONE", "CANARY-PERSON-KEPT", "CANARY-MESSAGE-KEPT"}

func TestRetentionSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	st, err := OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	retention(t, st)
	search := func(when string) {
		t.Helper()
		for _, f := range []string{path, path + "-wal"} {
			data, err := os.ReadFile(f)
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range deletedCanaries {
				if bytes.Contains(data, []byte(c)) {
					t.Errorf("%s: %s still holds %q", when, filepath.Base(f), c)
				}
			}
			if f == path && !bytes.Contains(data, []byte("CANARY-MESSAGE-STAYS")) && when == "after VACUUM" {
				t.Errorf("%s: the room kept is not in the file either: is the search blind?", when)
			}
		}
	}
	// Deleted rows are overwritten (secure_delete) and the WAL
	// checkpointed at once; VACUUM rewrites the file.
	search("after the deletion")
	if err := st.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	search("after VACUUM")
}

func TestRetentionPostgres(t *testing.T) {
	st, err := OpenPostgres(context.Background(), roomtest.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	retention(t, st)
	tables := []string{"users", "logins", "classes", "negotiations", "invites", "events", "kept_records"}
	count := func(c string) int {
		n := 0
		for _, table := range tables {
			var k int
			if err := st.db.QueryRow(`SELECT COUNT(*) FROM `+table+` t WHERE CAST(t AS TEXT) LIKE $1`, "%"+c+"%").Scan(&k); err != nil {
				t.Fatalf("%s: %v", table, err)
			}
			n += k
		}
		return n
	}
	for _, c := range deletedCanaries {
		if n := count(c); n > 0 {
			t.Errorf("%d rows still hold %q", n, c)
		}
	}
	if count("CANARY-MESSAGE-STAYS") == 0 {
		t.Error("the room kept is not found either: is the search blind?")
	}
	if err := st.Compact(context.Background()); err != nil {
		t.Errorf("VACUUM: %v", err)
	}
}
