package agent

import (
	"slices"
	"strconv"
	"strings"

	"github.com/parley-negotiation/parley/framework"
)

// MiCRO is NegMAS's MiCRONegotiator (Monotonic Concession with Rational
// Offers, de Jonge 2022; accept_same=True), with NegMAS's conventions
// described in negmas.go.
//
// It walks down its ranking of rational outcomes (utility ≥ its reservation
// value), best first, one new outcome per offer, but only while it has made
// no more distinct offers than it has received: when |sent| > |received|
// (distinct packages), or when the next outcome is not rational, it repeats
// an earlier offer instead. NegMAS repeats a random earlier offer
// (random.choice); Parley's repeats its last new offer, the outcome NegMAS's
// conformance runs use (agent/testdata/negmas_runs.py) so that both are
// deterministic.
//
// It accepts the offer on the table iff its utility is at least that of the
// outcome it would offer next (its next new outcome when it may concede,
// else its last new one), or at least its reservation value when that
// outcome is below it or there is none. It never walks away: when no
// outcome is worth its reservation value it offers its best package
// (NegMAS's MiCRO proposes nothing, which ends the negotiation).
type MiCRO struct {
	o options
	c nmCache

	next     int // index of its next new outcome in its ranking
	sent     map[string]bool
	received map[string]bool
	hist     int // offers of History already read
	round    int
}

// NewMiCRO returns NegMAS's MiCRONegotiator. Options: WithSpaceOptions.
func NewMiCRO(opts ...Option) *MiCRO {
	a := &MiCRO{o: collect(opts)}
	a.reset()
	return a
}

func (a *MiCRO) reset() {
	a.next, a.hist, a.round = 0, 0, 0
	a.sent, a.received = map[string]bool{}, map[string]bool{}
}

// Name returns "micro".
func (a *MiCRO) Name() string { return "micro" }

// Init forgets any previous session and builds the sorted outcome space.
func (a *MiCRO) Init(v *View) {
	a.reset()
	_, _ = a.c.get(v, true, &a.o)
}

func packageKey(p framework.Package) string {
	var b strings.Builder
	for i, l := range p {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(l))
	}
	return b.String()
}

func (a *MiCRO) observe(v *View) {
	if len(v.History) < a.hist || v.Round < a.round {
		a.reset()
	}
	a.round = v.Round
	for _, o := range v.History[a.hist:] {
		if o.By != v.Self && o.Package != nil {
			a.received[packageKey(o.Package)] = true
		}
	}
	a.hist = len(v.History)
}

func (a *MiCRO) ready() bool { return len(a.sent) <= len(a.received) }

// Act accepts or offers as described on MiCRO.
func (a *MiCRO) Act(v *View) Action {
	s, err := a.c.get(v, true, &a.o)
	if err != nil {
		return Action{Kind: EndTalks}
	}
	a.observe(v)
	rv := reservation(v)
	if cur := received(v); cur != nil && !crosses(v, cur.Package) {
		i := a.next
		if !a.ready() {
			i = a.next - 1
		}
		mine := rv
		if _, u, ok := s.rank(i); ok && u >= rv {
			mine = u
		}
		if v.Table.Utility(cur.Package) >= mine {
			return accept(v)
		}
	}
	p, u, ok := s.rank(a.next)
	if !ok || u < rv || !a.ready() {
		if p, _, ok = s.rank(a.next - 1); !ok {
			// Nothing sent and nothing rational: NegMAS's MiCRO proposes
			// nothing, which ends the negotiation; this one offers its
			// best package (and still accepts nothing below its
			// reservation value).
			p = s.best
		}
		return Action{Kind: MakeOffer, Package: slices.Clone(p)}
	}
	a.next++
	a.sent[packageKey(p)] = true
	return Action{Kind: MakeOffer, Package: p}
}
