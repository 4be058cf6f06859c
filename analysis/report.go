package analysis

import (
	"context"
	"fmt"

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
	stage := func(n string) {
		if o.Stage != nil {
			o.Stage(n)
		}
	}
	r := &Report{Framework: s.Framework.Name, Outcomes: s.Framework.Size().String()}
	uncertain := false
	for j, t := range s.Tables {
		mx, _ := t.Max()
		r.Parties = append(r.Parties, PartySummary{
			ID: s.Names[j], Reservation: s.Reservation[j], Min: t.Min(), Max: mx,
			RedLines: len(s.Profiles[j].RedLines), Uncertain: s.Profiles[j].Uncertainty != nil,
		})
		uncertain = uncertain || s.Profiles[j].Uncertainty != nil
	}
	stage("frontier")
	fo := o.Frontier
	fo.RedLines, fo.Rational = false, false
	fr, err := FrontierAdditiveContext(ctx, s, fo)
	if err != nil {
		return nil, fmt.Errorf("frontier: %w", err)
	}
	r.Frontier = fr
	res := s.Reservation
	add := func(sol Solution, ok bool) {
		if ok {
			r.Solutions = append(r.Solutions, sol)
		}
	}
	add(NashPoint(fr, res))
	add(NashPointGENIUS(fr, res))
	add(KalaiSmorodinskyPoint(fr, res))
	add(GENIUSKalaiPoint(fr))
	add(MaxWelfarePoint(fr))
	add(EgalitarianPoint(fr, res))

	stage("zone frontier")
	fo.RedLines, fo.Rational = true, true
	zf, err := FrontierAdditiveContext(ctx, s, fo)
	if err != nil {
		return nil, fmt.Errorf("zone frontier: %w", err)
	}
	r.ZoneFrontier = zf
	samples := o.RobustnessSamples
	if samples <= 0 {
		samples = 10_000
	}
	suggest := func(sol Solution, ok bool) error {
		if !ok {
			return nil
		}
		sg := Suggestion{Solution: sol}
		if uncertain {
			rb, err := PackageRobustnessContext(ctx, s, sol.Point.Witness, samples, o.Seed)
			if err != nil {
				return fmt.Errorf("robustness: %w", err)
			}
			sg.Robustness = rb
		}
		r.Suggestions = append(r.Suggestions, sg)
		return nil
	}
	for _, c := range []func() (Solution, bool){
		func() (Solution, bool) { return NashPoint(zf, res) },
		func() (Solution, bool) { return KalaiSmorodinskyPoint(zf, res) },
		func() (Solution, bool) { return MaxWelfarePoint(zf) },
		func() (Solution, bool) { return EgalitarianPoint(zf, res) },
	} {
		if err := suggest(c()); err != nil {
			return nil, err
		}
	}

	stage("agreement zone")
	zo := o.Zone
	if zo.Seed == 0 {
		zo.Seed = o.Seed
	}
	if r.Zone, err = AgreementZoneContext(ctx, s, zo); err != nil {
		return nil, fmt.Errorf("agreement zone: %w", err)
	}
	return r, nil
}

// Describe returns "point: option" lines for a package, in framework order.
func Describe(f *framework.Framework, p framework.Package) []string {
	out := make([]string, 0, len(p))
	for k, l := range p {
		out = append(out, fmt.Sprintf("%s: %s", f.Points[k].Name(), f.Points[k].LevelName(l)))
	}
	return out
}
