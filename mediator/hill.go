package mediator

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/session"
)

// HillClimbing (strategy "hill") changes one point at a time and keeps a
// change only when no party says it is worse off (the mediator protocols
// of GENIUS). It sees no profile: only the drafts, the parties' responses
// and the votes.
//
// Under the vote and feedback protocols it is GENIUS's
// RandomFlippingMediator: it proposes
// Start (or a random package) until a proposal is adopted, then the standing
// package with one point flipped at random to another option; the parties'
// votes decide whether the change stands.
//
// Under the single text it drafts settled texts only. The first is Start
// (or a random package), the base, which it puts to the vote at once. After
// a failed vote it drafts the base with one point changed — first an option
// that parties who voted no proposed in their responses, then one any party
// proposed, then a random one not yet tried — and reads the responses: a
// party's responses score 2 per accepted point and 1 per point where it
// proposes an alternative. A change that lowers the score of a party that
// voted no, or draws a new objection from a party that voted yes, is
// dropped without a vote; otherwise the changed text is put to the vote. If
// that vote fails too, the change is kept (the changed text becomes the
// base) when every party that voted yes on the base votes yes again. It
// ends the talks when no untried change is left.
type HillClimbing struct {
	// Start is the first text or proposal; nil: a random package.
	Start framework.Package
	// Seed seeds the random choices.
	Seed uint64
	// Rand, when set, replaces the seeded generator: it returns a uniform
	// integer in [0,n) (e.g. Java's Random.nextInt, to replay GENIUS runs).
	Rand func(n int) int

	rng                   *rand.Rand
	phase                 int
	base, trialPkg        framework.Package
	baseYes               map[string]bool
	baseScore, trialScore map[string]int
	baseObj               map[string]int
	trial                 [2]int
	tried                 map[[2]int]bool
}

// Phases of the hill-climbing mediator under the single text: what its last
// move was.
const (
	hillBaseDraft = iota
	hillBaseVote
	hillTrialDraft
	hillTrialVote
)

// Name implements session.Mediator.
func (h *HillClimbing) Name() string { return "hill-climbing" }

func (h *HillClimbing) intn(n int) int {
	if h.Rand != nil {
		return h.Rand(n)
	}
	if h.rng == nil {
		h.rng = rand.New(rand.NewPCG(h.Seed, 0x6d6564696174))
	}
	return h.rng.IntN(n)
}

func (h *HillClimbing) randomPackage(f *framework.Framework) framework.Package {
	p := make(framework.Package, len(f.Points))
	for k := range f.Points {
		p[k] = h.intn(f.Points[k].Levels())
	}
	return p
}

// flip changes one point of p to another option, both chosen at random
// (GENIUS: draw a point and an option until the option differs).
func (h *HillClimbing) flip(f *framework.Framework, p framework.Package, skip func(k, o int) bool) (framework.Package, bool) {
	free := 0
	for k := range f.Points {
		for o := 0; o < f.Points[k].Levels(); o++ {
			if o != p[k] && (skip == nil || !skip(k, o)) {
				free++
			}
		}
	}
	if free == 0 {
		return nil, false
	}
	for {
		k := h.intn(len(f.Points))
		o := h.intn(f.Points[k].Levels())
		if o != p[k] && (skip == nil || !skip(k, o)) {
			q := p.Clone()
			q[k] = o
			return q, true
		}
	}
}

// Act implements session.Mediator.
func (h *HillClimbing) Act(v *session.MediatorView) (session.Move, error) {
	switch v.Protocol {
	case session.Voting, session.Feedback:
		if v.Standing == nil {
			if v.Version == 0 && h.Start != nil {
				return session.Move{Kind: session.KindPropose, Package: h.Start.Clone()}, nil
			}
			return session.Move{Kind: session.KindPropose, Package: h.randomPackage(v.Framework)}, nil
		}
		q, ok := h.flip(v.Framework, v.Standing, nil)
		if !ok {
			return session.Move{Kind: session.KindPropose, Package: v.Standing.Clone()}, nil
		}
		return session.Move{Kind: session.KindPropose, Package: q}, nil
	case session.SingleText:
		return h.actText(v)
	}
	return session.Move{}, fmt.Errorf("mediator: hill-climbing: does not run %s sessions", v.Protocol)
}

// scoreReplies scores each party's responses to the current version: 2 per
// accepted point, 1 per proposal; it also counts objections.
func scoreReplies(v *session.MediatorView) (score, objections map[string]int) {
	score, objections = map[string]int{}, map[string]int{}
	for _, p := range v.Parties {
		for _, r := range v.Replies[p] {
			switch r.Stance {
			case session.StanceAccept:
				score[p] += 2
			case session.StancePropose:
				score[p]++
			case session.StanceObject:
				objections[p]++
			}
		}
	}
	return score, objections
}

func (h *HillClimbing) actText(v *session.MediatorView) (session.Move, error) {
	f := v.Framework
	callVote := session.Move{Kind: session.KindCallVote}
	if v.Version == 0 {
		h.base = h.Start.Clone()
		if h.Start == nil {
			h.base = h.randomPackage(f)
		}
		h.phase, h.baseYes, h.tried = hillBaseDraft, nil, map[[2]int]bool{}
		return settle(h.base), nil
	}
	if h.base == nil {
		return session.Move{}, fmt.Errorf("mediator: hill-climbing: joins a session only at its first draft")
	}
	lastRound := v.Rounds > 0 && v.Round >= v.Rounds
	switch h.phase {
	case hillBaseDraft:
		h.baseScore, h.baseObj = scoreReplies(v)
		h.phase = hillBaseVote
		return callVote, nil
	case hillBaseVote:
		h.baseYes = maps.Clone(v.Votes)
	case hillTrialDraft:
		var obj map[string]int
		h.trialScore, obj = scoreReplies(v)
		worse := false
		for _, p := range v.Parties {
			if !h.baseYes[p] && h.trialScore[p] < h.baseScore[p] {
				worse = true
			}
			if h.baseYes[p] && obj[p] > h.baseObj[p] {
				worse = true
			}
		}
		if !worse || lastRound {
			h.phase = hillTrialVote
			return callVote, nil
		}
		h.tried[h.trial] = true
	case hillTrialVote:
		keep := true
		for p, y := range h.baseYes {
			if y && !v.Votes[p] {
				keep = false
			}
		}
		if keep {
			_, obj := scoreReplies(v)
			h.base, h.baseYes, h.baseScore, h.baseObj = h.trialPkg, maps.Clone(v.Votes), h.trialScore, obj
			h.tried = map[[2]int]bool{}
		} else {
			h.tried[h.trial] = true
		}
	}
	// The next change to try: what the parties that voted no proposed, then
	// what any party proposed (most proposers first, then the lowest point
	// and option), then a random change.
	closed := func(k int) bool { return v.Provisional != nil && v.Provisional[k] != framework.Open }
	skip := func(k, o int) bool { return h.tried[[2]int{k, o}] || closed(k) || h.base[k] == o }
	weight := map[[2]int]int{}
	for _, p := range v.Parties {
		for _, r := range v.Replies[p] {
			if r.Stance == session.StancePropose && !skip(r.Point, r.Option) {
				c := [2]int{r.Point, r.Option}
				weight[c]++
				if !h.baseYes[p] {
					weight[c] += len(v.Parties) + 1
				}
			}
		}
	}
	var cands [][2]int
	for c := range weight {
		cands = append(cands, c)
	}
	slices.SortFunc(cands, func(a, b [2]int) int {
		if d := weight[b] - weight[a]; d != 0 {
			return d
		}
		if a[0] != b[0] {
			return a[0] - b[0]
		}
		return a[1] - b[1]
	})
	var next framework.Package
	if len(cands) > 0 {
		next = h.base.Clone()
		next[cands[0][0]] = cands[0][1]
	} else if q, ok := h.flip(f, h.base, skip); ok {
		next = q
	} else {
		return session.Move{Kind: session.KindEnd}, nil
	}
	for k := range next {
		if next[k] != h.base[k] {
			h.trial = [2]int{k, next[k]}
		}
	}
	h.trialPkg, h.phase = next, hillTrialDraft
	return settle(next), nil
}
