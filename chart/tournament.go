package chart

import (
	"slices"
	"sort"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/plot"
)

// TournamentOutcomes builds the compact plot of where a tournament's
// negotiations of one scenario ended, in the utility space of its
// negotiating parties (names, as the scenario names them; one panel for
// two, pairwise panels for more, the same convention as every other
// utility-space plot):
//
//   - Frontier: the points of fr, the Pareto frontier of every
//     negotiating party (joined as a line for two);
//   - Counts: the distinct outcomes, each with how many negotiations
//     ended there, sorted by their utilities;
//   - Markers: the Nash point nash ("Nash"; none when nil), the one the
//     tournament measures its distance to Nash against.
//
// outcomes are the utilities of the scored negotiations, in names' order
// (each agreement's, or the disagreement point as the tournament scores
// it). Fewer than two names, or an outcome or a Nash point without one
// utility per party, is an *InputError.
func TournamentOutcomes(names []string, fr *analysis.Frontier, nash []float64, outcomes [][]float64) (*plot.UtilitySpace, error) {
	if len(names) < 2 {
		return nil, inputErrorf("tournament outcomes: a plot needs two parties, the scenario has %d", len(names))
	}
	u := &plot.UtilitySpace{Parties: names, Frontier: frontierPoints(fr), Joined: len(names) == 2, Compact: true}
	if nash != nil {
		if len(nash) != len(names) {
			return nil, inputErrorf("tournament outcomes: the Nash point has %d utilities, want one per party", len(nash))
		}
		u.Markers = append(u.Markers, plot.Marker{Name: "Nash", Kind: "nash", At: nash})
	}
	type key string
	count := map[key]int{}
	at := map[key][]float64{}
	for i, o := range outcomes {
		if len(o) != len(names) {
			return nil, inputErrorf("tournament outcomes: outcome %d has %d utilities, want one per party", i, len(o))
		}
		k := key(utilKey(o))
		count[k]++
		at[k] = o
	}
	for k, c := range count {
		u.Counts = append(u.Counts, plot.Count{At: at[k], Count: c})
	}
	sort.Slice(u.Counts, func(i, j int) bool { return slices.Compare(u.Counts[i].At, u.Counts[j].At) < 0 })
	return u, nil
}

func utilKey(u []float64) string {
	b := make([]byte, 0, 8*len(u))
	for _, v := range u {
		b = append(b, []byte(fmtG(v))...)
		b = append(b, ' ')
	}
	return string(b)
}

// Sample is one agent's observations of a score, with the mean and its
// confidence interval as the tournament computed them, for
// TournamentScores.
type Sample struct {
	Agent  string
	Values []float64
	// Mean with its interval [Low, High], over N observations.
	Mean, Low, High float64
	N               int
}

// TournamentScores builds the box plot of a score over the agents: one
// box per sample, in order (the ranking's), labelled with the agent, with
// the quartiles of its values (linear interpolation between order
// statistics; none for an empty sample) and its mean and interval as
// given.
func TournamentScores(samples []Sample) *plot.BoxPlot {
	bp := &plot.BoxPlot{}
	for _, s := range samples {
		b := plot.Box{Label: s.Agent, Mean: s.Mean, Low: s.Low, High: s.High, N: s.N}
		if len(s.Values) > 0 {
			q := quartiles(s.Values)
			b.Quartiles = &q
		}
		bp.Boxes = append(bp.Boxes, b)
	}
	return bp
}

// quartiles returns min, Q1, median, Q3, max of a non-empty sample
// (linear interpolation).
func quartiles(xs []float64) [5]float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	at := func(p float64) float64 {
		i := p * float64(len(s)-1)
		k := int(i)
		if k+1 >= len(s) {
			return s[len(s)-1]
		}
		return s[k] + (i-float64(k))*(s[k+1]-s[k])
	}
	return [5]float64{s[0], at(0.25), at(0.5), at(0.75), s[len(s)-1]}
}
