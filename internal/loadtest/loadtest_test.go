package loadtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/internal/loadtest"
)

// TestRun drives 5 negotiations for 2 s against an in-process server over
// SQLite and checks that moves were acknowledged without a single error and
// that the subscribers received their events.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a server under load for 2 s")
	}
	var progress bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := loadtest.Run(ctx, loadtest.Config{
		Sessions:      5,
		Duration:      2 * time.Second,
		Subscribers:   8,
		DB:            filepath.Join(t.TempDir(), "load.db"),
		Progress:      &progress,
		ProgressEvery: time.Second,
	})
	if err != nil {
		t.Fatalf("Run: %v\nprogress:\n%s", err, progress.String())
	}
	if rep.Moves == 0 || rep.MovesPerS <= 0 {
		t.Errorf("no move acknowledged: %+v", rep)
	}
	for _, k := range []string{"draft", "respond", "message"} {
		if rep.MovesByKind[k] == 0 {
			t.Errorf("no %s acknowledged (moves by kind %v)", k, rep.MovesByKind)
		}
	}
	if len(rep.Errors) != 0 || rep.Resyncs != 0 {
		t.Errorf("errors %v (samples %v), resyncs %d", rep.Errors, rep.ErrorSamples, rep.Resyncs)
	}
	if rep.ServerLogLines != 0 {
		t.Errorf("the server logged %d lines in the window: %q", rep.ServerLogLines, rep.ServerLog)
	}
	if rep.Actors != 5*4 {
		t.Errorf("%d actors, want 20 (the mediator and 3 parties of each negotiation)", rep.Actors)
	}
	if rep.SSE.Requested != 8 || rep.SSE.Held != 8 || rep.SSE.ServerCount != 8 {
		t.Errorf("subscribers: requested %d, held %d, server count %d; want 8", rep.SSE.Requested, rep.SSE.Held, rep.SSE.ServerCount)
	}
	if rep.SSE.Events == 0 || rep.SSE.Batches == 0 {
		t.Errorf("the subscribers received no events: %+v", rep.SSE)
	}
	if rep.Latency.Count != rep.Moves || rep.Latency.P50 <= 0 || rep.Latency.P99 < rep.Latency.P50 || rep.Latency.Max < rep.Latency.P99 {
		t.Errorf("latency %+v for %d moves", rep.Latency, rep.Moves)
	}
	if rep.Process.PeakGoroutines == 0 {
		t.Errorf("process %+v", rep.Process)
	}
	// Both outputs render.
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil || !strings.Contains(text.String(), "moves acknowledged") {
		t.Errorf("WriteText: %v\n%s", err, text.String())
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Errorf("JSON: %v", err)
	}
	if !strings.Contains(progress.String(), "moves/s") {
		t.Errorf("no progress line:\n%s", progress.String())
	}
}
