package plot

import (
	"bytes"
	"cmp"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	xfont "golang.org/x/image/font"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// pngDPI maps the PNGPixels-wide image to ≈SVGSize points (800/133 in ≈ 6 in),
// so both formats share one layout.
const pngDPI = 133

// Styling. Colours follow the Okabe–Ito colour-blind-safe palette where it
// matters (zone, frontier, markers).
var (
	sans     = font.Font{Typeface: "Liberation", Variant: "Sans"}
	sansBold = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold}

	white      = color.RGBA{255, 255, 255, 255}
	black      = color.RGBA{0, 0, 0, 255}
	gridColor  = color.RGBA{225, 225, 225, 255}
	frameColor = color.RGBA{150, 150, 150, 255}

	outcomeStyle = draw.GlyphStyle{Color: color.NRGBA{120, 120, 120, 80}, Radius: vg.Points(1.3), Shape: draw.CircleGlyph{}}
	outcomeThumb = draw.GlyphStyle{Color: color.NRGBA{120, 120, 120, 170}, Radius: vg.Points(2.6), Shape: draw.CircleGlyph{}}
	zoneStyle    = draw.GlyphStyle{Color: color.NRGBA{0, 158, 115, 110}, Radius: vg.Points(1.8), Shape: draw.CircleGlyph{}}
	zoneThumb    = draw.GlyphStyle{Color: color.NRGBA{0, 158, 115, 200}, Radius: vg.Points(3.2), Shape: draw.CircleGlyph{}}

	frontierLine  = draw.LineStyle{Color: color.RGBA{0, 90, 160, 255}, Width: vg.Points(1.6)}
	frontierGlyph = draw.GlyphStyle{Color: color.RGBA{0, 90, 160, 255}, Radius: vg.Points(2.4), Shape: draw.CircleGlyph{}}

	reservationLine = draw.LineStyle{
		Color:  color.RGBA{60, 60, 60, 255},
		Width:  vg.Points(1.2),
		Dashes: []vg.Length{vg.Points(6), vg.Points(3)},
	}

	markerColors = []color.Color{
		color.RGBA{213, 94, 0, 255},    // vermillion
		color.RGBA{230, 159, 0, 255},   // orange
		color.RGBA{204, 121, 167, 255}, // reddish purple
		color.RGBA{86, 180, 233, 255},  // sky blue
		color.RGBA{240, 228, 66, 255},  // yellow
		color.RGBA{0, 0, 0, 255},       // black
		color.RGBA{255, 255, 255, 255}, // white
	}
	markerShapes = []shape{shapeStar, shapeDiamond, shapeSquare, shapeTriangleUp, shapeCircle, shapeTriangleDown, shapeHexagon}

	traceColors = []color.Color{
		color.RGBA{117, 112, 179, 255}, // purple
		color.RGBA{166, 86, 40, 255},   // brown
		color.RGBA{231, 41, 138, 255},  // magenta
		color.RGBA{102, 102, 102, 255}, // grey
		color.RGBA{27, 120, 100, 255},  // dark teal
		color.RGBA{200, 140, 0, 255},   // ochre
	}
)

const (
	outerPad    = 10 // points around the whole picture
	legendGap   = 8  // points between the plot and the legend box
	titleGap    = 8  // points between the title and the plot
	legendPad   = 6  // points inside the legend box
	legendColW  = 14 // points between legend columns
	thumbWidth  = 22 // points
	thumbGap    = 5  // points between thumbnail and text
	maxNameLen  = 60 // runes; longer legend names are shortened
	axisMargin  = 0.04
	markerR     = 5.5 // points, radius of the last (smallest) marker
	markerStep  = 1.5 // points added per earlier marker
	markerMaxR  = 11  // points
	traceWidth  = 1.3 // points
	traceRadius = 2.4 // points
)

// writeTo renders u as f and writes it to w.
func writeTo(w io.Writer, f format, u *UtilitySpace) (n int64, err error) {
	if err := validate(u); err != nil {
		return 0, err
	}
	var cw vg.CanvasWriterTo
	switch f {
	case formatSVG:
		cw = vgsvg.New(vg.Points(SVGSize), vg.Points(SVGSize))
	case formatPNG:
		img := image.NewRGBA(image.Rect(0, 0, PNGPixels, PNGPixels))
		cw = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseImage(img), vgimg.UseDPI(pngDPI))}
	default:
		return 0, fmt.Errorf("plot: unsupported format %d", f)
	}
	// gonum/plot reports some problems by panicking; turn them into errors.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("plot: rendering failed: %v", r)
		}
	}()
	render(draw.New(cw), u)
	if f != formatSVG {
		return cw.WriteTo(w)
	}
	var buf bytes.Buffer
	if _, err := cw.WriteTo(&buf); err != nil {
		return 0, err
	}
	// gonum names only the family it measured text with. Liberation Sans is
	// metric-compatible with Arial (and Arimo, and nearly with Helvetica), so
	// listing those keeps text widths, centring and the legend box right in
	// viewers that lack Liberation; sans-serif is the last resort.
	b := bytes.ReplaceAll(buf.Bytes(), []byte("font-family:Liberation Sans;"), []byte(svgFontFamily))
	m, err := w.Write(b)
	return int64(m), err
}

const svgFontFamily = "font-family:'Liberation Sans',Arimo,Arial,Helvetica,sans-serif;"

// legendEntry is one line of the legend.
type legendEntry struct {
	name   string
	thumbs []func(c *draw.Canvas)
}

func glyphThumb(sty draw.GlyphStyle) func(c *draw.Canvas) {
	return func(c *draw.Canvas) { c.DrawGlyphNoClip(sty, c.Center()) }
}

func lineThumb(sty draw.LineStyle) func(c *draw.Canvas) {
	return func(c *draw.Canvas) {
		y := c.Center().Y
		c.StrokeLine2(sty, c.Min.X, y, c.Max.X, y)
	}
}

func xys(pts [][2]float64) plotter.XYs {
	out := make(plotter.XYs, len(pts))
	for i, p := range pts {
		out[i].X, out[i].Y = p[0], p[1]
	}
	return out
}

func scatter(pts [][2]float64, sty draw.GlyphStyle) *plotter.Scatter {
	return &plotter.Scatter{XYs: xys(pts), GlyphStyle: sty}
}

// bulk is a scatter of many small dots that takes no part in gonum's glyph
// padding (it has no GlyphBoxes method): the dots lie inside the axis
// margins anyway, and computing boxes for 20,000 points on every layout pass
// is wasted work.
type bulk struct{ s *plotter.Scatter }

func (b bulk) Plot(c draw.Canvas, p *gplot.Plot) { b.s.Plot(c, p) }

func line(pts [][2]float64, sty draw.LineStyle) *plotter.Line {
	return &plotter.Line{XYs: xys(pts), LineStyle: sty}
}

// axisRange is [min(0, data min), max(1, data max)] widened by axisMargin of
// its length on both sides.
func axisRange(vals func(yield func(float64) bool)) (lo, hi float64) {
	lo, hi = 0, 1
	for v := range vals {
		lo, hi = min(lo, v), max(hi, v)
	}
	m := axisMargin * (hi - lo)
	return lo - m, hi + m
}

// coords yields coordinate k of every point of u.
func coords(u *UtilitySpace, k int) func(yield func(float64) bool) {
	return func(yield func(float64) bool) {
		for _, set := range [][][2]float64{u.Outcomes, u.Zone, u.Frontier} {
			for _, p := range set {
				if !yield(p[k]) {
					return
				}
			}
		}
		if u.Reservation != nil && !yield(u.Reservation[k]) {
			return
		}
		for _, m := range u.Markers {
			if !yield(m.At[k]) {
				return
			}
		}
		for _, t := range u.Trace {
			for _, p := range t.Points {
				if !yield(p[k]) {
					return
				}
			}
		}
	}
}

func shorten(s string) string {
	if utf8.RuneCountInString(s) <= maxNameLen {
		return s
	}
	r := []rune(s)
	return string(r[:maxNameLen-1]) + "…"
}

func sampledName(name string, shown, total int) string {
	if shown == total {
		return name
	}
	return fmt.Sprintf("%s (%d of %d shown)", name, shown, total)
}

func axisLabel(name, fallback string) string {
	if name == "" {
		name = fallback
	}
	return shorten("Utility of " + name)
}

// render draws u onto c and returns where the data area and the legend box
// (empty if there is no legend) ended up.
func render(c draw.Canvas, u *UtilitySpace) (data, legendBox vg.Rectangle) {
	p := gplot.New()
	hdlr := p.TextHandler
	for i, ax := range []*gplot.Axis{&p.X, &p.Y} {
		ax.Label.Text = axisLabel([]string{u.XName, u.YName}[i], []string{"X", "Y"}[i])
		ax.Label.TextStyle.Font = font.From(sans, 12)
		ax.Label.Padding = vg.Points(4)
		ax.Tick.Label.Font = font.From(sans, 10)
		ax.Tick.Marker = niceTicks{}
		ax.Padding = 0
	}

	var legend []legendEntry

	grid := plotter.NewGrid()
	grid.Vertical = draw.LineStyle{Color: gridColor, Width: vg.Points(0.6)}
	grid.Horizontal = grid.Vertical
	p.Add(grid)

	if len(u.Outcomes) > 0 {
		pts := subsample(u.Outcomes, MaxOutcomes)
		p.Add(bulk{scatter(pts, outcomeStyle)})
		legend = append(legend, legendEntry{sampledName("Outcomes", len(pts), len(u.Outcomes)), []func(*draw.Canvas){glyphThumb(outcomeThumb)}})
	}
	if len(u.Zone) > 0 {
		pts := subsample(u.Zone, MaxOutcomes)
		p.Add(bulk{scatter(pts, zoneStyle)})
		legend = append(legend, legendEntry{sampledName("Agreement zone", len(pts), len(u.Zone)), []func(*draw.Canvas){glyphThumb(zoneThumb)}})
	}

	xlo, xhi := axisRange(coords(u, 0))
	ylo, yhi := axisRange(coords(u, 1))

	if u.Reservation != nil {
		r := *u.Reservation
		p.Add(line([][2]float64{{r[0], ylo}, {r[0], yhi}}, reservationLine))
		p.Add(line([][2]float64{{xlo, r[1]}, {xhi, r[1]}}, reservationLine))
		legend = append(legend, legendEntry{"Reservation values", []func(*draw.Canvas){lineThumb(reservationLine)}})
	}
	if len(u.Frontier) > 0 {
		pts := slices.Clone(u.Frontier)
		slices.SortStableFunc(pts, func(a, b [2]float64) int {
			return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
		})
		p.Add(line(pts, frontierLine), scatter(pts, frontierGlyph))
		legend = append(legend, legendEntry{"Pareto frontier", []func(*draw.Canvas){lineThumb(frontierLine), glyphThumb(frontierGlyph)}})
	}
	for i, t := range u.Trace {
		if len(t.Points) == 0 {
			continue
		}
		col := traceColors[i%len(traceColors)]
		ls := draw.LineStyle{Color: col, Width: vg.Points(traceWidth)}
		gs := draw.GlyphStyle{Color: col, Radius: vg.Points(traceRadius), Shape: outlined{shape: shapeCircle, outline: white, width: vg.Points(0.6)}}
		p.Add(line(t.Points, ls), scatter(t.Points, gs))
		name := t.Name
		if name == "" {
			name = fmt.Sprintf("Trace %d", i+1)
		}
		legend = append(legend, legendEntry{shorten(name), []func(*draw.Canvas){lineThumb(ls), glyphThumb(gs)}})
	}
	for i, m := range u.Markers {
		r := min(markerR+markerStep*float64(len(u.Markers)-1-i), markerMaxR)
		gs := draw.GlyphStyle{
			Color:  markerColors[i%len(markerColors)],
			Radius: vg.Points(r),
			Shape:  outlined{shape: markerShapes[i%len(markerShapes)], outline: black, width: vg.Points(0.9)},
		}
		p.Add(scatter([][2]float64{m.At}, gs))
		thumb := gs
		thumb.Radius = vg.Points(markerR)
		name := m.Name
		if name == "" {
			name = fmt.Sprintf("Marker %d", i+1)
		}
		legend = append(legend, legendEntry{shorten(name), []func(*draw.Canvas){glyphThumb(thumb)}})
	}

	// Fix the ranges only now: Add widens them to the data of each plotter.
	p.X.Min, p.X.Max = xlo, xhi
	p.Y.Min, p.Y.Max = ylo, yhi

	// Layout: the plot above, the legend box below it, the pair centred.
	c.SetColor(white)
	c.Fill(c.Rectangle.Path())
	area := draw.Crop(c, vg.Points(outerPad), -vg.Points(outerPad), vg.Points(outerPad), -vg.Points(outerPad))
	if title := shorten(u.Title); title != "" {
		// Centred on the picture (and so on the data area), not on the plot
		// box that includes the Y axis labels as gonum would.
		sty := text.Style{Color: black, Font: font.From(sansBold, 14), XAlign: draw.XCenter, YAlign: draw.YTop, Handler: hdlr}
		c.FillText(sty, vg.Point{X: area.Center().X, Y: area.Max.Y}, title)
		area.Max.Y -= sty.Rectangle(title).Size().Y + vg.Points(titleGap)
	}

	ts := text.Style{Color: black, Font: font.From(sans, 10.5), XAlign: draw.XLeft, YAlign: draw.YCenter, Handler: hdlr}
	lay := layoutLegend(legend, ts, area.Size().X)
	pa := area
	if lay.height > 0 {
		pa.Min.Y += lay.height + vg.Points(legendGap)
	}

	// Equal aspect: one utility unit has the same length on both axes.
	ratio := (xhi - xlo) / (yhi - ylo)
	for range 3 {
		dc := p.DataCanvas(pa)
		dw, dh := dc.Size().X, dc.Size().Y
		if dw <= 0 || dh <= 0 {
			break
		}
		if want := dh * vg.Length(ratio); dw > want {
			pa.Max.X -= dw - want
		} else if want := dw / vg.Length(ratio); dh > want {
			pa.Max.Y -= dh - want
		}
	}
	// Centre the data area horizontally (keeping axis labels inside) and the
	// plot+legend block vertically.
	dc := p.DataCanvas(pa)
	dx := (area.Min.X+area.Max.X)/2 - (dc.Min.X+dc.Max.X)/2
	dx = min(dx, area.Max.X-pa.Max.X)
	dx = max(dx, area.Min.X-pa.Min.X)
	pa.Min.X += dx
	pa.Max.X += dx
	dy := (area.Max.Y - pa.Max.Y) / 2 // the block starts at area.Min.Y
	pa.Min.Y += dy
	pa.Max.Y += dy

	p.Draw(pa)
	data = p.DataCanvas(pa).Rectangle

	if lay.height > 0 {
		x0 := (data.Min.X+data.Max.X)/2 - lay.width/2
		x0 = max(min(x0, area.Max.X-lay.width), area.Min.X)
		y0 := pa.Min.Y - vg.Points(legendGap) - lay.height
		legendBox = drawLegend(c, legend, ts, lay, vg.Point{X: x0, Y: y0})
	}
	return data, legendBox
}

// legendLayout is the column layout of the legend box.
type legendLayout struct {
	rows, cols    int
	colW          []vg.Length
	rowH          vg.Length
	width, height vg.Length
}

// layoutLegend picks the fewest rows whose columns fit in maxW.
func layoutLegend(entries []legendEntry, ts text.Style, maxW vg.Length) legendLayout {
	n := len(entries)
	if n == 0 {
		return legendLayout{}
	}
	w := make([]vg.Length, n)
	for i, e := range entries {
		w[i] = vg.Points(thumbWidth+thumbGap) + ts.Width(e.name)
	}
	rowH := ts.FontExtents().Height * 1.45
	var lay legendLayout
	for rows := 1; rows <= n; rows++ {
		cols := (n + rows - 1) / rows
		colW := make([]vg.Length, cols)
		total := vg.Points(2*legendPad) + vg.Points(legendColW)*vg.Length(cols-1)
		for j := range colW {
			for i := j * rows; i < min((j+1)*rows, n); i++ {
				colW[j] = max(colW[j], w[i])
			}
			total += colW[j]
		}
		lay = legendLayout{rows: rows, cols: cols, colW: colW, rowH: rowH, width: total,
			height: rowH*vg.Length(rows) + vg.Points(2*legendPad)}
		if total <= maxW {
			break
		}
	}
	return lay
}

// drawLegend draws the legend box with its lower-left corner at at.
func drawLegend(c draw.Canvas, entries []legendEntry, ts text.Style, lay legendLayout, at vg.Point) vg.Rectangle {
	box := vg.Rectangle{Min: at, Max: vg.Point{X: at.X + lay.width, Y: at.Y + lay.height}}
	c.SetColor(white)
	c.Fill(box.Path())
	c.SetLineStyle(draw.LineStyle{Color: frameColor, Width: vg.Points(0.6)})
	c.Stroke(box.Path())

	x := box.Min.X + vg.Points(legendPad)
	for j := 0; j < lay.cols; j++ {
		for r := 0; r < lay.rows; r++ {
			i := j*lay.rows + r
			if i >= len(entries) {
				break
			}
			top := box.Max.Y - vg.Points(legendPad) - lay.rowH*vg.Length(r)
			icon := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
				Min: vg.Point{X: x, Y: top - lay.rowH},
				Max: vg.Point{X: x + vg.Points(thumbWidth), Y: top},
			}}
			for _, t := range entries[i].thumbs {
				t(&icon)
			}
			c.FillText(ts, vg.Point{X: x + vg.Points(thumbWidth+thumbGap), Y: top - lay.rowH/2}, entries[i].name)
		}
		x += lay.colW[j] + vg.Points(legendColW)
	}
	return box
}

// niceTicks places labelled major ticks at multiples of a 1-2-2.5-5 step
// (about six per axis) and unlabelled minor ticks halfway between.
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []gplot.Tick {
	if !(hi > lo) {
		return nil
	}
	raw := (hi - lo) / 6
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, f := range []float64{1, 2, 2.5, 5} {
		if f*mag >= raw {
			step = f * mag
			break
		}
	}
	dec := 0
	for dec < 12 && math.Abs(step*math.Pow(10, float64(dec))-math.Round(step*math.Pow(10, float64(dec)))) > 1e-9 {
		dec++
	}
	half := step / 2
	var ticks []gplot.Tick
	for k := math.Ceil(lo / half); k <= math.Floor(hi/half); k++ {
		v := k * half
		if math.Mod(k, 2) != 0 {
			ticks = append(ticks, gplot.Tick{Value: v})
			continue
		}
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ticks = append(ticks, gplot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', dec, 64)})
	}
	return ticks
}
