// Package plan is the implementation plan of an agreement: the commitments
// that follow from the agreed package, tied to the framework's points, in
// phases, with owners, deadlines (absolute, or relative to the agreement, to
// entry into force or to a trigger), preconditions ("a referendum only after
// 60 days of uninterrupted ceasefire"), verifiers and the consequences of a
// violation (a snap-back clause becoming due).
//
// Verifiers file reports (compliance, fulfilment, violation with time, place,
// evidence and severity) and parties respond to them (accept or dispute).
// Derive is a pure function from the plan, the agreed package, the dates of
// the agreement and of its entry into force, the reports and responses in
// log order and the clock to each commitment's status (pending, due,
// fulfilled, late, violated, disputed) with its reason, due date and the
// time the status began, rolled up per party and per phase, and to the
// triggers that fired. The rules are in docs/implementation.md.
//
// The package knows only the framework: the scenario file carries a plan
// (its implementation section) and the session log carries the reports.
package plan
