package genius

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
)

// geniusNonLinear is an oracle written from GENIUS's source
// (NonlinearUtilitySpace, UtilityFunction, Inclusive/ExclusiveHyperRectangle,
// Bound): it evaluates a parsed non-linear profile on a bid given as the
// integer value of every issue number, without the cap at 1.
func geniusNonLinear(t *testing.T, root *elem, bid map[int]int64) float64 {
	t.Helper()
	ut := root.kids[0].child("utility")
	m, _ := parseDouble(attrOr(ut, "maxutility"))
	var fn func(u *elem) float64
	fn = func(u *elem) float64 {
		sum := 0.0
		for _, h := range u.children("hyperRectangle") {
			v, _ := parseDouble(attrOr(h, "utility"))
			w := 1.0
			if s, ok := h.attr("weight"); ok {
				w, _ = parseDouble(s)
			}
			bounds, exclusive := h.children("INCLUDES"), false
			if ex := h.children("EXCLUDES"); len(ex) > 0 {
				bounds, exclusive = ex, true
			}
			hit := !exclusive
			for _, b := range bounds {
				idx, _ := intAttr(b, "index")
				lo, _ := intAttr(b, "min")
				hi, _ := intAttr(b, "max")
				if x := bid[idx]; int64(lo) > x || x > int64(hi) {
					hit = exclusive
					break
				}
			}
			if hit {
				sum += v * w
			}
		}
		for _, k := range u.children("ufun") {
			w := 1.0
			if s, ok := k.attr("weight"); ok {
				w, _ = parseDouble(s)
			}
			sum += fn(k) * w
		}
		return sum
	}
	return fn(ut.children("ufun")[0]) / m
}

// threeInts is a domain of three integer issues 0..3, 1..3 and 0..2.
const threeInts = `<negotiation_template><utility_space><objective index="0" name="ints">
<issue index="1" name="x" type="integer" lowerbound="0" upperbound="3"/>
<issue index="2" name="y" type="integer" lowerbound="1" upperbound="3"/>
<issue index="3" name="z" type="integer" lowerbound="0" upperbound="2"/>
</objective></utility_space></negotiation_template>`

func intsFramework(t *testing.T) *framework.Framework {
	t.Helper()
	f, _, err := ReadDomain(strings.NewReader(threeInts), "ints.xml")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// allPackages lists every complete package of f.
func allPackages(f *framework.Framework) []framework.Package {
	out := []framework.Package{{}}
	for i := range f.Points {
		var next []framework.Package
		for _, p := range out {
			for l := 0; l < f.Points[i].Levels(); l++ {
				next = append(next, append(append(framework.Package{}, p...), l))
			}
		}
		out = next
	}
	return out
}

// bidOf gives a package's integer value by GENIUS issue number (1..n).
func bidOf(f *framework.Framework, pkg framework.Package) map[int]int64 {
	bid := map[int]int64{}
	for i, l := range pkg {
		bid[i+1] = int64(f.Points[i].Value(l))
	}
	return bid
}

// nonLinearProfile wraps a <utility> body in a non-linear profile.
func nonLinearProfile(utility, tail string) string {
	return `<utility_space type="nonlinear"><objective index="0" name="ints">` + utility + `</objective>` + tail + `</utility_space>`
}

// Issue 17: GENIUS's hyper-rectangle semantics (INCLUDES, EXCLUDES, both,
// no bounds, bounds outside the range, a repeated issue, rectangle and
// nested ufun weights, the outermost weight not applied) read as
// interactions whose utilities equal GENIUS's on every package, up to the
// rounding of dividing each value instead of the sum.
func TestNonLinearSemantics(t *testing.T) {
	f := intsFramework(t)
	body := nonLinearProfile(`<utility maxutility="7">
<ufun type="PlainUfun" weight="3" aggregation="sum">
  <hyperRectangle utility="2"><INCLUDES index="1" min="1" max="2"/><INCLUDES index="3" min="0" max="1"/></hyperRectangle>
  <hyperRectangle utility="3" weight="0.5"><EXCLUDES index="2" min="2" max="3"/></hyperRectangle>
  <hyperRectangle utility="5"><INCLUDES index="1" min="0" max="0"/><EXCLUDES index="2" min="1" max="1"/><EXCLUDES index="3" min="2" max="5"/></hyperRectangle>
  <hyperRectangle utility="1.5"/>
  <hyperRectangle utility="4"><INCLUDES index="1" min="-5" max="1"/><INCLUDES index="1" min="1" max="9"/></hyperRectangle>
  <hyperRectangle utility="-2"><INCLUDES index="2" min="3" max="2"/></hyperRectangle>
  <hyperRectangle utility="6"><EXCLUDES index="3" min="4" max="9"/></hyperRectangle>
  <ufun type="PlainUfun" weight="0.25" aggregation="sum">
    <hyperRectangle utility="8"><INCLUDES index="2" min="3" max="3"/></hyperRectangle>
    <ufun weight="2" aggregation="SUM"><hyperRectangle utility="1"><INCLUDES index="3" min="2" max="2"/></hyperRectangle></ufun>
  </ufun>
</ufun></utility>`, `<reservation value="0.125"/><discount_factor value="0.8"/>`)
	root, _, err := parseXML(strings.NewReader(body), "p.xml")
	if err != nil {
		t.Fatal(err)
	}
	p, info, err := ReadProfile(strings.NewReader(body), f, "p.xml")
	if err != nil {
		t.Fatal(err)
	}
	if info.Kind != NonLinear || info.NonLinear.MaxUtility != 7 || info.NonLinear.Rectangles != 9 || info.NonLinear.Dropped != 1 {
		t.Errorf("info %+v %+v", info, info.NonLinear)
	}
	if p.Reservation == nil || *p.Reservation != 0.125 || p.Discount != 0.8 {
		t.Errorf("reservation %v discount %v", p.Reservation, p.Discount)
	}
	for _, w := range []string{"outermost <ufun> has weight 3: not applied", "both INCLUDES and EXCLUDES", "never applies, left out", "NegMAS reads this non-linear profile differently"} {
		if !hasWarning(info.Warnings, w) {
			t.Errorf("no warning %q in %q", w, info.Warnings)
		}
	}
	// Rectangle 3 has both: EXCLUDES on y = 1 and z in 2..5 (z = 2).
	if in := p.Interactions[2]; !in.Outside || len(in.Terms) != 2 || in.Terms[0].Point != 1 || fmt.Sprint(in.Terms[1].Levels) != "[2]" {
		t.Errorf("rectangle with both kinds of bounds: %+v", in)
	}
	// x in [-5,1] ∩ [1,9] = {1}.
	if in := p.Interactions[4]; len(in.Terms) != 1 || fmt.Sprint(in.Terms[0].Levels) != "[1]" || in.Value != 4.0/7 {
		t.Errorf("repeated issue: %+v", in)
	}
	tb := compile(t, f, p)
	for _, pkg := range allPackages(f) {
		want := geniusNonLinear(t, root, bidOf(f, pkg))
		if got := tb.Utility(pkg); math.Abs(got-want) > 1e-14 {
			t.Errorf("%v: utility %v, GENIUS %v", pkg, got, want)
		}
	}
	if mx, _ := tb.Max(); mx <= 1 || !hasWarning(info.Warnings, "utilities reach "+fmtNum(mx)+" (exact highest)") {
		t.Errorf("max %v: no cap warning in %q", mx, info.Warnings)
	}
}

// Issue 17: what cannot be mapped exactly is refused, naming the file, the
// element and what is supported.
func TestNonLinearRefused(t *testing.T) {
	f := intsFramework(t)
	mixed, _, err := ReadDomain(strings.NewReader(`<negotiation_template><utility_space><objective index="0" name="m">
<issue index="1" name="x" type="integer" lowerbound="0" upperbound="3"/>
<issue index="2" name="c" type="discrete"><item value="a"/><item value="b"/></issue>
</objective></utility_space></negotiation_template>`), "m.xml")
	if err != nil {
		t.Fatal(err)
	}
	rect := `<hyperRectangle utility="1"><INCLUDES index="1" min="0" max="1"/></hyperRectangle>`
	for _, c := range []struct {
		f        *framework.Framework
		body     string
		want     string
		sentinel bool
	}{
		{f, nonLinearProfile(`<utility maxutility="1"><ufun type="PlainUfun" aggregation="max">`+rect+`</ufun></utility>`, ""), `p.xml:1: <ufun aggregation="max">: Parley reads aggregation="sum" only`, true},
		{f, nonLinearProfile(`<utility maxutility="1"><ufun type="ProductUfun" aggregation="sum">`+rect+`</ufun></utility>`, ""), `<ufun type="ProductUfun">: Parley reads type="PlainUfun" only`, true},
		{mixed, nonLinearProfile(`<utility maxutility="1"><ufun aggregation="sum"><hyperRectangle utility="1"><INCLUDES index="2" min="0" max="1"/></hyperRectangle></ufun></utility>`, ""), `issue "c" is discrete: GENIUS hyper-rectangles bound integer issues only`, true},
		{f, nonLinearProfile(`<utility maxutility="1"><ufun aggregation="sum"><hyperRectangle utility="1"><INCLUDES index="9" min="0" max="1"/></hyperRectangle></ufun></utility>`, ""), `no issue of the domain has index 9`, false},
		{f, nonLinearProfile(`<utility><ufun aggregation="sum">`+rect+`</ufun></utility>`, ""), `<utility> has no maxutility`, false},
		{f, nonLinearProfile(`<utility maxutility="-1.0"><ufun aggregation="sum">`+rect+`</ufun></utility>`, ""), `the divisor of every utility must be positive`, true},
		{f, nonLinearProfile(`<utility_function maxutility="-1.0"><ufun aggregation="sum">`+rect+`</ufun></utility_function>`, ""), `as NegMAS writes hyper-rectangle profiles`, true},
		{f, nonLinearProfile(`<utility maxutility="1"><ufun aggregation="sum"><hyperRectangle><INCLUDES index="1" min="0" max="1"/></hyperRectangle></ufun></utility>`, ""), `<hyperRectangle> has no utility`, false},
		{f, nonLinearProfile(`<utility maxutility="1"><ufun aggregation="sum"><hyperRectangle utility="1"><INCLUDES index="1" min="0.5" max="1"/></hyperRectangle></ufun></utility>`, ""), `GENIUS bounds are integers`, false},
		{f, `<utility_space type="nonlinear"><reservation value="0"/></utility_space>`, `no <utility> inside <reservation>`, true},
	} {
		_, _, err := ReadProfile(strings.NewReader(c.body), c.f, "p.xml")
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "p.xml") || c.sentinel != errors.Is(err, ErrNonLinear) {
			t.Errorf("%s\n err = %v, want %q (ErrNonLinear: %v)", c.body, err, c.want, c.sentinel)
		}
	}
}

// Issue 17: the Lattice folder (two non-linear profiles) loads, with the
// rectangles as interactions divided by maxutility.
func TestNonLinearFolder(t *testing.T) {
	s, err := LoadDir("testdata/Lattice", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Parties) != 2 {
		t.Fatalf("%d parties", len(s.Parties))
	}
	for k, want := range []profile.Interaction{
		{Terms: []profile.Term{{Point: 0, Levels: []int{1, 2}}}, Value: 0.3},
		{Terms: []profile.Term{{Point: 0, Levels: []int{1, 2, 3}}}, Value: 0.3},
	} {
		p := s.Parties[k].Profile
		if len(p.Interactions) != 1 || fmt.Sprint(p.Interactions[0]) != fmt.Sprint(want) || p.WeightSum() != 0 {
			t.Errorf("%s: %+v, want %+v", s.Parties[k].ID, p.Interactions, want)
		}
	}
	if _, err := LoadDir("testdata/Lattice", []string{"lattice-2.xml"}); err != nil {
		t.Errorf("named non-linear profile: %v", err)
	}
}

// randomIntegerProfile is a random non-linear profile over f (integer
// points): zero additive part, n interactions on 1..3 points, inside ones
// with levels that may not be contiguous, outside ones contiguous, values
// of either sign.
func randomIntegerProfile(f *framework.Framework, n int, rng *rand.Rand) *profile.Profile {
	k := len(f.Points)
	p := &profile.Profile{Weights: make([]float64, k), Scores: make([][]float64, k), Funcs: make([]*profile.ValueFunc, k), Discount: 1}
	for i := range f.Points {
		p.Funcs[i] = &profile.ValueFunc{Kind: profile.Constant}
	}
	for range n {
		in := profile.Interaction{Value: rng.Float64()*2 - 0.5, Outside: rng.IntN(5) == 0}
		if rng.IntN(3) == 0 {
			in.Label = "combo " + strconv.Itoa(rng.IntN(100))
		}
		for _, pi := range rng.Perm(k)[:1+rng.IntN(min(3, k))] {
			levels := f.Points[pi].Levels()
			var lv []int
			if in.Outside || rng.IntN(2) == 0 {
				a := rng.IntN(levels)
				b := a + rng.IntN(levels-a)
				for l := a; l <= b; l++ {
					lv = append(lv, l)
				}
			} else {
				for l := range levels {
					if rng.IntN(2) == 0 {
						lv = append(lv, l)
					}
				}
				if lv == nil {
					lv = []int{rng.IntN(levels)}
				}
				rng.Shuffle(len(lv), func(i, j int) { lv[i], lv[j] = lv[j], lv[i] })
			}
			in.Terms = append(in.Terms, profile.Term{Point: pi, Levels: lv})
		}
		p.Interactions = append(p.Interactions, in)
	}
	return p
}

// Issue 17: random non-linear profiles over integer points are written as
// GENIUS non-linear profiles and read back with the same utility on every
// package, bit for bit, and the written file evaluates the same under the
// GENIUS oracle (maxutility 1: exact too, before GENIUS's cap).
func TestNonLinearWriteRoundTrip(t *testing.T) {
	f := intsFramework(t)
	rng := rand.New(rand.NewPCG(17, 1))
	pkgs := allPackages(f)
	for k := range 200 {
		p := randomIntegerProfile(f, 1+rng.IntN(12), rng)
		if k%3 == 0 {
			r := rng.Float64()
			p.Reservation = &r
			p.Discount = 0.9
		}
		var b bytes.Buffer
		if err := WriteProfile(&b, f, p); err != nil {
			t.Fatalf("profile %d: %v", k, err)
		}
		q, info, err := ReadProfile(bytes.NewReader(b.Bytes()), f, "back.xml")
		if err != nil {
			t.Fatalf("profile %d: %v\n%s", k, err, b.String())
		}
		root, _, _ := parseXML(bytes.NewReader(b.Bytes()), "back.xml")
		tp, tq := compile(t, f, p), compile(t, f, q)
		for _, pkg := range pkgs {
			u, v := tp.Utility(pkg), tq.Utility(pkg)
			if u != v {
				t.Fatalf("profile %d: %v: utility %v came back as %v\n%s", k, pkg, u, v, b.String())
			}
			if g := geniusNonLinear(t, root, bidOf(f, pkg)); g != u {
				t.Fatalf("profile %d: %v: utility %v, GENIUS (uncapped) %v", k, pkg, u, g)
			}
		}
		if tp.HasReservation != tq.HasReservation || tp.Reservation != tq.Reservation || p.DiscountFactor() != q.DiscountFactor() {
			t.Errorf("profile %d: reservation/discount %v %v %v came back as %v %v %v", k, tp.HasReservation, tp.Reservation, p.DiscountFactor(), tq.HasReservation, tq.Reservation, q.DiscountFactor())
		}
		if info.Kind != NonLinear {
			t.Errorf("profile %d: read back as %s", k, info.Kind)
		}
		// Writing the read-back profile gives the same file.
		var b2 bytes.Buffer
		if err := WriteProfile(&b2, f, q); err != nil || b2.String() != b.String() {
			t.Fatalf("profile %d: second write differs (%v)\n%s\n%s", k, err, b.String(), b2.String())
		}
	}
}

// Issue 17: profiles the GENIUS non-linear format cannot hold are refused,
// saying why; GeniusWeb has no non-additive space at all.
func TestNonLinearWriteRefused(t *testing.T) {
	f := intsFramework(t)
	base := func() *profile.Profile {
		return randomIntegerProfile(f, 0, rand.New(rand.NewPCG(1, 1)))
	}
	additive := base()
	additive.Weights[1] = 0.5
	additive.Funcs[1] = &profile.ValueFunc{Kind: profile.Constant, Value: 1}
	additive.Interactions = []profile.Interaction{{Terms: []profile.Term{{Point: 0, Levels: []int{1}}}, Value: 1}}
	outside := base()
	outside.Interactions = []profile.Interaction{{Terms: []profile.Term{{Point: 0, Levels: []int{0, 2}}}, Value: 1, Outside: true}}
	for _, c := range []struct {
		p    *profile.Profile
		want string
	}{
		{additive, `1 interactions over an additive part (point "y", 1 contributes 0.5): GENIUS linear profiles have no interactions and its non-linear ones no additive part`},
		{outside, `an outside (EXCLUDES) interaction whose levels of point "x" are not contiguous (2 runs)`},
	} {
		err := WriteProfile(&bytes.Buffer{}, f, c.p)
		if !errors.Is(err, ErrNonLinear) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("err = %v, want %q", err, c.want)
		}
	}
	opts := miniFramework(t)
	onOptions := &profile.Profile{Weights: []float64{0, 0}, Scores: [][]float64{{0, 0}, {0, 0}},
		Interactions: []profile.Interaction{{Terms: []profile.Term{{Point: 0, Levels: []int{1}}}, Value: 1}}}
	if err := WriteProfile(&bytes.Buffer{}, opts, onOptions); !errors.Is(err, ErrNonLinear) || !strings.Contains(err.Error(), `point "a" is discrete: GENIUS hyper-rectangles bound integer issues only`) {
		t.Errorf("options point: %v", err)
	}
	if err := WriteGeniusWebProfile(&bytes.Buffer{}, opts, onOptions, "p"); !errors.Is(err, ErrNonLinear) || !strings.Contains(err.Error(), "GeniusWeb has no hyper-rectangle") {
		t.Errorf("geniusweb: %v", err)
	}
	// A term listing every level of an options point always matches: left out.
	onOptions.Interactions[0].Terms[0].Levels = []int{0, 1}
	var b bytes.Buffer
	if err := WriteProfile(&b, opts, onOptions); err != nil || !strings.Contains(b.String(), `<hyperRectangle utility="1">`+"\n</hyperRectangle>") {
		t.Errorf("full options term: %v\n%s", err, b.String())
	}
}

// nonLinearScenario reports whether some profile of s has interactions.
func nonLinearScenario(s *scenario.Scenario) bool {
	for _, p := range s.Profiled() {
		if len(p.Profile.Interactions) > 0 {
			return true
		}
	}
	return false
}

// Issue 17: in a folder where another profile gives an integer issue as an
// item table (as NegMAS writes it; the folder reads it as options, one per
// integer), a hyper-rectangle bound on that issue matches the options whose
// integers it holds.
func TestNonLinearTabledInteger(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"domain.xml", "alice.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", "NegmasEdges", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	carol := `<utility_space type="nonlinear"><objective index="0" name="root"><utility maxutility="4"><ufun type="PlainUfun" weight="1" aggregation="sum">
<hyperRectangle utility="2"><INCLUDES index="2" min="4" max="6"/><INCLUDES index="6" min="-1" max="1"/></hyperRectangle>
</ufun></utility></objective></utility_space>`
	if err := os.WriteFile(filepath.Join(dir, "carol.xml"), []byte(carol), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := LoadDir(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := s.Party("carol")
	if c == nil || s.Framework.Points[1].Kind != framework.Options {
		t.Fatalf("carol %v, qty %v", c, s.Framework.Points[1].Kind)
	}
	want := []profile.Term{{Point: 1, Levels: []int{1, 2, 3}}, {Point: 5, Levels: []int{2, 3, 4}}}
	if in := c.Profile.Interactions; len(in) != 1 || fmt.Sprint(in[0].Terms) != fmt.Sprint(want) || in[0].Value != 0.5 {
		t.Errorf("interactions %+v, want terms %v value 0.5", in, want)
	}
}

// Issue 17: ExportScenario names the profiles written as non-linear ones
// and, when their highest utility is above 1, that GENIUS caps it.
func TestNonLinearExportCap(t *testing.T) {
	f := intsFramework(t)
	p := randomIntegerProfile(f, 0, rand.New(rand.NewPCG(1, 1)))
	p.Interactions = []profile.Interaction{
		{Terms: []profile.Term{{Point: 0, Levels: []int{1, 2}}}, Value: 0.75},
		{Terms: []profile.Term{{Point: 2, Levels: []int{0}}}, Value: 0.5},
		{Terms: []profile.Term{{Point: 0, Levels: []int{0}}, {Point: 2, Levels: []int{0}}}, Value: 0.625},
	}
	s := &scenario.Scenario{Version: scenario.FormatVersion, Name: "cap", Framework: f,
		Decision: scenario.Decision{Rule: scenario.Unanimity, Agreement: scenario.WholePackage},
		Parties:  []scenario.Party{{ID: "a", Role: scenario.Principal, Profile: p}}}
	x, err := ExportScenario(s, FormatGenius)
	if err != nil {
		t.Fatal(err)
	}
	if !hasWarning(x.Changed, `party "a": its 3 interactions written as a GENIUS non-linear`) ||
		!hasWarning(x.Changed, `party "a": its utilities reach 1.25; GENIUS caps`) {
		t.Errorf("changed: %q", x.Changed)
	}
}
