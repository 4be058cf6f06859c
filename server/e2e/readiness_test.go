package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/parley-negotiation/parley/room"
)

// ready waits until the readiness board's row of party says joined and
// saved as given (the board follows the seats' stream: no reload).
func ready(party string, joined, saved bool) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(css(fmt.Sprintf(`[data-testid="ready-%s"][data-joined="%v"][data-saved="%v"]`, party, joined, saved)))
}

// TestMediatorConsole walks the mediator's console through a Miami room
// in a real browser:
//
//   - the readiness board changes live as Russia joins and saves its
//     profile (the mediator's page is not reloaded), and shows when each
//     seat was last active, never a profile's content;
//   - "Open the talks" asks first, naming the parties that never joined
//     and those that never saved a profile; "Not yet" opens nothing;
//   - a seat is re-issued from its row (the old link is refused) and
//     revoked, and the board says so;
//   - the mediator previews Russia's screen, read-only and without its
//     numbers (the mediator sees aggregates only), and comes back;
//   - the talks open after the confirmation;
//   - on the home page the negotiation is archived (it leaves the list
//     and keeps its record), restored, and deleted after a confirmation
//     that names it.
func TestMediatorConsole(t *testing.T) {
	h, bctx := newHarness(t, nil)
	med := h.newUser(bctx, "mediator")
	h.do(med, "sign in", h.signIn())
	h.do(med, "create the negotiation",
		chromedp.SendKeys(id("neg-title"), "Readiness"),
		chromedp.SetValue(id("neg-scenario"), "miami-2025"),
		chromedp.SetValue(id("neg-protocol"), "single-text"),
		click("neg-create"),
		chromedp.WaitVisible(id("mediator-console")),
		chromedp.WaitVisible(id("readiness-board")),
		ready("russia", false, false),
	)
	loc, err := chromedp.Run(med.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	nid := strings.TrimPrefix(loc, h.base+"/n/")
	links := map[string]string{}
	for _, p := range []string{"russia", "ukraine"} {
		h.do(med, "invite "+p,
			pick("invite-party", p),
			fill("invite-person", "Delegate of "+p),
			click("invite-create"),
			chromedp.WaitVisible(css(fmt.Sprintf(`#invite-link[data-party=%q]`, p))),
		)
		links[p] = h.value(med, "invite-link")
		h.do(med, "see "+p+" invited", click("invite-dismiss"))
	}
	if s := h.text(med, `[data-testid="ready-russia"]`); !strings.Contains(s, "invited") || !strings.Contains(s, "not saved") || !strings.Contains(s, "never") {
		t.Errorf("russia's row before joining: %q", s)
	}
	if s := h.text(med, `[data-testid="ready-europe"]`); !strings.Contains(s, "not invited") {
		t.Errorf("europe's row, never invited: %q", s)
	}

	// Russia joins: the mediator's board says so without a reload.
	ru := h.newUser(bctx, "russia")
	h.do(ru, "open the invitation",
		chromedp.Navigate(links["russia"]),
		chromedp.WaitVisible(css(`#party-room[data-party="russia"]`)),
		chromedp.WaitVisible(id("elicitation")),
	)
	h.do(med, "see russia joined", ready("russia", true, false))
	if s := h.text(med, `[data-testid="ready-last-russia"]`); s != "just now" {
		t.Errorf("russia last active %q, want just now", s)
	}
	// Russia saves its profile (a changed importance): the board says
	// saved, and nothing of the profile.
	h.do(ru, "change an importance",
		chromedp.WaitVisible(id("w-1")),
		chromedp.SendKeys(id("w-1"), kb.ArrowLeft+kb.ArrowLeft),
		chromedp.WaitVisible(id("eli-dirty")),
	)
	h.do(ru, "save the profile",
		click("eli-step-4"),
		click("eli-save"),
		chromedp.WaitVisible(id("eli-saved")),
	)
	h.do(med, "see russia's profile saved", ready("russia", true, true))
	board := h.text(med, "#readiness")
	for _, leak := range []string{"weight", "0.", "reservation"} {
		if strings.Contains(strings.ToLower(board), leak) {
			t.Errorf("the readiness board shows %q: %q", leak, board)
		}
	}
	h.shot(med, "mediator-readiness", "readiness")

	// "Open the talks" asks first and names who is not ready.
	h.do(med, "ask to open the talks",
		click("start"),
		chromedp.WaitVisible(id("start-confirm")),
	)
	absent, unsaved := h.text(med, "#start-absent"), h.text(med, "#start-unsaved")
	if !strings.Contains(absent, "Ukraine") || !strings.Contains(absent, "Europe") || strings.Contains(absent, "Russia") {
		t.Errorf("the confirmation's never joined: %q", absent)
	}
	if !strings.Contains(unsaved, "Ukraine") || !strings.Contains(unsaved, "Europe") || strings.Contains(unsaved, "Russia") {
		t.Errorf("the confirmation's never saved: %q", unsaved)
	}
	h.shot(med, "mediator-start-confirm", "start-confirm")
	h.do(med, "not yet",
		click("start-cancel"),
		chromedp.WaitNotPresent(id("start-confirm")),
		chromedp.WaitVisible(id("start")),
	)
	if v, err := h.svc.View(h.ctx, room.Viewer{User: h.owner}, nid); err != nil || v.Started {
		t.Fatalf("after Not yet: started %v, %v", v != nil && v.Started, err)
	}

	// Ukraine's seat is re-issued from its row: the first link is refused.
	h.do(med, "re-issue ukraine's seat",
		click("reissue-seat-ukraine"),
		chromedp.WaitVisible(id("invite-reason")),
		chromedp.WaitVisible(css(`#invite-create.danger`)),
		fill("invite-reason", "sent to the wrong address"),
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		click("invite-create"),
		chromedp.WaitVisible(css(`#invite-link[data-party="ukraine"]`)),
	)
	second := h.value(med, "invite-link")
	old := h.newUser(bctx, "old-ukraine")
	h.do(old, "open the first link", chromedp.Navigate(links["ukraine"]), chromedp.WaitVisible(id("join-error")))
	if s := h.text(old, "#join-error"); !strings.Contains(s, "revoked") {
		t.Errorf("the first link after the re-issue: %q", s)
	}
	uk := h.newUser(bctx, "ukraine")
	h.do(uk, "open the new link", chromedp.Navigate(second), chromedp.WaitVisible(css(`#party-room[data-party="ukraine"]`)))
	h.do(med, "see ukraine joined", ready("ukraine", true, false))
	// ... then revoked: the board says revoked.
	h.do(med, "revoke ukraine's seat",
		click("revoke-seat-ukraine"),
		chromedp.WaitVisible(css(`[data-testid="invite-status-ukraine"] .seat-cell[data-status="revoked"]`)),
		ready("ukraine", false, false),
	)
	if s := h.text(med, `[data-testid="ready-ukraine"]`); !strings.Contains(s, "revoked") {
		t.Errorf("ukraine's row after the revocation: %q", s)
	}

	// The preview of Russia's screen: read-only, without its numbers.
	h.do(med, "preview russia's screen",
		click("preview-russia"),
		chromedp.WaitVisible(id("preview-banner")),
		chromedp.WaitVisible(css(`#party-room[data-party="russia"]`)),
		chromedp.WaitNotPresent(id("mediator-console")),
	)
	if s := h.text(med, "#preview-banner"); !strings.Contains(s, "read-only") || !strings.Contains(s, "not shown") {
		t.Errorf("the preview's banner: %q", s)
	}
	if s := h.text(med, ".room-head p.muted"); !strings.Contains(s, "Preview of") || strings.Contains(s, "Observer") {
		t.Errorf("the preview's subtitle: %q", s)
	}
	for _, sel := range []string{"#elicitation", "#evaluate", "#delegation-observers", "#eli-save", "#seat", "#offer-form", "#response-form"} {
		if n := h.count(med, sel); n != 0 {
			t.Errorf("the preview shows %s (%d)", sel, n)
		}
	}
	h.shot(med, "mediator-preview", "")
	h.do(med, "back to the console",
		click("preview-exit"),
		chromedp.WaitVisible(id("mediator-console")),
		chromedp.WaitVisible(id("readiness-board")),
	)

	// Open the talks, this time confirmed.
	h.do(med, "open the talks",
		click("start"),
		chromedp.WaitVisible(id("start-confirm")),
		click("start-confirm-open"),
		chromedp.WaitVisible(css(`#status-banner[data-status="negotiating"]`)),
	)

	if errs := ru.pageErrors(); len(errs) > 0 {
		t.Errorf("russia: page errors: %v", errs)
	}

	// Home: archive, restore, delete.
	row := fmt.Sprintf(`#negotiations-list [data-testid="negotiation-%s"]`, nid)
	archivedRow := fmt.Sprintf(`#archived-list [data-testid="negotiation-%s"]`, nid)
	h.do(med, "archive the negotiation",
		chromedp.Navigate(h.base+"/"),
		chromedp.WaitVisible(css(row)),
		click("archive-"+nid),
		chromedp.WaitNotPresent(css(row)),
		chromedp.WaitVisible(id("negotiations-empty")),
		chromedp.WaitReady(css(archivedRow)),
	)
	if v, err := h.svc.View(h.ctx, room.Viewer{User: h.owner}, nid); err != nil || !v.Started {
		t.Fatalf("an archived negotiation's record: %v", err)
	}
	h.do(med, "restore it",
		chromedp.Evaluate[chromedp.Void](`document.getElementById("archived").open = true`),
		click("restore-"+nid),
		chromedp.WaitVisible(css(row)),
		chromedp.WaitNotPresent(id("archived")),
	)
	// Delete: the confirmation names it; refused, nothing happens.
	h.do(med, "refuse the deletion",
		chromedp.Evaluate[chromedp.Void](`window.confirm = (m) => { window.asked = m; return false; }`),
		click("delete-"+nid),
	)
	var asked string
	asked, err = chromedp.Run(med.ctx, chromedp.Evaluate[string](`window.asked || ""`))
	if err != nil || !strings.Contains(asked, "Readiness") || !strings.Contains(asked, "cannot be undone") {
		t.Errorf("the deletion's confirmation: %q, %v", asked, err)
	}
	if n := h.count(med, row); n != 1 {
		t.Fatalf("after a refused deletion the row is there %d times", n)
	}
	h.do(med, "delete it",
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		click("delete-"+nid),
		chromedp.WaitNotPresent(css(row)),
		chromedp.WaitVisible(id("negotiations-empty")),
	)
	if _, err := h.svc.View(h.ctx, room.Viewer{User: h.owner}, nid); room.ErrorCode(err) != room.ENOTFOUND {
		t.Errorf("after the deletion: %v, want not found", err)
	}
	if errs := med.pageErrors(); len(errs) > 0 {
		t.Errorf("mediator: page errors: %v", errs)
	}
}
