package room_test

import (
	"slices"
	"testing"

	"github.com/parley-negotiation/parley/room"
)

// TestSetProfileRefusesNoImportance: the service refuses a profile whose
// every weight is 0, as the elicitation does (a rule the UI checks is the
// service's too), and keeps the profile it had.
func TestSetProfileRefusesNoImportance(t *testing.T) {
	f := newMiami(t, room.Settings{})
	ru := f.parties["russia"]
	before := f.view(ru).Profile
	p := *before
	p.Weights = make([]float64, len(p.Weights))
	err := f.svc.SetProfile(f.ctx, ru, f.neg, &p)
	f.wantCode(err, room.EINVALID, "a profile with importance 0 everywhere")
	if got := f.view(ru).Profile; !slices.Equal(got.Weights, before.Weights) {
		t.Errorf("the refused profile changed the weights: %v", got.Weights)
	}
	p.Weights[3] = 0.5
	if err := f.svc.SetProfile(f.ctx, ru, f.neg, &p); err != nil {
		t.Fatalf("one point with some importance: %v", err)
	}
}
