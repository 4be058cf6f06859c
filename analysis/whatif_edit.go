package analysis

import (
	"fmt"
	"math"

	"github.com/parley-negotiation/parley/profile"
)

// WhatIfEdit is one what-if question: party Party's reservation value
// (Point < 0) or its weight of point Point (framework order), set to Value.
type WhatIfEdit struct {
	Party, Point int
	Value        float64
}

// SpaceEditor applies what-if edits to a copy of a space exactly as a
// WhatIf does (the same code), without analysing: Analyze on its Space
// gives the report a WhatIf gives after the same edits, figure for figure
// (TestWhatIfRepeatedWeightsMatchAnalyze checks the editor's space at every
// step of a WhatIf's). It is for one-shot questions (the CLI's
// --what-if); a WhatIf answers a sequence of them incrementally.
type SpaceEditor struct {
	s *Space
	// overridden[j]: party j's reservation was set by an edit (a later
	// weight edit keeps it instead of re-deriving it from the profile).
	overridden []bool
}

// NewSpaceEditor starts from a copy of s.
func NewSpaceEditor(s *Space) *SpaceEditor {
	return &SpaceEditor{s: cloneSpace(s), overridden: make([]bool, s.N())}
}

// Apply makes one edit; on error nothing changes.
func (e *SpaceEditor) Apply(ed WhatIfEdit) error {
	s, err := edited(e.s, e.overridden, ed)
	if err != nil {
		return err
	}
	e.s = s
	return nil
}

// Space returns the edited space (do not modify it).
func (e *SpaceEditor) Space() *Space { return e.s }

// edited returns a copy of s with the edit made; a reservation edit marks
// the party in overridden (only once the edit is valid). Weights are not
// renormalised; a party's reservation follows its changed profile (a
// fallback package's utility) unless overridden says an edit set it.
func edited(s *Space, overridden []bool, ed WhatIfEdit) (*Space, error) {
	j, k := ed.Party, ed.Point
	if j < 0 || j >= s.N() {
		return nil, fmt.Errorf("analysis: what-if: no party %d (%d parties)", j, s.N())
	}
	if k < 0 {
		r := ed.Value
		if math.IsNaN(r) || math.IsInf(r, 0) || math.Abs(r) > profile.MaxReservation {
			return nil, fmt.Errorf("analysis: what-if: reservation %v is not a number in [-%g, %g]", r, float64(profile.MaxReservation), float64(profile.MaxReservation))
		}
		c := cloneSpace(s)
		c.Reservation[j] = r
		overridden[j] = true
		return c, nil
	}
	if k >= len(s.Framework.Points) {
		return nil, fmt.Errorf("analysis: what-if: no point %d (%d points)", k, len(s.Framework.Points))
	}
	c, err := withWeight(s, j, k, ed.Value, overridden)
	if err != nil {
		return nil, fmt.Errorf("analysis: what-if: %w", err)
	}
	return c, nil
}
