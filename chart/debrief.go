package chart

import (
	"context"
	"fmt"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/plot"
	"github.com/parley-negotiation/parley/scenario"
)

// RoomOutcome is where one room of a class ended, for Debrief.
type RoomOutcome struct {
	// Label names the room in the legend ("room 2").
	Label string
	// Agreement says whether the room agreed.
	Agreement bool
	// At is (utility of x, utility of y): of the agreement, or without one
	// what the parties get (their reservation values, or zero, as the
	// session scores it).
	At [2]float64
}

// Debrief builds the plot of a teaching class's outcomes in the utility
// space of parties x and y of sc (the scenario every room negotiates),
// titled "<class>: outcomes":
//
//   - Frontier: the Pareto frontier of x and y;
//   - Reservation: x's and y's reservation values;
//   - Markers: one per room, in order, named by its Label, with
//     " (no agreement)" added when it did not agree.
//
// A party that is not in sc or has no profile is an *InputError; a
// frontier over the analysis package's default budget or a ctx that ends
// stops it with that package's error.
func Debrief(ctx context.Context, sc *scenario.Scenario, class, x, y string, rooms []RoomOutcome) (*plot.UtilitySpace, error) {
	pair, err := analysis.FromScenario(sc, x, y)
	if err != nil {
		return nil, inputErrorf("debrief plot: %v", err)
	}
	fr, err := analysis.FrontierAdditiveContext(ctx, pair, analysis.FrontierOptions{})
	if err != nil {
		return nil, fmt.Errorf("debrief plot: %w", err)
	}
	u := &plot.UtilitySpace{Title: class + ": outcomes", XName: x, YName: y,
		Reservation: &[2]float64{pair.Reservation[0], pair.Reservation[1]}, Frontier: points(fr)}
	for _, r := range rooms {
		name := r.Label
		if !r.Agreement {
			name += " (no agreement)"
		}
		u.Markers = append(u.Markers, plot.Marker{Name: name, At: r.At})
	}
	return u, nil
}
