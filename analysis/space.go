package analysis

import (
	"errors"
	"fmt"
	"math"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
)

// Space is the utility space of a framework for an ordered set of parties.
type Space struct {
	Framework *framework.Framework
	Names     []string
	Profiles  []*profile.Profile
	Tables    []*profile.Table
	// Reservation[i] is party i's effective reservation value (0 if none).
	Reservation []float64
}

// ErrNoParties is returned when a space is requested for no parties.
var ErrNoParties = errors.New("analysis: no parties with a profile")

// NewSpace compiles the profiles against the framework.
func NewSpace(f *framework.Framework, names []string, profiles []*profile.Profile) (*Space, error) {
	if len(profiles) == 0 {
		return nil, ErrNoParties
	}
	if len(names) != len(profiles) {
		return nil, fmt.Errorf("analysis: %d names for %d profiles", len(names), len(profiles))
	}
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("analysis: framework %q: %w", f.Name, err)
	}
	s := &Space{Framework: f, Names: names, Profiles: profiles}
	for i, p := range profiles {
		t, err := p.Compile(f)
		if err != nil {
			return nil, fmt.Errorf("party %q: %w", names[i], err)
		}
		s.Tables = append(s.Tables, t)
		s.Reservation = append(s.Reservation, t.Reservation)
	}
	// The Nash product multiplies one gain per party: make sure it cannot
	// overflow (profile.Check bounds each utility, not their product).
	digits := 0.0
	for _, t := range s.Tables {
		lo, hi := t.Bounds() // bounds suffice here (Max is a search with interactions)
		span := math.Max(math.Abs(hi), math.Abs(lo)) + math.Abs(t.Reservation)
		digits += math.Log10(math.Max(span, 1))
	}
	if digits > maxProductDigits {
		return nil, fmt.Errorf("analysis: the utilities of these %d parties are too large for their products (Nash) to be computed: rescale the weights (e.g. to sum 1)", len(profiles))
	}
	return s, nil
}

// maxProductDigits bounds the decimal digits of a product of gains (one
// per party), far below the float64 limit of about 10^308.
const maxProductDigits = 300

// FromScenario builds the space of the named parties of a scenario, in the
// given order; with no ids, of every principal that has a profile.
func FromScenario(sc *scenario.Scenario, ids ...string) (*Space, error) {
	var parties []*scenario.Party
	if len(ids) == 0 {
		parties = sc.Principals()
	} else {
		for _, id := range ids {
			p := sc.Party(id)
			if p == nil {
				return nil, fmt.Errorf("scenario %q has no party %q", sc.Name, id)
			}
			if p.Profile == nil {
				return nil, fmt.Errorf("party %q has no profile", id)
			}
			parties = append(parties, p)
		}
	}
	if len(parties) == 0 {
		return nil, ErrNoParties
	}
	names := make([]string, len(parties))
	profs := make([]*profile.Profile, len(parties))
	for i, p := range parties {
		names[i], profs[i] = p.ID, p.Profile
	}
	return NewSpace(sc.Framework, names, profs)
}

// N returns the number of parties.
func (s *Space) N() int { return len(s.Tables) }

// Utilities returns every party's utility of a package.
func (s *Space) Utilities(p framework.Package) []float64 {
	u := make([]float64, len(s.Tables))
	for i, t := range s.Tables {
		u[i] = t.Utility(p)
	}
	return u
}

// Acceptable reports whether every party rates p at least its reservation
// value and p crosses no party's red line.
func (s *Space) Acceptable(p framework.Package) bool {
	for i, t := range s.Tables {
		if t.Utility(p) < s.Reservation[i] {
			return false
		}
		if s.Profiles[i].CrossesRedLine(p) >= 0 {
			return false
		}
	}
	return true
}

// RedLineCrossings returns, per party, the indices of red lines p crosses.
func (s *Space) RedLineCrossings(p framework.Package) [][]int {
	out := make([][]int, len(s.Profiles))
	for i, pr := range s.Profiles {
		for k := range pr.RedLines {
			if pr.RedLines[k].Crossed(p) {
				out[i] = append(out[i], k)
			}
		}
	}
	return out
}
