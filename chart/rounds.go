package chart

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/parley-negotiation/parley/plot"
	"github.com/parley-negotiation/parley/session"
)

// Rounds builds the chart of utility over rounds of a session: for each
// negotiating party (named as the scenario names it, in its colour), its
// utility of what was on the table, titled "<scenario title>: utility
// over rounds (<protocol>)":
//
//   - a complete package put on the table (an offer, a proposal) is a step
//     of every party's series at its round; several in one round are
//     spread evenly across it (X = round + i/k);
//   - a version of the single text (a draft) is a range per party: its
//     worst reading (bracketed and open points at the party's worst
//     option) to its best, the value drawn being the worst;
//   - a blind bid is a step of the bidder's own series only, the range of
//     its utilities over the packages of its bid, the value drawn being
//     the lowest (what it declared it would accept); Bars are the overlap
//     size of each round ("Overlap size"), zero included;
//   - Reservation: the parties' reservation values;
//   - Marks: the agreement at its round with every party's utility, only
//     when there is one.
//
// Messages between parties are not on the table and are not drawn. The
// input errors are Dance's.
func Rounds(ctx context.Context, in DanceInput) (*plot.Timeline, error) {
	d, err := newDanceSpace(ctx, "rounds chart", &in, false)
	if err != nil {
		return nil, err
	}
	space := d.space
	title := scenarioTitle(in.Scenario) + ": utility over rounds"
	if d.protocol != "" {
		title += " (" + d.protocol + ")"
	}
	t := &plot.Timeline{Title: title, Parties: d.names, Reservation: space.Reservation}
	series := make([]plot.Series, space.N())
	for i := range series {
		series[i] = plot.Series{Name: d.names[i], Party: i}
	}
	f := in.Scenario.Framework
	// Table changes, grouped by round to spread them.
	type change struct {
		round  int
		lo, hi []float64 // per party; nil entries for a bid: only bidder
		ranged bool
		only   int // a bid: the bidder's index; -1: every party
	}
	var changes []change
	bidders := false
	for i := range in.Events {
		ev := &in.Events[i]
		switch {
		case ev.Kind == "agreement" && ev.Note != nil && complete(f, ev.Note.Package):
			t.Marks = append(t.Marks, plot.Mark{Name: "Agreement (each party's utility)", Kind: "agreement", X: float64(ev.Round), At: space.Utilities(ev.Note.Package)})
		case ev.Kind == "overlap" && ev.Note != nil:
			t.Bars = append(t.Bars, plot.Bar{X: float64(ev.Round), Value: float64(ev.Note.Count)})
		case ev.Move == nil:
		case ev.Kind == session.KindDraft && ev.Move.Text != nil:
			lo, hi := textRange(space, ev.Move.Text)
			changes = append(changes, change{round: ev.Round, lo: lo, hi: hi, ranged: true, only: -1})
		case ev.Kind == session.KindBid && len(ev.Move.Packages) > 0:
			j := slices.Index(space.Names, ev.Party)
			if j < 0 {
				continue
			}
			bidders = true
			lo, hi := 0.0, 0.0
			first := true
			for _, p := range ev.Move.Packages {
				if !complete(f, p) {
					continue
				}
				v := space.Tables[j].Utility(p)
				if first {
					lo, hi, first = v, v, false
				}
				lo, hi = min(lo, v), max(hi, v)
			}
			if !first {
				l, h := make([]float64, space.N()), make([]float64, space.N())
				l[j], h[j] = lo, hi
				changes = append(changes, change{round: ev.Round, lo: l, hi: h, ranged: true, only: j})
			}
		case (ev.Kind == session.KindOffer || ev.Kind == session.KindPropose) && complete(f, ev.Move.Package):
			u := space.Utilities(ev.Move.Package)
			changes = append(changes, change{round: ev.Round, lo: u, hi: u, only: -1})
		}
	}
	perRound := map[int]int{}
	for _, c := range changes {
		perRound[c.round]++
	}
	seen := map[int]int{}
	for _, c := range changes {
		x := float64(c.round)
		if k := perRound[c.round]; k > 1 && c.only < 0 {
			x += float64(seen[c.round]) / float64(k)
		}
		seen[c.round]++
		for i := range series {
			if c.only >= 0 && c.only != i {
				continue
			}
			st := plot.Step{X: x, Y: c.lo[i]}
			if c.ranged {
				st.Range, st.Low, st.High = true, c.lo[i], c.hi[i]
			}
			series[i].Steps = append(series[i].Steps, st)
		}
	}
	for i := range series {
		if len(series[i].Steps) == 0 {
			continue
		}
		switch {
		case bidders:
			series[i].Name = fmt.Sprintf("%s: lowest bid", d.names[i])
		case slices.ContainsFunc(series[i].Steps, func(s plot.Step) bool { return s.Range }):
			series[i].Name = fmt.Sprintf("%s: worst reading", d.names[i])
		}
		t.Series = append(t.Series, series[i])
	}
	var notes []string
	if bidders {
		notes = append(notes, "Each party's line is the utility of the package of its bid it rates lowest; the band reaches the one it rates highest.")
	} else if slices.ContainsFunc(t.Series, func(s plot.Series) bool {
		return slices.ContainsFunc(s.Steps, func(st plot.Step) bool { return st.Range })
	}) {
		notes = append(notes, "Each version of the text: the line is each party's worst reading of its bracketed and open points, the band reaches its best reading.")
	}
	if len(t.Bars) > 0 || d.protocol == session.Blind {
		t.BarsName = "Overlap size"
		notes = append(notes, "Bars: the size of each round's overlap (packages), the only thing every party learns.")
		if len(t.Marks) == 0 {
			notes = append(notes, "No agreement.")
		}
	}
	t.Note = strings.Join(notes, " ")
	return t, nil
}
