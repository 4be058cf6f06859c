package e2e

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/room/roomtest"
	"github.com/parley-negotiation/parley/session"
)

// TestClassOfTwelveRooms: a teacher creates a class of 12 tiny-2p rooms
// in the browser — the roles picked from the scenario's parties by name,
// 24 students seated from a roster, an automatic mediator per room, the
// role profiles locked, the room count confirmed (declined once: nothing
// is created) — downloads the invitation links as CSV and as a printable
// page, and starts every room. Scripted students act through the room
// service, never the teacher: ten rooms agree, one ends without an
// agreement at its round deadline, one is left negotiating. The monitor
// follows the rooms live on the class's stream, and the debrief scores
// the eleven finished rooms only: the twelfth is shown as not finished,
// without figures, in the page and in the CSV.
func TestClassOfTwelveRooms(t *testing.T) {
	start := time.Now()
	h, bctx := newHarness(t, nil)
	teacher := h.newUser(bctx, "teacher")
	h.do(teacher, "sign in", h.signIn(), chromedp.WaitVisible(id("new-class")))

	// The party picker: the roles of the chosen scenario, by name.
	h.do(teacher, "choose Miami",
		chromedp.SetValue(id("class-scenario"), "miami-2025"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("class-scenario").dispatchEvent(new Event("change"))`),
		click("class-seat-add"),
		chromedp.WaitVisible(id("class-seat-party-0")),
	)
	if got := h.text(teacher, "#class-roles"); !strings.Contains(got, "Russia (russia)") || !strings.Contains(got, "Ukraine (ukraine)") || strings.Contains(got, "north") {
		t.Errorf("roles of Miami: %q", got)
	}
	opts, err := chromedp.Run(teacher.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#class-seat-party-0 option")].map((o) => o.textContent + "=" + o.value)`))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(opts, "Russia (russia)=russia") || !slices.Contains(opts, "European partners (europe)=europe") || slices.ContainsFunc(opts, func(o string) bool { return strings.HasSuffix(o, "=us") }) {
		t.Errorf("the seat's roles: %q; want Miami's parties by name, without the mediator", opts)
	}
	// Another scenario: its roles replace Miami's, and Miami's seat goes.
	var roster []string
	for k := range 24 {
		roster = append(roster, fmt.Sprintf("Student %02d", k+1))
	}
	h.do(teacher, "seat 24 students in tiny-2p",
		chromedp.SetValue(id("class-scenario"), "tiny-2p"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("class-scenario").dispatchEvent(new Event("change"))`),
		chromedp.SendKeys(id("class-title"), "Ceasefire seminar"),
		chromedp.SendKeys(id("class-roster"), strings.Join(roster, "\n")),
		click("class-roster-assign"),
		chromedp.WaitVisible(id("class-seat-person-23")),
		chromedp.SetValue(id("class-rounds"), "6"),
	)
	if got := h.value(teacher, "class-rooms"); got != "12" {
		t.Errorf("rooms after seating 24 students: %q, want 12", got)
	}
	if got := h.value(teacher, "class-seat-party-1"); got != "south" {
		t.Errorf("seat 2's role: %q, want south", got)
	}
	if n := h.count(teacher, "#class-seat-rows tr"); n != 24 {
		t.Errorf("%d seats, want 24", n)
	}
	if on, _ := chromedp.Run(teacher.ctx, chromedp.Evaluate[bool](`document.getElementById("class-lock").checked && document.getElementById("class-mediator-auto").checked && document.getElementById("class-strategy").value === "hill"`)); !on {
		t.Error("the form does not default to locked profiles and an automatic mediator (hill)")
	}

	// The room count is confirmed: declined, nothing is created.
	asked := teacher.dialogCount()
	teacher.mu.Lock()
	teacher.decline = 1
	teacher.mu.Unlock()
	h.do(teacher, "decline 12 rooms", click("class-create"), chromedp.Sleep(500*time.Millisecond))
	if q := teacher.asked(asked); len(q) != 1 || !strings.Contains(q[0], "Create 12 rooms?") {
		t.Fatalf("confirmations: %q; want one for 12 rooms", q)
	}
	if cs, err := h.svc.Classes(h.ctx, h.owner); err != nil || len(cs) != 0 {
		t.Fatalf("after declining: %d classes (%v), want none", len(cs), err)
	}
	h.do(teacher, "create the class", click("class-create"), chromedp.WaitVisible(id("class-seats-issued")))
	h.shot(teacher, "class-links", "class-issued")

	// The links: every one in full on the page, in the CSV and on the
	// printable page.
	if n := h.count(teacher, "#class-seats-issued code.join-link"); n != 24 {
		t.Errorf("%d links on the page, want 24", n)
	}
	// The CSV, downloaded as the browser downloads it.
	linksCSV := h.downloadLinks(t, teacher, "class-links-csv")
	rows, err := csv.NewReader(bytes.NewReader(linksCSV)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 25 || strings.Join(rows[0], ",") != "room,role,role_id,student,observer,link" {
		t.Fatalf("links CSV: %d rows, head %q", len(rows), rows[0])
	}
	tokens := map[int]map[string]string{} // room → party → token
	for _, r := range rows[1:] {
		var n int
		fmt.Sscan(r[0], &n)
		_, tok, ok := strings.Cut(r[5], "/join#")
		if !ok || n < 1 || n > 12 || !strings.HasPrefix(r[5], h.base) {
			t.Fatalf("links CSV row %q", r)
		}
		if tokens[n] == nil {
			tokens[n] = map[string]string{}
		}
		tokens[n][r[2]] = tok
	}
	if rows[1][3] != "Student 01" || rows[1][1] != "North" || rows[2][1] != "South" || rows[24][3] != "Student 24" {
		t.Errorf("links CSV rows: %q, %q, %q", rows[1], rows[2], rows[24])
	}
	// The printable page, opened in a tab of its own.
	printable := printableSlips(t, teacher)
	if !strings.Contains(printable, "Room 12") || !strings.Contains(printable, "Student 24") || strings.Count(printable, `class="slip"`) != 24 || !strings.Contains(printable, tokens[12]["south"]) {
		t.Errorf("printable page: %d slips; want 24, room 12's links", strings.Count(printable, `class="slip"`))
	}

	// A student of room 12 opens the link before the start: the role's
	// profile is shown read-only, with no save (the server refuses one:
	// server/classes_test.go).
	student := h.newUser(bctx, "student")
	h.do(student, "open a seat of the class",
		chromedp.Navigate(h.base+"/join#"+tokens[12]["south"]),
		chromedp.WaitVisible(css(`#party-room[data-party="south"]`)),
		chromedp.WaitVisible(id("profile-summary")),
	)
	if n := h.count(student, "#elicitation, #eli-save"); n != 0 {
		t.Errorf("a locked profile offers its elicitation (%d elements)", n)
	}
	if got := h.text(student, "#profile-summary h2"); !strings.Contains(got, "it cannot be changed") {
		t.Errorf("the locked profile's heading: %q", got)
	}

	// The monitor: every room open, the automatic mediator's draft
	// waiting for both parties of each.
	h.do(teacher, "open the class and start it",
		click("class-open"),
		chromedp.WaitVisible(id("monitor-table")),
		chromedp.WaitVisible(css(`#debrief[data-follow="class"]`)),
		click("class-start"),
		chromedp.WaitVisible(id("class-all-started")),
		chromedp.WaitVisible(id("debrief-plot-empty")),
	)
	if got := h.text(teacher, "#class-meta"); !strings.Contains(got, "12 rooms") || !strings.Contains(got, "automatic mediator (hill)") || !strings.Contains(got, "profiles locked") {
		t.Errorf("class meta: %q", got)
	}
	h.do(teacher, "see every room wait for its parties", chromedp.WaitVisible(css(`#class-progress`)))
	waiting, err := chromedp.Run(teacher.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#monitor-table tbody tr")].map((tr) => tr.cells[4].textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(waiting) != 12 || slices.ContainsFunc(waiting, func(w string) bool { return w != "North, South" }) {
		t.Errorf("the monitor's waiting column: %q; want North, South in each of 12 rooms", waiting)
	}

	// The students act (scripted, through the room service). Rooms 1–10
	// accept and ratify; room 11 votes no to every text until its round
	// deadline; room 12's students never come.
	views := map[int][]room.Viewer{}
	for r := 1; r <= 11; r++ {
		for _, p := range []string{"north", "south"} {
			v, err := h.svc.Join(h.ctx, tokens[r][p])
			if err != nil {
				t.Fatal(err)
			}
			views[r] = append(views[r], v)
		}
	}
	for moves := 0; ; moves++ {
		if moves > 500 {
			t.Fatal("the rooms did not finish in 500 rounds of moves")
		}
		acted := false
		for r, vs := range views {
			for _, v := range vs {
				acted = h.student(v, r != 11) || acted
			}
		}
		if !acted {
			break
		}
	}
	h.do(teacher, "see the monitor follow the rooms",
		chromedp.WaitVisible(css(`#class-progress`)),
		chromedp.Poll[chromedp.Void](`document.getElementById("class-progress").textContent === "11 of 12 finished · 10 agreed"`, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.WaitVisible(id("debrief-plot")),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('#debrief-table tr[data-scored="true"]').length === 11`, chromedp.WithPollingTimeout(20*time.Second)),
	)
	h.shot(teacher, "class-monitor", "")
	rid12, err := chromedp.Run(teacher.ctx, chromedp.Evaluate[string](`document.querySelector("#monitor-table tbody tr:last-child").dataset.testid.replace(/^monitor-/, "")`))
	if err != nil {
		t.Fatal(err)
	}
	if got := h.text(teacher, fmt.Sprintf(`[data-testid="room-%s"] .not-scored`, rid12)); got != "Not finished — no result yet" {
		t.Errorf("room 12 in the debrief: %q", got)
	}
	if got := h.text(teacher, "#agreement-rate"); got != "Agreement rate 91% of 11 finished rooms" {
		t.Errorf("agreement rate: %q", got)
	}
	agreements, err := chromedp.Run(teacher.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#monitor-table tbody tr")].map((tr) => tr.cells[7].textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	want := append(slices.Repeat([]string{"Yes"}, 10), "No", "not yet")
	if !slices.Equal(agreements, want) {
		t.Errorf("the monitor's agreement column: %q, want %q", agreements, want)
	}
	// The debrief's CSV: room 12 without figures.
	debrief, err := chromedp.Run(teacher.ctx, chromedp.Evaluate[string](`fetch(document.getElementById("debrief-csv").href).then((r) => r.text())`, chromedp.EvalAsValue, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	drows, err := csv.NewReader(strings.NewReader(debrief)).ReadAll()
	if err != nil || len(drows) != 13 {
		t.Fatalf("debrief CSV: %d rows, %v", len(drows), err)
	}
	last := drows[12]
	if last[2] != session.StatusOpen || last[6] != "" || last[len(last)-4] != "" {
		t.Errorf("debrief CSV, room 12: %q; want negotiating, no figures", last)
	}
	if drows[11][2] != session.StatusNoAgreement || drows[11][6] == "" {
		t.Errorf("debrief CSV, room 11: %q; want no-agreement, scored", drows[11])
	}
	for _, u := range []*user{teacher, student} {
		if errs := u.pageErrors(); len(errs) > 0 {
			t.Errorf("%s: errors in the page: %q", u.name, errs)
		}
	}
	t.Logf("a class of 12 rooms created, run by automatic mediators and debriefed in %v", time.Since(start).Round(time.Millisecond))
}

// student makes v's move when its room waits for it, as a scripted
// student: it accepts every point of the text, and votes and ratifies yes
// when agree (no otherwise). It reports whether it moved.
func (h *harness) student(v room.Viewer, agree bool) bool {
	t := h.t
	t.Helper()
	view, err := h.svc.View(h.ctx, v, v.Negotiation)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := roomtest.StudentMove(view.State, v.Party, agree)
	if !ok {
		return false
	}
	if _, err := h.svc.Submit(h.ctx, v, v.Negotiation, m); err != nil {
		t.Fatalf("%s in %s: %s: %v", v.Party, v.Negotiation, m.Kind, err)
	}
	return true
}

// printableSlips opens the class's printable page of links (the link
// #class-links-print on the teacher's screen) in a tab of its own and
// returns its HTML.
func printableSlips(t *testing.T, teacher *user) string {
	t.Helper()
	printURL, err := chromedp.Run(teacher.ctx, chromedp.Evaluate[string](`document.getElementById("class-links-print").href`))
	if err != nil {
		t.Fatal(err)
	}
	tab, cancelTab := chromedp.NewContext(teacher.ctx)
	defer cancelTab()
	if err := chromedp.Do(tab, chromedp.Navigate(printURL), chromedp.WaitVisible(css(".slip"))); err != nil {
		t.Fatalf("open the printable page: %v", err)
	}
	printable, err := chromedp.Run(tab, chromedp.OuterHTML(css("html")))
	if err != nil {
		t.Fatalf("open the printable page: %v", err)
	}
	return printable
}

// downloadLinks clicks the button id, which downloads an invitations-*.csv
// file, and returns the file as the browser wrote it.
func (h *harness) downloadLinks(t *testing.T, u *user, id string) []byte {
	t.Helper()
	dir := t.TempDir()
	if _, err := chromedp.Call(u.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, BrowserContextID: chromedp.FromContext(u.ctx).BrowserContextID, DownloadPath: dir,
	}); err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	h.do(u, "download the links", click(id))
	for deadline := time.Now().Add(10 * time.Second); ; {
		names, _ := filepath.Glob(filepath.Join(dir, "invitations-*.csv"))
		if len(names) == 1 {
			if b, err := os.ReadFile(names[0]); err == nil && len(b) > 0 {
				return b
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no invitations CSV downloaded in %s (%v)", dir, names)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
