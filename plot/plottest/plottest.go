// Package plottest reads the structure of the SVG figures of package plot
// for tests: the texts, and the groups by class with their data-
// attributes and tooltips — the panels, the series (frontier, zone,
// traces, ...) with their point counts, the markers with their exact
// utilities. Golden checks compare this structure, not pixels.
package plottest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Doc is what an SVG figure holds.
type Doc struct {
	// Root is the root element's name ("svg").
	Root string
	// Texts are the contents of the <text> elements, in order.
	Texts  []string
	Groups []Group
}

// Group is a <g class="..."> element.
type Group struct {
	Class string
	// Data holds its data- attributes, without the prefix.
	Data map[string]string
	// Title is its tooltip ("" if none).
	Title string
	// Parent is the index in Doc.Groups of the closest enclosing group
	// with a class (-1: none).
	Parent int
	// Index is the group's own index in Doc.Groups.
	Index int
	// Paths are the path data (d attributes) of the <path> elements whose
	// closest enclosing group with a class is this one, in order.
	Paths []string
}

// Parse reads an SVG document or element.
func Parse(b []byte) (*Doc, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	doc := &Doc{}
	var stack []int // per open element: its group index or -2
	inText, inTitle := false, false
	owner := func() int {
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i] >= 0 {
				return stack[i]
			}
		}
		return -1
	}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("SVG does not parse as XML: %w", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if doc.Root == "" {
				doc.Root = tok.Name.Local
			}
			idx := -2
			if tok.Name.Local == "g" {
				g := Group{Data: map[string]string{}, Parent: owner()}
				for _, a := range tok.Attr {
					switch {
					case a.Name.Local == "class":
						g.Class = a.Value
					case strings.HasPrefix(a.Name.Local, "data-"):
						g.Data[strings.TrimPrefix(a.Name.Local, "data-")] = a.Value
					}
				}
				if g.Class != "" {
					g.Index = len(doc.Groups)
					doc.Groups = append(doc.Groups, g)
					idx = len(doc.Groups) - 1
				}
			}
			if tok.Name.Local == "path" {
				if o := owner(); o >= 0 {
					for _, a := range tok.Attr {
						if a.Name.Local == "d" {
							doc.Groups[o].Paths = append(doc.Groups[o].Paths, a.Value)
						}
					}
				}
			}
			stack = append(stack, idx)
			inText = tok.Name.Local == "text"
			inTitle = tok.Name.Local == "title"
		case xml.CharData:
			switch {
			case inText:
				doc.Texts = append(doc.Texts, string(tok))
			case inTitle:
				if o := owner(); o >= 0 {
					doc.Groups[o].Title += string(tok)
				}
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			inText, inTitle = false, false
		}
	}
	return doc, nil
}

// All returns the groups of a class.
func (d *Doc) All(class string) []Group {
	var out []Group
	for _, g := range d.Groups {
		if g.Class == class {
			out = append(out, g)
		}
	}
	return out
}

// HasText reports whether some text contains s.
func (d *Doc) HasText(s string) bool {
	for _, t := range d.Texts {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

// Int is a group's data attribute as an integer (-1 if absent).
func (g Group) Int(name string) int {
	v, err := strconv.Atoi(g.Data[name])
	if err != nil {
		return -1
	}
	return v
}

// At is a marker's exact utilities (its data-at attribute).
func (g Group) At() ([]float64, error) {
	var out []float64
	for _, f := range strings.Fields(g.Data["at"]) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Markers returns the marker groups named name, one per panel.
func (d *Doc) Markers(name string) []Group {
	var out []Group
	for _, g := range d.All("marker") {
		if g.Data["name"] == name {
			out = append(out, g)
		}
	}
	return out
}

// Floats is a data attribute holding numbers separated by spaces (nil if
// absent).
func (g Group) Floats(name string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Fields(g.Data[name]) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil, fmt.Errorf("data-%s: %w", name, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// Panel is the geometry of a panel group: its box on the page and the
// value range of its axes.
type Panel struct {
	X, Y   string // the parties on the axes (names)
	Left   float64
	Top    float64
	Side   float64
	Lo, Hi float64
}

// Panel reads the geometry of a "panel" group.
func (g Group) Panel() (Panel, error) {
	box, err := g.Floats("box")
	if err != nil {
		return Panel{}, err
	}
	rng, err := g.Floats("range")
	if err != nil {
		return Panel{}, err
	}
	if len(box) != 3 || len(rng) != 2 || !(rng[1] > rng[0]) || !(box[2] > 0) {
		return Panel{}, fmt.Errorf("panel %q×%q: box %v, range %v", g.Data["x"], g.Data["y"], box, rng)
	}
	return Panel{X: g.Data["x"], Y: g.Data["y"], Left: box[0], Top: box[1], Side: box[2], Lo: rng[0], Hi: rng[1]}, nil
}

// Page maps the utilities (x, y) of the panel's parties to the page.
func (p Panel) Page(x, y float64) (float64, float64) {
	return p.Left + (x-p.Lo)/(p.Hi-p.Lo)*p.Side, p.Top + p.Side - (y-p.Lo)/(p.Hi-p.Lo)*p.Side
}

// Segments decodes SVG path data made of moves and straight lines (M, m,
// L, l, H, h, V, v, Z, z) into its segments, in page coordinates: a dot
// drawn as a zero-length segment is a segment from a point to itself.
func Segments(d string) ([][2][2]float64, error) {
	var out [][2][2]float64
	var x, y, sx, sy float64
	var op byte
	i := 0
	number := func() (float64, error) {
		for i < len(d) && (d[i] == ' ' || d[i] == ',') {
			i++
		}
		j := i
		if j < len(d) && (d[j] == '-' || d[j] == '+') {
			j++
		}
		for j < len(d) && (d[j] >= '0' && d[j] <= '9' || d[j] == '.') {
			j++
		}
		v, err := strconv.ParseFloat(d[i:j], 64)
		if err != nil {
			return 0, fmt.Errorf("path %q at %d: %w", d, i, err)
		}
		i = j
		return v, nil
	}
	for i < len(d) {
		c := d[i]
		switch {
		case c == ' ' || c == ',':
			i++
			continue
		case strings.IndexByte("MmLlHhVvZz", c) >= 0:
			op = c
			i++
			if c == 'Z' || c == 'z' {
				out = append(out, [2][2]float64{{x, y}, {sx, sy}})
				x, y = sx, sy
				continue
			}
		case op == 0:
			return nil, fmt.Errorf("path %q: no command at %d", d, i)
		}
		var a, b float64
		var err error
		if a, err = number(); err != nil {
			return nil, err
		}
		if op != 'H' && op != 'h' && op != 'V' && op != 'v' {
			if b, err = number(); err != nil {
				return nil, err
			}
		}
		px, py := x, y
		switch op {
		case 'M':
			x, y, sx, sy = a, b, a, b
			op = 'L'
			continue
		case 'm':
			x, y = x+a, y+b
			sx, sy = x, y
			op = 'l'
			continue
		case 'L':
			x, y = a, b
		case 'l':
			x, y = x+a, y+b
		case 'H':
			x = a
		case 'h':
			x += a
		case 'V':
			y = a
		case 'v':
			y += a
		}
		out = append(out, [2][2]float64{{px, py}, {x, y}})
	}
	return out, nil
}

// Panels returns the panel groups with their geometry, in order.
func (d *Doc) Panels() ([]Group, []Panel, error) {
	gs := d.All("panel")
	ps := make([]Panel, len(gs))
	for i, g := range gs {
		p, err := g.Panel()
		if err != nil {
			return nil, nil, err
		}
		ps[i] = p
	}
	return gs, ps, nil
}

// In returns the groups of a class inside the panel group p.
func (d *Doc) In(p Group, class string) []Group {
	pi := p.Index
	var out []Group
	for i, g := range d.Groups {
		if g.Class != class {
			continue
		}
		for a := g.Parent; a >= 0; a = d.Groups[a].Parent {
			if a == pi {
				out = append(out, d.Groups[i])
				break
			}
		}
	}
	return out
}

// FrontierTolerance is how far, in points, a drawn frontier dot may be
// from the projection of the frontier point it stands for: frontiers are
// drawn once per cell of a grid of about a dot's diameter.
const FrontierTolerance = 2.0

// CheckFrontier checks that every panel of d draws exactly the frontier
// given (points of utilities in the order of names, the parties as the
// figure names them): the panel's frontier group says it holds
// len(frontier) points, the projection of every one of them on the
// panel's pair is drawn (within FrontierTolerance), and everything drawn
// is the projection of one of them.
func CheckFrontier(d *Doc, names []string, frontier [][]float64) error {
	gs, ps, err := d.Panels()
	if err != nil {
		return err
	}
	if len(gs) == 0 {
		return errors.New("no panel")
	}
	idx := func(name string) int {
		for i, n := range names {
			if n == name {
				return i
			}
		}
		return -1
	}
	for k, g := range gs {
		p := ps[k]
		xi, yi := idx(p.X), idx(p.Y)
		if xi < 0 || yi < 0 {
			return fmt.Errorf("panel %q×%q: not parties of %q", p.X, p.Y, names)
		}
		fg := d.In(g, "frontier")
		if len(fg) != 1 {
			return fmt.Errorf("panel %s×%s: %d frontier groups, want 1", p.X, p.Y, len(fg))
		}
		if n := fg[0].Int("n"); n != len(frontier) {
			return fmt.Errorf("panel %s×%s: the frontier drawn has %d points, want %d", p.X, p.Y, n, len(frontier))
		}
		var segs [][2][2]float64
		for _, pd := range fg[0].Paths {
			s, err := Segments(pd)
			if err != nil {
				return err
			}
			segs = append(segs, s...)
		}
		proj := make([][2]float64, len(frontier))
		for i, u := range frontier {
			proj[i][0], proj[i][1] = p.Page(u[xi], u[yi])
		}
		for i, q := range proj {
			near := false
			for _, s := range segs {
				if segDist(q, s) <= FrontierTolerance {
					near = true
					break
				}
			}
			if !near {
				return fmt.Errorf("panel %s×%s: frontier point %v (page %v) is not drawn", p.X, p.Y, frontier[i], q)
			}
		}
		for _, s := range segs {
			for _, end := range s {
				near := false
				for _, q := range proj {
					if math.Hypot(q[0]-end[0], q[1]-end[1]) <= FrontierTolerance {
						near = true
						break
					}
				}
				if !near {
					return fmt.Errorf("panel %s×%s: the frontier drawn at %v is no frontier point's projection", p.X, p.Y, end)
				}
			}
		}
	}
	return nil
}

// segDist is the distance from q to the segment s.
func segDist(q [2]float64, s [2][2]float64) float64 {
	ax, ay, bx, by := s[0][0], s[0][1], s[1][0], s[1][1]
	dx, dy := bx-ax, by-ay
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = max(0, min(1, ((q[0]-ax)*dx+(q[1]-ay)*dy)/l2))
	}
	return math.Hypot(q[0]-ax-t*dx, q[1]-ay-t*dy)
}

// CheckMarker checks that every panel of d has exactly one marker named
// name with the given hollowness, at exactly the utilities want.
func CheckMarker(d *Doc, name string, hollow bool, want []float64) error {
	gs, _, err := d.Panels()
	if err != nil {
		return err
	}
	for _, g := range gs {
		var found []Group
		for _, m := range d.In(g, "marker") {
			if m.Data["name"] == name && (m.Data["hollow"] == "true") == hollow {
				found = append(found, m)
			}
		}
		if len(found) != 1 {
			return fmt.Errorf("panel %s×%s: %d markers %q (hollow %v), want 1", g.Data["x"], g.Data["y"], len(found), name, hollow)
		}
		at, err := found[0].At()
		if err != nil {
			return err
		}
		if len(at) != len(want) {
			return fmt.Errorf("marker %q at %v, want %v", name, at, want)
		}
		for i := range at {
			// data-at holds 8 significant digits.
			if math.Abs(at[i]-want[i]) > 1e-7*max(1, math.Abs(want[i])) {
				return fmt.Errorf("marker %q at %v, want %v", name, at, want)
			}
		}
	}
	return nil
}
