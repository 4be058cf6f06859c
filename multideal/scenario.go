package multideal

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// ErrInvalid is wrapped by every error Validate returns.
var ErrInvalid = errors.New("multideal: invalid scenario")

// MaxThreads bounds the number of threads (edges) of a scenario.
const MaxThreads = 64

// MaxCombinations bounds the number of outcome tuples an exact computation
// over the combined space (such as the equivalence test with anl2025) may
// enumerate; Scenario.Combinations reports the size.
const MaxCombinations = 1 << 24

// Scenario is a multi-deal negotiation: a center and one thread per edge.
type Scenario struct {
	// Name identifies the scenario.
	Name string `json:"name"`
	// Center is the party every thread shares.
	Center Center `json:"center"`
	// Threads are negotiated in this order.
	Threads []Thread `json:"threads"`
}

// Thread is one bilateral negotiation between the center and an edge.
type Thread struct {
	// Edge names the edge party.
	Edge string `json:"edge"`
	// Framework is the thread's outcome space; threads may share one.
	Framework *framework.Framework `json:"framework"`
	// Profile is the edge's preferences over Framework.
	Profile *profile.Profile `json:"profile"`
	// Table is Profile compiled (set by Validate).
	Table *profile.Table `json:"-"`
}

// Center is the party that negotiates every thread.
type Center struct {
	Name string `json:"name"`
	// Reservation is the center's utility when no thread agrees.
	Reservation float64 `json:"reservation"`
	// Utility values a tuple of thread outcomes.
	Utility CenterUtility `json:"utility"`
}

// Kind names a kind of center utility.
type Kind string

// The kinds of center utility (see the package documentation).
const (
	KindCombine  Kind = "combine"
	KindMeanSM   Kind = "mean-sm"
	KindCounts   Kind = "counts"
	KindQuantity Kind = "quantity"
	KindTable    Kind = "table"
)

// Kinds lists every Kind, in documentation order.
var Kinds = []Kind{KindCombine, KindMeanSM, KindCounts, KindQuantity, KindTable}

// Combiners are the functions a combine utility may use.
var Combiners = []string{"max", "min", "sum", "mean", "product", "weighted"}

// CenterUtility is the center's utility over tuples of thread outcomes.
// Only the fields of its Kind are used.
type CenterUtility struct {
	Kind Kind `json:"kind"`

	// Combine is one of Combiners (combine).
	Combine string `json:"combine,omitempty"`
	// Weights per thread (combine weighted); the utility uses them divided
	// by their sum, as anl2025's LinearCombinationCenterUFun does.
	Weights []float64 `json:"weights,omitempty"`
	// Sides are the center's per-thread profiles (combine), each over its
	// thread's framework.
	Sides []*profile.Profile `json:"sides,omitempty"`
	// NoPartial makes any tuple with a thread without agreement worth the
	// center's reservation value (anl2025's allow_partial_agreements=False).
	NoPartial bool `json:"no_partial,omitempty"`

	// Point is the ID of the point the counts and quantity kinds read, in
	// every thread's framework.
	Point string `json:"point,omitempty"`
	// Rows are the lookup table (counts, quantity, table).
	Rows []Row `json:"rows,omitempty"`
	// Default is the value of a tuple no row matches.
	Default float64 `json:"default,omitempty"`

	sideTables []*profile.Table
	weights    []float64 // Weights normalised
	pointIdx   []int     // per thread, the index of Point
}

// Row is one entry of a lookup table.
type Row struct {
	// Counts (counts kind): how many threads agreed on each option of Point,
	// by option ID; options not listed count 0.
	Counts map[string]int `json:"counts,omitempty"`
	// Quantity (quantity kind): the sum of Point's values.
	Quantity float64 `json:"quantity,omitempty"`
	// Outcomes (table kind): one package per thread, nil for no agreement.
	Outcomes []framework.Package `json:"outcomes,omitempty"`
	// Value is the center's utility for a matching tuple.
	Value float64 `json:"value"`
}

// Validate checks the scenario and compiles the edge and side tables. The
// error wraps ErrInvalid and names the thread or field at fault.
func (s *Scenario) Validate() error {
	if len(s.Threads) == 0 {
		return fmt.Errorf("%w %s: no threads", ErrInvalid, s.Name)
	}
	if len(s.Threads) > MaxThreads {
		return fmt.Errorf("%w %s: %d threads (at most %d)", ErrInvalid, s.Name, len(s.Threads), MaxThreads)
	}
	for i := range s.Threads {
		th := &s.Threads[i]
		if th.Framework == nil || th.Profile == nil {
			return fmt.Errorf("%w %s: thread %d (%s): missing framework or profile", ErrInvalid, s.Name, i+1, th.Edge)
		}
		if err := th.Framework.Validate(); err != nil {
			return fmt.Errorf("%w %s: thread %d (%s): %v", ErrInvalid, s.Name, i+1, th.Edge, err)
		}
		t, err := th.Profile.Compile(th.Framework)
		if err != nil {
			return fmt.Errorf("%w %s: thread %d (%s): edge profile: %v", ErrInvalid, s.Name, i+1, th.Edge, err)
		}
		th.Table = t
	}
	if math.IsNaN(s.Center.Reservation) || math.IsInf(s.Center.Reservation, 0) {
		return fmt.Errorf("%w %s: center reservation is not a finite number", ErrInvalid, s.Name)
	}
	if err := s.Center.Utility.compile(s.Threads); err != nil {
		return fmt.Errorf("%w %s: center utility: %v", ErrInvalid, s.Name, err)
	}
	return nil
}

func (u *CenterUtility) compile(threads []Thread) error {
	n := len(threads)
	switch u.Kind {
	case KindCombine:
		if !containsStr(Combiners, u.Combine) {
			return fmt.Errorf("combine %q: expected one of %v", u.Combine, Combiners)
		}
		if len(u.Sides) != n {
			return fmt.Errorf("%d side profiles for %d threads", len(u.Sides), n)
		}
		u.sideTables = make([]*profile.Table, n)
		for i, p := range u.Sides {
			if p == nil {
				return fmt.Errorf("thread %d: missing side profile", i+1)
			}
			t, err := p.Compile(threads[i].Framework)
			if err != nil {
				return fmt.Errorf("thread %d: side profile: %v", i+1, err)
			}
			u.sideTables[i] = t
		}
		if u.Combine == "weighted" {
			if len(u.Weights) != n {
				return fmt.Errorf("%d weights for %d threads", len(u.Weights), n)
			}
			s := 0.0
			for _, w := range u.Weights {
				if math.IsNaN(w) || math.IsInf(w, 0) {
					return fmt.Errorf("weight %v is not a finite number", w)
				}
				s += w
			}
			u.weights = append([]float64(nil), u.Weights...)
			if s != 0 {
				for i := range u.weights {
					u.weights[i] /= s
				}
			}
		}
	case KindMeanSM:
	case KindCounts, KindQuantity:
		u.pointIdx = make([]int, n)
		for i, th := range threads {
			k := th.Framework.PointIndex(u.Point)
			if k < 0 {
				return fmt.Errorf("thread %d (%s) has no point %q", i+1, th.Edge, u.Point)
			}
			u.pointIdx[i] = k
			if u.Kind == KindQuantity {
				pt := &th.Framework.Points[k]
				for l := 0; l < pt.Levels(); l++ {
					if _, ok := levelNumber(pt, l); !ok {
						return fmt.Errorf("thread %d: option %q of point %q is not a number", i+1, pt.LevelID(l), u.Point)
					}
				}
			}
		}
		if u.Kind == KindCounts {
			for r, row := range u.Rows {
				for id, c := range row.Counts {
					if c < 0 || c > n {
						return fmt.Errorf("row %d: count %d of %q is not in [0, %d]", r+1, c, id, n)
					}
					for i, th := range threads {
						if th.Framework.Points[u.pointIdx[i]].Level(id) < 0 {
							return fmt.Errorf("row %d: thread %d's point %q has no option %q", r+1, i+1, u.Point, id)
						}
					}
				}
			}
		}
	case KindTable:
		for r, row := range u.Rows {
			if len(row.Outcomes) != n {
				return fmt.Errorf("row %d: %d outcomes for %d threads", r+1, len(row.Outcomes), n)
			}
			for i, p := range row.Outcomes {
				if p == nil {
					continue
				}
				if err := threads[i].Framework.CheckPackage(p); err != nil || !p.Complete() {
					return fmt.Errorf("row %d: thread %d: not a complete package of its framework", r+1, i+1)
				}
			}
		}
	default:
		return fmt.Errorf("kind %q: expected one of %v", u.Kind, Kinds)
	}
	for r, row := range u.Rows {
		if math.IsNaN(row.Value) || math.IsInf(row.Value, 0) {
			return fmt.Errorf("row %d: value is not a finite number", r+1)
		}
	}
	return nil
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// levelNumber is the numeric value of a level: an Integer or Real point's
// value, or an option ID that parses as a number.
func levelNumber(pt *framework.Point, l int) (float64, bool) {
	if pt.Kind != framework.Options {
		return pt.Value(l), true
	}
	v, err := strconv.ParseFloat(pt.Options[l].ID, 64)
	return v, err == nil
}

// Utility returns the center's utility of a tuple of thread outcomes (one
// per thread, nil for no agreement). The scenario must have passed
// Validate.
func (s *Scenario) Utility(outcomes []framework.Package) float64 {
	any := false
	for _, o := range outcomes {
		if o != nil {
			any = true
			break
		}
	}
	if !any {
		return s.Center.Reservation
	}
	u := &s.Center.Utility
	switch u.Kind {
	case KindCombine:
		if u.NoPartial {
			for _, o := range outcomes {
				if o == nil {
					return s.Center.Reservation
				}
			}
		}
		vals := make([]float64, len(outcomes))
		for i, o := range outcomes {
			if o == nil {
				vals[i] = u.sideTables[i].Reservation
			} else {
				vals[i] = u.sideTables[i].Utility(o)
			}
		}
		return combine(u.Combine, vals, u.weights)
	case KindMeanSM:
		return s.meanSM(outcomes)
	case KindCounts:
		return u.counts(s.Threads, outcomes)
	case KindQuantity:
		q := 0.0
		for i, o := range outcomes {
			if o != nil {
				v, _ := levelNumber(&s.Threads[i].Framework.Points[u.pointIdx[i]], o[u.pointIdx[i]])
				q += v
			}
		}
		for _, r := range u.Rows {
			if r.Quantity == q {
				return r.Value
			}
		}
		return u.Default
	case KindTable:
	rows:
		for _, r := range u.Rows {
			for i, o := range outcomes {
				if !samePackage(r.Outcomes[i], o) {
					continue rows
				}
			}
			return r.Value
		}
		return u.Default
	}
	return math.NaN()
}

func samePackage(a, b framework.Package) bool {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// combine applies a combiner in anl2025's arithmetic order (Python's sum
// starts from 0, max and min return the first extreme).
func combine(how string, vals, weights []float64) float64 {
	switch how {
	case "max":
		m := vals[0]
		for _, v := range vals[1:] {
			if v > m {
				m = v
			}
		}
		return m
	case "min":
		m := vals[0]
		for _, v := range vals[1:] {
			if v < m {
				m = v
			}
		}
		return m
	case "sum", "mean":
		s := 0.0
		for _, v := range vals {
			s += v
		}
		if how == "mean" {
			s /= float64(len(vals))
		}
		return s
	case "product":
		p := 1.0
		for _, v := range vals {
			p *= v
		}
		return p
	case "weighted":
		s := 0.0
		for i, v := range vals {
			s += v * weights[i]
		}
		return s
	}
	return math.NaN()
}

func (u *CenterUtility) counts(threads []Thread, outcomes []framework.Package) float64 {
	got := map[string]int{}
	for i, o := range outcomes {
		if o != nil {
			k := u.pointIdx[i]
			got[threads[i].Framework.Points[k].LevelID(o[k])]++
		}
	}
rows:
	for _, r := range u.Rows {
		for id, c := range got {
			if r.Counts[id] != c {
				continue rows
			}
		}
		for id, c := range r.Counts {
			if got[id] != c {
				continue rows
			}
		}
		return r.Value
	}
	return u.Default
}

// meanSM is anl2025's MeanSMCenterUFun: per agreed thread, a vector of
// n_edges numbers (the number after the first character of the option ID
// of each point, 0 when it is not one; points past n_edges ignored), and
// the mean, over the threads where at least one such number was read, of
// the vector's mean plus its (population) standard deviation.
func (s *Scenario) meanSM(outcomes []framework.Package) float64 {
	n := len(outcomes)
	if n < 2 {
		return 0.1
	}
	total, count := 0.0, 0
	for i, o := range outcomes {
		if o == nil {
			continue
		}
		fw := s.Threads[i].Framework
		x := make([]float64, n)
		created := false // Python creates the entry on the first number read
		for k, l := range o {
			id := fw.Points[k].LevelID(l)
			if len(id) < 1 {
				continue
			}
			v, err := strconv.ParseFloat(id[1:], 64)
			if err != nil {
				continue
			}
			created = true
			if k < n {
				x[k] = v
			}
		}
		if !created {
			continue
		}
		total += npMean(x) + npStd(x)
		count++
	}
	if count == 0 {
		return 0
	}
	return total / float64(count)
}

func npMean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func npStd(x []float64) float64 {
	m := npMean(x)
	s := 0.0
	for _, v := range x {
		d := v - m
		s += d * d
	}
	return math.Sqrt(s / float64(len(x)))
}

// SideUtility returns the center's utility in thread i given the agreements
// of the threads before it (earlier[j] for j < i; nil for none): the
// utility of the tuple (earlier[0..i-1], p, nil, …). p nil is the center's
// reservation value, as anl2025's side ufuns make it.
func (s *Scenario) SideUtility(i int, earlier []framework.Package) func(p framework.Package) float64 {
	// The later threads count as without agreement, whatever earlier holds
	// past i.
	return s.utilityGiven(i, earlier[:i])
}

// Combinations returns the number of outcome tuples (each thread's packages
// plus no agreement), and false when it exceeds MaxCombinations.
func (s *Scenario) Combinations() (int, bool) {
	n := 1
	for _, th := range s.Threads {
		k, ok := th.Framework.SizeInt()
		if !ok || k+1 > MaxCombinations {
			return 0, false
		}
		n *= int(k + 1)
		if n > MaxCombinations {
			return 0, false
		}
	}
	return n, true
}

// EachCombination calls f with every tuple of thread outcomes (nil first,
// then each thread's packages in enumeration order, last thread fastest).
// The tuple is reused between calls. It stops when f returns false.
func (s *Scenario) EachCombination(f func(tuple []framework.Package) bool) {
	n := len(s.Threads)
	sizes := make([]int, n)
	radix := make([][]int, n)
	for i, th := range s.Threads {
		k, _ := th.Framework.SizeInt()
		sizes[i] = int(k) + 1
		radix[i] = th.Framework.Radix()
	}
	idx := make([]int, n)
	tuple := make([]framework.Package, n)
	pkgs := make([]framework.Package, n)
	for i := range pkgs {
		pkgs[i] = make(framework.Package, len(radix[i]))
	}
	for {
		for i := range tuple {
			if idx[i] == 0 {
				tuple[i] = nil
			} else {
				framework.FromIndex(radix[i], uint64(idx[i]-1), pkgs[i])
				tuple[i] = pkgs[i]
			}
		}
		if !f(tuple) {
			return
		}
		i := n - 1
		for ; i >= 0; i-- {
			if idx[i]++; idx[i] < sizes[i] {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return
		}
	}
}
