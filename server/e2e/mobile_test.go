package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// screenCheck checks the screen u's page shows now; screen names it.
type screenCheck func(u *user, screen string)

// walkScreens walks through the screens of Miami talks in browsers whose
// viewport is width pixels wide, calling check on each: the sign-in page,
// the mediator's home and console, the party's elicitation (every step),
// the single text with the response form, the vote, the agreement, and
// (withClass) the debrief page of a class. The moves the walk does not
// look at are made through the service.
func (h *harness) walkScreens(bctx context.Context, width int64, withClass bool, check screenCheck) {
	t := h.t
	t.Helper()
	viewport := chromedp.EmulateViewport(width, 844)
	med := h.newUser(bctx, "mediator")
	h.do(med, "open the start page", viewport, chromedp.Navigate(h.base+"/"), chromedp.WaitVisible(id("login-name")))
	check(med, "sign-in")
	h.do(med, "sign in", h.signIn())
	check(med, "home")

	sc, err := scenario.Builtin("miami-2025")
	if err != nil {
		t.Fatal(err)
	}
	n, err := h.svc.CreateNegotiation(h.ctx, h.owner, "Miami talks", sc, room.Settings{Protocol: session.SingleText, MediatorSees: "full"}, "")
	if err != nil {
		t.Fatal(err)
	}
	parties := []string{"russia", "ukraine", "europe"}
	tok, _, err := h.svc.Invite(h.ctx, h.owner, n.ID, "russia", "Delegate of Russia", false, room.MaxInviteTTL)
	if err != nil {
		t.Fatal(err)
	}
	h.doWithin(med, "open the console", analysisTimeout,
		chromedp.Navigate(h.base+"/n/"+n.ID),
		chromedp.WaitVisible(id("mediator-console")),
		chromedp.WaitVisible(id("zone-summary")),
	)
	check(med, "mediator console")

	ru := h.newUser(bctx, "russia")
	h.do(ru, "open the invitation", viewport,
		chromedp.Navigate(h.base+"/join#"+tok),
		chromedp.WaitVisible(css(`#party-room[data-party="russia"]`)),
		chromedp.WaitVisible(id("elicitation")),
	)
	check(ru, "elicitation, step 1")
	for step := 2; step <= 8 && h.count(ru, "#eli-next:not([disabled])") > 0; step++ {
		h.do(ru, fmt.Sprintf("elicitation step %d", step), click("eli-next"), chromedp.Sleep(200*time.Millisecond))
		check(ru, fmt.Sprintf("elicitation, step %d", step))
	}

	// The talks open; the mediator drafts a text with one point bracketed.
	if err := h.svc.Start(h.ctx, h.owner, n.ID); err != nil {
		t.Fatal(err)
	}
	text := make([][]int, len(sc.Framework.Points))
	for i := range text {
		text[i] = []int{0}
	}
	text[1] = []int{0, 1}
	med0 := room.Viewer{User: h.owner}
	h.submit(med0, n.ID, session.Move{Kind: session.KindDraft, Text: text})
	h.do(ru, "see the text",
		chromedp.WaitVisible(css(`#current-text[data-version="1"]`)),
		chromedp.WaitVisible(id("resp-submit")),
	)
	check(ru, "single text")
	h.do(med, "see the replies", chromedp.WaitVisible(css(`[data-testid="count-agreed"]`)))
	check(med, "mediator console, a text on the table")

	// Everyone accepts; the second version settles the point; everyone
	// accepts it.
	acceptAll := func() {
		for _, p := range parties {
			var rs []session.PointResponse
			for i, alts := range text {
				rs = append(rs, session.PointResponse{Point: i, Stance: session.StanceAccept, Option: alts[0]})
			}
			h.submit(room.Viewer{Negotiation: n.ID, Party: p}, n.ID, session.Move{Kind: session.KindRespond, Responses: rs})
		}
	}
	acceptAll()
	text[1] = []int{0}
	h.submit(med0, n.ID, session.Move{Kind: session.KindDraft, Text: text})
	acceptAll()
	h.submit(med0, n.ID, session.Move{Kind: session.KindCallVote})
	h.do(ru, "see the vote", chromedp.WaitVisible(id("vote-yes")))
	check(ru, "vote")
	yes := true
	for _, p := range parties {
		h.submit(room.Viewer{Negotiation: n.ID, Party: p}, n.ID, session.Move{Kind: session.KindVote, Yes: &yes})
	}
	h.do(ru, "see the agreement",
		chromedp.WaitVisible(css(`#status-banner[data-status="pending-ratification"]`)),
		chromedp.WaitVisible(id("agreement")),
	)
	check(ru, "agreement")

	if withClass {
		tiny, err := scenario.Builtin("tiny-2p")
		if err != nil {
			t.Fatal(err)
		}
		c, _, err := h.svc.CreateClass(h.ctx, h.owner, tiny, room.ClassSetup{Title: "Seminar", Rooms: 2, Settings: room.Settings{Protocol: session.SingleText}, Seats: []room.Seat{{Room: 1, Party: "north", Person: "Ann"}, {Room: 1, Party: "south", Person: "Ben"}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := h.svc.StartClass(h.ctx, h.owner, c.ID); err != nil {
			t.Fatal(err)
		}
		h.do(med, "open the class", chromedp.Navigate(h.base+"/classes/"+c.ID), chromedp.WaitVisible(id("debrief-table")))
		check(med, "class")
	}
	for _, u := range h.users {
		u.expectErrors(t, "status of 401")
	}
}

// sideScroll returns "" when the page does not scroll sideways, or what
// sticks out: the outermost elements past the viewport's right edge.
const sideScroll = `(() => {
	const de = document.documentElement, w = de.clientWidth;
	if (de.scrollWidth <= w) return "";
	const clipped = (el) => {
		for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
			const ox = getComputedStyle(p).overflowX;
			if (ox !== "visible") return true;
		}
		return false;
	};
	const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "");
	const out = [];
	for (const el of document.querySelectorAll("body *")) {
		const r = el.getBoundingClientRect();
		if (r.width === 0 || r.right <= w + 1 || clipped(el)) continue;
		const p = el.parentElement;
		if (p && p.getBoundingClientRect().right > w + 1 && !clipped(p) && p !== document.body) continue;
		out.push(name(el) + " (" + Math.round(r.left) + "–" + Math.round(r.right) + ")");
		if (out.length >= 8) break;
	}
	return "scrollWidth " + de.scrollWidth + " > clientWidth " + w + ": " + out.join("; ");
})()`

// cutOff returns what a box that hides its overflow cuts off sideways in
// the element with the id ("" for nothing).
const cutOff = `((root) => {
	const out = [];
	for (const el of root ? root.querySelectorAll(":not(input):not(textarea):not(select)") : []) {
		const ox = getComputedStyle(el).overflowX;
		if ((ox === "hidden" || ox === "clip") && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).textOverflow !== "ellipsis") {
			out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + "." + String(el.className).trim().split(/\s+/).join(".") + " (" + el.scrollWidth + " > " + el.clientWidth + ")");
		}
	}
	return out.slice(0, 8).join("; ");
})(document.getElementById("elicitation"))`

// pageWeight sums the page's requests so far: bytes transferred (with
// headers) and decoded, for the page and its static files, and for the
// API (event streams excluded: they stay open).
const pageWeight = `(() => {
	const sum = { ui: [0, 0, 0], api: [0, 0, 0] };
	for (const e of [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")]) {
		if (/\/(stream)(\?|$)/.test(e.name)) continue;
		const k = e.name.includes("/api/") ? "api" : "ui";
		sum[k][0]++; sum[k][1] += e.transferSize; sum[k][2] += e.decodedBodySize;
	}
	const kb = (n) => (n / 1024).toFixed(1) + " KB";
	return "page and UI files: " + sum.ui[0] + " requests, " + kb(sum.ui[2]) + " decoded, " + kb(sum.ui[1]) + " transferred; API: " + sum.api[0] + " requests, " + kb(sum.api[2]) + " decoded, " + kb(sum.api[1]) + " transferred";
})()`

// TestPhoneWalk: at 390 px, no screen of the party, and neither the
// mediator's home nor console, scrolls sideways; nothing of the
// elicitation is cut off; the single text is shown as cards.
func TestPhoneWalk(t *testing.T) {
	h, bctx := newHarness(t, nil)
	h.walkScreens(bctx, 390, false, func(u *user, screen string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(u.ctx, stepTimeout)
		defer cancel()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](sideScroll))
		if err != nil {
			h.fail(u, "measure "+screen, err)
		}
		if got != "" {
			t.Errorf("at 390 px, %s: %s", screen, got)
		}
		if h.shots != "" {
			if b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
				_ = writeShot(h, "phone-"+strings.ReplaceAll(strings.ReplaceAll(screen, ",", ""), " ", "-"), b)
			}
		}
		if screen == "mediator console" || screen == "single text" {
			// Page weight: what came over the network (gzipped) and what it
			// decoded to, the UI's files and the API's answers apart.
			w, err := chromedp.Run(ctx, chromedp.Evaluate[string](pageWeight))
			if err != nil {
				h.fail(u, "measure the page weight", err)
			}
			t.Logf("page weight, %s: %s", screen, w)
		}
		if strings.HasPrefix(screen, "elicitation") {
			if cut, err := chromedp.Run(ctx, chromedp.Evaluate[string](cutOff)); err != nil || cut != "" {
				t.Errorf("at 390 px, %s: cut off: %s (%v)", screen, cut, err)
			}
		}
		if screen == "single text" {
			// Cards: the rows of the text stack (one column), no table
			// header row on screen.
			if !h.truth(u, `(() => { const th = document.querySelector("#current-text thead"); return !th || th.getBoundingClientRect().height <= 1 || getComputedStyle(th).display === "none" || th.classList.contains("visually-hidden"); })()`) {
				t.Errorf("at 390 px, single text: the table's header row is on screen (want cards)")
			}
		}
	})
}

// writeShot writes a screenshot as docs/img/room-<name>.png.
func writeShot(h *harness, name string, b []byte) error {
	return os.WriteFile(filepath.Join(h.shots, "room-"+name+".png"), b, 0o644)
}
