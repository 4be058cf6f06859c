package multideal

import "github.com/parley-negotiation/parley/framework"

// Random2025 is anl2025's Random2025, replayed draw for draw.
//
// Propose is list(nmi.outcome_space.sample(1))[0]: NegMAS samples each
// issue with np.random.choice(values, size=1), so it draws one masked
// randint per point with more than one option from numpy's global stream
// (the session's Turn.Rand.Numpy(), seeded with SessionNumpySeed(seed)).
//
// Respond draws random() from Python's stream (Turn.Rand): below 3·10⁻⁶
// it ends the thread; else a second random() below 0.99 rejects; else it
// rejects an offer worth less than no agreement (float(self.ufun(offer)) <
// self.ufun(None)) and accepts the rest. An edge values the offer with its
// own utility. The center's self.ufun is its CenterUFun, which anl2025's
// HierarchicalCombiner hands the thread's offer unchanged as the tuple of
// every thread's outcome: with more than one thread, zip(…, strict=True)
// against the expected outcomes raises ValueError. NegMAS's SAO mechanism
// then calls respond once more (without dest), which draws anew; should
// that call reach the valuation too, the exception ends anl2025's whole
// session with an error (run_error), where Random2025 here rejects and the
// session goes on. With one thread the center values the offer with its
// side utility (anl2025 passes the bare value tuple; not compared).
type Random2025 struct{}

// Name returns "Random2025".
func (*Random2025) Name() string { return "Random2025" }

// Propose draws an outcome as NegMAS's outcome-space sampling does.
func (*Random2025) Propose(t *Turn) framework.Package {
	np := t.Rand.Numpy()
	p := make(framework.Package, len(t.Framework.Points))
	for k := range t.Framework.Points {
		p[k] = np.Below(t.Framework.Points[k].Levels())
	}
	return p
}

// Respond ends, rejects or accepts at random.
func (a *Random2025) Respond(t *Turn) Response {
	r, check := a.draw(t)
	if !check {
		return r
	}
	if t.Center {
		if len(t.Scenario.Threads) > 1 {
			// anl2025 raises here (see Random2025); NegMAS calls
			// respond again, which draws anew.
			if r, check = a.draw(t); !check {
				return r
			}
			// raises again: anl2025's session fails (run_error)
			return Reject
		}
		// one thread: the offer is valued as the thread's outcome
	}
	if t.Utility(t.Offer) < t.Reservation {
		return Reject
	}
	return Accept
}

// draw makes Respond's two draws: End or Reject, or check when the offer
// is to be valued.
func (*Random2025) draw(t *Turn) (r Response, check bool) {
	if t.Rand.Random() < 0.000003 {
		return End, false
	}
	if t.Rand.Random() < 0.99 {
		return Reject, false
	}
	return Reject, true
}

// Numpy returns the session's numpy stream (np.random's global
// RandomState in anl2025's replays), seeded with SessionNumpySeed of the
// PyRandom's seed at its first use.
func (r *PyRandom) Numpy() *NumpyRandom {
	if r.np == nil {
		r.np = NewNumpyRandom(SessionNumpySeed(r.seed))
	}
	return r.np
}
