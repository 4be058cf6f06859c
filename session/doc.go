// Package session runs a negotiation as a deterministic state machine fed by
// moves. Every accepted move — and every consequence the engine draws from
// it (an agreement, a deadline, a ratification) — is appended to an
// append-only event log; each event carries who, when (round and wall time)
// and who may see it, and is hash-chained to the one before, so that any
// edit of a stored log is detected. Replaying a log through the same engine
// rebuilds exactly the same state and the same events.
//
// The engine knows no storage, network or UI: a Clock is injected, logs are
// written and read as JSON lines by the caller, and protocols plug in
// through the Protocol interface (stacked alternating offers, the mediator's
// single negotiating text, voting, blind bidding), each registered once with
// its facts (ProtocolInfo: mediated, turn-based, its moves…), which callers
// read through Info and ProtocolInfos instead of testing protocol names. The
// single negotiating text is a Text.
package session
