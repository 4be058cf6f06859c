package room_test

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/agreement"
	"github.com/parley-negotiation/parley/plan"
	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/session"
)

// testClock is the service's clock in the implementation tests: the plan's
// rules run on days, which the tests set rather than wait for.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// agreedAt is day 0 of the scripted implementation: the agreement.
var agreedAt = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// day returns agreedAt plus n days and h hours.
func day(n int, h ...int) time.Time {
	t := agreedAt.AddDate(0, 0, n)
	if len(h) > 0 {
		t = t.Add(time.Duration(h[0]) * time.Hour)
	}
	return t
}

// verifiers of the Miami plan.
var miamiVerifiers = []string{"monitoring-mission", "humanitarian-committee", "peace-council"}

// implementationFixture is a Miami room on a test clock, its parties and
// its verifiers invited, the talks opened.
type implementationFixture struct {
	*fixture
	clock     *testClock
	verifiers map[string]room.Viewer
	observer  room.Viewer
}

func newImplementation(t *testing.T) *implementationFixture {
	t.Helper()
	clk := &testClock{t: day(0, -3)}
	f := newMiamiOn(t, room.Settings{}, clk.now)
	x := &implementationFixture{fixture: f, clock: clk, verifiers: map[string]room.Viewer{}}
	for _, id := range miamiVerifiers {
		tok, inv, err := f.svc.InviteVerifier(f.ctx, f.user, f.neg, id, "Head of "+id, time.Hour*24*365)
		if err != nil {
			t.Fatal(err)
		}
		if inv.Verifier != id || inv.Party != "" {
			t.Fatalf("verifier invitation %+v", inv)
		}
		v, err := f.svc.Join(f.ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if v.Verifier != id || v.Party != "" || v.Negotiation != f.neg {
			t.Fatalf("join as verifier %s: %+v", id, v)
		}
		x.verifiers[id] = v
	}
	tok, _, err := f.svc.Invite(f.ctx, f.user, f.neg, "", "press", true, time.Hour*24*365)
	if err != nil {
		t.Fatal(err)
	}
	if x.observer, err = f.svc.Join(f.ctx, tok); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Start(f.ctx, f.user, f.neg); err != nil {
		t.Fatal(err)
	}
	return x
}

// agreeOnOutline runs the single text to an agreement on the 20-point
// outline (the first option of every point) at agreedAt: a first draft
// with point 1 in brackets, a second one without, replies, the vote.
func (x *implementationFixture) agreeOnOutline() {
	x.t.Helper()
	outline := make([][]int, 20)
	for i := range outline {
		outline[i] = []int{0}
	}
	first := slices.Clone(outline)
	first[0] = []int{0, 1}
	accept := func() {
		for _, p := range []string{"russia", "ukraine", "europe"} {
			var rs []session.PointResponse
			for i := range outline {
				rs = append(rs, session.PointResponse{Point: i, Stance: session.StanceAccept})
			}
			x.submit(x.parties[p], session.Move{Kind: session.KindRespond, Responses: rs})
		}
	}
	x.clock.set(day(0, -2))
	x.submit(x.mediator(), session.Move{Kind: session.KindDraft, Text: first})
	accept()
	x.clock.set(day(0, -1))
	x.submit(x.mediator(), session.Move{Kind: session.KindDraft, Text: outline})
	accept()
	x.submit(x.mediator(), session.Move{Kind: session.KindCallVote})
	x.clock.set(agreedAt)
	yes := true
	for _, p := range []string{"russia", "ukraine", "europe"} {
		x.submit(x.parties[p], session.Move{Kind: session.KindVote, Yes: &yes})
	}
}

func (x *implementationFixture) report(verifier string, r plan.Report) int {
	x.t.Helper()
	return x.submit(x.verifiers[verifier], session.Move{Kind: session.KindReport, Report: &r})
}

func (x *implementationFixture) respond(party string, report int, a plan.Answer, text string) {
	x.t.Helper()
	x.submit(x.parties[party], session.Move{Kind: session.KindResponse, Response: &plan.Response{Report: report, Answer: a, Text: text}})
}

func (x *implementationFixture) ratify(party string, step int) {
	x.t.Helper()
	yes := true
	x.submit(x.parties[party], session.Move{Kind: session.KindRatify, Ref: step, Yes: &yes})
}

// status derives the plan's status at an instant as v sees it.
func (x *implementationFixture) status(v room.Viewer, at time.Time) *room.PlanView {
	x.t.Helper()
	pv, err := x.svc.PlanStatus(x.ctx, v, x.neg, at)
	if err != nil {
		x.t.Fatalf("plan status at %s: %v", at, err)
	}
	return pv
}

func commitment(pv *room.PlanView, id string) plan.CommitmentStatus {
	for _, c := range pv.Status.Commitments {
		if c.ID == id {
			return c
		}
	}
	return plan.CommitmentStatus{Status: "(absent)"}
}

func (x *implementationFixture) wantCode(err error, code, says string) {
	x.t.Helper()
	if room.ErrorCode(err) != code || !strings.Contains(room.ErrorMessage(err), says) {
		x.t.Errorf("error %v (%s), want %s saying %q", err, room.ErrorCode(err), code, says)
	}
}

// TestMiamiImplementationThroughTheRoom plays the implementation of the
// Miami agreement through the room's service: the verifiers hold seats of
// their own and file reports, the parties respond, and the derived
// statuses at each instant follow the rules of docs/implementation.md
// (the table below is checked by hand against them):
//
//	day  0  agreement (the ceasefire is in effect from now)
//	day  1  Russia's Federal Assembly ratifies; day 2 the Verkhovna Rada
//	day  5  monitoring deployed (reported day 5, noon)
//	day 10  minor ceasefire violation by Russia (reported day 11); Russia
//	        disputes it an hour later; day 12 the mission finds compliance
//	day 74  referendum held (reported day 75, with the referendum step);
//	        day 76 the Council of the EU: in force
//	day 79  grave violation by Russia (reported day 80): the snap-back is owed
func TestMiamiImplementationThroughTheRoom(t *testing.T) {
	x := newImplementation(t)
	mm, pc := x.verifiers["monitoring-mission"], x.verifiers["peace-council"]

	// Before the agreement a verifier has nothing to report on.
	_, err := x.svc.Submit(x.ctx, mm, x.neg, session.Move{Kind: session.KindReport, Report: &plan.Report{Commitment: "ceasefire", Finding: plan.FindingCompliance, When: day(0, -3)}})
	x.wantCode(err, room.EINVALID, "no agreement to implement yet")
	if pv := x.status(x.parties["russia"], time.Time{}); pv.Agreement || pv.Status != nil || !strings.Contains(pv.Reason, "no agreement") || len(pv.Plan.Commitments) == 0 {
		t.Fatalf("plan before the agreement: %+v", pv)
	}

	x.agreeOnOutline()
	// Seats: only verifiers file reports, only the right verifier on a
	// commitment, and a verifier files nothing else.
	_, err = x.svc.Submit(x.ctx, x.parties["russia"], x.neg, session.Move{Kind: session.KindReport, Report: &plan.Report{Commitment: "ceasefire", Finding: plan.FindingCompliance, When: agreedAt}})
	x.wantCode(err, room.EFORBIDDEN, "seats of the plan's verifiers")
	_, err = x.svc.Submit(x.ctx, mm, x.neg, session.Move{Kind: session.KindMessage, Message: "hello", To: []string{"us"}})
	x.wantCode(err, room.EFORBIDDEN, "reports only")
	_, err = x.svc.Submit(x.ctx, mm, x.neg, session.Move{Kind: session.KindReport, Report: &plan.Report{Commitment: "monitoring-deployed", Finding: plan.FindingFulfilled, When: agreedAt}})
	x.wantCode(err, room.EINVALID, "verified by peace-council")
	_, err = x.svc.Submit(x.ctx, x.observer, x.neg, session.Move{Kind: session.KindResponse, Response: &plan.Response{Report: 1, Answer: plan.Accept}})
	x.wantCode(err, room.EFORBIDDEN, "observers")

	x.clock.set(day(1))
	x.ratify("russia", 1)
	x.clock.set(day(2))
	x.ratify("ukraine", 2)
	x.clock.set(day(5, 12))
	x.report("peace-council", plan.Report{Commitment: "monitoring-deployed", Finding: plan.FindingFulfilled, When: day(5)})
	x.clock.set(day(11))
	minor := x.report("monitoring-mission", plan.Report{Commitment: "ceasefire", Finding: plan.FindingViolation, Party: "russia", Severity: plan.Minor,
		When: day(10), Place: "near Huliaipole", Evidence: []string{"https://monitoring.example/reports/10"}, Text: "Artillery fire across the line."})
	x.clock.set(day(11, 1))
	x.respond("russia", minor, plan.Dispute, "A training exercise behind our lines.")
	x.clock.set(day(12))
	x.report("monitoring-mission", plan.Report{Commitment: "ceasefire", Finding: plan.FindingCompliance, When: day(12)})
	x.clock.set(day(75))
	x.report("peace-council", plan.Report{Commitment: "referendum", Finding: plan.FindingFulfilled, When: day(74)})
	x.ratify("ukraine", 3)
	x.clock.set(day(76))
	x.ratify("europe", 4)
	x.clock.set(day(80))
	grave := x.report("monitoring-mission", plan.Report{Commitment: "ceasefire", Finding: plan.FindingViolation, Party: "russia", Severity: plan.Grave,
		When: day(79), Place: "Zaporizhzhia front", Evidence: []string{"https://monitoring.example/reports/79"}})
	x.clock.set(day(96))

	type want struct {
		status string
		since  time.Time
		due    time.Time // zero: none expected
		late   bool
	}
	const (
		cf, mon, ref = "ceasefire", "monitoring-deployed", "referendum"
		pow, snap    = "prisoner-exchange", "sanctions-snapback"
	)
	table := []struct {
		at   time.Time
		want map[string]want
	}{
		{day(0, 1), map[string]want{
			cf:   {status: "due", since: day(0)},
			mon:  {status: "due", since: day(0), due: day(14)},
			ref:  {status: "pending", since: day(0)},
			pow:  {status: "pending", since: day(0)}, // owed from entry into force
			snap: {status: "pending", since: day(0)},
		}},
		{day(11, 0), map[string]want{
			cf:  {status: "violated", since: day(10)},
			mon: {status: "fulfilled", since: day(5), due: day(14)},
			ref: {status: "pending", since: day(10)}, // the 60 days restart on day 10
		}},
		{day(11, 2), map[string]want{
			cf: {status: "disputed", since: day(11, 1)},
		}},
		{day(12, 1), map[string]want{
			cf: {status: "due", since: day(12)}, // the mission's finding ends the dispute
		}},
		{day(69), map[string]want{
			ref: {status: "pending", since: day(10)},
		}},
		{day(70, 1), map[string]want{
			ref: {status: "due", since: day(70), due: day(160)}, // 60 days held; 90 days to hold it
		}},
		{day(76, 1), map[string]want{
			ref: {status: "fulfilled", since: day(74), due: day(160)},
			pow: {status: "due", since: day(76), due: day(106)},
		}},
		{day(80, 1), map[string]want{
			cf:   {status: "violated", since: day(79)},
			snap: {status: "due", since: day(80), due: day(94)},
		}},
		{day(96), map[string]want{
			snap: {status: "late", since: day(94), due: day(94), late: true},
			pow:  {status: "due", since: day(76), due: day(106)},
		}},
	}
	for _, row := range table {
		pv := x.status(x.parties["ukraine"], row.at)
		for id, w := range row.want {
			c := commitment(pv, id)
			due := time.Time{}
			if c.Due != nil {
				due = *c.Due
			}
			if c.Status != w.status || !c.Since.Equal(w.since) || !due.Equal(w.due) || c.Late != w.late {
				t.Errorf("at %s: %s is %s since %s (due %s, late %v), want %s since %s (due %s, late %v): %s",
					row.at.Format(time.DateTime), id, c.Status, c.Since.Format(time.DateTime), due.Format(time.DateTime), c.Late,
					w.status, w.since.Format(time.DateTime), w.due.Format(time.DateTime), w.late, c.Reason)
			}
		}
	}

	// Now: the trigger fired, the rollups count Russia's violations, and
	// the reports carry their responses.
	now := x.status(x.parties["russia"], time.Time{})
	if !now.At.Equal(day(96)) || !now.Status.Milestones.EntryIntoForce.Equal(day(76)) {
		t.Errorf("status at %s, in force %s; want day 96 and day 76", now.At, now.Status.Milestones.EntryIntoForce)
	}
	if len(now.Status.Triggers) != 1 || now.Status.Triggers[0].Commitment != snap || now.Status.Triggers[0].Report != grave {
		t.Errorf("triggers %+v, want the snap-back by report %d", now.Status.Triggers, grave)
	}
	for _, r := range now.Status.Parties {
		if r.ID == "russia" && r.Violations != 2 {
			t.Errorf("russia: %d standing violations, want 2", r.Violations)
		}
	}
	if len(now.Reports) != 5 || now.Reports[1].Seq != minor || len(now.Reports[1].Responses) != 1 || now.Reports[1].Responses[0].Answer != plan.Dispute {
		t.Errorf("reports %+v", now.Reports)
	}
	if now.Responder != "russia" || now.Reporter != "" {
		t.Errorf("russia: responder %q reporter %q", now.Responder, now.Reporter)
	}
	if pv := x.status(mm, time.Time{}); pv.Reporter != "monitoring-mission" || pv.Responder != "" {
		t.Errorf("monitoring mission: reporter %q responder %q", pv.Reporter, pv.Responder)
	}
	if pv := x.status(x.observer, time.Time{}); pv.Reporter != "" || pv.Responder != "" {
		t.Errorf("observer: reporter %q responder %q", pv.Reporter, pv.Responder)
	}
	// Everyone reads the same status; the engine drew the trigger event.
	same := func(a, b *room.PlanView) bool {
		ja, _ := json.Marshal(a.Status)
		jb, _ := json.Marshal(b.Status)
		return string(ja) == string(jb)
	}
	for _, v := range []room.Viewer{x.mediator(), x.observer, mm, pc, x.parties["europe"]} {
		if !same(x.status(v, time.Time{}), now) {
			t.Errorf("%+v reads another status", v)
		}
	}
	ev, err := x.svc.Events(x.ctx, x.parties["europe"], x.neg, grave)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev) != 1 || ev[0].Kind != session.KindTrigger || ev[0].Note.Commitment != snap {
		t.Errorf("events after the grave violation: %+v", ev)
	}

	// The status at a past instant is what the log said then.
	before := x.status(pc, day(11, 2))
	if c := commitment(before, cf); c.Status != "disputed" {
		t.Errorf("at day 11: ceasefire %s", c.Status)
	}
	if len(before.Reports) != 2 {
		t.Errorf("at day 11: %d reports, want 2 (later ones are not known yet)", len(before.Reports))
	}
	_, err = x.svc.PlanStatus(x.ctx, mm, x.neg, time.Date(3100, 1, 1, 0, 0, 0, 0, time.UTC))
	x.wantCode(err, room.EINVALID, "years")

	// A restart replays the log to the same status.
	again := room.New(openStore(t, x.path), x.clock.now)
	pv, err := again.PlanStatus(x.ctx, x.parties["russia"], x.neg, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if !same(pv, now) {
		t.Errorf("after a restart the status differs")
	}
}

// TestVerifierSeesThePublicRecordOnly: a verifier's view, events and
// stream hold no profile, none of the talks (drafts, replies, votes,
// messages even when public) and no state beyond the outcome; its
// agreement document counts the confidential assents; it has no profile
// to evaluate with.
func TestVerifierSeesThePublicRecordOnly(t *testing.T) {
	x := newImplementation(t)
	mm := x.verifiers["monitoring-mission"]
	sub, err := x.svc.Subscribe(x.ctx, mm, x.neg, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Cancel()
	x.agreeOnOutline()
	x.submit(x.mediator(), session.Move{Kind: session.KindMessage, Message: "to the table", To: []string{"russia", "ukraine", "europe"}})
	x.submit(x.parties["ukraine"], session.Move{Kind: session.KindMessage, Message: "to the mediator", To: []string{"us"}})
	x.clock.set(day(1))
	seq := x.report("monitoring-mission", plan.Report{Commitment: "ceasefire", Finding: plan.FindingCompliance, When: day(1)})
	x.respond("ukraine", seq, plan.Accept, "")

	allowed := map[string]bool{"start": true, "agreement": true, "report": true, "response": true}
	v := x.view(mm)
	if v.Role != "verifier" || v.Verifier != "monitoring-mission" || v.Party != "" || v.Profile != nil || v.Reservation != nil || v.Utilities != nil {
		t.Errorf("verifier's view: role %q verifier %q party %q profile %v", v.Role, v.Verifier, v.Party, v.Profile != nil)
	}
	if !v.Plan || len(v.Verifiers) != 3 {
		t.Errorf("verifier's view: plan %v, verifiers %v", v.Plan, v.Verifiers)
	}
	st := v.State
	if st.Status != session.StatusPending || st.Agreement == nil || st.Text != nil || st.Replies != nil || st.Votes != nil || st.Current != nil || st.Waiting != nil {
		t.Errorf("verifier's state %+v", st)
	}
	kinds := map[string]bool{}
	for _, e := range v.Events {
		kinds[e.Kind] = true
		if !allowed[e.Kind] {
			t.Errorf("the verifier sees event %d (%s)", e.Seq, e.Kind)
		}
	}
	if len(kinds) != len(allowed) {
		t.Errorf("the verifier sees kinds %v, want %v", kinds, allowed)
	}
	b, _ := json.Marshal(v)
	for _, secret := range []string{"to the table", "to the mediator", `"weights"`, `"red_lines"`, `"profile"`} {
		if strings.Contains(string(b), secret) {
			t.Errorf("the verifier's view holds %s", secret)
		}
	}
	// The stream carries the same: the start, the agreement, the report
	// and the response.
	var streamed []string
	timeout := time.After(5 * time.Second)
	for len(streamed) < 4 {
		select {
		case batch := <-sub.C:
			for _, e := range batch {
				streamed = append(streamed, e.Kind)
			}
		case <-timeout:
			t.Fatalf("the verifier's stream carried %v", streamed)
		}
	}
	if !slices.Equal(streamed, []string{"start", "agreement", "report", "response"}) {
		t.Errorf("the verifier's stream carried %v", streamed)
	}
	if _, err := x.svc.Evaluate(x.ctx, mm, x.neg, make([]int, 20)); room.ErrorCode(err) != room.EFORBIDDEN {
		t.Errorf("a verifier evaluates a package: %v", err)
	}
	// The document: the agreed text, votes confidential under proximity.
	d, err := x.svc.AgreementText(x.ctx, mm, x.neg, 0)
	if err != nil {
		t.Fatal(err)
	}
	if d.Kind != agreement.KindAgreement || d.Decision.Confidential != 3 || len(d.Decision.Assents) != 0 {
		t.Errorf("verifier's document: kind %s, %d assents, %d confidential", d.Kind, len(d.Decision.Assents), d.Decision.Confidential)
	}
	d, err = x.svc.AgreementText(x.ctx, x.parties["russia"], x.neg, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Decision.Assents) != 1 || d.Decision.Confidential != 2 {
		t.Errorf("russia's document: %d assents, %d confidential", len(d.Decision.Assents), d.Decision.Confidential)
	}
	d, err = x.svc.AgreementText(x.ctx, x.mediator(), x.neg, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Decision.Assents) != 3 || d.Decision.Confidential != 0 {
		t.Errorf("mediator's document: %d assents, %d confidential", len(d.Decision.Assents), d.Decision.Confidential)
	}
	// The drafts are the talks: the verifier sees none.
	vs, err := x.svc.TextVersions(x.ctx, mm, x.neg)
	if err != nil || len(vs) != 0 {
		t.Errorf("verifier's versions: %v %v", vs, err)
	}
	_, err = x.svc.AgreementText(x.ctx, mm, x.neg, 1)
	x.wantCode(err, room.ENOTFOUND, "no draft")
	_, err = x.svc.TextDiff(x.ctx, mm, x.neg, 0, 0)
	x.wantCode(err, room.ENOTFOUND, "no draft")
}

// TestAgreementAndVersionsThroughTheRoom: the document, the versions of
// the single text and their differences, for a party.
func TestAgreementAndVersionsThroughTheRoom(t *testing.T) {
	x := newImplementation(t)
	ru := x.parties["russia"]
	if _, err := x.svc.AgreementText(x.ctx, ru, x.neg, 0); room.ErrorCode(err) != room.ENOTFOUND {
		t.Errorf("document before any draft: %v", err)
	}
	x.agreeOnOutline()
	vs, err := x.svc.TextVersions(x.ctx, ru, x.neg)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0].Outcome != agreement.OutcomeRedrafted || vs[1].Outcome != agreement.OutcomeAgreed {
		t.Fatalf("versions %+v", vs)
	}
	c, err := x.svc.TextDiff(x.ctx, ru, x.neg, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if c.From.Number != 1 || c.To.Number != 2 || len(c.Changed()) != 1 || c.Changed()[0].Change != agreement.SettledNow {
		t.Errorf("diff %+v", c.Changed())
	}
	_, err = x.svc.TextDiff(x.ctx, ru, x.neg, 1, 3)
	x.wantCode(err, room.ENOTFOUND, "no version 3")
	d, err := x.svc.AgreementText(x.ctx, ru, x.neg, 1)
	if err != nil {
		t.Fatal(err)
	}
	if d.Kind != agreement.KindDraft || d.Version != 1 || d.Bracketed != 1 {
		t.Errorf("version 1: kind %s version %d, %d bracketed", d.Kind, d.Version, d.Bracketed)
	}
	d, err = x.svc.AgreementText(x.ctx, ru, x.neg, 0)
	if err != nil {
		t.Fatal(err)
	}
	if d.Kind != agreement.KindAgreement || d.Version != 2 || d.Status != session.StatusPending {
		t.Errorf("agreement: kind %s version %d status %s", d.Kind, d.Version, d.Status)
	}
}
