package chart

import (
	"fmt"
	"strings"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/plot"
	"github.com/parley-negotiation/parley/scenario"
)

// RoomOutcome is where one room of a class ended, for Debrief.
type RoomOutcome struct {
	// Label names the room ("room 2"); its number is drawn on its marker.
	Label string
	// Agreement says whether the room agreed.
	Agreement bool
	// At holds every party's utility (in the order of the space's
	// parties): of the agreement, or without one what the parties get
	// (their reservation values, or zero, as the session scores it).
	At []float64
}

// DebriefInput is what Debrief draws.
type DebriefInput struct {
	// Class is the class's title.
	Class    string
	Scenario *scenario.Scenario
	// Space and Report are the analysis the debrief measures the rooms
	// against (its distances to the frontier and to Nash).
	Space  *analysis.Space
	Report *analysis.Report
	Rooms  []RoomOutcome
	// Axes are the parties on the axes; nil: every one (the first
	// plot.MaxAxes of more).
	Axes []string
}

// Debrief builds the plot of a teaching class's outcomes in the utility
// space of the parties of Space, titled "<class>: outcomes":
//
//   - Frontier: the report's Pareto frontier, of every party (projected
//     on each pair for more than two);
//   - Reservation: the parties' reservation values;
//   - Markers: one per room, in order, a disc with the room's number
//     (the last word of its Label), filled "rooms that agreed" or hollow
//     "rooms without agreement"; then the solutions of the report on the
//     whole frontier (Nash, Kalai–Smorodinsky, max welfare, egalitarian)
//     — the Nash point is the one the debrief's "distance to Nash" uses.
//
// A room whose utilities are not one per party, or axes that are not
// parties of Space, are an *InputError.
func Debrief(in DebriefInput) (*plot.UtilitySpace, error) {
	s := in.Space
	axes, err := axesOf("debrief plot", s.Names, in.Axes)
	if err != nil {
		return nil, err
	}
	names := partyNames(in.Scenario, s.Names)
	u := &plot.UtilitySpace{
		Title:        in.Class + ": outcomes",
		Note:         strings.TrimSpace(scenarioTitle(in.Scenario) + ". " + frontierNote(s.N(), names, axes)),
		Parties:      names,
		Axes:         axes,
		Reservation:  s.Reservation,
		Frontier:     frontierPoints(in.Report.Frontier),
		Joined:       s.N() == 2,
		FrontierName: frontierName(s.N()),
	}
	for _, r := range in.Rooms {
		if len(r.At) != s.N() {
			return nil, inputErrorf("debrief plot: %s has %d utilities for %d parties", r.Label, len(r.At), s.N())
		}
		num := r.Label
		if f := strings.Fields(r.Label); len(f) > 0 {
			num = f[len(f)-1]
		}
		m := plot.Marker{Name: "rooms that agreed", Kind: "room", Label: num, At: r.At,
			Tip: fmt.Sprintf("%s: %s", r.Label, tipOf(names, r.At))}
		if !r.Agreement {
			m.Name, m.Hollow = "rooms without agreement", true
			m.Tip = fmt.Sprintf("%s (no agreement): %s", r.Label, tipOf(names, r.At))
		}
		u.Markers = append(u.Markers, m)
	}
	u.Markers = append(u.Markers, solutionMarkers(in.Report.Solutions, "", false)...)
	return u, nil
}

func tipOf(names []string, at []float64) string {
	parts := make([]string, len(at))
	for i, v := range at {
		parts[i] = fmt.Sprintf("%s %.4f", names[i], v)
	}
	return strings.Join(parts, ", ")
}
