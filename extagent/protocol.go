package extagent

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// Versions of the protocol. The agent's GET / handshake names the versions
// it speaks; Parley speaks the highest one both know and sends it in every
// /init. An agent that knows neither is refused (ErrVersion).
const (
	// Version1: /init without party, opponents, scoring; a history of
	// offers; no /end after the agent's own failure before 2026-12.
	Version1 = "parley-agent/1"
	// Version2 adds to version 1's /init the party, the parties (and their
	// agents' names where public), the protocol's description, the scoring
	// rule and the deadline's time base; its history holds every public
	// move (offers, acceptances, walk-outs, votes); its /end says why the
	// negotiation ended (cause, by) and gives the agreement as labels.
	Version2 = "parley-agent/2"
	// Version is the highest version Parley speaks.
	Version = Version2
)

// Versions are the versions Parley speaks, highest first.
var versions = [...]string{Version2, Version1}

// Versions returns the versions Parley speaks, highest first.
func Versions() []string { return slices.Clone(versions[:]) }

// Paths of the protocol, relative to the agent's base URL.
const (
	PathHello = "/"     // GET: the handshake
	PathInit  = "/init" // POST: a negotiation starts
	PathAct   = "/act"  // POST: the agent's turn
	PathEnd   = "/end"  // POST: the negotiation is over
)

// Actions an agent may answer /act with.
const (
	ActionOffer  = "offer"
	ActionAccept = "accept"
	ActionEnd    = "end"
)

// Hello is the agent's answer to GET /.
type Hello struct {
	// Name identifies the agent's strategy, e.g. "py-timedep(e=0.2)".
	Name string `json:"name"`
	// Version is the (highest) protocol version the agent speaks.
	Version string `json:"version"`
	// Versions optionally lists every version the agent speaks (version 2
	// on); Parley picks the highest it knows among Version and Versions.
	Versions []string `json:"versions,omitempty"`
}

// Pick returns the version Parley speaks with an agent that said h, or ""
// when they share none.
func (h Hello) Pick() string {
	for _, v := range versions {
		if h.Version == v || slices.Contains(h.Versions, v) {
			return v
		}
	}
	return ""
}

// Deadline of a negotiation: in rounds, in wall time, or neither (0: none).
// With a round deadline R, round r is at time r/(R+1) (GENIUS's
// DiscreteTimeline); with a wall-time deadline, time is the fraction elapsed.
// Without either, time stays 0.
type Deadline struct {
	Rounds  int     `json:"rounds"`
	Seconds float64 `json:"seconds"`
	// Time (version 2) says what /act's time measures: TimeRounds,
	// TimeSeconds, or TimeNone (no deadline: time is always 0).
	Time string `json:"time,omitempty"`
}

// Time bases of a Deadline.
const (
	TimeRounds  = "rounds"
	TimeSeconds = "seconds"
	TimeNone    = "none"
)

// PartyInfo names a negotiating party (version 2).
type PartyInfo struct {
	// Index is the party's place in turn order (0 moves first).
	Index int `json:"index"`
	// ID is the party's id in the scenario, Name its display name.
	ID   string `json:"id"`
	Name string `json:"name"`
	// Agent is the name of the agent playing the party, when the
	// configuration makes it public (tournaments and parley run do);
	// omitted otherwise.
	Agent string `json:"agent,omitempty"`
}

// ProtocolInfo describes the session protocol (version 2).
type ProtocolInfo struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description"`
	// Moves are the kinds of move the parties make under it (an external
	// agent answers /act with offer, accept or end; amop's votes follow
	// Parley's rule for automated parties).
	Moves []string `json:"moves"`
}

// Scoring says what a party's result is scored by (version 2).
type Scoring struct {
	// Rule is ScoreUtility (the party's own undiscounted utility of the
	// agreement) or ScoreDiscounted (discounted to the time of agreement
	// by the profile's discount).
	Rule string `json:"rule"`
	// NoAgreement is what a negotiation without agreement scores:
	// "reservation" (the party's reservation value) or "zero".
	NoAgreement string `json:"no_agreement"`
	// Note says more in words (e.g. that a tournament ranks by the mean).
	Note string `json:"note,omitempty"`
}

// Scoring rules.
const (
	ScoreUtility    = "utility"
	ScoreDiscounted = "discounted_utility"
)

// HistoryDelta is the only history policy: each /act carries the moves
// since the party's previous /act, and history_start their place.
const HistoryDelta = "delta"

// Table is the party's own profile compiled against the framework:
// Contrib[i][l] is the weighted evaluation of level l of point i, so a
// package's utility is Σ_i Contrib[i][package[i]] (plus, for a profile
// with interactions, their values: see Interactions). It is derived from the
// profile sent alongside and given so that agents need not re-implement the
// evaluation of numeric points (and can check their own).
type Table struct {
	Contrib [][]float64 `json:"contrib"`
	// Reservation is the effective reservation value: the larger of the
	// declared reservation and the fallback's utility; 0 when neither.
	Reservation    float64 `json:"reservation"`
	HasReservation bool    `json:"has_reservation"`
	// Min and Max are the lowest and highest utility a package can reach.
	Min float64 `json:"min"`
	Max float64 `json:"max"`
	// Interactions (version 2) are the profile's non-additive terms,
	// present only when it has some, in the order a package's utility
	// adds them: utility = Σ_i Contrib[i][package[i]], with the value of
	// each interaction that applies added right after the contribution of
	// its point Last (see TableInteraction). Version 1 tables are additive
	// only: Parley refuses to start a version 1 agent on a profile with
	// interactions (ErrNonAdditive).
	Interactions []TableInteraction `json:"interactions,omitempty"`
}

// TableInteraction is an interaction compiled against the framework: Value
// applies to a package when every term matches (its level on the term's
// point is one of the term's levels), or, when Outside, when some term
// does not match.
type TableInteraction struct {
	Terms   []TableTerm `json:"terms"`
	Value   float64     `json:"value"`
	Outside bool        `json:"outside,omitempty"`
	// Last is the largest point index of the terms: the value is added
	// right after that point's contribution (interactions with the same
	// Last in the order listed), which makes the sum bit-exact.
	Last int `json:"last"`
}

// TableTerm is a term of a TableInteraction: the point by index and id,
// its matching levels by index and by id (option ids; for numeric
// points the level's value as a string).
type TableTerm struct {
	Point    int      `json:"point"`
	PointID  string   `json:"point_id"`
	Levels   []int    `json:"levels"`
	LevelIDs []string `json:"level_ids"`
}

// InitRequest is the body of POST /init: everything a party may know when a
// negotiation starts. Profile is this party's own profile, never another's.
type InitRequest struct {
	Version     string `json:"version"`
	Negotiation string `json:"negotiation"`
	// Self is the party's index in turn order (0-based), Parties how many
	// negotiate.
	Self    int `json:"self"`
	Parties int `json:"parties"`
	// Protocol is the session protocol: "sao" (stacked alternating offers)
	// or "amop" (alternating multiple offers).
	Protocol  string               `json:"protocol"`
	Framework *framework.Framework `json:"framework"`
	// Levels is the number of levels of every point (options, integers, or
	// real steps), in framework order: a package's entries range over them.
	Levels   []int            `json:"levels"`
	Profile  *profile.Profile `json:"profile"`
	Table    *Table           `json:"table"`
	Deadline Deadline         `json:"deadline"`

	// Version 2 only (absent from version 1 messages).

	// Party is this party; PartiesInfo every negotiating party in turn
	// order (PartiesInfo[Self] is Party).
	Party       *PartyInfo  `json:"party,omitempty"`
	PartiesInfo []PartyInfo `json:"parties_info,omitempty"`
	// ProtocolInfo describes Protocol.
	ProtocolInfo *ProtocolInfo `json:"protocol_info,omitempty"`
	// Scoring is what the result is scored by; omitted when the caller
	// did not say (extagent.WithScoring).
	Scoring *Scoring `json:"scoring,omitempty"`
	// HistoryPolicy is HistoryDelta.
	HistoryPolicy string `json:"history_policy,omitempty"`
}

// Offer is one offer of the public history.
type Offer struct {
	// By is the index of the party who made it, Round the round it was made in.
	By      int               `json:"by"`
	Round   int               `json:"round"`
	Package framework.Package `json:"package"`
}

// Move is one move of the public history: in version 1 an offer (Kind
// empty); in version 2 an offer, acceptance, walk-out or vote.
type Move struct {
	// By is the index of the party who moved, Round the round it moved in.
	By    int    `json:"by"`
	Round int    `json:"round"`
	Kind  string `json:"kind,omitempty"`
	// Package is the package offered, accepted or voted on (none for end).
	Package framework.Package `json:"package,omitempty"`
	// Vote is the vote of a vote move.
	Vote *bool `json:"vote,omitempty"`
}

// ActRequest is the body of POST /act, sent at each of the party's turns.
type ActRequest struct {
	Negotiation string `json:"negotiation"`
	// Time is normalised time in [0,1] (see Deadline); Round is 1-based.
	Time  float64 `json:"time"`
	Round int     `json:"round"`
	// Current is the offer on the table, null when none (the first turn, or
	// the offer phase of amop).
	Current *Offer `json:"current"`
	// CanAccept tells whether "accept" is a valid answer now (an offer is on
	// the table).
	CanAccept bool `json:"can_accept"`
	// History holds the offers (version 1) or moves (version 2) made since
	// the party's previous /act of this negotiation (at the first /act,
	// every one so far), oldest first, including the party's own.
	// HistoryStart is the index of History[0] in the full public history,
	// so that the agent can check it missed nothing: it equals the number
	// of entries the agent has already been sent.
	History      []Move `json:"history"`
	HistoryStart int    `json:"history_start"`
}

// Answer is the agent's reply to /act.
type Answer struct {
	// Action is "offer", "accept" or "end".
	Action string `json:"action"`
	// Package is the complete package offered (one level per point), for
	// "offer". With "accept" it may be given and must then be the offer on
	// the table.
	Package framework.Package `json:"package,omitempty"`
}

// EndRequest is the body of POST /end: the negotiation's outcome.
type EndRequest struct {
	Negotiation string `json:"negotiation"`
	// Status is the session's status: "in-force" or "pending-ratification"
	// with an agreement, "no-agreement", "failed" (ratification refused) or
	// "abandoned" (the session stopped without reporting an outcome).
	Status string `json:"status"`
	// Agreement is the agreed package, null without agreement.
	Agreement framework.Package `json:"agreement"`
	Reason    string            `json:"reason,omitempty"`
	Round     int               `json:"round"`
	Time      float64           `json:"time"`
	// Utility is the party's own (undiscounted) utility of the agreement,
	// null without agreement.
	Utility *float64 `json:"utility"`

	// Version 2 only.

	// Cause says why the negotiation ended, in one word (Cause*); By is
	// the id of the party it is due to (the one that walked away, or whose
	// agent failed), when there is one.
	Cause string `json:"cause,omitempty"`
	By    string `json:"by,omitempty"`
	// OwnError is this agent's own failure in the negotiation (a timeout,
	// a malformed or invalid answer), as Parley recorded it.
	OwnError string `json:"own_error,omitempty"`
	// AgreementLabels gives the agreement by point id: the option's id,
	// the integer, or the real value as text.
	AgreementLabels map[string]string `json:"agreement_labels,omitempty"`
}

// Causes of the end of a negotiation (EndRequest.Cause, version 2).
const (
	CauseAgreement  = "agreement"   // an agreement was reached
	CauseDeadline   = "deadline"    // the round or time limit passed
	CauseWalkedAway = "walked-away" // a party ended the talks (By)
	CauseAgentError = "agent-error" // a party's agent failed (By): a malformed or invalid answer, an error status, a crash
	CauseTimeout    = "timeout"     // a party's agent did not answer in time (By)
	CauseRejected   = "rejected"    // the decision rule or a ratification refused the deal
	CauseAbandoned  = "abandoned"   // the runner gave up the negotiation without an outcome
	CauseStopped    = "stopped"     // the session was stopped while still open
)

// Ack is the reply to /init and /end.
type Ack struct {
	OK bool `json:"ok"`
}

// ErrorReply is the body of a non-200 answer.
type ErrorReply struct {
	Error string `json:"error"`
}

// Errors recorded by a Remote (test them with errors.Is).
var (
	// ErrTimeout: the agent did not answer within the per-call timeout.
	ErrTimeout = errors.New("extagent: agent did not answer in time")
	// ErrBudget: the agent used up its time budget for the negotiation.
	ErrBudget = errors.New("extagent: agent exceeded its time budget")
	// ErrTransport: the agent could not be reached or the connection broke.
	ErrTransport = errors.New("extagent: cannot reach agent")
	// ErrStatus: the agent answered with an HTTP status other than 200.
	ErrStatus = errors.New("extagent: agent answered with an error status")
	// ErrTooLarge: the answer exceeded the response size limit.
	ErrTooLarge = errors.New("extagent: agent's answer is too large")
	// ErrMalformed: the answer is not the JSON the protocol asks for.
	ErrMalformed = errors.New("extagent: malformed answer")
	// ErrInvalid: a well-formed answer that is not a valid move now (package
	// of the wrong length or with a level out of range, accept with nothing
	// on the table, unknown action).
	ErrInvalid = errors.New("extagent: invalid answer")
	// ErrVersion: the agent speaks another protocol version.
	ErrVersion = errors.New("extagent: protocol version mismatch")
)

// decodeStrict decodes exactly one JSON value from body into v: trailing
// data other than white space is an error. Unknown fields are ignored, so
// that later versions may add some.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}

// ParseAnswer reads and validates an agent's reply to /act. levels gives
// the number of levels of every point (Framework.Radix); current is the
// package on the table (nil when none, and then "accept" is invalid). For
// "accept" the action's package is a copy of current.
func ParseAnswer(body []byte, levels []int, current framework.Package) (agent.Action, error) {
	var raw struct {
		Action  *string         `json:"action"`
		Package json.RawMessage `json:"package"`
	}
	if !isObject(body) {
		return agent.Action{}, fmt.Errorf("%w: want a JSON object, got %s", ErrMalformed, quote(body))
	}
	if err := decodeStrict(body, &raw); err != nil {
		return agent.Action{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if raw.Action == nil {
		return agent.Action{}, fmt.Errorf("%w: no \"action\"", ErrMalformed)
	}
	var pkg framework.Package
	hasPkg := len(raw.Package) > 0 && string(raw.Package) != "null"
	if hasPkg {
		if err := json.Unmarshal(raw.Package, &pkg); err != nil {
			return agent.Action{}, fmt.Errorf("%w: \"package\" is not an array of integers: %v", ErrMalformed, err)
		}
	}
	switch *raw.Action {
	case ActionOffer:
		if !hasPkg {
			return agent.Action{}, fmt.Errorf("%w: an offer needs a \"package\"", ErrInvalid)
		}
		if err := CheckPackage(pkg, levels); err != nil {
			return agent.Action{}, err
		}
		return agent.Action{Kind: agent.MakeOffer, Package: pkg}, nil
	case ActionAccept:
		if current == nil {
			return agent.Action{}, fmt.Errorf("%w: accept with no offer on the table", ErrInvalid)
		}
		if hasPkg && !slices.Equal(pkg, current) {
			return agent.Action{}, fmt.Errorf("%w: accept of %v, but the offer on the table is %v", ErrInvalid, pkg, current)
		}
		return agent.Action{Kind: agent.Accept, Package: current.Clone()}, nil
	case ActionEnd:
		return agent.Action{Kind: agent.EndTalks}, nil
	}
	return agent.Action{}, fmt.Errorf("%w: action %s (want %q, %q or %q)", ErrInvalid, quote([]byte(*raw.Action)), ActionOffer, ActionAccept, ActionEnd)
}

// CheckPackage verifies that pkg is a complete package: one level per point,
// each in [0, levels[i]).
func CheckPackage(pkg framework.Package, levels []int) error {
	if len(pkg) != len(levels) {
		return fmt.Errorf("%w: package has %d entries, the framework %d points", ErrInvalid, len(pkg), len(levels))
	}
	for i, l := range pkg {
		if l < 0 || l >= levels[i] {
			return fmt.Errorf("%w: package entry %d is %d, outside 0..%d", ErrInvalid, i, l, levels[i]-1)
		}
	}
	return nil
}

// isObject reports whether the first non-space byte of b opens an object.
func isObject(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '{'
}

// quote returns a short, printable excerpt of b for error messages.
func quote(b []byte) string {
	const max = 120
	s := string(b)
	if len(b) > max {
		s = string(b[:max]) + "…"
	}
	return fmt.Sprintf("%q", s)
}
