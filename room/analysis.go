package room

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/plot"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// HeatOption is one cell row of the overlap heat-map: an option of a point.
type HeatOption struct {
	Option string `json:"option"`
	Label  string `json:"label"`
	// Possible says whether some package of the agreement zone uses it.
	Possible analysis.Possibility `json:"possible"`
	// Share is the fraction of zone packages that use it.
	Share float64 `json:"share"`
	// Scores are, per party of MediatorAnalysis.Parties, the option's
	// contribution as a fraction of the party's best on this point
	// (0 to 1). Only when the mediator sees profiles.
	Scores []float64 `json:"scores,omitempty"`
}

// HeatPoint is one point of the heat-map.
type HeatPoint struct {
	Point   string       `json:"point"`
	Title   string       `json:"title"`
	Options []HeatOption `json:"options"`
	// Weights are the parties' weights of the point, normalised to sum 1
	// per party (only when the mediator sees profiles).
	Weights []float64 `json:"weights,omitempty"`
}

// Suggested is a package the mediator may propose.
type Suggested struct {
	Name    string            `json:"name"`
	Package framework.Package `json:"package"`
	// Utilities per party (only when the mediator sees profiles).
	Utilities []float64 `json:"utilities,omitempty"`
	Lines     []string  `json:"lines"`
}

// MediatorAnalysis is the mediator's overview: heat-map, zone and
// suggested packages, as far as the setting lets the mediator see.
type MediatorAnalysis struct {
	Access string `json:"access"`
	// Parties are the principals, in the order of per-party figures
	// (only when the mediator sees profiles).
	Parties []string `json:"parties,omitempty"`
	// ZoneSize is the number (or estimate) of packages in the zone.
	ZoneSize     float64     `json:"zone_size"`
	ZoneFraction float64     `json:"zone_fraction"`
	ZoneExact    bool        `json:"zone_exact"`
	Outcomes     string      `json:"outcomes"`
	Points       []HeatPoint `json:"points"`
	Suggestions  []Suggested `json:"suggestions"`
}

// maxReports bounds the analyses the service keeps (by scenario digest:
// the rooms of a class share theirs).
const maxReports = 64

type mediatorAnalysis struct {
	sc     *scenario.Scenario
	report *analysis.Report
	space  *analysis.Space
}

// report returns the analysis of l's scenario, cached by the scenario's
// digest (so the rooms of a class share one). The computation runs without
// any lock held; a parsed scenario is immutable.
func (s *Service) report(l *live) (*mediatorAnalysis, error) {
	l.mu.Lock()
	sc := l.sc
	l.mu.Unlock()
	digest := session.Digest(sc)
	s.mu.Lock()
	a := s.reports[digest]
	s.mu.Unlock()
	if a != nil {
		return a, nil
	}
	space, err := analysis.FromScenario(sc)
	if err != nil {
		return nil, Errorf(EINVALID, "analysis: %v", err)
	}
	rep, err := analysis.Analyze(space, analysis.Options{Seed: 1, RobustnessSamples: 1000})
	if err != nil {
		return nil, fmt.Errorf("room: analysis: %w", err)
	}
	a = &mediatorAnalysis{sc: sc, report: rep, space: space}
	s.mu.Lock()
	if len(s.reports) >= maxReports {
		clear(s.reports)
	}
	s.reports[digest] = a
	s.mu.Unlock()
	return a, nil
}

// Analysis returns the mediator's overview of negotiation id.
func (s *Service) Analysis(ctx context.Context, user, id string) (*MediatorAnalysis, error) {
	l, err := s.owned(ctx, user, id)
	if err != nil {
		return nil, err
	}
	a, err := s.report(l)
	if err != nil {
		return nil, err
	}
	full := l.settings.MediatorSees == MediatorFull
	f := a.sc.Framework
	z := a.report.Zone
	out := &MediatorAnalysis{Access: l.settings.MediatorSees, Outcomes: z.Outcomes, ZoneSize: z.Size, ZoneFraction: finite(z.Fraction), ZoneExact: z.Exact}
	if full {
		out.Parties = slices.Clone(a.space.Names)
	}
	for i := range f.Points {
		pt := &f.Points[i]
		hp := HeatPoint{Point: pt.ID, Title: pt.Name()}
		for lv := 0; lv < pt.Levels(); lv++ {
			ho := HeatOption{Option: pt.LevelID(lv), Label: pt.LevelName(lv)}
			if i < len(z.Overlap) && lv < len(z.Overlap[i].Options) {
				ho.Possible, ho.Share = z.Overlap[i].Options[lv].Possible, z.Overlap[i].Options[lv].Share
				if math.IsNaN(ho.Share) { // an empty zone: no share
					ho.Share = 0
				}
			}
			if full {
				for _, t := range a.space.Tables {
					best := slices.Max(t.Contrib[i])
					v := 0.0
					if best > 0 {
						v = t.Contrib[i][lv] / best
					}
					ho.Scores = append(ho.Scores, v)
				}
			}
			hp.Options = append(hp.Options, ho)
		}
		if full {
			for _, t := range a.space.Tables {
				mx, _ := t.Max()
				w := 0.0
				if mx > 0 {
					w = slices.Max(t.Contrib[i]) / mx
				}
				hp.Weights = append(hp.Weights, w)
			}
		}
		out.Points = append(out.Points, hp)
	}
	for _, sg := range a.report.Suggestions {
		sug := Suggested{Name: sg.Name, Package: sg.Point.Witness, Lines: analysis.Describe(f, sg.Point.Witness)}
		if full {
			sug.Utilities = slices.Clone(sg.Point.U)
		}
		out.Suggestions = append(out.Suggestions, sug)
	}
	return out, nil
}

// finite maps NaN and infinities to 0 (JSON has no such numbers).
func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

// DancePlot draws the negotiation dance of negotiation id in the utility
// space of parties x and y (the first two principals when empty), as SVG.
// Only a mediator who sees profiles may have it: it shows utilities.
func (s *Service) DancePlot(ctx context.Context, user, id, x, y string) ([]byte, error) {
	l, err := s.owned(ctx, user, id)
	if err != nil {
		return nil, err
	}
	if l.settings.MediatorSees != MediatorFull {
		return nil, Errorf(EFORBIDDEN, "the dance plot shows the parties' utilities; this negotiation lets the mediator see aggregates only")
	}
	l.mu.Lock()
	sc := l.sc
	var events []session.Event
	if l.sess != nil {
		events = slices.Clone(l.sess.Events())
	}
	l.mu.Unlock()
	u, err := Dance(sc, events, x, y)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := plot.Write(&buf, "svg", u); err != nil {
		return nil, fmt.Errorf("room: dance plot: %w", err)
	}
	return buf.Bytes(), nil
}

// Dance builds the negotiation-dance plot of a log: every complete package
// a party put on the table (offers, proposals, drafts without brackets),
// per party, in the utility space of parties x and y, with the frontier,
// the reservation lines, the Nash point and the agreement.
func Dance(sc *scenario.Scenario, events []session.Event, x, y string) (*plot.UtilitySpace, error) {
	if x == "" || y == "" {
		pr := sc.Principals()
		if len(pr) < 2 {
			return nil, Errorf(EINVALID, "a dance plot needs two parties with profiles")
		}
		x, y = pr[0].ID, pr[1].ID
	}
	pair, err := analysis.FromScenario(sc, x, y)
	if err != nil {
		return nil, Errorf(EINVALID, "dance plot: %v", err)
	}
	fr, err := analysis.FrontierAdditive(pair, analysis.FrontierOptions{})
	if err != nil {
		return nil, fmt.Errorf("room: dance plot: %w", err)
	}
	u := &plot.UtilitySpace{Title: sc.Name + ": negotiation dance", XName: x, YName: y,
		Reservation: &[2]float64{pair.Reservation[0], pair.Reservation[1]}}
	for _, p := range fr.Points {
		u.Frontier = append(u.Frontier, [2]float64{p.U[0], p.U[1]})
	}
	at := func(p framework.Package) [2]float64 {
		v := pair.Utilities(p)
		return [2]float64{v[0], v[1]}
	}
	traces := map[string]int{}
	for _, ev := range events {
		var pkg framework.Package
		switch {
		case ev.Move == nil:
		case ev.Kind == session.KindDraft:
			pkg = textPackage(ev.Move.Text)
		case ev.Move.Package != nil:
			pkg = ev.Move.Package
		}
		if pkg == nil || slices.Contains(pkg, framework.Open) {
			continue
		}
		k, ok := traces[ev.Party]
		if !ok {
			k = len(u.Trace)
			traces[ev.Party] = k
			u.Trace = append(u.Trace, plot.Trace{Name: "packages of " + ev.Party})
		}
		u.Trace[k].Points = append(u.Trace[k].Points, at(pkg))
	}
	for _, ev := range events {
		if ev.Kind == "agreement" && ev.Note != nil && ev.Note.Package != nil && !slices.Contains(ev.Note.Package, framework.Open) {
			u.Markers = append(u.Markers, plot.Marker{Name: "agreement", At: at(ev.Note.Package)})
		}
	}
	if nash, ok := analysis.NashPoint(fr, pair.Reservation); ok {
		u.Markers = append(u.Markers, plot.Marker{Name: "nash", At: [2]float64{nash.Point.U[0], nash.Point.U[1]}})
	}
	return u, nil
}
