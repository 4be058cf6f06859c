// Package chart builds the data of every plot Parley draws from the
// engine's results: the scenarios, analyses, event logs and scores go in,
// the input of package plot comes out. Package plot draws; package chart
// decides what is drawn — which series, which packages, which labels — so
// that the command line, the negotiation room and the tournament report
// draw the same chart from the same results, and none of them assembles
// plot data of its own.
//
// # Charts
//
// One function per chart, each taking plain inputs and doing no I/O:
//
//   - UtilitySpace: a scenario's utility space for two parties, with the
//     outcomes, the agreement zone, the Pareto frontier of the two, the
//     reservation lines, the suggested packages and the solutions on the
//     whole frontier (parley analyze --svg/--png).
//   - Dance: the negotiation dance, every complete package each party put
//     on the table, against the frontier, the reservation lines, the Nash
//     point and the agreement (parley run --svg/--png; the room's
//     mediator console, dance.svg).
//   - Debrief: where each room of a teaching class ended, against the
//     frontier (the class debrief, debrief.svg).
//   - TournamentOutcomes: where a tournament's negotiations of one
//     scenario ended, with how many ended there, against the frontier and
//     the Nash point (the tournament report).
//   - TournamentScores: one box per agent of a score's distribution with
//     the mean's interval (the tournament report).
//
// The first three give a plot.UtilitySpace (rendered by plot.Write or
// plot.WriteFile as SVG or PNG); the tournament's give a plot.OutcomeMap
// and a plot.BoxPlot (rendered inline by plot.OutcomeMapSVG and
// plot.BoxPlotSVG).
//
// # Confidentiality
//
// A chart draws everything it is given: choosing what a viewer may see is
// the caller's. Dance in particular takes the events as the plot's viewer
// sees them (the room passes the mediator's filtered, redacted view of
// the log; the command line, which ran the whole session, passes all of
// it), and draws the package of every one.
//
// # Errors
//
// An input the chart cannot be built from — a party that is not in the
// scenario or has no profile, fewer than two parties — is an *InputError,
// whose message is fit to show to whoever asked for the chart. Any other
// error comes from a computation (a frontier too large for its budget, a
// context that ended) and wraps the analysis package's error.
package chart
