package session

import (
	"fmt"
	"slices"
	"time"
)

// Ratification: with ratification steps in the scenario an agreement is
// pending until every step's party records it (KindRatify, yes or no).
// From engine version 3 a step waits for the steps it names (scenario
// RatificationStep.After; by default every earlier step) and, when it
// carries out a commitment of the implementation plan, for that commitment
// to be owed at the time its body voted.

// checkRatify validates a ratification move: step Ref (1-based) of the
// scenario, made by the step's party, while the agreement is pending.
func (s *Session) checkRatify(m *Move) error {
	if s.State.Status != StatusPending {
		return fmt.Errorf("%w: nothing is pending ratification (status %s)", ErrInvalid, s.State.Status)
	}
	dec := &s.Scenario.Decision
	steps := dec.Ratification
	if m.Ref < 1 || m.Ref > len(steps) {
		return fmt.Errorf("%w: ratification step %d (the scenario has %d)", ErrInvalid, m.Ref, len(steps))
	}
	st := steps[m.Ref-1]
	if st.Party != m.Party {
		return fmt.Errorf("%w: step %d (%s) belongs to %s", ErrInvalid, m.Ref, st.Body, st.Party)
	}
	if s.State.Ratified[m.Ref-1] {
		return fmt.Errorf("%w: step %d (%s) is already complete", ErrInvalid, m.Ref, st.Body)
	}
	for _, i := range s.stepNeeds(m.Ref - 1) {
		if !s.State.Ratified[i] {
			return fmt.Errorf("%w: %s must complete first", ErrInvalid, dec.StepName(i))
		}
	}
	if m.Yes == nil {
		return fmt.Errorf("%w: a ratification says yes or no", ErrInvalid)
	}
	if m.When != nil {
		if s.Config.Engine < 2 {
			return fmt.Errorf("%w: this log's engine version %d records no time of a body's vote", ErrInvalid, s.Config.Engine)
		}
		w := m.When.UTC()
		if w.After(s.now) {
			return fmt.Errorf("%w: the vote's time %s is after its record (%s)", ErrInvalid, w.Format(time.RFC3339), s.now.UTC().Format(time.RFC3339))
		}
		if a := PlanMilestones(s.events).Agreement; w.Before(a) {
			return fmt.Errorf("%w: the vote's time %s is before the agreement (%s)", ErrInvalid, w.Format(time.RFC3339), a.UTC().Format(time.RFC3339))
		}
		m.When = &w
	}
	if st.Commitment != "" && s.Config.Engine >= 3 && *m.Yes {
		at := s.now
		if m.When != nil {
			at = *m.When
		}
		if err := s.stepCondition(m.Ref-1, at); err != nil {
			return err
		}
	}
	return nil
}

// stepCondition checks that the plan's commitment which ratification step
// i carries out is owed at instant at (its anchor reached, every
// precondition holding), as the plan derives it from the log so far. A
// step is refused with the plan's reason; when the commitment does not
// apply to the agreement, neither does the condition.
func (s *Session) stepCondition(i int, at time.Time) error {
	st := s.Scenario.Decision.Ratification[i]
	if s.Scenario.Plan == nil {
		return nil // the scenario's validation requires a plan
	}
	status, err := s.PlanStatus(at)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrInvalid, s.Scenario.Decision.StepName(i), err)
	}
	c := status.Commitment(st.Commitment)
	if c == nil {
		return nil // not applicable under this agreement
	}
	if c.Start == nil || c.Start.After(at) {
		return fmt.Errorf("%w: %s carries out the plan's commitment %q, which is not owed at %s: %s", ErrPrecondition,
			s.Scenario.Decision.StepName(i), st.Commitment, at.UTC().Format(time.RFC3339), c.Reason)
	}
	return nil
}

func (s *Session) applyRatify(m *Move) {
	if !*m.Yes {
		s.State.Status = StatusFailed
		s.State.Reason = "ratification failed: " + s.Scenario.Decision.Ratification[m.Ref-1].Body
		s.Note("ratification-failed", &Note{Reason: s.State.Reason, Status: StatusFailed})
		return
	}
	s.State.Ratified[m.Ref-1] = true
	if !slices.Contains(s.State.Ratified, false) {
		s.State.Status = StatusInForce
		s.Note("in-force", &Note{Status: StatusInForce})
	}
}

// StepState is where a ratification step stands.
type StepState struct {
	// Step is the step's number (1-based).
	Step  int    `json:"step"`
	Party string `json:"party"`
	// Done: the step is complete.
	Done bool `json:"done"`
	// Ready: the step's party may record it now.
	Ready bool `json:"ready"`
	// Waiting says why it is not ready (when not done).
	Waiting string `json:"waiting,omitempty"`
}

// Ratification returns where each ratification step stands at the
// session's clock: done, ready to be recorded, or waiting and why. It is
// nil unless the agreement is pending ratification or in force.
func (s *Session) Ratification() []StepState {
	st := &s.State
	if len(st.Ratified) == 0 {
		return nil
	}
	now := s.clock()
	if now.Before(s.now) {
		now = s.now
	}
	dec := &s.Scenario.Decision
	out := make([]StepState, len(dec.Ratification))
	for i, step := range dec.Ratification {
		r := StepState{Step: i + 1, Party: step.Party, Done: st.Ratified[i]}
		if !r.Done && st.Status == StatusPending {
			r.Ready = true
			for _, j := range s.stepNeeds(i) {
				if !st.Ratified[j] {
					r.Ready, r.Waiting = false, "waits for "+dec.StepName(j)
					break
				}
			}
			if r.Ready && step.Commitment != "" && s.Config.Engine >= 3 {
				if err := s.stepCondition(i, now); err != nil {
					r.Ready, r.Waiting = false, conditionReason(err)
				}
			}
		}
		out[i] = r
	}
	return out
}

// stepNeeds returns the steps step i waits for under the log's engine
// version: before version 3, every earlier step, in order.
func (s *Session) stepNeeds(i int) []int {
	if s.Config.Engine >= 3 {
		return s.Scenario.Decision.Requires(i)
	}
	need := make([]int, i)
	for j := range need {
		need[j] = j
	}
	return need
}

// conditionReason strips the error's prefixes for display.
func conditionReason(err error) string {
	msg := err.Error()
	for _, p := range []string{ErrPrecondition.Error() + ": ", ErrInvalid.Error() + ": "} {
		if len(msg) > len(p) && msg[:len(p)] == p {
			msg = msg[len(p):]
		}
	}
	return msg
}
