package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// TestAlternatingOffers plays tiny-2p under stacked alternating offers
// (protocol sao) in two browsers: the panel is sao's own
// (ui/protocols/sao.js), titled and worded from the protocol's facts
// (turn-based: the status says whose turn it is); the party whose turn it
// is makes an offer, the other accepts it, and both see the agreement.
func TestAlternatingOffers(t *testing.T) {
	h, bctx := newHarness(t, nil)
	sc, err := scenario.Builtin("tiny-2p")
	if err != nil {
		t.Fatal(err)
	}
	n, err := h.svc.CreateNegotiation(h.ctx, h.owner, "Offers", sc, room.Settings{Protocol: session.SAO, Rounds: 20}, "")
	if err != nil {
		t.Fatal(err)
	}
	info, ok := session.Info(session.SAO)
	if !ok || !info.TurnBased {
		t.Fatalf("sao's facts: %+v", info)
	}
	users := map[string]*user{}
	for _, p := range []string{"north", "south"} {
		tok, _, err := h.svc.Invite(h.ctx, h.owner, n.ID, p, "Delegate of "+p, false, room.MaxInviteTTL)
		if err != nil {
			t.Fatal(err)
		}
		u := h.newUser(bctx, p)
		users[p] = u
		h.do(u, "open the invitation",
			chromedp.Navigate(h.base+"/join#"+tok),
			chromedp.WaitVisible(css(fmt.Sprintf(`#party-room[data-party=%q]`, p))),
		)
	}
	if err := h.svc.Start(h.ctx, h.owner, n.ID); err != nil {
		t.Fatal(err)
	}
	v, err := h.svc.View(h.ctx, room.Viewer{Negotiation: n.ID, Party: "north"}, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	first, second := users["north"], users["south"]
	if v.State.Turn == "south" {
		first, second = second, first
	}

	// The talks open in both browsers without a reload; the panel is sao's.
	heading := "Protocol: " + strings.ToUpper(info.Title[:1]) + info.Title[1:]
	for _, u := range []*user{first, second} {
		h.do(u, "see the talks open",
			chromedp.WaitVisible(css(`#status-banner[data-status="negotiating"]`)),
			chromedp.WaitVisible(css(`#protocol-panel[data-protocol="sao"]`)),
		)
		if got := h.text(u, "#protocol-panel h2"); got != heading {
			t.Errorf("%s: the panel is titled %q, want %q", u.name, got, heading)
		}
		if n := h.count(u, "#versions"); n != 0 {
			t.Errorf("%s: versions of a text under a protocol without drafts", u.name)
		}
	}
	if got := h.text(first, "#status-detail"); !strings.Contains(got, "your turn") {
		t.Errorf("%s: the status says %q, want that it is its turn", first.name, got)
	}
	if got := h.text(second, "#status-detail"); !strings.Contains(got, "turn") || strings.Contains(got, "your turn") {
		t.Errorf("%s: the status says %q, want whose turn it is", second.name, got)
	}
	// The mediator's console follows the talks: sao's facts give the
	// mediator no draft and no proposal, so there is no editor, no
	// versions and no proposal form.
	med := h.newUser(bctx, "mediator")
	h.do(med, "open the console",
		h.signIn(),
		chromedp.Navigate(h.base+"/n/"+n.ID),
		chromedp.WaitVisible(css(`#current-text[data-protocol="sao"]`)),
	)
	if got := h.text(med, "#current-text h2"); got != heading {
		t.Errorf("mediator: the panel is titled %q, want %q", got, heading)
	}
	for _, absent := range []string{"#draft-editor", "#versions", "#propose-form"} {
		if n := h.count(med, absent); n != 0 {
			t.Errorf("mediator: %s under sao", absent)
		}
	}
	h.do(first, "make the first offer",
		click("offer-submit"),
		chromedp.WaitVisible(id("current-offer")),
	)
	h.do(second, "accept the offer",
		chromedp.WaitVisible(id("current-offer")),
		click("accept-offer"),
		chromedp.WaitVisible(id("agreement")),
	)
	h.do(first, "see the agreement", chromedp.WaitVisible(id("agreement")))
	h.do(med, "see the agreement", chromedp.WaitVisible(id("agreement")))

	// On a phone the screen is one column, and nothing but the tables'
	// own scrolling areas is wider than the screen.
	h.do(first, "narrow the window to a phone's",
		chromedp.EmulateViewport(390, 844),
		chromedp.WaitVisible(id("agreement")),
	)
	narrow, err := chromedp.Run(first.ctx, chromedp.Evaluate[string](`(() => {
		const out = [], w = document.documentElement.clientWidth;
		if (document.documentElement.scrollWidth > w + 1) out.push("the page is " + document.documentElement.scrollWidth + "px wide in " + w);
		const main = document.querySelector(".col-main"), side = document.querySelector(".col-side");
		if (main.getBoundingClientRect().left !== side.getBoundingClientRect().left) out.push("two columns");
		for (const el of document.querySelectorAll("section.card")) {
			const r = el.getBoundingClientRect();
			if (r.right > w + 1) out.push("#" + (el.id || el.className) + " overflows by " + Math.round(r.right - w) + "px");
		}
		return out.join("; ");
	})()`))
	if err != nil || narrow != "" {
		t.Errorf("%s on a phone: %s (%v)", first.name, narrow, err)
	}
	for _, u := range h.users {
		if errs := u.pageErrors(); len(errs) > 0 {
			t.Errorf("%s: errors in the page: %q", u.name, errs)
		}
	}
}
