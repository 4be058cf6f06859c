// Package plot draws the utility space of a negotiation for two parties as
// SVG or PNG, using gonum.org/v1/plot, and the small inline SVG plots of
// reports.
//
// It takes plain data (a UtilitySpace of (utility of X, utility of Y)
// pairs; an OutcomeMap; a BoxPlot) and imports no other Parley package:
// package chart builds that data from the engine's results — the
// frontier, agreement zone, solution points, event logs and scores — and
// hands over the numbers.
//
// # What is drawn (UtilitySpace)
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
//
// # Report plots
//
// OutcomeMapSVG and BoxPlotSVG return an <svg> element to embed in an HTML
// page (the tournament report): hand-written SVG with no script, no
// external resource and no font of its own (the page's), the same string
// for the same input. An OutcomeMap is 260×260: a frame, ticks at 0, ½
// and 1, the frontier as blue dots (joined when it is a frontier of the
// two parties), the outcomes as green dots whose area grows with their
// count, the Nash point as a red diamond, each with a tooltip. A BoxPlot
// is one row per box on a common axis.
package plot
