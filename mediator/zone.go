package mediator

import (
	"fmt"
	"math"
	"slices"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/session"
)

// A Concept is the bargaining solution a Zone mediator aims at. Solve
// returns the concept's package among the points of an agreement zone's
// frontier — every point individually rational (uᵢ ≥ rᵢ) and inside every
// party's red lines — given the declared reservation values r; false when
// it finds none. The analysis package's solutions have this form
// (analysis.NashPoint, analysis.EgalitarianPoint,
// analysis.KalaiSmorodinskyPoint). Solve must be deterministic and must
// not modify the frontier; for a concept that values each point on its own
// (Nash, egalitarian) it breaks ties by the lower witness package, as
// analysis does.
type Concept struct {
	// Name is the concept's name in analysis (analysis.Nash, …); it names
	// the strategy ("zone(nash)").
	Name  string
	Solve func(zone *analysis.Frontier, r []float64) (analysis.Solution, bool)
}

// Nash is the Nash bargaining solution: the zone package maximising
// Π(uᵢ − rᵢ) (analysis.NashPoint).
func Nash() Concept { return Concept{Name: analysis.Nash, Solve: analysis.NashPoint} }

// Egalitarian is the max–min solution: the zone package maximising
// minᵢ(uᵢ − rᵢ) (analysis.EgalitarianPoint).
func Egalitarian() Concept {
	return Concept{Name: analysis.Egalitarian, Solve: analysis.EgalitarianPoint}
}

// Zone is a mediator that may see the negotiating parties' profiles (only
// when the session allows it: Config.MediatorAccess is AccessProfiles;
// otherwise Act returns session.ErrNoAccess) and aims at one bargaining
// solution of their agreement zone, computed by package analysis: its
// Concept's Solve (Nash, the default: analysis.NashPoint) on the exact
// Pareto frontier of the zone (analysis.FrontierAdditive with RedLines and
// Rational), against the declared reservation values rᵢ. Points agreed
// provisionally are kept fixed. Ties are broken as the concept breaks them
// (Nash and egalitarian: the lower package, as analysis does).
//
// The profiles it sees may not be the whole truth, so it listens. What the
// parties say narrows the zone it aims into, never its aim: an objection
// to a drafted option (its wording is unacceptable to that party; to every
// alternative of a bracket) becomes a red line of that party's profile as
// the mediator sees it, and a party that votes no to a package is taken to
// require more than that package's utility in its profile (its reservation
// value, as the mediator sees it, is raised just above it). Its target is
// always the concept's package of the zone so narrowed, valued against the
// declared reservation values; when the narrowed zone is empty, it ends
// the talks. Responses that only propose another option or accept an
// alternative (bargaining) do not move it: it already knows the profiles.
//
// Single text. Its first draft brackets, on the points where they differ,
// its target and the Rival concept's package (the alternative at stake),
// and settles the points where they agree. The brackets close on its
// target, recomputed after the parties' objections: the second draft is
// settled. When the responses to a settled draft raise no new objection it
// calls the vote, otherwise it drafts the new target (objections to the
// wording of a draft are learnt before the vote). In the last round of a
// round deadline it calls the vote on a settled text at once; with three
// rounds or fewer left at the first draft it skips the brackets. After a
// failed vote it raises, as above, what the parties who voted no require,
// and drafts the new target, settled, never one it drafted before (the
// concept's package of the narrowed zone without the packages already
// drafted); it ends the talks when none is left.
//
// Vote and feedback protocols: it proposes its target until a proposal is
// adopted, then keeps proposing the standing package. Under the vote
// protocol a rejected proposal raises what its no-voters require, as
// above, which moves the target; under feedback (which says only better,
// same or worse) the next proposal is the concept's package of the zone
// without the packages already proposed. It never proposes a package twice
// before it has proposed every package of the zone's frontier, and then
// starts again from its target.
type Zone struct {
	// Concept is the solution it aims at; the zero Concept is Nash().
	Concept Concept
	// Rival is the solution whose package the first single-text draft
	// brackets against the target; the zero Concept is Egalitarian() when
	// the target is Nash, and Nash() otherwise.
	Rival Concept

	zone     *analysis.Frontier // the narrowed zone's frontier
	res      []float64          // the declared reservation values
	target   framework.Package  // the concept's package of zone
	other    framework.Package  // the rival's, when it differs: for the brackets
	drafted  map[string]bool
	fixedFor string
	space    *analysis.Space
	frontier *analysis.Frontier
	phase    int
	// What the parties have said: per party, objected options
	// ([point, option]) and the utility (in its profile as seen) it
	// requires more than.
	objected map[string]map[[2]int]bool
	above    map[string]float64
	heard    int          // number of events read for objections and votes
	lastText session.Text // the last draft read
	news     int          // objections learnt from the responses last read
}

// Phases of the zone mediator under the single text.
const (
	zoneStart    = iota
	zoneBrackets // a bracketed text is out
	zoneSettled  // a settled text is out
	zoneVoting   // the settled text was put to the vote
)

// Name implements session.Mediator: "zone(" and the concept's name, e.g.
// "zone(nash)".
func (z *Zone) Name() string { return "zone(" + z.concept().Name + ")" }

func (z *Zone) concept() Concept {
	if z.Concept.Name == "" && z.Concept.Solve == nil {
		return Nash()
	}
	return z.Concept
}

func (z *Zone) rival() Concept {
	switch {
	case z.Rival.Name != "" || z.Rival.Solve != nil:
		return z.Rival
	case z.concept().Name == analysis.Nash:
		return Egalitarian()
	}
	return Nash()
}

// zoneFrontier returns the space of the negotiating parties and the exact
// frontier of its agreement zone, with provisional points kept fixed and
// the options each party objected to forbidden to it.
func zoneFrontier(v *session.MediatorView, objected map[string]map[[2]int]bool) (*analysis.Space, *analysis.Frontier, error) {
	var profs []*profile.Profile
	for _, id := range v.Parties {
		p := v.Profiles[id]
		if p == nil {
			return nil, nil, fmt.Errorf("mediator: zone: no profile for party %q", id)
		}
		var extra []profile.RedLine
		if v.Provisional != nil {
			// Keep provisional points fixed: forbid their other options.
			for k, l := range v.Provisional {
				if l == framework.Open {
					continue
				}
				var other []int
				for o := 0; o < v.Framework.Points[k].Levels(); o++ {
					if o != l {
						other = append(other, o)
					}
				}
				if len(other) > 0 {
					extra = append(extra, profile.RedLine{Terms: []profile.Term{{Point: k, Levels: other}}})
				}
			}
		}
		obj := make([][2]int, 0, len(objected[id]))
		for c := range objected[id] {
			obj = append(obj, c)
		}
		slices.SortFunc(obj, func(a, b [2]int) int { return slices.Compare(a[:], b[:]) })
		for _, c := range obj {
			extra = append(extra, profile.RedLine{Terms: []profile.Term{{Point: c[0], Levels: []int{c[1]}}}})
		}
		if len(extra) > 0 {
			cp := *p
			cp.RedLines = append(slices.Clone(p.RedLines), extra...)
			p = &cp
		}
		profs = append(profs, p)
	}
	sp, err := analysis.NewSpace(v.Framework, slices.Clone(v.Parties), profs)
	if err != nil {
		return nil, nil, fmt.Errorf("mediator: zone: %w", err)
	}
	fr, err := analysis.FrontierAdditive(sp, analysis.FrontierOptions{RedLines: true, Rational: true})
	if err != nil {
		return nil, nil, fmt.Errorf("mediator: zone: %w", err)
	}
	return sp, fr, nil
}

// narrowZone returns the points of the zone frontier fr that give each
// party i more than above[i] (NaN: no bound) and at least its reservation
// value, whose witness the space accepts. Filtering the frontier is exact:
// a package of the zone where party i gets more than a bound is dominated
// only by packages that give it more too, so the frontier of the narrowed
// zone is the zone's frontier so filtered, and every concept's package
// lies on it.
func narrowZone(sp *analysis.Space, fr *analysis.Frontier, above []float64) *analysis.Frontier {
	out := &analysis.Frontier{Method: fr.Method}
	for _, pt := range fr.Points {
		ok := true
		for i, b := range above {
			if !math.IsNaN(b) && pt.U[i] <= b {
				ok = false
			}
		}
		for i, u := range pt.U {
			if u < sp.Reservation[i] {
				ok = false
			}
		}
		if ok && sp.Acceptable(pt.Witness) {
			out.Points = append(out.Points, pt)
		}
	}
	return out
}

// listen reads the events the mediator has not read yet: objections in
// responses and, after a vote (single text, vote protocol), the no votes
// on the package voted on.
func (z *Zone) listen(v *session.MediatorView) {
	if z.objected == nil {
		z.objected, z.above = map[string]map[[2]int]bool{}, map[string]float64{}
	}
	if z.heard > len(v.Events) {
		z.heard = 0
	}
	z.news = 0
	text := z.lastText          // the draft the events answer
	var voted framework.Package // the package last put to the vote
	for _, e := range v.Events[z.heard:] {
		m := e.Move
		if m == nil {
			continue
		}
		switch m.Kind {
		case session.KindDraft:
			text = m.Text
		case session.KindCallVote:
			voted = text.Package()
		case session.KindPropose:
			voted = m.Package
		case session.KindRespond:
			for _, r := range m.Responses {
				if r.Stance != session.StanceObject || r.Point < 0 || r.Point >= len(text) {
					continue
				}
				if z.objected[e.Party] == nil {
					z.objected[e.Party] = map[[2]int]bool{}
				}
				for _, o := range text[r.Point] {
					c := [2]int{r.Point, o}
					if !z.objected[e.Party][c] && (v.Provisional == nil || v.Provisional[r.Point] == framework.Open) {
						z.objected[e.Party][c] = true
						z.news++
					}
				}
			}
		case session.KindVote:
			if m.Yes != nil && !*m.Yes && voted != nil && voted.Complete() && len(voted) == len(v.Framework.Points) {
				if pr := v.Profiles[e.Party]; pr != nil {
					if t, err := pr.Compile(v.Framework); err == nil {
						u := t.Utility(voted)
						if old, ok := z.above[e.Party]; !ok || u > old {
							z.above[e.Party] = u
						}
					}
				}
			}
		}
	}
	z.heard, z.lastText = len(v.Events), text
}

// prepare computes the narrowed zone, the target and the rival's package.
func (z *Zone) prepare(v *session.MediatorView) error {
	c, rival := z.concept(), z.rival()
	if c.Solve == nil || rival.Solve == nil {
		return fmt.Errorf("mediator: zone: concept %q or %q has no Solve function", c.Name, rival.Name)
	}
	if key := fmt.Sprint(v.Provisional, z.objected); z.frontier == nil || z.fixedFor != key {
		sp, fr, err := zoneFrontier(v, z.objected)
		if err != nil {
			return err
		}
		z.space, z.frontier, z.fixedFor = sp, fr, key
	}
	above := make([]float64, len(v.Parties))
	for i, id := range v.Parties {
		above[i] = math.NaN()
		if u, ok := z.above[id]; ok {
			above[i] = u
		}
	}
	z.zone, z.res = narrowZone(z.space, z.frontier, above), z.space.Reservation
	z.target, z.other = nil, nil
	if z.drafted == nil {
		z.drafted = map[string]bool{}
	}
	if len(z.zone.Points) == 0 {
		return nil
	}
	if sol, ok := c.Solve(z.zone, z.res); ok {
		z.target = sol.Point.Witness
	}
	if z.target == nil {
		return nil
	}
	if sol, ok := rival.Solve(z.zone, z.res); ok && !slices.Equal(sol.Point.Witness, z.target) {
		z.other = sol.Point.Witness
	}
	return nil
}

// nextUntried returns the concept's package of the narrowed zone without
// the packages already drafted, or nil when every one was.
func (z *Zone) nextUntried() framework.Package {
	if z.target == nil {
		return nil
	}
	if !z.drafted[z.target.Key()] {
		return z.target
	}
	rest := &analysis.Frontier{Method: z.zone.Method}
	for _, pt := range z.zone.Points {
		if !z.drafted[pt.Witness.Key()] {
			rest.Points = append(rest.Points, pt)
		}
	}
	if len(rest.Points) == 0 {
		return nil
	}
	if sol, ok := z.concept().Solve(rest, z.res); ok {
		return sol.Point.Witness
	}
	return nil
}

func (z *Zone) settle(p framework.Package) session.Move {
	z.drafted[p.Key()] = true
	z.phase = zoneSettled
	return settle(p)
}

// Act implements session.Mediator.
func (z *Zone) Act(v *session.MediatorView) (session.Move, error) {
	if v.Profiles == nil {
		return session.Move{}, session.ErrNoAccess
	}
	if v.Protocol != session.SingleText && v.Protocol != session.Voting && v.Protocol != session.Feedback {
		return session.Move{}, fmt.Errorf("mediator: zone: does not run %s sessions", v.Protocol)
	}
	if v.Version == 0 {
		// A new session: forget what earlier ones said.
		z.phase, z.objected, z.above, z.heard, z.lastText, z.drafted, z.target, z.frontier = zoneStart, nil, nil, 0, nil, nil, nil, nil
	}
	if v.Protocol != session.Feedback {
		z.listen(v)
	}
	if err := z.prepare(v); err != nil {
		return session.Move{}, err
	}
	if v.Protocol == session.Voting || v.Protocol == session.Feedback {
		if v.Standing != nil {
			return session.Move{Kind: session.KindPropose, Package: v.Standing.Clone()}, nil
		}
		if z.target == nil {
			return session.Move{Kind: session.KindEnd}, nil
		}
		p := z.nextUntried()
		if p == nil {
			// Every package was proposed: start again.
			z.drafted = map[string]bool{}
			p = z.target
		}
		z.drafted[p.Key()] = true
		return session.Move{Kind: session.KindPropose, Package: p.Clone()}, nil
	}
	lastRound := v.Rounds > 0 && v.Round >= v.Rounds
	switch z.phase {
	case zoneStart:
		if z.target == nil {
			return session.Move{Kind: session.KindEnd}, nil
		}
		if z.other == nil || (v.Rounds > 0 && v.Round >= v.Rounds-2) {
			return z.settle(z.target), nil
		}
		z.phase = zoneBrackets
		return bracket(z.target, z.other), nil
	case zoneBrackets:
		// The brackets close on the target, after the objections.
		return z.redraft(), nil
	case zoneSettled:
		if lastRound || z.news == 0 {
			// No new objection: put the text to the vote.
			z.phase = zoneVoting
			return session.Move{Kind: session.KindCallVote}, nil
		}
		// Objections moved the target.
		return z.redraft(), nil
	}
	// The vote failed.
	if lastRound && !v.Text.Bracketed() {
		z.phase = zoneVoting
		return session.Move{Kind: session.KindCallVote}, nil
	}
	return z.redraft(), nil
}

// redraft drafts the concept's package of the zone not drafted yet,
// settled; with none left it ends the talks.
func (z *Zone) redraft() session.Move {
	p := z.nextUntried()
	if p == nil {
		return session.Move{Kind: session.KindEnd}
	}
	return z.settle(p)
}
