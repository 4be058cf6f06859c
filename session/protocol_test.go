package session

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/framework"
)

// protocolKinds are the move kinds a protocol may take; the engine takes
// every other kind (engineKinds) under every protocol.
var (
	protocolKinds = []string{KindOffer, KindAccept, KindReject, KindEnd, KindLeave, KindDraft, KindRespond,
		KindCritique, KindCallVote, KindVote, KindPropose, KindBid, KindFeedback}
	engineKinds = []string{KindMessage, KindRelay, KindSeat, KindRatify, KindReport, KindResponse, KindFault}
)

// TestProtocolRegistry: every protocol has its facts, under its own name,
// in the order of Protocols; the facts list only protocol moves; Info and
// ProtocolInfos hand out copies.
func TestProtocolRegistry(t *testing.T) {
	infos := ProtocolInfos()
	if len(infos) != len(Protocols()) || len(infos) == 0 {
		t.Fatalf("%d protocol infos for protocols %v", len(infos), Protocols())
	}
	for i, info := range infos {
		if info.Name != Protocols()[i] {
			t.Errorf("info %d is %q, want %q (the order of Protocols)", i, info.Name, Protocols()[i])
		}
		if p := protocols[info.Name].make(); p.Name() != info.Name {
			t.Errorf("protocol registered as %q calls itself %q", info.Name, p.Name())
		}
		if info.Title != strings.ToLower(info.Title[:1])+info.Title[1:] || strings.ContainsAny(info.Description, "\n") {
			t.Errorf("%s: title %q (want a lowercase phrase) or description %q (one line)", info.Name, info.Title, info.Description)
		}
		for _, m := range info.Moves {
			if !slices.Contains(protocolKinds, m.Kind) {
				t.Errorf("%s lists move %q, not a protocol move (known: %v)", info.Name, m.Kind, protocolKinds)
			}
		}
		got, ok := Info(info.Name)
		if !ok || got.Name != info.Name || !slices.Equal(got.Moves, info.Moves) {
			t.Errorf("Info(%q) = %+v, %v; ProtocolInfos has %+v", info.Name, got, ok, info)
		}
		got.Moves[0].Kind = "changed"
		if again, _ := Info(info.Name); again.Moves[0].Kind == "changed" {
			t.Errorf("Info(%q) shares its moves with the registry", info.Name)
		}
	}
	if _, ok := Info("no-such-protocol"); ok {
		t.Error("Info of an unknown protocol reports true")
	}
	for _, k := range fuzzKinds {
		if k != "" && k != "bogus" && !slices.Contains(protocolKinds, k) && !slices.Contains(engineKinds, k) {
			t.Errorf("kind %q is neither a protocol's nor the engine's: add it to protocolKinds or engineKinds", k)
		}
	}
}

// TestProtocolInfoJSON: the JSON form's field names are the API's
// (GET /api/protocols, docs/openapi.yaml).
func TestProtocolInfoJSON(t *testing.T) {
	info, _ := Info(Blind)
	b, err := json.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"description", "mediated", "mediator_optional", "moves", "name", "needs_deadline", "title", "turn_based"}
	if !slices.Equal(keys, want) {
		t.Errorf("JSON keys %v, want %v", keys, want)
	}
	if !strings.Contains(string(b), `{"kind":"bid","by":"parties"}`) {
		t.Errorf("moves in %s", b)
	}
}

// TestProtocolFactsConfig holds the configuration facts to the engine: a
// mediated protocol refuses a session without a mediator and the others
// accept one; a protocol that needs a deadline refuses a session without
// one and the others accept it; a protocol with an optional mediator runs
// with or without one.
func TestProtocolFactsConfig(t *testing.T) {
	sc := testScenario()
	for _, info := range ProtocolInfos() {
		t.Run(info.Name, func(t *testing.T) {
			err := CheckConfig(sc, Config{Protocol: info.Name, Rounds: 5})
			if info.Mediated != (err != nil) {
				t.Errorf("mediated %v; without a mediator: %v", info.Mediated, err)
			}
			if err != nil && !strings.Contains(err.Error(), "needs a mediator") {
				t.Errorf("refused without a mediator for another reason: %v", err)
			}
			mediator := ""
			if info.Mediated || info.MediatorOptional {
				mediator = "med"
				if err := CheckConfig(sc, Config{Protocol: info.Name, Rounds: 5, Mediator: mediator}); err != nil {
					t.Errorf("with a mediator: %v", err)
				}
			}
			err = CheckConfig(sc, Config{Protocol: info.Name, Mediator: mediator})
			if info.NeedsDeadline != (err != nil) {
				t.Errorf("needs a deadline %v; without one: %v", info.NeedsDeadline, err)
			}
			if err != nil && !strings.Contains(err.Error(), "needs a deadline") {
				t.Errorf("refused without a deadline for another reason: %v", err)
			}
			if info.NeedsDeadline {
				for _, cfg := range []Config{{Rounds: 3}, {Duration: time.Hour}} {
					cfg.Protocol, cfg.Mediator = info.Name, mediator
					if err := CheckConfig(sc, cfg); err != nil {
						t.Errorf("with deadline %d rounds, %v: %v", cfg.Rounds, cfg.Duration, err)
					}
				}
			}
		})
	}
}

// TestProtocolFactsMoves holds the move facts to the engine. Sessions of
// random scenarios under each protocol, with a mediator, are played by
// plausible moves (rules_property_test.go); in every state each protocol
// move kind is tried from every negotiating party and from the mediator.
// Every listed move is accepted in some state and no other ever is; under
// a turn-based protocol only the turn party's moves are accepted (ending
// the talks aside), and under the others some state accepts replies from
// two parties.
func TestProtocolFactsMoves(t *testing.T) {
	seeds := 40
	if testing.Short() {
		seeds = 10
	}
	for _, info := range ProtocolInfos() {
		t.Run(info.Name, func(t *testing.T) {
			accepted := map[MoveInfo]bool{}
			concurrent := false
			for seed := range uint64(seeds) {
				exploreMoves(t, info, seed, accepted, &concurrent)
			}
			for _, m := range info.Moves {
				if !accepted[m] {
					t.Errorf("%s by %s is listed and never accepted", m.Kind, m.By)
				}
			}
			if !info.TurnBased && !concurrent {
				t.Error("not turn-based, and no state accepts replies from two parties")
			}
		})
	}
}

// exploreMoves plays one session of info's protocol and tries every
// protocol move in every state (see TestProtocolFactsMoves).
func exploreMoves(t *testing.T, info ProtocolInfo, seed uint64, accepted map[MoveInfo]bool, concurrent *bool) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, seed^0xfac75))
	sc := rulesScenario(rng)
	cfg := Config{Protocol: info.Name, Rounds: 2 + rng.IntN(6), Format: Formats[rng.IntN(len(Formats))]}
	if info.Mediated || rng.IntN(4) != 0 {
		cfg.Mediator = "med" // a mediator, needed or not, must find only its listed moves
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s, err := New(sc, cfg, func() time.Time { return now })
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	pkg, somePkg := packageSources(rng, sc.Framework)
	focal := pkg() // the package every candidate move names
	for step := 0; step < 200 && !s.State.Done(); step++ {
		movers := map[string]bool{} // parties with an accepted move other than end and leave
		for _, kind := range protocolKinds {
			for _, by := range []string{ByParties, ByMediator} {
				who := s.Config.Parties
				if by == ByMediator {
					who = nil
					if s.Config.Mediator != "" {
						who = []string{s.Config.Mediator}
					}
				}
				for _, party := range who {
					m := candidateMove(s, kind, party, focal)
					err := s.check(&m)
					if err != nil {
						continue
					}
					mi := MoveInfo{Kind: kind, By: by}
					accepted[mi] = true
					if !info.Takes(kind, by) {
						t.Errorf("seed %d, step %d: %s by %s (%s) is accepted and not listed (state %s)", seed, step, kind, by, party, stateLine(s))
					}
					if by == ByParties && kind != KindEnd {
						if info.TurnBased && party != s.TurnParty() {
							t.Errorf("seed %d, step %d: turn-based, and %s by %s is accepted while it is %s's turn", seed, step, kind, party, s.TurnParty())
						}
						if kind != KindLeave {
							movers[party] = true
						}
					}
				}
			}
		}
		if len(movers) > 1 {
			*concurrent = true
		}
		now = now.Add(time.Minute)
		m := plausible(rng, s, somePkg)
		if rng.IntN(40) == 0 {
			m = Move{Kind: KindLeave, Party: s.Config.Parties[rng.IntN(len(s.Config.Parties))]}
		}
		s.Submit(m) // a refused move changes nothing
	}
}

// candidateMove returns a well-formed move of kind by party for the
// session's state: the package given, a settled text keeping the
// provisional points, a response accepting the current text, an objection
// to its first point, a yes vote on the offer being voted on, feedback
// "same".
func candidateMove(s *Session, kind, party string, p framework.Package) Move {
	m := Move{Kind: kind, Party: party}
	yes := true
	switch kind {
	case KindOffer, KindPropose:
		m.Package = p.Clone()
	case KindBid:
		m.Packages = []framework.Package{p.Clone()}
	case KindDraft:
		q := p.Clone()
		for k, l := range s.State.Provisional {
			if l != framework.Open {
				q[k] = l
			}
		}
		m.Text = SettledText(q)
	case KindRespond:
		for k, alts := range s.State.Text {
			m.Responses = append(m.Responses, PointResponse{Point: k, Stance: StanceAccept, Option: alts[0]})
		}
	case KindCritique:
		m.Responses = []PointResponse{{Point: 0, Stance: StanceObject, Reason: "not this"}}
	case KindVote, KindReject:
		m.Yes, m.Ref = &yes, s.State.VoteOn
	case KindFeedback:
		m.Feedback = Same
	}
	return m
}

func stateLine(s *Session) string {
	st := &s.State
	return fmt.Sprintf("round %d, turn %d, status %s, version %d, vote open %v, vote on %d, waiting %v, left %v",
		st.Round, st.Turn, st.Status, st.Version, st.VoteOpen, st.VoteOn, st.Waiting, st.Left)
}

// TestText: a text's package, its settled points and brackets, its copies.
func TestText(t *testing.T) {
	text := Text{{2}, {0, 1}, nil, {3}}
	if got, want := text.Package(), (framework.Package{2, framework.Open, framework.Open, 3}); !slices.Equal(got, want) {
		t.Errorf("Package %v, want %v", got, want)
	}
	for k, want := range []int{2, -1, -1, 3} {
		o, ok := text.Settled(k)
		if ok != (want >= 0) || ok && o != want {
			t.Errorf("Settled(%d) = %d, %v; want %d", k, o, ok, want)
		}
	}
	if _, ok := text.Settled(4); ok {
		t.Error("Settled beyond the text")
	}
	if !text.Bracketed() || (Text{{1}, nil}).Bracketed() {
		t.Error("Bracketed")
	}
	c := text.Clone()
	c[1][0] = 9
	if text[1][0] != 0 {
		t.Error("Clone shares memory")
	}
	if Text(nil).Clone() != nil {
		t.Error("a nil text's clone is not nil")
	}
	if got := SettledText(framework.Package{1, framework.Open}); !slices.EqualFunc(got, Text{{1}, nil}, slices.Equal) {
		t.Errorf("SettledText %v", got)
	}
	got := BracketText(3, []framework.Package{{2, 0, 1}, {0, 0, 1}, {2, 1, 1}})
	if want := (Text{{0, 2}, {0, 1}, {1}}); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("BracketText %v, want %v", got, want)
	}
	// The JSON form is a [][]int's.
	b, _ := json.Marshal(Move{Kind: KindDraft, Text: Text{{0}, {1, 2}}})
	if !strings.Contains(string(b), `"text":[[0],[1,2]]`) {
		t.Errorf("JSON %s", b)
	}
}
