package main

// Golden images of issue 14, as structure, not pixels: the plots of
// parley analyze and parley run (under every protocol) for two, three and
// four parties have a panel per pair of parties, named as the scenario
// names them; the frontier drawn on every panel is the projection of the
// Pareto frontier of all the parties; the Nash point marked is the one
// the text reports (analyze) or measures the distance to (run); the
// legend is outside every panel; an agreement is marked only when there
// is one.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/chart"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/internal/cli"
	"github.com/parley-negotiation/parley/internal/refdata"
	"github.com/parley-negotiation/parley/plot/plottest"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// plotParties are the parties of plotScenario: ids and the names the
// plots must show.
var plotParties = []struct{ id, name string }{
	{"alpha", "Alpha Republic"},
	{"bravo", "Bravo League"},
	{"charlie", "Charlie Union"},
	{"delta", "Delta Coast"},
}

// plotScenario writes a scenario of 4·5·3·4 = 240 packages with n
// principals (whose profiles pull different ways) and a mediator, and
// returns its path.
func plotScenario(t *testing.T, dir string, n int) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `parley: 1
name: plots-%dp
title: Plot check, %d parties
points:
  - id: monitors
    options: [{id: joint}, {id: un}, {id: neutral}, {id: none}]
  - id: buffer
    integer: {min: 0, max: 4}
  - id: amnesty
    options: [{id: no}, {id: partial}, {id: yes}]
  - id: aid
    options: [{id: low}, {id: mid}, {id: high}, {id: max}]
parties:
`, n, n)
	for i := range n {
		p := plotParties[i]
		s := func(k, j int) int { return 1 + (3*i+5*j+7*k+i*j*k)%10 }
		slope, offset := 0.25, 0.0
		if i%2 == 1 {
			slope, offset = -0.25, 1
		}
		w := []float64{0.4, 0.2, 0.3, 0.1}
		w[i%4], w[(i+1)%4] = w[(i+1)%4], w[i%4]
		fmt.Fprintf(&b, `  - id: %s
    name: %s
    role: principal
    profile:
      weights: {monitors: %g, buffer: %g, amnesty: %g, aid: %g}
      scores:
        monitors: {joint: %d, un: %d, neutral: %d, none: %d}
        amnesty: {no: %d, partial: %d, yes: %d}
        aid: {low: %d, mid: %d, high: %d, max: %d}
      functions: {buffer: {linear: {slope: %g, offset: %g}}}
      reservation: %g
`, p.id, p.name, w[0], w[1], w[2], w[3],
			s(0, 0), s(0, 1), s(0, 2), s(0, 3), s(1, 0), s(1, 1), s(1, 2), s(2, 0), s(2, 1), s(2, 2), s(2, 3),
			slope, offset, 0.3+0.05*float64(i))
	}
	b.WriteString(`  - id: med
    name: The Mediator
    role: mediator
decision: {rule: unanimity}
`)
	path := filepath.Join(dir, fmt.Sprintf("plots-%dp.yaml", n))
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// parleyCLI runs the command line in-process and returns its stdout; a
// non-zero exit fails the test.
func parleyCLI(t *testing.T, args ...string) []byte {
	t.Helper()
	var out, errb bytes.Buffer
	if code := cli.Main(args, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("parley %s: exit %d\n%s", strings.Join(args, " "), code, errb.String())
	}
	return out.Bytes()
}

// nPartyFrontier is the Pareto frontier of every principal of the
// scenario at path, each of its points checked to be dominated by no
// package (all of them enumerated), with the space.
func nPartyFrontier(t *testing.T, path string) (*scenario.Scenario, *analysis.Space, [][]float64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Parse(path, b)
	if err != nil {
		t.Fatal(err)
	}
	space, err := analysis.FromScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	fr, err := analysis.FrontierAdditive(space, analysis.FrontierOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var all, pts [][]float64
	analysis.Enumerate(sc.Framework.Radix(), func(p framework.Package) bool {
		all = append(all, space.Utilities(p))
		return true
	})
	for _, fp := range fr.Points {
		for _, q := range all {
			if dominates(q, fp.U) {
				t.Fatalf("frontier point %v is dominated by %v", fp.U, q)
			}
		}
		pts = append(pts, fp.U)
	}
	// And it is not the frontier of two of them: with three or more, some
	// of its points are dominated in the plane of the first two.
	if space.N() > 2 {
		dominatedInPlane := slices.ContainsFunc(pts, func(u []float64) bool {
			return slices.ContainsFunc(pts, func(v []float64) bool { return dominates(v[:2], u[:2]) })
		})
		if !dominatedInPlane {
			t.Fatalf("the %d-party frontier is also the frontier of the first two: the test cannot tell them apart", space.N())
		}
	}
	return sc, space, pts
}

func dominates(a, b []float64) bool {
	strict := false
	for i := range a {
		if a[i] < b[i] {
			return false
		}
		if a[i] > b[i] {
			strict = true
		}
	}
	return strict
}

// names are the scenario's names of the first n parties.
func names(n int) []string {
	var out []string
	for _, p := range plotParties[:n] {
		out = append(out, p.name)
	}
	return out
}

// checkUtilitySpaceSVG checks what every utility-space figure shows: a
// panel per pair of the n parties named as the scenario names them, the
// n-party frontier on each, one legend outside every panel, no id on an
// axis, and the title.
func checkUtilitySpaceSVG(t *testing.T, svg []byte, n int, frontier [][]float64, title string) *plottest.Doc {
	t.Helper()
	d, err := plottest.Parse(svg)
	if err != nil {
		t.Fatal(err)
	}
	gs, ps, err := d.Panels()
	if err != nil {
		t.Fatal(err)
	}
	if want := n * (n - 1) / 2; len(gs) != want {
		t.Fatalf("%d panels for %d parties, want %d", len(gs), n, want)
	}
	pairs := map[[2]string]bool{}
	for _, p := range ps {
		pairs[[2]string{p.X, p.Y}], pairs[[2]string{p.Y, p.X}] = true, true
	}
	nm := names(n)
	for i := range nm {
		for j := i + 1; j < n; j++ {
			if !pairs[[2]string{nm[i], nm[j]}] {
				t.Errorf("no panel of %s and %s (panels %v)", nm[i], nm[j], ps)
			}
		}
	}
	if err := plottest.CheckFrontier(d, nm, frontier); err != nil {
		t.Errorf("the frontier drawn is not the %d-party frontier: %v", n, err)
	}
	if n > 2 {
		// Negative control: the check tells the frontier of two parties
		// (those of the first two of the n-party frontier that no other
		// point dominates in their plane) from the n-party one.
		var two [][]float64
		for _, u := range frontier {
			if !slices.ContainsFunc(frontier, func(v []float64) bool { return dominates(v[:2], u[:2]) }) {
				two = append(two, u)
			}
		}
		if plottest.CheckFrontier(d, nm, two) == nil {
			t.Error("the frontier check accepts the frontier of the first two parties")
		}
	}
	if !d.HasText(title) {
		t.Errorf("no title %q in %q", title, d.Texts)
	}
	for _, tx := range d.Texts {
		for _, p := range plotParties {
			if tx == p.id {
				t.Errorf("a text reads the id %q, not the name %q", p.id, p.name)
			}
		}
	}
	lg := d.All("legend")
	if len(lg) != 1 || len(lg[0].Paths) == 0 {
		t.Fatalf("%d legends", len(lg))
	}
	segs, err := plottest.Segments(lg[0].Paths[0])
	if err != nil {
		t.Fatal(err)
	}
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, s := range segs {
		for _, e := range s {
			x0, y0, x1, y1 = min(x0, e[0]), min(y0, e[1]), max(x1, e[0]), max(y1, e[1])
		}
	}
	for _, p := range ps {
		if x0 < p.Left+p.Side && p.Left < x1 && y0 < p.Top+p.Side && p.Top < y1 {
			t.Errorf("the legend [%g,%g]–[%g,%g] covers the panel %s×%s", x0, y0, x1, y1, p.X, p.Y)
		}
	}
	return d
}

// analyzeJSON is what the checks read of parley analyze --json.
type analyzeJSON struct {
	Solutions []struct {
		Name  string `json:"name"`
		Point struct {
			Utilities []float64 `json:"utilities"`
		} `json:"point"`
	} `json:"solutions"`
	Suggestions []struct {
		Name  string `json:"name"`
		Point struct {
			Utilities []float64 `json:"utilities"`
		} `json:"point"`
	} `json:"suggestions"`
}

func TestAnalyzePlotGolden(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{2, 3, 4} {
		t.Run(fmt.Sprintf("%dp", n), func(t *testing.T) {
			path := plotScenario(t, dir, n)
			_, _, frontier := nPartyFrontier(t, path)
			svg := filepath.Join(dir, fmt.Sprintf("space-%d.svg", n))
			var rep analyzeJSON
			if err := json.Unmarshal(parleyCLI(t, "analyze", path, "--json", "--svg", svg), &rep); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(svg)
			if err != nil {
				t.Fatal(err)
			}
			d := checkUtilitySpaceSVG(t, b, n, frontier, fmt.Sprintf("Plot check, %d parties: utility space", n))
			var nash, zoneNash []float64
			for _, s := range rep.Solutions {
				if s.Name == analysis.Nash {
					nash = s.Point.Utilities
				}
			}
			for _, s := range rep.Suggestions {
				if s.Name == analysis.Nash {
					zoneNash = s.Point.Utilities
				}
			}
			if len(nash) != n || len(zoneNash) != n {
				t.Fatalf("the report's Nash %v, in the zone %v", nash, zoneNash)
			}
			// The Nash points the text reports: in the zone filled, on
			// the whole frontier hollow (or the same filled one).
			if err := plottest.CheckMarker(d, "Nash", false, zoneNash); err != nil {
				t.Error(err)
			}
			if !slices.Equal(nash, zoneNash) {
				if err := plottest.CheckMarker(d, "Nash", true, nash); err != nil {
					t.Error(err)
				}
			}
			if k := len(b); k > 150_000 {
				t.Errorf("SVG of %d bytes for 240 packages", k)
			}
		})
	}
}

// runJSON is what the checks read of parley run --json.
type runJSON struct {
	Status       string             `json:"status"`
	Agreement    map[string]string  `json:"agreement"`
	Utilities    map[string]float64 `json:"utilities"`
	DistanceNash float64            `json:"distance_nash"`
}

// TestRunPlotGolden: the dance plot of every protocol, for two and three
// parties (and four under SAO), marks the Nash point that parley run's
// "distance to Nash" is measured to, draws the frontier of every
// negotiating party, and marks an agreement only when there is one; the
// utility-over-rounds chart has a series per party that put something on
// the table.
func TestRunPlotGolden(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	type tc struct {
		protocol string
		n        int
		rounds   string
	}
	var cases []tc
	for _, p := range session.ProtocolInfos() {
		for _, n := range []int{2, 3} {
			cases = append(cases, tc{p.Name, n, "12"})
		}
	}
	cases = append(cases, tc{session.SAO, 4, "12"})
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s-%dp-%sr", c.protocol, c.n, c.rounds), func(t *testing.T) {
			path := plotScenario(t, dir, c.n)
			_, space, frontier := nPartyFrontier(t, path)
			dance := filepath.Join(dir, fmt.Sprintf("dance-%s-%d-%s.svg", c.protocol, c.n, c.rounds))
			rounds := filepath.Join(dir, fmt.Sprintf("rounds-%s-%d-%s.svg", c.protocol, c.n, c.rounds))
			var out runJSON
			if err := json.Unmarshal(parleyCLI(t, "run", path, "--protocol", c.protocol, "--rounds", c.rounds, "--json",
				"--svg", dance, "--rounds-svg", rounds), &out); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s, %d parties: %s, agreement %v, distance to Nash %.4f", c.protocol, c.n, out.Status, out.Agreement, out.DistanceNash)
			b, err := os.ReadFile(dance)
			if err != nil {
				t.Fatal(err)
			}
			d := checkUtilitySpaceSVG(t, b, c.n, frontier, "Plot check, "+fmt.Sprint(c.n)+" parties: negotiation dance ("+c.protocol+")")
			// The marked Nash is the one run measures its distance to.
			u := make([]float64, space.N())
			for i, id := range space.Names {
				u[i] = out.Utilities[id]
			}
			fr, err := analysis.FrontierAdditive(space, analysis.FrontierOptions{})
			if err != nil {
				t.Fatal(err)
			}
			nash, ok := chart.NashOf(fr, space.Reservation)
			if !ok {
				t.Fatal("no Nash point")
			}
			if err := plottest.CheckMarker(d, "Nash", false, nash.Point.U); err != nil {
				t.Error(err)
			}
			ms := d.Markers("Nash")
			at, err := ms[0].At()
			if err != nil {
				t.Fatal(err)
			}
			if got := analysis.Distance(u, at); math.Abs(got-out.DistanceNash) > 1e-6 {
				t.Errorf("the distance from the outcome to the marked Nash is %.6f; parley run says %.6f", got, out.DistanceNash)
			}
			agreements := d.Markers("Agreement")
			if (out.Agreement != nil) != (len(agreements) > 0) {
				t.Errorf("status %s, agreement %v: %d agreement markers", out.Status, out.Agreement, len(agreements))
			}
			if out.Agreement != nil {
				if err := plottest.CheckMarker(d, "Agreement", false, u); err != nil {
					t.Error(err)
				}
			} else if d.HasText("Agreement") {
				t.Error("no agreement, yet the legend names one")
			}
			// Nothing in the legend that is not drawn: every trace drawn
			// has points.
			for _, tr := range d.All("trace") {
				if tr.Int("n") < 1 {
					t.Errorf("trace %q with no point", tr.Data["name"])
				}
			}
			info, _ := session.Info(c.protocol)
			switch {
			case c.protocol == session.Blind:
				if d.HasText("packages of") || !d.HasText("overlap size per round") {
					t.Errorf("blind dance: texts %q", d.Texts)
				}
			case c.protocol == session.SingleText:
				if len(d.All("trace")) == 0 || !d.HasText("versions of the text") {
					t.Errorf("single-text dance without the text's versions: %q", d.Texts)
				}
			case !info.Mediated:
				if len(d.All("trace")) == 0 {
					t.Errorf("%s dance without a trace", c.protocol)
				}
			}
			rb, err := os.ReadFile(rounds)
			if err != nil {
				t.Fatal(err)
			}
			rd, err := plottest.Parse(rb)
			if err != nil {
				t.Fatal(err)
			}
			if !rd.HasText("utility over rounds (" + c.protocol + ")") {
				t.Errorf("rounds chart title: %q", rd.Texts)
			}
			for _, s := range rd.All("series") {
				if !slices.Contains(names(c.n), s.Data["party"]) || s.Int("n") < 1 {
					t.Errorf("rounds series %v", s.Data)
				}
			}
			if marks := rd.All("mark"); (out.Agreement != nil) != (len(marks) > 0) {
				t.Errorf("rounds chart: %d marks, agreement %v", len(marks), out.Agreement)
			}
			if c.protocol == session.Blind && len(rd.All("bars")) != 1 {
				t.Error("the blind rounds chart lacks the overlap sizes")
			}
		})
	}
}

// TestPartyPlotSize: the Party domain's plot (GENIUS, 3,072 packages) is
// far under 150 KB for two parties and for every party (four on axes),
// and still draws the whole frontier.
func TestPartyPlotSize(t *testing.T) {
	root := refdata.Root()
	if root == "" {
		t.Skip("no shared data")
	}
	party := filepath.Join(root, "genius", "domains", "Party")
	if _, err := os.Stat(party); err != nil {
		t.Skip("no Party domain")
	}
	dir := t.TempDir()
	for _, profiles := range []string{"party1_utility.xml,party2_utility.xml", ""} {
		svg := filepath.Join(dir, "party.svg")
		args := []string{"analyze", party, "-q", "--svg", svg}
		if profiles != "" {
			args = append(args, "--profiles", profiles)
		}
		parleyCLI(t, args...)
		st, err := os.Stat(svg)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("Party %q: %d bytes", profiles, st.Size())
		if st.Size() > 150_000 {
			t.Errorf("Party plot (%q) is %d bytes, want < 150 KB", profiles, st.Size())
		}
	}
}

// TestBlindPlotWithoutAgreement: blind bidding that ends without an
// agreement draws the bids and the overlap sizes, the Nash point, and no
// agreement marker nor legend entry (issue 14: the Nash point was drawn
// with the agreement's marker).
func TestBlindPlotWithoutAgreement(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	dance, rounds := filepath.Join(dir, "dance.svg"), filepath.Join(dir, "rounds.svg")
	var out runJSON
	if err := json.Unmarshal(parleyCLI(t, "run", "tiny-2p", "--protocol", session.Blind, "--rounds", "10", "--json",
		"--svg", dance, "--rounds-svg", rounds), &out); err != nil {
		t.Fatal(err)
	}
	if out.Agreement != nil {
		t.Fatalf("tiny-2p under blind bidding agreed (%v): the test needs a session without agreement", out.Agreement)
	}
	b, err := os.ReadFile(dance)
	if err != nil {
		t.Fatal(err)
	}
	d, err := plottest.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Markers("Agreement")) != 0 || d.HasText("Agreement") || len(d.All("marker")) != 1 || len(d.Markers("Nash")) != 1 {
		t.Errorf("markers %v, texts %q: want the Nash point only", d.All("marker"), d.Texts)
	}
	if len(d.All("trace")) != 2 || !d.HasText("lowest bid of North") || !d.HasText("No agreement.") || !d.HasText("overlap size per round: 0, 0") {
		t.Errorf("traces %v, texts %q", d.All("trace"), d.Texts)
	}
	if d.HasText("packages of") {
		t.Error("a legend entry for packages that are not drawn")
	}
	rb, err := os.ReadFile(rounds)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := plottest.Parse(rb)
	if err != nil {
		t.Fatal(err)
	}
	if len(rd.All("mark")) != 0 || len(rd.All("bars")) != 1 || rd.All("bars")[0].Int("n") != 10 {
		t.Errorf("rounds chart: marks %v, bars %v", rd.All("mark"), rd.All("bars"))
	}
}
