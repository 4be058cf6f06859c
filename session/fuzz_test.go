package session

import (
	"bytes"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/plan"
	"github.com/parley-negotiation/parley/scenario"
)

// fuzzInput reads bytes from the fuzz input; past the end it yields zeros.
type fuzzInput struct {
	b []byte
	i int
}

func (in *fuzzInput) more() bool { return in.i < len(in.b) }

func (in *fuzzInput) byte() byte {
	if in.i >= len(in.b) {
		return 0
	}
	c := in.b[in.i]
	in.i++
	return c
}

func (in *fuzzInput) intn(n int) int { return int(in.byte()) % n }

// level returns a level for a point with n levels, sometimes out of range.
func (in *fuzzInput) level(n int) int {
	c := in.byte()
	switch {
	case c < 8:
		return int(c) - 4 // -4..3, including framework.Open
	case c < 16:
		return n + int(c-8) // beyond the last level
	}
	return int(c) % n
}

func (in *fuzzInput) text() string {
	switch in.intn(6) {
	case 0:
		return ""
	case 1:
		return "we object"
	case 2:
		return "\xff\xfe" // not UTF-8
	case 3:
		return "<b>&\u2028</b>"
	case 4:
		n := in.intn(40)
		return string(in.b[in.i:min(len(in.b), in.i+n)])
	}
	return "ok"
}

func (in *fuzzInput) pkg(f *framework.Framework) framework.Package {
	n := len(f.Points)
	switch in.intn(8) {
	case 0:
		n-- // too short
	case 1:
		n++ // too long
	}
	p := make(framework.Package, max(n, 0))
	for k := range p {
		lv := 4
		if k < len(f.Points) {
			lv = f.Points[k].Levels()
		}
		if in.intn(4) == 0 {
			p[k] = in.level(lv)
		} else {
			p[k] = in.intn(lv)
		}
	}
	return p
}

var fuzzKinds = []string{KindOffer, KindAccept, KindReject, KindEnd, KindLeave, KindMessage, KindRelay,
	KindDraft, KindRespond, KindCritique, KindCallVote, KindVote, KindPropose, KindBid, KindRatify, KindFeedback, "", "bogus",
	KindReport, KindResponse}

// fuzzSession decodes a configuration and a sequence of moves (and clock
// ticks) from data and plays them; refused moves must change nothing.
func fuzzSession(t *testing.T, data []byte) *Session {
	in := &fuzzInput{b: data}
	sc := testScenario()
	flags := in.byte()
	if flags&1 != 0 {
		sc.Decision.Agreement = scenario.Provisional
	}
	if flags&2 != 0 {
		sc.Decision.Rule, sc.Decision.Quorum, sc.Decision.Vetoes = scenario.Quorum, 2, nil
	}
	if flags&4 != 0 {
		sc.Decision.Ratification = []scenario.RatificationStep{{Party: "c", Body: "Parliament", Kind: "parliament"}}
	}
	if flags&8 != 0 {
		sc.Format.NoDirect = [][2]string{{"a", "b"}}
	}
	if flags&64 != 0 {
		sc.Plan = fuzzPlan()
	}
	protocol := []string{SAO, SingleText, Voting, Blind, Feedback, AMOP}[in.intn(6)]
	cfg := Config{
		Protocol:    protocol,
		Mediator:    "med",
		Rounds:      in.intn(6),
		Format:      []string{"", scenario.Plenary, scenario.Bilateral, scenario.Trilateral, scenario.Proximity}[in.intn(5)],
		BlindReveal: []string{"", RevealSize, RevealPoints, RevealPackages}[in.intn(4)],
	}
	if flags&16 != 0 {
		cfg.Duration = time.Duration(5+in.intn(60)) * time.Second
	}
	if info, _ := Info(cfg.Protocol); info.NeedsDeadline && cfg.Rounds == 0 && cfg.Duration == 0 {
		cfg.Rounds = 3
	}
	if flags&32 != 0 {
		// Another turn order; a table without b under the quorum rule
		// (unanimity needs every principal at the table).
		cfg.Parties = []string{"c", "a", "b"}
		if sc.Decision.Rule == scenario.Quorum {
			cfg.Parties = []string{"c", "a"}
		}
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { now = now.Add(time.Second); return now }
	s, err := New(sc, cfg, clock)
	if err != nil {
		t.Fatalf("config %+v: %v", cfg, err)
	}
	f := sc.Framework
	parties := []string{"a", "b", "c", "med", "zz", "", "v", "w"}
	for steps := 0; in.more() && steps < 400; steps++ {
		op := in.byte()
		if op >= 250 {
			now = now.Add(time.Duration(op-249) * 5 * time.Second)
			s.Expire()
			continue
		}
		m := Move{Kind: fuzzKinds[int(op)%len(fuzzKinds)], Party: parties[in.intn(len(parties))]}
		switch m.Kind {
		case KindFeedback:
			m.Feedback = []string{Better, Same, Worse, "meh"}[in.intn(4)]
		case KindOffer, KindPropose:
			m.Package = in.pkg(f)
		case KindDraft:
			n := len(f.Points) + in.intn(3) - 1
			for k := range max(n, 0) {
				lv := 4
				if k < len(f.Points) {
					lv = f.Points[k].Levels()
				}
				mask := in.byte()
				var alts []int
				if mask&0x80 != 0 {
					alts = append(alts, in.level(lv)) // anything, even out of range
				}
				for o := range lv {
					if mask&(1<<o) != 0 {
						alts = append(alts, o)
					}
				}
				if mask&0x40 != 0 && len(alts) > 1 {
					alts[0], alts[1] = alts[1], alts[0]
				}
				m.Text = append(m.Text, alts)
			}
		case KindRespond, KindCritique:
			for range in.intn(5) {
				r := PointResponse{Point: in.intn(len(f.Points) + 1), Stance: []string{StanceAccept, StanceObject, StancePropose, "x"}[in.intn(4)]}
				if r.Point < len(f.Points) {
					r.Option = in.level(f.Points[r.Point].Levels())
				}
				if in.intn(3) == 0 {
					r.Option = 0
				}
				r.Reason = in.text()
				m.Responses = append(m.Responses, r)
			}
		case KindVote, KindRatify:
			switch in.intn(3) {
			case 1:
				m.Yes = yes(true)
			case 2:
				m.Yes = yes(false)
			}
			m.Ref = in.intn(5)
		case KindBid:
			for range in.intn(5) {
				m.Packages = append(m.Packages, in.pkg(f))
			}
		case KindReport:
			r := &plan.Report{
				Commitment: []string{"cf", "ex", "ref", "snap", "zz"}[in.intn(5)],
				Finding:    []plan.Finding{plan.FindingCompliance, plan.FindingFulfilled, plan.FindingViolation, "x"}[in.intn(4)],
				Party:      []string{"", "a", "b", "c", "med"}[in.intn(5)],
				Severity:   []plan.Severity{"", plan.Minor, plan.Major, plan.Grave, "bad"}[in.intn(5)],
			}
			switch in.intn(4) {
			case 0: // no time
			case 1:
				r.When = now.Add(time.Hour) // in the future
			default:
				r.When = now.Add(-time.Duration(in.intn(40)) * time.Second)
			}
			for range in.intn(3) {
				r.Evidence = append(r.Evidence, []string{"https://e.example/1", "http://e.example/2", "ftp://e.example/3", "https://a b"}[in.intn(4)])
			}
			r.Text = in.text()
			r.Replaces = in.intn(s.Len() + 2)
			m.Report = r
		case KindResponse:
			m.Response = &plan.Response{Report: in.intn(s.Len() + 2), Answer: []plan.Answer{plan.Accept, plan.Dispute, "x"}[in.intn(3)], Text: in.text()}
		case KindMessage, KindRelay, KindEnd:
			m.Message = in.text()
			for range in.intn(3) {
				m.To = append(m.To, parties[in.intn(len(parties))])
			}
			m.Ref = in.intn(s.Len() + 2)
		}
		before, _ := jsonMarshal(&s.State)
		n := s.Len()
		if _, err := s.Submit(m); err != nil {
			// A refused move appends nothing and changes no state (an
			// expired deadline may have been drawn first).
			after, _ := jsonMarshal(&s.State)
			if s.Len() == n && !bytes.Equal(before, after) {
				t.Fatalf("refused %+v changed the state:\n%s\n%s", m, before, after)
			}
			if s.Len() != n && s.Events()[s.Len()-1].Move != nil {
				t.Fatalf("refused %+v appended a move", m)
			}
		}
	}
	return s
}

// FuzzMoves plays random move sequences under every protocol: the engine
// never panics, refused moves change nothing, and every session replays —
// from memory and from its written log — to an equal state.
func FuzzMoves(f *testing.F) {
	for _, seed := range fuzzSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := fuzzSession(t, data)
		r, err := Replay(s.Scenario, s.Events())
		if err != nil {
			t.Fatalf("replay: %v", err)
		}
		if !equalState(&r.State, &s.State) {
			a, _ := jsonMarshal(&r.State)
			b, _ := jsonMarshal(&s.State)
			t.Fatalf("replayed state differs:\n%s\n%s", a, b)
		}
		var buf bytes.Buffer
		if err := WriteLog(&buf, s.Events()); err != nil {
			t.Fatal(err)
		}
		evs, err := ReadLog(&buf)
		if err != nil {
			t.Fatalf("the written log does not read back: %v", err)
		}
		r, err = Replay(s.Scenario, evs)
		if err != nil {
			t.Fatalf("replay of the written log: %v", err)
		}
		if !equalState(&r.State, &s.State) {
			t.Fatal("the written log replays to another state")
		}
	})
}

// fuzzSeeds are hand-made inputs that reach deep into each protocol: a
// single text through drafts, responses, a closed point and a vote; vote
// rounds up to the deadline; blind bids that overlap; alternating offers
// with messages and a wall-clock deadline.
func fuzzSeeds() [][]byte {
	kind := func(k string) byte {
		for i, x := range fuzzKinds {
			if x == k {
				return byte(i)
			}
		}
		panic(k)
	}
	const a, b, c, med = 0, 1, 2, 3
	// Encoders matching fuzzSession's decoding.
	opt := func(o int) byte { return byte(o + 4) } // in.level: c < 8 → c−4
	pkg := func(p ...int) []byte {
		out := []byte{2} // complete
		for _, l := range p {
			out = append(out, 1, byte(l)) // in range
		}
		return out
	}
	resp := func(point, stance, o int) []byte { return []byte{byte(point), byte(stance), opt(o), 1, 1} }
	respond := func(party byte, rs ...[]byte) []byte {
		out := []byte{kind(KindRespond), party, byte(len(rs))}
		for _, r := range rs {
			out = append(out, r...)
		}
		return out
	}
	vote := func(party byte, y bool) []byte {
		if y {
			return []byte{kind(KindVote), party, 1, 0}
		}
		return []byte{kind(KindVote), party, 2, 0}
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	var seeds [][]byte
	// Single text, provisional, 5 rounds, plenary.
	seeds = append(seeds, cat(
		[]byte{5, 1, 5, 1, 0},
		[]byte{kind(KindDraft), med, 1, 0x03, 0x01, 0x04}, // p1 [0 1], p2 [0], p3 [2]
		respond(a, resp(0, 0, 1), resp(1, 0, 0), resp(2, 0, 2)),
		[]byte{kind(KindCritique), b, 1, 2, 1, opt(0), 1, 1},
		respond(b, resp(0, 0, 0), resp(1, 0, 0), resp(2, 2, 3)),
		respond(c, resp(1, 0, 0), resp(2, 1, 0)),
		[]byte{kind(KindDraft), med, 1, 0x02, 0x01, 0x08},
		respond(a, resp(2, 0, 3)), respond(b, resp(2, 0, 3)), respond(c, resp(2, 0, 3)),
		[]byte{kind(KindCallVote), med},
		vote(a, true), vote(b, true), vote(c, false),
		[]byte{kind(KindDraft), med, 1, 0x02, 0x01, 0x08},
		respond(a, resp(0, 0, 1)), respond(b, resp(0, 0, 1)), respond(c, resp(0, 0, 1)),
		[]byte{kind(KindCallVote), med},
		vote(a, true), vote(b, true), vote(c, true),
		[]byte{kind(KindRatify), c, 1, 1},
	))
	// Vote protocol, 2 rounds, proximity.
	seeds = append(seeds, cat(
		[]byte{0, 2, 2, 4, 0},
		[]byte{kind(KindPropose), med}, pkg(0, 0, 1), vote(a, true), vote(b, true), vote(c, true),
		[]byte{kind(KindPropose), med}, pkg(1, 0, 1), vote(c, true), vote(a, false), vote(b, true),
	))
	// Blind, 3 rounds, packages revealed.
	seeds = append(seeds, cat(
		[]byte{4, 3, 3, 0, 3},
		[]byte{kind(KindBid), a, 2}, pkg(0, 0, 0), pkg(1, 1, 1),
		[]byte{kind(KindBid), b, 1}, pkg(1, 1, 2),
		[]byte{kind(KindBid), c, 1}, pkg(2, 1, 2),
		[]byte{kind(KindBid), c, 2}, pkg(1, 1, 1), pkg(0, 1, 1),
		[]byte{kind(KindBid), a, 1}, pkg(1, 1, 1),
		[]byte{kind(KindBid), b, 2}, pkg(0, 1, 1), pkg(1, 1, 1),
	))
	// An agreement in force, then its implementation: a major violation
	// that triggers the snap-back, a dispute, a review withdrawing it, a
	// fulfilment.
	const v, w = 6, 7
	seeds = append(seeds, cat(
		[]byte{64, 0, 0, 0, 0},
		[]byte{kind(KindOffer), a}, pkg(0, 0, 0),
		[]byte{kind(KindAccept), b}, []byte{kind(KindAccept), c},
		[]byte{kind(KindReport), v, 0, 2, 1, 2, 2, 0, 1, 0, 5, 0},
		[]byte{kind(KindResponse), a, 6, 1, 5},
		[]byte{kind(KindReport), v, 0, 0, 0, 0, 2, 0, 0, 5, 6},
		[]byte{kind(KindReport), w, 1, 1, 0, 0, 2, 1, 0, 5, 0},
	))
	// Alternating offers with a wall-clock deadline and messages.
	seeds = append(seeds, cat(
		[]byte{16, 0, 3, 1, 0, 20},
		[]byte{kind(KindOffer), a}, pkg(1, 1, 1),
		[]byte{kind(KindMessage), c, 1, 1, a, 0},
		[]byte{kind(KindAccept), b}, []byte{252}, []byte{kind(KindOffer), c}, pkg(2, 0, 0),
		[]byte{kind(KindMessage), a, 5, 0, 0},
	))
	return seeds
}

// fuzzPlan is an implementation plan for testScenario: a ceasefire whose
// major violations trigger a snap-back, an exchange due 10 s after entry
// into force, a vote after 20 s of ceasefire.
func fuzzPlan() *plan.Plan {
	return &plan.Plan{
		Verifiers: []plan.Verifier{{ID: "v"}, {ID: "w"}},
		Commitments: []plan.Commitment{
			{ID: "cf", Point: "p1", Options: []string{"a", "b"}, Owners: []string{"a", "b"}, Kind: plan.Continuous, From: plan.FromAgreement, Verifier: "v",
				OnViolation: []plan.Consequence{{Trigger: "snap", Severity: plan.Major}}},
			{ID: "ex", Point: "p2", Owners: []string{"c"}, Kind: plan.Once, Deadline: &plan.Deadline{Within: 10 * plan.Duration(time.Second)}, Verifier: "w"},
			{ID: "ref", Point: "p3", Owners: []string{"a"}, Kind: plan.Once, From: plan.FromAgreement,
				After: []plan.Precondition{{Commitment: "cf", Held: 20 * plan.Duration(time.Second)}}, Deadline: &plan.Deadline{Within: 30 * plan.Duration(time.Second)}, Verifier: "w"},
			{ID: "snap", Point: "p1", Owners: []string{"med"}, Kind: plan.Once, From: plan.FromTriggered, Deadline: &plan.Deadline{Within: 5 * plan.Duration(time.Second)}, Verifier: "w"},
		},
	}
}
