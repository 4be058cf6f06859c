package plot

import (
	"math"
	"strings"
	"testing"
)

// TestEffectMarkers: the packages that enter and leave the zone because
// of interactions have glyphs of their own — a "+" and a "×" (the same
// cross turned by 45°), in colours of their own — distinct from every
// other kind's, and their long legend names are wrapped, not cut (issue
// 17).
func TestEffectMarkers(t *testing.T) {
	in, out := markerKinds["enters-zone"], markerKinds["leaves-zone"]
	if in.shape != shapeCross || out.shape != shapeTimes || in.color == out.color {
		t.Fatalf("enters-zone %v, leaves-zone %v: want a + and a × of two colours", in, out)
	}
	for kind, st := range markerKinds {
		if kind != "enters-zone" && kind != "leaves-zone" && (st.shape == in.shape || st.shape == out.shape || st.color == in.color || st.color == out.color) {
			t.Errorf("kind %q %v shares a shape or colour with the zone's moves", kind, st)
		}
	}
	// × is + turned by 45°: the same distances to the centre, and the
	// arms' tips (the midpoints of vertices 0–1, 3–4, 6–7, 9–10) on the
	// axes for + and on the diagonals for ×.
	plus, times := shapePath(shapeCross, 0, 0, 4), shapePath(shapeTimes, 0, 0, 4)
	if len(plus) != 13 || len(times) != len(plus) {
		t.Fatalf("%d and %d path steps, want 12 vertices and a close", len(plus), len(times))
	}
	for i := range plus {
		if a, b := math.Hypot(plus[i].x, plus[i].y), math.Hypot(times[i].x, times[i].y); math.Abs(a-b) > 1e-9 {
			t.Errorf("vertex %d: %.3f from the centre, × %.3f", i, a, b)
		}
	}
	for _, k := range []int{0, 3, 6, 9} {
		px, py := (plus[k].x+plus[k+1].x)/2, (plus[k].y+plus[k+1].y)/2
		tx, ty := (times[k].x+times[k+1].x)/2, (times[k].y+times[k+1].y)/2
		if math.Min(math.Abs(px), math.Abs(py)) > 1e-9 || math.Abs(math.Abs(tx)-math.Abs(ty)) > 1e-9 || math.Hypot(tx, ty) < 4 {
			t.Errorf("arm %d: + tip (%.3f, %.3f), × tip (%.3f, %.3f)", k/3, px, py, tx, ty)
		}
	}

	const enters = "Enters the zone because of the interactions (examples)"
	const leaves = "Leaves the zone because of them (examples)"
	u := smallSpace()
	u.Markers = append(u.Markers,
		Marker{Name: enters, Kind: "enters-zone", At: []float64{0.4, 0.3}},
		Marker{Name: enters, Kind: "enters-zone", At: []float64{0.45, 0.35}},
		Marker{Name: leaves, Kind: "leaves-zone", At: []float64{0.2, 0.7}})
	d := parse(t, mustRender(t, "svg", u))
	if m := d.Markers(enters); len(m) != 2 || m[0].Data["kind"] != "enters-zone" || m[1].Data["at"] != "0.45 0.35" {
		t.Errorf("entering markers %+v", m)
	}
	if m := d.Markers(leaves); len(m) != 1 || m[0].Data["kind"] != "leaves-zone" || m[0].Data["at"] != "0.2 0.7" {
		t.Errorf("leaving markers %+v", m)
	}
	// Each name once in the legend, whole, on one line or more.
	legend := strings.Join(d.Texts, " ")
	for _, name := range []string{enters, leaves} {
		if !strings.Contains(legend, name) {
			t.Errorf("the legend lacks %q whole; texts:\n%s", name, strings.Join(d.Texts, "\n"))
		}
	}
	if strings.Contains(legend, "…") {
		t.Errorf("a legend entry is cut: %q", d.Texts)
	}
	// The first line of a wrapped name has the glyph, the next none.
	l := newLegend(u.legendEntries())
	lines := 0
	for i, e := range l.entries {
		if strings.HasPrefix(enters, e.name) && e.name != enters {
			lines++
			if e.thumb == nil || i+1 == len(l.entries) || l.entries[i+1].thumb != nil || !strings.HasSuffix(enters, l.entries[i+1].name) {
				t.Errorf("wrapped entry %q: thumb %v, next %+v", e.name, e.thumb != nil, l.entries[i+1:])
			}
		}
	}
	if lines != 1 {
		t.Errorf("%q takes %d wrapped entries, want one (of two lines)", enters, lines)
	}
}
