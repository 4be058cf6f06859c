package extagent_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/extagent"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

const pythonAgent = "../examples/python/parley_agent.py"

func python(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not on PATH: skipping the Python example agent's tests (install Debian's python3 to run them)")
	}
	return p
}

// startPython runs the example agent on a free port and returns its URL.
func startPython(t testing.TB, args ...string) string {
	t.Helper()
	cmd := exec.Command(python(t), append([]string{pythonAgent, "--port", "0"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if s := stderr.String(); s != "" {
			t.Logf("python agent's stderr:\n%s", s)
		}
	})
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(out).ReadString('\n')
		line <- l
	}()
	select {
	case l := <-line:
		_, url, ok := strings.Cut(strings.TrimSpace(l), " listening on ")
		if !ok {
			t.Fatalf("python agent said %q (stderr: %s)", l, stderr.String())
		}
		return url
	case <-time.After(10 * time.Second):
		t.Fatalf("python agent did not start (stderr: %s)", stderr.String())
	}
	return ""
}

// The Python example computes every package's utility from the profile JSON
// exactly as Parley does (options under both scales, integer and real
// points with linear and triangular functions).
func TestPythonUtilities(t *testing.T) {
	py := python(t)
	type input struct {
		Framework *framework.Framework `json:"framework"`
		Profile   *profile.Profile     `json:"profile"`
		Packages  []framework.Package  `json:"packages"`
	}
	sc := tiny(t)
	abs := *sc.Party("north").Profile
	abs.Scale = profile.ScaleAbsolute
	cases := map[string]*profile.Profile{"north": sc.Party("north").Profile, "south": sc.Party("south").Profile, "north-absolute": &abs}
	scs := map[string]*scenario.Scenario{}
	for k := range cases {
		scs[k] = sc
	}
	if g, why := geniusDomain(t, "Amsterdam"); g != nil {
		for _, p := range g.Principals() {
			cases["Amsterdam/"+p.ID], scs["Amsterdam/"+p.ID] = p.Profile, g
		}
	} else {
		t.Logf("GENIUS part skipped: %s", why)
	}
	names := make([]string, 0, len(cases))
	for name := range cases {
		names = append(names, name)
	}
	slices.Sort(names)
	ins := make([]input, len(names))
	for k, name := range names {
		f := scs[name].Framework
		ins[k] = input{Framework: f, Profile: cases[name]}
		radix := f.Radix()
		size, _ := f.SizeInt()
		for i := range size {
			p := make(framework.Package, len(radix))
			framework.FromIndex(radix, uint64(i), p)
			ins[k].Packages = append(ins[k].Packages, p)
		}
	}
	b, _ := json.Marshal(ins)
	cmd := exec.Command(py, "-c", `import sys, json
sys.path.insert(0, "../examples/python")
import parley_agent as a
out = []
for m in json.load(sys.stdin):
    c = a.contributions(m["framework"], m["profile"])
    out.append({"u": [a.utility(c, p) for p in m["packages"]],
                "rv": a.reservation_value(m["profile"], c),
                "red": [a.crosses_red_line(m["profile"], p) for p in m["packages"]]})
print(json.dumps(out))`)
	cmd.Stdin = bytes.NewReader(b)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1") // no __pycache__ in the source tree
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	var got []struct {
		U   []float64
		RV  float64
		Red []bool
	}
	if err := json.Unmarshal(out, &got); err != nil || len(got) != len(ins) {
		t.Fatalf("python said %d results: %v", len(got), err)
	}
	for k, name := range names {
		prof, in := cases[name], ins[k]
		table, err := prof.Compile(in.Framework)
		if err != nil {
			t.Fatal(err)
		}
		worst := 0.0
		for i, p := range in.Packages {
			worst = math.Max(worst, math.Abs(got[k].U[i]-table.Utility(p)))
			if got[k].Red[i] != (prof.CrossesRedLine(p) >= 0) {
				t.Errorf("%s: red line of %v: python %v", name, p, got[k].Red[i])
			}
		}
		if worst > 1e-12 || math.Abs(got[k].RV-table.Reservation) > 1e-12 {
			t.Errorf("%s: utilities differ by up to %g, reservation %v vs %v", name, worst, got[k].RV, table.Reservation)
		}
		t.Logf("%s: %d packages, largest difference %g", name, len(in.Packages), worst)
	}
}

// The Python example agent plays sessions against the built-in agents on
// tiny-2p and a shared GENIUS domain: every session completes, the agent
// never fails, and all its offers are valid, above its reservation value
// and clear of its red lines.
func TestPythonAgentPlays(t *testing.T) {
	url := startPython(t)
	type game struct {
		sc       *scenario.Scenario
		protocol string
		rounds   int
		opponent string
		side     int
	}
	var games []game
	sc := tiny(t)
	for _, opp := range []string{"boulware", "conceder", "tft", "hardheaded", "random"} {
		for side := range 2 {
			games = append(games, game{sc, session.SAO, 50, opp, side})
		}
	}
	games = append(games, game{sc, session.AMOP, 30, "conceder", 0})
	if g, why := geniusDomain(t, "Amsterdam"); g != nil {
		for _, opp := range []string{"boulware", "conceder", "nice-tft"} {
			for side := range 2 {
				games = append(games, game{g, session.SAO, 100, opp, side})
			}
		}
	} else {
		t.Logf("GENIUS part skipped: %s", why)
	}
	agreements := 0
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2) // two sessions at a time: the agent serves them concurrently
	for i, g := range games {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			remote, err := extagent.Dial("", url, extagent.WithTimeout(5*time.Second), extagent.WithProtocol(g.protocol))
			if err != nil {
				t.Error(err)
				return
			}
			agents := []agent.Negotiator{remote, builtin(t, g.opponent, uint64(i))}
			if g.side == 1 {
				agents[0], agents[1] = agents[1], agents[0]
			}
			s := play(t, g.sc, g.protocol, g.rounds, agents...)
			if err := remote.Err(); err != nil {
				t.Errorf("%s vs %s: %v", g.sc.Name, g.opponent, err)
				return
			}
			me := s.Config.Parties[g.side]
			table, _ := g.sc.Party(me).Profile.Compile(g.sc.Framework)
			offers := checkPythonMoves(t, g.sc, s, me)
			if offers == 0 || s.State.Status == session.StatusOpen {
				t.Errorf("%s vs %s: %d offers, status %s", g.sc.Name, g.opponent, offers, s.State.Status)
			}
			mine := "-"
			if s.State.Agreement != nil {
				mine = fmt.Sprintf("%.3f", table.Utility(s.State.Agreement))
			}
			calls, took := remote.Stats()
			mu.Lock()
			if s.State.Agreement != nil {
				agreements++
			}
			t.Logf("%-9s %-4s vs %-10s side %d: %-20s round %3d, python's utility %s, %d offers, %d calls, %v/call",
				g.sc.Name, g.protocol, g.opponent, g.side, s.State.Status, s.State.Round, mine, offers, calls, (took / time.Duration(max(calls, 1))).Round(time.Microsecond))
			mu.Unlock()
		}()
	}
	wg.Wait()
	if agreements == 0 {
		t.Error("no session reached agreement")
	}
}

// checkPythonMoves checks the Python agent's moves in a session (party me):
// valid complete offers, none below its reservation value or across its
// red lines, no walking away. It returns the number of offers.
func checkPythonMoves(t *testing.T, sc *scenario.Scenario, s *session.Session, me string) int {
	t.Helper()
	prof := sc.Party(me).Profile
	table, _ := prof.Compile(sc.Framework)
	offers := 0
	for _, e := range s.Events() {
		if e.Party != me || e.Move == nil {
			continue
		}
		switch e.Kind {
		case session.KindOffer:
			offers++
			p := e.Move.Package
			if err := sc.Framework.CheckPackage(p); err != nil || !p.Complete() {
				t.Errorf("%s: invalid offer %v: %v", sc.Name, p, err)
			}
			if u := table.Utility(p); u < table.Reservation-1e-12 || prof.CrossesRedLine(p) >= 0 {
				t.Errorf("%s: offer %v worth %v (reservation %v), red line %d", sc.Name, p, u, table.Reservation, prof.CrossesRedLine(p))
			}
		case session.KindEnd:
			t.Errorf("%s: the Python agent ended the talks in round %d", sc.Name, e.Round)
		}
	}
	return offers
}

// Above --enumerate-limit packages the example searches greedily instead
// of enumerating: forced here on small domains, its offers stay valid,
// above its reservation value and clear of its red lines, and it concedes.
func TestPythonAgentGreedy(t *testing.T) {
	url := startPython(t, "--enumerate-limit", "0")
	scs := []*scenario.Scenario{tiny(t)}
	if g, why := geniusDomain(t, "Amsterdam"); g != nil {
		scs = append(scs, g)
	} else {
		t.Logf("GENIUS part skipped: %s", why)
	}
	for _, sc := range scs {
		for side := range 2 {
			remote := dial(t, url)
			agents := []agent.Negotiator{remote, builtin(t, "conceder", 1)}
			if side == 1 {
				agents[0], agents[1] = agents[1], agents[0]
			}
			s := play(t, sc, session.SAO, 60, agents...)
			if err := remote.Err(); err != nil {
				t.Fatal(err)
			}
			me := s.Config.Parties[side]
			offers := checkPythonMoves(t, sc, s, me)
			distinct := map[string]bool{}
			for _, e := range s.Events() {
				if e.Party == me && e.Kind == session.KindOffer {
					distinct[fmt.Sprint(e.Move.Package)] = true
				}
			}
			t.Logf("%s side %d: %s in round %d, %d offers (%d distinct)", sc.Name, side, s.State.Status, s.State.Round, offers, len(distinct))
			if offers == 0 || (len(distinct) < 2 && s.State.Agreement == nil) {
				t.Errorf("%s: %d offers, %d distinct: no concession", sc.Name, offers, len(distinct))
			}
		}
	}
}

// The example agent refuses another protocol version and unknown
// negotiations with an error status, which the Remote records.
func TestPythonAgentErrors(t *testing.T) {
	url := startPython(t)
	post := func(path, body string) (int, string) {
		resp, err := defaultHTTP.Post(url+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return resp.StatusCode, b.String()
	}
	if code, body := post("/init", `{"version":"parley-agent/0","negotiation":"x"}`); code != 400 || !strings.Contains(body, "version") {
		t.Errorf("wrong version: %d %s", code, body)
	}
	if code, _ := post("/act", `{"negotiation":"nope"}`); code != 404 {
		t.Errorf("unknown negotiation: %d", code)
	}
	if code, _ := post("/act", `{not json`); code != 500 {
		t.Errorf("bad JSON: %d", code)
	}
}
