package analysis

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// redLineSpace is benchSpace with reservation values and, for party 0,
// lines red lines each joining an early point and a late one, two levels
// on each side.
func redLineSpace(points, levels, parties, lines int) *Space {
	s := benchSpace(points, levels, parties, 1)
	pr := s.Profiles[0]
	for r := range lines {
		pr.RedLines = append(pr.RedLines, profile.RedLine{Terms: []profile.Term{
			{Point: r, Levels: []int{0, 1}}, {Point: points - 1 - r, Levels: []int{2, 3}}}})
	}
	for j := range s.Profiles {
		res := 0.3
		s.Profiles[j].Reservation = &res
	}
	s, err := NewSpace(s.Framework, s.Names, s.Profiles)
	if err != nil {
		panic(err)
	}
	return s
}

// TestTenTwoPointRedLinesFinish: issue 12 — ten red lines joining two
// points each kept partial packages apart by every level of the first
// points, so the zone frontier ran for minutes (15–25 in the room) or
// failed after 40 s with "frontier too large". Kept apart only by whether
// each red line can still be crossed, it takes well under a second.
func TestTenTwoPointRedLinesFinish(t *testing.T) {
	s := redLineSpace(20, 5, 2, 10)
	start := time.Now()
	fr, err := FrontierAdditive(s, FrontierOptions{RedLines: true, Rational: true})
	if err != nil {
		t.Fatalf("after %v: %v", time.Since(start), err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
	if len(fr.Points) == 0 {
		t.Fatal("empty zone frontier")
	}
	for _, p := range fr.Points {
		if s.Profiles[0].CrossesRedLine(p.Witness) >= 0 || !atLeast(s.Utilities(p.Witness), s.Reservation) {
			t.Fatalf("witness %v crosses a red line or a reservation value", p.Witness)
		}
	}
}

// TestFrontierRedLinesMatchBruteForce: many red lines of several points
// with several levels each (the armed-flag states), against enumeration.
func TestFrontierRedLinesMatchBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 3))
	for iter := 0; iter < 150; iter++ {
		s := randomSpace(rng, 2+rng.IntN(5), 4, 1+iter%3, false)
		f := s.Framework
		for _, pr := range s.Profiles {
			for range rng.IntN(6) {
				var rl profile.RedLine
				for _, k := range rng.Perm(len(f.Points))[:2+rng.IntN(len(f.Points)-1)] {
					n := len(f.Points[k].Options)
					rl.Terms = append(rl.Terms, profile.Term{Point: k, Levels: rng.Perm(n)[:1+rng.IntN(n)]})
				}
				pr.RedLines = append(pr.RedLines, rl)
			}
		}
		for _, o := range []FrontierOptions{{RedLines: true}, {RedLines: true, Rational: true}} {
			want, err := FrontierEnumerate(s, o, 0)
			if err != nil {
				t.Fatal(err)
			}
			got, err := FrontierAdditive(s, o)
			if err != nil {
				t.Fatal(err)
			}
			t.Run(fmt.Sprintf("iter%d/%+v", iter, o), func(t *testing.T) { sameFrontier(t, got, want, true) })
			if t.Failed() {
				return
			}
		}
	}
}

// TestWorkBudget: a frontier that needs more work than its budget stops at
// once with ErrWorkBudget, saying where it was.
func TestWorkBudget(t *testing.T) {
	s := benchSpace(12, 6, 3, 1)
	start := time.Now()
	_, err := FrontierAdditive(s, FrontierOptions{MaxWork: 100_000})
	if !errors.Is(err, ErrWorkBudget) {
		t.Fatalf("err %v, want ErrWorkBudget", err)
	}
	if !strings.Contains(err.Error(), "more than 100000 steps (at point") {
		t.Errorf("message %q", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("stopping took %v", d)
	}
	if _, err := FrontierAdditive(s, FrontierOptions{MaxWork: -1}); err != nil {
		t.Errorf("no budget: %v", err)
	}
}

// slowSpace is a four-party space whose frontier takes minutes.
func slowSpace() *Space { return benchSpace(16, 8, 4, 2) }

// TestAnalyzeStopsWhenCancelled: issue 12 — an analysis went on for many
// minutes after the request that asked for it had gone. Cancelling the
// context stops every stage within moments, with an error that says where.
func TestAnalyzeStopsWhenCancelled(t *testing.T) {
	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := AnalyzeContext(ctx, slowSpace(), Options{Frontier: FrontierOptions{MaxWork: -1, MaxPoints: 1 << 30}})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err %v, want a deadline error", err)
		}
		if !strings.HasPrefix(err.Error(), "frontier: analysis stopped: context deadline exceeded (at point") {
			t.Errorf("message %q", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("stopped after %v", d)
		}
	})
	// Each later stage too: cancel as it starts.
	for _, stage := range []string{"zone frontier", "agreement zone"} {
		t.Run(stage, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			s := redLineSpace(10, 6, 2, 2) // 6^10 packages: the zone is sampled and searched
			_, err := AnalyzeContext(ctx, s, Options{Stage: func(n string) {
				if n == stage {
					cancel()
				}
			}})
			if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), stage) {
				t.Fatalf("err %v, want %s: … context canceled", err, stage)
			}
		})
	}
	for _, enumLimit := range []int64{1, 1 << 40} { // sampled, enumerated
		ctx, cancel := context.WithCancel(context.Background())
		zo := ZoneOptions{EnumLimit: enumLimit, Workers: 1, Progress: func(done, total int64) { cancel() }}
		if _, err := AgreementZoneContext(ctx, redLineSpace(10, 6, 2, 2), zo); !errors.Is(err, context.Canceled) {
			t.Errorf("zone with enum limit %d: err %v, want canceled", enumLimit, err)
		}
		cancel()
	}
}

// TestSampleUtilityMatchesSample: the robustness estimate draws only the
// package's utility, bit for bit what a whole sampled table gives.
func TestSampleUtilityMatchesSample(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	f := &framework.Framework{Name: "mixed", Points: []framework.Point{
		{ID: "a", Options: []framework.Option{{ID: "x"}, {ID: "y"}, {ID: "z"}}},
		{ID: "n", Kind: framework.Integer, Min: 0, Max: 9},
		{ID: "b", Options: []framework.Option{{ID: "u"}, {ID: "v"}}},
	}}
	for iter := range 200 {
		res := rng.Float64() * 0.5
		p := &profile.Profile{
			Weights: []float64{rng.Float64(), rng.Float64(), rng.Float64()},
			Scores:  [][]float64{{rng.Float64() * 10, rng.Float64() * 10, 0}, nil, {rng.Float64(), rng.Float64()}},
			Funcs:   []*profile.ValueFunc{nil, {Kind: profile.Linear, Slope: 0.1}, nil},
			Scale:   profile.Scale(iter % 2),
			Uncertainty: &profile.Uncertainty{
				Weights: []*profile.Interval{{Lo: 0.1, Hi: 0.9}, nil, {Lo: 0, Hi: 0.5}},
				Scores:  [][]*profile.Interval{{nil, {Lo: 0, Hi: 1}, nil}, nil, nil},
			},
		}
		if iter%3 == 0 {
			p.Reservation = &res
		}
		if iter%4 == 0 {
			p.Fallback = framework.Package{rng.IntN(3), rng.IntN(10), rng.IntN(2)}
		}
		if iter%5 == 0 {
			p.Uncertainty.Reservation = &profile.Interval{Lo: 0.2, Hi: 0.4}
		}
		if iter%7 == 0 {
			p.Uncertainty = nil
		}
		if iter%3 == 1 {
			// Interactions, one spanning points added after its last.
			p.Interactions = []profile.Interaction{
				{Terms: []profile.Term{{Point: 2, Levels: []int{1}}, {Point: 0, Levels: []int{0, 2}}}, Value: 0.125},
				{Terms: []profile.Term{{Point: 0, Levels: []int{1}}}, Value: -0.3, Outside: iter%2 == 0},
			}
		}
		pkg := framework.Package{rng.IntN(3), rng.IntN(10), rng.IntN(2)}
		seed := rng.Uint64()
		a := rand.New(rand.NewPCG(seed, 1))
		b := rand.New(rand.NewPCG(seed, 1))
		// One sampler reused for every draw (its buffers carry nothing
		// from one draw to the next).
		c := rand.New(rand.NewPCG(seed, 1))
		sm, err := p.NewSampler(f, pkg)
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			su, sr := sm.Utility(c.Float64)
			tb, err := p.Sample(f, a.Float64)
			if err != nil {
				t.Fatal(err)
			}
			u, r, err := p.SampleUtility(f, pkg, b.Float64)
			if err != nil {
				t.Fatal(err)
			}
			if u != tb.Utility(pkg) || r != tb.Reservation {
				t.Fatalf("iter %d: SampleUtility %v, %v; Sample %v, %v", iter, u, r, tb.Utility(pkg), tb.Reservation)
			}
			if su != u || sr != r {
				t.Fatalf("iter %d: a reused Sampler %v, %v; SampleUtility %v, %v", iter, su, sr, u, r)
			}
		}
	}
}

// TestNashProductCannotOverflow: many parties with large (accepted)
// weights are refused with a clear error rather than giving +Inf.
func TestNashProductCannotOverflow(t *testing.T) {
	f := &framework.Framework{Name: "big", Points: []framework.Point{{ID: "a", Options: []framework.Option{{ID: "x"}, {ID: "y"}}}}}
	var names []string
	var profs []*profile.Profile
	for j := range 60 {
		names = append(names, fmt.Sprint("p", j))
		profs = append(profs, &profile.Profile{Weights: []float64{profile.MaxWeight}, Scores: [][]float64{{0, 1}}})
	}
	if _, err := NewSpace(f, names, profs); err == nil || !strings.Contains(err.Error(), "too large for their products") {
		t.Fatalf("60 parties of utility 10^6: %v", err)
	}
	s, err := NewSpace(f, names[:40], profs[:40])
	if err != nil {
		t.Fatal(err)
	}
	fr, _ := FrontierAdditive(s, FrontierOptions{})
	if nash, ok := NashPoint(fr, s.Reservation); !ok || math.IsInf(nash.Value, 0) {
		t.Fatalf("nash %v %v", nash.Value, ok)
	}
}
