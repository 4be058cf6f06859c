package multideal

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/parley-negotiation/parley/framework"
)

// DefaultPlannerAgreement is the probability with which Planner expects
// each remaining thread to reach an agreement (an uninformed 1/2; on the
// example scenarios 0.5 did at least as well as 0, 0.8 and 1 but on
// miami-shuttle, where 0.8 was 0.4% better: docs/multideal.md).
const DefaultPlannerAgreement = 0.5

// MaxPlannerLookahead bounds the number of remaining threads Planner
// weighs subset by subset (2^k subsets); beyond it, it weighs only "all
// remaining threads agree" and "none does".
const MaxPlannerLookahead = 10

// Planner is a center strategy that plans across threads. In thread i it
// values a candidate package p by the expected center utility of the
// whole tuple rather than by anl2025's side utility (which counts every
// later thread as no agreement): each remaining thread j is expected to
// agree with probability ρ (0 when its edge accepts nothing), and when a
// set S of them agrees, on the packages acceptable to their edges that are
// best for the center given the agreements already made and p (from the
// combined-space Analysis); the others end without agreement. So
//
//	V(p) = Σ_S ρ^|S| (1−ρ)^(k−|S|) · best(agreed, p, S agree, rest none)
//
// with k remaining threads (beyond MaxPlannerLookahead, only S = ∅ and S =
// all, their weights renormalised). Its reservation in the thread is V(no
// agreement), not the center's reservation: it accepts only what improves
// on walking away from this thread given what is already agreed. With ρ =
// 0, and always in the last thread, V is anl2025's side utility (only the
// reservation differs). Over V and that reservation it concedes as
// Boulware2025 does (the same time-based curve, exponent 4). Without a
// scenario on its turns (as an edge) it is Boulware2025 over its own
// utility.
type Planner struct {
	rho  float64
	base *TimeBased2025
	s    *Scenario
	an   *Analysis
	// the current thread's plan, and what it was made for (planSignature)
	thread int
	sig    string
	value  func(framework.Package) float64
	res    float64
	cache  map[string]float64
}

// NewPlanner returns a Planner expecting each remaining thread to agree
// with probability rho (in [0, 1]).
func NewPlanner(rho float64) *Planner {
	return &Planner{rho: math.Min(1, math.Max(0, rho)), base: NewTimeBased2025("Planner", 4), thread: -1}
}

// Name returns "Planner".
func (*Planner) Name() string { return "Planner" }

// plan returns the turn the inner Boulware curve sees.
func (a *Planner) plan(t *Turn) *Turn {
	if t.Scenario == nil {
		return t
	}
	if a.s != t.Scenario || a.an == nil {
		an, err := Analyze(t.Scenario)
		if err != nil {
			return t // a thread too large to analyse: plain side utility
		}
		a.s, a.an, a.thread = t.Scenario, an, -1
	}
	// What the plan depends on: the thread, and in a concurrent run which
	// threads still run and what the ended ones agreed.
	sig := planSignature(t)
	if a.thread != t.Thread || a.sig != sig {
		a.thread, a.sig = t.Thread, sig
		a.cache = map[string]float64{}
		// Sequential: the threads before this one are decided, those
		// after it to come. Concurrent: the ended threads are decided
		// (whatever their index), the open ones to come.
		agreed := append([]framework.Package(nil), t.Agreed[:t.Thread]...)
		var later []int
		for j := t.Thread + 1; j < len(t.Scenario.Threads); j++ {
			later = append(later, j)
		}
		if t.Open != nil {
			agreed = slices.Clone(t.Agreed)
			later = later[:0]
			for j, o := range t.Open {
				if o && j != t.Thread {
					later = append(later, j)
				}
			}
		}
		a.value = func(p framework.Package) float64 {
			k := a.an.key(t.Thread, p)
			if v, ok := a.cache[k]; ok {
				return v
			}
			v := a.expected(agreed, later, t.Thread, p)
			a.cache[k] = v
			return v
		}
		a.res = a.value(nil)
	}
	pt := *t
	pt.Utility, pt.Reservation = a.value, a.res
	return &pt
}

// planSignature is what a concurrent run's plan depends on beyond the
// thread: which threads still run and the agreements of those ended
// ("" in a sequential run, where the thread alone decides it).
func planSignature(t *Turn) string {
	if t.Open == nil {
		return ""
	}
	var b strings.Builder
	for j, o := range t.Open {
		switch {
		case o:
			b.WriteString("o")
		case t.Agreed[j] == nil:
			b.WriteString("-")
		default:
			fmt.Fprintf(&b, "%v", t.Agreed[j])
		}
		b.WriteByte('|')
	}
	return b.String()
}

// expected is V(p) for thread i given the decided threads' agreements
// (agreed, nil for none) and the threads still to come (later), each of
// which agrees with probability rho.
func (a *Planner) expected(agreed []framework.Package, later []int, i int, p framework.Package) float64 {
	n := len(a.s.Threads)
	fixed := make([]framework.Package, n)
	copy(fixed, agreed)
	fixed[i] = p
	var rho []float64
	for _, j := range later {
		r := a.rho
		if len(a.an.reps[j]) == 0 {
			r = 0
		}
		rho = append(rho, r)
	}
	k := len(later)
	modes := make([]Mode, n)
	eval := func(mask uint64) (float64, float64) {
		prob := 1.0
		for b := 0; b < k; b++ {
			if mask&(1<<b) != 0 {
				modes[later[b]] = Agree
				prob *= rho[b]
			} else {
				modes[later[b]] = Fixed
				prob *= 1 - rho[b]
			}
		}
		for j := range modes {
			if !slices.Contains(later, j) {
				modes[j] = Fixed
			}
		}
		if prob == 0 {
			return 0, 0
		}
		c, ok := a.an.BestGiven(fixed, modes)
		if !ok {
			return 0, 0
		}
		return prob, c.Center
	}
	total, mass := 0.0, 0.0
	if k <= MaxPlannerLookahead {
		for mask := uint64(0); mask < 1<<k; mask++ {
			pr, v := eval(mask)
			total += pr * v
			mass += pr
		}
	} else {
		for _, mask := range []uint64{0, 1<<k - 1} {
			pr, v := eval(mask)
			total += pr * v
			mass += pr
		}
	}
	if mass == 0 {
		return a.s.Utility(fixed)
	}
	return total / mass
}

// Propose offers as Boulware2025 over the planned values.
func (a *Planner) Propose(t *Turn) framework.Package { return a.base.Propose(a.plan(t)) }

// Respond answers as Boulware2025 over the planned values.
func (a *Planner) Respond(t *Turn) Response { return a.base.Respond(a.plan(t)) }
