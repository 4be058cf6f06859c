package plot

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

var update = flag.Bool("update", false, "rewrite testdata/small.svg")

// smallSpace is a hand-made space with every kind of series.
func smallSpace() *UtilitySpace {
	res := [2]float64{0.3, 0.25}
	u := &UtilitySpace{
		Title: "Small & <tricky> title",
		XName: "alpha", YName: "beta",
		Frontier:    [][2]float64{{1, 0.1}, {0.2, 0.95}, {0.6, 0.8}, {0.85, 0.5}},
		Reservation: &res,
		Markers: []Marker{
			{"Nash", [2]float64{0.6, 0.8}},
			{"Kalai–Smorodinsky", [2]float64{0.62, 0.78}},
			{"Max welfare", [2]float64{0.6, 0.8}},
		},
		Trace: []Trace{
			{"alpha offers", [][2]float64{{1, 0.1}, {0.9, 0.3}, {0.8, 0.45}, {0.7, 0.6}}},
			{"beta offers", [][2]float64{{0.2, 0.95}, {0.35, 0.85}, {0.5, 0.75}, {0.62, 0.7}}},
		},
	}
	for i := range 11 {
		for j := range 11 {
			x, y := float64(i)/10, float64(j)/10
			if x+y > 1.3 {
				continue
			}
			u.Outcomes = append(u.Outcomes, [2]float64{x, y})
			if x >= res[0] && y >= res[1] {
				u.Zone = append(u.Zone, [2]float64{x, y})
			}
		}
	}
	return u
}

func mustRender(t testing.TB, format string, u *UtilitySpace) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, format, u); err != nil {
		t.Fatalf("Write(%s): %v", format, err)
	}
	return buf.Bytes()
}

// svgTexts parses b as XML and returns the content of its <text> elements.
func svgTexts(t *testing.T, b []byte) []string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	var texts []string
	inText, root := false, ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse as XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
			}
			inText = tok.Name.Local == "text"
		case xml.CharData:
			if inText {
				texts = append(texts, string(tok))
			}
		case xml.EndElement:
			inText = false
		}
	}
	if root != "svg" {
		t.Fatalf("root element is %q, want svg", root)
	}
	return texts
}

func checkPNG(t *testing.T, b []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	if got := img.Bounds().Size(); got.X != PNGPixels || got.Y != PNGPixels {
		t.Fatalf("PNG size %v, want %dx%d", got, PNGPixels, PNGPixels)
	}
}

func TestSVGContainsLegend(t *testing.T) {
	b := mustRender(t, "svg", smallSpace())
	if !bytes.Contains(b, []byte(svgFontFamily)) || bytes.Contains(b, []byte("font-family:Liberation Sans;")) {
		t.Error("SVG lacks the font fallback list")
	}
	texts := strings.Join(svgTexts(t, b), "\n")
	for _, want := range []string{
		"Small & <tricky> title", "Utility of alpha", "Utility of beta",
		"Outcomes", "Agreement zone", "Pareto frontier", "Reservation values",
		"Nash", "Kalai–Smorodinsky", "Max welfare", "alpha offers", "beta offers",
		"0.0", "0.6", "1.0",
	} {
		if !strings.Contains(texts, want) {
			t.Errorf("SVG text lacks %q; texts:\n%s", want, texts)
		}
	}
}

func TestPNG(t *testing.T) {
	checkPNG(t, mustRender(t, "png", smallSpace()))
	checkPNG(t, mustRender(t, "PNG", sampleSpace()))
}

func TestDeterministic(t *testing.T) {
	for _, f := range []string{"svg", "png"} {
		a := mustRender(t, f, sampleSpace())
		b := mustRender(t, f, sampleSpace())
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two renders of the same input differ", f)
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
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
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
	res := [2]float64{0.5, 0.5}
	cases := map[string]*UtilitySpace{
		"zero":            {},
		"reservationOnly": {Reservation: &res},
		"markerOnly":      {Markers: []Marker{{At: [2]float64{0.2, 0.3}}}},
		"emptySlices":     {Outcomes: [][2]float64{}, Zone: [][2]float64{}, Frontier: [][2]float64{}, Trace: []Trace{{Name: "empty"}}},
		"onePoint":        {Frontier: [][2]float64{{0.5, 0.5}}},
	}
	for name, u := range cases {
		t.Run(name, func(t *testing.T) {
			texts := svgTexts(t, mustRender(t, "svg", u))
			joined := strings.Join(texts, "\n")
			for _, want := range []string{"Utility of X", "Utility of Y", "0.0", "1.0"} {
				if !strings.Contains(joined, want) {
					t.Errorf("SVG text lacks %q", want)
				}
			}
			if name == "emptySlices" && strings.Contains(joined, "empty") {
				t.Error("legend lists an empty trace")
			}
			checkPNG(t, mustRender(t, "png", u))
		})
	}
}

func TestOutOfUnitRange(t *testing.T) {
	u := &UtilitySpace{
		Outcomes: [][2]float64{{-0.5, 2}, {3, -1}},
		Frontier: [][2]float64{{-0.5, 2}, {3, -1}},
	}
	texts := strings.Join(svgTexts(t, mustRender(t, "svg", u)), " ")
	for _, want := range []string{"-1", "3"} {
		if !strings.Contains(texts, want) {
			t.Errorf("tick labels lack %q: %s", want, texts)
		}
	}
	checkPNG(t, mustRender(t, "png", u))
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
	if err := Write(&buf, "svg", nil); err == nil {
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
			svgTexts(t, b)
		} else {
			checkPNG(t, b)
		}
	}
}

func TestSubsample(t *testing.T) {
	pts := make([][2]float64, 50000)
	for i := range pts {
		pts[i] = [2]float64{float64(i), 0}
	}
	s := subsample(pts, MaxOutcomes)
	if len(s) != MaxOutcomes {
		t.Fatalf("len = %d, want %d", len(s), MaxOutcomes)
	}
	if s[0][0] != 0 || s[1][0] != 2 || s[2][0] != 5 || s[len(s)-1][0] != 49997 {
		t.Errorf("stride picks %v %v %v … %v", s[0], s[1], s[2], s[len(s)-1])
	}
	if small := pts[:10]; len(subsample(small, MaxOutcomes)) != 10 {
		t.Error("small input was subsampled")
	}

	u := &UtilitySpace{Outcomes: make([][2]float64, 30000)}
	for i := range u.Outcomes {
		u.Outcomes[i] = [2]float64{float64(i%173) / 173, float64(i%211) / 211}
	}
	texts := strings.Join(svgTexts(t, mustRender(t, "svg", u)), "\n")
	if want := fmt.Sprintf("Outcomes (%d of 30000 shown)", MaxOutcomes); !strings.Contains(texts, want) {
		t.Errorf("legend lacks %q", want)
	}
}

func TestFrontierInputUnchanged(t *testing.T) {
	u := smallSpace()
	before := fmt.Sprint(u.Frontier)
	mustRender(t, "svg", u)
	if after := fmt.Sprint(u.Frontier); after != before {
		t.Errorf("Frontier changed from %s to %s", before, after)
	}
}

func TestTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   string
	}{
		{-0.04, 1.04, "0.0 0.2 0.4 0.6 0.8 1.0"},
		{-0.1, 2.1, "0.0 0.5 1.0 1.5 2.0"},
		{-0.2, 5.2, "0 1 2 3 4 5"},
		{-0.05, 1.25, "0.00 0.25 0.50 0.75 1.00 1.25"},
		{-1.16, 3.16, "-1 0 1 2 3"},
	} {
		var labels []string
		for _, tk := range (niceTicks{}).Ticks(c.lo, c.hi) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if got := strings.Join(labels, " "); got != c.want {
			t.Errorf("Ticks(%v, %v) = %q, want %q", c.lo, c.hi, got, c.want)
		}
	}
}

// TestLayout checks equal aspect and that the legend lies outside the data
// area and inside the picture.
func TestLayout(t *testing.T) {
	res := [2]float64{0.5, 0.5}
	for name, u := range map[string]*UtilitySpace{
		"small":  smallSpace(),
		"sample": sampleSpace(),
		"empty":  {},
		"tall":   {Outcomes: [][2]float64{{0.5, 3}}, Reservation: &res},
		"wide":   {Outcomes: [][2]float64{{4, 0.5}}, Markers: []Marker{{"a very long marker name that goes on and on and on and on and on and on", [2]float64{1, 1}}}},
	} {
		t.Run(name, func(t *testing.T) {
			c := vgsvg.New(vg.Points(SVGSize), vg.Points(SVGSize))
			data, leg := render(draw.New(c), u)
			xlo, xhi := axisRange(coords(u, 0))
			ylo, yhi := axisRange(coords(u, 1))
			want := (xhi - xlo) / (yhi - ylo)
			got := float64(data.Size().X / data.Size().Y)
			if math.Abs(got/want-1) > 1e-6 {
				t.Errorf("aspect %v, want %v (data area %v)", got, want, data)
			}
			if max(data.Size().X, data.Size().Y) < vg.Points(250) {
				t.Errorf("data area %v is tiny", data)
			}
			full := vg.Rectangle{Max: vg.Point{X: vg.Points(SVGSize), Y: vg.Points(SVGSize)}}
			inside := func(r vg.Rectangle) bool {
				return r.Min.X >= full.Min.X && r.Min.Y >= full.Min.Y && r.Max.X <= full.Max.X && r.Max.Y <= full.Max.Y
			}
			if !inside(data) {
				t.Errorf("data area %v outside the picture", data)
			}
			if name == "empty" {
				if leg != (vg.Rectangle{}) {
					t.Errorf("legend %v for empty input", leg)
				}
				return
			}
			if !inside(leg) {
				t.Errorf("legend %v outside the picture", leg)
			}
			if leg.Max.Y > data.Min.Y {
				t.Errorf("legend %v overlaps data area %v", leg, data)
			}
		})
	}
}

func benchSpace() *UtilitySpace {
	u := sampleSpace()
	u.Outcomes = make([][2]float64, MaxOutcomes)
	for i := range u.Outcomes {
		a := float64(i%149) / 149
		b := float64(i%151) / 151
		u.Outcomes[i] = [2]float64{a, 1 - a*b}
	}
	return u
}

func BenchmarkWrite20000(b *testing.B) {
	u := benchSpace()
	for _, f := range []string{"svg", "png"} {
		b.Run(f, func(b *testing.B) {
			var n int
			for b.Loop() {
				var buf bytes.Buffer
				if err := Write(&buf, f, u); err != nil {
					b.Fatal(err)
				}
				n = buf.Len()
			}
			b.ReportMetric(float64(n), "bytes/op-output")
		})
	}
}
