package analysis

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/parley-negotiation/parley/framework"
)

// TestZoneSampleReevaluateWithinBound: the sampled zone's re-evaluation of
// a party, repeated after weight changes on random points, on spaces with
// interactions, keeps every sampled package's utility within the party's
// error bound of what profile.Table.Utility computes on the changed space
// (exactly, bound 0, after a recomputation), and recount's decisions are
// those of the exact utilities, also with reservation values placed on
// sampled utilities and one unit in the last place either side (where an
// updated utility is as likely to round above as below).
func TestZoneSampleReevaluateWithinBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 77))
	updated, decidedExactly := 0, 0
	for iter := range 40 {
		s, desc := nonLinearSpace(t, rng, iter)
		radix := s.Framework.Radix()
		const samples = 300
		zs := &zoneSample{points: len(radix), d: s.N(), hit: make([]bool, samples),
			counts: make([][]uint64, len(radix))}
		for k := range zs.counts {
			zs.counts[k] = make([]uint64, radix[k])
		}
		zs.pkgs = make([]uint16, samples*len(radix))
		zs.u = make([]float64, samples*s.N())
		for i := range zs.hit {
			for k, r := range radix {
				zs.pkgs[i*len(radix)+k] = uint16(rng.IntN(r))
			}
		}
		pkg := func(i int) framework.Package {
			p := make(framework.Package, len(radix))
			for k := range p {
				p[k] = int(zs.pkgs[i*len(radix)+k])
			}
			return p
		}
		for j := range s.N() {
			zs.reevaluate(s, j) // no table known: exact
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
			if zs.err[j] > 0 {
				updated++
			}
			exact := make([]float64, samples*s.N())
			for i := range zs.hit {
				for jj := range s.N() {
					u := s.Tables[jj].Utility(pkg(i))
					exact[i*s.N()+jj] = u
					if got := zs.u[i*s.N()+jj]; math.Abs(got-u) > zs.err[jj] || zs.err[jj] == 0 && got != u {
						t.Fatalf("%s step %d: party %d, point %d: sample %v re-evaluated %v, utility %v, error bound %v",
							desc, step, jj, k, pkg(i), got, u, zs.err[jj])
					}
				}
			}
			// Reservation values on a sampled utility, or one unit in the
			// last place either side of it.
			res := make([]float64, s.N())
			for jj := range res {
				res[jj] = exact[rng.IntN(samples)*s.N()+jj]
				switch rng.IntN(3) {
				case 1:
					res[jj] = math.Nextafter(res[jj], math.Inf(1))
				case 2:
					res[jj] = math.Nextafter(res[jj], math.Inf(-1))
				}
			}
			before := make([]float64, len(zs.u))
			copy(before, zs.u)
			zs.recount(res)
			for i := range zs.u {
				if zs.u[i] != before[i] {
					decidedExactly++
				}
			}
			hits := uint64(0)
			counts := make([][]uint64, len(radix))
			for kk := range counts {
				counts[kk] = make([]uint64, radix[kk])
			}
			for i := range zs.hit {
				if atLeast(exact[i*s.N():(i+1)*s.N()], res) {
					hits++
					for kk, l := range pkg(i) {
						counts[kk][l]++
					}
				}
			}
			if zs.hits != hits {
				t.Fatalf("%s step %d: %d samples in the zone, %d with exact utilities", desc, step, zs.hits, hits)
			}
			for kk := range counts {
				for l := range counts[kk] {
					if zs.counts[kk][l] != counts[kk][l] {
						t.Fatalf("%s step %d: point %d level %d counted %d, %d with exact utilities", desc, step, kk, l, zs.counts[kk][l], counts[kk][l])
					}
				}
			}
		}
	}
	// Both paths ran: updates by differences, and decisions in doubt taken
	// on exact utilities.
	if updated == 0 || decidedExactly == 0 {
		t.Fatalf("%d updates by differences, %d utilities recomputed to decide: the test does not cover them", updated, decidedExactly)
	}
	t.Logf("%d updates by differences, %d utilities recomputed to decide", updated, decidedExactly)
}
