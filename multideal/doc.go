// Package multideal models and runs multi-deal negotiations: a center that
// negotiates one bilateral thread with each of several edges, and values
// the combination of the deals (the ANAC 2025 Automated Negotiation
// League's "shuttle diplomacy" setting, issue 18).
//
// # Model
//
// A Scenario has a Center and one Thread per edge. Each thread has its own
// outcome space (a framework.Framework, possibly shared with other threads)
// and the edge's preferences over it (a profile.Profile, compiled to a
// profile.Table). The center's utility (CenterUtility) is a function of the
// tuple of thread outcomes, one framework.Package per thread, nil for a
// thread that ended without agreement. Its kinds are declarative:
//
//   - combine: a side profile per thread, whose utilities (the side
//     profile's reservation value for a thread without agreement) are
//     combined by max, min, sum, mean, product or a weighted sum (weights
//     normalised to sum 1). anl2025's MaxCenterUFun is combine max, its
//     LinearCombinationCenterUFun combine weighted.
//   - mean-sm: anl2025's MeanSMCenterUFun (mean plus standard deviation of
//     the numbers after the first character of each agreed option).
//   - counts: a table keyed by how many threads agreed on each option of a
//     point every thread shares (anl2025's Dinners center).
//   - quantity: a table keyed by the sum, over the threads that agreed, of
//     the numeric value of a point (anl2025's TargetQuantity center).
//   - table: an explicit table over tuples of thread outcomes.
//
// The lookup kinds give Default when no row matches. Whatever the kind, a
// tuple in which no thread agreed is worth the center's reservation value,
// as anl2025's CenterUFun makes it.
//
// Reservation values follow anl2025: an edge's is its profile's (0 when it
// gives none), and the center's per-thread ("side") utility, used by its
// negotiator in thread i, is the center utility of the tuple made of the
// agreements of threads before i, the candidate outcome at i and no
// agreement after i; its reservation value is the center's.
//
// # Files
//
// Parse and Load read Parley's multi-deal YAML format (docs/multideal.md,
// docs/multideal.schema.json), with every problem reported as
// FILE:LINE:COL. ImportANL reads an anl2025 scenario folder (center.yml and
// edges/*.yml as MultidealScenario.from_folder reads them), including the
// Dinners and TargetQuantity centers defined by Python code, translated to
// the counts and quantity kinds.
//
// # Sessions
//
// Run negotiates the threads one after another (ANL 2025's sequential
// order) under NegMAS's stacked alternating offers with the center first.
// The center's negotiator in thread i sees its side utility given the
// agreements of the threads already finished; each edge sees only its own
// thread. Every thread keeps its own hash-chained log, and a parent Record
// holds each thread's final hash and the outcome.
// With Params.Concurrent (RunConcurrent) the threads run together instead,
// one step of every open thread per global step, the center's utility in a
// thread counting every agreement made so far, updated mid-thread.
//
// The built-in agents Boulware2025, Linear2025, Conceder2025 (NegMAS's
// TimeBased2025 family) and Random2025 reproduce anl2025's negotiator.py.
// anl2025's time-based agents draw among outcomes of nearly equal utility
// with Python's random module; these draw from PyRandom, a reimplementation
// of CPython's Mersenne Twister, so that with the same seed they replay
// anl2025's runs exactly (see the conformance test).
package multideal
