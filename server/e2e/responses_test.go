package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// answerDialogs answers the page's confirmations (window.confirm) as the
// person would: yes, or no for the next u.decline of them; it keeps what
// each asked in u.dialogs.
func (h *harness) answerDialogs(u *user) {
	opening := chromedp.Events(u.ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range opening {
			if err != nil {
				return
			}
			u.mu.Lock()
			u.dialogs = append(u.dialogs, ev.Message)
			yes := u.decline == 0
			if !yes {
				u.decline--
			}
			u.mu.Unlock()
			// Another listener may have answered first: nothing to do then.
			_, _ = chromedp.Call(u.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: yes})
		}
	}()
}

// asked returns the confirmations the page asked since the n-th.
func (u *user) asked(n int) []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return slices.Clone(u.dialogs[min(n, len(u.dialogs)):])
}

func (u *user) dialogCount() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.dialogs)
}

func (u *user) declineNext(n int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.decline = n
}

// truth evaluates a JavaScript condition in u's page.
func (h *harness) truth(u *user, js string) bool {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
	if err != nil {
		h.fail(u, "evaluate "+js, err)
	}
	return v
}

// checked tells whether the radio or checkbox with the id is ticked.
func (h *harness) checked(u *user, elem string) bool {
	h.t.Helper()
	return h.truth(u, fmt.Sprintf(`!!(document.getElementById(%q) || {}).checked`, elem))
}

// tinyRoom creates a tiny-2p negotiation under the single text with the
// format, opens North's and South's invitations in browsers of their own
// and starts the talks.
func (h *harness) tinyRoom(bctx context.Context, title, format string) (string, map[string]*user) {
	h.t.Helper()
	sc, err := scenario.Builtin("tiny-2p")
	if err != nil {
		h.t.Fatal(err)
	}
	n, err := h.svc.CreateNegotiation(h.ctx, h.owner, title, sc, room.Settings{Protocol: session.SingleText, Format: format}, "")
	if err != nil {
		h.t.Fatal(err)
	}
	users := map[string]*user{}
	for _, p := range []string{"north", "south"} {
		tok, _, err := h.svc.Invite(h.ctx, h.owner, n.ID, p, "Delegate of "+p, false, room.MaxInviteTTL)
		if err != nil {
			h.t.Fatal(err)
		}
		u := h.newUser(bctx, p)
		users[p] = u
		h.do(u, "open the invitation",
			chromedp.Navigate(h.base+"/join#"+tok),
			chromedp.WaitVisible(css(fmt.Sprintf(`#party-room[data-party=%q]`, p))),
		)
	}
	if err := h.svc.Start(h.ctx, h.owner, n.ID); err != nil {
		h.t.Fatal(err)
	}
	return n.ID, users
}

// replies returns the replies to the current text as the mediator sees them.
func (h *harness) replies(nid string) map[string][]session.PointResponse {
	h.t.Helper()
	v, err := h.svc.View(h.ctx, room.Viewer{User: h.owner}, nid)
	if err != nil {
		h.t.Fatal(err)
	}
	return v.State.Replies
}

func (h *harness) submit(v room.Viewer, nid string, m session.Move) {
	h.t.Helper()
	if _, err := h.svc.Submit(h.ctx, v, nid, m); err != nil {
		h.t.Fatalf("%s by %+v: %v", m.Kind, v, err)
	}
}

func contains(list []string, parts ...string) bool {
	for _, s := range list {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(s, p)
		}
		if ok {
			return true
		}
	}
	return false
}

// TestResponsesNeverAcceptForTheParty: nothing is answered on a party's
// behalf. In two browsers on tiny-2p, every point of the first version
// starts blank; a response being written survives a reload; a response with no answer is refused in the page; one with
// unanswered points asks first, naming them, and sends only what was
// answered (the engine counts the rest as not accepted); a bracketed point
// is accepted only with the alternative chosen. In the second version the
// points that changed are marked and start blank (the earlier answer shown),
// an objection to an unchanged point carries over with its reason, and
// "Accept every point" asks before it overwrites it, naming it. The vote
// asks for a confirmation, takes a reason, and when it fails both parties
// (and the mediator) are told the count, the rule and who voted no.
func TestResponsesNeverAcceptForTheParty(t *testing.T) {
	h, bctx := newHarness(t, nil)
	nid, users := h.tinyRoom(bctx, "Responses", scenario.Plenary)
	north, south := users["north"], users["south"]
	med := room.Viewer{User: h.owner}
	// Version 1: the monitors bracketed (joint commission / UN mission),
	// a buffer of 2 km, a pull-back of 10 km.
	h.submit(med, nid, session.Move{Kind: session.KindDraft, Text: [][]int{{0, 1}, {2}, {1}}})

	for _, u := range []*user{north, south} {
		h.do(u, "see version 1",
			chromedp.WaitVisible(css(`#current-text[data-version="1"]`)),
			chromedp.WaitVisible(id("resp-submit")),
		)
		if h.truth(u, `document.querySelectorAll("#response-form input[type=radio]:checked").length > 0`) {
			t.Errorf("%s: a stance is ticked before the party answered", u.name)
		}
		if got := h.text(u, "#resp-count"); !strings.HasPrefix(got, "0 of 3 answered") {
			t.Errorf("%s: the count says %q", u.name, got)
		}
		if h.count(u, ".changed-mark") != 0 {
			t.Errorf("%s: points marked changed in the first version", u.name)
		}
	}
	if got := h.text(north, "#seat-party"); got != "North" {
		t.Errorf("north's seat is shown as %q, want the party's name", got)
	}
	if got := h.text(north, "#signed-in-as"); got != "Seat: North" {
		t.Errorf("north's top bar says %q, want %q", got, "Seat: North")
	}

	// North sends nothing answered: the page refuses, and asks nothing.
	h.do(north, "send an empty response",
		click("resp-submit"),
		chromedp.WaitVisible(id("resp-problems")),
	)
	if n := north.dialogCount(); n != 0 || len(h.replies(nid)["north"]) != 0 {
		t.Fatalf("an empty response: %d confirmations, replies %v", n, h.replies(nid)["north"])
	}
	// North objects to the buffer and proposes a pull-back of 20 km; it
	// leaves the monitors unanswered.
	h.do(north, "object and propose",
		click("resp-1-object"),
		fill("resp-1-reason", "Too narrow to keep the guns apart"),
		click("resp-2-propose"),
		chromedp.WaitVisible(id("resp-2-propose-option")),
		pick("resp-2-propose-option", "3"),
		fill("resp-2-reason", "Twenty keeps the artillery out of range"),
	)
	// A reload keeps the response being written.
	h.do(north, "reload the page",
		chromedp.Reload(),
		chromedp.WaitVisible(id("resp-2-propose-option")),
	)
	if !h.checked(north, "resp-1-object") || h.value(north, "resp-1-reason") != "Too narrow to keep the guns apart" || h.value(north, "resp-2-propose-option") != "3" {
		t.Errorf("north: the unsent response did not survive a reload")
	}
	// The first try is declined: nothing is sent, the point is marked.
	north.declineNext(1)
	h.do(north, "send with a point unanswered, then think again",
		click("resp-submit"),
		chromedp.WaitVisible(css(`[data-testid="text-point-0"][data-problem="not answered"]`)),
	)
	if q := north.asked(0); !contains(q, "1 point is not answered", "Who monitors the ceasefire", "count as not accepted") {
		t.Errorf("north was asked %q, want the unanswered point named and what it counts as", q)
	}
	if r := h.replies(nid)["north"]; len(r) != 0 {
		t.Fatalf("a declined response was sent: %v", r)
	}
	h.do(north, "send it after all",
		click("resp-submit"),
		chromedp.WaitVisible(id("response-sent")),
	)
	got := h.replies(nid)["north"]
	want := []session.PointResponse{
		{Point: 1, Stance: session.StanceObject, Reason: "Too narrow to keep the guns apart"},
		{Point: 2, Stance: session.StancePropose, Option: 3, Reason: "Twenty keeps the artillery out of range"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("north's response as the engine has it: %+v, want %+v (the unanswered point not sent)", got, want)
	}
	if s := h.text(north, `[data-testid="my-reply-0"]`); !strings.Contains(s, "not accepted") {
		t.Errorf("north's unanswered point reads %q", s)
	}

	// South accepts every settled point (nothing to overwrite: no
	// question); the bracketed point needs its own choice.
	before := south.dialogCount()
	// The button sets every settled point to "accept" (clicking it again
	// changes nothing): a click lost to a re-render (north's response
	// arriving) is repeated, up to three times.
	h.do(south, "accept every settled point",
		clickUntil("resp-accept-all", `#resp-count[data-answered="2"]`, 3),
	)
	if south.dialogCount() != before || h.checked(south, "resp-0-accept") {
		t.Errorf("south: accept-all asked %q or answered the bracketed point", south.asked(before))
	}
	h.do(south, "accept the bracket without choosing",
		click("resp-0-accept"),
		chromedp.WaitVisible(id("resp-0-option")),
		click("resp-submit"),
		chromedp.WaitVisible(css(`[data-testid="text-point-0"][data-problem="choose the alternative you accept"]`)),
	)
	h.do(south, "choose the UN mission and send",
		pick("resp-0-option", "1"),
		click("resp-submit"),
		chromedp.WaitVisible(id("response-sent")),
	)
	if got, want := h.replies(nid)["south"], []session.PointResponse{{Point: 0, Stance: session.StanceAccept, Option: 1}, {Point: 1, Stance: session.StanceAccept, Option: 2}, {Point: 2, Stance: session.StanceAccept, Option: 1}}; !slices.Equal(got, want) {
		t.Errorf("south's response: %+v, want %+v", got, want)
	}
	if n := south.dialogCount(); n != before {
		t.Errorf("south, every point answered, was asked %q", south.asked(before))
	}

	// Version 2: the UN mission, the same buffer, a pull-back of 15 km.
	h.submit(med, nid, session.Move{Kind: session.KindDraft, Text: [][]int{{1}, {2}, {2}}})
	h.do(north, "see version 2",
		chromedp.WaitVisible(css(`#current-text[data-version="2"]`)),
		chromedp.WaitVisible(id("resp-submit")),
	)
	if s := h.text(north, "#text-changed"); s != "2 points changed since v1" {
		t.Errorf("north: the text's head says %q", s)
	}
	for _, i := range []int{0, 2} {
		if h.count(north, fmt.Sprintf("#changed-%d", i)) != 1 {
			t.Errorf("north: point %d not marked changed", i)
		}
		for _, st := range []string{"accept", "object", "propose"} {
			if h.checked(north, fmt.Sprintf("resp-%d-%s", i, st)) {
				t.Errorf("north: the changed point %d starts on %s", i, st)
			}
		}
	}
	if h.count(north, "#changed-1") != 0 {
		t.Errorf("north: the unchanged buffer marked changed")
	}
	// The objection to the unchanged buffer carries over, with its reason.
	if !h.checked(north, "resp-1-object") || h.value(north, "resp-1-reason") != "Too narrow to keep the guns apart" {
		t.Errorf("north: the objection to the unchanged point did not carry over")
	}
	if s := h.text(north, "#resp-1-before"); !strings.Contains(s, "Carried over: you objected in v1") || !strings.Contains(s, "Too narrow") {
		t.Errorf("north: the carried-over answer reads %q", s)
	}
	if s := h.text(north, "#resp-2-before"); !strings.Contains(s, "In v1 you proposed") {
		t.Errorf("north: the earlier answer to the changed point reads %q", s)
	}
	// Accept every point asks first, naming the objection it would
	// overwrite; declined, the objection stays.
	n0 := north.dialogCount()
	north.declineNext(1)
	h.do(north, "accept every point, then think again", click("resp-accept-all"))
	if q := north.asked(n0); !contains(q, "Width of the buffer zone", "your objection", "Too narrow") {
		t.Errorf("north was asked %q, want the objection it overwrites named", q)
	}
	if !h.checked(north, "resp-1-object") || h.checked(north, "resp-0-accept") {
		t.Errorf("north: a declined accept-all changed the answers")
	}
	h.do(north, "answer the changed points and send",
		click("resp-0-accept"),
		click("resp-2-accept"),
		click("resp-submit"),
		chromedp.WaitVisible(id("response-sent")),
	)
	if got := h.replies(nid)["north"]; len(got) != 3 || got[1].Stance != session.StanceObject || got[1].Reason != "Too narrow to keep the guns apart" {
		t.Errorf("north's second response: %+v", got)
	}
	h.do(south, "accept version 2",
		chromedp.WaitVisible(css(`#current-text[data-version="2"]`)),
		click("resp-accept-all"),
		click("resp-submit"),
		chromedp.WaitVisible(id("response-sent")),
	)

	// The vote: North votes no with a reason, South yes; each is asked.
	h.submit(med, nid, session.Move{Kind: session.KindCallVote})
	n0 = north.dialogCount()
	h.do(north, "vote no with a reason",
		chromedp.WaitVisible(id("vote-no")),
		fill("vote-reason", "The buffer is too narrow"),
		click("vote-no"),
		chromedp.WaitVisible(css(`#my-vote[data-vote="no"]`)),
	)
	if q := north.asked(n0); !contains(q, "Vote no on version 2", "The buffer is too narrow") {
		t.Errorf("north was asked %q before its vote", q)
	}
	n0 = south.dialogCount()
	h.do(south, "vote yes",
		chromedp.WaitVisible(id("vote-yes")),
		click("vote-yes"),
		chromedp.WaitVisible(css(`#my-vote[data-vote="yes"]`)),
	)
	if q := south.asked(n0); !contains(q, "Vote yes on version 2", "whole text") {
		t.Errorf("south was asked %q before its vote", q)
	}
	// Everyone is told: the count, the rule, who voted no (plenary: the
	// votes are public) and why.
	for _, u := range []*user{north, south} {
		h.do(u, "see the vote fail", chromedp.WaitVisible(css(`#vote-result[data-result="failed"][data-version="2"]`)))
		s := h.text(u, "#vote-result")
		who := "North voted no"
		if u == north {
			who = "you voted no"
		}
		for _, part := range []string{"Version 2 was rejected: 1 yes of 2", "needed unanimity", who, "The buffer is too narrow"} {
			if !strings.Contains(s, part) {
				t.Errorf("%s: the vote's result reads %q, want %q in it", u.name, s, part)
			}
		}
	}
	mu := h.newUser(bctx, "mediator")
	h.do(mu, "see the vote fail on the console",
		h.signIn(),
		chromedp.Navigate(h.base+"/n/"+nid),
		chromedp.WaitVisible(css(`#vote-result[data-result="failed"]`)),
	)
	if s := h.text(mu, `[data-testid="vote-north"]`); !strings.Contains(s, "The buffer is too narrow") {
		t.Errorf("mediator: north's vote reads %q, want its reason", s)
	}
	for _, u := range h.users {
		if errs := u.pageErrors(); len(errs) > 0 {
			t.Errorf("%s: errors in the page: %q", u.name, errs)
		}
	}
}

// TestProximityRecipientsAndSecretVotes: in proximity talks a party is
// offered the mediator only as the recipient of its messages (the engine's
// rule, from the view's addressing), its message goes through, and when the
// vote fails both parties are told the count and the rule, not who voted
// how (the votes are the mediator's to see).
func TestProximityRecipientsAndSecretVotes(t *testing.T) {
	h, bctx := newHarness(t, nil)
	nid, users := h.tinyRoom(bctx, "Proximity", scenario.Proximity)
	north, south := users["north"], users["south"]
	v, err := h.svc.View(h.ctx, room.Viewer{Negotiation: nid, Party: "north"}, nid)
	if err != nil {
		t.Fatal(err)
	}
	if v.Addressing == nil || !slices.Equal(v.Addressing.To, []string{v.Mediator}) || v.Addressing.Everyone {
		t.Fatalf("north's view under proximity talks: addressing %+v, want the mediator %q only", v.Addressing, v.Mediator)
	}
	for _, u := range []*user{north, south} {
		h.do(u, "see the message form",
			chromedp.WaitVisible(css(`#status-banner[data-status="negotiating"]`)),
			chromedp.WaitVisible(css(fmt.Sprintf(`#msg-to-fixed[data-to=%q]`, v.Mediator))),
		)
		if n := h.count(u, `#message-form input[name="msg-to"]`); n != 0 {
			t.Errorf("%s: %d recipients to choose from under proximity talks", u.name, n)
		}
	}
	h.do(north, "write to the mediator",
		click("msg-text"),
		chromedp.SendKeys(id("msg-text"), "We could live with a UN mission."),
		click("msg-send"),
		chromedp.WaitVisible(css(`#messages-list .message.mine`)),
	)
	if s := h.text(north, `#messages-list .message.mine .message-head`); !strings.Contains(s, "→") || strings.Contains(s, "South") {
		t.Errorf("north's message went %q", s)
	}
	if n := h.count(north, `#msg-to-fixed`); n != 1 {
		t.Errorf("after sending, the recipient is no longer the mediator")
	}

	med := room.Viewer{User: h.owner}
	h.submit(med, nid, session.Move{Kind: session.KindDraft, Text: [][]int{{1}, {2}, {2}}})
	yes := true
	var all []session.PointResponse
	for i, l := range []int{1, 2, 2} {
		all = append(all, session.PointResponse{Point: i, Stance: session.StanceAccept, Option: l})
	}
	for _, p := range []string{"north", "south"} {
		h.submit(room.Viewer{Negotiation: nid, Party: p}, nid, session.Move{Kind: session.KindRespond, Responses: all})
	}
	h.submit(med, nid, session.Move{Kind: session.KindCallVote})
	h.submit(room.Viewer{Negotiation: nid, Party: "south"}, nid, session.Move{Kind: session.KindVote, Yes: &yes})
	h.do(north, "vote no",
		chromedp.WaitVisible(id("vote-no")),
		click("vote-no"),
		chromedp.WaitVisible(css(`#my-vote[data-vote="no"]`)),
	)
	for _, u := range []*user{north, south} {
		h.do(u, "see the vote fail", chromedp.WaitVisible(css(`#vote-result[data-result="failed"][data-version="1"]`)))
		s := h.text(u, "#vote-result")
		if !strings.Contains(s, "Version 1 was rejected: 1 yes of 2") || !strings.Contains(s, "not public") {
			t.Errorf("%s: the vote's result reads %q", u.name, s)
		}
		if u == south && strings.Contains(s, "North") {
			t.Errorf("south is told how North voted under proximity talks: %q", s)
		}
	}
	for _, u := range h.users {
		if errs := u.pageErrors(); len(errs) > 0 {
			t.Errorf("%s: errors in the page: %q", u.name, errs)
		}
	}
}

// clickUntil clicks elem until sel is visible, waiting up to 8 s after
// each of at most tries clicks: for idempotent buttons whose click a
// re-render of their section can swallow.
func clickUntil(elem, sel string, tries int) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		var err error
		for range tries {
			if _, err = click(elem)(ctx, t); err != nil {
				return chromedp.Void{}, err
			}
			wctx, cancel := context.WithTimeout(ctx, 8*time.Second)
			_, err = chromedp.WaitVisible(css(sel))(wctx, t)
			cancel()
			if err == nil || ctx.Err() != nil {
				break
			}
		}
		return chromedp.Void{}, err
	}
}
