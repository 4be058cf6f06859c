package agent

import (
	"math"
	"slices"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// Red lines in knapsack spaces.
//
// A red line forbids every package whose level at each of its points lies
// in a set (profile.RedLine: a term per point, every term must match). A
// line on one point forbids options; a line on several forbids a
// combination. The packages that cross none of a profile's red lines are a
// disjoint union of boxes, products of one set of levels per point:
// splitting a box on a line of points i₁…i_k gives the box with i₁ outside
// the line's set, the box with i₁ inside and i₂ outside, …, and drops the
// box with every i_j inside (k boxes at most; none when the line misses
// the box). Each box is an ordinary multiple-choice knapsack over its own
// levels, with nothing to exclude: its bitsets of reachable sums are
// exact, so Near keeps its proven bound and no search spends its budget on
// forbidden packages. (Rejecting forbidden packages one by one, as a
// black-box Excluding must, can fail outright: a depth-first search that
// takes every point's lowest contribution first starts in a party's
// forbidden options, which are its worst ones, and may never leave them.)

// lineSet is a red line as per-point sets of levels: a package crosses it
// when the level of each of its points is in that point's set.
type lineSet struct {
	pts  []int
	sets [][]bool // sets[k][l]: level l of point pts[k] is in the line
}

func (r *lineSet) crossed(p framework.Package) bool {
	for k, i := range r.pts {
		if !r.sets[k][p[i]] {
			return false
		}
	}
	return true
}

// compileLines converts red lines to level sets over radix, merging the
// terms on one point (a package must match all of them). Lines that no
// package can cross (no terms, or a point or set with no level in range)
// are dropped, as profile.RedLine.Crossed never reports them.
func compileLines(radix []int, lines []profile.RedLine) []lineSet {
	var out []lineSet
next:
	for _, rl := range lines {
		if len(rl.Terms) == 0 {
			continue
		}
		var ls lineSet
		for _, t := range rl.Terms {
			if t.Point < 0 || t.Point >= len(radix) {
				continue next
			}
			set := make([]bool, radix[t.Point])
			for _, l := range t.Levels {
				if l >= 0 && l < len(set) {
					set[l] = true
				}
			}
			k := slices.Index(ls.pts, t.Point)
			if k < 0 {
				ls.pts = append(ls.pts, t.Point)
				ls.sets = append(ls.sets, set)
				continue
			}
			for l := range set {
				ls.sets[k][l] = ls.sets[k][l] && set[l]
			}
		}
		for _, s := range ls.sets {
			if !slices.Contains(s, true) {
				continue next
			}
		}
		out = append(out, ls)
	}
	return out
}

// box is a set of packages: per point, the framework levels allowed
// (ascending).
type box [][]int

func (b box) clone() box {
	c := make(box, len(b))
	for i, ls := range b {
		c[i] = slices.Clone(ls)
	}
	return c
}

// meets reports whether some package of b crosses r.
func (b box) meets(r *lineSet) bool {
	for k, i := range r.pts {
		if !slices.ContainsFunc(b[i], func(l int) bool { return r.sets[k][l] }) {
			return false
		}
	}
	return true
}

// full reports whether b allows every level of every point.
func (b box) full(radix []int) bool {
	for i, ls := range b {
		if len(ls) != radix[i] {
			return false
		}
	}
	return true
}

// maxParts bounds the number of boxes a knapsack space is split into (each
// has its own bitsets and lists: about 4.5 MB and 5 ms to build on 20
// points, and its own share of every query).
const maxParts = 8

// decompose splits the packages of radix that cross none of lines into
// disjoint boxes, at most limit of them. Lines on one point only restrict
// boxes and are always applied; a line whose split would make more than
// limit boxes is left out and returned in rest, to be checked package by
// package in the boxes it meets. No boxes: every package crosses a line
// (exactly known, whatever rest holds).
func decompose(radix []int, lines []lineSet, limit int) (boxes []box, rest []lineSet) {
	all := make(box, len(radix))
	for i, r := range radix {
		for l := range r {
			all[i] = append(all[i], l)
		}
	}
	boxes = []box{all}
	// One-point lines first: they never add boxes.
	order := slices.Clone(lines)
	slices.SortStableFunc(order, func(a, b lineSet) int { return min(len(a.pts), 2) - min(len(b.pts), 2) })
	for li := range order {
		r := &order[li]
		var next []box
		for _, b := range boxes {
			if !b.meets(r) {
				next = append(next, b)
				continue
			}
			cur := b.clone()
			for k, i := range r.pts {
				var in, out []int
				for _, l := range cur[i] {
					if r.sets[k][l] {
						in = append(in, l)
					} else {
						out = append(out, l)
					}
				}
				if len(out) > 0 {
					nb := cur.clone()
					nb[i] = out
					next = append(next, nb)
				}
				cur[i] = in
			}
			// What is left of b lies inside the line: dropped.
		}
		if len(next) > limit && len(r.pts) > 1 {
			rest = append(rest, *r)
			continue
		}
		boxes = next
		if len(boxes) == 0 {
			return nil, nil
		}
	}
	return boxes, rest
}

// within returns r over b's levels (sets indexed by b's level numbers).
func (r *lineSet) within(b box) lineSet {
	out := lineSet{pts: r.pts, sets: make([][]bool, len(r.pts))}
	for k, i := range r.pts {
		out.sets[k] = make([]bool, len(b[i]))
		for pl, l := range b[i] {
			out.sets[k][pl] = r.sets[k][l]
		}
	}
	return out
}

// boxTable restricts t to the levels of b: contributions and the
// effects' level sets indexed by b's level numbers (effects kept in
// their order, so that utilities are t's bit for bit).
func boxTable(t *profile.Table, b box) *profile.Table {
	c := make([][]float64, len(b))
	for i, ls := range b {
		c[i] = make([]float64, len(ls))
		for pl, l := range ls {
			c[i][pl] = t.Contrib[i][l]
		}
	}
	var fx []profile.Effect
	for _, e := range t.Effects {
		e.Terms = slices.Clone(e.Terms)
		for k, tm := range e.Terms {
			in := make([]bool, len(b[tm.Point]))
			for pl, l := range b[tm.Point] {
				in[pl] = tm.In[l]
			}
			e.Terms[k].In = in
		}
		fx = append(fx, e)
	}
	return &profile.Table{Contrib: c, Effects: fx, Reservation: t.Reservation, HasReservation: t.HasReservation}
}

// maxEffectParts bounds the boxes a knapsack space over a table with
// interactions is split into so that every interaction is decided in each
// (see effectBoxes); beyond, the space is searched by branch and bound
// (nlspace).
const maxEffectParts = 32

// effectBoxes splits boxes so that in each, every effect of t is decided
// (applies to every package of the box or to none): the levels of a point
// some effect has a term on are grouped by the terms they match, and a
// box is split along those groups. It reports false when that makes more
// than limit boxes.
func effectBoxes(t *profile.Table, boxes []box, limit int) ([]box, bool) {
	n := len(t.Contrib)
	sig := make([][]string, n) // per point and level: the terms it matches
	for _, e := range t.Effects {
		for _, tm := range e.Terms {
			if sig[tm.Point] == nil {
				sig[tm.Point] = make([]string, len(t.Contrib[tm.Point]))
			}
			for l, in := range tm.In {
				if in {
					sig[tm.Point][l] += "1"
				} else {
					sig[tm.Point][l] += "0"
				}
			}
		}
	}
	for i := range n {
		if sig[i] == nil {
			continue
		}
		var next []box
		for _, b := range boxes {
			var groups [][]int
			var keys []string
			for _, l := range b[i] {
				k := slices.Index(keys, sig[i][l])
				if k < 0 {
					keys, groups = append(keys, sig[i][l]), append(groups, nil)
					k = len(keys) - 1
				}
				groups[k] = append(groups[k], l)
			}
			for _, g := range groups {
				nb := b.clone()
				nb[i] = g
				next = append(next, nb)
			}
			if len(next) > limit {
				return nil, false
			}
		}
		boxes = next
	}
	return boxes, true
}

// folded returns the additive table of a box in which every effect of t
// is decided: t's contributions with the value of every effect that
// applies added to its last point's (the knapsack's sums; utilities are
// t's, which differ from them by rounding only, foldSlop).
func folded(t *profile.Table) *profile.Table {
	c := make([][]float64, len(t.Contrib))
	for i := range c {
		c[i] = slices.Clone(t.Contrib[i])
	}
	p0 := make(framework.Package, len(c)) // every box level 0: effects are decided
	for _, e := range t.Effects {
		if e.Applies(p0) {
			for l := range c[e.Last] {
				c[e.Last][l] += e.Value
			}
		}
	}
	return &profile.Table{Contrib: c, Reservation: t.Reservation, HasReservation: t.HasReservation}
}

// foldSlop bounds the difference between a package's utility and the sum
// of its folded contributions: a few roundings of the magnitudes involved.
func foldSlop(t *profile.Table) float64 {
	mag := 0.0
	for _, c := range t.Contrib {
		for _, x := range c {
			mag = max(mag, math.Abs(x))
		}
	}
	for _, e := range t.Effects {
		mag += math.Abs(e.Value)
	}
	return 4 * float64(len(t.Contrib)+len(t.Effects)+1) * (mag * float64(len(t.Contrib)+1)) * 0x1p-52
}
