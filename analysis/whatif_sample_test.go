package analysis

import (
	"math/rand/v2"
	"testing"

	"github.com/parley-negotiation/parley/framework"
)

// TestZoneSampleReevaluateResumes: the sampled zone's re-evaluation of a
// party, repeated after weight changes on random points (the same point
// again, later ones resumed from the kept partial sums, earlier ones from
// scratch), on spaces with interactions, gives every sampled package's
// utility exactly as profile.Table.Utility computes it on the changed
// space, bit for bit.
func TestZoneSampleReevaluateResumes(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 77))
	for iter := range 40 {
		s, desc := nonLinearSpace(t, rng, iter)
		radix := s.Framework.Radix()
		const samples = 300
		zs := &zoneSample{points: len(radix), d: s.N(), hit: make([]bool, samples)}
		zs.pkgs = make([]uint16, samples*len(radix))
		zs.u = make([]float64, samples*s.N())
		for i := range zs.hit {
			for k, r := range radix {
				zs.pkgs[i*len(radix)+k] = uint16(rng.IntN(r))
			}
		}
		keep := make([]bool, s.N())
		for step := range 8 {
			j := rng.IntN(s.N())
			k := rng.IntN(len(radix))
			if step > 0 && rng.IntN(3) == 0 {
				k = len(radix) - 1
			}
			w := s.Profiles[j].Weights[k] * (0.5 + rng.Float64())
			c, err := withWeight(s, j, k, w, keep)
			if err != nil {
				t.Fatalf("%s: %v", desc, err)
			}
			s = c
			zs.reevaluate(s, j)
			p := make(framework.Package, len(radix))
			for i := range zs.hit {
				for kk := range p {
					p[kk] = int(zs.pkgs[i*len(radix)+kk])
				}
				if u := s.Tables[j].Utility(p); zs.u[i*s.N()+j] != u {
					t.Fatalf("%s step %d: party %d, point %d: sample %v re-evaluated %v, utility %v", desc, step, j, k, p, zs.u[i*s.N()+j], u)
				}
			}
		}
	}
}
