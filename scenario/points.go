package scenario

import (
	"fmt"
	"math"
	"strconv"

	"github.com/goccy/go-yaml/ast"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/internal/posyaml"
)

// The points section (the framework: points with options, integer or real
// ranges) and the references to points and their levels that the other
// sections make.

var (
	pointKeys  = []string{"id", "title", "description", "options", "integer", "real"}
	optionKeys = []string{"id", "label", "clause"}
)

// points is what the profile decoder needs to know about the framework.
type points struct {
	index map[string]int // point id → index
	ids   []string       // in framework order
	bad   map[int]bool   // points whose definition had problems: skip references
}

// points decodes the points list into fw.Points.
func (d *decoder) points(n ast.Node, fw *framework.Framework) *points {
	pts := &points{index: map[string]int{}, bad: map[int]bool{}}
	items, ok := d.List(n, "points")
	if !ok {
		return pts
	}
	if len(items) == 0 {
		d.Errorf(d.Resolve(n), "points: expected at least one point, found an empty list")
	}
	if len(items) > framework.MaxPoints {
		d.Errorf(items[framework.MaxPoints], "points: %d points (a framework has at most %d)", len(items), framework.MaxPoints)
		return pts
	}
	levels, digits, tooBig := 0, 0.0, false
	for _, item := range items {
		if d.Full() {
			break
		}
		pt, good := d.point(item)
		if pt.ID == "" {
			continue
		}
		if _, dup := pts.index[pt.ID]; dup {
			d.Errorf(item, "point %q is defined twice (point ids must be unique)", pt.ID)
			continue
		}
		if good && !tooBig {
			levels += pt.Levels()
			digits += math.Log10(float64(pt.Levels()))
			switch {
			case levels > framework.MaxTotalLevels:
				d.Errorf(item, "point %q brings the options and values of all points to %d (at most %d in all)", pt.ID, levels, framework.MaxTotalLevels)
				tooBig, good = true, false
			case digits > framework.MaxSpaceDigits:
				d.Errorf(item, "point %q brings the number of packages to about 10^%.0f (at most 10^%d)", pt.ID, math.Floor(digits), framework.MaxSpaceDigits)
				tooBig, good = true, false
			}
		}
		pts.index[pt.ID] = len(fw.Points)
		pts.ids = append(pts.ids, pt.ID)
		if !good {
			pts.bad[len(fw.Points)] = true
		}
		fw.Points = append(fw.Points, pt)
	}
	return pts
}

// point decodes one point; good is false when anything was wrong.
func (d *decoder) point(n ast.Node) (pt framework.Point, good bool) {
	o, good := d.Object(n, d.peekID(d.Resolve(n), "point"), pointKeys, []string{"id"})
	if !o.IsMapping() {
		return pt, false
	}
	if o.Has("id") {
		if id, ok := d.Str(o.Value("id"), "point id"); ok && d.checkID(o.Value("id"), "point id", id) {
			pt.ID = id
		} else {
			good = false
		}
	}
	what := "point"
	if pt.ID != "" {
		what = fmt.Sprintf("point %q", pt.ID)
	}
	d.optStr(o, "title", &pt.Title)
	d.optStr(o, "description", &pt.Description)
	var kinds []string
	for _, k := range []string{"options", "integer", "real"} {
		if o.Has(k) {
			kinds = append(kinds, k)
		}
	}
	switch len(kinds) {
	case 0:
		d.Errorf(o.Node, "%s: no values: expected one of the keys options, integer or real", what)
		return pt, false
	case 1:
	default:
		d.Errorf(o.Key(kinds[1]), "%s: both %s and %s given (expected exactly one of options, integer or real)", what, kinds[0], kinds[1])
		return pt, false
	}
	switch kinds[0] {
	case "options":
		pt.Kind = framework.Options
		items, ok := d.List(o.Value("options"), what+": options")
		if !ok {
			return pt, false
		}
		if len(items) == 0 {
			d.Errorf(d.Resolve(o.Value("options")), "%s: options: expected at least one option, found an empty list", what)
			good = false
		}
		seen := map[string]bool{}
		for _, item := range items {
			if d.Full() {
				return pt, false
			}
			oo, ok := d.Object(item, what+": "+d.peekID(d.Resolve(item), "option"), optionKeys, []string{"id"})
			if !ok {
				good = false
			}
			if !oo.IsMapping() || !oo.Has("id") {
				continue
			}
			var opt framework.Option
			id, ok := d.Str(oo.Value("id"), "option id")
			if !ok || !d.checkID(oo.Value("id"), "option id", id) {
				good = false
				continue
			}
			if seen[id] {
				d.Errorf(d.Resolve(oo.Value("id")), "%s: option %q is defined twice (option ids must be unique within a point)", what, id)
				good = false
				continue
			}
			seen[id] = true
			opt.ID = id
			d.optStr(oo, "label", &opt.Label)
			d.optStr(oo, "clause", &opt.Clause)
			pt.Options = append(pt.Options, opt)
		}
		if len(pt.Options) > framework.MaxLevels {
			d.Errorf(d.Resolve(o.Value("options")), "%s: %d options (at most %d)", what, len(pt.Options), framework.MaxLevels)
			return pt, false
		}
	case "integer":
		pt.Kind = framework.Integer
		r, ok := d.Object(o.Value("integer"), what+": integer", []string{"min", "max"}, []string{"min", "max"})
		if !ok {
			return pt, false
		}
		lo, ok1 := d.Int(r.Value("min"), what+": min")
		hi, ok2 := d.Int(r.Value("max"), what+": max")
		if !ok1 || !ok2 {
			return pt, false
		}
		pt.Min, pt.Max = float64(lo), float64(hi)
		if hi < lo {
			d.Errorf(r.Node, "%s: integer range min %d > max %d (expected min ≤ max)", what, lo, hi)
			return pt, false
		}
		if hi-lo+1 > framework.MaxLevels {
			d.Errorf(r.Node, "%s: integer range %d..%d has %d values (at most %d)", what, lo, hi, hi-lo+1, framework.MaxLevels)
			return pt, false
		}
	case "real":
		pt.Kind = framework.Real
		r, ok := d.Object(o.Value("real"), what+": real", []string{"min", "max", "steps"}, []string{"min", "max"})
		if !ok {
			return pt, false
		}
		lo, ok1 := d.Number(r.Value("min"), what+": min")
		hi, ok2 := d.Number(r.Value("max"), what+": max")
		if !ok1 || !ok2 {
			return pt, false
		}
		pt.Min, pt.Max = lo, hi
		if hi < lo {
			d.Errorf(r.Node, "%s: real range min %s > max %s (expected min ≤ max)", what, fmtNum(lo), fmtNum(hi))
			return pt, false
		}
		if math.Abs(lo) > framework.MaxMagnitude || math.Abs(hi) > framework.MaxMagnitude {
			d.Errorf(r.Node, "%s: real range %s..%s is out of bounds (expected min and max within ±1e100)", what, fmtNum(lo), fmtNum(hi))
			return pt, false
		}
		if r.Has("steps") {
			st, ok := d.Int(r.Value("steps"), what+": steps")
			if !ok {
				return pt, false
			}
			if st < 2 || st > framework.MaxLevels {
				d.Errorf(d.Resolve(r.Value("steps")), "%s: steps %d out of range (expected 2..%d; omit for the default %d)", what, st, framework.MaxLevels, framework.DefaultRealSteps)
				return pt, false
			}
			pt.Steps = int(st)
		}
	}
	return pt, good
}

// pointRef resolves a point id used as a key in section what. Points whose
// definition had problems are skipped silently (their problem is reported).
func (d *decoder) pointRef(n ast.Node, id, what string, pts *points) (int, bool) {
	i, ok := pts.index[id]
	if !ok {
		d.Errorf(n, "%s: no point %q (points: %s)%s", what, id, posyaml.ListNames(pts.ids), posyaml.Suggest(id, pts.ids))
		return 0, false
	}
	if pts.bad[i] {
		return 0, false
	}
	return i, true
}

// optionIDs lists the option ids of an options point.
func optionIDs(pt *framework.Point) []string {
	ids := make([]string, len(pt.Options))
	for i, o := range pt.Options {
		ids[i] = o.ID
	}
	return ids
}

// level resolves a value naming a level of point pt: an option id, or a
// number of an integer or real point (written as a number or a string).
func (d *decoder) level(n ast.Node, pt *framework.Point, what string) (int, bool) {
	r := d.Resolve(n)
	if r == nil {
		return 0, false
	}
	if !posyaml.IsScalar(r) {
		d.Errorf(r, "%s: point %q: expected a level, found %s", what, pt.ID, posyaml.Describe(r))
		return 0, false
	}
	text := posyaml.ScalarText(r)
	if pt.Kind == framework.Options {
		l := pt.Level(text)
		if l < 0 {
			d.Errorf(r, "%s: point %q has no option %q (options: %s)%s", what, pt.ID, text, posyaml.ListNames(optionIDs(pt)), posyaml.Suggest(text, optionIDs(pt)))
			return 0, false
		}
		return l, true
	}
	v, ok := posyaml.NumberValue(r)
	if !ok {
		var err error
		v, err = strconv.ParseFloat(trimSpace(text), 64)
		ok = err == nil
	}
	if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
		d.Errorf(r, "%s: point %q is %s point: expected a number, found %s", what, pt.ID, kindName(pt.Kind), posyaml.Describe(r))
		return 0, false
	}
	if pt.Kind == framework.Integer {
		if v != math.Trunc(v) || v < pt.Min || v > pt.Max {
			d.Errorf(r, "%s: point %q has no level %s (expected an integer in %s..%s)", what, pt.ID, text, fmtNum(pt.Min), fmtNum(pt.Max))
			return 0, false
		}
		return int(v - pt.Min), true
	}
	l := pt.NearestLevel(v)
	if l < 0 {
		d.Errorf(r, "%s: point %q has no level %s (expected a number in [%s, %s])", what, pt.ID, text, fmtNum(pt.Min), fmtNum(pt.Max))
		return 0, false
	}
	return l, true
}

// kindName is the kind with its article: "an integer", "a real".
func kindName(k framework.Kind) string {
	if k == framework.Real {
		return "a real"
	}
	return "an " + k.String()
}
