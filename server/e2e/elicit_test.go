package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// tally counts a scripted person's interactions: each click and each
// field typed into (however many keys) is one.
type tally struct{ clicks, fields int }

func (c *tally) tap(elem string) chromedp.Action[chromedp.Void] {
	c.clicks++
	return click(elem)
}

func (c *tally) keys(elem, keys string) chromedp.Action[chromedp.Void] {
	c.fields++
	return chromedp.Steps(
		chromedp.WaitVisible(id(elem)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).scrollIntoView({block: "center"})`, elem)),
		chromedp.SendKeys(id(elem), keys),
	)
}

func (c *tally) total() int { return c.clicks + c.fields }

// eval runs js in u's page and decodes its JSON result into out.
func (h *harness) eval(u *user, js string, out any) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, stepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		h.fail(u, "evaluate "+js, err)
	}
	if err := json.Unmarshal([]byte(s), out); err != nil {
		h.t.Fatalf("decode %q: %v", s, err)
	}
}

// openSeat creates a negotiation of scenario name, invites party and
// opens its link in a new browser; it returns the negotiation's id.
func (h *harness) openSeat(bctx context.Context, name string, set room.Settings, party string) (string, *user) {
	h.t.Helper()
	sc, err := scenario.Builtin(name)
	if err != nil {
		h.t.Fatal(err)
	}
	n, err := h.svc.CreateNegotiation(h.ctx, h.owner, "Elicitation", sc, set, "")
	if err != nil {
		h.t.Fatal(err)
	}
	tok, _, err := h.svc.Invite(h.ctx, h.owner, n.ID, party, "Delegate of "+party, false, room.MaxInviteTTL)
	if err != nil {
		h.t.Fatal(err)
	}
	u := h.newUser(bctx, party)
	h.do(u, "open the invitation",
		chromedp.Navigate(h.base+"/join#"+tok),
		chromedp.WaitVisible(css(fmt.Sprintf(`#party-room[data-party=%q]`, party))),
		chromedp.WaitVisible(id("elicitation")),
	)
	return n.ID, u
}

func (h *harness) profileOf(nid, party string) *profile.Profile {
	h.t.Helper()
	v, err := h.svc.View(h.ctx, room.Viewer{Negotiation: nid, Party: party}, nid)
	if err != nil {
		h.t.Fatal(err)
	}
	return v.Profile
}

// worstOption is the option of point i with the lowest score (the last
// one in a tie).
func worstOption(p *profile.Profile, i int) int {
	w := 0
	for l, s := range p.Scores[i] {
		if s <= p.Scores[i][w] {
			w = l
		}
	}
	return w
}

// TestElicitMiami elicits Russia's profile of the Miami scenario in a real
// browser as a delegate would, counting the interactions, then checks the
// elicitation's guard rails:
//
//   - a notice says the numbers are the scenario author's until the party
//     saves its own, and goes once it has;
//   - the glossary's words carry a tooltip and an accessible description;
//   - the scripted delegate — who changes four importances, re-ranks
//     options on five points (two of them collapsed at first), moves two
//     scores, lowers the reservation, draws two red lines with a reason
//     and saves — needs fewer than 40 interactions;
//   - after Save the wizard stays on its step and focus stays on Save;
//   - a red line on the party's best option of a point, and a reservation
//     above every package it can accept, are warned about as they happen;
//   - a reload restores the unsaved changes and says so;
//   - "Load my best package" loads the best package within the party's
//     red lines, the one the engine's session.BestAllowed computes.
func TestElicitMiami(t *testing.T) {
	h, bctx := newHarness(t, nil)
	nid, ru := h.openSeat(bctx, "miami-2025", room.Settings{Protocol: session.SingleText}, "russia")
	sc, err := scenario.Builtin("miami-2025")
	if err != nil {
		t.Fatal(err)
	}
	f := sc.Framework
	before := h.profileOf(nid, "russia")

	// The notice: pre-filled, by whom.
	h.do(ru, "see the pre-filled notice", chromedp.WaitVisible(id("eli-prefilled")))
	if s := h.text(ru, "#eli-prefilled"); !strings.Contains(s, "pre-filled") || !strings.Contains(s, "author") || !strings.Contains(s, "miami-2025") {
		t.Errorf("the pre-filled notice says %q", s)
	}
	// The glossary: every term points to an entry that exists.
	var terms struct {
		Terms, Broken int
		Title         string
	}
	h.eval(ru, `JSON.stringify((() => {
		const ts = [...document.querySelectorAll(".term")];
		return { Terms: ts.length, Broken: ts.filter((t) => !document.getElementById(t.getAttribute("aria-describedby"))).length,
			Title: (document.querySelector('.term[data-term="prefilled"]') || {}).title || "" };
	})())`, &terms)
	if terms.Terms < 3 || terms.Broken != 0 || !strings.Contains(terms.Title, "author") {
		t.Errorf("glossary terms: %+v", terms)
	}

	// The scripted delegate.
	var c tally
	start := time.Now()
	h.do(ru, "step 1: four importances",
		c.keys("w-1", strings.Repeat(kb.ArrowRight, 10)),
		c.keys("w-5", strings.Repeat(kb.ArrowRight, 5)),
		c.keys("w-9", strings.Repeat(kb.ArrowRight, 5)),
		c.keys("w-18", strings.Repeat(kb.ArrowLeft, 3)),
		chromedp.WaitVisible(id("eli-dirty")),
	)
	// The most important points are open, the others collapsed.
	h.shot(ru, "party-elicitation-notice", "elicitation")
	h.do(ru, "step 2", c.tap("eli-next"), chromedp.WaitVisible(id("eli-scores")))
	if n := h.count(ru, "details.score-point[open]"); n != 5 {
		t.Errorf("%d points open in step 2, want the 5 most important", n)
	}
	layout := h.layout(ru)
	t.Logf("step 2 of Miami: the profile card is %d px high (the page %d px), %d visible controls", layout.Height, layout.Page, layout.Controls)
	if dir := os.Getenv("PARLEY_ELICIT_SHOTS"); dir != "" {
		b, err := chromedp.Run(ru.ctx, chromedp.FullScreenshot(90))
		if err == nil {
			_ = os.WriteFile(filepath.Join(dir, "step2.jpg"), b, 0o644)
		}
	}
	if layout.Height > 2400 {
		t.Errorf("step 2 is %d px high", layout.Height)
	}
	ranked := []int{13, 0, 18, 11, 15} // 11 and 15 start collapsed
	for _, i := range ranked {
		l := worstOption(before, i)
		if i == 11 || i == 15 {
			h.do(ru, fmt.Sprintf("open point %d", i), c.tap(fmt.Sprintf("sp-%d-summary", i)))
		}
		h.do(ru, fmt.Sprintf("rank up an option of point %d", i), c.tap(fmt.Sprintf("s-%d-%d-up", i, l)))
		// Focus follows the option, for the keyboard (once the list is
		// drawn again: wait for it, a loaded machine draws late).
		want := fmt.Sprintf("s-%d-%d-up", i, l)
		got := h.activeID(ru)
		for deadline := time.Now().Add(5 * time.Second); got != want && time.Now().Before(deadline); got = h.activeID(ru) {
			time.Sleep(50 * time.Millisecond)
		}
		if got != want {
			t.Errorf("focus after ranking up is on %q, want %q", got, want)
		}
	}
	h.do(ru, "move two scores",
		c.keys("s-0-0", kb.ArrowLeft+kb.ArrowLeft),
		c.keys("s-18-0", kb.ArrowLeft),
	)
	h.do(ru, "step 3: the reservation",
		c.tap("eli-next"),
		chromedp.WaitVisible(id("eli-fallback")),
		c.keys("eli-res-pct", strings.Repeat(kb.ArrowLeft, 5)),
	)
	h.do(ru, "step 4: two red lines and a reason",
		c.tap("eli-next"),
		chromedp.WaitVisible(id("eli-redlines")),
		c.tap("rl-12-3"),
		c.tap("rl-16-1"),
		c.keys("rl-12-3-reason", "Not without our schools."),
	)
	if dir := os.Getenv("PARLEY_ELICIT_SHOTS"); dir != "" {
		b, err := chromedp.Run(ru.ctx, chromedp.FullScreenshot(90))
		if err == nil {
			_ = os.WriteFile(filepath.Join(dir, "step4.jpg"), b, 0o644)
		}
	}
	l4 := h.layout(ru)
	t.Logf("step 4 of Miami: the profile card is %d px high (the page %d px), %d visible controls", l4.Height, l4.Page, l4.Controls)
	h.do(ru, "save", c.tap("eli-save"), chromedp.WaitVisible(id("eli-saved")))
	took := time.Since(start)
	t.Logf("a scripted delegate elicited Russia's Miami profile in %d interactions (%d clicks, %d fields typed into), %v in the browser", c.total(), c.clicks, c.fields, took.Round(time.Millisecond))
	if c.total() >= 40 {
		t.Errorf("%d interactions to elicit a Miami role, want fewer than 40", c.total())
	}

	// Save keeps the step and the focus; the notice goes.
	if s := h.attr(ru, "#elicitation", "data-step"); s != "4" {
		t.Errorf("after Save the wizard is on step %s, want 4", s)
	}
	if got := h.activeID(ru); got != "eli-save" {
		t.Errorf("after Save the focus is on %q, want eli-save", got)
	}
	h.do(ru, "the pre-filled notice goes", chromedp.WaitNotPresent(id("eli-prefilled")))

	// The server holds what the delegate said.
	after := h.profileOf(nid, "russia")
	share := func(p *profile.Profile, i int) float64 { return p.Weights[i] / p.WeightSum() }
	for _, i := range []int{1, 5, 9} {
		if share(after, i) <= share(before, i) {
			t.Errorf("point %d: weight share %v, was %v: the raised importance was lost", i, share(after, i), share(before, i))
		}
	}
	for _, i := range ranked {
		l := worstOption(before, i)
		if after.Scores[i][l] <= before.Scores[i][l] {
			t.Errorf("point %d: option %d ranked up but scored %v (was %v)", i, l, after.Scores[i][l], before.Scores[i][l])
		}
	}
	if after.Reservation == nil || before.Reservation == nil || *after.Reservation >= *before.Reservation {
		t.Errorf("reservation %v, was %v: not lowered", after.Reservation, before.Reservation)
	}
	lines := 0
	for _, rl := range after.RedLines {
		if len(rl.Terms) == 1 && ((rl.Terms[0].Point == 12 && slices.Equal(rl.Terms[0].Levels, []int{3})) || (rl.Terms[0].Point == 16 && slices.Equal(rl.Terms[0].Levels, []int{1}))) {
			lines++
			if rl.Terms[0].Point == 12 && rl.Reason != "Not without our schools." {
				t.Errorf("red line reason %q", rl.Reason)
			}
		}
	}
	if lines != 2 || len(after.RedLines) != len(before.RedLines)+2 {
		t.Errorf("red lines after saving: %+v", after.RedLines)
	}

	// A red line on the party's best option of its most important point:
	// warned about at once.
	tb, err := after.Compile(f)
	if err != nil {
		t.Fatal(err)
	}
	_, top := tb.Max()
	k := 13
	h.do(ru, "red-line the best option",
		click(fmt.Sprintf("rl-%d-%d", k, top[k])),
		chromedp.WaitVisible(css(`#eli-warnings [data-warning="redline-best"]`)),
		chromedp.WaitVisible(css(`[data-warning="redline-best-here"]`)),
	)
	if s := h.text(ru, `#eli-warnings [data-warning="redline-best"]`); !strings.Contains(s, optionName(f, k, top[k])) {
		t.Errorf("the warning says %q", s)
	}
	h.shot(ru, "party-elicitation-warning", "eli-warnings")
	// A reservation of 100% is above every package within the red lines.
	h.do(ru, "ask for everything",
		click("eli-step-3"),
		chromedp.WaitVisible(id("eli-res-pct")),
		chromedp.SendKeys(id("eli-res-pct"), kb.End),
		chromedp.WaitVisible(css(`#eli-warnings [data-warning="reservation-high"]`)),
	)

	// A reload keeps the unsaved changes, and says so.
	h.do(ru, "reload",
		chromedp.Reload(),
		chromedp.WaitVisible(id("eli-restored")),
		chromedp.WaitVisible(id("eli-dirty")),
		chromedp.WaitVisible(css(`#eli-warnings [data-warning="reservation-high"]`)),
	)
	if s := h.attr(ru, "#elicitation", "data-step"); s != "3" {
		t.Errorf("after the reload the wizard is on step %s, want 3", s)
	}
	if v := h.value(ru, "eli-res-pct"); v != "100" {
		t.Errorf("after the reload the reservation is %s%%, want 100", v)
	}
	h.do(ru, "save the restored profile",
		click("eli-step-4"),
		chromedp.WaitVisible(css(fmt.Sprintf("#rl-%d-%d:checked", k, top[k]))),
		click("eli-save"),
		chromedp.WaitVisible(id("eli-saved")),
		chromedp.WaitNotPresent(id("eli-restored")),
	)
	saved := h.profileOf(nid, "russia")
	if saved.CrossesRedLine(top) < 0 {
		t.Fatalf("the saved profile has no red line on the best option %d of point %d: %+v", top[k], k, saved.RedLines)
	}

	// "Load my best package" loads the best package within the red lines.
	h.do(ru, "load my best package", click("eval-from-text"), chromedp.WaitVisible(id("eval-submit")))
	tb2, err := saved.Compile(f)
	if err != nil {
		t.Fatal(err)
	}
	want := session.BestAllowed(tb2, saved)
	if saved.CrossesRedLine(want) >= 0 {
		t.Fatalf("session.BestAllowed %v crosses red line %d", want, saved.CrossesRedLine(want))
	}
	var got []int
	h.eval(ru, fmt.Sprintf(`JSON.stringify([...Array(%d).keys()].map((i) => Number(document.getElementById("eval-" + i).value)))`, len(f.Points)), &got)
	if !slices.Equal(got, []int(want)) {
		t.Errorf("Load my best package: %v, want the best package within the red lines %v", got, want)
	}
	if got[k] == top[k] {
		t.Errorf("Load my best package loaded the red-lined option %d of point %d", top[k], k)
	}
	h.do(ru, "evaluate it", click("eval-submit"), chromedp.WaitVisible(css(`#eval-result[data-acceptable]`)))
	if s := h.text(ru, "#eval-utility"); !strings.HasSuffix(s, "%") {
		t.Errorf("the evaluation reads %q, want a share of the best", s)
	}
	if errs := ru.pageErrors(); len(errs) > 0 {
		t.Errorf("page errors: %v", errs)
	}
}

func optionName(f *framework.Framework, i, l int) string {
	o := f.Points[i].Options[l]
	if o.Label != "" {
		return o.Label
	}
	return o.ID
}

// pageLayout is the height of the profile card and of the page, and the
// number of controls a person sees in the card.
type pageLayout struct{ Height, Page, Controls int }

func (h *harness) layout(u *user) pageLayout {
	var l pageLayout
	h.eval(u, `JSON.stringify({Height: Math.round(document.getElementById("elicitation").getBoundingClientRect().height),
		Page: document.documentElement.scrollHeight,
		Controls: [...document.querySelectorAll("#elicitation input, #elicitation select, #elicitation button")].filter((e) => e.checkVisibility()).length})`, &l)
	return l
}

// activeID is the id of the focused element.
func (h *harness) activeID(u *user) string {
	var s string
	h.eval(u, `JSON.stringify(document.activeElement ? document.activeElement.id : "")`, &s)
	return s
}

// attr reads an attribute of the first element matching sel.
func (h *harness) attr(u *user, sel, name string) string {
	var s string
	h.eval(u, fmt.Sprintf(`JSON.stringify((document.querySelector(%q) || {getAttribute: () => ""}).getAttribute(%q) || "")`, sel, name), &s)
	return s
}

// TestElicitWarnings: importance 0 everywhere is warned about, and Save
// refuses it.
func TestElicitWarnings(t *testing.T) {
	h, bctx := newHarness(t, nil)
	_, u := h.openSeat(bctx, "tiny-2p", room.Settings{Protocol: session.SingleText}, "north")
	h.do(u, "importance 0 everywhere",
		chromedp.SendKeys(id("w-0"), kb.Home),
		chromedp.SendKeys(id("w-1"), kb.Home),
		chromedp.SendKeys(id("w-2"), kb.Home),
		chromedp.WaitVisible(css(`#eli-warnings [data-warning="weights-zero"]`)),
	)
	h.do(u, "save refused", click("eli-save"), chromedp.WaitVisible(id("error-message")))
	if s := h.text(u, "#error-message"); !strings.Contains(s, "importance") {
		t.Errorf("error %q", s)
	}
	h.do(u, "fix it", chromedp.SendKeys(id("w-0"), kb.End), chromedp.WaitNotPresent(css(`#eli-warnings [data-warning="weights-zero"]`)))
	u.expectErrors(t, "importance")
}

// TestElicitNumeric elicits tiny-2p's two numeric points in the browser:
// "less is better" on the integer point, a peak on the real one, with the
// preview following; the saved value functions are the ones described.
func TestElicitNumeric(t *testing.T) {
	h, bctx := newHarness(t, nil)
	nid, u := h.openSeat(bctx, "tiny-2p", room.Settings{Protocol: session.SingleText}, "south")
	h.do(u, "step 2", click("eli-next"), chromedp.WaitVisible(id("nf-1-shape")))
	h.do(u, "less is better on the buffer",
		pick("nf-1-shape", "less"),
		chromedp.WaitVisible(id("nf-1-hi")),
		fill("nf-1-best", "1"),
		fill("nf-1-hi", "3"),
	)
	if s := h.text(u, "#nf-1-text"); !strings.Contains(s, "at 0: 100%") || !strings.Contains(s, "best at 1: 100%") || !strings.Contains(s, "at 4: 0%") {
		t.Errorf("buffer preview: %q", s)
	}
	h.do(u, "a peak on the withdrawal",
		pick("nf-2-shape", "peak"),
		chromedp.WaitVisible(id("nf-2-hi")),
		fill("nf-2-best", "20"),
		fill("nf-2-lo", "5"),
		fill("nf-2-hi", "30"),
	)
	h.shot(u, "party-elicitation-numeric", "sp-1")
	if s := h.text(u, "#nf-2-text"); !strings.Contains(s, "best at 20: 100%") {
		t.Errorf("withdrawal preview: %q", s)
	}
	// An inconsistent answer is warned about.
	h.do(u, "an inconsistent peak", fill("nf-2-lo", "25"), chromedp.WaitVisible(css(`#eli-warnings [data-warning="numeric-invalid"]`)))
	h.do(u, "fixed", fill("nf-2-lo", "5"), chromedp.WaitNotPresent(css(`#eli-warnings [data-warning="numeric-invalid"]`)))
	h.do(u, "save", click("eli-save"), chromedp.WaitVisible(id("eli-saved")))
	p := h.profileOf(nid, "south")
	sc, _ := scenario.Builtin("tiny-2p")
	f := sc.Framework
	fn1, fn2 := p.Funcs[1], p.Funcs[2]
	if fn1 == nil || fn1.Kind != profile.Linear || fn2 == nil || fn2.Kind != profile.Triangular {
		t.Fatalf("saved functions %+v %+v", fn1, fn2)
	}
	for _, c := range []struct {
		fn   *profile.ValueFunc
		x, y float64
	}{{fn1, 0, 1}, {fn1, 1, 1}, {fn1, 2, 0.5}, {fn1, 3, 0}, {fn1, 4, 0}, {fn2, 5, 0}, {fn2, 20, 1}, {fn2, 25, 0.5}, {fn2, 30, 0}} {
		if got := c.fn.Eval(c.x); math.Abs(got-c.y) > 1e-9 {
			t.Errorf("%+v at %v: %v, want %v", c.fn, c.x, got, c.y)
		}
	}
	if err := p.Check(f); err != nil {
		t.Error(err)
	}
}

// TestOfferRating: under alternating offers, the offer being composed is
// rated in the browser from the party's own profile — as a share of its
// best, the red line it crosses — and the form starts on the party's best
// package within its red lines.
func TestOfferRating(t *testing.T) {
	h, bctx := newHarness(t, nil)
	sc, err := scenario.Builtin("tiny-2p")
	if err != nil {
		t.Fatal(err)
	}
	f := sc.Framework
	n, err := h.svc.CreateNegotiation(h.ctx, h.owner, "Offers", sc, room.Settings{Protocol: session.SAO, Rounds: 20}, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.svc.Start(h.ctx, h.owner, n.ID); err != nil {
		t.Fatal(err)
	}
	v, err := h.svc.View(h.ctx, room.Viewer{Negotiation: n.ID, Party: "north"}, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	me := v.State.Turn
	tok, _, err := h.svc.Invite(h.ctx, h.owner, n.ID, me, "Delegate", false, room.MaxInviteTTL)
	if err != nil {
		t.Fatal(err)
	}
	u := h.newUser(bctx, me)
	h.do(u, "open the invitation", chromedp.Navigate(h.base+"/join#"+tok), chromedp.WaitVisible(id("offer-rating")))
	p := h.profileOf(n.ID, me)
	tb, err := p.Compile(f)
	if err != nil {
		t.Fatal(err)
	}
	mx, _ := tb.Max()
	best := session.BestAllowed(tb, p)
	var pkg []int
	h.eval(u, fmt.Sprintf(`JSON.stringify([...Array(%d).keys()].map((i) => Number(document.getElementById("offer-" + i).value)))`, len(f.Points)), &pkg)
	if !slices.Equal(pkg, []int(best)) {
		t.Errorf("the offer form starts on %v, want the best package within the red lines %v", pkg, best)
	}
	rating := func() (float64, int, string) {
		var r struct {
			Share, Red string
			Text       string
		}
		h.eval(u, `JSON.stringify((() => { const e = document.getElementById("offer-rating"); return {Share: e.dataset.share, Red: e.dataset.redline, Text: e.textContent}; })())`, &r)
		var s float64
		var red int
		fmt.Sscan(r.Share, &s)
		fmt.Sscan(r.Red, &red)
		return s, red, r.Text
	}
	s, _, text := rating()
	if math.Abs(s-tb.Utility(best)/mx) > 1e-12 || !strings.Contains(text, "of your best to you") {
		t.Errorf("rating of %v: %v %q, want %v", best, s, text, tb.Utility(best)/mx)
	}
	// Change a point: the rating follows.
	q := slices.Clone(best)
	q[0] = (q[0] + 1) % len(f.Points[0].Options)
	h.do(u, "change the first point", pick("offer-0", fmt.Sprint(q[0])))
	s, red, text := rating()
	if math.Abs(s-tb.Utility(q)/mx) > 1e-12 || red != p.CrossesRedLine(q) {
		t.Errorf("rating of %v: %v (red line %d) %q, want %v (red line %d)", q, s, red, text, tb.Utility(q)/mx, p.CrossesRedLine(q))
	}
	t.Logf("offer %v rated %q", q, text)
	h.shot(u, "party-offer-rating", "offer-form")

	// Under the single negotiating text, a proposal is rated as it is
	// written: the text with the party's proposals.
	st, err := h.svc.CreateNegotiation(h.ctx, h.owner, "Text", sc, room.Settings{Protocol: session.SingleText}, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.svc.Start(h.ctx, h.owner, st.ID); err != nil {
		t.Fatal(err)
	}
	draft := make([][]int, len(f.Points))
	for i := range draft {
		draft[i] = []int{0}
	}
	if _, err := h.svc.Submit(h.ctx, room.Viewer{User: h.owner}, st.ID, session.Move{Kind: session.KindDraft, Text: draft}); err != nil {
		t.Fatal(err)
	}
	tok, _, err = h.svc.Invite(h.ctx, h.owner, st.ID, "north", "Delegate", false, room.MaxInviteTTL)
	if err != nil {
		t.Fatal(err)
	}
	h.do(u, "open the text", chromedp.Navigate(h.base+"/join#"+tok), chromedp.WaitVisible(id("resp-0-propose")))
	if n := h.count(u, "#resp-rating"); n != 0 {
		t.Errorf("a rating before any proposal")
	}
	h.do(u, "propose option 2 on point 0",
		click("resp-0-propose"),
		chromedp.WaitVisible(id("resp-0-propose-option")),
		pick("resp-0-propose-option", "2"),
		chromedp.WaitVisible(id("resp-rating")),
	)
	pn := h.profileOf(st.ID, "north")
	tn, err := pn.Compile(f)
	if err != nil {
		t.Fatal(err)
	}
	mxn, _ := tn.Max()
	prop := make(framework.Package, len(f.Points))
	prop[0] = 2
	var r struct{ Share string }
	h.eval(u, `JSON.stringify({Share: document.getElementById("resp-rating").dataset.share})`, &r)
	var got float64
	fmt.Sscan(r.Share, &got)
	if want := tn.Utility(prop) / mxn; math.Abs(got-want) > 1e-12 {
		t.Errorf("the proposal's rating: %v, want %v", got, want)
	}
	t.Logf("proposal rated %q", h.text(u, "#resp-rating"))
}

// TestBestAllowedJS compares ui/profile.js bestAllowedPackage with the
// engine's session.BestAllowed on 400 random profiles (profile_test.go's
// randomCase) with red lines on their best options added.
func TestBestAllowedJS(t *testing.T) {
	h, bctx := newHarness(t, nil)
	u := h.newUser(bctx, "profile.js")
	h.do(u, "open the UI", chromedp.Navigate(h.base+"/"), chromedp.WaitVisible(id("login-name")))
	r := rand.New(rand.NewPCG(15, 9))
	var cases []profileCase
	for len(cases) < 400 {
		c := randomCase(r)
		tb, err := c.Profile.Compile(c.Framework)
		if err != nil {
			t.Fatal(err)
		}
		_, top := tb.Max()
		k := r.IntN(len(top))
		c.Profile.RedLines = append(c.Profile.RedLines, profile.RedLine{Terms: []profile.Term{{Point: k, Levels: []int{top[k]}}}})
		if err := c.Profile.Check(c.Framework); err != nil {
			continue // the same level twice on a point
		}
		cases = append(cases, c)
	}
	payload, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	var got [][]int
	h.eval(u, fmt.Sprintf(`import("/ui/profile.js").then((m) => JSON.stringify(%s.map((c) => m.bestAllowedPackage(m.compile(c.framework, c.profile), c.profile))))`, payload), &got)
	found := 0
	for k, c := range cases {
		tb, _ := c.Profile.Compile(c.Framework)
		want := session.BestAllowed(tb, c.Profile)
		if got[k] == nil {
			if c.Profile.CrossesRedLine(want) < 0 {
				t.Errorf("case %d: JS found no package, Go %v", k, want)
			}
			continue
		}
		found++
		if c.Profile.CrossesRedLine(got[k]) >= 0 || !slices.Equal(got[k], []int(want)) {
			t.Errorf("case %d: JS %v, Go %v", k, got[k], want)
		}
	}
	if found < 300 {
		t.Errorf("only %d cases with an allowed package", found)
	}
	t.Logf("%d profiles: bestAllowedPackage agrees with session.BestAllowed (%d with an allowed package)", len(cases), found)
}

// TestElicitPhone walks the four steps of a Miami role at 390 px: the
// page never scrolls sideways.
func TestElicitPhone(t *testing.T) {
	h, bctx := newHarness(t, nil)
	_, ru := h.openSeat(bctx, "miami-2025", room.Settings{Protocol: session.SingleText}, "russia")
	h.do(ru, "a phone's width", chromedp.EmulateViewport(390, 844))
	for st := 1; st <= 4; st++ {
		h.do(ru, fmt.Sprintf("step %d", st), click(fmt.Sprintf("eli-step-%d", st)), chromedp.WaitVisible(css(fmt.Sprintf(`#elicitation[data-step="%d"]`, st))))
		var w struct{ Scroll, Inner int }
		h.eval(ru, `JSON.stringify({Scroll: document.documentElement.scrollWidth, Inner: innerWidth})`, &w)
		if w.Scroll > w.Inner {
			t.Errorf("step %d at 390 px: the page is %d px wide", st, w.Scroll)
		}
	}
}
