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
	"strings"

	xfont "golang.org/x/image/font"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Every figure is laid out once, in points with the origin at the top
// left, and drawn on a canvas: the SVG canvas writes compact SVG by hand
// (one element per series, coordinates to 0.1 pt), the PNG canvas
// rasterises the same drawing with gonum's vgimg. Text is measured with
// the font gonum rasterises PNGs with, so both formats share one layout.

// pngDPI maps points to PNG pixels (133/72 ≈ 1.85 pixels per point).
const pngDPI = 133

// pngScale is the number of PNG pixels per point.
const pngScale = pngDPI / 72.0

var (
	sans     = font.Font{Typeface: "Liberation", Variant: "Sans"}
	sansBold = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold}
	// textHandler measures and draws text with the Liberation fonts that
	// gonum registers in font.DefaultCache.
	textHandler text.Handler = text.Plain{Fonts: font.DefaultCache}
)

// The import of gonum.org/v1/plot registers the Liberation fonts.
var _ = gplot.New

const svgFontFamily = "'Liberation Sans',Arimo,Arial,Helvetica,sans-serif"

// textStyle is how a string is drawn: its size in points, weight, colour,
// horizontal anchor (-1 start, 0 middle, 1 end) and rotation (only 0 or
// -90 degrees: reading upwards).
type textStyle struct {
	size   float64
	bold   bool
	color  color.NRGBA
	anchor int
	up     bool
}

func (ts textStyle) gonum() text.Style {
	f := sans
	if ts.bold {
		f = sansBold
	}
	return text.Style{Color: ts.color, Font: font.From(f, vg.Length(ts.size)), Handler: textHandler}
}

// width is the width of s in points.
func (ts textStyle) width(s string) float64 { return ts.gonum().Width(s).Points() }

// baseline is the offset from a line's vertical centre to its baseline.
func (ts textStyle) baseline() float64 {
	e := ts.gonum().FontExtents()
	return (e.Ascent.Points() - e.Descent.Points()) / 2
}

// lineStyle is how a path is stroked.
type lineStyle struct {
	color  color.NRGBA
	width  float64
	dashes []float64
}

// path is a sequence of subpaths in points: M and L segments, Z closes.
type path []seg

type seg struct {
	op   byte // 'M', 'L', 'Z'
	x, y float64
}

func (p *path) move(x, y float64) { *p = append(*p, seg{'M', x, y}) }
func (p *path) line(x, y float64) { *p = append(*p, seg{'L', x, y}) }
func (p *path) close()            { *p = append(*p, seg{op: 'Z'}) }

func rectPath(x0, y0, x1, y1 float64) path {
	var p path
	p.move(x0, y0)
	p.line(x1, y0)
	p.line(x1, y1)
	p.line(x0, y1)
	p.close()
	return p
}

// canvas is what a figure is drawn on.
type canvas interface {
	// group opens a group with a class and a tooltip (SVG only; the PNG
	// canvas ignores both); attrs are name, value pairs of data-
	// attributes.
	group(class, title string, attrs ...string)
	ungroup()
	fill(p path, c color.NRGBA)
	stroke(p path, ls lineStyle)
	// dots draws round dots of radius r centred at pts as one shape (their
	// union: overlapping translucent dots do not darken each other).
	dots(pts [][2]float64, r float64, c color.NRGBA)
	// grid draws round dots of radius r at the centres of the cells of a
	// grid of side cell (cells given by column and row), as one shape;
	// the SVG canvas joins a row's neighbouring cells into one stroke.
	grid(cells [][2]int32, cell, r float64, c color.NRGBA)
	text(x, y float64, s string, ts textStyle)
}

// ---- SVG ----

type svgCanvas struct {
	b    bytes.Buffer
	w, h float64
}

func newSVG(w, h float64) *svgCanvas {
	c := &svgCanvas{w: w, h: h}
	return c
}

// num formats a coordinate to 0.1 pt, without trailing zeros.
func num(v float64) string {
	s := strconv.FormatFloat(math.Round(v*10)/10, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		s = "0"
	}
	return s
}

func hexColor(c color.NRGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

func opacity(c color.NRGBA) string {
	if c.A == 255 {
		return ""
	}
	return strconv.FormatFloat(math.Round(float64(c.A)/255*100)/100, 'f', -1, 64)
}

func (c *svgCanvas) group(class, title string, attrs ...string) {
	c.b.WriteString(`<g class="` + esc(class) + `"`)
	for i := 0; i+1 < len(attrs); i += 2 {
		c.b.WriteString(` data-` + attrs[i] + `="` + esc(attrs[i+1]) + `"`)
	}
	c.b.WriteString(">")
	if title != "" {
		c.b.WriteString("<title>" + esc(title) + "</title>")
	}
	c.b.WriteString("\n")
}

func (c *svgCanvas) ungroup() { c.b.WriteString("</g>\n") }

func pathData(p path) string {
	var b strings.Builder
	var x, y float64
	for i, s := range p {
		switch s.op {
		case 'M':
			b.WriteString("M" + num(s.x) + " " + num(s.y))
		case 'L':
			// Horizontal and vertical segments are shorter as H and V.
			switch {
			case i > 0 && num(s.y) == num(y):
				b.WriteString("H" + num(s.x))
			case i > 0 && num(s.x) == num(x):
				b.WriteString("V" + num(s.y))
			default:
				b.WriteString("L" + num(s.x) + " " + num(s.y))
			}
		case 'Z':
			b.WriteString("Z")
		}
		if s.op != 'Z' {
			x, y = s.x, s.y
		}
	}
	return b.String()
}

func (c *svgCanvas) fill(p path, col color.NRGBA) {
	if len(p) == 0 {
		return
	}
	fmt.Fprintf(&c.b, `<path d="%s" fill="%s"`, pathData(p), hexColor(col))
	if o := opacity(col); o != "" {
		fmt.Fprintf(&c.b, ` fill-opacity="%s"`, o)
	}
	c.b.WriteString("/>\n")
}

func (c *svgCanvas) stroke(p path, ls lineStyle) {
	if len(p) == 0 || ls.width <= 0 {
		return
	}
	fmt.Fprintf(&c.b, `<path d="%s" fill="none" stroke="%s" stroke-width="%s" stroke-linejoin="round"`, pathData(p), hexColor(ls.color), num(ls.width))
	if o := opacity(ls.color); o != "" {
		fmt.Fprintf(&c.b, ` stroke-opacity="%s"`, o)
	}
	if len(ls.dashes) > 0 {
		var d []string
		for _, v := range ls.dashes {
			d = append(d, num(v))
		}
		fmt.Fprintf(&c.b, ` stroke-dasharray="%s"`, strings.Join(d, ","))
	}
	c.b.WriteString("/>\n")
}

// dots writes one path of zero-length segments with round caps: each is
// a disc of diameter 2r, about 10 bytes a dot. Moves are relative, in
// tenths of a point, so dots quantised to the same tenth are one dot.
func (c *svgCanvas) dots(pts [][2]float64, r float64, col color.NRGBA) {
	if len(pts) == 0 {
		return
	}
	var b strings.Builder
	var x0, y0 int64
	seen := make(map[[2]int64]bool, len(pts))
	// In rows of 5 pt, left to right: short relative moves.
	q := make([][2]int64, 0, len(pts))
	for _, p := range pts {
		k := [2]int64{int64(math.Round(p[0] * 10)), int64(math.Round(p[1] * 10))}
		if !seen[k] {
			seen[k] = true
			q = append(q, k)
		}
	}
	slices.SortStableFunc(q, func(a, b [2]int64) int {
		return cmp.Or(cmp.Compare(a[1]/50, b[1]/50), cmp.Compare(a[0], b[0]))
	})
	for i, p := range q {
		x, y := p[0], p[1]
		if i == 0 {
			b.WriteString("M" + tenth(x) + " " + tenth(y))
		} else {
			dx, dy := tenth(x-x0), tenth(y-y0)
			b.WriteString("m" + dx)
			if !strings.HasPrefix(dy, "-") {
				b.WriteString(" ")
			}
			b.WriteString(dy)
		}
		b.WriteString("h0")
		x0, y0 = x, y
	}
	fmt.Fprintf(&c.b, `<path d="%s" fill="none" stroke="%s" stroke-width="%s" stroke-linecap="round"`, b.String(), hexColor(col), num(2*r))
	if o := opacity(col); o != "" {
		fmt.Fprintf(&c.b, ` stroke-opacity="%s"`, o)
	}
	c.b.WriteString("/>\n")
}

func (c *svgCanvas) grid(cells [][2]int32, cell, r float64, col color.NRGBA) {
	if len(cells) == 0 {
		return
	}
	q := slices.Clone(cells)
	slices.SortFunc(q, func(a, b [2]int32) int { return cmp.Or(cmp.Compare(a[1], b[1]), cmp.Compare(a[0], b[0])) })
	q = slices.Compact(q)
	var b strings.Builder
	var x0, y0 int64 // the pen, in tenths of a point
	for i := 0; i < len(q); {
		j := i
		for j+1 < len(q) && q[j+1][1] == q[i][1] && q[j+1][0] == q[j][0]+1 {
			j++
		}
		x := int64(math.Round((float64(q[i][0]) + 0.5) * cell * 10))
		y := int64(math.Round((float64(q[i][1]) + 0.5) * cell * 10))
		run := int64(math.Round(float64(q[j][0]-q[i][0]) * cell * 10))
		if i == 0 {
			b.WriteString("M" + tenth(x) + " " + tenth(y))
		} else {
			dy := tenth(y - y0)
			b.WriteString("m" + tenth(x-x0))
			if !strings.HasPrefix(dy, "-") {
				b.WriteString(" ")
			}
			b.WriteString(dy)
		}
		b.WriteString("h" + tenth(run))
		x0, y0 = x+run, y
		i = j + 1
	}
	fmt.Fprintf(&c.b, `<path d="%s" fill="none" stroke="%s" stroke-width="%s" stroke-linecap="round"`, b.String(), hexColor(col), num(2*r))
	if o := opacity(col); o != "" {
		fmt.Fprintf(&c.b, ` stroke-opacity="%s"`, o)
	}
	c.b.WriteString("/>\n")
}

// tenth formats v tenths of a point.
func tenth(v int64) string {
	neg := v < 0
	if neg {
		v = -v
	}
	s := strconv.FormatInt(v/10, 10)
	if f := v % 10; f != 0 {
		s += "." + strconv.FormatInt(f, 10)
	}
	if neg {
		s = "-" + s
	}
	return s
}

func (c *svgCanvas) text(x, y float64, s string, ts textStyle) {
	if s == "" {
		return
	}
	anchor := map[int]string{-1: "", 0: ` text-anchor="middle"`, 1: ` text-anchor="end"`}[ts.anchor]
	weight := ""
	if ts.bold {
		weight = ` font-weight="bold"`
	}
	fill := ""
	if ts.color != (color.NRGBA{A: 255}) {
		fill = ` fill="` + hexColor(ts.color) + `"`
	}
	bl := ts.baseline()
	if ts.up {
		fmt.Fprintf(&c.b, `<text transform="translate(%s %s) rotate(-90)" x="0" y="%s" font-size="%s"%s%s%s>%s</text>`+"\n",
			num(x), num(y), num(bl), num(ts.size), anchor, weight, fill, esc(s))
		return
	}
	fmt.Fprintf(&c.b, `<text x="%s" y="%s" font-size="%s"%s%s%s>%s</text>`+"\n",
		num(x), num(y+bl), num(ts.size), anchor, weight, fill, esc(s))
}

// document returns the SVG document (or, inline, only the svg element)
// drawn at width×height points; inline elements are scaled to widthPx.
func (c *svgCanvas) document(inline bool, widthPx float64) []byte {
	var out bytes.Buffer
	if !inline {
		out.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
		fmt.Fprintf(&out, `<svg xmlns="http://www.w3.org/2000/svg" width="%spt" height="%spt" viewBox="0 0 %s %s" font-family="%s">`+"\n",
			num(c.w), num(c.h), num(c.w), num(c.h), svgFontFamily)
	} else {
		h := c.h * widthPx / c.w
		fmt.Fprintf(&out, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s">`+"\n",
			num(widthPx), num(h), num(c.w), num(c.h))
	}
	fmt.Fprintf(&out, `<rect width="%s" height="%s" fill="#ffffff"/>`+"\n", num(c.w), num(c.h))
	out.Write(c.b.Bytes())
	out.WriteString("</svg>\n")
	return out.Bytes()
}

// ---- PNG ----

type pngCanvas struct {
	c    vgimg.PngCanvas
	dc   draw.Canvas
	h    float64
	w    float64
	size image.Point
}

func newPNG(w, h float64) *pngCanvas {
	px := image.Pt(int(math.Ceil(w*pngScale)), int(math.Ceil(h*pngScale)))
	img := image.NewRGBA(image.Rectangle{Max: px})
	vc := vgimg.NewWith(vgimg.UseImage(img), vgimg.UseDPI(pngDPI))
	pc := &pngCanvas{c: vgimg.PngCanvas{Canvas: vc}, h: h, w: w, size: px}
	pc.dc = draw.New(vc)
	pc.dc.SetColor(color.White)
	pc.dc.Fill(pc.dc.Rectangle.Path())
	return pc
}

// pt maps a layout point (top-left origin) to the canvas (bottom-left).
func (c *pngCanvas) pt(x, y float64) vg.Point {
	return vg.Point{X: vg.Length(x), Y: vg.Length(c.h - y)}
}

func (c *pngCanvas) vgPath(p path) vg.Path {
	var out vg.Path
	for _, s := range p {
		switch s.op {
		case 'M':
			out.Move(c.pt(s.x, s.y))
		case 'L':
			out.Line(c.pt(s.x, s.y))
		case 'Z':
			out.Close()
		}
	}
	return out
}

func (c *pngCanvas) group(string, string, ...string) {}
func (c *pngCanvas) ungroup()                        {}

func (c *pngCanvas) fill(p path, col color.NRGBA) {
	if len(p) == 0 {
		return
	}
	c.dc.SetColor(col)
	c.dc.Fill(c.vgPath(p))
}

func (c *pngCanvas) stroke(p path, ls lineStyle) {
	if len(p) == 0 || ls.width <= 0 {
		return
	}
	var d []vg.Length
	for _, v := range ls.dashes {
		d = append(d, vg.Length(v))
	}
	c.dc.SetLineStyle(draw.LineStyle{Color: ls.color, Width: vg.Length(ls.width), Dashes: d})
	c.dc.Stroke(c.vgPath(p))
}

func (c *pngCanvas) dots(pts [][2]float64, r float64, col color.NRGBA) {
	if len(pts) == 0 {
		return
	}
	var p vg.Path
	for _, q := range pts {
		ctr := c.pt(q[0], q[1])
		p.Move(vg.Point{X: ctr.X + vg.Length(r), Y: ctr.Y})
		p.Arc(ctr, vg.Length(r), 0, 2*math.Pi)
		p.Close()
	}
	c.dc.SetColor(col)
	c.dc.Fill(p)
}

func (c *pngCanvas) grid(cells [][2]int32, cell, r float64, col color.NRGBA) {
	pts := make([][2]float64, len(cells))
	for i, k := range cells {
		pts[i] = [2]float64{(float64(k[0]) + 0.5) * cell, (float64(k[1]) + 0.5) * cell}
	}
	c.dots(pts, r, col)
}

func (c *pngCanvas) text(x, y float64, s string, ts textStyle) {
	if s == "" {
		return
	}
	sty := ts.gonum()
	sty.XAlign = draw.XAlignment(-0.5 * float64(ts.anchor+1))
	sty.YAlign = draw.YCenter
	if ts.up {
		sty.Rotation = math.Pi / 2
	}
	c.dc.FillText(sty, c.pt(x, y), s)
}

func (c *pngCanvas) writeTo(w io.Writer) error {
	_, err := c.c.WriteTo(w)
	return err
}

// The styles of a figure's title and note lines (drawHeading; wrapText
// wraps them with the same styles).
var (
	titleStyle = textStyle{size: titleSize, bold: true, color: black, anchor: 0}
	noteStyle  = textStyle{size: noteSize, color: grey, anchor: 0}
)

// drawHeading draws a figure's title lines (bold) and note lines (grey),
// centred on a canvas width wide, from the top padding down, and returns
// the y below them.
func drawHeading(c canvas, width float64, title, note []string) float64 {
	y := float64(pad)
	for _, line := range title {
		c.text(width/2, y+titleSize/2, line, titleStyle)
		y += titleSize + 4
	}
	for _, line := range note {
		c.text(width/2, y+noteSize/2, line, noteStyle)
		y += noteSize + 3
	}
	return y
}
