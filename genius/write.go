package genius

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// fmtNum formats a float so that Go and Java read back the same double.
func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// xmlChar reports whether r may appear in an XML 1.0 document.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// escAttr escapes an attribute value. GENIUS's SimpleDOMParser ends a tag at
// the first '>' and an attribute at the next double quote and decodes no
// entities, so '>' and '"' are escaped (GENIUS then shows the entity text,
// consistently in domain and profile) and "'" is written as is.
func escAttr(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%q is not valid UTF-8", s)
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\n':
			b.WriteString("&#xA;")
		case '\r':
			b.WriteString("&#xD;")
		case '\t':
			b.WriteString("&#x9;")
		default:
			if !xmlChar(r) {
				return "", fmt.Errorf("%q contains character %U, which XML cannot hold", s, r)
			}
			b.WriteRune(r)
		}
	}
	return b.String(), nil
}

// xw writes XML, remembering the first error.
type xw struct {
	w   *bufio.Writer
	err error
}

func (x *xw) raw(s string) {
	if x.err == nil {
		_, x.err = x.w.WriteString(s)
	}
}

// tag writes <name a1="v1" ...> (or <name .../> when closed); attrs are
// name/value pairs, values escaped here.
func (x *xw) tag(name string, closed bool, attrs ...string) {
	var b strings.Builder
	b.WriteString("<" + name)
	for i := 0; i+1 < len(attrs); i += 2 {
		v, err := escAttr(attrs[i+1])
		if err != nil && x.err == nil {
			x.err = fmt.Errorf("%s %s: %w", name, attrs[i], err)
		}
		b.WriteString(" " + attrs[i] + `="` + v + `"`)
	}
	if closed {
		b.WriteString("/>\n")
	} else {
		b.WriteString(">\n")
	}
	x.raw(b.String())
}

func (x *xw) end(name string) { x.raw("</" + name + ">\n") }

func (x *xw) flush() error {
	if x.err != nil {
		return x.err
	}
	return x.w.Flush()
}

func objectiveName(f *framework.Framework) string {
	if f.Name == "" {
		return "root"
	}
	return f.Name
}

// genius needs integer bounds that are Java ints.
func javaInt(v float64) (string, error) {
	if v != math.Trunc(v) || v < math.MinInt32 || v > math.MaxInt32 {
		return "", fmt.Errorf("%v is not a 32-bit integer, as GENIUS needs", v)
	}
	return strconv.FormatInt(int64(v), 10), nil
}

var kindType = map[framework.Kind]string{framework.Options: "discrete", framework.Integer: "integer", framework.Real: "real"}

// xmlPlan says how the points of a framework are written to GENIUS when
// a whole scenario is exported: values[i], when not nil, holds the values
// of numeric point i written as a discrete issue (one item per level, its
// number as the value), because some profile has a function that GENIUS
// and NegMAS would not evaluate alike as a numeric issue (see xmlFits), or
// its bounds are not Java ints. A nil plan writes every point as its own
// kind.
type xmlPlan struct {
	values [][]string
}

func (pl *xmlPlan) discrete(i int) []string {
	if pl == nil {
		return nil
	}
	return pl.values[i]
}

// fitEps is how far outside [0,1] a linear function may go at the ends of
// a range and still count as unclamped (rounding).
const fitEps = 1e-12

// xmlFits reports why fn cannot be written for numeric point pt as a GENIUS
// numeric issue that GENIUS and NegMAS evaluate as Parley does (nil when it
// can). NegMAS evaluates a linear function without clamping it to [0,1]
// and cannot read ftype constant (written as a flat linear function);
// GENIUS clamps. So a linear function must stay within [0,1] on the range,
// and a triangular one must rise before its top (NegMAS gives 0 at the
// start even when the top is there).
func xmlFits(pt *framework.Point, fn *profile.ValueFunc) error {
	switch fn.Kind {
	case profile.Linear:
		if !shiftKeeps(pt, fn, fn.Offset-fn.Slope*fn.Origin) {
			return fmt.Errorf("linear function is too steep far from 0 to be written with its origin at 0, as NegMAS evaluates it")
		}
		a := fn.Offset + fn.Slope*(pt.Min-fn.Origin)
		b := fn.Offset + fn.Slope*(pt.Max-fn.Origin)
		if a < -fitEps || a > 1+fitEps || b < -fitEps || b > 1+fitEps {
			return fmt.Errorf("linear function leaves [0,1] inside the range %s..%s, where GENIUS clamps it and NegMAS does not", fmtNum(pt.Min), fmtNum(pt.Max))
		}
		return nil
	case profile.Constant:
		return nil
	case profile.Triangular:
		if pt.Kind == framework.Integer {
			return fmt.Errorf("triangular function cannot be held by a GENIUS integer issue (linear only)")
		}
		if fn.TopValue != 0 && !(fn.Top > fn.Low) && fn.Low >= pt.Min && fn.Low <= pt.Max {
			return fmt.Errorf("triangular function peaks at its start, where NegMAS gives 0")
		}
		return nil
	}
	return fmt.Errorf("%v function is not representable in GENIUS", fn.Kind)
}

// WriteDomain writes f as a GENIUS domain (<negotiation_template>). Issues
// get indices 1..n in framework order; an option's id is the item value and
// its clause the item description. GENIUS has no place for option labels or
// point titles: they are not written. The number of levels of a real point
// with Steps set is written as the <range> attribute steps, which GENIUS
// ignores (it treats real issues as continuous) and ReadDomain reads back.
func WriteDomain(w io.Writer, f *framework.Framework) error {
	return writeDomain(w, f, nil)
}

func writeDomain(w io.Writer, f *framework.Framework, pl *xmlPlan) error {
	if err := f.Validate(); err != nil {
		return fmt.Errorf("genius: write domain: %w", err)
	}
	x := &xw{w: bufio.NewWriter(w)}
	x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	x.tag("negotiation_template", false)
	x.tag("utility_space", false, "number_of_issues", strconv.Itoa(len(f.Points)))
	x.tag("objective", false, "index", "0", "etype", "objective", "type", "objective", "description", f.Description, "name", objectiveName(f))
	for i := range f.Points {
		pt := &f.Points[i]
		kind := pt.Kind
		vals := pl.discrete(i)
		if vals != nil {
			kind = framework.Options
		}
		t := kindType[kind]
		attrs := []string{"index", strconv.Itoa(i + 1), "etype", t, "type", t, "vtype", t, "name", pt.ID}
		if pt.Description != "" {
			attrs = append(attrs, "description", pt.Description)
		}
		if kind == framework.Integer {
			lo, err1 := javaInt(pt.Min)
			hi, err2 := javaInt(pt.Max)
			if err := firstErr(err1, err2); err != nil {
				return fmt.Errorf("genius: write domain: point %q: %w", pt.ID, err)
			}
			attrs = append(attrs, "lowerbound", lo, "upperbound", hi)
		}
		x.tag("issue", false, attrs...)
		switch kind {
		case framework.Options:
			if vals != nil {
				for j, v := range vals {
					x.tag("item", false, "index", strconv.Itoa(j+1), "value", v)
					x.end("item")
				}
				break
			}
			for j, o := range pt.Options {
				a := []string{"index", strconv.Itoa(j + 1), "value", o.ID}
				if o.Clause != "" {
					a = append(a, "description", o.Clause)
				}
				x.tag("item", false, a...)
				x.end("item")
			}
		case framework.Real:
			a := []string{"lowerbound", fmtNum(pt.Min), "upperbound", fmtNum(pt.Max)}
			if pt.Steps != 0 {
				a = append(a, "steps", strconv.Itoa(pt.Levels()))
			}
			x.tag("range", false, a...)
			x.end("range")
		}
		x.end("issue")
	}
	x.end("objective")
	x.end("utility_space")
	x.end("negotiation_template")
	if err := x.flush(); err != nil {
		return fmt.Errorf("genius: write domain: %w", err)
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// WriteProfile writes p as a GENIUS profile (<utility_space>) for the domain
// WriteDomain writes for f, such that GENIUS, NegMAS and ReadProfile compute
// the same utilities (NegMAS reads GENIUS files with other semantics; see
// docs/genius.md):
//
//   - options points: the evaluations (scores divided by their maximum
//     under ScaleMax, the scores under ScaleAbsolute) are written divided
//     by their maximum m, with the weight multiplied by m, so that the
//     largest evaluation of every issue is 1 and GENIUS's division by it
//     (which NegMAS does not do) changes nothing;
//   - integer points: a linear function (or a constant) written with the
//     profile's lowerbound attribute 0, the function's origin, and the
//     point's bounds in a <range> child: GENIUS evaluates slope·(x −
//     lowerbound) + offset, NegMAS slope·x + offset (reading the bounds
//     from <range>), the same when lowerbound is 0;
//   - real points: a linear function as ftype linear, a constant as a flat
//     linear function (NegMAS cannot read ftype constant), a triangular
//     one as ftype triangular with top value 1;
//   - the discount factor is written as the effective one (1 when none);
//   - the reservation is the effective one (the larger of the reservation
//     value and the utility of the fallback), omitted when neither is given.
//
// A triangular function whose top value t is not 1 is written with top
// value 1 and the weight multiplied by t (GENIUS files cannot hold another
// top value); a constant c above 1 as 1 with the weight multiplied by c.
// Utilities are equal up to rounding. A linear function that leaves [0,1]
// inside the range is written, but NegMAS does not clamp it as GENIUS does;
// ExportScenario writes such points as item tables instead.
//
// GENIUS has no red lines, uncertainty intervals or fallback packages: those
// are not written (a comment before the root element says so).
//
// A profile with interactions is written as a GENIUS non-linear
// (hyper-rectangle) utility space when its additive part is zero and its
// interactions bound integer points only (see writeNonLinearProfile);
// otherwise WriteProfile fails with ErrNonLinear saying why.
func WriteProfile(w io.Writer, f *framework.Framework, p *profile.Profile) error {
	return writeProfile(w, f, p, nil)
}

func writeProfile(w io.Writer, f *framework.Framework, p *profile.Profile, pl *xmlPlan) error {
	if err := f.Validate(); err != nil {
		return fmt.Errorf("genius: write profile: %w", err)
	}
	if err := p.Check(f); err != nil {
		return fmt.Errorf("genius: write profile: %w", err)
	}
	if len(p.Interactions) > 0 {
		return writeNonLinearProfile(w, f, p, pl)
	}
	// The effective reservation: the larger of the value and the fallback's utility.
	hasRes, res := p.Reservation != nil, 0.0
	if hasRes {
		res = *p.Reservation
	}
	if p.Fallback != nil {
		t, err := p.Compile(f)
		if err != nil {
			return fmt.Errorf("genius: write profile: %w", err)
		}
		hasRes, res = t.HasReservation, t.Reservation
	}
	x := &xw{w: bufio.NewWriter(w)}
	x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	var dropped []string
	if len(p.RedLines) > 0 {
		dropped = append(dropped, "red lines")
	}
	if p.Uncertainty != nil {
		dropped = append(dropped, "uncertainty intervals")
	}
	if p.Fallback != nil {
		dropped = append(dropped, "the fallback package (its utility enters the reservation value)")
	}
	if len(dropped) > 0 {
		// Before the root, where GENIUS's parser skips it; no '<', '>' or "--".
		x.raw("<!-- Exported by Parley. Not representable in GENIUS and left out: " + strings.Join(dropped, ", ") + ". -->\n")
	}
	x.tag("utility_space", false)
	x.tag("objective", false, "index", "0", "etype", "objective", "type", "objective", "description", f.Description, "name", objectiveName(f))
	weights := append([]float64(nil), p.Weights...)
	for i := range f.Points {
		pt := &f.Points[i]
		typ := kindType[pt.Kind]
		attrs := []string{"index", strconv.Itoa(i + 1), "etype", typ, "type", typ, "vtype", typ, "name", pt.ID}
		if vals := pl.discrete(i); vals != nil || pt.Kind == framework.Options {
			var evals []float64
			if vals != nil {
				evals = make([]float64, len(vals))
				for l := range evals {
					evals[l] = p.Funcs[i].Eval(pt.Value(l))
				}
			} else {
				evals = optionEvals(p, i)
				vals = make([]string, len(pt.Options))
				for l, o := range pt.Options {
					vals[l] = o.ID
				}
			}
			// Pre-divided by the maximum: GENIUS's division by it is then
			// a division by 1, and NegMAS, which does not divide, agrees.
			if m := maxOf(evals); m > 0 && m != 1 {
				for l := range evals {
					evals[l] /= m
				}
				weights[i] *= m
			}
			t := kindType[framework.Options]
			x.tag("issue", false, "index", strconv.Itoa(i+1), "etype", t, "type", t, "vtype", t, "name", pt.ID)
			for l, v := range vals {
				x.tag("item", false, "index", strconv.Itoa(l+1), "value", v, "evaluation", fmtNum(evals[l]))
				x.end("item")
			}
			x.end("issue")
			continue
		}
		switch pt.Kind {
		case framework.Integer:
			lb, slope, offset, scale, err := integerFunc(pt, p.Funcs[i])
			if err != nil {
				return fmt.Errorf("genius: write profile: point %q: %w", pt.ID, err)
			}
			lo, err1 := javaInt(pt.Min)
			hi, err2 := javaInt(pt.Max)
			origin, err3 := javaInt(lb)
			if err := firstErr(err1, err2, err3); err != nil {
				return fmt.Errorf("genius: write profile: point %q: %w", pt.ID, err)
			}
			weights[i] *= scale
			// lowerbound: GENIUS's origin of the function, 0 as NegMAS
			// (reading the bounds from <range>) assumes.
			x.tag("issue", false, append(attrs, "lowerbound", origin, "upperbound", hi)...)
			x.tag("range", false, "lowerbound", lo, "upperbound", hi)
			x.end("range")
			x.tag("evaluator", false, "ftype", "linear", "slope", fmtNum(slope), "offset", fmtNum(offset))
			x.end("evaluator")
			x.end("issue")
		case framework.Real:
			if err := realIssue(x, pt, attrs, p.Funcs[i], &weights[i]); err != nil {
				return fmt.Errorf("genius: write profile: point %q: %w", pt.ID, err)
			}
		}
	}
	for i, wt := range weights {
		if !(wt <= profile.MaxWeight) {
			return fmt.Errorf("genius: write profile: point %q: weight %v once scaled is above %g", f.Points[i].ID, wt, float64(profile.MaxWeight))
		}
	}
	for i, wt := range weights {
		x.tag("weight", false, "index", strconv.Itoa(i+1), "value", fmtNum(wt))
		x.end("weight")
	}
	x.end("objective")
	x.tag("discount_factor", false, "value", fmtNum(p.DiscountFactor()))
	x.end("discount_factor")
	if hasRes {
		x.tag("reservation", false, "value", fmtNum(res))
		x.end("reservation")
	}
	x.end("utility_space")
	if err := x.flush(); err != nil {
		return fmt.Errorf("genius: write profile: %w", err)
	}
	return nil
}

// integerFunc returns GENIUS's EvaluatorInteger parameters (its
// lowerbound, the function's origin, slope and offset) for a value function
// of an integer point, and the factor the point's weight is multiplied by
// (a constant above 1). The origin is 0, which GENIUS and NegMAS evaluate
// alike, unless moving it there would lose precision (a steep function far
// from 0): then the function's own origin (or the lower bound) is kept,
// which GENIUS reads exactly and NegMAS does not.
func integerFunc(pt *framework.Point, fn *profile.ValueFunc) (lb, slope, offset, scale float64, err error) {
	switch fn.Kind {
	case profile.Linear:
		off0 := fn.Offset - fn.Slope*fn.Origin
		if shiftKeeps(pt, fn, off0) {
			return 0, fn.Slope, off0, 1, nil
		}
		if fn.Origin == math.Trunc(fn.Origin) && fn.Origin >= math.MinInt32 && fn.Origin <= math.MaxInt32 {
			return fn.Origin, fn.Slope, fn.Offset, 1, nil
		}
		return pt.Min, fn.Slope, fn.Offset + fn.Slope*(pt.Min-fn.Origin), 1, nil
	case profile.Constant:
		if fn.Value > 1 {
			// GENIUS clamps the integer evaluator to [0,1]: 1, weighted.
			return 0, 0, 1, fn.Value, nil
		}
		return 0, 0, fn.Value, 1, nil
	}
	return 0, 0, 0, 0, fmt.Errorf("a %v function is not representable for a GENIUS integer issue (linear only)", fn.Kind)
}

// shiftKeeps reports whether slope·x + off0 gives fn's values at both ends
// of the point's range within 1e-12 (relative to 1 or the value).
func shiftKeeps(pt *framework.Point, fn *profile.ValueFunc, off0 float64) bool {
	for _, x := range []float64{pt.Min, pt.Max} {
		want := fn.Offset + fn.Slope*(x-fn.Origin)
		got := fn.Slope*x + off0
		if !(math.Abs(got-want) <= 1e-12*math.Max(1, math.Abs(want))) {
			return false
		}
	}
	return true
}

// realIssue writes the <issue> of a real point (or of an integer point
// written as a real issue) with its range and evaluator.
func realIssue(x *xw, pt *framework.Point, attrs []string, fn *profile.ValueFunc, weight *float64) error {
	ev, scale, err := realFunc(fn)
	if err != nil {
		return err
	}
	*weight *= scale
	t := kindType[framework.Real]
	attrs = append([]string(nil), attrs...)
	for k := 0; k+1 < len(attrs); k += 2 {
		switch attrs[k] {
		case "etype", "type", "vtype":
			attrs[k+1] = t
		}
	}
	x.tag("issue", false, attrs...)
	x.tag("range", false, "lowerbound", fmtNum(pt.Min), "upperbound", fmtNum(pt.Max))
	x.end("range")
	x.tag("evaluator", false, ev...)
	x.end("evaluator")
	x.end("issue")
	return nil
}

// realFunc returns the <evaluator> attributes of a real point's function,
// and the factor the point's weight is multiplied by (the top value of a
// triangular function, which GENIUS files hold only as 1).
func realFunc(fn *profile.ValueFunc) ([]string, float64, error) {
	switch fn.Kind {
	case profile.Linear:
		// GENIUS: clamp01(parameter1·x + parameter0), no origin.
		p0 := fn.Offset
		if fn.Origin != 0 {
			p0 = fn.Offset - fn.Slope*fn.Origin
		}
		return []string{"ftype", "linear", "parameter0", fmtNum(p0), "parameter1", fmtNum(fn.Slope)}, 1, nil
	case profile.Constant:
		// A flat linear function: NegMAS cannot read ftype constant, and
		// GENIUS clamps to [0,1], so a constant above 1 is 1, weighted.
		if fn.Value > 1 {
			return []string{"ftype", "linear", "parameter0", "1", "parameter1", "0"}, fn.Value, nil
		}
		return []string{"ftype", "linear", "parameter0", fmtNum(fn.Value), "parameter1", "0"}, 1, nil
	case profile.Triangular:
		if fn.TopValue == 0 {
			return []string{"ftype", "linear", "parameter0", "0", "parameter1", "0"}, 1, nil
		}
		return []string{"ftype", "triangular", "parameter0", fmtNum(fn.Low), "parameter1", fmtNum(fn.High), "parameter2", fmtNum(fn.Top)}, fn.TopValue, nil
	}
	return nil, 0, fmt.Errorf("%v function is not representable in GENIUS", fn.Kind)
}
