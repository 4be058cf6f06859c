package chart

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/plot"
	"github.com/parley-negotiation/parley/scenario"
)

// partyNames returns the names of the parties ids as the scenario gives
// them (its id for a party without a name, or for a name that two parties
// share, the name with the id).
func partyNames(sc *scenario.Scenario, ids []string) []string {
	out := make([]string, len(ids))
	count := map[string]int{}
	for i, id := range ids {
		out[i] = id
		if sc != nil {
			if p := sc.Party(id); p != nil && p.Name != "" {
				out[i] = p.Name
			}
		}
		count[out[i]]++
	}
	for i, id := range ids {
		if count[out[i]] > 1 && out[i] != id {
			out[i] = fmt.Sprintf("%s (%s)", out[i], id)
		}
	}
	return out
}

// partyName is the scenario's name of one party.
func partyName(sc *scenario.Scenario, id string) string { return partyNames(sc, []string{id})[0] }

// scenarioTitle is the scenario's title, or its name.
func scenarioTitle(sc *scenario.Scenario) string {
	if sc.Title != "" {
		return sc.Title
	}
	return sc.Name
}

// axesOf resolves the parties on the axes: nil is every party (the first
// plot.MaxAxes of more); otherwise two to plot.MaxAxes distinct parties of
// names.
func axesOf(what string, names, axes []string) ([]int, error) {
	if len(names) < 2 {
		return nil, inputErrorf("%s: a plot needs two parties, there are %d", what, len(names))
	}
	if axes == nil {
		return nil, nil
	}
	if len(axes) < 2 || len(axes) > plot.MaxAxes {
		return nil, inputErrorf("%s: the axes take 2 to %d parties, not %d", what, plot.MaxAxes, len(axes))
	}
	var out []int
	for _, a := range axes {
		i := slices.Index(names, a)
		if i < 0 {
			return nil, inputErrorf("%s: %q is not one of the parties (%v)", what, a, names)
		}
		if slices.Contains(out, i) {
			return nil, inputErrorf("%s: party %q is on two axes", what, a)
		}
		out = append(out, i)
	}
	return out, nil
}

// frontierNote says what a picture of n parties shows.
func frontierNote(n int, names []string, axes []int) string {
	if n == 2 {
		return ""
	}
	s := fmt.Sprintf("Every panel is a pair of parties: the Pareto frontier of all %d parties and the solution points of the %d-party problem, projected on the pair.", n, n)
	shown := len(axes)
	if axes == nil {
		shown = min(n, plot.MaxAxes)
	}
	if shown < n {
		s += fmt.Sprintf(" %d of the %d parties are on axes.", shown, n)
	}
	return s
}

// frontierPoints returns the utility vectors of a frontier.
func frontierPoints(fr *analysis.Frontier) [][]float64 {
	out := make([][]float64, len(fr.Points))
	for i, p := range fr.Points {
		out[i] = p.U
	}
	return out
}

// solutionKinds maps the analysis's solution names to marker kinds and
// legend names.
var solutionKinds = []struct{ name, kind, label string }{
	{analysis.Nash, "nash", "Nash"},
	{analysis.KalaiSmorodinsky, "kalai-smorodinsky", "Kalai–Smorodinsky"},
	{analysis.MaxWelfare, "max-welfare", "Max welfare"},
	{analysis.Egalitarian, "egalitarian", "Egalitarian"},
}

// solutionMarkers returns the markers of the solutions sols (Nash,
// Kalai–Smorodinsky, max welfare, egalitarian, in that order; GENIUS's
// variants are left out), each named label+suffix.
func solutionMarkers(sols []analysis.Solution, suffix string, hollow bool) []plot.Marker {
	var out []plot.Marker
	for _, k := range solutionKinds {
		for _, s := range sols {
			if s.Name == k.name {
				out = append(out, plot.Marker{Name: k.label + suffix, Kind: k.kind, Hollow: hollow, At: s.Point.U})
			}
		}
	}
	return out
}

// textRange returns, for each party of space, its utility of a single
// text read at its worst (lo: every bracketed or open point at the
// party's worst option) and at its best (hi).
func textRange(space *analysis.Space, text [][]int) (lo, hi []float64) {
	lo = make([]float64, space.N())
	hi = make([]float64, space.N())
	for i, t := range space.Tables {
		for k, contrib := range t.Contrib {
			var alts []int
			if k < len(text) {
				alts = text[k]
			}
			mn, mx := 0.0, 0.0
			first := true
			see := func(v float64) {
				if first {
					mn, mx, first = v, v, false
				}
				mn, mx = min(mn, v), max(mx, v)
			}
			if len(alts) == 0 {
				for _, v := range contrib {
					see(v)
				}
			}
			for _, l := range alts {
				if l >= 0 && l < len(contrib) {
					see(contrib[l])
				}
			}
			lo[i] += mn
			hi[i] += mx
		}
	}
	return lo, hi
}

// complete reports whether p is a complete package of f.
func complete(f *framework.Framework, p framework.Package) bool {
	return len(p) == len(f.Points) && p.Complete()
}

func fmtG(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// frontierName names the frontier of n parties in a legend.
func frontierName(n int) string {
	if n == 2 {
		return "Pareto frontier"
	}
	return fmt.Sprintf("Pareto frontier of the %d parties", n)
}
