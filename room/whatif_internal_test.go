package room

import (
	"context"
	"testing"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/scenario"
)

// TestWhatIfIncremental: the room's what-if builds its analysis.WhatIf
// once and then changes only the numbers that differ from the previous
// request's; only a reservation value no longer set builds it again.
func TestWhatIfIncremental(t *testing.T) {
	ctx := context.Background()
	sc, err := scenario.Builtin("tiny-2p")
	if err != nil {
		t.Fatal(err)
	}
	a, err := computeReport(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	c := newReportCache()
	st := c.state("tiny", a)
	// north is party 0, south 1; point 0 is monitors.
	resN := func(v float64) resolvedChange { return resolvedChange{j: 0, k: -1, value: v} }
	wS := func(v float64) resolvedChange { return resolvedChange{j: 1, k: 0, value: v} }
	tests := []struct {
		name   string
		rc     []resolvedChange
		builds int
	}{
		{"first", []resolvedChange{resN(0.5)}, 1},
		{"a weight more", []resolvedChange{resN(0.5), wS(0.2)}, 1},
		{"the reservation moved, the weight back", []resolvedChange{resN(0.55)}, 1},
		{"the same", []resolvedChange{resN(0.55)}, 1},
		{"last change wins", []resolvedChange{resN(0.1), wS(0.9), resN(0.55)}, 1},
		{"the reservation dropped", []resolvedChange{wS(0.2)}, 2},
		{"the weight back", nil, 2},
	}
	for _, tt := range tests {
		var zone float64
		err := c.whatIf(ctx, st, tt.rc, func(s *analysis.Space, r *analysis.Report) { zone = r.Zone.Size })
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if st.builds != tt.builds {
			t.Errorf("%s: %d builds, want %d", tt.name, st.builds, tt.builds)
		}
		t.Logf("%s: zone %v", tt.name, zone)
	}
	if c.state("tiny", a) != st {
		t.Error("a second request got another state")
	}
}
