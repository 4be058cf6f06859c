package agent

import "github.com/parley-negotiation/parley/framework"

// FrequencyModel estimates an opponent's additive utility from the packages
// it offers, as the frequency models of ANAC agents (HardHeaded, 2011) do:
// an option it offers often is taken to be one it values, and a point whose
// option it rarely changes between consecutive offers is taken to weigh
// more.
//
//	e_i(l) = (count_i(l) + 1) / (max_l' count_i(l') + 1)
//	w_i    = (1 + unchanged_i) / Σ_j (1 + unchanged_j)
//	u(p)   = Σ_i w_i · e_i(p_i)
//
// where count_i(l) is how often option l of point i was offered and
// unchanged_i how often point i kept its option between consecutive offers.
// Before any offer every package has estimated utility 1.
// The zero value is not usable; use NewFrequencyModel.
type FrequencyModel struct {
	counts    [][]float64
	maxCount  []float64
	unchanged []float64
	last      framework.Package
	offers    int
}

// NewFrequencyModel returns an empty model for packages of f.
func NewFrequencyModel(f *framework.Framework) *FrequencyModel {
	m := &FrequencyModel{
		counts:    make([][]float64, len(f.Points)),
		maxCount:  make([]float64, len(f.Points)),
		unchanged: make([]float64, len(f.Points)),
	}
	for i := range f.Points {
		m.counts[i] = make([]float64, f.Points[i].Levels())
	}
	return m
}

// Observe records one offer (a complete package of the model's framework;
// open or out-of-range levels are ignored).
func (m *FrequencyModel) Observe(p framework.Package) {
	for i, l := range p {
		if i >= len(m.counts) || l < 0 || l >= len(m.counts[i]) {
			continue
		}
		m.counts[i][l]++
		m.maxCount[i] = max(m.maxCount[i], m.counts[i][l])
		if m.last != nil && m.last[i] == l {
			m.unchanged[i]++
		}
	}
	m.last = append(m.last[:0], p...)
	m.offers++
}

// Offers returns how many offers were observed.
func (m *FrequencyModel) Offers() int { return m.offers }

// Utility returns the estimated utility of p, in [0, 1].
func (m *FrequencyModel) Utility(p framework.Package) float64 {
	wsum := 0.0
	for _, u := range m.unchanged {
		wsum += 1 + u
	}
	u := 0.0
	for i, l := range p {
		if i >= len(m.counts) || l < 0 || l >= len(m.counts[i]) {
			continue
		}
		u += (1 + m.unchanged[i]) / wsum * (m.counts[i][l] + 1) / (m.maxCount[i] + 1)
	}
	return u
}
