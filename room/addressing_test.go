package room_test

import (
	"slices"
	"testing"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// TestViewAddressing: the view tells each writer whom it may address, as
// the engine's rules of the meeting format say (Miami: Russia and Europe do
// not meet), and every recipient it offers is one the room accepts.
func TestViewAddressing(t *testing.T) {
	for _, format := range []string{scenario.Plenary, scenario.Proximity} {
		f := newMiami(t, room.Settings{Protocol: session.SingleText, Format: format})
		if a := f.view(f.parties["russia"]).Addressing; a != nil {
			t.Errorf("%s: addressing before the talks: %+v", format, a)
		}
		if err := f.svc.Start(f.ctx, f.user, f.neg); err != nil {
			t.Fatal(err)
		}
		med := f.view(f.mediator())
		if a := med.Addressing; a == nil || !a.Everyone || len(a.To) != 3 {
			t.Errorf("%s: the mediator may address %+v, want everyone", format, a)
		}
		ru := f.view(f.parties["russia"]).Addressing
		switch format {
		case scenario.Proximity:
			if ru == nil || !slices.Equal(ru.To, []string{med.Mediator}) || ru.Everyone {
				t.Errorf("proximity: russia may address %+v, want the mediator only", ru)
			}
		default:
			if ru == nil || slices.Contains(ru.To, "europe") || !slices.Contains(ru.To, "ukraine") || ru.Everyone {
				t.Errorf("plenary: russia may address %+v, want no europe and not everyone", ru)
			}
			if uk := f.view(f.parties["ukraine"]).Addressing; uk == nil || !uk.Everyone {
				t.Errorf("plenary: ukraine may address %+v, want everyone", uk)
			}
		}
		for _, to := range ru.To {
			f.submit(f.parties["russia"], session.Move{Kind: session.KindMessage, Message: "hello", To: []string{to}})
		}
		if _, err := f.svc.Submit(f.ctx, f.parties["russia"], f.neg, session.Move{Kind: session.KindMessage, Message: "hello", To: []string{"europe"}}); err == nil {
			t.Errorf("%s: russia wrote to europe, which it is not offered", format)
		}
	}
}
