package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/room/sqlstore"
	"github.com/parley-negotiation/parley/scenario"
)

// TestExportJSON: parley export writes a negotiation's log from the room's
// database; with -o, --json reports what it wrote (issue 14: --json on every
// command that prints a result), and nothing else is on standard output.
func TestExportJSON(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "parley.db")
	st, err := sqlstore.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	svc := room.New(st, nil)
	u, _, err := svc.EnsureUser(ctx, "mediator", "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Builtin("tiny-2p")
	if err != nil {
		t.Fatal(err)
	}
	n, err := svc.CreateNegotiation(ctx, u.ID, "", sc, room.Settings{Protocol: "sao", Rounds: 10}, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(ctx, u.ID, n.ID); err != nil {
		t.Fatal(err)
	}
	st.Close()

	// --json reports a file: without -o it is a usage error.
	if code, out, errOut := runParley("export", n.ID, "--db", db, "--json"); code != 2 || !strings.Contains(errOut, "give it with -o") {
		t.Fatalf("export --json without -o: exit %d, want 2\n%s%s", code, out, errOut)
	}
	log := filepath.Join(dir, "talks.jsonl")
	code, out, errOut := runParley("export", n.ID, "--db", db, "-o", log, "--json")
	if code != 0 {
		t.Fatalf("export: exit %d\n%s%s", code, out, errOut)
	}
	var w struct {
		Output string `json:"output"`
		Events int    `json:"events"`
		KeyID  string `json:"key_id"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		t.Fatalf("export --json: %v\n%s", err, out)
	}
	if w.Output != log || w.Events < 1 || len(w.KeyID) != 64 {
		t.Errorf("export --json: %+v", w)
	}
	// The key made on first use is said on stderr, not in the JSON.
	if !strings.Contains(errOut, "Made the server's signing key") {
		t.Errorf("stderr: %q", errOut)
	}
	if code, out, errOut := runParley("verify", log, "--pub", filepath.Join(dir, "parley-signing-key.pub.pem")); code != 0 {
		t.Fatalf("verify the export: exit %d\n%s%s", code, out, errOut)
	}
}
