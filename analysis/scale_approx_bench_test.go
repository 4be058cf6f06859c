package analysis_test

import (
	"os"
	"strconv"
	"testing"
)

// benchEpsilon is the error bound (PARLEY_BENCH_EPSILON, default 0.05).
func benchEpsilon() float64 {
	if e, err := strconv.ParseFloat(os.Getenv("PARLEY_BENCH_EPSILON"), 64); err == nil && e > 0 {
		return e
	}
	return 0.05
}

func BenchmarkApproxGrid3x80(b *testing.B) {
	benchAnalyzeEps(b, gridSpace(b, 3, 80, 1), benchEpsilon())
}
func BenchmarkApproxGrid4x40(b *testing.B) {
	benchAnalyzeEps(b, gridSpace(b, 4, 40, 1), benchEpsilon())
}
func BenchmarkApproxGrid5x20(b *testing.B) {
	benchAnalyzeEps(b, gridSpace(b, 5, 20, 1), benchEpsilon())
}
func BenchmarkApproxGrid6x20(b *testing.B) {
	benchAnalyzeEps(b, gridSpace(b, 6, 20, 1), benchEpsilon())
}
