package analysis

import (
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/internal/fixture"
	"github.com/parley-negotiation/parley/profile"
)

// effectsSpace is a random small non-linear space (2 or 3 parties, some
// with a red line) for the effects tests.
func effectsSpace(t *testing.T, iter int) *Space {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(iter), 17))
	points, levels, parties := 3+rng.IntN(3), 2+rng.IntN(3), 2+rng.IntN(2)
	shape := fixture.NonLinear{Interactions: 1 + rng.IntN(4), Arity: 1 + rng.IntN(3), Additive: 1, Negative: true, Outside: iter%2 == 0}
	sc := fixture.RandomNonLinear(fmt.Sprintf("fx%d", iter), points, levels, parties, uint64(iter), 5, 0.35+0.2*rng.Float64(), shape)
	names, profs := fixture.Principals(sc)
	for j, p := range profs {
		// Values in [0, 1) would swamp the additive part: scale them down.
		for k := range p.Interactions {
			p.Interactions[k].Value *= 0.3
		}
		if j == 0 && iter%3 == 0 {
			p.RedLines = []profile.RedLine{{Terms: []profile.Term{{Point: 0, Levels: []int{0}}, {Point: 1, Levels: []int{1}}}}}
		}
	}
	s, err := NewSpace(sc.Framework, names, profs)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// effectsZone enumerates every package of s and returns, per package in
// mixed-radix order, whether it is in the zone.
func effectsZone(s *Space) []bool {
	var out []bool
	radix := s.Framework.Radix()
	p := make(framework.Package, len(radix))
	for {
		out = append(out, s.Acceptable(p))
		k := len(p) - 1
		for ; k >= 0; k-- {
			if p[k]++; p[k] < radix[k] {
				break
			}
			p[k] = 0
		}
		if k < 0 {
			return out
		}
	}
}

// effApplies is Interaction semantics read off the profile, independently of
// the compiled effects.
func effApplies(in profile.Interaction, p framework.Package) bool {
	all := true
	for _, t := range in.Terms {
		all = all && slices.Contains(t.Levels, p[t.Point])
	}
	return all != in.Outside
}

// TestCompareInteractionsExact checks, on random small non-linear spaces
// counted exactly, the moves and zone sizes against enumeration, the
// examples against the zone test of each space, the Nash package's product
// of gains against the best product over every zone package (bit for bit),
// and the interactions said to apply at it against the profiles' terms.
func TestCompareInteractionsExact(t *testing.T) {
	ctx := context.Background()
	for iter := range 60 {
		s := effectsSpace(t, iter)
		plain, err := WithoutInteractions(s)
		if err != nil {
			t.Fatal(err)
		}
		e, err := CompareInteractions(ctx, s, nil, Options{Seed: 1}, 2)
		if err != nil {
			t.Fatalf("iter %d: %v", iter, err)
		}
		zw, zwo := effectsZone(s), effectsZone(plain)
		var enter, leave, stay uint64
		for i := range zw {
			switch {
			case zw[i] && zwo[i]:
				stay++
			case zw[i]:
				enter++
			case zwo[i]:
				leave++
			}
		}
		m := e.Moves
		if !m.Exact || m.Examined != uint64(len(zw)) || m.Entering != enter || m.Leaving != leave || m.Staying != stay {
			t.Fatalf("iter %d: moves %+v, want %d packages: %d entering, %d leaving, %d staying", iter, m, len(zw), enter, leave, stay)
		}
		if !e.Zone.Exact || e.Zone.With.Size != float64(enter+stay) || e.Zone.Without.Size != float64(leave+stay) {
			t.Errorf("iter %d: zone %+v, want %d with and %d without", iter, e.Zone, enter+stay, leave+stay)
		}
		for _, ex := range e.Entering {
			if !ex.InZoneWith || ex.InZoneWithout || !s.Acceptable(ex.Package) || plain.Acceptable(ex.Package) {
				t.Errorf("iter %d: entering example %v is not in the zone with interactions only", iter, ex.Package)
			}
		}
		for _, ex := range e.Leaving {
			if ex.InZoneWith || !ex.InZoneWithout || s.Acceptable(ex.Package) || !plain.Acceptable(ex.Package) {
				t.Errorf("iter %d: leaving example %v is not in the zone without interactions only", iter, ex.Package)
			}
		}
		// Counted exactly, the examples are the best two of all the
		// packages that move, by product of gains and then package.
		for _, c := range []struct {
			name string
			sp   *Space
			in   []bool
			out  []bool
			got  []PackageEffect
			n    int
		}{{"entering", s, zw, zwo, e.Entering, e.EnteringFrontier}, {"leaving", plain, zwo, zw, e.Leaving, e.LeavingFrontier}} {
			want := effMovers(c.sp, c.in, c.out)
			if len(want) > 2 {
				want = want[:2]
			}
			var got []framework.Package
			for _, pe := range c.got {
				got = append(got, pe.Package)
			}
			if !slices.EqualFunc(got, want, func(a, b framework.Package) bool { return slices.Equal(a, b) }) {
				t.Errorf("iter %d: %s examples %v, want %v", iter, c.name, got, want)
			}
			if c.n > 0 && len(want) == 0 {
				t.Errorf("iter %d: %d %s zone-frontier packages that enumeration does not find", iter, c.n, c.name)
			}
		}
		for _, c := range []struct {
			sp   *Space
			zone []bool
			got  *PackageEffect
			u    func(*PackageEffect) []float64
		}{
			{s, zw, e.Nash.With, func(p *PackageEffect) []float64 { return p.With }},
			{plain, zwo, e.Nash.Without, func(p *PackageEffect) []float64 { return p.Without }},
		} {
			best, found := effBestProduct(c.sp, c.zone)
			if found != (c.got != nil) {
				t.Fatalf("iter %d: Nash package %v, zone non-empty %v", iter, c.got, found)
			}
			if !found {
				continue
			}
			if got := gainProduct(c.u(c.got), c.sp.Reservation); got != best {
				t.Errorf("iter %d: Nash product %v, best over the zone %v", iter, got, best)
			}
		}
		wantChanged := (e.Nash.With == nil) != (e.Nash.Without == nil) ||
			e.Nash.With != nil && e.Nash.Without != nil && !slices.Equal(e.Nash.With.Package, e.Nash.Without.Package)
		if e.Nash.Changed != wantChanged {
			t.Errorf("iter %d: Changed %v for %+v and %+v", iter, e.Nash.Changed, e.Nash.With, e.Nash.Without)
		}
		for j, pi := range e.Parties {
			if pi.ID != s.Names[j] || pi.Interactions != len(s.Profiles[j].Interactions) {
				t.Errorf("iter %d: party %+v", iter, pi)
			}
			var want []int
			sum := 0.0
			if e.Nash.With != nil {
				for k, in := range s.Profiles[j].Interactions {
					if effApplies(in, e.Nash.With.Package) {
						want = append(want, k)
						sum += in.Value
					}
				}
			}
			if !slices.Equal(pi.AtNash, want) || pi.AtNashValue != sum {
				t.Errorf("iter %d: %s at Nash %v (%v), want %v (%v)", iter, pi.ID, pi.AtNash, pi.AtNashValue, want, sum)
			}
		}
	}
}

// effMovers returns the packages of sp with in[i] and not out[i] (i the
// mixed-radix index), by product of gains in sp (largest first), then by
// package.
func effMovers(sp *Space, in, out []bool) []framework.Package {
	type c struct {
		p    framework.Package
		prod float64
	}
	var cs []c
	radix := sp.Framework.Radix()
	p := make(framework.Package, len(radix))
	for i := range in {
		if in[i] && !out[i] {
			cs = append(cs, c{slices.Clone(p), gainProduct(sp.Utilities(p), sp.Reservation)})
		}
		for k := len(p) - 1; k >= 0; k-- {
			if p[k]++; p[k] < radix[k] {
				break
			}
			p[k] = 0
		}
	}
	slices.SortFunc(cs, func(a, b c) int {
		if a.prod != b.prod {
			if a.prod > b.prod {
				return -1
			}
			return 1
		}
		return slices.Compare(a.p, b.p)
	})
	var outp []framework.Package
	for _, x := range cs {
		outp = append(outp, x.p)
	}
	return outp
}

// effBestProduct is the largest product of gains over the zone packages of s
// (zone[i] for the package of mixed-radix index i).
func effBestProduct(s *Space, zone []bool) (float64, bool) {
	radix := s.Framework.Radix()
	p := make(framework.Package, len(radix))
	best, found := 0.0, false
	for i := range zone {
		if zone[i] {
			if v := gainProduct(s.Utilities(p), s.Reservation); !found || v > best {
				best, found = v, true
			}
		}
		for k := len(p) - 1; k >= 0; k-- {
			if p[k]++; p[k] < radix[k] {
				break
			}
			p[k] = 0
		}
	}
	return best, found
}

func gainProduct(u, r []float64) float64 {
	v := 1.0
	for j := range u {
		v *= u[j] - r[j]
	}
	return v
}

// TestCompareInteractionsSampled checks that on a sampled space the moves
// are counted on the zone's own sample: the packages in the zone with and
// without the interactions give exactly the zone's two estimates.
func TestCompareInteractionsSampled(t *testing.T) {
	for iter := range 6 {
		s := effectsSpace(t, iter)
		o := Options{Seed: 3, Zone: ZoneOptions{EnumLimit: 1, Samples: 5000}}
		e, err := CompareInteractions(context.Background(), s, nil, o, 0)
		if err != nil {
			t.Fatal(err)
		}
		m := e.Moves
		if m.Exact || e.Zone.Exact || m.Examined != 5000 {
			t.Fatalf("iter %d: moves %+v, zone exact %v: want sampled on 5000", iter, m, e.Zone.Exact)
		}
		total, _ := new(big.Float).SetInt(s.Framework.Size()).Float64()
		if got := float64(m.Entering+m.Staying) / 5000 * total; got != e.Zone.With.Size {
			t.Errorf("iter %d: %d+%d sampled in the zone with interactions, zone estimate %v", iter, m.Entering, m.Staying, e.Zone.With.Size)
		}
		if got := float64(m.Leaving+m.Staying) / 5000 * total; got != e.Zone.Without.Size {
			t.Errorf("iter %d: %d+%d sampled in the zone without interactions, zone estimate %v", iter, m.Leaving, m.Staying, e.Zone.Without.Size)
		}
		plain, err := WithoutInteractions(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			list      []PackageEffect
			in, other *Space
			moved     uint64
			u         func(PackageEffect) []float64
		}{
			{e.Entering, s, plain, m.Entering + uint64(e.EnteringFrontier), func(p PackageEffect) []float64 { return p.With }},
			{e.Leaving, plain, s, m.Leaving + uint64(e.LeavingFrontier), func(p PackageEffect) []float64 { return p.Without }},
		} {
			if len(c.list) > DefaultEffectExamples || c.moved > 0 && len(c.list) == 0 {
				t.Errorf("iter %d: %d examples of %d packages moving", iter, len(c.list), c.moved)
			}
			for i, pe := range c.list {
				if !c.in.Acceptable(pe.Package) || c.other.Acceptable(pe.Package) {
					t.Errorf("iter %d: example %v does not move", iter, pe.Package)
				}
				if i > 0 && gainProduct(c.u(c.list[i-1]), c.in.Reservation) < gainProduct(c.u(pe), c.in.Reservation) {
					t.Errorf("iter %d: examples not by product of gains", iter)
				}
			}
		}
		if m.EnteringLow > m.EnteringShare || m.EnteringShare > m.EnteringHigh || m.LeavingLow > m.LeavingShare || m.LeavingShare > m.LeavingHigh {
			t.Errorf("iter %d: shares outside their intervals: %+v", iter, m)
		}
	}
}

// TestCompareInteractionsNone checks a space without interactions changes
// nothing, and that the report given is used as it is.
func TestCompareInteractionsNone(t *testing.T) {
	sc := fixture.RandomAdditive("plain", 4, 3, 3, 2, 9, 0.4)
	names, profs := fixture.Principals(sc)
	s, err := NewSpace(sc.Framework, names, profs)
	if err != nil {
		t.Fatal(err)
	}
	if HasInteractions(s) {
		t.Fatal("HasInteractions on additive profiles")
	}
	rep, err := Analyze(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	e, err := CompareInteractions(context.Background(), s, rep, Options{}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if e.Nash.Changed || e.Moves.Entering != 0 || e.Moves.Leaving != 0 || e.EnteringFrontier != 0 || e.LeavingFrontier != 0 || len(e.Entering) != 0 ||
		e.Frontier.With != e.Frontier.Without || e.Zone.With != e.Zone.Without || e.Frontier.With != len(rep.Frontier.Points) {
		t.Errorf("additive space changed: %+v", e)
	}
}
