package analysis

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// The effect of the profiles' interactions (their non-additive terms) on
// the analysis: the same space analysed with them and without them. This
// is a mediator's or analyst's view over every profile, like the rest of
// the report; nothing here is meant for a party's screen.

// InteractionEffects compares the analysis of a space with that of the
// same space whose profiles have no interactions (WithoutInteractions).
type InteractionEffects struct {
	// Parties has one entry per party of the space, in its order.
	Parties []PartyInteractions `json:"parties"`
	// Frontier and ZoneFrontier compare the number of points of the whole
	// frontier and of the zone frontier.
	Frontier     SizeChange `json:"frontier"`
	ZoneFrontier SizeChange `json:"zone_frontier"`
	// Zone compares the agreement zone's size, computed the same way
	// (counted or sampled) with and without interactions.
	Zone ZoneChange `json:"zone"`
	// Moves counts the packages that enter or leave the zone because of
	// the interactions, on one paired sample (or every package).
	Moves ZoneMoves `json:"moves"`
	// Nash compares the Nash package of the zone (the suggested one).
	Nash NashChange `json:"nash"`
	// Entering are examples of packages in the zone with the interactions
	// and not without them: at most the number asked for, the largest
	// product of gains (with them) first, among the witnesses of the zone
	// frontier (with them) and the packages the moves examined.
	// EnteringFrontier counts the zone frontier's witnesses that enter.
	Entering         []PackageEffect `json:"entering"`
	EnteringFrontier int             `json:"entering_frontier"`
	// Leaving are examples of packages in the zone without the
	// interactions and not with them, the largest product of gains
	// (without them) first, from the zone frontier without them and the
	// moves; LeavingFrontier counts that frontier's witnesses that leave.
	Leaving         []PackageEffect `json:"leaving"`
	LeavingFrontier int             `json:"leaving_frontier"`
}

// PartyInteractions is one party's interactions and how many of them apply
// at the Nash package of the zone (with interactions).
type PartyInteractions struct {
	ID           string `json:"id"`
	Interactions int    `json:"interactions"`
	// Reservation and ReservationWithout are the party's reservation value
	// with and without the interactions (they differ when it is the
	// utility of a fallback package).
	Reservation        float64 `json:"reservation"`
	ReservationWithout float64 `json:"reservation_without"`
	// AtNash lists the interactions (indices in the profile's list) that
	// apply at the zone's Nash package; AtNashValue is what they add.
	AtNash      []int   `json:"at_nash"`
	AtNashValue float64 `json:"at_nash_value"`
}

// SizeChange is a frontier's number of points with and without the
// interactions; Approximate when either frontier is.
type SizeChange struct {
	With        int  `json:"with"`
	Without     int  `json:"without"`
	Approximate bool `json:"approximate,omitempty"`
}

// ZoneSize is the agreement zone's size as Zone gives it.
type ZoneSize struct {
	Size     float64 `json:"size"`
	Low      float64 `json:"low"`
	High     float64 `json:"high"`
	Fraction float64 `json:"fraction"`
}

// ZoneChange compares the agreement zone's size with and without the
// interactions; Exact when both were counted, not sampled.
type ZoneChange struct {
	Exact   bool     `json:"exact"`
	Method  string   `json:"method"`
	With    ZoneSize `json:"with"`
	Without ZoneSize `json:"without"`
}

// ZoneMoves counts, over the packages examined (every package when Exact,
// else a uniform sample: the zone's own when it was sampled), those in the
// zone with the interactions only (Entering), without them only (Leaving)
// and with and without them (Staying). The shares are of the whole space,
// with 95% Wilson intervals when sampled.
type ZoneMoves struct {
	Exact    bool   `json:"exact"`
	Examined uint64 `json:"examined"`
	Entering uint64 `json:"entering"`
	Leaving  uint64 `json:"leaving"`
	Staying  uint64 `json:"staying"`
	// EnteringShare and LeavingShare are Entering and Leaving over
	// Examined; Low and High bound them (equal to them when exact).
	EnteringShare float64 `json:"entering_share"`
	EnteringLow   float64 `json:"entering_low"`
	EnteringHigh  float64 `json:"entering_high"`
	LeavingShare  float64 `json:"leaving_share"`
	LeavingLow    float64 `json:"leaving_low"`
	LeavingHigh   float64 `json:"leaving_high"`
}

// NashChange compares the zone's Nash package with the interactions and
// without them (nil when that zone frontier is empty).
type NashChange struct {
	With    *PackageEffect `json:"with"`
	Without *PackageEffect `json:"without"`
	// Changed tells whether the two packages differ (or only one exists).
	Changed bool `json:"changed"`
}

// PackageEffect is a package seen with and without the interactions.
type PackageEffect struct {
	Package framework.Package `json:"package"`
	// IDs names the package's level of each point by id.
	IDs map[string]string `json:"ids"`
	// With and Without are every party's utility with and without the
	// interactions.
	With    []float64 `json:"with"`
	Without []float64 `json:"without"`
	// InZoneWith and InZoneWithout tell whether the package is in the
	// agreement zone with and without them.
	InZoneWith    bool `json:"in_zone_with"`
	InZoneWithout bool `json:"in_zone_without"`
	// Applied lists per party the interactions (indices in its profile's
	// list) that apply to the package.
	Applied [][]int `json:"applied"`
}

// DefaultEffectExamples is how many entering and leaving packages
// CompareInteractions lists when asked for none (or fewer).
const DefaultEffectExamples = 3

// movesEnumLimit bounds the spaces whose moves are counted package by
// package (and the zone's EnumLimit too); larger ones are sampled.
const movesEnumLimit = 1 << 24

// HasInteractions reports whether some profile of s has interactions.
func HasInteractions(s *Space) bool {
	for _, p := range s.Profiles {
		if len(p.Interactions) > 0 {
			return true
		}
	}
	return false
}

// WithoutInteractions returns the space of the same parties whose profiles
// are copies of s's without their interactions (everything else shared).
// A reservation that is the utility of a fallback package is recomputed
// without them too.
func WithoutInteractions(s *Space) (*Space, error) {
	profs := make([]*profile.Profile, len(s.Profiles))
	for i, p := range s.Profiles {
		c := *p
		c.Interactions = nil
		profs[i] = &c
	}
	out, err := NewSpace(s.Framework, s.Names, profs)
	if err != nil {
		return nil, fmt.Errorf("analysis: the space without interactions: %w", err)
	}
	return out, nil
}

// CompareInteractions analyses s without its interactions (with the same
// options o; o.Stage names its stages "without interactions: …") and
// compares the result with the analysis with them: with when given (it must
// be Analyze's report of s with o), else computed here. examples bounds the
// entering and leaving packages listed (≤ 0: DefaultEffectExamples). The
// moves are counted on every package when the space has at most
// min(o.Zone.EnumLimit, 2^24) of them, and otherwise on o.Zone's sample
// (its seed, o.Seed when zero, and size), the one the zone was estimated on.
func CompareInteractions(ctx context.Context, s *Space, with *Report, o Options, examples int) (*InteractionEffects, error) {
	return CompareInteractionsWith(ctx, s, with, nil, o, examples)
}

// AnalyzeWithoutInteractions is the analysis CompareInteractions compares
// with: the same space with every profile's interactions removed, and the
// same options (a caller may run it concurrently with the analysis of s
// and pass both to CompareInteractionsWith).
func AnalyzeWithoutInteractions(ctx context.Context, s *Space, o Options) (*Report, error) {
	plain, err := WithoutInteractions(s)
	if err != nil {
		return nil, err
	}
	po := o
	if o.Stage != nil {
		po.Stage = func(name string) { o.Stage("without interactions: " + name) }
	}
	without, err := AnalyzeContext(ctx, plain, po)
	if err != nil {
		return nil, fmt.Errorf("without interactions: %w", err)
	}
	return without, nil
}

// CompareInteractionsWith is CompareInteractions given both analyses
// (either may be nil: it is then computed; without must be
// AnalyzeWithoutInteractions(ctx, s, o)).
func CompareInteractionsWith(ctx context.Context, s *Space, with, without *Report, o Options, examples int) (*InteractionEffects, error) {
	if examples <= 0 {
		examples = DefaultEffectExamples
	}
	var err error
	if with == nil {
		if with, err = AnalyzeContext(ctx, s, o); err != nil {
			return nil, err
		}
	}
	plain, err := WithoutInteractions(s)
	if err != nil {
		return nil, err
	}
	if without == nil {
		if without, err = AnalyzeWithoutInteractions(ctx, s, o); err != nil {
			return nil, err
		}
	}
	e := &InteractionEffects{
		Frontier:     sizeChange(with.Frontier, without.Frontier),
		ZoneFrontier: sizeChange(with.ZoneFrontier, without.ZoneFrontier),
		Zone: ZoneChange{
			Exact: with.Zone.Exact && without.Zone.Exact, Method: with.Zone.Method,
			With: zoneSize(with.Zone), Without: zoneSize(without.Zone),
		},
	}
	pe := func(p framework.Package) *PackageEffect { return packageEffect(s, plain, p) }

	nw, okw := NashPoint(with.ZoneFrontier, s.Reservation)
	nwo, okwo := NashPoint(without.ZoneFrontier, plain.Reservation)
	if okw {
		e.Nash.With = pe(nw.Point.Witness)
	}
	if okwo {
		e.Nash.Without = pe(nwo.Point.Witness)
	}
	e.Nash.Changed = okw != okwo || okw && !slices.Equal(nw.Point.Witness, nwo.Point.Witness)
	for j, p := range s.Profiles {
		pi := PartyInteractions{ID: s.Names[j], Interactions: len(p.Interactions), AtNash: []int{},
			Reservation: s.Reservation[j], ReservationWithout: plain.Reservation[j]}
		if e.Nash.With != nil {
			pi.AtNash = e.Nash.With.Applied[j]
			for _, k := range pi.AtNash {
				pi.AtNashValue += p.Interactions[k].Value
			}
		}
		e.Parties = append(e.Parties, pi)
	}

	enter, leave := newTop(examples), newTop(examples)
	e.EnteringFrontier = movedOnFrontier(with.ZoneFrontier, s.Reservation, plain.Acceptable, enter)
	e.LeavingFrontier = movedOnFrontier(without.ZoneFrontier, plain.Reservation, s.Acceptable, leave)
	if e.Moves, err = zoneMoves(ctx, s, plain, o, enter, leave); err != nil {
		return nil, fmt.Errorf("zone moves: %w", err)
	}
	for _, c := range enter.c {
		e.Entering = append(e.Entering, *pe(c.p))
	}
	for _, c := range leave.c {
		e.Leaving = append(e.Leaving, *pe(c.p))
	}
	if e.Entering == nil {
		e.Entering = []PackageEffect{}
	}
	if e.Leaving == nil {
		e.Leaving = []PackageEffect{}
	}
	return e, nil
}

// sizeChange compares two frontiers' number of points.
func sizeChange(with, without *Frontier) SizeChange {
	return SizeChange{With: len(with.Points), Without: len(without.Points), Approximate: with.Approximate || without.Approximate}
}

// zoneSize is the size part of a zone.
func zoneSize(z *Zone) ZoneSize {
	return ZoneSize{Size: z.Size, Low: z.Low, High: z.High, Fraction: z.Fraction}
}

// packageEffect describes package p in space s (with interactions) and in
// plain (the same without them).
func packageEffect(s, plain *Space, p framework.Package) *PackageEffect {
	out := &PackageEffect{
		Package: slices.Clone(p), IDs: s.Framework.IDs(p),
		With: s.Utilities(p), Without: plain.Utilities(p),
		InZoneWith: s.Acceptable(p), InZoneWithout: plain.Acceptable(p),
		Applied: make([][]int, s.N()),
	}
	for j, t := range s.Tables {
		out.Applied[j] = []int{}
		for k := range t.Effects {
			if ef := &t.Effects[k]; ef.Applies(p) {
				out.Applied[j] = append(out.Applied[j], ef.Index)
			}
		}
		slices.Sort(out.Applied[j])
	}
	return out
}

// candidate is a package with its product of gains.
type candidate struct {
	p    framework.Package
	prod float64
}

// top keeps the n candidates with the largest product of gains (ties: the
// lowest package), each package once.
type top struct {
	n int
	c []candidate
}

func newTop(n int) *top { return &top{n: n} }

// before orders candidates: larger product first, then lower package.
func before(a, b candidate) int {
	if c := cmp.Compare(b.prod, a.prod); c != 0 {
		return c
	}
	return slices.Compare(a.p, b.p)
}

// offer adds p (copied) if it ranks among the best n.
func (t *top) offer(p framework.Package, prod float64) {
	c := candidate{p, prod}
	if len(t.c) == t.n && before(c, t.c[len(t.c)-1]) >= 0 {
		return
	}
	i, found := slices.BinarySearchFunc(t.c, c, before)
	if found {
		return
	}
	c.p = slices.Clone(p)
	t.c = slices.Insert(t.c, i, c)
	if len(t.c) > t.n {
		t.c = t.c[:t.n]
	}
}

// merge offers every candidate of u.
func (t *top) merge(u *top) {
	for _, c := range u.c {
		t.offer(c.p, c.prod)
	}
}

// gains is the product of u − r over the parties.
func gains(u, r []float64) float64 {
	prod := 1.0
	for j := range u {
		prod *= u[j] - r[j]
	}
	return prod
}

// movedOnFrontier offers to t the witnesses of fr's points that are not in
// the other space's zone (inOther reports whether a package is), with
// their product of gains over r, and returns how many there are.
func movedOnFrontier(fr *Frontier, r []float64, inOther func(framework.Package) bool, t *top) int {
	n := 0
	for i := range fr.Points {
		pt := &fr.Points[i]
		if !inOther(pt.Witness) {
			n++
			t.offer(pt.Witness, gains(pt.U, r))
		}
	}
	return n
}

// zoneMoves counts the packages in the zone of s only, of plain only and
// of both: every package when the space is small enough, else on the
// zone's sample. It offers those in one zone only to enter and leave.
func zoneMoves(ctx context.Context, s, plain *Space, o Options, enter, leave *top) (ZoneMoves, error) {
	zo := o.Zone
	if zo.Seed == 0 {
		zo.Seed = o.Seed
	}
	zo = zo.withDefaults()
	zo.Progress = nil
	workers := zo.Workers
	type state struct {
		counts       [3]uint64 // entering, leaving, staying
		enter, leave *top
		uw, uwo      []float64
	}
	st := make([]state, workers)
	for w := range st {
		st[w] = state{enter: newTop(enter.n), leave: newTop(leave.n), uw: make([]float64, s.N()), uwo: make([]float64, s.N())}
	}
	classify := func(w int, p framework.Package) {
		if crossesAny(s, p) {
			return
		}
		ws := &st[w]
		a, b := ratable(s, p, ws.uw), ratable(plain, p, ws.uwo)
		switch {
		case a && b:
			ws.counts[2]++
		case a:
			ws.counts[0]++
			ws.enter.offer(p, gains(ws.uw, s.Reservation))
		case b:
			ws.counts[1]++
			ws.leave.offer(p, gains(ws.uwo, plain.Reservation))
		}
	}
	var m ZoneMoves
	if size, ok := s.Framework.SizeInt(); ok && size <= min(zo.EnumLimit, movesEnumLimit) {
		m.Exact, m.Examined = true, uint64(size)
		if err := forEachPackage(ctx, s.Framework, workers, classify); err != nil {
			return m, err
		}
	} else {
		m.Examined = uint64(zo.Samples)
		if err := forEachSample(ctx, s, zo, func(w, _ int, p framework.Package) { classify(w, p) }); err != nil {
			return m, err
		}
	}
	for _, ws := range st {
		m.Entering += ws.counts[0]
		m.Leaving += ws.counts[1]
		m.Staying += ws.counts[2]
		enter.merge(ws.enter)
		leave.merge(ws.leave)
	}
	share := func(k uint64) (v, lo, hi float64) {
		if m.Examined == 0 {
			return 0, 0, 0
		}
		v = float64(k) / float64(m.Examined)
		if m.Exact {
			return v, v, v
		}
		lo, hi = wilson(k, m.Examined)
		return v, lo, hi
	}
	m.EnteringShare, m.EnteringLow, m.EnteringHigh = share(m.Entering)
	m.LeavingShare, m.LeavingLow, m.LeavingHigh = share(m.Leaving)
	return m, nil
}

// crossesAny reports whether p crosses some party's red line.
func crossesAny(s *Space, p framework.Package) bool {
	for _, pr := range s.Profiles {
		if pr.CrossesRedLine(p) >= 0 {
			return true
		}
	}
	return false
}

// ratable reports whether every party of s rates p at least its
// reservation value, leaving the utilities in u (those up to the first
// party below its reservation).
func ratable(s *Space, p framework.Package, u []float64) bool {
	for j, t := range s.Tables {
		if u[j] = t.Utility(p); u[j] < s.Reservation[j] {
			return false
		}
	}
	return true
}

// forEachPackage calls fn(w, p) for every complete package of f, split in
// ranges of mixed-radix indices over workers (fn must only touch worker
// w's state; p is reused). It returns ctx's error if ctx is done first.
func forEachPackage(ctx context.Context, f *framework.Framework, workers int, fn func(w int, p framework.Package)) error {
	radix := f.Radix()
	size, ok := f.SizeInt()
	if !ok {
		return fmt.Errorf("analysis: %s packages are too many to enumerate", f.Size())
	}
	workers = max(1, min(workers, runtime.GOMAXPROCS(0)*4))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := size*int64(w)/int64(workers), size*int64(w+1)/int64(workers)
		if lo == hi {
			continue
		}
		wg.Add(1)
		go func(w int, lo, hi int64) {
			defer wg.Done()
			p := make(framework.Package, len(radix))
			rest := lo
			for k := len(radix) - 1; k >= 0; k-- {
				p[k] = int(rest % int64(radix[k]))
				rest /= int64(radix[k])
			}
			for i := lo; i < hi; i++ {
				if i&0xffff == 0 && ctx.Err() != nil {
					return
				}
				fn(w, p)
				for k := len(radix) - 1; k >= 0; k-- {
					if p[k]++; p[k] < radix[k] {
						break
					}
					p[k] = 0
				}
			}
		}(w, lo, hi)
	}
	wg.Wait()
	return ctxErr(ctx)
}
