package multideal

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/mediator"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/session"
)

// The protocols a thread runs under (Params.Protocol).
const (
	// ProtocolSAO is NegMAS's stacked alternating offers (Run's default;
	// the record stores it as "").
	ProtocolSAO = "sao"
	// ProtocolSingleText is a mediator's single negotiating text
	// (RunSingleText).
	ProtocolSingleText = session.SingleText
)

// What the single text's mediator may see (Params.MediatorSees), as a
// room's mediator_sees setting.
const (
	// MediatorSeesNone: no profile (the default; the record stores "").
	MediatorSeesNone = "none"
	// MediatorSeesFull: in each thread, the edge's profile and the center's
	// thread utility (given what is agreed) written as a profile.
	MediatorSeesFull = "full"
)

// DefaultMediator is the mediator strategy of a single-text run that names
// none: hill-climbing, which sees no profile.
const DefaultMediator = "hill"

// MaxMediatorMoves bounds the mediator's moves within one step of a thread
// (calls to vote and bracketed drafts do not use a step; see
// RunSingleText).
const MaxMediatorMoves = 16

// ErrMediator is wrapped by the errors of a single-text run that a
// mediator strategy caused (a failed Act, a move the protocol refuses).
var ErrMediator = errors.New("multideal: mediator")

// TextResponder is an Agent that answers a mediator's text otherwise than
// an SAO offer. Agents without it answer a text with Respond, Turn.Offer
// being the text: the built-ins (Boulware2025, Linear2025, Conceder2025,
// Planner) thus accept a text exactly when they would accept it as an
// offer at that step (its utility at least their aspiration level there,
// see TimeBased2025 and Planner) and end the thread when no outcome is
// worth their reservation; Random2025 accepts at random as it does offers.
type TextResponder interface {
	RespondText(t *Turn) Response
}

// MediatorFactory returns a fresh mediator strategy for thread i of a
// single-text run.
type MediatorFactory func(thread int) (session.Mediator, error)

// checkProtocol checks p's protocol fields and normalises them (SAO and
// "none" to ""); mediated is true for a single-text run.
func checkProtocol(s *Scenario, p *Params) (mediated bool, err error) {
	switch strings.ToLower(strings.TrimSpace(p.Protocol)) {
	case "", ProtocolSAO:
		p.Protocol = ""
		if p.Mediator != "" || p.MediatorSees != "" {
			return false, fmt.Errorf("multideal: run %s: a mediator (%q, sees %q) runs only the %s protocol, not SAO", s.Name, p.Mediator, p.MediatorSees, ProtocolSingleText)
		}
		return false, nil
	case ProtocolSingleText:
		p.Protocol = ProtocolSingleText
	default:
		return false, fmt.Errorf("multideal: run %s: protocol %q (want %s or %s)", s.Name, p.Protocol, ProtocolSAO, ProtocolSingleText)
	}
	switch strings.ToLower(strings.TrimSpace(p.MediatorSees)) {
	case "", MediatorSeesNone:
		p.MediatorSees = ""
	case MediatorSeesFull:
		p.MediatorSees = MediatorSeesFull
	default:
		return false, fmt.Errorf("multideal: run %s: mediator_sees %q (want %s or %s)", s.Name, p.MediatorSees, MediatorSeesNone, MediatorSeesFull)
	}
	p.Mediator = strings.TrimSpace(p.Mediator)
	return true, nil
}

// mediatorSeed is the seed of thread i's mediator strategy in a run seeded
// with seed (SplitMix64 of both, so that no two threads or seeds share a
// stream).
func mediatorSeed(seed int64, i int) uint64 {
	z := uint64(seed)*0x9e3779b97f4a7c15 + uint64(i+1)*0xbf58476d1ce4e5b9
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// RunSingleText negotiates each thread under a mediator's single
// negotiating text, with the strategy p.Mediator names (mediator.ByName;
// default DefaultMediator, hill-climbing), a fresh one per thread, seeded
// from p.Seed and the thread (mediatorSeed; "hill:seed=7" fixes it). See
// RunWithMediator for the protocol.
func RunSingleText(s *Scenario, center Agent, edges []Agent, p Params) (*Record, error) {
	if _, err := checkProtocol(s, &p); err != nil {
		return nil, err
	}
	p.Protocol = ProtocolSingleText
	if p.Mediator == "" {
		p.Mediator = DefaultMediator
	}
	spec := p.Mediator
	if _, err := mediator.ByName(spec, 0); err != nil {
		return nil, fmt.Errorf("multideal: run %s: %w", s.Name, err)
	}
	return RunWithMediator(s, func(i int) (session.Mediator, error) {
		return mediator.ByName(spec, mediatorSeed(p.Seed, i))
	}, center, edges, p)
}

// RunWithMediator negotiates the threads under a mediator's single text
// (p.Mediator names the strategy in the record; empty: the strategy's
// Name):
// in every step of a thread the mediator (a fresh strategy per thread, from
// newMediator) puts a complete text of the thread's framework to the
// center and the edge, who each answer accept or reject (an agent may also
// end the thread); the thread agrees on the text when both accept it in
// the same step — never otherwise: no one answers for a party — and times
// out after p.Steps steps. The center answers with its thread utility
// given what is agreed (sequentially Scenario.SideUtility, concurrently
// that of the ended threads, exactly as under SAO: Run, RunConcurrent),
// the edge with its own profile; each sees only its own utility and the
// text (TextResponder, else Agent.Respond).
//
// The strategy (a session.Mediator of package mediator) sees the thread as
// a two-party single-text session: the parties "center" and the edge, one
// round per step (Round = step+1, Rounds = p.Steps). A party's accept is
// its response accepting every point and a reject is no response; when
// the mediator calls the vote on the text the parties have just answered,
// their answers are their votes (the vote has failed, or the thread would
// have agreed) and the mediator moves again in the same step; a call to
// vote on a text already voted on puts it to the parties again, using a
// step. A bracketed draft (Zone's first) is no text a party can accept as
// a whole: the parties give no response and the mediator moves again. It
// may make MaxMediatorMoves moves in a step; a move the single text does
// not allow, or an incomplete text, stops the run with an error wrapping
// ErrMediator.
//
// What the mediator sees: by default (p.MediatorSees none) no profile, so
// only hill-climbing runs (the zone strategies, nash and the like, fail
// with an error wrapping session.ErrNoAccess). With MediatorSeesFull it
// sees the edge's profile and a profile of the center in the thread: for
// a combine center utility the center's side profile of that thread (its
// declared preferences there, which its thread utility combines with the
// other threads'); for the other kinds, which have no side profile, its
// thread utility given what is agreed written as a profile (one
// interaction per package, exact; threads of at most
// profile.MaxInteractions packages), rebuilt whenever an agreement changes
// it. The parties answer with their own utilities whatever the mediator
// sees.
//
// Each thread keeps a hash-chained log (events "propose" by "mediator",
// "accept", "reject" or "end" by a party, "end" by the mediator, "timeout")
// whose header covers the protocol (ThreadResult.Protocol); the record's
// Params say the protocol, the mediator and what it sees, and its hash
// covers them. With p.Concurrent the threads run together, one step of
// every open thread per global step, as in RunConcurrent. The session's
// random stream (PyRandom of p.Seed) serves the agents' draws only: no
// per-step draw as under SAO.
func RunWithMediator(s *Scenario, newMediator MediatorFactory, center Agent, edges []Agent, p Params) (*Record, error) {
	p.Protocol = ProtocolSingleText
	if _, err := checkProtocol(s, &p); err != nil {
		return nil, err
	}
	if len(edges) != len(s.Threads) {
		return nil, fmt.Errorf("multideal: run %s (single text): %d edge agents for %d threads", s.Name, len(edges), len(s.Threads))
	}
	if p.Steps <= 0 {
		return nil, fmt.Errorf("multideal: run %s (single text): steps must be positive", s.Name)
	}
	n := len(s.Threads)
	rnd := NewPyRandom(p.Seed)
	rec := &Record{Scenario: s.Name, Center: center.Name(), Params: p}
	agreed := make([]framework.Package, n)
	runs := make([]*textRun, n)
	for i := range s.Threads {
		rec.Edges = append(rec.Edges, edges[i].Name())
		med, err := newMediator(i)
		if err != nil {
			return nil, fmt.Errorf("%w: run %s thread %d: %w", ErrMediator, s.Name, i+1, err)
		}
		if rec.Params.Mediator == "" {
			// A strategy given by its factory only: the record names it.
			rec.Params.Mediator, p.Mediator = med.Name(), med.Name()
		}
		u := s.SideUtility(i, agreed)
		if p.Concurrent {
			u = s.utilityGiven(i, agreed)
		}
		runs[i] = newTextRun(s, i, u, agreed, center, edges[i], med, p, rnd)
	}
	if !p.Concurrent {
		for i, r := range runs {
			if i > 0 {
				// The center in thread i sees the agreements of 0..i−1.
				r.setCenter(s.SideUtility(i, agreed), agreed)
			}
			for {
				done, err := r.stepOnce()
				if err != nil {
					return nil, err
				}
				if done {
					break
				}
			}
			agreed[i] = r.tr.Agreement
		}
	} else {
		var err error
		agreed, err = scheduleConcurrent(agreed,
			func(i int) (bool, error) { return runs[i].stepOnce() },
			func(i int) framework.Package { return runs[i].tr.Agreement },
			func(j int, open []bool) { runs[j].turns[0].Open = open },
			func(j int, agreed []framework.Package) { runs[j].setCenter(s.utilityGiven(j, agreed), agreed) })
		if err != nil {
			return nil, err
		}
	}
	rec.Threads = make([]ThreadResult, n)
	final := make([]framework.Package, n)
	for i, r := range runs {
		rec.Threads[i] = r.result()
		final[i] = rec.Threads[i].Agreement
	}
	rec.CenterUtility = s.Utility(final)
	rec.Hash = recordHash(s.Name, p, rec.Threads)
	return rec, nil
}

// textRun is one thread under the single text.
type textRun struct {
	s      *Scenario
	i      int
	fw     *framework.Framework
	steps  int
	turns  [2]Turn
	agents [2]Agent
	names  [2]string // log names: "center", the edge
	med    session.Mediator
	full   bool
	tr     ThreadResult
	prev   string
	step   int
	done   bool

	// the single text as the mediator sees it
	version  int
	text     session.Text
	answered int         // the version the parties last answered
	answers  [2]Response // their answers to it
	// lastReplies are their responses to it (none for a reject or a
	// bracketed text)
	lastReplies map[string][]session.PointResponse
	voted       int // the version last voted on
	events      []session.Event
	// the profiles shown under MediatorSeesFull; centerProf is rebuilt
	// when the center's utility changes (setCenter)
	centerProf *profile.Profile
}

func newTextRun(s *Scenario, i int, centerUtility func(framework.Package) float64, agreed []framework.Package, center, edge Agent, med session.Mediator, p Params, rnd *PyRandom) *textRun {
	th := &s.Threads[i]
	r := &textRun{s: s, i: i, fw: th.Framework, steps: p.Steps, med: med, full: p.MediatorSees == MediatorSeesFull}
	r.turns = [2]Turn{
		{Thread: i, Center: true, Framework: r.fw, Utility: centerUtility, Reservation: s.Center.Reservation, Steps: p.Steps, Rand: rnd, Scenario: s, Agreed: agreed},
		{Thread: i, Framework: r.fw, Utility: th.Table.Utility, Reservation: th.Table.Reservation, Steps: p.Steps, Rand: rnd},
	}
	r.agents = [2]Agent{center, edge}
	r.names = [2]string{"center", th.Edge}
	if th.Edge == "center" || th.Edge == "mediator" {
		r.names[1] = "edge " + th.Edge
	}
	r.tr = ThreadResult{Edge: th.Edge, Protocol: ProtocolSingleText}
	r.prev = threadHeader(s.Name, i, th.Edge, ProtocolSingleText)
	return r
}

// setCenter gives the center its utility and the agreements it sees.
func (r *textRun) setCenter(u func(framework.Package) float64, agreed []framework.Package) {
	r.turns[0].Utility, r.turns[0].Agreed = u, agreed
	r.centerProf = nil
}

func (r *textRun) log(by, kind string, pkg framework.Package) {
	e := Event{Seq: len(r.tr.Log), Step: r.step, By: by, Kind: kind}
	if pkg != nil {
		e.Package = r.fw.IDs(pkg)
	}
	b, _ := json.Marshal(e)
	sum := sha256.Sum256(append([]byte(r.prev), b...))
	e.Hash = hex.EncodeToString(sum[:])
	r.prev = e.Hash
	r.tr.Log = append(r.tr.Log, e)
}

func (r *textRun) fail(format string, args ...any) error {
	return fmt.Errorf("%w %s: run %s thread %d (%s) step %d: %s", ErrMediator, r.med.Name(), r.s.Name, r.i+1, r.tr.Edge, r.step, fmt.Sprintf(format, args...))
}

// stepOnce runs one step: the mediator's text, then the center's and the
// edge's answers. It reports whether the thread has ended.
func (r *textRun) stepOnce() (bool, error) {
	if r.done {
		return true, nil
	}
	if r.step >= r.steps {
		r.tr.Status = "timeout"
		r.log("", "timeout", nil)
		r.done = true
		return true, nil
	}
	text, end, err := r.mediate()
	if err != nil {
		return false, err
	}
	if end {
		r.log("mediator", "end", nil)
		r.tr.Status, r.done = "ended", true
		return true, nil
	}
	r.log("mediator", "propose", text)
	var ans [2]Response
	for k := range 2 {
		t := &r.turns[k]
		t.Step, t.Offer = r.step, text
		if tr, ok := r.agents[k].(TextResponder); ok {
			ans[k] = tr.RespondText(t)
		} else {
			ans[k] = r.agents[k].Respond(t)
		}
		t.Offer = nil
		switch ans[k] {
		case Accept:
			r.log(r.names[k], "accept", text)
		case End:
			r.log(r.names[k], "end", nil)
			r.tr.Status, r.done = "ended", true
			return true, nil
		default:
			ans[k] = Reject
			r.log(r.names[k], "reject", text)
		}
	}
	if ans[0] == Accept && ans[1] == Accept {
		r.tr.Agreement, r.tr.Status, r.done = text, "agreed", true
		return true, nil
	}
	r.answered, r.answers = r.version, ans
	r.record(r.replies(ans))
	if r.voted == r.version {
		// The text was put to the parties again as a vote: their answers
		// are the votes.
		r.recordVotes(ans)
	}
	r.step++
	return false, nil
}

// replies is the respond events of the parties' answers (an accept
// accepts every point, a reject says nothing); it sets lastReplies.
func (r *textRun) replies(ans [2]Response) []session.Event {
	var out []session.Event
	r.lastReplies = map[string][]session.PointResponse{}
	for k, a := range ans {
		m := &session.Move{Kind: session.KindRespond, Party: r.names[k]}
		if a == Accept {
			for pt := range r.fw.Points {
				m.Responses = append(m.Responses, session.PointResponse{Point: pt, Stance: session.StanceAccept})
			}
		}
		r.lastReplies[r.names[k]] = m.Responses
		out = append(out, session.Event{Round: r.step + 1, Party: r.names[k], Kind: session.KindRespond, Move: m})
	}
	return out
}

func (r *textRun) record(evs []session.Event) {
	for _, e := range evs {
		e.Seq = len(r.events)
		r.events = append(r.events, e)
	}
}

func (r *textRun) recordVotes(ans [2]Response) {
	r.record([]session.Event{{Round: r.step + 1, Kind: session.KindCallVote, Move: &session.Move{Kind: session.KindCallVote, Party: "mediator"}}})
	for k, a := range ans {
		yes := a == Accept
		r.record([]session.Event{{Round: r.step + 1, Party: r.names[k], Kind: session.KindVote, Move: &session.Move{Kind: session.KindVote, Party: r.names[k], Yes: &yes}}})
	}
	r.voted = r.version
}

// mediate asks the mediator for the text of this step (end: it ends the
// talks).
func (r *textRun) mediate() (framework.Package, bool, error) {
	for range MaxMediatorMoves {
		v, err := r.view()
		if err != nil {
			return nil, false, err
		}
		m, err := r.med.Act(v)
		if err != nil {
			hint := ""
			if errors.Is(err, session.ErrNoAccess) {
				hint = fmt.Sprintf(" (let it see them: mediator_sees %s, --mediator-sees %s; or use %s)", MediatorSeesFull, MediatorSeesFull, DefaultMediator)
			}
			return nil, false, fmt.Errorf("%w %s: run %s thread %d (%s) step %d: %w%s", ErrMediator, r.med.Name(), r.s.Name, r.i+1, r.tr.Edge, r.step, err, hint)
		}
		switch m.Kind {
		case session.KindEnd:
			return nil, true, nil
		case session.KindDraft:
			if err := r.checkText(m.Text); err != nil {
				return nil, false, err
			}
			r.version++
			r.text = m.Text.Clone()
			r.record([]session.Event{{Round: r.step + 1, Kind: session.KindDraft, Move: &session.Move{Kind: session.KindDraft, Party: "mediator", Text: r.text.Clone()}}})
			if r.text.Bracketed() {
				// No party can accept alternatives as a whole: no
				// response, the mediator moves again.
				r.answered, r.lastReplies = r.version, nil
				continue
			}
			return r.text.Package(), false, nil
		case session.KindCallVote:
			if r.version == 0 || r.text.Bracketed() {
				return nil, false, r.fail("calls a vote on no text or on a bracketed one")
			}
			if r.voted == r.version {
				// Put to the parties again, in this step.
				return r.text.Package(), false, nil
			}
			r.recordVotes(r.answers)
			continue
		default:
			return nil, false, r.fail("made a %q move; the single text takes drafts, calls to vote and ends", m.Kind)
		}
	}
	return nil, false, r.fail("made %d moves without a text for the parties", MaxMediatorMoves)
}

// checkText checks a draft: one non-empty, increasing list of options in
// range per point.
func (r *textRun) checkText(t session.Text) error {
	if len(t) != len(r.fw.Points) {
		return r.fail("drafted a text of %d points for a framework of %d", len(t), len(r.fw.Points))
	}
	for k, alts := range t {
		if len(alts) == 0 {
			return r.fail("drafted a text leaving point %s open", r.fw.Points[k].ID)
		}
		for j, o := range alts {
			if o < 0 || o >= r.fw.Points[k].Levels() || (j > 0 && o <= alts[j-1]) {
				return r.fail("drafted options %v for point %s", alts, r.fw.Points[k].ID)
			}
		}
	}
	return nil
}

// view is the mediator's view of the thread now.
func (r *textRun) view() (*session.MediatorView, error) {
	v := &session.MediatorView{
		Self: "mediator", Protocol: session.SingleText, Parties: []string{r.names[0], r.names[1]},
		Framework: r.fw, Round: r.step + 1, Rounds: r.steps, Time: float64(r.step) / float64(r.steps),
		Text: r.text.Clone(), Version: r.version, Events: slices.Clone(r.events),
	}
	if r.version > 0 && !r.text.Bracketed() {
		v.Current = r.text.Package()
	}
	if r.answered == r.version && r.version > 0 {
		v.Replies = map[string][]session.PointResponse{}
		for id, rs := range r.lastReplies {
			v.Replies[id] = slices.Clone(rs)
		}
	}
	if r.voted == r.version && r.version > 0 {
		v.Votes = map[string]bool{r.names[0]: r.answers[0] == Accept, r.names[1]: r.answers[1] == Accept}
	}
	if r.full {
		cp, err := r.centerProfile()
		if err != nil {
			return nil, err
		}
		v.Profiles = map[string]*profile.Profile{r.names[0]: cp, r.names[1]: r.s.Threads[r.i].Profile}
	}
	return v, nil
}

// centerProfile is the center's profile shown to the mediator in this
// thread: for a combine utility the center's side profile of the thread
// (its declared preferences there); for the other kinds, which have none,
// its thread utility now as a profile: no additive part and one
// interaction per package worth its utility, the center's reservation
// value as the profile's, checked equal to the utility on every package.
func (r *textRun) centerProfile() (*profile.Profile, error) {
	if r.centerProf != nil {
		return r.centerProf, nil
	}
	if cu := &r.s.Center.Utility; cu.Kind == KindCombine && r.i < len(cu.Sides) && cu.Sides[r.i] != nil {
		r.centerProf = cu.Sides[r.i]
		return r.centerProf, nil
	}
	fw, u := r.fw, r.turns[0].Utility
	n, ok := fw.SizeInt()
	if !ok || n > profile.MaxInteractions {
		return nil, r.fail("thread %d has more than %d packages: the center's utility there cannot be shown to the mediator as a profile", r.i+1, profile.MaxInteractions)
	}
	res := u(nil)
	cp := &profile.Profile{Weights: make([]float64, len(fw.Points)), Scores: make([][]float64, len(fw.Points)), Scale: profile.ScaleAbsolute, Reservation: &res}
	for k := range fw.Points {
		if fw.Points[k].Kind == framework.Options {
			cp.Scores[k] = make([]float64, fw.Points[k].Levels())
		} else {
			if cp.Funcs == nil {
				cp.Funcs = make([]*profile.ValueFunc, len(fw.Points))
			}
			cp.Funcs[k] = &profile.ValueFunc{Kind: profile.Linear}
		}
	}
	radix := fw.Radix()
	pkg := make(framework.Package, len(fw.Points))
	for c := uint64(0); c < uint64(n); c++ {
		framework.FromIndex(radix, c, pkg)
		terms := make([]profile.Term, len(pkg))
		for k, l := range pkg {
			terms[k] = profile.Term{Point: k, Levels: []int{l}}
		}
		cp.Interactions = append(cp.Interactions, profile.Interaction{Terms: terms, Value: u(pkg)})
	}
	t, err := cp.Compile(fw)
	if err != nil {
		return nil, r.fail("the center's utility as a profile: %v", err)
	}
	for c := uint64(0); c < uint64(n); c++ {
		framework.FromIndex(radix, c, pkg)
		if got, want := t.Utility(pkg), u(pkg); got != want {
			return nil, r.fail("the center's utility as a profile gives %v for %v, not %v", got, fw.IDs(pkg), want)
		}
	}
	r.centerProf = cp
	return cp, nil
}

// result is the ended thread's result.
func (r *textRun) result() ThreadResult {
	tr := r.tr
	tr.Steps = r.step
	if tr.Status != "timeout" {
		tr.Steps++ // the step that ended the thread counts, as under SAO
	}
	if tr.Agreement != nil {
		tr.Outcome = r.fw.IDs(tr.Agreement)
		tr.Utility = r.s.Threads[r.i].Table.Utility(tr.Agreement)
	} else {
		tr.Utility = r.s.Threads[r.i].Table.Reservation
	}
	tr.Hash = r.prev
	return tr
}
