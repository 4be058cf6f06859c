package session

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/scenario"
)

// agreementNote returns the note of the log's agreement event.
func agreementNote(t *testing.T, s *Session) *Note {
	t.Helper()
	for _, e := range s.Events() {
		if e.Kind == "agreement" && e.Note != nil {
			return e.Note
		}
	}
	t.Fatal("no agreement event")
	return nil
}

// singleTextAgreement runs the single text under the scenario's format to
// a vote on the outline (the first option of every point) that every
// principal accepts, after a first draft with point 1 in brackets.
func singleTextAgreement(t *testing.T, sc *scenario.Scenario, cfg Config, votes map[string]bool) *Session {
	t.Helper()
	cfg.Protocol, cfg.Mediator = SingleText, "us"
	s := mustNew(t, sc, cfg)
	outline := make([][]int, len(sc.Framework.Points))
	for i := range outline {
		outline[i] = []int{0}
	}
	first := slices.Clone(outline)
	first[0] = []int{0, 1}
	for _, text := range [][][]int{first, outline} {
		submit(t, s, Move{Kind: KindDraft, Party: "us", Text: text})
		for _, p := range s.Config.Parties {
			var rs []PointResponse
			for i := range outline {
				rs = append(rs, PointResponse{Point: i, Stance: StanceAccept})
			}
			submit(t, s, Move{Kind: KindRespond, Party: p, Responses: rs})
		}
	}
	submit(t, s, Move{Kind: KindCallVote, Party: "us"})
	for _, p := range s.Config.Parties {
		submit(t, s, Move{Kind: KindVote, Party: p, Yes: yes(votes[p])})
	}
	return s
}

// TestAgreementNoteNamesVersionAndAssents: from engine version 2 the
// agreement note says which version was agreed and who assented — by name
// under unanimity (everyone at the table, which the rule implies anyway)
// and where the assents were public, by number only under a quorum with
// private votes (the vote-failed note's rule). Logs of version 0 keep
// their notes and replay.
func TestAgreementNoteNamesVersionAndAssents(t *testing.T) {
	all := map[string]bool{"russia": true, "ukraine": true, "europe": true}
	s := singleTextAgreement(t, miami(t), Config{}, all)
	if s.Config.Engine != EngineVersion {
		t.Fatalf("engine %d, want %d", s.Config.Engine, EngineVersion)
	}
	n := agreementNote(t, s)
	if n.Version != 2 || !slices.Equal(n.Parties, []string{"russia", "ukraine", "europe"}) || n.Count != 0 {
		t.Errorf("unanimity, proximity: version %d parties %v count %d", n.Version, n.Parties, n.Count)
	}
	checkReplay(t, s)

	// A quorum of two, no veto, proximity talks: Europe's no stays private.
	q := *miami(t)
	q.Decision.Rule, q.Decision.Quorum, q.Decision.Vetoes = scenario.Quorum, 2, nil
	s = singleTextAgreement(t, &q, Config{}, map[string]bool{"russia": true, "ukraine": true})
	if s.State.Status != StatusPending {
		t.Fatalf("quorum: status %s (%s)", s.State.Status, s.State.Reason)
	}
	n = agreementNote(t, s)
	if n.Parties != nil || n.Count != 2 || n.Version != 2 {
		t.Errorf("quorum, private votes: parties %v count %d version %d", n.Parties, n.Count, n.Version)
	}
	// In plenary, every party meeting every other, the votes are public:
	// the note names them.
	q.Format.NoDirect = nil
	s = singleTextAgreement(t, &q, Config{Format: scenario.Plenary}, map[string]bool{"russia": true, "ukraine": true})
	if n = agreementNote(t, s); !slices.Equal(n.Parties, []string{"russia", "ukraine"}) || n.Count != 0 {
		t.Errorf("quorum, plenary: parties %v count %d", n.Parties, n.Count)
	}

	// SAO: the offer and the acceptances, public; no version.
	s = mustNew(t, miami(t), Config{Protocol: SAO})
	submit(t, s, Move{Kind: KindOffer, Party: "russia", Package: make(framework.Package, 20)})
	submit(t, s, Move{Kind: KindAccept, Party: "ukraine"})
	submit(t, s, Move{Kind: KindAccept, Party: "europe"})
	if n = agreementNote(t, s); n.Version != 0 || !slices.Equal(n.Parties, []string{"russia", "ukraine", "europe"}) {
		t.Errorf("sao: version %d parties %v", n.Version, n.Parties)
	}

	// A log of engine version 0 records the agreement as it always did,
	// and replays; a log of a later version is refused.
	old, err := open(miami(t), Config{Protocol: SAO, Parties: []string{"russia", "ukraine", "europe"}, Scoring: ScoreReservation, Format: scenario.Proximity}, fakeClock(), &options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	submit(t, old, Move{Kind: KindOffer, Party: "russia", Package: make(framework.Package, 20)})
	submit(t, old, Move{Kind: KindAccept, Party: "ukraine"})
	submit(t, old, Move{Kind: KindAccept, Party: "europe"})
	if n = agreementNote(t, old); n.Parties != nil || n.Version != 0 || n.Count != 0 || old.Config.Engine != 0 {
		t.Errorf("engine 0: note %+v, engine %d", n, old.Config.Engine)
	}
	r, err := Replay(miami(t), old.Events())
	if err != nil {
		t.Fatalf("replay of an engine 0 log: %v", err)
	}
	if r.Config.Engine != 0 {
		t.Errorf("replayed engine %d", r.Config.Engine)
	}
	future, err := New(miami(t), Config{Protocol: SAO, Engine: EngineVersion + 1}, fakeClock())
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("engine version %d", EngineVersion+1)) {
		t.Errorf("a session of a later engine: %v %v", future, err)
	}
}

// TestRatificationVoteTime: a ratification may say when its body voted —
// at or before its record, not before the agreement — and only a
// ratification says so.
func TestRatificationVoteTime(t *testing.T) {
	now := agreedAt
	s := miamiAgreement(t, func() time.Time { return now })
	now = day(3)
	voted := day(1, 15).In(time.FixedZone("MSK", 3*3600))
	seq := submit(t, s, Move{Kind: KindRatify, Party: "russia", Ref: 1, Yes: yes(true), When: &voted})
	if w := s.Events()[seq-1].Move.When; w == nil || !w.Equal(voted) || w.Location() != time.UTC {
		t.Errorf("recorded vote time %v, want %v in UTC", w, voted)
	}
	for _, c := range []struct {
		m    Move
		says string
	}{
		{Move{Kind: KindRatify, Party: "ukraine", Ref: 2, Yes: yes(true), When: ptr(day(4))}, "after its record"},
		{Move{Kind: KindRatify, Party: "ukraine", Ref: 2, Yes: yes(true), When: ptr(day(-1))}, "before the agreement"},
		{Move{Kind: KindMessage, Party: "ukraine", Message: "hi", To: []string{"russia"}, When: ptr(day(2))}, "only a ratification"},
	} {
		if _, err := s.Submit(c.m); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s with when %v: %v, want %q", c.m.Kind, c.m.When, err, c.says)
		}
	}
	checkReplay(t, s)
}

func ptr[T any](v T) *T { return &v }
