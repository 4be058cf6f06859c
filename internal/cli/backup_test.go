package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/room/sqlstore"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// run runs the command line and returns its exit status and streams.
func run(stdin string, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := Main(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestBackupUnderLoad: backups taken while moves are submitted from many
// goroutines restore to databases in which every negotiation's log
// verifies; the restore refuses a database in use without --force.
func TestBackupUnderLoad(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "parley.db")
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := room.New(st, nil)
	u, err := svc.CreateUser(ctx, "mediator", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Builtin("miami-2025")
	if err != nil {
		t.Fatal(err)
	}
	mediator := ""
	for _, p := range sc.Parties {
		if p.Role == scenario.Mediator {
			mediator = p.ID
		}
	}
	const rooms = 4
	type seat struct {
		id string
		v  room.Viewer
	}
	var seats []seat
	for i := range rooms {
		n, err := svc.CreateNegotiation(ctx, u.ID, fmt.Sprintf("room %d", i), sc, room.Settings{}, "")
		if err != nil {
			t.Fatal(err)
		}
		tok, _, err := svc.Invite(ctx, u.ID, n.ID, "russia", "", false, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		v, err := svc.Join(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Start(ctx, u.ID, n.ID); err != nil {
			t.Fatal(err)
		}
		seats = append(seats, seat{n.ID, v})
	}
	// Writers: each submits messages to its room until told to stop.
	stop := make(chan struct{})
	var moves atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, rooms)
	for _, s := range seats {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				m := session.Move{Kind: session.KindMessage, Message: fmt.Sprintf("move %d", i), To: []string{mediator}}
				if _, err := svc.Submit(ctx, s.v, s.id, m); err != nil {
					errs <- err
					return
				}
				moves.Add(1)
			}
		}()
	}
	// Backups meanwhile.
	var backups []string
	for i := range 3 {
		for moves.Load() < int64(20*(i+1)) {
			time.Sleep(5 * time.Millisecond)
		}
		out := filepath.Join(dir, fmt.Sprintf("backup-%d.db", i))
		code, stdout, stderr := run("", "backup", "--db", db, "-o", out, "--json")
		if code != ExitOK {
			t.Fatalf("backup: exit %d\n%s", code, stderr)
		}
		var r backupResult
		if err := json.Unmarshal([]byte(stdout), &r); err != nil || r.Negotiations != rooms || r.Events == 0 || r.Bytes == 0 {
			t.Fatalf("backup --json: %v\n%s", err, stdout)
		}
		if _, err := os.Stat(out + "-wal"); err == nil {
			t.Errorf("backup left a WAL beside %s", out)
		}
		backups = append(backups, out)
	}
	close(stop)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatalf("a move failed during the backups: %v", err)
	default:
	}
	if moves.Load() < 60 {
		t.Fatalf("only %d moves", moves.Load())
	}

	for i, b := range backups {
		target := filepath.Join(dir, fmt.Sprintf("restored-%d.db", i))
		code, stdout, stderr := run("", "restore", b, "--db", target, "--json")
		if code != ExitOK {
			t.Fatalf("restore %s: exit %d\n%s", b, code, stderr)
		}
		var r restoreResult
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			t.Fatalf("restore --json: %v\n%s", err, stdout)
		}
		if r.Negotiations != rooms || r.Verified != rooms || r.Events == 0 {
			t.Errorf("restore %s: %+v, want %d negotiations, every log verified", b, r, rooms)
		}
		// parley verify on each exported log of the restored database.
		for _, s := range seats {
			log := filepath.Join(dir, fmt.Sprintf("restored-%d-%s.jsonl", i, s.id))
			if code, _, stderr := run("", "export", s.id, "--db", target, "-o", log); code != ExitOK {
				t.Fatalf("export: exit %d\n%s", code, stderr)
			}
			if code, _, stderr := run("", "verify", log, "--pub", filepath.Join(dir, "parley-signing-key.pub.pem")); code != ExitOK {
				t.Errorf("verify %s: exit %d\n%s", log, code, stderr)
			}
		}
	}
	// A database in use is not overwritten without --force.
	target := filepath.Join(dir, "restored-0.db")
	if code, stdout, stderr := run("", "restore", backups[2], "--db", target); code != ExitUsage || stdout != "" || !strings.Contains(stderr, "--force") {
		t.Errorf("restore over a database in use: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := run("", "restore", backups[2], "--db", target, "--force", "--json"); code != ExitOK {
		t.Errorf("restore --force: exit %d\n%s", code, stderr)
	}
	// PostgreSQL: the advice, not a copy.
	code, stdout, stderr := run("", "backup", "--db", "postgres://parley@localhost/parley", "-o", filepath.Join(dir, "pg.db"))
	if code != ExitUsage || stdout != "" || !strings.Contains(stderr, "pg_dump") {
		t.Errorf("backup of PostgreSQL: exit %d\n%s%s", code, stdout, stderr)
	}
	// A damaged backup is refused.
	bad := filepath.Join(dir, "bad.db")
	os.WriteFile(bad, []byte("not a database"), 0o600)
	if code, _, stderr := run("", "restore", bad, "--db", filepath.Join(dir, "new.db")); code != ExitFail {
		t.Errorf("restore of a damaged file: exit %d\n%s", code, stderr)
	}
}

// TestUserCommands: accounts added (passwords from standard input or made
// and printed once), listed, their sign-ins listed and revoked, passwords
// changed, removed.
func TestUserCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "parley.db")
	code, stdout, stderr := run("", "user", "add", "olga", "--db", db, "--json")
	if code != ExitOK {
		t.Fatalf("user add: exit %d\n%s", code, stderr)
	}
	var a account
	if err := json.Unmarshal([]byte(stdout), &a); err != nil || a.Role != room.RoleOwner || len(a.Password) < 16 {
		t.Fatalf("the first account is the owner, with a password made: %v\n%s", err, stdout)
	}
	code, stdout, stderr = run("a good password\n", "user", "add", "ivan", "--db", db, "--role", "instructor", "--password-stdin", "--json")
	if code != ExitOK {
		t.Fatalf("user add --password-stdin: exit %d\n%s", code, stderr)
	}
	a = account{}
	if err := json.Unmarshal([]byte(stdout), &a); err != nil || a.Role != room.RoleInstructor || a.Password != "" {
		t.Fatalf("user add --password-stdin: the password is not printed: %v\n%s", err, stdout)
	}
	if code, _, stderr := run("x\n", "user", "add", "short", "--db", db, "--password-stdin"); code != ExitUsage {
		t.Errorf("a short password: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := run("another password\n", "user", "add", "ivan", "--db", db, "--password-stdin"); code != ExitUsage {
		t.Errorf("a taken name: exit %d\n%s", code, stderr)
	}
	if code, _, _ := run("", "user", "add", "x", "--db", db, "--role", "admin"); code != ExitUsage {
		t.Errorf("--role admin: exit %d", code)
	}

	// Sign in twice as ivan.
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	svc := room.New(st, nil)
	tok1, _, err := svc.Login(ctx, "ivan", "a good password")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Login(ctx, "ivan", "a good password"); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = run("", "user", "sessions", "ivan", "--db", db, "--json")
	var sessions []room.Session
	if code != ExitOK || json.Unmarshal([]byte(stdout), &sessions) != nil || len(sessions) != 2 || sessions[0].Created.IsZero() {
		t.Fatalf("user sessions: exit %d\n%s%s", code, stdout, stderr)
	}
	if strings.Contains(stdout, tok1) || strings.Contains(stdout, room.HashToken(tok1)) {
		t.Errorf("user sessions shows a token or its hash:\n%s", stdout)
	}
	code, stdout, _ = run("", "user", "list", "--db", db, "--json")
	var list []account
	if code != ExitOK || json.Unmarshal([]byte(stdout), &list) != nil || len(list) != 2 || *list[1].Sessions != 2 || list[0].Password != "" {
		t.Fatalf("user list: exit %d\n%s", code, stdout)
	}
	// Revoke the first: its token no longer signs in.
	code, stdout, stderr = run("", "user", "revoke", "ivan", sessions[0].ID, "--db", db, "--json")
	if code != ExitOK || !strings.Contains(stdout, `"revoked": 1`) {
		t.Fatalf("user revoke: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, err := svc.UserByLogin(ctx, tok1); room.ErrorCode(err) != room.EUNAUTHORIZED {
		t.Errorf("a revoked sign-in: %v", err)
	}
	if code, _, _ := run("", "user", "revoke", "ivan", sessions[0].ID, "--db", db); code != ExitUsage {
		t.Errorf("revoking a revoked sign-in: exit %d, want a usage error", code)
	}
	// A new password ends the other sign-in.
	code, _, stderr = run("a new password\n", "user", "passwd", "ivan", "--db", db, "--password-stdin", "--json")
	if code != ExitOK {
		t.Fatalf("user passwd: exit %d\n%s", code, stderr)
	}
	if s, _ := svc.Sessions(ctx, mustUser(t, st, "ivan"), ""); len(s) != 0 {
		t.Errorf("sign-ins after passwd: %+v", s)
	}
	if _, _, err := svc.Login(ctx, "ivan", "a new password"); err != nil {
		t.Errorf("sign in with the new password: %v", err)
	}
	// An account owning a negotiation is not removed; the last owner
	// neither; an instructor owning nothing is.
	sc, _ := scenario.Builtin("tiny-2p")
	if _, err := svc.CreateNegotiation(ctx, mustUser(t, st, "olga"), "", sc, room.Settings{Protocol: session.SAO}, ""); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if code, _, stderr := run("", "user", "remove", "olga", "--db", db); code != ExitFail || !strings.Contains(stderr, "owner") {
		t.Errorf("removing the only owner: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := run("", "user", "remove", "ivan", "--db", db, "--json"); code != ExitOK {
		t.Errorf("user remove: exit %d\n%s", code, stderr)
	}
	if code, _, _ := run("", "user", "remove", "ivan", "--db", db); code != ExitUsage {
		t.Errorf("removing a missing account: exit %d", code)
	}
	if code, _, _ := run("", "user", "list", "--db", filepath.Join(dir, "none.db")); code != ExitUsage {
		t.Errorf("user list of a missing database: exit %d", code)
	}
}

func mustUser(t *testing.T, st room.Store, name string) string {
	t.Helper()
	u, err := st.UserByName(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}
