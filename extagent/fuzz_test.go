package extagent_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/extagent"
	"github.com/parley-negotiation/parley/framework"
)

// FuzzParseAnswer: whatever an agent sends, ParseAnswer does not panic,
// fails with ErrMalformed or ErrInvalid, or returns a valid move: a
// complete in-range package for an offer, the offer on the table for an
// accept. A valid answer re-encoded parses to the same move.
func FuzzParseAnswer(f *testing.F) {
	for _, s := range []string{
		`{"action":"offer","package":[0,1,2]}`,
		`{"action":"offer","package":[2,4,5]}`,
		`{"action":"accept"}`,
		`{"action":"accept","package":[1,2,3]}`,
		`{"action":"end"}`,
		`{"action":"end","package":null,"note":"bye"}`,
		` {"action" : "offer", "package" : [ 0 , 0 , 0 ] } ` + "\n",
		`{"action":"offer","package":[0,1]}`,
		`{"action":"offer","package":[0,1,6]}`,
		`{"action":"offer","package":[0,1,2.0]}`,
		`{"action":"offer","package":[0,1,1e400]}`,
		`{"action":"offer","package":[0,1,-9223372036854775808]}`,
		`{"action":"offer","package":{"0":1}}`,
		`{"action":1}`,
		`{"action":"OFFER","package":[0,1,2]}`,
		`{"action":"offer","action":"end"}`,
		`null`, `[]`, `{}`, ``, `{"action":"end"}{}`, "{\"action\":\"end\"}\x00",
	} {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	levels := []int{3, 5, 6}
	table := framework.Package{1, 2, 3}
	f.Fuzz(func(t *testing.T, body []byte, onTable bool) {
		var current framework.Package
		if onTable {
			current = table
		}
		act, err := extagent.ParseAnswer(body, levels, current)
		if err != nil {
			if !errors.Is(err, extagent.ErrMalformed) && !errors.Is(err, extagent.ErrInvalid) {
				t.Fatalf("error %v wraps neither ErrMalformed nor ErrInvalid", err)
			}
			if act.Kind != agent.MakeOffer || act.Package != nil {
				t.Fatalf("error with an action: %+v", act)
			}
			return
		}
		var a extagent.Answer
		switch act.Kind {
		case agent.MakeOffer:
			if err := extagent.CheckPackage(act.Package, levels); err != nil {
				t.Fatalf("accepted offer %v: %v", act.Package, err)
			}
			a = extagent.Answer{Action: extagent.ActionOffer, Package: act.Package}
		case agent.Accept:
			if current == nil || !slices.Equal(act.Package, current) {
				t.Fatalf("accept of %v with %v on the table", act.Package, current)
			}
			if len(act.Package) > 0 && &act.Package[0] == &current[0] {
				t.Fatal("accept shares the caller's package")
			}
			a = extagent.Answer{Action: extagent.ActionAccept}
		case agent.EndTalks:
			a = extagent.Answer{Action: extagent.ActionEnd}
		default:
			t.Fatalf("kind %d", act.Kind)
		}
		b, _ := json.Marshal(a)
		again, err := extagent.ParseAnswer(b, levels, current)
		if err != nil || again.Kind != act.Kind || !slices.Equal(again.Package, act.Package) {
			t.Fatalf("re-encoded %s: %+v, %v; first %+v", b, again, err, act)
		}
	})
}
