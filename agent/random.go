package agent

import (
	"math"
	"math/rand/v2"

	"github.com/parley-negotiation/parley/framework"
)

// Random offers random packages its owner could live with and accepts any
// offer that is. A package is acceptable when its utility is at least the
// reservation value (0 when there is none) and it crosses none of the
// owner's red lines. Offers are drawn uniformly over the packages (up to 64
// draws); when none of the draws is acceptable it offers one of up to 64
// acceptable packages of lowest utility found by the bid space, chosen at
// random, and its best package when there is none. It never walks away. Its
// choices depend only on the seed and what it is shown.
type Random struct {
	seed uint64
	rng  *rand.Rand
	o    options
	sp   space
}

// NewRandom returns a random negotiator whose draws come from a PCG
// generator seeded with seed. Options: WithBidSpace, WithSpaceOptions.
func NewRandom(seed uint64, opts ...Option) *Random {
	return &Random{seed: seed, rng: newRand(seed), o: collect(opts)}
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

// Name returns "random(seed=N)".
func (a *Random) Name() string { return "random(seed=" + fmtUint(a.seed) + ")" }

// Init restarts the generator from the seed. The bid space is only built
// when a fallback offer is needed.
func (a *Random) Init(v *View) { a.rng = newRand(a.seed) }

func (a *Random) acceptable(v *View, p framework.Package) bool {
	return v.Table.Utility(p) >= reservation(v) && !crosses(v, p)
}

// Act accepts or offers as described on Random.
func (a *Random) Act(v *View) Action {
	if cur := received(v); cur != nil && a.acceptable(v, cur.Package) {
		return accept(v)
	}
	radix := v.Framework.Radix()
	p := make(framework.Package, len(radix))
	for try := 0; try < 64; try++ {
		for i, r := range radix {
			p[i] = a.rng.IntN(r)
		}
		if a.acceptable(v, p) {
			return Action{Kind: MakeOffer, Package: p}
		}
	}
	s, err := a.sp.get(v, &a.o)
	if err != nil {
		return Action{Kind: EndTalks}
	}
	if c := s.Within(reservation(v), math.Inf(1), 64, nil); len(c) > 0 {
		return offer(c[a.rng.IntN(len(c))])
	}
	return offer(s.Best())
}
