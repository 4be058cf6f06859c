package analysis

import (
	"math"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// This file holds what the agreement zone (zone.go) needs for profiles with
// interactions (profile.Table.Effects): the Gray-code walker's incremental
// effect values and the per-point overlap search's bound on what the
// effects can still add. Additive tables never reach it.

// utilityScale bounds the magnitude of any partial sum of t's utility: the
// sum over points of the largest |contribution| plus the sum of the
// interactions' |values|.
func utilityScale(t *profile.Table) float64 {
	m := 0.0
	for _, c := range t.Contrib {
		mx := 0.0
		for _, v := range c {
			mx = math.Max(mx, math.Abs(v))
		}
		m += mx
	}
	for e := range t.Effects {
		m += math.Abs(t.Effects[e].Value)
	}
	return m
}

// walkSlack is the margin within which the Gray walker's incremental
// utility of a party with table t stays of Table.Utility (points points):
// each of the exactEvery steps between two exact recomputations rounds at
// most 3 + (effects on one point) times, each rounding by at most 2^-53 of
// utilityScale; Table.Utility itself rounds once per point and effect. A
// margin four times that bound, and never below exactSlack, keeps every
// decision taken without an exact recomputation right. It is exactSlack
// for additive tables with utilities up to about 80.
func walkSlack(t *profile.Table, points int) float64 {
	flips := 0
	if len(t.Effects) > 0 {
		on := make([]int, len(t.Contrib))
		for e := range t.Effects {
			for _, tm := range t.Effects[e].Terms {
				on[tm.Point]++
				flips = max(flips, on[tm.Point])
			}
		}
	}
	ops := float64(exactEvery)*float64(3+flips) + 2*float64(points+len(t.Effects)) + 4
	return math.Max(exactSlack, 0x1p-50*utilityScale(t)*ops)
}

// searchSlack is the rounding margin of the overlap search's bound for a
// party with table t: the bound adds the partial sum, the contribution, the
// best of the rest and the effects' bound (itself updated once per term
// along a path), each rounded, against Table.Utility's own roundings.
func searchSlack(t *profile.Table) float64 {
	terms := 0
	for e := range t.Effects {
		terms += len(t.Effects[e].Terms)
	}
	ops := 3*float64(len(t.Contrib)) + 2*float64(len(t.Effects)+terms) + 4
	return math.Max(rationalSlack, 0x1p-50*utilityScale(t)*ops)
}

// effectSet lists every party's effects with their terms indexed by point:
// the common part of walkEffects and searchEffects.
type effectSet struct {
	party   []int
	value   []float64
	outside []bool
	terms   []int // number of terms
	// onPoint[k] lists the effects with a term on point k, inTerm[k] that
	// term's levels (In), in the same order.
	onPoint [][]int
	inTerm  [][][]bool
}

// newEffectSet collects the effects of s's tables; nil when every table is
// additive.
func newEffectSet(s *Space) *effectSet {
	additive := true
	for _, t := range s.Tables {
		additive = additive && t.Additive()
	}
	if additive {
		return nil
	}
	n := len(s.Framework.Points)
	es := &effectSet{onPoint: make([][]int, n), inTerm: make([][][]bool, n)}
	for j, t := range s.Tables {
		for e := range t.Effects {
			ef := &t.Effects[e]
			g := len(es.party)
			es.party = append(es.party, j)
			es.value = append(es.value, ef.Value)
			es.outside = append(es.outside, ef.Outside)
			es.terms = append(es.terms, len(ef.Terms))
			for _, tm := range ef.Terms {
				es.onPoint[tm.Point] = append(es.onPoint[tm.Point], g)
				es.inTerm[tm.Point] = append(es.inTerm[tm.Point], tm.In)
			}
		}
	}
	return es
}

// walkEffects tracks, for the Gray walker, how many terms of each effect
// the current package matches, and adds to or takes from the incremental
// utilities the value of each effect whose Applies changes. Effects with a
// term on the walker's open inner point are left out of the utilities (as
// Table.Utility leaves them out while that point is open) and added per
// level by innerRow.
type walkEffects struct {
	*effectSet
	matched []int
	onInner []bool
	// inner lists the effects with a term on the inner point, innerIn that
	// term's levels.
	inner   []int
	innerIn [][]bool
	d       int
	row     []float64
}

// newWalkEffects returns the tracker for a walker whose open inner point
// is inner (-1: none); nil when every table is additive.
func newWalkEffects(s *Space, inner int) *walkEffects {
	es := newEffectSet(s)
	if es == nil {
		return nil
	}
	w := &walkEffects{effectSet: es, matched: make([]int, len(es.party)), onInner: make([]bool, len(es.party)), d: s.N()}
	if inner >= 0 {
		for i, g := range es.onPoint[inner] {
			w.onInner[g] = true
			w.inner = append(w.inner, g)
			w.innerIn = append(w.innerIn, es.inTerm[inner][i])
		}
		w.row = make([]float64, s.Framework.Points[inner].Levels()*w.d)
	}
	return w
}

// reset counts the matched terms of every effect on pkg's decided points.
func (w *walkEffects) reset(pkg framework.Package) {
	clear(w.matched)
	for k, l := range pkg {
		if l < 0 {
			continue
		}
		for i, g := range w.onPoint[k] {
			if w.inTerm[k][i][l] {
				w.matched[g]++
			}
		}
	}
}

// change updates the counts for point k moving from level a to level b
// and, when u is not nil, adds to or takes from u the value of each effect
// (not on the inner point) whose Applies changes.
func (w *walkEffects) change(k, a, b int, u []float64) {
	for i, g := range w.onPoint[k] {
		in := w.inTerm[k][i]
		if in[a] == in[b] {
			continue
		}
		before := w.matched[g] == w.terms[g]
		if in[b] {
			w.matched[g]++
		} else {
			w.matched[g]--
		}
		if u == nil || w.onInner[g] {
			continue
		}
		if after := w.matched[g] == w.terms[g]; after != before {
			if after != w.outside[g] {
				u[w.party[g]] += w.value[g]
			} else {
				u[w.party[g]] -= w.value[g]
			}
		}
	}
}

// innerRow returns the inner point's row of contributions c (c[l*d+j]:
// party j's contribution of level l) plus, per level, the values of the
// effects on the inner point that apply with that level and the other
// points as they are; c itself when no effect is on the inner point.
func (w *walkEffects) innerRow(c []float64) []float64 {
	if len(w.inner) == 0 {
		return c
	}
	copy(w.row, c)
	d := w.d
	for i, g := range w.inner {
		others := w.matched[g] == w.terms[g]-1
		j, v, out := w.party[g], w.value[g], w.outside[g]
		for l, in := range w.innerIn[i] {
			if (others && in) != out {
				w.row[l*d+j] += v
			}
		}
	}
	return w.row
}

// searchEffects bounds, for the overlap search, what the effects add to
// each party's utility given the points decided so far: opt[j] is the sum
// over party j's effects of the value when it is decided (Applies is known:
// some decided term fails, or every term is decided) and of max(0, value)
// while it is not — an upper bound of the effects' total in every
// completion, exact once every point is decided.
type searchEffects struct {
	*effectSet
	decided, matched []int
	opt              []float64
}

// newSearchEffects returns the bound for s; nil when every table is
// additive.
func newSearchEffects(s *Space) *searchEffects {
	es := newEffectSet(s)
	if es == nil {
		return nil
	}
	return &searchEffects{effectSet: es, decided: make([]int, len(es.party)), matched: make([]int, len(es.party)), opt: make([]float64, s.N())}
}

// bound is effect g's part of opt.
func (se *searchEffects) bound(g int) float64 {
	switch {
	case se.decided[g] > se.matched[g]: // a term fails: Applies iff outside
		if se.outside[g] {
			return se.value[g]
		}
		return 0
	case se.decided[g] == se.terms[g]: // every term matches
		if se.outside[g] {
			return 0
		}
		return se.value[g]
	}
	return math.Max(0, se.value[g])
}

// reset forgets every decided point.
func (se *searchEffects) reset() {
	clear(se.decided)
	clear(se.matched)
	clear(se.opt)
	for g := range se.party {
		se.opt[se.party[g]] += se.bound(g)
	}
}

// set decides level l of point k.
func (se *searchEffects) set(k, l int) {
	for i, g := range se.onPoint[k] {
		old := se.bound(g)
		se.decided[g]++
		if se.inTerm[k][i][l] {
			se.matched[g]++
		}
		if nb := se.bound(g); nb != old {
			se.opt[se.party[g]] += nb - old
		}
	}
}

// unset takes back set(k, l)'s counts (the caller restores opt).
func (se *searchEffects) unset(k, l int) {
	for i, g := range se.onPoint[k] {
		se.decided[g]--
		if se.inTerm[k][i][l] {
			se.matched[g]--
		}
	}
}
