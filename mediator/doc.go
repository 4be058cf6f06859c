// Package mediator holds Parley's mediator strategies: the programs that
// play the mediator's seat in the single-text, vote and feedback protocols
// of package session (session.Mediator; session.RunMediated plays a
// session with one). Each strategy is one file:
//
//   - HillClimbing (hill.go, "hill") sees no profile and searches for a
//     package every party votes for, one point at a time; under the vote
//     protocol it is GENIUS's RandomFlippingMediator.
//   - Zone (zone.go) sees the negotiating parties' profiles, when the
//     session allows it, and aims at a bargaining solution of their
//     agreement zone computed by package analysis: Nash ("nash"),
//     Egalitarian ("egalitarian") or KalaiSmorodinsky (kalai.go,
//     "kalai-smorodinsky"); what the parties say narrows the zone it aims
//     into, never its aim.
//
// ByName builds a strategy from its command-line name, as agent.ByName
// builds a negotiator; Names and Help list the names for help texts. A
// strategy is used by one session at a time; every strategy is
// deterministic given its seed and what it is shown.
//
// Adding a strategy: a type implementing session.Mediator in a file of its
// own (or, for a new aim of the zone mediator, a Concept), and one line in
// the registry of byname.go (docs/extending.md).
package mediator
