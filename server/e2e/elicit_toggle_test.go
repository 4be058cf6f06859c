package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/session"
)

// TestElicitRankRightAfterOpening: ranking an option of a point opened a
// moment before (before the browser's toggle event, which comes a task
// later, has run) keeps the point open and puts the focus on the option's
// button. It once closed the point again, and the focus fell to the page
// (TestElicitMiami caught it about once in eight runs); here the two
// clicks are made in one script, so the toggle event always comes late.
func TestElicitRankRightAfterOpening(t *testing.T) {
	h, bctx := newHarness(t, nil)
	_, ru := h.openSeat(bctx, "miami-2025", room.Settings{Protocol: session.SingleText}, "russia")
	var c tally
	h.do(ru, "step 2", c.tap("eli-next"), chromedp.WaitVisible(id("eli-scores")))
	var got struct {
		Point, Want, Focus string
		Open               bool
	}
	h.eval(ru, `(async () => {
		const d = document.querySelector("details.score-point:not([open])");
		if (!d) return JSON.stringify({});
		const up = [...d.querySelectorAll("button[id$='-up']")].pop();
		d.querySelector("summary").click();
		up.click();
		await new Promise((r) => setTimeout(r, 200));
		const now = document.getElementById(d.id);
		return JSON.stringify({ Point: d.id, Want: up.id, Focus: document.activeElement ? document.activeElement.id : "", Open: !!(now && now.open) });
	})()`, &got)
	if got.Point == "" {
		t.Fatal("no collapsed point in step 2")
	}
	if !got.Open {
		t.Errorf("%s closed again after ranking one of its options", got.Point)
	}
	if got.Focus != got.Want {
		t.Errorf("focus after ranking up is on %q, want %q", got.Focus, got.Want)
	}
}
