package analysis

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/internal/fixture"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
)

// The shared work of AnalyzeWithEffects (one pass over the sample for the
// zone with the interactions, its size without them and the moves; only
// the frontiers of the space without them) checked against the separate
// computations it replaces: the same report and the same comparison, ==
// on every count and figure.

// refZoneMoves is the moves' pass as it was before zonePass: a pass of its
// own over the packages, each decided by refCrossesAny and refRatable
// (Table.Utility party by party) in each space.
func refZoneMoves(ctx context.Context, s, plain *Space, o Options, enter, leave *top) (ZoneMoves, error) {
	zo := effectZoneOptions(o)
	zo.Progress = nil
	type state struct {
		counts       [3]uint64
		enter, leave *top
		uw, uwo      []float64
	}
	st := make([]state, zo.Workers)
	for w := range st {
		st[w] = state{enter: newTop(enter.n), leave: newTop(leave.n), uw: make([]float64, s.N()), uwo: make([]float64, s.N())}
	}
	classify := func(w int, p framework.Package) {
		if refCrossesAny(s, p) {
			return
		}
		ws := &st[w]
		a, b := refRatable(s, p, ws.uw), refRatable(plain, p, ws.uwo)
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
		if err := forEachPackage(ctx, s.Framework, zo.Workers, classify); err != nil {
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

func refCrossesAny(s *Space, p framework.Package) bool {
	for _, pr := range s.Profiles {
		if pr.CrossesRedLine(p) >= 0 {
			return true
		}
	}
	return false
}

func refRatable(s *Space, p framework.Package, u []float64) bool {
	for j, t := range s.Tables {
		if u[j] = t.Utility(p); u[j] < s.Reservation[j] {
			return false
		}
	}
	return true
}

// passSpace is a random non-linear space for the pass tests: 2 to 4
// parties, some red lines, some reservations that are the utility of a
// fallback package (so that they differ with and without the
// interactions), some interactions with a single term.
func passSpace(t testing.TB, iter int) *Space {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(iter), 29))
	points, levels, parties := 3+rng.IntN(5), 2+rng.IntN(4), 2+rng.IntN(3)
	shape := fixture.NonLinear{Interactions: 1 + rng.IntN(4), Arity: 1 + rng.IntN(3), Additive: 1, Negative: true, Outside: iter%2 == 0}
	sc := fixture.RandomNonLinear(fmt.Sprintf("pass%d", iter), points, levels, parties, uint64(iter), 7, 0.3+0.3*rng.Float64(), shape)
	names, profs := fixture.Principals(sc)
	for j, p := range profs {
		for k := range p.Interactions {
			p.Interactions[k].Value *= 0.3
		}
		if (j+iter)%3 == 0 {
			p.RedLines = []profile.RedLine{{Terms: []profile.Term{{Point: 0, Levels: []int{rng.IntN(levels)}}, {Point: 1, Levels: []int{rng.IntN(levels)}}}}}
		}
		if (j+iter)%4 == 1 {
			fb := make(framework.Package, points)
			for k := range fb {
				fb[k] = rng.IntN(levels)
			}
			p.Fallback = fb
		}
	}
	s, err := NewSpace(sc.Framework, names, profs)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestZonePassEqualsSeparatePasses checks zonePass, on hundreds of random
// spaces, against the passes it replaces, == on every count: sampled, the
// hits and per-level counts of sampleZone with and without the
// interactions and the moves of refZoneMoves (with the same examples);
// counted, the Gray-code enumeration's counts and refZoneMoves's.
func TestZonePassEqualsSeparatePasses(t *testing.T) {
	ctx := context.Background()
	for iter := range 300 {
		s := passSpace(t, iter)
		plain, err := WithoutInteractions(s)
		if err != nil {
			t.Fatal(err)
		}
		sampled := iter%2 == 0
		o := Options{Seed: uint64(iter + 1), Zone: ZoneOptions{Samples: 2000 + iter, Workers: 1 + iter%3}}
		if sampled {
			o.Zone.EnumLimit = 1
		}
		zo := effectZoneOptions(o)
		enter, leave := newTop(3), newTop(3)
		r, err := zonePass(ctx, s, plain, zo, true, enter, leave)
		if err != nil {
			t.Fatal(err)
		}
		renter, rleave := newTop(3), newTop(3)
		rm, err := refZoneMoves(ctx, s, plain, o, renter, rleave)
		if err != nil {
			t.Fatal(err)
		}
		if r.moves != rm {
			t.Fatalf("iter %d: moves %+v, the separate pass %+v", iter, r.moves, rm)
		}
		if !reflect.DeepEqual(enter.c, renter.c) || !reflect.DeepEqual(leave.c, rleave.c) {
			t.Fatalf("iter %d: examples %v %v, the separate pass %v %v", iter, enter.c, leave.c, renter.c, rleave.c)
		}
		var n, pn uint64
		var counts [][]uint64
		if sampled {
			n, counts = sampleZone(ctx, s, zo)
			pn, _ = sampleZone(ctx, plain, zo)
		} else {
			n, counts = enumerateZone(ctx, s, zo)
			pn, _ = enumerateZone(ctx, plain, zo)
		}
		if got := r.moves.Entering + r.moves.Staying; got != n || !reflect.DeepEqual(r.withLevels, counts) {
			t.Fatalf("iter %d (sampled %v): %d in the zone, levels %v; the zone's pass %d, %v", iter, sampled, got, r.withLevels, n, counts)
		}
		if got := r.moves.Leaving + r.moves.Staying; got != pn {
			t.Fatalf("iter %d (sampled %v): %d in the zone without interactions, its own pass %d", iter, sampled, got, pn)
		}
	}
}

// TestAnalyzeWithEffectsEqualsSeparate checks AnalyzeWithEffects on random
// spaces, counted and sampled, against the analyses it replaces: its
// report equal to AnalyzeContext's (every field, NaN equal to NaN) and its
// comparison equal to CompareInteractionsWith given that report and the
// whole analysis without the interactions (AnalyzeWithoutInteractions,
// whose zone is its own pass).
func TestAnalyzeWithEffectsEqualsSeparate(t *testing.T) {
	ctx := context.Background()
	for iter := range 60 {
		s := passSpace(t, 1000+iter)
		o := Options{Seed: uint64(iter + 1), RobustnessSamples: 200, Zone: ZoneOptions{Samples: 3000}}
		if iter%2 == 0 {
			o.Zone.EnumLimit = 1
		}
		rep, e, err := AnalyzeWithEffects(ctx, s, o, 2)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := AnalyzeContext(ctx, s, o)
		if err != nil {
			t.Fatal(err)
		}
		wo, err := AnalyzeWithoutInteractions(ctx, s, o)
		if err != nil {
			t.Fatal(err)
		}
		refE, err := CompareInteractionsWith(ctx, s, ref, wo, o, 2)
		if err != nil {
			t.Fatal(err)
		}
		if !equalNaN(reflect.ValueOf(rep), reflect.ValueOf(ref)) {
			t.Fatalf("iter %d: the report differs from AnalyzeContext's:\n%+v\n%+v", iter, rep.Zone, ref.Zone)
		}
		if !equalNaN(reflect.ValueOf(e), reflect.ValueOf(refE)) {
			t.Fatalf("iter %d: the comparison differs:\n%+v\n%+v", iter, e, refE)
		}
		if e.Zone.Without != zoneSize(wo.Zone) || e.Zone.Exact != (ref.Zone.Exact && wo.Zone.Exact) {
			t.Fatalf("iter %d: zone without %+v, its own analysis %+v", iter, e.Zone.Without, zoneSize(wo.Zone))
		}
		// CompareInteractions computing both analyses itself takes the
		// same shared path.
		e2, err := CompareInteractions(ctx, s, nil, o, 2)
		if err != nil {
			t.Fatal(err)
		}
		if !equalNaN(reflect.ValueOf(e2), reflect.ValueOf(refE)) {
			t.Fatalf("iter %d: CompareInteractions(nil) differs", iter)
		}
	}
}

// TestAnalyzeWithEffectsMiami checks the built-in Miami scenario (sampled
// zone, the CLI's defaults) the same way.
func TestAnalyzeWithEffectsMiami(t *testing.T) {
	if testing.Short() {
		t.Skip("a second of analyses")
	}
	sc, err := scenario.Builtin("miami-2025")
	if err != nil {
		t.Fatal(err)
	}
	s, err := FromScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	o := Options{Seed: 1, Zone: ZoneOptions{Seed: 1, Samples: 200_000}}
	rep, e, err := AnalyzeWithEffects(ctx, s, o, DefaultEffectExamples)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := AnalyzeContext(ctx, s, o)
	if err != nil {
		t.Fatal(err)
	}
	wo, err := AnalyzeWithoutInteractions(ctx, s, o)
	if err != nil {
		t.Fatal(err)
	}
	refE, err := CompareInteractionsWith(ctx, s, ref, wo, o, DefaultEffectExamples)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Zone.Exact || !equalNaN(reflect.ValueOf(rep), reflect.ValueOf(ref)) || !equalNaN(reflect.ValueOf(e), reflect.ValueOf(refE)) {
		t.Fatalf("Miami: the shared analysis differs from the separate ones")
	}
}

// TestAnalyzeWithEffectsStops checks a cancelled context stops every part
// and is reported (no goroutine left writing).
func TestAnalyzeWithEffectsStops(t *testing.T) {
	s := passSpace(t, 7)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := AnalyzeWithEffects(ctx, s, Options{Seed: 1}, 0); err == nil {
		t.Fatal("no error with a cancelled context")
	}
}

// equalNaN is reflect.DeepEqual with NaN equal to NaN (an empty zone's
// shares).
func equalNaN(a, b reflect.Value) bool {
	if a.IsValid() != b.IsValid() {
		return false
	}
	if !a.IsValid() {
		return true
	}
	if a.Type() != b.Type() {
		return false
	}
	switch a.Kind() {
	case reflect.Float32, reflect.Float64:
		x, y := a.Float(), b.Float()
		return x == y || math.IsNaN(x) && math.IsNaN(y)
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return equalNaN(a.Elem(), b.Elem())
	case reflect.Slice:
		if a.IsNil() != b.IsNil() {
			return false
		}
		fallthrough
	case reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !equalNaN(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.Len() != b.Len() || a.IsNil() != b.IsNil() {
			return false
		}
		for _, k := range a.MapKeys() {
			if !equalNaN(a.MapIndex(k), b.MapIndex(k)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := range a.NumField() {
			if !equalNaN(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Func:
		return a.IsNil() && b.IsNil()
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

// BenchmarkZonePassMiami is the one pass over Miami's sample (1,000,000
// packages) against the three it replaces (the zone with and without the
// interactions, the moves).
func BenchmarkZonePassMiami(b *testing.B) {
	sc, err := scenario.Builtin("miami-2025")
	if err != nil {
		b.Fatal(err)
	}
	s, err := FromScenario(sc)
	if err != nil {
		b.Fatal(err)
	}
	plain, err := WithoutInteractions(s)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	o := Options{Seed: 1}
	zo := effectZoneOptions(o)
	b.Run("shared", func(b *testing.B) {
		for b.Loop() {
			if _, err := zonePass(ctx, s, plain, zo, true, newTop(3), newTop(3)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("separate", func(b *testing.B) {
		for b.Loop() {
			sampleZone(ctx, s, zo)
			sampleZone(ctx, plain, zo)
			if _, err := refZoneMoves(ctx, s, plain, o, newTop(3), newTop(3)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestAnalyzeWithEffectsCountedZoneSampledMoves checks the one case where
// the moves cannot give the zone's size without the interactions: a zone
// counted exactly (at most EnumLimit packages) but moves sampled (more
// than movesEnumLimit). The size is then its own exact count.
func TestAnalyzeWithEffectsCountedZoneSampledMoves(t *testing.T) {
	if testing.Short() {
		t.Skip("counts 2^25 packages four times")
	}
	shape := fixture.NonLinear{Interactions: 2, Arity: 2, Additive: 1, Negative: true}
	sc := fixture.RandomNonLinear("big", 25, 2, 2, 3, 7, 0.5, shape)
	names, profs := fixture.Principals(sc)
	s, err := NewSpace(sc.Framework, names, profs)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	o := Options{Seed: 5, Zone: ZoneOptions{Samples: 4000}}
	rep, e, err := AnalyzeWithEffects(ctx, s, o, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Zone.Exact || e.Moves.Exact || e.Moves.Examined != 4000 || !e.Zone.Exact {
		t.Fatalf("zone exact %v, moves %+v, comparison exact %v: want a counted zone and sampled moves", rep.Zone.Exact, e.Moves, e.Zone.Exact)
	}
	wo, err := AnalyzeWithoutInteractions(ctx, s, o)
	if err != nil {
		t.Fatal(err)
	}
	refE, err := CompareInteractionsWith(ctx, s, rep, wo, o, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !equalNaN(reflect.ValueOf(e), reflect.ValueOf(refE)) || e.Zone.Without != zoneSize(wo.Zone) {
		t.Fatalf("the comparison differs from the separate analyses: %+v, want %+v", e.Zone, refE.Zone)
	}
}
