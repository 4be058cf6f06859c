package mediator

import (
	"fmt"
	"slices"
	"testing"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// TestKalaiSmorodinskyLandsOnConcept: `parley run miami-2025 --protocol
// single-text --mediator-strategy kalai-smorodinsky --mediator-access
// profiles` agrees on the Kalai–Smorodinsky package of the zone — which
// analysis.KalaiSmorodinskyPoint computes on the zone's exact frontier and
// which is neither the Nash nor the max–min package there — whatever the
// parties' tolerance, in proximity and plenary, and under the vote and
// feedback protocols; every log replays.
func TestKalaiSmorodinskyLandsOnConcept(t *testing.T) {
	sc := miami(t)
	cfg := func(protocol, format string) session.Config {
		return session.Config{Protocol: protocol, Mediator: "us", Format: format, Rounds: 30, MediatorAccess: session.AccessProfiles}
	}
	parties := mustNew(t, sc, cfg(session.SingleText, scenario.Proximity)).Config.Parties
	sp, nash, egal := zoneSolutions(t, sc, parties)
	zf, err := analysis.FrontierAdditive(sp, analysis.FrontierOptions{RedLines: true, Rational: true})
	if err != nil {
		t.Fatal(err)
	}
	want, ok := analysis.KalaiSmorodinskyPoint(zf, sp.Reservation)
	if !ok {
		t.Fatal("empty zone")
	}
	if slices.Equal(want.Point.Witness, nash.Point.Witness) || slices.Equal(want.Point.Witness, egal.Point.Witness) {
		t.Fatal("the Kalai–Smorodinsky package is the Nash or the max–min one: the test shows nothing")
	}
	t.Logf("utilities of the zone's Kalai–Smorodinsky package %.4f, Nash %.4f, max–min %.4f", want.Point.U, nash.Point.U, egal.Point.U)
	for _, tc := range []struct {
		protocol, format string
		tolerance        float64
	}{
		{session.SingleText, scenario.Proximity, 0.3},
		{session.SingleText, scenario.Proximity, 0.1},
		{session.SingleText, scenario.Plenary, 0.3},
		{session.Voting, scenario.Proximity, 0.3},
		{session.Feedback, scenario.Proximity, 0.3},
	} {
		t.Run(fmt.Sprintf("%s/%s/tolerance=%g", tc.protocol, tc.format, tc.tolerance), func(t *testing.T) {
			s := mustNew(t, sc, cfg(tc.protocol, tc.format))
			rs := profileResponders(s, tc.tolerance)
			if tc.protocol == session.Voting {
				for _, p := range s.Config.Parties {
					rs[p] = session.HillClimber{ProfileResponder: session.ProfileResponder{Tolerance: tc.tolerance}}
				}
			}
			med := byName(t, "kalai-smorodinsky")
			if med.Name() != "zone(kalai-smorodinsky)" {
				t.Fatalf("name %q", med.Name())
			}
			if err := session.RunMediated(s, med, rs); err != nil {
				t.Fatal(err)
			}
			a := s.State.Agreement
			if a == nil {
				t.Fatalf("no agreement: %s (%s)", s.State.Status, s.State.Reason)
			}
			if !slices.Equal(a, want.Point.Witness) {
				t.Fatalf("agreement %v, utilities %.4f; want the Kalai–Smorodinsky package %v, utilities %.4f (Nash %.4f, max–min %.4f)",
					a, sp.Utilities(a), want.Point.Witness, want.Point.U, nash.Point.U, egal.Point.U)
			}
			checkReplay(t, s)
		})
	}
}
