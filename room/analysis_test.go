package room_test

import (
	"math"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/plot/plottest"
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
	if strings.Contains(string(svg), "packages of Ukraine") {
		t.Fatal("the mediator's dance plot shows a package from a message between ukraine and europe")
	}
	// Positive control: the same package sent to the mediator is drawn.
	f.submit(f.parties["ukraine"], session.Move{Kind: session.KindMessage, To: []string{mediator}, Message: "for you", Package: pkg})
	if svg, err = f.svc.DancePlot(f.ctx, f.user, f.neg, "", ""); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(svg), "packages of Ukraine") {
		t.Fatal("the dance plot lacks the package ukraine sent the mediator")
	}
}

// TestDebriefPlotGolden: golden structure of the class debrief plot for
// the three parties of Miami (issue 14: it drew the frontier of two of
// them): a panel per pair named as the scenario names the parties, the
// three-party frontier on each, a marker per room at its utilities, and
// the Nash point the debrief's distances to Nash use.
func TestDebriefPlotGolden(t *testing.T) {
	f := newMiami(t, room.Settings{})
	sc, _ := scenario.Builtin("miami-2025")
	c, seats, err := f.svc.CreateClass(f.ctx, f.user, sc, room.ClassSetup{Rooms: 2, Seats: []room.Seat{
		{Room: 1, Party: "russia", Person: "Ann"}, {Room: 1, Party: "ukraine", Person: "Bo"}, {Room: 1, Party: "europe", Person: "Cy"},
		{Room: 2, Party: "russia", Person: "Di"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.StartClass(f.ctx, f.user, c.ID); err != nil {
		t.Fatal(err)
	}
	room1 := &fixture{t: t, ctx: f.ctx, st: f.st, svc: f.svc, user: f.user, neg: seats[0].Negotiation, parties: map[string]room.Viewer{}}
	for _, s := range seats[:3] {
		v, err := f.svc.Join(f.ctx, s.Token)
		if err != nil {
			t.Fatal(err)
		}
		room1.parties[s.Party] = v
	}
	room1.agree()
	d, err := f.svc.Debrief(f.ctx, f.user, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.svc.DebriefPlot(f.ctx, f.user, c.ID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := plottest.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	space, err := analysis.FromScenario(sc, d.Parties...)
	if err != nil {
		t.Fatal(err)
	}
	fr, err := analysis.FrontierAdditive(space, analysis.FrontierOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var frontier [][]float64
	for _, p := range fr.Points {
		frontier = append(frontier, p.U)
	}
	names := make([]string, len(d.Parties))
	for i, id := range d.Parties {
		names[i] = sc.Party(id).Name
	}
	gs, _, err := doc.Panels()
	if err != nil || len(d.Parties) != 3 || len(gs) != 3 {
		t.Fatalf("%d panels for parties %v (%v)", len(gs), d.Parties, err)
	}
	if err := plottest.CheckFrontier(doc, names, frontier); err != nil {
		t.Errorf("the frontier drawn is not the three parties': %v", err)
	}
	nash, ok := analysis.NashPoint(fr, space.Reservation)
	if !ok {
		t.Fatal("no Nash point")
	}
	if err := plottest.CheckMarker(doc, "Nash", false, nash.Point.U); err != nil {
		t.Error(err)
	}
	at, err := doc.Markers("Nash")[0].At()
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range d.Rooms {
		if !r.Scored {
			continue
		}
		if got := analysis.Distance(r.Utilities, at); math.Abs(got-r.DistanceNash) > 1e-6 {
			t.Errorf("room %d: distance to the marked Nash %.6f, the debrief's %.6f", i+1, got, r.DistanceNash)
		}
	}
	if err := plottest.CheckMarker(doc, "rooms that agreed", false, d.Rooms[0].Utilities); err != nil {
		t.Error(err)
	}
	// Room 2 has not started: it is no outcome, and not drawn as one.
	if m := doc.Markers("rooms without agreement"); len(m) != 0 || d.Rooms[1].Scored {
		t.Errorf("room 2 (not started) drawn as an outcome: %d markers, scored %v", len(m), d.Rooms[1].Scored)
	}
	if !doc.HasText(c.Title+": outcomes") || !doc.HasText("Ukraine") || len(doc.All("legend")) != 1 {
		t.Errorf("texts %q", doc.Texts)
	}
}
