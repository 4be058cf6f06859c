package genius

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// Kind is the GENIUS utility-space type of a profile this package imports.
type Kind string

// Profile kinds.
const (
	// Linear is a plain additive <utility_space>.
	Linear Kind = "LINEAR"
	// Uncertain is <utility_space type="UNCERTAIN">, the ANAC 2019
	// preference-uncertainty variant: the same additive data plus the
	// parameters of the uncertainty experiment. Its additive part is imported.
	Uncertain Kind = "UNCERTAIN"
)

// ProfileInfo describes what ReadProfile found beside the profile itself.
type ProfileInfo struct {
	Kind Kind
	// Discount is the <discount_factor value> as written ("" when absent);
	// Profile.Discount holds the effective factor.
	Discount string
	// Reservation is the <reservation value> as written ("" when absent).
	Reservation string
	// Uncertain holds the extra elements of an UNCERTAIN profile.
	Uncertain *UncertainInfo
	// Warnings lists GENIUS quirks met (weights not summing to 1, discount
	// discarded, ...), each prefixed with the input name.
	Warnings []string
}

// UncertainInfo holds the preference-uncertainty parameters of an UNCERTAIN
// profile (as written; 0/false when absent or unreadable). Parley does not use
// them: the profile is the additive utility space of the same file.
type UncertainInfo struct {
	Comparisons  int
	Errors       int
	FixedSeed    bool
	Experimental bool
}

// ReadProfile reads a GENIUS LINEAR or UNCERTAIN profile against the
// framework of its domain (from ReadDomain). Issues are matched to points by
// name; the weight <weight index="i"> belongs to the profile's issue with
// index i. Non-linear profiles fail with ErrNonLinear.
func ReadProfile(r io.Reader, f *framework.Framework, name string) (*profile.Profile, *ProfileInfo, error) {
	if f == nil {
		return nil, nil, fmt.Errorf("%s: no framework to read the profile against", name)
	}
	root, warns, err := parseXML(r, name)
	if err != nil {
		return nil, nil, err
	}
	p, info, err := profileFromTree(root, f, nil, name)
	if err != nil {
		return nil, nil, err
	}
	info.Warnings = append(warns, info.Warnings...)
	return p, info, nil
}

// spaceKind classifies a <utility_space> root by its type attribute, as
// GENIUS's UTILITYSPACETYPE does (case-insensitive; none means LINEAR).
func spaceKind(root *elem, name string) (Kind, error) {
	t, _ := root.attr("type")
	switch strings.ToUpper(t) {
	case "", "LINEAR":
		return Linear, nil
	case "UNCERTAIN":
		return Uncertain, nil
	case "NONLINEAR":
		return "", fmt.Errorf("%s: <utility_space type=%q>: %w", name, t, ErrNonLinear)
	case "CONSTRAINT":
		return "", fmt.Errorf("%s: <utility_space type=%q>: constraint utility spaces are %w", name, t, ErrUnsupported)
	}
	return "", fmt.Errorf("%s: <utility_space type=%q>: unknown utility space type: %w", name, t, ErrUnsupported)
}

// pointEval is what a profile says about one point.
type pointEval struct {
	weight float64
	scores []float64 // options: raw evaluations, in option order
	max    float64   // options: largest evaluation among all the profile's items
	fn     *profile.ValueFunc
}

// profileFromTree converts a parsed profile. index, when known, holds the
// GENIUS index of every point of f, which the profile's indices must match.
func profileFromTree(root *elem, f *framework.Framework, index []int, name string) (*profile.Profile, *ProfileInfo, error) {
	info := &ProfileInfo{}
	warn := func(e *elem, format string, args ...any) {
		info.Warnings = append(info.Warnings, at(name, e)+": "+fmt.Sprintf(format, args...))
	}
	if root.name != "utility_space" {
		if root.name == "negotiation_template" {
			return nil, nil, fmt.Errorf("%s: <negotiation_template> is a domain, not a profile", at(name, root))
		}
		return nil, nil, fmt.Errorf("%s: root element <%s>: expected <utility_space>", at(name, root), root.name)
	}
	kind, err := spaceKind(root, name)
	if err != nil {
		return nil, nil, err
	}
	info.Kind = kind
	n := len(f.Points)
	evals := make([]*pointEval, n)
	pidx := pointIndex(f)
	var resv, disc *elem

	// GENIUS (AdditiveUtilitySpace.loadTreeRecursive) visits every element
	// in pre-order; at each it reads the first <reservation> and the first
	// <discount_factor> child (a later visit overrides), the <weight>
	// children, and gives an evaluator to each <issue> child that has a
	// weight of the same level.
	var walk func(e *elem) error
	walk = func(e *elem) error {
		if c := e.child("reservation"); c != nil {
			if resv != nil {
				warn(c, "more than one <reservation>: this one is used, as in GENIUS")
			}
			resv = c
		}
		if c := e.child("discount_factor"); c != nil {
			if disc != nil {
				warn(c, "more than one <discount_factor>: this one is used, as in GENIUS")
			}
			disc = c
		}
		weights := map[int]float64{}
		for _, w := range e.children("weight") {
			idx, err := intAttr(w, "index")
			if err != nil {
				return fmt.Errorf("%s: <weight>: %w", at(name, w), err)
			}
			v, err := floatAttr(w, "value")
			if err != nil {
				return fmt.Errorf("%s: <weight index=\"%d\">: %w", at(name, w), idx, err)
			}
			if old, dup := weights[idx]; dup && old != v {
				warn(w, "second weight for index %d: %v replaces %v, as in GENIUS", idx, v, old)
			}
			weights[idx] = v
		}
		for _, is := range e.children("issue") {
			id, _ := is.attr("name")
			idx, err := intAttr(is, "index")
			if err != nil {
				return fmt.Errorf("%s: issue %q: %w", at(name, is), id, err)
			}
			w, ok := weights[idx]
			if !ok {
				// GENIUS creates no evaluator for an issue without a weight.
				continue
			}
			pi, ok := pidx[id]
			if !ok {
				return fmt.Errorf("%s: issue %q (index %d) is not in the domain %q", at(name, is), id, idx, f.Name)
			}
			if index != nil && index[pi] != idx {
				return fmt.Errorf("%s: issue %q has index %d here but %d in the domain (GENIUS matches issues by index)", at(name, is), id, idx, index[pi])
			}
			if index == nil && idx != pi+1 {
				warn(is, "issue %q has index %d but is point %d of the framework: matched by name", id, idx, pi+1)
			}
			if evals[pi] != nil {
				warn(is, "issue %q evaluated twice: the later one is used, as in GENIUS", id)
			}
			pe, err := issueEval(is, &f.Points[pi], name, warn)
			if err != nil {
				return err
			}
			pe.weight = w
			evals[pi] = pe
		}
		for _, k := range e.kids {
			if err := walk(k); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(root); err != nil {
		return nil, nil, err
	}

	p := &profile.Profile{
		Weights: make([]float64, n),
		Scores:  make([][]float64, n),
		Scale:   profile.ScaleMax,
	}
	absolute := false
	for i := range f.Points {
		pe := evals[i]
		if pe == nil {
			return nil, nil, fmt.Errorf("%s: issue %q has no weight or no evaluation (GENIUS cannot evaluate bids without one)", name, f.Points[i].ID)
		}
		p.Weights[i] = pe.weight
		if f.Points[i].Kind == framework.Options {
			p.Scores[i] = pe.scores
			if mx := maxOf(pe.scores); pe.max > mx {
				absolute = true
			}
			continue
		}
		if p.Funcs == nil {
			p.Funcs = make([]*profile.ValueFunc, n)
		}
		p.Funcs[i] = pe.fn
	}
	if absolute {
		// An item the domain does not have raised some issue's maximum:
		// GENIUS divides by it, which ScaleMax cannot express, so the
		// evaluations are stored already divided.
		info.Warnings = append(info.Warnings, name+": items outside the domain carry the largest evaluation of an issue; evaluations stored divided by it (scale absolute)")
		p.Scale = profile.ScaleAbsolute
		for i, pe := range evals {
			if f.Points[i].Kind != framework.Options {
				continue
			}
			s := make([]float64, len(pe.scores))
			if pe.max >= 0.00001 {
				for j, v := range pe.scores {
					s[j] = v / pe.max
				}
			}
			p.Scores[i] = s
		}
	}

	p.Discount = 1
	if disc != nil {
		raw, ok := disc.attr("value")
		info.Discount = raw
		switch d, err := parseDouble(raw); {
		case !ok:
			warn(disc, "<discount_factor> has no value attribute: no discounting, as in GENIUS")
		case err != nil:
			warn(disc, "discount factor %q is unparsable: no discounting, as in GENIUS", raw)
		case d <= 0 || d > 1:
			warn(disc, "discount factor %v is ≤ 0 or > 1: no discounting, as in GENIUS", d)
		default:
			p.Discount = d
		}
	}
	if resv != nil {
		raw, ok := resv.attr("value")
		info.Reservation = raw
		if v, err := parseDouble(raw); ok && err == nil {
			p.Reservation = &v
		} else {
			warn(resv, "reservation value %q is unreadable: none (GENIUS uses 0)", raw)
		}
	}
	if sum := p.WeightSum(); math.Abs(sum-1) > 1e-6 {
		msg := fmt.Sprintf("weights sum to %s, not 1: kept as written (GENIUS does not renormalise)", strconv.FormatFloat(sum, 'g', 10, 64))
		if sum > 1 {
			msg += "; note GENIUS's AdditiveUtilitySpace.getUtility caps utilities above 1 at 1, Parley does not"
		}
		info.Warnings = append(info.Warnings, name+": "+msg)
	}
	if kind == Uncertain {
		u := &UncertainInfo{}
		if c := root.child("comparisons"); c != nil {
			u.Comparisons, _ = strconv.Atoi(strings.TrimSpace(string(c.text)))
		}
		if c := root.child("errors"); c != nil {
			u.Errors, _ = strconv.Atoi(strings.TrimSpace(string(c.text)))
		}
		if c := root.child("fixed_seed"); c != nil {
			u.FixedSeed = strings.EqualFold(strings.TrimSpace(string(c.text)), "true")
		}
		if c := root.child("experimental"); c != nil {
			u.Experimental = strings.EqualFold(strings.TrimSpace(string(c.text)), "true")
		}
		info.Uncertain = u
		info.Warnings = append(info.Warnings, name+": GENIUS preference-uncertainty (UNCERTAIN) profile: its additive utility space is imported; comparisons, errors, fixed_seed and experimental are not used")
	}
	if err := p.Check(f); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return p, info, nil
}

func maxOf(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, x)
	}
	return m
}

// issueEval reads the evaluator of one profile <issue> for point pt.
func issueEval(is *elem, pt *framework.Point, name string, warn func(*elem, string, ...any)) (*pointEval, error) {
	typ, w := issueType(is, "etype")
	if w != "" {
		warn(is, "issue %q: %s", pt.ID, w)
	}
	want := map[framework.Kind]string{framework.Options: "discrete", framework.Integer: "integer", framework.Real: "real"}[pt.Kind]
	if typ != want {
		return nil, fmt.Errorf("%s: issue %q is %s in the profile but %s in the domain", at(name, is), pt.ID, typ, want)
	}
	pe := &pointEval{}
	switch pt.Kind {
	case framework.Options:
		// EvaluatorDiscrete: value → evaluation; a missing or "null"
		// evaluation is skipped, a later duplicate replaces an earlier one,
		// and the maximum is over every item of the profile.
		ev := map[string]float64{}
		opts := optionIndex(pt)
		pe.max = math.Inf(-1)
		for _, it := range is.children("item") {
			v, ok := it.attr("value")
			if !ok {
				warn(it, "issue %q: <item> without a value ignored", pt.ID)
				continue
			}
			s, ok := it.attr("evaluation")
			if !ok || s == "null" {
				continue
			}
			x, err := parseDouble(s)
			if err != nil {
				warn(it, "issue %q value %q: evaluation %q unparsable, ignored as in GENIUS", pt.ID, v, s)
				continue
			}
			if x < 0 {
				return nil, fmt.Errorf("%s: issue %q value %q: negative evaluation %v", at(name, it), pt.ID, v, x)
			}
			if old, dup := ev[v]; dup && old != x {
				warn(it, "issue %q value %q evaluated twice: %v replaces %v, as in GENIUS", pt.ID, v, x, old)
			}
			ev[v] = x
			if _, ok := opts[v]; !ok {
				warn(it, "issue %q: value %q is not in the domain; ignored (its evaluation still counts towards the maximum, as in GENIUS)", pt.ID, v)
			}
		}
		for _, x := range ev {
			pe.max = math.Max(pe.max, x)
		}
		pe.scores = make([]float64, len(pt.Options))
		for j, o := range pt.Options {
			x, ok := ev[o.ID]
			if !ok {
				return nil, fmt.Errorf("%s: issue %q: value %q has no evaluation", at(name, is), pt.ID, o.ID)
			}
			pe.scores[j] = x
		}
	case framework.Integer:
		// EvaluatorInteger: clamp01(slope·(x − lowerbound) + offset), the
		// bounds being the profile's own.
		lo, err1 := intAttr(is, "lowerbound")
		hi, err2 := intAttr(is, "upperbound")
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("%s: integer issue %q: %w", at(name, is), pt.ID, err)
		}
		if float64(lo) != pt.Min || float64(hi) != pt.Max {
			warn(is, "integer issue %q: profile range %d..%d differs from the domain's %v..%v; the profile's lowerbound is the origin of the function, as in GENIUS", pt.ID, lo, hi, pt.Min, pt.Max)
		}
		fn := &profile.ValueFunc{Kind: profile.Linear, Origin: float64(lo)}
		if ev := is.child("evaluator"); ev != nil {
			slope, err1 := floatAttr(ev, "slope")
			offset, err2 := floatAttr(ev, "offset")
			if err := errors.Join(err1, err2); err != nil {
				return nil, fmt.Errorf("%s: integer issue %q: <evaluator>: %w", at(name, ev), pt.ID, err)
			}
			fn.Slope, fn.Offset = slope, offset
		} else {
			warn(is, "integer issue %q has no <evaluator>: evaluation 0 everywhere, as in GENIUS", pt.ID)
		}
		pe.fn = fn
	case framework.Real:
		rg := is.child("range")
		if rg == nil {
			return nil, fmt.Errorf("%s: real issue %q has no <range>", at(name, is), pt.ID)
		}
		lo, err1 := floatAttr(rg, "lowerbound")
		hi, err2 := floatAttr(rg, "upperbound")
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("%s: real issue %q: %w", at(name, rg), pt.ID, err)
		}
		if lo != pt.Min || hi != pt.Max {
			warn(rg, "real issue %q: profile range %v..%v differs from the domain's %v..%v (not used by the evaluation)", pt.ID, lo, hi, pt.Min, pt.Max)
		}
		ev := is.child("evaluator")
		if ev == nil {
			return nil, fmt.Errorf("%s: real issue %q has no <evaluator>", at(name, is), pt.ID)
		}
		ft, ok := ev.attr("ftype")
		if !ok {
			return nil, fmt.Errorf("%s: real issue %q: <evaluator> has no ftype", at(name, ev), pt.ID)
		}
		params := func(k int) ([]float64, error) {
			out := make([]float64, k)
			var errs []error
			for i := range out {
				var err error
				out[i], err = floatAttr(ev, "parameter"+strconv.Itoa(i))
				errs = append(errs, err)
			}
			if err := errors.Join(errs...); err != nil {
				return nil, fmt.Errorf("%s: real issue %q: ftype %s: %w", at(name, ev), pt.ID, ft, err)
			}
			return out, nil
		}
		switch strings.ToLower(ft) {
		case "linear":
			// clamp01(parameter1·x + parameter0)
			p, err := params(2)
			if err != nil {
				return nil, err
			}
			pe.fn = &profile.ValueFunc{Kind: profile.Linear, Slope: p[1], Offset: p[0]}
		case "constant":
			p, err := params(1)
			if err != nil {
				return nil, err
			}
			pe.fn = &profile.ValueFunc{Kind: profile.Constant, Value: p[0]}
		case "triangular":
			p, err := params(3)
			if err != nil {
				return nil, err
			}
			pe.fn = &profile.ValueFunc{Kind: profile.Triangular, Low: p[0], High: p[1], Top: p[2], TopValue: 1}
		case "faratin":
			return nil, fmt.Errorf("%s: real issue %q: ftype faratin is %w (GENIUS does not load it either)", at(name, ev), pt.ID, ErrUnsupported)
		default:
			return nil, fmt.Errorf("%s: real issue %q: unknown ftype %q", at(name, ev), pt.ID, ft)
		}
	}
	return pe, nil
}
