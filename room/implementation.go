package room

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/parley-negotiation/parley/agreement"
	"github.com/parley-negotiation/parley/plan"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// After the agreement: the implementation plan's status, the reports and
// responses, and the agreement document, for every participant. Reports
// and responses are public to the table (the engine records them so), so
// everyone with access to the negotiation reads the same status; what
// differs per viewer is what it may do (file reports, respond) and, in the
// agreement document, which assents it may see.

// PlanView is a negotiation's implementation plan and its status at one
// instant.
type PlanView struct {
	// Plan is the scenario's plan: verifiers, phases and commitments.
	Plan *plan.Plan `json:"plan"`
	// At is the instant the status is derived at.
	At time.Time `json:"at"`
	// Agreement tells whether there is an agreement to implement. Without
	// one, Status is nil, Reports is empty and Reason says why.
	Agreement bool   `json:"agreement"`
	Reason    string `json:"reason,omitempty"`
	// SessionStatus is the session's status (pending-ratification,
	// in-force, …; "" before the start).
	SessionStatus string              `json:"session_status,omitempty"`
	Status        *plan.Status        `json:"status,omitempty"`
	Reports       []plan.ReportRecord `json:"reports"`
	// Reporter is the viewer's verifier when it may file reports now.
	Reporter string `json:"reporter,omitempty"`
	// Responder is the viewer's seat when it may respond to reports now.
	Responder string `json:"responder,omitempty"`
}

// The years a plan status may be asked at (the plan's own dates lie in
// them too).
const minPlanYear, maxPlanYear = plan.MinYear, plan.MaxYear

// PlanStatus derives the implementation status of negotiation id at the
// instant at (the service's clock when at is zero), for any participant.
// Reports recorded after at are not counted, so a past instant shows what
// the log said then; a future one shows what the clock alone would change.
// ENOTFOUND when the scenario has no plan.
func (s *Service) PlanStatus(ctx context.Context, v Viewer, id string, at time.Time) (*PlanView, error) {
	l, role, party, err := s.access(ctx, v, id)
	if err != nil {
		return nil, err
	}
	if l.sc.Plan == nil {
		return nil, Errorf(ENOTFOUND, "scenario %q has no implementation plan", l.sc.Name)
	}
	now := s.clock().UTC()
	if at.IsZero() {
		at = now
	}
	if y := at.Year(); y < minPlanYear || y > maxPlanYear {
		return nil, Errorf(EINVALID, "at %s: want a time in the years %d to %d", at.Format(time.RFC3339), minPlanYear, maxPlanYear)
	}
	at = at.UTC()
	out := &PlanView{Plan: l.sc.Plan, At: at, Reports: []plan.ReportRecord{}}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sess == nil {
		out.Reason = "the negotiation has not started"
		return out, nil
	}
	sess := l.sess
	out.SessionStatus = sess.State.Status
	if sess.State.Agreement == nil {
		out.Reason = "there is no agreement to implement yet (status " + sess.State.Status + ")"
		return out, nil
	}
	st, err := sess.PlanStatus(at)
	if err != nil {
		return nil, err
	}
	reports, err := sess.PlanReports(at)
	if err != nil {
		return nil, err
	}
	out.Agreement, out.Status, out.Reports = true, st, orNone(reports)
	open := sess.State.Status == session.StatusPending || sess.State.Status == session.StatusInForce
	switch {
	case !open:
	case role == roleVerifier && slices.Contains(sess.Config.Verifiers, party):
		out.Reporter = party
	case role == roleParty || role == roleOwner || role == roleSeatMediator:
		if party != "" && (slices.Contains(sess.Config.Parties, party) || party == sess.Config.Mediator) {
			out.Responder = party
		}
	}
	return out, nil
}

func orNone[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

// documentSeat is whom the agreement document is built for: the viewer's
// seat, or for viewers without one a name no event lists, so that they
// see the public record only (agreement.TextFor sees everything for "").
func documentSeat(party string) string {
	if party == "" {
		return "(public)"
	}
	return party
}

// record returns what v may read of negotiation id's log: the whole log
// (the agreement package replays it), the events v may see, the scenario
// and v's seat. ECLOSED before the start.
func (s *Service) record(ctx context.Context, v Viewer, id string) (all, seen []session.Event, sc *scenario.Scenario, seat string, err error) {
	l, role, party, err := s.access(ctx, v, id)
	if err != nil {
		return nil, nil, nil, "", err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sess == nil {
		return nil, nil, nil, "", Errorf(ECLOSED, "the negotiation has not started yet")
	}
	// Sealed events are never modified, so the slice may be read after
	// the lock is released.
	all = l.sess.Events()
	return all, visibleEvents(all, 0, role, party), l.sc, documentSeat(party), nil
}

// AgreementText returns the agreement document of negotiation id as v may
// see it: the agreed text with the decision record (assents v may not see
// are only counted) and the ratification record; without an agreement,
// the latest draft of the single text. version > 0 renders that version
// of the single text, with the records as they stood then. ENOTFOUND when
// there is neither an agreement nor a draft v may see, or no such version.
func (s *Service) AgreementText(ctx context.Context, v Viewer, id string, version int) (*agreement.Document, error) {
	all, seen, sc, seat, err := s.record(ctx, v, id)
	if err != nil {
		return nil, err
	}
	if version != 0 {
		ver, err := findVersion(sc, seen, version)
		if err != nil {
			return nil, err
		}
		all = all[:ver.Seq]
	} else if !agreed(seen) && len(agreement.Versions(sc, seen)) == 0 {
		return nil, Errorf(ENOTFOUND, "no agreement yet, and no draft of the single negotiating text")
	}
	d, err := agreement.TextFor(sc, all, seat)
	if errors.Is(err, agreement.ErrNoAgreement) {
		return nil, Errorf(ENOTFOUND, "%v", err)
	}
	return d, err
}

// agreed reports whether events hold the agreement.
func agreed(events []session.Event) bool {
	return slices.ContainsFunc(events, func(e session.Event) bool { return e.Kind == "agreement" && e.Move == nil })
}

// TextVersions lists the versions of the single negotiating text that v
// may see, oldest first (empty under other protocols).
func (s *Service) TextVersions(ctx context.Context, v Viewer, id string) ([]agreement.Version, error) {
	_, seen, sc, _, err := s.record(ctx, v, id)
	if err != nil {
		return nil, err
	}
	return orNone(agreement.Versions(sc, seen)), nil
}

// TextDiff compares versions from and to of the single negotiating text
// (to = 0: the latest; from = 0: the one before to). ENOTFOUND for a
// version that does not exist.
func (s *Service) TextDiff(ctx context.Context, v Viewer, id string, from, to int) (*agreement.Comparison, error) {
	_, seen, sc, _, err := s.record(ctx, v, id)
	if err != nil {
		return nil, err
	}
	vs := agreement.Versions(sc, seen)
	if len(vs) == 0 {
		return nil, Errorf(ENOTFOUND, "there is no draft of the single negotiating text")
	}
	if to == 0 {
		to = vs[len(vs)-1].Number
	}
	if from == 0 {
		from = max(to-1, 1)
	}
	a, err := findVersion(sc, seen, from)
	if err != nil {
		return nil, err
	}
	b, err := findVersion(sc, seen, to)
	if err != nil {
		return nil, err
	}
	return agreement.Compare(sc, a, b), nil
}

// findVersion returns version n of the single text among events.
func findVersion(sc *scenario.Scenario, events []session.Event, n int) (agreement.Version, error) {
	vs := agreement.Versions(sc, events)
	if v, ok := agreement.Find(vs, n); ok {
		return v, nil
	}
	if len(vs) == 0 {
		return agreement.Version{}, Errorf(ENOTFOUND, "there is no draft of the single negotiating text")
	}
	return agreement.Version{}, Errorf(ENOTFOUND, "no version %d of the text (versions 1 to %d)", n, vs[len(vs)-1].Number)
}
