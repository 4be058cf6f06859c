package server_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/internal/cli"
	"github.com/parley-negotiation/parley/server"
	"github.com/parley-negotiation/parley/session"
)

// TestViewersExportVerifiableLogs: each viewer downloads its own log —
// the events it may see whole, the others as stubs, a checkpoint signed by
// the server — and it verifies with the server's published key, from the
// library and from the command line; it holds nothing the viewer may not
// see (the scenario record, the others' private replies are stubs).
func TestViewersExportVerifiableLogs(t *testing.T) {
	ts := newTestServer(t, server.Config{AuthBurst: 100000, AuthRate: 1000})
	id, tok := ts.miami(`{"protocol":"single-text","format":"proximity"}`)
	var obs server.InviteResponse
	ts.mustDo("POST", "/api/negotiations/"+id+"/invites", ts.mediator(), `{"party":"","observer":true,"person":"gallery"}`, 201, &obs)
	creds := map[string]string{"mediator": ts.mediator(), "observer": "invite:" + obs.Token, "verifier": "invite:" + ts.inviteVerifier(id, "peace-council")}
	for p, k := range tok {
		creds[p] = "invite:" + k
	}
	// Before the talks: no log.
	if code, b, _ := ts.do("GET", "/api/negotiations/"+id+"/log", creds["russia"], ""); code != 409 {
		t.Fatalf("log before the start: %d %s", code, b)
	}
	ts.mustDo("POST", "/api/negotiations/"+id+"/start", ts.mediator(), "", 200, nil)
	text := `[[0],[0],[0],[0],[0],[0],[0],[0],[0],[0],[0],[0],[0],[0],[0],[0],[0],[0],[0],[0,1]]`
	ts.mustDo("POST", "/api/negotiations/"+id+"/moves", ts.mediator(), `{"kind":"draft","text":`+text+`}`, 200, nil)
	ts.mustDo("POST", "/api/negotiations/"+id+"/moves", creds["russia"], `{"kind":"respond","responses":[{"point":19,"stance":"object","reason":"CANARY-OBJECTION"}]}`, 200, nil)

	var keys struct {
		Keys []struct {
			KeyID string `json:"key_id"`
			PEM   string `json:"pem"`
		} `json:"keys"`
	}
	ts.mustDo("GET", "/api/keys", "", "", 200, &keys)
	if len(keys.Keys) != 1 || keys.Keys[0].KeyID != session.KeyID(ts.pub) {
		t.Fatalf("keys %+v", keys)
	}
	dir := t.TempDir()
	pub := filepath.Join(dir, "server.pub.pem")
	if err := os.WriteFile(pub, []byte(keys.Keys[0].PEM), 0o644); err != nil {
		t.Fatal(err)
	}
	for who, c := range creds {
		code, b, h := ts.do("GET", "/api/negotiations/"+id+"/log", c, "")
		if code != 200 || h.Get("Content-Type") != "application/x-ndjson" {
			t.Fatalf("%s: log %d %s", who, code, b)
		}
		rec, err := session.ReadRecord(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", who, err)
		}
		if err := session.VerifyPartial(rec.Events); err != nil {
			t.Fatalf("%s: %v", who, err)
		}
		p, err := session.CheckCheckpoints(rec.Events, rec.Checkpoints, ts.pub)
		if err != nil || !p.Complete() {
			t.Fatalf("%s: proof %+v %v", who, p, err)
		}
		if rec.Events[1].Kind != session.KindHidden {
			t.Errorf("%s: the scenario record is given: %s", who, rec.Events[1].Kind)
		}
		objection := strings.Contains(string(b), "CANARY-OBJECTION")
		if objection != (who == "russia" || who == "mediator") {
			t.Errorf("%s: sees Russia's private objection: %v", who, objection)
		}
		for _, e := range rec.Events {
			if e.Kind != session.KindHidden && who == "verifier" && (e.Kind == session.KindDraft || e.Kind == session.KindRespond) {
				t.Errorf("verifier: gets a %s", e.Kind)
			}
		}
		// And from the command line, with the published key.
		path := filepath.Join(dir, who+".jsonl")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		if code := cli.Main([]string{"verify", path, "--pub", pub, "--json"}, nil, &out, &errOut); code != 0 {
			t.Fatalf("%s: parley verify: exit %d %s%s", who, code, out.String(), errOut.String())
		}
		var res struct {
			Proven, Partial bool
			Hidden          int
		}
		if err := json.Unmarshal(out.Bytes(), &res); err != nil || !res.Proven || !res.Partial || res.Hidden == 0 {
			t.Errorf("%s: verify says %s", who, out.String())
		}
	}
	// Nobody and another negotiation's users get nothing.
	if code, _, _ := ts.do("GET", "/api/negotiations/"+id+"/log", "", ""); code != 401 {
		t.Errorf("anonymous log: %d", code)
	}
}
