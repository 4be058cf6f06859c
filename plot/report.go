package plot

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/template"
)

// OutcomeMap is what a small report plot of many negotiations' outcomes
// shows: where they ended in the utility space of two parties, X and Y,
// against the Pareto frontier and the Nash point. Every coordinate is
// (utility of X, utility of Y).
type OutcomeMap struct {
	XName, YName string // party names; the axes read "utility of <name>"
	// Frontier holds the Pareto frontier, drawn as dots; joined by a line
	// in order of X when Joined is set.
	Frontier [][2]float64
	// Joined says that Frontier is a frontier of the two parties (a line
	// through it means something); a projection of the frontier of more
	// parties is drawn as dots only.
	Joined bool
	// Nash is the Nash point, drawn as a diamond (nil: none).
	Nash *[2]float64
	// Outcomes are the distinct outcomes, each with how many negotiations
	// ended there, drawn in order as dots whose area grows with Count/Total.
	Outcomes []Count
	// Total is the number of negotiations the counts are out of (at
	// least 1 is used).
	Total int
}

// Count is a point with a multiplicity.
type Count struct {
	At    [2]float64
	Count int
}

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

// OutcomeMapSVG renders m as a 260×260 SVG element for inline use in an
// HTML page (no XML declaration, no script, nothing loaded). The same map
// gives the same string.
func OutcomeMapSVG(m *OutcomeMap) string {
	const size, pad = 260.0, 34.0
	lo, hi := 0.0, 1.0
	for _, p := range m.Frontier {
		hi = math.Max(hi, math.Max(p[0], p[1]))
		lo = math.Min(lo, math.Min(p[0], p[1]))
	}
	for _, p := range m.Outcomes {
		hi = math.Max(hi, math.Max(p.At[0], p.At[1]))
		lo = math.Min(lo, math.Min(p.At[0], p.At[1]))
	}
	span := (size - 2*pad) / (hi - lo)
	x := func(u float64) float64 { return pad + (u-lo)*span }
	y := func(u float64) float64 { return size - pad - (u-lo)*span }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f">`, size, size, size, size)
	fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="#999"/>`, ff(pad), ff(pad), ff(size-2*pad), ff(size-2*pad))
	for _, t := range []float64{0, 0.5, 1} {
		if t < lo || t > hi {
			continue
		}
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="9" text-anchor="middle">%g</text>`, ff(x(t)), ff(size-pad+11), t)
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="9" text-anchor="end">%g</text>`, ff(pad-3), ff(y(t)+3), t)
	}
	fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="10" text-anchor="middle">utility of %s</text>`, ff(size/2), ff(size-6), esc(m.XName))
	fmt.Fprintf(&b, `<text x="10" y="%s" font-size="10" text-anchor="middle" transform="rotate(-90 10 %s)">utility of %s</text>`, ff(size/2), ff(size/2), esc(m.YName))
	if m.Joined && len(m.Frontier) > 1 {
		pts := slices.Clone(m.Frontier)
		sort.Slice(pts, func(i, j int) bool { return pts[i][0] < pts[j][0] })
		b.WriteString(`<polyline fill="none" stroke="#1f5fbf" stroke-width="1.2" points="`)
		for i, p := range pts {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(ff(x(p[0])) + "," + ff(y(p[1])))
		}
		b.WriteString(`"/>`)
	}
	for _, p := range m.Frontier {
		fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="1.6" fill="#1f5fbf"/>`, ff(x(p[0])), ff(y(p[1])))
	}
	total := max(m.Total, 1)
	for _, p := range m.Outcomes {
		r := 2 + 10*math.Sqrt(float64(p.Count)/float64(total))
		fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="%s" fill="#2ca02c" fill-opacity="0.45" stroke="#1b6e1b" stroke-width="0.5"><title>(%.3f, %.3f): %d</title></circle>`,
			ff(x(p.At[0])), ff(y(p.At[1])), ff(r), p.At[0], p.At[1], p.Count)
	}
	if m.Nash != nil {
		cx, cy := x(m.Nash[0]), y(m.Nash[1])
		fmt.Fprintf(&b, `<path d="M%s %sL%s %sL%s %sL%s %sZ" fill="#d62728" stroke="#000" stroke-width="0.6"><title>Nash (%.3f, %.3f)</title></path>`,
			ff(cx), ff(cy-5), ff(cx+5), ff(cy), ff(cx), ff(cy+5), ff(cx-5), ff(cy), m.Nash[0], m.Nash[1])
	}
	b.WriteString(`</svg>`)
	return b.String()
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
