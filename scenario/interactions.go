package scenario

import (
	"fmt"
	"math"

	"github.com/goccy/go-yaml/ast"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/internal/posyaml"
	"github.com/parley-negotiation/parley/profile"
)

// A profile's interactions (its non-additive terms, profile.Interaction)
// and the terms they share with red lines: a mapping from point id to the
// levels that match, written as a level, a list of levels or, for the
// numeric points of an interaction, a range {from, to}.

var (
	interactionKeys = []string{"when", "unless", "value", "label"}
	rangeKeys       = []string{"from", "to"}
)

// minRangeLevels is the fewest consecutive levels of a numeric point that
// the writer gives as a range {from, to} rather than a list.
const minRangeLevels = 3

// termsSpec says how a when (or unless) mapping is read: what names it in
// messages ("red line", "interaction"), the key it is under, the profile's
// section and its bound on levels listed in all, and whether numeric points
// may be given a range.
type termsSpec struct {
	what, key, section string
	maxListed          int
	ranges             bool
}

// terms decodes a when (or unless) mapping: point id → a level, a list of
// levels, or (spec.ranges, numeric points) a range {from, to}. listed counts
// the levels listed over the whole section, against spec.maxListed.
func (d *decoder) terms(n ast.Node, fw *framework.Framework, pts *points, spec termsSpec, listed *int) []profile.Term {
	entries, _ := d.Mapping(n, spec.what+": "+spec.key)
	if entries != nil && len(entries) == 0 {
		d.Errorf(d.Resolve(n), "%s: %s: expected at least one point, found an empty mapping", spec.what, spec.key)
	}
	var out []profile.Term
	count := func(v ast.Node, k int) {
		before := *listed
		*listed += k
		if before <= spec.maxListed && *listed > spec.maxListed {
			d.Errorf(d.Resolve(v), "%s: more than %d levels listed in all (at most %d per profile)", spec.section, spec.maxListed, spec.maxListed)
		}
	}
	for _, e := range entries {
		i, ok := d.pointRef(e.KeyNode, e.Key, spec.what, pts)
		if !ok {
			continue
		}
		pt := &fw.Points[i]
		t := profile.Term{Point: i}
		r := d.Resolve(e.Value)
		if r == nil {
			continue
		}
		if _, isMap := posyaml.MappingValues(r); isMap && spec.ranges {
			lo, hi, ok := d.levelRange(r, pt, spec.what)
			if ok {
				count(r, hi-lo+1)
				for l := lo; l <= hi; l++ {
					t.Levels = append(t.Levels, l)
				}
			}
			out = append(out, t)
			continue
		}
		vals := []ast.Node{e.Value}
		if seq, isSeq := r.(*ast.SequenceNode); isSeq {
			vals = seq.Values
			if len(vals) == 0 {
				d.Errorf(seq, "%s: point %q: expected at least one level, found an empty list", spec.what, pt.ID)
			}
		}
		seen := map[int]bool{}
		for _, v := range vals {
			l, ok := d.level(v, pt, spec.what)
			if !ok {
				continue
			}
			if seen[l] {
				d.Errorf(d.Resolve(v), "%s: point %q: level %s listed twice", spec.what, pt.ID, pt.LevelID(l))
				continue
			}
			seen[l] = true
			count(v, 1)
			t.Levels = append(t.Levels, l)
		}
		out = append(out, t)
	}
	return out
}

// levelRange decodes {from: X, to: Y} for a numeric point: the levels from
// X's to Y's, both included (a real bound stands for its nearest level).
func (d *decoder) levelRange(n ast.Node, pt *framework.Point, what string) (lo, hi int, ok bool) {
	if pt.Kind == framework.Options {
		d.Errorf(n, "%s: point %q is an options point: a range {from, to} is for integer and real points (list the options instead)", what, pt.ID)
		return 0, 0, false
	}
	o, good := d.Object(n, fmt.Sprintf("%s: point %q: range", what, pt.ID), rangeKeys, rangeKeys)
	if !good || !o.IsMapping() {
		return 0, 0, false
	}
	lo, ok1 := d.level(o.Value("from"), pt, what)
	hi, ok2 := d.level(o.Value("to"), pt, what)
	if !ok1 || !ok2 {
		return 0, 0, false
	}
	if lo > hi {
		d.Errorf(n, "%s: point %q: range from %s to %s is empty (expected from ≤ to)", what, pt.ID, posyaml.ScalarText(d.Resolve(o.Value("from"))), posyaml.ScalarText(d.Resolve(o.Value("to"))))
		return 0, 0, false
	}
	return lo, hi, true
}

// interactions decodes the interactions list of a profile whose declared
// weights_total is total (NaN: any).
func (d *decoder) interactions(n ast.Node, fw *framework.Framework, pts *points, total float64) []profile.Interaction {
	items, ok := d.List(n, "interactions")
	if !ok {
		return nil
	}
	if len(items) > profile.MaxInteractions {
		d.Errorf(items[profile.MaxInteractions], "interactions: %d interactions (at most %d per profile)", len(items), profile.MaxInteractions)
		return nil
	}
	var out []profile.Interaction
	listed := 0
	for _, item := range items {
		if d.Full() {
			break
		}
		o, _ := d.Object(item, "interaction", interactionKeys, []string{"value"})
		if !o.IsMapping() {
			continue
		}
		var in profile.Interaction
		d.optStr(o, "label", &in.Label)
		key := "when"
		switch {
		case o.Has("when") && o.Has("unless"):
			d.Errorf(o.Key("unless"), "interaction: both when and unless given (expected one of them: when adds the value to a package that matches every term, unless to one that misses some term)")
			continue
		case o.Has("unless"):
			key, in.Outside = "unless", true
		case !o.Has("when"):
			d.Errorf(o.Node, "interaction: missing key \"when\" (or \"unless\"): the terms the value depends on")
			continue
		}
		in.Terms = d.terms(o.Value(key), fw, pts, termsSpec{what: "interaction", key: key, section: "interactions", maxListed: profile.MaxInteractionLevels, ranges: true}, &listed)
		if o.Has("value") {
			if v, ok := d.Number(o.Value("value"), "interaction: value"); ok {
				vn := d.Resolve(o.Value("value"))
				switch {
				case !math.IsNaN(total) && math.Abs(v) > total:
					d.Errorf(vn, "interaction: value %s is outside [-%s, %s] (an interaction's value is a utility: at most weights_total either way)", posyaml.ScalarText(vn), fmtNum(total), fmtNum(total))
				case math.Abs(v) > profile.MaxScore:
					d.Errorf(vn, "interaction: value %s is outside [-%s, %s] (the largest interaction value accepted)", posyaml.ScalarText(vn), fmtNum(profile.MaxScore), fmtNum(profile.MaxScore))
				}
				in.Value = v
			}
		}
		out = append(out, in)
	}
	return out
}

// termsTree writes the terms of a red line or an interaction as the
// mapping of its when (or unless): one level as a scalar, several as a
// list, and (ranges) minRangeLevels or more consecutive ascending levels of
// a numeric point as {from, to} when both ends read back as themselves.
func termsTree(fw *framework.Framework, terms []profile.Term, ranges bool) *omap {
	when := &omap{flow: true}
	for _, t := range terms {
		pt := &fw.Points[t.Point]
		switch {
		case len(t.Levels) == 1:
			when.set(pt.ID, levelValue(pt, t.Levels[0]))
		case ranges && pt.Kind != framework.Options && consecutive(t.Levels) && writable(pt, t.Levels[0]) && writable(pt, t.Levels[len(t.Levels)-1]):
			r := &omap{flow: true}
			r.set("from", levelValue(pt, t.Levels[0]))
			r.set("to", levelValue(pt, t.Levels[len(t.Levels)-1]))
			when.set(pt.ID, r)
		default:
			ls := make([]any, len(t.Levels))
			for k, l := range t.Levels {
				ls[k] = levelValue(pt, l)
			}
			when.set(pt.ID, ls)
		}
	}
	return when
}

// writable reports whether level l of a numeric point reads back as l
// (not so on a real point whose min equals its max, where every level has
// the same value).
func writable(pt *framework.Point, l int) bool { return pt.NearestLevel(pt.Value(l)) == l }

// consecutive reports whether ls holds at least minRangeLevels levels, each
// one more than the one before.
func consecutive(ls []int) bool {
	if len(ls) < minRangeLevels {
		return false
	}
	for k := 1; k < len(ls); k++ {
		if ls[k] != ls[k-1]+1 {
			return false
		}
	}
	return true
}

// interactionsTree writes a profile's interactions: when (or unless), value
// and label.
func interactionsTree(fw *framework.Framework, ins []profile.Interaction) []any {
	out := make([]any, 0, len(ins))
	for _, in := range ins {
		m := &omap{}
		key := "when"
		if in.Outside {
			key = "unless"
		}
		m.set(key, termsTree(fw, in.Terms, true))
		m.set("value", fnum(in.Value))
		m.setStr("label", in.Label)
		out = append(out, m)
	}
	return out
}
