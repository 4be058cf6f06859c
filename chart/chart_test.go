package chart_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/chart"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/plot"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// smallYAML is a scenario of 3·4·2 = 24 packages with a zone: north,
// south and east, and a mediator (us) without a profile.
const smallYAML = `parley: 1
name: small
points:
  - id: monitors
    options: [{id: joint}, {id: un}, {id: neutral}]
  - id: buffer
    integer: {min: 0, max: 3}
  - id: amnesty
    options: [{id: no}, {id: yes}]
parties:
  - id: north
    role: principal
    profile:
      weights: {monitors: 0.5, buffer: 0.2, amnesty: 0.3}
      scores: {monitors: {joint: 10, un: 4, neutral: 6}, amnesty: {no: 2, yes: 10}}
      functions: {buffer: {linear: {slope: -0.3, offset: 1}}}
      reservation: 0.3
      red_lines:
        - when: {monitors: un, amnesty: no}
  - id: south
    role: principal
    profile:
      weights: {monitors: 0.4, buffer: 0.4, amnesty: 0.2}
      scores: {monitors: {joint: 1, un: 10, neutral: 7}, amnesty: {no: 10, yes: 3}}
      functions: {buffer: {linear: {slope: 0.3}}}
      reservation: 0.3
  - id: east
    role: principal
    profile:
      weights: {monitors: 0.3, buffer: 0.3, amnesty: 0.4}
      scores: {monitors: {joint: 5, un: 10, neutral: 2}, amnesty: {no: 4, yes: 10}}
      functions: {buffer: {linear: {slope: 0.2, offset: 0.2}}}
      reservation: 0.2
  - id: us
    role: mediator
decision: {rule: unanimity}
`

// small is the small scenario with the analysis of its principals.
func small(t *testing.T) (*scenario.Scenario, *analysis.Space, *analysis.Report) {
	t.Helper()
	sc, err := scenario.Parse("small.yaml", []byte(smallYAML))
	if err != nil {
		t.Fatal(err)
	}
	space, err := analysis.FromScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := analysis.Analyze(space, analysis.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return sc, space, rep
}

// at is (utility of x, utility of y) of p in space.
func at(space *analysis.Space, x, y string, p framework.Package) [2]float64 {
	u := space.Utilities(p)
	return [2]float64{u[slices.Index(space.Names, x)], u[slices.Index(space.Names, y)]}
}

// frontierOf is the frontier of parties x and y of sc, as plot points.
func frontierOf(t *testing.T, sc *scenario.Scenario, x, y string) [][2]float64 {
	t.Helper()
	pair, err := analysis.FromScenario(sc, x, y)
	if err != nil {
		t.Fatal(err)
	}
	fr, err := analysis.FrontierAdditive(pair, analysis.FrontierOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out [][2]float64
	for _, p := range fr.Points {
		out = append(out, [2]float64{p.U[0], p.U[1]})
	}
	return out
}

func markerNames(u *plot.UtilitySpace) []string {
	var out []string
	for _, m := range u.Markers {
		out = append(out, m.Name)
	}
	return out
}

func TestUtilitySpace(t *testing.T) {
	sc, space, rep := small(t)
	var zoneMarkers, solutionMarkers []string
	for _, sg := range rep.Suggestions {
		zoneMarkers = append(zoneMarkers, "zone "+sg.Name)
	}
	for _, s := range rep.Solutions {
		switch s.Name {
		case analysis.GENIUSKalai, analysis.NashGENIUS, analysis.Egalitarian:
		default:
			solutionMarkers = append(solutionMarkers, s.Name+" (ignoring red lines)")
		}
	}
	if len(zoneMarkers) == 0 || len(solutionMarkers) == 0 {
		t.Fatalf("the small scenario has suggestions %v and solutions %v", zoneMarkers, solutionMarkers)
	}
	// Every package, and those in the zone, by brute force.
	var all, zone []framework.Package
	analysis.Enumerate(sc.Framework.Radix(), func(p framework.Package) bool {
		all = append(all, slices.Clone(p))
		if space.Acceptable(p) {
			zone = append(zone, slices.Clone(p))
		}
		return true
	})
	for _, tc := range []struct{ x, y string }{{"north", "south"}, {"east", "north"}} {
		t.Run(tc.x+"-"+tc.y, func(t *testing.T) {
			u, err := chart.UtilitySpace(context.Background(), chart.SpaceInput{Name: "small", Space: space, Report: rep, X: tc.x, Y: tc.y, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			if u.Title != "small: utility space" || u.XName != tc.x || u.YName != tc.y {
				t.Errorf("title %q, axes %q %q", u.Title, u.XName, u.YName)
			}
			var wantAll, wantZone [][2]float64
			for _, p := range all {
				wantAll = append(wantAll, at(space, tc.x, tc.y, p))
			}
			for _, p := range zone {
				wantZone = append(wantZone, at(space, tc.x, tc.y, p))
			}
			if len(all) != 24 || !reflect.DeepEqual(u.Outcomes, wantAll) {
				t.Errorf("outcomes: %d, want every one of the %d packages in order", len(u.Outcomes), len(all))
			}
			if len(zone) == 0 || !reflect.DeepEqual(u.Zone, wantZone) {
				t.Errorf("zone: %d points, want the %d acceptable packages", len(u.Zone), len(zone))
			}
			if want := frontierOf(t, sc, tc.x, tc.y); !reflect.DeepEqual(u.Frontier, want) {
				t.Errorf("frontier %v, want the frontier of the two parties %v", u.Frontier, want)
			}
			r := space.Reservation
			ix, iy := slices.Index(space.Names, tc.x), slices.Index(space.Names, tc.y)
			if u.Reservation == nil || *u.Reservation != [2]float64{r[ix], r[iy]} {
				t.Errorf("reservation %v, want (%v, %v)", u.Reservation, r[ix], r[iy])
			}
			if got, want := markerNames(u), append(slices.Clone(zoneMarkers), solutionMarkers...); !reflect.DeepEqual(got, want) {
				t.Errorf("markers %q, want %q", got, want)
			}
			if got, want := u.Markers[0].At, at(space, tc.x, tc.y, rep.Suggestions[0].Point.Witness); got != want {
				t.Errorf("%s at %v, want its package's utilities %v", u.Markers[0].Name, got, want)
			}
			if len(u.Trace) != 0 {
				t.Errorf("traces %v in a utility space", u.Trace)
			}
		})
	}
	_, err := chart.UtilitySpace(context.Background(), chart.SpaceInput{Name: "small", Space: space, Report: rep, X: "north", Y: "west"})
	var ie *chart.InputError
	if !errors.As(err, &ie) {
		t.Errorf("an unknown party: %v, want an *InputError", err)
	}
}

// TestUtilitySpaceSampled: a space of more than MaxDots packages is drawn
// as MaxDots packages drawn with the seed, plus the zone's frontier.
func TestUtilitySpaceSampled(t *testing.T) {
	sc, err := scenario.Parse("wide.yaml", []byte(`parley: 1
name: wide
points:
  - id: a
    real: {min: 0, max: 1, steps: 201}
  - id: b
    real: {min: 0, max: 1, steps: 201}
parties:
  - id: x
    role: principal
    profile:
      weights: {a: 0.7, b: 0.3}
      functions: {a: {linear: {slope: 1}}, b: {linear: {slope: -1, offset: 1}}}
      reservation: 0.4
  - id: y
    role: principal
    profile:
      weights: {a: 0.4, b: 0.6}
      functions: {a: {linear: {slope: -1, offset: 1}}, b: {linear: {slope: 1}}}
      reservation: 0.4
decision: {rule: unanimity}
`))
	if err != nil {
		t.Fatal(err)
	}
	space, err := analysis.FromScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := analysis.Analyze(space, analysis.Options{Seed: 1, Zone: analysis.ZoneOptions{Samples: 1000, Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	draw := func(seed uint64) *plot.UtilitySpace {
		u, err := chart.UtilitySpace(context.Background(), chart.SpaceInput{Name: "wide", Space: space, Report: rep, X: "x", Y: "y", Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	u := draw(7)
	if len(u.Outcomes) != chart.MaxDots {
		t.Fatalf("%d outcomes of 201² packages, want MaxDots = %d", len(u.Outcomes), chart.MaxDots)
	}
	n := len(rep.ZoneFrontier.Points)
	if n == 0 || len(u.Zone) < n {
		t.Fatalf("zone %d points, zone frontier %d", len(u.Zone), n)
	}
	for i, p := range rep.ZoneFrontier.Points {
		if got := u.Zone[len(u.Zone)-n+i]; got != [2]float64{p.U[0], p.U[1]} {
			t.Fatalf("zone point %d = %v, want the zone frontier's %v", len(u.Zone)-n+i, got, p.U)
		}
	}
	if again := draw(7); !reflect.DeepEqual(again, u) {
		t.Error("the same seed draws another sample")
	}
	if other := draw(8); reflect.DeepEqual(other.Outcomes, u.Outcomes) {
		t.Error("another seed draws the same sample")
	}
}

func TestDance(t *testing.T) {
	sc, space, _ := small(t)
	p1 := framework.Package{0, 0, 0}
	p2 := framework.Package{1, 3, 1}
	p3 := framework.Package{2, 2, 1}
	open := framework.Package{0, framework.Open, 1}
	settled := [][]int{{2}, {3}, {0}}
	bracketed := [][]int{{2}, {1, 3}, {0}}
	events := []session.Event{
		{Kind: "start", Note: &session.Note{}},
		{Kind: session.KindOffer, Party: "north", Move: &session.Move{Kind: session.KindOffer, Package: p1}},
		{Kind: session.KindOffer, Party: "south", Move: &session.Move{Kind: session.KindOffer, Package: p2}},
		{Kind: session.KindOffer, Party: "north", Move: &session.Move{Kind: session.KindOffer, Package: open}},
		{Kind: session.KindAccept, Party: "south", Move: &session.Move{Kind: session.KindAccept}},
		{Kind: session.KindDraft, Party: "us", Move: &session.Move{Kind: session.KindDraft, Text: bracketed}},
		{Kind: session.KindDraft, Party: "us", Move: &session.Move{Kind: session.KindDraft, Text: settled}},
		{Kind: session.KindMessage, Party: "north", Move: &session.Move{Kind: session.KindMessage, Package: p3}},
		{Kind: "agreement", Note: &session.Note{Package: p3}},
	}
	pair, err := analysis.FromScenario(sc, "north", "south")
	if err != nil {
		t.Fatal(err)
	}
	fr, err := analysis.FrontierAdditive(pair, analysis.FrontierOptions{})
	if err != nil {
		t.Fatal(err)
	}
	nash, ok := analysis.NashPoint(fr, pair.Reservation)
	if !ok {
		t.Fatal("the small scenario has no Nash point")
	}
	nashAt := [2]float64{nash.Point.U[0], nash.Point.U[1]}
	ns := func(p framework.Package) [2]float64 { return at(space, "north", "south", p) }
	for _, tc := range []struct {
		name       string
		events     []session.Event
		x, y       string
		wantTraces []plot.Trace
		wantMarks  []plot.Marker
	}{
		{"no events", nil, "", "", nil, []plot.Marker{{Name: "nash", At: nashAt}}},
		{"every kind", events, "", "", []plot.Trace{
			{Name: "packages of north", Points: [][2]float64{ns(p1), ns(p3)}},
			{Name: "packages of south", Points: [][2]float64{ns(p2)}},
			{Name: "packages of us", Points: [][2]float64{ns(framework.Package{2, 3, 0})}},
		}, []plot.Marker{{Name: "agreement", At: ns(p3)}, {Name: "nash", At: nashAt}}},
		{"what a viewer sees", events[2:3], "north", "south", []plot.Trace{
			{Name: "packages of south", Points: [][2]float64{ns(p2)}},
		}, []plot.Marker{{Name: "nash", At: nashAt}}},
		{"axes swapped", events[1:2], "south", "north", []plot.Trace{
			{Name: "packages of north", Points: [][2]float64{at(space, "south", "north", p1)}},
		}, []plot.Marker{{Name: "nash", At: [2]float64{nashAt[1], nashAt[0]}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := chart.Dance(context.Background(), sc, tc.events, tc.x, tc.y)
			if err != nil {
				t.Fatal(err)
			}
			x, y := tc.x, tc.y
			if x == "" {
				x, y = "north", "south"
			}
			if u.Title != "small: negotiation dance" || u.XName != x || u.YName != y {
				t.Errorf("title %q, axes %q %q", u.Title, u.XName, u.YName)
			}
			if !reflect.DeepEqual(u.Trace, tc.wantTraces) {
				t.Errorf("traces\n%v\nwant\n%v", u.Trace, tc.wantTraces)
			}
			if !reflect.DeepEqual(u.Markers, tc.wantMarks) {
				t.Errorf("markers %v, want %v", u.Markers, tc.wantMarks)
			}
			if want := frontierOf(t, sc, x, y); !reflect.DeepEqual(u.Frontier, want) {
				t.Errorf("frontier %v, want %v", u.Frontier, want)
			}
			if len(u.Outcomes) != 0 || len(u.Zone) != 0 || u.Reservation == nil {
				t.Errorf("outcomes %d, zone %d, reservation %v", len(u.Outcomes), len(u.Zone), u.Reservation)
			}
		})
	}
	for _, xy := range [][2]string{{"north", "west"}, {"us", "south"}} {
		_, err := chart.Dance(context.Background(), sc, events, xy[0], xy[1])
		var ie *chart.InputError
		if !errors.As(err, &ie) {
			t.Errorf("axes %v: %v, want an *InputError", xy, err)
		}
	}
}

func TestDebrief(t *testing.T) {
	sc, _, _ := small(t)
	rooms := []chart.RoomOutcome{
		{Label: "room 1", Agreement: true, At: [2]float64{0.6, 0.5}},
		{Label: "room 2", At: [2]float64{0.35, 0.3}},
	}
	u, err := chart.Debrief(context.Background(), sc, "Class of 2026", "south", "north", rooms)
	if err != nil {
		t.Fatal(err)
	}
	if u.Title != "Class of 2026: outcomes" || u.XName != "south" || u.YName != "north" {
		t.Errorf("title %q, axes %q %q", u.Title, u.XName, u.YName)
	}
	want := []plot.Marker{{Name: "room 1", At: [2]float64{0.6, 0.5}}, {Name: "room 2 (no agreement)", At: [2]float64{0.35, 0.3}}}
	if !reflect.DeepEqual(u.Markers, want) {
		t.Errorf("markers %v, want %v", u.Markers, want)
	}
	if f := frontierOf(t, sc, "south", "north"); !reflect.DeepEqual(u.Frontier, f) {
		t.Errorf("frontier %v, want %v", u.Frontier, f)
	}
	if len(u.Trace) != 0 || len(u.Outcomes) != 0 || u.Reservation == nil {
		t.Errorf("traces %d, outcomes %d, reservation %v", len(u.Trace), len(u.Outcomes), u.Reservation)
	}
	_, err = chart.Debrief(context.Background(), sc, "Class", "north", "west", rooms)
	var ie *chart.InputError
	if !errors.As(err, &ie) || ie.Error() != `debrief plot: scenario "small" has no party "west"` {
		t.Errorf("an unknown party: %v", err)
	}
}

func TestTournamentOutcomes(t *testing.T) {
	fr := analysis.FrontierOfVectors([][]float64{{1, 0, 0.5}, {0, 1, 0.5}, {0.6, 0.6, 0.2}})
	for _, tc := range []struct {
		name     string
		names    []string
		nash     []float64
		outcomes [][]float64
		want     *plot.OutcomeMap
	}{
		{"two parties", []string{"a", "b"}, []float64{0.6, 0.6, 0.2}, [][]float64{{0.6, 0.6}, {0.2, 0.9}, {0.6, 0.6}, {0.2, 0.1}}, &plot.OutcomeMap{
			XName: "a", YName: "b", Joined: true, Nash: &[2]float64{0.6, 0.6}, Total: 4,
			Outcomes: []plot.Count{{At: [2]float64{0.2, 0.1}, Count: 1}, {At: [2]float64{0.2, 0.9}, Count: 1}, {At: [2]float64{0.6, 0.6}, Count: 2}},
		}},
		{"three parties, no Nash point, nothing scored", []string{"a", "b", "c"}, nil, nil, &plot.OutcomeMap{
			XName: "a", YName: "b", Joined: false,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := chart.TournamentOutcomes(tc.names, fr, tc.nash, tc.outcomes)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range fr.Points {
				tc.want.Frontier = append(tc.want.Frontier, [2]float64{p.U[0], p.U[1]})
			}
			if !reflect.DeepEqual(m, tc.want) {
				t.Errorf("got  %+v\nwant %+v", m, tc.want)
			}
		})
	}
	for _, bad := range []struct {
		names    []string
		outcomes [][]float64
	}{{[]string{"a"}, nil}, {[]string{"a", "b"}, [][]float64{{0.5}}}} {
		_, err := chart.TournamentOutcomes(bad.names, fr, nil, bad.outcomes)
		var ie *chart.InputError
		if !errors.As(err, &ie) {
			t.Errorf("%v %v: %v, want an *InputError", bad.names, bad.outcomes, err)
		}
	}
}

func TestTournamentScores(t *testing.T) {
	q := func(v ...float64) *[5]float64 { a := [5]float64(v); return &a }
	bp := chart.TournamentScores([]chart.Sample{
		{Agent: "boulware", Values: []float64{5, 1, 4, 2, 3}, Mean: 3, Low: 1.5, High: 4.5, N: 5},
		{Agent: "conceder", Values: []float64{1, 0}, Mean: 0.5, Low: 0.5, High: 0.5, N: 2},
		{Agent: "unranked"},
		{Agent: "alone", Values: []float64{0.7}, Mean: 0.7, Low: 0.7, High: 0.7, N: 1},
	})
	want := &plot.BoxPlot{Boxes: []plot.Box{
		{Label: "boulware", Quartiles: q(1, 2, 3, 4, 5), Mean: 3, Low: 1.5, High: 4.5, N: 5},
		{Label: "conceder", Quartiles: q(0, 0.25, 0.5, 0.75, 1), Mean: 0.5, Low: 0.5, High: 0.5, N: 2},
		{Label: "unranked"},
		{Label: "alone", Quartiles: q(0.7, 0.7, 0.7, 0.7, 0.7), Mean: 0.7, Low: 0.7, High: 0.7, N: 1},
	}}
	if !reflect.DeepEqual(bp, want) {
		for i := range bp.Boxes {
			t.Logf("%+v %v", bp.Boxes[i], bp.Boxes[i].Quartiles)
		}
		t.Errorf("got %+v, want %+v", bp, want)
	}
}
