package e2e

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// The keyboard: a person who uses no mouse moves with Tab and Shift+Tab,
// acts with Enter and Space, and moves within a group or a slider with
// the arrow keys. These helpers press keys only (chromedp.KeyEvent);
// what they read of the page they read with JavaScript.

// press sends keys (kb.Tab, kb.Enter, " ", text…) to u's focused element.
func (h *harness) press(u *user, what string, keys ...string) {
	h.t.Helper()
	acts := make([]chromedp.Action[chromedp.Void], 0, len(keys))
	for _, k := range keys {
		acts = append(acts, chromedp.KeyEvent(k))
	}
	h.do(u, what, acts...)
}

// focusedName names u's focused element: its id, or its tag and text.
func (h *harness) focusedName(u *user) string {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const a = document.activeElement;
		if (!a || a === document.body) return "(body)";
		return a.id ? "#" + a.id : a.tagName.toLowerCase() + "[" + (a.textContent || "").trim().slice(0, 30) + "]";
	})()`))
	if err != nil {
		h.fail(u, "read the focus", err)
	}
	return v
}

// tabTo presses Tab (Shift+Tab when back) until the focused element
// matches the CSS selector sel, at most max times; the target must be
// reachable by the keyboard. The focus it reaches must be visible.
func (h *harness) tabTo(u *user, sel string, back bool, max int) {
	h.t.Helper()
	match := fmt.Sprintf(`!!(document.activeElement && document.activeElement.matches(%q))`, sel)
	if h.truth(u, match) {
		return
	}
	var trail []string
	opts := []chromedp.KeyOption{}
	if back {
		opts = append(opts, chromedp.KeyModifiers(chromedp.ModifierShift))
	}
	for k := 0; k < max; k++ {
		h.do(u, "press Tab", chromedp.KeyEvent(kb.Tab, opts...))
		if h.truth(u, match) {
			if why := h.focusInvisible(u); why != "" {
				h.t.Errorf("%s: %s", u.name, why)
			}
			return
		}
		trail = append(trail, h.focusedName(u))
	}
	if len(trail) > 25 {
		trail = trail[len(trail)-25:]
	}
	h.fail(u, "reach "+sel+" with the keyboard", fmt.Errorf("not reached after %d presses of Tab; the last stops: %s", max, strings.Join(trail, " → ")))
}

// focusInvisible says why the focused element shows no focus ("" when
// it does): an outline or a shadow around it.
func (h *harness) focusInvisible(u *user) string {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](focusJS))
	if err != nil {
		h.fail(u, "read the focus style", err)
	}
	name, why, _ := strings.Cut(v, "|")
	if name == "(body)" {
		return "the focus is lost"
	}
	if why != "" {
		return name + ": " + why
	}
	return ""
}

// focusJS names the focused element and says why its focus does not show
// ("" when it does).
const focusJS = `(() => {
	const a = document.activeElement;
	if (!a || a === document.body) return "(body)|";
	const name = a.id ? "#" + a.id : a.tagName.toLowerCase() + "." + (a.className || "") + "[" + (a.textContent || "").trim().slice(0, 30) + "]";
	const s = getComputedStyle(a);
	if (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) return name + "|";
	if (s.boxShadow && s.boxShadow !== "none") return name + "|";
	const r = a.getBoundingClientRect();
	return name + "|" + (r.width === 0 || r.height === 0 ? "not visible" : "no visible focus");
})()`

// walkTabOrder presses Tab through u's whole page (until the focus comes
// back to where it started, at most max presses) and returns the stops
// whose focus does not show, and how many stops there are.
func (h *harness) walkTabOrder(u *user, max int) (bad []string, stops int) {
	h.t.Helper()
	seen := map[string]bool{}
	first := ""
	for k := 0; k < max; k++ {
		h.do(u, "press Tab", chromedp.KeyEvent(kb.Tab))
		ctx, cancel := context.WithTimeout(u.ctx, stepTimeout)
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](focusJS))
		cancel()
		if err != nil {
			h.fail(u, "walk the tab order", err)
		}
		name, why, _ := strings.Cut(got, "|")
		if name == first {
			break
		}
		if first == "" && name != "(body)" {
			first = name
		}
		stops++
		if why != "" && !seen[name] {
			seen[name] = true
			bad = append(bad, name+": "+why)
		}
	}
	return bad, stops
}

// chooseByKeys moves the focused select (or radio group) with the arrow
// keys until the field with the id has the value.
func (h *harness) chooseByKeys(u *user, elem, value string) {
	h.t.Helper()
	is := fmt.Sprintf(`(document.getElementById(%q) || {}).value === %q`, elem, value)
	for _, key := range []string{kb.ArrowDown, kb.ArrowUp} {
		for k := 0; k < 40 && !h.truth(u, is); k++ {
			h.do(u, "press "+key, chromedp.KeyEvent(key))
		}
	}
	if !h.truth(u, is) {
		h.fail(u, "choose "+value+" in "+elem, fmt.Errorf("the arrow keys did not reach it (value %q)", h.value(u, elem)))
	}
}

// TestKeyboardOnly walks the whole flow of a tiny-2p negotiation under the
// single text with the keyboard only (Tab, Shift+Tab, Enter, Space, the
// arrow keys and typing; no click anywhere): the mediator signs in,
// creates the negotiation, invites both parties and reads the links; each
// party opens its link, elicits and saves its profile (the focus stays on
// the save button, and nothing unsaved is left); the mediator previews
// North's screen and comes back (the focus follows); the mediator opens
// the talks through the confirmation, ticks the first draft's options in
// the editor and sends it; the parties answer the text point by point
// (North objects to one point with a reason), the mediator calls the
// vote, and both parties vote yes (each asked to confirm). Every stop the
// test reaches shows its focus, and so does every stop of the console's
// and of a party's whole tab order; the glossary's terms are in it.
func TestKeyboardOnly(t *testing.T) {
	h, bctx := newHarness(t, nil)
	med := h.newUser(bctx, "mediator")

	// Sign in: the name field has the focus.
	h.do(med, "open the start page", chromedp.Navigate(h.base+"/"), chromedp.WaitVisible(id("login-name")))
	h.tabTo(med, "#login-name", false, 5)
	h.press(med, "sign in", "mediator", kb.Tab, "secret123", kb.Enter)
	h.do(med, "see the home page", chromedp.WaitVisible(id("new-negotiation")))

	// Create the negotiation: title, scenario and protocol by keys.
	h.tabTo(med, "#neg-title", false, 80)
	h.press(med, "type the title", "Keyboard talks")
	h.tabTo(med, "#neg-scenario", false, 10)
	h.chooseByKeys(med, "neg-scenario", "tiny-2p")
	h.tabTo(med, "#neg-protocol", false, 20)
	h.chooseByKeys(med, "neg-protocol", "single-text")
	h.tabTo(med, "#neg-sees", false, 10)
	h.chooseByKeys(med, "neg-sees", "full")
	h.tabTo(med, "#neg-create", false, 20)
	h.press(med, "create", kb.Enter)
	h.do(med, "see the console", chromedp.WaitVisible(id("mediator-console")), chromedp.WaitVisible(css(`#status-banner[data-status="not-started"]`)))
	loc, err := chromedp.Run(med.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	nid := loc[strings.LastIndex(loc, "/")+1:]

	// Invite both parties: the party, the person, Enter.
	links := map[string]string{}
	for _, p := range []string{"north", "south"} {
		h.tabTo(med, "#invite-party", false, 200)
		h.chooseByKeys(med, "invite-party", p)
		h.tabTo(med, "#invite-person", false, 5)
		h.press(med, "type the person", "Delegate of "+p)
		h.tabTo(med, "#invite-create", false, 10)
		h.press(med, "invite "+p, kb.Enter)
		h.do(med, "see the link", chromedp.WaitVisible(css(fmt.Sprintf(`#invite-link[data-party=%q]`, p))))
		links[p] = h.value(med, "invite-link")
		if u, err := url.Parse(links[p]); err != nil || u.Path != "/join" {
			t.Fatalf("the link for %s: %q", p, links[p])
		}
		// The link's field and its copy button are reachable.
		h.tabTo(med, "#invite-copy", false, 40)
	}

	// Each party opens its link and elicits its profile with the keys.
	users := map[string]*user{}
	for _, p := range []string{"north", "south"} {
		u := h.newUser(bctx, p)
		users[p] = u
		h.do(u, "open the invitation", chromedp.Navigate(links[p]), chromedp.WaitVisible(id("elicitation")))
		// Step 1: the importance of the first point, one step down (or up).
		before := h.value(u, "w-0")
		h.tabTo(u, "#w-0", false, 120)
		h.press(u, "lower the importance", kb.ArrowLeft)
		if h.value(u, "w-0") == before {
			h.press(u, "raise the importance", kb.ArrowRight)
		}
		if h.value(u, "w-0") == before {
			t.Errorf("%s: the arrow key did not move the importance slider", p)
		}
		h.do(u, "see the unsaved mark", chromedp.WaitVisible(id("eli-dirty")))
		if !h.truth(u, `document.querySelector("#eli-dirty:not([hidden])") !== null`) {
			t.Errorf("%s: no unsaved mark", p)
		}
		// On to step 2 with the Next button, then a score by its slider.
		h.tabTo(u, "#eli-next", false, 60)
		h.press(u, "next step", kb.Enter)
		h.do(u, "see step 2", chromedp.WaitVisible(id("eli-scores")))
		h.tabTo(u, `#eli-scores input[type=range]`, false, 60)
		h.press(u, "lower a score", kb.ArrowLeft)
		// Save: the focus stays where it was (the save button).
		h.tabTo(u, "#eli-save", false, 80)
		h.press(u, "save the profile", kb.Enter)
		h.do(u, "see it saved", chromedp.WaitVisible(id("eli-saved")))
		if f := h.focusedName(u); f != "#eli-save" && f != "#eli-saved" {
			t.Errorf("%s: after saving, the focus is on %s", p, f)
		}
		if h.truth(u, `!!document.querySelector("#eli-dirty:not([hidden])")`) {
			t.Errorf("%s: the profile still reads unsaved after the save", p)
		}
		// The glossary's words are in the tab order, and describe themselves.
		h.tabTo(u, ".term", true, 80)
		if !h.truth(u, `!!document.getElementById(document.activeElement.getAttribute("aria-describedby"))`) {
			t.Errorf("%s: a glossary term's description is not on the page", p)
		}
	}
	v, err := h.svc.View(h.ctx, room.Viewer{Negotiation: nid, Party: "north"}, nid)
	if err != nil {
		t.Fatal(err)
	}
	if v.Seat == nil || !v.Seat.ProfileSaved {
		t.Errorf("north's profile is not saved: %+v", v.Seat)
	}

	// The mediator previews North's screen: the focus goes to the
	// preview's banner; the screen says it is a preview, shows no seat
	// card, no evaluation and no form; "Back to the console" returns the
	// focus to the Preview button.
	h.tabTo(med, "#preview-north", false, 200)
	h.press(med, "preview north", kb.Enter)
	h.do(med, "see the preview", chromedp.WaitVisible(css(`#party-room[data-party="north"]`)))
	if f := h.focusedName(med); f != "#preview-banner" {
		t.Errorf("the preview puts the focus on %s, want its banner", f)
	}
	if s := h.text(med, "#preview-banner"); !strings.Contains(s, "Preview of North's screen (read-only)") {
		t.Errorf("the preview's banner: %q", s)
	}
	if s := h.text(med, ".room-head p.muted"); !strings.Contains(s, "Preview of North's screen") || strings.Contains(s, "Observer") {
		t.Errorf("the preview's subtitle: %q", s)
	}
	for _, sel := range []string{"#seat", "#evaluate", "#elicitation", "#delegation-observers", "#party-room form"} {
		if n := h.count(med, sel); n != 0 {
			t.Errorf("the preview shows %s (%d)", sel, n)
		}
	}
	h.tabTo(med, "#preview-exit", false, 5)
	h.press(med, "back to the console", kb.Enter)
	h.do(med, "see the console", chromedp.WaitVisible(id("mediator-console")))
	if f := h.focusedName(med); f != "#preview-north" {
		t.Errorf("back on the console, the focus is on %s, want the Preview button", f)
	}

	// The mediator opens the talks: "Open the talks" puts the focus on the
	// confirmation ("Not yet"); Tab reaches "Open the talks".
	h.tabTo(med, "#start", false, 200)
	h.press(med, "ask to open", kb.Enter)
	h.do(med, "see the confirmation", chromedp.WaitVisible(id("start-confirm")))
	if f := h.focusedName(med); f != "#start-cancel" {
		t.Errorf("the confirmation does not take the focus (%s)", f)
	}
	h.tabTo(med, "#start-confirm-open", false, 3)
	h.press(med, "open the talks", kb.Enter)
	h.do(med, "see the talks open", chromedp.WaitVisible(css(`#status-banner[data-status="negotiating"]`)), chromedp.WaitVisible(id("draft-editor")))

	// The first draft, in the editor: every option starts ticked; Space
	// unticks all but the first option of each point, Tab moving from one
	// to the next; Shift+Tab back to "Send draft".
	sc, err := scenario.Builtin("tiny-2p")
	if err != nil {
		t.Fatal(err)
	}
	for i, pt := range sc.Framework.Points {
		for l := 1; l < pt.Levels(); l++ {
			h.tabTo(med, fmt.Sprintf("#draft-%d-%d", i, l), false, 300)
			h.press(med, "untick an option", " ")
		}
	}
	if n := h.count(med, `#draft-editor input[type=checkbox]:checked`); n != len(sc.Framework.Points) {
		t.Fatalf("the draft has %d options ticked, want one a point", n)
	}
	h.tabTo(med, "#draft-send", false, 10)
	h.press(med, "send the draft", kb.Enter)
	h.do(med, "see version 1", chromedp.WaitVisible(css(`#current-text[data-version="1"]`)))

	// North answers point by point: Space accepts the first point; on the
	// second, the arrow key moves from Accept to Object and a reason is
	// typed; the third is accepted; Enter on Send.
	north, south := users["north"], users["south"]
	h.do(north, "see version 1", chromedp.WaitVisible(css(`#current-text[data-version="1"]`)), chromedp.WaitVisible(id("resp-submit")))
	h.tabTo(north, "#resp-0-accept", false, 120)
	h.press(north, "accept point 1", " ")
	h.tabTo(north, "#resp-1-accept", false, 10)
	h.press(north, "object to point 2", kb.ArrowRight)
	h.do(north, "see the reason field", chromedp.WaitVisible(id("resp-1-reason")))
	if !h.checked(north, "resp-1-object") {
		t.Fatalf("north: the arrow key did not move to Object (focus on %s)", h.focusedName(north))
	}
	h.tabTo(north, "#resp-1-reason", false, 5)
	h.press(north, "give the reason", "Too narrow")
	h.tabTo(north, "#resp-2-accept", false, 10)
	h.press(north, "accept point 3", " ")
	h.tabTo(north, "#resp-submit", false, 20)
	h.press(north, "send the response", kb.Enter)
	h.do(north, "see it sent", chromedp.WaitVisible(id("response-sent")))
	want := []string{session.StanceAccept, session.StanceObject, session.StanceAccept}
	got := h.replies(nid)["north"]
	if len(got) != 3 {
		t.Fatalf("north's response: %+v", got)
	}
	for i, r := range got {
		if r.Stance != want[i] {
			t.Errorf("north's response on point %d: %s, want %s", i, r.Stance, want[i])
		}
	}
	if got[1].Reason != "Too narrow" {
		t.Errorf("north's reason: %q", got[1].Reason)
	}
	// South accepts every point with the button, and sends.
	h.do(south, "see version 1", chromedp.WaitVisible(css(`#current-text[data-version="1"]`)), chromedp.WaitVisible(id("resp-submit")))
	h.tabTo(south, "#resp-accept-all", false, 150)
	h.press(south, "accept every point", kb.Enter)
	h.tabTo(south, "#resp-submit", false, 10)
	h.press(south, "send the response", kb.Enter)
	h.do(south, "see it sent", chromedp.WaitVisible(id("response-sent")))

	// Every stop of the console's and of North's screen shows its focus.
	for _, u := range []*user{med, north} {
		bad, stops := h.walkTabOrder(u, 400)
		if len(bad) > 0 {
			t.Errorf("%s: of %d stops of the tab order, these show no focus: %s", u.name, stops, strings.Join(bad, "; "))
		}
		t.Logf("%s: %d stops in the tab order", u.name, stops)
	}

	// The mediator calls the vote on version 1.
	h.do(med, "see the replies", chromedp.WaitEnabled(id("call-vote")))
	h.tabTo(med, "#call-vote", false, 300)
	h.press(med, "call the vote", kb.Enter)

	// Both vote yes with the keyboard; each is asked to confirm.
	for _, u := range []*user{north, south} {
		n0 := u.dialogCount()
		h.do(u, "see the vote", chromedp.WaitVisible(id("vote-yes")))
		h.tabTo(u, "#vote-reason", false, 150)
		h.press(u, "give a reason", "Good enough")
		h.tabTo(u, "#vote-yes", false, 5)
		h.press(u, "vote yes", kb.Enter)
		h.do(u, "see the vote recorded", chromedp.WaitVisible(css(`#my-vote[data-vote="yes"], #agreement`)))
		if len(u.asked(n0)) == 0 {
			t.Errorf("%s: the vote was not confirmed", u.name)
		}
	}
	for _, u := range []*user{north, south, med} {
		h.do(u, "see the agreement", chromedp.WaitVisible(id("agreement")))
	}
	for _, u := range h.users {
		if errs := u.pageErrors(); len(errs) > 0 {
			t.Errorf("%s: errors in the page: %q", u.name, errs)
		}
	}
}

// seatBoth opens North's and South's invitations to negotiation nid (of
// tiny-2p) in browsers of their own and starts the talks.
func (h *harness) seatBoth(bctx context.Context, nid string) map[string]*user {
	h.t.Helper()
	users := map[string]*user{}
	for _, p := range []string{"north", "south"} {
		tok, _, err := h.svc.Invite(h.ctx, h.owner, nid, p, "Delegate of "+p, false, room.MaxInviteTTL)
		if err != nil {
			h.t.Fatal(err)
		}
		u := h.newUser(bctx, p)
		users[p] = u
		h.do(u, "open the invitation", chromedp.Navigate(h.base+"/join#"+tok), chromedp.WaitVisible(css(fmt.Sprintf(`#party-room[data-party=%q]`, p))))
	}
	if err := h.svc.Start(h.ctx, h.owner, nid); err != nil {
		h.t.Fatal(err)
	}
	return users
}

// TestVoteConfirmsYesOnly: under amop (GENIUS's alternating multiple
// offers) votes come every round; a yes — the vote that can make the
// offer the agreement — asks first, naming what the offer is worth to the
// party; a no does not ask. A declined yes sends nothing. Under the
// mediator's proposals with votes (protocol vote) the same: a yes asks,
// naming the standing proposal it may make.
func TestVoteConfirmsYesOnly(t *testing.T) {
	h, bctx := newHarness(t, nil)
	sc, err := scenario.Builtin("tiny-2p")
	if err != nil {
		t.Fatal(err)
	}
	n, err := h.svc.CreateNegotiation(h.ctx, h.owner, "Votes", sc, room.Settings{Protocol: session.AMOP, Rounds: 20}, "")
	if err != nil {
		t.Fatal(err)
	}
	users := h.seatBoth(bctx, n.ID)
	// Both offers go on the table through the service; then the votes.
	for k := 0; k < 2; k++ {
		v, err := h.svc.View(h.ctx, room.Viewer{User: h.owner}, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		h.submit(room.Viewer{Negotiation: n.ID, Party: v.State.Turn}, n.ID, session.Move{Kind: session.KindOffer, Package: []int{0, 0, 0}})
	}
	v, err := h.svc.View(h.ctx, room.Viewer{User: h.owner}, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.State.VoteOn != 1 {
		t.Fatalf("the round votes on %d", v.State.VoteOn)
	}
	firstID := v.State.Turn
	first := users[firstID]
	h.do(first, "see the vote", chromedp.WaitVisible(id("vote-yes")))
	n0 := first.dialogCount()
	first.declineNext(1)
	h.do(first, "vote yes, then think again", click("vote-yes"))
	q := first.asked(n0)
	if !contains(q, "Vote yes?", "agreement", "of your best") {
		t.Errorf("the yes asked %q, want what it binds and the offer's worth", q)
	}
	if w, _ := h.svc.View(h.ctx, room.Viewer{Negotiation: n.ID, Party: firstID}, n.ID); w.State.VoteOn != 1 || w.State.Turn != firstID {
		t.Fatalf("a declined yes was sent: %+v", w.State)
	}
	n1 := first.dialogCount()
	h.do(first, "vote no", click("vote-no"))
	sent := false
	for k := 0; k < 100 && !sent; k++ {
		w, err := h.svc.View(h.ctx, room.Viewer{Negotiation: n.ID, Party: firstID}, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		sent = w.State.VoteOn != 1 || w.State.Turn != firstID
		if !sent {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if !sent {
		t.Errorf("the no was not sent (%q asked)", first.asked(n1))
	}
	if q := first.asked(n1); len(q) != 0 {
		t.Errorf("a no asked %q", q)
	}

	// The mediator's proposals with votes: the owner proposes, North
	// votes yes (asked, declined, then confirmed), South no (not asked).
	m, err := h.svc.CreateNegotiation(h.ctx, h.owner, "Proposals", sc, room.Settings{Protocol: session.Voting, Rounds: 20}, "")
	if err != nil {
		t.Fatal(err)
	}
	seated := h.seatBoth(bctx, m.ID)
	h.submit(room.Viewer{User: h.owner}, m.ID, session.Move{Kind: session.KindPropose, Package: []int{0, 1, 1}})
	north, south := seated["north"], seated["south"]
	h.do(north, "see the proposal", chromedp.WaitVisible(id("vote-yes")))
	n0 = north.dialogCount()
	north.declineNext(1)
	h.do(north, "vote yes, then think again", click("vote-yes"))
	if q := north.asked(n0); !contains(q, "Vote yes?", "standing proposal", "of your best") {
		t.Errorf("north's yes asked %q", q)
	}
	h.do(north, "vote yes", click("vote-yes"), chromedp.WaitNotPresent(id("vote-yes")))
	n2 := south.dialogCount()
	h.do(south, "vote no", chromedp.WaitVisible(id("vote-no")), click("vote-no"), chromedp.WaitVisible(css(`#vote-result[data-result="failed"]`)))
	if q := south.asked(n2); len(q) != 0 {
		t.Errorf("south's no asked %q", q)
	}
	for _, u := range h.users {
		if errs := u.pageErrors(); len(errs) > 0 {
			t.Errorf("%s: errors in the page: %q", u.name, errs)
		}
	}
}

// TestClassWithoutSeats: a class created without seats (the instructor
// invites from each room's console later) shows its "created" box and
// opens its monitor and debrief, glossary terms on the debrief's figures,
// without an error in the page.
func TestClassWithoutSeats(t *testing.T) {
	h, bctx := newHarness(t, nil)
	teacher := h.newUser(bctx, "teacher")
	h.do(teacher, "sign in", h.signIn(), chromedp.WaitVisible(id("new-class")))
	h.do(teacher, "create a class of tiny-2p without seats",
		chromedp.SetValue(id("class-scenario"), "tiny-2p"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("class-scenario").dispatchEvent(new Event("change"))`),
		chromedp.SetValue(id("class-rooms"), "2"),
		click("class-create"),
		chromedp.WaitVisible(id("class-open")),
	)
	if s := h.text(teacher, "#class-issued"); !strings.Contains(s, "No seats were assigned") {
		t.Errorf("the created box reads %q", s)
	}
	h.do(teacher, "open the class", click("class-open"), chromedp.WaitVisible(id("debrief-table")), chromedp.WaitVisible(id("class-monitor")))
	for _, k := range []string{"welfare", "frontier", "nash"} {
		if h.count(teacher, fmt.Sprintf(`#debrief-table .term[data-term=%q]`, k)) != 1 {
			t.Errorf("the debrief's %s figure has no glossary term", k)
		}
	}
	if h.count(teacher, "#gloss-welfare") != 1 {
		t.Errorf("the class page has no glossary")
	}
	if errs := teacher.pageErrors(); len(errs) > 0 {
		t.Errorf("errors in the page: %q", errs)
	}
}
