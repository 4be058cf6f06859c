package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/internal/cli"
	"github.com/parley-negotiation/parley/internal/refdata"
)

// startNegmasAdapter starts adapters/negmas/parley_negmas.py with args on a
// free port until the test ends and returns its base URL once it answers.
func startNegmasAdapter(t testing.TB, py, pythonpath string, args ...string) string {
	t.Helper()
	base, wait := launchNegmasAdapter(t, py, pythonpath, args...)
	wait()
	return base
}

// launchNegmasAdapter starts the adapter and returns its base URL and a
// function that waits until it answers (so that several start at once).
func launchNegmasAdapter(t testing.TB, py, pythonpath string, args ...string) (base string, wait func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	port := addr[strings.LastIndex(addr, ":")+1:]
	stderr := new(strings.Builder)
	cmd := exec.Command(py, append([]string{"../../adapters/negmas/parley_negmas.py", "--port", port}, args...)...)
	cmd.Env = append(os.Environ(), "PYTHONPATH="+pythonpath)
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("adapter stderr:\n%s", stderr.String())
		}
	})
	base = "http://" + addr
	return base, func() {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); ; {
			if ok, err := httpGet(base + "/"); err == nil && ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the NegMAS adapter did not come up:\n%s", stderr.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// negmasStats is the adapter's GET /stats.
type negmasStats struct {
	Inits, Acts, Ends, Errors, Reaped int
	Negotiations, Threads             int
	Checked, Mismatches               int
	MaxDiff                           float64 `json:"max_diff"`
	ActSeconds                        float64 `json:"act_seconds"`
	MsPerAct                          float64 `json:"ms_per_act"`
	V1                                int     `json:"parley-agent/1"`
	V2                                int     `json:"parley-agent/2"`
}

func getNegmasStats(t testing.TB, base string) negmasStats {
	t.Helper()
	resp, err := http.Get(base + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s negmasStats
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// negmasRecord is one line of the adapter's --record file: a negotiation
// it played, with NegMAS's ufun value of the agreement.
type negmasRecord struct {
	Negotiation   string
	Framework     string
	Self          int
	Negotiator    string
	Status        string
	Agreement     []int
	ParleyUtility *float64 `json:"parley_utility"`
	NegmasUtility *float64 `json:"negmas_utility"`
	Acts          int
	Mismatches    int
}

// TestNegmasAdapterTournament: NegMAS's BoulwareTB, ConcederTB and
// NaiveTitForTat negotiators, served by adapters/negmas/parley_negmas.py,
// play a `parley tournament` against Parley's boulware, conceder and tft on
// two GENIUS domains (tiny-2p without the shared data). Every negotiation
// completes without an agent fault, the adapter forgets every negotiation
// (/end), NegMAS's ufun agrees with Parley's table on every offer (the
// adapter's --check), and the utility Parley reports for each NegMAS party's
// agreement equals NegMAS's ufun value of it within 1e-12. The per-turn
// cost is logged.
func TestNegmasAdapterTournament(t *testing.T) {
	py, pythonpath := refdata.NegMAS(t)
	dir := t.TempDir()
	record := filepath.Join(dir, "record.jsonl")
	base := startNegmasAdapter(t, py, pythonpath, "--check", "--record", record,
		"--negotiator", "boulware-tb=negmas.sao.BoulwareTBNegotiator", // an import path
		"--negotiator", "conceder-tb=ConcederTB", // short names
		"--negotiator", "naive-tft=naive-tft")
	idle := getNegmasStats(t, base)

	scenarios := "[tiny-2p]"
	if root := refdata.Root(); root != "" {
		g := filepath.Join(root, "genius", "domains")
		scenarios = fmt.Sprintf(`
  - genius: %s
    profiles: [laptop_buyer_utility.xml, laptop_seller_utility.xml]
  - genius: %s
    profiles: [ItexvsCypress_Itex.xml, ItexvsCypress_Cypress.xml]`,
			filepath.Join(g, "Laptop"), filepath.Join(g, "ItexvsCypress"))
	} else {
		t.Log("shared GENIUS data not found: tiny-2p only")
	}
	cfg := filepath.Join(dir, "t.yaml")
	if err := os.WriteFile(cfg, []byte(`name: NegMAS against the built-ins
agents:
  - boulware
  - conceder
  - tft
  - {name: negmas-boulware-tb, url: "`+base+`/boulware-tb"}
  - {name: negmas-conceder-tb, url: "`+base+`/conceder-tb"}
  - {name: negmas-naive-tft, url: "`+base+`/naive-tft"}
scenarios: `+scenarios+`
protocol: sao
deadline: {rounds: 60}
repetitions: 1
time_budget: 30s
seed: 1
`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	var so, se strings.Builder
	start := time.Now()
	if code := cli.Main([]string{"tournament", cfg, "-o", out, "--workers", "2", "-q"}, strings.NewReader(""), &so, &se); code != 0 {
		t.Fatalf("parley tournament: exit %d\n%s\n%s", code, so.String(), se.String())
	}
	elapsed := time.Since(start)

	// The adapter's records, by (negotiator, self, agreement).
	recs := map[string][]negmasRecord{}
	nrec := 0
	b, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var r negmasRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("record %q: %v", line, err)
		}
		if r.Mismatches != 0 {
			t.Errorf("negotiation %s: %d utility mismatches between NegMAS and Parley", r.Negotiation, r.Mismatches)
		}
		k := fmt.Sprint(r.Negotiator, r.Self, r.Agreement)
		recs[k] = append(recs[k], r)
		nrec++
	}

	f, err := os.Open(filepath.Join(out, "results.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		n, parties, agreements int
		negmasActs, parleyOnly int
		tNegmas, tParley       float64
	)
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct {
			Scenario, Status, Fault, Error string
			Agents                         []string
			Agreement                      []int
			Utilities                      []float64
			Rounds                         int
			Elapsed                        float64 `json:"elapsed_s"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		n++
		if r.Status == "error" || r.Fault != "" || r.Error != "" {
			t.Errorf("negotiation failed: %s", sc.Text())
			continue
		}
		withNegmas := false
		for i, a := range r.Agents {
			alias, ok := strings.CutPrefix(a, "negmas-")
			if !ok {
				continue
			}
			withNegmas = true
			parties++
			if r.Agreement == nil {
				continue
			}
			agreements++
			k := fmt.Sprint(alias, i, r.Agreement)
			found := -1
			for j, rec := range recs[k] {
				if rec.NegmasUtility != nil && math.Abs(*rec.NegmasUtility-r.Utilities[i]) <= 1e-12 {
					found = j
					break
				}
			}
			if found < 0 {
				t.Errorf("%s, %s as party %d: agreement %v worth %.17g to Parley; no NegMAS ufun value within 1e-12 (records %+v)",
					r.Scenario, a, i, r.Agreement, r.Utilities[i], recs[k])
				continue
			}
			recs[k] = append(recs[k][:found], recs[k][found+1:]...)
		}
		if withNegmas {
			tNegmas += r.Elapsed
		} else {
			parleyOnly++
			tParley += r.Elapsed
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 || parties == 0 || agreements == 0 {
		t.Fatalf("%d negotiations, %d NegMAS parties, %d agreements: want some of each", n, parties, agreements)
	}
	if nrec != parties {
		t.Errorf("the adapter recorded %d finished negotiations, the tournament had %d NegMAS parties", nrec, parties)
	}

	st := getNegmasStats(t, base)
	for deadline := time.Now().Add(5 * time.Second); st.Threads > idle.Threads+2 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		st = getNegmasStats(t, base)
	}
	if st.Negotiations != 0 || st.Ends != st.Inits || st.Errors != 0 || st.Mismatches != 0 || st.Reaped != 0 {
		t.Errorf("adapter after the tournament: %+v; want no live negotiation, an /end for every /init, no error, no mismatch", st)
	}
	// Idle keep-alive connections hold a thread each; the mechanisms' threads must be gone.
	if st.Threads > idle.Threads+2*2 {
		t.Errorf("adapter threads: %d after the tournament, %d before: mechanism threads leak", st.Threads, idle.Threads)
	}
	if st.Checked == 0 {
		t.Error("the adapter checked no utility")
	}
	negmasActs = st.Acts
	t.Logf("%d negotiations (%d with a NegMAS party, %d NegMAS parties, %d agreements checked) in %v on 2 workers",
		n, n-parleyOnly, parties, agreements, elapsed.Round(time.Millisecond))
	t.Logf("protocol: %d negotiations over parley-agent/2, %d over parley-agent/1", st.V2, st.V1)
	t.Logf("NegMAS adapter: %d /act, %.3f ms per /act inside the adapter (NegMAS's mechanism and negotiator included), %d utilities checked, max |NegMAS−Parley| %.3g",
		negmasActs, st.MsPerAct, st.Checked, st.MaxDiff)
	if parleyOnly > 0 && n > parleyOnly {
		t.Logf("wall time per negotiation: %.2f ms with a NegMAS party, %.2f ms Parley only; per NegMAS turn %.3f ms end to end (Parley's side, HTTP and the adapter)",
			1000*tNegmas/float64(n-parleyOnly), 1000*tParley/float64(parleyOnly), 1000*tNegmas/float64(max(negmasActs, 1)))
	}
}

// TestNegmasAdapterMatchesNegmas: NegMAS negotiators playing each other
// through Parley (both parties served by the adapter, `parley run`) make the
// same offers in the same rounds, over either version of the protocol, and reach the same agreement in the same
// round as the same negotiators with the same ufuns in one plain NegMAS
// SAOMechanism (adapters/negmas/negmas_direct.py): the adapter makes them
// see what NegMAS shows them (step, relative time, offers, callbacks).
// (Deterministic negotiators only: NegMAS's MiCRO re-offers a random.choice
// of a set, which differs between two NegMAS runs too.)
func TestNegmasAdapterMatchesNegmas(t *testing.T) {
	py, pythonpath := refdata.NegMAS(t)
	dir := t.TempDir()
	t.Setenv("PARLEY_SIGNING_KEY", filepath.Join(dir, "key.pem"))
	// Two adapters: one speaking version 1 of the protocol (offers only: it
	// infers the acceptances), one the highest Parley knows.
	type adapter struct{ base, record string }
	adapters := map[string]adapter{}
	var waits []func()
	for _, proto := range []string{"1", "auto"} {
		record := filepath.Join(dir, "record-"+proto+".jsonl")
		base, wait := launchNegmasAdapter(t, py, pythonpath, "--protocol", proto, "--check", "--record", record, "--record-init",
			"--negotiator", "boulware-tb=BoulwareTBNegotiator",
			"--negotiator", "conceder-tb=ConcederTBNegotiator",
			"--negotiator", "naive-tft=NaiveTitForTatNegotiator",
			"--negotiator", "linear-tb=LinearTBNegotiator")
		adapters[proto] = adapter{base, record}
		waits = append(waits, wait)
	}
	for _, wait := range waits {
		wait()
	}
	type run struct {
		scenario        []string // parley run's scenario arguments
		parties, agents []string
		rounds          string
		protocol        string // the adapter's --protocol
	}
	runs := []run{
		{[]string{"tiny-2p"}, []string{"north", "south"}, []string{"conceder-tb", "naive-tft"}, "40", "1"},
	}
	if root := refdata.Root(); root != "" {
		g := filepath.Join(root, "genius", "domains")
		party := []string{filepath.Join(g, "Party"), "--profiles", "party1_utility.xml,party2_utility.xml,party3_utility.xml"}
		parties := []string{"party1_utility", "party2_utility", "party3_utility"}
		runs = append(runs,
			// Three parties: the acceptances, which version 1 does not send, inferred.
			run{party, parties, []string{"conceder-tb", "linear-tb", "boulware-tb"}, "30", "1"},
			run{party, parties, []string{"conceder-tb", "linear-tb", "boulware-tb"}, "30", "auto"},
			run{[]string{filepath.Join(g, "ItexvsCypress"), "--profiles", "ItexvsCypress_Itex.xml,ItexvsCypress_Cypress.xml"},
				[]string{"ItexvsCypress_Itex", "ItexvsCypress_Cypress"}, []string{"naive-tft", "boulware-tb"}, "100", "auto"})
	}
	type move struct {
		round, party int
		pkg          string
	}
	var (
		files []string
		want  [][]move // Parley's offers of each run
		wantA []string // Parley's agreement and its round
	)
	seen := map[string]int{}
	for i, r := range runs {
		base, record := adapters[r.protocol].base, adapters[r.protocol].record
		log := filepath.Join(dir, fmt.Sprintf("run%d.jsonl", i))
		args := append([]string{"run"}, r.scenario...)
		for j, p := range r.parties {
			args = append(args, "--agent", p+"="+base+"/"+r.agents[j])
		}
		args = append(args, "--rounds", r.rounds, "--json", "--log", log)
		var so, se strings.Builder
		if code := cli.Main(args, strings.NewReader(""), &so, &se); code != 0 {
			t.Fatalf("parley %s: exit %d\n%s%s", strings.Join(args, " "), code, so.String(), se.String())
		}
		// The records this session added, in a file of their own.
		b, err := os.ReadFile(record)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitAfter(strings.TrimSpace(string(b)), "\n")
		f := filepath.Join(dir, fmt.Sprintf("rec%d.jsonl", i))
		if err := os.WriteFile(f, []byte(strings.Join(lines[seen[record]:], "")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		seen[record] = len(lines)
		files = append(files, f)
		// Parley's moves.
		lb, err := os.ReadFile(log)
		if err != nil {
			t.Fatal(err)
		}
		var offers []move
		agreement := "none"
		for _, line := range strings.Split(strings.TrimSpace(string(lb)), "\n") {
			var e struct {
				Round int
				Party string
				Kind  string
				Move  struct{ Package []int }
			}
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatal(err)
			}
			switch e.Kind {
			case "offer":
				offers = append(offers, move{e.Round, slices.Index(r.parties, e.Party), fmt.Sprint(e.Move.Package)})
			case "accept":
				agreement = fmt.Sprintf("%s in round %d", offers[len(offers)-1].pkg, e.Round)
			}
		}
		want, wantA = append(want, offers), append(wantA, agreement)
	}
	cmd := exec.Command(py, append([]string{"../../adapters/negmas/negmas_direct.py"}, files...)...)
	cmd.Env = append(os.Environ(), "PYTHONPATH="+pythonpath)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("negmas_direct.py: %v", err)
	}
	got := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(got) != len(runs) {
		t.Fatalf("negmas_direct.py printed %d lines for %d runs:\n%s", len(got), len(runs), out)
	}
	for i, line := range got {
		var d struct {
			Offers    [][]json.RawMessage
			Agreement []int
			Round     int
		}
		if err := json.Unmarshal([]byte(line), &d); err != nil {
			t.Fatal(err)
		}
		var offers []move
		for _, o := range d.Offers {
			var m move
			json.Unmarshal(o[0], &m.round)
			json.Unmarshal(o[1], &m.party)
			var p []int
			json.Unmarshal(o[2], &p)
			m.pkg = fmt.Sprint(p)
			offers = append(offers, m)
		}
		agreement := "none"
		if d.Agreement != nil {
			agreement = fmt.Sprintf("%v in round %d", d.Agreement, d.Round)
		}
		r := runs[i]
		name := fmt.Sprintf("%s %s, %s rounds, adapter --protocol %s", filepath.Base(r.scenario[0]), strings.Join(r.agents, " vs "), r.rounds, r.protocol)
		if agreement != wantA[i] {
			t.Errorf("%s: agreement %s through Parley, %s in NegMAS", name, wantA[i], agreement)
		}
		if len(offers) != len(want[i]) {
			t.Errorf("%s: %d offers through Parley, %d in NegMAS", name, len(want[i]), len(offers))
		}
		for k := range min(len(offers), len(want[i])) {
			if offers[k] != want[i][k] {
				t.Errorf("%s: offer %d is %+v through Parley, %+v in NegMAS", name, k, want[i][k], offers[k])
				break
			}
		}
		t.Logf("%s: %d offers, agreement %s (same in NegMAS: %v)", name, len(offers), agreement, agreement == wantA[i])
	}
}

// TestNegmasAdapterFailure: a NegMAS negotiator of the user's own (an import
// path on PYTHONPATH) that raises in its turn is an agent fault in Parley —
// `parley run` names it with NegMAS's exception and exits 1 — and the adapter
// forgets the negotiation (at the /end Parley sends after the failure); one
// that never gets its /end is forgotten after --idle-timeout.
func TestNegmasAdapterFailure(t *testing.T) {
	py, pythonpath := refdata.NegMAS(t)
	mod := t.TempDir()
	if err := os.WriteFile(filepath.Join(mod, "crashy.py"), []byte(`from negmas.sao import BoulwareTBNegotiator


class Crashy(BoulwareTBNegotiator):
    def propose(self, state, dest=None):
        if state.step >= 3:
            raise ZeroDivisionError("crashy gives up")
        return super().propose(state, dest=dest)
`), 0o644); err != nil {
		t.Fatal(err)
	}
	pythonpath = mod + string(os.PathListSeparator) + pythonpath
	base := startNegmasAdapter(t, py, pythonpath, "--idle-timeout", "0.5", "--negotiator", "crashy.Crashy")
	forgotten := func(want negmasStats) {
		t.Helper()
		st := getNegmasStats(t, base)
		for deadline := time.Now().Add(5 * time.Second); st.Negotiations != 0 && time.Now().Before(deadline); {
			time.Sleep(100 * time.Millisecond)
			st = getNegmasStats(t, base)
		}
		if st.Negotiations != 0 || st.Errors != want.Errors || st.Reaped != want.Reaped {
			t.Errorf("adapter: %+v; want no live negotiation, %d errors, %d reaped", st, want.Errors, want.Reaped)
		}
	}
	var so, se strings.Builder
	code := cli.Main([]string{"run", "tiny-2p", "--agent", "north=boulware", "--agent", "south=" + base, "--rounds", "40", "--json"},
		strings.NewReader(""), &so, &se)
	if code != cli.ExitFail || !strings.Contains(se.String(), "agent fault") || !strings.Contains(se.String(), "ZeroDivisionError: crashy gives up") {
		t.Fatalf("exit %d, want %d and the agent fault with NegMAS's exception\n%s%s", code, cli.ExitFail, so.String(), se.String())
	}
	forgotten(negmasStats{Errors: 1})

	// An /init, then nothing: the idle negotiation is forgotten.
	init := `{"version": "parley-agent/1", "negotiation": "idle-1", "self": 0, "parties": 2, "protocol": "sao",
	  "framework": {"name": "one", "points": [{"id": "x", "kind": "integer", "max": 2}]}, "levels": [3],
	  "profile": {"weights": [1], "funcs": [{"kind": "linear", "slope": 0.5}]},
	  "table": {"contrib": [[0, 0.5, 1]], "min": 0, "max": 1}, "deadline": {"rounds": 10}}`
	resp, err := http.Post(base+"/init", "application/json", strings.NewReader(init))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/init: %s", resp.Status)
	}
	if st := getNegmasStats(t, base); st.Negotiations != 1 {
		t.Fatalf("after /init: %+v, want 1 live negotiation", st)
	}
	forgotten(negmasStats{Errors: 1, Reaped: 1})
}

// BenchmarkNegmasAdapterSession: one 100-round `parley run` on tiny-2p,
// Parley's hardheaded against NegMAS's BoulwareTB through the adapter (no
// agreement: every round is played); reports the wall time per NegMAS turn.
func BenchmarkNegmasAdapterSession(b *testing.B) {
	py, pythonpath := refdata.NegMAS(b)
	base := startNegmasAdapter(b, py, pythonpath, "--negotiator", "BoulwareTBNegotiator")
	args := []string{"run", "tiny-2p", "--agent", "north=hardheaded", "--agent", "south=" + base, "--rounds", "100", "--json"}
	b.ResetTimer()
	for range b.N {
		var so, se strings.Builder
		if code := cli.Main(args, strings.NewReader(""), &so, &se); code != 0 {
			b.Fatalf("exit %d: %s", code, se.String())
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N)/100, "ms/turn")
}
