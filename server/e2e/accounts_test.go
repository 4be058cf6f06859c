package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// TestAccountsAndSignIns walks the account screen in real browsers:
//
//   - the owner opens "Accounts" from the top bar and adds a mediator
//     without giving a password: the room makes one and shows it once;
//   - the new mediator signs in with it in two browsers, sees none of the
//     owner's negotiations, and no "Accounts" section on its account
//     screen (only its own sign-ins);
//   - it lists its two sign-ins, ends the other one (that browser is
//     signed out on its next page), then signs out everywhere (and is
//     signed out here too);
//   - the owner removes the account;
//   - the screen scrolls not sideways at 390 px, and axe-core (when
//     installed) finds no serious or critical violation on it.
func TestAccountsAndSignIns(t *testing.T) {
	h, bctx := newHarness(t, nil)
	sc, err := scenario.Builtin("tiny-2p")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.CreateNegotiation(h.ctx, h.owner, "The owner's talks", sc, room.Settings{Protocol: session.SAO}, ""); err != nil {
		t.Fatal(err)
	}

	owner := h.newUser(bctx, "owner")
	h.do(owner, "sign in", h.signIn())
	h.do(owner, "open the accounts", click("account-link"), chromedp.WaitVisible(id("accounts")), chromedp.WaitVisible(id("my-signins-list")))
	if got := h.text(owner, "#account-link"); got != "Accounts" {
		t.Errorf("the owner's top bar link says %q, want Accounts", got)
	}
	h.do(owner, "add a mediator",
		chromedp.SendKeys(id("account-name"), "alice"),
		chromedp.SetValue(id("account-role"), "mediator"),
		click("account-add-submit"),
		chromedp.WaitVisible(id("account-new-password")),
		chromedp.WaitVisible(css(`[data-testid="account-alice"]`)),
	)
	password := h.value(owner, "account-new-password")
	if len(password) < 16 {
		t.Fatalf("the password made for alice: %q", password)
	}
	h.shot(owner, "accounts", "accounts")
	checkScreen(t, h, owner, "the owner's account screen")

	// Alice signs in, in two browsers.
	signInAs := func(u *user) {
		h.do(u, "sign in as alice",
			chromedp.Navigate(h.base+"/"),
			chromedp.WaitVisible(id("login-name")),
			chromedp.SendKeys(id("login-name"), "alice"),
			chromedp.SendKeys(id("login-password"), password),
			click("login-submit"),
			chromedp.WaitVisible(id("new-negotiation")),
		)
	}
	alice, elsewhere := h.newUser(bctx, "alice"), h.newUser(bctx, "alice elsewhere")
	signInAs(elsewhere)
	signInAs(alice)
	h.do(alice, "see no negotiation", chromedp.WaitVisible(id("negotiations-empty")))
	if n := h.count(alice, `[data-testid^="negotiation-"]`); n != 0 {
		t.Errorf("alice lists %d negotiations, want none of the owner's", n)
	}
	if body := h.text(alice, "#app"); strings.Contains(body, "The owner's talks") {
		t.Errorf("alice's home names the owner's negotiation")
	}
	h.do(alice, "open her account", click("account-link"), chromedp.WaitVisible(id("my-signins-list")))
	if got := h.text(alice, "#account-link"); got != "Account" {
		t.Errorf("alice's top bar link says %q, want Account", got)
	}
	if n := h.count(alice, "#accounts, #account-add"); n != 0 {
		t.Errorf("alice (a mediator) is shown the accounts section")
	}
	if n := h.count(alice, "#my-signins-list tbody tr"); n != 2 {
		t.Fatalf("alice lists %d sign-ins, want 2", n)
	}
	if n := h.count(alice, "#my-signins-list tbody tr.current"); n != 1 {
		t.Fatalf("%d sign-ins marked current, want 1", n)
	}
	// End the other one.
	other := h.signInAttr(alice, "#my-signins-list tbody tr:not(.current) button", "id")
	h.do(alice, "end the other sign-in", click(other),
		chromedp.WaitVisible(id("my-signins-list")),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll("#my-signins-list tbody tr").length === 1`))
	h.do(elsewhere, "the other browser is signed out", chromedp.Reload(), chromedp.WaitVisible(id("login-name")))
	elsewhere.expectErrors(t, "status of 401")
	// Every sign-in, this one included.
	h.do(alice, "sign out everywhere", click("my-signins-revoke-all"), chromedp.WaitVisible(id("login-name")))
	h.do(alice, "still signed out after a reload", chromedp.Reload(), chromedp.WaitVisible(id("login-name")))
	alice.expectErrors(t, "status of 401")
	_, us, err := h.svc.SessionsOf(h.ctx, "alice")
	if err != nil || len(us) != 0 {
		t.Errorf("alice's sign-ins after signing out everywhere: %v %v", us, err)
	}

	// The owner removes her.
	var aliceID string
	all, err := h.svc.Users(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range all {
		if u.Name == "alice" {
			aliceID = u.ID
		}
	}
	h.do(owner, "remove alice", chromedp.Reload(), click("account-remove-"+aliceID),
		chromedp.Poll[chromedp.Void](`!document.querySelector('[data-testid="account-alice"]')`))
	if _, err := h.svc.Store().UserByName(h.ctx, "alice"); room.ErrorCode(err) != room.ENOTFOUND {
		t.Errorf("alice after her removal: %v", err)
	}
}

// signInAttr reads an attribute of the first element matching sel.
func (h *harness) signInAttr(u *user, sel, name string) string {
	h.t.Helper()
	v, err := chromedp.Run(u.ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {getAttribute: () => ""}).getAttribute(%q) || ""`, sel, name)))
	if err != nil || v == "" {
		h.fail(u, "read "+name+" of "+sel, fmt.Errorf("%q %v", v, err))
	}
	return v
}

// checkScreen: at 390 px the screen does not scroll sideways, and axe-core
// (when installed) finds no serious or critical violation.
func checkScreen(t *testing.T, h *harness, u *user, screen string) {
	t.Helper()
	if path := axePath(); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range h.runAxe(u, string(b)) {
			if v.Impact == "serious" || v.Impact == "critical" {
				t.Errorf("%s: %s (%s, %d×): %s — %s", screen, v.ID, v.Impact, v.Count, v.Help, strings.Join(v.Nodes, " | "))
			}
		}
	}
	ctx, cancel := context.WithTimeout(u.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Sleep(200*time.Millisecond)); err != nil {
		h.fail(u, "narrow the viewport", err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](sideScroll))
	if err != nil {
		h.fail(u, "measure "+screen, err)
	}
	if got != "" {
		t.Errorf("at 390 px, %s: %s", screen, got)
	}
	h.shot(u, "phone-accounts", "accounts")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1360, 900)); err != nil {
		h.fail(u, "restore the viewport", err)
	}
}
