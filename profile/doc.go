// Package profile holds a party's preferences over a framework: a linear
// additive utility function, a reservation value and/or fallback package
// (BATNA), red lines, a time discount and, for an analyst's estimate of
// another party, uncertainty intervals.
//
// # Utility
//
// For a complete package x the utility is
//
//	u(x) = Σ_i w_i · e_i(x_i)
//
// summed in point order, where w_i is the weight of point i (weights are not
// renormalised, exactly as GENIUS) and e_i the evaluation of the chosen level:
//
//   - options points, ScaleMax (GENIUS): e = score / max score of the point,
//     and 0 when that max is below 1e-5;
//   - options points, ScaleAbsolute (GeniusWeb): e = score as given;
//   - numeric points: a ValueFunc — Linear e = clamp01(Offset + Slope·(x − Origin)),
//     Triangular (GENIUS's, not clamped) or Constant.
//
// A Profile is compiled against its framework into a Table of w_i·e_i per
// point and level, which is what every fast path (analysis, agents) uses.
//
// # Discount
//
// GENIUS semantics: the discounted utility at normalised time t ∈ [0,1] is
// u·d^t; a discount factor d ≤ 0 or d > 1 means no discounting (d = 1).
package profile
