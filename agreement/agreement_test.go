package agreement

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/mediator"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden and testdata/*.jsonl")

var t0 = time.Date(2025, 12, 20, 9, 0, 0, 0, time.UTC)

// tick is a clock that advances a minute at every reading, so that logs
// made in tests are the same at every run.
func tick() session.Clock {
	n := 0
	return func() time.Time {
		n++
		return t0.Add(time.Duration(n) * time.Minute)
	}
}

func builtin(t testing.TB, name string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// miamiSession runs the Miami scenario under the single negotiating text,
// proximity talks, the mediator drafting toward the Nash package, as
// parley run does; the agreement is pending ratification. The run is made
// once; later calls replay its log.
func miamiSession(t testing.TB, sc *scenario.Scenario) *session.Session {
	t.Helper()
	miamiOnce.Do(func() {
		s, err := session.New(sc, session.Config{Protocol: session.SingleText, Format: scenario.Proximity, Mediator: "us",
			MediatorAccess: session.AccessProfiles, Rounds: 30, Start: t0}, tick(), recorded(t, sc)...)
		if err != nil {
			miamiErr = err
			return
		}
		parties := map[string]session.Responder{}
		for _, id := range s.Config.Parties {
			parties[id] = session.ProfileResponder{Tolerance: 0.1}
		}
		if miamiErr = session.RunMediated(s, &mediator.Zone{Concept: mediator.Nash()}, parties); miamiErr == nil {
			miamiEvents = slices.Clone(s.Events())
		}
	})
	if miamiErr != nil {
		t.Fatal(miamiErr)
	}
	s, err := session.Replay(sc, miamiEvents, recorded(t, sc)...)
	if err != nil {
		t.Fatal(err)
	}
	if s.State.Status != session.StatusPending {
		t.Fatalf("Miami session: status %s (%s), want %s", s.State.Status, s.State.Reason, session.StatusPending)
	}
	last := miamiEvents[len(miamiEvents)-1].Time
	n := 0
	s.SetClock(func() time.Time { n++; return last.Add(time.Duration(n) * time.Hour) })
	return s
}

var (
	miamiOnce   sync.Once
	miamiEvents []session.Event
	miamiErr    error
)

func ratify(t testing.TB, s *session.Session, step int, yes bool) {
	t.Helper()
	party := s.Scenario.Decision.Ratification[step-1].Party
	if _, err := s.Submit(session.Move{Kind: session.KindRatify, Party: party, Ref: step, Yes: &yes}); err != nil {
		t.Fatal(err)
	}
}

// miamiLog is the Miami session with the first two ratification steps
// (Russia's Federal Assembly, Ukraine's Verkhovna Rada) completed and the
// referendum and the Council of the EU pending. It is also written to
// testdata/miami.jsonl (with -update), the fixture of the CLI's script.
func miamiLog(t testing.TB) (*scenario.Scenario, []session.Event) {
	t.Helper()
	sc := builtin(t, "miami-2025")
	s := miamiSession(t, sc)
	ratify(t, s, 1, true)
	ratify(t, s, 2, true)
	return sc, s.Events()
}

// recorded gives a session that records its scenario and draws its salts
// from a fixed seed, so that its log, a golden file and a fixture of the
// CLI's scripts, is the same on every run.
func recorded(t testing.TB, sc *scenario.Scenario) []session.Option {
	t.Helper()
	raw, err := session.EmbedScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	return []session.Option{session.WithScenario(raw), session.WithSaltSeed([32]byte{'p', 'a', 'r', 'l', 'e', 'y'})}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./agreement -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./agreement -update rewrites it); got:\n%s", path, got)
	}
}

func render(t *testing.T, f func(*bytes.Buffer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := f(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestMiamiAgreement(t *testing.T) {
	sc, events := miamiLog(t)
	// testdata/miami.jsonl is this log: the fixture of the CLI's script
	// (cmd/parley/testdata/script/agreement.txtar holds a copy).
	var log bytes.Buffer
	if err := session.WriteLog(&log, events); err != nil {
		t.Fatal(err)
	}
	golden(t, "miami.jsonl", log.Bytes())
	d, err := Text(sc, events)
	if err != nil {
		t.Fatal(err)
	}
	if d.Kind != KindAgreement || d.Status != session.StatusPending || len(d.Articles) != 20 || d.Open != 0 || d.Bracketed != 0 {
		t.Fatalf("document: kind %s status %s, %d articles, %d open, %d bracketed", d.Kind, d.Status, len(d.Articles), d.Open, d.Bracketed)
	}
	if d.Fingerprint != events[len(events)-1].Hash || d.Events != len(events) {
		t.Errorf("fingerprint %s of %d events, want the last hash %s of %d", d.Fingerprint, d.Events, events[len(events)-1].Hash, len(events))
	}
	// Every article carries the clause of the option agreed.
	s, _ := session.Replay(sc, events)
	for k, a := range d.Articles {
		o := sc.Framework.Points[k].Options[s.State.Agreement[k]]
		if a.Status != Agreed || a.Wording == nil || a.Wording.ID != o.ID || a.Wording.Clause != strings.Join(paragraphs(o.Clause), "\n\n") {
			t.Errorf("article %d: %+v, want option %s", k+1, a, o.ID)
		}
	}
	if a := d.Articles[0]; a.Title != "Sovereignty reaffirmed" {
		t.Errorf("article 1 title %q: the leading \"1. \" of the point's title is the article number", a.Title)
	}
	// The decision: every principal's vote, the veto holder, the round.
	dec := d.Decision
	if dec.Protocol != session.SingleText || dec.Rule != scenario.Unanimity || !slices.Equal(dec.Vetoes, []string{"ukraine"}) || dec.Agreed == nil || dec.Version == 0 {
		t.Fatalf("decision record %+v", dec)
	}
	var voters []string
	for _, a := range dec.Assents {
		if a.Kind != session.KindVote || !a.Yes || a.Public || a.Round != dec.Agreed.Round {
			t.Errorf("assent %+v: want a private yes vote of round %d", a, dec.Agreed.Round)
		}
		voters = append(voters, a.Party)
	}
	if !slices.Equal(voters, []string{"russia", "ukraine", "europe"}) {
		t.Errorf("voters %v", voters)
	}
	// The ratification record.
	var statuses []string
	for _, st := range d.Ratification {
		statuses = append(statuses, st.Status)
	}
	if !slices.Equal(statuses, []string{StepCompleted, StepCompleted, StepPending, StepPending}) || d.Ratification[1].At == nil || d.Ratification[1].Body != "Verkhovna Rada" {
		t.Errorf("ratification %+v", d.Ratification)
	}
	golden(t, "miami-agreement.md.golden", render(t, func(b *bytes.Buffer) error { return Markdown(b, d) }))
	golden(t, "miami-agreement.html.golden", render(t, func(b *bytes.Buffer) error { return HTML(b, d) }))
	print := render(t, func(b *bytes.Buffer) error { return PrintHTML(b, d) })
	golden(t, "miami-agreement.print.html.golden", print)
	for _, want := range []string{"size: A4", "counter(article)", "break-before: page", `<p class="for">For Ukraine</p>`, `content: "\2002 Miami 2025\3a  the 20-point`} {
		if !bytes.Contains(print, []byte(want)) {
			t.Errorf("print HTML lacks %s", want)
		}
	}
	if bytes.Contains(print, []byte("ZgotmplZ")) {
		t.Error("html/template filtered a value out of the print CSS")
	}

	// The model is JSON-friendly: it round-trips.
	j, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var back Document
	if err := json.Unmarshal(j, &back); err != nil {
		t.Fatal(err)
	}
	j2, _ := json.Marshal(&back)
	if !bytes.Equal(j, j2) {
		t.Errorf("JSON does not round-trip:\n%s\n%s", j, j2)
	}
}

// A party sees the votes it may see: its own, not the others' (proximity).
func TestTextFor(t *testing.T) {
	sc, events := miamiLog(t)
	d, err := TextFor(sc, events, "ukraine")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Decision.Assents) != 1 || d.Decision.Assents[0].Party != "ukraine" || d.Decision.Confidential != 2 {
		t.Errorf("Ukraine's view: assents %+v, %d confidential", d.Decision.Assents, d.Decision.Confidential)
	}
	var b bytes.Buffer
	if err := Markdown(&b, d); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "2 further moves are confidential") || strings.Contains(b.String(), "| Russia | voted") {
		t.Errorf("Ukraine's view shows others' votes:\n%s", b.String())
	}
	m, _ := TextFor(sc, events, "us")
	if len(m.Decision.Assents) != 3 || m.Decision.Confidential != 0 {
		t.Errorf("the mediator sees every vote: %+v", m.Decision)
	}
}

func TestRatificationOutcomes(t *testing.T) {
	sc := builtin(t, "miami-2025")
	s := miamiSession(t, sc)
	ratify(t, s, 1, true)
	ratify(t, s, 2, true)
	// The referendum carries out the plan's commitment "referendum": not
	// before the ceasefire has held 60 days.
	yes := true
	_, err := s.Submit(session.Move{Kind: session.KindRatify, Party: "ukraine", Ref: 3, Yes: &yes})
	if !errors.Is(err, session.ErrPrecondition) {
		t.Fatalf("referendum hours after the agreement: %v, want the ceasefire's 60 days", err)
	}
	s.SetClock(func() time.Time { return t0.AddDate(0, 0, 61) })
	ratify(t, s, 3, true)
	ratify(t, s, 4, true)
	d, err := Text(sc, s.Events())
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != session.StatusInForce || d.InForce == nil || d.Failed != nil {
		t.Errorf("all steps completed: status %s, in force %v", d.Status, d.InForce)
	}
	for _, st := range d.Ratification {
		if st.Status != StepCompleted {
			t.Errorf("step %d: %s", st.Number, st.Status)
		}
	}

	s = miamiSession(t, sc)
	ratify(t, s, 1, true)
	ratify(t, s, 2, false)
	d, err = Text(sc, s.Events())
	if err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for _, st := range d.Ratification {
		statuses = append(statuses, st.Status)
	}
	if d.Status != session.StatusFailed || d.Failed == nil || !slices.Equal(statuses, []string{StepCompleted, StepFailed, StepNotReached, StepNotReached}) {
		t.Errorf("the Rada says no: status %s, failed %v, steps %v", d.Status, d.Failed, statuses)
	}
	var b bytes.Buffer
	Markdown(&b, d)
	if !strings.Contains(b.String(), "**Ratification failed: round") || !strings.Contains(b.String(), "| 3 | Ukraine | National referendum | referendum | Only after a ceasefire of at least 60 days. | not reached |") {
		t.Errorf("markdown of a failed ratification:\n%s", b.String())
	}
}

// TestRatificationVoteTime: a ratification that says when its body voted
// shows both times in the record.
func TestRatificationVoteTime(t *testing.T) {
	sc := builtin(t, "miami-2025")
	s := miamiSession(t, sc)
	last := s.Events()[s.Len()-1].Time
	voted, yes := last.Add(10*time.Minute), true
	s.SetClock(func() time.Time { return last.Add(3 * time.Hour) })
	if _, err := s.Submit(session.Move{Kind: session.KindRatify, Party: "russia", Ref: 1, Yes: &yes, When: &voted}); err != nil {
		t.Fatal(err)
	}
	d, err := Text(sc, s.Events())
	if err != nil {
		t.Fatal(err)
	}
	if st := d.Ratification[0]; !st.Voted.Equal(voted) || st.At == nil || st.At.Time.Equal(voted) {
		t.Fatalf("step 1: voted %v at %+v", st.Voted, st.At)
	}
	var md, page bytes.Buffer
	if err := Markdown(&md, d); err != nil {
		t.Fatal(err)
	}
	if err := HTML(&page, d); err != nil {
		t.Fatal(err)
	}
	want := "completed: voted " + fmtTime(voted) + ", recorded " + fmtTime(last.Add(3*time.Hour))
	if !strings.Contains(md.String(), want) {
		t.Errorf("markdown lacks %q", want)
	}
	if !strings.Contains(page.String(), "voted "+fmtTime(voted)) || !strings.Contains(page.String(), "recorded "+fmtTime(last.Add(3*time.Hour))) {
		t.Errorf("HTML lacks the vote and record times")
	}
}

func TestMiamiDraft(t *testing.T) {
	sc, events := miamiLog(t)
	vs := Versions(sc, events)
	if len(vs) < 2 {
		t.Fatalf("%d versions, want at least 2", len(vs))
	}
	first := vs[0]
	if first.Number != 1 || first.Author != "us" || first.Seq != 3 || first.Outcome != OutcomeRedrafted || vs[len(vs)-1].Outcome != OutcomeAgreed {
		t.Fatalf("versions %+v", vs)
	}
	// The log up to the first replies: the latest draft, version 1, bracketed.
	prefix := events[:first.Seq+len(sc.Principals())]
	d, err := Text(sc, prefix)
	if err != nil {
		t.Fatal(err)
	}
	if d.Kind != KindDraft || d.Version != 1 || d.Bracketed == 0 || d.Decision == nil || d.Decision.Agreed != nil || d.Ratification != nil {
		t.Fatalf("draft: kind %s version %d, %d bracketed, decision %+v", d.Kind, d.Version, d.Bracketed, d.Decision)
	}
	for k, a := range d.Articles {
		if (len(first.Text[k]) > 1) != (a.Status == Bracketed) || a.Status == Bracketed && len(a.Alternatives) != len(first.Text[k]) {
			t.Errorf("article %d: %s with %d alternatives, text %v", k+1, a.Status, len(a.Alternatives), first.Text[k])
		}
	}
	golden(t, "miami-draft.md.golden", render(t, func(b *bytes.Buffer) error { return Markdown(b, d) }))
	golden(t, "miami-draft.html.golden", render(t, func(b *bytes.Buffer) error { return HTML(b, d) }))

	// Draft of the bare text says the same articles.
	bare, err := Draft(sc, first.Text)
	if err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(bare.Articles)
	jb, _ := json.Marshal(d.Articles)
	if !bytes.Equal(ja, jb) {
		t.Errorf("Draft and Text disagree on the articles of version 1")
	}
	var b bytes.Buffer
	if err := Markdown(&b, bare); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "**\\[** *A — ") || !strings.Contains(b.String(), "**/** *B — ") {
		t.Errorf("brackets are not rendered as [A / B]:\n%s", b.String())
	}
}

func TestMiamiDiff(t *testing.T) {
	sc, events := miamiLog(t)
	vs := Versions(sc, events)
	c := Compare(sc, vs[0], vs[1])
	changed := c.Changed()
	if len(changed) == 0 {
		t.Fatal("versions 1 and 2 do not differ")
	}
	for _, ch := range c.Changes {
		old, now := vs[0].Text[ch.Point], vs[1].Text[ch.Point]
		if slices.Equal(old, now) != (ch.Change == Unchanged) {
			t.Errorf("point %d: %v -> %v is %s", ch.Number, old, now, ch.Change)
		}
		if len(old) > 1 && len(now) == 1 && ch.Change != SettledNow {
			t.Errorf("point %d: %v -> %v is %s, want settled", ch.Number, old, now, ch.Change)
		}
	}
	golden(t, "miami-diff.md.golden", render(t, func(b *bytes.Buffer) error { return DiffMarkdown(b, c) }))
	golden(t, "miami-diff.html.golden", render(t, func(b *bytes.Buffer) error { return DiffHTML(b, c) }))
}

func TestDiffKinds(t *testing.T) {
	sc := builtin(t, "miami-2025")
	n := len(sc.Framework.Points)
	a, b := Version{Number: 1, Text: make([][]int, n)}, Version{Number: 2, Text: make([][]int, n)}
	for k := range n {
		a.Text[k], b.Text[k] = []int{0}, []int{0}
	}
	a.Text[1], b.Text[1] = []int{0, 1}, []int{1}    // settled
	a.Text[2], b.Text[2] = []int{0}, []int{0, 2}    // reopened
	a.Text[3], b.Text[3] = []int{0}, []int{2}       // changed
	a.Text[4], b.Text[4] = []int{0, 1}, []int{1, 2} // brackets changed
	a.Text[5], b.Text[5] = nil, []int{1}            // open, then settled
	a.Text[6], b.Text[6] = []int{1, 0}, []int{0, 1} // same set
	want := map[int]string{1: SettledNow, 2: Reopened, 3: Changed, 4: Rebracketed, 5: SettledNow}
	for _, ch := range Diff(sc, a, b) {
		w, ok := want[ch.Point]
		if !ok {
			w = Unchanged
		}
		if ch.Change != w {
			t.Errorf("point %d: %s, want %s", ch.Point, ch.Change, w)
		}
	}
	ch := Diff(sc, a, b)[4]
	if !slices.Equal(ch.Added, []int{2}) || !slices.Equal(ch.Removed, []int{0}) {
		t.Errorf("brackets changed: added %v removed %v", ch.Added, ch.Removed)
	}
}

// An SAO session of tiny-2p: an offer and its acceptance; numeric points
// read "title: value".
func TestTinySAO(t *testing.T) {
	sc := builtin(t, "tiny-2p")
	s, err := session.New(sc, session.Config{Protocol: session.SAO, Rounds: 20, Start: t0}, tick(), recorded(t, sc)...)
	if err != nil {
		t.Fatal(err)
	}
	agents := map[string]agent.Negotiator{}
	for i, spec := range []string{"boulware", "conceder"} {
		a, err := agent.ByName(spec, uint64(i+1))
		if err != nil {
			t.Fatal(err)
		}
		agents[s.Config.Parties[i]] = a
	}
	r, err := session.NewRunner(s, agents)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Run(); err != nil {
		t.Fatal(err)
	}
	d, err := Text(sc, s.Events())
	if err != nil {
		t.Fatal(err)
	}
	as := d.Decision.Assents
	if len(as) != 2 || as[0].Kind != session.KindOffer || as[1].Kind != session.KindAccept || as[0].Party == as[1].Party {
		t.Fatalf("SAO assents %+v", as)
	}
	if w := d.Articles[1].Wording; !strings.HasPrefix(w.Clause, "Width of the buffer zone (km): ") {
		t.Errorf("numeric point reads %q", w.Clause)
	}
	golden(t, "tiny-sao.md.golden", render(t, func(b *bytes.Buffer) error { return Markdown(b, d) }))
}

func TestNoAgreement(t *testing.T) {
	sc := builtin(t, "tiny-2p")
	s, err := session.New(sc, session.Config{Protocol: session.SAO, Rounds: 20, Start: t0}, tick(), recorded(t, sc)...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Submit(session.Move{Kind: session.KindEnd, Party: "north"}); err != nil {
		t.Fatal(err)
	}
	_, err = Text(sc, s.Events())
	if !errors.Is(err, ErrNoAgreement) || !strings.Contains(err.Error(), "ended without one") {
		t.Errorf("Text of a session without agreement: %v", err)
	}
	// A tampered log is refused.
	_, events := miamiLog(t)
	events = slices.Clone(events)
	events[3].Round = 9
	if _, err := Text(sc, events); err == nil {
		t.Error("Text accepted a log of another scenario")
	}
	sc2 := builtin(t, "miami-2025")
	if _, err := Text(sc2, events); !errors.Is(err, session.ErrTampered) {
		t.Errorf("Text of a tampered log: %v", err)
	}
}

// Clause text is the scenario author's: whatever it holds is escaped in
// every rendering.
func TestEscaping(t *testing.T) {
	sc := builtin(t, "tiny-2p")
	const evil = `<script>alert("x")</script> & <img src=x onerror=alert(1)> [link](javascript:alert(1)) </style>`
	sc.Title = "Title " + evil
	sc.Description = "Description " + evil
	sc.Notice = "Notice " + evil
	sc.Framework.Points[0].Title = "Point " + evil
	sc.Framework.Points[0].Options[0].Clause = "Clause " + evil
	sc.Framework.Points[0].Options[1].Label = "Label " + evil
	sc.Framework.Points[0].Options[1].Clause = ""
	sc.Parties[0].Name = "North " + evil
	d, err := Draft(sc, [][]int{{0, 1}, {2}, {}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []func(*bytes.Buffer, *Document) error{
		func(b *bytes.Buffer, d *Document) error { return HTML(b, d) },
		func(b *bytes.Buffer, d *Document) error { return PrintHTML(b, d) },
	} {
		var b bytes.Buffer
		if err := f(&b, d); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, bad := range []string{"<script", "<img", "</style> ", "onerror=alert(1)>"} {
			if strings.Contains(out, bad) {
				t.Errorf("HTML contains %q unescaped:\n%s", bad, out)
			}
		}
		if !strings.Contains(out, "&lt;script&gt;") {
			t.Errorf("HTML lost the escaped text")
		}
	}
	var b bytes.Buffer
	Markdown(&b, d)
	if regexp.MustCompile(`(^|[^\\])(<script|<img|\[link\]\()`).MatchString(b.String()) {
		t.Errorf("Markdown contains raw HTML or a link:\n%s", b.String())
	}
	v1 := Version{Number: 1, Text: [][]int{{0}, {1}, {2}}}
	v2 := Version{Number: 2, Text: [][]int{{1}, {1}, {2}}}
	b.Reset()
	DiffHTML(&b, Compare(sc, v1, v2))
	if strings.Contains(b.String(), "<script") || !strings.Contains(b.String(), "&lt;script&gt;") {
		t.Errorf("diff HTML:\n%s", b.String())
	}
}

func TestDraftErrors(t *testing.T) {
	sc := builtin(t, "tiny-2p")
	for _, text := range [][][]int{{{0}}, {{0}, {9}, {0}}, {{-1}, {0}, {0}}} {
		if _, err := Draft(sc, text); err == nil {
			t.Errorf("Draft(%v) accepted", text)
		}
	}
	d, err := Draft(sc, [][]int{{2, 0, 0}, {}, {1}})
	if err != nil {
		t.Fatal(err)
	}
	if d.Articles[0].Status != Bracketed || len(d.Articles[0].Alternatives) != 2 || d.Articles[1].Status != OpenPoint || d.Open != 1 {
		t.Errorf("draft articles %+v", d.Articles)
	}
}

func TestLetter(t *testing.T) {
	for i, want := range map[int]string{0: "A", 1: "B", 25: "Z", 26: "AA", 27: "AB", 701: "ZZ", 702: "AAA"} {
		if got := letter(i); got != want {
			t.Errorf("letter(%d) = %s, want %s", i, got, want)
		}
	}
}

// FuzzDiff: Diff and Draft take any texts without panicking, and a version
// compared with itself is unchanged everywhere.
func FuzzDiff(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5}, []byte{5, 4, 3, 2, 1, 0})
	f.Add([]byte{}, []byte{255, 0, 255})
	f.Add([]byte{2, 0, 1, 1, 1, 0, 3, 2, 1, 0}, []byte{1, 0, 1, 3, 0})
	sc, err := scenario.Builtin("tiny-2p")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, x, y []byte) {
		a, b := Version{Number: 1, Text: textOf(x)}, Version{Number: 2, Text: textOf(y)}
		for _, v := range []Version{a, b} {
			for _, ch := range Diff(sc, v, v) {
				if ch.Change != Unchanged || len(ch.Added)+len(ch.Removed) != 0 {
					t.Fatalf("%v against itself: point %d %s", v.Text, ch.Point, ch.Change)
				}
			}
			if d, err := Draft(sc, v.Text); err == nil {
				var buf bytes.Buffer
				if err := Markdown(&buf, d); err != nil {
					t.Fatal(err)
				}
				if err := HTML(&buf, d); err != nil {
					t.Fatal(err)
				}
			}
		}
		c := Compare(sc, a, b)
		if len(c.Changes) < len(sc.Framework.Points) {
			t.Fatalf("%d changes for %d points", len(c.Changes), len(sc.Framework.Points))
		}
		for _, ch := range c.Changes {
			if (ch.Change == Unchanged) != (len(ch.Added)+len(ch.Removed) == 0) {
				t.Fatalf("point %d: %s with added %v removed %v", ch.Point, ch.Change, ch.Added, ch.Removed)
			}
		}
		var buf bytes.Buffer
		if err := DiffMarkdown(&buf, c); err != nil {
			t.Fatal(err)
		}
		if err := DiffHTML(&buf, c); err != nil {
			t.Fatal(err)
		}
	})
}

// textOf decodes bytes into a text: a byte n starts a point of n%4
// options; the next bytes are the options (signed, to reach out of range).
func textOf(b []byte) [][]int {
	var t [][]int
	for i := 0; i < len(b); {
		n := int(b[i] % 4)
		i++
		alts := []int{}
		for ; n > 0 && i < len(b); n-- {
			alts = append(alts, int(int8(b[i])))
			i++
		}
		t = append(t, alts)
	}
	return t
}

// accordLog drives a session of testdata/accord.yaml move by move: three
// drafts (brackets, then a reopened point, then a clean text), a vote the
// Island loses under the quorum rule, and North's ratification. The log is
// testdata/accord.jsonl, the fixture of the CLI's script; it depends only
// on the scenario file and the engine, not on a built-in scenario or a
// mediator's strategy.
func accordLog(t testing.TB) (*scenario.Scenario, []session.Event) {
	t.Helper()
	sc, err := scenario.Load("testdata/accord.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := session.New(sc, session.Config{Protocol: session.SingleText, Mediator: "envoy",
		Parties: []string{"north", "south", "island"}, Rounds: 10, Start: t0}, tick(), recorded(t, sc)...)
	if err != nil {
		t.Fatal(err)
	}
	yes, no := true, false
	moves := []session.Move{
		{Kind: session.KindDraft, Party: "envoy", Text: [][]int{{0, 1}, {0}, {2}, {0, 1}}},
		{Kind: session.KindRespond, Party: "north", Responses: []session.PointResponse{{Point: 0, Stance: session.StanceAccept, Option: 1}}},
		{Kind: session.KindRespond, Party: "south", Responses: []session.PointResponse{{Point: 1, Stance: session.StancePropose, Option: 1, Reason: "joint patrols failed before"}}},
		{Kind: session.KindRespond, Party: "island", Responses: []session.PointResponse{{Point: 2, Stance: session.StanceObject, Reason: "two berths are too few"}}},
		{Kind: session.KindDraft, Party: "envoy", Text: [][]int{{1}, {0, 1}, {3}, {0}}},
		{Kind: session.KindRespond, Party: "north", Responses: []session.PointResponse{{Point: 1, Stance: session.StanceAccept, Option: 1}}},
		{Kind: session.KindRespond, Party: "south", Responses: []session.PointResponse{{Point: 1, Stance: session.StanceAccept, Option: 1}}},
		{Kind: session.KindRespond, Party: "island", Responses: []session.PointResponse{{Point: 2, Stance: session.StanceAccept}}},
		{Kind: session.KindDraft, Party: "envoy", Text: [][]int{{1}, {1}, {3}, {0}}},
		{Kind: session.KindRespond, Party: "north", Responses: []session.PointResponse{{Point: 0, Stance: session.StanceAccept}}},
		{Kind: session.KindRespond, Party: "south", Responses: []session.PointResponse{{Point: 0, Stance: session.StanceAccept}}},
		{Kind: session.KindRespond, Party: "island", Responses: []session.PointResponse{{Point: 3, Stance: session.StancePropose, Option: 1, Reason: "phases protect our crews"}}},
		{Kind: session.KindCallVote, Party: "envoy"},
		{Kind: session.KindVote, Party: "north", Yes: &yes},
		{Kind: session.KindVote, Party: "south", Yes: &yes},
		{Kind: session.KindVote, Party: "island", Yes: &no},
		{Kind: session.KindRatify, Party: "north", Ref: 1, Yes: &yes},
	}
	for i, m := range moves {
		if _, err := s.Submit(m); err != nil {
			t.Fatalf("move %d (%s by %s): %v", i+1, m.Kind, m.Party, err)
		}
	}
	if s.State.Status != session.StatusPending {
		t.Fatalf("accord: status %s (%s)", s.State.Status, s.State.Reason)
	}
	return sc, s.Events()
}

func TestAccord(t *testing.T) {
	sc, events := accordLog(t)
	var log bytes.Buffer
	if err := session.WriteLog(&log, events); err != nil {
		t.Fatal(err)
	}
	golden(t, "accord.jsonl", log.Bytes())
	d, err := Text(sc, events)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range d.Decision.Assents {
		got = append(got, a.Party+"="+map[bool]string{true: "yes", false: "no"}[a.Yes])
	}
	if !slices.Equal(got, []string{"north=yes", "south=yes", "island=no"}) || d.Decision.Version != 3 || d.Decision.Quorum != 2 {
		t.Errorf("decision %+v", d.Decision)
	}
	if w := d.Articles[1].Wording; w.ID != "envoy" || d.Articles[0].Wording.Paragraphs()[1] != "Violations are reported to the envoy." {
		t.Errorf("articles %+v", d.Articles[:2])
	}
	if w := d.Articles[2].Wording; w.Clause != "Berths reserved for the Island: 3." {
		t.Errorf("numeric point: %q", w.Clause)
	}
	var signs []string
	for _, p := range d.Parties {
		signs = append(signs, p.ID+":"+p.Signs)
	}
	if !slices.Equal(signs, []string{"envoy:witness", "north:party", "south:party", "island:party", "neighbour:guarantor"}) {
		t.Errorf("signatures %v", signs)
	}
	golden(t, "accord.md.golden", render(t, func(b *bytes.Buffer) error { return Markdown(b, d) }))
	golden(t, "accord.print.html.golden", render(t, func(b *bytes.Buffer) error { return PrintHTML(b, d) }))

	vs := Versions(sc, events)
	var outcomes []string
	for _, v := range vs {
		outcomes = append(outcomes, v.Outcome)
	}
	if !slices.Equal(outcomes, []string{OutcomeRedrafted, OutcomeRedrafted, OutcomeAgreed}) {
		t.Errorf("outcomes %v", outcomes)
	}
	c := Compare(sc, vs[0], vs[1])
	var kinds []string
	for _, ch := range c.Changes {
		kinds = append(kinds, ch.Change)
	}
	if !slices.Equal(kinds, []string{SettledNow, Reopened, Changed, SettledNow}) {
		t.Errorf("changes v1 -> v2: %v", kinds)
	}
	golden(t, "accord-diff.md.golden", render(t, func(b *bytes.Buffer) error { return DiffMarkdown(b, c) }))
	golden(t, "accord-diff.html.golden", render(t, func(b *bytes.Buffer) error { return DiffHTML(b, c) }))

	// A fallback clause (an option without clause text) reads as its label.
	dr, err := Draft(sc, [][]int{{0}, {2}, {0}, {0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	if w := dr.Articles[1].Wording; !w.Fallback || w.Clause != "No monitoring" {
		t.Errorf("fallback wording %+v", w)
	}
}

// Under the provisional agreement mode a draft marks the points every
// party accepted.
func TestProvisional(t *testing.T) {
	sc, err := scenario.Load("testdata/accord.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc.Decision.Agreement = scenario.Provisional
	s, err := session.New(sc, session.Config{Protocol: session.SingleText, Mediator: "envoy",
		Parties: []string{"north", "south", "island"}, Rounds: 10, Start: t0}, tick(), recorded(t, sc)...)
	if err != nil {
		t.Fatal(err)
	}
	accept := []session.PointResponse{{Point: 1, Stance: session.StanceAccept}, {Point: 3, Stance: session.StanceAccept}}
	for _, m := range []session.Move{
		{Kind: session.KindDraft, Party: "envoy", Text: [][]int{{0, 1}, {1}, {2}, {0}}},
		{Kind: session.KindRespond, Party: "north", Responses: accept},
		{Kind: session.KindRespond, Party: "south", Responses: accept},
		{Kind: session.KindRespond, Party: "island", Responses: accept[:1]},
	} {
		if _, err := s.Submit(m); err != nil {
			t.Fatal(err)
		}
	}
	d, err := Text(sc, s.Events())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range d.Articles {
		got = append(got, a.Status)
	}
	if !slices.Equal(got, []string{Bracketed, Provisional, Settled, Settled}) {
		t.Errorf("statuses %v", got)
	}
	var b bytes.Buffer
	Markdown(&b, d)
	if !strings.Contains(b.String(), "### Article 2 — Monitoring\n\n*Agreed provisionally.*\n") {
		t.Errorf("markdown:\n%s", b.String())
	}
}

// Blind bidding: the bids of the round agreed, yes when they held the
// package agreed; nobody else's bid is visible to a party.
func TestBlind(t *testing.T) {
	sc := builtin(t, "tiny-2p")
	s, err := session.New(sc, session.Config{Protocol: session.Blind, Rounds: 5, Start: t0}, tick(), recorded(t, sc)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []session.Move{
		{Kind: session.KindBid, Party: "north", Packages: []framework.Package{{0, 0, 0}}},
		{Kind: session.KindBid, Party: "south", Packages: []framework.Package{{1, 1, 1}}},
		{Kind: session.KindBid, Party: "north", Packages: []framework.Package{{0, 0, 0}, {1, 1, 1}}},
		{Kind: session.KindBid, Party: "south", Packages: []framework.Package{{1, 1, 1}, {2, 2, 2}}},
	} {
		if _, err := s.Submit(m); err != nil {
			t.Fatal(err)
		}
	}
	d, err := Text(sc, s.Events())
	if err != nil {
		t.Fatal(err)
	}
	as := d.Decision.Assents
	if len(as) != 2 || as[0].Kind != session.KindBid || !as[0].Yes || !as[1].Yes || as[0].Round != 2 || as[0].Public {
		t.Errorf("blind assents %+v", as)
	}
	if d, _ := TextFor(sc, s.Events(), "north"); len(d.Decision.Assents) != 1 || d.Decision.Confidential != 1 {
		t.Errorf("North's view of the bids: %+v", d.Decision)
	}
}
