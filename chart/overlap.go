package chart

import (
	"fmt"
	"math"
	"strings"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/plot"
	"github.com/parley-negotiation/parley/scenario"
)

// Overlap builds the per-point overlap chart of an analysis: for every
// point of the scenario's framework (by its name, in order), each option
// (by its name) with whether some package of the agreement zone uses it
// (possible, excluded, or undecided when the search ran out of budget)
// and the share of the zone's packages that use it, as parley analyze
// reports them; titled "<scenario title>: per-point overlap". The note
// says whether the shares are counted or estimated, and of how many
// parties' zone. An excluded option has no share; an empty zone gives
// every option excluded.
func Overlap(sc *scenario.Scenario, space *analysis.Space, r *analysis.Report) (*plot.Overlap, error) {
	f := sc.Framework
	z := r.Zone
	if len(z.Overlap) != len(f.Points) {
		return nil, inputErrorf("overlap chart: the analysis has %d points, the scenario %d", len(z.Overlap), len(f.Points))
	}
	o := &plot.Overlap{Title: scenarioTitle(sc) + ": per-point overlap"}
	names := partyNames(sc, space.Names)
	if z.Exact {
		o.Note = fmt.Sprintf("Agreement zone of %s: %.0f packages, counted exactly.", strings.Join(names, ", "), z.Size)
	} else {
		o.Note = fmt.Sprintf("Agreement zone of %s: about %.3g packages; shares estimated from %d random packages, whether an option is possible decided exactly.", strings.Join(names, ", "), z.Size, z.Samples)
	}
	for k, po := range z.Overlap {
		pt := &f.Points[k]
		p := plot.OverlapPoint{Name: pt.Name()}
		for l, op := range po.Options {
			opt := plot.OverlapOption{Name: pt.LevelName(l), Share: op.Share}
			switch op.Possible {
			case analysis.Yes:
				opt.Possible = plot.Possible
			case analysis.No:
				opt.Possible, opt.Share = plot.Excluded, math.NaN()
			default:
				opt.Possible = plot.Undecided
			}
			p.Options = append(p.Options, opt)
		}
		o.Points = append(o.Points, p)
	}
	return o, nil
}
