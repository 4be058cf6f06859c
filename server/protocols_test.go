package server_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/parley-negotiation/parley/server"
	"github.com/parley-negotiation/parley/session"
)

// TestProtocols: GET /api/protocols gives anyone, without credentials,
// every protocol's facts under the field names the web UI reads.
func TestProtocols(t *testing.T) {
	ts := newTestServer(t, server.Config{})
	b := ts.mustDo("GET", "/api/protocols", "", "", 200, nil)
	var got []map[string]json.RawMessage
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	if len(got) != len(session.Protocols()) {
		t.Fatalf("%d protocols, want %d: %s", len(got), len(session.Protocols()), b)
	}
	want := []string{"description", "mediated", "mediator_optional", "moves", "name", "needs_deadline", "title", "turn_based"}
	for i, p := range got {
		var keys []string
		for k := range p {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, want) {
			t.Errorf("protocol %d: fields %v, want %v", i, keys, want)
		}
		var name string
		var moves []map[string]string
		if err := json.Unmarshal(p["name"], &name); err != nil || name != session.Protocols()[i] {
			t.Errorf("protocol %d is %s, want %q", i, p["name"], session.Protocols()[i])
		}
		if err := json.Unmarshal(p["moves"], &moves); err != nil || len(moves) == 0 {
			t.Errorf("%s: moves %s", name, p["moves"])
		}
		for _, m := range moves {
			if len(m) != 2 || m["kind"] == "" || (m["by"] != session.ByParties && m["by"] != session.ByMediator) {
				t.Errorf("%s: move %v", name, m)
			}
		}
	}
}
