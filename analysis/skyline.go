package analysis

import (
	"cmp"
	"math"
	mathbits "math/bits"
	"slices"

	"github.com/parley-negotiation/parley/framework"
)

// Point is a distinct utility vector on a frontier.
type Point struct {
	// U is the utility of each party, in the space's party order.
	U []float64 `json:"utilities"`
	// Witness is the lowest-index package reaching U.
	Witness framework.Package `json:"witness"`
	// Count is the number of packages whose utility vector is exactly U
	// (saturating at the largest uint64).
	Count uint64 `json:"count"`
}

// Frontier is a Pareto frontier: distinct non-dominated utility vectors.
type Frontier struct {
	// Points are sorted by the first party's utility, highest first (then the
	// second party's, and so on).
	Points []Point `json:"points"`
	// Method says how it was computed.
	Method string `json:"method"`
	// Approximate tells that the frontier was thinned
	// (FrontierOptions.Epsilon): every exact frontier point is within
	// ErrorBound of a listed point for every party.
	Approximate bool    `json:"approximate,omitempty"`
	ErrorBound  float64 `json:"error_bound,omitempty"`
}

// Packages returns the number of packages on the frontier (ties counted).
func (f *Frontier) Packages() uint64 {
	var n uint64
	for _, p := range f.Points {
		n = addSat(n, p.Count)
	}
	return n
}

func addSat(a, b uint64) uint64 {
	if s := a + b; s >= a {
		return s
	}
	return math.MaxUint64
}

func mulSat(a, b uint64) uint64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a > math.MaxUint64/b {
		return math.MaxUint64
	}
	return a * b
}

// vecs is a flat list of d-dimensional vectors.
type vecs struct {
	d    int
	vals []float64
}

func (v *vecs) at(i int) []float64 { return v.vals[i*v.d : (i+1)*v.d] }
func (v *vecs) n() int             { return len(v.vals) / v.d }

// skyline returns the indices of the vectors of v (restricted to idx, all if
// nil) that no other vector dominates with a margin: a dominates c when
// a ≥ c everywhere and a > c + eps somewhere (eps = 0: plain Pareto
// dominance). Exact duplicates are merged into their lowest index, their
// counts (when non-nil) summed there. The result is in increasing index order.
// The work is counted on m (nil: not counted); once m stops, the result is
// incomplete and m.err says why.
func skyline(v *vecs, idx []int32, counts []uint64, eps float64, m *meter) []int32 {
	if idx == nil {
		idx = make([]int32, v.n())
		for i := range idx {
			idx[i] = int32(i)
		}
	}
	if len(idx) == 0 {
		return nil
	}
	var out []int32
	switch v.d {
	case 1:
		m.add(int64(len(idx)))
		out = skyline1(v, idx, counts, eps)
	case 2:
		m.add(int64(len(idx)))
		out = skyline2(v, idx, counts, eps)
	default:
		switch {
		case v.d == 3:
			out = skyline3(v, idx, counts, eps, m)
		case len(idx) >= kdMin:
			out = skylineKD(v, idx, counts, eps, m)
		default:
			out = skylineSFS(v, idx, counts, eps, m)
		}
	}
	sortIndices(out)
	return out
}

// sortIndices sorts distinct non-negative indices in increasing order: by a
// bitmap of their range when it is dense enough (linear time), otherwise
// by comparison.
func sortIndices(out []int32) {
	if len(out) < 256 {
		slices.Sort(out)
		return
	}
	lo, hi := out[0], out[0]
	for _, i := range out {
		lo, hi = min(lo, i), max(hi, i)
	}
	words := int(hi-lo)/64 + 1
	if words > 4*len(out) {
		slices.Sort(out)
		return
	}
	bits := make([]uint64, words)
	for _, i := range out {
		b := int(i - lo)
		bits[b>>6] |= 1 << (b & 63)
	}
	k := 0
	for w, x := range bits {
		for x != 0 {
			t := mathbits.TrailingZeros64(x)
			out[k] = lo + int32(w*64+t)
			k++
			x &= x - 1
		}
	}
}

// mergeDup folds idx[j] into idx[i] (equal vectors; i has the lower index).
func mergeDup(counts []uint64, keep, drop int32) {
	if counts != nil {
		counts[keep] = addSat(counts[keep], counts[drop])
	}
}

func skyline1(v *vecs, idx []int32, counts []uint64, eps float64) []int32 {
	slices.SortFunc(idx, func(a, b int32) int {
		if c := cmp.Compare(v.vals[b], v.vals[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	best := v.vals[idx[0]]
	var out []int32
	for k := 0; k < len(idx); k++ {
		i := idx[k]
		u := v.vals[i]
		if u < best-eps || (eps == 0 && u < best) {
			break
		}
		for k+1 < len(idx) && v.vals[idx[k+1]] == u {
			mergeDup(counts, i, idx[k+1])
			k++
		}
		out = append(out, i)
	}
	return out
}

func skyline2(v *vecs, idx []int32, counts []uint64, eps float64) []int32 {
	vals := v.vals
	slices.SortFunc(idx, func(a, b int32) int {
		if c := cmp.Compare(vals[2*b], vals[2*a]); c != 0 {
			return c
		}
		if c := cmp.Compare(vals[2*b+1], vals[2*a+1]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	out := idx[:0:0]
	// c is dominated when some earlier point (u1 ≥ c1) has u2 ≥ c2 and is
	// better by more than eps in one of them: m1 is the best u2 among points
	// with u1 > c1+eps, m2 the best u2 among all earlier points.
	m1, m2 := math.Inf(-1), math.Inf(-1)
	ptr := 0
	for k := 0; k < len(idx); {
		i := idx[k]
		x, y := vals[2*i], vals[2*i+1]
		j := k + 1
		for j < len(idx) && vals[2*idx[j]] == x && vals[2*idx[j]+1] == y {
			mergeDup(counts, i, idx[j])
			j++
		}
		for ptr < k && vals[2*idx[ptr]] > x+eps {
			m1 = math.Max(m1, vals[2*idx[ptr]+1])
			ptr++
		}
		if !(m1 >= y || m2 > y+eps) {
			out = append(out, i)
		}
		m2 = math.Max(m2, y)
		k = j
	}
	return out
}

func skylineSFS(v *vecs, idx []int32, counts []uint64, eps float64, m *meter) []int32 {
	d := v.d
	sums := make([]float64, v.n())
	for _, i := range idx {
		s := 0.0
		for _, x := range v.at(int(i)) {
			s += x
		}
		sums[i] = s
	}
	slices.SortFunc(idx, func(a, b int32) int {
		if c := cmp.Compare(sums[b], sums[a]); c != 0 {
			return c
		}
		va, vb := v.at(int(a)), v.at(int(b))
		for k := 0; k < d; k++ {
			if c := cmp.Compare(vb[k], va[k]); c != 0 {
				return c
			}
		}
		return cmp.Compare(a, b)
	})
	var window []int32
	for k := 0; k < len(idx); k++ {
		i := idx[k]
		c := v.at(int(i))
		// Fold exact duplicates (adjacent after the sort).
		for k+1 < len(idx) && slices.Equal(v.at(int(idx[k+1])), c) {
			mergeDup(counts, i, idx[k+1])
			k++
		}
		if !m.add(int64(len(window)) + 1) {
			return nil
		}
		dominated := false
		for _, w := range window {
			if dominatesBy(v.at(int(w)), c, eps) {
				dominated = true
				break
			}
		}
		if !dominated {
			window = append(window, i)
		}
	}
	return window
}

// dominatesBy reports whether a is at least b everywhere and better by more
// than eps somewhere.
func dominatesBy(a, b []float64, eps float64) bool {
	strict := false
	for k := range a {
		if a[k] < b[k] {
			return false
		}
		if a[k] > b[k]+eps {
			strict = true
		}
	}
	return strict
}

// dominates reports whether a is at least b everywhere and better somewhere.
func dominates(a, b []float64) bool {
	strict := false
	for k := range a {
		if a[k] < b[k] {
			return false
		}
		if a[k] > b[k] {
			strict = true
		}
	}
	return strict
}

// sortPoints orders frontier points by utilities, highest first.
func sortPoints(ps []Point) {
	slices.SortStableFunc(ps, func(a, b Point) int {
		for k := range a.U {
			if c := cmp.Compare(b.U[k], a.U[k]); c != 0 {
				return c
			}
		}
		return 0
	})
}

// FrontierOfVectors returns the Pareto frontier of explicit utility vectors
// (all of the same length); the witness of each point is left nil and Count
// is the number of equal input vectors. It is the tool for outcome sets that
// are not additive or not packages at all.
func FrontierOfVectors(us [][]float64) *Frontier {
	if len(us) == 0 {
		return &Frontier{Method: "skyline"}
	}
	d := len(us[0])
	v := &vecs{d: d, vals: make([]float64, 0, d*len(us))}
	for _, u := range us {
		v.vals = append(v.vals, u...)
	}
	counts := make([]uint64, len(us))
	for i := range counts {
		counts[i] = 1
	}
	keep := skyline(v, nil, counts, 0, nil)
	f := &Frontier{Method: method(d, "sort-sweep", "skyline")}
	for _, i := range keep {
		f.Points = append(f.Points, Point{U: slices.Clone(v.at(int(i))), Count: counts[i]})
	}
	sortPoints(f.Points)
	return f
}

func method(d int, two, more string) string {
	if d <= 2 {
		return two
	}
	return more
}
