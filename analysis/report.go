package analysis

import (
	"context"
	"fmt"
	"strings"

	"github.com/parley-negotiation/parley/framework"
)

// Options configure Analyze.
type Options struct {
	Frontier FrontierOptions
	Zone     ZoneOptions
	// RobustnessSamples is the Monte Carlo sample count for robustness of
	// the suggested packages when some profile is uncertain (default 10,000).
	RobustnessSamples int
	// Seed makes every sampled figure reproducible.
	Seed uint64
	// Stage, when set, is called as each stage starts.
	Stage func(name string)
}

// PartySummary describes one party of the space.
type PartySummary struct {
	ID          string  `json:"id"`
	Reservation float64 `json:"reservation"`
	Min         float64 `json:"min_utility"`
	Max         float64 `json:"max_utility"`
	RedLines    int     `json:"red_lines"`
	Uncertain   bool    `json:"uncertain"`
	// Interactions is the number of the profile's interactions
	// (non-additive terms); Min and Max are exact with them.
	Interactions int `json:"interactions,omitempty"`
}

// Suggestion is a solution point with its robustness, if computed.
type Suggestion struct {
	Solution
	Robustness *Robustness `json:"robustness,omitempty"`
}

// Report is a complete analysis of a space.
type Report struct {
	Framework string         `json:"framework"`
	Outcomes  string         `json:"outcomes"`
	Parties   []PartySummary `json:"parties"`
	// Frontier is the Pareto frontier of the whole space (no red lines, no
	// reservation values: the GENIUS frontier).
	Frontier *Frontier `json:"frontier"`
	// Solutions are computed on Frontier.
	Solutions []Solution `json:"solutions"`
	// ZoneFrontier is the frontier of the agreement zone (red lines honoured,
	// every party at least its reservation value).
	ZoneFrontier *Frontier `json:"zone_frontier"`
	// Suggestions are solution points inside the zone: the packages a
	// mediator may propose.
	Suggestions []Suggestion `json:"suggestions"`
	Zone        *Zone        `json:"zone"`
	// Interactions says, when some profile has interactions, how many and
	// how each figure was obtained with them (nil for additive profiles).
	Interactions *InteractionSummary `json:"interactions,omitempty"`
}

// InteractionSummary says how a space whose profiles have interactions
// (non-additive terms) was analysed: which figures are exact and how each
// was obtained, so that no estimate reads as exact.
type InteractionSummary struct {
	// Count is the number of interactions over every party's profile.
	Count int `json:"count"`
	// Exact tells whether the frontier, the zone frontier and the zone's
	// size are all exact (neither thinned nor sampled). Options whose
	// possibility a search could not decide say so themselves (Unknown).
	Exact bool `json:"exact"`
	// Frontier, ZoneFrontier and Zone say how each was obtained.
	Frontier     string `json:"frontier"`
	ZoneFrontier string `json:"zone_frontier"`
	Zone         string `json:"zone"`
	// Text says all of it in one paragraph.
	Text string `json:"text"`
}

// Analyze computes the frontier, the solution points, the agreement zone
// and its overlap, and suggested packages for a space.
func Analyze(s *Space, o Options) (*Report, error) {
	return AnalyzeContext(context.Background(), s, o)
}

// AnalyzeContext is Analyze stopped when ctx is done: the error then names
// the stage and wraps ctx's cause (e.g. context.DeadlineExceeded). Each
// frontier is bounded by o.Frontier.MaxWork (ErrWorkBudget) and
// o.Frontier.MaxPoints (ErrTooLarge).
func AnalyzeContext(ctx context.Context, s *Space, o Options) (*Report, error) {
	return analyze(ctx, s, o, nil, nil)
}

// zoneFunc computes the agreement zone (AgreementZoneContext, or a cache).
type zoneFunc func(ctx context.Context, s *Space, o ZoneOptions) (*Zone, error)

// analyze is AnalyzeContext with the robustness and the zone computed by
// robust and zone (nil: the package's functions).
func analyze(ctx context.Context, s *Space, o Options, robust robustFunc, zone zoneFunc) (*Report, error) {
	if zone == nil {
		zone = AgreementZoneContext
	}
	stage := func(n string) {
		if o.Stage != nil {
			o.Stage(n)
		}
	}
	r := &Report{Framework: s.Framework.Name, Outcomes: s.Framework.Size().String(), Parties: partySummaries(s)}
	stage("frontier")
	fo := reportFrontierOptions(o.Frontier)
	fr, err := FrontierAdditiveContext(ctx, s, fo)
	if err != nil {
		return nil, fmt.Errorf("frontier: %w", err)
	}
	r.Frontier = fr
	r.Solutions = solutionsOf(fr, s.Reservation)

	stage("zone frontier")
	zf, err := zoneFrontier(ctx, s, fr, fo)
	if err != nil {
		return nil, fmt.Errorf("zone frontier: %w", err)
	}
	r.ZoneFrontier = zf
	if r.Suggestions, err = suggestionsOf(ctx, s, zf, o, robust); err != nil {
		return nil, err
	}

	stage("agreement zone")
	zo := o.Zone
	if zo.Seed == 0 {
		zo.Seed = o.Seed
	}
	if r.Zone, err = zone(ctx, s, zo); err != nil {
		return nil, fmt.Errorf("agreement zone: %w", err)
	}
	r.Interactions = SummarizeInteractions(s, r)
	return r, nil
}

// reportFrontierOptions are the options of a report's frontiers: fo for
// the whole space (no red lines, no reservation values; zoneFrontier adds
// them) and, unless fo says otherwise, relaxed past its budgets because of
// interaction states (approximate, with its bound) rather than failing.
func reportFrontierOptions(fo FrontierOptions) FrontierOptions {
	fo.RedLines, fo.Rational = false, false
	if fo.Relax == RelaxDefault {
		fo.Relax = RelaxOnBudget
	}
	return fo
}

// SummarizeInteractions describes how report r of space s handled the
// profiles' interactions; nil when every profile is additive. It states
// methods and exactness, not figures, so it stays true of a what-if report
// derived from r (same methods, new figures).
func SummarizeInteractions(s *Space, r *Report) *InteractionSummary {
	count := 0
	var per []string
	for j, t := range s.Tables {
		if n := len(t.Effects); n > 0 {
			count += n
			per = append(per, fmt.Sprintf("%s %d", s.Names[j], n))
		}
	}
	if count == 0 {
		return nil
	}
	is := &InteractionSummary{Count: count, Exact: true}
	describe := func(fr *Frontier) string {
		switch {
		case fr == nil:
			return "not computed"
		case fr.Approximate:
			is.Exact = false
			return fmt.Sprintf("APPROXIMATE (every exact point within %g per party of a listed one): %s", fr.ErrorBound, fr.Method)
		}
		return "exact: " + fr.Method
	}
	is.Frontier = describe(r.Frontier)
	is.ZoneFrontier = describe(r.ZoneFrontier)
	switch z := r.Zone; {
	case z == nil:
		is.Zone = "not computed"
	case z.Exact:
		is.Zone = "exact: every package counted with its interactions, " + z.Method
	default:
		is.Exact = false
		is.Zone = fmt.Sprintf("ESTIMATED, not exact: size and shares from %d uniform samples (95%% interval given with the size), each sample's utilities exact with its interactions; option possibility by exact search", z.Samples)
	}
	noun := "interactions"
	if count == 1 {
		noun = "interaction"
	}
	is.Text = fmt.Sprintf("The profiles have %d %s (non-additive terms; %s). Frontier %s. Zone frontier %s. Agreement zone %s.",
		count, noun, strings.Join(per, ", "), is.Frontier, is.ZoneFrontier, is.Zone)
	return is
}

// partySummaries describes the parties of s.
func partySummaries(s *Space) []PartySummary {
	var out []PartySummary
	for j, t := range s.Tables {
		mx, _ := t.Max()
		out = append(out, PartySummary{
			ID: s.Names[j], Reservation: s.Reservation[j], Min: t.Min(), Max: mx,
			RedLines: len(s.Profiles[j].RedLines), Uncertain: s.Profiles[j].Uncertainty != nil,
			Interactions: len(t.Effects),
		})
	}
	return out
}

// solutionsOf returns the solution points of the whole frontier.
func solutionsOf(fr *Frontier, res []float64) []Solution {
	var out []Solution
	add := func(sol Solution, ok bool) {
		if ok {
			out = append(out, sol)
		}
	}
	add(NashPoint(fr, res))
	add(NashPointGENIUS(fr, res))
	add(KalaiSmorodinskyPoint(fr, res))
	add(GENIUSKalaiPoint(fr))
	add(MaxWelfarePoint(fr))
	add(EgalitarianPoint(fr, res))
	return out
}

// robustFunc estimates a package's robustness (PackageRobustnessContext,
// or a cache in front of it).
type robustFunc func(ctx context.Context, s *Space, p framework.Package, samples int, seed uint64) (*Robustness, error)

// suggestionsOf returns the solution points of the zone frontier, with
// their robustness when some profile is uncertain (computed by robust, nil:
// PackageRobustnessContext).
func suggestionsOf(ctx context.Context, s *Space, zf *Frontier, o Options, robust robustFunc) ([]Suggestion, error) {
	if robust == nil {
		robust = PackageRobustnessContext
	}
	uncertain := false
	for _, p := range s.Profiles {
		uncertain = uncertain || p.Uncertainty != nil
	}
	samples := o.RobustnessSamples
	if samples <= 0 {
		samples = 10_000
	}
	res := s.Reservation
	var out []Suggestion
	for _, c := range []func() (Solution, bool){
		func() (Solution, bool) { return NashPoint(zf, res) },
		func() (Solution, bool) { return KalaiSmorodinskyPoint(zf, res) },
		func() (Solution, bool) { return MaxWelfarePoint(zf) },
		func() (Solution, bool) { return EgalitarianPoint(zf, res) },
	} {
		sol, ok := c()
		if !ok {
			continue
		}
		sg := Suggestion{Solution: sol}
		if uncertain {
			rb, err := robust(ctx, s, sol.Point.Witness, samples, o.Seed)
			if err != nil {
				return nil, fmt.Errorf("robustness: %w", err)
			}
			sg.Robustness = rb
		}
		out = append(out, sg)
	}
	return out, nil
}

// zoneFrontier returns the frontier of the agreement zone. Without red
// lines it is the whole frontier's points at or above every reservation
// value (a zone package dominated by another package is dominated by a
// zone package, the dominating one being at least as good for everyone),
// so fr is filtered, not recomputed; with red lines the merge runs again,
// pruning during the merge every partial package that crosses a red line
// or cannot reach some party's reservation value whatever follows.
func zoneFrontier(ctx context.Context, s *Space, fr *Frontier, fo FrontierOptions) (*Frontier, error) {
	if !hasRedLines(s) {
		return filterRational(fr, s.Reservation), nil
	}
	fo.RedLines, fo.Rational = true, true
	return FrontierAdditiveContext(ctx, s, fo)
}

// hasRedLines reports whether some party of s has a red line.
func hasRedLines(s *Space) bool {
	for _, p := range s.Profiles {
		if len(p.RedLines) > 0 {
			return true
		}
	}
	return false
}

// filterRational returns the points of fr at or above r for every party, in
// fr's order (the frontier of the packages at or above r when fr is the
// frontier of a set closed under "at least as good for everyone").
func filterRational(fr *Frontier, r []float64) *Frontier {
	out := &Frontier{Method: fr.Method + "; points at or above every reservation value", Approximate: fr.Approximate, ErrorBound: fr.ErrorBound}
	for _, p := range fr.Points {
		if atLeast(p.U, r) {
			out.Points = append(out.Points, p)
		}
	}
	return out
}

// Describe returns "point: option" lines for a package, in framework order.
func Describe(f *framework.Framework, p framework.Package) []string {
	out := make([]string, 0, len(p))
	for k, l := range p {
		out = append(out, fmt.Sprintf("%s: %s", f.Points[k].Name(), f.Points[k].LevelName(l)))
	}
	return out
}
