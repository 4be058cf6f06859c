package plot

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
)

// Overlap is the per-point overlap of an agreement zone: for each point,
// which of its options some package of the zone uses and the share of the
// zone's packages that use it. A point with at most MaxOverlapRows
// options has a row per option (a bar of its share); one with more (a
// numeric range) has one strip of cells, one per level, shaded by share.
type Overlap struct {
	Title string
	// Note is a line of explanation under the title (wrapped).
	Note   string
	Points []OverlapPoint
}

// OverlapPoint is one point of an Overlap.
type OverlapPoint struct {
	Name    string
	Options []OverlapOption
}

// Possibility says whether an option is used by some package of the zone.
type Possibility int

const (
	Possible Possibility = iota + 1
	Excluded
	Undecided // the search ran out of budget
)

// OverlapOption is one option of a point.
type OverlapOption struct {
	Name     string
	Possible Possibility
	// Share is the share of the zone's packages that use the option (NaN:
	// unknown).
	Share float64
}

// MaxOverlapRows is the most options an Overlap lists one per row.
const MaxOverlapRows = 12

func (o *Overlap) check() error {
	for i, p := range o.Points {
		for j, op := range p.Options {
			if op.Possible < Possible || op.Possible > Undecided {
				return fmt.Errorf("plot: Points[%d] (%s) option %d: possibility %d", i, p.Name, j, op.Possible)
			}
			if math.IsInf(op.Share, 0) {
				return fmt.Errorf("plot: Points[%d] (%s) option %d: share %v", i, p.Name, j, op.Share)
			}
		}
	}
	return nil
}

func (o *Overlap) layout() (float64, float64, func(canvas), error) {
	if err := o.check(); err != nil {
		return 0, 0, nil, err
	}
	const (
		width   = 600.0
		labelW  = 300.0
		barW    = 200.0
		rowH    = 13.0
		headH   = 17.0
		stripH  = 16.0
		pointGp = 6.0
	)
	headTS := textStyle{size: 9.5, bold: true, color: black, anchor: -1}
	optTS := textStyle{size: 8.5, color: black, anchor: -1}
	offTS := textStyle{size: 8.5, color: color.NRGBA{150, 150, 150, 255}, anchor: -1}
	shareTS := textStyle{size: 8.5, color: grey, anchor: -1}
	title := wrapText(o.Title, titleStyle, width-2*pad)
	note := wrapText(o.Note, noteStyle, width-2*pad)
	top := float64(pad)
	top += float64(len(title)) * (titleSize + 4)
	top += float64(len(note)) * (noteSize + 3)
	top += 8
	// The legend line.
	legendY := top + 5
	top += 16
	h := top
	for _, p := range o.Points {
		h += headH
		if len(p.Options) > MaxOverlapRows {
			h += stripH + rowH
		} else {
			h += rowH * float64(len(p.Options))
		}
		h += pointGp
	}
	height := h + pad
	x0 := float64(pad)
	bx := x0 + labelW + 8
	shareText := func(s float64) string {
		if math.IsNaN(s) {
			return "share unknown"
		}
		return strconv.FormatFloat(100*s, 'f', 1, 64) + "%"
	}
	draw := func(c canvas) {
		y := drawHeading(c, width, title, note)
		// Legend, on one line.
		c.group("legend", "")
		c.fill(rectPath(x0, legendY-4, x0+14, legendY+4), zoneColor)
		c.text(x0+18, legendY, "share of the zone's packages using the option", optTS)
		lx := x0 + 18 + optTS.width("share of the zone's packages using the option") + 16
		c.text(lx, legendY, "grey: excluded from the zone", offTS)
		lx += offTS.width("grey: excluded from the zone") + 16
		c.text(lx, legendY, "?: undecided", optTS)
		c.ungroup()
		y = top
		for _, p := range o.Points {
			open := 0
			for _, op := range p.Options {
				if op.Possible != Excluded {
					open++
				}
			}
			c.group("point", "", "name", p.Name, "options", strconv.Itoa(len(p.Options)), "possible", strconv.Itoa(open))
			head := fmt.Sprintf(" — %d of %d options possible", open, len(p.Options))
			c.text(x0, y+headH/2+1, fitText(p.Name, headTS, width-2*pad-headTS.width(head))+head, headTS)
			y += headH
			if len(p.Options) > MaxOverlapRows {
				// One strip: a cell per level.
				cw := barW / float64(len(p.Options))
				maxShare := 0.0
				for _, op := range p.Options {
					if !math.IsNaN(op.Share) {
						maxShare = max(maxShare, op.Share)
					}
				}
				var on, off, unk path
				alphas := map[uint8]path{}
				for i, op := range p.Options {
					r := rectPath(bx+float64(i)*cw, y, bx+float64(i+1)*cw, y+stripH)
					switch {
					case op.Possible == Excluded:
						off = append(off, r...)
					case op.Possible == Undecided || math.IsNaN(op.Share):
						unk = append(unk, r...)
					default:
						a := uint8(40)
						if maxShare > 0 {
							a = uint8(40 + 30*math.Round(7*op.Share/maxShare))
						}
						alphas[a] = append(alphas[a], r...)
						on = append(on, r...)
					}
				}
				c.fill(off, color.NRGBA{235, 235, 235, 255})
				c.fill(unk, color.NRGBA{200, 200, 120, 255})
				for a := 0; a < 256; a++ {
					if p, ok := alphas[uint8(a)]; ok {
						col := zoneColor
						col.A = uint8(a)
						c.fill(p, col)
					}
				}
				c.stroke(rectPath(bx, y, bx+barW, y+stripH), lineStyle{color: frameColor, width: 0.6})
				c.text(x0+12, y+stripH/2, fmt.Sprintf("%d levels (darker: larger share)", len(p.Options)), optTS)
				y += stripH
				first, last := p.Options[0].Name, p.Options[len(p.Options)-1].Name
				c.text(bx, y+rowH/2, first, shareTS)
				ts := shareTS
				ts.anchor = 1
				c.text(bx+barW, y+rowH/2, last, ts)
				y += rowH
			} else {
				var bars, track path
				for _, op := range p.Options {
					cy := y + rowH/2
					ts := optTS
					if op.Possible == Excluded {
						ts = offTS
					}
					c.text(x0+12, cy, fitText(op.Name, ts, labelW-12), ts)
					track = append(track, rectPath(bx, cy-4, bx+barW, cy+4)...)
					switch {
					case op.Possible == Excluded:
						c.text(bx+barW+6, cy, "excluded", offTS)
					case op.Possible == Undecided:
						c.text(bx+barW+6, cy, "? "+shareText(op.Share), shareTS)
					default:
						if !math.IsNaN(op.Share) && op.Share > 0 {
							bars = append(bars, rectPath(bx, cy-4, bx+max(0.8, barW*op.Share), cy+4)...)
						}
						c.text(bx+barW+6, cy, shareText(op.Share), shareTS)
					}
					y += rowH
				}
				c.fill(track, color.NRGBA{244, 244, 244, 255})
				c.fill(bars, zoneColor)
			}
			c.ungroup()
			y += pointGp
		}
	}
	return width, height, draw, nil
}
