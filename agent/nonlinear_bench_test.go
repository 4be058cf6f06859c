package agent

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// BenchmarkNonLinearNear: Near and AtLeast on a RandomNonLinear space of
// 30 points × 10 levels (10^30 outcomes) with 60 pairwise interactions,
// random targets in the utility range; reports the median distance to
// the target.
func BenchmarkNonLinearNear(b *testing.B) {
	for _, points := range []int{10, 20, 30} {
		b.Run(fmtUint(uint64(points))+"x10", func(b *testing.B) {
			f, _, tb := largeNonLinear(b, points, 10, 2*points, uint64(points))
			s := newSpace(b, f, tb)
			lo, hi := s.Worst().Utility, s.Best().Utility
			rng := rand.New(rand.NewPCG(1, 2))
			var dists []float64
			b.ResetTimer()
			for range b.N {
				x := lo + (hi-lo)*rng.Float64()
				n := s.Near(x)
				dists = append(dists, math.Abs(n.Utility-x))
			}
			b.StopTimer()
			slices.Sort(dists)
			b.ReportMetric(dists[len(dists)/2], "median-dist")
			b.ReportMetric(dists[len(dists)*9/10], "p90-dist")
		})
	}
}

// BenchmarkNonLinearAtLeast is BenchmarkNonLinearNear for AtLeast.
func BenchmarkNonLinearAtLeast(b *testing.B) {
	for _, points := range []int{10, 20, 30} {
		b.Run(fmtUint(uint64(points))+"x10", func(b *testing.B) {
			f, _, tb := largeNonLinear(b, points, 10, 2*points, uint64(points))
			s := newSpace(b, f, tb)
			lo, hi := s.Worst().Utility, s.Best().Utility
			rng := rand.New(rand.NewPCG(1, 2))
			var dists []float64
			b.ResetTimer()
			for range b.N {
				x := lo + (hi-lo)*rng.Float64()
				a, _ := s.AtLeast(x)
				dists = append(dists, a.Utility-x)
			}
			b.StopTimer()
			slices.Sort(dists)
			b.ReportMetric(dists[len(dists)/2], "median-dist")
		})
	}
}
