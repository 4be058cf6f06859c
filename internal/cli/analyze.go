package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/chart"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/plot"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
)

type analyzeFlags struct {
	profiles    string
	parties     string
	json        bool
	svg, png    string
	plotParties string
	overlapSVG  string
	overlapPNG  string
	seed        uint64
	samples     int
	enumLimit   int64
	maxPoints   int
	maxWork     int64
	timeout     time.Duration
	progress    bool
	quiet       bool
	allPoints   bool
	jsonPoints  int
	epsilon     float64
	whatIf      []string
}

func newAnalyze(e *env) *cobra.Command {
	var fl analyzeFlags
	c := &cobra.Command{
		Use:   "analyze [SCENARIO]",
		Short: "Analyse a scenario: frontier, solutions, agreement zone, overlap",
		Long: `Analyse a scenario: the Pareto frontier, the bargaining solutions (Nash,
Kalai–Smorodinsky, GENIUS's Kalai, max welfare, egalitarian), the agreement zone
(packages every principal rates at least its reservation value or fallback,
crossing nobody's red lines), which options of each point survive in it, and
suggested packages inside the zone.

SCENARIO is a scenario file (YAML/JSON), a GENIUS domain folder, or a built-in
name; without it, the built-in miami-2025 scenario is analysed.`,
		Example: `  parley analyze
  parley analyze my-talks.yaml --json
  parley analyze miami-2025 --what-if russia.reservation=0.5 \
      --what-if ukraine.weight.p03-security-guarantees=0.2
  parley analyze ../shared/data/genius/domains/Party \
      --profiles party1_utility.xml,party2_utility.xml --svg party.svg`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			arg := ""
			if len(args) == 1 {
				arg = args[0]
			}
			return runAnalyze(e, arg, &fl)
		},
	}
	f := c.Flags()
	f.StringVar(&fl.profiles, "profiles", "", "GENIUS folder: comma-separated profile files, in party order (default: every linear profile)")
	f.StringVar(&fl.parties, "parties", "", "comma-separated party ids to analyse (default: every principal with a profile)")
	f.BoolVar(&fl.json, "json", false, "print the full report as JSON")
	f.StringVar(&fl.svg, "svg", "", "write a plot of the utility space to this SVG file")
	f.StringVar(&fl.png, "png", "", "write a plot of the utility space to this PNG file")
	f.StringVar(&fl.plotParties, "plot-parties", "", "the party ids on the plot's axes, 2 to 4 (default: every party, the first 4 of more); with 3 or more, a panel per pair")
	f.StringVar(&fl.overlapSVG, "overlap-svg", "", "write the per-point overlap chart to this SVG file")
	f.StringVar(&fl.overlapPNG, "overlap-png", "", "write the per-point overlap chart to this PNG file")
	f.Uint64Var(&fl.seed, "seed", 1, "seed for every sampled figure")
	f.IntVar(&fl.samples, "samples", 1_000_000, "random packages drawn when the space is too large to count exactly")
	f.Int64Var(&fl.enumLimit, "enum-limit", 50_000_000, "largest space whose agreement zone is counted exactly")
	f.IntVar(&fl.maxPoints, "max-frontier", 4_000_000, "largest intermediate frontier allowed")
	f.Int64Var(&fl.maxWork, "max-work", analysis.DefaultMaxWork, "work budget of each frontier computation, in dominance comparisons (-1: none)")
	f.DurationVar(&fl.timeout, "timeout", 10*time.Minute, "stop the analysis after this long (0: never)")
	f.BoolVar(&fl.progress, "progress", false, "report progress on stderr even when it is not a terminal")
	f.BoolVarP(&fl.quiet, "quiet", "q", false, "nothing on stderr but errors: no progress, no warnings")
	f.BoolVar(&fl.allPoints, "frontier", false, "list every frontier point in the text report")
	f.Float64Var(&fl.epsilon, "epsilon", 0, "approximate frontiers: every exact frontier point is within this utility of a listed one for every party (0: exact; the report says approximate and gives the bound)")
	f.IntVar(&fl.jsonPoints, "json-points", 100_000, "with --json, the most points of each frontier listed (an evenly spaced subset past it, marked truncated; 0: every point, streamed)")
	f.StringArrayVar(&fl.whatIf, "what-if", nil, "analyse as if one number were different: PARTY.reservation=VALUE or PARTY.weight.POINT=VALUE (repeatable, applied in order; the report says what was changed)")
	return c
}

func runAnalyze(e *env, arg string, fl *analyzeFlags) error {
	switch {
	case fl.samples < 1:
		return usagef("--samples %d: want at least 1", fl.samples)
	case fl.timeout < 0:
		return usagef("--timeout %v: want 0 (no limit) or more", fl.timeout)
	case fl.enumLimit < 0:
		return usagef("--enum-limit %d: want 0 (always sample) or more", fl.enumLimit)
	case fl.epsilon < 0 || math.IsNaN(fl.epsilon) || math.IsInf(fl.epsilon, 0):
		return usagef("--epsilon %v: want 0 (exact) or a positive utility", fl.epsilon)
	case fl.jsonPoints < 0:
		return usagef("--json-points %d: want 0 (every point) or more", fl.jsonPoints)
	}
	sc, err := loadScenario(arg, splitList(fl.profiles))
	if err != nil {
		return err
	}
	if !fl.quiet {
		printWarnings(e, sc)
	}
	space, err := analysis.FromScenario(sc, splitList(fl.parties)...)
	if err != nil {
		return usageError{err}
	}
	changes, err := resolveWhatIfs(sc, space, fl.whatIf)
	if err != nil {
		return err
	}
	progress := !fl.quiet && (fl.progress || isTerminal(e.stderr))
	start := time.Now()
	ctx := context.Background()
	if fl.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, fl.timeout, errAnalyzeTimeout)
		defer cancel()
	}
	opts := analysis.Options{
		Seed:     fl.seed,
		Frontier: analysis.FrontierOptions{MaxPoints: fl.maxPoints, MaxWork: fl.maxWork, Epsilon: fl.epsilon},
		Zone:     analysis.ZoneOptions{EnumLimit: fl.enumLimit, Samples: fl.samples, Seed: fl.seed},
	}
	if progress {
		opts.Stage = func(name string) { fmt.Fprintf(e.stderr, "[%6.2fs] %s…\n", time.Since(start).Seconds(), name) }
		lastPoint := time.Now()
		opts.Frontier.Progress = func(done, total int) {
			if time.Since(lastPoint) > 500*time.Millisecond {
				lastPoint = time.Now()
				fmt.Fprintf(e.stderr, "[%6.2fs]   point %d of %d merged (Ctrl-C stops)\n", time.Since(start).Seconds(), done, total)
			}
		}
		var mu sync.Mutex
		last := time.Now()
		opts.Zone.Progress = func(done, total int64) {
			mu.Lock()
			defer mu.Unlock()
			if time.Since(last) > 500*time.Millisecond {
				last = time.Now()
				fmt.Fprintf(e.stderr, "[%6.2fs]   %.1f%% of %d packages\n", time.Since(start).Seconds(), 100*float64(done)/float64(total), total)
			}
		}
	}
	var rep *analysis.Report
	var applied []whatIfApplied
	var effects *analysis.InteractionEffects
	if len(changes) > 0 {
		// The changes are made to the space as the engine's what-if makes
		// them (analysis.SpaceEditor), and the changed space is analysed
		// once: the figures are those the room's incremental what-if gives
		// (the engine's tests check it), at the cost of one analysis.
		if space, applied, err = whatIfSpace(space, changes); err != nil {
			return analyzeError(err, fl)
		}
	}
	if analysis.HasInteractions(space) {
		// The interactions' effect compares with the same analysis without
		// them (a view over every profile, like the rest of the report):
		// computed with it, sharing the work (its errors say
		// "interactions: ").
		rep, effects, err = analysis.AnalyzeWithEffects(ctx, space, opts, analysis.DefaultEffectExamples)
	} else {
		rep, err = analysis.AnalyzeContext(ctx, space, opts)
	}
	if err != nil {
		return analyzeError(err, fl)
	}
	if fl.svg != "" || fl.png != "" || fl.overlapSVG != "" || fl.overlapPNG != "" {
		if err := writePlots(ctx, sc, space, rep, effects, fl); err != nil {
			return analyzeError(err, fl)
		}
	}
	if fl.json {
		return writeReportJSONWhatIf(e.stdout, sc, rep, fl.jsonPoints, applied, effects)
	}
	writeText(e.stdout, sc, space, rep, fl.allPoints, applied)
	if effects != nil {
		writeInteractionEffects(e.stdout, sc, space, rep, effects)
	}
	return nil
}

// errAnalyzeTimeout is the cause of an analysis stopped by --timeout.
var errAnalyzeTimeout = errors.New("--timeout reached")

// analyzeError says why the analysis stopped and what to do about it.
func analyzeError(err error, fl *analyzeFlags) error {
	const simplify = "or simplify the scenario: fewer points or options, fewer red lines that combine several points"
	switch {
	case errors.Is(err, errAnalyzeTimeout):
		return fmt.Errorf("%w; the analysis did not finish within %v. It is exact, and its cost grows with the frontier's size: allow more time (--timeout 1h, or 0 for no limit; --progress shows how far it gets), %s", err, fl.timeout, simplify)
	case errors.Is(err, analysis.ErrWorkBudget):
		return fmt.Errorf("%w; the frontier needs more work than --max-work %d allows: raise it (each 10^10 is roughly 10 to 60 seconds; -1 for no limit), %s", err, fl.maxWork, simplify)
	case errors.Is(err, analysis.ErrTooLarge):
		return fmt.Errorf("%w; an intermediate frontier is larger than --max-frontier %d allows: raise it (memory grows with it), %s", err, fl.maxPoints, simplify)
	}
	return err
}

// jsonReport is the report as --json writes it: the analysis.Report's
// fields with each frontier's points streamed (and, past --json-points,
// an evenly spaced subset, said so by the *_truncated and *_total fields).
type jsonReport struct {
	Scenario  string                  `json:"scenario"`
	Title     string                  `json:"title,omitempty"`
	Notice    string                  `json:"notice,omitempty"`
	Framework string                  `json:"framework"`
	Outcomes  string                  `json:"outcomes"`
	Parties   []analysis.PartySummary `json:"parties"`
	Frontier  jsonFrontier            `json:"frontier"`
	// FrontierTruncated tells whether "frontier" lists only some of its
	// FrontierTotal points.
	FrontierTruncated bool                  `json:"frontier_truncated"`
	FrontierTotal     int                   `json:"frontier_total"`
	Solutions         []analysis.Solution   `json:"solutions"`
	ZoneFrontier      jsonFrontier          `json:"zone_frontier"`
	ZoneTruncated     bool                  `json:"zone_frontier_truncated"`
	ZoneTotal         int                   `json:"zone_frontier_total"`
	Suggestions       []analysis.Suggestion `json:"suggestions"`
	Zone              *analysis.Zone        `json:"zone"`
	// Packages maps each solution/suggestion name to its package by ids.
	Packages map[string]map[string]string `json:"packages"`
	// WhatIf lists the changes (--what-if) the figures were computed
	// with, in the order applied; absent without them.
	WhatIf []whatIfApplied `json:"what_if,omitempty"`
	// Interactions says how the profiles' interactions were handled (which
	// figures are exact), and InteractionEffects compares the analysis with
	// them and without them; both absent when no profile has any.
	Interactions       *analysis.InteractionSummary `json:"interactions,omitempty"`
	InteractionEffects *analysis.InteractionEffects `json:"interaction_effects,omitempty"`
}

// jsonFrontier is a frontier whose points are written one at a time.
type jsonFrontier struct {
	Points      pointsToken `json:"points"`
	Method      string      `json:"method"`
	Packages    uint64      `json:"packages"`
	Approximate bool        `json:"approximate,omitempty"`
	ErrorBound  float64     `json:"error_bound,omitempty"`
}

// pointsToken marks where a frontier's points go in the encoded report.
type pointsToken string

// writeReportJSON writes the report as indented JSON, streaming each
// frontier's points (at most limit of each, evenly spaced, unless limit is
// 0) so that the output is never built in memory whole.
func writeReportJSON(w io.Writer, sc *scenario.Scenario, r *analysis.Report, limit int) error {
	return writeReportJSONWhatIf(w, sc, r, limit, nil, nil)
}

// writeReportJSONWhatIf is writeReportJSON for a report computed with the
// what-if changes applied (listed in the report's "what_if"), and with the
// interactions' effect when some profile has interactions (eff, else nil).
func writeReportJSONWhatIf(w io.Writer, sc *scenario.Scenario, r *analysis.Report, limit int, applied []whatIfApplied, eff *analysis.InteractionEffects) error {
	fr, frTrunc := thin(r.Frontier.Points, limit)
	zf, zfTrunc := thin(r.ZoneFrontier.Points, limit)
	const frTok, zfTok = "\x00frontier-points\x00", "\x00zone-frontier-points\x00"
	head := jsonReport{
		Scenario: sc.Name, Title: sc.Title, Notice: sc.Notice,
		Framework: r.Framework, Outcomes: r.Outcomes, Parties: r.Parties,
		Frontier:          jsonFrontier{Points: frTok, Method: r.Frontier.Method, Packages: r.Frontier.Packages(), Approximate: r.Frontier.Approximate, ErrorBound: r.Frontier.ErrorBound},
		FrontierTruncated: frTrunc, FrontierTotal: len(r.Frontier.Points),
		Solutions:     r.Solutions,
		ZoneFrontier:  jsonFrontier{Points: zfTok, Method: r.ZoneFrontier.Method, Packages: r.ZoneFrontier.Packages(), Approximate: r.ZoneFrontier.Approximate, ErrorBound: r.ZoneFrontier.ErrorBound},
		ZoneTruncated: zfTrunc, ZoneTotal: len(r.ZoneFrontier.Points),
		Suggestions: r.Suggestions, Zone: r.Zone, Packages: describeAll(sc.Framework, r),
		WhatIf: applied, Interactions: r.Interactions, InteractionEffects: eff,
	}
	b, err := json.MarshalIndent(head, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding JSON: %w", err)
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	rest := b
	for _, part := range []struct {
		tok string
		pts []analysis.Point
	}{{frTok, fr}, {zfTok, zf}} {
		q, err := json.Marshal(part.tok)
		if err != nil {
			return fmt.Errorf("encoding JSON: %w", err)
		}
		i := bytes.Index(rest, q)
		if i < 0 {
			return fmt.Errorf("encoding JSON: frontier placeholder missing")
		}
		bw.Write(rest[:i])
		if err := streamPoints(bw, part.pts, "    "); err != nil {
			return err
		}
		rest = rest[i+len(q):]
	}
	bw.Write(rest)
	bw.WriteByte('\n')
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}

// streamPoints writes pts as a JSON array, one point per line.
func streamPoints(w *bufio.Writer, pts []analysis.Point, indent string) error {
	if len(pts) == 0 {
		w.WriteString("[]")
		return nil
	}
	w.WriteString("[")
	for i := range pts {
		b, err := json.Marshal(&pts[i])
		if err != nil {
			return fmt.Errorf("encoding JSON: %w", err)
		}
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString("\n" + indent + "  ")
		w.Write(b)
	}
	w.WriteString("\n" + indent + "]")
	return nil
}

// thin returns at most limit points of pts, evenly spaced and always
// including the first and the last (all of them when limit is 0), and
// whether some were left out.
func thin(pts []analysis.Point, limit int) ([]analysis.Point, bool) {
	if limit == 0 || len(pts) <= limit {
		return pts, false
	}
	if limit == 1 {
		return pts[:1], true
	}
	out := make([]analysis.Point, 0, limit)
	for i := 0; i < limit; i++ {
		out = append(out, pts[i*(len(pts)-1)/(limit-1)])
	}
	return out, true
}

func describeAll(f *framework.Framework, r *analysis.Report) map[string]map[string]string {
	m := map[string]map[string]string{}
	for _, s := range r.Solutions {
		m[s.Name] = f.IDs(s.Point.Witness)
	}
	for _, s := range r.Suggestions {
		m["zone-"+s.Name] = f.IDs(s.Point.Witness)
	}
	return m
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encoding JSON: %w", err)
	}
	return nil
}

var solutionTitles = map[string]string{
	analysis.Nash:             "Nash (max product of gains over reservation)",
	analysis.NashGENIUS:       "Nash, GENIUS variant (no reservation filter)",
	analysis.KalaiSmorodinsky: "Kalai–Smorodinsky (toward the ideal point)",
	analysis.GENIUSKalai:      "GENIUS Kalai (min Σ|ui−uj|)",
	analysis.MaxWelfare:       "Max welfare (max Σ utilities)",
	analysis.Egalitarian:      "Egalitarian (max of the smallest gain)",
}

func fmtU(names []string, u []float64) string {
	parts := make([]string, len(u))
	for i := range u {
		parts[i] = fmt.Sprintf("%s %.4f", names[i], u[i])
	}
	return strings.Join(parts, ", ")
}

func writeText(w io.Writer, sc *scenario.Scenario, s *analysis.Space, r *analysis.Report, allPoints bool, applied []whatIfApplied) {
	f := sc.Framework
	title := sc.Name
	if sc.Title != "" {
		title += " — " + sc.Title
	}
	fmt.Fprintf(w, "Scenario: %s\n", title)
	if sc.Notice != "" {
		fmt.Fprintf(w, "Notice: %s\n", strings.TrimSpace(strings.ReplaceAll(sc.Notice, "\n", " ")))
	}
	for _, a := range applied {
		fmt.Fprintf(w, "what-if: %s\n", a.Text)
	}
	fmt.Fprintf(w, "Outcomes: %s packages over %d points\n\n", group(r.Outcomes), len(f.Points))

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Party\treservation\tmin\tmax\tred lines\tprofile")
	for _, p := range r.Parties {
		kind := "declared"
		if p.Uncertain {
			kind = "estimate with uncertainty"
		}
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\t%d\t%s\n", p.ID, p.Reservation, p.Min, p.Max, p.RedLines, kind)
	}
	tw.Flush()

	if r.Frontier.Approximate {
		fmt.Fprintf(w, "\nPareto frontier (APPROXIMATE, error bound %g per party): %d points listed, %s\n", r.Frontier.ErrorBound, len(r.Frontier.Points), r.Frontier.Method)
	} else {
		fmt.Fprintf(w, "\nPareto frontier: %d points (%d packages), %s\n", len(r.Frontier.Points), r.Frontier.Packages(), r.Frontier.Method)
	}
	if allPoints {
		for _, p := range r.Frontier.Points {
			fmt.Fprintf(w, "  %s\n", fmtU(s.Names, p.U))
		}
	}
	z := r.Zone
	if z.Exact {
		fmt.Fprintf(w, "Agreement zone: %s packages (%s of the space), %s\n", group(fmt.Sprintf("%.0f", z.Size)), pct(z.Fraction), z.Method)
	} else {
		fmt.Fprintf(w, "Agreement zone: about %s packages (%s of the space; 95%% interval %s–%s), %s, %d samples\n",
			sci(z.Size), pct(z.Fraction), sci(z.Low), sci(z.High), z.Method, z.Samples)
	}
	if r.ZoneFrontier.Approximate {
		fmt.Fprintf(w, "Zone frontier (APPROXIMATE, error bound %g per party): %d points listed\n", r.ZoneFrontier.ErrorBound, len(r.ZoneFrontier.Points))
	} else {
		fmt.Fprintf(w, "Zone frontier: %d points\n", len(r.ZoneFrontier.Points))
	}

	fmt.Fprintf(w, "\nPer-point overlap (options possible in the zone, share of zone packages):\n")
	for k, po := range z.Overlap {
		pt := &f.Points[k]
		open := 0
		for _, o := range po.Options {
			if o.Possible != analysis.No {
				open++
			}
		}
		if pt.Kind == framework.Options {
			fmt.Fprintf(w, "  %s — %d of %d options possible\n", pt.Name(), open, len(po.Options))
		} else {
			fmt.Fprintf(w, "  %s — %d of %d values possible%s\n", pt.Name(), open, len(po.Options), valueRanges(pt, po.Options))
		}
		if pt.Kind != framework.Options && len(po.Options) > 12 {
			continue
		}
		for l, o := range po.Options {
			mark := map[analysis.Possibility]string{analysis.Yes: "[x]", analysis.No: "[ ]", analysis.Unknown: "[?]"}[o.Possible]
			share := "   —"
			if !math.IsNaN(o.Share) && o.Possible != analysis.No {
				share = fmt.Sprintf("%5.1f%%", 100*o.Share)
			}
			fmt.Fprintf(w, "     %s %s  %s\n", mark, share, pt.LevelName(l))
		}
	}

	fmt.Fprintf(w, "\nSuggested packages (inside the zone):\n")
	if len(r.Suggestions) == 0 {
		fmt.Fprintf(w, "  none: the agreement zone is empty\n")
	}
	for _, sg := range r.Suggestions {
		fmt.Fprintf(w, "  %s: %s\n", solutionTitles[sg.Name], fmtU(s.Names, sg.Point.U))
		if sg.Robustness != nil {
			parts := make([]string, len(s.Names))
			for j := range s.Names {
				parts[j] = fmt.Sprintf("%s %.0f%%", s.Names[j], 100*sg.Robustness.Acceptable[j])
			}
			fmt.Fprintf(w, "    stays acceptable under uncertainty: %s; all at once %.0f%% (%d samples)\n", strings.Join(parts, ", "), 100*sg.Robustness.All, sg.Robustness.Samples)
		}
		for _, line := range analysis.Describe(f, sg.Point.Witness) {
			fmt.Fprintf(w, "    %s\n", line)
		}
	}
	fmt.Fprintf(w, "\nSolutions on the whole frontier (ignoring red lines):\n")
	for _, sol := range r.Solutions {
		fmt.Fprintf(w, "  %-46s %s\n", solutionTitles[sol.Name]+":", fmtU(s.Names, sol.Point.U))
	}
}

// group formats a decimal integer string with thousands separators.
func group(s string) string {
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

func pct(f float64) string {
	switch {
	case f == 0:
		return "0%"
	case f < 0.0001:
		return fmt.Sprintf("%.2g%%", 100*f)
	}
	return fmt.Sprintf("%.3g%%", 100*f)
}

func sci(v float64) string {
	if v < 1e6 {
		return group(fmt.Sprintf("%.0f", v))
	}
	return fmt.Sprintf("%.3g", v)
}

// writePlots draws the utility space of the analysed parties
// (chart.UtilitySpace) to the files of --svg and --png, and the per-point
// overlap (chart.Overlap) to those of --overlap-svg and --overlap-png;
// effects (nil without interactions) marks the packages that enter and
// leave the zone because of the interactions.
func writePlots(ctx context.Context, sc *scenario.Scenario, s *analysis.Space, r *analysis.Report, effects *analysis.InteractionEffects, fl *analyzeFlags) error {
	if fl.svg != "" || fl.png != "" {
		axes, err := plotAxes(s, fl.plotParties)
		if err != nil {
			return err
		}
		u, err := chart.UtilitySpace(ctx, chart.SpaceInput{Scenario: sc, Space: s, Report: r, Axes: axes, Seed: fl.seed, Effects: effects})
		if err != nil {
			return err
		}
		if err := writePlotFiles(u, fl.svg, fl.png); err != nil {
			return err
		}
	}
	if fl.overlapSVG != "" || fl.overlapPNG != "" {
		o, err := chart.Overlap(sc, s, r)
		if err != nil {
			return err
		}
		return writePlotFiles(o, fl.overlapSVG, fl.overlapPNG)
	}
	return nil
}

// writePlotFiles renders f to each path that is not empty, in the format
// its extension names.
func writePlotFiles(f plot.Figure, paths ...string) error {
	for _, path := range paths {
		if path == "" {
			continue
		}
		if err := plot.WriteFile(path, f); err != nil {
			return fmt.Errorf("plot: %w", err)
		}
	}
	return nil
}

// plotAxes resolves --plot-parties against the parties of a space: nil
// (every party, the first plot.MaxAxes of more) when it is empty, else 2
// to plot.MaxAxes distinct ids of the space.
func plotAxes(s *analysis.Space, flag string) ([]string, error) {
	if s.N() < 2 {
		return nil, usagef("a plot needs two parties; this space has %d", s.N())
	}
	ids := splitList(flag)
	if len(ids) == 0 {
		return nil, nil
	}
	if len(ids) < 2 || len(ids) > plot.MaxAxes {
		return nil, usagef("--plot-parties takes 2 to %d party ids, got %d", plot.MaxAxes, len(ids))
	}
	for i, id := range ids {
		if !slices.Contains(s.Names, id) {
			return nil, usagef("--plot-parties: %q is not one of the parties (%s)", id, strings.Join(s.Names, ", "))
		}
		if slices.Contains(ids[:i], id) {
			return nil, usagef("--plot-parties: %q is given twice", id)
		}
	}
	return ids, nil
}

// whatIfSpec is one --what-if value parsed: PARTY.reservation=VALUE
// (point empty) or PARTY.weight.POINT=VALUE.
type whatIfSpec struct {
	party, point string
	value        float64
}

// parseWhatIf parses one --what-if value, without checking the ids
// against a scenario.
func parseWhatIf(s string) (whatIfSpec, error) {
	key, val, ok := strings.Cut(s, "=")
	if !ok {
		return whatIfSpec{}, errors.New("want PARTY.reservation=VALUE or PARTY.weight.POINT=VALUE")
	}
	key, val = strings.TrimSpace(key), strings.TrimSpace(val)
	v, err := strconv.ParseFloat(val, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return whatIfSpec{}, fmt.Errorf("value %q is not a number", val)
	}
	if party, ok := strings.CutSuffix(key, ".reservation"); ok && party != "" && !strings.Contains(party, ".weight.") {
		if math.Abs(v) > profile.MaxReservation {
			return whatIfSpec{}, fmt.Errorf("reservation %v is outside [-%g, %g]", v, float64(profile.MaxReservation), float64(profile.MaxReservation))
		}
		return whatIfSpec{party: party, value: v}, nil
	}
	if party, point, ok := strings.Cut(key, ".weight."); ok && party != "" && point != "" {
		if v < 0 || v > profile.MaxWeight {
			return whatIfSpec{}, fmt.Errorf("weight %v is outside [0, %g]", v, float64(profile.MaxWeight))
		}
		return whatIfSpec{party: party, point: point, value: v}, nil
	}
	return whatIfSpec{}, fmt.Errorf("%q names neither PARTY.reservation nor PARTY.weight.POINT", key)
}

// whatIfChange is a --what-if resolved against the analysed space: party
// index j and, for a weight, point index k (framework order; -1 for a
// reservation).
type whatIfChange struct {
	j, k  int
	value float64
}

// resolveWhatIfs parses the --what-if values and resolves their ids
// against sc and s; an error names the value (by position) and what is
// wrong with it.
func resolveWhatIfs(sc *scenario.Scenario, s *analysis.Space, specs []string) ([]whatIfChange, error) {
	out := make([]whatIfChange, 0, len(specs))
	for i, raw := range specs {
		bad := func(format string, a ...any) error {
			return usagef("--what-if #%d %q: %s", i+1, raw, fmt.Sprintf(format, a...))
		}
		w, err := parseWhatIf(raw)
		if err != nil {
			return nil, bad("%v", err)
		}
		j := slices.Index(s.Names, w.party)
		if j < 0 {
			return nil, bad("no analysed party %q (parties: %s)", w.party, strings.Join(s.Names, ", "))
		}
		c := whatIfChange{j: j, k: -1, value: w.value}
		if w.point != "" {
			c.k = slices.IndexFunc(sc.Framework.Points, func(p framework.Point) bool { return p.ID == w.point })
			if c.k < 0 {
				ids := make([]string, len(sc.Framework.Points))
				for k := range sc.Framework.Points {
					ids[k] = sc.Framework.Points[k].ID
				}
				return nil, bad("no point %q (points: %s)", w.point, strings.Join(ids, ", "))
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// whatIfApplied says what one --what-if changed: the number before and
// after, and the party's reservation value after it (a weight changes it
// when it is the utility of a fallback package).
type whatIfApplied struct {
	Party string `json:"party"`
	// Point is the point whose weight changed (empty: the reservation).
	Point       string  `json:"point,omitempty"`
	From        float64 `json:"from"`
	To          float64 `json:"to"`
	Reservation float64 `json:"reservation"`
	Text        string  `json:"text"`
}

// whatIfSpace makes the changes to s in order through the engine's what-if
// editor (analysis.SpaceEditor); it returns the changed space and what each
// change did.
func whatIfSpace(s *analysis.Space, changes []whatIfChange) (*analysis.Space, []whatIfApplied, error) {
	ed := analysis.NewSpaceEditor(s)
	applied := make([]whatIfApplied, 0, len(changes))
	for _, c := range changes {
		cur := ed.Space()
		a := whatIfApplied{Party: cur.Names[c.j], To: c.value}
		oldRes := cur.Reservation[c.j]
		edit := analysis.WhatIfEdit{Party: c.j, Point: c.k, Value: c.value}
		if c.k < 0 {
			a.From = oldRes
		} else {
			a.Point = cur.Framework.Points[c.k].ID
			a.From = cur.Profiles[c.j].Weights[c.k]
		}
		if err := ed.Apply(edit); err != nil {
			return nil, nil, fmt.Errorf("what-if %s: %w", a.Party, err)
		}
		a.Reservation = ed.Space().Reservation[c.j]
		if c.k < 0 {
			a.Text = fmt.Sprintf("%s reservation %.4f → %.4f", a.Party, a.From, a.To)
		} else {
			a.Text = fmt.Sprintf("%s weight of %s %.4f → %.4f", a.Party, a.Point, a.From, a.To)
			if a.Reservation != oldRes {
				a.Text += fmt.Sprintf(" (reservation, the utility of its fallback, %.4f → %.4f)", oldRes, a.Reservation)
			}
		}
		applied = append(applied, a)
	}
	return ed.Space(), applied, nil
}
