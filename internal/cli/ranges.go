package cli

import (
	"strings"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/framework"
)

// valueRanges lists the values of a numeric point that survive in the
// agreement zone as ranges of consecutive values (": 6–8, 10–12"), then
// those the search could not decide ("; undecided: 13–15"); "" when none
// survives.
func valueRanges(pt *framework.Point, levels []analysis.LevelOverlap) string {
	var out string
	if r := ranges(pt, levels, analysis.Yes); r != "" {
		out = ": " + r
	}
	if r := ranges(pt, levels, analysis.Unknown); r != "" {
		if out == "" {
			out = ": none certain"
		}
		out += "; undecided: " + r
	}
	return out
}

// ranges lists the levels whose possibility is p, as ranges of
// consecutive levels.
func ranges(pt *framework.Point, levels []analysis.LevelOverlap, p analysis.Possibility) string {
	var parts []string
	for l := 0; l < len(levels); {
		if levels[l].Possible != p {
			l++
			continue
		}
		end := l
		for end+1 < len(levels) && levels[end+1].Possible == p {
			end++
		}
		if end == l {
			parts = append(parts, pt.LevelName(l))
		} else {
			parts = append(parts, pt.LevelName(l)+"–"+pt.LevelName(end))
		}
		l = end + 1
	}
	return strings.Join(parts, ", ")
}
