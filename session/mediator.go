package session

import (
	"container/heap"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
)

// This file holds the automated side of the mediated protocols: mediator
// strategies, party responders and RunMediated, which plays a single-text,
// vote or blind session to its end. Like Runner, it only calls Submit:
// people and programs make the same moves.

// MediatorView is what a mediator strategy may know when it acts: the
// framework, the rules, the state of the text or proposal, every event the
// mediator may see and — only when Config.MediatorAccess is AccessProfiles —
// the negotiating parties' profiles. It never holds a blind bid. Strategies
// must not modify it.
type MediatorView struct {
	Self      string
	Protocol  string
	Parties   []string
	Framework *framework.Framework
	Decision  scenario.Decision
	// Round is the current round (1-based); Rounds the round deadline (0: none).
	Round, Rounds int
	// Time is normalised time in [0,1] (Session.Time).
	Time float64
	// Text is the current single text (nil before the first draft) and
	// Version its number (single text); Version counts proposals under the
	// vote protocol.
	Text    [][]int
	Version int
	// Provisional holds the points agreed provisionally (nil if none).
	Provisional framework.Package
	// Replies are the parties' responses to the current version.
	Replies map[string][]PointResponse
	// Votes are the votes on the text or proposal last put to the vote;
	// with VoteOpen false and Votes set, that vote has failed (single text)
	// or is decided (vote protocol).
	Votes    map[string]bool
	VoteOpen bool
	// Current is the proposal on the table (vote protocol) or the settled
	// points of the text (single text).
	Current framework.Package
	// Standing is the last proposal every party accepted (vote protocol).
	Standing framework.Package
	// Events are the events the mediator may see, oldest first.
	Events []Event
	// Profiles are the negotiating parties' profiles, present only when the
	// session allows the mediator to see them.
	Profiles map[string]*profile.Profile
}

// Mediator is a mediator strategy for the single-text and vote protocols.
type Mediator interface {
	// Name identifies the strategy.
	Name() string
	// Act returns the mediator's next move when it is the mediator's turn:
	// a draft or a call to vote (single text), a proposal (vote), or an end.
	// The runner fills in Party.
	Act(v *MediatorView) (Move, error)
}

// PartyView is what a party's responder may know: its own profile (never
// another party's), the rules, the current text or proposal and the events
// it may see. Responders must not modify it.
type PartyView struct {
	Self      string
	Protocol  string
	Parties   []string
	Framework *framework.Framework
	Profile   *profile.Profile
	// Table is Profile compiled against Framework.
	Table         *profile.Table
	Round, Rounds int
	Time          float64
	Text          [][]int
	Version       int
	Provisional   framework.Package
	// Proposal is the complete package the party votes on (the text put to
	// the vote, or the mediator's proposal).
	Proposal framework.Package
	// Previous is the last proposal every party accepted (vote protocol;
	// nil if none): GENIUS's hill-climbing voters compare with it.
	Previous framework.Package
	// Prior is the proposal before Proposal (feedback protocol; nil for the
	// first): feedback compares with it.
	Prior framework.Package
	// Events are the events this party may see, oldest first.
	Events []Event
}

// Responder answers for one party in the mediated protocols and blind
// bidding.
type Responder interface {
	Name() string
	// Respond answers the current draft point by point (single text).
	Respond(v *PartyView) []PointResponse
	// Vote says yes or no to v.Proposal.
	Vote(v *PartyView) bool
	// Bid returns the packages the party accepts this round (blind
	// bidding); none means the party has nothing to offer and walks out.
	Bid(v *PartyView) []framework.Package
}

// FeedbackGiver is a Responder that gives its own feedback under the
// feedback protocol; responders without it give FeedbackFor's.
type FeedbackGiver interface {
	Feedback(v *PartyView) string
}

// MaxMediatedMoves bounds the moves RunMediated submits.
const MaxMediatedMoves = 200_000

// ErrNoAccess is returned by strategies that need to see profiles when the
// session does not allow it.
var ErrNoAccess = errors.New("session: this mediator needs the parties' profiles, which the session does not let it see (Config.MediatorAccess)")

// RunMediated plays a single-text, vote or blind session to its end with a
// mediator strategy (nil for blind bidding) and one responder per
// negotiating party. Parties reply in the order of Config.Parties. It
// returns an error when a strategy fails or makes a move the engine refuses
// (the session is then left as it is), or when the session has not ended
// after MaxMediatedMoves moves.
func RunMediated(s *Session, med Mediator, parties map[string]Responder) error {
	switch s.Config.Protocol {
	case SingleText, Voting, Feedback:
		if med == nil {
			return fmt.Errorf("session: protocol %s needs a mediator strategy", s.Config.Protocol)
		}
	case Blind:
	default:
		return fmt.Errorf("session: RunMediated drives %s, %s, %s and %s sessions, not %s", SingleText, Voting, Feedback, Blind, s.Config.Protocol)
	}
	tables := map[string]*profile.Table{}
	for _, id := range s.Config.Parties {
		if parties[id] == nil {
			return fmt.Errorf("session: no responder for party %q", id)
		}
		p := s.Scenario.Party(id)
		if p.Profile == nil {
			return fmt.Errorf("session: party %q has no profile for its responder to use", id)
		}
		t, err := p.Profile.Compile(s.Scenario.Framework)
		if err != nil {
			return fmt.Errorf("session: party %q: %w", id, err)
		}
		tables[id] = t
	}
	// visible returns the events id may see, kept per viewer with a cursor
	// into the log.
	views, cursor := map[string][]Event{}, map[string]int{}
	visible := func(id string) []Event {
		all := s.Events()
		for ; cursor[id] < len(all); cursor[id]++ {
			if all[cursor[id]].VisibleTo(id) {
				views[id] = append(views[id], all[cursor[id]])
			}
		}
		evs := views[id]
		return evs[:len(evs):len(evs)]
	}
	for n := 0; !s.State.Done(); n++ {
		if n >= MaxMediatedMoves {
			return fmt.Errorf("session: no end after %d moves; give the session a deadline", n)
		}
		if len(s.State.Waiting) == 0 {
			if med == nil {
				return fmt.Errorf("session: it is the mediator's move and there is no mediator strategy")
			}
			v := s.mediatorView(visible(s.Config.Mediator))
			m, err := med.Act(v)
			if err != nil {
				return fmt.Errorf("session: mediator %s: %w", med.Name(), err)
			}
			m.Party = s.Config.Mediator
			if _, err := s.Submit(m); err != nil {
				return fmt.Errorf("session: mediator %s (%s): %w", med.Name(), m.Party, err)
			}
			continue
		}
		id := s.State.Waiting[0]
		r := parties[id]
		v := s.partyView(id, tables[id], visible(id))
		m := Move{Party: id}
		switch {
		case s.Config.Protocol == Blind:
			m.Kind, m.Packages = KindBid, r.Bid(v)
			if len(m.Packages) == 0 {
				m.Kind = KindEnd
			}
		case s.Config.Protocol == Feedback:
			m.Kind = KindFeedback
			if fg, ok := r.(FeedbackGiver); ok {
				m.Feedback = fg.Feedback(v)
			} else {
				m.Feedback = FeedbackFor(v, v.Proposal, v.Prior)
			}
		case s.State.VoteOpen:
			yes := r.Vote(v)
			m.Kind, m.Yes = KindVote, &yes
		default:
			m.Kind, m.Responses = KindRespond, r.Respond(v)
		}
		if _, err := s.Submit(m); err != nil {
			return fmt.Errorf("session: responder %s (%s): %w", r.Name(), id, err)
		}
	}
	return nil
}

func (s *Session) mediatorView(events []Event) *MediatorView {
	st := &s.State
	v := &MediatorView{
		Self: s.Config.Mediator, Protocol: s.Config.Protocol, Parties: slices.Clone(s.Config.Parties),
		Framework: s.Scenario.Framework, Decision: s.Scenario.Decision,
		Round: st.Round, Rounds: s.Config.Rounds, Time: s.Time(),
		Text: cloneText(st.Text), Version: st.Version, Provisional: st.Provisional.Clone(),
		Votes: maps.Clone(st.Votes), VoteOpen: st.VoteOpen, Events: events,
	}
	if st.Replies != nil {
		v.Replies = map[string][]PointResponse{}
		for p, rs := range st.Replies {
			v.Replies[p] = slices.Clone(rs)
		}
	}
	if st.Current != nil {
		v.Current = st.Current.Package.Clone()
	}
	if st.Standing != nil {
		v.Standing = st.Standing.Package.Clone()
	}
	if s.Config.MediatorAccess == AccessProfiles {
		v.Profiles = map[string]*profile.Profile{}
		for _, id := range s.Config.Parties {
			if p := s.Scenario.Party(id); p != nil && p.Profile != nil {
				v.Profiles[id] = p.Profile
			}
		}
	}
	return v
}

func (s *Session) partyView(id string, t *profile.Table, events []Event) *PartyView {
	st := &s.State
	v := &PartyView{
		Self: id, Protocol: s.Config.Protocol, Parties: slices.Clone(s.Config.Parties),
		Framework: s.Scenario.Framework, Profile: s.Scenario.Party(id).Profile, Table: t,
		Round: st.Round, Rounds: s.Config.Rounds, Time: s.Time(),
		Text: cloneText(st.Text), Version: st.Version, Provisional: st.Provisional.Clone(),
		Events: events,
	}
	switch s.Config.Protocol {
	case SingleText:
		if st.VoteOpen {
			v.Proposal = textPackage(st.Text)
		}
	case Voting, Feedback:
		if st.Current != nil {
			v.Proposal = st.Current.Package.Clone()
		}
		if st.Standing != nil {
			v.Previous = st.Standing.Package.Clone()
		}
		if st.Prior != nil {
			v.Prior = st.Prior.Package.Clone()
		}
	}
	return v
}

// ---------------------------------------------------------------- responders

// ProfileResponder answers from the party's own profile.
//
// Respond: for a settled point it accepts the drafted option when its
// contribution is within Tolerance of the point's span (best minus worst
// option) of the party's best option, and otherwise proposes that best
// option (its best among the options no single-point red line forbids). For
// a bracketed point it accepts its preferred alternative when that is within
// tolerance, and otherwise proposes its best option. A settled option that
// takes part in a red line the settled text crosses is objected to. A point
// agreed provisionally is accepted or objected to, never reopened. Reasons
// never quote a red line's own (confidential) reason.
//
// Vote: yes iff the package is complete, its utility is at least the
// party's reservation value and it crosses none of the party's red lines.
//
// Bid: agent.BlindBidder's bid — at most agent.MaxBlindBid (1,000)
// packages, all of which the vote would accept, whose utility reaches a
// threshold conceding linearly from the party's best utility within its
// red lines in the first round to its reservation value at 80% of the
// round deadline (held there to the end; without a deadline, a fifth of
// the distance each round): the first such packages in the round's public
// order (agent.PublicOrder, keyed on the framework and the round only), so
// that the bids of automated parties overlap inside the agreement zone
// when it is not too small. It uses the party's own profile and the round
// and deadline only; no bid is ever empty while some package is
// acceptable to the party.
type ProfileResponder struct {
	// Tolerance is the fraction of a point's span a drafted option may
	// fall short of the party's best option and still be accepted.
	Tolerance float64
}

// Name implements Responder.
func (r ProfileResponder) Name() string { return fmt.Sprintf("profile(tolerance=%g)", r.Tolerance) }

// Respond implements Responder.
func (r ProfileResponder) Respond(v *PartyView) []PointResponse {
	f, t, pr := v.Framework, v.Table, v.Profile
	settled := textPackage(v.Text)
	inCrossed := make([]bool, len(v.Text))
	for i := range pr.RedLines {
		if pr.RedLines[i].Crossed(settled) {
			for _, term := range pr.RedLines[i].Terms {
				inCrossed[term.Point] = true
			}
		}
	}
	var out []PointResponse
	for k, alts := range v.Text {
		c := t.Contrib[k]
		best := bestAllowed(pr, k, c)
		closed := v.Provisional != nil && v.Provisional[k] != framework.Open
		within := func(o int) bool {
			return o >= 0 && !forbidden(pr, k, o) && c[best]-c[o] <= r.Tolerance*span(c)+1e-12
		}
		pt := &f.Points[k]
		if len(alts) == 1 {
			o := alts[0]
			switch {
			case inCrossed[k] || forbidden(pr, k, o):
				if !closed && best != o && !forbidden(pr, k, best) {
					out = append(out, PointResponse{Point: k, Stance: StancePropose, Option: best, Reason: "the drafted wording is unacceptable to us; we propose " + pt.LevelID(best)})
				} else {
					out = append(out, PointResponse{Point: k, Stance: StanceObject, Reason: "the drafted wording is unacceptable to us"})
				}
			case within(o) || closed:
				out = append(out, PointResponse{Point: k, Stance: StanceAccept, Option: o})
			default:
				out = append(out, PointResponse{Point: k, Stance: StancePropose, Option: best, Reason: "we prefer " + pt.LevelID(best)})
			}
			continue
		}
		pref := -1
		for _, a := range alts {
			if !forbidden(pr, k, a) && (pref < 0 || c[a] > c[pref]) {
				pref = a
			}
		}
		switch {
		case pref >= 0 && within(pref):
			out = append(out, PointResponse{Point: k, Stance: StanceAccept, Option: pref})
		case !slices.Contains(alts, best) && !closed && !forbidden(pr, k, best):
			out = append(out, PointResponse{Point: k, Stance: StancePropose, Option: best, Reason: "we prefer " + pt.LevelID(best)})
		case pref >= 0:
			out = append(out, PointResponse{Point: k, Stance: StanceAccept, Option: pref})
		default:
			out = append(out, PointResponse{Point: k, Stance: StanceObject, Reason: "none of the alternatives is acceptable to us"})
		}
	}
	return out
}

// Vote implements Responder.
func (r ProfileResponder) Vote(v *PartyView) bool { return acceptable(v, v.Proposal) }

// acceptable reports whether p is complete, at least the reservation value
// and crosses none of the party's red lines.
func acceptable(v *PartyView, p framework.Package) bool {
	if len(p) != len(v.Framework.Points) || !p.Complete() {
		return false
	}
	return v.Table.Utility(p) >= v.Table.Reservation && v.Profile.CrossesRedLine(p) < 0
}

// Bid implements Responder.
func (r ProfileResponder) Bid(v *PartyView) []framework.Package {
	b, err := agent.NewBlindBidder(v.Framework, v.Profile, v.Table)
	if err != nil {
		// The table does not fit the framework: nothing can be bid.
		return nil
	}
	return b.Bid(v.Round, v.Rounds)
}

func span(c []float64) float64 {
	lo, hi := c[0], c[0]
	for _, x := range c {
		lo, hi = min(lo, x), max(hi, x)
	}
	return hi - lo
}

// forbidden reports whether a single-point red line forbids option o of point k.
func forbidden(pr *profile.Profile, k, o int) bool {
	for _, rl := range pr.RedLines {
		if len(rl.Terms) == 1 && rl.Terms[0].Point == k && slices.Contains(rl.Terms[0].Levels, o) {
			return true
		}
	}
	return false
}

// bestAllowed returns the option of point k with the highest contribution
// among those no single-point red line forbids (the lowest on ties; the
// overall best when every option is forbidden).
func bestAllowed(pr *profile.Profile, k int, c []float64) int {
	best := -1
	for l := range c {
		if !forbidden(pr, k, l) && (best < 0 || c[l] > c[best]) {
			best = l
		}
	}
	if best < 0 {
		best = 0
		for l := range c {
			if c[l] > c[best] {
				best = l
			}
		}
	}
	return best
}

// HillClimber is GENIUS's hill-climbing voter
// (parties.simplemediator.HillClimber): it votes for a proposal iff the
// proposal's (undiscounted) utility is at least that of the last proposal
// every party accepted, or at least 0 before any was. It ignores its
// reservation value and red lines, as GENIUS does. It responds and bids as
// the embedded ProfileResponder.
type HillClimber struct{ ProfileResponder }

// Name implements Responder.
func (HillClimber) Name() string { return "hill-climber" }

// Vote implements Responder.
func (HillClimber) Vote(v *PartyView) bool {
	if len(v.Proposal) != len(v.Framework.Points) || !v.Proposal.Complete() {
		return false
	}
	prev := 0.0
	if v.Previous != nil {
		prev = v.Table.Utility(v.Previous)
	}
	return v.Table.Utility(v.Proposal) >= prev
}

// FromVoter returns a responder that votes with an agent.Voter (previous is
// the standing proposal) and responds and bids as base.
func FromVoter(voter agent.Voter, base Responder) Responder {
	return voterResponder{voter, base}
}

type voterResponder struct {
	voter agent.Voter
	Responder
}

func (r voterResponder) Name() string { return r.voter.Name() }

func (r voterResponder) Vote(v *PartyView) bool {
	self := slices.Index(v.Parties, v.Self)
	av := &agent.View{Self: self, Parties: len(v.Parties), Framework: v.Framework, Profile: v.Profile,
		Table: v.Table, Time: v.Time, Round: v.Round, Deadline: v.Rounds}
	return r.voter.Vote(av, v.Proposal, v.Previous)
}

// BestPackages returns up to limit complete packages, best first for the
// table, whose utility is at least floor and at least the table's
// reservation value and which cross none of the profile's red lines. It
// explores packages in non-increasing utility (best-first over per-point
// option ranks), so it never enumerates the outcome space; ties are ordered
// by package.
func BestPackages(t *profile.Table, pr *profile.Profile, limit int, floor float64) []framework.Package {
	floor = math.Max(floor, t.Reservation)
	n := len(t.Contrib)
	order := make([][]int, n)
	for k, c := range t.Contrib {
		order[k] = make([]int, len(c))
		for l := range c {
			order[k][l] = l
		}
		slices.SortStableFunc(order[k], func(a, b int) int {
			switch {
			case c[a] > c[b]:
				return -1
			case c[a] < c[b]:
				return 1
			}
			return 0
		})
	}
	pkgOf := func(ranks []int) framework.Package {
		p := make(framework.Package, n)
		for k, r := range ranks {
			p[k] = order[k][r]
		}
		return p
	}
	h := &rankHeap{}
	seen := map[string]bool{}
	push := func(ranks []int) {
		key := packageKey(ranks)
		if seen[key] {
			return
		}
		seen[key] = true
		p := pkgOf(ranks)
		heap.Push(h, rankItem{ranks: ranks, pkg: p, u: t.Utility(p)})
	}
	push(make([]int, n))
	var out []framework.Package
	budget := 64*limit + 1024
	for h.Len() > 0 && len(out) < limit && budget > 0 {
		budget--
		it := heap.Pop(h).(rankItem)
		if it.u < floor {
			break
		}
		if pr.CrossesRedLine(it.pkg) < 0 {
			out = append(out, it.pkg)
		}
		for k := range it.ranks {
			if it.ranks[k]+1 < len(order[k]) {
				next := slices.Clone(it.ranks)
				next[k]++
				push(next)
			}
		}
	}
	return out
}

type rankItem struct {
	ranks []int
	pkg   framework.Package
	u     float64
}

type rankHeap []rankItem

func (h rankHeap) Len() int { return len(h) }
func (h rankHeap) Less(i, j int) bool {
	if h[i].u != h[j].u {
		return h[i].u > h[j].u
	}
	return slices.Compare(h[i].pkg, h[j].pkg) < 0
}
func (h rankHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *rankHeap) Push(x any)   { *h = append(*h, x.(rankItem)) }
func (h *rankHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

// ---------------------------------------------------------------- mediators

// HillClimbingMediator changes one point at a time and keeps a change only
// when no party says it is worse off (the mediator protocols of GENIUS).
//
// Under the vote protocol it is GENIUS's RandomFlippingMediator: it proposes
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
type HillClimbingMediator struct {
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

// Name implements Mediator.
func (h *HillClimbingMediator) Name() string { return "hill-climbing" }

func (h *HillClimbingMediator) intn(n int) int {
	if h.Rand != nil {
		return h.Rand(n)
	}
	if h.rng == nil {
		h.rng = rand.New(rand.NewPCG(h.Seed, 0x6d6564696174))
	}
	return h.rng.IntN(n)
}

func (h *HillClimbingMediator) randomPackage(f *framework.Framework) framework.Package {
	p := make(framework.Package, len(f.Points))
	for k := range f.Points {
		p[k] = h.intn(f.Points[k].Levels())
	}
	return p
}

// flip changes one point of p to another option, both chosen at random
// (GENIUS: draw a point and an option until the option differs).
func (h *HillClimbingMediator) flip(f *framework.Framework, p framework.Package, skip func(k, o int) bool) (framework.Package, bool) {
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

// Act implements Mediator.
func (h *HillClimbingMediator) Act(v *MediatorView) (Move, error) {
	switch v.Protocol {
	case Voting, Feedback:
		if v.Standing == nil {
			if v.Version == 0 && h.Start != nil {
				return Move{Kind: KindPropose, Package: h.Start.Clone()}, nil
			}
			return Move{Kind: KindPropose, Package: h.randomPackage(v.Framework)}, nil
		}
		q, ok := h.flip(v.Framework, v.Standing, nil)
		if !ok {
			return Move{Kind: KindPropose, Package: v.Standing.Clone()}, nil
		}
		return Move{Kind: KindPropose, Package: q}, nil
	case SingleText:
		return h.actText(v)
	}
	return Move{}, fmt.Errorf("session: the hill-climbing mediator does not run %s sessions", v.Protocol)
}

// scoreReplies scores each party's responses to the current version: 2 per
// accepted point, 1 per proposal; it also counts objections.
func scoreReplies(v *MediatorView) (score, objections map[string]int) {
	score, objections = map[string]int{}, map[string]int{}
	for _, p := range v.Parties {
		for _, r := range v.Replies[p] {
			switch r.Stance {
			case StanceAccept:
				score[p] += 2
			case StancePropose:
				score[p]++
			case StanceObject:
				objections[p]++
			}
		}
	}
	return score, objections
}

func (h *HillClimbingMediator) actText(v *MediatorView) (Move, error) {
	f := v.Framework
	callVote := Move{Kind: KindCallVote}
	if v.Version == 0 {
		h.base = h.Start.Clone()
		if h.Start == nil {
			h.base = h.randomPackage(f)
		}
		h.phase, h.baseYes, h.tried = hillBaseDraft, nil, map[[2]int]bool{}
		return settle(h.base), nil
	}
	if h.base == nil {
		return Move{}, fmt.Errorf("session: the hill-climbing mediator joins only at the first draft")
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
			if r.Stance == StancePropose && !skip(r.Point, r.Option) {
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
		return Move{Kind: KindEnd}, nil
	}
	for k := range next {
		if next[k] != h.base[k] {
			h.trial = [2]int{k, next[k]}
		}
	}
	h.trialPkg, h.phase = next, hillTrialDraft
	return settle(next), nil
}

// ZoneMediator is a mediator that may see the negotiating parties'
// profiles (only when the session allows it: Config.MediatorAccess is
// AccessProfiles) and aims at one bargaining solution of their agreement
// zone, computed by package analysis: Concept analysis.Nash (the default)
// is the Nash bargaining solution, the zone package maximising
// Π(uᵢ − rᵢ) — analysis.NashPoint on the exact Pareto frontier of the
// zone (analysis.FrontierAdditive with RedLines and Rational), rᵢ the
// reservation values —, analysis.Egalitarian the max–min package,
// maximising minᵢ(uᵢ − rᵢ) (analysis.EgalitarianPoint). Points agreed
// provisionally are kept fixed. Ties go to the lower package, as analysis
// breaks them.
//
// The profiles it sees may not be the whole truth, so it listens. What the
// parties say narrows the zone it aims into, never its aim: an objection
// to a drafted option (its wording is unacceptable to that party; to every
// alternative of a bracket) becomes a red line of that party's profile as
// the mediator sees it, and a party that votes no to a package is taken to
// require more than that package's utility in its profile (its reservation
// value, as the mediator sees it, is raised just above it). Its target is
// always the concept's best package of the zone so narrowed, valued
// against the declared reservation values; when the narrowed zone is
// empty, it ends the talks. Responses that only propose another option or
// accept an alternative (bargaining) do not move it: it already knows the
// profiles.
//
// Single text. Its first draft brackets, on the points where they differ,
// its target and the other concept's best package (the alternative at
// stake), and settles the points where they agree. The brackets close on
// its target, recomputed after the parties' objections: the second draft
// is settled. When the responses to a settled draft raise no new objection
// it calls the vote, otherwise it drafts the new target (objections to the
// wording of a draft are learnt before the vote). In the last round of a
// round deadline it calls the vote on a settled text at once; with three
// rounds or fewer left at the first draft it skips the brackets. After a
// failed vote it raises, as above, what the parties who voted no require,
// and drafts the new target, settled, never one it drafted before; it ends
// the talks when none is left.
//
// Vote and feedback protocols: it proposes its target until a proposal is
// adopted, then keeps proposing the standing package. Under the vote
// protocol a rejected proposal raises what its no-voters require, as
// above, which moves the target; under feedback (which says only better,
// same or worse) the next proposal is the next package of its ranking. It
// never proposes a package twice before it has proposed every package of
// its ranking, and then starts the ranking again.
type ZoneMediator struct {
	// Concept is analysis.Nash (the default) or analysis.Egalitarian.
	Concept string

	ranked   []framework.Package
	other    framework.Package // the other concept's best, for the brackets
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
	heard    int     // number of events read for objections and votes
	lastText [][]int // the last draft read
	news     int     // objections learnt from the responses last read
}

// Phases of the zone mediator under the single text.
const (
	zoneStart    = iota
	zoneBrackets // a bracketed text is out
	zoneSettled  // a settled text is out
	zoneVoting   // the settled text was put to the vote
)

// Name implements Mediator.
func (z *ZoneMediator) Name() string { return "zone(" + z.concept() + ")" }

func (z *ZoneMediator) concept() string {
	if z.Concept == "" {
		return analysis.Nash
	}
	return z.Concept
}

// zoneFrontier returns the space of the negotiating parties and the exact
// frontier of its agreement zone, with provisional points kept fixed and
// the options each party objected to forbidden to it.
func zoneFrontier(v *MediatorView, objected map[string]map[[2]int]bool) (*analysis.Space, *analysis.Frontier, error) {
	var profs []*profile.Profile
	for _, id := range v.Parties {
		p := v.Profiles[id]
		if p == nil {
			return nil, nil, fmt.Errorf("session: zone mediator: no profile for party %q", id)
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
		return nil, nil, err
	}
	fr, err := analysis.FrontierAdditive(sp, analysis.FrontierOptions{RedLines: true, Rational: true})
	if err != nil {
		return nil, nil, err
	}
	return sp, fr, nil
}

// rankZone returns the witnesses of the zone frontier's points that give
// each party i more than above[i] (nil: no such bound), ranked by concept c
// against the space's reservation values, best first (ties by package, as
// analysis breaks them). Filtering the frontier is exact: a package of the
// zone where party i gets more than a bound is dominated only by packages
// that give it more too, so the frontier of the narrowed zone is the
// zone's frontier so filtered, and the concepts' best lies on it.
func rankZone(sp *analysis.Space, fr *analysis.Frontier, c string, above []float64) []framework.Package {
	type cand struct {
		p framework.Package
		x float64
	}
	var cs []cand
	for _, pt := range fr.Points {
		ok := true
		for i, b := range above {
			if !math.IsNaN(b) && pt.U[i] <= b {
				ok = false
			}
		}
		x := 1.0
		if c == analysis.Egalitarian {
			x = math.Inf(1)
		}
		for i, u := range pt.U {
			d := u - sp.Reservation[i]
			if d < 0 {
				ok = false
			}
			if c == analysis.Egalitarian {
				x = math.Min(x, d)
			} else {
				x *= d
			}
		}
		if ok && sp.Acceptable(pt.Witness) {
			cs = append(cs, cand{pt.Witness, x})
		}
	}
	slices.SortStableFunc(cs, func(a, b cand) int {
		switch {
		case a.x > b.x:
			return -1
		case a.x < b.x:
			return 1
		}
		return slices.Compare(a.p, b.p)
	})
	out := make([]framework.Package, len(cs))
	for i, c := range cs {
		out[i] = c.p
	}
	return out
}

// listen reads the events the mediator has not read yet: objections in
// responses and, after a vote (single text, vote protocol), the no votes
// on the package voted on.
func (z *ZoneMediator) listen(v *MediatorView) {
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
		case KindDraft:
			text = m.Text
		case KindCallVote:
			voted = textPackage(text)
		case KindPropose:
			voted = m.Package
		case KindRespond:
			for _, r := range m.Responses {
				if r.Stance != StanceObject || r.Point < 0 || r.Point >= len(text) {
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
		case KindVote:
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

func (z *ZoneMediator) prepare(v *MediatorView) error {
	c := z.concept()
	if c != analysis.Nash && c != analysis.Egalitarian {
		return fmt.Errorf("session: zone mediator: concept %q (want %s or %s)", c, analysis.Nash, analysis.Egalitarian)
	}
	if key := fmt.Sprint(v.Provisional, z.objected); z.frontier == nil || z.fixedFor != key {
		sp, fr, err := zoneFrontier(v, z.objected)
		if err != nil {
			return err
		}
		z.space, z.frontier, z.fixedFor = sp, fr, key
	}
	sp, fr := z.space, z.frontier
	above := make([]float64, len(v.Parties))
	for i, id := range v.Parties {
		above[i] = math.NaN()
		if u, ok := z.above[id]; ok {
			above[i] = u
		}
	}
	r := rankZone(sp, fr, c, above)
	z.ranked, z.other = r, nil
	if z.drafted == nil {
		z.drafted = map[string]bool{}
	}
	if len(r) == 0 {
		return nil
	}
	other := analysis.Egalitarian
	if c == analysis.Egalitarian {
		other = analysis.Nash
	}
	if o := rankZone(sp, fr, other, above); len(o) > 0 && !slices.Equal(o[0], r[0]) {
		z.other = o[0]
	}
	return nil
}

// nextUntried returns the best ranked package not yet drafted, or nil.
func (z *ZoneMediator) nextUntried() framework.Package {
	for _, p := range z.ranked {
		if !z.drafted[packageKey(p)] {
			return p
		}
	}
	return nil
}

func (z *ZoneMediator) settle(p framework.Package) Move {
	z.drafted[packageKey(p)] = true
	z.phase = zoneSettled
	return settle(p)
}

// Act implements Mediator.
func (z *ZoneMediator) Act(v *MediatorView) (Move, error) {
	if v.Profiles == nil {
		return Move{}, ErrNoAccess
	}
	if v.Protocol != SingleText && v.Protocol != Voting && v.Protocol != Feedback {
		return Move{}, fmt.Errorf("session: the zone mediator does not run %s sessions", v.Protocol)
	}
	if v.Version == 0 {
		// A new session: forget what earlier ones said.
		z.phase, z.objected, z.above, z.heard, z.lastText, z.drafted, z.ranked, z.frontier = zoneStart, nil, nil, 0, nil, nil, nil, nil
	}
	if v.Protocol != Feedback {
		z.listen(v)
	}
	if err := z.prepare(v); err != nil {
		return Move{}, err
	}
	if v.Protocol == Voting || v.Protocol == Feedback {
		if v.Standing != nil {
			return Move{Kind: KindPropose, Package: v.Standing.Clone()}, nil
		}
		if len(z.ranked) == 0 {
			return Move{Kind: KindEnd}, nil
		}
		p := z.nextUntried()
		if p == nil {
			// Every package was proposed: start the ranking again.
			z.drafted = map[string]bool{}
			p = z.ranked[0]
		}
		z.drafted[packageKey(p)] = true
		return Move{Kind: KindPropose, Package: p.Clone()}, nil
	}
	lastRound := v.Rounds > 0 && v.Round >= v.Rounds
	switch z.phase {
	case zoneStart:
		if len(z.ranked) == 0 {
			return Move{Kind: KindEnd}, nil
		}
		if z.other == nil || (v.Rounds > 0 && v.Round >= v.Rounds-2) {
			return z.settle(z.ranked[0]), nil
		}
		z.phase = zoneBrackets
		return bracketText([]framework.Package{z.ranked[0], z.other}), nil
	case zoneBrackets:
		// The brackets close on the target, after the objections.
		return z.redraft(), nil
	case zoneSettled:
		if lastRound || z.news == 0 {
			// No new objection: put the text to the vote.
			z.phase = zoneVoting
			return Move{Kind: KindCallVote}, nil
		}
		// Objections moved the target.
		return z.redraft(), nil
	}
	// The vote failed.
	if lastRound && !bracketed(v.Text) {
		z.phase = zoneVoting
		return Move{Kind: KindCallVote}, nil
	}
	return z.redraft(), nil
}

// redraft drafts the best package of the zone not drafted yet, settled;
// with none left it ends the talks.
func (z *ZoneMediator) redraft() Move {
	p := z.nextUntried()
	if p == nil {
		return Move{Kind: KindEnd}
	}
	return z.settle(p)
}

func bracketed(t [][]int) bool {
	for _, a := range t {
		if len(a) > 1 {
			return true
		}
	}
	return false
}

func settle(p framework.Package) Move {
	t := make([][]int, len(p))
	for k, l := range p {
		t[k] = []int{l}
	}
	return Move{Kind: KindDraft, Text: t}
}

func bracketText(ps []framework.Package) Move {
	t := make([][]int, len(ps[0]))
	for k := range t {
		for _, p := range ps {
			t[k] = append(t[k], p[k])
		}
		slices.Sort(t[k])
		t[k] = slices.Compact(t[k])
	}
	return Move{Kind: KindDraft, Text: t}
}
