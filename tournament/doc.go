// Package tournament runs ANAC-style tournaments: many negotiations over
// agents × scenarios × role assignments × repetitions, scored per agent with
// confidence intervals.
//
// # Pieces
//
//   - Config (config.go) is a tournament as written in YAML: agents
//     (built-in strategies with parameters, or external agents by url),
//     scenarios (built-in names, scenario files, GENIUS folders and folder
//     patterns), protocol (sao or amop), deadline (rounds or wall time),
//     scoring of no agreement (zero, as ANAC, or reservation), repetitions,
//     seed and the per-call time budget of agents. ParseConfig reports every
//     problem as FILE:LINE:COL: what was expected; Resolve loads the
//     scenarios.
//   - Jobs enumerates the negotiations deterministically. A Job is a plain
//     value that marshals to JSON: everything a worker needs to run it,
//     with a stable ID (a hash of its content) so results can be
//     deduplicated.
//   - Engine.Run runs one job and returns its Result: a function of the job
//     (job → result) that a remote worker can call. An agent whose call
//     exceeds the time budget is abandoned and the result says who.
//   - Runner (runner.go) runs a batch on local worker goroutines, appends
//     results to a JSON-lines file as they finish (fsync'd every 256 results
//     or every second), and resumes an interrupted batch by skipping the
//     jobs with a final result in the file; jobs that did not run
//     (StatusError: an external agent that could not be reached) are run
//     again, and are never scored (Summarize counts them per agent; an
//     agent with no negotiation that ran is unranked).
//   - Summarize (stats.go) scores the agents; WriteCSV and WriteHTML
//     (report.go) write the summary and a self-contained HTML report.
//
// # Role assignments
//
// A scenario with n negotiating parties (its principals with a profile, in
// file order, which is also the turn order) and a tournament with k agents
// give every ordered selection of n distinct agents, k!/(k−n)! assignments
// (with self_play, every n-tuple, kⁿ): agent a plays party 1's profile
// against b on party 2's, and b plays party 1 against a, as ANAC rotates
// profiles. Each assignment is played Repetitions times, with seeds derived
// from the config's seed and the repetition.
//
// See docs/tournaments.md for the config format, scoring definitions and
// figures.
package tournament
