package room

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/chart"
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
	// FrontierMethod says how the analysis computed the Pareto frontier
	// (analysis.Frontier.Method) and FrontierExact whether it is exact
	// (false: thinned or approximate, as the analysis reports it).
	FrontierMethod string `json:"frontier_method,omitempty"`
	FrontierExact  bool   `json:"frontier_exact"`
	// Interactions tells that some party's profile has interactions (a
	// utility that is not a sum over the points: an option worth more or
	// less with another); the heat-map's scores and weights are then the
	// additive parts. Only for a mediator who sees the profiles (it is
	// a fact about them), as FrontierMethod, which counts them.
	Interactions bool `json:"interactions,omitempty"`
	// PartyInteractions are, per party of Parties, how many interactions
	// its profile has (only when the mediator sees profiles).
	PartyInteractions []int `json:"party_interactions,omitempty"`
	// WhatIf lists the changed assumptions these figures were computed
	// with (Service.WhatIfAs), in the order applied; absent for the
	// negotiation's own profiles.
	WhatIf []WhatIfChange `json:"what_if,omitempty"`
}

// maxReports bounds the analyses the service keeps (by scenario digest:
// the rooms of a class share theirs).
const maxReports = 64

// DefaultAnalysisTimeout bounds one analysis or plot computed for the
// room (Service.SetAnalysisTimeout changes it).
const DefaultAnalysisTimeout = time.Minute

// failureTTL is how long an analysis that ran out of time stays failed
// before a request may try it again (one stopped by its work budget or
// its size stays failed: it would fail again).
const failureTTL = 10 * time.Minute

// maxRunning bounds the analyses computed at once over all scenarios;
// more wait for a turn.
const maxRunning = 2

// errAnalysisTimeout is the cause of an analysis stopped by its deadline.
var errAnalysisTimeout = errors.New("analysis deadline")

type mediatorAnalysis struct {
	sc     *scenario.Scenario
	report *analysis.Report
	space  *analysis.Space
}

// reportCache holds the analyses by scenario digest: the results, the
// failures (saying why) and the computations running. One computation
// runs per digest; every caller waits for it. A caller that gives up
// does not stop it for the others; when the last one gives up it is
// cancelled (and forgotten: the next request starts it again).
type reportCache struct {
	mu      sync.Mutex
	entries map[string]*reportEntry
	timeout time.Duration
	running chan struct{} // a token per analysis computing
	// compute is the analysis itself (a field so that tests can watch it).
	compute func(ctx context.Context, sc *scenario.Scenario) (*mediatorAnalysis, error)
	// whatIfs are the incremental what-if states, by scenario digest
	// (whatif.go).
	whatIfs map[string]*whatIfState
}

type reportEntry struct {
	done    chan struct{} // closed when a and err are set
	a       *mediatorAnalysis
	err     error
	expires time.Time // for a failure that may pass on another try; zero: never
	waiters int
	cancel  context.CancelFunc
}

func newReportCache() *reportCache {
	return &reportCache{entries: map[string]*reportEntry{}, timeout: DefaultAnalysisTimeout,
		running: make(chan struct{}, maxRunning), compute: computeReport, whatIfs: map[string]*whatIfState{}}
}

// SetAnalysisTimeout sets how long one analysis or plot may compute
// (default DefaultAnalysisTimeout); d ≤ 0 restores the default.
func (s *Service) SetAnalysisTimeout(d time.Duration) {
	if d <= 0 {
		d = DefaultAnalysisTimeout
	}
	s.reports.mu.Lock()
	s.reports.timeout = d
	s.reports.mu.Unlock()
}

// analysisTimeout returns the current bound on one computation.
func (s *Service) analysisTimeout() time.Duration {
	s.reports.mu.Lock()
	defer s.reports.mu.Unlock()
	return s.reports.timeout
}

// report returns the analysis of l's scenario, cached by the scenario's
// digest (so the rooms of a class share one). The computation runs without
// any lock held (a parsed scenario is immutable), under the service's
// deadline, and stops when every caller waiting for it has given up.
func (s *Service) report(ctx context.Context, l *live) (*mediatorAnalysis, error) {
	l.mu.Lock()
	sc := l.sc
	l.mu.Unlock()
	return s.reports.get(ctx, session.Digest(sc), sc)
}

// get returns the analysis of sc (digest key), computing it at most once
// at a time.
func (c *reportCache) get(ctx context.Context, key string, sc *scenario.Scenario) (*mediatorAnalysis, error) {
	c.mu.Lock()
	e := c.entries[key]
	if e != nil && finished(e) && !e.expires.IsZero() && time.Now().After(e.expires) {
		delete(c.entries, key)
		e = nil
	}
	if e == nil {
		if len(c.entries) >= maxReports {
			for k, old := range c.entries {
				if finished(old) {
					delete(c.entries, k)
				}
			}
		}
		cctx, cancel := context.WithTimeoutCause(context.Background(), c.timeout, errAnalysisTimeout)
		e = &reportEntry{done: make(chan struct{}), cancel: cancel}
		c.entries[key] = e
		go c.run(cctx, e, sc)
	}
	e.waiters++
	c.mu.Unlock()
	select {
	case <-e.done:
		c.mu.Lock()
		e.waiters--
		c.mu.Unlock()
		return e.a, e.err
	case <-ctx.Done():
		c.mu.Lock()
		e.waiters--
		if e.waiters == 0 && !finished(e) {
			// No one waits any more: stop the work and forget it.
			e.cancel()
			if c.entries[key] == e {
				delete(c.entries, key)
			}
		}
		c.mu.Unlock()
		return nil, &Error{Code: EINVALID, Message: "the request ended before the analysis was ready", Err: ctx.Err()}
	}
}

// finished reports whether e's computation has ended; c.mu is held.
func finished(e *reportEntry) bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}

// run computes one analysis and records its result or failure.
func (c *reportCache) run(ctx context.Context, e *reportEntry, sc *scenario.Scenario) {
	defer e.cancel()
	var a *mediatorAnalysis
	var err error
	select {
	case c.running <- struct{}{}:
		a, err = c.compute(ctx, sc)
		<-c.running
	case <-ctx.Done():
		err = fmt.Errorf("waiting for another analysis to finish: %w", context.Cause(ctx))
	}
	if err != nil {
		err = analysisError(err, c.timeout, true)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e.a, e.err = a, err
	if err != nil && errors.Is(err, errAnalysisTimeout) {
		e.expires = time.Now().Add(failureTTL)
	}
	close(e.done)
}

// computeReport analyses sc's principals.
func computeReport(ctx context.Context, sc *scenario.Scenario) (*mediatorAnalysis, error) {
	space, err := analysis.FromScenario(sc)
	if err != nil {
		return nil, Errorf(EINVALID, "analysis: %v", err)
	}
	rep, err := analysis.AnalyzeContext(ctx, space, roomAnalysisOptions())
	if err != nil {
		return nil, err
	}
	return &mediatorAnalysis{sc: sc, report: rep, space: space}, nil
}

// roomAnalysisOptions are the options of every analysis the room computes
// (the base analysis and the what-ifs from it: the same seed and samples,
// so that a what-if changes only what its change changes).
func roomAnalysisOptions() analysis.Options {
	return analysis.Options{Seed: 1, RobustnessSamples: 1000}
}

// analysisError says why an analysis or a plot failed, in words for the
// mediator (the engine's messages name points and counts, never a
// party's numbers). cached tells whether the failure is kept.
func analysisError(err error, timeout time.Duration, cached bool) error {
	var e *Error
	switch {
	case errors.As(err, &e):
		return err
	case errors.Is(err, errAnalysisTimeout):
		again := ""
		if cached {
			again = fmt.Sprintf("; it is not tried again for %v", failureTTL)
		}
		return &Error{Code: ETOOLARGE, Err: err, Message: fmt.Sprintf("the analysis of this scenario did not finish within %v and was stopped (%v)%s: simplify the scenario (fewer points, options or red lines that combine several points), or analyse it with parley analyze, which may take longer", timeout, err, again)}
	case errors.Is(err, analysis.ErrWorkBudget), errors.Is(err, analysis.ErrTooLarge):
		return &Error{Code: ETOOLARGE, Err: err, Message: fmt.Sprintf("this scenario is too large to analyse in the room (%v): simplify it (fewer points, options or red lines that combine several points), or analyse it with parley analyze and a larger --max-work", err)}
	}
	return fmt.Errorf("room: analysis: %w", err)
}

// Analysis returns the mediator's overview of negotiation id.
func (s *Service) Analysis(ctx context.Context, user, id string) (*MediatorAnalysis, error) {
	return s.AnalysisAs(ctx, Viewer{User: user}, id)
}

// AnalysisAs returns the mediator's overview of negotiation id for its
// owner or the holder of its mediator's seat (seats.go, hosted); the
// settings decide for both whether it shows the parties' numbers.
func (s *Service) AnalysisAs(ctx context.Context, v Viewer, id string) (*MediatorAnalysis, error) {
	l, err := s.hosted(ctx, v, id)
	if err != nil {
		return nil, err
	}
	a, err := s.report(ctx, l)
	if err != nil {
		l.mu.Lock()
		sc := l.sc
		l.mu.Unlock()
		return nil, redactPrivate(sc, err)
	}
	return mediatorView(l.settings.MediatorSees, a.sc, a.space, a.report), nil
}

// mediatorView is the mediator's overview of report rep of space (of
// scenario sc), showing the parties' numbers only when sees is
// MediatorFull.
func mediatorView(sees string, sc *scenario.Scenario, space *analysis.Space, rep *analysis.Report) *MediatorAnalysis {
	full := sees == MediatorFull
	f := sc.Framework
	z := rep.Zone
	out := &MediatorAnalysis{Access: sees, Outcomes: z.Outcomes, ZoneSize: z.Size, ZoneFraction: finite(z.Fraction), ZoneExact: z.Exact}
	if full {
		out.Parties = slices.Clone(space.Names)
	}
	if fr := rep.Frontier; fr != nil {
		out.FrontierExact = !fr.Approximate
		if full {
			// The method names how many interactions the profiles have:
			// a fact about them only a mediator who sees them may know.
			out.FrontierMethod = fr.Method
		}
	}
	for _, t := range space.Tables {
		if full && !t.Additive() {
			out.Interactions = true
		}
	}
	if full && out.Interactions {
		for _, t := range space.Tables {
			out.PartyInteractions = append(out.PartyInteractions, len(t.Effects))
		}
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
				for _, t := range space.Tables {
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
			for _, t := range space.Tables {
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
	for _, sg := range rep.Suggestions {
		sug := Suggested{Name: sg.Name, Package: sg.Point.Witness, Lines: analysis.Describe(f, sg.Point.Witness)}
		if full {
			sug.Utilities = slices.Clone(sg.Point.U)
		}
		out.Suggestions = append(out.Suggestions, sug)
	}
	return out
}

// finite maps NaN and infinities to 0 (JSON has no such numbers).
func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

// DancePlot draws the negotiation dance of negotiation id in the utility
// space of the negotiating parties — pairwise panels for three or more, or
// the one panel of parties x and y when given — as SVG (chart.Dance). Only a mediator who sees profiles may have it: it shows
// utilities. It draws only the events the mediator's seat may see.
func (s *Service) DancePlot(ctx context.Context, user, id, x, y string) ([]byte, error) {
	return s.DancePlotAs(ctx, Viewer{User: user}, id, x, y)
}

// DancePlotAs is DancePlot for the owner or the holder of the mediator's
// seat (hosted).
func (s *Service) DancePlotAs(ctx context.Context, v Viewer, id, x, y string) ([]byte, error) {
	l, err := s.hosted(ctx, v, id)
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
		// Only what the mediator's seat may see: a bilateral message between
		// two parties is not the mediator's to plot.
		events = visibleEvents(l.sess.Events(), 0, roleOwner, mediatorOf(sc))
	}
	l.mu.Unlock()
	ctx, cancel := context.WithTimeoutCause(ctx, s.analysisTimeout(), errAnalysisTimeout)
	defer cancel()
	u, err := chart.Dance(ctx, chart.DanceInput{Scenario: sc, Events: events, Axes: plotAxes(x, y)})
	if err != nil {
		return nil, redactPrivate(sc, analysisError(chartError(err), s.analysisTimeout(), false))
	}
	return svg(u, "dance plot")
}

// chartError makes a chart's refusal of its inputs (a party that is not
// there) an EINVALID error with the chart's message; other errors pass.
func chartError(err error) error {
	var ie *chart.InputError
	if errors.As(err, &ie) {
		return &Error{Code: EINVALID, Message: ie.Error(), Err: err}
	}
	return err
}

// plotAxes are the parties a plot request puts on the axes: nil (every
// party) when it names none.
func plotAxes(x, y string) []string {
	if x == "" && y == "" {
		return nil
	}
	return []string{x, y}
}

// svg renders a chart as SVG.
func svg(u plot.Figure, what string) ([]byte, error) {
	var buf bytes.Buffer
	if err := plot.Write(&buf, "svg", u); err != nil {
		return nil, fmt.Errorf("room: %s: %w", what, err)
	}
	return buf.Bytes(), nil
}
