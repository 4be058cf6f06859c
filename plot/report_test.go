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
