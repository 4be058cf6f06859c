package session_test

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/genius"
	"github.com/parley-negotiation/parley/internal/refdata"
	"github.com/parley-negotiation/parley/session"
)

// TestGENIUSMultilateralSAOP runs GENIUS's own multilateral regression
// (multitest.xml → multitestexpected.txt: Boulware and Conceder parties on
// the Party domain, 3 and 4 parties, 30 and 10 rounds) through the session
// engine and the agent runner, and requires every row to match: agreement,
// GENIUS's Round column, the number of agreeing parties, every utility, and
// the distance to Pareto, distance to Nash and social welfare columns.
func TestGENIUSMultilateralSAOP(t *testing.T) {
	path := filepath.Join(refdata.Dir(t, "genius", "reference", "genius-test-expected"), "multitestexpected.txt")
	dir := refdata.Dir(t, "genius", "domains", "Party")
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	rows := 0
	clock := func() time.Time { return time.Date(2019, 3, 29, 0, 0, 0, 0, time.UTC) }
	for line := 1; sc.Scan(); line++ {
		if line <= 2 {
			continue
		}
		c := strings.Split(sc.Text(), ";")
		rows++
		deadline, _ := strconv.Atoi(strings.TrimSuffix(c[3], "rounds"))
		var files []string
		agents := map[string]agent.Negotiator{}
		var want []float64
		for i := 0; i < 4 && c[12+i] != ""; i++ {
			files = append(files, c[28+i])
			id := strings.TrimSuffix(c[28+i], ".xml")
			cls, _, _ := strings.Cut(c[12+i], "@")
			switch cls {
			case "BoulwareNegotiationParty":
				agents[id] = agent.Boulware()
			case "ConcederNegotiationParty":
				agents[id] = agent.Conceder()
			default:
				t.Fatalf("line %d: unknown party %s", line, cls)
			}
			u, _ := strconv.ParseFloat(c[16+i], 64)
			want = append(want, u)
		}
		scn, err := genius.LoadDir(dir, files)
		if err != nil {
			t.Fatal(err)
		}
		s, err := session.New(scn, session.Config{Protocol: session.SAO, Rounds: deadline, Scoring: session.ScoreZero}, clock)
		if err != nil {
			t.Fatal(err)
		}
		r, err := session.NewRunner(s, agents)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Run(); err != nil {
			t.Fatal(err)
		}
		space, err := analysis.FromScenario(scn)
		if err != nil {
			t.Fatal(err)
		}
		u := make([]float64, space.N())
		if s.State.Agreement != nil {
			for i, x := range space.Utilities(s.State.Agreement) {
				u[i] = math.Min(x, 1) // GENIUS caps utilities at 1
			}
		}
		agreeing := 0
		if s.State.Current != nil || s.State.Agreement != nil {
			agreeing = len(s.State.Accepted) + 1
		}
		round, _ := strconv.Atoi(c[1])
		wantAgreeing, _ := strconv.Atoi(c[6])
		tag := strings.Join(c[12:12+len(files)], ",")
		if (s.State.Agreement != nil) != (c[4] == "Yes") {
			t.Errorf("line %d %s: agreement %v, GENIUS %s", line, tag, s.State.Agreement != nil, c[4])
		}
		if s.State.Round+1 != round || agreeing != wantAgreeing {
			t.Errorf("line %d %s: Round column %d, agreeing %d; GENIUS %d, %d", line, tag, s.State.Round+1, agreeing, round, wantAgreeing)
		}
		for i := range want {
			if math.Abs(u[i]-want[i]) > 1e-12 {
				t.Errorf("line %d %s: utility %d = %.15g, GENIUS %.15g", line, tag, i+1, u[i], want[i])
			}
		}
		fr, err := analysis.FrontierAdditive(space, analysis.FrontierOptions{})
		if err != nil {
			t.Fatal(err)
		}
		nash, _ := analysis.NashPointGENIUS(fr, space.Reservation)
		for name, got := range map[string]float64{
			"Dist. to Pareto": analysis.DistanceToFrontier(u, fr), "Dist. to Nash": analysis.Distance(u, nash.Point.U), "Social Welfare": analysis.Welfare(u),
		} {
			col := map[string]int{"Dist. to Pareto": 9, "Dist. to Nash": 10, "Social Welfare": 11}[name]
			w, _ := strconv.ParseFloat(c[col], 64)
			if math.Abs(got-w) > 6e-6 {
				t.Errorf("line %d %s: %s %.5f, GENIUS %s", line, tag, name, got, c[col])
			}
		}
		if _, err := session.Replay(scn, s.Events()); err != nil {
			t.Errorf("line %d: replay: %v", line, err)
		}
	}
	if rows != 30 {
		t.Errorf("%d rows, want 30", rows)
	}
}
