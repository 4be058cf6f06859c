package chart_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
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
    name: North
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

// frontierOf is the Pareto frontier of every party of space.
func frontierOf(t *testing.T, space *analysis.Space) [][]float64 {
	t.Helper()
	fr, err := analysis.FrontierAdditive(space, analysis.FrontierOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out [][]float64
	for _, p := range fr.Points {
		out = append(out, p.U)
	}
	return out
}

// marker returns the markers of a kind, filled or hollow.
func markers(u *plot.UtilitySpace, kind string, hollow bool) []plot.Marker {
	var out []plot.Marker
	for _, m := range u.Markers {
		if m.Kind == kind && m.Hollow == hollow {
			out = append(out, m)
		}
	}
	return out
}

func solution(sols []analysis.Solution, name string) []float64 {
	for _, s := range sols {
		if s.Name == name {
			return s.Point.U
		}
	}
	return nil
}

// TestUtilitySpace: issue 14 — the plot of three parties drew the
// frontier of the first two; it now draws the frontier of all of them
// and marks the very solution points the report gives.
func TestUtilitySpace(t *testing.T) {
	sc, space, rep := small(t)
	var all, zone [][]float64
	analysis.Enumerate(sc.Framework.Radix(), func(p framework.Package) bool {
		all = append(all, space.Utilities(p))
		if space.Acceptable(p) {
			zone = append(zone, space.Utilities(p))
		}
		return true
	})
	for _, axes := range [][]string{nil, {"east", "north"}} {
		u, err := chart.UtilitySpace(context.Background(), chart.SpaceInput{Scenario: sc, Space: space, Report: rep, Axes: axes, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if u.Title != "small: utility space" || !reflect.DeepEqual(u.Parties, []string{"North", "south", "east"}) {
			t.Errorf("title %q, parties %q", u.Title, u.Parties)
		}
		if len(all) != 24 || !reflect.DeepEqual(u.Outcomes, all) || !reflect.DeepEqual(u.Zone, zone) || len(zone) == 0 {
			t.Errorf("outcomes %d, zone %d: want every one of the 24 packages and the %d acceptable", len(u.Outcomes), len(u.Zone), len(zone))
		}
		if want := frontierOf(t, space); !reflect.DeepEqual(u.Frontier, want) || u.Joined {
			t.Errorf("frontier %v (joined %v), want the frontier of the three parties %v", u.Frontier, u.Joined, want)
		}
		if !reflect.DeepEqual(u.Reservation, space.Reservation) {
			t.Errorf("reservation %v", u.Reservation)
		}
		for _, k := range []struct{ name, kind string }{{analysis.Nash, "nash"}, {analysis.KalaiSmorodinsky, "kalai-smorodinsky"}, {analysis.MaxWelfare, "max-welfare"}, {analysis.Egalitarian, "egalitarian"}} {
			var zoneU []float64
			for _, sg := range rep.Suggestions {
				if sg.Name == k.name {
					zoneU = sg.Point.U
				}
			}
			if m := markers(u, k.kind, false); len(m) != 1 || !reflect.DeepEqual(m[0].At, zoneU) {
				t.Errorf("%s in the zone: %v, want the suggestion's %v", k.name, m, zoneU)
			}
			// The whole frontier's solution: hollow, or only the filled
			// marker when it is the same point.
			whole := solution(rep.Solutions, k.name)
			if m := markers(u, k.kind, true); reflect.DeepEqual(zoneU, whole) != (len(m) == 0) || (len(m) == 1 && !reflect.DeepEqual(m[0].At, whole)) || len(m) > 1 {
				t.Errorf("%s on the whole frontier: %v, want %v (the zone's: %v)", k.name, m, whole, zoneU)
			}
		}
		var wantAxes []int
		if axes != nil {
			wantAxes = []int{2, 0}
		}
		if !reflect.DeepEqual(u.Axes, wantAxes) || !strings.Contains(u.Note, "all 3 parties") {
			t.Errorf("axes %v, note %q", u.Axes, u.Note)
		}
	}
	for _, axes := range [][]string{{"north", "west"}, {"north"}, {"north", "north"}} {
		_, err := chart.UtilitySpace(context.Background(), chart.SpaceInput{Scenario: sc, Space: space, Report: rep, Axes: axes})
		var ie *chart.InputError
		if !errors.As(err, &ie) {
			t.Errorf("axes %v: %v, want an *InputError", axes, err)
		}
	}
}

// TestUtilitySpaceSampled: a space of more than MaxDots packages is drawn
// as MaxDots packages drawn with the seed, plus the zone's frontier; two
// parties' frontier is joined.
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
		u, err := chart.UtilitySpace(context.Background(), chart.SpaceInput{Scenario: sc, Space: space, Report: rep, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	u := draw(7)
	if len(u.Outcomes) != chart.MaxDots || !u.Joined {
		t.Fatalf("%d outcomes of 201² packages, want MaxDots = %d; joined %v", len(u.Outcomes), chart.MaxDots, u.Joined)
	}
	n := len(rep.ZoneFrontier.Points)
	if n == 0 || len(u.Zone) < n {
		t.Fatalf("zone %d points, zone frontier %d", len(u.Zone), n)
	}
	for i, p := range rep.ZoneFrontier.Points {
		if got := u.Zone[len(u.Zone)-n+i]; !reflect.DeepEqual(got, p.U) {
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

func offer(party string, p framework.Package) session.Event {
	return session.Event{Kind: session.KindOffer, Party: party, Move: &session.Move{Kind: session.KindOffer, Package: p}}
}

func start(protocol string, parties ...string) session.Event {
	return session.Event{Kind: "start", Note: &session.Note{Config: &session.Config{Protocol: protocol, Parties: parties}}}
}

// TestDance: the frontier and the Nash point are those of every
// negotiating party — the Nash point parley run measures against — drafts
// are drawn as ranges, blind bids as each party's lowest bid, and there is
// no agreement marker without an agreement (issue 14).
func TestDance(t *testing.T) {
	sc, space, _ := small(t)
	p1 := framework.Package{0, 0, 0}
	p2 := framework.Package{1, 3, 1}
	p3 := framework.Package{2, 2, 1}
	open := framework.Package{0, framework.Open, 1}
	bracketed := session.Text{{2}, {1, 3}, {}}
	settled := session.Text{{2}, {3}, {0}}
	fr, err := analysis.FrontierAdditive(space, analysis.FrontierOptions{})
	if err != nil {
		t.Fatal(err)
	}
	nash, ok := chart.NashOf(fr, space.Reservation)
	if !ok {
		t.Fatal("no Nash point")
	}
	u3 := func(p framework.Package) []float64 { return space.Utilities(p) }
	lo, hi := make([]float64, 3), make([]float64, 3)
	for i, tb := range space.Tables {
		c := tb.Contrib
		lo[i] = c[0][2] + min(c[1][1], c[1][3]) + min(c[2][0], c[2][1])
		hi[i] = c[0][2] + max(c[1][1], c[1][3]) + max(c[2][0], c[2][1])
	}
	for _, tc := range []struct {
		name       string
		events     []session.Event
		wantTraces []plot.Trace
		agreement  []float64
		note       string
	}{
		{"no events", nil, nil, nil, ""},
		{"offers, an open package, an agreement", []session.Event{
			start(session.SAO, "north", "south", "east"), offer("north", p1), offer("south", p2), offer("north", open), offer("east", p3),
			{Kind: "agreement", Note: &session.Note{Package: p3}},
		}, []plot.Trace{
			{Name: "packages of North", Party: "North", Points: [][]float64{u3(p1)}},
			{Name: "packages of south", Party: "south", Points: [][]float64{u3(p2)}},
			{Name: "packages of east", Party: "east", Points: [][]float64{u3(p3)}},
		}, u3(p3), ""},
		{"single text", []session.Event{
			start(session.SingleText, "north", "south", "east"),
			{Kind: session.KindDraft, Party: "us", Move: &session.Move{Kind: session.KindDraft, Text: bracketed}},
			{Kind: session.KindDraft, Party: "us", Move: &session.Move{Kind: session.KindDraft, Text: settled}},
		}, []plot.Trace{
			{Name: "versions of the text", Party: "us", Points: [][]float64{lo, u3(framework.Package{2, 3, 0})}, Upper: [][]float64{hi, u3(framework.Package{2, 3, 0})}},
		}, nil, "worst option"},
		{"blind, no agreement", []session.Event{
			start(session.Blind, "north", "south", "east"),
			{Kind: session.KindBid, Party: "north", Move: &session.Move{Kind: session.KindBid, Packages: []framework.Package{p1, p3}}},
			{Kind: "overlap", Round: 1, Note: &session.Note{Count: 0}},
		}, []plot.Trace{
			{Name: "lowest bid of North", Party: "North", Points: [][]float64{u3(lowest(space, 0, p1, p3))}},
		}, nil, "overlap size per round: 0. No agreement."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := chart.Dance(context.Background(), chart.DanceInput{Scenario: sc, Events: tc.events})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(u.Title, "small: negotiation dance") || !reflect.DeepEqual(u.Parties, []string{"North", "south", "east"}) {
				t.Errorf("title %q, parties %q", u.Title, u.Parties)
			}
			if !reflect.DeepEqual(u.Traces, tc.wantTraces) {
				t.Errorf("traces\n%+v\nwant\n%+v", u.Traces, tc.wantTraces)
			}
			if m := markers(u, "nash", false); len(m) != 1 || !reflect.DeepEqual(m[0].At, nash.Point.U) {
				t.Errorf("Nash %v, want the three parties' %v", m, nash.Point.U)
			}
			if m := markers(u, "agreement", false); (tc.agreement == nil) != (len(m) == 0) || (len(m) == 1 && !reflect.DeepEqual(m[0].At, tc.agreement)) {
				t.Errorf("agreement markers %v, want %v", m, tc.agreement)
			}
			if want := frontierOf(t, space); !reflect.DeepEqual(u.Frontier, want) {
				t.Errorf("frontier of %d points, want the three parties' %d", len(u.Frontier), len(want))
			}
			if !strings.Contains(u.Note, tc.note) {
				t.Errorf("note %q lacks %q", u.Note, tc.note)
			}
		})
	}
	for _, in := range []chart.DanceInput{
		{Scenario: sc, Axes: []string{"north", "west"}},
		{Scenario: sc, Parties: []string{"us", "south"}},
		{Scenario: sc, Parties: []string{"north"}},
	} {
		_, err := chart.Dance(context.Background(), in)
		var ie *chart.InputError
		if !errors.As(err, &ie) {
			t.Errorf("%v %v: %v, want an *InputError", in.Parties, in.Axes, err)
		}
	}
}

// lowest is the package of ps that party i rates lowest (the first of
// equals).
func lowest(space *analysis.Space, i int, ps ...framework.Package) framework.Package {
	low := ps[0]
	for _, p := range ps[1:] {
		if space.Tables[i].Utility(p) < space.Tables[i].Utility(low) {
			low = p
		}
	}
	return low
}

func TestRounds(t *testing.T) {
	sc, space, _ := small(t)
	p1, p2 := framework.Package{0, 0, 0}, framework.Package{1, 3, 1}
	events := []session.Event{
		start(session.SAO, "north", "south"),
		offer("north", p1), offer("south", p2),
		{Kind: "agreement", Round: 1, Note: &session.Note{Package: p2}},
	}
	events[1].Round, events[2].Round = 1, 1
	tl, err := chart.Rounds(context.Background(), chart.DanceInput{Scenario: sc, Events: events})
	if err != nil {
		t.Fatal(err)
	}
	pair, err := analysis.FromScenario(sc, "north", "south")
	if err != nil {
		t.Fatal(err)
	}
	if len(tl.Series) != 2 || tl.Series[0].Name != "North" || tl.Series[1].Party != 1 {
		t.Fatalf("series %+v", tl.Series)
	}
	want := []plot.Step{{X: 1, Y: pair.Utilities(p1)[0]}, {X: 1.5, Y: pair.Utilities(p2)[0]}}
	if !reflect.DeepEqual(tl.Series[0].Steps, want) {
		t.Errorf("north's steps %v, want %v", tl.Series[0].Steps, want)
	}
	if len(tl.Marks) != 1 || !reflect.DeepEqual(tl.Marks[0].At, pair.Utilities(p2)) || len(tl.Bars) != 0 {
		t.Errorf("marks %+v, bars %v", tl.Marks, tl.Bars)
	}
	_ = space
	blind := []session.Event{
		start(session.Blind, "north", "south"),
		{Kind: session.KindBid, Party: "north", Round: 1, Move: &session.Move{Kind: session.KindBid, Packages: []framework.Package{p1, p2}}},
		{Kind: "overlap", Round: 1, Note: &session.Note{Count: 0}},
		{Kind: "overlap", Round: 2, Note: &session.Note{Count: 3}},
	}
	tl, err = chart.Rounds(context.Background(), chart.DanceInput{Scenario: sc, Events: blind})
	if err != nil {
		t.Fatal(err)
	}
	un := pair.Tables[0]
	lo, hi := min(un.Utility(p1), un.Utility(p2)), max(un.Utility(p1), un.Utility(p2))
	if len(tl.Series) != 1 || !reflect.DeepEqual(tl.Series[0].Steps, []plot.Step{{X: 1, Y: lo, Range: true, Low: lo, High: hi}}) {
		t.Errorf("blind series %+v", tl.Series)
	}
	if !reflect.DeepEqual(tl.Bars, []plot.Bar{{X: 1, Value: 0}, {X: 2, Value: 3}}) || len(tl.Marks) != 0 || !strings.Contains(tl.Note, "No agreement") {
		t.Errorf("bars %v, marks %v, note %q", tl.Bars, tl.Marks, tl.Note)
	}
}

func TestDebrief(t *testing.T) {
	sc, space, rep := small(t)
	rooms := []chart.RoomOutcome{
		{Label: "Class room 1", Agreement: true, At: []float64{0.6, 0.5, 0.4}},
		{Label: "Class room 2", At: []float64{0.35, 0.3, 0.2}},
	}
	u, err := chart.Debrief(chart.DebriefInput{Class: "Class of 2026", Scenario: sc, Space: space, Report: rep, Rooms: rooms})
	if err != nil {
		t.Fatal(err)
	}
	if u.Title != "Class of 2026: outcomes" || !reflect.DeepEqual(u.Parties, []string{"North", "south", "east"}) {
		t.Errorf("title %q, parties %q", u.Title, u.Parties)
	}
	if m := markers(u, "room", false); len(m) != 1 || m[0].Label != "1" || !reflect.DeepEqual(m[0].At, rooms[0].At) {
		t.Errorf("rooms that agreed %+v", m)
	}
	if m := markers(u, "room", true); len(m) != 1 || m[0].Label != "2" || m[0].Name != "rooms without agreement" {
		t.Errorf("rooms without agreement %+v", m)
	}
	if m := markers(u, "nash", false); len(m) != 1 || !reflect.DeepEqual(m[0].At, solution(rep.Solutions, analysis.Nash)) {
		t.Errorf("Nash %+v", m)
	}
	if !reflect.DeepEqual(u.Frontier, frontierOf(t, space)) {
		t.Error("the frontier is not the three parties'")
	}
	for _, in := range []chart.DebriefInput{
		{Class: "C", Scenario: sc, Space: space, Report: rep, Rooms: rooms, Axes: []string{"north", "west"}},
		{Class: "C", Scenario: sc, Space: space, Report: rep, Rooms: []chart.RoomOutcome{{Label: "room 1", At: []float64{1, 2}}}},
	} {
		_, err = chart.Debrief(in)
		var ie *chart.InputError
		if !errors.As(err, &ie) {
			t.Errorf("%v: %v, want an *InputError", in.Axes, err)
		}
	}
}

func TestTournamentOutcomes(t *testing.T) {
	fr := analysis.FrontierOfVectors([][]float64{{1, 0, 0.5}, {0, 1, 0.5}, {0.6, 0.6, 0.2}})
	u, err := chart.TournamentOutcomes([]string{"A", "B", "C"}, fr, []float64{0.6, 0.6, 0.2}, [][]float64{{0.6, 0.6, 0.2}, {0.2, 0.9, 0.1}, {0.6, 0.6, 0.2}})
	if err != nil {
		t.Fatal(err)
	}
	want := []plot.Count{{At: []float64{0.2, 0.9, 0.1}, Count: 1}, {At: []float64{0.6, 0.6, 0.2}, Count: 2}}
	if !reflect.DeepEqual(u.Counts, want) || u.Joined || !u.Compact || len(u.Frontier) != 3 {
		t.Errorf("got %+v", u)
	}
	if m := markers(u, "nash", false); len(m) != 1 || !reflect.DeepEqual(m[0].At, []float64{0.6, 0.6, 0.2}) {
		t.Errorf("Nash %+v", m)
	}
	for _, bad := range []struct {
		names    []string
		nash     []float64
		outcomes [][]float64
	}{{[]string{"a"}, nil, nil}, {[]string{"a", "b", "c"}, nil, [][]float64{{0.5}}}, {[]string{"a", "b", "c"}, []float64{1}, nil}} {
		_, err := chart.TournamentOutcomes(bad.names, fr, bad.nash, bad.outcomes)
		var ie *chart.InputError
		if !errors.As(err, &ie) {
			t.Errorf("%v: %v, want an *InputError", bad, err)
		}
	}
}

func TestOverlap(t *testing.T) {
	sc, space, rep := small(t)
	o, err := chart.Overlap(sc, space, rep)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Points) != 3 || o.Points[0].Name != sc.Framework.Points[0].Name() || len(o.Points[1].Options) != 4 {
		t.Fatalf("points %+v", o.Points)
	}
	for k, po := range rep.Zone.Overlap {
		for l, op := range po.Options {
			got := o.Points[k].Options[l]
			want := map[analysis.Possibility]plot.Possibility{analysis.Yes: plot.Possible, analysis.No: plot.Excluded, analysis.Unknown: plot.Undecided}[op.Possible]
			if got.Possible != want || (op.Possible == analysis.Yes && got.Share != op.Share) || got.Name != sc.Framework.Points[k].LevelName(l) {
				t.Errorf("point %d option %d: %+v, analysis %+v", k, l, got, op)
			}
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
