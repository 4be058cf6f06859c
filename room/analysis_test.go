package room_test

import (
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// TestDancePlotShowsOnlyWhatTheMediatorSees: issue 12 — the dance plot
// drew every package of the log, including one sent in a bilateral
// message between two parties that the mediator may not see.
func TestDancePlotShowsOnlyWhatTheMediatorSees(t *testing.T) {
	f := newMiami(t, room.Settings{MediatorSees: room.MediatorFull, Format: scenario.Bilateral})
	if err := f.svc.Start(f.ctx, f.user, f.neg); err != nil {
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
	pkg := make(framework.Package, len(sc.Framework.Points))
	f.submit(f.parties["ukraine"], session.Move{Kind: session.KindMessage, To: []string{"europe"}, Message: "between us", Package: pkg})
	svg, err := f.svc.DancePlot(f.ctx, f.user, f.neg, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(svg), "packages of ukraine") {
		t.Fatal("the mediator's dance plot shows a package from a message between ukraine and europe")
	}
	// Positive control: the same package sent to the mediator is drawn.
	f.submit(f.parties["ukraine"], session.Move{Kind: session.KindMessage, To: []string{mediator}, Message: "for you", Package: pkg})
	if svg, err = f.svc.DancePlot(f.ctx, f.user, f.neg, "", ""); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(svg), "packages of ukraine") {
		t.Fatal("the dance plot lacks the package ukraine sent the mediator")
	}
}
