package chart

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

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
	// Effects, when the profiles of Space have interactions, is what they
	// change (analysis.CompareInteractions of Space and Report): its
	// example packages that enter and leave the agreement zone because of
	// them are marked. Nil: none are marked.
	Effects *analysis.InteractionEffects
}

// Legend names of the packages Effects marks.
const (
	EnteringName = "Enters the zone because of the interactions (examples)"
	LeavingName  = "Leaves the zone because of them (examples)"
)

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
//     analyze` reports, with every party's utility;
//   - when the profiles have interactions (analysis.HasInteractions), the
//     note says so, and with Effects, the example packages that enter the
//     zone because of them ("+", kind "enters-zone", named EnteringName)
//     and those that leave it ("×", "leaves-zone", LeavingName), at their
//     utilities with the interactions, and the note gives how many
//     packages enter and leave (Effects.Moves).
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
	if analysis.HasInteractions(s) {
		u.Note = strings.TrimSpace(u.Note + " " + interactionsNote(in.Effects))
		if e := in.Effects; e != nil {
			fw := s.Framework
			for _, pe := range e.Entering {
				u.Markers = append(u.Markers, effectMarker(fw, names, pe, EnteringName, "enters-zone", "enters the zone because of the interactions"))
			}
			for _, pe := range e.Leaving {
				u.Markers = append(u.Markers, effectMarker(fw, names, pe, LeavingName, "leaves-zone", "leaves the zone because of the interactions"))
			}
			if len(e.Entering)+len(e.Leaving) > 0 {
				// The filled "×" of a package that leaves the zone is
				// not in it: the note on filled glyphs is the solutions'.
				u.HollowNote = "filled solutions: in the zone; hollow: whole frontier, where it differs"
			}
		}
	}
	return u, nil
}

// interactionsNote is the note's sentence on the profiles' interactions
// and, with e, on the packages that enter and leave the zone.
func interactionsNote(e *analysis.InteractionEffects) string {
	s := "The profiles have interactions (values added when options combine)."
	if e == nil {
		return s
	}
	m := e.Moves
	if m.Examined == 0 {
		return s
	}
	of := "of all " + grouped(m.Examined) + " packages"
	if !m.Exact {
		of = "of " + grouped(m.Examined) + " packages drawn at random"
	}
	s += fmt.Sprintf(" Because of them, %s, %s enter the agreement zone and %s leave it", of, grouped(m.Entering), grouped(m.Leaving))
	if len(e.Entering) > 0 || len(e.Leaving) > 0 {
		s += "; + and × mark examples, at their utilities with the interactions"
	}
	return s + "."
}

// grouped writes n with commas between thousands.
func grouped(n uint64) string {
	s := strconv.FormatUint(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// effectMarker marks a package that enters or leaves the zone, at its
// utilities with the interactions; its tooltip gives the package and
// every party's utility with and without them.
func effectMarker(fw *framework.Framework, names []string, pe analysis.PackageEffect, name, kind, what string) plot.Marker {
	var lv []string
	for _, pt := range fw.Points {
		if id, ok := pe.IDs[pt.ID]; ok {
			lv = append(lv, pt.ID+"="+id)
		}
	}
	us := make([]string, len(pe.With))
	for i, v := range pe.With {
		us[i] = fmt.Sprintf("%s %.4f (%.4f without)", names[i], v, pe.Without[i])
	}
	return plot.Marker{
		Name: name, Kind: kind, At: slices.Clone(pe.With),
		Tip: fmt.Sprintf("%s: %s; %s", what, strings.Join(lv, ", "), strings.Join(us, ", ")),
	}
}
