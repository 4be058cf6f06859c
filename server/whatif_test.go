package server_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/server"
)

// tiny creates a tiny-2p negotiation with the given mediator_sees and
// returns its id and north's invitation token.
func (ts *testServer) tiny(sees string) (string, string) {
	ts.t.Helper()
	var n room.Negotiation
	ts.mustDo("POST", "/api/negotiations", ts.mediator(), `{"scenario":{"builtin":"tiny-2p"},"settings":{"protocol":"sao","mediator_sees":"`+sees+`"}}`, 201, &n)
	var inv server.InviteResponse
	ts.mustDo("POST", "/api/negotiations/"+n.ID+"/invites", ts.mediator(), `{"party":"north","person":"delegate"}`, 201, &inv)
	return n.ID, inv.Token
}

// TestWhatIfRoute: POST .../analysis/what-if answers the mediator who sees
// the parties' numbers with the analysis, in the shape of GET .../analysis,
// as if the changes were made; it refuses the mediator who sees aggregates
// only (403, naming no number), every party and anyone signed out, and
// requests out of bounds.
func TestWhatIfRoute(t *testing.T) {
	ts := newTestServer(t, server.Config{})
	full, north := ts.tiny("full")
	path := "/api/negotiations/" + full + "/analysis/what-if"
	body := `{"changes":[{"party":"north","reservation":0.5}]}`

	var base, got room.MediatorAnalysis
	ts.mustDo("GET", "/api/negotiations/"+full+"/analysis", ts.mediator(), "", 200, &base)
	ts.mustDo("POST", path, ts.mediator(), body, 200, &got)
	// tiny-2p's zone is empty under North's fallback (0.85); at 0.5 it
	// holds 39 of the 90 packages (exact).
	if base.ZoneSize != 0 || got.ZoneSize != 39 || !got.ZoneExact || len(got.Suggestions) == 0 || len(got.Parties) != 2 {
		t.Errorf("what-if: zone %v (exact %v), %d suggestions, parties %v; base zone %v", got.ZoneSize, got.ZoneExact, len(got.Suggestions), got.Parties, base.ZoneSize)
	}
	if len(got.WhatIf) != 1 || got.WhatIf[0].Party != "north" || *got.WhatIf[0].Reservation != 0.5 {
		t.Errorf("what_if %+v", got.WhatIf)
	}
	// No change: the negotiation's own analysis.
	var same room.MediatorAnalysis
	ts.mustDo("POST", path, ts.mediator(), `{"changes":[]}`, 200, &same)
	if fmt.Sprint(same) != fmt.Sprint(base) {
		t.Errorf("no change: %+v, want the analysis %+v", same, base)
	}

	overlap, _ := ts.tiny("overlap")
	many := `{"changes":[` + strings.TrimSuffix(strings.Repeat(`{"party":"north","reservation":0.5},`, room.MaxWhatIfChanges+1), ",") + `]}`
	tests := []struct {
		name, path, creds, body string
		status                  int
	}{
		{"aggregates only", "/api/negotiations/" + overlap + "/analysis/what-if", ts.mediator(), body, 403},
		{"a party", path, "invite:" + north, body, 403},
		{"signed out", path, "", body, 401},
		{"too many changes", path, ts.mediator(), many, 400},
		{"value out of range", path, ts.mediator(), `{"changes":[{"party":"north","reservation":1.5}]}`, 400},
		{"unknown point", path, ts.mediator(), `{"changes":[{"party":"north","point":"nope","weight":0.5}]}`, 400},
		{"unknown field", path, ts.mediator(), `{"changes":[{"party":"north","budget":0.5}]}`, 400},
		{"too large", path, ts.mediator(), `{"changes":[{"party":"` + strings.Repeat("x", 20000) + `","reservation":0.5}]}`, 413},
	}
	for _, tt := range tests {
		status, b, _ := ts.do("POST", tt.path, tt.creds, tt.body)
		if status != tt.status || errorCode(b) == "" {
			t.Errorf("%s: status %d, body %s; want %d and an error", tt.name, status, b, tt.status)
		}
		if tt.status == 403 && strings.ContainsAny(errorMessage(b), "0123456789") {
			t.Errorf("%s: the refusal %q names a number", tt.name, errorMessage(b))
		}
	}
}
