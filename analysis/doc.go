// Package analysis computes, exactly, what a mediator wants to know about a
// framework and the parties' profiles: the Pareto frontier, the classic
// bargaining solutions, the agreement zone and per-point overlap, distances of
// any package to the frontier and to the Nash point, and the robustness of a
// package when profiles are uncertain.
//
// # Definitions
//
// Utilities are those of package profile (GENIUS semantics, undiscounted).
// For parties 1..n with utility vector u(x) of package x and reservation
// (disagreement) vector r:
//
//   - Pareto frontier: every package not strictly dominated (no other package
//     is at least as good for all and better for one). Exact ties are kept:
//     a frontier Point is a distinct utility vector with the number of
//     packages that reach it and the lexicographically smallest of them
//     (lowest mixed-radix index, first point most significant) as witness.
//   - Nash: the frontier point maximising Π(u_i − r_i) among points with
//     u_i ≥ r_i for all i (none if no such point).
//     NashGENIUS is GENIUS's variant: the maximum over all frontier points,
//     without excluding points below a reservation value.
//   - Kalai–Smorodinsky (textbook): with ideal point I_i = max u_i over
//     individually rational frontier points, the point maximising
//     min_i (u_i − r_i)/(I_i − r_i), i.e. the frontier point closest along the
//     segment from r to I (ties: higher welfare, then lower witness).
//   - GENIUSKalai: GENIUS's "Kalai", the frontier point minimising
//     Σ_{i<j} |u_i − u_j| (not the textbook Kalai–Smorodinsky point).
//   - MaxWelfare: maximises Σ u_i; Egalitarian: maximises min_i (u_i − r_i)
//     over individually rational points.
//
// All ties between solution candidates are broken by the lowest witness,
// which is how the reference values were computed.
//
// # Algorithms
//
// Frontiers of explicit points use a sort–sweep for two parties, two
// Fenwick-tree sweeps for three (O(n log n)) and a k-d tree dominance query
// per vector, over all cores, for more (never NegMAS's O(n²) filter). The
// zone frontier without red lines is the frontier filtered by the
// reservation values, not a second merge. WhatIf answers a changed
// reservation value or weight incrementally; FrontierOptions.Epsilon asks
// for an approximate frontier with a stated error bound. For additive
// profiles, FrontierAdditive merges per-point contributions point by point
// and prunes dominated partial sums after each point, so its cost follows the
// frontier's size, not the outcome space's; red lines that combine several
// points are honoured exactly by keeping partial sums apart until every point
// of the red line has been chosen; interactions (non-additive profiles) are
// merged exactly the same way, kept apart by which of them may still
// match, their values added at their last point. Partial sums are accumulated in point
// order, exactly as profile.Table.Utility does, so frontier utilities equal
// those of brute-force enumeration bit for bit; two packages whose utilities
// tie only after floating-point rounding may be merged into one point.
package analysis
