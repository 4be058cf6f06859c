package session

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/plan"
	"github.com/parley-negotiation/parley/scenario"
)

// agreedAt is when the scripted Miami agreement is reached: day 0.
var agreedAt = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// day returns agreedAt plus n days and h hours.
func day(n int, h ...int) time.Time {
	t := agreedAt.AddDate(0, 0, n)
	if len(h) > 0 {
		t = t.Add(time.Duration(h[0]) * time.Hour)
	}
	return t
}

// miamiAgreement opens a Miami session under the given clock and reaches
// the agreement on the 20-point outline (the first option of every point)
// when the clock reads agreedAt: Russia offers, Ukraine and Europe accept.
func miamiAgreement(t testing.TB, clock Clock) *Session {
	t.Helper()
	s, err := New(miami(t), Config{Protocol: SAO}, clock)
	if err != nil {
		t.Fatal(err)
	}
	pkg := make(framework.Package, len(s.Scenario.Framework.Points))
	submit(t, s, Move{Kind: KindOffer, Party: "russia", Package: pkg})
	submit(t, s, Move{Kind: KindAccept, Party: "ukraine"})
	submit(t, s, Move{Kind: KindAccept, Party: "europe"})
	if s.State.Status != StatusPending {
		t.Fatalf("status %s (%s), want pending ratification", s.State.Status, s.State.Reason)
	}
	return s
}

func violation(c, party string, sev plan.Severity, when time.Time, place string, evidence ...string) *plan.Report {
	return &plan.Report{Commitment: c, Finding: plan.FindingViolation, Party: party, Severity: sev, When: when, Place: place, Evidence: evidence}
}

func finding(c string, f plan.Finding, when time.Time) *plan.Report {
	return &plan.Report{Commitment: c, Finding: f, When: when}
}

// scripted is the Miami implementation run of the tests, with the
// sequence numbers of its reports.
type scripted struct {
	s                                 *Session
	minor, major, review, grave, fifo int
}

// scriptMiami plays the scripted implementation of the Miami agreement:
//
//	day   0  agreement (the ceasefire is in effect from now)
//	day   1  Russia's Federal Assembly ratifies; day 2 the Verkhovna Rada
//	day   5  monitoring deployed (reported day 5, noon)
//	day  10  minor ceasefire violation by Russia (reported day 11)
//	day  12  ceasefire verified (compliance)
//	day  45  major violation by Ukraine (reported day 46); day 47 Ukraine
//	         disputes it, day 48 Russia accepts it; day 50 the mission
//	         upholds it (a review replacing the report); day 52 compliance
//	day 108  referendum held (reported day 110, when Ukraine's referendum
//	         step is recorded); day 112 the Council of the EU: in force
//	day 150  prisoner exchange completed (reported day 151): 8 days late
//	day 160  grave violation by Russia (reported day 161): snap-back
//	day 169  sanctions reinstated (reported day 170)
func scriptMiami(t testing.TB) *scripted {
	t.Helper()
	now := agreedAt
	at := func(tm time.Time) { now = tm }
	s := &scripted{s: miamiAgreement(t, func() time.Time { return now })}
	x := s.s
	yes := true
	ratify := func(step int) {
		t.Helper()
		submit(t, x, Move{Kind: KindRatify, Party: x.Scenario.Decision.Ratification[step-1].Party, Ref: step, Yes: &yes})
	}
	report := func(by string, r *plan.Report) int {
		t.Helper()
		return submit(t, x, Move{Kind: KindReport, Party: by, Report: r})
	}
	respond := func(by string, seq int, a plan.Answer, text string) {
		t.Helper()
		submit(t, x, Move{Kind: KindResponse, Party: by, Response: &plan.Response{Report: seq, Answer: a, Text: text}})
	}
	at(day(1))
	ratify(1)
	at(day(2))
	ratify(2)
	at(day(5, 12))
	report("peace-council", finding("monitoring-deployed", plan.FindingFulfilled, day(5)))
	at(day(11))
	s.minor = report("monitoring-mission", violation("ceasefire", "russia", plan.Minor, day(10), "near Huliaipole", "https://monitoring.example/reports/10"))
	at(day(12, 1))
	report("monitoring-mission", finding("ceasefire", plan.FindingCompliance, day(12)))
	at(day(46))
	s.major = report("monitoring-mission", violation("ceasefire", "ukraine", plan.Major, day(45), "Kherson river crossing", "https://monitoring.example/reports/45"))
	at(day(47))
	respond("ukraine", s.major, plan.Dispute, "Our units returned fire.")
	at(day(48))
	respond("russia", s.major, plan.Accept, "")
	at(day(50))
	up := violation("ceasefire", "ukraine", plan.Major, day(45), "Kherson river crossing", "https://monitoring.example/reports/45", "https://monitoring.example/reports/45-review")
	up.Replaces, up.Text = s.major, "Review: the imagery shows the first shots from the west bank."
	s.review = report("monitoring-mission", up)
	at(day(52))
	report("monitoring-mission", finding("ceasefire", plan.FindingCompliance, day(52)))
	at(day(110))
	report("peace-council", finding("referendum", plan.FindingFulfilled, day(108)))
	ratify(3)
	at(day(112))
	ratify(4)
	if x.State.Status != StatusInForce {
		t.Fatalf("status %s, want in force", x.State.Status)
	}
	at(day(151))
	s.fifo = report("humanitarian-committee", finding("prisoner-exchange", plan.FindingFulfilled, day(150)))
	at(day(161))
	s.grave = report("monitoring-mission", violation("ceasefire", "russia", plan.Grave, day(160), "Zaporizhzhia front", "https://monitoring.example/reports/160"))
	at(day(170))
	report("peace-council", finding("sanctions-snapback", plan.FindingFulfilled, day(169)))
	return s
}

// want is one line of the hand-checked table: a commitment's status at an
// instant.
type want struct {
	status string
	since  time.Time
	due    time.Time // zero: none expected
	late   bool
}

// TestScriptedMiamiImplementation is the must-show run: entry into force,
// ceasefire violations that reset the referendum's 60-day precondition, a
// late prisoner exchange and a snap-back trigger; the derived statuses at
// several instants match the table below, checked by hand against the
// rules of docs/implementation.md.
func TestScriptedMiamiImplementation(t *testing.T) {
	sc := scriptMiami(t)
	s := sc.s
	const (
		cf   = "ceasefire"
		mon  = "monitoring-deployed"
		ref  = "referendum"
		pow  = "prisoner-exchange"
		rel  = "sanctions-relief"
		snap = "sanctions-snapback"
		el   = "elections"
	)
	E := day(112) // entry into force
	table := []struct {
		at   time.Time
		want map[string]want
	}{
		{day(0, 1), map[string]want{
			cf:   {status: "due", since: day(0)},
			mon:  {status: "due", since: day(0), due: day(14)},
			ref:  {status: "pending", since: day(0)}, // met on day 60 if the ceasefire holds
			pow:  {status: "pending", since: day(0)}, // owed from entry into force
			rel:  {status: "pending", since: day(0)},
			snap: {status: "pending", since: day(0)}, // not triggered
			el:   {status: "pending", since: day(0)},
		}},
		{day(11, 1), map[string]want{
			cf:  {status: "violated", since: day(10)},
			mon: {status: "fulfilled", since: day(5), due: day(14)},
			ref: {status: "pending", since: day(10)}, // the clock restarts on day 10: met on day 70
		}},
		{day(12, 2), map[string]want{
			cf:  {status: "due", since: day(12)}, // verified compliant again
			ref: {status: "pending", since: day(10)},
		}},
		{day(14, 1), map[string]want{
			mon: {status: "fulfilled", since: day(5), due: day(14)}, // on time
		}},
		{day(47, 1), map[string]want{
			cf:  {status: "disputed", since: day(47)}, // Ukraine disputes the major violation
			ref: {status: "pending", since: day(45)},  // the clock restarts on day 45: met on day 105
		}},
		{day(48, 1), map[string]want{
			cf: {status: "disputed", since: day(47)}, // Russia's acceptance changes nothing
		}},
		{day(50, 1), map[string]want{
			cf:  {status: "violated", since: day(45)}, // upheld by the review
			ref: {status: "pending", since: day(45)},
		}},
		{day(70), map[string]want{
			cf:  {status: "due", since: day(52)},
			ref: {status: "pending", since: day(45)}, // would have been met today without the day-45 violation
		}},
		{day(105).Add(-time.Second), map[string]want{
			ref: {status: "pending", since: day(45)},
		}},
		{day(105), map[string]want{
			ref: {status: "due", since: day(105), due: day(195)}, // 60 days since day 45; 90 days to hold it
			el:  {status: "pending", since: day(0)},              // owed from entry into force
		}},
		{day(111), map[string]want{
			ref: {status: "fulfilled", since: day(108), due: day(195)},
			pow: {status: "pending", since: day(0)},
		}},
		{day(113), map[string]want{
			pow: {status: "due", since: E, due: E.AddDate(0, 0, 30)},
			el:  {status: "due", since: E, due: E.AddDate(0, 0, 180)},
			rel: {status: "pending", since: E}, // 90 days without a major violation: day 135
		}},
		{day(142).Add(-time.Second), map[string]want{
			pow: {status: "due", since: E, due: day(142)},
		}},
		{day(142), map[string]want{
			pow: {status: "late", since: day(142), due: day(142), late: true},
		}},
		{day(145), map[string]want{
			pow: {status: "late", since: day(142), due: day(142), late: true},
			rel: {status: "due", since: day(135), due: day(165)},
		}},
		{day(152), map[string]want{
			pow: {status: "fulfilled", since: day(150), due: day(142), late: true}, // 8 days late
		}},
		{day(161, 1), map[string]want{
			cf:   {status: "violated", since: day(160)},
			snap: {status: "due", since: day(161), due: day(175)}, // triggered when the grave violation was reported
			rel:  {status: "pending", since: day(160)},            // the grave violation restarts its 90 days
			pow:  {status: "fulfilled", since: day(150), due: day(142), late: true},
		}},
		{day(171), map[string]want{
			snap: {status: "fulfilled", since: day(169), due: day(175)},
			ref:  {status: "fulfilled", since: day(108), due: day(195)},
		}},
	}
	for _, row := range table {
		st, err := s.PlanStatus(row.at)
		if err != nil {
			t.Fatal(err)
		}
		for id, w := range row.want {
			cs := st.Commitment(id)
			if cs == nil {
				t.Errorf("%s: %s does not apply", fmtDay(row.at), id)
				continue
			}
			var due time.Time
			if cs.Due != nil {
				due = *cs.Due
			}
			if cs.Status != w.status || !cs.Since.Equal(w.since) || !due.Equal(w.due) || cs.Late != w.late {
				t.Errorf("%s: %s is %s since %s, due %s, late %v (%s); want %s since %s, due %s, late %v",
					fmtDay(row.at), id, cs.Status, fmtDay(cs.Since), fmtDay(due), cs.Late, cs.Reason, w.status, fmtDay(w.since), fmtDay(w.due), w.late)
			}
		}
		// The status at an instant is what the log said at that instant.
		n := 0
		for n < s.Len() && !s.events[n].Time.After(row.at) {
			n++
		}
		r, err := Replay(s.Scenario, s.Events()[:n])
		if err != nil {
			t.Fatal(err)
		}
		then, err := r.PlanStatus(row.at)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(then, st) {
			t.Errorf("%s: the status derived from the log as it was then differs from the one derived from the whole log", fmtDay(row.at))
		}
	}

	// The snap-back trigger was drawn by the engine when the grave
	// violation was reported.
	var trig *Event
	for i := range s.Events() {
		if e := &s.Events()[i]; e.Kind == KindTrigger {
			if trig != nil {
				t.Fatalf("two trigger events: %d and %d", trig.Seq, e.Seq)
			}
			trig = e
		}
	}
	if trig == nil || trig.Seq != sc.grave+1 || trig.Note.Commitment != snap || trig.Note.Due == nil || !trig.Note.Due.Equal(day(175)) || !trig.Time.Equal(day(161)) {
		t.Fatalf("trigger event %+v (note %+v), want one after report %d making %s due by %s", trig, trig.Note, sc.grave, snap, fmtDay(day(175)))
	}
	st, _ := s.PlanStatus(day(171))
	if len(st.Triggers) != 1 || st.Triggers[0].Report != sc.grave || st.Triggers[0].Source != cf || st.Triggers[0].Party != "russia" {
		t.Errorf("triggers %+v", st.Triggers)
	}
	// Rollups: Russia owns the ceasefire (2 standing violations of it are
	// its own: day 10 and day 160) and the exchange.
	for _, r := range st.Parties {
		switch r.ID {
		case "russia":
			if r.Violations != 2 || r.Counts.Fulfilled != 1 || r.Counts.Violated != 1 {
				t.Errorf("russia: %+v", r)
			}
		case "ukraine":
			if r.Violations != 1 || r.Counts.Fulfilled != 2 { // the exchange and the referendum
				t.Errorf("ukraine: %+v", r)
			}
		}
	}
	for _, ph := range st.Phases {
		if ph.ID == "humanitarian" && (ph.Counts.Fulfilled != 1 || ph.Counts.Due != 1 || ph.Complete) {
			t.Errorf("humanitarian phase: %+v", ph)
		}
	}

	// The whole log replays, from memory and from its written form.
	var buf bytes.Buffer
	if err := WriteLog(&buf, s.Events()); err != nil {
		t.Fatal(err)
	}
	evs, err := ReadLog(&buf)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Replay(s.Scenario, evs)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := r.PlanStatus(day(171))
	if !reflect.DeepEqual(a, st) {
		t.Error("the replayed session derives another status")
	}
}

func fmtDay(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := t.Sub(agreedAt)
	s := "day " + itoa(int(d/(24*time.Hour)))
	if r := d % (24 * time.Hour); r != 0 {
		s += "+" + r.String()
	}
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestReferendumClockSynctest runs a session on the real time.Now inside a
// synctest bubble, where time.Sleep advances a fake clock at once: the
// referendum becomes due exactly 60 days after the last violation of the
// ceasefire, and Status.Next says when.
func TestReferendumClockSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		s, err := New(miami(t), Config{Protocol: SAO}, nil)
		if err != nil {
			t.Fatal(err)
		}
		pkg := make(framework.Package, len(s.Scenario.Framework.Points))
		submit(t, s, Move{Kind: KindOffer, Party: "russia", Package: pkg})
		submit(t, s, Move{Kind: KindAccept, Party: "ukraine"})
		submit(t, s, Move{Kind: KindAccept, Party: "europe"})
		referendum := func() *plan.CommitmentStatus {
			t.Helper()
			st, err := s.PlanStatus(time.Now())
			if err != nil {
				t.Fatal(err)
			}
			return st.Commitment("referendum")
		}
		sleepUntil := func(d time.Duration) { time.Sleep(start.Add(d).Sub(time.Now())) }
		const D = 24 * time.Hour
		// Day 0: in effect; day 10 and day 45: violations reported as
		// they happen.
		if r := referendum(); r.Status != plan.StatusPending {
			t.Fatalf("day 0: %s", r.Status)
		}
		for _, d := range []int{10, 45} {
			sleepUntil(time.Duration(d) * D)
			submit(t, s, Move{Kind: KindReport, Party: "monitoring-mission", Report: violation("ceasefire", "russia", plan.Major, time.Now(), "")})
		}
		// 60 days minus a second after the last violation: still pending,
		// and the status knows when it changes.
		sleepUntil(105*D - time.Second)
		st, _ := s.PlanStatus(time.Now())
		if r := st.Commitment("referendum"); r.Status != plan.StatusPending || !strings.Contains(r.Reason, "held 59d23h") {
			t.Fatalf("day 105 − 1s: %s (%s)", r.Status, r.Reason)
		}
		if st.Next == nil || !st.Next.Equal(start.Add(105*D)) {
			t.Fatalf("next change %v, want day 105", st.Next)
		}
		time.Sleep(time.Until(*st.Next))
		if r := referendum(); r.Status != plan.StatusDue || !r.Since.Equal(start.Add(105*D)) || !r.Due.Equal(start.Add(195*D)) {
			t.Fatalf("day 105: %s since %v due %v (%s)", r.Status, r.Since, r.Due, r.Reason)
		}
		// Sleeping on: another 61 days without violation; then a
		// violation on day 166 sends it back to pending (it was not held
		// yet), and it is due again 60 days later.
		time.Sleep(61 * D)
		if r := referendum(); r.Status != plan.StatusDue {
			t.Fatalf("day 166: %s", r.Status)
		}
		submit(t, s, Move{Kind: KindReport, Party: "monitoring-mission", Report: violation("ceasefire", "ukraine", plan.Minor, time.Now(), "")})
		if r := referendum(); r.Status != plan.StatusPending {
			t.Fatalf("after the day-166 violation: %s", r.Status)
		}
		time.Sleep(60 * D)
		if r := referendum(); r.Status != plan.StatusDue || !r.Since.Equal(start.Add(226*D)) {
			t.Fatalf("day 226: %s since %v", r.Status, r.Since)
		}
		// The session replays under the recorded times.
		if _, err := Replay(s.Scenario, s.Events()); err != nil {
			t.Fatal(err)
		}
	})
}

// TestImplementationMovesRefused: every rule of a report and a response,
// each refused without changing anything.
func TestImplementationMovesRefused(t *testing.T) {
	now := agreedAt
	clock := func() time.Time { return now }
	// Before the agreement: no reports.
	s, err := New(miami(t), Config{Protocol: SAO}, clock)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Submit(Move{Kind: KindReport, Party: "monitoring-mission", Report: finding("ceasefire", plan.FindingCompliance, now)}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a report before the agreement: %v", err)
	}
	s = miamiAgreement(t, clock)
	now = day(20)
	rep := submit(t, s, Move{Kind: KindReport, Party: "monitoring-mission", Report: violation("ceasefire", "russia", plan.Minor, day(19), "x")})
	rev := submit(t, s, Move{Kind: KindReport, Party: "monitoring-mission", Report: &plan.Report{Commitment: "ceasefire", Finding: plan.FindingCompliance, When: day(19), Replaces: rep}})
	long := strings.Repeat("x", MaxMessage+1)
	many := make([]string, MaxEvidence+1)
	for i := range many {
		many[i] = "https://e.example/" + itoa(i)
	}
	for _, tt := range []struct {
		name string
		m    Move
		err  error
		msg  string
	}{
		{"a party files a report", Move{Kind: KindReport, Party: "ukraine", Report: finding("ceasefire", plan.FindingCompliance, day(19))}, ErrNotParty, "not a verifier"},
		{"an unknown verifier", Move{Kind: KindReport, Party: "nobody", Report: finding("ceasefire", plan.FindingCompliance, day(19))}, ErrNotParty, ""},
		{"another verifier's commitment", Move{Kind: KindReport, Party: "peace-council", Report: finding("ceasefire", plan.FindingCompliance, day(19))}, ErrInvalid, "verified by monitoring-mission"},
		{"an unknown commitment", Move{Kind: KindReport, Party: "peace-council", Report: finding("cease-fire", plan.FindingCompliance, day(19))}, ErrInvalid, "no commitment"},
		{"a commitment that does not apply", Move{Kind: KindReport, Party: "humanitarian-committee", Report: finding("phased-exchange", plan.FindingFulfilled, day(19))}, ErrInvalid, "does not apply"},
		{"a bad finding", Move{Kind: KindReport, Party: "monitoring-mission", Report: finding("ceasefire", "ok", day(19))}, ErrInvalid, "finding"},
		{"a continuous commitment fulfilled", Move{Kind: KindReport, Party: "monitoring-mission", Report: finding("ceasefire", plan.FindingFulfilled, day(19))}, ErrInvalid, "continuous"},
		{"no time", Move{Kind: KindReport, Party: "monitoring-mission", Report: finding("ceasefire", plan.FindingCompliance, time.Time{})}, ErrInvalid, "when"},
		{"a time in the future", Move{Kind: KindReport, Party: "monitoring-mission", Report: finding("ceasefire", plan.FindingCompliance, day(21))}, ErrInvalid, "after the report"},
		{"a time before the agreement", Move{Kind: KindReport, Party: "monitoring-mission", Report: finding("ceasefire", plan.FindingCompliance, day(-1))}, ErrInvalid, "before the agreement"},
		{"a violation without its party", Move{Kind: KindReport, Party: "monitoring-mission", Report: violation("ceasefire", "", plan.Minor, day(19), "")}, ErrInvalid, "names the party"},
		{"a violation by a non-owner", Move{Kind: KindReport, Party: "monitoring-mission", Report: violation("ceasefire", "europe", plan.Minor, day(19), "")}, ErrInvalid, "does not own"},
		{"a violation without severity", Move{Kind: KindReport, Party: "monitoring-mission", Report: violation("ceasefire", "russia", "", day(19), "")}, ErrInvalid, "severity"},
		{"a bad severity", Move{Kind: KindReport, Party: "monitoring-mission", Report: violation("ceasefire", "russia", "catastrophic", day(19), "")}, ErrInvalid, "severity"},
		{"a compliance with a severity", Move{Kind: KindReport, Party: "monitoring-mission", Report: &plan.Report{Commitment: "ceasefire", Finding: plan.FindingCompliance, When: day(19), Severity: plan.Minor}}, ErrInvalid, "only a violation"},
		{"a long text", Move{Kind: KindReport, Party: "monitoring-mission", Report: &plan.Report{Commitment: "ceasefire", Finding: plan.FindingCompliance, When: day(19), Text: long}}, ErrInvalid, "limit"},
		{"a long place", Move{Kind: KindReport, Party: "monitoring-mission", Report: violation("ceasefire", "russia", plan.Minor, day(19), long[:MaxPlace+1])}, ErrInvalid, "limit"},
		{"text not UTF-8", Move{Kind: KindReport, Party: "monitoring-mission", Report: &plan.Report{Commitment: "ceasefire", Finding: plan.FindingCompliance, When: day(19), Text: "\xff"}}, ErrInvalid, "UTF-8"},
		{"an ftp link", Move{Kind: KindReport, Party: "monitoring-mission", Report: violation("ceasefire", "russia", plan.Minor, day(19), "", "ftp://e.example/x")}, ErrInvalid, "not an http"},
		{"a relative link", Move{Kind: KindReport, Party: "monitoring-mission", Report: violation("ceasefire", "russia", plan.Minor, day(19), "", "/reports/1")}, ErrInvalid, "not an http"},
		{"a link with a space", Move{Kind: KindReport, Party: "monitoring-mission", Report: violation("ceasefire", "russia", plan.Minor, day(19), "", "https://e.example/a b")}, ErrInvalid, "white space"},
		{"javascript", Move{Kind: KindReport, Party: "monitoring-mission", Report: violation("ceasefire", "russia", plan.Minor, day(19), "", "javascript:alert(1)")}, ErrInvalid, "not an http"},
		{"a link twice", Move{Kind: KindReport, Party: "monitoring-mission", Report: violation("ceasefire", "russia", plan.Minor, day(19), "", "https://e.example/1", "https://e.example/1")}, ErrInvalid, "twice"},
		{"too many links", Move{Kind: KindReport, Party: "monitoring-mission", Report: violation("ceasefire", "russia", plan.Minor, day(19), "", many...)}, ErrInvalid, "evidence links"},
		{"replacing a non-report", Move{Kind: KindReport, Party: "monitoring-mission", Report: &plan.Report{Commitment: "ceasefire", Finding: plan.FindingCompliance, When: day(19), Replaces: 1}}, ErrInvalid, "not a report"},
		{"replacing twice", Move{Kind: KindReport, Party: "monitoring-mission", Report: &plan.Report{Commitment: "ceasefire", Finding: plan.FindingCompliance, When: day(19), Replaces: rep}}, ErrInvalid, "already replaced"},
		{"a report with a message", Move{Kind: KindReport, Party: "monitoring-mission", Message: "hi", Report: finding("ceasefire", plan.FindingCompliance, day(19))}, ErrInvalid, "carries only"},
		{"a report without report", Move{Kind: KindReport, Party: "monitoring-mission"}, ErrInvalid, ""},
		{"a verifier responds", Move{Kind: KindResponse, Party: "monitoring-mission", Response: &plan.Response{Report: rep, Answer: plan.Accept}}, ErrNotParty, ""},
		{"a bad answer", Move{Kind: KindResponse, Party: "russia", Response: &plan.Response{Report: rev, Answer: "maybe"}}, ErrInvalid, "answer"},
		{"a response to a non-report", Move{Kind: KindResponse, Party: "russia", Response: &plan.Response{Report: 2, Answer: plan.Accept}}, ErrInvalid, "not a report"},
		{"disputing a replaced report", Move{Kind: KindResponse, Party: "russia", Response: &plan.Response{Report: rep, Answer: plan.Dispute}}, ErrInvalid, "replaced"},
		{"a response with a report", Move{Kind: KindResponse, Party: "russia", Report: finding("ceasefire", plan.FindingCompliance, day(19)), Response: &plan.Response{Report: rev, Answer: plan.Accept}}, ErrInvalid, ""},
	} {
		n := s.Len()
		before, _ := jsonMarshal(&s.State)
		_, err := s.Submit(tt.m)
		after, _ := jsonMarshal(&s.State)
		if !errors.Is(err, tt.err) || !strings.Contains(fmtErr(err), tt.msg) {
			t.Errorf("%s: %v, want %v containing %q", tt.name, err, tt.err, tt.msg)
		}
		if s.Len() != n || !bytes.Equal(before, after) {
			t.Errorf("%s: the refused move changed the session", tt.name)
		}
	}
	submit(t, s, Move{Kind: KindResponse, Party: "russia", Response: &plan.Response{Report: rev, Answer: plan.Dispute}})
	if _, err := s.Submit(Move{Kind: KindResponse, Party: "russia", Response: &plan.Response{Report: rev, Answer: plan.Accept}}); err == nil || !strings.Contains(err.Error(), "already responded") {
		t.Errorf("a second response: %v", err)
	}
	// A ratification that fails ends the implementation.
	no := false
	submit(t, s, Move{Kind: KindRatify, Party: "russia", Ref: 1, Yes: &no})
	if _, err := s.Submit(Move{Kind: KindReport, Party: "monitoring-mission", Report: finding("ceasefire", plan.FindingCompliance, day(20))}); !errors.Is(err, ErrClosed) {
		t.Errorf("a report after ratification failed: %v", err)
	}
	// A scenario without a plan has no verifiers, and refuses reports.
	sc := testScenario()
	if _, err := New(sc, Config{Protocol: SAO, Verifiers: []string{"v"}}, clock); err == nil {
		t.Error("verifiers without a plan accepted")
	}
	if _, err := New(miami(t), Config{Protocol: SAO, Verifiers: []string{"peace-council", "nobody"}}, clock); err == nil {
		t.Error("an unknown verifier accepted")
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestReviewCancelsTrigger: a grave violation by Russia triggers the
// snap-back; the mission's review withdraws it (a compliance finding
// replacing it), and the engine notes the cancellation.
func TestReviewCancelsTrigger(t *testing.T) {
	now := agreedAt
	s := miamiAgreement(t, func() time.Time { return now })
	now = day(30)
	g := submit(t, s, Move{Kind: KindReport, Party: "monitoring-mission", Report: violation("ceasefire", "russia", plan.Grave, day(29), "")})
	if e := s.Events()[s.Len()-1]; e.Kind != KindTrigger || e.Note.Commitment != "sanctions-snapback" {
		t.Fatalf("last event %s %+v, want the trigger", e.Kind, e.Note)
	}
	now = day(31)
	submit(t, s, Move{Kind: KindResponse, Party: "russia", Response: &plan.Response{Report: g, Answer: plan.Dispute, Text: "Not our units."}})
	st, _ := s.PlanStatus(now)
	if c := st.Commitment("ceasefire"); c.Status != plan.StatusDisputed {
		t.Fatalf("ceasefire %s", c.Status)
	}
	if c := st.Commitment("sanctions-snapback"); c.Status != plan.StatusDue {
		t.Fatalf("snap-back %s (a dispute does not suspend it)", c.Status)
	}
	now = day(33)
	submit(t, s, Move{Kind: KindReport, Party: "monitoring-mission", Report: &plan.Report{Commitment: "ceasefire", Finding: plan.FindingCompliance, When: day(29), Replaces: g, Text: "Withdrawn: the fire came from a third party."}})
	if e := s.Events()[s.Len()-1]; e.Kind != KindTriggerCancelled || e.Note.Commitment != "sanctions-snapback" {
		t.Fatalf("last event %s %+v, want the cancellation", e.Kind, e.Note)
	}
	st, _ = s.PlanStatus(now)
	if c := st.Commitment("sanctions-snapback"); c.Status != plan.StatusPending || len(st.Triggers) != 0 {
		t.Fatalf("snap-back %s, triggers %v", c.Status, st.Triggers)
	}
	if c := st.Commitment("ceasefire"); c.Status != plan.StatusDue || c.Violations != 0 || !c.HeldSince.Equal(day(0)) {
		t.Fatalf("ceasefire %s, %d violations, held since %v", c.Status, c.Violations, c.HeldSince)
	}
	// A review that upholds a violation keeps the trigger's time.
	now = day(40)
	g2 := submit(t, s, Move{Kind: KindReport, Party: "monitoring-mission", Report: violation("ceasefire", "russia", plan.Grave, day(39), "")})
	now = day(45)
	up := violation("ceasefire", "russia", plan.Grave, day(39), "")
	up.Replaces = g2
	submit(t, s, Move{Kind: KindReport, Party: "monitoring-mission", Report: up})
	st, _ = s.PlanStatus(now)
	if len(st.Triggers) != 1 || !st.Triggers[0].At.Equal(day(40)) {
		t.Fatalf("triggers %+v, want one at day 40", st.Triggers)
	}
	if _, err := Replay(s.Scenario, s.Events()); err != nil {
		t.Fatal(err)
	}
}

// TestDigestWithoutPlan: a scenario without a plan keeps the digest it had
// before plans existed (logs made then still replay).
func TestDigestWithoutPlan(t *testing.T) {
	sc := testScenario()
	old := struct {
		F *framework.Framework
		P []scenario.Party
		D scenario.Decision
		M scenario.Format
	}{sc.Framework, sc.Parties, sc.Decision, sc.Format}
	b, _ := jsonMarshal(old)
	withPlan := miami(t)
	noPlan := miami(t)
	noPlan.Plan = nil
	if Digest(withPlan) == Digest(noPlan) {
		t.Error("the plan does not change the digest")
	}
	h := sha256.Sum256(b)
	if Digest(sc) != hex.EncodeToString(h[:16]) {
		t.Error("without a plan the digest changed")
	}
}
