package profile

import (
	"errors"
	"fmt"
	"math"

	"github.com/parley-negotiation/parley/framework"
)

// Scale says how option scores become evaluations.
type Scale int

const (
	// ScaleMax divides each score by the point's highest score (GENIUS).
	ScaleMax Scale = iota
	// ScaleAbsolute uses scores as evaluations directly (GeniusWeb).
	ScaleAbsolute
)

// FuncKind is the shape of a numeric value function.
type FuncKind int

const (
	// Linear is clamp01(Offset + Slope·(x − Origin)).
	Linear FuncKind = iota
	// Triangular rises from Low to Top (value TopValue) and falls to High; 0 outside.
	Triangular
	// Constant is the same evaluation everywhere.
	Constant
)

func (k FuncKind) String() string {
	switch k {
	case Linear:
		return "linear"
	case Triangular:
		return "triangular"
	case Constant:
		return "constant"
	}
	return fmt.Sprintf("func(%d)", int(k))
}

// ValueFunc evaluates a numeric point.
type ValueFunc struct {
	Kind FuncKind `json:"kind"`
	// Linear: evaluation = clamp01(Offset + Slope·(x − Origin)).
	Slope  float64 `json:"slope,omitempty"`
	Offset float64 `json:"offset,omitempty"`
	Origin float64 `json:"origin,omitempty"`
	// Triangular: GENIUS evalTriangular(VariableTop).
	Low      float64 `json:"low,omitempty"`
	High     float64 `json:"high,omitempty"`
	Top      float64 `json:"top,omitempty"`
	TopValue float64 `json:"top_value,omitempty"`
	// Constant value.
	Value float64 `json:"value,omitempty"`
}

// Eval returns the evaluation of x.
func (f *ValueFunc) Eval(x float64) float64 {
	switch f.Kind {
	case Linear:
		return clamp01(f.Offset + f.Slope*(x-f.Origin))
	case Triangular:
		tv := f.TopValue
		switch {
		case x < f.Low:
			return 0
		case x < f.Top:
			return tv * (x - f.Low) / (f.Top - f.Low)
		case x < f.High:
			return tv * (1 - (x-f.Top)/(f.High-f.Top))
		}
		return 0
	case Constant:
		return f.Value
	}
	return 0
}

func clamp01(v float64) float64 {
	if v < 0 {
		return 0
	}
	if v > 1 {
		return 1
	}
	return v
}

// Term is one element of a red line: the package's level on Point must be one of Levels.
type Term struct {
	Point  int   `json:"point"`
	Levels []int `json:"levels"`
}

// RedLine is a combination a party will never accept: a package crosses it
// when every term matches. A single term with one level forbids one option.
type RedLine struct {
	Terms []Term `json:"terms"`
	// Reason is shown to the party itself (never to others).
	Reason string `json:"reason,omitempty"`
}

// Crossed reports whether the package matches every term. Open points never match.
func (r *RedLine) Crossed(p framework.Package) bool {
	for _, t := range r.Terms {
		l := p[t.Point]
		hit := false
		for _, x := range t.Levels {
			if x == l {
				hit = true
				break
			}
		}
		if !hit {
			return false
		}
	}
	return len(r.Terms) > 0
}

// Interval is a closed range [Lo, Hi].
type Interval struct {
	Lo float64 `json:"lo"`
	Hi float64 `json:"hi"`
}

// Uncertainty gives intervals for an estimated profile; a nil entry means the
// value is known.
type Uncertainty struct {
	Weights []*Interval   `json:"weights,omitempty"` // per point
	Scores  [][]*Interval `json:"scores,omitempty"`  // per point, per option
	// Reservation interval, if the reservation value itself is uncertain.
	Reservation *Interval `json:"reservation,omitempty"`
}

// Profile is a party's linear additive preferences over a framework.
type Profile struct {
	// Weights per point, in framework order; not renormalised.
	Weights []float64 `json:"weights"`
	// Scores per options point (nil for numeric points), per option.
	Scores [][]float64 `json:"scores"`
	// Funcs per numeric point (nil for options points).
	Funcs []*ValueFunc `json:"funcs,omitempty"`
	Scale Scale        `json:"scale"`
	// Reservation is the utility of no agreement; nil means none given (0 for GENIUS).
	Reservation *float64 `json:"reservation,omitempty"`
	// Fallback is the party's best alternative, as a complete package (BATNA).
	Fallback framework.Package `json:"fallback,omitempty"`
	RedLines []RedLine         `json:"red_lines,omitempty"`
	// Discount factor d; ≤0 or >1 means none.
	Discount    float64      `json:"discount,omitempty"`
	Uncertainty *Uncertainty `json:"uncertainty,omitempty"`
}

// ErrMismatch is returned when a profile does not fit its framework.
var ErrMismatch = errors.New("profile: does not match framework")

// Check verifies the profile fits the framework: one weight per point, scores
// for every option of options points, a function for every numeric point,
// levels in range, finite non-negative numbers.
func (p *Profile) Check(f *framework.Framework) error {
	n := len(f.Points)
	if len(p.Weights) != n {
		return fmt.Errorf("%w: %d weights for %d points", ErrMismatch, len(p.Weights), n)
	}
	if len(p.Scores) != n {
		return fmt.Errorf("%w: scores for %d points, framework has %d", ErrMismatch, len(p.Scores), n)
	}
	for i := range f.Points {
		pt := &f.Points[i]
		if w := p.Weights[i]; math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
			return fmt.Errorf("point %q: weight %v is not a finite non-negative number", pt.ID, w)
		}
		if pt.Kind == framework.Options {
			if len(p.Scores[i]) != len(pt.Options) {
				return fmt.Errorf("point %q: %d scores for %d options: %w", pt.ID, len(p.Scores[i]), len(pt.Options), ErrMismatch)
			}
			for j, s := range p.Scores[i] {
				if math.IsNaN(s) || math.IsInf(s, 0) || s < 0 {
					return fmt.Errorf("point %q option %q: score %v is not a finite non-negative number", pt.ID, pt.Options[j].ID, s)
				}
			}
			continue
		}
		if i >= len(p.Funcs) || p.Funcs[i] == nil {
			return fmt.Errorf("point %q: numeric point without a value function: %w", pt.ID, ErrMismatch)
		}
	}
	if p.Fallback != nil {
		if err := f.CheckPackage(p.Fallback); err != nil {
			return fmt.Errorf("fallback: %w", err)
		}
		if !p.Fallback.Complete() {
			return fmt.Errorf("fallback: package is partial; a fallback names an option for every point")
		}
	}
	for k, r := range p.RedLines {
		if len(r.Terms) == 0 {
			return fmt.Errorf("red line %d: no terms", k+1)
		}
		for _, t := range r.Terms {
			if t.Point < 0 || t.Point >= n {
				return fmt.Errorf("red line %d: point %d out of range", k+1, t.Point)
			}
			for _, l := range t.Levels {
				if l < 0 || l >= f.Points[t.Point].Levels() {
					return fmt.Errorf("red line %d: point %q: level %d out of range", k+1, f.Points[t.Point].ID, l)
				}
			}
		}
	}
	return nil
}

// DiscountFactor returns the effective discount factor (GENIUS validateDiscount).
func (p *Profile) DiscountFactor() float64 {
	d := p.Discount
	if d <= 0 || d > 1 || math.IsNaN(d) {
		return 1
	}
	return d
}

// Discounted returns u·d^t with t clamped to [0,1] (GENIUS semantics).
func (p *Profile) Discounted(u, t float64) float64 {
	t = clamp01(t)
	return u * math.Pow(p.DiscountFactor(), t)
}

// WeightSum returns the sum of the weights.
func (p *Profile) WeightSum() float64 {
	s := 0.0
	for _, w := range p.Weights {
		s += w
	}
	return s
}

// CrossesRedLine returns the index of the first red line the package
// crosses, or -1.
func (p *Profile) CrossesRedLine(pkg framework.Package) int {
	for i := range p.RedLines {
		if p.RedLines[i].Crossed(pkg) {
			return i
		}
	}
	return -1
}

// Table is a profile compiled against a framework: Contrib[i][l] = w_i·e_i(l).
type Table struct {
	Contrib [][]float64
	// Reservation is the effective reservation value: the larger of the
	// declared reservation and the utility of the fallback; 0 if neither.
	Reservation float64
	// HasReservation tells whether a reservation or fallback was given.
	HasReservation bool
}

// Compile evaluates every level of every point.
func (p *Profile) Compile(f *framework.Framework) (*Table, error) {
	if err := p.Check(f); err != nil {
		return nil, err
	}
	t := &Table{Contrib: make([][]float64, len(f.Points))}
	for i := range f.Points {
		t.Contrib[i] = p.evals(f, i, p.Weights[i], p.Scores[i])
	}
	t.Reservation, t.HasReservation = 0, false
	if p.Reservation != nil {
		t.Reservation, t.HasReservation = *p.Reservation, true
	}
	if p.Fallback != nil {
		u := t.Utility(p.Fallback)
		if !t.HasReservation || u > t.Reservation {
			t.Reservation = u
		}
		t.HasReservation = true
	}
	return t, nil
}

// evals returns w·e(l) for every level of point i, given the weight and scores
// to use (so that uncertainty sampling can substitute them).
func (p *Profile) evals(f *framework.Framework, i int, w float64, scores []float64) []float64 {
	pt := &f.Points[i]
	n := pt.Levels()
	out := make([]float64, n)
	if pt.Kind == framework.Options {
		div := 1.0
		if p.Scale == ScaleMax {
			mx := math.Inf(-1)
			for _, s := range scores {
				mx = math.Max(mx, s)
			}
			if mx < 0.00001 {
				return out
			}
			div = mx
		}
		for l, s := range scores {
			if p.Scale == ScaleMax {
				out[l] = w * (s / div)
			} else {
				out[l] = w * s
			}
		}
		return out
	}
	fn := p.Funcs[i]
	for l := range out {
		out[l] = w * fn.Eval(pt.Value(l))
	}
	return out
}

// Eval returns the evaluation (before weighting) of level l of point i.
func (p *Profile) Eval(f *framework.Framework, i, l int) float64 {
	return p.evals(f, i, 1, p.Scores[i])[l]
}

// Utility returns Σ Contrib[i][pkg[i]] in point order; open points count 0.
func (t *Table) Utility(pkg framework.Package) float64 {
	u := 0.0
	for i, l := range pkg {
		if l >= 0 {
			u += t.Contrib[i][l]
		}
	}
	return u
}

// Max returns the highest utility any package can reach, and per point the best level.
func (t *Table) Max() (float64, framework.Package) {
	best := make(framework.Package, len(t.Contrib))
	u := 0.0
	for i, c := range t.Contrib {
		for l, v := range c {
			if v > c[best[i]] {
				best[i] = l
			}
		}
		u += c[best[i]]
	}
	return u, best
}

// Min returns the lowest utility any package can reach.
func (t *Table) Min() float64 {
	u := 0.0
	for _, c := range t.Contrib {
		m := c[0]
		for _, v := range c {
			m = math.Min(m, v)
		}
		u += m
	}
	return u
}

// Sample draws a table from the profile's uncertainty: every uncertain weight,
// score and the reservation value uniformly in its interval; sampled weights
// are then rescaled so they keep the profile's nominal weight sum. Without
// uncertainty it returns the compiled table. rnd returns uniform values in [0,1).
func (p *Profile) Sample(f *framework.Framework, rnd func() float64) (*Table, error) {
	t, err := p.Compile(f)
	if err != nil || p.Uncertainty == nil {
		return t, err
	}
	u := p.Uncertainty
	draw := func(iv *Interval, v float64) float64 {
		if iv == nil {
			return v
		}
		return iv.Lo + (iv.Hi-iv.Lo)*rnd()
	}
	w := make([]float64, len(p.Weights))
	sum, nominal := 0.0, p.WeightSum()
	for i := range w {
		var iv *Interval
		if i < len(u.Weights) {
			iv = u.Weights[i]
		}
		w[i] = draw(iv, p.Weights[i])
		sum += w[i]
	}
	if sum > 0 {
		for i := range w {
			w[i] *= nominal / sum
		}
	}
	for i := range f.Points {
		scores := p.Scores[i]
		if i < len(u.Scores) && u.Scores[i] != nil {
			scores = append([]float64(nil), scores...)
			for l := range scores {
				if l < len(u.Scores[i]) {
					scores[l] = draw(u.Scores[i][l], scores[l])
				}
			}
		}
		t.Contrib[i] = p.evals(f, i, w[i], scores)
	}
	if u.Reservation != nil {
		t.Reservation = draw(u.Reservation, t.Reservation)
		t.HasReservation = true
	} else if p.Fallback != nil {
		fb := t.Utility(p.Fallback)
		if p.Reservation == nil || fb > *p.Reservation {
			t.Reservation = fb
		}
	}
	return t, nil
}

// String returns the scale's name as used in scenario files.
func (s Scale) String() string {
	switch s {
	case ScaleMax:
		return "max"
	case ScaleAbsolute:
		return "absolute"
	}
	return fmt.Sprintf("scale(%d)", int(s))
}

// MarshalText writes the scale's name.
func (s Scale) MarshalText() ([]byte, error) {
	if s != ScaleMax && s != ScaleAbsolute {
		return nil, fmt.Errorf("profile: unknown scale %d", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads a scale's name.
func (s *Scale) UnmarshalText(b []byte) error {
	for _, c := range []Scale{ScaleMax, ScaleAbsolute} {
		if string(b) == c.String() {
			*s = c
			return nil
		}
	}
	return fmt.Errorf("profile: scale %q (want max or absolute)", b)
}

// MarshalText writes the function kind's name.
func (k FuncKind) MarshalText() ([]byte, error) {
	if k != Linear && k != Triangular && k != Constant {
		return nil, fmt.Errorf("profile: unknown function kind %d", int(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText reads a function kind's name.
func (k *FuncKind) UnmarshalText(b []byte) error {
	for _, c := range []FuncKind{Linear, Triangular, Constant} {
		if string(b) == c.String() {
			*k = c
			return nil
		}
	}
	return fmt.Errorf("profile: function kind %q (want linear, triangular or constant)", b)
}
