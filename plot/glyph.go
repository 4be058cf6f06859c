package plot

import "math"

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
	shapeCross
	// shapeTimes is shapeCross turned by 45° (a "×").
	shapeTimes
)

// shapePath returns the closed outline of s centred at (x, y), in layout
// points (y downwards). Shapes are scaled to about the visual weight of a
// circle of radius r.
func shapePath(s shape, x, y, r float64) path {
	switch s {
	case shapeSquare:
		return polygon(x, y, 0.9*r*math.Sqrt2, 4, math.Pi/4, 0)
	case shapeDiamond:
		return polygon(x, y, 1.25*r, 4, math.Pi/2, 0)
	case shapeTriangleUp:
		return polygon(x, y, 1.35*r, 3, math.Pi/2, 0)
	case shapeTriangleDown:
		return polygon(x, y, 1.35*r, 3, -math.Pi/2, 0)
	case shapeStar:
		return polygon(x, y, 1.5*r, 5, math.Pi/2, 0.45)
	case shapeHexagon:
		return polygon(x, y, 1.05*r, 6, 0, 0)
	case shapeCross, shapeTimes:
		// A plus sign of arm width r/1.6 (turned by 45° for shapeTimes).
		a, w := 1.2*r, r/3.2
		var p path
		pts := [][2]float64{{-w, -a}, {w, -a}, {w, -w}, {a, -w}, {a, w}, {w, w}, {w, a}, {-w, a}, {-w, w}, {-a, w}, {-a, -w}, {-w, -w}}
		for i, q := range pts {
			if s == shapeTimes {
				q = [2]float64{(q[0] - q[1]) / math.Sqrt2, (q[0] + q[1]) / math.Sqrt2}
			}
			if i == 0 {
				p.move(x+q[0], y+q[1])
			} else {
				p.line(x+q[0], y+q[1])
			}
		}
		p.close()
		return p
	default:
		return polygon(x, y, r, 20, 0, 0)
	}
}

// polygon returns a regular n-gon of circumradius r whose first vertex is
// at angle a0 (counter-clockwise from the X axis, as seen). With inner > 0
// it is a star with inner vertices at inner·r.
func polygon(x, y, r float64, n int, a0, inner float64) path {
	var p path
	k := n
	if inner > 0 {
		k = 2 * n
	}
	for i := range k {
		rr := r
		if inner > 0 && i%2 == 1 {
			rr = r * inner
		}
		a := a0 + 2*math.Pi*float64(i)/float64(k)
		qx, qy := x+rr*math.Cos(a), y-rr*math.Sin(a)
		if i == 0 {
			p.move(qx, qy)
		} else {
			p.line(qx, qy)
		}
	}
	p.close()
	return p
}
