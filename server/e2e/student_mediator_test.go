package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/parley-negotiation/parley/scenario"
)

// TestStudentMediator: a teacher creates a class of one tiny-2p room in
// which a student mediates — the roster seats the mediator first, then
// North and South — and the links (the mediator's among them) and the
// printable slips carry each role's brief. North's student sees North's
// brief and not South's; the student mediator gets the mediator's console
// of the room without the seats and the start, which are the teacher's;
// once the teacher starts the class, the student mediator sends the first
// draft and North sees it.
func TestStudentMediator(t *testing.T) {
	h, bctx := newHarness(t, nil)
	sc, err := scenario.Builtin("tiny-2p")
	if err != nil {
		t.Fatal(err)
	}
	northBrief, southBrief := sc.Party("north").Brief, sc.Party("south").Brief
	teacher := h.newUser(bctx, "teacher")
	h.do(teacher, "sign in", h.signIn(), chromedp.WaitVisible(id("new-class")))
	h.do(teacher, "seat a student mediator, North and South",
		chromedp.SetValue(id("class-scenario"), "tiny-2p"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("class-scenario").dispatchEvent(new Event("change"))`),
		pick("class-protocol", "single-text"),
		chromedp.SendKeys(id("class-title"), "Mediation seminar"),
		click("class-mediator-student"),
		chromedp.WaitNotVisible(id("class-auto-box")),
		chromedp.SendKeys(id("class-roster"), "Mia\nNed\nSue"),
		click("class-roster-assign"),
		chromedp.WaitVisible(id("class-seat-person-2")),
	)
	if got := h.text(teacher, "#class-roles"); !strings.HasPrefix(got, "Roles to seat in each room: Mediator") {
		t.Errorf("roles with a student mediator: %q", got)
	}
	if got := h.value(teacher, "class-rooms"); got != "1" {
		t.Errorf("rooms for three students: %q, want 1", got)
	}
	if m, n := h.value(teacher, "class-seat-party-0"), h.value(teacher, "class-seat-party-1"); m != "@mediator" || n != "north" {
		t.Errorf("seats 1 and 2: %q, %q; want the mediator's seat, then north", m, n)
	}
	h.do(teacher, "create the class", click("class-create"), chromedp.WaitVisible(id("class-seats-issued")))
	rows, err := chromedp.Run(teacher.ctx, chromedp.Evaluate[[][]string](`[...document.querySelectorAll("#class-seats-issued tbody tr")].map((tr) => [...tr.cells].map((c) => c.textContent))`))
	if err != nil || len(rows) != 3 {
		t.Fatalf("issued seats: %q (%v), want 3", rows, err)
	}
	links := map[string]string{}
	for _, r := range rows {
		links[r[2]] = r[3]
	}
	if !strings.HasPrefix(rows[0][1], "Mediator") || rows[0][2] != "Mia" || !strings.Contains(links["Mia"], "/join#") {
		t.Errorf("the mediator's seat in the links: %q", rows[0])
	}
	// The CSV, downloaded as the browser downloads it.
	dir := t.TempDir()
	if _, err := chromedp.Call(teacher.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, BrowserContextID: chromedp.FromContext(teacher.ctx).BrowserContextID, DownloadPath: dir,
	}); err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	h.do(teacher, "download the links", click("class-links-csv"))
	var csvText []byte
	for deadline := time.Now().Add(10 * time.Second); len(csvText) == 0; time.Sleep(100 * time.Millisecond) {
		if names, _ := filepath.Glob(filepath.Join(dir, "invitations-*.csv")); len(names) == 1 {
			csvText, _ = os.ReadFile(names[0])
		}
		if time.Now().After(deadline) {
			t.Fatal("no invitations CSV downloaded")
		}
	}
	if !strings.Contains(string(csvText), "1,Mediator,mediator,Mia,,"+links["Mia"]) {
		t.Errorf("links CSV without the mediator's seat:\n%s", csvText)
	}
	printable := printableSlips(t, teacher)
	if strings.Count(printable, `class="slip"`) != 3 || strings.Count(printable, `class="brief"`) != 2 || !strings.Contains(printable, "Mediator") ||
		!strings.Contains(printable, northBrief) || !strings.Contains(printable, southBrief) {
		t.Errorf("printable slips: want 3, North's and South's with their briefs:\n%s", printable)
	}

	// North's student: its role's brief, never South's.
	north := h.newUser(bctx, "north")
	h.do(north, "open North's seat",
		chromedp.Navigate(links["Ned"]),
		chromedp.WaitVisible(css(`#party-room[data-party="north"]`)),
		chromedp.WaitVisible(id("role-brief-text")),
	)
	if got := h.text(north, "#role-brief-text"); got != strings.TrimSpace(northBrief) {
		t.Errorf("north's brief on screen: %q, want %q", got, northBrief)
	}
	if body := h.text(north, "body"); strings.Contains(body, "South's delegation") {
		t.Error("north's screen shows South's brief")
	}

	// The student mediator: the mediator's console, without the seats
	// and the start.
	mia := h.newUser(bctx, "mia")
	h.do(mia, "open the mediator's seat",
		chromedp.Navigate(links["Mia"]),
		chromedp.WaitVisible(id("mediator-console")),
		chromedp.WaitVisible(id("draft-editor")),
	)
	if n := h.count(mia, "#invites, #start, #preview-room"); n != 0 {
		t.Errorf("the student mediator's console shows %d of the owner's panels (seats, start)", n)
	}
	if got := h.text(mia, ".room-head p.muted"); !strings.Contains(got, "the instructor issues the seats") {
		t.Errorf("the student mediator's subtitle: %q", got)
	}

	// The teacher starts the class; the student mediator drafts.
	h.do(teacher, "start the class",
		click("class-open"),
		chromedp.WaitVisible(id("monitor-table")),
		click("class-start"),
		chromedp.WaitVisible(id("class-all-started")),
	)
	h.do(mia, "send the first draft",
		chromedp.WaitVisible(css(`#status-banner[data-status="negotiating"]`)),
		chromedp.WaitEnabled(id("draft-send")),
		click("draft-send"),
		chromedp.WaitVisible(css(`#current-text[data-version="1"]`)),
	)
	h.do(north, "see the student mediator's draft", chromedp.WaitVisible(css(`#current-text[data-version="1"]`)))
	if errs := mia.pageErrors(); len(errs) > 0 {
		t.Errorf("the student mediator's page errors: %q", errs)
	}
}
