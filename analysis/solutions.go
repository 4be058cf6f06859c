package analysis

import (
	"math"
	"slices"

	"github.com/parley-negotiation/parley/framework"
)

// Solution is a frontier point chosen by a bargaining solution concept.
type Solution struct {
	// Name is the concept: nash, nash-genius, kalai-smorodinsky, genius-kalai,
	// max-welfare, egalitarian.
	Name  string `json:"name"`
	Point Point  `json:"point"`
	// Value is the objective the concept optimises (product, ratio, sum...).
	Value float64 `json:"value"`
}

// Solution concept names.
const (
	Nash             = "nash"
	NashGENIUS       = "nash-genius"
	KalaiSmorodinsky = "kalai-smorodinsky"
	GENIUSKalai      = "genius-kalai"
	MaxWelfare       = "max-welfare"
	Egalitarian      = "egalitarian"
)

// better reports whether candidate (value v, witness w) beats the incumbent.
func better(v float64, w framework.Package, bv float64, bw framework.Package, found bool) bool {
	if !found || v > bv {
		return true
	}
	return v == bv && slices.Compare(w, bw) < 0
}

// pick returns the frontier point maximising score among those where ok holds.
func pick(fr *Frontier, name string, ok func(u []float64) bool, score func(u []float64) float64) (Solution, bool) {
	var best Solution
	found := false
	for _, p := range fr.Points {
		if ok != nil && !ok(p.U) {
			continue
		}
		v := score(p.U)
		if math.IsNaN(v) {
			continue
		}
		if better(v, p.Witness, best.Value, best.Point.Witness, found) {
			best, found = Solution{Name: name, Point: p, Value: v}, true
		}
	}
	return best, found
}

// NashPoint returns the frontier point maximising Π(u_i − r_i) over points
// with u_i ≥ r_i for every party; ok is false when there is none.
func NashPoint(fr *Frontier, r []float64) (Solution, bool) {
	return pick(fr, Nash, func(u []float64) bool { return atLeast(u, r) }, func(u []float64) float64 {
		p := 1.0
		for i := range u {
			p *= u[i] - r[i]
		}
		return p
	})
}

// NashPointGENIUS returns GENIUS's Nash point: the maximum of Π(u_i − r_i)
// over all frontier points, not excluding points below a reservation value.
func NashPointGENIUS(fr *Frontier, r []float64) (Solution, bool) {
	return pick(fr, NashGENIUS, nil, func(u []float64) float64 {
		p := 1.0
		for i := range u {
			p *= u[i] - r[i]
		}
		return p
	})
}

// GENIUSKalaiPoint returns the frontier point minimising Σ_{i<j} |u_i − u_j|
// (Value holds the negated sum).
func GENIUSKalaiPoint(fr *Frontier) (Solution, bool) {
	return pick(fr, GENIUSKalai, nil, func(u []float64) float64 {
		s := 0.0
		for i := range u {
			for j := i + 1; j < len(u); j++ {
				s += math.Abs(u[i] - u[j])
			}
		}
		return -s
	})
}

// MaxWelfarePoint returns the frontier point maximising Σ u_i.
func MaxWelfarePoint(fr *Frontier) (Solution, bool) {
	return pick(fr, MaxWelfare, nil, welfare)
}

func welfare(u []float64) float64 {
	s := 0.0
	for _, x := range u {
		s += x
	}
	return s
}

// EgalitarianPoint returns the individually rational frontier point
// maximising min_i (u_i − r_i).
func EgalitarianPoint(fr *Frontier, r []float64) (Solution, bool) {
	return pick(fr, Egalitarian, func(u []float64) bool { return atLeast(u, r) }, func(u []float64) float64 {
		m := math.Inf(1)
		for i := range u {
			m = math.Min(m, u[i]-r[i])
		}
		return m
	})
}

// KalaiSmorodinskyPoint returns the textbook Kalai–Smorodinsky point: with
// disagreement point r and ideal point I (each party's best individually
// rational frontier utility), the individually rational frontier point
// maximising min_i (u_i − r_i)/(I_i − r_i); ties go to higher welfare, then
// the lower witness. A party with I_i = r_i is left out of the minimum.
func KalaiSmorodinskyPoint(fr *Frontier, r []float64) (Solution, bool) {
	ideal := IdealPoint(fr, r)
	if ideal == nil {
		return Solution{}, false
	}
	var best Solution
	var bestW float64
	found := false
	for _, p := range fr.Points {
		if !atLeast(p.U, r) {
			continue
		}
		m := math.Inf(1)
		for i := range p.U {
			if span := ideal[i] - r[i]; span > 0 {
				m = math.Min(m, (p.U[i]-r[i])/span)
			}
		}
		if math.IsInf(m, 1) {
			m = 1
		}
		w := welfare(p.U)
		if !found || m > best.Value || (m == best.Value && (w > bestW || (w == bestW && slices.Compare(p.Witness, best.Point.Witness) < 0))) {
			best, bestW, found = Solution{Name: KalaiSmorodinsky, Point: p, Value: m}, w, true
		}
	}
	return best, found
}

// IdealPoint returns each party's highest utility among individually rational
// frontier points, or nil when there are none.
func IdealPoint(fr *Frontier, r []float64) []float64 {
	var ideal []float64
	for _, p := range fr.Points {
		if !atLeast(p.U, r) {
			continue
		}
		if ideal == nil {
			ideal = slices.Clone(p.U)
			continue
		}
		for i := range ideal {
			ideal[i] = math.Max(ideal[i], p.U[i])
		}
	}
	return ideal
}

// Distance returns the Euclidean distance between two utility vectors.
func Distance(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return math.Sqrt(s)
}

// DistanceToFrontier returns the Euclidean distance from u to the nearest
// frontier point (GENIUS's "distance to Pareto"); +Inf for an empty frontier.
func DistanceToFrontier(u []float64, fr *Frontier) float64 {
	best := math.Inf(1)
	for _, p := range fr.Points {
		best = math.Min(best, Distance(u, p.U))
	}
	return best
}

// Welfare returns Σ u_i.
func Welfare(u []float64) float64 { return welfare(u) }
