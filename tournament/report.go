package tournament

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/parley-negotiation/parley/chart"
	"github.com/parley-negotiation/parley/plot"
)

// WriteCSV writes the summary as CSV: a header, then one row per agent in
// rank order with the mean and 95% interval of every score (empty cells
// where there is no observation), then the counts of timeouts, failures,
// the tied agents, and the negotiations that did not run with their
// reasons ("N reason; N reason", most frequent first). An unranked agent
// has an empty rank.
func WriteCSV(w io.Writer, s *Summary) error {
	cw := csv.NewWriter(w)
	head := []string{"rank", "agent", "negotiations"}
	stats := []string{"utility", "discounted_utility", "welfare", "agreement", "distance_pareto", "distance_nash", "rounds_to_agreement"}
	for _, k := range stats {
		head = append(head, k+"_n", k+"_mean", k+"_ci_low", k+"_ci_high")
	}
	head = append(head, "timeouts", "failures", "tied", "not_run", "not_run_reasons")
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, a := range s.Agents {
		rank := strconv.Itoa(a.Rank)
		if a.Unranked {
			rank = ""
		}
		row := []string{rank, a.Agent, strconv.Itoa(a.Negotiations)}
		for _, st := range []Stat{a.Utility, a.Discounted, a.Welfare, a.Agreement, a.DistancePareto, a.DistanceNash, a.Rounds} {
			if st.N == 0 {
				row = append(row, "0", "", "", "")
				continue
			}
			row = append(row, strconv.Itoa(st.N), num(st.Mean), num(st.Low), num(st.High))
		}
		row = append(row, strconv.Itoa(a.Timeouts), strconv.Itoa(a.Failures), strings.Join(a.Tied, " "),
			strconv.Itoa(a.NotRun), strings.Join(a.Reasons(), "; "))
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func num(x float64) string { return strconv.FormatFloat(x, 'g', 10, 64) }

// Reasons returns the agent's reasons for negotiations that did not run
// as "N reason", most frequent first (then by reason).
func (a *AgentScore) Reasons() []string {
	type rc struct {
		why string
		n   int
	}
	var list []rc
	for why, n := range a.NotRunReasons {
		list = append(list, rc{why, n})
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].n != list[j].n {
			return list[i].n > list[j].n
		}
		return list[i].why < list[j].why
	})
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = strconv.Itoa(x.n) + " " + x.why
	}
	return out
}

// Report is what the HTML report shows.
type Report struct {
	Summary *Summary
	// Description lines of the tournament (agents, scenarios, rules).
	Facts     []string
	Scenarios []ScenarioOutcomes
}

// ScenarioOutcomes are a scenario's outcomes in the utility space of its
// first two negotiating parties, with its Pareto frontier.
type ScenarioOutcomes struct {
	Name string
	// Parties is the number of negotiating parties: with more than two,
	// the plot has a panel per pair of them, each showing the projection
	// of the frontier of all of them.
	Parties int
	// Plot holds the frontier of every negotiating party, the Nash point
	// the distances to Nash use and the outcomes — the agreements (and,
	// under reservation scoring, the disagreement point) with how many
	// negotiations ended there (chart.TournamentOutcomes).
	Plot         *plot.UtilitySpace
	Negotiations int
	Agreements   int
}

// NewReport gathers the report of a tournament: the summary and, for each
// scenario of cfg, its outcomes against its frontier (from eng's cache).
func NewReport(cfg *Config, eng *Engine, sum *Summary, results []Result) (*Report, error) {
	rep := &Report{Summary: sum}
	var names []string
	for _, a := range cfg.Agents {
		names = append(names, a.Name)
	}
	rep.Facts = append(rep.Facts,
		fmt.Sprintf("Agents (%d): %s", len(cfg.Agents), strings.Join(names, ", ")),
		fmt.Sprintf("Scenarios: %d; protocol %s; deadline %s; no agreement scores %s; %d repetition(s); seed %d", len(cfg.Scenarios), cfg.Protocol, cfg.Deadline(), cfg.Scoring, cfg.Repetitions, cfg.Seed),
		notRunFact(sum),
		"Intervals are 95% Student-t confidence intervals of the mean; ranking by mean "+strings.ReplaceAll(sum.RankBy, "_", " ")+".")
	by := map[string][]*Result{}
	for i := range results {
		by[results[i].Scenario] = append(by[results[i].Scenario], &results[i])
	}
	for _, sc := range cfg.Scenarios {
		space, fr, nash, err := eng.Analysis(sc.Ref)
		if err != nil {
			return nil, err
		}
		so := ScenarioOutcomes{Name: sc.Ref.Name, Parties: space.N()}
		var outcomes [][]float64
		for _, r := range by[sc.Ref.Name] {
			if !r.Scored() {
				continue
			}
			so.Negotiations++
			if r.Status == StatusAgreement {
				so.Agreements++
			}
			outcomes = append(outcomes, r.Utilities)
		}
		if so.Plot, err = chart.TournamentOutcomes(partyNames(eng, sc.Ref, space.Names), fr, nash, outcomes); err != nil {
			return nil, fmt.Errorf("tournament report: scenario %s: %w", sc.Ref.Name, err)
		}
		rep.Scenarios = append(rep.Scenarios, so)
	}
	return rep, nil
}

func notRunFact(sum *Summary) string {
	f := fmt.Sprintf("Negotiations scored: %d (%d agreements, %d timeouts); not run: %d", sum.Negotiations, sum.Agreements, sum.Timeouts, sum.Errors)
	if sum.Errors > 0 {
		f += " (left out of every score; running the tournament again retries them)"
	}
	return f
}

// WriteHTML writes the report as one self-contained HTML page (inline CSS
// and SVG, no scripts, no external resources). The same report gives the
// same bytes.
func (r *Report) WriteHTML(w io.Writer) error {
	type row struct {
		AgentScore
		Tie bool
	}
	type notRun struct {
		Agent   string
		N       int
		Reasons []string
	}
	var rows []row
	var notRuns []notRun
	for i, a := range r.Summary.Agents {
		rows = append(rows, row{a, r.Summary.TiedWithNeighbour(i)})
		if a.NotRun > 0 {
			notRuns = append(notRuns, notRun{a.Agent, a.NotRun, a.Reasons()})
		}
	}
	type card struct {
		Title, Caption, Class string
		SVG                   template.HTML
	}
	var plots []card
	for _, so := range r.Scenarios {
		caption := fmt.Sprintf("%d negotiations, %d agreements", so.Negotiations, so.Agreements)
		width, class := 262.0, "card sc"
		if so.Parties > 2 {
			caption += fmt.Sprintf("; %d parties: a panel per pair, each showing the %d-party frontier and Nash point projected on it", so.Parties, so.Parties)
			width, class = 400, "card sc wide"
		}
		svg, err := plot.InlineSVG(so.Plot, width)
		if err != nil {
			return fmt.Errorf("tournament report: scenario %s: %w", so.Name, err)
		}
		plots = append(plots, card{so.Name, caption, class, template.HTML(svg)})
	}
	name := r.Summary.Name
	if name == "" {
		name = "Tournament"
	}
	return reportPage.Execute(w, map[string]any{
		"Name": name, "Facts": r.Facts, "Rows": rows,
		"UtilityBox":    template.HTML(plot.BoxPlotSVG(scoreBoxes(r.Summary, false))),
		"DiscountedBox": template.HTML(plot.BoxPlotSVG(scoreBoxes(r.Summary, true))),
		"Plots":         plots,
		"NotRun":        notRuns,
	})
}

var reportPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"f3":    func(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) },
	"f1":    func(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) },
	"stat3": func(s Stat) template.HTML { return statHTML(s, 3) },
	"stat1": func(s Stat) template.HTML { return statHTML(s, 1) },
	"join":  func(s []string) string { return strings.Join(s, ", ") },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Name}}: tournament report</title>
<style>
body{font-family:"Liberation Sans",Arial,Helvetica,sans-serif;margin:2em;color:#222;max-width:1200px}
table{border-collapse:collapse;font-size:13px}th,td{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right}
th{background:#f3f3f3}td.l,th.l{text-align:left}.ci{color:#777;font-size:11px}tr.tie td{background:#fff8e0}
.plots{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid #ddd;padding:6px}.card h3{margin:0;font-size:14px}
.card p{margin:2px 0;font-size:11px;color:#555}.sc{width:262px}.sc.wide{width:400px}svg text{font-family:inherit}
</style></head><body>
<h1>{{.Name}}</h1>
<ul>{{range .Facts}}<li>{{.}}</li>{{end}}</ul>
<h2>Ranking</h2>
<table><tr><th>rank</th><th class="l">agent</th><th>roles</th><th>utility</th><th>discounted</th><th>welfare</th><th>agreement</th><th>dist. Pareto</th><th>dist. Nash</th><th>rounds to agreement</th><th>timeouts</th><th>failures</th><th>not run</th><th class="l">tied with (overlapping CI)</th></tr>
{{range .Rows}}<tr{{if .Tie}} class="tie"{{end}}><td>{{if .Unranked}}unranked{{else}}{{.Rank}}{{end}}</td><td class="l">{{.Agent}}</td><td>{{.Negotiations}}</td>
<td>{{stat3 .Utility}}</td>
<td>{{stat3 .Discounted}}</td>
<td>{{stat3 .Welfare}}</td>
<td>{{stat3 .Agreement}}</td>
<td>{{stat3 .DistancePareto}}</td>
<td>{{stat3 .DistanceNash}}</td>
<td>{{stat1 .Rounds}}</td>
<td>{{.Timeouts}}</td><td>{{.Failures}}</td><td>{{.NotRun}}</td><td class="l">{{join .Tied}}</td></tr>
{{end}}</table>
<p class="ci">Highlighted rows overlap the confidence interval of a neighbour in the ranking: the ranking does not separate them. Only negotiations that ran are scored; an agent with none is unranked.</p>
{{if .NotRun}}<h2>Not run</h2>
<p>Negotiations that did not run are left out of every score; running the tournament again retries them. Per agent, the negotiations it was to take part in, by reason:</p>
<table><tr><th class="l">agent</th><th>not run</th><th class="l">reasons</th></tr>
{{range .NotRun}}<tr><td class="l">{{.Agent}}</td><td>{{.N}}</td><td class="l">{{range $i, $r := .Reasons}}{{if $i}}<br>{{end}}{{$r}}{{end}}</td></tr>
{{end}}</table>{{end}}
<h2>Score distributions</h2>
<p>Boxes span the quartiles with the median; whiskers reach the minimum and maximum; the dot and bar are the mean and its 95% interval.</p>
<div class="plots"><div class="card"><h3>Individual utility</h3>{{.UtilityBox}}</div><div class="card"><h3>Discounted individual utility</h3>{{.DiscountedBox}}</div></div>
<h2>Outcomes against the Pareto frontier</h2>
<p>Blue: Pareto frontier of every negotiating party (with more than two, a panel per pair shows its projection); green discs: outcomes (area proportional to the number of negotiations ending there); orange diamond: Nash point.</p>
<div class="plots">{{range .Plots}}<div class="{{.Class}}"><h3>{{.Title}}</h3><p>{{.Caption}}</p>{{.SVG}}</div>{{end}}</div>
</body></html>
`))

// statHTML is a mean with its interval, or a dash without observations.
func statHTML(s Stat, prec int) template.HTML {
	if s.N == 0 {
		return "–"
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', prec, 64) }
	return template.HTML(f(s.Mean) + ` <span class="ci">[` + f(s.Low) + ", " + f(s.High) + "]</span>")
}

// scoreBoxes is the box plot of individual utility per agent, in rank
// order, discounted or not.
func scoreBoxes(s *Summary, discounted bool) *plot.BoxPlot {
	var samples []chart.Sample
	for _, a := range s.Agents {
		xs, st := a.utilities, a.Utility
		if discounted {
			xs, st = a.discounted, a.Discounted
		}
		samples = append(samples, chart.Sample{Agent: a.Agent, Values: xs, Mean: st.Mean, Low: st.Low, High: st.High, N: st.N})
	}
	return chart.TournamentScores(samples)
}

// partyNames are the names the scenario gives its parties ids, or the ids
// when it cannot be read again.
func partyNames(eng *Engine, ref ScenarioRef, ids []string) []string {
	load := eng.Load
	if load == nil {
		load = LoadScenario
	}
	out := slices.Clone(ids)
	sc, err := load(ref)
	if err != nil {
		return out
	}
	for i, id := range ids {
		if p := sc.Party(id); p != nil && p.Name != "" {
			out[i] = p.Name
		}
	}
	return out
}
