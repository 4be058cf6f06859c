package genius

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// ReadGeniusWebDomain reads a GeniusWeb domain,
//
//	{"name": ..., "issuesValues": {issue: {"values": [...]} | {"range": {"low", "high", "step"}}}}
//
// Points and options keep the order of the file. A discrete value becomes an
// option (id and label = the value); a number range becomes an Integer point
// when low and step are integers and step is 1, otherwise a Real point with
// one level per value of the range.
func ReadGeniusWebDomain(r io.Reader) (*framework.Framework, error) {
	const name = "GeniusWeb domain"
	n, err := parseJSON(r, name)
	if err != nil {
		return nil, err
	}
	return webDomain(n, name)
}

func webDomain(n *jnode, name string) (*framework.Framework, error) {
	if n.kind != jObj {
		return nil, fmt.Errorf("%s:%d: expected an object, found %v", name, n.line, n.kind)
	}
	f := &framework.Framework{}
	if nm := n.get("name"); nm != nil {
		if nm.kind != jStr {
			return nil, fmt.Errorf("%s:%d: name is %v, expected a string", name, nm.line, nm.kind)
		}
		f.Name = nm.str
	}
	iv := n.get("issuesValues")
	if iv == nil || iv.kind != jObj {
		return nil, fmt.Errorf("%s:%d: no issuesValues object", name, n.line)
	}
	for k, issue := range iv.keys {
		v := iv.vals[k]
		pt := framework.Point{ID: issue}
		if issue == "" {
			return nil, fmt.Errorf("%s:%d: issue with an empty name", name, v.line)
		}
		switch {
		case v.get("values") != nil:
			vals := v.get("values")
			if vals.kind != jArr {
				return nil, fmt.Errorf("%s:%d: issue %q: values is %v, expected an array", name, vals.line, issue, vals.kind)
			}
			pt.Kind = framework.Options
			seen := map[string]bool{}
			for _, x := range vals.arr {
				if x.kind != jStr {
					return nil, fmt.Errorf("%s:%d: issue %q: value is %v, expected a string", name, x.line, issue, x.kind)
				}
				if x.str == "" {
					return nil, fmt.Errorf("%s:%d: issue %q: empty value", name, x.line, issue)
				}
				if seen[x.str] {
					return nil, fmt.Errorf("%s:%d: issue %q: duplicate value %q", name, x.line, issue, x.str)
				}
				seen[x.str] = true
				pt.Options = append(pt.Options, framework.Option{ID: x.str, Label: x.str})
			}
			if len(pt.Options) == 0 {
				return nil, fmt.Errorf("%s:%d: issue %q has no values", name, vals.line, issue)
			}
		case v.get("range") != nil:
			if err := webRange(&pt, v.get("range"), name); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("%s:%d: issue %q has neither values nor range", name, v.line, issue)
		}
		f.Points = append(f.Points, pt)
	}
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return f, nil
}

func numMember(n *jnode, key, name string) (float64, error) {
	m := n.get(key)
	if m == nil || m.kind != jNum {
		return 0, fmt.Errorf("%s:%d: %s is missing or not a number", name, n.line, key)
	}
	v, err := m.float()
	if err != nil {
		return 0, fmt.Errorf("%s:%d: %s: %v", name, m.line, key, err)
	}
	return v, nil
}

// webRange fills a numeric point from a GeniusWeb range {low, high, step},
// whose values are low, low+step, ... up to high.
func webRange(pt *framework.Point, rg *jnode, name string) error {
	lo, err := numMember(rg, "low", name)
	if err != nil {
		return err
	}
	hi, err := numMember(rg, "high", name)
	if err != nil {
		return err
	}
	step, err := numMember(rg, "step", name)
	if err != nil {
		return err
	}
	if !(step > 0) || !(hi >= lo) {
		return fmt.Errorf("%s:%d: issue %q: range low %v high %v step %v: want step > 0 and high ≥ low", name, rg.line, pt.ID, lo, hi, step)
	}
	q := (hi - lo) / step
	if q+1 > framework.MaxLevels {
		return fmt.Errorf("%s:%d: issue %q: range has more than %d values: %w", name, rg.line, pt.ID, framework.MaxLevels, framework.ErrBadRange)
	}
	n := int(math.Floor(q+1e-9)) + 1
	top := lo + float64(n-1)*step
	if math.Abs(top-hi) <= 1e-9*math.Max(1, math.Abs(hi)) {
		top = hi
	}
	if step == 1 && lo == math.Trunc(lo) && math.Abs(lo) < 1<<53 {
		pt.Kind, pt.Min, pt.Max = framework.Integer, lo, lo+float64(n-1)
		return nil
	}
	if n < 2 {
		return fmt.Errorf("%s:%d: issue %q: a non-integer range with a single value is %w", name, rg.line, pt.ID, ErrUnsupported)
	}
	pt.Kind, pt.Min, pt.Max, pt.Steps = framework.Real, lo, top, n
	return nil
}

// ReadGeniusWebProfile reads a GeniusWeb LinearAdditiveUtilitySpace:
//
//	{"LinearAdditiveUtilitySpace": {"name", "domain", "issueUtilities": {issue:
//	  {"discreteutils": {"valueUtilities": {value: u}}} |
//	  {"numberutils": {"lowValue", "lowUtility", "highValue", "highUtility"}}},
//	 "issueWeights": {issue: w}, "reservationBid": {"issuevalues": {issue: value}}}}
//
// Value utilities are used as given (profile.ScaleAbsolute); numberutils
// become a linear function through (lowValue, lowUtility) and (highValue,
// highUtility); the reservationBid becomes the profile's Fallback. When f is
// nil the framework is built from the embedded "domain" and returned;
// otherwise f is returned and the embedded domain, if any, must match it.
// The returned string is the profile's name.
func ReadGeniusWebProfile(r io.Reader, f *framework.Framework) (*profile.Profile, *framework.Framework, string, error) {
	const name = "GeniusWeb profile"
	n, err := parseJSON(r, name)
	if err != nil {
		return nil, nil, "", err
	}
	if n.kind != jObj || len(n.keys) != 1 {
		return nil, nil, "", fmt.Errorf("%s:%d: expected {\"LinearAdditiveUtilitySpace\": {...}}", name, n.line)
	}
	if n.keys[0] != "LinearAdditiveUtilitySpace" {
		return nil, nil, "", fmt.Errorf("%s:%d: profile type %q: %w (only LinearAdditiveUtilitySpace)", name, n.line, n.keys[0], ErrUnsupported)
	}
	las := n.vals[0]
	if las.kind != jObj {
		return nil, nil, "", fmt.Errorf("%s:%d: LinearAdditiveUtilitySpace is %v, expected an object", name, las.line, las.kind)
	}
	pname := ""
	if nm := las.get("name"); nm != nil {
		if nm.kind != jStr {
			return nil, nil, "", fmt.Errorf("%s:%d: name is %v, expected a string", name, nm.line, nm.kind)
		}
		pname = nm.str
	}
	if dn := las.get("domain"); dn != nil && dn.kind != jNull {
		df, err := webDomain(dn, name+" domain")
		if err != nil {
			return nil, nil, "", err
		}
		if f == nil {
			f = df
		} else if err := sameIssues(f, df); err != nil {
			return nil, nil, "", fmt.Errorf("%s:%d: embedded domain does not match the framework: %w", name, dn.line, err)
		}
	}
	if f == nil {
		return nil, nil, "", fmt.Errorf("%s:%d: no framework given and no embedded domain", name, las.line)
	}
	p, err := webProfile(las, f, name)
	if err != nil {
		return nil, nil, "", err
	}
	return p, f, pname, nil
}

// sameIssues checks two frameworks have the same points and values.
func sameIssues(f, g *framework.Framework) error {
	if len(f.Points) != len(g.Points) {
		return fmt.Errorf("%d issues, framework has %d", len(g.Points), len(f.Points))
	}
	fidx := pointIndex(f)
	for i := range g.Points {
		gp := &g.Points[i]
		fi, ok := fidx[gp.ID]
		if !ok {
			return fmt.Errorf("issue %q not in framework %q", gp.ID, f.Name)
		}
		fp := &f.Points[fi]
		if fp.Kind != gp.Kind || fp.Levels() != gp.Levels() {
			return fmt.Errorf("issue %q differs (%v with %d values, framework: %v with %d)", gp.ID, gp.Kind, gp.Levels(), fp.Kind, fp.Levels())
		}
		if gp.Kind == framework.Options {
			opts := optionIndex(fp)
			for _, o := range gp.Options {
				if _, ok := opts[o.ID]; !ok {
					return fmt.Errorf("issue %q: value %q not in the framework", gp.ID, o.ID)
				}
			}
		} else if fp.Min != gp.Min || fp.Max != gp.Max {
			return fmt.Errorf("issue %q: range %v..%v, framework %v..%v", gp.ID, gp.Min, gp.Max, fp.Min, fp.Max)
		}
	}
	return nil
}

func inUnit(v float64) bool { return v >= 0 && v <= 1 }

func webProfile(las *jnode, f *framework.Framework, name string) (*profile.Profile, error) {
	n := len(f.Points)
	p := &profile.Profile{
		Weights:  make([]float64, n),
		Scores:   make([][]float64, n),
		Scale:    profile.ScaleAbsolute,
		Discount: 1,
	}
	iu := las.get("issueUtilities")
	if iu == nil || iu.kind != jObj {
		return nil, fmt.Errorf("%s:%d: no issueUtilities object", name, las.line)
	}
	iw := las.get("issueWeights")
	if iw == nil || iw.kind != jObj {
		return nil, fmt.Errorf("%s:%d: no issueWeights object", name, las.line)
	}
	pidx := pointIndex(f)
	for _, obj := range []*jnode{iu, iw} {
		for k, key := range obj.keys {
			if _, ok := pidx[key]; !ok {
				return nil, fmt.Errorf("%s:%d: issue %q is not in the domain", name, obj.vals[k].line, key)
			}
		}
	}
	for i := range f.Points {
		pt := &f.Points[i]
		w := iw.get(pt.ID)
		if w == nil || w.kind != jNum {
			return nil, fmt.Errorf("%s:%d: issue %q has no numeric weight", name, iw.line, pt.ID)
		}
		wv, err := w.float()
		if err != nil {
			return nil, fmt.Errorf("%s:%d: weight of %q: %v", name, w.line, pt.ID, err)
		}
		p.Weights[i] = wv
		u := iu.get(pt.ID)
		if u == nil || u.kind != jObj {
			return nil, fmt.Errorf("%s:%d: issue %q has no utilities", name, iu.line, pt.ID)
		}
		if du := u.get("discreteutils"); du != nil {
			if pt.Kind != framework.Options {
				return nil, fmt.Errorf("%s:%d: issue %q: discreteutils for a number issue", name, du.line, pt.ID)
			}
			vu := du.get("valueUtilities")
			if vu == nil || vu.kind != jObj {
				return nil, fmt.Errorf("%s:%d: issue %q: no valueUtilities object", name, du.line, pt.ID)
			}
			s := make([]float64, len(pt.Options))
			opts := optionIndex(pt)
			for k, key := range vu.keys {
				l, ok := opts[key]
				if !ok {
					return nil, fmt.Errorf("%s:%d: issue %q: value %q is not in the domain", name, vu.vals[k].line, pt.ID, key)
				}
				x := vu.vals[k]
				if x.kind != jNum {
					return nil, fmt.Errorf("%s:%d: issue %q value %q: utility is %v, expected a number", name, x.line, pt.ID, key, x.kind)
				}
				v, err := x.float()
				if err != nil || !inUnit(v) {
					return nil, fmt.Errorf("%s:%d: issue %q value %q: utility %s must be in [0,1]", name, x.line, pt.ID, key, x.num)
				}
				s[l] = v
			}
			if len(vu.keys) != len(pt.Options) {
				for _, o := range pt.Options {
					if vu.get(o.ID) == nil {
						return nil, fmt.Errorf("%s:%d: issue %q: value %q has no utility (GeniusWeb requires one per value)", name, vu.line, pt.ID, o.ID)
					}
				}
			}
			p.Scores[i] = s
			continue
		}
		nu := u.get("numberutils")
		if nu == nil {
			return nil, fmt.Errorf("%s:%d: issue %q: expected discreteutils or numberutils", name, u.line, pt.ID)
		}
		if pt.Kind == framework.Options {
			return nil, fmt.Errorf("%s:%d: issue %q: numberutils for a discrete issue", name, nu.line, pt.ID)
		}
		var vals [4]float64
		for k, key := range []string{"lowValue", "lowUtility", "highValue", "highUtility"} {
			if vals[k], err = numMember(nu, key, name); err != nil {
				return nil, err
			}
		}
		lv, lu, hv, hu := vals[0], vals[1], vals[2], vals[3]
		if !inUnit(lu) || !inUnit(hu) || !(hv > lv) {
			return nil, fmt.Errorf("%s:%d: issue %q: numberutils need utilities in [0,1] and highValue > lowValue", name, nu.line, pt.ID)
		}
		if lv > pt.Min || hv < pt.Max {
			// GeniusWeb gives values outside [lowValue, highValue] utility 0,
			// which a linear function cannot express (and its isFitting
			// wants lowValue and highValue to be the range's bounds).
			return nil, fmt.Errorf("%s:%d: issue %q: numberutils %v..%v do not span the range %v..%v", name, nu.line, pt.ID, lv, hv, pt.Min, pt.Max)
		}
		if p.Funcs == nil {
			p.Funcs = make([]*profile.ValueFunc, n)
		}
		p.Funcs[i] = &profile.ValueFunc{Kind: profile.Linear, Origin: lv, Offset: lu, Slope: (hu - lu) / (hv - lv)}
	}
	if rv := las.get("reserved_value"); rv != nil && rv.kind != jNull {
		v, err := rv.float()
		if rv.kind != jNum || err != nil || math.Abs(v) > profile.MaxReservation {
			return nil, fmt.Errorf("%s:%d: reserved_value is not a number within ±%g", name, rv.line, float64(profile.MaxReservation))
		}
		p.Reservation = &v
	}
	if dv := las.get("discount_factor"); dv != nil && dv.kind != jNull {
		v, err := dv.float()
		if dv.kind != jNum || err != nil {
			return nil, fmt.Errorf("%s:%d: discount_factor is not a number", name, dv.line)
		}
		if v > 0 && v <= 1 {
			p.Discount = v
		}
	}
	if rb := las.get("reservationBid"); rb != nil && rb.kind != jNull {
		iv := rb.get("issuevalues")
		if rb.kind != jObj || iv == nil || iv.kind != jObj {
			return nil, fmt.Errorf("%s:%d: reservationBid: expected {\"issuevalues\": {...}}", name, rb.line)
		}
		pkg := framework.NewPackage(n)
		for k, key := range iv.keys {
			i, ok := pidx[key]
			if !ok {
				return nil, fmt.Errorf("%s:%d: reservationBid: issue %q is not in the domain", name, iv.vals[k].line, key)
			}
			x := iv.vals[k]
			pt := &f.Points[i]
			l := -1
			switch {
			case pt.Kind == framework.Options && x.kind == jStr:
				if j, ok := optionIndex(pt)[x.str]; ok {
					l = j
				}
			case pt.Kind != framework.Options && x.kind == jNum:
				if v, err := x.float(); err == nil {
					l = pt.NearestLevel(v)
					if l >= 0 && math.Abs(pt.Value(l)-v) > 1e-9*math.Max(1, math.Abs(v)) {
						l = -1
					}
				}
			}
			if l < 0 {
				return nil, fmt.Errorf("%s:%d: reservationBid: issue %q has no value %s", name, x.line, key, x.str+string(x.num))
			}
			pkg[i] = l
		}
		if !pkg.Complete() {
			return nil, fmt.Errorf("%s:%d: reservationBid is partial; Parley needs a value for every issue", name, rb.line)
		}
		p.Fallback = pkg
	}
	if err := p.Check(f); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return p, nil
}

// jstr encodes a JSON string (no HTML escaping); invalid UTF-8 is an error
// because encoding/json would silently replace it.
func jstr(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%q is not valid UTF-8", s)
	}
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(s); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// jw writes indented JSON by hand, so that object keys keep framework order.
type jw struct {
	b   strings.Builder
	err error
}

func (j *jw) line(indent int, s string) {
	j.b.WriteString(strings.Repeat("\t", indent))
	j.b.WriteString(s)
	j.b.WriteByte('\n')
}

func (j *jw) str(s string) string {
	q, err := jstr(s)
	if err != nil && j.err == nil {
		j.err = err
	}
	return q
}

func comma(i, n int) string {
	if i < n-1 {
		return ","
	}
	return ""
}

// webRangeOf returns the GeniusWeb range of a numeric point.
func webRangeOf(pt *framework.Point) (lo, hi, step float64, err error) {
	if pt.Kind == framework.Integer {
		return pt.Min, pt.Max, 1, nil
	}
	n := pt.Levels()
	if !(pt.Max > pt.Min) || n < 2 {
		return 0, 0, 0, fmt.Errorf("point %q: a real point with an empty range is not representable in GeniusWeb", pt.ID)
	}
	return pt.Min, pt.Max, (pt.Max - pt.Min) / float64(n-1), nil
}

// webPlan says how the points of a framework are written to GeniusWeb when
// a whole scenario is exported: values[i], when not nil, holds the values of
// numeric point i written as a discrete issue (one value per level, its
// number as a string), because some profile has a function GeniusWeb's
// numberutils cannot hold, or its range is empty. A nil plan writes every
// numeric point as a range.
type webPlan struct {
	values [][]string
}

func (pl *webPlan) discrete(i int) []string {
	if pl == nil {
		return nil
	}
	return pl.values[i]
}

// levelStrings returns the values of a numeric point's levels as strings:
// the shortest decimal that lies nearest each level.
func levelStrings(pt *framework.Point) []string {
	n := pt.Levels()
	out := make([]string, n)
	for l := range out {
		v := pt.Value(l)
		out[l] = fmtNum(v)
		if pt.Kind == framework.Real {
			for prec := 1; prec < 17; prec++ {
				s := strconv.FormatFloat(v, 'g', prec, 64)
				if x, err := strconv.ParseFloat(s, 64); err == nil && pt.NearestLevel(x) == l {
					if a := math.Abs(x); strings.ContainsAny(s, "eE") && a >= 1e-6 && a < 1e21 {
						s = strconv.FormatFloat(x, 'f', -1, 64) // 10, not 1e+01
					}
					out[l] = s
					break
				}
			}
		}
	}
	return out
}

// writeWebDomain writes the domain object at the given indentation, the
// first line without indentation (it follows a key).
func writeWebDomain(j *jw, f *framework.Framework, ind int, pl *webPlan) {
	j.b.WriteString("{\n")
	j.line(ind+1, `"name": `+j.str(f.Name)+",")
	j.line(ind+1, `"issuesValues": {`)
	for i := range f.Points {
		pt := &f.Points[i]
		j.line(ind+2, j.str(pt.ID)+": {")
		if vals := pl.discrete(i); vals != nil {
			j.line(ind+3, `"values": [`)
			for k, v := range vals {
				j.line(ind+4, j.str(v)+comma(k, len(vals)))
			}
			j.line(ind+3, "]")
		} else if pt.Kind == framework.Options {
			j.line(ind+3, `"values": [`)
			for k, o := range pt.Options {
				j.line(ind+4, j.str(o.ID)+comma(k, len(pt.Options)))
			}
			j.line(ind+3, "]")
		} else {
			lo, hi, step, err := webRangeOf(pt)
			if err != nil && j.err == nil {
				j.err = err
			}
			j.line(ind+3, `"range": {`)
			j.line(ind+4, `"low": `+fmtNum(lo)+",")
			j.line(ind+4, `"high": `+fmtNum(hi)+",")
			j.line(ind+4, `"step": `+fmtNum(step))
			j.line(ind+3, "}")
		}
		j.line(ind+2, "}"+comma(i, len(f.Points)))
	}
	j.line(ind+1, "}")
	j.b.WriteString(strings.Repeat("\t", ind) + "}")
}

// WriteGeniusWebDomain writes f as a GeniusWeb domain: options points as
// value lists, numeric points as ranges (integer: step 1; real: its Steps
// levels). Option labels, clauses and point titles have no place in GeniusWeb.
func WriteGeniusWebDomain(w io.Writer, f *framework.Framework) error {
	return writeGeniusWebDomain(w, f, nil)
}

func writeGeniusWebDomain(w io.Writer, f *framework.Framework, pl *webPlan) error {
	if err := f.Validate(); err != nil {
		return fmt.Errorf("geniusweb: write domain: %w", err)
	}
	j := &jw{}
	writeWebDomain(j, f, 0, pl)
	j.b.WriteString("\n")
	if j.err != nil {
		return fmt.Errorf("geniusweb: write domain: %w", j.err)
	}
	_, err := io.WriteString(w, j.b.String())
	return err
}

// WriteGeniusWebProfile writes p as a GeniusWeb LinearAdditiveUtilitySpace
// named name, with the domain embedded:
//
//   - options points: valueUtilities are the evaluations (ScaleMax scores
//     divided by the point's largest score, as GENIUS evaluates them;
//     ScaleAbsolute scores as they are, unless some exceed 1, in which case
//     they are divided by their maximum m and the weight multiplied by m);
//   - numeric points: numberutils through the function's values at Min and
//     Max, which needs a linear function not clamped inside the range (or a
//     constant in [0,1]);
//   - the Fallback becomes the reservationBid.
//
// Weights are written as they are (GeniusWeb itself insists they sum to 1).
// The reservation value and a discount factor other than 1 are written as
// "reserved_value" and "discount_factor", the keys NegMAS reads (GeniusWeb
// has no place for them); red lines and uncertainty are not written.
func WriteGeniusWebProfile(w io.Writer, f *framework.Framework, p *profile.Profile, name string) error {
	return writeGeniusWebProfile(w, f, p, name, nil)
}

func writeGeniusWebProfile(w io.Writer, f *framework.Framework, p *profile.Profile, name string, pl *webPlan) error {
	if err := f.Validate(); err != nil {
		return fmt.Errorf("geniusweb: write profile: %w", err)
	}
	if err := p.Check(f); err != nil {
		return fmt.Errorf("geniusweb: write profile: %w", err)
	}
	if len(p.Interactions) > 0 {
		return fmt.Errorf("geniusweb: write profile: %d interactions: GeniusWeb has no hyper-rectangle or other non-additive utility space (LinearAdditiveUtilitySpace only): %w", len(p.Interactions), ErrNonLinear)
	}
	weights := append([]float64(nil), p.Weights...)
	j := &jw{}
	j.line(0, "{")
	j.line(1, `"LinearAdditiveUtilitySpace": {`)
	j.line(2, `"name": `+j.str(name)+",")
	j.line(2, `"issueUtilities": {`)
	for i := range f.Points {
		pt := &f.Points[i]
		j.line(3, j.str(pt.ID)+": {")
		vals := pl.discrete(i)
		if pt.Kind == framework.Options || vals != nil {
			var u []float64
			if vals != nil {
				u = make([]float64, len(vals))
				for l := range u {
					u[l] = p.Funcs[i].Eval(pt.Value(l))
				}
			} else {
				u = optionEvals(p, i)
				vals = make([]string, len(pt.Options))
				for l, o := range pt.Options {
					vals[l] = o.ID
				}
			}
			if m := maxOf(u); m > 1 {
				for l := range u {
					u[l] /= m
				}
				weights[i] *= m
			}
			j.line(4, `"discreteutils": {`)
			j.line(5, `"valueUtilities": {`)
			for l, v := range vals {
				j.line(6, j.str(v)+": "+fmtNum(u[l])+comma(l, len(u)))
			}
			j.line(5, "}")
			j.line(4, "}")
		} else {
			lu, hu, err := webLinear(pt, p.Funcs[i])
			if err != nil {
				return fmt.Errorf("geniusweb: write profile: %w", err)
			}
			j.line(4, `"numberutils": {`)
			j.line(5, `"lowValue": `+fmtNum(pt.Min)+",")
			j.line(5, `"lowUtility": `+fmtNum(lu)+",")
			j.line(5, `"highValue": `+fmtNum(pt.Max)+",")
			j.line(5, `"highUtility": `+fmtNum(hu))
			j.line(4, "}")
		}
		j.line(3, "}"+comma(i, len(f.Points)))
	}
	j.line(2, "},")
	j.line(2, `"issueWeights": {`)
	for i := range f.Points {
		j.line(3, j.str(f.Points[i].ID)+": "+fmtNum(weights[i])+comma(i, len(f.Points)))
	}
	j.line(2, "},")
	// Not GeniusWeb's: NegMAS reads these two keys of a
	// LinearAdditiveUtilitySpace (from_geniusweb_json_str), and so does
	// ReadGeniusWebProfile.
	if p.Reservation != nil {
		j.line(2, `"reserved_value": `+fmtNum(*p.Reservation)+",")
	}
	if d := p.DiscountFactor(); d != 1 {
		j.line(2, `"discount_factor": `+fmtNum(d)+",")
	}
	for i, wt := range weights {
		if !(wt <= profile.MaxWeight) {
			return fmt.Errorf("geniusweb: write profile: point %q: weight %v once scaled is above %g", f.Points[i].ID, wt, float64(profile.MaxWeight))
		}
	}
	j.b.WriteString("\t\t\"domain\": ")
	writeWebDomain(j, f, 2, pl)
	if p.Fallback != nil {
		j.b.WriteString(",\n")
		j.line(2, `"reservationBid": {`)
		j.line(3, `"issuevalues": {`)
		for i, l := range p.Fallback {
			pt := &f.Points[i]
			v := ""
			if vals := pl.discrete(i); vals != nil {
				v = j.str(vals[l])
			} else if pt.Kind == framework.Options {
				v = j.str(pt.Options[l].ID)
			} else {
				v = fmtNum(pt.Value(l))
			}
			j.line(4, j.str(pt.ID)+": "+v+comma(i, len(p.Fallback)))
		}
		j.line(3, "}")
		j.line(2, "}")
	} else {
		j.b.WriteString("\n")
	}
	j.line(1, "}")
	j.line(0, "}")
	if j.err != nil {
		return fmt.Errorf("geniusweb: write profile: %w", j.err)
	}
	_, err := io.WriteString(w, j.b.String())
	return err
}

// webLinear returns the utilities at Min and Max of a numeric point's
// function, provided GeniusWeb's linear interpolation between them
// reproduces it.
func webLinear(pt *framework.Point, fn *profile.ValueFunc) (lu, hu float64, err error) {
	if !(pt.Max > pt.Min) {
		return 0, 0, fmt.Errorf("point %q: numberutils need a range with high > low", pt.ID)
	}
	switch fn.Kind {
	case profile.Constant:
		if !inUnit(fn.Value) {
			return 0, 0, fmt.Errorf("point %q: constant %v outside [0,1]", pt.ID, fn.Value)
		}
		return fn.Value, fn.Value, nil
	case profile.Linear:
		lo := fn.Offset + fn.Slope*(pt.Min-fn.Origin)
		hi := fn.Offset + fn.Slope*(pt.Max-fn.Origin)
		const eps = 1e-12
		if lo < -eps || lo > 1+eps || hi < -eps || hi > 1+eps {
			return 0, 0, fmt.Errorf("point %q: linear function clamped inside the range is not representable in GeniusWeb", pt.ID)
		}
		return fn.Eval(pt.Min), fn.Eval(pt.Max), nil
	}
	return 0, 0, fmt.Errorf("point %q: a %v function is not representable in GeniusWeb (linear only)", pt.ID, fn.Kind)
}

// optionEvals returns the evaluations of an options point's levels, computed
// as profile.Profile evaluates them (score / max score under ScaleMax, 0 when
// that max is below 1e-5; the score itself under ScaleAbsolute).
func optionEvals(p *profile.Profile, i int) []float64 {
	scores := p.Scores[i]
	u := make([]float64, len(scores))
	if p.Scale != profile.ScaleMax {
		copy(u, scores)
		return u
	}
	mx := maxOf(scores)
	if mx < 0.00001 {
		return u
	}
	for l, s := range scores {
		u[l] = s / mx
	}
	return u
}
