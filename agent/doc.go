// Package agent holds automated negotiators behind interfaces that people
// (through the room) and programs use alike: time-based concession
// (Boulware, Linear, Conceder), tit-for-tat, hard-headed and random
// negotiators for alternating offers, hill-climbing and annealing voters,
// and bid search near a target utility that works on additive domains far
// too large to enumerate.
//
// Negotiators see only a View: their own profile and table, the clock and
// the public offers; they never see another party's profile. They are
// deterministic: a strategy that draws at random takes a seed in its
// constructor and uses no global generator.
//
// The time-dependent negotiators reproduce GENIUS 10.4's
// AbstractTimeDependentNegotiationParty exactly (target curve, acceptance,
// SortedOutcomeSpace bid choice with its tie-breaking), so that a session
// engine implementing GENIUS's stacked alternating offers protocol with
// View.Time = RoundTime(round, deadline) replays GENIUS's own regression runs
// (see the package tests and docs/agents.md).
//
// BidSpace answers "which package is closest to / at least utility t":
// exactly and in GENIUS's order for spaces up to DefaultExactLimit packages,
// and as a multiple-choice knapsack over discretised utilities, in
// microseconds and within a stated Tolerance, for larger ones. A party's red
// lines (ExcludingRedLines, as every negotiator here uses) split a large
// space into a few boxes of allowed levels, each searched with nothing to
// reject, so every answer is a complete package inside the red lines.
//
// ByName and VoterByName build strategies from command-line names such as
// "boulware", "timedep:e=0.5,floor" or "annealer:t0=0.2"; ByName passes
// options to every negotiator it builds, so WithBidSpace shares a prebuilt
// bid space with any of them. BestPackages lists a party's best packages
// without enumerating the outcome space.
package agent
