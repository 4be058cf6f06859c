package agent

import (
	"math"
	"slices"
)

// HardHeaded never concedes below a high target: with lo its floor (the
// reservation value, or its lowest utility when there is none) and hi its
// highest utility, target = lo + level·(hi − lo), level 0.9 by default. It
// opens with its best package and then cycles through it and the (up to)
// 64 packages of lowest utility ≥ target, highest first, so that opponents
// see several packages it would sign. It accepts the offer on
// the table iff its utility is ≥ target and it crosses none of its red
// lines. It never walks away.
type HardHeaded struct {
	o     options
	sp    space
	list  []Bid
	built *BidSpace
	next  int
}

// NewHardHeaded returns a hard-headed negotiator. Options: WithLevel,
// WithBidSpace, WithSpaceOptions.
func NewHardHeaded(opts ...Option) *HardHeaded {
	a := &HardHeaded{o: collect(opts)}
	if !a.o.hasLevel {
		a.o.level = 0.9
	}
	return a
}

// Name returns "hardheaded(level=0.9)".
func (a *HardHeaded) Name() string { return "hardheaded(level=" + fmtFloat(a.o.level) + ")" }

// Init builds the bid space and the list of packages to offer.
func (a *HardHeaded) Init(v *View) {
	a.built, a.next = nil, 0
	if s, err := a.sp.get(v, &a.o); err == nil {
		a.prepare(v, s)
	}
}

func (a *HardHeaded) target(v *View, s *BidSpace) float64 {
	lo, hi := bounds(v, s)
	return lo + a.o.level*math.Max(hi-lo, 0)
}

func (a *HardHeaded) prepare(v *View, s *BidSpace) {
	best := s.Best()
	list := s.Within(a.target(v, s), math.Inf(1), 64, []Bid{best})
	slices.SortStableFunc(list[1:], func(x, y Bid) int {
		switch {
		case x.Utility > y.Utility:
			return -1
		case x.Utility < y.Utility:
			return 1
		}
		return 0
	})
	a.list = list[:1]
	for _, b := range list[1:] {
		if !slices.Equal(b.Package, best.Package) {
			a.list = append(a.list, b)
		}
	}
	a.built, a.next = s, 0
}

// Act accepts or offers as described on HardHeaded.
func (a *HardHeaded) Act(v *View) Action {
	s, err := a.sp.get(v, &a.o)
	if err != nil {
		return Action{Kind: EndTalks}
	}
	if a.built != s {
		a.prepare(v, s)
	}
	if cur := received(v); cur != nil && !crosses(v, cur.Package) {
		if u := v.Table.Utility(cur.Package); u >= a.target(v, s) && u >= reservation(v) {
			return accept(v)
		}
	}
	b := a.list[a.next%len(a.list)]
	a.next++
	return offer(b.clone())
}
