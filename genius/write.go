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
// a whole scenario is exported: asReal marks the integer points written as
// GENIUS real issues (with their levels in the steps attribute), because
// some profile has a function GENIUS integer issues cannot hold, or their
// bounds are not Java ints. A nil plan writes every point as its own kind.
type xmlPlan struct {
	asReal []bool
}

func (pl *xmlPlan) real(i int) bool { return pl != nil && pl.asReal[i] }

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
		if pl.real(i) {
			kind = framework.Real
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
			if pt.Kind == framework.Integer || pt.Steps != 0 {
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
// WriteDomain writes for f, such that GENIUS and ReadProfile compute the same
// utilities:
//
//   - ScaleMax scores are written as evaluations, weights as they are;
//   - ScaleAbsolute scores s of a point whose largest score is m > 0 are
//     written as s/m with weight w·m (equal utilities up to rounding);
//   - integer points need a linear function (or a constant in [0,1]); real
//     points a linear, constant, or triangular function with top value 1;
//   - the discount factor is written as the effective one (1 when none);
//   - the reservation is the effective one (the larger of the reservation
//     value and the utility of the fallback), omitted when neither is given.
//
// A triangular function whose top value t is not 1 is written with top
// value 1 and the weight multiplied by t (GENIUS files cannot hold another
// top value); a constant above 1 of an integer point as 1 with the weight
// multiplied by it. Utilities are equal up to rounding.
//
// GENIUS has no red lines, uncertainty intervals or fallback packages: those
// are not written (a comment before the root element says so).
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
		switch pt.Kind {
		case framework.Options:
			scores := p.Scores[i]
			if p.Scale == profile.ScaleAbsolute {
				m := maxOf(scores)
				s := make([]float64, len(scores))
				if m > 0 {
					for j, v := range scores {
						s[j] = v / m
					}
					weights[i] *= m
				}
				scores = s
			}
			x.tag("issue", false, attrs...)
			for j, o := range pt.Options {
				x.tag("item", false, "index", strconv.Itoa(j+1), "value", o.ID, "evaluation", fmtNum(scores[j]))
				x.end("item")
			}
			x.end("issue")
		case framework.Integer:
			if pl.real(i) {
				if err := realIssue(x, pt, attrs, p.Funcs[i], &weights[i]); err != nil {
					return fmt.Errorf("genius: write profile: point %q: %w", pt.ID, err)
				}
				continue
			}
			lb, slope, offset, scale, err := integerFunc(pt, p.Funcs[i])
			if err != nil {
				return fmt.Errorf("genius: write profile: point %q: %w", pt.ID, err)
			}
			// GENIUS reads the profile's upperbound but evaluates with the
			// lowerbound only; keep it a Java int.
			lo, err1 := javaInt(lb)
			hi, err2 := javaInt(math.Min(lb+(pt.Max-pt.Min), math.MaxInt32))
			if err := firstErr(err1, err2); err != nil {
				return fmt.Errorf("genius: write profile: point %q: %w", pt.ID, err)
			}
			weights[i] *= scale
			x.tag("issue", false, append(attrs, "lowerbound", lo, "upperbound", hi)...)
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

// integerFunc returns GENIUS's EvaluatorInteger parameters (its lowerbound,
// slope, offset) for a value function of an integer point, and the factor
// the point's weight is multiplied by (a constant above 1).
func integerFunc(pt *framework.Point, fn *profile.ValueFunc) (lb, slope, offset, scale float64, err error) {
	switch fn.Kind {
	case profile.Linear:
		if fn.Origin == math.Trunc(fn.Origin) && fn.Origin >= math.MinInt32 && fn.Origin <= math.MaxInt32 {
			return fn.Origin, fn.Slope, fn.Offset, 1, nil
		}
		// Move the origin to the lower bound (equal up to rounding).
		return pt.Min, fn.Slope, fn.Offset + fn.Slope*(pt.Min-fn.Origin), 1, nil
	case profile.Constant:
		if fn.Value > 1 {
			// GENIUS clamps the integer evaluator to [0,1]: 1, weighted.
			return pt.Min, 0, 1, fn.Value, nil
		}
		return pt.Min, 0, fn.Value, 1, nil
	}
	return 0, 0, 0, 0, fmt.Errorf("a %v function is not representable for a GENIUS integer issue (linear only)", fn.Kind)
}

// integerFits reports whether WriteProfile can write fn for integer point
// pt as a GENIUS integer issue.
func integerFits(pt *framework.Point, fn *profile.ValueFunc) bool {
	_, _, _, _, err := integerFunc(pt, fn)
	if err != nil {
		return false
	}
	_, err1 := javaInt(pt.Min)
	_, err2 := javaInt(pt.Max)
	return err1 == nil && err2 == nil
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
		return []string{"ftype", "constant", "parameter0", fmtNum(fn.Value)}, 1, nil
	case profile.Triangular:
		if fn.TopValue == 0 {
			return []string{"ftype", "constant", "parameter0", "0"}, 1, nil
		}
		return []string{"ftype", "triangular", "parameter0", fmtNum(fn.Low), "parameter1", fmtNum(fn.High), "parameter2", fmtNum(fn.Top)}, fn.TopValue, nil
	}
	return nil, 0, fmt.Errorf("%v function is not representable in GENIUS", fn.Kind)
}
