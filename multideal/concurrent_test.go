package multideal

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/framework"
)

// seenTurn is what a spied agent was given at one turn.
type seenTurn struct {
	thread, step int
	center       bool
	fw           *framework.Framework
	scenario     *Scenario
	agreed       []framework.Package // a copy; nil when the turn had none
	offer        framework.Package   // on Respond only
	utility      []float64           // Utility of every package of fw, in index order
	respond      bool
}

// spy records every turn its agent is given and forwards it.
type spy struct {
	Agent
	turns []seenTurn
}

func (a *spy) see(t *Turn, respond bool) {
	n, _ := t.Framework.SizeInt()
	st := seenTurn{thread: t.Thread, step: t.Step, center: t.Center, fw: t.Framework, scenario: t.Scenario, respond: respond}
	if t.Agreed != nil {
		st.agreed = append([]framework.Package(nil), t.Agreed...)
	}
	if t.Offer != nil {
		st.offer = t.Offer.Clone()
	}
	p := make(framework.Package, len(t.Framework.Points))
	for c := uint64(0); c < uint64(n); c++ {
		framework.FromIndex(t.Framework.Radix(), c, p)
		st.utility = append(st.utility, t.Utility(p))
	}
	a.turns = append(a.turns, st)
}

func (a *spy) Propose(t *Turn) framework.Package { a.see(t, false); return a.Agent.Propose(t) }
func (a *spy) Respond(t *Turn) Response          { a.see(t, true); return a.Agent.Respond(t) }

// runSpied runs s with spies around every agent; edge names are cycled.
func runSpied(t *testing.T, s *Scenario, center string, edges []string, p Params) (*Record, *spy, []*spy) {
	t.Helper()
	ca, err := NewAgent(center)
	if err != nil {
		t.Fatal(err)
	}
	cs := &spy{Agent: ca}
	es := make([]*spy, len(s.Threads))
	as := make([]Agent, len(s.Threads))
	for i := range es {
		a, err := NewAgent(edges[i%len(edges)])
		if err != nil {
			t.Fatal(err)
		}
		es[i] = &spy{Agent: a}
		as[i] = es[i]
	}
	rec, err := Run(s, cs, as, p)
	if err != nil {
		t.Fatal(err)
	}
	return rec, cs, es
}

func loadTestdata(t *testing.T, name string) *Scenario {
	t.Helper()
	s, err := Load(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var defaultEdges = []string{"Boulware2025", "Linear2025", "Conceder2025"}

func TestConcurrentDeterministicAndLogsVerify(t *testing.T) {
	for _, name := range []string{"dinners.yml", "targetquantity.yml"} {
		s := loadTestdata(t, name)
		for _, center := range []string{"Boulware2025", "Conceder2025", "Random2025", "Planner"} {
			p := Params{Steps: 60, Seed: 5, Concurrent: true}
			a, _, _ := runSpied(t, s, center, defaultEdges, p)
			b, _, _ := runSpied(t, s, center, defaultEdges, p)
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("%s/%s: two concurrent runs with the same seed differ: %s, %s", name, center, a.Hash, b.Hash)
			}
			if !a.Params.Concurrent {
				t.Errorf("%s/%s: the record does not say the run was concurrent", name, center)
			}
			if a.Hash == recordHash(s.Name, Params{}, a.Threads) || a.Hash != recordHash(s.Name, Params{Concurrent: true}, a.Threads) {
				t.Errorf("%s/%s: the record hash does not cover the mode", name, center)
			}
			if got := s.Utility(a.Agreements()); got != a.CenterUtility {
				t.Errorf("%s/%s: center utility %v, utility of the agreements %v", name, center, a.CenterUtility, got)
			}
			for i := range a.Threads {
				tr := &a.Threads[i]
				if j := VerifyThread(s.Name, i, tr); j >= 0 {
					t.Fatalf("%s/%s: thread %d: chain breaks at %d", name, center, i, j)
				}
				for k, e := range tr.Log {
					if e.Step >= tr.Steps && tr.Status != "timeout" || e.Step > tr.Steps {
						t.Errorf("%s/%s: thread %d event %d at step %d after the thread's end (%d)", name, center, i, k, e.Step, tr.Steps)
					}
				}
				if len(tr.Log) > 1 {
					saved := tr.Log[1].Kind
					tr.Log[1].Kind = "accept"
					if saved == "accept" {
						tr.Log[1].Kind = "reject"
					}
					if j := VerifyThread(s.Name, i, tr); j != 1 {
						t.Errorf("%s/%s: thread %d: tampered event 1 reported at %d", name, center, i, j)
					}
					tr.Log[1].Kind = saved
				}
			}
		}
	}
}

// TestConcurrentEdgesSeeOnlyTheirThread checks everything an edge agent is
// given: its own thread, framework and table, no scenario or agreements,
// and as offers exactly the center's offers of its own thread's log.
func TestConcurrentEdgesSeeOnlyTheirThread(t *testing.T) {
	s := loadTestdata(t, "targetquantity.yml")
	rec, _, edges := runSpied(t, s, "Linear2025", []string{"Boulware2025", "Random2025", "Conceder2025"}, Params{Steps: 40, Seed: 3, Concurrent: true})
	for i, e := range edges {
		th := &s.Threads[i]
		if len(e.turns) == 0 {
			t.Fatalf("edge %d was never asked", i)
		}
		var received []string
		for _, st := range e.turns {
			if st.thread != i || st.center || st.fw != th.Framework || st.scenario != nil || st.agreed != nil {
				t.Fatalf("edge %d was given thread %d (center %v, own framework %v, scenario %v, agreed %v)",
					i, st.thread, st.center, st.fw == th.Framework, st.scenario != nil, st.agreed)
			}
			p := make(framework.Package, len(th.Framework.Points))
			for c, u := range st.utility {
				framework.FromIndex(th.Framework.Radix(), uint64(c), p)
				if want := th.Table.Utility(p); u != want {
					t.Fatalf("edge %d: utility of %v is %v, its table says %v", i, p, u, want)
				}
			}
			if st.respond {
				received = append(received, strings.Join(sortedPairs(th.Framework.IDs(st.offer)), ","))
			}
		}
		var sent []string
		for _, ev := range rec.Threads[i].Log {
			if ev.By == "center" && ev.Kind == "offer" {
				sent = append(sent, strings.Join(sortedPairs(ev.Package), ","))
			}
		}
		if !reflect.DeepEqual(received, sent) {
			t.Errorf("edge %d received offers %v, the center offered %v in its thread", i, received, sent)
		}
	}
}

func sortedPairs(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestConcurrentCenterSeesEndedThreads checks what the center is given at
// each of its turns: in thread i at step st, the agreements of the threads
// that ended before (at an earlier step, or at st with a lower index), and
// as utility the center utility of those agreements with the candidate at
// i. The utility must change mid-thread at least once.
func TestConcurrentCenterSeesEndedThreads(t *testing.T) {
	updates := 0
	for _, name := range []string{"dinners.yml", "targetquantity.yml"} {
		s := loadTestdata(t, name)
		for _, center := range []string{"Boulware2025", "Conceder2025"} {
			rec, cs, _ := runSpied(t, s, center, defaultEdges, Params{Steps: 100, Seed: 1, Concurrent: true})
			firstAgreed := map[int][]framework.Package{}
			for _, st := range cs.turns {
				i := st.thread
				if !st.center || st.scenario != s {
					t.Fatalf("%s/%s: the center's turn in thread %d lacks Center or Scenario", name, center, i)
				}
				want := make([]framework.Package, len(s.Threads))
				for j, tr := range rec.Threads {
					end := tr.Steps - 1
					if j != i && tr.Agreement != nil && (end < st.step || end == st.step && j < i) {
						want[j] = tr.Agreement
					}
				}
				if !reflect.DeepEqual(st.agreed, want) {
					t.Fatalf("%s/%s: thread %d step %d: center given %v, want %v", name, center, i, st.step, st.agreed, want)
				}
				fw := s.Threads[i].Framework
				p := make(framework.Package, len(fw.Points))
				for c, u := range st.utility {
					framework.FromIndex(fw.Radix(), uint64(c), p)
					tuple := append([]framework.Package(nil), want...)
					tuple[i] = p
					if got := s.Utility(tuple); u != got {
						t.Fatalf("%s/%s: thread %d step %d: center utility of %v is %v, want %v", name, center, i, st.step, p, u, got)
					}
				}
				if f, ok := firstAgreed[i]; !ok {
					firstAgreed[i] = want
				} else if !reflect.DeepEqual(f, want) {
					updates++
					firstAgreed[i] = want
				}
			}
		}
	}
	if updates == 0 {
		t.Error("the center's utility never changed in the middle of a thread: the test shows nothing")
	}
}

// TestSequentialAndConcurrentDiffer: on TargetQuantity (total quantity 10
// is best, more is worse), seed 3, the sequential Planner center reaches
// exactly 10 in three threads and, knowing it, walks away from the fourth;
// run concurrently, all four threads are negotiated before any has ended
// (the first ends at step 57), so the center commits in each without
// knowing the others and overshoots to 11.
func TestSequentialAndConcurrentDiffer(t *testing.T) {
	s := loadTestdata(t, "targetquantity.yml")
	seq, seqC, _ := runSpied(t, s, "Planner", defaultEdges, Params{Steps: 100, Seed: 3})
	con, conC, _ := runSpied(t, s, "Planner", defaultEdges, Params{Steps: 100, Seed: 3, Concurrent: true})
	total := func(r *Record) (q int, n int) {
		for _, tr := range r.Threads {
			if tr.Outcome != nil {
				v := 0
				for _, ch := range tr.Outcome["Quantity"] {
					v = v*10 + int(ch-'0')
				}
				q += v
				n++
			}
		}
		return q, n
	}
	if q, n := total(seq); q != 10 || n != 3 || seq.CenterUtility != 1 || seq.Threads[3].Status != "ended" {
		t.Errorf("sequential: quantity %d in %d threads, center utility %v, thread 4 %s; want 10 in 3, 1, ended", q, n, seq.CenterUtility, seq.Threads[3].Status)
	}
	if q, n := total(con); q != 11 || n != 4 || con.CenterUtility != 0.9 {
		t.Errorf("concurrent: quantity %d in %d threads, center utility %v; want 11 in 4, 0.9", q, n, con.CenterUtility)
	}
	first := func(c *spy, thread int) seenTurn {
		for _, st := range c.turns {
			if st.thread == thread {
				return st
			}
		}
		t.Fatalf("no center turn in thread %d", thread)
		return seenTurn{}
	}
	agreedCount := func(a []framework.Package) (n int) {
		for _, p := range a {
			if p != nil {
				n++
			}
		}
		return n
	}
	if st := first(seqC, 3); agreedCount(st.agreed) != 3 {
		t.Errorf("sequential: the center starts thread 4 knowing %d agreements, want 3", agreedCount(st.agreed))
	}
	if st := first(conC, 3); st.step != 0 || agreedCount(st.agreed) != 0 {
		t.Errorf("concurrent: the center starts thread 4 at step %d knowing %d agreements, want step 0 and none", st.step, agreedCount(st.agreed))
	}
	for i, tr := range con.Threads {
		if tr.Steps < 57 {
			t.Errorf("concurrent: thread %d ended at step %d, before the first agreement (the explanation above assumes none did)", i+1, tr.Steps)
		}
	}
}

// TestSequentialUnchanged pins two sequential records made before the
// concurrent mode existed (the anl2025 conformance tests check the rest).
func TestSequentialUnchanged(t *testing.T) {
	tq := loadTestdata(t, "targetquantity.yml")
	if r := runGo(t, tq, "Conceder2025", []string{"Boulware2025"}, 50, 11); r.Hash != "97a507609dc10673f9169e9977a7ea284898b9070ce892d7bb7495499eeabd2b" {
		t.Errorf("targetquantity Conceder2025/Boulware2025 seed 11: record hash %s changed", r.Hash)
	}
	mi, err := Builtin("miami-shuttle")
	if err != nil {
		t.Fatal(err)
	}
	r, _, _ := runSpied(t, mi, "Planner", defaultEdges, Params{Steps: 100, Seed: 3})
	if r.Hash != "a14c5ceafa851622b307b6cb0f04ac6862cac5b91d3fb8a2890d0769195b6aeb" {
		t.Errorf("miami-shuttle Planner seed 3: record hash %s changed", r.Hash)
	}
	b, err := json.Marshal(r.Params)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "concurrent") {
		t.Errorf("a sequential record's params mention the mode: %s", b)
	}
}

// TestPlannerConcurrentReadsOpen: in a concurrent run every center turn
// says which threads still run, and the Planner plans with it (ended
// threads decided, open ones to come). On miami-shuttle, where the center
// needs all three deals, a Planner that took the threads after i as the
// ones to come (its first version) gave threads 2 and 3 away at step 1.
func TestPlannerConcurrentReadsOpen(t *testing.T) {
	s, err := Builtin("miami-shuttle")
	if err != nil {
		t.Fatal(err)
	}
	edges := func() []Agent {
		var out []Agent
		for range s.Threads {
			a, err := NewAgent("Boulware2025")
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, a)
		}
		return out
	}
	for seed := range int64(5) {
		run := func(center string) float64 {
			c, err := NewAgent(center)
			if err != nil {
				t.Fatal(err)
			}
			rec, err := Run(s, c, edges(), Params{Steps: 100, Seed: seed, Concurrent: true})
			if err != nil {
				t.Fatal(err)
			}
			return rec.CenterUtility
		}
		p, b := run("Planner"), run("Boulware2025")
		if p < 0.8 || p <= b {
			t.Errorf("seed %d: concurrent Planner %v, Boulware2025 %v; want at least 0.8 and above Boulware", seed, p, b)
		}
	}
}
