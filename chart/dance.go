package chart

import (
	"context"
	"fmt"
	"slices"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/plot"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// Dance builds the negotiation-dance plot of a session in the utility
// space of parties x and y (the scenario's first two principals when
// either is empty), titled "<scenario>: negotiation dance":
//
//   - Trace: per party, in the order the parties first appear, "packages
//     of <party>": every complete package it put on the table, in order —
//     offers and proposals, drafts of the single text without brackets,
//     packages in messages (an event with a package in its move);
//     incomplete packages (an open point) are left out;
//   - Frontier: the Pareto frontier of x and y;
//   - Reservation: x's and y's reservation values;
//   - Markers: "agreement" at each agreement's package, then "nash" at the
//     Nash point of x and y (none when no package is individually
//     rational).
//
// events are the events the plot's viewer may see, as the viewer sees
// them: Dance draws every package it is given, so the caller filters
// (the room passes the mediator's view of the log, never a bilateral
// message between two parties). A party that is not in sc or has no
// profile, or a scenario with fewer than two principals when x or y is
// empty, is an *InputError; a frontier over the analysis package's
// default budget or a ctx that ends stops it with that package's error.
func Dance(ctx context.Context, sc *scenario.Scenario, events []session.Event, x, y string) (*plot.UtilitySpace, error) {
	if x == "" || y == "" {
		pr := sc.Principals()
		if len(pr) < 2 {
			return nil, inputErrorf("a dance plot needs two parties with profiles")
		}
		x, y = pr[0].ID, pr[1].ID
	}
	pair, err := analysis.FromScenario(sc, x, y)
	if err != nil {
		return nil, inputErrorf("dance plot: %v", err)
	}
	fr, err := analysis.FrontierAdditiveContext(ctx, pair, analysis.FrontierOptions{})
	if err != nil {
		return nil, fmt.Errorf("dance plot: %w", err)
	}
	u := &plot.UtilitySpace{Title: sc.Name + ": negotiation dance", XName: x, YName: y,
		Reservation: &[2]float64{pair.Reservation[0], pair.Reservation[1]}, Frontier: points(fr)}
	at := func(p framework.Package) [2]float64 {
		v := pair.Utilities(p)
		return [2]float64{v[0], v[1]}
	}
	traces := map[string]int{}
	for _, ev := range events {
		pkg := tabled(&ev)
		if pkg == nil || slices.Contains(pkg, framework.Open) {
			continue
		}
		k, ok := traces[ev.Party]
		if !ok {
			k = len(u.Trace)
			traces[ev.Party] = k
			u.Trace = append(u.Trace, plot.Trace{Name: "packages of " + ev.Party})
		}
		u.Trace[k].Points = append(u.Trace[k].Points, at(pkg))
	}
	for _, ev := range events {
		if ev.Kind == "agreement" && ev.Note != nil && ev.Note.Package != nil && !slices.Contains(ev.Note.Package, framework.Open) {
			u.Markers = append(u.Markers, plot.Marker{Name: "agreement", At: at(ev.Note.Package)})
		}
	}
	if nash, ok := analysis.NashPoint(fr, pair.Reservation); ok {
		u.Markers = append(u.Markers, plot.Marker{Name: "nash", At: [2]float64{nash.Point.U[0], nash.Point.U[1]}})
	}
	return u, nil
}

// tabled returns the package a move put on the table (nil: none): a
// draft's text read as a package (a bracketed point is open), else the
// move's package.
func tabled(ev *session.Event) framework.Package {
	switch {
	case ev.Move == nil:
		return nil
	case ev.Kind == session.KindDraft:
		return ev.Move.Text.Package()
	}
	return ev.Move.Package
}
