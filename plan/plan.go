package plan

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parley-negotiation/parley/framework"
)

// Plan is the implementation plan of an agreement: who verifies, in which
// phases, and what each party commits to.
type Plan struct {
	Verifiers   []Verifier   `json:"verifiers"`
	Phases      []Phase      `json:"phases,omitempty"`
	Commitments []Commitment `json:"commitments"`
}

// Verifier is a monitoring body that files reports. Its id is a member of
// the session for reports only, so it must differ from every party's id.
type Verifier struct {
	ID          string `json:"id"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
}

// Phase groups commitments; phases are in the order of the plan.
type Phase struct {
	ID          string `json:"id"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
}

// Kind of a commitment.
type Kind string

// Kinds.
const (
	// Once is delivered once, by its deadline (an exchange of prisoners).
	Once Kind = "once"
	// Continuous must hold from its start on (a ceasefire).
	Continuous Kind = "continuous"
)

// Anchor is the event from which a commitment is owed.
type Anchor string

// Anchors.
const (
	// FromAgreement: from the time the agreement was reached (signature).
	FromAgreement Anchor = "agreement"
	// FromEntryIntoForce: from entry into force (the default).
	FromEntryIntoForce Anchor = "entry-into-force"
	// FromTriggered: from the report of a violation that triggers it
	// (another commitment's OnViolation).
	FromTriggered Anchor = "triggered"
)

// Anchors lists the anchors in the order of the documentation.
var Anchors = []Anchor{FromAgreement, FromEntryIntoForce, FromTriggered}

// Severity of a violation.
type Severity string

// Severities, in increasing order.
const (
	Minor Severity = "minor"
	Major Severity = "major"
	Grave Severity = "grave"
)

// Severities lists the severities from the least to the most severe.
var Severities = []Severity{Minor, Major, Grave}

// Rank orders severities: 1 minor, 2 major, 3 grave; 0 for "" (as a
// threshold: any violation) and -1 for anything else.
func (s Severity) Rank() int {
	switch s {
	case "":
		return 0
	case Minor:
		return 1
	case Major:
		return 2
	case Grave:
		return 3
	}
	return -1
}

// Commitment is one obligation that follows from the agreement.
type Commitment struct {
	ID    string `json:"id"`
	Title string `json:"title,omitempty"`
	Text  string `json:"text,omitempty"`
	// Point is the framework point the commitment implements; Options, when
	// set, are the options of that point under which it applies (an
	// agreement on another option of the point makes it not apply).
	Point   string   `json:"point"`
	Options []string `json:"options,omitempty"`
	// Owners are the parties that must deliver it.
	Owners []string `json:"owners"`
	Phase  string   `json:"phase,omitempty"`
	Kind   Kind     `json:"kind"`
	// From is the anchor from which it is owed; "" is entry into force.
	From Anchor `json:"from,omitempty"`
	// After are preconditions: it is owed only once all hold.
	After []Precondition `json:"after,omitempty"`
	// Deadline is when a Once commitment must be delivered (nil: no
	// deadline). Continuous commitments have none.
	Deadline *Deadline `json:"deadline,omitempty"`
	// Verifier files the reports on it.
	Verifier string `json:"verifier"`
	// Evidence says what evidence a report must rest on.
	Evidence string `json:"evidence,omitempty"`
	// OnViolation are the consequences of a violation.
	OnViolation []Consequence `json:"on_violation,omitempty"`
}

// Anchor returns the commitment's anchor with the default filled in.
func (c *Commitment) Anchor() Anchor {
	if c.From == "" {
		return FromEntryIntoForce
	}
	return c.From
}

// Deadline is an absolute date (Date set) or a duration from the
// commitment's start (Date zero).
type Deadline struct {
	Within Duration  `json:"within,omitempty"`
	Date   time.Time `json:"date,omitzero"`
	// Day says Date was written as a calendar date: the commitment is due by
	// the end of that day, UTC.
	Day bool `json:"day,omitempty"`
}

// Due returns the deadline's instant for a commitment that started at
// start (ignored for absolute dates).
func (d *Deadline) Due(start time.Time) time.Time {
	if !d.Date.IsZero() {
		if d.Day {
			return d.Date.Add(24 * time.Hour)
		}
		return d.Date
	}
	return start.Add(time.Duration(d.Within))
}

// String writes the deadline in the file form: "30d", "2026-06-30" or an
// RFC 3339 time.
func (d *Deadline) String() string {
	switch {
	case d.Date.IsZero():
		return d.Within.String()
	case d.Day:
		return d.Date.UTC().Format(time.DateOnly)
	}
	return d.Date.UTC().Format(time.RFC3339Nano)
}

// Date bounds: dates in a plan lie within these years.
const (
	MinYear = 1900
	MaxYear = 2999
)

// ParseDeadline reads a deadline: a duration (ParseDuration) or a date
// ("2026-06-30", due by the end of that day UTC) or an RFC 3339 time.
func ParseDeadline(s string) (*Deadline, error) {
	if d, ok, _ := parseDuration(s); ok {
		return &Deadline{Within: d}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if t.Year() < MinYear || t.Year() > MaxYear {
			return nil, fmt.Errorf("date %s is outside the years %d to %d", s, MinYear, MaxYear)
		}
		return &Deadline{Date: t.UTC(), Day: true}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		if t.Year() < MinYear || t.Year() > MaxYear {
			return nil, fmt.Errorf("time %s is outside the years %d to %d", s, MinYear, MaxYear)
		}
		return &Deadline{Date: t.UTC()}, nil
	}
	// What looks like a duration gets the duration's message.
	if _, _, long := parseDuration(s); long || SuggestDuration(s) != "" {
		_, err := ParseDuration(s)
		return nil, err
	}
	return nil, fmt.Errorf("%q is neither a duration (e.g. 30d, 2w, 36h) nor a date (2026-06-30) or time (2026-06-30T12:00:00Z)", s)
}

// Precondition gates a commitment on another one: Held, a continuous
// commitment held without violation for at least that long (violations
// below Severity do not interrupt it); or Fulfilled, a once commitment
// fulfilled.
type Precondition struct {
	Commitment string   `json:"commitment"`
	Held       Duration `json:"held,omitempty"`
	Fulfilled  bool     `json:"fulfilled,omitempty"`
	Severity   Severity `json:"severity,omitempty"`
}

// String describes the precondition.
func (p *Precondition) String() string {
	if p.Fulfilled {
		return fmt.Sprintf("%s fulfilled", p.Commitment)
	}
	s := fmt.Sprintf("%s held %s without violation", p.Commitment, p.Held)
	if p.Severity.Rank() > 1 {
		s += fmt.Sprintf(" (of severity %s or above)", p.Severity)
	}
	return s
}

// Consequence of a violation: the commitment Trigger becomes owed when a
// violation of at least Severity (default: any) is reported, by Party when
// set (one of the violated commitment's owners).
type Consequence struct {
	Trigger  string   `json:"trigger"`
	Severity Severity `json:"severity,omitempty"`
	Party    string   `json:"party,omitempty"`
}

// Commitment returns the commitment with the given id, or nil.
func (p *Plan) Commitment(id string) *Commitment {
	for i := range p.Commitments {
		if p.Commitments[i].ID == id {
			return &p.Commitments[i]
		}
	}
	return nil
}

// Verifier returns the verifier with the given id, or nil.
func (p *Plan) Verifier(id string) *Verifier {
	for i := range p.Verifiers {
		if p.Verifiers[i].ID == id {
			return &p.Verifiers[i]
		}
	}
	return nil
}

// Phase returns the phase with the given id, or nil.
func (p *Plan) Phase(id string) *Phase {
	for i := range p.Phases {
		if p.Phases[i].ID == id {
			return &p.Phases[i]
		}
	}
	return nil
}

// VerifierIDs returns the verifiers' ids in plan order.
func (p *Plan) VerifierIDs() []string {
	out := make([]string, len(p.Verifiers))
	for i, v := range p.Verifiers {
		out[i] = v.ID
	}
	return out
}

// Triggers returns the commitments whose violation triggers commitment id.
func (p *Plan) Triggers(id string) []string {
	var out []string
	for _, c := range p.Commitments {
		for _, k := range c.OnViolation {
			if k.Trigger == id && !slices.Contains(out, c.ID) {
				out = append(out, c.ID)
			}
		}
	}
	return out
}

// Cycle returns a cycle among the preconditions as the ids along it, the
// first repeated at the end (a, b, a), or nil when there is none.
func (p *Plan) Cycle() []string {
	index := map[string]int{}
	for i, c := range p.Commitments {
		if _, dup := index[c.ID]; !dup {
			index[c.ID] = i
		}
	}
	const (
		white = iota
		grey
		black
	)
	color := make([]int, len(p.Commitments))
	var stack []int
	var found []string
	var visit func(i int) bool
	visit = func(i int) bool {
		color[i] = grey
		stack = append(stack, i)
		for _, pc := range p.Commitments[i].After {
			j, ok := index[pc.Commitment]
			if !ok {
				continue
			}
			switch color[j] {
			case grey:
				k := slices.Index(stack, j)
				for _, s := range stack[k:] {
					found = append(found, p.Commitments[s].ID)
				}
				found = append(found, p.Commitments[j].ID)
				return true
			case white:
				if visit(j) {
					return true
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[i] = black
		return false
	}
	for i := range p.Commitments {
		if color[i] == white && visit(i) {
			return found
		}
	}
	return nil
}

// ValidID reports whether id can name something in a plan: non-empty,
// without white space at either end, without line breaks or control
// characters (the scenario file's rule for ids).
func ValidID(id string) bool {
	if id == "" || id != strings.Trim(id, " \t\n\r") {
		return false
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 {
			return false
		}
	}
	return true
}

// Validate checks the plan against the framework and the scenario's party
// ids. The scenario loader reports the same problems with their positions.
func (p *Plan) Validate(fw *framework.Framework, parties []string) error {
	if len(p.Verifiers) == 0 {
		return fmt.Errorf("implementation: no verifiers")
	}
	if len(p.Commitments) == 0 {
		return fmt.Errorf("implementation: no commitments")
	}
	seen := map[string]string{}
	for _, v := range p.Verifiers {
		if !ValidID(v.ID) {
			return fmt.Errorf("implementation: verifier id %q is not a valid id", v.ID)
		}
		if slices.Contains(parties, v.ID) {
			return fmt.Errorf("implementation: verifier %q has the id of a party", v.ID)
		}
		if _, dup := seen[v.ID]; dup {
			return fmt.Errorf("implementation: verifier %q is defined twice", v.ID)
		}
		seen[v.ID] = "verifier"
	}
	phases := map[string]bool{}
	for _, ph := range p.Phases {
		if !ValidID(ph.ID) {
			return fmt.Errorf("implementation: phase id %q is not a valid id", ph.ID)
		}
		if phases[ph.ID] {
			return fmt.Errorf("implementation: phase %q is defined twice", ph.ID)
		}
		phases[ph.ID] = true
	}
	ids := map[string]*Commitment{}
	for i := range p.Commitments {
		c := &p.Commitments[i]
		if !ValidID(c.ID) {
			return fmt.Errorf("implementation: commitment id %q is not a valid id", c.ID)
		}
		if ids[c.ID] != nil {
			return fmt.Errorf("implementation: commitment %q is defined twice", c.ID)
		}
		ids[c.ID] = c
	}
	targets := map[string]bool{}
	for i := range p.Commitments {
		c := &p.Commitments[i]
		for _, k := range c.OnViolation {
			if k.Trigger != c.ID {
				targets[k.Trigger] = true
			}
		}
	}
	for i := range p.Commitments {
		c := &p.Commitments[i]
		if err := p.validateCommitment(c, fw, parties, phases, ids, targets); err != nil {
			return fmt.Errorf("implementation: commitment %q: %w", c.ID, err)
		}
	}
	if cyc := p.Cycle(); cyc != nil {
		return fmt.Errorf("implementation: preconditions form a cycle: %s", strings.Join(cyc, " → "))
	}
	return nil
}

func (p *Plan) validateCommitment(c *Commitment, fw *framework.Framework, parties []string, phases map[string]bool, ids map[string]*Commitment, targets map[string]bool) error {
	pi := fw.PointIndex(c.Point)
	if pi < 0 {
		return fmt.Errorf("no point %q", c.Point)
	}
	pt := &fw.Points[pi]
	if len(c.Options) > 0 && pt.Kind != framework.Options {
		return fmt.Errorf("options given for %s point %q", pt.Kind, pt.ID)
	}
	for k, o := range c.Options {
		if pt.Level(o) < 0 {
			return fmt.Errorf("point %q has no option %q", pt.ID, o)
		}
		if slices.Contains(c.Options[:k], o) {
			return fmt.Errorf("option %q listed twice", o)
		}
	}
	if len(c.Owners) == 0 {
		return fmt.Errorf("no owners")
	}
	for k, o := range c.Owners {
		if !slices.Contains(parties, o) {
			return fmt.Errorf("owner %q is not a party", o)
		}
		if slices.Contains(c.Owners[:k], o) {
			return fmt.Errorf("owner %q listed twice", o)
		}
	}
	if c.Phase != "" && !phases[c.Phase] {
		return fmt.Errorf("no phase %q", c.Phase)
	}
	if c.Kind != Once && c.Kind != Continuous {
		return fmt.Errorf("kind %q (want once or continuous)", c.Kind)
	}
	if c.From != "" && !slices.Contains(Anchors, c.From) {
		return fmt.Errorf("from %q (want agreement, entry-into-force or triggered)", c.From)
	}
	if c.From == FromTriggered && !targets[c.ID] {
		return fmt.Errorf("from: triggered, but no on_violation of another commitment triggers it")
	}
	if c.From != FromTriggered && targets[c.ID] {
		return fmt.Errorf("is triggered by %s but is owed from %s (want from: triggered)", strings.Join(p.Triggers(c.ID), ", "), c.Anchor())
	}
	for k, pc := range c.After {
		d := ids[pc.Commitment]
		switch {
		case d == nil:
			return fmt.Errorf("after: no commitment %q", pc.Commitment)
		case d == c:
			return fmt.Errorf("after: the commitment cannot wait for itself")
		case pc.Fulfilled == (pc.Held != 0):
			return fmt.Errorf("after %q: want exactly one of held (a positive duration) or fulfilled: true", pc.Commitment)
		case pc.Held < 0 || !pc.Held.Valid():
			return fmt.Errorf("after %q: held %v is not a valid duration", pc.Commitment, time.Duration(pc.Held))
		case pc.Fulfilled && d.Kind != Once:
			return fmt.Errorf("after %q: fulfilled applies to once commitments; %q is continuous (use held)", pc.Commitment, d.ID)
		case pc.Held != 0 && d.Kind != Continuous:
			return fmt.Errorf("after %q: held applies to continuous commitments; %q is once (use fulfilled: true)", pc.Commitment, d.ID)
		case pc.Severity.Rank() < 0:
			return fmt.Errorf("after %q: severity %q (want minor, major or grave)", pc.Commitment, pc.Severity)
		case pc.Severity != "" && pc.Fulfilled:
			return fmt.Errorf("after %q: severity applies to held", pc.Commitment)
		}
		for _, q := range c.After[:k] {
			if q.Commitment == pc.Commitment {
				return fmt.Errorf("after: %q listed twice", pc.Commitment)
			}
		}
	}
	if dl := c.Deadline; dl != nil {
		if c.Kind == Continuous {
			return fmt.Errorf("a continuous commitment has no deadline")
		}
		if dl.Date.IsZero() {
			if dl.Day || !dl.Within.Valid() {
				return fmt.Errorf("deadline %v is not a valid duration", time.Duration(dl.Within))
			}
		} else {
			if dl.Within != 0 {
				return fmt.Errorf("deadline has both a date and a duration")
			}
			if y := dl.Date.Year(); y < MinYear || y > MaxYear {
				return fmt.Errorf("deadline %s is outside the years %d to %d", dl.Date.Format(time.RFC3339), MinYear, MaxYear)
			}
			if dl.Date.Location() != time.UTC {
				return fmt.Errorf("deadline %s is not in UTC", dl.Date.Format(time.RFC3339))
			}
			if dl.Day && !dl.Date.Equal(dl.Date.Truncate(24*time.Hour)) {
				return fmt.Errorf("deadline date %s is not at midnight UTC", dl.Date.Format(time.RFC3339))
			}
		}
	}
	if c.Verifier == "" {
		return fmt.Errorf("no verifier")
	}
	if p.Verifier(c.Verifier) == nil {
		return fmt.Errorf("no verifier %q", c.Verifier)
	}
	for k, q := range c.OnViolation {
		switch t := ids[q.Trigger]; {
		case t == nil:
			return fmt.Errorf("on_violation: no commitment %q", q.Trigger)
		case t == c:
			return fmt.Errorf("on_violation: a commitment cannot trigger itself")
		case q.Severity.Rank() < 0:
			return fmt.Errorf("on_violation %q: severity %q (want minor, major or grave)", q.Trigger, q.Severity)
		case q.Party != "" && !slices.Contains(c.Owners, q.Party):
			return fmt.Errorf("on_violation %q: party %q is not an owner", q.Trigger, q.Party)
		}
		if slices.Contains(c.OnViolation[:k], q) {
			return fmt.Errorf("on_violation: %q listed twice", q.Trigger)
		}
	}
	return nil
}
