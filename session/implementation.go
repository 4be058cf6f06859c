package session

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parley-negotiation/parley/plan"
	"github.com/parley-negotiation/parley/scenario"
)

// Implementation: once there is an agreement, the verifiers of the
// scenario's plan file reports on its commitments and the parties respond
// to them, in the same hash-chained log. The plan's status is derived from
// those events by plan.Derive (docs/implementation.md).
//
// Reports and responses are accepted from the agreement on, while it is
// pending ratification and once in force (not after ratification failed):
// some commitments run from the agreement itself, such as a ceasefire that
// takes effect "once all agree" and must hold 60 days before a referendum
// that is itself a ratification step.

// Move kinds and engine events of the implementation.
const (
	// KindReport is a verifier's report (Move.Report).
	KindReport = "report"
	// KindResponse is a party's response to a report (Move.Response).
	KindResponse = "response"
	// KindTrigger is the engine's note that a reported violation made a
	// commitment owed (Note.Commitment, Note.Due).
	KindTrigger = "trigger"
	// KindTriggerCancelled is the engine's note that the violation that
	// triggered a commitment was replaced by a review and no longer
	// triggers it.
	KindTriggerCancelled = "trigger-cancelled"
)

// Limits on what a report carries.
const (
	MaxEvidence = 20   // links per report
	MaxLink     = 2048 // bytes per link
	MaxPlace    = 500  // bytes of the place
)

// implementationMove reports whether kind is a move of the implementation.
func implementationMove(kind string) bool { return kind == KindReport || kind == KindResponse }

// verifierMove reports whether m is a report by one of the session's
// verifiers, who are members of the session for their reports only.
func (s *Session) verifierMove(m *Move) bool {
	return m.Kind == KindReport && m.Party != "" && slices.Contains(s.Config.Verifiers, m.Party)
}

// configureVerifiers fills in and checks Config.Verifiers: by default the
// plan's verifiers.
func configureVerifiers(sc *scenario.Scenario, cfg *Config) error {
	if sc.Plan == nil {
		if len(cfg.Verifiers) > 0 {
			return fmt.Errorf("session: verifiers %v, but scenario %q has no implementation plan", cfg.Verifiers, sc.Name)
		}
		return nil
	}
	if len(cfg.Verifiers) == 0 {
		cfg.Verifiers = sc.Plan.VerifierIDs()
		return nil
	}
	for i, v := range cfg.Verifiers {
		if sc.Plan.Verifier(v) == nil {
			return fmt.Errorf("session: scenario %q has no verifier %q (verifiers: %s)", sc.Name, v, strings.Join(sc.Plan.VerifierIDs(), ", "))
		}
		if slices.Contains(cfg.Verifiers[:i], v) {
			return fmt.Errorf("session: verifier %q listed twice", v)
		}
	}
	return nil
}

// checkImplementation validates a report or a response. It normalises the
// move's report (times in UTC, the violating party filled in when the
// commitment has one owner) on m, the caller's copy.
func (s *Session) checkImplementation(m *Move) error {
	p := s.Scenario.Plan
	if p == nil {
		return fmt.Errorf("%w: scenario %q has no implementation plan", ErrInvalid, s.Scenario.Name)
	}
	switch s.State.Status {
	case StatusPending, StatusInForce:
	case StatusOpen:
		return fmt.Errorf("%w: there is no agreement to implement yet", ErrInvalid)
	default:
		return fmt.Errorf("%w: there is no agreement to implement (status %s)", ErrClosed, s.State.Status)
	}
	if m.Package != nil || m.Text != nil || m.Responses != nil || m.Yes != nil || m.Message != "" || m.To != nil ||
		m.Ref != 0 || m.Feedback != "" || m.Packages != nil {
		return fmt.Errorf("%w: a %s carries only its %s", ErrInvalid, m.Kind, m.Kind)
	}
	if m.Kind == KindReport {
		return s.checkReport(m, p)
	}
	return s.checkResponse(m)
}

func (s *Session) checkReport(m *Move, p *plan.Plan) error {
	if m.Response != nil || m.Report == nil {
		return fmt.Errorf("%w: a report carries a report (and no response)", ErrInvalid)
	}
	if !slices.Contains(s.Config.Verifiers, m.Party) {
		return fmt.Errorf("%w: %q is not a verifier of this session (verifiers: %s)", ErrNotParty, m.Party, strings.Join(s.Config.Verifiers, ", "))
	}
	r := *m.Report
	r.Evidence = slices.Clone(r.Evidence)
	c := p.Commitment(r.Commitment)
	if c == nil {
		return fmt.Errorf("%w: the plan has no commitment %q", ErrInvalid, r.Commitment)
	}
	if ok, why := c.Applies(s.Scenario.Framework, s.State.Agreement); !ok {
		return fmt.Errorf("%w: commitment %q does not apply to the agreement (%s)", ErrInvalid, c.ID, why)
	}
	if c.Verifier != m.Party {
		return fmt.Errorf("%w: commitment %q is verified by %s, not %s", ErrInvalid, c.ID, c.Verifier, m.Party)
	}
	switch r.Finding {
	case plan.FindingCompliance, plan.FindingViolation:
	case plan.FindingFulfilled:
		if c.Kind != plan.Once {
			return fmt.Errorf("%w: commitment %q is continuous: it holds (compliance) or is violated, it is not fulfilled once", ErrInvalid, c.ID)
		}
	default:
		return fmt.Errorf("%w: finding %q (want compliance, fulfilled or violation)", ErrInvalid, r.Finding)
	}
	if r.When.IsZero() {
		return fmt.Errorf("%w: a report says when the fact happened", ErrInvalid)
	}
	r.When = r.When.UTC()
	if r.When.After(s.now) {
		return fmt.Errorf("%w: the report's time %s is after the report itself (%s)", ErrInvalid, r.When.Format(time.RFC3339), s.now.UTC().Format(time.RFC3339))
	}
	m0 := PlanMilestones(s.events)
	if r.When.Before(m0.Agreement) {
		return fmt.Errorf("%w: the report's time %s is before the agreement (%s)", ErrInvalid, r.When.Format(time.RFC3339), m0.Agreement.UTC().Format(time.RFC3339))
	}
	if r.Finding == plan.FindingViolation {
		if r.Party == "" {
			if len(c.Owners) > 1 {
				return fmt.Errorf("%w: a violation of %q names the party that violated it (owners: %s)", ErrInvalid, c.ID, strings.Join(c.Owners, ", "))
			}
			r.Party = c.Owners[0]
		}
		if !slices.Contains(c.Owners, r.Party) {
			return fmt.Errorf("%w: %q does not own commitment %q (owners: %s)", ErrInvalid, r.Party, c.ID, strings.Join(c.Owners, ", "))
		}
		if r.Severity.Rank() < 1 {
			return fmt.Errorf("%w: a violation has a severity: minor, major or grave (got %q)", ErrInvalid, r.Severity)
		}
	} else if r.Party != "" || r.Severity != "" {
		return fmt.Errorf("%w: only a violation names a party and a severity", ErrInvalid)
	}
	if err := checkText("place", r.Place, MaxPlace); err != nil {
		return err
	}
	if err := checkText("text", r.Text, MaxMessage); err != nil {
		return err
	}
	if len(r.Evidence) > MaxEvidence {
		return fmt.Errorf("%w: %d evidence links (at most %d)", ErrInvalid, len(r.Evidence), MaxEvidence)
	}
	for i, link := range r.Evidence {
		if err := checkLink(link); err != nil {
			return err
		}
		if slices.Contains(r.Evidence[:i], link) {
			return fmt.Errorf("%w: evidence link %q given twice", ErrInvalid, link)
		}
	}
	if len(r.Evidence) == 0 {
		r.Evidence = nil
	}
	if r.Replaces != 0 {
		q := s.reportAt(r.Replaces)
		if q == nil {
			return fmt.Errorf("%w: event %d is not a report", ErrInvalid, r.Replaces)
		}
		if q.Commitment != r.Commitment {
			return fmt.Errorf("%w: report %d is on %q, not %q", ErrInvalid, r.Replaces, q.Commitment, r.Commitment)
		}
		if by := s.replacedBy(r.Replaces); by != 0 {
			return fmt.Errorf("%w: report %d was already replaced by report %d", ErrInvalid, r.Replaces, by)
		}
	}
	m.Report = &r
	return nil
}

func (s *Session) checkResponse(m *Move) error {
	if m.Report != nil || m.Response == nil {
		return fmt.Errorf("%w: a response carries a response (and no report)", ErrInvalid)
	}
	x := *m.Response
	switch x.Answer {
	case plan.Accept, plan.Dispute:
	default:
		return fmt.Errorf("%w: answer %q (want accept or dispute)", ErrInvalid, x.Answer)
	}
	if s.reportAt(x.Report) == nil {
		return fmt.Errorf("%w: event %d is not a report", ErrInvalid, x.Report)
	}
	if err := checkText("text", x.Text, MaxMessage); err != nil {
		return err
	}
	for i := x.Report; i < len(s.events); i++ {
		e := &s.events[i]
		if e.Kind == KindResponse && e.Party == m.Party && e.Move != nil && e.Move.Response != nil && e.Move.Response.Report == x.Report {
			return fmt.Errorf("%w: %s already responded to report %d (event %d)", ErrInvalid, m.Party, x.Report, e.Seq)
		}
	}
	if by := s.replacedBy(x.Report); by != 0 && x.Answer == plan.Dispute {
		return fmt.Errorf("%w: report %d was replaced by report %d; dispute that one", ErrInvalid, x.Report, by)
	}
	m.Response = &x
	return nil
}

// reportAt returns the report of event seq, or nil.
func (s *Session) reportAt(seq int) *plan.Report {
	if seq < 1 || seq > len(s.events) {
		return nil
	}
	e := &s.events[seq-1]
	if e.Kind != KindReport || e.Move == nil {
		return nil
	}
	return e.Move.Report
}

// replacedBy returns the report that replaced report seq, or 0.
func (s *Session) replacedBy(seq int) int {
	for i := seq; i < len(s.events); i++ {
		e := &s.events[i]
		if e.Kind == KindReport && e.Move != nil && e.Move.Report != nil && e.Move.Report.Replaces == seq {
			return e.Seq
		}
	}
	return 0
}

// checkText bounds free text of a report or response.
func checkText(what, v string, limit int) error {
	if len(v) > limit {
		return fmt.Errorf("%w: %s of %d bytes (limit %d)", ErrInvalid, what, len(v), limit)
	}
	if !utf8.ValidString(v) {
		return fmt.Errorf("%w: %s is not valid UTF-8", ErrInvalid, what)
	}
	return nil
}

// checkLink accepts an absolute http or https URL with a host, written
// without spaces or control characters.
func checkLink(link string) error {
	if len(link) > MaxLink {
		return fmt.Errorf("%w: evidence link of %d bytes (limit %d)", ErrInvalid, len(link), MaxLink)
	}
	if !utf8.ValidString(link) {
		return fmt.Errorf("%w: evidence link is not valid UTF-8", ErrInvalid)
	}
	for _, r := range link {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return fmt.Errorf("%w: evidence link %q holds white space or a control character", ErrInvalid, link)
		}
	}
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("%w: evidence link %q is not an http or https URL", ErrInvalid, link)
	}
	if !strings.HasPrefix(link, u.Scheme+"://") {
		return fmt.Errorf("%w: evidence link %q: write the scheme in lower case", ErrInvalid, link)
	}
	return nil
}

// applyImplementation draws the consequences of a report: the triggers it
// fires, and those a replacement cancels.
func (s *Session) applyImplementation(m *Move) {
	if m.Kind != KindReport {
		return
	}
	p := s.Scenario.Plan
	fw := s.Scenario.Framework
	ms := PlanMilestones(s.events)
	entries := ImplementationEntries(s.events)
	before := plan.Derive(p, fw, s.State.Agreement, ms, entries[:len(entries)-1], s.now)
	after := plan.Derive(p, fw, s.State.Agreement, ms, entries, s.now)
	fired := map[string]bool{}
	for _, t := range before.Triggers {
		fired[t.Commitment] = true
	}
	for _, t := range after.Triggers {
		if fired[t.Commitment] {
			delete(fired, t.Commitment)
			continue
		}
		reason := fmt.Sprintf("%s violation of %s", t.Severity, t.Source)
		if t.Party != "" {
			reason += " by " + t.Party
		}
		reason += fmt.Sprintf(" (report %d): %s is owed", t.Report, t.Commitment)
		var due *time.Time
		if t.Due != nil {
			d := t.Due.UTC()
			due = &d
			reason += " by " + d.Format(time.RFC3339)
		}
		s.Note(KindTrigger, &Note{Commitment: t.Commitment, Due: due, Reason: reason})
	}
	for _, t := range before.Triggers {
		if fired[t.Commitment] {
			s.Note(KindTriggerCancelled, &Note{Commitment: t.Commitment,
				Reason: fmt.Sprintf("report %d replaces the violation that triggered %s (report %d): it is no longer owed", m.Report.Replaces, t.Commitment, t.Report)})
		}
	}
}

// ImplementationEntries returns the reports and responses of a log, in
// order, as plan.Derive reads them.
func ImplementationEntries(events []Event) []plan.Entry {
	var out []plan.Entry
	for i := range events {
		e := &events[i]
		if e.Move == nil {
			continue
		}
		switch {
		case e.Kind == KindReport && e.Move.Report != nil:
			out = append(out, plan.Entry{Seq: e.Seq, Time: e.Time, By: e.Party, Report: e.Move.Report})
		case e.Kind == KindResponse && e.Move.Response != nil:
			out = append(out, plan.Entry{Seq: e.Seq, Time: e.Time, By: e.Party, Response: e.Move.Response})
		}
	}
	return out
}

// PlanMilestones returns when the log's agreement was reached and when it
// entered into force (zero when it has not).
func PlanMilestones(events []Event) plan.Milestones {
	var m plan.Milestones
	for i := range events {
		e := &events[i]
		if e.Note == nil || e.Move != nil {
			continue
		}
		switch {
		case e.Kind == "agreement":
			m.Agreement = e.Time
			if e.Note.Status == StatusInForce {
				m.EntryIntoForce = e.Time
			}
		case e.Kind == "in-force":
			m.EntryIntoForce = e.Time
		}
	}
	return m
}

// PlanStatus derives the implementation status of the session's agreement
// at now from its log (see plan.Derive).
func (s *Session) PlanStatus(now time.Time) (*plan.Status, error) {
	if err := s.planReady(); err != nil {
		return nil, err
	}
	return plan.Derive(s.Scenario.Plan, s.Scenario.Framework, s.State.Agreement, PlanMilestones(s.events), ImplementationEntries(s.events), now), nil
}

// PlanReports lists the reports filed by now with their responses (see
// plan.Reports).
func (s *Session) PlanReports(now time.Time) ([]plan.ReportRecord, error) {
	if err := s.planReady(); err != nil {
		return nil, err
	}
	return plan.Reports(s.Scenario.Plan, s.Scenario.Framework, s.State.Agreement, PlanMilestones(s.events), ImplementationEntries(s.events), now), nil
}

func (s *Session) planReady() error {
	if s.Scenario.Plan == nil {
		return fmt.Errorf("session: scenario %q has no implementation plan", s.Scenario.Name)
	}
	if s.State.Agreement == nil {
		return fmt.Errorf("session: no agreement (status %s): nothing to implement", s.State.Status)
	}
	return nil
}
