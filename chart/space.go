package chart

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/plot"
	"github.com/parley-negotiation/parley/scenario"
)

// MaxDots is the largest space UtilitySpace draws package by package; a
// larger one is drawn as MaxDots packages drawn at random.
const MaxDots = 20000

// SpaceInput is what UtilitySpace draws.
type SpaceInput struct {
	// Scenario gives the title and the parties' names.
	Scenario *scenario.Scenario
	// Space is the analysed space and Report its analysis
	// (analysis.Analyze of Space).
	Space  *analysis.Space
	Report *analysis.Report
	// Axes are the parties (ids of Space) on the axes, 2 to
	// plot.MaxAxes; nil: every party (the first plot.MaxAxes of more).
	Axes []string
	// Seed seeds the packages drawn when the space has more than MaxDots.
	Seed uint64
}

// UtilitySpace builds the plot of a scenario's utility space for the
// parties of Space, titled with the scenario's title, the parties named
// as the scenario names them:
//
//   - Outcomes: every package, or MaxDots packages drawn at random (seeded
//     by Seed, so the same input gives the same plot) when there are more;
//   - Zone: those of them in the agreement zone (Space.Acceptable); with
//     drawn packages, also the points of the zone's frontier, so that a
//     small zone shows;
//   - Frontier: the report's Pareto frontier, of every party of Space —
//     joined as a line for two parties, projected on each pair for more;
//   - Reservation: the parties' reservation values;
//   - Markers: the suggested packages (Report.Suggestions: Nash,
//     Kalai–Smorodinsky, max welfare, egalitarian on the zone's frontier),
//     filled; then the same solutions on the whole frontier, ignoring red
//     lines and reservation values (Report.Solutions, GENIUS's variants
//     left out), hollow; each named "Nash", "Kalai–Smorodinsky", "Max
//     welfare" or "Egalitarian" (HollowNote says which is which); a
//     solution that is the same on the zone's frontier and the whole
//     frontier is drawn once, filled. These are the points `parley
//     analyze` reports, with every party's utility.
//
// An axis that is not a party of Space is an *InputError; a ctx that ends
// stops it with ctx's cause.
func UtilitySpace(ctx context.Context, in SpaceInput) (*plot.UtilitySpace, error) {
	s, r := in.Space, in.Report
	axes, err := axesOf("utility space", s.Names, in.Axes)
	if err != nil {
		return nil, err
	}
	names := partyNames(in.Scenario, s.Names)
	u := &plot.UtilitySpace{
		Title:        scenarioTitle(in.Scenario) + ": utility space",
		Note:         frontierNote(s.N(), names, axes),
		Parties:      names,
		Axes:         axes,
		Reservation:  s.Reservation,
		Frontier:     frontierPoints(r.Frontier),
		Joined:       s.N() == 2,
		FrontierName: frontierName(s.N()),
	}
	visit := func(p framework.Package) {
		v := s.Utilities(p)
		u.Outcomes = append(u.Outcomes, v)
		if s.Acceptable(p) {
			u.Zone = append(u.Zone, v)
		}
	}
	size, small := s.Framework.SizeInt()
	if small && size <= MaxDots {
		analysis.Enumerate(s.Framework.Radix(), func(p framework.Package) bool { visit(p); return true })
	} else {
		rng := rand.New(rand.NewPCG(in.Seed, 0x706c6f74)) // "plot"
		radix := s.Framework.Radix()
		p := make(framework.Package, len(radix))
		for range MaxDots {
			for k, r := range radix {
				p[k] = rng.IntN(r)
			}
			visit(p)
		}
		u.OutcomesName = fmt.Sprintf("Packages (%d at random)", MaxDots)
		u.ZoneName = "Agreement zone (and its frontier)"
		for _, zp := range r.ZoneFrontier.Points {
			u.Zone = append(u.Zone, zp.U)
		}
	}
	if err := context.Cause(ctx); err != nil {
		return nil, fmt.Errorf("utility space: %w", err)
	}
	var sugg []analysis.Solution
	for _, sg := range r.Suggestions {
		sugg = append(sugg, sg.Solution)
	}
	u.Markers = solutionMarkers(sugg, "", false)
	for _, m := range solutionMarkers(r.Solutions, "", true) {
		// A solution of the whole frontier that is the zone's too is
		// drawn once, filled.
		if !slices.ContainsFunc(u.Markers, func(f plot.Marker) bool { return f.Kind == m.Kind && slices.Equal(f.At, m.At) }) {
			u.Markers = append(u.Markers, m)
		}
	}
	u.HollowNote = "filled: in the zone; hollow: whole frontier, where it differs"
	return u, nil
}
