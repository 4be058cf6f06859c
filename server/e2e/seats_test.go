package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestSeatReissue: through the UI, Russia's delegation invites an observer
// of its seat; the mediator re-issues Russia's seat from the console with
// a reason; the old link and the observer's link open nothing any more,
// and the new holder of the seat is told that, when, by whom and why.
func TestSeatReissue(t *testing.T) {
	h, bctx := newHarness(t, nil)
	med := h.newUser(bctx, "mediator")
	h.do(med, "sign in", h.signIn())
	h.do(med, "create the negotiation",
		chromedp.SendKeys(id("neg-title"), "Seats"),
		chromedp.SetValue(id("neg-scenario"), "miami-2025"),
		chromedp.SetValue(id("neg-protocol"), "single-text"),
		click("neg-create"),
		chromedp.WaitVisible(id("mediator-console")),
	)
	h.do(med, "invite russia",
		pick("invite-party", "russia"),
		fill("invite-person", "First delegate"),
		click("invite-create"),
		chromedp.WaitVisible(css(`#invite-link[data-party="russia"]`)),
		chromedp.WaitVisible(css(`[data-testid="invite-status-russia"] div`)),
	)
	first := h.value(med, "invite-link")

	ru := h.newUser(bctx, "russia")
	h.do(ru, "open the first invitation",
		chromedp.Navigate(first),
		chromedp.WaitVisible(css(`#party-room[data-party="russia"]`)),
		chromedp.WaitVisible(id("delegation-observers")),
	)
	h.do(ru, "invite an observer of the seat",
		fill("observer-person", "Adviser"),
		click("observer-create"),
		chromedp.WaitVisible(id("observer-link")),
		chromedp.WaitVisible(id("observer-list")),
	)
	observer := h.value(ru, "observer-link")

	// The mediator sees the seat joined, and one observer by count.
	h.do(med, "see russia's seat joined",
		chromedp.Reload(),
		chromedp.WaitVisible(css(`[data-testid="invite-status-russia"] .seat-cell[data-status="joined"]`)),
	)
	if s := h.text(med, `[data-testid="invite-status-russia"]`); !strings.Contains(s, "1 observer") || strings.Contains(s, "Adviser") {
		t.Errorf("the mediator's view of russia's seat: %q (want a count of observers, no names)", s)
	}
	h.do(med, "re-issue russia's seat",
		pick("invite-party", "russia"),
		chromedp.WaitVisible(css(`#invite-create.danger`)),
		fill("invite-person", "Second delegate"),
		fill("invite-reason", "the first link leaked"),
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		click("invite-create"),
		chromedp.WaitVisible(css(`#invite-link[data-party="russia"]`)),
	)
	second := h.value(med, "invite-link")
	if second == first {
		t.Fatal("the re-issue gave the same link")
	}

	for what, link := range map[string]string{"the first link": first, "the observer's link": observer} {
		u := h.newUser(bctx, "old")
		h.do(u, "open "+what,
			chromedp.Navigate(link),
			chromedp.WaitVisible(id("join-error")),
		)
		if s := h.text(u, "#join-error"); !strings.Contains(s, "revoked") || strings.Contains(s, "leaked") {
			t.Errorf("%s after the re-issue says %q: want revoked, without the reason", what, s)
		}
	}

	nu := h.newUser(bctx, "russia-again")
	h.do(nu, "open the new invitation",
		chromedp.Navigate(second),
		chromedp.WaitVisible(css(`#party-room[data-party="russia"]`)),
		chromedp.WaitVisible(id("seat-notice")),
	)
	if s := h.text(nu, "#seat-notice"); !strings.Contains(s, "re-issued") || !strings.Contains(s, "the first link leaked") || !strings.Contains(s, "United States") {
		t.Errorf("the seat notice says %q", s)
	}
	h.shot(nu, "party-seat-reissued", "seat")
	// The locked-out browsers log their 401s; the others log nothing.
	for _, u := range []*user{med, nu} {
		if errs := u.pageErrors(); len(errs) > 0 {
			t.Errorf("%s: page errors: %v", u.name, errs)
		}
	}
}
