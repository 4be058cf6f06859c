package scenario

import (
	"fmt"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/plan"
	"github.com/parley-negotiation/parley/profile"
)

// FormatVersion is the scenario file format version this package reads and writes.
const FormatVersion = 1

// Role is a party's role in a negotiation.
type Role string

// Roles.
const (
	Principal Role = "principal" // negotiates for itself and must agree
	Mediator  Role = "mediator"  // drafts and relays; not a signatory by default
	Guarantor Role = "guarantor" // guarantees implementation
	Observer  Role = "observer"  // sees the public framework only
)

// Article returns the role with its indefinite article ("an observer").
func (r Role) Article() string {
	if r == Observer {
		return "an " + string(r)
	}
	return "a " + string(r)
}

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool {
	switch r {
	case Principal, Mediator, Guarantor, Observer:
		return true
	}
	return false
}

// Party is a delegation at the table.
type Party struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	Role Role   `json:"role"`
	// Profile is confidential to the party; nil when none is modelled.
	Profile *profile.Profile `json:"profile,omitempty"`
	// Estimate says where the profile comes from when it is an analyst's
	// estimate rather than the party's own declaration.
	Estimate string `json:"estimate,omitempty"`
	// Brief is the role's brief: a short text for whoever takes the
	// party's seat (who they represent, what they are after). It is not
	// confidential like the profile, but the room shows each seat its own
	// role's brief only (at most MaxBrief bytes).
	Brief string `json:"brief,omitempty"`
}

// MaxBrief bounds a party's brief, in bytes.
const MaxBrief = 4000

// Decision rules.
const (
	Unanimity = "unanimity" // every principal must accept
	Quorum    = "quorum"    // at least Quorum principals must accept
)

// Agreement modes.
const (
	WholePackage = "package"     // nothing is agreed until everything is agreed
	Provisional  = "provisional" // points are agreed provisionally one by one
)

// Decision is how the negotiation decides.
type Decision struct {
	Rule   string `json:"rule"`
	Quorum int    `json:"quorum,omitempty"`
	// Vetoes names parties without whose acceptance there is no deal.
	Vetoes       []string           `json:"vetoes,omitempty"`
	Agreement    string             `json:"agreement"`
	Ratification []RatificationStep `json:"ratification,omitempty"`
}

// RatificationStep is one approval an agreement needs before it enters into force.
type RatificationStep struct {
	// ID names the step, so that later steps can wait for it (After);
	// optional.
	ID    string `json:"id,omitempty"`
	Party string `json:"party"`
	Body  string `json:"body"`
	Kind  string `json:"kind"` // parliament, referendum, signature, other
	// Condition describes the step's condition in words; the engine
	// enforces After and Commitment, not this text.
	Condition string `json:"condition,omitempty"`
	// After lists the ids of the steps that must complete before this one.
	// nil (the key absent): every earlier step, in order; an empty list:
	// none (the step may be taken as soon as the agreement is pending).
	After *[]string `json:"after,omitempty"`
	// Commitment names the commitment of the implementation plan that this
	// step carries out (e.g. the referendum): the step may be recorded only
	// once that commitment is owed — its anchor reached and every
	// precondition of it holding (plan.Precondition, e.g. a ceasefire held
	// 60 days) at the time the body voted. The plan is the one source of
	// truth for the condition; when the commitment does not apply to the
	// agreement, neither does the condition.
	Commitment string `json:"commitment,omitempty"`
}

// Requires returns the indices of the steps that step i waits for.
func (d *Decision) Requires(i int) []int {
	st := d.Ratification[i]
	if st.After == nil {
		out := make([]int, i)
		for j := range out {
			out[j] = j
		}
		return out
	}
	var out []int
	for _, id := range *st.After {
		for j := range d.Ratification {
			if d.Ratification[j].ID == id {
				out = append(out, j)
			}
		}
	}
	return out
}

// StepName names ratification step i (1-based number and body) for messages.
func (d *Decision) StepName(i int) string {
	return fmt.Sprintf("step %d (%s)", i+1, d.Ratification[i].Body)
}

// Meeting formats.
const (
	Plenary    = "plenary"
	Bilateral  = "bilateral"
	Trilateral = "trilateral"
	Proximity  = "proximity"
)

// Format says who may address whom.
type Format struct {
	Default string `json:"default"`
	// NoDirect lists pairs of parties that refuse to meet: they communicate
	// only through the mediator (proximity talks).
	NoDirect [][2]string `json:"no_direct,omitempty"`
}

// Scenario is a framework, its parties and the rules of the negotiation.
type Scenario struct {
	Version     int                  `json:"parley"`
	Name        string               `json:"name"`
	Title       string               `json:"title,omitempty"`
	Description string               `json:"description,omitempty"`
	Source      string               `json:"source,omitempty"`
	Notice      string               `json:"notice,omitempty"`
	Framework   *framework.Framework `json:"framework"`
	Parties     []Party              `json:"parties"`
	Decision    Decision             `json:"decision"`
	Format      Format               `json:"format"`
	// Plan is the implementation plan of an agreement (the file's
	// implementation section); nil when there is none.
	Plan *plan.Plan `json:"implementation,omitempty"`
	// Warnings collects non-fatal findings of the loader (e.g. GENIUS quirks).
	Warnings []string `json:"warnings,omitempty"`
}

// Party returns the party with the given id, or nil.
func (s *Scenario) Party(id string) *Party {
	for i := range s.Parties {
		if s.Parties[i].ID == id {
			return &s.Parties[i]
		}
	}
	return nil
}

// Principals returns the principals that have a profile, in file order.
func (s *Scenario) Principals() []*Party {
	var out []*Party
	for i := range s.Parties {
		if s.Parties[i].Role == Principal && s.Parties[i].Profile != nil {
			out = append(out, &s.Parties[i])
		}
	}
	return out
}

// Profiled returns every party that has a profile, in file order.
func (s *Scenario) Profiled() []*Party {
	var out []*Party
	for i := range s.Parties {
		if s.Parties[i].Profile != nil {
			out = append(out, &s.Parties[i])
		}
	}
	return out
}

// Validate checks the model's invariants (the file loader reports positions;
// this is the check for scenarios built in code or imported).
func (s *Scenario) Validate() error {
	if s.Framework == nil {
		return fmt.Errorf("scenario %q: no framework", s.Name)
	}
	if err := s.Framework.Validate(); err != nil {
		return fmt.Errorf("scenario %q: %w", s.Name, err)
	}
	ids := map[string]bool{}
	for _, p := range s.Parties {
		if p.ID == "" {
			return fmt.Errorf("scenario %q: party with empty id", s.Name)
		}
		if ids[p.ID] {
			return fmt.Errorf("scenario %q: duplicate party %q", s.Name, p.ID)
		}
		ids[p.ID] = true
		if !p.Role.Valid() {
			return fmt.Errorf("scenario %q: party %q: unknown role %q", s.Name, p.ID, p.Role)
		}
		if len(p.Brief) > MaxBrief {
			return fmt.Errorf("scenario %q: party %q: brief of %d bytes (at most %d)", s.Name, p.ID, len(p.Brief), MaxBrief)
		}
		if p.Profile != nil {
			if err := p.Profile.Check(s.Framework); err != nil {
				return fmt.Errorf("scenario %q: party %q: %w", s.Name, p.ID, err)
			}
		}
	}
	if err := s.validateDecision(ids); err != nil {
		return err
	}
	for _, pair := range s.Format.NoDirect {
		for _, id := range pair {
			if !ids[id] {
				return fmt.Errorf("scenario %q: format: %q is not a party", s.Name, id)
			}
		}
	}
	if s.Plan != nil {
		parties := make([]string, len(s.Parties))
		for i, p := range s.Parties {
			parties[i] = p.ID
		}
		if err := s.Plan.Validate(s.Framework, parties); err != nil {
			return fmt.Errorf("scenario %q: %w", s.Name, err)
		}
	}
	return nil
}

// validateDecision checks the decision rule against the parties: vetoes
// and ratification steps belong to principals, the quorum can be met, and
// ratification steps name earlier steps and applicable commitments.
func (s *Scenario) validateDecision(ids map[string]bool) error {
	d := &s.Decision
	principals := 0
	for _, p := range s.Parties {
		if p.Role == Principal {
			principals++
		}
	}
	for _, v := range d.Vetoes {
		p := s.Party(v)
		if p == nil {
			return fmt.Errorf("scenario %q: veto holder %q is not a party", s.Name, v)
		}
		if p.Role != Principal {
			return fmt.Errorf("scenario %q: veto holder %q is %s; a veto belongs to a principal (a party that negotiates and must agree)", s.Name, v, p.Role.Article())
		}
	}
	if d.Rule == Quorum && (d.Quorum < 1 || d.Quorum > principals) {
		return fmt.Errorf("scenario %q: quorum %d out of range (1..%d, the number of principals)", s.Name, d.Quorum, principals)
	}
	steps := map[string]int{}
	for i, st := range d.Ratification {
		if p := s.Party(st.Party); p == nil {
			return fmt.Errorf("scenario %q: ratification step %d: %q is not a party", s.Name, i+1, st.Party)
		}
		if st.ID != "" {
			if _, dup := steps[st.ID]; dup {
				return fmt.Errorf("scenario %q: ratification step %d: id %q is used twice", s.Name, i+1, st.ID)
			}
			steps[st.ID] = i
		}
		if st.After != nil {
			for _, id := range *st.After {
				j, ok := steps[id]
				if !ok || j >= i {
					return fmt.Errorf("scenario %q: ratification step %d: after %q, which is not an earlier step", s.Name, i+1, id)
				}
			}
		}
		if st.Commitment != "" {
			if err := s.checkStepCommitment(st); err != nil {
				return fmt.Errorf("scenario %q: ratification step %d: %w", s.Name, i+1, err)
			}
		}
	}
	return nil
}

// checkStepCommitment checks that a ratification step's commitment exists
// and can become owed before entry into force (which waits for the step).
func (s *Scenario) checkStepCommitment(st RatificationStep) error {
	if s.Plan == nil {
		return fmt.Errorf("commitment %q, but there is no implementation plan", st.Commitment)
	}
	c := s.Plan.Commitment(st.Commitment)
	if c == nil {
		return fmt.Errorf("the plan has no commitment %q", st.Commitment)
	}
	if c.Anchor() != plan.FromAgreement {
		return fmt.Errorf("commitment %q is owed from %s, which waits for the ratification itself (a step's commitment is owed from: agreement)", c.ID, c.Anchor())
	}
	for _, pc := range c.After {
		if pre := s.Plan.Commitment(pc.Commitment); pre != nil && pre.Anchor() != plan.FromAgreement {
			return fmt.Errorf("commitment %q waits for %q, which is owed from %s and so waits for the ratification itself", c.ID, pre.ID, pre.Anchor())
		}
	}
	return nil
}
