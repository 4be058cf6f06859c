package extagent_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/extagent"
	"github.com/parley-negotiation/parley/extagent/agentserver"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

func miami(t testing.TB) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Builtin("miami-2025")
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// movesRecorder is a served negotiator that remembers the moves and the
// party ids it was shown.
type movesRecorder struct {
	agent.Negotiator
	mu    *sync.Mutex
	moves *[][]agent.Move
	ids   *[]string
	ends  *[]extagent.Outcome
}

func (r movesRecorder) Init(v *agent.View) {
	r.mu.Lock()
	*r.ids = slices.Clone(v.PartyIDs)
	r.mu.Unlock()
	r.Negotiator.Init(v)
}

func (r movesRecorder) Act(v *agent.View) agent.Action {
	r.mu.Lock()
	*r.moves = append(*r.moves, slices.Clone(v.Moves))
	r.mu.Unlock()
	return r.Negotiator.Act(v)
}

func (r movesRecorder) End(o extagent.Outcome) {
	r.mu.Lock()
	*r.ends = append(*r.ends, o)
	r.mu.Unlock()
}

// logMoves is the public history of moves as the session's log records
// it: what version 2 sends.
func logMoves(s *session.Session) []agent.Move {
	index := map[string]int{}
	for i, id := range s.Config.Parties {
		index[id] = i
	}
	var out []agent.Move
	var current []int
	var table [][]int
	round := 0
	for _, e := range s.Events() {
		m := e.Move
		if m == nil {
			continue
		}
		if e.Round != round {
			round, table = e.Round, nil
		}
		mv := agent.Move{By: index[e.Party], Round: e.Round, Kind: m.Kind}
		switch m.Kind {
		case session.KindOffer:
			mv.Package, current = m.Package, m.Package
			table = append(table, m.Package)
		case session.KindAccept:
			mv.Package = current
		case session.KindEnd:
		case session.KindVote:
			mv.Package, mv.Yes = table[m.Ref-1], *m.Yes
		default:
			continue
		}
		out = append(out, mv)
	}
	return out
}

func sameMoves(a, b []agent.Move) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].By != b[i].By || a[i].Round != b[i].Round || a[i].Kind != b[i].Kind || a[i].Yes != b[i].Yes ||
			!slices.Equal(a[i].Package, b[i].Package) {
			return false
		}
	}
	return true
}

// Version 2's history holds every public move: in a 3-party SAO session
// (offers and acceptances) and an amop session (offers and votes), the
// served negotiator sees at each turn exactly the log's moves so far, and
// the in-process runner gives its negotiators the same View.Moves.
func TestV2HistoryMoves(t *testing.T) {
	parties := []string{"russia", "ukraine", "europe"}
	for _, c := range []struct {
		protocol string
		rounds   int
		others   [2]string
		kinds    []string // kinds that must appear in what the agent is shown
	}{
		{session.SAO, 60, [2]string{"conceder", "linear"}, []string{"offer", "accept"}},
		{session.AMOP, 8, [2]string{"boulware", "conceder"}, []string{"offer", "vote"}},
	} {
		t.Run(c.protocol, func(t *testing.T) {
			var mu sync.Mutex
			var moves [][]agent.Move
			var ids []string
			var ends []extagent.Outcome
			srv := httptest.NewServer(agentserver.New(func() agent.Negotiator {
				return movesRecorder{Negotiator: agent.Conceder(), mu: &mu, moves: &moves, ids: &ids, ends: &ends}
			}))
			defer srv.Close()
			remote := dial(t, srv.URL, extagent.WithProtocol(c.protocol))
			if remote.Version() != extagent.Version2 {
				t.Fatalf("version %s", remote.Version())
			}
			s, err := session.New(miami(t), session.Config{Protocol: c.protocol, Rounds: c.rounds, Parties: parties}, fixedClock)
			if err != nil {
				t.Fatal(err)
			}
			m := map[string]agent.Negotiator{"russia": builtin(t, c.others[0], 1), "ukraine": remote, "europe": builtin(t, c.others[1], 2)}
			r, err := session.NewRunner(s, m)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Run(); err != nil {
				t.Fatal(err)
			}
			extagent.Finish(s, m)
			if !slices.Equal(ids, parties) {
				t.Errorf("party ids %v", ids)
			}
			all := logMoves(s)
			seen := map[string]bool{}
			for i, got := range moves {
				if !sameMoves(got, all[:len(got)]) {
					t.Fatalf("act %d: shown %+v, the log's moves are %+v", i, got, all[:min(len(all), len(got))])
				}
				for _, mv := range got {
					seen[mv.Kind] = true
				}
			}
			for _, k := range c.kinds {
				if !seen[k] {
					t.Errorf("no %s move shown (kinds %v)", k, seen)
				}
			}
			if len(ends) != 1 || (ends[0].Cause == "") {
				t.Errorf("ends %+v", ends)
			}
			t.Logf("%s: %d moves, %d acts, kinds %v, end %+v", c.protocol, len(all), len(moves), seen, ends)
		})
	}
}

// The /init of version 2 names the party, every party with its agent, the
// protocol, the scoring and the deadline's time base; a version 1 agent
// gets none of these fields.
func TestV2Init(t *testing.T) {
	inits := make(chan []byte, 8)
	ok := agentserver.New(func() agent.Negotiator { return agent.Conceder() })
	v1only := false
	srv := httptest.NewServer(handlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" && v1only {
			io.WriteString(w, `{"name":"old","version":"parley-agent/1"}`)
			return
		}
		if r.URL.Path == extagent.PathInit {
			b, _ := io.ReadAll(r.Body)
			inits <- b
			r.Body = io.NopCloser(strings.NewReader(string(b)))
		}
		ok.ServeHTTP(w, r)
	}))
	defer srv.Close()
	scoring := extagent.Scoring{Rule: extagent.ScoreDiscounted, NoAgreement: session.ScoreZero, Note: "test"}
	opts := []extagent.Option{extagent.WithAgents([]string{"hawk", "mine", "dove"}), extagent.WithScoring(scoring)}
	parties := []string{"russia", "ukraine", "europe"}
	sc := miami(t)
	run := func(remote *extagent.Remote, cfg session.Config) {
		cfg.Parties = parties
		s, err := session.New(sc, cfg, fixedClock)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]agent.Negotiator{"russia": builtin(t, "boulware", 1), "ukraine": remote, "europe": builtin(t, "boulware", 2)}
		r, err := session.NewRunner(s, m)
		if err != nil {
			t.Fatal(err)
		}
		r.MaxTurns = 30
		_ = r.Run()
		extagent.Finish(s, m)
	}
	run(dial(t, srv.URL, opts...), session.Config{Protocol: session.SAO, Rounds: 5})
	var got extagent.InitRequest
	if err := json.Unmarshal(<-inits, &got); err != nil {
		t.Fatal(err)
	}
	want := []extagent.PartyInfo{{0, "russia", "Russia", "hawk"}, {1, "ukraine", "Ukraine", "mine"}, {2, "europe", "Europe", "dove"}}
	for i := range want {
		want[i].Name = miami(t).Party(want[i].ID).Name
	}
	if got.Version != extagent.Version2 || got.Self != 1 || !reflect.DeepEqual(got.PartiesInfo, want) ||
		got.Party == nil || *got.Party != want[1] || got.Scoring == nil || *got.Scoring != scoring ||
		got.Deadline != (extagent.Deadline{Rounds: 5, Time: extagent.TimeRounds}) || got.HistoryPolicy != extagent.HistoryDelta ||
		got.ProtocolInfo == nil || got.ProtocolInfo.Name != session.SAO || !slices.Equal(got.ProtocolInfo.Moves, []string{"offer", "accept", "end", "leave"}) {
		t.Errorf("/init v2: %+v\nparty %+v protocol %+v", got, got.Party, got.ProtocolInfo)
	}
	// Without a deadline: time "none" (and time stays 0).
	run(dial(t, srv.URL), session.Config{Protocol: session.SAO})
	got = extagent.InitRequest{}
	json.Unmarshal(<-inits, &got)
	if got.Deadline != (extagent.Deadline{Time: extagent.TimeNone}) || got.Scoring != nil || got.Party.Agent != "" {
		t.Errorf("/init v2 without deadline, scoring or agents: deadline %+v scoring %+v party %+v", got.Deadline, got.Scoring, got.Party)
	}
	// A version 1 agent: exactly version 1's fields (on Miami without its
	// interactions: version 1 cannot express them, see
	// TestInteractionsInit).
	v1only = true
	remote := dial(t, srv.URL, opts...)
	if remote.Version() != extagent.Version1 {
		t.Fatalf("version %s", remote.Version())
	}
	sc = additive(miami(t))
	run(remote, session.Config{Protocol: session.SAO, Rounds: 5})
	var raw map[string]json.RawMessage
	select {
	case b := <-inits:
		json.Unmarshal(b, &raw)
	case <-time.After(10 * time.Second):
		t.Fatal("no /init v1")
	}
	var keys []string
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"deadline", "framework", "levels", "negotiation", "parties", "profile", "protocol", "self", "table", "version"}; !slices.Equal(keys, want) ||
		string(raw["version"]) != `"parley-agent/1"` || string(raw["deadline"]) != `{"rounds":5,"seconds":0}` {
		t.Errorf("/init v1 keys %v, version %s, deadline %s", keys, raw["version"], raw["deadline"])
	}
}

// /end follows every negotiation, the agent's own failure included, with
// why: the cause, who, the agent's own error, in words.
func TestEndAfterFailure(t *testing.T) {
	slow := func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
	for _, c := range []struct {
		name    string
		version string
		act     func(w http.ResponseWriter, r *http.Request)
		cause   string
		text    string
	}{
		{"timeout", extagent.Version2, slow, extagent.CauseTimeout, "did not answer in time"},
		{"malformed", extagent.Version2, writeString(`{"action":"offer","package":[1,2`), extagent.CauseAgentError, "malformed"},
		{"invalid", extagent.Version2, writeString(`{"action":"offer","package":[0,9,0]}`), extagent.CauseAgentError, "outside 0..4"},
		{"malformed-v1", extagent.Version1, writeString(`[]`), "", "malformed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ends := make(chan []byte, 4)
			srv, _ := brokenAgent(t, 2, c.act)
			rec := httptest.NewServer(handlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == extagent.PathEnd {
					b, _ := io.ReadAll(r.Body)
					ends <- b
					io.WriteString(w, `{"ok":true}`)
					return
				}
				// Pass everything else on to the broken agent.
				req, _ := http.NewRequestWithContext(r.Context(), r.Method, srv.URL+r.URL.Path, r.Body)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return
				}
				defer resp.Body.Close()
				w.WriteHeader(resp.StatusCode)
				io.Copy(w, resp.Body)
			}))
			defer rec.Close()
			remote := dial(t, rec.URL, extagent.WithTimeout(200*time.Millisecond), extagent.WithVersion(c.version))
			s := play(t, tiny(t), session.SAO, 30, remote, builtin(t, "boulware", 1))
			if remote.Err() == nil || s.State.Fault == nil {
				t.Fatalf("no failure: %v", s.State)
			}
			var body []byte
			select {
			case body = <-ends:
			case <-time.After(3 * time.Second):
				t.Fatal("no /end after the agent's failure")
			}
			var e extagent.EndRequest
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatal(err)
			}
			if e.Negotiation != remote.Negotiation() || e.Status != session.StatusNoAgreement || e.Agreement != nil ||
				!strings.Contains(e.Reason, c.text) || e.Cause != c.cause {
				t.Errorf("/end %s", body)
			}
			if c.version == extagent.Version2 && (e.By != "north" || !strings.Contains(e.OwnError, c.text)) {
				t.Errorf("/end v2 %s: want by north and the own error", body)
			}
			if c.version == extagent.Version1 && strings.Contains(string(body), "own_error") {
				t.Errorf("/end v1 %s carries version 2's fields", body)
			}
			validate(t, schemas(t)["end"+map[string]string{extagent.Version1: "", extagent.Version2: "_v2"}[c.version]], "/end", body)
		})
	}
}

// A Remote that is abandoned (its runner gave up) tells the agent so.
func TestAbandonSendsEnd(t *testing.T) {
	var mu sync.Mutex
	var moves [][]agent.Move
	var ids []string
	var ends []extagent.Outcome
	srv := httptest.NewServer(agentserver.New(func() agent.Negotiator {
		return movesRecorder{Negotiator: agent.Conceder(), mu: &mu, moves: &moves, ids: &ids, ends: &ends}
	}))
	defer srv.Close()
	remote := dial(t, srv.URL)
	s, _ := session.New(tiny(t), session.Config{Protocol: session.SAO, Rounds: 10}, fixedClock)
	m := map[string]agent.Negotiator{"north": remote, "south": builtin(t, "boulware", 1)}
	if _, err := session.NewRunner(s, m); err != nil {
		t.Fatal(err)
	}
	extagent.Abandon(m, "gave up")
	if len(ends) != 1 || ends[0].Cause != extagent.CauseAbandoned || ends[0].Reason != "gave up" || ends[0].Status != extagent.StatusAbandoned {
		t.Fatalf("ends %+v", ends)
	}
	if err := remote.Err(); err != nil {
		t.Fatal(err)
	}
}

// A shared handshake cache greets each URL once, however many Remotes
// (negotiations) dial it, concurrently or not; a failed handshake is tried
// again.
func TestHandshakeCache(t *testing.T) {
	var mu sync.Mutex
	hellos := 0
	ok := agentserver.New(func() agent.Negotiator { return agent.Conceder() })
	srv := httptest.NewServer(handlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			mu.Lock()
			hellos++
			mu.Unlock()
		}
		ok.ServeHTTP(w, r)
	}))
	defer srv.Close()
	hs := extagent.NewHandshakes()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := dial(t, srv.URL, extagent.WithHandshakes(hs))
			play(t, tiny(t), session.SAO, 10, r, builtin(t, "boulware", 1))
		}()
	}
	wg.Wait()
	if hellos != 1 || hs.Count() != 1 {
		t.Errorf("%d handshakes (cache counted %d), want 1", hellos, hs.Count())
	}
	closed := httptest.NewServer(handlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	url := closed.URL
	closed.Close()
	for range 2 {
		if _, err := extagent.Dial("", url, extagent.WithHandshakes(hs), extagent.WithTimeout(time.Second)); !errors.Is(err, extagent.ErrTransport) {
			t.Fatalf("closed server: %v", err)
		}
	}
	if hs.Count() != 3 {
		t.Errorf("failed handshakes cached: count %d, want 3", hs.Count())
	}
}
