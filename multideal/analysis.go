package multideal

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/parley-negotiation/parley/framework"
)

// MaxThreadOutcomes bounds the size of a thread's outcome space that the
// analysis enumerates.
const MaxThreadOutcomes = 1 << 22

// AnalysisSamples is the number of tuples the analysis draws when the
// reduced combined space exceeds MaxCombinations (its results are then
// lower bounds, and Analysis.Exact is false).
const AnalysisSamples = 1 << 16

// Analysis is the exact analysis of a scenario's combined space under the
// edges' reservation constraints: an edge accepts only packages worth at
// least its reservation value, and a thread may always end without
// agreement.
//
// It does not enumerate the whole combined space. Each thread's acceptable
// packages are reduced to representatives with the same effect on the
// center's utility: for the lookup kinds, one package per class of
// packages the utility cannot tell apart (the option of the counted point,
// the quantity, the table row, the numbers mean-sm reads), the one the
// edge prefers; for combine, the acceptable packages of least and greatest
// side utility, since every combiner is monotone or multilinear in each
// thread's side value, so its maximum over a product of finite sets is
// reached at each set's minimum or maximum. The product of the
// representatives (plus no agreement) is enumerated and evaluated with
// Scenario.Utility, so every value is bit for bit a value of Utility.
//
// An Analysis caches results and is not safe for concurrent use.
type Analysis struct {
	s *Scenario
	// Acceptable counts, per thread, the packages its edge accepts.
	Acceptable []int
	// Size is the number of reduced tuples enumerated for one query.
	Size float64
	// Exact is false when Size exceeds MaxCombinations and the queries
	// sample AnalysisSamples tuples instead: their values are then
	// achievable (lower bounds), not proven best.
	Exact bool
	// centerOnly: built by AnalyzeCenterOnly (every package acceptable).
	centerOnly bool
	reps       [][]framework.Package // per thread, acceptable representatives
	cache      []map[string]float64  // per thread, BestWith by class key
}

// Combination is a tuple of thread outcomes and the center's utility of it.
type Combination struct {
	Outcomes []framework.Package `json:"-"`
	Center   float64             `json:"center"`
}

// FrontierPoint is one point of the frontier between the center and an
// edge: the edge's utility of a thread outcome (its reservation for no
// agreement) and the center's best utility given that outcome, the other
// threads chosen at best for the center.
type FrontierPoint struct {
	Package framework.Package `json:"-"`
	Edge    float64           `json:"edge"`
	Center  float64           `json:"center"`
}

// Impact is what a thread's agreement does to the center's best
// achievable value.
type Impact struct {
	// Without is the center's best value when the thread ends without
	// agreement.
	Without float64
	// Best and Worst are the center's best value given the thread's best
	// and worst acceptable agreement (for the center); NaN when the edge
	// accepts nothing.
	Best, Worst float64
	// BestPkg and WorstPkg are those agreements.
	BestPkg, WorstPkg framework.Package
	// Agreeable is false when the edge accepts no package.
	Agreeable bool
}

// Analyze builds the analysis of a validated scenario. It fails when a
// thread's outcome space exceeds MaxThreadOutcomes.
func Analyze(s *Scenario) (*Analysis, error) { return analyze(s, true) }

// AnalyzeCenterOnly builds the analysis of a validated scenario as if
// every edge accepted every package: the edges' profiles are not read at
// all (not even to break ties between packages of equal center utility,
// where the first package in the framework's order is kept). Best,
// BestGiven and BestWith then give the center's best over all packages —
// what a mediator may compute without the delegations' private numbers
// (the room's shuttle view with mediator_sees "overlap"). Acceptable
// counts every package. Frontier and Impact still read the edges'
// profiles and are not meant for such an analysis.
func AnalyzeCenterOnly(s *Scenario) (*Analysis, error) { return analyze(s, false) }

// CenterOnly reports whether the analysis ignores the edges' profiles
// (AnalyzeCenterOnly).
func (a *Analysis) CenterOnly() bool { return a.centerOnly }

// analyze builds the analysis; edges false ignores the edges' profiles
// (AnalyzeCenterOnly).
func analyze(s *Scenario, edges bool) (*Analysis, error) {
	a := &Analysis{s: s, Size: 1, Exact: true, centerOnly: !edges}
	for i := range s.Threads {
		th := &s.Threads[i]
		n, ok := th.Framework.SizeInt()
		if !ok || n > MaxThreadOutcomes {
			return nil, fmt.Errorf("multideal: analyze %s: thread %d (%s) has more than %d outcomes", s.Name, i+1, th.Edge, MaxThreadOutcomes)
		}
		radix := th.Framework.Radix()
		p := make(framework.Package, len(radix))
		count := 0
		var reps []framework.Package
		var repEdge []float64
		byKey := map[string]int{}
		var loV, hiV float64
		for c := uint64(0); c < uint64(n); c++ {
			framework.FromIndex(radix, c, p)
			eu := 0.0 // center-only: ties go to the first package
			if edges {
				if eu = th.Table.Utility(p); eu < th.Table.Reservation {
					continue
				}
			}
			count++
			if s.Center.Utility.Kind == KindCombine {
				v := s.Center.Utility.sideTables[i].Utility(p)
				if len(reps) == 0 {
					reps = []framework.Package{p.Clone(), p.Clone()}
					repEdge = []float64{eu, eu}
					loV, hiV = v, v
					continue
				}
				if v < loV || (v == loV && eu > repEdge[0]) {
					reps[0], repEdge[0], loV = p.Clone(), eu, v
				}
				if v > hiV || (v == hiV && eu > repEdge[1]) {
					reps[1], repEdge[1], hiV = p.Clone(), eu, v
				}
				continue
			}
			k := a.key(i, p)
			if j, ok := byKey[k]; ok {
				if eu > repEdge[j] {
					reps[j], repEdge[j] = p.Clone(), eu
				}
				continue
			}
			byKey[k] = len(reps)
			reps = append(reps, p.Clone())
			repEdge = append(repEdge, eu)
		}
		a.Acceptable = append(a.Acceptable, count)
		a.reps = append(a.reps, reps)
		a.Size *= float64(len(reps) + 1)
	}
	a.Exact = a.Size <= MaxCombinations
	a.cache = make([]map[string]float64, len(s.Threads))
	for i := range a.cache {
		a.cache[i] = map[string]float64{}
	}
	return a, nil
}

// key is a class key of a package of thread i: two packages with the same
// key give the same center utility in every tuple.
func (a *Analysis) key(i int, p framework.Package) string {
	if p == nil {
		return "none"
	}
	s := a.s
	u := &s.Center.Utility
	switch u.Kind {
	case KindCombine:
		return strconv.FormatUint(math.Float64bits(u.sideTables[i].Utility(p)), 16)
	case KindCounts, KindQuantity:
		return strconv.Itoa(p[u.pointIdx[i]])
	case KindTable:
		for _, r := range u.Rows {
			if samePackage(r.Outcomes[i], p) {
				return fmt.Sprint([]int(p))
			}
		}
		return "other"
	case KindMeanSM:
		fw := s.Threads[i].Framework
		var b strings.Builder
		created := false
		for k, l := range p {
			id := fw.Points[k].LevelID(l)
			if len(id) < 1 {
				continue
			}
			if _, err := strconv.ParseFloat(id[1:], 64); err != nil {
				continue
			}
			created = true
			if k < len(s.Threads) {
				fmt.Fprintf(&b, "%d:%s,", k, id[1:])
			}
		}
		return fmt.Sprintf("%v|%s", created, b.String())
	}
	return fmt.Sprint([]int(p))
}

// Acceptable reports whether thread i's edge accepts p (nil, no agreement,
// is always possible).
func (s *Scenario) Acceptable(i int, p framework.Package) bool {
	if p == nil {
		return true
	}
	t := s.Threads[i].Table
	return t.Utility(p) >= t.Reservation
}

// Mode says what a thread may do in a query of BestGiven.
type Mode int

// The modes of a thread in a BestGiven query.
const (
	// Free: any acceptable package or no agreement.
	Free Mode = iota
	// Fixed: the given outcome (nil for no agreement).
	Fixed
	// Agree: any acceptable package (infeasible when there is none).
	Agree
)

// BestGiven returns the center's best utility over the tuples in which
// thread i is fixed[i] where modes[i] is Fixed, an acceptable package
// where Agree, and either where Free, with the best tuple. ok is false
// when no tuple is feasible (an Agree thread whose edge accepts nothing).
// When a.Exact is false the value is the best of a sample.
func (a *Analysis) BestGiven(fixed []framework.Package, modes []Mode) (Combination, bool) {
	n := len(a.s.Threads)
	opts := make([][]framework.Package, n)
	total := 1.0
	for i := 0; i < n; i++ {
		switch modes[i] {
		case Fixed:
			opts[i] = []framework.Package{fixed[i]}
		case Agree:
			opts[i] = a.reps[i]
		default:
			opts[i] = append([]framework.Package{nil}, a.reps[i]...)
		}
		if len(opts[i]) == 0 {
			return Combination{Center: math.Inf(-1)}, false
		}
		total *= float64(len(opts[i]))
	}
	best := Combination{Center: math.Inf(-1)}
	tuple := make([]framework.Package, n)
	consider := func() {
		if v := a.s.Utility(tuple); v > best.Center {
			best.Center = v
			best.Outcomes = append([]framework.Package(nil), tuple...)
		}
	}
	if total > MaxCombinations {
		r := rand.New(rand.NewPCG(1, 2))
		for k := 0; k < AnalysisSamples; k++ {
			for i := range tuple {
				tuple[i] = opts[i][r.IntN(len(opts[i]))]
			}
			consider()
		}
		return best, true
	}
	idx := make([]int, n)
	for {
		for i := range tuple {
			tuple[i] = opts[i][idx[i]]
		}
		consider()
		i := n - 1
		for ; i >= 0; i-- {
			if idx[i]++; idx[i] < len(opts[i]) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return best, true
		}
	}
}

// Best returns the best achievable combination for the center: the tuple
// of thread outcomes (each acceptable to its edge, or no agreement) of
// greatest center utility.
func (a *Analysis) Best() Combination {
	c, _ := a.BestGiven(nil, make([]Mode, len(a.s.Threads)))
	return c
}

// BestWith returns the center's best utility when thread i's outcome is p
// (nil for no agreement) and the other threads are chosen at best.
func (a *Analysis) BestWith(i int, p framework.Package) float64 {
	k := a.key(i, p)
	if v, ok := a.cache[i][k]; ok {
		return v
	}
	fixed := make([]framework.Package, len(a.s.Threads))
	modes := make([]Mode, len(a.s.Threads))
	fixed[i], modes[i] = p, Fixed
	c, _ := a.BestGiven(fixed, modes)
	a.cache[i][k] = c.Center
	return c.Center
}

// Frontier returns the Pareto frontier of the center against thread i's
// edge: over every outcome of thread i the edge accepts (and no
// agreement), the points (edge utility, center's best utility given it),
// keeping those no other point weakly dominates with a strict gain, sorted
// by increasing edge utility.
func (a *Analysis) Frontier(i int) []FrontierPoint {
	th := &a.s.Threads[i]
	pts := []FrontierPoint{{Edge: th.Table.Reservation, Center: a.BestWith(i, nil)}}
	n, _ := th.Framework.SizeInt()
	radix := th.Framework.Radix()
	p := make(framework.Package, len(radix))
	for c := uint64(0); c < uint64(n); c++ {
		framework.FromIndex(radix, c, p)
		eu := th.Table.Utility(p)
		if eu < th.Table.Reservation {
			continue
		}
		pts = append(pts, FrontierPoint{Package: p.Clone(), Edge: eu, Center: a.BestWith(i, p)})
	}
	return paretoFront(pts)
}

func paretoFront(pts []FrontierPoint) []FrontierPoint {
	var out []FrontierPoint
	for k, p := range pts {
		dominated := false
		for j, q := range pts {
			if j == k {
				continue
			}
			if q.Edge >= p.Edge && q.Center >= p.Center && (q.Edge > p.Edge || q.Center > p.Center || j < k) {
				dominated = true
				break
			}
		}
		if !dominated {
			out = append(out, p)
		}
	}
	for x := 1; x < len(out); x++ {
		for y := x; y > 0 && out[y].Edge < out[y-1].Edge; y-- {
			out[y], out[y-1] = out[y-1], out[y]
		}
	}
	return out
}

// Impact returns what thread i's agreement does to the rest: the center's
// best value without agreement there, and given the best and the worst
// acceptable agreement (for the center).
func (a *Analysis) Impact(i int) Impact {
	im := Impact{Without: a.BestWith(i, nil), Best: math.NaN(), Worst: math.NaN()}
	th := &a.s.Threads[i]
	n, _ := th.Framework.SizeInt()
	radix := th.Framework.Radix()
	p := make(framework.Package, len(radix))
	for c := uint64(0); c < uint64(n); c++ {
		framework.FromIndex(radix, c, p)
		if !a.s.Acceptable(i, p) {
			continue
		}
		v := a.BestWith(i, p)
		if !im.Agreeable || v > im.Best {
			im.Best, im.BestPkg = v, p.Clone()
		}
		if !im.Agreeable || v < im.Worst {
			im.Worst, im.WorstPkg = v, p.Clone()
		}
		im.Agreeable = true
	}
	return im
}
