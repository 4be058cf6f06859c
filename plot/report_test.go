package plot

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// wellFormed fails t unless s is one well-formed XML element.
func wellFormed(t *testing.T, s string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(s))
	for {
		if _, err := dec.Token(); errors.Is(err, io.EOF) {
			return
		} else if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, s)
		}
	}
}

func TestOutcomeMapSVG(t *testing.T) {
	frontier := [][2]float64{{1, 0}, {0, 1}, {0.6, 0.6}}
	for _, tc := range []struct {
		name      string
		m         OutcomeMap
		want, not []string
	}{
		{"two parties", OutcomeMap{XName: "a<b", YName: "c", Frontier: frontier, Joined: true, Nash: &[2]float64{0.6, 0.6},
			Outcomes: []Count{{At: [2]float64{0.2, 0.1}, Count: 1}, {At: [2]float64{0.6, 0.6}, Count: 3}}, Total: 4},
			[]string{"utility of a&lt;b", "utility of c", "<polyline", "<title>(0.200, 0.100): 1</title>", "<title>(0.600, 0.600): 3</title>", "<title>Nash (0.600, 0.600)</title>"},
			[]string{"a<b"}},
		{"a projection, no Nash point, nothing scored", OutcomeMap{XName: "a", YName: "b", Frontier: frontier},
			[]string{`r="1.6"`}, []string{"<polyline", "Nash", "<title>("}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := OutcomeMapSVG(&tc.m)
			wellFormed(t, s)
			if s != OutcomeMapSVG(&tc.m) {
				t.Error("not deterministic")
			}
			if n := strings.Count(s, `r="1.6"`); n != len(tc.m.Frontier) {
				t.Errorf("%d frontier dots, want %d", n, len(tc.m.Frontier))
			}
			for _, w := range tc.want {
				if !strings.Contains(s, w) {
					t.Errorf("lacks %q", w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(s, w) {
					t.Errorf("has %q", w)
				}
			}
		})
	}
}

func TestBoxPlotSVG(t *testing.T) {
	bp := &BoxPlot{Boxes: []Box{
		{Label: "boulware & co", Quartiles: &[5]float64{0.1, 0.2, 0.3, 0.4, 0.5}, Mean: 0.3, Low: 0.25, High: 0.35, N: 5},
		{Label: "unranked"},
	}}
	s := BoxPlotSVG(bp)
	wellFormed(t, s)
	for _, w := range []string{"boulware &amp; co", "unranked", "<title>mean 0.300 [0.250, 0.350], n=5</title>", `height="82"`} {
		if !strings.Contains(s, w) {
			t.Errorf("lacks %q", w)
		}
	}
	if n := strings.Count(s, "<rect"); n != 1 {
		t.Errorf("%d boxes, want 1 (the empty sample has its label only)", n)
	}
}
