package plan

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/framework"
)

// The test plan: a framework of three points, parties a, b and eu, two
// verifiers.
//
//	cf     continuous, point truce (options yes), owners a, b, from the
//	       agreement; a grave violation by a triggers snap
//	pow    once, within 30d of entry into force
//	vote   once, from the agreement, after cf held 60d, within 90d
//	relief once, after cf held 90d (major or worse), within 30d
//	snap   once, from triggered, within 14d
//	dated  once, due 2026-06-30, after pow fulfilled
//	other  once, point truce option no (does not apply)
var testFW = &framework.Framework{Name: "t", Points: []framework.Point{
	{ID: "truce", Options: []framework.Option{{ID: "yes"}, {ID: "no"}}},
	{ID: "people", Options: []framework.Option{{ID: "all"}, {ID: "some"}}},
	{ID: "army", Kind: framework.Integer, Min: 1, Max: 9},
}}

var parties = []string{"a", "b", "eu"}

func testPlan() *Plan {
	dl := func(s string) *Deadline {
		d, err := ParseDeadline(s)
		if err != nil {
			panic(err)
		}
		return d
	}
	return &Plan{
		Verifiers: []Verifier{{ID: "mission"}, {ID: "council"}},
		Phases:    []Phase{{ID: "one", Title: "One"}, {ID: "two"}},
		Commitments: []Commitment{
			{ID: "cf", Point: "truce", Options: []string{"yes"}, Owners: []string{"a", "b"}, Phase: "one", Kind: Continuous, From: FromAgreement, Verifier: "mission",
				OnViolation: []Consequence{{Trigger: "snap", Severity: Grave, Party: "a"}}},
			{ID: "pow", Point: "people", Owners: []string{"a", "b"}, Phase: "one", Kind: Once, Deadline: dl("30d"), Verifier: "council"},
			{ID: "vote", Point: "truce", Owners: []string{"b"}, Phase: "two", Kind: Once, From: FromAgreement, After: []Precondition{{Commitment: "cf", Held: 60 * Day}}, Deadline: dl("90d"), Verifier: "council"},
			{ID: "relief", Point: "army", Owners: []string{"eu"}, Phase: "two", Kind: Once, After: []Precondition{{Commitment: "cf", Held: 90 * Day, Severity: Major}}, Deadline: dl("30d"), Verifier: "council"},
			{ID: "snap", Point: "truce", Owners: []string{"eu"}, Kind: Once, From: FromTriggered, Deadline: dl("14d"), Verifier: "council"},
			{ID: "dated", Point: "people", Owners: []string{"a"}, Phase: "two", Kind: Once, After: []Precondition{{Commitment: "pow", Fulfilled: true}}, Deadline: dl("2026-06-30"), Verifier: "council"},
			{ID: "other", Point: "truce", Options: []string{"no"}, Owners: []string{"a"}, Kind: Once, Verifier: "council"},
		},
	}
}

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func d(n int) time.Time { return t0.AddDate(0, 0, n) }

// log builds entries with sequence numbers from 100 on.
type log struct{ e []Entry }

func (l *log) report(filed time.Time, by string, r Report) int {
	seq := 100 + len(l.e)
	l.e = append(l.e, Entry{Seq: seq, Time: filed, By: by, Report: &r})
	return seq
}

func (l *log) respond(filed time.Time, by string, report int, a Answer) {
	l.e = append(l.e, Entry{Seq: 100 + len(l.e), Time: filed, By: by, Response: &Response{Report: report, Answer: a}})
}

var agreed = framework.Package{0, 0, 5}

func derive(l *log, ms Milestones, now time.Time) *Status {
	return Derive(testPlan(), testFW, agreed, ms, l.e, now)
}

func get(t *testing.T, st *Status, id string) *CommitmentStatus {
	t.Helper()
	c := st.Commitment(id)
	if c == nil {
		t.Fatalf("%s: not in the status", id)
	}
	return c
}

func check(t *testing.T, what string, c *CommitmentStatus, status string, since time.Time, late bool) {
	t.Helper()
	if c.Status != status || !c.Since.Equal(since) || c.Late != late {
		t.Errorf("%s: %s is %s since %v late %v (%s); want %s since %v late %v", what, c.ID, c.Status, c.Since.Format(time.DateOnly), c.Late, c.Reason, status, since.Format(time.DateOnly), late)
	}
}

func TestValidate(t *testing.T) {
	if err := testPlan().Validate(testFW, parties); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		edit func(p *Plan)
		msg  string
	}{
		{func(p *Plan) { p.Verifiers = nil }, "no verifiers"},
		{func(p *Plan) { p.Verifiers[1].ID = "a" }, "id of a party"},
		{func(p *Plan) { p.Verifiers[1].ID = "mission" }, "defined twice"},
		{func(p *Plan) { p.Commitments[1].ID = "cf" }, "defined twice"},
		{func(p *Plan) { p.Commitments[1].ID = " cf" }, "not a valid id"},
		{func(p *Plan) { p.Commitments[1].Point = "nope" }, "no point"},
		{func(p *Plan) { p.Commitments[1].Options = []string{"x"} }, "no option"},
		{func(p *Plan) { p.Commitments[3].Options = []string{"x"} }, "options given for integer point"},
		{func(p *Plan) { p.Commitments[1].Owners = []string{"z"} }, "not a party"},
		{func(p *Plan) { p.Commitments[1].Owners = nil }, "no owners"},
		{func(p *Plan) { p.Commitments[1].Phase = "three" }, "no phase"},
		{func(p *Plan) { p.Commitments[1].Kind = "twice" }, "kind"},
		{func(p *Plan) { p.Commitments[0].Deadline = &Deadline{Within: Day} }, "continuous commitment has no deadline"},
		{func(p *Plan) { p.Commitments[2].After[0].Commitment = "pow" }, "held applies to continuous"},
		{func(p *Plan) { p.Commitments[5].After[0].Commitment = "cf" }, "fulfilled applies to once"},
		{func(p *Plan) { p.Commitments[2].After[0].Held = 0 }, "exactly one of held"},
		{func(p *Plan) { p.Commitments[2].After[0].Commitment = "vote" }, "cannot wait for itself"},
		{func(p *Plan) { p.Commitments[4].From = "" }, "want from: triggered"},
		{func(p *Plan) { p.Commitments[1].From = FromTriggered }, "no on_violation"},
		{func(p *Plan) { p.Commitments[0].OnViolation[0].Party = "eu" }, "not an owner"},
		{func(p *Plan) { p.Commitments[0].OnViolation[0].Trigger = "cf" }, "cannot trigger itself"},
		{func(p *Plan) { p.Commitments[1].Verifier = "press" }, "no verifier"},
		{func(p *Plan) {
			p.Commitments[1].After = []Precondition{{Commitment: "dated", Fulfilled: true}}
		}, "cycle: pow → dated → pow"},
	} {
		p := testPlan()
		tt.edit(p)
		err := p.Validate(testFW, parties)
		if err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%v, want %q", err, tt.msg)
		}
	}
}

// TestDeriveRules checks the rules of docs/implementation.md one by one.
func TestDeriveRules(t *testing.T) {
	ms := Milestones{Agreement: d(0), EntryIntoForce: d(10)}

	t.Run("applicability", func(t *testing.T) {
		st := derive(&log{}, ms, d(1))
		if st.Commitment("other") != nil || len(st.NotApplicable) != 1 || !strings.Contains(st.NotApplicable[0].Reason, `"yes" was agreed`) {
			t.Errorf("not applicable: %+v", st.NotApplicable)
		}
		st = Derive(testPlan(), testFW, framework.Package{framework.Open, 0, 5}, ms, nil, d(1))
		if st.Commitment("cf") != nil {
			t.Error("a commitment on an open point applies")
		}
	})

	t.Run("anchors", func(t *testing.T) {
		st := derive(&log{}, ms, d(5))
		check(t, "before entry into force", get(t, st, "pow"), StatusPending, d(0), false)
		check(t, "from the agreement", get(t, st, "cf"), StatusDue, d(0), false)
		check(t, "not triggered", get(t, st, "snap"), StatusPending, d(0), false)
		st = derive(&log{}, ms, d(10))
		check(t, "at entry into force", get(t, st, "pow"), StatusDue, d(10), false)
		if c := get(t, st, "pow"); !c.Due.Equal(d(40)) {
			t.Errorf("due %v", c.Due)
		}
	})

	t.Run("deadline passes: late from the deadline on", func(t *testing.T) {
		st := derive(&log{}, ms, d(40).Add(-time.Nanosecond))
		check(t, "just before", get(t, st, "pow"), StatusDue, d(10), false)
		st = derive(&log{}, ms, d(40))
		check(t, "at the deadline", get(t, st, "pow"), StatusLate, d(40), true)
	})

	t.Run("fulfilled on time and late", func(t *testing.T) {
		l := &log{}
		l.report(d(41), "council", Report{Commitment: "pow", Finding: FindingFulfilled, When: d(40)})
		check(t, "at the deadline itself", get(t, derive(l, ms, d(41)), "pow"), StatusFulfilled, d(40), false)
		l = &log{}
		l.report(d(45), "council", Report{Commitment: "pow", Finding: FindingFulfilled, When: d(44)})
		check(t, "4 days late", get(t, derive(l, ms, d(44)), "pow"), StatusLate, d(40), true)
		check(t, "reported", get(t, derive(l, ms, d(45)), "pow"), StatusFulfilled, d(44), true)
	})

	t.Run("a violation of a once commitment past its deadline", func(t *testing.T) {
		l := &log{}
		l.report(d(50), "council", Report{Commitment: "pow", Finding: FindingViolation, Party: "b", Severity: Major, When: d(49)})
		check(t, "violated beats late", get(t, derive(l, ms, d(50)), "pow"), StatusViolated, d(49), true)
		l.report(d(55), "council", Report{Commitment: "pow", Finding: FindingCompliance, When: d(55)})
		check(t, "compliance: back to the clock", get(t, derive(l, ms, d(55)), "pow"), StatusLate, d(40), true)
	})

	t.Run("held precondition and its severity", func(t *testing.T) {
		l := &log{}
		l.report(d(21), "mission", Report{Commitment: "cf", Finding: FindingViolation, Party: "a", Severity: Minor, When: d(20)})
		st := derive(l, ms, d(60))
		check(t, "minor violation restarts the 60 days", get(t, st, "vote"), StatusPending, d(20), false)
		check(t, "but not the 90 days of major or worse", get(t, st, "relief"), StatusPending, d(10), false)
		if st.Next == nil || !st.Next.Equal(d(80)) {
			t.Errorf("next change %v, want day 80", st.Next)
		}
		st = derive(l, ms, d(80))
		check(t, "met", get(t, st, "vote"), StatusDue, d(80), false)
		if c := get(t, st, "vote"); !c.Due.Equal(d(170)) {
			t.Errorf("due %v", c.Due)
		}
		check(t, "90 days", get(t, derive(l, ms, d(90)), "relief"), StatusDue, d(90), false)
		// A later violation sends an undelivered commitment back to pending.
		l.report(d(101), "mission", Report{Commitment: "cf", Finding: FindingViolation, Party: "b", Severity: Major, When: d(100)})
		st = derive(l, ms, d(101))
		check(t, "reset", get(t, st, "vote"), StatusPending, d(100), false)
		check(t, "reset", get(t, st, "relief"), StatusPending, d(100), false)
		if c := get(t, st, "cf"); c.Violations != 2 || !c.HeldSince.Equal(d(100)) {
			t.Errorf("cf: %d violations, held since %v", c.Violations, c.HeldSince)
		}
	})

	t.Run("a delivered commitment keeps its schedule", func(t *testing.T) {
		l := &log{}
		l.report(d(65), "council", Report{Commitment: "vote", Finding: FindingFulfilled, When: d(64)})
		l.report(d(70), "mission", Report{Commitment: "cf", Finding: FindingViolation, Party: "a", Severity: Grave, When: d(69)})
		c := get(t, derive(l, ms, d(200)), "vote")
		if c.Status != StatusFulfilled || c.Late || c.Due == nil || !c.Due.Equal(d(150)) || !c.Start.Equal(d(60)) {
			t.Errorf("vote: %+v", c)
		}
	})

	t.Run("pending beats late; the date still shows", func(t *testing.T) {
		st := derive(&log{}, ms, time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC))
		c := get(t, st, "dated")
		if c.Status != StatusPending || !c.Late || !strings.Contains(c.Reason, "has passed") || !c.Due.Equal(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("dated: %+v", c)
		}
	})

	t.Run("current finding: the latest fact, not the latest report", func(t *testing.T) {
		l := &log{}
		l.report(d(30), "mission", Report{Commitment: "cf", Finding: FindingCompliance, When: d(30)})
		l.report(d(31), "mission", Report{Commitment: "cf", Finding: FindingViolation, Party: "b", Severity: Minor, When: d(25)})
		st := derive(l, ms, d(31))
		check(t, "a late report of an older violation", get(t, st, "cf"), StatusDue, d(30), false)
		check(t, "still restarts the clock", get(t, st, "vote"), StatusPending, d(25), false)
		// Same instant: the later report wins.
		l.report(d(32), "mission", Report{Commitment: "cf", Finding: FindingViolation, Party: "b", Severity: Minor, When: d(30)})
		check(t, "tie", get(t, derive(l, ms, d(32)), "cf"), StatusViolated, d(30), false)
	})

	t.Run("disputes", func(t *testing.T) {
		l := &log{}
		v := l.report(d(21), "mission", Report{Commitment: "cf", Finding: FindingViolation, Party: "a", Severity: Major, When: d(20)})
		l.respond(d(22), "a", v, Dispute)
		l.respond(d(23), "b", v, Accept)
		check(t, "open", get(t, derive(l, ms, d(23)), "cf"), StatusDisputed, d(22), false)
		check(t, "the clock still restarted", get(t, derive(l, ms, d(23)), "vote"), StatusPending, d(20), false)
		// Any later report on the commitment closes the dispute.
		l.report(d(24), "mission", Report{Commitment: "cf", Finding: FindingCompliance, When: d(24)})
		check(t, "closed", get(t, derive(l, ms, d(24)), "cf"), StatusDue, d(24), false)
		recs := Reports(testPlan(), testFW, agreed, ms, l.e, d(24))
		if len(recs) != 2 || recs[0].Disputed || len(recs[0].Responses) != 2 {
			t.Errorf("records %+v", recs)
		}
		// A dispute of a fulfilment.
		l = &log{}
		f := l.report(d(12), "council", Report{Commitment: "pow", Finding: FindingFulfilled, When: d(12)})
		l.respond(d(13), "eu", f, Dispute)
		check(t, "fulfilment disputed", get(t, derive(l, ms, d(13)), "pow"), StatusDisputed, d(13), false)
		check(t, "still counts as a precondition", get(t, derive(l, ms, d(13)), "dated"), StatusDue, d(12), false)
	})

	t.Run("replacement withdraws a violation", func(t *testing.T) {
		l := &log{}
		v := l.report(d(21), "mission", Report{Commitment: "cf", Finding: FindingViolation, Party: "a", Severity: Grave, When: d(20)})
		st := derive(l, ms, d(21))
		if len(st.Triggers) != 1 || st.Triggers[0].Commitment != "snap" || !st.Triggers[0].At.Equal(d(21)) || !st.Triggers[0].Due.Equal(d(35)) {
			t.Fatalf("triggers %+v", st.Triggers)
		}
		check(t, "triggered at the report", get(t, st, "snap"), StatusDue, d(21), false)
		l.report(d(25), "mission", Report{Commitment: "cf", Finding: FindingCompliance, When: d(20), Replaces: v})
		st = derive(l, ms, d(25))
		check(t, "withdrawn", get(t, st, "cf"), StatusDue, d(20), false)
		check(t, "untriggered", get(t, st, "snap"), StatusPending, d(0), false)
		check(t, "clock restored", get(t, st, "vote"), StatusPending, d(0), false)
		if len(st.Triggers) != 0 || get(t, st, "cf").Violations != 0 {
			t.Errorf("triggers %+v", st.Triggers)
		}
	})

	t.Run("trigger filters: severity and party", func(t *testing.T) {
		l := &log{}
		l.report(d(21), "mission", Report{Commitment: "cf", Finding: FindingViolation, Party: "a", Severity: Major, When: d(20)})
		l.report(d(22), "mission", Report{Commitment: "cf", Finding: FindingViolation, Party: "b", Severity: Grave, When: d(22)})
		if st := derive(l, ms, d(22)); len(st.Triggers) != 0 {
			t.Errorf("triggers %+v", st.Triggers)
		}
		up := l.report(d(23), "mission", Report{Commitment: "cf", Finding: FindingViolation, Party: "a", Severity: Grave, When: d(23)})
		st := derive(l, ms, d(23))
		if len(st.Triggers) != 1 || st.Triggers[0].Report != up {
			t.Errorf("triggers %+v", st.Triggers)
		}
	})

	t.Run("time travel", func(t *testing.T) {
		l := &log{}
		l.report(d(21), "mission", Report{Commitment: "cf", Finding: FindingViolation, Party: "a", Severity: Grave, When: d(20)})
		early := derive(l, ms, d(8))
		none := derive(&log{}, Milestones{Agreement: d(0)}, d(8))
		if !reflect.DeepEqual(early, none) {
			t.Error("entries and milestones after now leak into the status")
		}
	})

	t.Run("rollups", func(t *testing.T) {
		l := &log{}
		l.report(d(21), "mission", Report{Commitment: "cf", Finding: FindingViolation, Party: "a", Severity: Minor, When: d(20)})
		l.report(d(22), "council", Report{Commitment: "pow", Finding: FindingFulfilled, When: d(22)})
		st := derive(l, ms, d(23))
		want := []Rollup{
			{ID: "a", Counts: Counts{Violated: 1, Fulfilled: 1, Due: 1}, Commitments: []string{"cf", "pow", "dated"}, Violations: 1},
			{ID: "b", Counts: Counts{Violated: 1, Fulfilled: 1, Pending: 1}, Commitments: []string{"cf", "pow", "vote"}},
			{ID: "eu", Counts: Counts{Pending: 2}, Commitments: []string{"relief", "snap"}},
		}
		if !reflect.DeepEqual(st.Parties, want) {
			got, _ := json.Marshal(st.Parties)
			t.Errorf("parties %s", got)
		}
		if len(st.Phases) != 3 || st.Phases[2].ID != "" || st.Phases[2].Commitments[0] != "snap" || st.Phases[0].Counts.Fulfilled != 1 || st.Phases[0].Violations != 1 {
			got, _ := json.Marshal(st.Phases)
			t.Errorf("phases %s", got)
		}
		if !st.Phases[0].Start.Equal(d(0)) || !st.Phases[0].End.Equal(d(22)) {
			t.Errorf("phase one spans %v..%v", st.Phases[0].Start, st.Phases[0].End)
		}
	})
}
