package tournament

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
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
	Name         string
	XName, YName string
	Parties      int
	// Frontier is the Pareto frontier of all negotiating parties, projected
	// on the first two when there are more.
	Frontier [][2]float64
	Nash     *[2]float64
	// Outcomes are the agreements (and, under reservation scoring, the
	// disagreement point) with how many negotiations ended there.
	Outcomes     []Point
	Negotiations int
	Agreements   int
}

// Point is a point of a plot with a multiplicity.
type Point struct {
	At    [2]float64
	Count int
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
		so := ScenarioOutcomes{Name: sc.Ref.Name, XName: space.Names[0], YName: space.Names[1], Parties: space.N()}
		for _, p := range fr.Points {
			so.Frontier = append(so.Frontier, [2]float64{p.U[0], p.U[1]})
		}
		if nash != nil {
			so.Nash = &[2]float64{nash[0], nash[1]}
		}
		count := map[[2]float64]int{}
		for _, r := range by[sc.Ref.Name] {
			if !r.Scored() {
				continue
			}
			so.Negotiations++
			if r.Status == StatusAgreement {
				so.Agreements++
			}
			count[[2]float64{r.Utilities[0], r.Utilities[1]}]++
		}
		for at, c := range count {
			so.Outcomes = append(so.Outcomes, Point{At: at, Count: c})
		}
		sort.Slice(so.Outcomes, func(i, j int) bool {
			a, b := so.Outcomes[i].At, so.Outcomes[j].At
			if a[0] != b[0] {
				return a[0] < b[0]
			}
			return a[1] < b[1]
		})
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
	type plot struct {
		Title, Caption string
		SVG            template.HTML
	}
	var plots []plot
	for _, so := range r.Scenarios {
		caption := fmt.Sprintf("%d negotiations, %d agreements", so.Negotiations, so.Agreements)
		if so.Parties > 2 {
			caption += fmt.Sprintf("; %d parties, frontier projected on the first two", so.Parties)
		}
		plots = append(plots, plot{so.Name, caption, template.HTML(scenarioSVG(&so))})
	}
	name := r.Summary.Name
	if name == "" {
		name = "Tournament"
	}
	return reportPage.Execute(w, map[string]any{
		"Name": name, "Facts": r.Facts, "Rows": rows,
		"UtilityBox":    template.HTML(boxSVG(r.Summary, false)),
		"DiscountedBox": template.HTML(boxSVG(r.Summary, true)),
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
.card p{margin:2px 0;font-size:11px;color:#555}.sc{width:262px}svg text{font-family:inherit}
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
<p>Blue: Pareto frontier; green dots: outcomes (area proportional to the number of negotiations ending there); red diamond: Nash point.</p>
<div class="plots">{{range .Plots}}<div class="card sc"><h3>{{.Title}}</h3><p>{{.Caption}}</p>{{.SVG}}</div>{{end}}</div>
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

// esc escapes text for SVG.
func esc(s string) string { return template.HTMLEscapeString(s) }

func ff(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

// scenarioSVG draws a scenario's frontier, Nash point and outcomes.
func scenarioSVG(so *ScenarioOutcomes) string {
	const size, pad = 260.0, 34.0
	lo, hi := 0.0, 1.0
	for _, p := range so.Frontier {
		hi = math.Max(hi, math.Max(p[0], p[1]))
		lo = math.Min(lo, math.Min(p[0], p[1]))
	}
	for _, p := range so.Outcomes {
		hi = math.Max(hi, math.Max(p.At[0], p.At[1]))
		lo = math.Min(lo, math.Min(p.At[0], p.At[1]))
	}
	span := (size - 2*pad) / (hi - lo)
	x := func(u float64) float64 { return pad + (u-lo)*span }
	y := func(u float64) float64 { return size - pad - (u-lo)*span }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f">`, size, size, size, size)
	fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="#999"/>`, ff(pad), ff(pad), ff(size-2*pad), ff(size-2*pad))
	for _, t := range []float64{0, 0.5, 1} {
		if t < lo || t > hi {
			continue
		}
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="9" text-anchor="middle">%g</text>`, ff(x(t)), ff(size-pad+11), t)
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="9" text-anchor="end">%g</text>`, ff(pad-3), ff(y(t)+3), t)
	}
	fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="10" text-anchor="middle">utility of %s</text>`, ff(size/2), ff(size-6), esc(so.XName))
	fmt.Fprintf(&b, `<text x="10" y="%s" font-size="10" text-anchor="middle" transform="rotate(-90 10 %s)">utility of %s</text>`, ff(size/2), ff(size/2), esc(so.YName))
	if so.Parties == 2 && len(so.Frontier) > 1 {
		pts := slices.Clone(so.Frontier)
		sort.Slice(pts, func(i, j int) bool { return pts[i][0] < pts[j][0] })
		b.WriteString(`<polyline fill="none" stroke="#1f5fbf" stroke-width="1.2" points="`)
		for i, p := range pts {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(ff(x(p[0])) + "," + ff(y(p[1])))
		}
		b.WriteString(`"/>`)
	}
	for _, p := range so.Frontier {
		fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="1.6" fill="#1f5fbf"/>`, ff(x(p[0])), ff(y(p[1])))
	}
	total := max(so.Negotiations, 1)
	for _, p := range so.Outcomes {
		r := 2 + 10*math.Sqrt(float64(p.Count)/float64(total))
		fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="%s" fill="#2ca02c" fill-opacity="0.45" stroke="#1b6e1b" stroke-width="0.5"><title>(%.3f, %.3f): %d</title></circle>`,
			ff(x(p.At[0])), ff(y(p.At[1])), ff(r), p.At[0], p.At[1], p.Count)
	}
	if so.Nash != nil {
		cx, cy := x(so.Nash[0]), y(so.Nash[1])
		fmt.Fprintf(&b, `<path d="M%s %sL%s %sL%s %sL%s %sZ" fill="#d62728" stroke="#000" stroke-width="0.6"><title>Nash (%.3f, %.3f)</title></path>`,
			ff(cx), ff(cy-5), ff(cx+5), ff(cy), ff(cx), ff(cy+5), ff(cx-5), ff(cy), so.Nash[0], so.Nash[1])
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// boxSVG draws one box per agent (rank order) of individual utility,
// discounted or not.
func boxSVG(s *Summary, discounted bool) string {
	const rowH, left, width, top = 22.0, 130.0, 420.0, 10.0
	lo, hi := 0.0, 1.0
	for _, a := range s.Agents {
		xs := a.utilities
		if discounted {
			xs = a.discounted
		}
		for _, v := range xs {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	x := func(u float64) float64 { return left + (u-lo)/(hi-lo)*width }
	h := top + rowH*float64(len(s.Agents)) + 28
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f">`, left+width+20, h, left+width+20, h)
	for _, t := range []float64{0, 0.25, 0.5, 0.75, 1} {
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#eee"/>`, ff(x(t)), ff(x(t)), ff(top), ff(h-24))
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="9" text-anchor="middle">%g</text>`, ff(x(t)), ff(h-12), t)
	}
	for i, a := range s.Agents {
		xs := a.utilities
		st := a.Utility
		if discounted {
			xs, st = a.discounted, a.Discounted
		}
		cy := top + rowH*float64(i) + rowH/2
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="11" text-anchor="end">%s</text>`, ff(left-6), ff(cy+4), esc(a.Agent))
		if len(xs) == 0 {
			continue
		}
		q := quartiles(xs)
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#555"/>`, ff(x(q[0])), ff(x(q[4])), ff(cy), ff(cy))
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="#cfe0f5" stroke="#1f5fbf"/>`, ff(x(q[1])), ff(cy-6), ff(math.Max(x(q[3])-x(q[1]), 0.5)), ff(12.0))
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#1f5fbf" stroke-width="2"/>`, ff(x(q[2])), ff(x(q[2])), ff(cy-6), ff(cy+6))
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#d62728" stroke-width="2"/>`, ff(x(st.Low)), ff(x(st.High)), ff(cy+8), ff(cy+8))
		fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="2.5" fill="#d62728"><title>mean %.3f [%.3f, %.3f], n=%d</title></circle>`, ff(x(st.Mean)), ff(cy+8), st.Mean, st.Low, st.High, st.N)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// quartiles returns min, Q1, median, Q3, max (linear interpolation).
func quartiles(xs []float64) [5]float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	at := func(p float64) float64 {
		i := p * float64(len(s)-1)
		k := int(i)
		if k+1 >= len(s) {
			return s[len(s)-1]
		}
		return s[k] + (i-float64(k))*(s[k+1]-s[k])
	}
	return [5]float64{s[0], at(0.25), at(0.5), at(0.75), s[len(s)-1]}
}
