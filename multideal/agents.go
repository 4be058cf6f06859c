package multideal

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/parley-negotiation/parley/framework"
)

// Response is a negotiator's answer to the offer on the table.
type Response int

// The responses of NegMAS's SAO protocol.
const (
	Reject Response = iota
	Accept
	End
)

// Turn is what a negotiator sees at its turn in one thread: its own
// utility there (for the center, its side utility given the agreements of
// the finished threads), never the other party's.
type Turn struct {
	// Thread is the thread's index; Center tells whether the negotiator is
	// the center.
	Thread int
	Center bool
	// Framework is the thread's outcome space.
	Framework *framework.Framework
	// Utility is the negotiator's utility of a package of this thread.
	Utility func(framework.Package) float64
	// Reservation is its utility of no agreement.
	Reservation float64
	// Step is NegMAS's 0-based step and Steps its n_steps.
	Step, Steps int
	// Offer is the other party's offer on the table (Respond only), or in
	// a single-text run the mediator's text (see TextResponder).
	Offer framework.Package
	// Rand is the session's random stream (Python's, shared by all draws).
	Rand *PyRandom
	// Scenario and Agreed are set on the center's turns: the scenario and
	// the agreements of the threads before this one (Agreed[j] for j <
	// Thread, nil for none), for agents that plan across threads. In a
	// concurrent run, the agreements of every thread ended so far, any
	// index (nil for none or still open; see RunConcurrent).
	Scenario *Scenario
	Agreed   []framework.Package
	// Open, in a concurrent run, tells which threads are still running
	// (Open[Thread] is true); nil in a sequential run, where the threads
	// after Thread are the ones still to come.
	Open []bool
}

// RelativeTime is NegMAS's relative time: (Step+1)/(Steps+1), at most 1.
func (t *Turn) RelativeTime() float64 {
	return math.Min(1, float64(t.Step+1)/float64(t.Steps+1))
}

// Agent is an ANL 2025 negotiator: one value plays the center (every
// thread) or one edge. Propose returns nil to make no offer, which ends
// the thread without agreement (anl2025's end_on_no_response).
type Agent interface {
	Name() string
	Propose(t *Turn) framework.Package
	Respond(t *Turn) Response
}

// AgentNames lists the built-in agents NewAgent knows
// (anl2025's); NewAgent also knows "Planner" (see Planner), which is not
// an anl2025 agent.
var AgentNames = []string{"Boulware2025", "Linear2025", "Conceder2025", "Random2025"}

// NewAgent returns a fresh built-in agent by its anl2025 name (case
// insensitive).
func NewAgent(name string) (Agent, error) {
	switch strings.ToLower(name) {
	case "boulware2025", "boulware":
		return NewTimeBased2025("Boulware2025", 4), nil
	case "linear2025", "linear":
		return NewTimeBased2025("Linear2025", 1), nil
	case "conceder2025", "conceder":
		return NewTimeBased2025("Conceder2025", 0.25), nil
	case "random2025", "random":
		return &Random2025{}, nil
	case "planner":
		return NewPlanner(DefaultPlannerAgreement), nil
	}
	return nil, fmt.Errorf("multideal: unknown agent %q (expected one of %v)", name, AgentNames)
}

// TimeBased2025 is anl2025's TimeBased2025 (Boulware2025, Linear2025,
// Conceder2025): a PolyAspiration curve 1 − t^e over NegMAS's
// PresortingInverseUtilityFunction of its thread utility (rational
// outcomes only, sorted by np.argsort). Its level is 1 at step 0, 0 at the
// last step and 1 − t^e between. It offers an outcome drawn uniformly
// (Python's random.randint) among the sorted rational outcomes whose
// utility, normalised by the thread utility's range, is in [level,
// level+0.1] (clamped to the nearest when there is none); it accepts an
// offer worth at least level·(mx − mn) + mn (mx the best rational utility,
// mn the worst raised to the reservation value); it ends the thread when
// no outcome is rational.
type TimeBased2025 struct {
	name string
	exp  float64
	// per thread, built at its first turn in the thread
	thread int
	inv    *inverter
}

// NewTimeBased2025 returns a TimeBased2025 with the given exponent.
func NewTimeBased2025(name string, exponent float64) *TimeBased2025 {
	return &TimeBased2025{name: name, exp: exponent, thread: -1}
}

// Name returns the anl2025 class name.
func (a *TimeBased2025) Name() string { return a.name }

// inverter is NegMAS's PresortingInverseUtilityFunction(rational_only=True)
// with TimeBased2025's derived bounds.
type inverter struct {
	codes        []uint64 // enumeration indices: rational sorted, then irrational
	utils        []float64
	lastRational int
	min, max     float64 // ufun(worst), ufun(best) over every outcome
	mx, mn       float64 // the agent's _mx, _mn
	best         []uint64
	bestNone     bool // _best is [None]
	radix        []int
}

func (a *TimeBased2025) ensure(t *Turn) *inverter {
	if a.inv != nil && a.thread == t.Thread {
		return a.inv
	}
	a.thread = t.Thread
	n, _ := t.Framework.SizeInt()
	inv := &inverter{radix: t.Framework.Radix()}
	all := make([]float64, n)
	p := make(framework.Package, len(inv.radix))
	inv.min, inv.max = math.Inf(1), math.Inf(-1)
	for c := uint64(0); c < uint64(n); c++ {
		framework.FromIndex(inv.radix, c, p)
		u := t.Utility(p)
		all[c] = u
		if u < inv.min {
			inv.min = u
		}
		if u > inv.max {
			inv.max = u
		}
	}
	r := t.Reservation
	var rc, ic []uint64
	var ru, iu []float64
	for c, u := range all {
		if u >= r {
			rc, ru = append(rc, uint64(c)), append(ru, u)
		} else {
			ic, iu = append(ic, uint64(c)), append(iu, u)
		}
	}
	idx := npArgsort(ru)
	for _, k := range idx {
		inv.codes, inv.utils = append(inv.codes, rc[k]), append(inv.utils, ru[k])
	}
	inv.codes, inv.utils = append(inv.codes, ic...), append(inv.utils, iu...)
	inv.lastRational = len(rc) - 1
	if inv.lastRational >= 0 {
		inv.mx, inv.mn = inv.utils[inv.lastRational], inv.utils[0]
	} else {
		inv.mx, inv.mn = math.Inf(-1), math.Inf(1)
	}
	inv.mn = math.Max(inv.mn, r)
	lo := math.Max(math.Max(0, inv.mn), math.Max(r, inv.mx-1e-8))
	inv.best = inv.some(lo, inv.mx)
	if len(inv.best) == 0 {
		if inv.lastRational >= 0 {
			inv.best = []uint64{inv.codes[inv.lastRational]}
		} else {
			inv.bestNone = true
		}
	}
	a.inv = inv
	return inv
}

// unnormalize is NegMAS's _un_normalize_range for a normalised (lo, hi);
// ok is false for a range inverted by more than 0.1.
func (inv *inverter) unnormalize(lo, hi float64, forBest bool) (float64, float64, bool) {
	if lo > hi {
		if lo-hi > 0.1 {
			return 0, 0, false
		}
		lo, hi = hi, lo
	}
	d := inv.max - inv.min
	if d < 1e-6 {
		v := 0.0
		if forBest {
			v = 1
		}
		return v, v, true
	}
	lo, hi = lo*d+inv.min, hi*d+inv.min
	if lo > hi {
		lo, hi = hi, lo
	}
	return lo, hi, true
}

// some is PresortingInverseUtilityFunction.some(rng, normalized=True).
func (inv *inverter) some(lo, hi float64) []uint64 {
	if inv.lastRational < 0 {
		return nil
	}
	mn, mx, ok := inv.unnormalize(lo, hi, false)
	if !ok {
		return nil
	}
	var out []uint64
	for i := 0; i <= inv.lastRational; i++ {
		u := inv.utils[i]
		if u > mx {
			break
		}
		if u < mn {
			continue
		}
		out = append(out, inv.codes[i])
	}
	return out
}

// oneIn is PresortingInverseUtilityFunction.one_in(rng, normalized=True)
// with infinite clamp tolerance: ok is false when no outcome is rational.
func (inv *inverter) oneIn(lo, hi float64, rnd *PyRandom) (uint64, bool) {
	if inv.lastRational < 0 {
		return 0, false
	}
	u := inv.utils[:inv.lastRational+1]
	mnIdx, mxIdx := 0, -1
	if a, _, ok := inv.unnormalize(lo, hi, false); ok {
		mnIdx = sort.SearchFloat64s(u, a)
	}
	if _, b, ok := inv.unnormalize(lo, hi, true); ok {
		mxIdx = sort.Search(len(u), func(i int) bool { return u[i] > b }) - 1
	}
	clamp := func(i int) int { return max(0, min(i, inv.lastRational)) }
	mnIdx, mxIdx = clamp(mnIdx), clamp(mxIdx)
	if mnIdx > mxIdx {
		mnIdx, mxIdx = mxIdx, mnIdx
	}
	return inv.codes[rnd.Randint(mnIdx, mxIdx)], true
}

func (a *TimeBased2025) level(t *Turn) float64 {
	switch {
	case t.Step == 0:
		return 1
	case t.Steps > 0 && t.Step >= t.Steps-1:
		return 0
	}
	return 1 - math.Pow(t.RelativeTime(), a.exp)
}

// Propose offers as described on TimeBased2025.
func (a *TimeBased2025) Propose(t *Turn) framework.Package {
	inv := a.ensure(t)
	level := a.level(t)
	if inv.mx < t.Reservation {
		return nil
	}
	if c, ok := inv.oneIn(level, math.Min(1, level+0.1), t.Rand); ok {
		return inv.decode(c)
	}
	// no rational outcome: random.choice(self._best)
	i := t.Rand.Below(max(1, len(inv.best)))
	if inv.bestNone {
		return nil
	}
	return inv.decode(inv.best[i])
}

func (inv *inverter) decode(c uint64) framework.Package {
	p := make(framework.Package, len(inv.radix))
	framework.FromIndex(inv.radix, c, p)
	return p
}

// Respond accepts as described on TimeBased2025.
func (a *TimeBased2025) Respond(t *Turn) Response {
	inv := a.ensure(t)
	level := a.level(t)*(inv.mx-inv.mn) + inv.mn
	if inv.mx < t.Reservation {
		return End
	}
	if level > t.Utility(t.Offer) {
		return Reject
	}
	return Accept
}
