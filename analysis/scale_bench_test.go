package analysis_test

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/internal/fixture"
	"github.com/parley-negotiation/parley/scenario"
)

// The issue 19 grid: random additive domains of 4 options a point, parties
// × points. Every party's weights are uniform random numbers normalised to
// sum 1, its scores uniform in [0, 1), its reservation value 0.4 (the
// agreement zone is a proper part of the space, and for 5 or 6 parties a
// small one). This file uses only API that existed before issue 19, so the
// same benchmarks run on the committed code for the before/after table
// (docs/benchmarks.md, "Analysis at scale").

// gridSpace is one domain of the grid.
func gridSpace(tb testing.TB, parties, points int, seed uint64) *analysis.Space {
	sc := fixture.RandomAdditive(fmt.Sprintf("random-%dp-%dx4", parties, points), points, 4, parties, seed, 19, 0.4)
	names, profs := fixture.Principals(sc)
	s, err := analysis.NewSpace(sc.Framework, names, profs)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// benchDeadline bounds one analysis (PARLEY_BENCH_DEADLINE, default 60 s):
// past it the benchmark is skipped and says so, so that the code before
// issue 19 can run the grid in one sitting.
func benchDeadline() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("PARLEY_BENCH_DEADLINE")); err == nil {
		return d
	}
	return time.Minute
}

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchAnalyze runs the whole analysis (frontier, solutions, zone frontier,
// suggestions, agreement zone with overlap) and reports, besides wall time,
// the CPU time per analysis (the machine is shared: CPU time is what the
// analysis costs) and the frontier sizes.
func benchAnalyze(b *testing.B, s *analysis.Space) { benchAnalyzeEps(b, s, 0) }

// benchAnalyzeEps is benchAnalyze with frontiers approximate within eps
// (FrontierOptions.Epsilon; 0: exact).
func benchAnalyzeEps(b *testing.B, s *analysis.Space, eps float64) {
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

func BenchmarkAnalyzeGrid3x20(b *testing.B) { benchAnalyze(b, gridSpace(b, 3, 20, 1)) }
func BenchmarkAnalyzeGrid3x30(b *testing.B) { benchAnalyze(b, gridSpace(b, 3, 30, 1)) }
func BenchmarkAnalyzeGrid3x40(b *testing.B) { benchAnalyze(b, gridSpace(b, 3, 40, 1)) }
func BenchmarkAnalyzeGrid3x80(b *testing.B) { benchAnalyze(b, gridSpace(b, 3, 80, 1)) }
func BenchmarkAnalyzeGrid4x16(b *testing.B) { benchAnalyze(b, gridSpace(b, 4, 16, 1)) }
func BenchmarkAnalyzeGrid4x20(b *testing.B) { benchAnalyze(b, gridSpace(b, 4, 20, 1)) }
func BenchmarkAnalyzeGrid4x40(b *testing.B) { benchAnalyze(b, gridSpace(b, 4, 40, 1)) }
func BenchmarkAnalyzeGrid5x12(b *testing.B) { benchAnalyze(b, gridSpace(b, 5, 12, 1)) }
func BenchmarkAnalyzeGrid5x20(b *testing.B) { benchAnalyze(b, gridSpace(b, 5, 20, 1)) }
func BenchmarkAnalyzeGrid6x10(b *testing.B) { benchAnalyze(b, gridSpace(b, 6, 10, 1)) }
func BenchmarkAnalyzeGrid6x20(b *testing.B) { benchAnalyze(b, gridSpace(b, 6, 20, 1)) }

// BenchmarkAnalyzeMiami is the built-in miami-2025 scenario (3 principals,
// 20 points, red lines, uncertain profiles): the whole report.
func BenchmarkAnalyzeMiami(b *testing.B) {
	sc, err := scenario.Builtin("miami-2025")
	if err != nil {
		b.Fatal(err)
	}
	s, err := analysis.FromScenario(sc)
	if err != nil {
		b.Fatal(err)
	}
	benchAnalyze(b, s)
}

// BenchmarkFrontierNash4p12x4 is the 4-party 12 × 4 case: the exact
// frontier and the Nash point (goal under 0.1 s).
func BenchmarkFrontierNash4p12x4(b *testing.B) {
	s := gridSpace(b, 4, 12, 1)
	b.ReportAllocs()
	var n int
	cpu0 := cpuTime()
	for b.Loop() {
		fr, err := analysis.FrontierAdditive(s, analysis.FrontierOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := analysis.NashPoint(fr, s.Reservation); !ok {
			b.Fatal("no Nash point")
		}
		n = len(fr.Points)
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
	b.ReportMetric(float64(n), "frontier")
}
