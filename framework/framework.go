package framework

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
)

// Kind says what values a point takes.
type Kind int

const (
	// Options is a point with discrete labelled options.
	Options Kind = iota
	// Integer is a point taking every integer in [Min, Max].
	Integer
	// Real is a point taking any real in [Min, Max], represented by Steps levels.
	Real
)

// DefaultRealSteps is the number of levels a real point gets when its Steps is 0.
const DefaultRealSteps = 11

// MaxLevels bounds the number of levels of a single point, so that a typo in
// an integer range cannot ask the engine for a billion-entry table.
const MaxLevels = 1 << 20

// Bounds on a framework's size, checked by Validate, so that no accepted
// framework asks the engine for unbounded memory or makes a count overflow
// (every profile table has one entry per level of every point).
const (
	// MaxPoints bounds the number of points.
	MaxPoints = 1000
	// MaxTotalLevels bounds the levels of all points together.
	MaxTotalLevels = 1 << 21
	// MaxSpaceDigits bounds the number of complete packages: at most
	// 10^MaxSpaceDigits, so that the size and the sizes estimated from it
	// are finite float64 numbers.
	MaxSpaceDigits = 308
	// MaxMagnitude bounds the absolute value of the bounds of real points
	// (integer points: 2^53, up to which integers are exact in a float64),
	// so that no difference or product of values a value function forms
	// overflows.
	MaxMagnitude = 1e100
)

// Open marks a point left open in a partial package.
const Open = -1

// String returns the kind's name as used in scenario files.
func (k Kind) String() string {
	switch k {
	case Options:
		return "options"
	case Integer:
		return "integer"
	case Real:
		return "real"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Option is one discrete option of a point.
type Option struct {
	// ID is unique within the point; scenario files and packages refer to it.
	ID string `json:"id"`
	// Label is a short human name; empty means the ID.
	Label string `json:"label,omitempty"`
	// Clause is the text this option contributes to an agreement.
	Clause string `json:"clause,omitempty"`
}

// Name returns the label, or the ID when there is none.
func (o Option) Name() string {
	if o.Label != "" {
		return o.Label
	}
	return o.ID
}

// Point is one issue under negotiation.
type Point struct {
	ID          string   `json:"id"`
	Title       string   `json:"title,omitempty"`
	Description string   `json:"description,omitempty"`
	Kind        Kind     `json:"kind"`
	Options     []Option `json:"options,omitempty"`
	// Min and Max bound an Integer or Real point (inclusive).
	Min float64 `json:"min,omitempty"`
	Max float64 `json:"max,omitempty"`
	// Steps is the number of levels of a Real point (0 means DefaultRealSteps).
	Steps int `json:"steps,omitempty"`
}

// Name returns the title, or the ID when there is none.
func (p *Point) Name() string {
	if p.Title != "" {
		return p.Title
	}
	return p.ID
}

// Levels returns how many values the point takes (its options, its integers,
// or its real steps).
func (p *Point) Levels() int {
	switch p.Kind {
	case Options:
		return len(p.Options)
	case Integer:
		return int(p.Max-p.Min) + 1
	case Real:
		if p.Steps == 0 {
			return DefaultRealSteps
		}
		return p.Steps
	}
	return 0
}

// Value returns the numeric value of a level of an Integer or Real point, and
// the level index itself for an Options point.
func (p *Point) Value(level int) float64 {
	switch p.Kind {
	case Integer:
		return p.Min + float64(level)
	case Real:
		n := p.Levels()
		if n <= 1 {
			return p.Min
		}
		if level == n-1 {
			return p.Max
		}
		return p.Min + float64(level)*(p.Max-p.Min)/float64(n-1)
	}
	return float64(level)
}

// LevelID returns the identifier of a level: the option ID, or the number.
func (p *Point) LevelID(level int) string {
	if level == Open {
		return "(open)"
	}
	switch p.Kind {
	case Options:
		if level >= 0 && level < len(p.Options) {
			return p.Options[level].ID
		}
		return "?"
	case Integer:
		return strconv.FormatInt(int64(p.Value(level)), 10)
	}
	return strconv.FormatFloat(p.Value(level), 'g', -1, 64)
}

// LevelName returns the human name of a level: the option label, or the number.
func (p *Point) LevelName(level int) string {
	if p.Kind == Options && level >= 0 && level < len(p.Options) {
		return p.Options[level].Name()
	}
	return p.LevelID(level)
}

// Level returns the level with the given ID (option ID or number), or -1.
func (p *Point) Level(id string) int {
	switch p.Kind {
	case Options:
		for i, o := range p.Options {
			if o.ID == id {
				return i
			}
		}
		return -1
	case Integer:
		v, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return -1
		}
		l := int(float64(v) - p.Min)
		if l < 0 || l >= p.Levels() {
			return -1
		}
		return l
	}
	v, err := strconv.ParseFloat(id, 64)
	if err != nil {
		return -1
	}
	return p.NearestLevel(v)
}

// NearestLevel returns the level of a numeric point closest to v, or -1 when v
// lies outside [Min, Max].
func (p *Point) NearestLevel(v float64) int {
	if p.Kind == Options || v < p.Min || v > p.Max || math.IsNaN(v) {
		return -1
	}
	n := p.Levels()
	if n <= 1 || p.Max == p.Min {
		return 0
	}
	l := int(math.Round((v - p.Min) / (p.Max - p.Min) * float64(n-1)))
	return min(max(l, 0), n-1)
}

// Framework is the set of points under negotiation (GENIUS calls it a domain).
type Framework struct {
	Name        string  `json:"name"`
	Description string  `json:"description,omitempty"`
	Points      []Point `json:"points"`
}

// Errors returned by Validate.
var (
	ErrNoPoints  = errors.New("framework: no points")
	ErrDuplicate = errors.New("framework: duplicate id")
	ErrBadRange  = errors.New("framework: bad range")
	ErrTooLarge  = errors.New("framework: too large")
)

// Validate checks ids are unique and non-empty, every options point has at
// least one option, numeric ranges are sound, and the framework is within
// MaxPoints, MaxLevels, MaxTotalLevels, MaxSpaceDigits and MaxMagnitude.
func (f *Framework) Validate() error {
	if len(f.Points) == 0 {
		return ErrNoPoints
	}
	if len(f.Points) > MaxPoints {
		return fmt.Errorf("%d points (at most %d): %w", len(f.Points), MaxPoints, ErrTooLarge)
	}
	seen := map[string]bool{}
	for i := range f.Points {
		p := &f.Points[i]
		if p.ID == "" {
			return fmt.Errorf("point %d: empty id", i+1)
		}
		if seen[p.ID] {
			return fmt.Errorf("point %q: %w", p.ID, ErrDuplicate)
		}
		seen[p.ID] = true
		switch p.Kind {
		case Options:
			if len(p.Options) == 0 {
				return fmt.Errorf("point %q: no options", p.ID)
			}
			ids := map[string]bool{}
			for j, o := range p.Options {
				if o.ID == "" {
					return fmt.Errorf("point %q: option %d: empty id", p.ID, j+1)
				}
				if ids[o.ID] {
					return fmt.Errorf("point %q: option %q: %w", p.ID, o.ID, ErrDuplicate)
				}
				ids[o.ID] = true
			}
			if len(p.Options) > MaxLevels {
				return fmt.Errorf("point %q: %d options (at most %d): %w", p.ID, len(p.Options), MaxLevels, ErrTooLarge)
			}
		case Integer:
			if p.Min != math.Trunc(p.Min) || p.Max != math.Trunc(p.Max) {
				return fmt.Errorf("point %q: integer bounds %v..%v: %w", p.ID, p.Min, p.Max, ErrBadRange)
			}
			if !(p.Max >= p.Min) || p.Max-p.Min+1 > MaxLevels {
				return fmt.Errorf("point %q: integer range %v..%v (at most %d values): %w", p.ID, p.Min, p.Max, MaxLevels, ErrBadRange)
			}
			if math.Abs(p.Min) > 1<<53 || math.Abs(p.Max) > 1<<53 {
				return fmt.Errorf("point %q: integer range %v..%v (bounds within ±2^53): %w", p.ID, p.Min, p.Max, ErrBadRange)
			}
		case Real:
			if !(p.Max >= p.Min) || math.Abs(p.Min) > MaxMagnitude || math.Abs(p.Max) > MaxMagnitude {
				return fmt.Errorf("point %q: real range %v..%v (bounds within ±1e100, min ≤ max): %w", p.ID, p.Min, p.Max, ErrBadRange)
			}
			if p.Steps < 0 || p.Steps == 1 || p.Steps > MaxLevels {
				return fmt.Errorf("point %q: steps %d (want 0 for the default, or 2..%d): %w", p.ID, p.Steps, MaxLevels, ErrBadRange)
			}
		default:
			return fmt.Errorf("point %q: unknown kind %d", p.ID, p.Kind)
		}
	}
	return f.CheckSize()
}

// CheckSize checks the bounds on the framework as a whole: at most
// MaxTotalLevels levels over all points and at most 10^MaxSpaceDigits
// complete packages. The points themselves must be valid.
func (f *Framework) CheckSize() error {
	total, digits := 0, 0.0
	for i := range f.Points {
		n := f.Points[i].Levels()
		total += n
		digits += math.Log10(float64(n))
	}
	if total > MaxTotalLevels {
		return fmt.Errorf("%d points with %d options and values in all (at most %d): %w", len(f.Points), total, MaxTotalLevels, ErrTooLarge)
	}
	if digits > MaxSpaceDigits {
		return fmt.Errorf("about 10^%.0f packages (at most 10^%d): %w", math.Floor(digits), MaxSpaceDigits, ErrTooLarge)
	}
	return nil
}

// PointIndex returns the index of the point with the given id, or -1.
func (f *Framework) PointIndex(id string) int {
	for i := range f.Points {
		if f.Points[i].ID == id {
			return i
		}
	}
	return -1
}

// Radix returns the number of levels of every point.
func (f *Framework) Radix() []int {
	r := make([]int, len(f.Points))
	for i := range f.Points {
		r[i] = f.Points[i].Levels()
	}
	return r
}

// Size returns the number of complete packages, exactly.
func (f *Framework) Size() *big.Int {
	n := big.NewInt(1)
	for i := range f.Points {
		n.Mul(n, big.NewInt(int64(f.Points[i].Levels())))
	}
	return n
}

// SizeInt returns the number of complete packages and whether it fits in an int64.
func (f *Framework) SizeInt() (int64, bool) {
	s := f.Size()
	if !s.IsInt64() {
		return 0, false
	}
	return s.Int64(), true
}

// Package picks one level per point; Open leaves a point open.
type Package []int

// Complete reports whether no point is open.
func (p Package) Complete() bool {
	for _, l := range p {
		if l == Open {
			return false
		}
	}
	return true
}

// Clone returns a copy.
func (p Package) Clone() Package { return append(Package(nil), p...) }

// Key returns the package as a map key ("0,2,1"): equal packages, equal
// keys.
func (p Package) Key() string {
	b := make([]byte, 0, 3*len(p))
	for i, l := range p {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(l), 10)
	}
	return string(b)
}

// NewPackage returns a package of n open points.
func NewPackage(n int) Package {
	p := make(Package, n)
	for i := range p {
		p[i] = Open
	}
	return p
}

// CheckPackage verifies a package has one in-range level (or Open) per point.
func (f *Framework) CheckPackage(p Package) error {
	if len(p) != len(f.Points) {
		return fmt.Errorf("package has %d points, framework %q has %d", len(p), f.Name, len(f.Points))
	}
	for i, l := range p {
		if l == Open {
			continue
		}
		if l < 0 || l >= f.Points[i].Levels() {
			return fmt.Errorf("point %q: level %d out of range 0..%d", f.Points[i].ID, l, f.Points[i].Levels()-1)
		}
	}
	return nil
}

// PackageByID builds a package from point id → level id (option id or
// number). Points not named stay open.
func (f *Framework) PackageByID(m map[string]string) (Package, error) {
	p := NewPackage(len(f.Points))
	for pid, lid := range m {
		i := f.PointIndex(pid)
		if i < 0 {
			return nil, fmt.Errorf("no point %q in framework %q", pid, f.Name)
		}
		l := f.Points[i].Level(lid)
		if l < 0 {
			return nil, fmt.Errorf("point %q has no option %q", pid, lid)
		}
		p[i] = l
	}
	return p, nil
}

// IDs returns point id → level id for the package (open points omitted).
func (f *Framework) IDs(p Package) map[string]string {
	m := make(map[string]string, len(p))
	for i, l := range p {
		if l != Open {
			m[f.Points[i].ID] = f.Points[i].LevelID(l)
		}
	}
	return m
}

// Index returns the mixed-radix index of a complete package, the first point
// being the most significant digit (the order GENIUS and itertools enumerate
// in). ok is false when the space does not fit in a uint64.
func Index(radix []int, p Package) (idx uint64, ok bool) {
	for i, l := range p {
		hi, lo := bits.Mul64(idx, uint64(radix[i]))
		if hi != 0 {
			return 0, false
		}
		idx = lo + uint64(l)
		if idx < lo {
			return 0, false
		}
	}
	return idx, true
}

// FromIndex fills p with the package of mixed-radix index idx.
func FromIndex(radix []int, idx uint64, p Package) {
	for i := len(radix) - 1; i >= 0; i-- {
		r := uint64(radix[i])
		p[i] = int(idx % r)
		idx /= r
	}
}

// MarshalText writes the kind's name, so that JSON says "options" rather
// than a number.
func (k Kind) MarshalText() ([]byte, error) {
	switch k {
	case Options, Integer, Real:
		return []byte(k.String()), nil
	}
	return nil, fmt.Errorf("framework: unknown point kind %d", int(k))
}

// UnmarshalText reads a kind's name.
func (k *Kind) UnmarshalText(b []byte) error {
	for _, c := range []Kind{Options, Integer, Real} {
		if string(b) == c.String() {
			*k = c
			return nil
		}
	}
	return fmt.Errorf("framework: point kind %q (want options, integer or real)", b)
}
