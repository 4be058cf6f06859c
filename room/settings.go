package room

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// What the mediator may see of the parties' private profiles.
const (
	// MediatorFull: the mediator sees every party's profile and the
	// per-party heat-map (a "trusted mediator").
	MediatorFull = "full"
	// MediatorOverlap: the mediator sees only aggregates (which options
	// survive in the agreement zone and how often), never a party's numbers.
	MediatorOverlap = "overlap"
)

// Settings is how a room runs its session.
type Settings struct {
	// Protocol is the session protocol (default single-text).
	Protocol string `json:"protocol"`
	// Format overrides the scenario's default meeting format.
	Format string `json:"format,omitempty"`
	// Rounds is the deadline in rounds (0: none).
	Rounds int `json:"rounds,omitempty"`
	// Minutes is the deadline in wall time from the start (0: none).
	Minutes float64 `json:"minutes,omitempty"`
	// MediatorSees is MediatorFull or MediatorOverlap (default overlap).
	MediatorSees string `json:"mediator_sees"`
	// BlindReveal is what blind bidding reveals (session.RevealSize...).
	BlindReveal string `json:"blind_reveal,omitempty"`
	// Scoring of no agreement (session.ScoreReservation or ScoreZero).
	Scoring string `json:"scoring,omitempty"`
	// AutoMediator is the mediator strategy (mediator.ByName: "hill",
	// "nash", …) that plays the mediator's seat whenever it is the
	// mediator's move; "" leaves the seat to the owner (automediator.go).
	AutoMediator string `json:"auto_mediator,omitempty"`
	// LockProfiles gives each party its role's profile read-only: the
	// service refuses a party's save (teaching classes, where the debrief
	// compares rooms with the same profiles).
	LockProfiles bool `json:"lock_profiles,omitempty"`
}

// Limits on settings.
const (
	MaxRounds  = 10000
	MaxMinutes = 60 * 24 * 90
)

// normalize fills defaults and checks s against sc.
func (s *Settings) normalize(sc *scenario.Scenario) error {
	if s.Protocol == "" {
		s.Protocol = session.SingleText
	}
	if !slices.Contains(session.Protocols(), s.Protocol) {
		return Errorf(EINVALID, "unknown protocol %q (known: %v)", s.Protocol, session.Protocols())
	}
	if s.MediatorSees == "" {
		s.MediatorSees = MediatorOverlap
	}
	if s.MediatorSees != MediatorFull && s.MediatorSees != MediatorOverlap {
		return Errorf(EINVALID, "mediator_sees %q: want %q or %q", s.MediatorSees, MediatorFull, MediatorOverlap)
	}
	if s.Rounds < 0 || s.Rounds > MaxRounds {
		return Errorf(EINVALID, "rounds %d: want 0 (none) to %d", s.Rounds, MaxRounds)
	}
	if s.Minutes < 0 || s.Minutes > MaxMinutes || s.Minutes != s.Minutes {
		return Errorf(EINVALID, "minutes %v: want 0 (none) to %d", s.Minutes, MaxMinutes)
	}
	if s.Format != "" {
		switch s.Format {
		case scenario.Plenary, scenario.Bilateral, scenario.Trilateral, scenario.Proximity:
		default:
			return Errorf(EINVALID, "format %q: want plenary, bilateral, trilateral or proximity", s.Format)
		}
	}
	if mediated(s.Protocol) && mediatorOf(sc) == "" {
		return Errorf(EINVALID, "protocol %q needs a mediator, and scenario %q has no party with role mediator", s.Protocol, sc.Name)
	}
	if len(sc.Principals()) < 2 {
		return Errorf(EINVALID, "scenario %q has fewer than two principals with a profile", sc.Name)
	}
	if err := s.checkAutoMediator(sc); err != nil {
		return err
	}
	// The engine's own checks (formats, blind reveal, scoring, the table
	// the decision rule needs), now rather than when the talks open.
	if err := session.CheckConfig(sc, s.config(sc)); err != nil {
		return Errorf(EINVALID, "settings: %v", err)
	}
	return nil
}

// config returns the session configuration of the settings.
func (s *Settings) config(sc *scenario.Scenario) session.Config {
	cfg := session.Config{
		Protocol:    s.Protocol,
		Rounds:      s.Rounds,
		Duration:    time.Duration(s.Minutes * float64(time.Minute)),
		Format:      s.Format,
		Scoring:     s.Scoring,
		BlindReveal: s.BlindReveal,
	}
	if mediated(s.Protocol) {
		cfg.Mediator = mediatorOf(sc)
	}
	if s.MediatorSees == MediatorFull {
		cfg.MediatorAccess = session.AccessProfiles
	}
	return cfg
}

// mediated reports whether a protocol has a mediator who drafts or
// proposes (session.ProtocolInfo.Mediated): the room then seats the
// scenario's mediator, and the negotiation's owner acts from that seat.
// An unknown protocol is taken as mediated (normalize refuses it).
func mediated(protocol string) bool {
	info, ok := session.Info(protocol)
	return !ok || info.Mediated
}

// turnBased reports whether parties move in turn
// (session.ProtocolInfo.TurnBased).
func turnBased(protocol string) bool {
	info, _ := session.Info(protocol)
	return info.TurnBased
}

// mediatorOf returns the scenario's first party with role mediator.
func mediatorOf(sc *scenario.Scenario) string {
	for _, p := range sc.Parties {
		if p.Role == scenario.Mediator {
			return p.ID
		}
	}
	return ""
}

func encodeSettings(s Settings) []byte {
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("room: settings not encodable: %v", err))
	}
	return b
}

func decodeSettings(b []byte) (Settings, error) {
	var s Settings
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("room: stored settings: %w", err)
	}
	return s, nil
}
