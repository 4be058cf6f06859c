package chart

import (
	"slices"
	"sort"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/plot"
)

// TournamentOutcomes builds the plot of where a tournament's negotiations
// of one scenario ended, in the utility space of its first two
// negotiating parties (names[0] on X, names[1] on Y):
//
//   - Frontier: the points of fr, the Pareto frontier of every
//     negotiating party, projected on the first two; Joined (drawn as a
//     line) only when names has exactly two parties;
//   - Nash: the first two utilities of nash (nil: no Nash point);
//   - Outcomes: the distinct (first, second) utilities of outcomes, each
//     with how many outcomes are there, sorted by X then Y;
//   - Total: the number of outcomes.
//
// outcomes are the utilities of the scored negotiations, in names' order
// (each agreement's, or the disagreement point as the tournament scores
// it). Fewer than two names, or an outcome with fewer than two
// utilities, is an *InputError.
func TournamentOutcomes(names []string, fr *analysis.Frontier, nash []float64, outcomes [][]float64) (*plot.OutcomeMap, error) {
	if len(names) < 2 {
		return nil, inputErrorf("tournament outcomes: a plot needs two parties, the scenario has %d", len(names))
	}
	m := &plot.OutcomeMap{XName: names[0], YName: names[1], Joined: len(names) == 2, Total: len(outcomes)}
	for _, p := range fr.Points {
		m.Frontier = append(m.Frontier, [2]float64{p.U[0], p.U[1]})
	}
	if nash != nil {
		m.Nash = &[2]float64{nash[0], nash[1]}
	}
	count := map[[2]float64]int{}
	for i, u := range outcomes {
		if len(u) < 2 {
			return nil, inputErrorf("tournament outcomes: outcome %d has %d utilities, want one per party", i, len(u))
		}
		count[[2]float64{u[0], u[1]}]++
	}
	for at, c := range count {
		m.Outcomes = append(m.Outcomes, plot.Count{At: at, Count: c})
	}
	sort.Slice(m.Outcomes, func(i, j int) bool {
		a, b := m.Outcomes[i].At, m.Outcomes[j].At
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		return a[1] < b[1]
	})
	return m, nil
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
