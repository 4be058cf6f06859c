package plot

import (
	"image/color"
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// shape is the outline of a marker glyph.
type shape int

const (
	shapeCircle shape = iota
	shapeSquare
	shapeDiamond
	shapeTriangleUp
	shapeTriangleDown
	shapeStar
	shapeHexagon
)

// outlined is a draw.GlyphDrawer that fills a shape with the glyph colour
// and strokes its outline, so markers stand out on any background.
type outlined struct {
	shape   shape
	outline color.Color
	width   vg.Length
}

// DrawGlyph implements draw.GlyphDrawer.
func (g outlined) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	p := shapePath(g.shape, pt, sty.Radius)
	c.SetColor(sty.Color)
	c.Fill(p)
	if g.width > 0 && g.outline != nil {
		c.SetLineStyle(draw.LineStyle{Color: g.outline, Width: g.width})
		c.Stroke(p)
	}
}

// shapePath returns the closed outline of s centred at pt. Shapes are scaled
// so that they have about the same visual weight as a circle of radius r.
func shapePath(s shape, pt vg.Point, r vg.Length) vg.Path {
	switch s {
	case shapeSquare:
		return polygon(pt, 0.9*r*math.Sqrt2, 4, math.Pi/4, 0)
	case shapeDiamond:
		return polygon(pt, 1.2*r, 4, math.Pi/2, 0)
	case shapeTriangleUp:
		return polygon(pt, 1.3*r, 3, math.Pi/2, 0)
	case shapeTriangleDown:
		return polygon(pt, 1.3*r, 3, -math.Pi/2, 0)
	case shapeStar:
		return polygon(pt, 1.45*r, 5, math.Pi/2, 0.45)
	case shapeHexagon:
		return polygon(pt, 1.05*r, 6, 0, 0)
	default:
		var p vg.Path
		p.Move(vg.Point{X: pt.X + r, Y: pt.Y})
		p.Arc(pt, r, 0, 2*math.Pi)
		p.Close()
		return p
	}
}

// polygon returns a regular n-gon of circumradius r whose first vertex is at
// angle a0. If inner > 0 it is a star with inner vertices at inner·r.
func polygon(pt vg.Point, r vg.Length, n int, a0, inner float64) vg.Path {
	var p vg.Path
	k := n
	if inner > 0 {
		k = 2 * n
	}
	for i := range k {
		rr := r
		if inner > 0 && i%2 == 1 {
			rr = r * vg.Length(inner)
		}
		a := a0 + 2*math.Pi*float64(i)/float64(k)
		q := vg.Point{X: pt.X + rr*vg.Length(math.Cos(a)), Y: pt.Y + rr*vg.Length(math.Sin(a))}
		if i == 0 {
			p.Move(q)
		} else {
			p.Line(q)
		}
	}
	p.Close()
	return p
}
