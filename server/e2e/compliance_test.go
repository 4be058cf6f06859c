package e2e

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parley-negotiation/parley/plan"
	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// shiftedClock is wall time moved back by an offset the test sets: the
// agreement and the first reports happen "weeks ago", then the browsers
// work at the present, whose time they share with the server.
type shiftedClock struct{ offset atomic.Int64 }

func (c *shiftedClock) now() time.Time      { return time.Now().Add(-time.Duration(c.offset.Load())) }
func (c *shiftedClock) ago(d time.Duration) { c.offset.Store(int64(d)) }

// pick sets a select's value and tells the page, as a person choosing would.
func pick(elem, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const e = document.getElementById(%q);
		e.value = %q;
		e.dispatchEvent(new Event("change", { bubbles: true }));
	})()`, elem, value))
}

// fill sets a field's text and tells the page, as typing would.
func fill(elem, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(id(elem)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
			const e = document.getElementById(%q);
			e.value = %q;
			e.dispatchEvent(new Event("input", { bubbles: true }));
		})()`, elem, value)))
}

// agreeOnOutline takes a Miami room to an agreement on the outline (the
// first option of every point) through the service, a hundred days ago on
// the server's clock, and through the first reports of the implementation:
//
//	day  0  agreement; days 1 and 2 the Federal Assembly and the Rada ratify
//	day  5  monitoring deployed (reported day 6)
//	day 10  minor ceasefire violation by Ukraine (reported day 11); day 12
//	        the mission finds compliance again
//	day 80  referendum held (reported day 81, with its ratification step);
//	        day 82 the Council of the EU ratifies: in force
//
// so that the prisoner exchange is due in twelve days (day 112).
func (h *harness) agreeOnOutline(clk *shiftedClock, nid string, parties map[string]room.Viewer) {
	t := h.t
	t.Helper()
	submit := func(v room.Viewer, m session.Move) int {
		t.Helper()
		seq, err := h.svc.Submit(h.ctx, v, nid, m)
		if err != nil {
			t.Fatalf("%s by %+v: %v", m.Kind, v, err)
		}
		return seq
	}
	med := room.Viewer{User: h.owner}
	text := make([][]int, 20)
	for i := range text {
		text[i] = []int{0}
	}
	day := func(n int) { clk.ago(time.Duration(100-n) * 24 * time.Hour) }
	day(0)
	submit(med, session.Move{Kind: session.KindDraft, Text: text})
	names := []string{"russia", "ukraine", "europe"}
	for _, p := range names {
		var rs []session.PointResponse
		for i := range text {
			rs = append(rs, session.PointResponse{Point: i, Stance: session.StanceAccept})
		}
		submit(parties[p], session.Move{Kind: session.KindRespond, Responses: rs})
	}
	submit(med, session.Move{Kind: session.KindCallVote})
	yes := true
	for _, p := range names {
		submit(parties[p], session.Move{Kind: session.KindVote, Yes: &yes})
	}
	agreed := clk.now()
	at := func(n int) time.Time { return agreed.Add(time.Duration(n) * 24 * time.Hour) }
	ratify := func(p string, step int) {
		t.Helper()
		submit(parties[p], session.Move{Kind: session.KindRatify, Ref: step, Yes: &yes})
	}
	day(1)
	ratify("russia", 1)
	day(2)
	ratify("ukraine", 2)
	report := func(verifier string, r plan.Report) {
		t.Helper()
		submit(room.Viewer{Negotiation: nid, Verifier: verifier}, session.Move{Kind: session.KindReport, Report: &r})
	}
	day(6)
	report("peace-council", plan.Report{Commitment: "monitoring-deployed", Finding: plan.FindingFulfilled, When: at(5),
		Text: "The mission covers the whole line of contact.", Evidence: []string{"https://monitoring.example/coverage-map"}})
	day(11)
	report("monitoring-mission", plan.Report{Commitment: "ceasefire", Finding: plan.FindingViolation, Party: "ukraine", Severity: plan.Minor,
		When: at(10), Place: "Kherson river crossing", Evidence: []string{"https://monitoring.example/reports/10"}})
	day(12)
	report("monitoring-mission", plan.Report{Commitment: "ceasefire", Finding: plan.FindingCompliance, When: at(12)})
	day(81)
	report("peace-council", plan.Report{Commitment: "referendum", Finding: plan.FindingFulfilled, When: at(80),
		Text: "Results certified by the Central Election Commission.", Evidence: []string{"https://cvk.example/referendum/results"}})
	ratify("ukraine", 3)
	day(82)
	ratify("europe", 4)
	clk.ago(0)
}

// TestMiamiCompliance follows the implementation of the Miami agreement in
// the browsers: the mediator invites the monitoring mission to a verifier's
// seat through the console, the mission files a grave violation through
// its dashboard, Russia's dashboard shows the changed statuses at once
// (the ceasefire violated, the snap-back owed) and Russia disputes the
// report through the UI.
func TestMiamiCompliance(t *testing.T) {
	clk := &shiftedClock{}
	h, bctx := newHarness(t, clk.now)
	sc, err := scenario.Builtin("miami-2025")
	if err != nil {
		t.Fatal(err)
	}
	clk.ago(101 * 24 * time.Hour) // before the agreement: a log's time runs forward
	n, err := h.svc.CreateNegotiation(h.ctx, h.owner, "Miami talks", sc, room.Settings{Protocol: session.SingleText}, "")
	if err != nil {
		t.Fatal(err)
	}
	parties := map[string]room.Viewer{}
	tokens := map[string]string{}
	for _, p := range []string{"russia", "ukraine", "europe"} {
		tok, _, err := h.svc.Invite(h.ctx, h.owner, n.ID, p, "Delegate of "+p, false, room.MaxInviteTTL)
		if err != nil {
			t.Fatal(err)
		}
		tokens[p], parties[p] = tok, room.Viewer{Negotiation: n.ID, Party: p}
	}
	if err := h.svc.Start(h.ctx, h.owner, n.ID); err != nil {
		t.Fatal(err)
	}
	h.agreeOnOutline(clk, n.ID, parties)

	// The mediator invites the monitoring mission from the console.
	med := h.newUser(bctx, "mediator")
	h.do(med, "sign in and open the console",
		h.signIn(),
		chromedp.Navigate(h.base+"/n/"+n.ID),
		chromedp.WaitVisible(css(`#status-banner[data-status="in-force"]`)),
		chromedp.WaitVisible(id("open-compliance")),
	)
	h.do(med, "invite the monitoring mission",
		pick("invite-party", "verifier:monitoring-mission"),
		fill("invite-person", "Head of the monitoring mission"),
		click("invite-create"),
		chromedp.WaitVisible(css(`#invite-link[data-party="verifier:monitoring-mission"]`)),
		chromedp.WaitVisible(css(`[data-testid="invite-status-verifier-monitoring-mission"] div`)),
	)
	link := h.value(med, "invite-link")

	// Russia opens its dashboard from the room.
	ru := h.newUser(bctx, "russia")
	h.do(ru, "open the compliance dashboard",
		chromedp.Navigate(h.base+"/join#"+tokens["russia"]),
		chromedp.WaitVisible(id("party-room")),
		click("open-compliance"),
		chromedp.WaitVisible(id("timeline")),
		chromedp.WaitVisible(css(`#cstatus-ceasefire[data-status="due"]`)),
		chromedp.WaitVisible(css(`#cstatus-monitoring-deployed[data-status="fulfilled"]`)),
		chromedp.WaitVisible(css(`#cstatus-prisoner-exchange[data-status="due"]`)),
		chromedp.WaitVisible(css(`#cstatus-sanctions-snapback[data-status="pending"]`)),
	)

	// The mission opens its invitation: its seat is the dashboard, with
	// the report form and none of the talks.
	mm := h.newUser(bctx, "monitoring-mission")
	h.do(mm, "open the verifier's invitation",
		chromedp.Navigate(link),
		chromedp.WaitVisible(id("compliance")),
		chromedp.WaitVisible(id("report-form")),
	)
	for _, absent := range []string{"party-room", "mediator-console", "messages", "room-tabs"} {
		if n, err := chromedp.Run(mm.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`!!document.getElementById(%q)`, absent))); err != nil || n {
			t.Errorf("the verifier's screen has #%s (%v)", absent, err)
		}
	}
	h.do(mm, "write a violation report",
		pick("report-commitment", "ceasefire"),
		pick("report-finding", "violation"),
		chromedp.WaitVisible(id("report-party")),
		pick("report-party", "russia"),
		pick("report-severity", "grave"),
		fill("report-place", "Zaporizhzhia front, near Huliaipole"),
		fill("report-evidence", "https://monitoring.example/reports/e2e-imagery\nhttps://monitoring.example/reports/e2e-drone"),
		fill("report-text", "Artillery and drone strikes on positions along the line, confirmed by satellite imagery."),
	)
	h.shot(mm, "compliance-report", "report-card")
	h.do(mm, "file the report",
		click("report-submit"),
		chromedp.WaitVisible(css(`[data-testid^="report-"][data-finding="violation"][data-status="standing"] .cst-violated`)),
		chromedp.WaitVisible(css(`#cstatus-ceasefire[data-status="violated"]`)),
	)

	// Russia's dashboard changes without a reload.
	h.do(ru, "see the violation and the snap-back",
		chromedp.WaitVisible(css(`#cstatus-ceasefire[data-status="violated"]`)),
		chromedp.WaitVisible(css(`#cstatus-sanctions-snapback[data-status="due"]`)),
		chromedp.WaitVisible(css(`[data-testid="trigger-sanctions-snapback"]`)),
		chromedp.WaitVisible(css(`[data-testid="party-status-russia"][data-violations="1"]`)),
	)
	h.shot(ru, "compliance", "room-tabs")
	seq, err := chromedp.Run(ru.ctx, chromedp.Evaluate[string](`document.querySelector('[data-finding="violation"][data-status="standing"]').dataset.testid.replace(/^report-/, "")`))
	if err != nil {
		t.Fatal(err)
	}
	h.do(ru, "filter the reports",
		pick("filter-severity", "grave"),
		chromedp.WaitVisible(css(`#reports-count`)),
	)
	if got := h.text(ru, "#reports-count"); got != "1 of 5" {
		t.Errorf("grave reports: %q, want 1 of 5", got)
	}
	h.do(ru, "dispute the report",
		fill("respond-text-"+seq, "Our units returned fire; the imagery shows the first strike from the west bank."),
		click("respond-dispute-"+seq),
		chromedp.WaitVisible(css(fmt.Sprintf(`[data-testid="response-%s-russia"]`, seq))),
		chromedp.WaitVisible(css(`#cstatus-ceasefire[data-status="disputed"]`)),
	)
	h.shot(ru, "compliance-reports", "reports")

	// The mission and the mediator see the dispute.
	h.do(mm, "see the dispute", chromedp.WaitVisible(css(fmt.Sprintf(`[data-testid="report-%s"][data-status="disputed"]`, seq))))
	h.do(med, "open the mediator's dashboard",
		click("open-compliance"),
		chromedp.WaitVisible(css(`#cstatus-ceasefire[data-status="disputed"]`)),
		chromedp.WaitVisible(id("agreement-html")),
	)
	// The state the browsers show is the one the service derives.
	pv, err := h.svc.PlanStatus(h.ctx, parties["europe"], n.ID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range pv.Status.Commitments {
		if c.ID == "ceasefire" && c.Status != plan.StatusDisputed {
			t.Errorf("the service says the ceasefire is %s", c.Status)
		}
	}
	for _, u := range h.users {
		if errs := u.pageErrors(); len(errs) > 0 {
			t.Errorf("%s: errors in the page: %q", u.name, errs)
		}
	}
	if !strings.Contains(link, "/join#") {
		t.Errorf("verifier's link %q", link)
	}
}
