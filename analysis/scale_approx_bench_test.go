package analysis_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/parley-negotiation/parley/analysis"
)

// benchApprox is benchAnalyze with approximate frontiers (FrontierOptions.
// Epsilon): every exact frontier point within eps of a listed one for
// every party; the zone count is sampled with its 95% interval as always.
func benchApprox(b *testing.B, s *analysis.Space, eps float64) {
	b.ReportAllocs()
	var rep *analysis.Report
	cpu0 := cpuTime()
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), benchDeadline())
		var err error
		rep, err = analysis.AnalyzeContext(ctx, s, analysis.Options{Seed: 1, Frontier: analysis.FrontierOptions{MaxWork: -1, Epsilon: eps}})
		cancel()
		if err != nil {
			b.Skipf("stopped: %v", err)
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
	b.ReportMetric(float64(len(rep.Frontier.Points)), "frontier")
	b.ReportMetric(float64(len(rep.ZoneFrontier.Points)), "zone-frontier")
}

// benchEpsilon is the error bound (PARLEY_BENCH_EPSILON, default 0.05).
func benchEpsilon() float64 {
	if e, err := strconv.ParseFloat(os.Getenv("PARLEY_BENCH_EPSILON"), 64); err == nil && e > 0 {
		return e
	}
	return 0.05
}

func BenchmarkApproxGrid3x80(b *testing.B) { benchApprox(b, gridSpace(b, 3, 80, 1), benchEpsilon()) }
func BenchmarkApproxGrid4x40(b *testing.B) { benchApprox(b, gridSpace(b, 4, 40, 1), benchEpsilon()) }
func BenchmarkApproxGrid5x20(b *testing.B) { benchApprox(b, gridSpace(b, 5, 20, 1), benchEpsilon()) }
func BenchmarkApproxGrid6x20(b *testing.B) { benchApprox(b, gridSpace(b, 6, 20, 1), benchEpsilon()) }
