package profile

import (
	"fmt"
	"math"
	"slices"

	"github.com/parley-negotiation/parley/framework"
)

// Interaction is a term of a profile that is not additive: Value is added to
// the utility of a complete package when every term matches (the package
// lies in the box of levels the terms list: a GENIUS hyper-rectangle with
// INCLUDES, a pairwise or k-wise interaction between options), or, when
// Outside is set, when some term does not match (GENIUS EXCLUDES). Value
// may be negative (an option worth less in a combination). A single-term
// interaction is a bonus on some levels of one point.
type Interaction struct {
	Terms   []Term  `json:"terms"`
	Value   float64 `json:"value"`
	Outside bool    `json:"outside,omitempty"`
	// Label says what the interaction stands for; it is shown to the
	// party itself (and to whoever may see its profile), never to others.
	Label string `json:"label,omitempty"`
}

// Bounds on interactions, checked by Check.
const (
	// MaxInteractions bounds the number of interactions of one profile.
	MaxInteractions = 10000
	// MaxInteractionLevels bounds the levels listed over all the
	// interactions of one profile.
	MaxInteractionLevels = 1 << 20
)

// Effect is an interaction compiled against a framework: Value is added to
// a package's utility when Applies, right after the contribution of point
// Last (the interaction's last point in framework order).
type Effect struct {
	Terms   []EffectTerm
	Value   float64
	Outside bool
	// Last is the largest point of the terms.
	Last int
	// Index is the interaction's index in the profile's list.
	Index int
}

// EffectTerm is a compiled term: In[l] tells whether level l of Point matches.
type EffectTerm struct {
	Point int
	In    []bool
}

// Applies reports whether the effect adds its value to pkg: every term's
// point is decided and every term matches (or, Outside, some does not).
func (e *Effect) Applies(pkg framework.Package) bool {
	all := true
	for _, t := range e.Terms {
		l := pkg[t.Point]
		if l < 0 {
			return false
		}
		if !t.In[l] {
			all = false
		}
	}
	return all != e.Outside
}

// Additive reports whether the table has no interaction: its utility is the
// sum of per-point contributions and every additive fast path applies.
func (t *Table) Additive() bool { return len(t.Effects) == 0 }

// compileEffects compiles the interactions, ordered by last point and then
// as declared: the order Utility adds them in.
func (p *Profile) compileEffects(f *framework.Framework) []Effect {
	if len(p.Interactions) == 0 {
		return nil
	}
	out := make([]Effect, 0, len(p.Interactions))
	for k, in := range p.Interactions {
		e := Effect{Value: in.Value, Outside: in.Outside, Last: -1, Index: k}
		for _, t := range in.Terms {
			m := make([]bool, f.Points[t.Point].Levels())
			for _, l := range t.Levels {
				m[l] = true
			}
			e.Terms = append(e.Terms, EffectTerm{Point: t.Point, In: m})
			e.Last = max(e.Last, t.Point)
		}
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b Effect) int { return a.Last - b.Last })
	return out
}

// checkInteractions verifies the interactions: at most MaxInteractions,
// each with at least one term and a finite value within ±MaxScore, terms on
// distinct points listing distinct levels in range, at most
// MaxInteractionLevels levels listed in all.
func (p *Profile) checkInteractions(f *framework.Framework) error {
	if len(p.Interactions) > MaxInteractions {
		return fmt.Errorf("%d interactions (at most %d): %w", len(p.Interactions), MaxInteractions, ErrOutOfBounds)
	}
	listed := 0
	for k, in := range p.Interactions {
		name := fmt.Sprintf("interaction %d", k+1)
		if in.Label != "" {
			name = fmt.Sprintf("interaction %d (%s)", k+1, in.Label)
		}
		if !within(in.Value, -MaxScore, MaxScore) {
			return fmt.Errorf("%s: value %v is not a number in [-%g, %g]: %w", name, in.Value, float64(MaxScore), float64(MaxScore), ErrOutOfBounds)
		}
		for _, t := range in.Terms {
			listed += len(t.Levels)
		}
		if listed > MaxInteractionLevels {
			return fmt.Errorf("interactions list more than %d levels in all: %w", MaxInteractionLevels, ErrOutOfBounds)
		}
		if err := checkTerms(f, name, in.Terms); err != nil {
			return err
		}
	}
	return nil
}

// checkTerms verifies the terms of a red line or an interaction: at least
// one, on distinct points in range, each listing distinct levels in range.
func checkTerms(f *framework.Framework, name string, terms []Term) error {
	if len(terms) == 0 {
		return fmt.Errorf("%s: no terms", name)
	}
	n := len(f.Points)
	var seen []bool
	for a, t := range terms {
		if t.Point < 0 || t.Point >= n {
			return fmt.Errorf("%s: point %d out of range", name, t.Point)
		}
		pt := &f.Points[t.Point]
		for _, u := range terms[:a] {
			if u.Point == t.Point {
				return fmt.Errorf("%s: point %q in two terms (list its levels in one)", name, pt.ID)
			}
		}
		if len(t.Levels) == 0 {
			return fmt.Errorf("%s: point %q: no levels", name, pt.ID)
		}
		levels := pt.Levels()
		if len(seen) < levels {
			seen = make([]bool, levels)
		}
		var dup error
		for _, l := range t.Levels {
			if l < 0 || l >= levels {
				dup = fmt.Errorf("%s: point %q: level %d out of range", name, pt.ID, l)
				break
			}
			if seen[l] {
				dup = fmt.Errorf("%s: point %q: level %s listed twice", name, pt.ID, pt.LevelID(l))
				break
			}
			seen[l] = true
		}
		for _, l := range t.Levels {
			if l >= 0 && l < levels {
				seen[l] = false
			}
		}
		if dup != nil {
			return dup
		}
	}
	return nil
}

// extreme returns the highest (sign 1) or lowest (sign -1) utility of a
// complete package and a package reaching it, exactly (the same sums in the
// same order as Utility), by dynamic programming over the points in order:
// partial packages are told apart only by which effects still open after
// the point they have matched so far, and of those with the same state
// only the best is kept (floating-point additions are monotone, so the
// best partial sum stays best). Ties keep the first in enumeration order.
// The number of states is at most 2^(effects open at a point); past
// maxExtremeStates at a point it turns to extremeSearch, exact as well.
func (t *Table) extreme(sign float64, budget int64) (float64, framework.Package, bool) {
	n := len(t.Contrib)
	type node struct {
		u      float64
		parent int32
		level  int32
		state  string
	}
	// open[k]: effects whose terms span past point k (first ≤ k < Last).
	first := make([]int, len(t.Effects))
	for e := range t.Effects {
		first[e] = t.Effects[e].Last
		for _, tm := range t.Effects[e].Terms {
			first[e] = min(first[e], tm.Point)
		}
	}
	layers := make([][]node, n)
	cur := []node{{state: ""}}
	var prevOpen []int
	ei := 0
	for k := 0; k < n; k++ {
		var open []int
		for e := range t.Effects {
			if first[e] <= k && k < t.Effects[e].Last {
				open = append(open, e)
			}
		}
		closing := ei
		for closing < len(t.Effects) && t.Effects[closing].Last == k {
			closing++
		}
		index := map[string]int{}
		var next []node
		buf := make([]byte, len(open))
		for i, nd := range cur {
			for l, c := range t.Contrib[k] {
				u := nd.u + c
				for e := ei; e < closing; e++ {
					if t.effectArmed(e, prevOpen, nd.state, k, l) != t.Effects[e].Outside {
						u += t.Effects[e].Value
					}
				}
				for a, e := range open {
					if t.effectArmed(e, prevOpen, nd.state, k, l) {
						buf[a] = 1
					} else {
						buf[a] = 0
					}
				}
				if at, ok := index[string(buf)]; ok {
					if sign*u > sign*next[at].u {
						next[at] = node{u: u, parent: int32(i), level: int32(l), state: next[at].state}
					}
					continue
				}
				index[string(buf)] = len(next)
				next = append(next, node{u: u, parent: int32(i), level: int32(l), state: string(buf)})
			}
		}
		if len(next) > t.stateLimit() {
			return t.extremeSearch(sign, budget)
		}
		layers[k] = next
		cur = next
		prevOpen = open
		ei = closing
	}
	best := 0
	for i := range cur {
		if sign*cur[i].u > sign*cur[best].u {
			best = i
		}
	}
	pkg := make(framework.Package, n)
	at := best
	for k := n - 1; k >= 0; k-- {
		pkg[k] = int(layers[k][at].level)
		at = int(layers[k][at].parent)
	}
	if n == 0 {
		return 0, pkg, true
	}
	return cur[best].u, pkg, true
}

// effectArmed reports whether every term of effect e (an index into
// t.Effects) on points up to k matches, given the armed flags (state, one
// byte per effect of prevOpen) after point k-1 and level l at point k.
func (t *Table) effectArmed(e int, prevOpen []int, state string, k, l int) bool {
	if i := slices.Index(prevOpen, e); i >= 0 && state[i] == 0 {
		return false
	}
	for _, tm := range t.Effects[e].Terms {
		if tm.Point == k && !tm.In[l] {
			return false
		}
	}
	return true
}

// InteractionRange returns the lowest and highest total the interactions
// can add (the sum of the negative values and of the positive ones): a
// quick bound, not the reachable range.
func (p *Profile) InteractionRange() (lo, hi float64) {
	for _, in := range p.Interactions {
		if in.Value < 0 {
			lo += in.Value
		} else {
			hi += in.Value
		}
	}
	return lo, hi
}

// interactionRef is an interaction's index and last point.
type interactionRef struct{ index, last int }

// interactionOrder returns the interactions in the order Table.Utility adds
// them (compileEffects' order), without compiling their terms.
func (p *Profile) interactionOrder() []interactionRef {
	out := make([]interactionRef, len(p.Interactions))
	for k, in := range p.Interactions {
		out[k] = interactionRef{index: k, last: -1}
		for _, t := range in.Terms {
			out[k].last = max(out[k].last, t.Point)
		}
	}
	slices.SortStableFunc(out, func(a, b interactionRef) int { return a.last - b.last })
	return out
}

// applies is Effect.Applies on the uncompiled terms (a level scan per term).
func (in *Interaction) applies(pkg framework.Package) bool {
	all := true
	for _, t := range in.Terms {
		l := pkg[t.Point]
		if l < 0 {
			return false
		}
		if !slices.Contains(t.Levels, l) {
			all = false
		}
	}
	return all != in.Outside
}

// extremeBudget bounds the nodes of Max's and Min's branch and bound.
const extremeBudget = 1 << 20

// MaxExact is Max with whether the answer is known to be the maximum
// (false only with interactions too entangled for the state DP and the
// branch and bound within budget nodes, 0 meaning the default; the
// package is then the best found). Additive tables are always exact.
func (t *Table) MaxExact(budget int64) (float64, framework.Package, bool) {
	if len(t.Effects) == 0 {
		u, p := t.Max()
		return u, p, true
	}
	if budget == 0 {
		budget = extremeBudget
	}
	return t.extreme(1, budget)
}

// MinExact is Min with whether the answer is known to be the minimum, as MaxExact.
func (t *Table) MinExact(budget int64) (float64, framework.Package, bool) {
	if len(t.Effects) == 0 {
		return t.Min(), nil, true
	}
	if budget == 0 {
		budget = extremeBudget
	}
	return t.extreme(-1, budget)
}

// Bounds returns a lower and an upper bound of the utility of any complete
// package, in time linear in the table: the sums of the points' lowest and
// highest contributions, plus the interactions' losses and gains.
func (t *Table) Bounds() (lo, hi float64) {
	for _, c := range t.Contrib {
		a, b := math.Inf(1), math.Inf(-1)
		for _, x := range c {
			a, b = math.Min(a, x), math.Max(b, x)
		}
		if len(c) > 0 {
			lo, hi = lo+a, hi+b
		}
	}
	for _, e := range t.Effects {
		if e.Value < 0 {
			lo += e.Value
		} else {
			hi += e.Value
		}
	}
	return lo, hi
}

// maxExtremeStates bounds the states extreme keeps at one point before it
// turns to a branch-and-bound search.
const maxExtremeStates = 1 << 16

func (t *Table) stateLimit() int {
	if t.extremeStates > 0 {
		return t.extremeStates
	}
	return maxExtremeStates
}

// extremeSearch is extreme by a depth-first branch and bound over the
// points in order: a partial package is abandoned when its exact partial
// sum plus an upper bound of what the rest can add cannot beat the best
// package found by more than a rounding margin. The bound gives each
// inside effect (that could still add a gain) to its last point: per
// undecided point, the best level's contribution plus the gains of the
// effects given to it that this level matches; Outside effects and
// effects with a loss count what they may at most add. Levels are tried
// best first by that per-point score. It returns the optimum (the sums of
// Utility, in its order) and true, or, past budget nodes, the best package
// found and false.
func (t *Table) extremeSearch(sign float64, budget int64) (float64, framework.Package, bool) {
	n := len(t.Contrib)
	mag := 0.0
	// g[i][l]: sign-adjusted contribution of level l of point i plus the
	// gains of the live inside effects whose last point is i and whose
	// term there matches l.
	g := make([][]float64, n)
	for k := range n {
		g[k] = make([]float64, len(t.Contrib[k]))
		for l, c := range t.Contrib[k] {
			g[k][l] = sign * c
			mag = math.Max(mag, math.Abs(c))
		}
	}
	type at struct{ e, term int }
	terms := make([][]at, n)
	other := 0.0 // what Outside effects and single undecided losses may add at most
	gain := func(e int) float64 { return math.Max(0, sign*t.Effects[e].Value) }
	for e := range t.Effects {
		ef := &t.Effects[e]
		for i, tm := range ef.Terms {
			terms[tm.Point] = append(terms[tm.Point], at{e, i})
		}
		mag += math.Abs(ef.Value)
		switch {
		case ef.Outside:
			other += gain(e)
		case gain(e) > 0:
			last := ef.Terms[0]
			for _, tm := range ef.Terms {
				if tm.Point == ef.Last {
					last = tm
				}
			}
			for l, in := range last.In {
				if in {
					g[ef.Last][l] += gain(e)
				}
			}
		}
	}
	best1 := func(k int) float64 {
		m := math.Inf(-1)
		for _, x := range g[k] {
			m = math.Max(m, x)
		}
		return m
	}
	maxg := make([]float64, n)
	for k := range n {
		maxg[k] = best1(k)
	}
	slack := 16 * float64(n+len(t.Effects)+1) * math.Max(mag, 1) * 0x1p-52
	failed := make([]bool, len(t.Effects))
	pkg := make(framework.Package, n)
	best := math.Inf(-1)
	var bestPkg framework.Package
	var nodes int64
	orders := make([][]int, n)
	for k := range n {
		orders[k] = make([]int, len(g[k]))
	}
	// kill marks effect e failed and updates the bound.
	kill := func(e int) {
		failed[e] = true
		ef := &t.Effects[e]
		switch {
		case ef.Outside:
			other += sign*ef.Value - gain(e)
		case gain(e) > 0 && ef.Last >= 0:
			for _, tm := range ef.Terms {
				if tm.Point == ef.Last {
					for l, in := range tm.In {
						if in {
							g[ef.Last][l] -= gain(e)
						}
					}
				}
			}
			maxg[ef.Last] = best1(ef.Last)
		}
	}
	revive := func(e int) {
		failed[e] = false
		ef := &t.Effects[e]
		switch {
		case ef.Outside:
			other -= sign*ef.Value - gain(e)
		case gain(e) > 0:
			for _, tm := range ef.Terms {
				if tm.Point == ef.Last {
					for l, in := range tm.In {
						if in {
							g[ef.Last][l] += gain(e)
						}
					}
				}
			}
			maxg[ef.Last] = best1(ef.Last)
		}
	}
	closing := make([][]int, n) // effects by last point, in Utility's order
	for e := range t.Effects {
		closing[t.Effects[e].Last] = append(closing[t.Effects[e].Last], e)
	}
	var rec func(k int, u float64) bool
	rec = func(k int, u float64) bool {
		if nodes++; budget > 0 && nodes > budget {
			return false
		}
		if k == n {
			if sign*u > best {
				best, bestPkg = sign*u, slices.Clone(pkg)
			}
			return true
		}
		rest := other
		for i := k + 1; i < n; i++ {
			rest += maxg[i]
		}
		ord := orders[k]
		for l := range ord {
			ord[l] = l
		}
		gk := slices.Clone(g[k])
		slices.SortStableFunc(ord, func(a, b int) int { return cmpFloat(gk[b], gk[a]) })
		for _, l := range ord {
			if sign*u+gk[l]+rest+slack < best {
				return true // levels are best first
			}
			pkg[k] = l
			var newly []int
			for _, a := range terms[k] {
				if !failed[a.e] && !t.Effects[a.e].Terms[a.term].In[l] {
					kill(a.e)
					newly = append(newly, a.e)
				}
			}
			v := u + t.Contrib[k][l]
			for _, e := range closing[k] {
				if ef := &t.Effects[e]; failed[e] == ef.Outside {
					v += ef.Value
				}
			}
			// Outside effects decided here leave the bound.
			o := other
			for _, e := range closing[k] {
				if ef := &t.Effects[e]; ef.Outside {
					if failed[e] {
						other -= sign * ef.Value
					} else {
						other -= gain(e)
					}
				}
			}
			ok := true
			r := other
			for i := k + 1; i < n; i++ {
				r += maxg[i]
			}
			if sign*v+r+slack >= best {
				ok = rec(k+1, v)
			}
			other = o
			for i := len(newly) - 1; i >= 0; i-- {
				revive(newly[i])
			}
			if !ok {
				return false
			}
		}
		return true
	}
	// A first package: per point the best level by g, improved by
	// changing one point at a time while that gains (a good incumbent
	// prunes most of the search).
	for k := range n {
		pkg[k] = 0
		for l := range g[k] {
			if g[k][l] > g[k][pkg[k]] {
				pkg[k] = l
			}
		}
	}
	bestPkg = slices.Clone(pkg)
	best = sign * t.climb(sign, bestPkg)
	exact := rec(0, 0)
	if !exact {
		// Out of budget: improve the best package found the same way.
		best = sign * t.climb(sign, bestPkg)
	}
	return sign * best, bestPkg, exact
}

// climb changes one point of p at a time while that raises sign·utility,
// and returns p's utility.
func (t *Table) climb(sign float64, p framework.Package) float64 {
	u := t.Utility(p)
	for improved := true; improved; {
		improved = false
		for k := range p {
			keep := p[k]
			for l := range t.Contrib[k] {
				p[k] = l
				if v := t.Utility(p); sign*v > sign*u {
					u, keep, improved = v, l, true
				}
			}
			p[k] = keep
		}
	}
	return u
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
