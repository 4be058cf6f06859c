package session

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/plan"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
)

// The rules hold through any sequence of moves (issue 11): over random
// scenarios with vetoes, quorums and ratification steps that wait for other
// steps and for the plan, under all six protocols and every format, random
// moves — plausible ones and junk, parties leaving, agents' faults, clock
// jumps of up to a month — never reach an agreement without every veto
// holder's assent and the quorum, nor entry into force without every step,
// in order, each with its condition holding when its body voted; and the
// written log replays to the same state. The assents are derived here from
// the log, move by move, not from the engine's notes.

// rulesScenario makes a random scenario: 2–4 principals with random
// additive profiles, a mediator, a guarantor; unanimity or a quorum;
// up to two veto holders; up to three ratification steps, some waiting for
// others, one possibly carrying out a commitment of the plan that is owed
// once a continuous commitment has held 10 days.
func rulesScenario(rng *rand.Rand) *scenario.Scenario {
	f := &framework.Framework{Name: "r"}
	for k := range 2 + rng.IntN(3) {
		pt := framework.Point{ID: "p" + strconv.Itoa(k)}
		for o := range 2 + rng.IntN(3) {
			pt.Options = append(pt.Options, framework.Option{ID: "o" + strconv.Itoa(o)})
		}
		f.Points = append(f.Points, pt)
	}
	sc := &scenario.Scenario{Version: 1, Name: "r", Framework: f, Format: scenario.Format{Default: scenario.Plenary}}
	sc.Parties = append(sc.Parties, scenario.Party{ID: "med", Role: scenario.Mediator}, scenario.Party{ID: "g", Role: scenario.Guarantor})
	n := 2 + rng.IntN(3)
	var principals []string
	for i := range n {
		p := &profile.Profile{}
		for _, pt := range f.Points {
			p.Weights = append(p.Weights, 0.1+rng.Float64())
			var s []float64
			for range pt.Options {
				s = append(s, float64(rng.IntN(10)))
			}
			p.Scores = append(p.Scores, s)
		}
		r := 0.6 * rng.Float64()
		p.Reservation = &r
		id := "q" + strconv.Itoa(i)
		principals = append(principals, id)
		sc.Parties = append(sc.Parties, scenario.Party{ID: id, Role: scenario.Principal, Profile: p})
	}
	d := &sc.Decision
	d.Rule, d.Agreement = scenario.Unanimity, scenario.WholePackage
	if rng.IntN(2) == 0 {
		d.Rule, d.Quorum = scenario.Quorum, 1+rng.IntN(n)
	}
	if rng.IntN(4) == 0 {
		d.Agreement = scenario.Provisional
	}
	for _, id := range principals {
		if len(d.Vetoes) < 2 && rng.IntN(3) == 0 {
			d.Vetoes = append(d.Vetoes, id)
		}
	}
	sc.Plan = &plan.Plan{
		Verifiers: []plan.Verifier{{ID: "mon"}},
		Commitments: []plan.Commitment{
			{ID: "cf", Point: "p0", Owners: principals[:2], Kind: plan.Continuous, From: plan.FromAgreement, Verifier: "mon"},
			{ID: "vote", Point: "p0", Owners: principals[:1], Kind: plan.Once, From: plan.FromAgreement, Verifier: "mon",
				After: []plan.Precondition{{Commitment: "cf", Held: plan.Duration(10 * 24 * time.Hour)}}},
		},
	}
	var ids []string
	for i := range rng.IntN(4) {
		st := scenario.RatificationStep{ID: "s" + strconv.Itoa(i), Party: principals[rng.IntN(n)], Body: "body " + strconv.Itoa(i), Kind: "parliament"}
		switch rng.IntN(3) {
		case 0: // every earlier step
		case 1:
			st.After = &[]string{}
		default:
			after := []string{}
			for _, id := range ids {
				if rng.IntN(2) == 0 {
					after = append(after, id)
				}
			}
			st.After = &after
		}
		if rng.IntN(3) == 0 {
			st.Commitment = "vote"
		}
		ids = append(ids, st.ID)
		d.Ratification = append(d.Ratification, st)
	}
	if err := sc.Validate(); err != nil {
		panic(fmt.Sprintf("rulesScenario: %v", err))
	}
	return sc
}

// rulesSession plays one random session; it returns it with the number of
// moves tried.
func rulesSession(t *testing.T, seed uint64) (*Session, int) {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	sc := rulesScenario(rng)
	protocol := Protocols()[rng.IntN(len(Protocols()))]
	var principals []string
	for _, p := range sc.Parties {
		if p.Role == scenario.Principal {
			principals = append(principals, p.ID)
		}
	}
	parties := slices.Clone(principals)
	rng.Shuffle(len(parties), func(i, j int) { parties[i], parties[j] = parties[j], parties[i] })
	cfg := Config{Protocol: protocol, Parties: parties, Rounds: 1 + rng.IntN(8), Format: Formats[rng.IntN(len(Formats))],
		BlindReveal: []string{"", RevealSize, RevealPoints, RevealPackages}[rng.IntN(4)]}
	if info, _ := Info(protocol); !info.TurnBased && (info.Mediated || rng.IntN(2) == 0) {
		cfg.Mediator = "med"
	}
	if rng.IntN(5) == 0 {
		cfg.Duration = time.Duration(1+rng.IntN(48)) * time.Hour
	}
	// Sometimes a table the rule cannot accept: the engine must refuse it.
	if rng.IntN(8) == 0 && len(parties) > 2 {
		cfg.Parties = parties[:len(parties)-1]
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s, err := New(sc, cfg, func() time.Time { return now })
	if err != nil {
		if len(cfg.Parties) == len(principals) {
			t.Fatalf("seed %d: a full table refused: %v", seed, err)
		}
		return nil, 0
	}
	pkg, somePkg := packageSources(rng, sc.Framework)
	anyone := append(slices.Clone(principals), "med", "g", "mon", "zz")
	moves := 0
	for step := 0; step < 300; step++ {
		if rng.IntN(12) == 0 {
			now = now.Add(time.Duration(rng.IntN(30*24)) * time.Hour)
			s.Expire()
			continue
		}
		now = now.Add(time.Minute)
		m := plausible(rng, s, somePkg)
		if rng.IntN(10) == 0 { // junk: any kind from anyone
			m = Move{Kind: fuzzKinds[rng.IntN(len(fuzzKinds))], Party: anyone[rng.IntN(len(anyone))], Package: pkg(), Ref: rng.IntN(4), Yes: yes(rng.IntN(2) == 0)}
		}
		switch rng.IntN(60) {
		case 0:
			m = Move{Kind: KindLeave, Party: parties[rng.IntN(len(parties))]}
		case 1:
			m = Move{Kind: KindFault, Party: parties[rng.IntN(len(parties))], Message: "timeout"}
		case 2:
			m = Move{Kind: KindEnd, Party: anyone[rng.IntN(len(anyone))]}
		}
		moves++
		before := s.Len()
		if _, err := s.Submit(m); err != nil && s.Len() != before && s.Events()[s.Len()-1].Move != nil {
			t.Fatalf("seed %d: a refused %s appended a move", seed, m.Kind)
		}
		if s.State.Status == StatusInForce || s.State.Status == StatusFailed {
			break
		}
	}
	return s, moves
}

// packageSources returns a source of random packages of f, and one that
// half the time gives the same package (so that agreements happen).
func packageSources(rng *rand.Rand, f *framework.Framework) (random, focused func() framework.Package) {
	random = func() framework.Package {
		p := make(framework.Package, len(f.Points))
		for k := range p {
			p[k] = rng.IntN(f.Points[k].Levels())
		}
		return p
	}
	focal := random()
	focused = func() framework.Package {
		if rng.IntN(2) == 0 {
			return focal.Clone()
		}
		return random()
	}
	return random, focused
}

// plausible returns a move the session may accept now: the turn party's
// offer or acceptance, the mediator's draft or proposal, a waiting party's
// reply, a ratification or a report once agreed.
func plausible(rng *rand.Rand, s *Session, pkg func() framework.Package) Move {
	st := &s.State
	f := s.Scenario.Framework
	if st.Status == StatusPending || st.Status == StatusInForce {
		if steps := s.Scenario.Decision.Ratification; len(steps) == 0 || rng.IntN(3) == 0 {
			r := &plan.Report{Commitment: "cf", Finding: plan.FindingCompliance, When: s.now}
			if rng.IntN(3) == 0 {
				r.Finding, r.Party, r.Severity = plan.FindingViolation, s.Scenario.Plan.Commitments[0].Owners[rng.IntN(2)], plan.Major
			}
			return Move{Kind: KindReport, Party: "mon", Report: r}
		}
		steps := s.Scenario.Decision.Ratification
		i := rng.IntN(len(steps))
		return Move{Kind: KindRatify, Party: steps[i].Party, Ref: i + 1, Yes: yes(rng.IntN(8) != 0)}
	}
	waiting := st.Waiting
	switch s.Config.Protocol {
	case SAO:
		p := s.TurnParty()
		if st.Current != nil && rng.IntN(2) == 0 {
			return Move{Kind: KindAccept, Party: p}
		}
		return Move{Kind: KindOffer, Party: p, Package: pkg()}
	case AMOP:
		p := s.TurnParty()
		if st.VoteOn == 0 {
			return Move{Kind: KindOffer, Party: p, Package: pkg()}
		}
		return Move{Kind: KindVote, Party: p, Ref: st.VoteOn, Yes: yes(rng.IntN(4) != 0)}
	case Blind:
		if len(waiting) == 0 {
			return Move{Kind: KindEnd, Party: "med"}
		}
		var ps []framework.Package
		seen := map[string]bool{}
		for range 1 + rng.IntN(3) {
			p := pkg()
			if k := p.Key(); !seen[k] {
				seen[k] = true
				ps = append(ps, p)
			}
		}
		return Move{Kind: KindBid, Party: waiting[rng.IntN(len(waiting))], Packages: ps}
	}
	if len(waiting) == 0 { // the mediator's move
		switch s.Config.Protocol {
		case SingleText:
			if st.Text != nil && !st.Text.Bracketed() && !st.VoteOpen && rng.IntN(2) == 0 {
				return Move{Kind: KindCallVote, Party: "med"}
			}
			p := pkg()
			text := make([][]int, len(f.Points))
			for k := range text {
				text[k] = []int{p[k]}
				if st.Provisional != nil && st.Provisional[k] != framework.Open {
					text[k] = []int{st.Provisional[k]}
				} else if rng.IntN(5) == 0 && f.Points[k].Levels() > 1 {
					text[k] = []int{0, 1}
				}
			}
			return Move{Kind: KindDraft, Party: "med", Text: text}
		default:
			return Move{Kind: KindPropose, Party: "med", Package: pkg()}
		}
	}
	p := waiting[rng.IntN(len(waiting))]
	switch s.Config.Protocol {
	case SingleText:
		if st.VoteOpen {
			return Move{Kind: KindVote, Party: p, Yes: yes(rng.IntN(4) != 0)}
		}
		var rs []PointResponse
		for k := range f.Points {
			r := PointResponse{Point: k, Stance: StanceAccept}
			if opts := st.Text[k]; len(opts) > 1 {
				r.Option = opts[rng.IntN(len(opts))]
			}
			if rng.IntN(6) == 0 {
				r = PointResponse{Point: k, Stance: StanceObject, Reason: "no"}
			}
			rs = append(rs, r)
		}
		return Move{Kind: KindRespond, Party: p, Responses: rs}
	case Feedback:
		return Move{Kind: KindFeedback, Party: p, Feedback: []string{Better, Same, Worse}[rng.IntN(3)]}
	}
	return Move{Kind: KindVote, Party: p, Yes: yes(rng.IntN(4) != 0)}
}

// assents derives from the log who assented to the agreement event at
// index i, per protocol, from the moves themselves.
func assents(s *Session, ev []Event, i int) map[string]bool {
	agreed := ev[i].Note.Package
	yes := map[string]bool{}
	switch s.Config.Protocol {
	case SAO:
		for j := i - 1; j >= 0; j-- {
			if m := ev[j].Move; m != nil && m.Kind == KindAccept {
				yes[m.Party] = true
			} else if m != nil && m.Kind == KindOffer {
				yes[m.Party] = slices.Equal(m.Package, agreed)
				return yes
			}
		}
	case AMOP:
		// The round's offers, then the votes on the one agreed.
		round := ev[i].Round
		var table []*Move
		for j := 0; j < i; j++ {
			if m := ev[j].Move; m != nil && ev[j].Round == round && m.Kind == KindOffer {
				table = append(table, m)
			}
		}
		for j := 0; j < i; j++ {
			if m := ev[j].Move; m != nil && ev[j].Round == round && m.Kind == KindVote && *m.Yes &&
				m.Ref >= 1 && m.Ref <= len(table) && slices.Equal(table[m.Ref-1].Package, agreed) {
				yes[m.Party] = true
			}
		}
	case SingleText:
		for j := i - 1; j >= 0; j-- {
			if m := ev[j].Move; m != nil && m.Kind == KindCallVote {
				break
			} else if m != nil && m.Kind == KindVote && *m.Yes {
				yes[m.Party] = true
			}
		}
	case Voting, Feedback:
		// The last proposal round the replies adopted (its package is the
		// agreement at the deadline), and who assented in it.
		var cur map[string]bool
		worse := false
		gone := map[string]bool{}
		flush := func() {
			if cur != nil && ruleMet(s, cur, worse, gone) {
				yes = cur
			}
		}
		for j := 0; j < i; j++ {
			m := ev[j].Move
			switch {
			case ev[j].Kind == "left":
				for _, p := range ev[j].Note.Parties {
					gone[p] = true
				}
			case m == nil:
			case m.Kind == KindPropose:
				flush()
				cur, worse = map[string]bool{}, false
			case m.Kind == KindVote && cur != nil:
				cur[m.Party] = *m.Yes
			case m.Kind == KindFeedback && cur != nil:
				cur[m.Party] = m.Feedback != Worse
				worse = worse || m.Feedback == Worse
			}
		}
		flush()
		for p, y := range yes {
			if !y {
				delete(yes, p)
			}
		}
	case Blind:
		round := ev[i].Round
		for j := 0; j < i; j++ {
			if m := ev[j].Move; m != nil && m.Kind == KindBid && ev[j].Round == round &&
				slices.ContainsFunc(m.Packages, func(p framework.Package) bool { return slices.Equal(p, agreed) }) {
				yes[m.Party] = true
			}
		}
	}
	return yes
}

// ruleMet applies the decision rule to a proposal round's replies,
// independently of the engine: every party at the table replied; under
// feedback nobody said worse; otherwise every veto holder said yes and the
// yes votes make the quorum, or everyone (unanimity).
func ruleMet(s *Session, replies map[string]bool, worse bool, gone map[string]bool) bool {
	d := s.Scenario.Decision
	n, all := 0, 0
	for _, p := range s.Config.Parties {
		if gone[p] {
			continue // a party that left takes its reply with it
		}
		if _, ok := replies[p]; !ok {
			return false // the round is not complete
		}
		all++
		if replies[p] {
			n++
		}
	}
	if all == 0 {
		return false
	}
	if s.Config.Protocol == Feedback {
		return !worse
	}
	for _, v := range d.Vetoes {
		if !replies[v] {
			return false
		}
	}
	if d.Rule == scenario.Quorum {
		return n >= d.Quorum
	}
	return n == all
}

// checkRules checks the log of s against the rules, from the moves.
func checkRules(t *testing.T, seed uint64, s *Session) {
	ev := s.Events()
	sc := s.Scenario
	d := sc.Decision
	left := map[string]bool{}
	ratified := map[int]bool{}
	agreedAt := -1
	for i := range ev {
		e := &ev[i]
		switch {
		case e.Kind == "left":
			for _, p := range e.Note.Parties {
				left[p] = true
			}
		case e.Kind == KindFault && agreedAt < 0:
			for j := i + 1; j < len(ev); j++ {
				if ev[j].Kind == "agreement" {
					t.Fatalf("seed %d: an agreement after %s's agent's fault", seed, e.Party)
				}
			}
		case e.Kind == "agreement" && e.Move == nil:
			agreedAt = i
			yes := assents(s, ev, i)
			for _, v := range d.Vetoes {
				if !yes[v] || left[v] {
					t.Fatalf("seed %d (%s): agreement at event %d without veto holder %s (assents %v, left %v)", seed, s.Config.Protocol, e.Seq, v, yes, left)
				}
			}
			n, atTable := 0, 0
			for _, p := range s.Config.Parties {
				if left[p] {
					continue
				}
				atTable++
				if yes[p] {
					n++
				}
			}
			switch {
			case s.Config.Protocol == Feedback:
				// GENIUS's rule: nobody worse off — every party at the table.
				if n != atTable {
					t.Fatalf("seed %d: feedback agreement with %d of %d", seed, n, atTable)
				}
			case d.Rule == scenario.Quorum && n < d.Quorum:
				t.Fatalf("seed %d (%s): agreement with %d assents, quorum %d", seed, s.Config.Protocol, n, d.Quorum)
			case d.Rule != scenario.Quorum && n != atTable:
				t.Fatalf("seed %d (%s): unanimity with %d of %d", seed, s.Config.Protocol, n, atTable)
			}
		case e.Kind == KindRatify && e.Move != nil:
			ref := e.Move.Ref
			for _, j := range d.Requires(ref - 1) {
				if !ratified[j] {
					t.Fatalf("seed %d: step %d recorded before step %d", seed, ref, j+1)
				}
			}
			if *e.Move.Yes {
				ratified[ref-1] = true
			}
			if c := d.Ratification[ref-1].Commitment; c != "" && *e.Move.Yes {
				at := e.Time
				if e.Move.When != nil {
					at = *e.Move.When
				}
				st := plan.Derive(sc.Plan, sc.Framework, ev[agreedAt].Note.Package, PlanMilestones(ev[:i]), ImplementationEntries(ev[:i]), at)
				if cs := st.Commitment(c); cs != nil && (cs.Start == nil || cs.Start.After(at)) {
					t.Fatalf("seed %d: step %d ratified at %v while %s was not owed (%s)", seed, ref, at, c, cs.Reason)
				}
			}
		case e.Kind == "in-force":
			for k := range d.Ratification {
				if !ratified[k] {
					t.Fatalf("seed %d: in force without step %d", seed, k+1)
				}
			}
		}
	}
	// The written log replays to the same state.
	var buf bytes.Buffer
	if err := WriteLog(&buf, ev); err != nil {
		t.Fatal(err)
	}
	read, err := ReadLog(&buf)
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	r, err := Replay(sc, read)
	if err != nil {
		t.Fatalf("seed %d: replay: %v", seed, err)
	}
	if !equalState(&r.State, &s.State) {
		t.Fatalf("seed %d: the replayed state differs", seed)
	}
}

// TestRulesProperty plays PARLEY_RULES_RUNS random sessions (default 400;
// the figures in docs/sessions.md are from 20,000).
func TestRulesProperty(t *testing.T) {
	runs := 400
	if v, err := strconv.Atoi(os.Getenv("PARLEY_RULES_RUNS")); err == nil && v > 0 {
		runs = v
	}
	cpu := cpuTime()
	start := time.Now()
	count := map[string]int{}
	moves := 0
	for seed := range uint64(runs) {
		s, n := rulesSession(t, seed)
		moves += n
		if s == nil {
			count["refused table"]++
			continue
		}
		checkRules(t, seed, s)
		count[s.Config.Protocol]++
		count[s.State.Status]++
		if s.State.Fault != nil {
			count["fault"]++
		}
	}
	t.Logf("%d sessions, %d moves tried, in %v wall, %v CPU: %v", runs, moves, time.Since(start).Round(time.Millisecond), (cpuTime() - cpu).Round(time.Millisecond), count)
	if count[StatusInForce] == 0 || count[StatusPending]+count[StatusInForce]+count[StatusFailed] < runs/20 {
		t.Errorf("too few agreements to test the rules: %v", count)
	}
}

// FuzzRules is TestRulesProperty from fuzzed seeds.
func FuzzRules(f *testing.F) {
	f.Add(uint64(1))
	f.Fuzz(func(t *testing.T, seed uint64) {
		if s, _ := rulesSession(t, seed); s != nil {
			checkRules(t, seed, s)
		}
	})
}

// cpuTime is the process's user and system time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
