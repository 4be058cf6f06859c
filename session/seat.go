package session

import (
	"fmt"
	"slices"
	"strings"
)

// Records the host of a session makes about the table rather than moves of
// the negotiation: a seat's credential re-issued (KindSeat) and an
// automated agent's failure (KindFault). Both are inputs of the log like
// any move, so a replay meets them at the same place.

const (
	// KindSeat records that the host re-issued the credential of a seat:
	// whoever held it before can no longer act for it. Move.To names the
	// seat (exactly one: a negotiating party or a verifier of the session);
	// Move.Party is the session's mediator, or "" (the host) when the
	// session has none; Move.Message may say why. The event is visible to
	// the seat and the mediator. It changes nothing else, and it may be
	// recorded at any time, also after the talks ended.
	KindSeat = "seat"
	// KindFault records that the automated agent playing a party failed —
	// crashed, timed out or broke its protocol — so the party could not
	// move: Move.Party is the party, Move.Message the cause (required). It
	// is recorded by the harness that runs the agent (parley run, a
	// tournament), never by a person: the room refuses it. While the talks
	// are open it ends them without agreement; the state keeps the fault
	// (State.Fault) so that no caller reads it as a party's choice to walk
	// out.
	KindFault = "fault"
)

// MaxCause bounds the cause of a fault, in bytes.
const MaxCause = 2048

// Fault is an agent's failure that ended a session.
type Fault struct {
	Party string `json:"party"`
	Cause string `json:"cause"`
}

// checkSeat validates a seat record.
func (s *Session) checkSeat(m *Move) error {
	if m.Party != s.Config.Mediator {
		if s.Config.Mediator == "" {
			return fmt.Errorf("%w: a seat is re-issued by the host (party \"\"), not %q", ErrInvalid, m.Party)
		}
		return fmt.Errorf("%w: a seat is re-issued by the mediator (%s), not %q", ErrInvalid, s.Config.Mediator, m.Party)
	}
	if len(m.To) != 1 {
		return fmt.Errorf("%w: a seat record names exactly one seat (it names %d)", ErrInvalid, len(m.To))
	}
	seat := m.To[0]
	if !slices.Contains(s.Config.Parties, seat) && !slices.Contains(s.Config.Verifiers, seat) {
		return fmt.Errorf("%w: %q is not a seat of this session (parties: %s; verifiers: %s)", ErrInvalid, seat,
			strings.Join(s.Config.Parties, ", "), strings.Join(s.Config.Verifiers, ", "))
	}
	if len(m.Message) > MaxMessage {
		return fmt.Errorf("%w: reason of %d bytes (limit %d)", ErrInvalid, len(m.Message), MaxMessage)
	}
	if m.Package != nil || m.Text != nil || m.Responses != nil || m.Yes != nil || m.Ref != 0 || m.Feedback != "" ||
		m.Packages != nil || m.Report != nil || m.Response != nil {
		return fmt.Errorf("%w: a seat record carries only the seat and a reason", ErrInvalid)
	}
	return nil
}

// checkFault validates a fault record.
func (s *Session) checkFault(m *Move) error {
	if !slices.Contains(s.Config.Parties, m.Party) {
		return fmt.Errorf("%w: a fault names a negotiating party's agent, not %q", ErrInvalid, m.Party)
	}
	if strings.TrimSpace(m.Message) == "" {
		return fmt.Errorf("%w: a fault says what failed (Message)", ErrInvalid)
	}
	if len(m.Message) > MaxCause {
		return fmt.Errorf("%w: cause of %d bytes (limit %d)", ErrInvalid, len(m.Message), MaxCause)
	}
	if m.To != nil || m.Package != nil || m.Text != nil || m.Responses != nil || m.Yes != nil || m.Ref != 0 ||
		m.Feedback != "" || m.Packages != nil || m.Report != nil || m.Response != nil {
		return fmt.Errorf("%w: a fault carries only its cause", ErrInvalid)
	}
	if s.State.Fault != nil {
		return fmt.Errorf("%w: the session already ended on %s's fault", ErrClosed, s.State.Fault.Party)
	}
	if s.State.Done() {
		return fmt.Errorf("%w: %s", ErrClosed, s.State.Status)
	}
	return nil
}

// seatVisible: the seat and the mediator.
func (s *Session) seatVisible(m *Move) []string { return sortedSet(m.To[0], s.Config.Mediator) }

// applyFault ends the talks on the agent's fault.
func (s *Session) applyFault(m *Move) {
	st := &s.State
	st.Fault = &Fault{Party: m.Party, Cause: m.Message}
	st.Waiting, st.VoteOpen, st.Bids = nil, false, nil
	reason := fmt.Sprintf("the agent of %s failed: %s", m.Party, m.Message)
	st.Status, st.Reason = StatusNoAgreement, reason
	s.Note("ended", &Note{Reason: reason, Parties: []string{m.Party}})
}
