package plan

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parley-negotiation/parley/framework"
)

// Statuses of a commitment.
const (
	// StatusPending: not owed yet (before its anchor, while a
	// precondition does not hold, or before it is triggered).
	StatusPending = "pending"
	// StatusDue: owed now; for a continuous commitment, in effect.
	StatusDue = "due"
	// StatusFulfilled: a once commitment delivered (Late when after the
	// deadline).
	StatusFulfilled = "fulfilled"
	// StatusLate: a once commitment past its deadline, not delivered.
	StatusLate = "late"
	// StatusViolated: the current finding is a violation.
	StatusViolated = "violated"
	// StatusDisputed: a party disputes the current finding and the
	// verifier has not filed a finding since.
	StatusDisputed = "disputed"
)

// Statuses lists the statuses in the order of the rollups.
var Statuses = []string{StatusPending, StatusDue, StatusFulfilled, StatusLate, StatusViolated, StatusDisputed}

// Milestones are the dates of the agreement that anchor the plan. A zero
// time (or one after the clock) has not happened.
type Milestones struct {
	// Agreement is when the agreement was reached (the decision rule met).
	Agreement time.Time `json:"agreement,omitzero"`
	// EntryIntoForce is when the last ratification step completed (or the
	// agreement, without ratification steps).
	EntryIntoForce time.Time `json:"entry_into_force,omitzero"`
}

// Status is the state of a plan's implementation at one instant.
type Status struct {
	At         time.Time  `json:"at"`
	Milestones Milestones `json:"milestones"`
	// Commitments are those that apply under the agreement, in plan order.
	Commitments []CommitmentStatus `json:"commitments"`
	// NotApplicable are the commitments the agreement does not call for.
	NotApplicable []NotApplicable `json:"not_applicable,omitempty"`
	// Triggers are the consequences of violations that fired.
	Triggers []Trigger `json:"triggers,omitempty"`
	// Parties rolls the statuses up per owner, in order of first mention.
	Parties []Rollup `json:"parties"`
	// Phases rolls them up per phase, in plan order (a last group with an
	// empty id holds the commitments without a phase).
	Phases []PhaseRollup `json:"phases"`
	// Next is the next instant at which the status changes by the clock
	// alone (a deadline passing, a precondition being met), if any.
	Next *time.Time `json:"next,omitempty"`
}

// CommitmentStatus is one commitment's derived status.
type CommitmentStatus struct {
	ID       string   `json:"id"`
	Title    string   `json:"title,omitempty"`
	Phase    string   `json:"phase,omitempty"`
	Kind     Kind     `json:"kind"`
	Owners   []string `json:"owners"`
	Verifier string   `json:"verifier"`
	Status   string   `json:"status"`
	// Since is when the status began.
	Since time.Time `json:"since,omitzero"`
	// Start is when the commitment became owed (continuous: in effect).
	Start *time.Time `json:"start,omitempty"`
	// Due is its deadline, when it has one and it is known.
	Due *time.Time `json:"due,omitempty"`
	// Late: fulfilled after the deadline, or the deadline has passed
	// without fulfilment.
	Late bool `json:"late,omitempty"`
	// HeldSince is, for a continuous commitment in effect, the start of
	// its current stretch without a reported violation.
	HeldSince *time.Time `json:"held_since,omitempty"`
	// Report is the sequence number of the current finding (0: none).
	Report int `json:"report,omitempty"`
	// Violations counts the reported violations that stand.
	Violations int    `json:"violations,omitempty"`
	Reason     string `json:"reason"`
}

// NotApplicable is a commitment the agreement does not call for.
type NotApplicable struct {
	ID     string `json:"id"`
	Title  string `json:"title,omitempty"`
	Reason string `json:"reason"`
}

// Trigger is a consequence that fired: Commitment became owed at At
// because of the violation of Source reported in event Report.
type Trigger struct {
	Commitment string     `json:"commitment"`
	Source     string     `json:"source"`
	Report     int        `json:"report"`
	Party      string     `json:"party,omitempty"`
	Severity   Severity   `json:"severity,omitempty"`
	At         time.Time  `json:"at"`
	Due        *time.Time `json:"due,omitempty"`
}

// Counts counts commitments per status.
type Counts struct {
	Pending   int `json:"pending"`
	Due       int `json:"due"`
	Fulfilled int `json:"fulfilled"`
	Late      int `json:"late"`
	Violated  int `json:"violated"`
	Disputed  int `json:"disputed"`
}

// Get returns the count of a status.
func (c *Counts) Get(status string) int { return *c.field(status) }

func (c *Counts) field(status string) *int {
	switch status {
	case StatusPending:
		return &c.Pending
	case StatusDue:
		return &c.Due
	case StatusFulfilled:
		return &c.Fulfilled
	case StatusLate:
		return &c.Late
	case StatusViolated:
		return &c.Violated
	}
	return &c.Disputed
}

// Rollup summarises the commitments of one party.
type Rollup struct {
	ID          string   `json:"id"`
	Counts      Counts   `json:"counts"`
	Commitments []string `json:"commitments"`
	// Violations counts the standing violation reports attributed to it.
	Violations int `json:"violations"`
}

// PhaseRollup summarises one phase: its commitments' statuses and its
// span on the timeline.
type PhaseRollup struct {
	ID          string   `json:"id"`
	Title       string   `json:"title,omitempty"`
	Counts      Counts   `json:"counts"`
	Commitments []string `json:"commitments"`
	Violations  int      `json:"violations"`
	// Start is the earliest start of its commitments, End the latest
	// deadline or fulfilment (when known).
	Start *time.Time `json:"start,omitempty"`
	End   *time.Time `json:"end,omitempty"`
	// Complete: every commitment of the phase is once and fulfilled.
	Complete bool `json:"complete,omitempty"`
}

// Derive computes the status of every commitment of p at now, for an
// agreement on package agreed of framework fw reached and in force at the
// milestones' dates, from the reports and responses in log order. Entries
// recorded after now, and milestones after now, are ignored, so that
// Derive at an earlier instant gives the status as it was known then.
// Derive is a pure function; docs/implementation.md states its rules.
func Derive(p *Plan, fw *framework.Framework, agreed framework.Package, m Milestones, entries []Entry, now time.Time) *Status {
	d := newDeriver(p, fw, agreed, m, entries, now)
	st := &Status{At: now, Milestones: d.m, Commitments: []CommitmentStatus{}}
	for i := range p.Commitments {
		c := &p.Commitments[i]
		if !d.applies[i] {
			st.NotApplicable = append(st.NotApplicable, NotApplicable{ID: c.ID, Title: c.Title, Reason: d.why[i]})
			continue
		}
		st.Commitments = append(st.Commitments, d.status(i))
	}
	for i := range p.Commitments {
		if t := d.trig[i]; t != nil {
			tc := *t
			if cs := st.find(p.Commitments[i].ID); cs != nil {
				tc.Due = cs.Due
			}
			st.Triggers = append(st.Triggers, tc)
		}
	}
	slices.SortStableFunc(st.Triggers, func(a, b Trigger) int { return a.At.Compare(b.At) })
	d.rollups(st)
	if !d.next.IsZero() {
		n := d.next
		st.Next = &n
	}
	return st
}

func (st *Status) find(id string) *CommitmentStatus {
	for i := range st.Commitments {
		if st.Commitments[i].ID == id {
			return &st.Commitments[i]
		}
	}
	return nil
}

// Commitment returns the status of commitment id, or nil when it does not
// apply or does not exist.
func (st *Status) Commitment(id string) *CommitmentStatus { return st.find(id) }

// report is a recorded report with what later entries say about it.
type report struct {
	Entry
	r          *Report
	c          int // commitment index
	pos        int // position in the entries
	replacedBy int // sequence number of the report replacing it
	responses  []response
}

type response struct {
	Entry
	pos int
}

type deriver struct {
	p       *Plan
	fw      *framework.Framework
	agreed  framework.Package
	entries []Entry
	m0      Milestones // as given
	now     time.Time
	m       Milestones // as known at now
	index   map[string]int
	applies []bool
	why     []string
	reports [][]*report // per commitment, in log order
	bySeq   map[int]*report
	lastPos []int      // per commitment: position of its last report (-1)
	trig    []*Trigger // per commitment: the first trigger that fired
	// start memo
	state   []int8 // 0 not computed, 1 computing, 2 done
	start   []time.Time
	started []bool
	waiting []string    // why not started
	since   []time.Time // pending since
	next    time.Time
}

func newDeriver(p *Plan, fw *framework.Framework, agreed framework.Package, m Milestones, entries []Entry, now time.Time) *deriver {
	n := len(p.Commitments)
	d := &deriver{p: p, fw: fw, agreed: agreed, entries: entries, m0: m, now: now, index: map[string]int{}, applies: make([]bool, n), why: make([]string, n),
		reports: make([][]*report, n), bySeq: map[int]*report{}, lastPos: make([]int, n), trig: make([]*Trigger, n),
		state: make([]int8, n), start: make([]time.Time, n), started: make([]bool, n), waiting: make([]string, n), since: make([]time.Time, n)}
	// Milestones after now have not happened (and are not announced:
	// the status at now is what the log said at now).
	for _, t := range []*time.Time{&m.Agreement, &m.EntryIntoForce} {
		if t.After(now) {
			*t = time.Time{}
		}
	}
	if m.Agreement.IsZero() {
		m.EntryIntoForce = time.Time{}
	}
	d.m = m
	for i := range p.Commitments {
		if _, dup := d.index[p.Commitments[i].ID]; !dup {
			d.index[p.Commitments[i].ID] = i
		}
		d.lastPos[i] = -1
		d.applies[i], d.why[i] = p.Commitments[i].Applies(fw, agreed)
	}
	for pos := range entries {
		e := &entries[pos]
		if e.Time.After(now) {
			continue
		}
		switch {
		case e.Report != nil:
			ci, ok := d.index[e.Report.Commitment]
			if !ok || !d.applies[ci] || d.bySeq[e.Seq] != nil {
				continue
			}
			r := &report{Entry: *e, r: e.Report, c: ci, pos: pos}
			if q := d.bySeq[e.Report.Replaces]; q != nil && q.c == ci && q.replacedBy == 0 {
				q.replacedBy = e.Seq
			}
			d.reports[ci] = append(d.reports[ci], r)
			d.bySeq[e.Seq] = r
			d.lastPos[ci] = pos
		case e.Response != nil:
			if q := d.bySeq[e.Response.Report]; q != nil {
				q.responses = append(q.responses, response{Entry: *e, pos: pos})
			}
		}
	}
	d.triggers()
	return d
}

// Applies tells whether the commitment applies to the agreed package of
// framework fw, and if not, why.
func (c *Commitment) Applies(fw *framework.Framework, agreed framework.Package) (bool, string) {
	if agreed == nil {
		return false, "there is no agreement"
	}
	pi := fw.PointIndex(c.Point)
	if pi < 0 || pi >= len(agreed) {
		return false, fmt.Sprintf("point %q is not in the agreement", c.Point)
	}
	l := agreed[pi]
	pt := &fw.Points[pi]
	if l < 0 || l >= pt.Levels() {
		return false, fmt.Sprintf("point %q is left open in the agreement", c.Point)
	}
	if len(c.Options) == 0 {
		return true, ""
	}
	id := pt.LevelID(l)
	if slices.Contains(c.Options, id) {
		return true, ""
	}
	return false, fmt.Sprintf("%s: %q was agreed; the commitment applies under %s", c.Point, id, strings.Join(c.Options, ", "))
}

// future notes an instant at which the status will change.
func (d *deriver) future(t time.Time) {
	if t.After(d.now) && (d.next.IsZero() || t.Before(d.next)) {
		d.next = t
	}
}

// stands reports whether a report counts: not replaced.
func (r *report) stands() bool { return r.replacedBy == 0 }

// current returns the finding that determines commitment i's status: the
// standing report with the latest When (the later report on a tie).
func (d *deriver) current(i int) *report {
	var best *report
	for _, r := range d.reports[i] {
		if r.stands() && (best == nil || !r.r.When.Before(best.r.When)) {
			best = r
		}
	}
	return best
}

// openDispute returns the first dispute of r made after the last report on
// its commitment, or nil: such a dispute stands until the verifier files a
// report on the commitment again.
func (d *deriver) openDispute(r *report) *response {
	for k := range r.responses {
		x := &r.responses[k]
		if x.Response.Answer == Dispute && x.pos > d.lastPos[r.c] {
			return x
		}
	}
	return nil
}

// party returns the parties a violation is attributed to.
func (d *deriver) party(r *report) []string {
	if r.r.Party != "" {
		return []string{r.r.Party}
	}
	return d.p.Commitments[r.c].Owners
}

// qualifies tells whether violation report r fires consequence k.
func (d *deriver) qualifies(r *report, k *Consequence) bool {
	if r.r.Finding != FindingViolation || r.r.Severity.Rank() < max(k.Severity.Rank(), 0) {
		return false
	}
	return k.Party == "" || slices.Contains(d.party(r), k.Party)
}

// filed is when the violation behind r was first reported in a form that
// fires k: a review upholding a violation keeps the original's time.
func (d *deriver) filed(r *report, k *Consequence) time.Time {
	for hops := 0; hops < 1000; hops++ {
		q := d.bySeq[r.r.Replaces]
		if q == nil || q.Seq >= r.Seq || !d.qualifies(q, k) {
			break
		}
		r = q
	}
	return r.Time
}

// triggers finds, for every commitment, the first standing violation that
// triggers it.
func (d *deriver) triggers() {
	for si := range d.p.Commitments {
		src := &d.p.Commitments[si]
		for ki := range src.OnViolation {
			k := &src.OnViolation[ki]
			ti, ok := d.index[k.Trigger]
			if !ok || !d.applies[ti] {
				continue
			}
			for _, r := range d.reports[si] {
				if !r.stands() || !d.qualifies(r, k) {
					continue
				}
				at := d.filed(r, k)
				if t := d.trig[ti]; t == nil || at.Before(t.At) || at.Equal(t.At) && r.Seq < t.Report {
					d.trig[ti] = &Trigger{Commitment: k.Trigger, Source: src.ID, Report: r.Seq, Party: r.r.Party, Severity: r.r.Severity, At: at}
				}
			}
		}
	}
}

// heldSince returns the start of commitment i's current stretch without a
// standing violation of at least severity min (i must have started).
func (d *deriver) heldSince(i int, min Severity) time.Time {
	t := d.start[i]
	for _, r := range d.reports[i] {
		if r.stands() && r.r.Finding == FindingViolation && r.r.Severity.Rank() >= max(min.Rank(), 0) && r.r.When.After(t) {
			t = r.r.When
		}
	}
	return t
}

// standing counts the standing violations of commitment i.
func (d *deriver) standing(i int) int {
	n := 0
	for _, r := range d.reports[i] {
		if r.stands() && r.r.Finding == FindingViolation {
			n++
		}
	}
	return n
}

// anchorTime returns when commitment i's anchor happened.
func (d *deriver) anchorTime(i int) (time.Time, string) {
	c := &d.p.Commitments[i]
	switch c.Anchor() {
	case FromAgreement:
		if d.m.Agreement.IsZero() {
			return time.Time{}, "owed from the agreement, not reached yet"
		}
		return d.m.Agreement, ""
	case FromTriggered:
		if t := d.trig[i]; t != nil {
			return t.At, ""
		}
		var srcs []string
		for _, sc := range d.p.Commitments {
			for _, k := range sc.OnViolation {
				if k.Trigger == c.ID {
					s := "a"
					if k.Severity.Rank() > 0 {
						s += " " + string(k.Severity) + " (or worse)"
					}
					s += " violation of " + sc.ID
					if k.Party != "" {
						s += " by " + k.Party
					}
					srcs = append(srcs, s)
				}
			}
		}
		return time.Time{}, "not triggered: owed after " + strings.Join(srcs, " or ")
	}
	if d.m.EntryIntoForce.IsZero() {
		return time.Time{}, "owed from entry into force, which has not happened yet"
	}
	return d.m.EntryIntoForce, ""
}

// startOf computes when commitment i became owed, if it has.
func (d *deriver) startOf(i int) (time.Time, bool) {
	switch d.state[i] {
	case 2:
		return d.start[i], d.started[i]
	case 1:
		// A cycle: Validate forbids it; never started.
		d.waiting[i] = "its preconditions form a cycle"
		return time.Time{}, false
	}
	d.state[i] = 1
	defer func() { d.state[i] = 2 }()
	at, why := d.anchorTime(i)
	if at.IsZero() {
		d.waiting[i] = why
		d.since[i] = d.m.Agreement
		return time.Time{}, false
	}
	start := at
	d.since[i] = at
	for _, pc := range d.p.Commitments[i].After {
		met, ok, why, since := d.met(&pc)
		if !ok {
			d.waiting[i] = why
			if since.After(d.since[i]) {
				d.since[i] = since
			}
			return time.Time{}, false
		}
		if met.After(start) {
			start = met
		}
	}
	d.start[i], d.started[i] = start, true
	return start, true
}

// met tells whether a precondition holds at now and since when; when not,
// why, and since when it has been waiting.
func (d *deriver) met(pc *Precondition) (at time.Time, ok bool, why string, since time.Time) {
	j, found := d.index[pc.Commitment]
	if !found {
		return time.Time{}, false, fmt.Sprintf("waits for %s, which is not in the plan", pc.Commitment), time.Time{}
	}
	if !d.applies[j] {
		return time.Time{}, false, fmt.Sprintf("waits for %s, which does not apply (%s)", pc, d.why[j]), time.Time{}
	}
	if pc.Fulfilled {
		if r := d.current(j); r != nil && r.r.Finding == FindingFulfilled {
			return r.r.When, true, "", time.Time{}
		}
		return time.Time{}, false, fmt.Sprintf("waits for %s to be fulfilled", pc.Commitment), time.Time{}
	}
	if _, ok := d.startOf(j); !ok {
		return time.Time{}, false, fmt.Sprintf("waits for %s, which is not in effect (%s)", pc, d.waiting[j]), time.Time{}
	}
	hs := d.heldSince(j, pc.Severity)
	at = hs.Add(time.Duration(pc.Held))
	if !at.After(d.now) {
		return at, true, "", time.Time{}
	}
	d.future(at)
	return time.Time{}, false, fmt.Sprintf("waits for %s: held %s since %s; met on %s if it holds",
		pc, roundDays(d.now.Sub(hs)), fmtTime(hs), fmtTime(at)), hs
}

// schedule returns when commitment i started and its deadline, as known
// at the deriver's clock.
func (d *deriver) schedule(i int) (start time.Time, started bool, due time.Time, hasDue bool) {
	c := &d.p.Commitments[i]
	start, started = d.startOf(i)
	if dl := c.Deadline; dl != nil && c.Kind == Once && (started || !dl.Date.IsZero()) {
		due, hasDue = dl.Due(start), true
	}
	return start, started, due, hasDue
}

// status derives commitment i's status (it applies).
func (d *deriver) status(i int) CommitmentStatus {
	c := &d.p.Commitments[i]
	cs := CommitmentStatus{ID: c.ID, Title: c.Title, Phase: c.Phase, Kind: c.Kind, Owners: slices.Clone(c.Owners), Verifier: c.Verifier,
		Violations: d.standing(i)}
	f := d.current(i)
	if f != nil {
		cs.Report = f.Seq
	}
	var start, due time.Time
	var started, hasDue bool
	if f != nil && f.r.Finding == FindingFulfilled && c.Kind == Once {
		// Delivered: its start and deadline are those it had when it was
		// delivered, whatever happened to its preconditions since.
		start, started, due, hasDue = newDeriver(d.p, d.fw, d.agreed, d.m0, d.entries, f.r.When).schedule(i)
	} else if start, started, due, hasDue = d.schedule(i); hasDue {
		d.future(due)
	}
	if started {
		cs.Start = ptr(start)
		if c.Kind == Continuous {
			cs.HeldSince = ptr(d.heldSince(i, ""))
		}
	}
	if hasDue {
		cs.Due = ptr(due)
	}
	overdue := hasDue && !d.now.Before(due)
	switch {
	case f != nil && d.openDispute(f) != nil:
		x := d.openDispute(f)
		cs.Status, cs.Since = StatusDisputed, x.Time
		cs.Late = overdue && f.r.Finding != FindingFulfilled || hasDue && f.r.Finding == FindingFulfilled && f.r.When.After(due)
		cs.Reason = fmt.Sprintf("%s disputes report %d (%s) since %s; awaiting the verifier's finding", x.By, f.Seq, describe(f.r), fmtTime(x.Time))
		return cs
	case f != nil && f.r.Finding == FindingFulfilled && c.Kind == Once:
		cs.Status, cs.Since = StatusFulfilled, f.r.When
		cs.Late = hasDue && f.r.When.After(due)
		cs.Reason = fmt.Sprintf("fulfilled on %s (report %d)", fmtTime(f.r.When), f.Seq)
		if cs.Late {
			cs.Reason += fmt.Sprintf(", %s after its deadline of %s", roundDays(f.r.When.Sub(due)), fmtInstant(due))
		}
		return cs
	case f != nil && f.r.Finding == FindingViolation:
		cs.Status, cs.Since = StatusViolated, f.r.When
		cs.Late = overdue
		cs.Reason = fmt.Sprintf("%s (report %d)", describe(f.r), f.Seq)
		return cs
	}
	// By the clock.
	cs.Late = overdue
	switch {
	case !started:
		cs.Status, cs.Since, cs.Reason = StatusPending, d.since[i], d.waiting[i]
		if overdue {
			cs.Reason += fmt.Sprintf("; its deadline of %s has passed", fmtInstant(due))
		}
	case c.Kind == Continuous:
		hs := *cs.HeldSince
		cs.Status, cs.Since = StatusDue, start
		cs.Reason = fmt.Sprintf("in effect since %s", fmtTime(start))
		if hs.After(start) {
			cs.Reason += fmt.Sprintf("; no violation since %s (%s)", fmtTime(hs), roundDays(d.now.Sub(hs)))
		} else {
			cs.Reason += fmt.Sprintf("; no violation reported (%s)", roundDays(d.now.Sub(start)))
		}
	case overdue:
		cs.Status, cs.Since = StatusLate, due
		cs.Reason = fmt.Sprintf("not fulfilled by its deadline of %s (%s overdue)", fmtInstant(due), roundDays(d.now.Sub(due)))
	default:
		cs.Status, cs.Since = StatusDue, start
		if hasDue {
			cs.Reason = fmt.Sprintf("owed since %s, due by %s (in %s)", fmtTime(start), fmtInstant(due), roundDays(due.Sub(d.now)))
		} else {
			cs.Reason = fmt.Sprintf("owed since %s, no deadline", fmtTime(start))
		}
	}
	if f != nil && f.r.Finding != FindingViolation && cs.Status != StatusPending {
		if f.r.When.After(cs.Since) && cs.Status != StatusLate {
			cs.Since = f.r.When
		}
		cs.Reason += fmt.Sprintf("; verified compliant on %s (report %d)", fmtTime(f.r.When), f.Seq)
	}
	return cs
}

// describe summarises a report for a reason.
func describe(r *Report) string {
	switch r.Finding {
	case FindingViolation:
		s := "violation"
		if r.Severity != "" {
			s = string(r.Severity) + " violation"
		}
		if r.Party != "" {
			s += " by " + r.Party
		}
		s += " on " + fmtTime(r.When)
		if r.Place != "" {
			s += " at " + r.Place
		}
		return s
	case FindingFulfilled:
		return "fulfilled on " + fmtTime(r.When)
	}
	return "compliance on " + fmtTime(r.When)
}

func (d *deriver) rollups(st *Status) {
	st.Parties = []Rollup{}
	index := map[string]int{}
	for _, cs := range st.Commitments {
		for _, o := range cs.Owners {
			k, ok := index[o]
			if !ok {
				k = len(st.Parties)
				index[o] = k
				st.Parties = append(st.Parties, Rollup{ID: o})
			}
			r := &st.Parties[k]
			(*r.Counts.field(cs.Status))++
			r.Commitments = append(r.Commitments, cs.ID)
		}
	}
	for i := range d.reports {
		for _, r := range d.reports[i] {
			if r.stands() && r.r.Finding == FindingViolation {
				for _, p := range d.party(r) {
					if k, ok := index[p]; ok {
						st.Parties[k].Violations++
					}
				}
			}
		}
	}
	st.Phases = []PhaseRollup{}
	phases := append([]Phase(nil), d.p.Phases...)
	for _, cs := range st.Commitments {
		if cs.Phase == "" {
			phases = append(phases, Phase{Title: "(no phase)"})
			break
		}
	}
	for _, ph := range phases {
		pr := PhaseRollup{ID: ph.ID, Title: ph.Title, Commitments: []string{}}
		complete := true
		for _, cs := range st.Commitments {
			if cs.Phase != ph.ID {
				continue
			}
			(*pr.Counts.field(cs.Status))++
			pr.Commitments = append(pr.Commitments, cs.ID)
			pr.Violations += cs.Violations
			complete = complete && cs.Kind == Once && cs.Status == StatusFulfilled
			if cs.Start != nil && (pr.Start == nil || cs.Start.Before(*pr.Start)) {
				pr.Start = ptr(*cs.Start)
			}
			end := cs.Due
			if cs.Status == StatusFulfilled {
				end = ptr(cs.Since)
			}
			if end != nil && (pr.End == nil || end.After(*pr.End)) {
				pr.End = ptr(*end)
			}
		}
		pr.Complete = complete && len(pr.Commitments) > 0
		st.Phases = append(st.Phases, pr)
	}
}

func ptr[T any](v T) *T { return &v }

// fmtTime writes an instant for a reason: the date alone at midnight UTC.
func fmtTime(t time.Time) string {
	t = t.UTC()
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return t.Format(time.DateOnly)
	}
	return fmtInstant(t)
}

// fmtInstant writes an instant with its time of day (a deadline is an
// instant: due by 2026-08-20 00:00Z is due before that day begins).
func fmtInstant(t time.Time) string {
	t = t.UTC()
	if t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Format("2006-01-02 15:04Z")
	}
	return t.Format("2006-01-02 15:04:05Z")
}

// roundDays writes a span in days and hours, as durations are written
// (59d23h), truncated to the hour.
func roundDays(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d < time.Hour {
		return "less than an hour"
	}
	return Duration(d.Truncate(time.Hour)).String()
}

// ReportRecord is a report with what the later entries say about it.
type ReportRecord struct {
	Seq      int       `json:"seq"`
	Filed    time.Time `json:"filed"`
	Verifier string    `json:"verifier"`
	Report
	// Owners are the owners of the commitment reported on.
	Owners []string `json:"owners"`
	// ReplacedBy is the report that replaced it (0: it stands).
	ReplacedBy int              `json:"replaced_by,omitempty"`
	Responses  []ResponseRecord `json:"responses,omitempty"`
	// Disputed: a dispute stands (the verifier has not reported on the
	// commitment since).
	Disputed bool `json:"disputed,omitempty"`
	// Triggered lists the commitments this report triggered.
	Triggered []string `json:"triggered,omitempty"`
}

// ResponseRecord is a party's response to a report.
type ResponseRecord struct {
	Seq    int       `json:"seq"`
	Time   time.Time `json:"time"`
	Party  string    `json:"party"`
	Answer Answer    `json:"answer"`
	Text   string    `json:"text,omitempty"`
}

// Reports lists the reports on the commitments that apply, in log order,
// as known at now, with their responses, whether they were replaced or
// stand disputed, and the triggers they fired (the same reading of the
// entries as Derive).
func Reports(p *Plan, fw *framework.Framework, agreed framework.Package, m Milestones, entries []Entry, now time.Time) []ReportRecord {
	d := newDeriver(p, fw, agreed, m, entries, now)
	var all []*report
	for i := range d.reports {
		all = append(all, d.reports[i]...)
	}
	slices.SortFunc(all, func(a, b *report) int { return a.pos - b.pos })
	out := make([]ReportRecord, 0, len(all))
	for _, r := range all {
		rec := ReportRecord{Seq: r.Seq, Filed: r.Time, Verifier: r.By, Report: *r.r, Owners: d.p.Commitments[r.c].Owners,
			ReplacedBy: r.replacedBy, Disputed: d.openDispute(r) != nil}
		for _, x := range r.responses {
			rec.Responses = append(rec.Responses, ResponseRecord{Seq: x.Seq, Time: x.Time, Party: x.By, Answer: x.Response.Answer, Text: x.Response.Text})
		}
		for ti, t := range d.trig {
			if t != nil && t.Report == r.Seq {
				rec.Triggered = append(rec.Triggered, d.p.Commitments[ti].ID)
			}
		}
		out = append(out, rec)
	}
	return out
}
