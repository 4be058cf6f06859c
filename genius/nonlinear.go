package genius

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// NonLinearInfo describes what ReadProfile found in a GENIUS non-linear
// (hyper-rectangle) profile beside the interactions themselves.
type NonLinearInfo struct {
	// MaxUtility is the <utility maxutility> every rectangle's value is
	// divided by.
	MaxUtility float64
	// Rectangles counts the <hyperRectangle> elements read (nested ufuns
	// included); Dropped those that never apply (an empty INCLUDES bound)
	// and were left out.
	Rectangles, Dropped int
}

// nonLinearFromTree reads a <utility_space type="nonlinear"> as GENIUS's
// NonlinearUtilitySpace does (genius.core.utility, GENIUS 10.4), into a
// profile whose additive part is zero and whose interactions are the
// hyper-rectangles:
//
//   - the <reservation> and <discount_factor> read are the first direct
//     children of <utility_space> (not the pre-order walk of the additive
//     reader); an unreadable reservation means none, a discount that is
//     unparsable, ≤ 0 or > 1 means no discounting;
//   - the <utility> is the first one inside the first child element of the
//     root (GENIUS reads nothing else), its maxutility M the divisor, and
//     its first <ufun> the function;
//   - a <ufun> sums its <hyperRectangle> children (in order), then its
//     nested <ufun>s, each multiplied by the nested ufun's weight; the
//     weight of the outermost ufun is not applied (GENIUS's
//     NonlinearUtilitySpace.getUtility divides the outer sum by M without
//     it);
//   - a rectangle gives utility·weight (weight 1 when absent): with
//     <INCLUDES index min max> bounds when every bound holds (min ≤ value ≤
//     max, index = the domain's issue number), with <EXCLUDES> bounds when
//     some bound fails (EXCLUDES wins when a rectangle has both), and always
//     when it has neither (GENIUS's InclusiveHyperRectangle(true));
//   - getUtility is min(1, sum/M).
//
// Every rectangle becomes a profile.Interaction (Outside for EXCLUDES) over
// the levels of its bounds, with Value = utility·weight·(nested ufun
// weights) / M. Parley divides each value by M where GENIUS divides the
// sum: each term is rounded on its own (the differences are a few ulps of
// the utility, none when M is 1). Parley does not cap at 1: when the
// values can add up to more than 1, a warning gives the exact highest
// reachable utility (profile.Table.Max). Aggregations other than sum, ufun
// types other than PlainUfun and bounds on issues that are not integers are
// refused (ErrNonLinear).
func nonLinearFromTree(root *elem, f *framework.Framework, opts readOpts, name string) (*profile.Profile, *ProfileInfo, error) {
	info := &ProfileInfo{Kind: NonLinear, NonLinear: &NonLinearInfo{}}
	warn := func(e *elem, format string, args ...any) {
		info.Warnings = append(info.Warnings, at(name, e)+": "+fmt.Sprintf(format, args...))
	}
	n := len(f.Points)
	if n == 0 {
		return nil, nil, fmt.Errorf("%s: the domain has no issues", name)
	}
	byIndex, err := issueNumbers(root, f, opts, name, warn)
	if err != nil {
		return nil, nil, err
	}
	p := &profile.Profile{Weights: make([]float64, n), Scores: make([][]float64, n), Scale: profile.ScaleMax, Discount: 1}
	for i := range f.Points {
		pt := &f.Points[i]
		if pt.Kind == framework.Options {
			p.Scores[i] = make([]float64, len(pt.Options))
			continue
		}
		if p.Funcs == nil {
			p.Funcs = make([]*profile.ValueFunc, n)
		}
		p.Funcs[i] = &profile.ValueFunc{Kind: profile.Constant}
	}

	// Reservation and discount: the first direct children only.
	if r := root.child("reservation"); r != nil {
		raw, ok := r.attr("value")
		info.Reservation = raw
		if v, err := parseDouble(raw); ok && err == nil {
			p.Reservation = &v
		} else {
			warn(r, "reservation value %q is unreadable: none, as in GENIUS", raw)
		}
	}
	if d := root.child("discount_factor"); d != nil {
		raw, ok := d.attr("value")
		info.Discount = raw
		switch v, err := parseDouble(raw); {
		case !ok || err != nil:
			warn(d, "discount factor %q is unreadable: no discounting, as in GENIUS", raw)
		case v <= 0 || v > 1:
			warn(d, "discount factor %v is ≤ 0 or > 1: no discounting, as in GENIUS", v)
		default:
			p.Discount = v
		}
	}
	for _, k := range root.kids {
		for _, tag := range []string{"reservation", "discount_factor"} {
			if e := findDeep(k, tag); e != nil {
				warn(e, "<%s> below the root is ignored, as GENIUS's non-linear reader does (it reads the ones directly inside <utility_space>)", tag)
			}
		}
	}

	// The <utility>: in the first child element of the root.
	if len(root.kids) == 0 {
		return nil, nil, fmt.Errorf("%s: non-linear <utility_space> is empty: GENIUS reads its <utility> in the first element inside it", at(name, root))
	}
	first := root.kids[0]
	ut := first.child("utility")
	if ut == nil {
		if e := findDeep(root, "utility_function"); e != nil {
			return nil, nil, fmt.Errorf("%s: <utility_function> (as NegMAS writes hyper-rectangle profiles, which GENIUS cannot read): Parley reads GENIUS's <utility maxutility><ufun> form: %w", at(name, e), ErrNonLinear)
		}
		return nil, nil, fmt.Errorf("%s: no <utility> inside <%s>, the first element of <utility_space>, where GENIUS reads it: %w", at(name, first), first.name, ErrNonLinear)
	}
	raw, ok := ut.attr("maxutility")
	if !ok {
		return nil, nil, fmt.Errorf("%s: <utility> has no maxutility (GENIUS needs it)", at(name, ut))
	}
	m, err := parseDouble(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: <utility maxutility>: %w", at(name, ut), err)
	}
	if !(m > 0) {
		return nil, nil, fmt.Errorf("%s: <utility maxutility=%q>: the divisor of every utility must be positive: %w", at(name, ut), raw, ErrNonLinear)
	}
	info.NonLinear.MaxUtility = m
	ufuns := ut.children("ufun")
	if len(ufuns) == 0 {
		return nil, nil, fmt.Errorf("%s: <utility> has no <ufun>: %w", at(name, ut), ErrNonLinear)
	}
	if len(ufuns) > 1 {
		warn(ufuns[1], "%d <ufun> elements in <utility>: only the first is read, as in GENIUS", len(ufuns))
	}
	r := &rectReader{f: f, byIndex: byIndex, tabled: opts.tabled, m: m, name: name, warn: warn, info: info.NonLinear}
	if err := r.ufun(ufuns[0], 1, true, 0); err != nil {
		return nil, nil, err
	}
	p.Interactions = r.out
	if err := p.Check(f); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if _, hi := p.InteractionRange(); hi > 1 {
		t, err := p.Compile(f)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		if mx, _ := t.Max(); mx > 1 {
			info.Warnings = append(info.Warnings, fmt.Sprintf("%s: utilities reach %s (exact highest): GENIUS caps them at 1 (min(1, sum/maxutility)), Parley does not", name, fmtNum(mx)))
		}
	}
	if w := negmasNonLinear(r, m); w != "" {
		info.Warnings = append(info.Warnings, name+": "+w)
	}
	return p, info, nil
}

// findDeep returns the first element named tag in e's subtree (e included).
func findDeep(e *elem, tag string) *elem {
	if e.name == tag {
		return e
	}
	for _, k := range e.kids {
		if x := findDeep(k, tag); x != nil {
			return x
		}
	}
	return nil
}

// issueNumbers maps GENIUS issue numbers to points: the domain's numbers
// when the folder's domain is known (LoadDir), else those of the profile's
// own <issue> elements matched by name, else 1..n in framework order.
func issueNumbers(root *elem, f *framework.Framework, opts readOpts, name string, warn func(*elem, string, ...any)) (map[int]int, error) {
	byIndex := map[int]int{}
	if opts.index != nil {
		for pi, idx := range opts.index {
			byIndex[idx] = pi
		}
		return byIndex, nil
	}
	pidx := pointIndex(f)
	var walk func(e *elem) error
	walk = func(e *elem) error {
		for _, is := range e.children("issue") {
			id, _ := is.attr("name")
			idx, err := intAttr(is, "index")
			if err != nil {
				return fmt.Errorf("%s: issue %q: %w", at(name, is), id, err)
			}
			pi, ok := pidx[id]
			if !ok {
				return fmt.Errorf("%s: issue %q (index %d) is not in the domain %q", at(name, is), id, idx, f.Name)
			}
			if old, dup := byIndex[idx]; dup && old != pi {
				return fmt.Errorf("%s: issues %q and %q both have index %d", at(name, is), f.Points[old].ID, id, idx)
			}
			byIndex[idx] = pi
		}
		for _, k := range e.kids {
			if err := walk(k); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(root); err != nil {
		return nil, err
	}
	if len(byIndex) == 0 {
		for pi := range f.Points {
			byIndex[pi+1] = pi
		}
	}
	return byIndex, nil
}

// rectReader turns the rectangles of a GENIUS ufun into interactions.
type rectReader struct {
	f       *framework.Framework
	byIndex map[int]int
	tabled  []bool
	m       float64
	name    string
	warn    func(*elem, string, ...any)
	info    *NonLinearInfo
	out     []profile.Interaction
	levels  int // levels listed so far
	// weighted, excludes, nested: what NegMAS reads differently.
	weighted, excludes, nested bool
}

// maxUfunDepth bounds the nesting of <ufun>s (the XML depth bounds it too).
const maxUfunDepth = 64

// ufun reads one <ufun>: scale is the product of the weights of the nested
// ufuns it is in (and its own, unless it is the outermost).
func (r *rectReader) ufun(e *elem, scale float64, top bool, depth int) error {
	if depth > maxUfunDepth {
		return fmt.Errorf("%s: <ufun> nested deeper than %d: %w", at(r.name, e), maxUfunDepth, ErrTooLarge)
	}
	if t, ok := e.attr("type"); ok && !strings.EqualFold(strings.TrimSpace(t), "PlainUfun") {
		return fmt.Errorf("%s: <ufun type=%q>: Parley reads type=\"PlainUfun\" only (a sum of hyper-rectangles): %w", at(r.name, e), t, ErrNonLinear)
	}
	switch a, ok := e.attr("aggregation"); {
	case !ok:
		r.warn(e, "<ufun> without an aggregation: read as sum")
	case !strings.EqualFold(strings.TrimSpace(a), "sum"):
		return fmt.Errorf("%s: <ufun aggregation=%q>: Parley reads aggregation=\"sum\" only (a %s of rectangles is not a sum of interactions): %w", at(r.name, e), a, strings.ToLower(a), ErrNonLinear)
	}
	if raw, ok := e.attr("weight"); ok {
		w, err := parseDouble(raw)
		if err != nil {
			return fmt.Errorf("%s: <ufun weight>: %w", at(r.name, e), err)
		}
		if top {
			if w != 1 {
				r.warn(e, "the outermost <ufun> has weight %v: not applied, as in GENIUS (NonlinearUtilitySpace divides the function's sum by maxutility without it; NegMAS multiplies by it)", w)
			}
		} else {
			scale *= w
		}
	}
	if !top {
		r.nested = true
	}
	for _, k := range e.kids {
		switch k.name {
		case "hyperRectangle", "ufun":
		default:
			r.warn(k, "<%s> inside <ufun> is ignored, as in GENIUS", k.name)
		}
	}
	for _, h := range e.children("hyperRectangle") {
		if err := r.rect(h, scale); err != nil {
			return err
		}
	}
	for _, u := range e.children("ufun") {
		if err := r.ufun(u, scale, false, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// rect reads one <hyperRectangle>.
func (r *rectReader) rect(h *elem, scale float64) error {
	r.info.Rectangles++
	if len(r.out) >= profile.MaxInteractions {
		return fmt.Errorf("%s: more than %d hyper-rectangles: %w", at(r.name, h), profile.MaxInteractions, ErrTooLarge)
	}
	raw, ok := h.attr("utility")
	if !ok {
		return fmt.Errorf("%s: <hyperRectangle> has no utility (GENIUS needs it)", at(r.name, h))
	}
	v, err := parseDouble(raw)
	if err != nil {
		return fmt.Errorf("%s: <hyperRectangle utility>: %w", at(r.name, h), err)
	}
	if rw, ok := h.attr("weight"); ok {
		w, err := parseDouble(rw)
		if err != nil {
			return fmt.Errorf("%s: <hyperRectangle weight>: %w", at(r.name, h), err)
		}
		v *= w
		r.weighted = r.weighted || w != 1
	}
	value := v * scale / r.m
	label, _ := h.attr("label")
	in := profile.Interaction{Value: value, Label: label}
	bounds := h.children("INCLUDES")
	if ex := h.children("EXCLUDES"); len(ex) > 0 {
		if len(bounds) > 0 {
			r.warn(h, "<hyperRectangle> has both INCLUDES and EXCLUDES bounds: the EXCLUDES are used, as in GENIUS")
		}
		bounds, in.Outside = ex, true
		r.excludes = true
	}
	everywhere := len(bounds) == 0
	if !everywhere {
		terms, empty, err := r.terms(bounds)
		if err != nil {
			return err
		}
		switch {
		case empty && !in.Outside:
			// No package lies in the box: the rectangle never applies.
			r.info.Dropped++
			r.warn(h, "<hyperRectangle> whose bounds no package meets (an empty range): it never applies, left out")
			return nil
		case empty:
			// Every package fails some bound: it always applies.
			everywhere, in.Outside = true, false
		default:
			in.Terms = terms
		}
	}
	if everywhere {
		// A rectangle without bounds applies to every package: one term
		// listing every level of the first point.
		pt := &r.f.Points[0]
		lv := make([]int, pt.Levels())
		for l := range lv {
			lv[l] = l
		}
		if err := r.count(h, len(lv)); err != nil {
			return err
		}
		in.Terms = []profile.Term{{Point: 0, Levels: lv}}
	}
	r.out = append(r.out, in)
	return nil
}

// count adds k listed levels, refusing more than profile.MaxInteractionLevels.
func (r *rectReader) count(h *elem, k int) error {
	r.levels += k
	if r.levels > profile.MaxInteractionLevels {
		return fmt.Errorf("%s: the hyper-rectangles list more than %d levels in all: %w", at(r.name, h), profile.MaxInteractionLevels, ErrTooLarge)
	}
	return nil
}

// terms reads the bounds of a rectangle as terms, in the order of their
// first bound; two bounds on one issue intersect (both must hold). empty
// reports a bound no level meets.
func (r *rectReader) terms(bounds []*elem) ([]profile.Term, bool, error) {
	type span struct{ lo, hi int64 }
	var order []int
	spans := map[int]span{}
	for _, b := range bounds {
		idx, err1 := intAttr(b, "index")
		lo, err2 := intAttr(b, "min")
		hi, err3 := intAttr(b, "max")
		if err := firstErr(err1, err2, err3); err != nil {
			return nil, false, fmt.Errorf("%s: <%s>: %w (GENIUS bounds are integers)", at(r.name, b), b.name, err)
		}
		pi, ok := r.byIndex[idx]
		if !ok {
			return nil, false, fmt.Errorf("%s: <%s index=\"%d\">: no issue of the domain has index %d", at(r.name, b), b.name, idx, idx)
		}
		if _, err := r.integerValues(pi); err != nil {
			return nil, false, fmt.Errorf("%s: <%s index=\"%d\">: %w", at(r.name, b), b.name, idx, err)
		}
		s, seen := spans[pi]
		if !seen {
			order = append(order, pi)
			s = span{math.MinInt64, math.MaxInt64}
		}
		spans[pi] = span{max(s.lo, int64(lo)), min(s.hi, int64(hi))}
	}
	terms := make([]profile.Term, 0, len(order))
	empty := false
	for _, pi := range order {
		vals, _ := r.integerValues(pi)
		s := spans[pi]
		var lv []int
		if vals == nil {
			// An integer point: level l is the value Min+l.
			pt := &r.f.Points[pi]
			base := int64(pt.Min)
			a, b := max(s.lo-base, 0), min(s.hi-base, int64(pt.Levels()-1))
			if a <= b {
				if err := r.count(nil, int(b-a+1)); err != nil {
					return nil, false, err
				}
				lv = make([]int, 0, b-a+1)
				for l := a; l <= b; l++ {
					lv = append(lv, int(l))
				}
			}
		} else {
			for l, x := range vals {
				if x >= s.lo && x <= s.hi {
					lv = append(lv, l)
				}
			}
			if err := r.count(nil, len(lv)); err != nil {
				return nil, false, err
			}
		}
		if len(lv) == 0 {
			empty = true
			continue
		}
		terms = append(terms, profile.Term{Point: pi, Levels: lv})
	}
	return terms, empty, nil
}

// integerValues returns nil for an integer point (level l has value Min+l)
// and the integer of every option for an integer issue the folder reads as
// options (tabled); an error for any other point, which GENIUS's bounds
// cannot hold.
func (r *rectReader) integerValues(pi int) ([]int64, error) {
	pt := &r.f.Points[pi]
	switch {
	case pt.Kind == framework.Integer:
		return nil, nil
	case pt.Kind == framework.Options && r.tabled != nil && r.tabled[pi]:
		out := make([]int64, len(pt.Options))
		for l, o := range pt.Options {
			x, err := strconv.ParseInt(o.ID, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("issue %q: option %q is not an integer", pt.ID, o.ID)
			}
			out[l] = x
		}
		return out, nil
	}
	return nil, fmt.Errorf("issue %q is %s: GENIUS hyper-rectangles bound integer issues only: %w", pt.ID, kindType[pt.Kind], ErrNonLinear)
}

// negmasNonLinear says how NegMAS's reader (UtilityFunction.from_xml_str,
// HyperRectangleUtilityFunction) reads the same file differently: its
// outcome_in_range tests lo < value < hi, so it always differs.
func negmasNonLinear(r *rectReader, m float64) string {
	why := []string{"it reads each bound min..max as the open interval min < value < max (GENIUS: closed)"}
	if m != 1 {
		why = append(why, fmt.Sprintf("it does not divide by maxutility (its utilities are %s times these)", fmtNum(m)))
	}
	if r.excludes {
		why = append(why, "it reads EXCLUDES bounds as INCLUDES")
	}
	if r.weighted {
		why = append(why, "it ignores the weights of rectangles")
	}
	if r.nested {
		why = append(why, "it cannot read nested <ufun>s")
	}
	return "NegMAS reads this non-linear profile differently: " + strings.Join(why, "; ")
}
