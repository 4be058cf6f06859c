package analysis

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/scenario"
)

// processCPU is the process's user+system CPU time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func miamiWhatIf(b testing.TB) *WhatIf {
	sc, err := scenario.Builtin("miami-2025")
	if err != nil {
		b.Fatal(err)
	}
	s, err := FromScenario(sc)
	if err != nil {
		b.Fatal(err)
	}
	w, err := NewWhatIf(context.Background(), s, Options{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	// The first reservation change computes the frontier of the packages
	// crossing no red line once; later ones reuse it.
	if _, err := w.SetReservation(context.Background(), 0, w.Space().Reservation[0]); err != nil {
		b.Fatal(err)
	}
	return w
}

// BenchmarkWhatIfReservationMiami: one party's reservation value changed on
// miami-2025, the whole report updated (goal under 50 ms).
func BenchmarkWhatIfReservationMiami(b *testing.B) {
	w := miamiWhatIf(b)
	r0 := w.Space().Reservation[1]
	b.ReportAllocs()
	i := 0
	cpu0 := processCPU()
	for b.Loop() {
		i++
		if _, err := w.SetReservation(context.Background(), 1, r0+0.01*float64(i%5)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkWhatIfWeightMiami: russia's weight of the first point changed
// on miami-2025, again and again (the merges resume at point 0, i.e. merge
// every point; russia's robustness draws are redrawn; the sampled zone
// re-evaluates russia).
func BenchmarkWhatIfWeightMiami(b *testing.B) {
	w := miamiWhatIf(b)
	w0 := w.Space().Profiles[0].Weights[0]
	b.ReportAllocs()
	i := 0
	cpu0 := processCPU()
	for b.Loop() {
		i++
		if _, err := w.SetWeight(context.Background(), 0, 0, w0*(1+0.05*float64(i%3))); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkWhatIfWeightMiamiFirst: the first weight change after NewWhatIf
// on miami-2025 (every point merged, the merge states kept for later
// changes).
func BenchmarkWhatIfWeightMiamiFirst(b *testing.B) {
	b.ReportAllocs()
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		w := miamiWhatIf(b)
		w0 := w.Space().Profiles[1].Weights[10]
		cpu0 := processCPU()
		b.StartTimer()
		if _, err := w.SetWeight(context.Background(), 1, 10, w0*1.05); err != nil {
			b.Fatal(err)
		}
		cpu += processCPU() - cpu0
	}
	b.ReportMetric(float64(cpu)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkWhatIfWeightMiamiPoint: later weight changes on miami-2025 of
// one party on one point (the merges resume at that point), for the
// uncertain party (russia: its robustness draws are redrawn) and a certain
// one (ukraine), on the first, a middle and the last point.
func BenchmarkWhatIfWeightMiamiPoint(b *testing.B) {
	for _, j := range []int{0, 1} {
		for _, k := range []int{0, 10, 19} {
			b.Run(fmt.Sprintf("party=%d/point=%d", j, k), func(b *testing.B) {
				w := miamiWhatIf(b)
				w0 := w.Space().Profiles[j].Weights[k]
				if _, err := w.SetWeight(context.Background(), j, k, w0*1.1); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				i := 0
				cpu0 := processCPU()
				for b.Loop() {
					i++
					if _, err := w.SetWeight(context.Background(), j, k, w0*(1+0.05*float64(i%3))); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
			})
		}
	}
}
