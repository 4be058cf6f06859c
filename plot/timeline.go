package plot

import (
	"cmp"
	"fmt"
	"math"
	"strconv"
)

// Timeline is a figure of values over rounds: one line per series in the
// colour of its party, optionally with each step a range drawn as a band,
// the parties' reservation values as dashed lines, marks (the agreement)
// as vertical lines with a glyph at each party's value, and bars (the size
// of a blind overlap, say) in a panel of their own below.
type Timeline struct {
	Title string
	// Note is a line of explanation under the title (wrapped).
	Note string
	// Parties names the parties; a series, a reservation value and a
	// mark's values take the colour of their party's index.
	Parties []string
	// XName and YName name the axes (default "Round" and "Utility").
	XName, YName string
	Series       []Series
	// Reservation holds a reservation value per party (nil: none).
	Reservation []float64
	Marks       []Mark
	// Bars are drawn in a panel below, on an axis from 0 named BarsName.
	Bars     []Bar
	BarsName string
}

// Series is a named line of steps of one party.
type Series struct {
	Name  string
	Party int
	Steps []Step
}

// Step is a value at X; with Range, also the range [Low, High] (drawn as
// a band joining the series' ranges).
type Step struct {
	X, Y      float64
	Range     bool
	Low, High float64
}

// Mark is an event at X (the agreement): a vertical line and, with At, a
// glyph of its Kind (see Marker) at each party's value.
type Mark struct {
	Name string
	Kind string
	X    float64
	At   []float64
}

// Bar is a value at X.
type Bar struct {
	X, Value float64
}

func (t *Timeline) check() error {
	n := len(t.Parties)
	if n == 0 {
		return fmt.Errorf("plot: a timeline needs at least one party")
	}
	for i, s := range t.Series {
		if s.Party < 0 || s.Party >= n {
			return fmt.Errorf("plot: Series[%d] (%s) is of party %d of %d", i, s.Name, s.Party, n)
		}
		for j, st := range s.Steps {
			if !finite(st.X) || !finite(st.Y) || (st.Range && (!finite(st.Low) || !finite(st.High))) {
				return fmt.Errorf("plot: Series[%d] (%s) step %d is not finite", i, s.Name, j)
			}
		}
	}
	if t.Reservation != nil {
		if err := checkPoints("Reservation", [][]float64{t.Reservation}, n); err != nil {
			return err
		}
	}
	for i, m := range t.Marks {
		if !finite(m.X) {
			return fmt.Errorf("plot: Marks[%d] (%s) is not finite", i, m.Name)
		}
		if m.At != nil {
			if err := checkPoints(fmt.Sprintf("Marks[%d] (%s)", i, m.Name), [][]float64{m.At}, n); err != nil {
				return err
			}
		}
	}
	for i, b := range t.Bars {
		if !finite(b.X) || !finite(b.Value) {
			return fmt.Errorf("plot: Bars[%d] is not finite", i)
		}
	}
	return nil
}

func (t *Timeline) layout() (float64, float64, func(canvas), error) {
	if err := t.check(); err != nil {
		return 0, 0, nil, err
	}
	xlo, xhi := math.Inf(1), math.Inf(-1)
	ylo, yhi := 0.0, 1.0
	for _, s := range t.Series {
		for _, st := range s.Steps {
			xlo, xhi = min(xlo, st.X), max(xhi, st.X)
			ylo, yhi = min(ylo, st.Y), max(yhi, st.Y)
			if st.Range {
				ylo, yhi = min(ylo, st.Low), max(yhi, st.High)
			}
		}
	}
	for _, m := range t.Marks {
		xlo, xhi = min(xlo, m.X), max(xhi, m.X)
		for _, v := range m.At {
			ylo, yhi = min(ylo, v), max(yhi, v)
		}
	}
	bmax := 0.0
	for _, b := range t.Bars {
		xlo, xhi = min(xlo, b.X), max(xhi, b.X)
		bmax = max(bmax, b.Value)
	}
	for _, v := range t.Reservation {
		ylo, yhi = min(ylo, v), max(yhi, v)
	}
	if math.IsInf(xlo, 1) {
		xlo, xhi = 0, 1
	}
	if xhi-xlo < 1 {
		xlo, xhi = xlo-0.5, xhi+0.5
	}
	xm := 0.03 * (xhi - xlo)
	xlo, xhi = xlo-xm, xhi+xm
	ym := 0.04 * (yhi - ylo)
	ylo, yhi = ylo-ym, yhi+ym

	tickTS := textStyle{size: tickSize, color: grey}
	labelTS := textStyle{size: labelSize, color: black, anchor: 0}
	yTicks, ydec := niceTicks(ylo, yhi, 5)
	xTicks, xdec := niceTicks(xlo, xhi, 8)
	if xdec > 0 { // rounds are whole
		var whole []float64
		for _, v := range xTicks {
			if v == math.Trunc(v) {
				whole = append(whole, v)
			}
		}
		xTicks, xdec = whole, 0
	}
	bTicks, bdec := niceTicks(0, max(bmax, 1)*1.05, 3)
	tickW := 0.0
	for _, v := range yTicks {
		tickW = max(tickW, tickTS.width(strconv.FormatFloat(v, 'f', ydec, 64)))
	}
	for _, v := range bTicks {
		tickW = max(tickW, tickTS.width(strconv.FormatFloat(v, 'f', bdec, 64)))
	}
	left := pad + labelSize + 6 + tickW + 4
	const plotW, plotH, barsH = 360.0, 240.0, 80.0

	lg := newLegend(t.legendEntries())
	width := left + plotW + 14 + lg.w + pad
	title := wrapText(t.Title, titleStyle, width-2*pad)
	note := wrapText(t.Note, noteStyle, width-2*pad)
	top := float64(pad)
	top += float64(len(title)) * (titleSize + 4)
	top += float64(len(note)) * (noteSize + 3)
	if len(title) > 0 || len(note) > 0 {
		top += 6
	}
	mainBottom := top + plotH
	barsTop := mainBottom + 14
	bottom := mainBottom
	if len(t.Bars) > 0 {
		bottom = barsTop + barsH
	}
	height := max(bottom+tickSize+4+labelSize+6, top+lg.h) + pad

	X := func(v float64) float64 { return left + (v-xlo)/(xhi-xlo)*plotW }
	Y := func(v float64) float64 { return mainBottom - (v-ylo)/(yhi-ylo)*plotH }
	bTop := max(bmax, 1) * 1.05
	B := func(v float64) float64 { return barsTop + barsH - v/bTop*barsH }

	draw := func(c canvas) {
		drawHeading(c, width, title, note)
		frame := func(y0, y1 float64, yt []float64, f func(float64) float64, dec int, name string) {
			c.fill(rectPath(left, y0, left+plotW, y1), white)
			var g path
			for _, v := range yt {
				g.move(left, f(v))
				g.line(left+plotW, f(v))
			}
			for _, v := range xTicks {
				g.move(X(v), y0)
				g.line(X(v), y1)
			}
			c.stroke(g, lineStyle{color: gridColor, width: 0.6})
			ts := tickTS
			ts.anchor = 1
			for _, v := range yt {
				c.text(left-3, f(v), strconv.FormatFloat(v, 'f', dec, 64), ts)
			}
			lts := labelTS
			lts.up = true
			c.text(pad+labelSize/2+1, (y0+y1)/2, fitText(name, lts, y1-y0), lts)
		}
		c.group("panel", "", "name", "main")
		frame(top, mainBottom, yTicks, Y, ydec, cmp.Or(t.YName, "Utility"))
		for i, r := range t.Reservation {
			var p path
			p.move(left, Y(r))
			p.line(left+plotW, Y(r))
			ls := reservationLine
			ls.color = partyColor(i)
			ls.width = 0.9
			c.group("reservation", fmt.Sprintf("reservation value of %s: %.4f", t.Parties[i], r), "party", t.Parties[i])
			c.stroke(p, ls)
			c.ungroup()
		}
		for _, s := range t.Series {
			col := partyColor(s.Party)
			c.group("series", "", "party", t.Parties[s.Party], "name", s.Name, "n", strconv.Itoa(len(s.Steps)))
			var band path
			for j := 0; j < len(s.Steps); j++ {
				if !s.Steps[j].Range {
					continue
				}
				// A run of ranges is one band: highs forward, lows back.
				k := j
				for k+1 < len(s.Steps) && s.Steps[k+1].Range {
					k++
				}
				for i := j; i <= k; i++ {
					if i == j {
						band.move(X(s.Steps[i].X), Y(s.Steps[i].High))
					} else {
						band.line(X(s.Steps[i].X), Y(s.Steps[i].High))
					}
				}
				for i := k; i >= j; i-- {
					band.line(X(s.Steps[i].X), Y(s.Steps[i].Low))
				}
				band.close()
				if j == k { // a single range: a bar
					band = append(band, rectPath(X(s.Steps[j].X)-2, Y(s.Steps[j].High), X(s.Steps[j].X)+2, Y(s.Steps[j].Low))...)
				}
				j = k
			}
			if len(band) > 0 {
				bc := col
				bc.A = 45
				c.fill(band, bc)
			}
			var lp path
			pts := make([][2]float64, len(s.Steps))
			for j, st := range s.Steps {
				pts[j] = [2]float64{X(st.X), Y(st.Y)}
				if j == 0 {
					lp.move(pts[j][0], pts[j][1])
				} else {
					lp.line(pts[j][0], pts[j][1])
				}
			}
			if len(pts) > 1 {
				c.stroke(lp, lineStyle{color: col, width: 1.3})
			}
			r := traceR
			if len(pts) > 60 {
				r = 1.4
			}
			c.dots(pts, r, col)
			c.ungroup()
		}
		for _, m := range t.Marks {
			c.group("mark", m.Name, "kind", m.Kind, "name", m.Name, "x", strconv.FormatFloat(m.X, 'g', -1, 64))
			var p path
			p.move(X(m.X), top)
			p.line(X(m.X), mainBottom)
			c.stroke(p, lineStyle{color: grey, width: 0.9, dashes: []float64{2, 2}})
			st, ok := markerKinds[m.Kind]
			if !ok {
				st = otherMarkers[0]
			}
			for i, v := range m.At {
				g := shapePath(st.shape, X(m.X), Y(v), markerR)
				c.fill(g, partyColor(i))
				c.stroke(g, lineStyle{color: black, width: 0.8})
			}
			c.ungroup()
		}
		c.stroke(rectPath(left, top, left+plotW, mainBottom), lineStyle{color: frameColor, width: 0.8})
		c.ungroup()
		xAxisAt := mainBottom
		if len(t.Bars) > 0 {
			c.group("panel", "", "name", "bars")
			frame(barsTop, barsTop+barsH, bTicks, B, bdec, t.BarsName)
			var bp path
			w := max(1.5, min(10, 0.6*plotW/float64(len(t.Bars))))
			for _, b := range t.Bars {
				if b.Value > 0 {
					bp = append(bp, rectPath(X(b.X)-w/2, B(b.Value), X(b.X)+w/2, B(0))...)
				}
			}
			c.group("bars", "", "n", strconv.Itoa(len(t.Bars)))
			c.fill(bp, countColor)
			// A zero is a tick on the axis, so that "empty" is visible.
			var zp path
			for _, b := range t.Bars {
				if b.Value == 0 {
					zp.move(X(b.X)-w/2, B(0)-1)
					zp.line(X(b.X)+w/2, B(0)-1)
				}
			}
			c.stroke(zp, lineStyle{color: grey, width: 1.2})
			c.ungroup()
			c.stroke(rectPath(left, barsTop, left+plotW, barsTop+barsH), lineStyle{color: frameColor, width: 0.8})
			c.ungroup()
			xAxisAt = barsTop + barsH
		}
		ts := tickTS
		ts.anchor = 0
		for _, v := range xTicks {
			c.text(X(v), xAxisAt+3+tickSize/2, strconv.FormatFloat(v, 'f', xdec, 64), ts)
		}
		c.text(left+plotW/2, xAxisAt+4+tickSize+3+labelSize/2, cmp.Or(t.XName, "Round"), labelTS)
		lg.draw(c, left+plotW+14, top)
	}
	return width, height, draw, nil
}

func (t *Timeline) legendEntries() []legendEntry {
	var out []legendEntry
	for _, s := range t.Series {
		col := partyColor(s.Party)
		ranged := false
		for _, st := range s.Steps {
			ranged = ranged || st.Range
		}
		out = append(out, legendEntry{cmp.Or(s.Name, t.Parties[s.Party]), func(c canvas, x, y float64) {
			if ranged {
				bc := col
				bc.A = 45
				c.fill(rectPath(x-thumbW/2, y-4, x+thumbW/2, y+4), bc)
			}
			var p path
			p.move(x-thumbW/2, y)
			p.line(x+thumbW/2, y)
			c.stroke(p, lineStyle{color: col, width: 1.3})
			c.dots([][2]float64{{x, y}}, traceR, col)
		}})
	}
	if t.Reservation != nil {
		out = append(out, legendEntry{"Reservation values", func(c canvas, x, y float64) {
			var p path
			p.move(x-thumbW/2, y)
			p.line(x+thumbW/2, y)
			c.stroke(p, reservationLine)
		}})
	}
	seen := map[string]bool{}
	for _, m := range t.Marks {
		if seen[m.Name] {
			continue
		}
		seen[m.Name] = true
		st, ok := markerKinds[m.Kind]
		if !ok {
			st = otherMarkers[0]
		}
		out = append(out, legendEntry{m.Name, func(c canvas, x, y float64) {
			g := shapePath(st.shape, x, y, markerR)
			c.fill(g, st.color)
			c.stroke(g, lineStyle{color: black, width: 0.8})
		}})
	}
	if len(t.Bars) > 0 {
		out = append(out, legendEntry{cmp.Or(t.BarsName, "Bars"), func(c canvas, x, y float64) {
			c.fill(rectPath(x-3, y-5, x+3, y+5), countColor)
		}})
	}
	return out
}
