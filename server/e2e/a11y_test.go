package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// axePath returns the axe-core engine's minified script: $PARLEY_AXE, or
// where .ci/run installs it (npm, into ~/.cache/parley/axe); "" if absent.
func axePath() string {
	if p := os.Getenv("PARLEY_AXE"); p != "" {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".cache", "parley", "axe", "node_modules", "axe-core", "axe.min.js")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// axeViolation is one rule axe-core finds broken, with a few of the
// elements that break it.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
	Count  int      `json:"count"`
}

// runAxe injects axe-core into u's page (once per page) and returns the
// violations of the WCAG 2.x A and AA rules and best practices.
func (h *harness) runAxe(u *user, engine string) []axeViolation {
	h.t.Helper()
	js := `(async () => {
		if (!window.axe) { ` + engine + `
		}
		const r = await axe.run(document, { resultTypes: ["violations"], runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } });
		return JSON.stringify(r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, count: v.nodes.length, nodes: v.nodes.slice(0, 4).map((n) => n.target.join(" ")) })));
	})()`
	ctx, cancel := context.WithTimeout(u.ctx, stepTimeout)
	defer cancel()
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		h.fail(u, "run axe-core", err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		h.t.Fatalf("axe-core's answer %.300s: %v", out, err)
	}
	return vs
}

// TestAccessibility: axe-core, injected into Chromium, finds no serious or
// critical violation on any screen: sign-in, home, the mediator's console
// (before and with a text), the party's elicitation (every step), the
// single text, the vote, the agreement and a class's debrief. Minor and
// moderate findings are logged. The engine is the npm package axe-core
// (MPL-2.0), installed by .ci/run; without it the test skips.
func TestAccessibility(t *testing.T) {
	path := axePath()
	if path == "" {
		t.Skip("axe-core not found: set PARLEY_AXE to axe.min.js, or npm install --prefix ~/.cache/parley/axe axe-core (.ci/run does): skipping the accessibility test")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read axe-core: %v", err)
	}
	engine := string(b)
	h, bctx := newHarness(t, nil)
	total := map[string]int{}
	h.walkScreens(bctx, 1360, true, func(u *user, screen string) {
		t.Helper()
		var minor []string
		for _, v := range h.runAxe(u, engine) {
			total[v.Impact] += v.Count
			line := fmt.Sprintf("%s (%s, %d×): %s — %s", v.ID, v.Impact, v.Count, v.Help, strings.Join(v.Nodes, " | "))
			if v.Impact == "serious" || v.Impact == "critical" {
				t.Errorf("%s: %s", screen, line)
			} else {
				minor = append(minor, line)
			}
		}
		if len(minor) > 0 {
			t.Logf("%s: %s", screen, strings.Join(minor, "; "))
		}
	})
	t.Logf("axe-core findings over every screen, by impact: %v", total)
}

// TestKeyboardSignIn: with the keyboard only, the first Tab reaches the
// skip link, Enter on it moves the focus into the content (the address
// unchanged), and Tab, typing and Enter sign the mediator in; on the home
// page the scenario source is a radio group the arrow keys move through.
func TestKeyboardSignIn(t *testing.T) {
	h, bctx := newHarness(t, nil)
	med := h.newUser(bctx, "mediator")
	focused := func() string {
		t.Helper()
		v, err := chromedp.Run(med.ctx, chromedp.Evaluate[string](`(document.activeElement && (document.activeElement.id || document.activeElement.tagName)) || ""`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// The page puts the focus in the name field; the skip link is the
	// first stop of the tab order, before the brand link.
	h.do(med, "open the start page", chromedp.Navigate(h.base+"/"), chromedp.WaitVisible(id("login-name")))
	if got := focused(); got != "login-name" {
		t.Fatalf("the sign-in page focuses %q, want the name field", got)
	}
	h.do(med, "go back to the top", chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)), chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
	if got := focused(); got != "skip-link" {
		t.Fatalf("the first stop of the tab order is %q, want the skip link", got)
	}
	if first := h.truth(med, `document.querySelector("a[href], button, input, select, textarea, [tabindex]:not([tabindex='-1'])") === document.getElementById("skip-link")`); !first {
		t.Errorf("the skip link is not the first focusable element")
	}
	h.do(med, "skip to the content", chromedp.KeyEvent(kb.Enter))
	if inMain := h.truth(med, `document.getElementById("app").contains(document.activeElement)`); !inMain {
		t.Errorf("after the skip link, the focus is on %q, not in the content", focused())
	}
	if loc, _ := chromedp.Run(med.ctx, chromedp.Location()); strings.Contains(loc, "#") {
		t.Errorf("the skip link changed the address to %s", loc)
	}
	h.do(med, "type the name", chromedp.KeyEvent(kb.Tab))
	if got := focused(); got != "login-name" {
		t.Fatalf("Tab from the heading reaches %q, want the name field", got)
	}
	h.do(med, "sign in with the keyboard",
		chromedp.KeyEvent("mediator"), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent("secret123"), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(id("new-negotiation")),
	)
	h.do(med, "choose the GENIUS upload with the arrow keys",
		chromedp.Focus(id("src-builtin")), chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown),
		chromedp.WaitVisible(id("src-genius-box")),
	)
	if !h.checked(med, "src-genius") {
		t.Errorf("the arrow keys did not move through the scenario sources")
	}
}
