package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/parley-negotiation/parley/room"
)

// TestGeniusUploadInTheUI: the mediator creates a negotiation from a
// GENIUS domain folder (a domain XML file and two profile XML files,
// chosen together) through the form; the room has the profiles' parties.
// A GENIUS XML file given to the scenario-file field moves to the GENIUS
// picker rather than failing as YAML.
func TestGeniusUploadInTheUI(t *testing.T) {
	h, bctx := newHarness(t, nil)
	med := h.newUser(bctx, "mediator")
	dir, err := filepath.Abs(filepath.Join("..", "..", "genius", "testdata", "Harbour"))
	if err != nil {
		t.Fatal(err)
	}
	files := []string{filepath.Join(dir, "harbour_domain.xml"), filepath.Join(dir, "carrier.xml"), filepath.Join(dir, "port.xml")}
	h.do(med, "sign in", h.signIn())
	// An XML file in the scenario-file field goes to the GENIUS picker.
	h.do(med, "give an XML file as a scenario file",
		click("src-file"),
		chromedp.WaitVisible(id("neg-upload")),
		chromedp.SetUploadFiles(id("neg-upload"), files[:1]),
		chromedp.WaitVisible(id("src-genius-box")),
		chromedp.WaitVisible(css(`#genius-files li`)),
	)
	if !h.checked(med, "src-genius") {
		t.Errorf("an XML file given as a scenario file did not switch to the GENIUS upload")
	}
	h.do(med, "upload the GENIUS folder",
		chromedp.SetUploadFiles(id("genius-upload"), files),
		chromedp.WaitVisible(css(`#genius-files li:nth-child(3)`)),
	)
	if got := h.value(med, "genius-name"); got != "harbour" {
		t.Errorf("the scenario is named %q, want the domain's name", got)
	}
	h.do(med, "create the negotiation",
		click("neg-create"),
		chromedp.WaitVisible(id("mediator-console")),
	)
	loc, err := chromedp.Run(med.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	nid := loc[strings.LastIndex(loc, "/")+1:]
	v, err := h.svc.View(h.ctx, viewerOf(h), nid)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range v.Parties {
		ids = append(ids, p.ID)
	}
	if got := strings.Join(ids, ","); got != "carrier,port,mediator" {
		t.Errorf("the uploaded negotiation's parties: %s", got)
	}
	if len(v.Framework.Points) != 4 {
		t.Errorf("%d points, want Harbour's 4", len(v.Framework.Points))
	}
	if errs := med.pageErrors(); len(errs) > 0 {
		t.Errorf("errors in the page: %q", errs)
	}
}

func viewerOf(h *harness) room.Viewer { return room.Viewer{User: h.owner} }
