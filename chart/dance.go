package chart

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/plot"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// DanceInput is what Dance and Rounds draw: a session's events as one
// viewer sees them.
type DanceInput struct {
	Scenario *scenario.Scenario
	// Events are the session's events as the plot's viewer sees them (the
	// chart draws every one it is given).
	Events []session.Event
	// Parties are the negotiating parties; nil: those of the events'
	// start record, or else every principal with a profile.
	Parties []string
	// Axes are the parties on the axes (Dance only), 2 to plot.MaxAxes of
	// Parties; nil: every one (the first plot.MaxAxes of more).
	Axes []string
}

// session reads what the events say of the session: its protocol and
// parties.
func (in *DanceInput) session() (protocol string, parties []string) {
	parties = in.Parties
	for _, ev := range in.Events {
		if ev.Kind == "start" && ev.Note != nil && ev.Note.Config != nil {
			protocol = ev.Note.Config.Protocol
			if parties == nil {
				parties = ev.Note.Config.Parties
			}
			break
		}
	}
	if parties == nil {
		for _, p := range in.Scenario.Principals() {
			if p.Profile != nil {
				parties = append(parties, p.ID)
			}
		}
	}
	return protocol, parties
}

// danceSpace is the space of the negotiating parties with its frontier
// and the Nash point the session is measured against: the textbook point,
// or GENIUS's variant when no frontier point is individually rational (as
// parley run's "distance to Nash").
type danceSpace struct {
	space    *analysis.Space
	frontier *analysis.Frontier
	nash     *analysis.Solution
	genius   bool
	names    []string
	protocol string
}

func newDanceSpace(ctx context.Context, what string, in *DanceInput, frontier bool) (*danceSpace, error) {
	protocol, parties := in.session()
	space, err := analysis.FromScenario(in.Scenario, parties...)
	if err != nil {
		return nil, inputErrorf("%s: %v", what, err)
	}
	d := &danceSpace{space: space, names: partyNames(in.Scenario, space.Names), protocol: protocol}
	if !frontier {
		return d, nil
	}
	if d.frontier, err = analysis.FrontierAdditiveContext(ctx, space, analysis.FrontierOptions{}); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if n, ok := NashOf(d.frontier, space.Reservation); ok {
		_, textbook := analysis.NashPoint(d.frontier, space.Reservation)
		d.nash, d.genius = &n, !textbook
	}
	return d, nil
}

// NashOf is the Nash point Dance marks and parley run measures the
// distance to: the textbook point on fr, or GENIUS's variant when no
// frontier point is individually rational.
func NashOf(fr *analysis.Frontier, reservation []float64) (analysis.Solution, bool) {
	if n, ok := analysis.NashPoint(fr, reservation); ok {
		return n, true
	}
	return analysis.NashPointGENIUS(fr, reservation)
}

// Dance builds the negotiation-dance plot of a session in the utility
// space of its negotiating parties (one panel for two, pairwise panels of
// the Axes for more), titled "<scenario title>: negotiation dance
// (<protocol>)":
//
//   - Frontier: the Pareto frontier of the negotiating parties (all of
//     them, whatever the axes);
//   - Reservation: their reservation values;
//   - Traces, one per party that put a complete package on the table
//     (offers, proposals, messages with a package), in order of first
//     appearance, "packages of <name>";
//   - a trace of the single text's versions (drafts), "versions of the
//     text", each a dot with a box: a bracketed or open point read at
//     each party's worst option for the dot, at its best for the box's
//     far corner (the note says so) — a settled text is a dot, a package;
//   - under blind bidding, one trace per party that the viewer saw bid,
//     "lowest bid of <name>": per round, the package of its bid that it
//     rates lowest; the note gives the rounds and the overlap size of
//     each (what every party learns), and says when there is no
//     agreement;
//   - Markers: the agreement ("Agreement"), only when there is one, then
//     the Nash point of the negotiating parties (NashOf: "Nash", or
//     "Nash (GENIUS variant)" when no package is individually rational).
//
// Every package is drawn with the utilities of every negotiating party. A
// party that is not in the scenario or has no profile, fewer than two
// parties or axes that are not theirs are an *InputError; a frontier over
// the analysis package's default budget or a ctx that ends stops it with
// that package's error.
func Dance(ctx context.Context, in DanceInput) (*plot.UtilitySpace, error) {
	d, err := newDanceSpace(ctx, "dance plot", &in, true)
	if err != nil {
		return nil, err
	}
	space := d.space
	axes, err := axesOf("dance plot", space.Names, in.Axes)
	if err != nil {
		return nil, err
	}
	title := scenarioTitle(in.Scenario) + ": negotiation dance"
	if d.protocol != "" {
		title += " (" + d.protocol + ")"
	}
	u := &plot.UtilitySpace{
		Title:        title,
		Parties:      d.names,
		Axes:         axes,
		Reservation:  space.Reservation,
		Frontier:     frontierPoints(d.frontier),
		Joined:       space.N() == 2,
		FrontierName: frontierName(space.N()),
	}
	notes := []string{frontierNote(space.N(), d.names, axes)}
	f := in.Scenario.Framework
	var order []string
	byParty := map[string]*plot.Trace{}
	add := func(party, name string, p framework.Package) {
		t := byParty[party+"\x00"+name]
		if t == nil {
			t = &plot.Trace{Name: name, Party: partyName(in.Scenario, party)}
			byParty[party+"\x00"+name] = t
			order = append(order, party+"\x00"+name)
		}
		t.Points = append(t.Points, space.Utilities(p))
	}
	var drafts plot.Trace
	var overlaps []string
	agreed := false
	for i := range in.Events {
		ev := &in.Events[i]
		switch {
		case ev.Kind == "agreement" && ev.Note != nil && complete(f, ev.Note.Package):
			agreed = true
			u.Markers = append(u.Markers, plot.Marker{Name: "Agreement", Kind: "agreement", At: space.Utilities(ev.Note.Package)})
		case ev.Kind == "overlap" && ev.Note != nil:
			overlaps = append(overlaps, strconv.Itoa(ev.Note.Count))
		case ev.Move == nil:
		case ev.Kind == session.KindDraft && ev.Move.Text != nil:
			lo, hi := textRange(space, ev.Move.Text)
			drafts.Party = partyName(in.Scenario, ev.Party)
			drafts.Points = append(drafts.Points, lo)
			drafts.Upper = append(drafts.Upper, hi)
		case ev.Kind == session.KindBid && len(ev.Move.Packages) > 0:
			j := slices.Index(space.Names, ev.Party)
			if j < 0 {
				continue
			}
			low := ev.Move.Packages[0]
			for _, p := range ev.Move.Packages[1:] {
				if complete(f, p) && space.Tables[j].Utility(p) < space.Tables[j].Utility(low) {
					low = p
				}
			}
			if complete(f, low) {
				add(ev.Party, "lowest bid of "+partyName(in.Scenario, ev.Party), low)
			}
		case complete(f, ev.Move.Package):
			add(ev.Party, "packages of "+partyName(in.Scenario, ev.Party), ev.Move.Package)
		}
	}
	for _, k := range order {
		u.Traces = append(u.Traces, *byParty[k])
	}
	if len(drafts.Points) > 0 {
		drafts.Name = "versions of the text"
		u.Traces = append(u.Traces, drafts)
		notes = append(notes, "Versions of the text: the dot reads its bracketed and open points at each party's worst option, the box reaches its best reading; a settled text is a dot.")
	}
	if d.protocol == session.Blind || len(overlaps) > 0 {
		s := fmt.Sprintf("Blind bidding, %d rounds; overlap size per round: %s.", len(overlaps), strings.Join(overlaps, ", "))
		if len(overlaps) == 0 {
			s = "Blind bidding: no round has ended."
		}
		if !agreed {
			s += " No agreement."
		}
		notes = append(notes, s)
	}
	if d.nash != nil {
		name := "Nash"
		if d.genius {
			name = "Nash (GENIUS variant: no package is individually rational)"
		}
		u.Markers = append(u.Markers, plot.Marker{Name: name, Kind: "nash", At: d.nash.Point.U})
	}
	u.Note = strings.TrimSpace(strings.Join(notes, " "))
	return u, nil
}
