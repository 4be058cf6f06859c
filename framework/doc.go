// Package framework holds what is negotiated: the points (issues) of a
// framework, the options of each point, and packages (outcomes) that pick one
// option per point.
//
// A point is one of three kinds:
//
//   - Options: discrete labelled options, each of which may carry the clause
//     text that goes into an agreement if the option is chosen;
//   - Integer: every integer in [Min, Max];
//   - Real: the interval [Min, Max], which the engine represents by Steps
//     evenly spaced levels (Min and Max included) wherever it must enumerate.
//
// Every point therefore has a finite number of levels, and a Package is a
// slice holding one level index per point (Open for a point left open in a
// partial package). The package imports nothing else of Parley.
package framework
