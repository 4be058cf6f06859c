package loadtest

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// WriteText writes the report as a table for people.
func (rep *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, format string, a ...any) { fmt.Fprintf(tw, "%s\t%s\n", k, fmt.Sprintf(format, a...)) }
	m := rep.Machine
	row("target", "%s, storage %s", rep.Target, rep.Storage)
	row("machine", "%s/%s, %d CPUs (GOMAXPROCS %d), %s, %s; load average %.1f before, %.1f at the end",
		m.OS, m.Arch, m.CPUs, m.GOMAXPROCS, orUnknown(m.CPU), m.GoVersion, m.LoadBefore, m.LoadAfter)
	row("workload", "%d negotiations of %s under %s, %d actors moving back to back, %.1f s",
		rep.Sessions, rep.Scenario, rep.Protocol, rep.Actors, rep.Seconds)
	row("setup", "%d negotiations, %d invitations in %.1f s; streams opened in %.1f s",
		rep.Setup.Negotiations, rep.Setup.Invitations, rep.Setup.Seconds, rep.Setup.SubscribeSeconds)
	row("moves acknowledged", "%d = %.0f moves/s sustained", rep.Moves, rep.MovesPerS)
	if len(rep.Intervals) > 0 {
		lo, hi := rep.Intervals[0].MovesPerS, rep.Intervals[0].MovesPerS
		for _, iv := range rep.Intervals {
			lo, hi = min(lo, iv.MovesPerS), max(hi, iv.MovesPerS)
		}
		row("  per interval", "%.0f to %.0f moves/s", lo, hi)
	}
	for _, k := range sortedKeys(rep.MovesByKind) {
		l := rep.LatencyByKind[k]
		row("  "+k, "%d (p50 %s, p99 %s)", rep.MovesByKind[k], msText(l.P50), msText(l.P99))
	}
	l := rep.Latency
	row("latency per move", "p50 %s  p90 %s  p99 %s  max %s  (mean %s)", msText(l.P50), msText(l.P90), msText(l.P99), msText(l.Max), msText(l.Mean))
	if len(rep.Errors) == 0 {
		row("errors", "none")
	} else {
		for i, k := range sortedKeys(rep.Errors) {
			name := ""
			if i == 0 {
				name = "errors"
			}
			row(name, "%s: %d (%s)", k, rep.Errors[k], clip(rep.ErrorSamples[k], 120))
		}
	}
	if rep.Resyncs > 0 {
		row("resyncs", "%d", rep.Resyncs)
	}
	s := rep.SSE
	server := "no answer"
	if s.ServerCount >= 0 {
		server = fmt.Sprintf("%d when the clients held %d", s.ServerCount, s.HeldAtCount)
	}
	row("SSE subscribers", "%d requested, %d held at the end of the window (server /api/stats: %s); %d reconnects after %d drops, %d failed connects",
		s.Requested, s.Held, server, s.Reconnects, s.Drops, s.Failures)
	h := s.HealthUnderLoad
	health := fmt.Sprintf("%d answers, p50 %s, max %s", h.Count, msText(h.P50), msText(h.Max))
	if s.HealthPending > 0 {
		health += fmt.Sprintf("; the last one unanswered after %s", secText(s.HealthPending))
	}
	row("health under load", "%s", health)
	row("SSE events", "%d delivered = %.0f events/s (%d batches)", s.Events, s.EventsPerS, s.Batches)
	row("SSE lag", "p50 %s  p99 %s  max %s (move accepted → event read, sampled)", msText(s.Lag.P50), msText(s.Lag.P99), msText(s.Lag.Max))
	p := rep.Process
	row("process", "peak RSS %.0f MiB, peak goroutines %d, CPU %.1f s = %.2f cores",
		float64(p.PeakRSS)/(1<<20), p.PeakGoroutines, p.CPUSeconds, p.CPUCores)
	row("open files", "%d at the end of the window, %d of them sockets (limit %d)", p.OpenFiles, p.OpenSockets, p.FileLimit)
	if rep.ServerLogLines > 0 {
		row("server log", "%d lines in the window; first: %s", rep.ServerLogLines, clip(rep.ServerLog[0], 200))
	}
	for _, n := range rep.Notes {
		row("note", "%s", n)
	}
	return tw.Flush()
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func msText(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f ms", v)
	case v >= 10:
		return fmt.Sprintf("%.1f ms", v)
	}
	return fmt.Sprintf("%.2f ms", v)
}

func secText(v float64) string {
	if v < 1 {
		return msText(v * 1000)
	}
	return fmt.Sprintf("%.1f s", v)
}

func orUnknown(s string) string {
	if s == "" {
		return "CPU model unknown"
	}
	return s
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
