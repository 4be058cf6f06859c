package scenario

import (
	"fmt"
	"math"

	"github.com/goccy/go-yaml/ast"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/internal/posyaml"
	"github.com/parley-negotiation/parley/profile"
)

// A party's profile: weights, scores of options points, value functions of
// numeric points, reservation, fallback, red lines, interactions
// (interactions.go), discount and the uncertainty of an estimated profile.

var (
	profileKeys = []string{"estimate", "scale", "weights_total", "weights", "scores", "functions", "reservation", "fallback", "red_lines", "interactions", "discount", "uncertainty"}
	scales      = []string{"max", "absolute"}
	funcKinds   = []string{"linear", "triangular", "constant"}
)

// sumTolerance is how far the weights may sum from weights_total.
const sumTolerance = 1e-6

// profile decodes a party's profile.
func (d *decoder) profile(n ast.Node, fw *framework.Framework, pts *points, party string) (*profile.Profile, string) {
	what := "profile"
	if party != "" {
		what = fmt.Sprintf("profile of party %q", party)
	}
	o, _ := d.Object(n, what, profileKeys, []string{"weights"})
	if !o.IsMapping() {
		return nil, ""
	}
	np := len(fw.Points)
	p := &profile.Profile{Weights: make([]float64, np), Scores: make([][]float64, np)}
	var estimate string
	d.optStr(o, "estimate", &estimate)
	if o.Has("scale") {
		if s, ok := d.OneOf(o.Value("scale"), "scale", scales); ok && s == "absolute" {
			p.Scale = profile.ScaleAbsolute
		}
	}
	// total is the declared sum of weights; NaN means "any".
	total := 1.0
	if o.Has("weights_total") {
		v := d.Resolve(o.Value("weights_total")) // nil: already reported
		_, isNum := posyaml.NumberValue(v)
		switch s, isStr := v.(*ast.StringNode); {
		case v == nil:
		case isStr && s.Value == "any":
			total = math.NaN()
		case !isNum:
			d.Errorf(v, "weights_total: expected a positive number or any, found %s", posyaml.Describe(v))
		default:
			if t, ok := d.Number(v, "weights_total"); ok {
				if t <= 0 {
					d.Errorf(v, "weights_total: expected a positive number or any, found %s", posyaml.ScalarText(v))
				} else {
					total = t
				}
			}
		}
	}
	bound := func(what, name string, v float64, n ast.Node) {
		switch {
		case v < 0:
			d.Errorf(n, "%s %s for %s is negative (expected a number ≥ 0)", what, posyaml.ScalarText(n), name)
		case !math.IsNaN(total) && v > total:
			d.Errorf(n, "%s %s for %s is above %s (%ss must be in [0,%s] when weights_total is %s)", what, posyaml.ScalarText(n), name, fmtNum(total), what, fmtNum(total), fmtNum(total))
		case v > profile.MaxWeight:
			d.Errorf(n, "%s %s for %s is above %s (the largest %s accepted; rescale the weights, e.g. to sum 1)", what, posyaml.ScalarText(n), name, fmtNum(profile.MaxWeight), what)
		}
	}

	// Weights.
	if o.Has("weights") {
		entries, _ := d.Mapping(o.Value("weights"), "weights")
		given := make([]bool, np)
		complete := entries != nil
		for _, e := range entries {
			i, ok := d.pointRef(e.KeyNode, e.Key, "weights", pts)
			if !ok {
				complete = false
				continue
			}
			given[i] = true
			w, ok := d.Number(e.Value, fmt.Sprintf("weight for point %q", e.Key))
			if !ok {
				complete = false
				continue
			}
			if w < 0 || (!math.IsNaN(total) && w > total) || w > profile.MaxWeight {
				complete = false
			}
			bound("weight", fmt.Sprintf("point %q", e.Key), w, d.Resolve(e.Value))
			p.Weights[i] = w
		}
		if entries != nil {
			var missing []string
			for i, g := range given {
				if !g && !pts.bad[i] {
					missing = append(missing, pts.ids[i])
				}
			}
			if len(missing) > 0 {
				complete = false
				d.Errorf(o.Key("weights"), "weights: no weight for %s %s (every point needs one; use 0 for a point the party does not care about)", plural(len(missing), "point", "points"), quotedList(missing))
			}
			if complete && !math.IsNaN(total) && len(pts.bad) == 0 {
				if sum := p.WeightSum(); math.Abs(sum-total) > sumTolerance {
					d.Errorf(o.Key("weights"), "weights sum to %s, declared weights_total is %s", fmtNum(sum), fmtNum(total))
				}
			}
		}
	}

	// Scores of options points, value functions of numeric points.
	d.perPoint(o, what, fw, pts, pointSection{key: "scores", options: true,
		wrongKind: func(pt *framework.Point) string {
			return fmt.Sprintf("scores: point %q is %s point (scores are for options points; give it a value function under functions)", pt.ID, kindName(pt.Kind))
		},
		notGiven: "scores: no scores for %s %s (every options point needs one score per option)",
		noKey:    "%s: missing key \"scores\" (needed for the options %s %s)",
		decode:   func(e posyaml.Entry, i int, pt *framework.Point) { p.Scores[i] = d.scores(e, pt, p.Scale) },
	})
	hasNumeric := false
	for i := range fw.Points {
		hasNumeric = hasNumeric || fw.Points[i].Kind != framework.Options
	}
	if hasNumeric {
		p.Funcs = make([]*profile.ValueFunc, np)
	}
	d.perPoint(o, what, fw, pts, pointSection{key: "functions", options: false,
		wrongKind: func(pt *framework.Point) string {
			return fmt.Sprintf("functions: point %q is an options point (value functions are for integer and real points; give it scores under scores)", pt.ID)
		},
		notGiven: "functions: no value function for %s %s (every integer or real point needs one)",
		noKey:    "%s: missing key \"functions\" (needed for the numeric %s %s)",
		decode:   func(e posyaml.Entry, i int, pt *framework.Point) { p.Funcs[i] = d.valueFunc(e.Value, pt) },
	})

	if o.Has("reservation") {
		if r, ok := d.Number(o.Value("reservation"), "reservation"); ok {
			v := d.Resolve(o.Value("reservation"))
			switch {
			case r < 0:
				d.Errorf(v, "reservation %s is negative (expected a utility in [0,%s])", posyaml.ScalarText(v), totalText(total))
			case !math.IsNaN(total) && r > total:
				d.Errorf(v, "reservation %s is above weights_total %s (expected a utility in [0,%s])", posyaml.ScalarText(v), fmtNum(total), fmtNum(total))
			case r > profile.MaxReservation:
				d.Errorf(v, "reservation %s is above %s (the largest reservation accepted)", posyaml.ScalarText(v), fmtNum(profile.MaxReservation))
			}
			p.Reservation = &r
		}
	}
	if o.Has("fallback") {
		p.Fallback = d.fallback(o.Value("fallback"), o.Key("fallback"), fw, pts)
	}
	if o.Has("red_lines") {
		p.RedLines = d.redLines(o.Value("red_lines"), fw, pts)
	}
	if o.Has("interactions") {
		p.Interactions = d.interactions(o.Value("interactions"), fw, pts, total)
	}
	if o.Has("discount") {
		if v, ok := d.Number(o.Value("discount"), "discount"); ok {
			p.Discount = v
		}
	}
	if o.Has("uncertainty") {
		p.Uncertainty = d.uncertainty(o.Value("uncertainty"), fw, pts, total, p.Scale)
	}
	return p, estimate
}

func totalText(total float64) string {
	if math.IsNaN(total) {
		return "weights_total"
	}
	return fmtNum(total)
}

// scores decodes the option → score mapping of one options point.
func (d *decoder) scores(e posyaml.Entry, pt *framework.Point, scale profile.Scale) []float64 {
	entries, _ := d.Mapping(e.Value, fmt.Sprintf("scores of point %q", pt.ID))
	if entries == nil {
		return nil
	}
	out := make([]float64, len(pt.Options))
	given := make([]bool, len(pt.Options))
	for _, se := range entries {
		l := pt.Level(se.Key)
		if l < 0 {
			d.Errorf(se.KeyNode, "scores: point %q has no option %q (options: %s)%s", pt.ID, se.Key, posyaml.ListNames(optionIDs(pt)), posyaml.Suggest(se.Key, optionIDs(pt)))
			continue
		}
		given[l] = true
		v, ok := d.Number(se.Value, fmt.Sprintf("score of option %q of point %q", se.Key, pt.ID))
		if !ok {
			continue
		}
		vn := d.Resolve(se.Value)
		switch {
		case v < 0:
			d.Errorf(vn, "score %s for option %q of point %q is negative (expected a number ≥ 0)", posyaml.ScalarText(vn), se.Key, pt.ID)
		case scale == profile.ScaleAbsolute && v > 1:
			d.Errorf(vn, "score %s for option %q of point %q is above 1 (with scale: absolute, scores are evaluations in [0,1])", posyaml.ScalarText(vn), se.Key, pt.ID)
		case v > profile.MaxScore:
			d.Errorf(vn, "score %s for option %q of point %q is above %s (the largest score accepted; only ratios matter with scale: max)", posyaml.ScalarText(vn), se.Key, pt.ID, fmtNum(profile.MaxScore))
		}
		out[l] = v
	}
	var missing []string
	for l, g := range given {
		if !g {
			missing = append(missing, pt.Options[l].ID)
		}
	}
	if len(missing) > 0 {
		d.Errorf(e.KeyNode, "scores: point %q has no score for %s %s (every option needs one)", pt.ID, plural(len(missing), "option", "options"), quotedList(missing))
	}
	return out
}

// valueFunc decodes {linear: {...}} | {triangular: {...}} | {constant: v}.
func (d *decoder) valueFunc(n ast.Node, pt *framework.Point) *profile.ValueFunc {
	what := fmt.Sprintf("function of point %q", pt.ID)
	o, ok := d.Object(n, what, funcKinds, nil)
	if !ok {
		return nil
	}
	if o.Len() != 1 {
		d.Errorf(o.Node, "%s: expected exactly one of linear, triangular or constant, found %d", what, o.Len())
		return nil
	}
	f := &profile.ValueFunc{}
	switch {
	case o.Has("linear"):
		f.Kind = profile.Linear
		lo, ok := d.Object(o.Value("linear"), what+": linear", []string{"slope", "offset", "origin"}, []string{"slope"})
		if !ok {
			return nil
		}
		f.Origin = pt.Min
		if !d.funcParams(lo, what, []string{"slope", "offset", "origin"}, []*float64{&f.Slope, &f.Offset, &f.Origin}) {
			return nil
		}
	case o.Has("triangular"):
		f.Kind = profile.Triangular
		to, ok := d.Object(o.Value("triangular"), what+": triangular", []string{"low", "top", "high", "top_value"}, []string{"low", "top", "high"})
		if !ok {
			return nil
		}
		f.TopValue = 1
		if !d.funcParams(to, what, []string{"low", "top", "high", "top_value"}, []*float64{&f.Low, &f.Top, &f.High, &f.TopValue}) {
			return nil
		}
		if !(f.Low <= f.Top && f.Top <= f.High) {
			d.Errorf(to.Node, "%s: triangular low %s, top %s, high %s (expected low ≤ top ≤ high)", what, fmtNum(f.Low), fmtNum(f.Top), fmtNum(f.High))
			return nil
		}
		if f.TopValue < 0 || f.TopValue > 1 {
			d.Errorf(d.Resolve(to.Value("top_value")), "%s: top_value %s out of range (expected an evaluation in [0,1])", what, fmtNum(f.TopValue))
			return nil
		}
	case o.Has("constant"):
		f.Kind = profile.Constant
		v, ok := d.Number(o.Value("constant"), what+": constant")
		if !ok {
			return nil
		}
		if v < 0 || v > 1 {
			d.Errorf(d.Resolve(o.Value("constant")), "%s: constant %s out of range (expected an evaluation in [0,1])", what, fmtNum(v))
			return nil
		}
		f.Value = v
	}
	return f
}

// funcParam checks a value function's parameter against
// profile.MaxFuncParam.
func (d *decoder) funcParam(n ast.Node, what string, v float64) bool {
	if math.Abs(v) > profile.MaxFuncParam {
		d.Errorf(d.Resolve(n), "%s: %s is out of bounds (expected a number within ±1e100)", what, posyaml.ScalarText(d.Resolve(n)))
		return false
	}
	return true
}

// fallback decodes the BATNA package: a level for every point.
func (d *decoder) fallback(n, key ast.Node, fw *framework.Framework, pts *points) framework.Package {
	entries, _ := d.Mapping(n, "fallback")
	if entries == nil {
		return nil
	}
	pkg := framework.NewPackage(len(fw.Points))
	complete := true
	for _, e := range entries {
		i, ok := d.pointRef(e.KeyNode, e.Key, "fallback", pts)
		if !ok {
			complete = false
			continue
		}
		l, ok := d.level(e.Value, &fw.Points[i], "fallback")
		if !ok {
			complete = false
			continue
		}
		pkg[i] = l
	}
	given := make([]bool, len(fw.Points))
	for _, e := range entries {
		if i, ok := pts.index[e.Key]; ok {
			given[i] = true
		}
	}
	var missing []string
	for i, g := range given {
		if !g && !pts.bad[i] {
			missing = append(missing, fw.Points[i].ID)
		}
	}
	if len(missing) > 0 {
		d.Errorf(key, "fallback: no level for %s %s (a fallback is a complete package: it names a level for every point)", plural(len(missing), "point", "points"), quotedList(missing))
		complete = false
	}
	if !complete {
		return nil
	}
	return pkg
}

// redLines decodes the red_lines list.
func (d *decoder) redLines(n ast.Node, fw *framework.Framework, pts *points) []profile.RedLine {
	items, ok := d.List(n, "red_lines")
	if !ok {
		return nil
	}
	if len(items) > profile.MaxRedLines {
		d.Errorf(items[profile.MaxRedLines], "red_lines: %d red lines (at most %d per profile)", len(items), profile.MaxRedLines)
		return nil
	}
	var out []profile.RedLine
	listed := 0
	for _, item := range items {
		if d.Full() {
			break
		}
		o, _ := d.Object(item, "red line", []string{"when", "reason"}, []string{"when"})
		if !o.IsMapping() || !o.Has("when") {
			continue
		}
		var rl profile.RedLine
		d.optStr(o, "reason", &rl.Reason)
		rl.Terms = d.terms(o.Value("when"), fw, pts, termsSpec{what: "red line", key: "when", section: "red_lines", maxListed: profile.MaxRedLineLevels}, &listed)
		out = append(out, rl)
	}
	return out
}

// interval decodes [lo, hi].
func (d *decoder) interval(n ast.Node, what string, hiBound float64, boundWhy string, limit float64) *profile.Interval {
	items, ok := d.List(n, what)
	if !ok {
		return nil
	}
	if len(items) != 2 {
		d.Errorf(d.Resolve(n), "%s: expected an interval [low, high], found a list of %d", what, len(items))
		return nil
	}
	lo, ok1 := d.Number(items[0], what+": low")
	hi, ok2 := d.Number(items[1], what+": high")
	if !ok1 || !ok2 {
		return nil
	}
	switch {
	case lo > hi:
		d.Errorf(d.Resolve(n), "%s: interval [%s, %s] has low > high", what, fmtNum(lo), fmtNum(hi))
		return nil
	case lo < 0:
		d.Errorf(d.Resolve(n), "%s: interval [%s, %s] is negative (expected bounds ≥ 0)", what, fmtNum(lo), fmtNum(hi))
		return nil
	case !math.IsNaN(hiBound) && hi > hiBound:
		d.Errorf(d.Resolve(n), "%s: interval [%s, %s] goes above %s (%s)", what, fmtNum(lo), fmtNum(hi), fmtNum(hiBound), boundWhy)
		return nil
	case hi > limit:
		d.Errorf(d.Resolve(n), "%s: interval [%s, %s] goes above %s (the largest value accepted)", what, fmtNum(lo), fmtNum(hi), fmtNum(limit))
		return nil
	}
	return &profile.Interval{Lo: lo, Hi: hi}
}

// uncertainty decodes the intervals of an estimated profile.
func (d *decoder) uncertainty(n ast.Node, fw *framework.Framework, pts *points, total float64, scale profile.Scale) *profile.Uncertainty {
	o, _ := d.Object(n, "uncertainty", []string{"weights", "scores", "reservation"}, nil)
	if !o.IsMapping() {
		return nil
	}
	u := &profile.Uncertainty{}
	totalWhy := fmt.Sprintf("weights_total is %s", fmtNum(total))
	if o.Has("weights") {
		entries, _ := d.Mapping(o.Value("weights"), "uncertainty: weights")
		for _, e := range entries {
			i, ok := d.pointRef(e.KeyNode, e.Key, "uncertainty: weights", pts)
			if !ok {
				continue
			}
			iv := d.interval(e.Value, fmt.Sprintf("uncertainty: weight of point %q", e.Key), total, totalWhy, profile.MaxWeight)
			if iv == nil {
				continue
			}
			if u.Weights == nil {
				u.Weights = make([]*profile.Interval, len(fw.Points))
			}
			u.Weights[i] = iv
		}
	}
	if o.Has("scores") {
		entries, _ := d.Mapping(o.Value("scores"), "uncertainty: scores")
		for _, e := range entries {
			i, ok := d.pointRef(e.KeyNode, e.Key, "uncertainty: scores", pts)
			if !ok {
				continue
			}
			pt := &fw.Points[i]
			if pt.Kind != framework.Options {
				d.Errorf(e.KeyNode, "uncertainty: scores: point %q is %s point (score intervals are for options points)", pt.ID, kindName(pt.Kind))
				continue
			}
			opts, _ := d.Mapping(e.Value, fmt.Sprintf("uncertainty: scores of point %q", pt.ID))
			hi, why := math.NaN(), ""
			if scale == profile.ScaleAbsolute {
				hi, why = 1, "with scale: absolute, scores are evaluations in [0,1]"
			}
			for _, oe := range opts {
				l := pt.Level(oe.Key)
				if l < 0 {
					d.Errorf(oe.KeyNode, "uncertainty: scores: point %q has no option %q (options: %s)%s", pt.ID, oe.Key, posyaml.ListNames(optionIDs(pt)), posyaml.Suggest(oe.Key, optionIDs(pt)))
					continue
				}
				iv := d.interval(oe.Value, fmt.Sprintf("uncertainty: score of option %q of point %q", oe.Key, pt.ID), hi, why, profile.MaxScore)
				if iv == nil {
					continue
				}
				if u.Scores == nil {
					u.Scores = make([][]*profile.Interval, len(fw.Points))
				}
				if u.Scores[i] == nil {
					u.Scores[i] = make([]*profile.Interval, len(pt.Options))
				}
				u.Scores[i][l] = iv
			}
		}
	}
	if o.Has("reservation") {
		u.Reservation = d.interval(o.Value("reservation"), "uncertainty: reservation", total, totalWhy, profile.MaxReservation)
	}
	return u
}

// notGiven lists the points among ids (in their order) that given does
// not mark.
func notGiven(ids []string, given []bool, pts *points) []string {
	var out []string
	for _, id := range ids {
		if !given[pts.index[id]] {
			out = append(out, id)
		}
	}
	return out
}

// pointSection is a per-point section of a profile: scores (of options
// points) or functions (of numeric points), with its messages.
type pointSection struct {
	key string
	// options: the section is for options points (else numeric ones).
	options bool
	// wrongKind says why a point of the other kind has no place here.
	wrongKind func(pt *framework.Point) string
	// notGiven and noKey are the messages for points without an entry
	// (plural noun, list) and for a missing section (what, noun, list).
	notGiven, noKey string
	decode          func(e posyaml.Entry, i int, pt *framework.Point)
}

// perPoint decodes a per-point section: an entry for every point of its
// kind, decoded by sec.decode; it reports points of the other kind, points
// of its kind left out, and the section missing while a point needs it.
func (d *decoder) perPoint(o posyaml.Object, what string, fw *framework.Framework, pts *points, sec pointSection) {
	var want []string
	for i := range fw.Points {
		if (fw.Points[i].Kind == framework.Options) == sec.options && !pts.bad[i] {
			want = append(want, fw.Points[i].ID)
		}
	}
	if !o.Has(sec.key) {
		if len(want) > 0 {
			d.Errorf(o.Node, sec.noKey, what, plural(len(want), "point", "points"), quotedList(want))
		}
		return
	}
	entries, _ := d.Mapping(o.Value(sec.key), sec.key)
	given := make([]bool, len(fw.Points))
	for _, e := range entries {
		i, ok := d.pointRef(e.KeyNode, e.Key, sec.key, pts)
		if !ok {
			continue
		}
		given[i] = true
		pt := &fw.Points[i]
		if (pt.Kind == framework.Options) != sec.options {
			d.Errorf(e.KeyNode, "%s", sec.wrongKind(pt))
			continue
		}
		sec.decode(e, i, pt)
	}
	if entries != nil {
		if missing := notGiven(want, given, pts); len(missing) > 0 {
			d.Errorf(o.Key(sec.key), sec.notGiven, plural(len(missing), "point", "points"), quotedList(missing))
		}
	}
}

// funcParams decodes the numbers of a value function's keys given in o
// into dst (in the keys' order; an absent key leaves its default), and
// reports whether all were good.
func (d *decoder) funcParams(o posyaml.Object, what string, keys []string, dst []*float64) bool {
	ok := true
	for i, k := range keys {
		if !o.Has(k) {
			continue
		}
		v, good := d.Number(o.Value(k), what+": "+k)
		good = good && d.funcParam(o.Value(k), what+": "+k, v)
		ok = ok && good
		*dst[i] = v
	}
	return ok
}
