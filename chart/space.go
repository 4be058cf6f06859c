package chart

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/plot"
	"github.com/parley-negotiation/parley/profile"
)

// MaxDots is the largest space UtilitySpace draws package by package; a
// larger one is drawn as MaxDots packages drawn at random.
const MaxDots = 20000

// SpaceInput is what UtilitySpace draws.
type SpaceInput struct {
	// Name names the scenario in the title, "<Name>: utility space".
	Name string
	// Space is the analysed space and Report its analysis
	// (analysis.Analyze of Space).
	Space  *analysis.Space
	Report *analysis.Report
	// X and Y are the parties on the axes: two names of Space (the same
	// one twice draws the diagonal).
	X, Y string
	// Seed seeds the packages drawn when the space has more than MaxDots.
	Seed uint64
	// Frontier bounds the computation of the frontier of X and Y.
	Frontier analysis.FrontierOptions
}

// UtilitySpace builds the plot of a scenario's utility space for parties
// X and Y:
//
//   - Outcomes: every package, or MaxDots packages drawn at random (seeded
//     by Seed, so the same input gives the same plot) when there are more;
//   - Zone: those of them in the agreement zone (Space.Acceptable); with
//     drawn packages, also the points of the zone's frontier, so that a
//     small zone shows;
//   - Frontier: the Pareto frontier of X and Y alone (not the projection
//     of the frontier of every party);
//   - Reservation: X's and Y's reservation values;
//   - Markers: the suggested packages, "zone <name>" (Report.Suggestions,
//     in order), then the solutions on the whole frontier except GENIUS's
//     variants and the egalitarian point, "<name> (ignoring red lines)".
//
// Every point is (utility of X, utility of Y) of a package of the whole
// space. An X or Y that is not a party of Space is an *InputError; a frontier over Frontier's budget or a ctx that ends
// stops it with the analysis package's error.
func UtilitySpace(ctx context.Context, in SpaceInput) (*plot.UtilitySpace, error) {
	s, r := in.Space, in.Report
	ix, iy := slices.Index(s.Names, in.X), slices.Index(s.Names, in.Y)
	if ix < 0 || iy < 0 {
		return nil, inputErrorf("utility space: the axes need two parties of the space (%s), not %q and %q", strings.Join(s.Names, ", "), in.X, in.Y)
	}
	pair, err := analysis.NewSpace(s.Framework, []string{in.X, in.Y}, []*profile.Profile{s.Profiles[ix], s.Profiles[iy]})
	if err != nil {
		return nil, fmt.Errorf("utility space: %w", err)
	}
	fr, err := analysis.FrontierAdditiveContext(ctx, pair, in.Frontier)
	if err != nil {
		return nil, fmt.Errorf("utility space: %w", err)
	}
	proj := func(u []float64) [2]float64 { return [2]float64{u[ix], u[iy]} }
	u := &plot.UtilitySpace{
		Title: fmt.Sprintf("%s: utility space", in.Name),
		XName: in.X, YName: in.Y,
		Reservation: &[2]float64{s.Reservation[ix], s.Reservation[iy]},
		Frontier:    points(fr),
	}
	visit := func(p framework.Package) {
		v := s.Utilities(p)
		u.Outcomes = append(u.Outcomes, proj(v))
		if s.Acceptable(p) {
			u.Zone = append(u.Zone, proj(v))
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
		for _, zp := range r.ZoneFrontier.Points {
			u.Zone = append(u.Zone, proj(zp.U))
		}
	}
	for _, sg := range r.Suggestions {
		u.Markers = append(u.Markers, plot.Marker{Name: "zone " + sg.Name, At: proj(sg.Point.U)})
	}
	for _, sol := range r.Solutions {
		if sol.Name == analysis.GENIUSKalai || sol.Name == analysis.NashGENIUS || sol.Name == analysis.Egalitarian {
			continue
		}
		u.Markers = append(u.Markers, plot.Marker{Name: sol.Name + " (ignoring red lines)", At: proj(sol.Point.U)})
	}
	return u, nil
}

// points returns the points of a frontier of two parties.
func points(fr *analysis.Frontier) [][2]float64 {
	var out [][2]float64
	for _, p := range fr.Points {
		out = append(out, [2]float64{p.U[0], p.U[1]})
	}
	return out
}
