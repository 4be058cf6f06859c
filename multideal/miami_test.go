package multideal

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
)

// restrictedWant is what a miami-2025 profile gives a thread's point k and
// level: the weight renormalised over the thread's points, and the score
// divided by the point's highest score.
func restrictedWant(p *profile.Profile, mi []int, k, l int) (w, sc float64) {
	m := 0.0
	for _, j := range mi {
		m += p.Weights[j]
	}
	mx := math.Inf(-1)
	for _, v := range p.Scores[mi[k]] {
		mx = math.Max(mx, v)
	}
	return p.Weights[mi[k]] / m, p.Scores[mi[k]][l] / mx
}

// TestMiamiShuttleMatchesMiami checks the built-in miami-shuttle against
// miami-2025: the threads cover the 20 points once, with the same options;
// every profile is the miami-2025 profile restricted to the thread's
// points; with every thread agreed the center's utility is the US
// utility of the combined package, and with any thread missing it is the
// reservation.
func TestMiamiShuttleMatchesMiami(t *testing.T) {
	s, err := Builtin("miami-shuttle")
	if err != nil {
		t.Fatal(err)
	}
	m, err := scenario.Builtin("miami-2025")
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{s.Threads[0].Edge, s.Threads[1].Edge, s.Threads[2].Edge}; strings.Join(got, ",") != "russia,ukraine,europe" || len(s.Threads) != 3 {
		t.Fatalf("threads %v, want russia, ukraine, europe", got)
	}
	seen := map[string]bool{}
	maps := make([][]int, len(s.Threads)) // thread point -> miami point
	for i, th := range s.Threads {
		for _, pt := range th.Framework.Points {
			if seen[pt.ID] {
				t.Errorf("point %s in two threads", pt.ID)
			}
			seen[pt.ID] = true
			j := m.Framework.PointIndex(pt.ID)
			if j < 0 {
				t.Fatalf("thread %s: point %s is not a miami-2025 point", th.Edge, pt.ID)
			}
			maps[i] = append(maps[i], j)
			mp := &m.Framework.Points[j]
			if pt.Levels() != mp.Levels() {
				t.Fatalf("%s: %d options, miami-2025 %d", pt.ID, pt.Levels(), mp.Levels())
			}
			for l := 0; l < pt.Levels(); l++ {
				if pt.LevelID(l) != mp.LevelID(l) {
					t.Errorf("%s option %d: %s, miami-2025 %s", pt.ID, l, pt.LevelID(l), mp.LevelID(l))
				}
			}
		}
	}
	if len(seen) != len(m.Framework.Points) {
		t.Errorf("threads cover %d points, miami-2025 has %d", len(seen), len(m.Framework.Points))
	}
	check := func(what string, got *profile.Profile, want *profile.Profile, mi []int) {
		for k := range mi {
			for l := range got.Scores[k] {
				w, sc := restrictedWant(want, mi, k, l)
				if math.Abs(got.Weights[k]-w) > 1e-4 || math.Abs(got.Scores[k][l]-sc) > 5e-5 {
					t.Errorf("%s point %d level %d: weight %v score %v, want %v %v", what, k, l, got.Weights[k], got.Scores[k][l], w, sc)
				}
			}
		}
	}
	us := m.Party("us").Profile
	for i, th := range s.Threads {
		want := m.Party(th.Edge).Profile
		check(th.Edge, th.Profile, want, maps[i])
		if th.Table.Reservation != *want.Reservation {
			t.Errorf("%s reservation %v, miami-2025 %v", th.Edge, th.Table.Reservation, *want.Reservation)
		}
		check("us in "+th.Edge, s.Center.Utility.Sides[i], us, maps[i])
	}
	if !s.Center.Utility.NoPartial {
		t.Error("the center utility allows partial agreements")
	}
	usTable, err := us.Compile(m.Framework)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(2025, 12))
	full := make(framework.Package, len(m.Framework.Points))
	for trial := 0; trial < 200; trial++ {
		tuple := make([]framework.Package, len(s.Threads))
		for i, th := range s.Threads {
			tuple[i] = make(framework.Package, len(th.Framework.Points))
			for k, pt := range th.Framework.Points {
				tuple[i][k] = r.IntN(pt.Levels())
				full[maps[i][k]] = tuple[i][k]
			}
		}
		if got, want := s.Utility(tuple), usTable.Utility(full); math.Abs(got-want) > 1e-3 {
			t.Errorf("combined package: center %v, US miami-2025 utility %v", got, want)
		}
		missing := r.IntN(len(tuple))
		tuple[missing] = nil
		if got := s.Utility(tuple); got != s.Center.Reservation {
			t.Errorf("thread %d missing: center %v, want the reservation %v", missing, got, s.Center.Reservation)
		}
	}
}

// TestMiamiShuttleAnalysis: the best combination agrees in every thread,
// on packages each edge accepts, and no thread can be left out.
func TestMiamiShuttleAnalysis(t *testing.T) {
	s, err := Builtin("miami-shuttle")
	if err != nil {
		t.Fatal(err)
	}
	a, err := Analyze(s)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Exact {
		t.Fatal("analysis not exact")
	}
	best := a.Best()
	for i, o := range best.Outcomes {
		if o == nil || !s.Acceptable(i, o) {
			t.Fatalf("best combination: thread %d is %v", i, o)
		}
	}
	t.Logf("best center utility %.6f", best.Center)
	for i := range s.Threads {
		im := a.Impact(i)
		if im.Without != s.Center.Reservation || !im.Agreeable || im.Best != best.Center {
			t.Errorf("thread %d impact %+v, best %v", i, im, best.Center)
		}
		f := a.Frontier(i)
		if len(f) < 2 || f[len(f)-1].Center > best.Center {
			t.Errorf("thread %d frontier %v", i, f)
		}
	}
	if _, err := Builtin("nowhere"); err == nil || !strings.Contains(err.Error(), "miami-shuttle") {
		t.Errorf("unknown built-in: %v", err)
	}
}
