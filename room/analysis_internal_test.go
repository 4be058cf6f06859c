package room

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
)

// watched is a fake analysis: it counts its runs, reports each start and
// waits for release or for its context.
type watched struct {
	runs     atomic.Int32
	started  chan context.Context
	release  chan struct{}
	err      error
	stoppedC chan error // the context's error when a run stopped early
}

func newWatched() *watched {
	return &watched{started: make(chan context.Context, 8), release: make(chan struct{}), stoppedC: make(chan error, 8)}
}

func (w *watched) compute(ctx context.Context, sc *scenario.Scenario) (*mediatorAnalysis, error) {
	w.runs.Add(1)
	w.started <- ctx
	select {
	case <-w.release:
		if w.err != nil {
			return nil, w.err
		}
		return &mediatorAnalysis{sc: sc}, nil
	case <-ctx.Done():
		w.stoppedC <- ctx.Err()
		return nil, fmt.Errorf("stopped: %w", context.Cause(ctx))
	}
}

func testCache(w *watched) *reportCache {
	c := newReportCache()
	c.compute = w.compute
	return c
}

var tinySc = &scenario.Scenario{Name: "tiny"}

// TestAnalysisSingleflight: issue 12 — every console reload started the
// analysis again. Callers of one scenario share one computation.
func TestAnalysisSingleflight(t *testing.T) {
	w := newWatched()
	c := testCache(w)
	var wg sync.WaitGroup
	results := make([]*mediatorAnalysis, 5)
	for i := range results {
		wg.Go(func() {
			a, err := c.get(context.Background(), "digest", tinySc)
			if err != nil {
				t.Error(err)
			}
			results[i] = a
		})
	}
	<-w.started
	time.Sleep(50 * time.Millisecond) // let every caller queue behind the run
	close(w.release)
	wg.Wait()
	if n := w.runs.Load(); n != 1 {
		t.Fatalf("%d computations for one scenario, want 1", n)
	}
	for _, a := range results {
		if a == nil || a != results[0] {
			t.Fatalf("callers got different results: %v", results)
		}
	}
	// Later callers get the cached result.
	if a, err := c.get(context.Background(), "digest", tinySc); err != nil || a != results[0] || w.runs.Load() != 1 {
		t.Fatalf("cached: %v %v, %d runs", a, err, w.runs.Load())
	}
}

// TestAnalysisStopsWhenNoOneWaits: issue 12 — an analysis went on for
// minutes after the client left. A caller that gives up does not stop the
// computation for the others; when the last one gives up it stops, and the
// next request starts it again.
func TestAnalysisStopsWhenNoOneWaits(t *testing.T) {
	w := newWatched()
	c := testCache(w)
	ctxA, cancelA := context.WithCancel(context.Background())
	ctxB, cancelB := context.WithCancel(context.Background())
	errs := make(chan error, 2)
	go func() { _, err := c.get(ctxA, "d", tinySc); errs <- err }()
	run := <-w.started
	go func() { _, err := c.get(ctxB, "d", tinySc); errs <- err }()
	time.Sleep(50 * time.Millisecond)

	cancelA()
	if err := <-errs; ErrorCode(err) != EINVALID || !errors.Is(err, context.Canceled) {
		t.Fatalf("A gave up: %v", err)
	}
	time.Sleep(50 * time.Millisecond)
	if run.Err() != nil {
		t.Fatal("the computation stopped while B still waits")
	}
	cancelB()
	<-errs
	select {
	case err := <-w.stoppedC:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("stopped with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the computation goes on after every caller left")
	}
	// Not cached as a failure: the next request computes again.
	go func() { _, err := c.get(context.Background(), "d", tinySc); errs <- err }()
	<-w.started
	close(w.release)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	if n := w.runs.Load(); n != 2 {
		t.Fatalf("%d runs, want 2", n)
	}
}

// TestAnalysisFailuresCached: a failure says why and is not computed
// again on every reload.
func TestAnalysisFailuresCached(t *testing.T) {
	t.Run("work budget", func(t *testing.T) {
		w := newWatched()
		w.err = fmt.Errorf("zone frontier: %w: more than 10 steps (at point 3 of 20)", analysis.ErrWorkBudget)
		close(w.release)
		c := testCache(w)
		for range 3 {
			_, err := c.get(context.Background(), "d", tinySc)
			if ErrorCode(err) != ETOOLARGE || !strings.Contains(ErrorMessage(err), "too large to analyse in the room (zone frontier: analysis: work budget exceeded") {
				t.Fatalf("err %v (%s)", err, ErrorMessage(err))
			}
		}
		if n := w.runs.Load(); n != 1 {
			t.Fatalf("%d runs, want 1", n)
		}
	})
	t.Run("deadline", func(t *testing.T) {
		w := newWatched()
		c := testCache(w)
		c.timeout = 50 * time.Millisecond
		for range 3 {
			_, err := c.get(context.Background(), "d", tinySc)
			if ErrorCode(err) != ETOOLARGE || !strings.Contains(ErrorMessage(err), "did not finish within 50ms") || !strings.Contains(ErrorMessage(err), "not tried again for 10m0s") {
				t.Fatalf("err %v (%s)", err, ErrorMessage(err))
			}
		}
		if n := w.runs.Load(); n != 1 {
			t.Fatalf("%d runs, want 1", n)
		}
	})
}

// slowScenario is four parties over 16 points of 8 options with random
// real weights and scores: its frontier takes many minutes.
func slowScenario() *scenario.Scenario {
	rng := rand.New(rand.NewPCG(2, 99))
	f := &framework.Framework{Name: "slow"}
	for k := range 16 {
		p := framework.Point{ID: fmt.Sprintf("p%d", k)}
		for l := range 8 {
			p.Options = append(p.Options, framework.Option{ID: fmt.Sprintf("o%d", l)})
		}
		f.Points = append(f.Points, p)
	}
	sc := &scenario.Scenario{Name: "slow", Framework: f}
	for j := range 4 {
		pr := &profile.Profile{}
		for range f.Points {
			pr.Weights = append(pr.Weights, rng.Float64()/16)
			sc := make([]float64, 8)
			for l := range sc {
				sc[l] = rng.Float64()
			}
			pr.Scores = append(pr.Scores, sc)
		}
		sc.Parties = append(sc.Parties, scenario.Party{ID: fmt.Sprint("party", j), Role: scenario.Principal, Profile: pr})
	}
	return sc
}

// TestAnalysisOfAHardScenarioIsBounded: the real analysis of a scenario
// whose frontier takes many minutes stops at the deadline with a clear
// error, and stops at once when its only caller leaves.
func TestAnalysisOfAHardScenarioIsBounded(t *testing.T) {
	sc := slowScenario()
	c := newReportCache()
	c.timeout = 300 * time.Millisecond
	start := time.Now()
	_, err := c.get(context.Background(), "slow", sc)
	if ErrorCode(err) != ETOOLARGE || !strings.Contains(ErrorMessage(err), "did not finish within 300ms and was stopped (frontier: analysis stopped: analysis deadline (at point") {
		t.Fatalf("err %v (%s)", err, ErrorMessage(err))
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("stopped after %v", d)
	}

	c = newReportCache()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := c.get(ctx, "slow", sc); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
	c.mu.Lock()
	n := len(c.entries)
	c.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d entries kept after the only caller left", n)
	}
	// The computation itself has stopped: its token is given back.
	deadline := time.Now().Add(5 * time.Second)
	for len(c.running) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the analysis still runs after its only caller left")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
