package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parley-negotiation/parley/room"
)

// TestShuttleTwoTables: a mediator runs shuttle talks in the browser. From
// the home page it creates them from a two-thread multi-deal file (pasted,
// testdata/shuttle-two-tables.yaml) with a seat for the center and the
// delegation at each table (the links shown once), starts the tables and,
// at each table's room, drafts a single text in the browser; the center's
// and the delegation's seats accept and vote yes through the room service
// with their invitations (nothing accepts on anyone's behalf), the mediator
// calling the vote in the browser. The shuttle page shows each table's
// text and the center's figures as the API's view has them (the very
// numbers), then both tables agreed and the combined agreement, with the
// center's utility equal to the view's and to the figure worked out by
// hand from the file. A delegation's invitation opens neither the page nor
// the API's route (404, as for an id that does not exist). axe-core finds
// no violation on the page, which does not scroll sideways at 390 px.
func TestShuttleTwoTables(t *testing.T) {
	start := time.Now()
	fixture, err := os.ReadFile(filepath.Join("testdata", "shuttle-two-tables.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	h, bctx := newHarness(t, nil)
	med := h.newUser(bctx, "mediator")
	h.do(med, "sign in", h.signIn(), chromedp.WaitVisible(id("new-shuttle")))

	// The form: a broken file is refused with its position; the file
	// pasted; the seats suggested from it.
	h.do(med, "paste a broken file",
		chromedp.SendKeys(id("shuttle-title"), "Supplier shuttle"),
		click("shuttle-src-file"),
		chromedp.WaitVisible(id("shuttle-yaml")),
		fill("shuttle-yaml", strings.Replace(string(fixture), "space: service", "space: servise", 1)),
		click("shuttle-create"),
		chromedp.WaitVisible(id("error-banner")),
	)
	if got := h.text(med, "#error-message"); !strings.Contains(got, "shuttle.yaml:") || !strings.Contains(got, "servise") {
		t.Errorf("a broken file: the banner says %q, want the file's position and the bad space", got)
	}
	med.expectErrors(t, "status of 400")
	h.do(med, "paste the multi-deal file",
		click("error-dismiss"),
		fill("shuttle-yaml", string(fixture)),
		chromedp.WaitVisible(id("shuttle-parties-note")),
	)
	if got := h.text(med, "#shuttle-parties-note"); !strings.Contains(got, "1 — north, 2 — south") || !strings.Contains(got, "buyer") {
		t.Errorf("the tables read from the file: %q", got)
	}
	if got := h.value(med, "shuttle-protocol"); got != "single-text" {
		t.Errorf("the default protocol: %q, want single-text", got)
	}
	h.do(med, "seat every delegation",
		click("shuttle-seat-all"),
		chromedp.WaitVisible(id("shuttle-seat-person-3")),
		chromedp.SendKeys(id("shuttle-seat-person-1"), "Nora North"),
		chromedp.SendKeys(id("shuttle-seat-person-3"), "Sam South"),
	)
	// The form with its seats: no accessibility violation, no sideways
	// scroll at a phone's width.
	h.checkA11y(med, "the home page with the shuttle form")
	h.do(med, "narrow the window", chromedp.EmulateViewport(390, 844), chromedp.ScrollIntoView(id("shuttle-seat-table")))
	if got, err := chromedp.Run(med.ctx, chromedp.Evaluate[string](sideScroll)); err != nil || got != "" {
		t.Errorf("at 390 px, the shuttle form: %s (%v)", got, err)
	}
	h.do(med, "widen the window", chromedp.EmulateViewport(1360, 900))
	var seats []string
	for k := range 4 {
		seats = append(seats, h.value(med, fmt.Sprintf("shuttle-seat-table-%d", k))+":"+h.value(med, fmt.Sprintf("shuttle-seat-party-%d", k)))
	}
	if strings.Join(seats, " ") != "1:buyer 1:north 2:buyer 2:south" {
		t.Errorf("the seats suggested: %q", seats)
	}
	h.do(med, "create the shuttle talks", click("shuttle-create"), chromedp.WaitVisible(id("shuttle-seats-issued")))
	h.shot(med, "shuttle-links", "shuttle-issued")

	// The links, once: table → party → token.
	issued, err := chromedp.Run(med.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#shuttle-seats-issued tbody tr")].map((tr) => tr.dataset.table + " " + tr.dataset.party + " " + tr.querySelector("code").textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for _, row := range issued {
		f := strings.Fields(row)
		_, tok, ok := strings.Cut(f[2], "/join#")
		if len(f) != 3 || !ok || !strings.HasPrefix(f[2], h.base) {
			t.Fatalf("an issued link: %q", row)
		}
		tokens[f[0]+":"+f[1]] = tok
	}
	if len(tokens) != 4 || tokens["2:south"] == "" || tokens["1:buyer"] == tokens["2:buyer"] {
		t.Fatalf("issued seats: %q", issued)
	}
	// The same links, downloaded as CSV (table, party, person, link) as
	// the browser downloads it.
	csv := string(h.downloadLinks(t, med, "shuttle-links-csv"))
	if lines := strings.Split(strings.TrimSpace(csv), "\r\n"); len(lines) != 5 || lines[0] != "table,party,person,link" {
		t.Errorf("the links' CSV: %q", csv)
	}
	for k, tok := range tokens {
		table, party, _ := strings.Cut(k, ":")
		if !strings.Contains(csv, table+","+party+",") || !strings.Contains(csv, "/join#"+tok) {
			t.Errorf("the links' CSV lacks %s's seat at table %s: %q", party, table, csv)
		}
	}
	if n := h.count(med, `#shuttles-list a`); n != 1 {
		t.Errorf("%d shuttle talks listed, want 1", n)
	}

	// The shuttle page; table 1 starts alone (the seeds' sequence: one
	// delegation after another), then the rest.
	h.do(med, "open the shuttle page and start the tables",
		click("shuttle-open"),
		chromedp.WaitVisible(id("shuttle-tables")),
		click("table-start-1"),
		chromedp.WaitVisible(css(`[data-testid="table-1"][data-state="open"]`)),
		chromedp.WaitVisible(css(`[data-testid="table-2"][data-state="waiting"]`)),
		chromedp.WaitVisible(id("table-start-2")),
		click("shuttle-start"),
		chromedp.WaitVisible(id("shuttle-all-started")),
		chromedp.WaitVisible(css(`[data-testid="table-1"][data-state="open"]`)),
		chromedp.WaitVisible(css(`[data-testid="table-2"][data-state="open"]`)),
	)
	loc, err := chromedp.Run(med.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	sid := loc[strings.LastIndex(loc, "/")+1:]
	if got := h.text(med, "#shuttle-title"); got != "Supplier shuttle" {
		t.Errorf("the shuttle's title: %q", got)
	}
	if got := h.text(med, "#center-basis"); !strings.Contains(got, "center's utility only") {
		t.Errorf("the basis of the center's best (mediator sees overlap): %q", got)
	}

	// A delegation's invitation opens its table, and nothing of the
	// shuttle: the page asks to sign in, the API answers as for an id that
	// does not exist.
	north := h.newUser(bctx, "north")
	h.do(north, "open the invitation",
		chromedp.Navigate(h.base+"/join#"+tokens["1:north"]),
		chromedp.WaitVisible(css(`#party-room[data-party="north"]`)),
	)
	h.do(north, "try the shuttle page",
		chromedp.Navigate(h.base+"/shuttles/"+sid),
		chromedp.WaitVisible(id("signin")),
	)
	if n := h.count(north, "#shuttle, #shuttle-tables, #shuttle-center"); n != 0 {
		t.Errorf("north's browser shows %d parts of the shuttle page", n)
	}
	probe := func(path string) string {
		t.Helper()
		out, err := chromedp.Run(north.ctx, chromedp.Evaluate[string](fmt.Sprintf(`fetch(%q, { headers: { Accept: "application/json" } }).then(async (r) => r.status + " " + await r.text())`, path), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	real, none := probe("/api/shuttles/"+sid), probe("/api/shuttles/no-such-shuttle")
	if !strings.HasPrefix(real, "404 ") || strings.Contains(real, "Supplier") || strings.Contains(real, "buyer") {
		t.Errorf("north reads GET /api/shuttles/%s: %.200s; want a 404 that says nothing of it", sid, real)
	}
	if strings.ReplaceAll(real, sid, "ID") != strings.ReplaceAll(none, "no-such-shuttle", "ID") {
		t.Errorf("north tells the shuttle from a missing one: %.200s vs %.200s", real, none)
	}
	north.expectErrors(t, "status of 404")

	// The table's seats, as their delegations would hold them.
	viewers := map[string]room.Viewer{}
	for k, tok := range tokens {
		v, err := h.svc.Join(h.ctx, tok)
		if err != nil {
			t.Fatalf("join %s: %v", k, err)
		}
		viewers[k] = v
	}
	// playTable: from the shuttle page, the mediator opens table n,
	// unticks the options in untick (draft-POINT-OPTION) and sends the
	// draft; both seats accept (through the service, with their
	// invitations); the mediator calls the vote in the browser; both vote
	// yes; the mediator goes back to the shuttle page by the link in the
	// top bar. (The mediator moves from page to page by the links, as a
	// person does: reloading the page at each step would leave the event
	// streams of the pages the browser keeps for its back button open, and
	// six streams exhaust a browser's connections to one HTTP/1.1 server.)
	toShuttle := chromedp.Steps(click("context-shuttle-link"), chromedp.WaitVisible(id("shuttle-tables")))
	playTable := func(n int, untick []string, meanwhile func(play func())) {
		t.Helper()
		h.do(med, fmt.Sprintf("open table %d", n),
			click(fmt.Sprintf("table-open-%d", n)),
			chromedp.WaitVisible(id("mediator-console")),
			chromedp.WaitVisible(css(`#status-banner[data-status="negotiating"]`)),
			chromedp.WaitVisible(id("draft-editor")),
		)
		acts := []chromedp.Action[chromedp.Void]{}
		for _, box := range untick {
			acts = append(acts, click(box))
		}
		acts = append(acts, chromedp.WaitEnabled(id("draft-send")), click("draft-send"), chromedp.WaitVisible(css(`#current-text[data-version="1"]`)))
		h.do(med, fmt.Sprintf("draft at table %d", n), acts...)
		seatsOf := []room.Viewer{viewers[fmt.Sprintf("%d:buyer", n)], viewers[fmt.Sprintf("%d:%s", n, map[int]string{1: "north", 2: "south"}[n])]}
		play := func() {
			for range 20 {
				acted := false
				for _, v := range seatsOf {
					acted = h.student(v, true) || acted
				}
				if !acted {
					return
				}
			}
			t.Fatalf("table %d: the seats kept moving", n)
		}
		if meanwhile != nil {
			meanwhile(play)
		}
		play()
		h.do(med, fmt.Sprintf("call the vote at table %d", n),
			chromedp.WaitVisible(css(`[data-testid="count-agreed"]`)),
			chromedp.WaitEnabled(id("call-vote")),
			click("call-vote"),
			chromedp.WaitVisible(id("votes")),
		)
		play()
		h.do(med, fmt.Sprintf("see table %d agreed", n),
			chromedp.WaitVisible(css(`#status-banner[data-status="in-force"], #status-banner[data-status="pending-ratification"]`)),
			toShuttle)
	}

	// Table 1 (north): price mid, delivery fast.
	playTable(1, []string{"draft-0-0", "draft-0-2", "draft-1-1"}, nil)
	h.do(med, "see table 1 agreed on the shuttle page",
		chromedp.WaitVisible(css(`[data-testid="table-1"][data-state="agreed"]`)),
		chromedp.WaitVisible(id("combined-pending")),
	)
	sv := h.shuttleView(sid)
	if got, err := chromedp.Run(med.ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("#table-text-1 li")].map((li) => li.dataset.point + "=" + li.dataset.option + " (" + li.textContent + ")").join(", ")`)); err != nil || got != "price=mid (price: mid), delivery=fast (delivery: fast)" {
		t.Errorf("table 1's agreement on the page: %q (%v)", got, err)
	}
	// The center's figures are the view's: what is agreed (table 2 counts
	// as no agreement: the buyer's reservation, as partial is false) and
	// the best still reachable (table 2 on premium support for a year).
	h.sameFigure(med, "center-utility", sv.Center.Utility, 0.1)
	h.sameFigure(med, "center-best", sv.Center.Best.Value, 0.6*0.65+0.4*1)
	if got := h.text(med, "#center-exact"); sv.Center.Exact != strings.HasPrefix(got, "Exact") {
		t.Errorf("the view says exact %v; the page says %q", sv.Center.Exact, got)
	}

	// Table 2 (south): premium support, three years. Once the draft is
	// sent, the shuttle page values it: what the buyer would have if
	// table 2 agreed on it.
	playTable(2, []string{"draft-0-0", "draft-1-0"}, func(play func()) {
		h.do(med, "see table 2's text on the shuttle page",
			toShuttle,
			chromedp.WaitVisible(css(`#table-complete-2[data-complete="true"]`)),
			chromedp.WaitVisible(css(`#table-center-2[data-value]`)),
		)
		sv := h.shuttleView(sid)
		if sv.Tables[1].CenterIfAgreed == nil {
			t.Fatalf("the view values no complete text at table 2: %+v", sv.Tables[1])
		}
		h.sameFigure(med, "table-center-2", *sv.Tables[1].CenterIfAgreed, 0.6*0.65+0.4*0.7)
		// The page follows the tables live: the seats accept while the
		// mediator looks at the shuttle page, which then waits for no one.
		if got := h.text(med, "#table-round-2"); !strings.Contains(got, "waiting for buyer, south") {
			t.Errorf("table 2 before the replies: %q", got)
		}
		h.do(med, "follow the tables live", chromedp.WaitVisible(css(`#shuttle[data-follow="live"]`)))
		play()
		h.do(med, "see the replies arrive",
			chromedp.Poll[chromedp.Void](`!document.getElementById("table-round-2").textContent.includes("waiting for")`, chromedp.WithPollingTimeout(5*time.Second)))
		h.do(med, "back to table 2", click("table-open-2"), chromedp.WaitVisible(id("mediator-console")), chromedp.WaitVisible(css(`#current-text[data-version="1"]`)))
	})

	// The combined agreement, live on the shuttle page.
	h.do(med, "see the combined agreement",
		chromedp.WaitVisible(css(`[data-testid="table-2"][data-state="agreed"]`)),
		chromedp.WaitVisible(css(`#combined-status[data-status="agreed"]`)),
	)
	sv = h.shuttleView(sid)
	if sv.Combined == nil || sv.Combined.Status != "agreed" || len(sv.Combined.Tables) != 2 {
		t.Fatalf("the view's combined record: %+v", sv.Combined)
	}
	h.sameFigure(med, "combined-utility", sv.Combined.CenterUtility, 0.6*0.65+0.4*0.7)
	if got := h.text(med, "#combined-hash"); got != sv.Combined.Hash || len(got) != 64 {
		t.Errorf("the record hash on the page: %q; the view's: %q", got, sv.Combined.Hash)
	}
	if got := h.text(med, "#shuttle-progress"); got != "2 of 2 ended · 2 agreed" {
		t.Errorf("progress: %q", got)
	}
	if n := h.count(med, `#combined-outcomes li[data-agreed="true"]`); n != 2 {
		t.Errorf("%d tables' outcomes shown as agreements, want 2", n)
	}
	h.shot(med, "shuttle", "")
	h.shot(med, "shuttle-combined", "shuttle-center")
	// Home: the tables are listed with their shuttle talks.
	h.do(med, "go home", chromedp.Click(css("a.brand")), chromedp.WaitVisible(id("negotiations-list")))
	if n := h.count(med, fmt.Sprintf(`#negotiations-list a[href="/shuttles/%s"]`, sid)); n != 2 {
		t.Errorf("home lists %d tables with a link to their shuttle talks, want 2", n)
	}
	h.do(med, "back to the shuttle page", click("shuttles-list-"+sid), chromedp.WaitVisible(css(`#combined-status[data-status="agreed"]`)))

	h.checkA11y(med, "the shuttle page")
	// A phone's width: nothing scrolls sideways.
	h.do(med, "look at 390 px",
		chromedp.EmulateViewport(390, 844),
		chromedp.Reload(),
		chromedp.WaitVisible(css(`#combined-status[data-status="agreed"]`)),
	)
	if got, err := chromedp.Run(med.ctx, chromedp.Evaluate[string](sideScroll)); err != nil || got != "" {
		t.Errorf("at 390 px, the shuttle page: %s (%v)", got, err)
	}
	if h.shots != "" {
		if b, err := chromedp.Run(med.ctx, chromedp.CaptureScreenshot()); err == nil {
			_ = writeShot(h, "phone-shuttle", b)
		}
	}
	// Deleting the talks (confirmed) removes their tables too.
	asked := med.dialogCount()
	h.do(med, "delete the shuttle talks", click("shuttle-delete"), chromedp.WaitVisible(id("shuttles-empty")))
	if q := med.asked(asked); len(q) != 1 || !strings.Contains(q[0], "Delete “Supplier shuttle” and its 2 tables") {
		t.Errorf("the confirmation asked: %q", q)
	}
	if _, err := h.svc.View(h.ctx, room.Viewer{User: h.owner}, sv.Tables[0].Negotiation); room.ErrorCode(err) != room.ENOTFOUND {
		t.Errorf("table 1 after deleting the talks: %v, want not found", err)
	}
	for _, u := range h.users {
		if errs := u.pageErrors(); len(errs) > 0 {
			t.Errorf("%s: errors in the page: %q", u.name, errs)
		}
	}
	t.Logf("shuttle talks of two tables run to a combined agreement in %v", time.Since(start).Round(time.Millisecond))
}

// shuttleAPIView is the part of GET /api/shuttles/{id} the test reads.
type shuttleAPIView struct {
	Tables []struct {
		Negotiation    string   `json:"negotiation"`
		State          string   `json:"state"`
		CenterIfAgreed *float64 `json:"center_if_agreed"`
	} `json:"tables"`
	Center struct {
		Utility float64 `json:"utility"`
		Best    struct {
			Value float64 `json:"value"`
		} `json:"best"`
		Exact bool `json:"exact"`
	} `json:"center"`
	Combined *struct {
		Status        string  `json:"status"`
		CenterUtility float64 `json:"center_utility"`
		Hash          string  `json:"hash"`
		Tables        []struct {
			LogHash string `json:"log_hash"`
		} `json:"tables"`
	} `json:"combined"`
}

// shuttleView reads the shuttle's view as the API gives it to its owner,
// through the owner's signed-in browser (the API, not the service).
func (h *harness) shuttleView(sid string) shuttleAPIView {
	h.t.Helper()
	u := h.users[0]
	ctx, cancel := context.WithTimeout(u.ctx, stepTimeout)
	defer cancel()
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`fetch("/api/shuttles/" + %q).then((r) => r.text())`, sid), chromedp.EvalAwaitPromise))
	if err != nil {
		h.fail(u, "read the shuttle's view", err)
	}
	var v shuttleAPIView
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		h.t.Fatalf("the shuttle's view %.300s: %v", out, err)
	}
	return v
}

// sameFigure checks that the figure with the id on u's page is the API's
// number exactly (data-value), shown to three decimals, and that the
// number is the one worked out by hand (within 1e-9).
func (h *harness) sameFigure(u *user, elem string, api, want float64) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, stepTimeout)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.getElementById(%q) || {dataset: {}}).dataset.value || ""`, elem)))
	if err != nil {
		h.fail(u, "read #"+elem, err)
	}
	got, err := strconv.ParseFloat(raw, 64)
	if err != nil || got != api {
		h.t.Errorf("#%s holds %q; the API's view says %v", elem, raw, api)
	}
	if shown := h.text(u, "#"+elem); shown != strconv.FormatFloat(api, 'f', 3, 64) {
		h.t.Errorf("#%s shows %q; the view's %v to three decimals is %s", elem, shown, api, strconv.FormatFloat(api, 'f', 3, 64))
	}
	if math.Abs(api-want) > 1e-9 {
		h.t.Errorf("#%s: the view's number is %v, want %v (worked out from the file)", elem, api, want)
	}
}

// checkA11y runs axe-core on u's page and reports every violation, of any
// impact; without axe-core it logs that the check is skipped.
func (h *harness) checkA11y(u *user, screen string) {
	h.t.Helper()
	path := axePath()
	if path == "" {
		h.t.Logf("axe-core not found (PARLEY_AXE): the accessibility check of %s is skipped", screen)
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, v := range h.runAxe(u, string(b)) {
		h.t.Errorf("axe on %s: %s (%s, %d×): %s — %s", screen, v.ID, v.Impact, v.Count, v.Help, strings.Join(v.Nodes, " | "))
	}
}
