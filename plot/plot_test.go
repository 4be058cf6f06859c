package plot

import (
	"bytes"
	"flag"
	"fmt"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/parley-negotiation/parley/plot/plottest"
)

var update = flag.Bool("update", false, "rewrite testdata/small.svg")

// smallSpace is a hand-made two-party space with every kind of series.
func smallSpace() *UtilitySpace {
	res := []float64{0.3, 0.25}
	u := &UtilitySpace{
		Title:       "Small & <tricky> title",
		Parties:     []string{"alpha", "beta"},
		Frontier:    [][]float64{{1, 0.1}, {0.2, 0.95}, {0.6, 0.8}, {0.85, 0.5}},
		Joined:      true,
		Reservation: res,
		Markers: []Marker{
			{Name: "Nash", Kind: "nash", At: []float64{0.6, 0.8}},
			{Name: "Kalai–Smorodinsky", Kind: "kalai-smorodinsky", At: []float64{0.62, 0.78}},
			{Name: "Max welfare", Kind: "max-welfare", At: []float64{0.6, 0.8}},
		},
		Traces: []Trace{
			{Name: "alpha offers", Party: "alpha", Points: [][]float64{{1, 0.1}, {0.9, 0.3}, {0.8, 0.45}, {0.7, 0.6}}},
			{Name: "beta offers", Party: "beta", Points: [][]float64{{0.2, 0.95}, {0.35, 0.85}, {0.5, 0.75}, {0.62, 0.7}}},
		},
	}
	for i := range 11 {
		for j := range 11 {
			x, y := float64(i)/10, float64(j)/10
			if x+y > 1.3 {
				continue
			}
			u.Outcomes = append(u.Outcomes, []float64{x, y})
			if x >= res[0] && y >= res[1] {
				u.Zone = append(u.Zone, []float64{x, y})
			}
		}
	}
	return u
}

// bigSpace is a space of n parties with many random outcomes, a zone and
// a large frontier, seeded.
func bigSpace(n, outcomes, frontier int) *UtilitySpace {
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	u := &UtilitySpace{Title: fmt.Sprintf("%d parties", n), Reservation: make([]float64, n)}
	for i := range n {
		u.Parties = append(u.Parties, fmt.Sprintf("party %d", i+1))
		u.Reservation[i] = 0.3
	}
	vec := func(scale float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = scale * rng.Float64()
		}
		return v
	}
	for range outcomes {
		v := vec(0.9)
		u.Outcomes = append(u.Outcomes, v)
		if !slices.ContainsFunc(v, func(x float64) bool { return x < 0.3 }) {
			u.Zone = append(u.Zone, v)
		}
	}
	for range frontier {
		u.Frontier = append(u.Frontier, vec(1))
	}
	u.Joined = n == 2
	u.Markers = []Marker{{Name: "Nash", Kind: "nash", At: vec(1)}, {Name: "Agreement", Kind: "agreement", At: vec(1)}}
	return u
}

func mustRender(t testing.TB, format string, f Figure) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, format, f); err != nil {
		t.Fatalf("Write(%s): %v", format, err)
	}
	return buf.Bytes()
}

func parse(t *testing.T, b []byte) *plottest.Doc {
	t.Helper()
	d, err := plottest.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if d.Root != "svg" {
		t.Fatalf("root element %q", d.Root)
	}
	return d
}

func checkPNG(t *testing.T, b []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	if s := img.Bounds().Size(); s.X < 400 || s.Y < 300 {
		t.Fatalf("PNG size %v", s)
	}
}

func TestSVGTwoParties(t *testing.T) {
	b := mustRender(t, "svg", smallSpace())
	if !bytes.Contains(b, []byte(svgFontFamily)) {
		t.Error("SVG lacks the font fallback list")
	}
	d := parse(t, b)
	for _, want := range []string{
		"Small & <tricky> title", "alpha", "beta",
		"Packages", "Agreement zone", "Pareto frontier", "Reservation values",
		"Nash", "Kalai–Smorodinsky", "Max welfare", "alpha offers", "beta offers",
		"0.00", "0.50", "1.00",
	} {
		if !d.HasText(want) {
			t.Errorf("SVG text lacks %q; texts:\n%s", want, strings.Join(d.Texts, "\n"))
		}
	}
	if p := d.All("panel"); len(p) != 1 || p[0].Data["x"] != "alpha" || p[0].Data["y"] != "beta" {
		t.Errorf("panels %+v, want one of alpha and beta", p)
	}
	if f := d.All("frontier"); len(f) != 1 || f[0].Int("n") != 4 {
		t.Errorf("frontier groups %+v", f)
	}
	m := d.Markers("Nash")
	if len(m) != 1 || m[0].Data["at"] != "0.6 0.8" || m[0].Title != "Nash: alpha 0.6000, beta 0.8000" {
		t.Errorf("Nash marker %+v", m)
	}
	// The legend is outside the data: right of the panel.
	if len(d.All("legend")) != 1 {
		t.Error("no legend")
	}
}

// TestPanels: three or more parties are drawn as a panel per pair (of the
// first MaxAxes, or of Axes), each marker on every panel.
func TestPanels(t *testing.T) {
	for _, tc := range []struct {
		n     int
		axes  []int
		pairs [][2]string
	}{
		{3, nil, [][2]string{{"party 1", "party 2"}, {"party 1", "party 3"}, {"party 2", "party 3"}}},
		{4, nil, [][2]string{{"party 1", "party 2"}, {"party 1", "party 3"}, {"party 1", "party 4"}, {"party 2", "party 3"}, {"party 2", "party 4"}, {"party 3", "party 4"}}},
		{6, nil, [][2]string{{"party 1", "party 2"}, {"party 1", "party 3"}, {"party 1", "party 4"}, {"party 2", "party 3"}, {"party 2", "party 4"}, {"party 3", "party 4"}}},
		{5, []int{4, 1}, [][2]string{{"party 5", "party 2"}}},
	} {
		t.Run(fmt.Sprint(tc.n, tc.axes), func(t *testing.T) {
			u := bigSpace(tc.n, 500, 200)
			u.Axes = tc.axes
			d := parse(t, mustRender(t, "svg", u))
			var got [][2]string
			for _, p := range d.All("panel") {
				got = append(got, [2]string{p.Data["x"], p.Data["y"]})
			}
			if !slices.Equal(got, tc.pairs) {
				t.Errorf("panels %v, want %v", got, tc.pairs)
			}
			if m := d.Markers("Nash"); len(m) != len(tc.pairs) {
				t.Errorf("%d Nash markers on %d panels", len(m), len(tc.pairs))
			}
			for _, f := range d.All("frontier") {
				if f.Data["projected"] != "true" && tc.n > 2 {
					t.Errorf("frontier of %d parties drawn as a line", tc.n)
				}
			}
			checkPNG(t, mustRender(t, "png", u))
		})
	}
}

// TestSizeBounded: SVG size follows what is drawn, not the number of
// points given.
func TestSizeBounded(t *testing.T) {
	for _, tc := range []struct {
		n, outcomes, frontier int
		max                   int
	}{
		{2, 20000, 5000, 120_000},
		{3, 20000, 10000, 120_000},
		{4, 20000, 10000, 150_000},
	} {
		b := mustRender(t, "svg", bigSpace(tc.n, tc.outcomes, tc.frontier))
		if len(b) > tc.max {
			t.Errorf("%d parties, %d outcomes, %d frontier points: %d bytes, want at most %d", tc.n, tc.outcomes, tc.frontier, len(b), tc.max)
		}
		d := parse(t, b)
		for _, g := range d.All("outcomes") {
			if g.Int("drawn") >= g.Int("n") {
				t.Errorf("outcomes: %d drawn of %d", g.Int("drawn"), g.Int("n"))
			}
		}
	}
}

// recorder is a canvas that keeps the fills.
type recorder struct{ fills []path }

func (r *recorder) group(string, string, ...string)                {}
func (r *recorder) ungroup()                                       {}
func (r *recorder) fill(p path, _ color.NRGBA)                     { r.fills = append(r.fills, p) }
func (r *recorder) stroke(path, lineStyle)                         {}
func (r *recorder) dots([][2]float64, float64, color.NRGBA)        {}
func (r *recorder) grid([][2]int32, float64, float64, color.NRGBA) {}
func (r *recorder) text(float64, float64, string, textStyle)       {}

// TestMarkersDoNotPileUp: markers at one place are moved apart.
func TestMarkersDoNotPileUp(t *testing.T) {
	u := &UtilitySpace{Parties: []string{"a", "b"}, Markers: []Marker{
		{Name: "Nash", Kind: "nash", At: []float64{0.5, 0.5}},
		{Name: "Max welfare", Kind: "max-welfare", At: []float64{0.5, 0.5}},
		{Name: "Agreement", Kind: "agreement", At: []float64{0.501, 0.5}},
	}}
	p := &panel{xi: 0, yi: 1, x0: 0, y0: 0, sz: 300, lo: 0, hi: 1}
	var r recorder
	u.drawMarkers(&r, p)
	var centres [][2]float64
	for _, f := range r.fills {
		var x, y float64
		k := 0
		for _, s := range f {
			if s.op != 'Z' {
				x, y, k = x+s.x, y+s.y, k+1
			}
		}
		centres = append(centres, [2]float64{x / float64(k), y / float64(k)})
	}
	if len(centres) != 3 {
		t.Fatalf("%d glyphs", len(centres))
	}
	for i := range centres {
		for j := range i {
			if d := math.Hypot(centres[i][0]-centres[j][0], centres[i][1]-centres[j][1]); d < 2*markerR {
				t.Errorf("glyphs %d and %d are %.1f pt apart", j, i, d)
			}
		}
	}
}

// TestMarkerStyleByKind: a marker's glyph follows its kind, not its
// position in the list (issue 14: without an agreement, Nash took the
// agreement's star).
func TestMarkerStyleByKind(t *testing.T) {
	a := (&UtilitySpace{Markers: []Marker{{Kind: "nash"}}}).markerStyles()[0]
	b := (&UtilitySpace{Markers: []Marker{{Kind: "agreement"}, {Kind: "nash"}}}).markerStyles()
	if a != b[1] || a == b[0] {
		t.Errorf("nash alone %v, after an agreement %v", a, b)
	}
}

func TestPNG(t *testing.T) {
	checkPNG(t, mustRender(t, "png", smallSpace()))
	checkPNG(t, mustRender(t, "PNG", sampleSpace()))
	checkPNG(t, mustRender(t, "png", smallTimeline()))
	checkPNG(t, mustRender(t, "png", smallOverlap()))
}

func TestDeterministic(t *testing.T) {
	for _, f := range []string{"svg", "png"} {
		for _, fig := range []func() Figure{func() Figure { return sampleSpace() }, func() Figure { return bigSpace(3, 2000, 500) }, func() Figure { return smallTimeline() }} {
			if !bytes.Equal(mustRender(t, f, fig()), mustRender(t, f, fig())) {
				t.Errorf("%s: two renders of the same input differ", f)
			}
		}
	}
}

// TestConcurrent renders from several goroutines (run with -race).
func TestConcurrent(t *testing.T) {
	want := mustRender(t, "svg", smallSpace())
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			f := []string{"svg", "png"}[i%2]
			var buf bytes.Buffer
			if err := Write(&buf, f, smallSpace()); err != nil {
				t.Error(err)
				return
			}
			if f == "svg" && !bytes.Equal(buf.Bytes(), want) {
				t.Error("concurrent SVG render differs")
			}
		})
	}
	wg.Wait()
}

func TestGoldenSVG(t *testing.T) {
	got := mustRender(t, "svg", smallSpace())
	path := filepath.Join("testdata", "small.svg")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGoldenSVG -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("SVG differs from %s (%d vs %d bytes); if intended, rerun with -update", path, len(got), len(want))
	}
}

func TestEmpty(t *testing.T) {
	cases := map[string]*UtilitySpace{
		"parties only":    {Parties: []string{"x", "y"}},
		"reservationOnly": {Parties: []string{"x", "y"}, Reservation: []float64{0.5, 0.5}},
		"markerOnly":      {Parties: []string{"x", "y"}, Markers: []Marker{{At: []float64{0.2, 0.3}}}},
		"emptySlices":     {Parties: []string{"x", "y"}, Outcomes: [][]float64{}, Frontier: [][]float64{}, Traces: []Trace{{Name: "empty"}}},
		"onePoint":        {Parties: []string{"x", "y", "z"}, Frontier: [][]float64{{0.5, 0.5, 0.5}}},
	}
	for name, u := range cases {
		t.Run(name, func(t *testing.T) {
			d := parse(t, mustRender(t, "svg", u))
			for _, want := range []string{"x", "y", "0.00", "1.00"} {
				if !d.HasText(want) {
					t.Errorf("SVG text lacks %q", want)
				}
			}
			if d.HasText("empty") {
				t.Error("legend lists an empty trace")
			}
			checkPNG(t, mustRender(t, "png", u))
		})
	}
}

func TestOutOfUnitRange(t *testing.T) {
	u := &UtilitySpace{Parties: []string{"a", "b"},
		Outcomes: [][]float64{{-0.5, 2}, {3, -1}},
		Frontier: [][]float64{{-0.5, 2}, {3, -1}},
	}
	d := parse(t, mustRender(t, "svg", u))
	for _, want := range []string{"-1", "3"} {
		if !d.HasText(want) {
			t.Errorf("tick labels lack %q: %s", want, d.Texts)
		}
	}
}

func TestErrors(t *testing.T) {
	var buf bytes.Buffer
	for _, f := range []string{"pdf", "", "jpeg", "svgz"} {
		err := Write(&buf, f, smallSpace())
		if err == nil || !strings.Contains(err.Error(), "unsupported format") {
			t.Errorf("Write(%q) error = %v, want unsupported format", f, err)
		}
	}
	dir := t.TempDir()
	for _, name := range []string{"x.pdf", "noext", "x.svg.gz"} {
		path := filepath.Join(dir, name)
		err := WriteFile(path, smallSpace())
		if err == nil || !strings.Contains(err.Error(), ".svg or .png") {
			t.Errorf("WriteFile(%q) error = %v", name, err)
		}
		if _, statErr := os.Stat(path); statErr == nil {
			t.Errorf("WriteFile(%q) created a file despite the error", name)
		}
	}
	if err := Write(&buf, "svg", (*UtilitySpace)(nil)); err == nil {
		t.Error("nil UtilitySpace: no error")
	}
	nan := smallSpace()
	nan.Markers[1].At[0] = math.NaN()
	if err := Write(&buf, "svg", nan); err == nil || !strings.Contains(err.Error(), "Kalai") {
		t.Errorf("NaN marker: error = %v", err)
	}
	inf := smallSpace()
	inf.Outcomes[3][1] = math.Inf(1)
	if err := WriteFile(filepath.Join(dir, "inf.png"), inf); err == nil || !strings.Contains(err.Error(), "Outcomes[3]") {
		t.Errorf("Inf outcome: error = %v", err)
	}
	short := smallSpace()
	short.Frontier[0] = []float64{1}
	if err := Write(&buf, "svg", short); err == nil || !strings.Contains(err.Error(), "one per party") {
		t.Errorf("a point of one utility among two parties: %v", err)
	}
	one := &UtilitySpace{Parties: []string{"alone"}}
	if err := Write(&buf, "svg", one); err == nil {
		t.Error("one party: no error")
	}
	axes := bigSpace(3, 10, 10)
	axes.Axes = []int{0, 0}
	if err := Write(&buf, "svg", axes); err == nil {
		t.Error("a party on two axes: no error")
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.svg", "b.PNG"} {
		path := filepath.Join(dir, name)
		if err := WriteFile(path, smallSpace()); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, ".svg") {
			parse(t, b)
		} else {
			checkPNG(t, b)
		}
	}
}

func TestSimplify(t *testing.T) {
	var pts [][2]float64
	for i := range 1001 {
		x := float64(i) / 10
		pts = append(pts, [2]float64{x, 100 - x*x/100})
	}
	s := simplify(pts, 0.2)
	if len(s) >= 100 || s[0] != pts[0] || s[len(s)-1] != pts[len(pts)-1] {
		t.Fatalf("simplified to %d points", len(s))
	}
	// Every original point is within the tolerance of the polyline.
	for _, p := range pts {
		best := math.Inf(1)
		for i := 1; i < len(s); i++ {
			a, b := s[i-1], s[i]
			dx, dy := b[0]-a[0], b[1]-a[1]
			u := max(0, min(1, ((p[0]-a[0])*dx+(p[1]-a[1])*dy)/(dx*dx+dy*dy)))
			best = min(best, math.Hypot(p[0]-a[0]-u*dx, p[1]-a[1]-u*dy))
		}
		if best > 0.2+1e-9 {
			t.Fatalf("point %v is %.3f from the simplified line", p, best)
		}
	}
}

func TestTicks(t *testing.T) {
	ticks, dec := niceTicks(-0.04, 1.04, 5)
	if !slices.Equal(ticks, []float64{0, 0.25, 0.5, 0.75, 1}) || dec != 2 {
		t.Errorf("ticks %v, %d decimals", ticks, dec)
	}
	if ticks, _ := niceTicks(1, 1, 5); ticks != nil {
		t.Errorf("empty range: %v", ticks)
	}
}

func smallTimeline() *Timeline {
	return &Timeline{
		Title:       "Rounds",
		Parties:     []string{"North", "South"},
		Reservation: []float64{0.3, 0.4},
		Series: []Series{
			{Name: "North", Party: 0, Steps: []Step{{X: 1, Y: 1}, {X: 2, Y: 0.8}, {X: 3, Y: 0.6, Range: true, Low: 0.6, High: 0.9}}},
			{Name: "South", Party: 1, Steps: []Step{{X: 1, Y: 0.1}, {X: 2, Y: 0.4}, {X: 3, Y: 0.5, Range: true, Low: 0.5, High: 0.7}}},
		},
		Marks:    []Mark{{Name: "Agreement", Kind: "agreement", X: 3, At: []float64{0.6, 0.5}}},
		Bars:     []Bar{{X: 1, Value: 0}, {X: 2, Value: 0}, {X: 3, Value: 4}},
		BarsName: "Overlap size",
	}
}

func TestTimeline(t *testing.T) {
	d := parse(t, mustRender(t, "svg", smallTimeline()))
	for _, want := range []string{"Rounds", "North", "South", "Agreement", "Overlap size", "Round", "Utility"} {
		if !d.HasText(want) {
			t.Errorf("texts lack %q: %v", want, d.Texts)
		}
	}
	if s := d.All("series"); len(s) != 2 || s[0].Int("n") != 3 {
		t.Errorf("series %+v", s)
	}
	if m := d.All("mark"); len(m) != 1 {
		t.Errorf("marks %+v", m)
	}
	if b := d.All("bars"); len(b) != 1 || b[0].Int("n") != 3 {
		t.Errorf("bars %+v", b)
	}
	none := smallTimeline()
	none.Marks = nil
	if d := parse(t, mustRender(t, "svg", none)); len(d.All("mark")) != 0 || d.HasText("Agreement") {
		t.Error("a timeline without marks shows one")
	}
	bad := smallTimeline()
	bad.Series[0].Party = 2
	if err := Write(&bytes.Buffer{}, "svg", bad); err == nil {
		t.Error("a series of party 2 of 2: no error")
	}
}

func smallOverlap() *Overlap {
	o := &Overlap{Title: "Overlap", Points: []OverlapPoint{
		{Name: "Monitors", Options: []OverlapOption{{"joint", Possible, 0.25}, {"UN", Excluded, math.NaN()}, {"neutral", Undecided, math.NaN()}}},
	}}
	var wide OverlapPoint
	wide.Name = "Buffer (km)"
	for i := range 30 {
		op := OverlapOption{Name: fmt.Sprint(i), Possible: Possible, Share: float64(i) / 435}
		if i < 5 {
			op.Possible, op.Share = Excluded, math.NaN()
		}
		wide.Options = append(wide.Options, op)
	}
	o.Points = append(o.Points, wide)
	return o
}

func TestOverlap(t *testing.T) {
	d := parse(t, mustRender(t, "svg", smallOverlap()))
	pts := d.All("point")
	if len(pts) != 2 || pts[0].Data["name"] != "Monitors" || pts[0].Int("possible") != 2 || pts[1].Int("options") != 30 || pts[1].Int("possible") != 25 {
		t.Fatalf("points %+v", pts)
	}
	for _, want := range []string{"joint", "25.0%", "UN", "excluded", "? share unknown", "30 levels", "0", "29"} {
		if !d.HasText(want) {
			t.Errorf("texts lack %q: %v", want, d.Texts)
		}
	}
}

func TestInlineSVG(t *testing.T) {
	u := bigSpace(3, 100, 50)
	u.Compact = true
	s, err := InlineSVG(u, 400)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(s, "<?xml") || !strings.HasPrefix(s, "<svg") || !strings.Contains(s, `width="400"`) || strings.Contains(s, "<script") {
		t.Errorf("inline SVG starts %q", s[:min(len(s), 120)])
	}
	d := parse(t, []byte(s))
	if len(d.All("panel")) != 3 || len(d.All("legend")) != 0 {
		t.Errorf("compact: %d panels, %d legends", len(d.All("panel")), len(d.All("legend")))
	}
}
