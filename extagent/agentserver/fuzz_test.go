package agentserver

import (
	"net/http"
	"testing"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/extagent"
)

// FuzzServerAct: whatever /act body arrives, for a version 1 or a version 2
// negotiation, the server answers 200 with a move or 400 saying why, never
// panics, and a refused body leaves the history it holds unchanged.
func FuzzServerAct(f *testing.F) {
	for _, s := range []string{
		`{"negotiation":"a","time":0.1,"round":1,"current":null,"history":[],"history_start":0}`,
		`{"negotiation":"a","time":0.1,"round":1,"current":{"by":0,"round":1,"package":[0,0,0]},"can_accept":true,"history":[{"by":0,"round":1,"kind":"offer","package":[0,0,0]}],"history_start":0}`,
		`{"negotiation":"a","time":0.2,"round":2,"current":null,"history":[{"by":1,"round":1,"kind":"accept","package":[1,4,5]},{"by":0,"round":2,"kind":"vote","package":[1,4,5],"vote":false},{"by":0,"round":2,"kind":"end"}],"history_start":0}`,
		`{"negotiation":"a","time":0.2,"round":2,"current":null,"history":[{"by":0,"round":1,"package":[0,0,0]}],"history_start":0}`,
		`{"negotiation":"a","history":[{"by":-1,"kind":"vote"}],"history_start":-3}`,
		`{"negotiation":"a","history":[{"by":0,"round":1,"kind":"offer","package":[0,99,0]}],"history_start":0}`,
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, body string, v2 bool) {
		version := extagent.Version1
		if v2 {
			version = extagent.Version2
		}
		s := New(func() agent.Negotiator { return agent.Boulware() })
		if code, b := call(t, s, "POST", "/init", initBodyV(t, "a", version)); code != 200 {
			t.Fatalf("init: %d %s", code, b)
		}
		n := s.negs["a"]
		before := len(n.hist) + len(n.moves)
		code, b := call(t, s, "POST", "/act", body)
		switch code {
		case http.StatusOK:
			if _, err := extagent.ParseAnswer([]byte(b), []int{3, 5, 6}, []int{0, 0, 0}); err != nil {
				t.Fatalf("answer %s: %v", b, err)
			}
		case http.StatusBadRequest, http.StatusNotFound:
			if after := len(n.hist) + len(n.moves); after != before {
				t.Fatalf("refused body changed the history: %d → %d", before, after)
			}
		default:
			t.Fatalf("status %d: %s", code, b)
		}
	})
}
