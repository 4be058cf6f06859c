package analysis

import (
	"math/rand/v2"
	"testing"

	"github.com/parley-negotiation/parley/framework"
)

// TestCrossesAnyMatchesReset: the early-stopping red-line check the zone
// samples use says what the full recount says, on random spaces with red
// lines of one and several terms.
func TestCrossesAnyMatchesReset(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 19))
	crossed := 0
	for iter := range 60 {
		s := randomSpace(rng, 3+rng.IntN(6), 4, 2+rng.IntN(3), true)
		c := newZoneChecker(s)
		radix := s.Framework.Radix()
		p := make(framework.Package, len(radix))
		for range 200 {
			for k, r := range radix {
				p[k] = rng.IntN(r)
			}
			c.reset(p)
			want := c.crossed > 0
			if got := c.crossesAny(p); got != want {
				t.Fatalf("iter %d: package %v: crossesAny %v, reset says %v", iter, p, got, want)
			}
			if want {
				crossed++
			}
		}
	}
	if crossed == 0 {
		t.Fatal("no package crossed a red line: the test checks nothing")
	}
}
