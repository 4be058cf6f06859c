package tournament

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// ProgressBar returns a Runner.Progress function that draws a bar with the
// rate and ETA on w, redrawn in place at most ten times a second (for a
// terminal).
func ProgressBar(w io.Writer) func(Progress) {
	var last time.Time
	return func(p Progress) {
		if !p.Final && time.Since(last) < 100*time.Millisecond && p.Done < p.Total {
			return
		}
		last = time.Now()
		const width = 30
		frac := 1.0
		if p.Total > 0 {
			frac = float64(p.Done) / float64(p.Total)
		}
		n := int(frac * width)
		bar := strings.Repeat("=", n)
		if n < width {
			bar += ">" + strings.Repeat(" ", width-n-1)
		}
		fmt.Fprintf(w, "\r[%s] %d/%d %5.1f%% %s", bar, p.Done, p.Total, 100*frac, rateETA(p))
		if p.Final {
			fmt.Fprintln(w)
		}
	}
}

// ProgressLog returns a Runner.Progress function that writes a plain line
// to w every interval (and at the start and end), for logs.
func ProgressLog(w io.Writer, interval time.Duration) func(Progress) {
	var last time.Time
	return func(p Progress) {
		first := last.IsZero()
		if !first && !p.Final && time.Since(last) < interval {
			return
		}
		last = time.Now()
		switch {
		case first:
			fmt.Fprintf(w, "tournament: %d negotiations, %d already done, %d to run\n", p.Total, p.Skipped, p.Total-p.Skipped)
		case p.Final:
			fmt.Fprintf(w, "tournament: %d/%d done in %s %s\n", p.Done, p.Total, p.Elapsed.Round(time.Millisecond), rateETA(p))
		default:
			fmt.Fprintf(w, "tournament: %d/%d done (%.1f%%) %s\n", p.Done, p.Total, 100*float64(p.Done)/float64(max(p.Total, 1)), rateETA(p))
		}
	}
}

func rateETA(p Progress) string {
	if p.Rate <= 0 {
		return ""
	}
	s := fmt.Sprintf("%.0f/s", p.Rate)
	if !p.Final && p.Done < p.Total {
		s += " ETA " + p.ETA.Round(time.Second).String()
	}
	return s
}
