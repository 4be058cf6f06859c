package agent

import (
	"math"
	"math/rand/v2"

	"github.com/parley-negotiation/parley/framework"
)

// HillClimber is GENIUS's hill-climbing voter for mediated single-text
// protocols (negotiator.parties.HillClimber): it accepts a proposal iff its
// utility is at least the reservation value discounted to the view's time
// and at least the utility of the previous accepted proposal (0 when there
// is none). It also rejects proposals crossing its red lines. The
// parties.simplemediator.HillClimber of GENIUS omits the reservation test;
// the two agree whenever the reservation value is 0.
type HillClimber struct{}

// NewHillClimber returns the hill-climbing voter.
func NewHillClimber() HillClimber { return HillClimber{} }

// Name returns "hill-climber".
func (HillClimber) Name() string { return "hill-climber" }

// Vote implements Voter.
func (HillClimber) Vote(v *View, proposal, previous framework.Package) bool {
	u, prev, ok := voteBase(v, proposal, previous)
	if !ok {
		return false
	}
	return u >= prev
}

// Annealer is a simulated-annealing voter: it accepts a proposal at least as
// good as the previous accepted one (0 when there is none) and a worse one,
// Δ below it, with probability exp(−Δ/T). By default T = T0·(1 − t) with
// T0 = 0.1 (WithTemperature), falling to 0 at the deadline, so it explores
// early and only climbs late. With WithGeniusSchedule it uses GENIUS's
// negotiator.parties.Annealer temperature, T = max((Round−1)/Deadline, t),
// which rises with time. It never accepts a proposal below its reservation
// value or crossing its red lines (GENIUS's Annealer checks neither).
// Draws come from a PCG generator seeded in the constructor, one draw per
// vote on a worse proposal.
type Annealer struct {
	seed uint64
	rng  *rand.Rand
	o    options
}

// NewAnnealer returns an annealing voter. Options: WithTemperature,
// WithGeniusSchedule.
func NewAnnealer(seed uint64, opts ...Option) *Annealer {
	a := &Annealer{seed: seed, rng: newRand(seed), o: collect(opts)}
	if a.o.temp <= 0 {
		a.o.temp = 0.1
	}
	return a
}

// Name returns "annealer(t0=0.1,seed=N)" or "annealer(genius,seed=N)".
func (a *Annealer) Name() string {
	if a.o.geniusTemp {
		return "annealer(genius,seed=" + fmtUint(a.seed) + ")"
	}
	return "annealer(t0=" + fmtFloat(a.o.temp) + ",seed=" + fmtUint(a.seed) + ")"
}

// Temperature returns T at the view's time.
func (a *Annealer) Temperature(v *View) float64 {
	if a.o.geniusTemp {
		r := 0.0
		if v.Deadline > 0 {
			r = float64(max(v.Round-1, 0)) / float64(v.Deadline)
		}
		return math.Max(r, v.Time)
	}
	return a.o.temp * (1 - math.Min(math.Max(v.Time, 0), 1))
}

// Vote implements Voter.
func (a *Annealer) Vote(v *View, proposal, previous framework.Package) bool {
	u, prev, ok := voteBase(v, proposal, previous)
	if !ok {
		return false
	}
	if u >= prev {
		return true
	}
	t := a.Temperature(v)
	if !(t > 0) {
		return false
	}
	return math.Exp((u-prev)/t) > a.rng.Float64()
}

// voteBase is what every voter checks first: a proposal across one of the
// party's red lines or below its (discounted) reservation value is refused
// (ok false); otherwise it returns the proposal's utility and that of the
// previous accepted proposal (0 when there is none).
func voteBase(v *View, proposal, previous framework.Package) (u, prev float64, ok bool) {
	if crosses(v, proposal) {
		return 0, 0, false
	}
	u = v.Table.Utility(proposal)
	if u < discounted(v, reservation(v)) {
		return 0, 0, false
	}
	if previous != nil {
		prev = v.Table.Utility(previous)
	}
	return u, prev, true
}
