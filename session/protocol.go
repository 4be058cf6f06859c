package session

import (
	"fmt"
	"slices"
)

// Who makes a protocol move (MoveInfo.By).
const (
	ByParties  = "parties"  // the negotiating parties (Config.Parties)
	ByMediator = "mediator" // the session's mediator (Config.Mediator)
)

// MoveInfo is one move a protocol takes: its kind (KindOffer, KindDraft…)
// and who makes it (ByParties or ByMediator). A kind both may make is
// listed twice, once for each.
type MoveInfo struct {
	Kind string `json:"kind"`
	By   string `json:"by"`
}

// ProtocolInfo is what the callers that offer, configure or present a
// protocol need to know of it: the command line, the room, tournaments,
// the agreement text and the web UI read these facts here instead of
// deriving them from protocol names. The JSON form is what GET
// /api/protocols serves (docs/openapi.yaml); its field names are part of
// the API.
//
// The facts are the engine's own: New refuses a configuration without a
// mediator under a Mediated protocol and without a deadline under one that
// NeedsDeadline; under a TurnBased protocol only Session.TurnParty makes
// moves other than KindEnd; Check accepts exactly the Moves listed, each in
// some state (protocol_test.go holds the engine to this).
type ProtocolInfo struct {
	// Name is the protocol's name in configurations and logs (Config.Protocol).
	Name string `json:"name"`
	// Title is how the agreement text and the UI call it: a lowercase noun
	// phrase ("single negotiating text"); capitalise its first letter for a
	// heading.
	Title string `json:"title"`
	// Description says in one sentence how it runs.
	Description string `json:"description"`
	// Mediated: a mediator drafts or proposes, so a session needs one.
	Mediated bool `json:"mediated"`
	// TurnBased: the parties move one at a time in turn order
	// (Session.TurnParty); otherwise each round waits for a reply from
	// every party, in any order (State.Waiting).
	TurnBased bool `json:"turn_based"`
	// MediatorOptional: a session needs no mediator, and when it has one the
	// protocol gives it moves (Moves lists them). Derived: not Mediated,
	// and some move is ByMediator.
	MediatorOptional bool `json:"mediator_optional"`
	// NeedsDeadline: a session needs a deadline (Config.Rounds or
	// Config.Duration), at which its outcome is decided.
	NeedsDeadline bool `json:"needs_deadline"`
	// Moves are the moves the protocol takes, by whom. Moves every protocol
	// takes from the engine (messages, relays, seats, ratification, reports
	// and responses, faults) are not listed.
	Moves []MoveInfo `json:"moves"`
}

// clone returns a copy of p that shares no memory with it.
func (p ProtocolInfo) clone() ProtocolInfo {
	p.Moves = slices.Clone(p.Moves)
	return p
}

// Takes reports whether the protocol takes moves of kind from by
// (ByParties or ByMediator).
func (p ProtocolInfo) Takes(kind, by string) bool {
	return slices.Contains(p.Moves, MoveInfo{Kind: kind, By: by})
}

// registered is a protocol of the registry: its facts and its constructor.
type registered struct {
	info ProtocolInfo
	make func() Protocol
}

// protocols holds the registered protocols by name; New looks protocols
// up here.
var protocols = map[string]registered{}

// register makes a protocol available to New under info.Name, with its
// facts. It is called from the init function of each protocol's file in
// this package; it fills in the derived facts (MediatorOptional) and
// panics on a name registered twice or facts that contradict each other.
func register(info ProtocolInfo, f func() Protocol) {
	if _, dup := protocols[info.Name]; dup || info.Name == "" {
		panic(fmt.Sprintf("session: protocol %q registered twice or without a name", info.Name))
	}
	if info.Title == "" || info.Description == "" || len(info.Moves) == 0 {
		panic(fmt.Sprintf("session: protocol %q: give its title, description and moves", info.Name))
	}
	if info.Mediated && info.TurnBased {
		panic(fmt.Sprintf("session: protocol %q: a mediated protocol is not turn-based", info.Name))
	}
	byMediator := false
	for i, m := range info.Moves {
		if m.By != ByParties && m.By != ByMediator {
			panic(fmt.Sprintf("session: protocol %q: move %q by %q (want %s or %s)", info.Name, m.Kind, m.By, ByParties, ByMediator))
		}
		if slices.Contains(info.Moves[:i], m) {
			panic(fmt.Sprintf("session: protocol %q: move %q by %s listed twice", info.Name, m.Kind, m.By))
		}
		byMediator = byMediator || m.By == ByMediator
	}
	if info.Mediated && !byMediator {
		panic(fmt.Sprintf("session: protocol %q is mediated and lists no move of the mediator", info.Name))
	}
	info.MediatorOptional = !info.Mediated && byMediator
	protocols[info.Name] = registered{info: info, make: f}
}

// Protocols returns the registered protocol names, sorted.
func Protocols() []string {
	var out []string
	for n := range protocols {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Info returns the facts of the protocol named name, and false when no
// protocol has that name. The result is the caller's to modify.
func Info(name string) (ProtocolInfo, bool) {
	r, ok := protocols[name]
	if !ok {
		return ProtocolInfo{}, false
	}
	return r.info.clone(), true
}

// ProtocolInfos returns the facts of every registered protocol, in the
// order of Protocols (sorted by name). The result is the caller's to
// modify.
func ProtocolInfos() []ProtocolInfo {
	names := Protocols()
	out := make([]ProtocolInfo, len(names))
	for i, n := range names {
		out[i] = protocols[n].info.clone()
	}
	return out
}
