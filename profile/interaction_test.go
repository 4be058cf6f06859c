package profile_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/internal/fixture"
	"github.com/parley-negotiation/parley/profile"
)

// enumerate calls fn with every complete package, last point fastest.
func enumerate(f *framework.Framework, fn func(framework.Package)) {
	p := make(framework.Package, len(f.Points))
	var rec func(k int)
	rec = func(k int) {
		if k == len(p) {
			fn(p)
			return
		}
		for l := range f.Points[k].Levels() {
			p[k] = l
			rec(k + 1)
		}
	}
	rec(0)
}

// utilityByHand is the documented order: point by point, each effect's
// value right after its last point, effects of one point as declared.
func utilityByHand(f *framework.Framework, pr *profile.Profile, tb *profile.Table, pkg framework.Package) float64 {
	u := 0.0
	for i, l := range pkg {
		u += tb.Contrib[i][l]
		for _, in := range pr.Interactions {
			last := -1
			for _, t := range in.Terms {
				last = max(last, t.Point)
			}
			if last != i {
				continue
			}
			all := true
			for _, t := range in.Terms {
				hit := false
				for _, x := range t.Levels {
					hit = hit || x == pkg[t.Point]
				}
				all = all && hit
			}
			if all != in.Outside {
				u += in.Value
			}
		}
	}
	return u
}

// TestInteractionUtilityMaxMin: on random small non-linear profiles,
// Utility follows the documented order bit for bit, SampleUtility (no
// uncertainty) equals it, and Max and Min equal brute force.
func TestInteractionUtilityMaxMin(t *testing.T) {
	for seed := range uint64(200) {
		shape := fixture.NonLinear{Interactions: 1 + int(seed%7), Arity: 1 + int(seed%4), Additive: float64(seed % 2), Negative: seed%3 == 0, Outside: seed%5 == 0, Integer: seed%4 == 1}
		sc := fixture.RandomNonLinear("nl", 2+int(seed%4), 2+int(seed%3), 1, seed, 7, -1, shape)
		f := sc.Framework
		pr := sc.Parties[0].Profile
		tb, err := pr.Compile(f)
		if err != nil {
			t.Fatal(err)
		}
		if tb.Additive() {
			t.Fatalf("seed %d: table with %d interactions is additive", seed, len(pr.Interactions))
		}
		hi, lo := -1e300, 1e300
		var hiPkg framework.Package
		enumerate(f, func(p framework.Package) {
			u := tb.Utility(p)
			if w := utilityByHand(f, pr, tb, p); u != w {
				t.Fatalf("seed %d %v: Utility %v, by hand %v", seed, p, u, w)
			}
			su, _, err := pr.SampleUtility(f, p, func() float64 { return 0.5 })
			if err != nil || su != u {
				t.Fatalf("seed %d %v: SampleUtility %v (%v), Utility %v", seed, p, su, err, u)
			}
			if u > hi {
				hi, hiPkg = u, p.Clone()
			}
			lo = min(lo, u)
		})
		gotHi, pkg := tb.Max()
		if gotHi != hi || tb.Utility(pkg) != hi {
			t.Fatalf("seed %d: Max %v at %v (utility %v), brute force %v at %v", seed, gotHi, pkg, tb.Utility(pkg), hi, hiPkg)
		}
		if got := tb.Min(); got != lo {
			t.Fatalf("seed %d: Min %v, brute force %v", seed, got, lo)
		}
		// The same through the branch and bound (past one state).
		profile.SetExtremeStates(tb, 1)
		if gotHi, pkg := tb.Max(); gotHi != hi || tb.Utility(pkg) != hi {
			t.Fatalf("seed %d: search Max %v at %v (utility %v), brute force %v", seed, gotHi, pkg, tb.Utility(pkg), hi)
		}
		if got := tb.Min(); got != lo {
			t.Fatalf("seed %d: search Min %v, brute force %v", seed, got, lo)
		}
	}
}

func TestInteractionCheck(t *testing.T) {
	sc := fixture.RandomNonLinear("nl", 3, 3, 1, 1, 1, -1, fixture.NonLinear{Interactions: 2})
	f := sc.Framework
	cases := []struct {
		in   profile.Interaction
		want string
		is   error
	}{
		{profile.Interaction{Value: 1}, "interaction 3: no terms", nil},
		{profile.Interaction{Value: 1, Label: "x", Terms: []profile.Term{{Point: 5, Levels: []int{0}}}}, "interaction 3 (x): point 5 out of range", nil},
		{profile.Interaction{Value: 1, Terms: []profile.Term{{Point: 0, Levels: []int{0, 0}}}}, `point "p0": level o0 listed twice`, nil},
		{profile.Interaction{Value: 1, Terms: []profile.Term{{Point: 0, Levels: []int{0}}, {Point: 0, Levels: []int{1}}}}, "in two terms", nil},
		{profile.Interaction{Value: 2e6, Terms: []profile.Term{{Point: 0, Levels: []int{0}}}}, "value 2e+06 is not a number", profile.ErrOutOfBounds},
	}
	for _, c := range cases {
		pr := *sc.Parties[0].Profile
		pr.Interactions = append(append([]profile.Interaction(nil), pr.Interactions...), c.in)
		err := pr.Check(f)
		if err == nil || !strings.Contains(err.Error(), c.want) || (c.is != nil && !errors.Is(err, c.is)) {
			t.Errorf("%+v: err = %v, want %q", c.in, err, c.want)
		}
	}
}
