package cli

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/spf13/cobra"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/multideal"
)

// multidealAnalysis is the JSON of parley multideal analyze.
type multidealAnalysis struct {
	Scenario string `json:"scenario"`
	// Exact is false when the combined space was sampled (values are then
	// achievable lower bounds, not proven best).
	Exact  bool                    `json:"exact"`
	Tuples float64                 `json:"tuples"`
	Best   multidealBest           `json:"best"`
	Thread []multidealThreadReport `json:"threads"`
}

type multidealBest struct {
	Center   float64             `json:"center"`
	Outcomes []map[string]string `json:"outcomes"` // per thread; null: no agreement
}

type multidealThreadReport struct {
	Edge       string                    `json:"edge"`
	Acceptable int                       `json:"acceptable"`
	Without    float64                   `json:"center_best_without_agreement"`
	BestWith   *float64                  `json:"center_best_given_best_agreement,omitempty"`
	WorstWith  *float64                  `json:"center_best_given_worst_agreement,omitempty"`
	Frontier   []multideal.FrontierPoint `json:"frontier"`
}

func newMultidealAnalyze(e *env) *cobra.Command {
	var (
		jsonOut bool
		anl     anlFlags
	)
	c := &cobra.Command{
		Use:   "analyze FILE_OR_ANL_FOLDER_OR_BUILTIN",
		Short: "Best combination, center-vs-edge frontiers, each thread's impact",
		Long: `Analyze computes, for a multi-deal scenario, under the edges' reservation
values (an edge accepts only packages worth at least its reservation; any
thread may end without agreement): the best combination of thread outcomes
for the center, per thread the frontier of the center against that edge
(the edge's utility of each acceptable outcome and the center's best value
given it, the other threads at best), and what the thread's agreement does
to the center's best value (no agreement, its best and its worst acceptable
agreement). Exact unless the reduced combined space is too large, when it
samples and says so (multideal.Analysis; docs/multideal.md).`,
		Example: `  parley multideal analyze miami-shuttle
  parley multideal analyze multideal/testdata/dinners.yml --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := anl.load(cmd, args[0])
			if err != nil {
				return err
			}
			a, err := multideal.Analyze(s)
			if err != nil {
				return fmt.Errorf("multideal analyze: %w", err)
			}
			rep := multidealReport(s, a)
			if jsonOut {
				return writeJSON(e.stdout, rep)
			}
			writeMultidealAnalysis(e.stdout, s, rep)
			return nil
		},
	}
	c.Flags().BoolVar(&jsonOut, "json", false, "print the analysis as JSON")
	anl.add(c)
	return c
}

// multidealReport gathers the analysis's answers.
func multidealReport(s *multideal.Scenario, a *multideal.Analysis) multidealAnalysis {
	best := a.Best()
	rep := multidealAnalysis{Scenario: s.Name, Exact: a.Exact, Tuples: a.Size, Best: multidealBest{Center: best.Center}}
	for i, th := range s.Threads {
		rep.Best.Outcomes = append(rep.Best.Outcomes, packageIDs(th.Framework, best.Outcomes[i]))
		im := a.Impact(i)
		tr := multidealThreadReport{Edge: th.Edge, Acceptable: a.Acceptable[i], Without: im.Without, Frontier: a.Frontier(i)}
		if im.Agreeable {
			b, w := im.Best, im.Worst
			tr.BestWith, tr.WorstWith = &b, &w
		}
		rep.Thread = append(rep.Thread, tr)
	}
	return rep
}

// packageIDs names a thread outcome's options by id (nil: no agreement).
func packageIDs(f *framework.Framework, p framework.Package) map[string]string {
	if p == nil {
		return nil
	}
	return f.IDs(p)
}

func writeMultidealAnalysis(w io.Writer, s *multideal.Scenario, rep multidealAnalysis) {
	how := "exact"
	if !rep.Exact {
		how = "ESTIMATED from a sample (values are achievable, not proven best)"
	}
	fmt.Fprintf(w, "%s: %d threads, %.0f reduced tuples of thread outcomes, %s\n", rep.Scenario, len(rep.Thread), rep.Tuples, how)
	fmt.Fprintf(w, "Best combination for the center: %.6g\n", rep.Best.Center)
	for i, th := range s.Threads {
		deal := "no agreement"
		if o := rep.Best.Outcomes[i]; o != nil {
			var parts []string
			for _, pt := range th.Framework.Points {
				parts = append(parts, pt.ID+"="+o[pt.ID])
			}
			deal = strings.Join(parts, ", ")
		}
		fmt.Fprintf(w, "  thread %d %-10s %s\n", i+1, th.Edge, deal)
	}
	for i, tr := range rep.Thread {
		fmt.Fprintf(w, "\nThread %d (%s): %d acceptable outcomes\n", i+1, tr.Edge, tr.Acceptable)
		fmt.Fprintf(w, "  center's best value: %.6g without agreement", tr.Without)
		if tr.BestWith != nil {
			fmt.Fprintf(w, ", %.6g given its best agreement, %.6g given its worst", *tr.BestWith, *tr.WorstWith)
		} else {
			fmt.Fprint(w, "; the edge accepts no package")
		}
		fmt.Fprintln(w)
		shown := tr.Frontier
		note := ""
		if len(shown) > maxFrontierLines {
			shown = evenlySpaced(shown, maxFrontierLines)
			note = fmt.Sprintf("; %d evenly spaced shown, --json lists all", maxFrontierLines)
		}
		fmt.Fprintf(w, "  frontier center vs %s (%d points%s): edge utility → center's best value\n", tr.Edge, len(tr.Frontier), note)
		for _, p := range shown {
			what := "no agreement"
			if p.Package != nil {
				what = formatIDs(s.Threads[i].Framework, p.Package)
			}
			if math.IsNaN(p.Center) {
				continue
			}
			fmt.Fprintf(w, "    %.6g → %.6g  %s\n", p.Edge, p.Center, what)
		}
	}
}

func formatIDs(f *framework.Framework, p framework.Package) string {
	parts := make([]string, len(p))
	for k, l := range p {
		parts[k] = f.Points[k].ID + "=" + f.Points[k].LevelID(l)
	}
	return strings.Join(parts, ", ")
}

// maxFrontierLines bounds the frontier points the text report lists per thread.
const maxFrontierLines = 12

// evenlySpaced returns k points of pts (k ≥ 2), the first and the last
// among them, evenly spaced in pts's order.
func evenlySpaced(pts []multideal.FrontierPoint, k int) []multideal.FrontierPoint {
	out := make([]multideal.FrontierPoint, 0, k)
	for i := range k {
		out = append(out, pts[i*(len(pts)-1)/(k-1)])
	}
	return out
}
