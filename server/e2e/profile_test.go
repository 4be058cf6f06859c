package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// profileCase is one random framework and profile, with packages to rate,
// as the web UI receives them (the View's JSON).
type profileCase struct {
	Framework *framework.Framework `json:"framework"`
	Profile   *profile.Profile     `json:"profile"`
	Packages  []framework.Package  `json:"packages"`
}

// jsTable is what ui/profile.js computes for one case.
type jsTable struct {
	Contrib     [][]float64 `json:"contrib"`
	Max         float64     `json:"max"`
	Reservation float64     `json:"reservation"`
	Has         bool        `json:"has"`
	Utilities   []float64   `json:"utilities"`
	RedLines    []int       `json:"red"`
	Best        []int       `json:"best"`
}

// randomCase draws a framework of 1–6 points (options, integer and real
// points) and a profile over it: weights (some zero), scores on either
// scale (some points all zero), linear, triangular and constant value
// functions, a reservation value and/or a fallback package, red lines of
// one or two terms; and eight packages, some with open points.
func randomCase(r *rand.Rand) profileCase {
	n := 1 + r.IntN(6)
	f := &framework.Framework{}
	p := &profile.Profile{Weights: make([]float64, n), Scores: make([][]float64, n), Funcs: make([]*profile.ValueFunc, n)}
	if r.IntN(2) == 1 {
		p.Scale = profile.ScaleAbsolute
	}
	num := func(lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }
	for i := range n {
		pt := framework.Point{ID: fmt.Sprintf("p%d", i)}
		switch r.IntN(3) {
		case 0:
			pt.Kind = framework.Options
			for k := range 2 + r.IntN(5) {
				pt.Options = append(pt.Options, framework.Option{ID: fmt.Sprintf("o%d", k)})
			}
		case 1:
			pt.Kind = framework.Integer
			pt.Min = float64(r.IntN(21) - 10)
			pt.Max = pt.Min + float64(r.IntN(30))
		default:
			pt.Kind = framework.Real
			pt.Min = num(-100, 100)
			pt.Max = pt.Min + num(0.5, 200)
			if r.IntN(3) > 0 {
				pt.Steps = 2 + r.IntN(20)
			}
		}
		f.Points = append(f.Points, pt)
		if r.IntN(6) > 0 {
			p.Weights[i] = num(0, 10)
		}
		if pt.Kind == framework.Options {
			sc := make([]float64, len(pt.Options))
			if r.IntN(8) > 0 {
				for k := range sc {
					if p.Scale == profile.ScaleAbsolute {
						sc[k] = r.Float64()
					} else {
						sc[k] = num(0, 100)
					}
				}
			}
			p.Scores[i] = sc
			continue
		}
		lo, hi := pt.Min, pt.Max
		var fn profile.ValueFunc
		switch r.IntN(3) {
		case 0:
			fn = profile.ValueFunc{Kind: profile.Linear, Slope: num(-2, 2) / (hi - lo + 1), Offset: num(-0.5, 1.5), Origin: num(lo, hi)}
		case 1:
			a, b, c := num(lo-5, hi+5), num(lo-5, hi+5), num(lo-5, hi+5)
			a, b, c = min(a, b, c), a+b+c-min(a, b, c)-max(a, b, c), max(a, b, c)
			fn = profile.ValueFunc{Kind: profile.Triangular, Low: a, Top: b, High: c, TopValue: num(0, 1)}
		default:
			fn = profile.ValueFunc{Kind: profile.Constant, Value: num(0, 1)}
		}
		p.Funcs[i] = &fn
	}
	pkg := func(open bool) framework.Package {
		out := make(framework.Package, n)
		for i := range f.Points {
			out[i] = r.IntN(f.Points[i].Levels())
			if open && r.IntN(4) == 0 {
				out[i] = framework.Open
			}
		}
		return out
	}
	if r.IntN(3) > 0 {
		v := num(-1, 10)
		p.Reservation = &v
	}
	if r.IntN(3) == 0 {
		p.Fallback = pkg(false)
	}
	for range r.IntN(4) {
		var rl profile.RedLine
		for _, i := range r.Perm(n)[:min(n, 1+r.IntN(2))] {
			rl.Terms = append(rl.Terms, profile.Term{Point: i, Levels: []int{r.IntN(f.Points[i].Levels())}})
		}
		p.RedLines = append(p.RedLines, rl)
	}
	c := profileCase{Framework: f, Profile: p}
	for k := range 8 {
		c.Packages = append(c.Packages, pkg(k%2 == 1))
	}
	// The red lines' own packages cross them.
	for _, rl := range p.RedLines {
		q := pkg(false)
		for _, t := range rl.Terms {
			q[t.Point] = t.Levels[0]
		}
		c.Packages = append(c.Packages, q)
	}
	return c
}

// TestProfileJS compares the web UI's profile arithmetic (ui/profile.js,
// which previews an elicited profile before it is saved) with the Go
// package profile's on 400 random profiles: every compiled contribution,
// the best possible utility and the best package, the effective
// reservation value, the utility of packages (open points count 0) and
// the first red line crossed, to 1e-12.
func TestProfileJS(t *testing.T) {
	h, bctx := newHarness(t, nil)
	u := h.newUser(bctx, "profile.js")
	h.do(u, "open the UI", chromedp.Navigate(h.base+"/"), chromedp.WaitVisible(id("login-name")))

	r := rand.New(rand.NewPCG(13, 5))
	var cases []profileCase
	for len(cases) < 400 {
		c := randomCase(r)
		if err := c.Profile.Check(c.Framework); err != nil {
			t.Fatalf("a random profile is invalid: %v", err)
		}
		cases = append(cases, c)
	}
	payload, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	js := fmt.Sprintf(`import("/ui/profile.js").then((m) => JSON.stringify(%s.map((c) => {
		const t = m.compile(c.framework, c.profile);
		return {
			contrib: t.contrib, max: t.max, reservation: t.reservation, has: t.hasReservation, best: m.bestPackage(t),
			utilities: c.packages.map((p) => m.utility(t, p)),
			red: c.packages.map((p) => m.crossedRedLine(c.profile, p)),
		};
	})))`, payload)
	ctx, cancel := context.WithTimeout(u.ctx, stepTimeout)
	defer cancel()
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		h.fail(u, "compute in the browser", err)
	}
	var got []jsTable
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("decode the browser's results: %v", err)
	}
	if len(got) != len(cases) {
		t.Fatalf("%d results for %d cases", len(got), len(cases))
	}
	const tol = 1e-12
	near := func(a, b float64) bool { return math.Abs(a-b) <= tol }
	numeric, fallbacks, redHits, opens := 0, 0, 0, 0
	for k, c := range cases {
		tb, err := c.Profile.Compile(c.Framework)
		if err != nil {
			t.Fatal(err)
		}
		g := got[k]
		where := func() string {
			b, _ := json.Marshal(c)
			return string(b)
		}
		if len(g.Contrib) != len(tb.Contrib) {
			t.Fatalf("case %d: %d points in JS, %d in Go: %s", k, len(g.Contrib), len(tb.Contrib), where())
		}
		for i := range tb.Contrib {
			if c.Framework.Points[i].Kind != framework.Options {
				numeric++
			}
			if len(g.Contrib[i]) != len(tb.Contrib[i]) {
				t.Fatalf("case %d, point %d: %d levels in JS, %d in Go: %s", k, i, len(g.Contrib[i]), len(tb.Contrib[i]), where())
			}
			for l := range tb.Contrib[i] {
				if !near(g.Contrib[i][l], tb.Contrib[i][l]) {
					t.Errorf("case %d, point %d, level %d: JS %v, Go %v: %s", k, i, l, g.Contrib[i][l], tb.Contrib[i][l], where())
				}
			}
		}
		max, best := tb.Max()
		if !near(g.Max, max) || fmt.Sprint(g.Best) != fmt.Sprint([]int(best)) {
			t.Errorf("case %d: best %v at %v in JS, %v at %v in Go: %s", k, g.Max, g.Best, max, best, where())
		}
		if g.Has != tb.HasReservation || !near(g.Reservation, tb.Reservation) {
			t.Errorf("case %d: reservation %v (%v) in JS, %v (%v) in Go: %s", k, g.Reservation, g.Has, tb.Reservation, tb.HasReservation, where())
		}
		if c.Profile.Fallback != nil {
			fallbacks++
		}
		for j, pkg := range c.Packages {
			if want := tb.Utility(pkg); !near(g.Utilities[j], want) {
				t.Errorf("case %d: utility of %v: JS %v, Go %v: %s", k, pkg, g.Utilities[j], want, where())
			}
			if want := c.Profile.CrossesRedLine(pkg); g.RedLines[j] != want {
				t.Errorf("case %d: red line crossed by %v: JS %d, Go %d: %s", k, pkg, g.RedLines[j], want, where())
			} else if want >= 0 {
				redHits++
			}
			for _, l := range pkg {
				if l == framework.Open {
					opens++
				}
			}
		}
	}
	// The random cases cover what they are meant to.
	if numeric < 200 || fallbacks < 50 || redHits < 100 || opens < 100 {
		t.Errorf("coverage: %d numeric points, %d fallbacks, %d red lines crossed, %d open points", numeric, fallbacks, redHits, opens)
	}
	t.Logf("%d profiles, %d numeric points, %d fallbacks, %d red lines crossed: profile.js agrees with Go to %g", len(cases), numeric, fallbacks, redHits, tol)
}
