package session

import (
	"fmt"
	"slices"

	"github.com/parley-negotiation/parley/scenario"
)

// Messages and relays are moves of every protocol; the meeting format says
// who may address whom:
//
//   - plenary: anyone may address anyone, or everyone (empty To);
//   - bilateral: a message goes to exactly one other party;
//   - trilateral: to one or two other parties;
//   - proximity: parties address only the mediator, who relays (or
//     paraphrases) to the others;
//
// and under every format, two parties listed in the scenario's NoDirect pairs
// never address each other directly: only through the mediator.

func (s *Session) checkMessage(m *Move) error {
	med := s.Config.Mediator
	if m.Message == "" {
		return fmt.Errorf("%w: empty message", ErrInvalid)
	}
	if len(m.Message) > MaxMessage {
		return fmt.Errorf("%w: message of %d bytes (limit %d)", ErrInvalid, len(m.Message), MaxMessage)
	}
	for _, to := range m.To {
		if !s.isMember(to) {
			return fmt.Errorf("%w: %q is not at the table", ErrInvalid, to)
		}
		if to == m.Party {
			return fmt.Errorf("%w: a party does not message itself", ErrInvalid)
		}
	}
	if m.Kind == KindRelay {
		if m.Party != med || med == "" {
			return fmt.Errorf("%w: only the mediator relays messages", ErrFormat)
		}
		if len(m.To) == 0 {
			return fmt.Errorf("%w: a relay names its recipients", ErrInvalid)
		}
		if m.Ref < 1 || m.Ref > len(s.events) {
			return fmt.Errorf("%w: a relay refers to an earlier message (ref %d)", ErrInvalid, m.Ref)
		}
		src := &s.events[m.Ref-1]
		if src.Kind != KindMessage || !src.VisibleTo(med) {
			return fmt.Errorf("%w: event %d is not a message the mediator received", ErrInvalid, m.Ref)
		}
		return nil
	}
	if m.Party == med {
		return nil // the mediator may address anyone under every format
	}
	to := m.To
	if len(to) == 0 {
		to = s.others(m.Party)
	}
	for _, r := range to {
		if r != med && s.noDirect(m.Party, r) {
			return fmt.Errorf("%w: %s and %s do not meet; messages between them go through the mediator", ErrFormat, m.Party, r)
		}
	}
	switch s.Config.Format {
	case scenario.Proximity:
		if len(m.To) != 1 || m.To[0] != med || med == "" {
			return fmt.Errorf("%w: in proximity talks parties address only the mediator", ErrFormat)
		}
	case scenario.Bilateral:
		if len(m.To) != 1 {
			return fmt.Errorf("%w: in bilateral talks a message goes to exactly one party", ErrFormat)
		}
	case scenario.Trilateral:
		if len(m.To) < 1 || len(m.To) > 2 {
			return fmt.Errorf("%w: in trilateral talks a message goes to one or two parties", ErrFormat)
		}
	}
	return nil
}

// MaxMessage bounds a message's length in bytes.
const MaxMessage = 16 << 10

func (s *Session) others(id string) []string {
	var out []string
	for _, p := range s.Config.Parties {
		if p != id {
			out = append(out, p)
		}
	}
	if s.Config.Mediator != "" && s.Config.Mediator != id && !slices.Contains(out, s.Config.Mediator) {
		out = append(out, s.Config.Mediator)
	}
	return out
}

func (s *Session) noDirect(a, b string) bool {
	for _, p := range s.Scenario.Format.NoDirect {
		if (p[0] == a && p[1] == b) || (p[0] == b && p[1] == a) {
			return true
		}
	}
	return false
}

// messageVisible: a message is seen by its sender and recipients; one to
// everyone is public.
func messageVisible(m *Move) []string {
	if len(m.To) == 0 {
		return nil
	}
	v := append([]string{m.Party}, m.To...)
	slices.Sort(v)
	return slices.Compact(v)
}

// Addressing says whom a member of the table may address with a message
// under the session's format (the rules of checkMessage, for the callers
// that offer the choice): To lists the members it may name, Min and Max
// bound how many it names (Max 0: no bound), and Everyone tells whether it
// may address the whole table (a message without recipients).
type Addressing struct {
	To       []string `json:"to"`
	Min      int      `json:"min"`
	Max      int      `json:"max,omitempty"`
	Everyone bool     `json:"everyone,omitempty"`
}

// Addressing returns whom party may address (nothing for one who is not
// at the table).
func (s *Session) Addressing(party string) Addressing {
	a := Addressing{To: []string{}}
	if !s.isMember(party) {
		return a
	}
	med := s.Config.Mediator
	if party == med {
		a.To, a.Everyone = s.others(party), true
		return a
	}
	direct := true
	for _, r := range s.others(party) {
		if r != med && s.noDirect(party, r) {
			direct = false
			continue
		}
		a.To = append(a.To, r)
	}
	a.Min = 1
	switch s.Config.Format {
	case scenario.Proximity:
		a.To, a.Max = []string{}, 1
		if med != "" {
			a.To = []string{med}
		}
	case scenario.Bilateral:
		a.Max = 1
	case scenario.Trilateral:
		a.Max = 2
	default:
		if direct {
			a.Min, a.Everyone = 0, true
		}
	}
	return a
}
