package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/internal/fixture"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// openAdditiveSeat is openSeat on the built-in Miami scenario with every
// profile's interactions taken out (the test states its own).
func (h *harness) openAdditiveSeat(bctx context.Context, set room.Settings, party string) (string, *user) {
	h.t.Helper()
	sc, err := scenario.Builtin("miami-2025")
	if err != nil {
		h.t.Fatal(err)
	}
	for i := range sc.Parties {
		if p := sc.Parties[i].Profile; p != nil {
			cp := *p
			cp.Interactions = nil
			sc.Parties[i].Profile = &cp
		}
	}
	n, err := h.svc.CreateNegotiation(h.ctx, h.owner, "Interactions", sc, set, "")
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

// choose sets a select's value and fires its change event, as a person
// picking an option does.
func choose(elem, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(id(elem)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const e = document.getElementById(%q); e.value = %q; e.dispatchEvent(new Event("change", { bubbles: true })); })()`, elem, value)),
	)
}

// retype replaces the text of an input, firing its input events.
func retype(elem, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.WaitVisible(id(elem)), chromedp.SetValue(id(elem), ""), chromedp.SendKeys(id(elem), text))
}

// TestInteractionsElicitAndEvaluate: Russia's delegate states a
// combination in step 5 of the elicitation ("this option is worth more
// if …"): the form's mistakes are named next to their fields (nothing
// chosen, a point chosen twice, an amount of 0), a valid combination is
// listed, a second one is removed again, the profile is saved with the
// one interaction (its value the stated share of the best package), and
// the evaluate tool shows the sum over the points, the combination that
// applies with its value and a total equal to profile.Table.Utility,
// and "none applies" for a package outside it. The other parties' views
// carry neither its label nor its value; the mediator's analysis (who sees
// aggregates only) says that some profile has interactions, naming no
// party. With axe-core at hand (PARLEY_AXE),
// step 5 with its errors and the evaluate tool's breakdown have no
// serious or critical finding. At a phone's width step 5 does not scroll
// sideways.
func TestInteractionsElicitAndEvaluate(t *testing.T) {
	h, bctx := newHarness(t, nil)
	nid, ru := h.openAdditiveSeat(bctx, room.Settings{Protocol: session.SingleText}, "russia")
	sc, err := scenario.Builtin("miami-2025")
	if err != nil {
		t.Fatal(err)
	}
	f := sc.Framework
	var pts []int
	for i := range f.Points {
		if f.Points[i].Kind == framework.Options && len(f.Points[i].Options) >= 2 {
			pts = append(pts, i)
		}
	}
	if len(pts) < 3 {
		t.Fatalf("Miami has %d options points", len(pts))
	}
	a, b, c := pts[0], pts[1], pts[2]
	const label = "Guarantees count with a ceasefire"
	engine := ""
	if path := axePath(); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read axe-core: %v", err)
		}
		engine = string(data)
	}
	axe := func(screen string) {
		t.Helper()
		if engine == "" {
			return
		}
		vs := h.runAxe(ru, engine)
		t.Logf("axe-core on %s: %d rules broken", screen, len(vs))
		for _, v := range vs {
			line := fmt.Sprintf("%s (%s, %d×): %s — %s", v.ID, v.Impact, v.Count, v.Help, strings.Join(v.Nodes, " | "))
			if v.Impact == "serious" || v.Impact == "critical" {
				t.Errorf("%s: %s", screen, line)
			} else {
				t.Logf("%s: %s", screen, line)
			}
		}
	}

	h.do(ru, "step 5", click("eli-step-5"), chromedp.WaitVisible(id("eli-interactions")), chromedp.WaitVisible(id("ia-none")))

	// Mistakes, each named next to its field.
	h.do(ru, "add with nothing chosen", click("ia-add"), chromedp.WaitVisible(id("ia-new-error")))
	if s := h.text(ru, "#ia-new-error"); !strings.Contains(s, "at least one point") {
		t.Errorf("nothing chosen: %q", s)
	}
	h.do(ru, "a point twice, an amount of 0",
		choose("ia-new-0-point", strconv.Itoa(a)), choose("ia-new-0-level", "0"),
		choose("ia-new-1-point", strconv.Itoa(a)), choose("ia-new-1-level", "1"),
		retype("ia-new-amount", "0"),
		click("ia-add"),
		chromedp.WaitVisible(id("ia-new-1-error")), chromedp.WaitVisible(id("ia-new-amount-error")))
	if s := h.text(ru, "#ia-new-1-error"); !strings.Contains(s, "chosen twice") || !strings.Contains(s, f.Points[a].Name()) {
		t.Errorf("a point twice: %q", s)
	}
	if s := h.text(ru, "#ia-new-amount-error"); !strings.Contains(s, "above 0") {
		t.Errorf("an amount of 0: %q", s)
	}
	if got := h.attr(ru, "#ia-new-1-point", "aria-describedby"); got != "ia-new-1-error" {
		t.Errorf("the second point's select is described by %q, want its error", got)
	}
	if h.count(ru, "#ia-list li") != 0 {
		t.Error("an invalid combination was listed")
	}
	axe("step 5 with errors")

	// A valid one, and a second one removed again.
	h.do(ru, "a valid combination",
		choose("ia-new-1-point", strconv.Itoa(b)), choose("ia-new-1-level", "0"),
		retype("ia-new-amount", "8"),
		chromedp.SendKeys(id("ia-new-label"), label),
		click("ia-add"),
		chromedp.WaitVisible(id("ia-0")))
	if s := h.text(ru, "#ia-0"); !strings.Contains(s, label) || !strings.Contains(s, "+8.0%") || !strings.Contains(s, "when "+f.Points[a].Name()) {
		t.Errorf("the listed combination reads %q", s)
	}
	if h.count(ru, "#ia-new-amount-error:not([hidden]), #ia-new-1-error:not([hidden])") != 0 {
		t.Error("errors stay after a valid combination")
	}
	h.do(ru, "a second one, worth less",
		choose("ia-new-0-point", strconv.Itoa(c)), choose("ia-new-0-level", "1"),
		click("ia-new-less"),
		retype("ia-new-amount", "3"),
		click("ia-add"),
		chromedp.WaitVisible(id("ia-1")))
	if s := h.text(ru, "#ia-1"); !strings.Contains(s, "−3.0%") {
		t.Errorf("the second combination reads %q", s)
	}
	h.do(ru, "remove it", click("ia-1-remove"), chromedp.WaitNotPresent(id("ia-1")))
	if n := h.count(ru, "#ia-list li"); n != 1 {
		t.Errorf("%d combinations listed after the removal, want 1", n)
	}
	h.do(ru, "save", click("eli-save"), chromedp.WaitVisible(id("eli-saved")))

	// The server holds it: a + b at their first options, worth 8% of the
	// best package without it.
	p := h.profileOf(nid, "russia")
	if len(p.Interactions) != 1 {
		t.Fatalf("saved interactions: %+v", p.Interactions)
	}
	in := p.Interactions[0]
	additive := *p
	additive.Interactions = nil
	ta, err := additive.Compile(f)
	if err != nil {
		t.Fatal(err)
	}
	best, _ := ta.Max()
	if in.Label != label || in.Outside || len(in.Terms) != 2 || in.Terms[0].Point != a || in.Terms[1].Point != b ||
		fmt.Sprint(in.Terms[0].Levels, in.Terms[1].Levels) != "[0] [0]" || math.Abs(in.Value-0.08*best) > 1e-5*best {
		t.Errorf("saved interaction %+v, want %q on points %d and %d at 0, value 0.08×%v", in, label, a, b, best)
	}
	tab, err := p.Compile(f)
	if err != nil {
		t.Fatal(err)
	}

	// The evaluate tool: the combination applies.
	pkg := make(framework.Package, len(f.Points))
	pkg[a], pkg[b] = 0, 0
	acts := []chromedp.Action[chromedp.Void]{chromedp.WaitVisible(id("evaluate"))}
	if h.count(ru, "#evaluate details[open]") == 0 {
		acts = append(acts, click("evaluate"))
	}
	for i, l := range pkg {
		acts = append(acts, choose(fmt.Sprintf("eval-%d", i), strconv.Itoa(l)))
	}
	acts = append(acts, click("eval-submit"), chromedp.WaitVisible(id("eval-breakdown")))
	h.do(ru, "evaluate a package the combination applies to", acts...)
	h.do(ru, "the combination", chromedp.WaitVisible(id("eval-interaction-0")))
	if s := h.text(ru, "#eval-interaction-0"); !strings.Contains(s, label) || !strings.Contains(s, "+8.0%") || !strings.Contains(s, "when "+f.Points[a].Name()) {
		t.Errorf("the applied combination reads %q", s)
	}
	total, _ := strconv.ParseFloat(h.attr(ru, "#eval-total", "data-utility"), 64)
	add, _ := strconv.ParseFloat(h.attr(ru, "#eval-additive", "data-utility"), 64)
	if total != tab.Utility(pkg) {
		t.Errorf("the total shown is %v, profile.Table.Utility %v", total, tab.Utility(pkg))
	}
	if math.Abs(add+in.Value-total) > 1e-12 {
		t.Errorf("sum over the points %v + %v ≠ total %v", add, in.Value, total)
	}
	if u, _ := strconv.ParseFloat(h.attr(ru, "#eval-utility", "data-utility"), 64); u != total {
		t.Errorf("worth %v, total %v", u, total)
	}
	axe("evaluate with a combination")

	// A package it does not apply to.
	h.do(ru, "evaluate a package outside it", choose(fmt.Sprintf("eval-%d", b), "1"), click("eval-submit"), chromedp.WaitVisible(id("eval-no-interaction")))
	pkg[b] = 1
	if total, _ := strconv.ParseFloat(h.attr(ru, "#eval-total", "data-utility"), 64); total != tab.Utility(pkg) {
		t.Errorf("outside: the total shown is %v, profile.Table.Utility %v", total, tab.Utility(pkg))
	}

	// Nobody else sees it.
	for _, other := range []string{"ukraine", "europe"} {
		v, err := h.svc.View(h.ctx, room.Viewer{Negotiation: nid, Party: other}, nid)
		if err != nil {
			t.Fatal(err)
		}
		js, _ := json.Marshal(v)
		if strings.Contains(string(js), label) {
			t.Errorf("%s's view carries russia's interaction's label", other)
		}
		if len(v.Profile.Interactions) != 0 {
			t.Errorf("%s's own profile has interactions: %+v", other, v.Profile.Interactions)
		}
	}
	// The mediator (aggregates only) is not told that any profile has
	// interactions (a fact about the profiles): the analysis shows no note.
	med := h.newUser(bctx, "mediator")
	h.do(med, "the console's analysis", h.signIn(), chromedp.Navigate(h.base+"/n/"+nid), chromedp.WaitVisible(id("mediator-console")), chromedp.WaitVisible(id("analysis")))
	if n := h.count(med, "#analysis-interactions"); n != 0 {
		t.Errorf("the aggregates-only mediator's analysis has an interactions note: %q", h.text(med, "#analysis-interactions"))
	}
	if s := h.text(med, "#analysis"); strings.Contains(s, label) || strings.Contains(s, "interaction") {
		t.Errorf("the mediator's analysis says %q", s)
	}

	// Step 5 at a phone's width: the page never scrolls sideways.
	h.do(ru, "step 5 at 390 px", chromedp.EmulateViewport(390, 844), click("eli-step-5"), chromedp.WaitVisible(id("ia-form")))
	var w struct{ Scroll, Inner int }
	h.eval(ru, `JSON.stringify({Scroll: document.documentElement.scrollWidth, Inner: innerWidth})`, &w)
	if w.Scroll > w.Inner {
		t.Errorf("step 5 at 390 px: the page is %d px wide", w.Scroll)
	}
	if errs := ru.pageErrors(); len(errs) > 0 {
		t.Errorf("page errors: %v", errs)
	}
}

// TestInteractionsProfileJS compares the web UI's arithmetic of profiles
// with interactions (ui/profile.js: the elicitation's previews, the
// evaluate tool's best package) with package profile's on 300 random
// non-linear profiles (internal/fixture.RandomNonLinear: 1–6 interactions
// of 1–3 points, negative values, outside boxes): the utility of random
// packages (some points open) is profile.Table.Utility's bit for bit (the
// same sums in the same order), the best utility is Table.Max's, the best
// package reaches it, and the best package within random red lines is
// worth what session.BestAllowed's is.
func TestInteractionsProfileJS(t *testing.T) {
	h, bctx := newHarness(t, nil)
	u := h.newUser(bctx, "profile.js")
	h.do(u, "open the UI", chromedp.Navigate(h.base+"/"), chromedp.WaitVisible(id("login-name")))
	r := rand.New(rand.NewPCG(17, 3))
	var cases []profileCase
	for k := 0; len(cases) < 300; k++ {
		points, levels := 2+r.IntN(5), 2+r.IntN(4)
		sc := fixture.RandomNonLinear(fmt.Sprintf("nl%d", k), points, levels, 1, uint64(k), 7, 0.4,
			fixture.NonLinear{Interactions: 1 + r.IntN(6), Arity: 3, Additive: 1, Negative: true, Outside: true})
		c := profileCase{Framework: sc.Framework, Profile: sc.Parties[0].Profile}
		if k%2 == 1 { // red lines on half of them
			for range 1 + r.IntN(2) {
				p := r.IntN(points)
				c.Profile.RedLines = append(c.Profile.RedLines, profile.RedLine{Terms: []profile.Term{{Point: p, Levels: []int{r.IntN(levels)}}}})
			}
		}
		if err := c.Profile.Check(c.Framework); err != nil {
			t.Fatalf("a random profile is invalid: %v", err)
		}
		for range 20 {
			pkg := make(framework.Package, points)
			for i := range pkg {
				pkg[i] = r.IntN(levels)
				if r.IntN(10) == 0 {
					pkg[i] = framework.Open
				}
			}
			c.Packages = append(c.Packages, pkg)
		}
		cases = append(cases, c)
	}
	payload, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	js := fmt.Sprintf(`import("/ui/profile.js").then((m) => JSON.stringify(%s.map((c) => {
		const t = m.compile(c.framework, c.profile);
		return { max: t.max, best: m.bestPackage(t), allowed: m.bestAllowedPackage(t, c.profile), utilities: c.packages.map((p) => m.utility(t, p)) };
	})))`, payload)
	ctx, cancel := context.WithTimeout(u.ctx, stepTimeout)
	defer cancel()
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		h.fail(u, "compute in the browser", err)
	}
	var got []struct {
		Max       float64   `json:"max"`
		Best      []int     `json:"best"`
		Allowed   []int     `json:"allowed"`
		Utilities []float64 `json:"utilities"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("decode the browser's results: %v", err)
	}
	if len(got) != len(cases) {
		t.Fatalf("%d results for %d cases", len(got), len(cases))
	}
	applied, allowed := 0, 0
	for k, c := range cases {
		tb, err := c.Profile.Compile(c.Framework)
		if err != nil {
			t.Fatal(err)
		}
		g := got[k]
		where := func() string {
			b, _ := json.Marshal(c)
			return string(b)
		}
		for j, pkg := range c.Packages {
			if want := tb.Utility(pkg); g.Utilities[j] != want {
				t.Errorf("case %d, package %v: JS %v, Go %v: %s", k, pkg, g.Utilities[j], want, where())
			}
			for e := range tb.Effects {
				if tb.Effects[e].Applies(pkg) {
					applied++
				}
			}
		}
		mx, _ := tb.Max()
		if g.Max != mx || len(g.Best) != len(c.Framework.Points) || tb.Utility(framework.Package(g.Best)) != mx {
			t.Errorf("case %d: best %v at %v in JS, Go's best %v: %s", k, g.Max, g.Best, mx, where())
		}
		want := session.BestAllowed(tb, c.Profile)
		if c.Profile.CrossesRedLine(want) >= 0 {
			if g.Allowed != nil {
				t.Errorf("case %d: JS finds %v within the red lines, Go none: %s", k, g.Allowed, where())
			}
			continue
		}
		allowed++
		if g.Allowed == nil || c.Profile.CrossesRedLine(framework.Package(g.Allowed)) >= 0 || tb.Utility(framework.Package(g.Allowed)) != tb.Utility(want) {
			t.Errorf("case %d: best within the red lines %v in JS, %v (worth %v) in Go: %s", k, g.Allowed, want, tb.Utility(want), where())
		}
	}
	if applied < 500 || allowed < 250 {
		t.Errorf("weak cases: %d interactions applied, %d cases with an allowed package", applied, allowed)
	}
	t.Logf("%d non-linear profiles: JS utilities equal Go's bit for bit (%d interactions applied), best and best-allowed utilities equal", len(cases), applied)
}
