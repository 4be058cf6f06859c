package analysis

import (
	"cmp"
	"context"
	"fmt"
	"math/big"
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
// options o, computing only what the comparison reads: the frontier, the
// zone frontier and the zone's size) and compares the result with the
// analysis with them: with when given (it must be Analyze's report of s
// with o), else computed here (then as AnalyzeWithEffects does). examples bounds the
// entering and leaving packages listed (≤ 0: DefaultEffectExamples). The
// moves are counted on every package when the space has at most
// min(o.Zone.EnumLimit, 2^24) of them, and otherwise on o.Zone's sample
// (its seed, o.Seed when zero, and size), the one the zone was estimated on.
func CompareInteractions(ctx context.Context, s *Space, with *Report, o Options, examples int) (*InteractionEffects, error) {
	return CompareInteractionsWith(ctx, s, with, nil, o, examples)
}

// AnalyzeWithoutInteractions is the whole analysis of the same space with
// every profile's interactions removed, with the same options: a report
// like any other (solutions, suggestions with their robustness, the zone's
// overlap). CompareInteractionsWith accepts it as its without report, but
// reads only its frontier and zone frontier and its zone's size: passing
// nil there instead computes just those, and AnalyzeWithEffects computes
// the report of s and the comparison together with the least work.
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

// AnalyzeWithEffects returns AnalyzeContext(ctx, s, o) and, when some
// profile of s has interactions, CompareInteractions(ctx, s, report, o,
// examples) (nil effects otherwise): the same report and the same figures,
// computed with less work. Of the space without the interactions only what
// the comparison reads is computed (its frontier and zone frontier; no
// solutions, suggestions, robustness or overlap), beside the analysis of
// s. The packages examined for the moves are examined once for the zone
// with the interactions, the zone's size without them and the moves
// together: the sample's draws depend on the framework, the seed and the
// sample's size only, not on the profiles, so the one pass decides each
// drawn package in both zones exactly as the separate passes did. Errors of
// the comparison (not of the analysis of s) begin "interactions: ".
func AnalyzeWithEffects(ctx context.Context, s *Space, o Options, examples int) (*Report, *InteractionEffects, error) {
	if !HasInteractions(s) {
		rep, err := AnalyzeContext(ctx, s, o)
		return rep, nil, err
	}
	if examples <= 0 {
		examples = DefaultEffectExamples
	}
	plain, err := WithoutInteractions(s)
	if err != nil {
		return nil, nil, fmt.Errorf("interactions: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	zo := effectZoneOptions(o)
	size, ok := s.Framework.SizeInt()
	counted := ok && size <= zo.EnumLimit                           // the zone is counted, not sampled
	movesCounted := ok && size <= min(zo.EnumLimit, movesEnumLimit) // so are the moves

	// Beside the analysis of s (its merges run on one core), one goroutine
	// does the rest on the other cores: first the pass over the packages
	// (the moves, and when the zone is sampled its hits and per-level
	// counts with the interactions, from which the analysis finishes its
	// zone), then the space without the interactions: its frontiers, and
	// its zone's size only when the moves cannot give it (a counted zone,
	// sampled moves). On two cores the two sides take about as long.
	enter, leave := newTop(examples), newTop(examples)
	var pass zonePassResult
	var parts withoutParts
	var passErr, partsErr error
	passDone, partsDone := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(partsDone)
		po := zo
		po.Workers = max(1, zo.Workers-1)
		if counted {
			po.Progress = nil // the zone's own enumeration reports progress
		}
		pass, passErr = zonePass(ctx, s, plain, po, !counted, enter, leave)
		close(passDone)
		if passErr == nil {
			parts, partsErr = plainParts(ctx, plain, o, zo, counted && !movesCounted)
		}
	}()
	defer func() {
		cancel()
		<-partsDone
	}()
	var hook zoneFunc
	if !counted {
		hook = func(ctx context.Context, s *Space, zo ZoneOptions) (*Zone, error) {
			zo = zo.withDefaults()
			select {
			case <-passDone:
			case <-ctx.Done():
				return nil, ctxErr(ctx)
			}
			if passErr != nil {
				return nil, passErr
			}
			if err := ctxErr(ctx); err != nil {
				return nil, err
			}
			return finishZone(ctx, s, zo, false, pass.moves.Entering+pass.moves.Staying, pass.withLevels)
		}
	}
	rep, err := analyze(ctx, s, o, nil, hook)
	if err != nil {
		return nil, nil, err
	}
	<-partsDone
	if passErr != nil {
		return nil, nil, fmt.Errorf("interactions: zone moves: %w", passErr)
	}
	if partsErr != nil {
		return nil, nil, fmt.Errorf("interactions: %w", partsErr)
	}
	return rep, compareParts(s, plain, rep, parts, pass.moves, zo, enter, leave), nil
}

// effectZoneOptions are o's zone options as the analysis uses them: the
// seed o.Seed when o.Zone's is zero, and the defaults.
func effectZoneOptions(o Options) ZoneOptions {
	zo := o.Zone
	if zo.Seed == 0 {
		zo.Seed = o.Seed
	}
	return zo.withDefaults()
}

// withoutParts is what the comparison reads of the analysis without the
// interactions.
type withoutParts struct {
	frontier, zoneFrontier *Frontier
	// zone is the zone's size; nil when the moves give it (they examined
	// the packages the zone was counted or sampled on).
	zone      *ZoneSize
	zoneExact bool
}

// plainParts computes the frontier and zone frontier of plain (the space
// without the interactions) as the analysis does, and its zone's size
// when zone is set.
func plainParts(ctx context.Context, plain *Space, o Options, zo ZoneOptions, zone bool) (withoutParts, error) {
	var w withoutParts
	fo := reportFrontierOptions(o.Frontier)
	fr, err := FrontierAdditiveContext(ctx, plain, fo)
	if err != nil {
		return w, fmt.Errorf("without interactions: frontier: %w", err)
	}
	zf, err := zoneFrontier(ctx, plain, fr, fo)
	if err != nil {
		return w, fmt.Errorf("without interactions: zone frontier: %w", err)
	}
	w.frontier, w.zoneFrontier = fr, zf
	if zone {
		zo.Progress = nil
		z, err := AgreementZoneContext(ctx, plain, zo)
		if err != nil {
			return w, fmt.Errorf("without interactions: agreement zone: %w", err)
		}
		zs := zoneSize(z)
		w.zone, w.zoneExact = &zs, z.Exact
	}
	return w, nil
}

// CompareInteractionsWith is CompareInteractions given both analyses
// (either may be nil: it is then computed; without must be
// AnalyzeWithoutInteractions(ctx, s, o), of which only the frontier, the
// zone frontier and the zone's size are read). With both nil it is
// AnalyzeWithEffects's comparison.
func CompareInteractionsWith(ctx context.Context, s *Space, with, without *Report, o Options, examples int) (*InteractionEffects, error) {
	if examples <= 0 {
		examples = DefaultEffectExamples
	}
	if with == nil && without == nil && HasInteractions(s) {
		_, e, err := AnalyzeWithEffects(ctx, s, o, examples)
		return e, err
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
	zo := effectZoneOptions(o)
	var parts withoutParts
	if without != nil {
		zs := zoneSize(without.Zone)
		parts = withoutParts{frontier: without.Frontier, zoneFrontier: without.ZoneFrontier, zone: &zs, zoneExact: without.Zone.Exact}
	} else {
		size, ok := s.Framework.SizeInt()
		counted := ok && size <= zo.EnumLimit
		movesCounted := ok && size <= min(zo.EnumLimit, movesEnumLimit)
		if parts, err = plainParts(ctx, plain, o, zo, counted && !movesCounted); err != nil {
			return nil, err
		}
	}
	enter, leave := newTop(examples), newTop(examples)
	zo.Progress = nil
	pass, err := zonePass(ctx, s, plain, zo, false, enter, leave)
	if err != nil {
		return nil, fmt.Errorf("zone moves: %w", err)
	}
	return compareParts(s, plain, with, parts, pass.moves, zo, enter, leave), nil
}

// compareParts builds the comparison of with (the report of s) with the
// parts of the analysis of plain (s without its interactions), given the
// moves and the packages in one zone only they offered to enter and leave.
func compareParts(s, plain *Space, with *Report, without withoutParts, moves ZoneMoves, zo ZoneOptions, enter, leave *top) *InteractionEffects {
	wz, wzExact := ZoneSize{}, false
	if without.zone != nil {
		wz, wzExact = *without.zone, without.zoneExact
	} else {
		wz, wzExact = zoneSizeOf(s.Framework, moves.Exact, moves.Leaving+moves.Staying, zo.Samples), moves.Exact
	}
	e := &InteractionEffects{
		Frontier:     sizeChange(with.Frontier, without.frontier),
		ZoneFrontier: sizeChange(with.ZoneFrontier, without.zoneFrontier),
		Zone: ZoneChange{
			Exact: with.Zone.Exact && wzExact, Method: with.Zone.Method,
			With: zoneSize(with.Zone), Without: wz,
		},
		Moves: moves,
	}
	pe := func(p framework.Package) *PackageEffect { return packageEffect(s, plain, p) }

	nw, okw := NashPoint(with.ZoneFrontier, s.Reservation)
	nwo, okwo := NashPoint(without.zoneFrontier, plain.Reservation)
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

	// The examples: the frontiers' witnesses that move, then (already
	// offered by the pass) the packages the moves examined.
	fenter, fleave := newTop(enter.n), newTop(leave.n)
	e.EnteringFrontier = movedOnFrontier(with.ZoneFrontier, s.Reservation, plain.Acceptable, fenter)
	e.LeavingFrontier = movedOnFrontier(without.zoneFrontier, plain.Reservation, s.Acceptable, fleave)
	fenter.merge(enter)
	fleave.merge(leave)
	for _, c := range fenter.c {
		e.Entering = append(e.Entering, *pe(c.p))
	}
	for _, c := range fleave.c {
		e.Leaving = append(e.Leaving, *pe(c.p))
	}
	if e.Entering == nil {
		e.Entering = []PackageEffect{}
	}
	if e.Leaving == nil {
		e.Leaving = []PackageEffect{}
	}
	return e
}

// zoneSizeOf is the size of a zone of n packages (counted, exact) or of n
// hits among samples uniform draws, as finishZone states it.
func zoneSizeOf(f *framework.Framework, exact bool, n uint64, samples int) ZoneSize {
	total, _ := new(big.Float).SetInt(f.Size()).Float64()
	var z ZoneSize
	if exact {
		z.Size, z.Low, z.High = float64(n), float64(n), float64(n)
	} else {
		p := float64(n) / float64(samples)
		lo, hi := wilson(n, uint64(samples))
		z.Size, z.Low, z.High = p*total, lo*total, hi*total
	}
	z.Fraction = z.Size / total
	return z
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

// zonePassResult is what zonePass counts.
type zonePassResult struct {
	moves ZoneMoves
	// withLevels[k][l] counts the packages examined in the zone with the
	// interactions that use level l of point k (nil unless asked for).
	withLevels [][]uint64
}

// zonePass decides each package examined in the zone of s (with the
// interactions) and in that of plain (without them) at once, and counts
// those in the zone of s only (entering), of plain only (leaving) and of
// both (staying), offering those in one zone only to enter and leave. The
// packages examined are every package when the space has at most
// min(zo.EnumLimit, movesEnumLimit) of them, else zo's sample (zo has its
// defaults): the very packages sampleZone draws with zo, since the draws
// depend on the framework, zo.Seed and zo.Samples only, and each decision
// is Space.Acceptable's, as the zone's (pairEval). With levels it also
// counts, per point and level, the packages in the zone of s: with the
// entering and staying ones, the hits and counts sampleZone(s, zo) gives.
func zonePass(ctx context.Context, s, plain *Space, zo ZoneOptions, levels bool, enter, leave *top) (zonePassResult, error) {
	workers := zo.Workers
	radix := s.Framework.Radix()
	type state struct {
		counts       [3]uint64 // entering, leaving, staying
		enter, leave *top
		ev           *pairEval
		levels       [][]uint64
	}
	newLevels := func() [][]uint64 {
		c := make([][]uint64, len(radix))
		for k := range c {
			c[k] = make([]uint64, radix[k])
		}
		return c
	}
	st := make([]state, workers)
	for w := range st {
		st[w] = state{enter: newTop(enter.n), leave: newTop(leave.n), ev: newPairEval(s, plain)}
		if levels {
			st[w].levels = newLevels()
		}
	}
	classify := func(w int, p framework.Package) {
		ws := &st[w]
		a, b := ws.ev.decide(p)
		switch {
		case a && b:
			ws.counts[2]++
		case a:
			ws.counts[0]++
			ws.enter.offer(p, gains(ws.ev.uw, s.Reservation))
		case b:
			ws.counts[1]++
			ws.leave.offer(p, gains(ws.ev.up, plain.Reservation))
		}
		if a && ws.levels != nil {
			for k, l := range p {
				ws.levels[k][l]++
			}
		}
	}
	var r zonePassResult
	m := &r.moves
	if size, ok := s.Framework.SizeInt(); ok && size <= min(zo.EnumLimit, movesEnumLimit) {
		m.Exact, m.Examined = true, uint64(size)
		if err := forEachPackage(ctx, s.Framework, workers, classify); err != nil {
			return r, err
		}
	} else {
		m.Examined = uint64(zo.Samples)
		if err := forEachSample(ctx, s, zo, func(w, _ int, p framework.Package) { classify(w, p) }); err != nil {
			return r, err
		}
	}
	if levels {
		r.withLevels = newLevels()
	}
	for _, ws := range st {
		m.Entering += ws.counts[0]
		m.Leaving += ws.counts[1]
		m.Staying += ws.counts[2]
		enter.merge(ws.enter)
		leave.merge(ws.leave)
		for k := range r.withLevels {
			for l := range r.withLevels[k] {
				r.withLevels[k][l] += ws.levels[k][l]
			}
		}
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
	return r, nil
}

// pairEval decides whether a complete package is in the zone of s (with
// the interactions) and in that of plain (the same profiles without them),
// each decision Space.Acceptable's: every utility is a chain of additions
// in Table.Utility's order (the contributions in point order, each effect
// right after its last point), so bit for bit Table.Utility. The red
// lines (the same in both spaces) are checked first: a drawn package
// crosses one far more often than it is in a zone (85% of Miami's
// sample), and a single-term red line is one lookup per point. Parties
// are then taken two at a time, their four chains (with and without the
// interactions) advancing together point by point: independent additions
// the processor overlaps, so a pair costs about what one party does, and
// the next pair is not summed once both zones are ruled out.
type pairEval struct {
	s, plain *Space
	// fast[j]: party j's plain table is additive with the contributions of
	// its table in s, summed once for both from contrib[j] (its
	// contributions, contrib[j][base[k]+l] for level l of point k) with
	// effects[j] (its table's effects) added to the chain with them.
	fast    []bool
	contrib [][]float64
	effects [][]profile.Effect
	base    []int
	// uw and up are every party's utility with and without the
	// interactions, up to the last party summed for the last package.
	uw, up []float64
	// banned[base[k]+l] is 1 when level l of point k crosses a red line
	// of a single term, else 0; banPoints lists the points with a banned
	// level. multi are the terms of the red lines of several terms,
	// crossed when p matches every term.
	banned    []uint8
	banPoints []int
	multi     [][]profile.EffectTerm
}

// newPairEval returns the evaluator for s and plain = WithoutInteractions(s)
// (whose profiles keep s's red lines).
func newPairEval(s, plain *Space) *pairEval {
	d := s.N()
	e := &pairEval{s: s, plain: plain, fast: make([]bool, d), contrib: make([][]float64, d), effects: make([][]profile.Effect, d),
		uw: make([]float64, d), up: make([]float64, d)}
	pts := s.Framework.Points
	e.base = make([]int, len(pts))
	n := 0
	for k := range pts {
		e.base[k] = n
		n += pts[k].Levels()
	}
	e.banned = make([]uint8, n)
	for _, pr := range s.Profiles {
		for _, r := range pr.RedLines {
			if len(r.Terms) == 1 {
				k := r.Terms[0].Point
				for _, l := range r.Terms[0].Levels {
					e.banned[e.base[k]+l] = 1
				}
				if !slices.Contains(e.banPoints, k) {
					e.banPoints = append(e.banPoints, k)
				}
				continue
			}
			var terms []profile.EffectTerm
			for _, t := range r.Terms {
				in := make([]bool, pts[t.Point].Levels())
				for _, l := range t.Levels {
					in[l] = true
				}
				terms = append(terms, profile.EffectTerm{Point: t.Point, In: in})
			}
			if len(terms) > 0 { // a red line without terms is never crossed
				e.multi = append(e.multi, terms)
			}
		}
	}
	for j, t := range s.Tables {
		pt := plain.Tables[j]
		if !pt.Additive() || !slices.EqualFunc(t.Contrib, pt.Contrib, func(a, b []float64) bool { return slices.Equal(a, b) }) {
			continue
		}
		e.fast[j] = true
		e.effects[j] = t.Effects
		for _, c := range t.Contrib {
			e.contrib[j] = append(e.contrib[j], c...)
		}
	}
	return e
}

// decide reports whether complete package p is in the zone of s (a) and
// of plain (b). When a, e.uw holds every party's utility in s; when b, e.up
// every party's in plain.
func (e *pairEval) decide(p framework.Package) (a, b bool) {
	if e.crosses(p) {
		return false, false
	}
	a, b = true, true
	rw, rp := e.s.Reservation, e.plain.Reservation
	d := len(e.uw)
	for j := 0; j < d; j += 2 {
		if j+1 < d && e.fast[j] && e.fast[j+1] {
			e.sumPair(p, j)
		} else {
			e.sum(p, j)
			if j+1 < d {
				e.sum(p, j+1)
			}
		}
		for i := j; i < min(j+2, d); i++ {
			a = a && !(e.uw[i] < rw[i])
			b = b && !(e.up[i] < rp[i])
		}
		if !a && !b {
			return false, false
		}
	}
	return a, b
}

// crosses reports whether p crosses some party's red line
// (profile.RedLine.Crossed).
func (e *pairEval) crosses(p framework.Package) bool {
	// Or-ed without a branch per point: which point bans is
	// unpredictable.
	var banned uint8
	for _, k := range e.banPoints {
		banned |= e.banned[e.base[k]+p[k]]
	}
	if banned != 0 {
		return true
	}
next:
	for _, terms := range e.multi {
		for _, t := range terms {
			if !t.In[p[t.Point]] {
				continue next
			}
		}
		return true
	}
	return false
}

// sum sets party j's utilities of p.
func (e *pairEval) sum(p framework.Package, j int) {
	if !e.fast[j] {
		e.uw[j], e.up[j] = e.s.Tables[j].Utility(p), e.plain.Tables[j].Utility(p)
		return
	}
	c, ef, base := e.contrib[j], e.effects[j], e.base
	var uw, up float64
	g := 0
	for k, l := range p {
		x := c[base[k]+l]
		uw += x
		up += x
		for ; g < len(ef) && ef[g].Last == k; g++ {
			if ef[g].Applies(p) {
				uw += ef[g].Value
			}
		}
	}
	e.uw[j], e.up[j] = uw, up
}

// sumPair sets the utilities of p of parties j and j+1 (both fast).
func (e *pairEval) sumPair(p framework.Package, j int) {
	c0, c1, ef0, ef1, base := e.contrib[j], e.contrib[j+1], e.effects[j], e.effects[j+1], e.base
	var uw0, up0, uw1, up1 float64
	g0, g1 := 0, 0
	for k, l := range p {
		i := base[k] + l
		x0, x1 := c0[i], c1[i]
		uw0 += x0
		up0 += x0
		uw1 += x1
		up1 += x1
		for ; g0 < len(ef0) && ef0[g0].Last == k; g0++ {
			if ef0[g0].Applies(p) {
				uw0 += ef0[g0].Value
			}
		}
		for ; g1 < len(ef1) && ef1[g1].Last == k; g1++ {
			if ef1[g1].Applies(p) {
				uw1 += ef1[g1].Value
			}
		}
	}
	e.uw[j], e.up[j], e.uw[j+1], e.up[j+1] = uw0, up0, uw1, up1
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
