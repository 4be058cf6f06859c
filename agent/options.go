package agent

import (
	"math"
	"strconv"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// Option configures a negotiator or voter. Options that do not apply to a
// strategy are ignored by it; each option says which strategies read it.
type Option func(*options)

type options struct {
	floor      bool
	pmin, pmax float64
	hasRange   bool
	k          float64
	space      *BidSpace
	spaceOpts  []SpaceOption
	kindness   float64
	hasKind    bool
	level      float64
	hasLevel   bool
	temp       float64
	geniusTemp bool
}

func collect(opts []Option) options {
	var o options
	for _, f := range opts {
		f(&o)
	}
	return o
}

// WithFloor makes a time-dependent negotiator never offer or accept a
// package below its reservation value: the target runs from the maximum
// down to the reservation value instead of down to the range minimum.
// (GENIUS's BoulwareNegotiationParty and ConcederNegotiationParty ignore the
// reservation value; the other negotiators here always respect it.)
func WithFloor() Option { return func(o *options) { o.floor = true } }

// WithRange sets the utilities a time-dependent negotiator concedes between
// (GENIUS BOA TimeDependent_Offering's Pmin and Pmax). The default, 0 and 1,
// is GENIUS's AbstractTimeDependentNegotiationParty.
func WithRange(min, max float64) Option {
	return func(o *options) { o.pmin, o.pmax, o.hasRange = min, max, true }
}

// WithStart sets k of the time-dependent family, f(t) = k + (1−k)·t^(1/e):
// the fraction of the range conceded at once (default 0).
func WithStart(k float64) Option { return func(o *options) { o.k = k } }

// WithBidSpace makes a negotiator use s, which must have been built for the
// framework and table of the views it will see, instead of building its own
// at Init (building sorts up to ExactLimit outcomes, so sharing one space
// among sessions saves time).
func WithBidSpace(s *BidSpace) Option { return func(o *options) { o.space = s } }

// WithSpaceOptions passes options to the BidSpace a negotiator builds at
// Init. Red lines of the view's profile are always excluded.
func WithSpaceOptions(opts ...SpaceOption) Option {
	return func(o *options) { o.spaceOpts = append(o.spaceOpts, opts...) }
}

// WithKindness sets how much the tit-for-tat negotiators concede on top of
// the mirrored concession with each of their own offers, as a fraction of
// the utility range (default 0.01; 0 is pure tit-for-tat).
func WithKindness(x float64) Option { return func(o *options) { o.kindness, o.hasKind = x, true } }

// WithLevel sets the hard-headed negotiator's target as a fraction of the
// range between its floor (reservation value or lowest utility) and its
// highest utility (default 0.9).
func WithLevel(x float64) Option { return func(o *options) { o.level, o.hasLevel = x, true } }

// WithTemperature sets the annealing voter's initial temperature T0
// (default 0.1): a proposal Δ worse than the previous one is accepted with
// probability exp(−Δ/T), T = T0·(1 − t).
func WithTemperature(t0 float64) Option { return func(o *options) { o.temp = t0 } }

// WithGeniusSchedule makes the annealing voter use GENIUS's Annealer
// temperature instead: T = max(accepted rounds so far / deadline, t), which
// rises with time, so the voter grows more permissive near the deadline.
func WithGeniusSchedule() Option { return func(o *options) { o.geniusTemp = true } }

// RoundTime returns GENIUS's DiscreteTimeline.getTime() in round r (1-based)
// of a session with a deadline of R rounds: r/(R+1), at most 1. A session
// engine that wants GENIUS behaviour sets View.Time to this.
func RoundTime(round, deadline int) float64 {
	if deadline <= 0 {
		return 0
	}
	return math.Min(float64(round)/float64(deadline+1), 1)
}

// space holds the bid space a negotiator searches, built lazily for the
// framework and table it is first asked about.
type space struct {
	s   *BidSpace
	f   *framework.Framework
	t   *profile.Table
	err error
}

// get returns the bid space for v, building it when v's framework or table
// changed (a new session) or none was given.
func (sp *space) get(v *View, o *options) (*BidSpace, error) {
	if sp.s != nil && sp.f == v.Framework && sp.t == v.Table {
		return sp.s, nil
	}
	if o.space != nil && o.space.f == v.Framework && o.space.table == v.Table {
		sp.s, sp.f, sp.t, sp.err = o.space, v.Framework, v.Table, nil
		return sp.s, nil
	}
	if sp.err != nil && sp.f == v.Framework && sp.t == v.Table {
		return nil, sp.err
	}
	opts := append([]SpaceOption(nil), o.spaceOpts...)
	if pr := v.Profile; pr != nil && len(pr.RedLines) > 0 {
		opts = append(opts, ExcludingRedLines(pr.RedLines))
	}
	sp.f, sp.t = v.Framework, v.Table
	sp.s, sp.err = NewBidSpace(v.Framework, v.Table, opts...)
	return sp.s, sp.err
}

// received returns the offer on the table when another party made it (in
// stacked alternating offers this is always so at a party's turn, except
// before the first offer).
func received(v *View) *Offer {
	if v.Current == nil || v.Current.By == v.Self || v.Current.Package == nil {
		return nil
	}
	return v.Current
}

// crosses reports whether p crosses one of the view's own red lines.
func crosses(v *View, p framework.Package) bool {
	return v.Profile != nil && v.Profile.CrossesRedLine(p) >= 0
}

// discounted applies the view's discount factor at the view's time.
func discounted(v *View, u float64) float64 {
	if v.Profile == nil {
		return u
	}
	return v.Profile.Discounted(u, v.Time)
}

// reservation returns the table's reservation value (0 when none).
func reservation(v *View) float64 {
	if v.Table == nil || !v.Table.HasReservation {
		return 0
	}
	return v.Table.Reservation
}

func offer(b Bid) Action { return Action{Kind: MakeOffer, Package: b.Package} }

func accept(v *View) Action { return Action{Kind: Accept, Package: v.Current.Package.Clone()} }

func fmtFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

func fmtUint(x uint64) string { return strconv.FormatUint(x, 10) }
