// Package plot draws the utility space of a negotiation for two parties as
// SVG or PNG, using gonum.org/v1/plot.
//
// It takes plain data (a UtilitySpace of (utility of X, utility of Y)
// pairs) and imports no other Parley package, so callers compute the
// frontier, agreement zone and solution points elsewhere and hand over the
// numbers.
//
// # What is drawn
//
// From back to front: a light grid; the outcomes as small translucent grey
// dots; the agreement zone as translucent green dots; the reservation values
// as dashed lines; the Pareto frontier as blue dots joined in order of X;
// traces (sequences of offers) as coloured lines with dots; and solution
// markers, each with its own filled, black-outlined glyph and colour. Earlier
// markers are drawn larger, so markers that coincide (Nash and maximum
// welfare often do) remain visible as nested glyphs.
//
// Both axes run from min(0, data minimum) to max(1, data maximum) with a 4%
// margin and are drawn with equal aspect, so one unit of utility has the
// same length on both axes. The legend is a boxed block below the plot, in as
// few rows as fit the width, so it never hides data. Series that are empty
// are left out of the picture and the legend; an empty UtilitySpace gives
// just the axes.
//
// More than MaxOutcomes outcomes (or zone points) are reduced to an evenly
// strided, deterministic subsample, and the legend says how many are shown.
// Non-finite coordinates are an error.
//
// # Output
//
// SVG is 6 in (SVGSize points) square, PNG is PNGPixels×PNGPixels pixels at
// 133 dpi, with the same layout. Output is deterministic: the same input gives
// the same bytes (the SVG golden test in testdata relies on it). The SVG
// contains no timestamps or generated ids and does not embed fonts (that
// would add about 1 MB): its text asks for "Liberation Sans", the font gonum
// measures text with and rasterises PNGs with, then the metric-compatible
// Arimo, Arial and Helvetica, then sans-serif; only with the last resort can
// text widths differ from the layout. Each dot is one SVG path, so 20,000
// outcomes make an SVG of about 3 MB; prefer PNG for large spaces.
package plot
