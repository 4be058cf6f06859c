package plot

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"text/template"
)

// BoxPlot is what a report's box plot shows: one row per Box, in order,
// on a common axis from min(0, smallest value) to max(1, largest value).
type BoxPlot struct {
	Boxes []Box
}

// Box is one row of a BoxPlot: the quartiles of a sample and its mean
// with an interval.
type Box struct {
	Label string
	// Quartiles are the minimum, first quartile, median, third quartile
	// and maximum; nil for an empty sample, whose row shows the label only.
	Quartiles *[5]float64
	// Mean with its interval [Low, High], over N observations.
	Mean, Low, High float64
	N               int
}

// BoxPlotSVG renders bp as an SVG element for inline use in an HTML page,
// 570 wide and 22 high per box (plus axis): each box spans the quartiles
// with a bar at the median, a whisker from minimum to maximum, and below
// it the mean as a dot on its interval. The same plot gives the same
// string.
func BoxPlotSVG(bp *BoxPlot) string {
	const rowH, left, width, top = 22.0, 130.0, 420.0, 10.0
	lo, hi := 0.0, 1.0
	for _, bx := range bp.Boxes {
		if q := bx.Quartiles; q != nil {
			lo, hi = math.Min(lo, q[0]), math.Max(hi, q[4])
		}
	}
	x := func(u float64) float64 { return left + (u-lo)/(hi-lo)*width }
	h := top + rowH*float64(len(bp.Boxes)) + 28
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f">`, left+width+20, h, left+width+20, h)
	for _, t := range []float64{0, 0.25, 0.5, 0.75, 1} {
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#eee"/>`, ff(x(t)), ff(x(t)), ff(top), ff(h-24))
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="9" text-anchor="middle">%g</text>`, ff(x(t)), ff(h-12), t)
	}
	for i, bx := range bp.Boxes {
		cy := top + rowH*float64(i) + rowH/2
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="11" text-anchor="end">%s</text>`, ff(left-6), ff(cy+4), esc(bx.Label))
		q := bx.Quartiles
		if q == nil {
			continue
		}
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#555"/>`, ff(x(q[0])), ff(x(q[4])), ff(cy), ff(cy))
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="#cfe0f5" stroke="#1f5fbf"/>`, ff(x(q[1])), ff(cy-6), ff(math.Max(x(q[3])-x(q[1]), 0.5)), ff(12.0))
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#1f5fbf" stroke-width="2"/>`, ff(x(q[2])), ff(x(q[2])), ff(cy-6), ff(cy+6))
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#d62728" stroke-width="2"/>`, ff(x(bx.Low)), ff(x(bx.High)), ff(cy+8), ff(cy+8))
		fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="2.5" fill="#d62728"><title>mean %.3f [%.3f, %.3f], n=%d</title></circle>`, ff(x(bx.Mean)), ff(cy+8), bx.Mean, bx.Low, bx.High, bx.N)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// esc escapes text for SVG.
func esc(s string) string { return template.HTMLEscapeString(s) }

func ff(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }
