package analysis

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/parley-negotiation/parley/profile"
)

// withUncertainty gives party j of s (a copy) uncertainty intervals on some
// weights and scores and, sometimes, on its reservation value, and returns
// the recompiled space (reservation values of s kept where keep says so).
func withUncertainty(t *testing.T, rng *rand.Rand, s *Space, j int) *Space {
	t.Helper()
	profs := append([]*profile.Profile(nil), s.Profiles...)
	p := *profs[j]
	u := &profile.Uncertainty{Weights: make([]*profile.Interval, len(p.Weights)), Scores: make([][]*profile.Interval, len(p.Scores))}
	for k, w := range p.Weights {
		if rng.IntN(2) == 0 {
			u.Weights[k] = &profile.Interval{Lo: w * 0.5, Hi: w * 1.5}
		}
		if p.Scores[k] != nil && rng.IntN(3) == 0 {
			u.Scores[k] = make([]*profile.Interval, len(p.Scores[k]))
			for l, sc := range p.Scores[k] {
				if rng.IntN(2) == 0 {
					u.Scores[k][l] = &profile.Interval{Lo: sc * 0.8, Hi: sc*1.2 + 0.1}
				}
			}
		}
	}
	if rng.IntN(2) == 0 {
		u.Reservation = &profile.Interval{Lo: 0, Hi: 0.3}
	}
	p.Uncertainty = u
	profs[j] = &p
	c, err := NewSpace(s.Framework, append([]string(nil), s.Names...), profs)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sameFigures is sameReport plus what it leaves out: the methods of both
// frontiers and the suggestions' robustness figures.
func sameFigures(t *testing.T, what string, got, want *Report) {
	t.Helper()
	strip := func(r *Report) *Report {
		c := *r
		c.Suggestions = nil
		for _, sg := range r.Suggestions {
			c.Suggestions = append(c.Suggestions, Suggestion{Solution: sg.Solution})
		}
		return &c
	}
	sameReport(t, what, strip(got), strip(want)) // robustness compared below
	if len(got.Suggestions) != len(want.Suggestions) {
		t.Fatalf("%s: %d suggestions, recomputed %d", what, len(got.Suggestions), len(want.Suggestions))
	}
	if got.Frontier.Method != want.Frontier.Method || got.ZoneFrontier.Method != want.ZoneFrontier.Method {
		t.Fatalf("%s: methods %q / %q, recomputed %q / %q", what, got.Frontier.Method, got.ZoneFrontier.Method, want.Frontier.Method, want.ZoneFrontier.Method)
	}
	for i := range want.Suggestions {
		g, w := got.Suggestions[i].Robustness, want.Suggestions[i].Robustness
		if (g == nil) != (w == nil) || (g != nil && fmt.Sprintf("%+v", *g) != fmt.Sprintf("%+v", *w)) {
			t.Fatalf("%s: suggestion %d robustness %+v, recomputed %+v", what, i, g, w)
		}
	}
}

// TestWhatIfRepeatedWeightsMatchAnalyze changes weights again and again on
// the same and on different points (resumed merges, re-evaluated zone
// sample, replayed robustness draws), interleaved with reservation changes,
// on hundreds of random small domains of 3 to 6 parties with red lines (of
// one and several points), reservation values and an uncertain party, and
// checks every report against a fresh Analyze of the changed space, bit for
// bit.
func TestWhatIfRepeatedWeightsMatchAnalyze(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 50))
	ctx := context.Background()
	for iter := 0; iter < 200; iter++ {
		parties := 3 + iter%4
		points := 3 + rng.IntN(4)
		var s *Space
		if iter%4 == 3 {
			points = 5
			s = denseSpace(rng, points, parties)
		} else {
			s = randomSpace(rng, points, 4, parties, iter%5 != 0)
		}
		uncertain := -1
		if iter%3 != 2 {
			uncertain = rng.IntN(parties)
			s = withUncertainty(t, rng, s, uncertain)
			if iter%6 == 0 { // a second uncertain party: interleaved draws
				s = withUncertainty(t, rng, s, (uncertain+1)%parties)
			}
		}
		for j := range s.Reservation {
			if rng.IntN(2) == 0 {
				mx, _ := s.Tables[j].Max()
				s.Reservation[j] = mx * rng.Float64() * 0.6
			}
		}
		opts := Options{RobustnessSamples: 300, Seed: uint64(iter) + 1}
		if iter%2 == 1 {
			opts.Zone = ZoneOptions{EnumLimit: 1, Samples: 2000}
		}
		if iter%10 == 7 { // approximate frontiers: merged from scratch
			opts.Frontier = FrontierOptions{Epsilon: 0.05, thinAbove: 8}
		}
		w, err := NewWhatIf(ctx, s, opts)
		if err != nil {
			t.Fatal(err)
		}
		resStep := 3 // the step that changes a reservation
		if iter%3 == 1 {
			// From an analysis already made (as the room does): the
			// caches are built by the first change, a reservation in
			// half of these.
			if iter%2 == 1 {
				resStep = 0
			}
			base, err := Analyze(s, opts)
			if err != nil {
				t.Fatal(err)
			}
			w = NewWhatIfFrom(s, opts, base)
		}
		cur := cloneSpace(s)
		keep := make([]bool, parties)
		// The one-shot editor makes the same edits (it must give the
		// space cur is).
		ed := NewSpaceEditor(s)
		k := rng.IntN(points)
		for step := 0; step < 6; step++ {
			name := fmt.Sprintf("iter %d (%d parties, %d points) step %d", iter, parties, points, step)
			var got *Report
			switch {
			case step == 5 && iter%4 == 0:
				// A cancelled change leaves the what-if as it was.
				cancelled, cancel := context.WithCancel(ctx)
				cancel()
				if _, err := w.SetWeight(cancelled, 0, k, 0.5); err == nil {
					t.Fatalf("%s: a cancelled weight change succeeded", name)
				}
				got = w.Report()
				name += " cancelled"
			case step == resStep:
				// A reservation change between weight changes.
				j := rng.IntN(parties)
				mx, _ := cur.Tables[j].Max()
				r := mx * rng.Float64() * 0.7
				if got, err = w.SetReservation(ctx, j, r); err != nil {
					t.Fatal(err)
				}
				cur.Reservation[j] = r
				keep[j] = true
				if err := ed.Apply(WhatIfEdit{Party: j, Point: -1, Value: r}); err != nil {
					t.Fatal(err)
				}
				name += fmt.Sprintf(" reservation of %d", j)
			default:
				// Same point twice in a row, then elsewhere; the uncertain
				// party's weight too.
				if step%2 == 0 {
					k = rng.IntN(points)
				}
				j := rng.IntN(parties)
				if uncertain >= 0 && step == 4 {
					j = uncertain
				}
				weight := rng.Float64()
				if rng.IntN(4) == 0 {
					weight *= 3 // raised utilities: a larger merge margin
				}
				if got, err = w.SetWeight(ctx, j, k, weight); err != nil {
					t.Fatal(err)
				}
				if cur, err = withWeight(cur, j, k, weight, keep); err != nil {
					t.Fatal(err)
				}
				if err := ed.Apply(WhatIfEdit{Party: j, Point: k, Value: weight}); err != nil {
					t.Fatal(err)
				}
				name += fmt.Sprintf(" weight of %d on point %d", j, k)
			}
			if es := ed.Space(); !slices.Equal(es.Reservation, cur.Reservation) || !slices.EqualFunc(es.Profiles, cur.Profiles, func(a, b *profile.Profile) bool { return slices.Equal(a.Weights, b.Weights) }) {
				t.Fatalf("%s: the editor's space has reservations %v, weights differ: %v; want %v", name, es.Reservation, !slices.Equal(es.Reservation, cur.Reservation), cur.Reservation)
			}
			want, err := Analyze(cur, opts)
			if err != nil {
				t.Fatal(err)
			}
			sameFigures(t, name, got, want)
		}
	}
}

// TestResumedMergeMatchesFreshMerge checks the merge checkpoints alone: a
// merge resumed at point k of a space whose point k changed is the fresh
// merge bit for bit (utilities, counts, witnesses, order), with and
// without red lines, also when a memory budget dropped the states before
// some points (it then resumes from an earlier kept state); a margin too
// small for the changed space makes it merge from scratch instead.
func TestResumedMergeMatchesFreshMerge(t *testing.T) {
	rng := rand.New(rand.NewPCG(50, 19))
	for iter := 0; iter < 60; iter++ {
		parties := 2 + iter%5
		s := denseSpace(rng, 5+rng.IntN(2), parties)
		for _, red := range []bool{false, true} {
			o := FrontierOptions{RedLines: red}
			ck := &mergeCheckpoints{}
			if iter%2 == 1 {
				ck.budget = 3000 // most states dropped: resumed from earlier ones
			}
			if _, err := frontierAdditive(context.Background(), s, o, ck, 0, nil); err != nil {
				t.Fatal(err)
			}
			cur := s
			for step := 0; step < 4; step++ {
				j, k := rng.IntN(parties), rng.IntN(len(s.Framework.Points))
				next, err := withWeight(cur, j, k, rng.Float64()*float64(1+step), nil)
				if err != nil {
					t.Fatal(err)
				}
				got, err := frontierAdditive(context.Background(), next, o, ck, k, nil)
				if err != nil {
					t.Fatal(err)
				}
				want, err := FrontierAdditive(next, o)
				if err != nil {
					t.Fatal(err)
				}
				sameReport(t, fmt.Sprintf("iter %d red %v step %d", iter, red, step),
					&Report{Frontier: got, ZoneFrontier: got, Zone: &Zone{}},
					&Report{Frontier: want, ZoneFrontier: want, Zone: &Zone{}})
				cur = next
			}
		}
	}
	if _, err := frontierAdditive(context.Background(), benchSpace(3, 2, 3, 1), FrontierOptions{Rational: true}, &mergeCheckpoints{}, 0, nil); err == nil {
		t.Fatal("checkpoints accepted a merge with reservation pruning")
	}
}
