package plot

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"
)

// MaxAxes is the most parties a UtilitySpace puts on axes: four parties
// make six panels.
const MaxAxes = 4

// UtilitySpace is the utility space of n ≥ 2 parties. Every point holds
// one utility per party, in the order of Parties. Two parties are drawn
// as one panel; three or more as pairwise panels — a panel for every pair
// of the parties on the axes, in the lower triangle of a grid whose
// columns share the X party and rows the Y party — each showing the
// projection of the points on the pair. All fields but Parties are
// optional.
type UtilitySpace struct {
	Title string
	// Note is a line of explanation under the title (wrapped to the width).
	Note string
	// Parties names the parties, in the order of every point's utilities;
	// the axes read "<name>".
	Parties []string
	// Axes are the indices in Parties of the parties that get axes, at
	// least two and at most MaxAxes; nil: every party (the first MaxAxes
	// of more).
	Axes []int

	// Outcomes is the background, drawn as small grey dots; Zone, the
	// packages in the agreement zone, as green dots over them. Dots closer
	// than their radius on the page are drawn once.
	Outcomes, Zone [][]float64
	// OutcomesName and ZoneName name them in the legend (default
	// "Packages" and "Agreement zone").
	OutcomesName, ZoneName string
	// Frontier is the Pareto frontier, drawn as blue dots, closer ones
	// drawn once; with Joined (meaningful for a frontier of exactly the two
	// parties of the one panel) also as a line in order of X, simplified to
	// within 0.2 pt. FrontierName names it in the legend (default "Pareto
	// frontier").
	Frontier     [][]float64
	FrontierName string
	Joined       bool
	// Reservation holds the parties' reservation values, drawn as dashed
	// lines (nil: none).
	Reservation []float64
	// Traces are sequences of points drawn as lines with dots, in the
	// colour of their Party.
	Traces []Trace
	// Counts are points with a multiplicity, drawn as green discs whose
	// area grows with their share of the total count; CountsName names
	// them in the legend (default "Outcomes").
	Counts     []Count
	CountsName string
	// Markers are named points (solutions, the agreement, rooms), drawn
	// over everything else, each with its own glyph; a marker that would
	// cover an earlier one on a panel is moved aside and joined to its
	// place by a thin line.
	Markers []Marker
	// HollowNote, when set, ends the legend with what a filled and a
	// hollow glyph mean (markers of one name may be both): its parts
	// separated by "; " each take a line, with a hollow glyph where the
	// part starts with "hollow" and a filled one otherwise.
	HollowNote string
	// Compact draws a small figure without a legend or title (for a report
	// that explains the figure in its own words).
	Compact bool
}

// Trace is a named sequence of points, drawn in order. With Upper (one
// point per point of Points) point i is a range, drawn as a box from
// Points[i] to Upper[i].
type Trace struct {
	Name string
	// Party is the name of the party whose colour the trace takes (one of
	// UtilitySpace.Parties); otherwise traces take a colour of their own.
	Party  string
	Points [][]float64
	Upper  [][]float64
}

// Count is a point with a multiplicity.
type Count struct {
	At    []float64
	Count int
}

// Marker is a named point.
type Marker struct {
	// Name is the legend's entry; markers of the same Name share it.
	Name string
	At   []float64
	// Kind picks the glyph: "agreement" (star), "nash" (diamond),
	// "kalai-smorodinsky" (square), "max-welfare" (triangle up),
	// "egalitarian" (triangle down), "room" (a disc with the Label
	// inside), "enters-zone" (a blue "+": a package that enters the
	// agreement zone because of the profiles' interactions),
	// "leaves-zone" (a black "×": one that leaves it); any other kind
	// takes the next free glyph.
	Kind string
	// Hollow draws the glyph as an outline (e.g. a solution that ignores
	// red lines, a room without agreement).
	Hollow bool
	// Label is a short text drawn in or beside the glyph (a room's number).
	Label string
	// Tip is the marker's tooltip in SVG (default: its name and
	// utilities).
	Tip string
}

var (
	black      = color.NRGBA{0, 0, 0, 255}
	white      = color.NRGBA{255, 255, 255, 255}
	grey       = color.NRGBA{90, 90, 90, 255}
	gridColor  = color.NRGBA{228, 228, 228, 255}
	frameColor = color.NRGBA{150, 150, 150, 255}

	outcomeColor  = color.NRGBA{120, 120, 120, 90}
	zoneColor     = color.NRGBA{0, 158, 115, 120}
	frontierColor = color.NRGBA{0, 90, 160, 255}
	// projectedColor draws the projection of a frontier of more parties.
	projectedColor = color.NRGBA{0, 90, 160, 105}
	countColor     = color.NRGBA{44, 160, 44, 120}

	reservationLine = lineStyle{color: color.NRGBA{60, 60, 60, 255}, width: 1, dashes: []float64{5, 3}}

	// partyColors are the parties' colours, by their index in Parties,
	// in every figure.
	partyColors = []color.NRGBA{
		{117, 112, 179, 255}, // purple
		{166, 86, 40, 255},   // brown
		{231, 41, 138, 255},  // magenta
		{27, 120, 100, 255},  // dark teal
		{200, 140, 0, 255},   // ochre
		{102, 102, 102, 255}, // grey
		{31, 95, 191, 255},   // blue
		{140, 20, 20, 255},   // dark red
	}
	otherColors = []color.NRGBA{{40, 40, 40, 255}, {120, 120, 120, 255}}

	markerKinds = map[string]markerStyle{
		"agreement":         {shapeStar, color.NRGBA{213, 94, 0, 255}},
		"nash":              {shapeDiamond, color.NRGBA{230, 159, 0, 255}},
		"kalai-smorodinsky": {shapeSquare, color.NRGBA{204, 121, 167, 255}},
		"max-welfare":       {shapeTriangleUp, color.NRGBA{86, 180, 233, 255}},
		"egalitarian":       {shapeTriangleDown, color.NRGBA{240, 228, 66, 255}},
		"room":              {shapeCircle, color.NRGBA{150, 215, 190, 255}},
		// Blue and black (Okabe–Ito, no other kind's), told apart by
		// shape too.
		"enters-zone": {shapeCross, color.NRGBA{0, 114, 178, 255}},
		"leaves-zone": {shapeTimes, color.NRGBA{0, 0, 0, 255}},
	}
	otherMarkers = []markerStyle{
		{shapeHexagon, color.NRGBA{0, 0, 0, 255}},
		{shapeCross, color.NRGBA{0, 114, 178, 255}},
		{shapeCircle, color.NRGBA{200, 200, 200, 255}},
	}
)

type markerStyle struct {
	shape shape
	color color.NRGBA
}

// partyColor is the colour of party i (of any index).
func partyColor(i int) color.NRGBA { return partyColors[i%len(partyColors)] }

func (u *UtilitySpace) check() error {
	n := len(u.Parties)
	if n < 2 {
		return fmt.Errorf("plot: a utility space needs two parties or more, not %d", n)
	}
	for _, s := range []struct {
		name string
		pts  [][]float64
	}{{"Outcomes", u.Outcomes}, {"Zone", u.Zone}, {"Frontier", u.Frontier}} {
		if err := checkPoints(s.name, s.pts, n); err != nil {
			return err
		}
	}
	if u.Reservation != nil {
		if err := checkPoints("Reservation", [][]float64{u.Reservation}, n); err != nil {
			return err
		}
	}
	for i, t := range u.Traces {
		if err := checkPoints(fmt.Sprintf("Traces[%d] (%s).Points", i, t.Name), t.Points, n); err != nil {
			return err
		}
		if t.Upper != nil && len(t.Upper) != len(t.Points) {
			return fmt.Errorf("plot: Traces[%d] (%s) has %d points and %d upper points", i, t.Name, len(t.Points), len(t.Upper))
		}
		if err := checkPoints(fmt.Sprintf("Traces[%d] (%s).Upper", i, t.Name), t.Upper, n); err != nil {
			return err
		}
	}
	for i, c := range u.Counts {
		if err := checkPoints(fmt.Sprintf("Counts[%d]", i), [][]float64{c.At}, n); err != nil {
			return err
		}
	}
	for i, m := range u.Markers {
		if err := checkPoints(fmt.Sprintf("Markers[%d] (%s)", i, m.Name), [][]float64{m.At}, n); err != nil {
			return err
		}
	}
	if u.Axes != nil {
		if len(u.Axes) < 2 || len(u.Axes) > MaxAxes {
			return fmt.Errorf("plot: %d parties on axes; want 2 to %d", len(u.Axes), MaxAxes)
		}
		seen := map[int]bool{}
		for _, a := range u.Axes {
			if a < 0 || a >= n || seen[a] {
				return fmt.Errorf("plot: Axes %v: want distinct indices of the %d parties", u.Axes, n)
			}
			seen[a] = true
		}
	}
	return nil
}

// axes returns the indices of the parties on axes.
func (u *UtilitySpace) axes() []int {
	if u.Axes != nil {
		return u.Axes
	}
	var out []int
	for i := range min(len(u.Parties), MaxAxes) {
		out = append(out, i)
	}
	return out
}

// valueRange is [min(0, data min), max(1, data max)] with a 4% margin.
func (u *UtilitySpace) valueRange() (lo, hi float64) {
	lo, hi = 0, 1
	see := func(p []float64) {
		for _, v := range p {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	for _, set := range [][][]float64{u.Outcomes, u.Zone, u.Frontier} {
		for _, p := range set {
			see(p)
		}
	}
	see(u.Reservation)
	for _, t := range u.Traces {
		for _, p := range t.Points {
			see(p)
		}
		for _, p := range t.Upper {
			see(p)
		}
	}
	for _, c := range u.Counts {
		see(c.At)
	}
	for _, m := range u.Markers {
		see(m.At)
	}
	m := 0.04 * (hi - lo)
	return lo - m, hi + m
}

// Fonts and sizes, in points.
const (
	pad        = 10
	titleSize  = 13
	noteSize   = 9
	labelSize  = 10
	tickSize   = 8.5
	legendSize = 9
	legendRow  = 13
	thumbW     = 18
	legendPad  = 6
	legendMaxW = 200
	panelGap   = 10
	markerR    = 4.6
	outcomeR   = 1.3
	zoneR      = 1.6
	frontierR  = 1.6
	projectedR = 1.2
	// thinCell is the side, in dot radii, of the grid on which background
	// dots (outcomes, zone, a projected frontier) are drawn once per cell.
	thinCell    = 1.5
	traceR      = 2.2
	compactFont = 0.85 // compact figures scale text by this
)

type legendEntry struct {
	name  string
	thumb func(c canvas, x, y float64) // x, y: the thumb's centre; nil: none
}

type legend struct {
	entries []legendEntry
	ts      textStyle
	w, h    float64
}

func newLegend(entries []legendEntry) *legend {
	l := &legend{entries: entries, ts: textStyle{size: legendSize, color: black, anchor: -1}}
	if len(entries) == 0 {
		return l
	}
	maxText := float64(legendMaxW - 2*legendPad - thumbW - 4)
	// A name wider than the legend takes more lines (without a thumb).
	var lines []legendEntry
	for _, e := range entries {
		if l.ts.width(e.name) <= maxText {
			lines = append(lines, e)
			continue
		}
		for i, line := range wrapText(e.name, l.ts, maxText) {
			if i == 0 {
				lines = append(lines, legendEntry{line, e.thumb})
			} else {
				lines = append(lines, legendEntry{line, nil})
			}
		}
	}
	l.entries = lines
	wText := 0.0
	for i := range l.entries {
		l.entries[i].name = fitText(l.entries[i].name, l.ts, maxText)
		wText = max(wText, l.ts.width(l.entries[i].name))
	}
	l.w = 2*legendPad + thumbW + 4 + wText
	l.h = 2*legendPad + legendRow*float64(len(l.entries)) - (legendRow - legendSize - 2)
	return l
}

func (l *legend) draw(c canvas, x, y float64) {
	if len(l.entries) == 0 {
		return
	}
	c.group("legend", "")
	c.fill(rectPath(x, y, x+l.w, y+l.h), white)
	c.stroke(rectPath(x, y, x+l.w, y+l.h), lineStyle{color: frameColor, width: 0.6})
	for i, e := range l.entries {
		cy := y + legendPad + legendSize/2 + 1 + legendRow*float64(i)
		if e.thumb != nil {
			e.thumb(c, x+legendPad+thumbW/2, cy)
		}
		c.text(x+legendPad+thumbW+4, cy, e.name, l.ts)
	}
	c.ungroup()
}

// fitText shortens s with an ellipsis to at most w points.
func fitText(s string, ts textStyle, w float64) string {
	if ts.width(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 1 {
		r = r[:len(r)-1]
		if t := strings.TrimSpace(string(r)) + "…"; ts.width(t) <= w {
			return t
		}
	}
	return "…"
}

// wrapText breaks s into lines of at most w points.
func wrapText(s string, ts textStyle, w float64) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		if line != "" && ts.width(line+" "+word) > w {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	if line != "" {
		lines = append(lines, fitText(line, ts, w))
	}
	return lines
}

// niceTicks returns the major tick values in [lo, hi]: multiples of a
// 1-2-2.5-5 step, about want of them, and the decimals to print them.
func niceTicks(lo, hi float64, want int) ([]float64, int) {
	if !(hi > lo) {
		return nil, 0
	}
	raw := (hi - lo) / float64(want)
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
	var out []float64
	for k := math.Ceil(lo / step); k <= math.Floor(hi/step); k++ {
		v := k * step
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		out = append(out, v)
	}
	return out, dec
}

// panel is one pair's plot area.
type panel struct {
	xi, yi     int     // party indices
	x0, y0, sz float64 // top-left corner and side
	lo, hi     float64
}

func (p *panel) X(v float64) float64 { return p.x0 + (v-p.lo)/(p.hi-p.lo)*p.sz }
func (p *panel) Y(v float64) float64 { return p.y0 + p.sz - (v-p.lo)/(p.hi-p.lo)*p.sz }
func (p *panel) at(u []float64) [2]float64 {
	return [2]float64{p.X(u[p.xi]), p.Y(u[p.yi])}
}

// thin maps points to the page and returns the cells of a grid of side
// cell points that they fall in, each once, in order of first point.
func (p *panel) thin(pts [][]float64, cell float64) [][2]int32 {
	out := make([][2]int32, 0, len(pts))
	seen := make(map[[2]int32]bool, len(pts))
	for _, u := range pts {
		q := p.at(u)
		k := [2]int32{int32(math.Floor(q[0] / cell)), int32(math.Floor(q[1] / cell))}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

func (u *UtilitySpace) layout() (float64, float64, func(canvas), error) {
	if err := u.check(); err != nil {
		return 0, 0, nil, err
	}
	axes := u.axes()
	k := len(axes)
	cells := k - 1
	lo, hi := u.valueRange()
	scale := 1.0
	if u.Compact {
		scale = compactFont
	}
	tickTS := textStyle{size: tickSize * scale, color: grey}
	labelTS := textStyle{size: labelSize * scale, color: black, anchor: 0}
	want := 5
	var side float64
	switch {
	case u.Compact && k == 2:
		side, want = 190, 4
	case u.Compact && k == 3:
		side, want = 118, 2
	case u.Compact:
		side, want = 88, 2
	case k == 2:
		side = 300
	case k == 3:
		side = 200
	default:
		side, want = 145, 4
	}
	ticks, dec := niceTicks(lo, hi, want)
	tickW := 0.0
	for _, t := range ticks {
		tickW = max(tickW, tickTS.width(strconv.FormatFloat(t, 'f', dec, 64)))
	}
	left := labelTS.size + 6 + tickW + 4
	bottom := tickTS.size + 4 + labelTS.size + 6
	gridW := left + float64(cells)*side + float64(cells-1)*panelGap
	gridH := float64(cells)*side + float64(cells-1)*panelGap + bottom

	var lg *legend
	if !u.Compact {
		lg = newLegend(u.legendEntries())
	} else {
		lg = newLegend(nil)
	}
	outside := lg.h > 0
	var legX, legY float64 // relative to the grid's top-left corner
	if lg.h > 0 && k >= 3 {
		// The empty upper-right triangle: first the top row right of the
		// first column, then the last column above the last row.
		if w, h := float64(cells-1)*(side+panelGap)-panelGap, side; lg.w <= w-4 && lg.h <= h {
			legX, legY, outside = gridW-lg.w, 0, false
		} else if w, h := side, float64(cells-1)*(side+panelGap)-panelGap; lg.w <= w-4 && lg.h <= h {
			legX, legY, outside = gridW-lg.w, 0, false
		}
	}
	if outside {
		legX, legY = gridW+14, 0
	}

	width := pad + gridW + pad
	if outside {
		width = pad + gridW + 14 + lg.w + pad
	}
	top := float64(pad)
	var title []string
	var note []string
	if !u.Compact {
		title = wrapText(u.Title, titleStyle, width-2*pad)
		note = wrapText(u.Note, noteStyle, width-2*pad)
	}
	top += float64(len(title)) * (titleSize + 4)
	top += float64(len(note)) * (noteSize + 3)
	if len(title) > 0 || len(note) > 0 {
		top += 6
	}
	height := top + max(gridH, legY+lg.h) + pad
	if u.Compact {
		width = gridW + 6
		height = gridH + 6
		top = 4
	}
	gx := float64(pad)
	if u.Compact {
		gx = 2
	}

	var panels []*panel
	for a := range cells {
		for b := a; b < cells; b++ {
			panels = append(panels, &panel{xi: axes[a], yi: axes[b+1],
				x0: gx + left + float64(a)*(side+panelGap), y0: top + float64(b)*(side+panelGap), sz: side, lo: lo, hi: hi})
		}
	}

	draw := func(c canvas) {
		drawHeading(c, width, title, note)
		for _, p := range panels {
			u.drawPanel(c, p, ticks)
		}
		// Tick labels and axis names on the outer edges: the left column
		// and the bottom row.
		for _, p := range panels {
			if p.x0 == gx+left {
				ts := tickTS
				ts.anchor = 1
				for _, t := range ticks {
					c.text(p.x0-3, p.Y(t), strconv.FormatFloat(t, 'f', dec, 64), ts)
				}
				lts := labelTS
				lts.up = true
				c.text(gx+labelTS.size/2+1, p.y0+p.sz/2, fitText(u.Parties[p.yi], lts, p.sz), lts)
			}
			if p.y0+p.sz > top+gridH-bottom-1 {
				ts := tickTS
				ts.anchor = 0
				for _, t := range ticks {
					c.text(p.X(t), p.y0+p.sz+3+tickTS.size/2, strconv.FormatFloat(t, 'f', dec, 64), ts)
				}
				c.text(p.x0+p.sz/2, p.y0+p.sz+4+tickTS.size+3+labelTS.size/2, fitText(u.Parties[p.xi], labelTS, p.sz+panelGap), labelTS)
			}
		}
		lg.draw(c, gx+legX, top+legY)
	}
	return width, height, draw, nil
}

func (u *UtilitySpace) traceColor(i int) color.NRGBA {
	t := u.Traces[i]
	if j := slices.Index(u.Parties, t.Party); j >= 0 {
		return partyColor(j)
	}
	k := 0
	for _, s := range u.Traces[:i] {
		if !slices.Contains(u.Parties, s.Party) {
			k++
		}
	}
	return otherColors[k%len(otherColors)]
}

// markerStyles gives every marker its glyph and colour: by kind, or the
// next free one by the order of first appearance of the name.
func (u *UtilitySpace) markerStyles() []markerStyle {
	out := make([]markerStyle, len(u.Markers))
	byName := map[string]markerStyle{}
	next := 0
	for i, m := range u.Markers {
		if st, ok := markerKinds[m.Kind]; ok {
			out[i] = st
			continue
		}
		st, ok := byName[m.Name]
		if !ok {
			st = otherMarkers[next%len(otherMarkers)]
			next++
			byName[m.Name] = st
		}
		out[i] = st
	}
	return out
}

// glyph draws marker m's glyph at (x, y).
func drawGlyph(c canvas, m Marker, st markerStyle, x, y, r float64) {
	if m.Label != "" || m.Kind == "room" {
		ts := textStyle{size: 7.5, bold: true, color: black, anchor: 0}
		r = max(r+0.6, ts.width(m.Label)/2+2.2)
		p := polygon(x, y, r, 20, 0, 0)
		if m.Hollow {
			c.fill(p, white)
			c.stroke(p, lineStyle{color: grey, width: 1, dashes: []float64{2, 1.5}})
		} else {
			c.fill(p, st.color)
			c.stroke(p, lineStyle{color: black, width: 0.7})
		}
		c.text(x, y, m.Label, ts)
		return
	}
	p := shapePath(st.shape, x, y, r)
	if m.Hollow {
		c.fill(p, white)
		c.stroke(p, lineStyle{color: st.color, width: 1.8})
		return
	}
	c.fill(p, st.color)
	c.stroke(p, lineStyle{color: black, width: 0.8})
}

func (u *UtilitySpace) legendEntries() []legendEntry {
	var out []legendEntry
	dotThumb := func(r float64, col color.NRGBA) func(canvas, float64, float64) {
		return func(c canvas, x, y float64) { c.dots([][2]float64{{x, y}}, r, col) }
	}
	if len(u.Outcomes) > 0 {
		col := outcomeColor
		col.A = 180
		out = append(out, legendEntry{cmp.Or(u.OutcomesName, "Packages"), dotThumb(2.4, col)})
	}
	if len(u.Zone) > 0 {
		col := zoneColor
		col.A = 220
		out = append(out, legendEntry{cmp.Or(u.ZoneName, "Agreement zone"), dotThumb(2.8, col)})
	}
	if u.Reservation != nil {
		out = append(out, legendEntry{"Reservation values", func(c canvas, x, y float64) {
			var p path
			p.move(x-thumbW/2, y)
			p.line(x+thumbW/2, y)
			c.stroke(p, reservationLine)
		}})
	}
	if len(u.Frontier) > 0 {
		joined := u.Joined
		out = append(out, legendEntry{cmp.Or(u.FrontierName, "Pareto frontier"), func(c canvas, x, y float64) {
			if joined {
				var p path
				p.move(x-thumbW/2, y)
				p.line(x+thumbW/2, y)
				c.stroke(p, lineStyle{color: frontierColor, width: 1.4})
				c.dots([][2]float64{{x, y}}, 2.2, frontierColor)
				return
			}
			col := projectedColor
			col.A = 150
			c.dots([][2]float64{{x - 5, y}, {x - 2, y - 2}, {x + 1, y + 1}, {x + 4, y - 1}, {x + 6, y + 2}}, projectedR+0.3, col)
		}})
	}
	if len(u.Counts) > 0 {
		out = append(out, legendEntry{cmp.Or(u.CountsName, "Outcomes"), dotThumb(4, countColor)})
	}
	for i, t := range u.Traces {
		if len(t.Points) == 0 {
			continue
		}
		col := u.traceColor(i)
		upper := t.Upper != nil
		out = append(out, legendEntry{cmp.Or(t.Name, fmt.Sprintf("Trace %d", i+1)), func(c canvas, x, y float64) {
			if upper {
				box := col
				box.A = 50
				c.fill(rectPath(x-6, y-4, x+2, y+4), box)
			}
			var p path
			p.move(x-thumbW/2, y)
			p.line(x+thumbW/2, y)
			c.stroke(p, lineStyle{color: col, width: 1.2})
			c.dots([][2]float64{{x, y}}, traceR+0.7, white)
			c.dots([][2]float64{{x, y}}, traceR, col)
		}})
	}
	// One entry per name, with a filled glyph, a hollow one or both.
	styles := u.markerStyles()
	type entry struct {
		m              Marker
		st             markerStyle
		filled, hollow bool
	}
	var names []string
	entries := map[string]*entry{}
	for i, m := range u.Markers {
		name := cmp.Or(m.Name, fmt.Sprintf("Marker %d", i+1))
		e := entries[name]
		if e == nil {
			e = &entry{m: m, st: styles[i]}
			e.m.Label = ""
			entries[name] = e
			names = append(names, name)
		}
		e.filled = e.filled || !m.Hollow
		e.hollow = e.hollow || m.Hollow
	}
	for _, name := range names {
		e := entries[name]
		out = append(out, legendEntry{name, func(c canvas, x, y float64) {
			if e.filled && e.hollow {
				m := e.m
				m.Hollow = false
				drawGlyph(c, m, e.st, x-4.5, y, markerR-0.6)
				m.Hollow = true
				drawGlyph(c, m, e.st, x+5, y, markerR-0.6)
				return
			}
			drawGlyph(c, e.m, e.st, x, y, markerR)
		}})
	}
	hollow := false
	for _, m := range u.Markers {
		hollow = hollow || m.Hollow
	}
	if u.HollowNote != "" && hollow {
		// "filled: …; hollow: …" takes a line per glyph, so that a
		// narrow legend never cuts it.
		st := markerStyle{shapeCircle, color.NRGBA{130, 130, 130, 255}}
		for _, part := range strings.Split(u.HollowNote, "; ") {
			hollow := strings.HasPrefix(part, "hollow")
			out = append(out, legendEntry{part, func(c canvas, x, y float64) {
				drawGlyph(c, Marker{Hollow: hollow}, st, x, y, markerR-1)
			}})
		}
	}
	return out
}

// tip is a marker's tooltip: its name and every party's utility.
func (u *UtilitySpace) tip(name string, at []float64) string {
	parts := make([]string, len(at))
	for i, v := range at {
		parts[i] = fmt.Sprintf("%s %.4f", u.Parties[i], v)
	}
	return name + ": " + strings.Join(parts, ", ")
}

func utilAttr(at []float64) string {
	parts := make([]string, len(at))
	for i, v := range at {
		parts[i] = strconv.FormatFloat(v, 'g', 8, 64)
	}
	return strings.Join(parts, " ")
}

func (u *UtilitySpace) drawPanel(c canvas, p *panel, ticks []float64) {
	// The panel's place (left, top, side, in points) and value range let
	// a reader of the SVG map its coordinates back to utilities.
	c.group("panel", "", "x", u.Parties[p.xi], "y", u.Parties[p.yi],
		"box", num(p.x0)+" "+num(p.y0)+" "+num(p.sz), "range", utilAttr([]float64{p.lo, p.hi}))
	x1, y1 := p.x0+p.sz, p.y0+p.sz
	c.fill(rectPath(p.x0, p.y0, x1, y1), white)
	var grid path
	for _, t := range ticks {
		grid.move(p.X(t), p.y0)
		grid.line(p.X(t), y1)
		grid.move(p.x0, p.Y(t))
		grid.line(x1, p.Y(t))
	}
	c.stroke(grid, lineStyle{color: gridColor, width: 0.6})

	// Background dots are drawn once per cell of a grid of about their
	// diameter: size follows the area covered, not the number of points.
	var zone [][2]int32
	zc := thinCell * zoneR
	if len(u.Outcomes) > 0 || len(u.Zone) > 0 {
		zone = p.thin(u.Zone, zc)
		oc := thinCell * outcomeR
		inZone := map[[2]int32]bool{}
		for _, k := range zone {
			inZone[k] = true
		}
		var outs [][2]int32
		for _, k := range p.thin(u.Outcomes, oc) {
			// Hidden under a zone dot: not drawn.
			z := [2]int32{int32(math.Floor((float64(k[0]) + 0.5) * oc / zc)), int32(math.Floor((float64(k[1]) + 0.5) * oc / zc))}
			if !inZone[z] {
				outs = append(outs, k)
			}
		}
		if len(outs) > 0 {
			c.group("outcomes", "", "n", strconv.Itoa(len(u.Outcomes)), "drawn", strconv.Itoa(len(outs)))
			c.grid(outs, oc, outcomeR, outcomeColor)
			c.ungroup()
		}
	}
	if len(zone) > 0 {
		c.group("zone", "", "n", strconv.Itoa(len(u.Zone)), "drawn", strconv.Itoa(len(zone)))
		c.grid(zone, zc, zoneR, zoneColor)
		c.ungroup()
	}
	if len(u.Frontier) > 0 && !u.Joined {
		// A projection of a frontier of more parties covers an area:
		// translucent, over the zone (which may be the whole space).
		fc := thinCell * projectedR
		cells := p.thin(u.Frontier, fc)
		c.group("frontier", "", "n", strconv.Itoa(len(u.Frontier)), "drawn", strconv.Itoa(len(cells)), "projected", "true")
		c.grid(cells, fc, projectedR, projectedColor)
		c.ungroup()
	}
	if r := u.Reservation; r != nil {
		var rp path
		rp.move(p.X(r[p.xi]), p.y0)
		rp.line(p.X(r[p.xi]), y1)
		rp.move(p.x0, p.Y(r[p.yi]))
		rp.line(x1, p.Y(r[p.yi]))
		c.group("reservation", "")
		c.stroke(rp, reservationLine)
		c.ungroup()
	}
	if len(u.Frontier) > 0 && u.Joined {
		// The frontier of the panel's two parties: a line, simplified to
		// within 0.2 pt, and its points, once per 1.5 pt (the dots show
		// where packages are; a dense frontier is the line).
		pts := make([][2]float64, len(u.Frontier))
		for i, f := range u.Frontier {
			pts[i] = p.at(f)
		}
		slices.SortStableFunc(pts, func(a, b [2]float64) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(b[1], a[1])) })
		var dots [][2]float64
		seen := map[[2]int32]bool{}
		for _, q := range pts {
			k := [2]int32{int32(math.Floor(q[0] / 1.5)), int32(math.Floor(q[1] / 1.5))}
			if !seen[k] {
				seen[k] = true
				dots = append(dots, q)
			}
		}
		line := simplify(pts, 0.2)
		c.group("frontier", "", "n", strconv.Itoa(len(u.Frontier)), "drawn", strconv.Itoa(len(dots)), "vertices", strconv.Itoa(len(line)))
		var fp path
		for i, q := range line {
			if i == 0 {
				fp.move(q[0], q[1])
			} else {
				fp.line(q[0], q[1])
			}
		}
		c.stroke(fp, lineStyle{color: frontierColor, width: 1.4})
		c.dots(dots, frontierR, frontierColor)
		c.ungroup()
	}
	if len(u.Counts) > 0 {
		total := 0
		for _, ct := range u.Counts {
			total += ct.Count
		}
		total = max(total, 1)
		byR := map[float64][][2]float64{}
		var radii []float64
		maxR := 9.0
		if u.Compact {
			maxR = 7
		}
		for _, ct := range u.Counts {
			r := math.Round((1.8+maxR*math.Sqrt(float64(ct.Count)/float64(total)))*2) / 2
			if _, ok := byR[r]; !ok {
				radii = append(radii, r)
			}
			byR[r] = append(byR[r], p.at(ct.At))
		}
		slices.Sort(radii)
		slices.Reverse(radii)
		c.group("counts", "", "n", strconv.Itoa(len(u.Counts)), "total", strconv.Itoa(total))
		for _, r := range radii {
			c.dots(byR[r], r, countColor)
		}
		c.ungroup()
	}
	for i, t := range u.Traces {
		if len(t.Points) == 0 {
			continue
		}
		col := u.traceColor(i)
		c.group("trace", "", "name", t.Name, "n", strconv.Itoa(len(t.Points)))
		if t.Upper != nil {
			box := col
			box.A = 28
			var bp path
			for j, lo := range t.Points {
				a, b := p.at(lo), p.at(t.Upper[j])
				bp = append(bp, rectPath(a[0], a[1], max(b[0], a[0]+0.1), min(b[1], a[1]-0.1))...)
			}
			c.fill(bp, box)
			edge := col
			edge.A = 110
			c.stroke(bp, lineStyle{color: edge, width: 0.5})
		}
		var lp path
		pts := make([][2]float64, len(t.Points))
		for j, q := range t.Points {
			pts[j] = p.at(q)
			if j == 0 {
				lp.move(pts[j][0], pts[j][1])
			} else {
				lp.line(pts[j][0], pts[j][1])
			}
		}
		if len(pts) > 1 {
			c.stroke(lp, lineStyle{color: col, width: 1.1})
		}
		c.dots(pts, traceR+0.7, white)
		c.dots(pts, traceR, col)
		c.ungroup()
	}
	u.drawMarkers(c, p)
	c.group("frame", "")
	c.stroke(rectPath(p.x0, p.y0, x1, y1), lineStyle{color: frameColor, width: 0.8})
	c.ungroup()
	c.ungroup()
}

// drawMarkers draws the markers of a panel, each moved aside (with a
// leader line to its place) when it would cover an earlier one.
func (u *UtilitySpace) drawMarkers(c canvas, p *panel) {
	styles := u.markerStyles()
	r := markerR
	if u.Compact {
		r = 3.8
	}
	type placed struct{ x, y, r float64 }
	var done []placed
	free := func(x, y, rr float64) bool {
		for _, d := range done {
			if math.Hypot(x-d.x, y-d.y) < d.r+rr+0.6 {
				return false
			}
		}
		return true
	}
	for i, m := range u.Markers {
		rr := r
		if m.Label != "" || m.Kind == "room" {
			rr = max(r+0.6, textStyle{size: 7.5, bold: true}.width(m.Label)/2+2.2)
		}
		tx, ty := p.X(m.At[p.xi]), p.Y(m.At[p.yi])
		x, y := tx, ty
		if !free(x, y, rr) {
		search:
			for ring := 1; ring <= 6; ring++ {
				d := float64(ring) * 2.3 * rr
				for _, deg := range []float64{45, 135, -45, -135, 90, 0, 180, -90} {
					a := deg * math.Pi / 180
					cx, cy := tx+d*math.Cos(a), ty-d*math.Sin(a)
					if free(cx, cy, rr) {
						x, y = cx, cy
						break search
					}
				}
			}
		}
		tip := m.Tip
		if tip == "" {
			tip = u.tip(m.Name, m.At)
		}
		attrs := []string{"kind", m.Kind, "name", m.Name, "at", utilAttr(m.At)}
		if m.Hollow {
			attrs = append(attrs, "hollow", "true")
		}
		c.group("marker", tip, attrs...)
		if x != tx || y != ty {
			var lp path
			lp.move(tx, ty)
			lp.line(x, y)
			c.stroke(lp, lineStyle{color: grey, width: 0.7})
			c.dots([][2]float64{{tx, ty}}, 1.3, grey)
		}
		drawGlyph(c, m, styles[i], x, y, r)
		c.ungroup()
		done = append(done, placed{x, y, rr})
	}
}

// simplify returns pts with the vertices that a polyline within tol of
// the original can drop removed (Ramer–Douglas–Peucker).
func simplify(pts [][2]float64, tol float64) [][2]float64 {
	if len(pts) < 3 {
		return pts
	}
	keep := make([]bool, len(pts))
	keep[0], keep[len(pts)-1] = true, true
	type span struct{ a, b int }
	stack := []span{{0, len(pts) - 1}}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		ax, ay := pts[s.a][0], pts[s.a][1]
		bx, by := pts[s.b][0], pts[s.b][1]
		dx, dy := bx-ax, by-ay
		l2 := dx*dx + dy*dy
		far, fi := -1.0, -1
		for i := s.a + 1; i < s.b; i++ {
			px, py := pts[i][0]-ax, pts[i][1]-ay
			var d float64
			if l2 == 0 {
				d = math.Hypot(px, py)
			} else {
				t := max(0, min(1, (px*dx+py*dy)/l2))
				d = math.Hypot(px-t*dx, py-t*dy)
			}
			if d > far {
				far, fi = d, i
			}
		}
		if far > tol {
			keep[fi] = true
			stack = append(stack, span{s.a, fi}, span{fi, s.b})
		}
	}
	var out [][2]float64
	for i, k := range keep {
		if k {
			out = append(out, pts[i])
		}
	}
	return out
}
