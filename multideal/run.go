package multideal

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/parley-negotiation/parley/framework"
)

// Params are a session's running parameters (anl2025's RunParams subset).
type Params struct {
	// Steps is NegMAS's n_steps per thread (anl2025's default 100).
	Steps int `json:"steps"`
	// Seed seeds the session's Python random stream (see PyRandom).
	Seed int64 `json:"seed"`
	// Concurrent runs the threads together, one step of every open thread
	// per global step (see RunConcurrent), instead of one after another
	// (ANL 2025's sequential league, the default). The record's params say
	// it ("concurrent": true; absent for sequential runs).
	Concurrent bool `json:"concurrent,omitempty"`
	// Protocol is the threads' protocol: "" or ProtocolSAO (NegMAS's SAO,
	// the default; absent from the record's JSON) or ProtocolSingleText (a
	// mediator's single text, see RunSingleText).
	Protocol string `json:"protocol,omitempty"`
	// Mediator is the single text's mediator strategy (mediator.ByName's
	// spec, e.g. "hill" or "nash"); single text only.
	Mediator string `json:"mediator,omitempty"`
	// MediatorSees is what the mediator may see: "" or MediatorSeesNone (no
	// profile, the default) or MediatorSeesFull (the edge's profile and the
	// center's thread utility as a profile); single text only.
	MediatorSees string `json:"mediator_sees,omitempty"`
}

// Event is one entry of a thread's log.
type Event struct {
	Seq  int    `json:"seq"`
	Step int    `json:"step"`
	By   string `json:"by"`
	// Kind is offer, accept, reject, end (a party ended the thread) or
	// timeout.
	Kind    string            `json:"kind"`
	Package map[string]string `json:"package,omitempty"`
	// Hash chains the log: SHA-256 of the previous event's hash and this
	// event's JSON without its hash (the first event chains from the
	// thread's header hash).
	Hash string `json:"hash"`
}

// ThreadResult is how one thread ended.
type ThreadResult struct {
	Edge string `json:"edge"`
	// Protocol is "" for SAO, ProtocolSingleText for a mediated thread (its
	// log's header hash covers it).
	Protocol  string            `json:"protocol,omitempty"`
	Agreement framework.Package `json:"-"`
	// Outcome is the agreement by point ID, nil for none.
	Outcome map[string]string `json:"outcome"`
	// Steps is the step the thread ended at (NegMAS's state.step).
	Steps   int     `json:"steps"`
	Status  string  `json:"status"` // agreed, ended, timeout
	Utility float64 `json:"edge_utility"`
	Log     []Event `json:"log,omitempty"`
	// Hash is the last hash of the thread's log.
	Hash string `json:"hash"`
}

// Record is the parent record of a session: every thread's result and log
// hash, the utilities, and a hash over all of it.
type Record struct {
	Scenario      string         `json:"scenario"`
	Center        string         `json:"center_agent"`
	Edges         []string       `json:"edge_agents"`
	Params        Params         `json:"params"`
	Threads       []ThreadResult `json:"threads"`
	CenterUtility float64        `json:"center_utility"`
	// Hash is SHA-256 over the scenario name, the mode for a concurrent
	// run (the bytes "\x00concurrent"; nothing for a sequential one), for a
	// single-text run its protocol, mediator and what the mediator sees,
	// and each thread's Hash (recordHash).
	Hash string `json:"hash"`
}

// Agreements returns each thread's agreement (nil for none).
func (r *Record) Agreements() []framework.Package {
	out := make([]framework.Package, len(r.Threads))
	for i, t := range r.Threads {
		out[i] = t.Agreement
	}
	return out
}

// Run negotiates the threads one after another under NegMAS's SAO (center
// first, one step a turn of both, anl2025's sequential method): the center
// in thread i uses its side utility given the agreements of threads 0..i−1;
// edge i uses its own table. Each mechanism step draws one random() from
// the session's stream before the negotiators move, as NegMAS's does. The
// scenario must have passed Validate; edges holds one agent per thread
// (the center's agent must not be one of them). With p.Concurrent it runs
// the threads concurrently instead (RunConcurrent). With p.Protocol
// ProtocolSingleText a mediator runs each thread instead (RunSingleText).
func Run(s *Scenario, center Agent, edges []Agent, p Params) (*Record, error) {
	if mediated, err := checkProtocol(s, &p); err != nil || mediated {
		if err != nil {
			return nil, err
		}
		return RunSingleText(s, center, edges, p)
	}
	if p.Concurrent {
		return RunConcurrent(s, center, edges, p)
	}
	if len(edges) != len(s.Threads) {
		return nil, fmt.Errorf("multideal: run %s: %d edge agents for %d threads", s.Name, len(edges), len(s.Threads))
	}
	if p.Steps <= 0 {
		return nil, fmt.Errorf("multideal: run %s: steps must be positive", s.Name)
	}
	rnd := NewPyRandom(p.Seed)
	rec := &Record{Scenario: s.Name, Center: center.Name(), Params: p}
	agreed := make([]framework.Package, len(s.Threads))
	for i := range s.Threads {
		rec.Edges = append(rec.Edges, edges[i].Name())
		tr := runThread(s, i, agreed, center, edges[i], p, rnd)
		agreed[i] = tr.Agreement
		rec.Threads = append(rec.Threads, tr)
	}
	rec.CenterUtility = s.Utility(agreed)
	rec.Hash = recordHash(s.Name, p, rec.Threads)
	return rec, nil
}

// recordHash is Record.Hash of a run with parameters p: SHA-256 over the
// scenario's name, "\x00concurrent" for a concurrent run, for a
// single-text run "\x00protocol\x00mediator\x00sees", then each thread's
// hash.
func recordHash(scenario string, p Params, threads []ThreadResult) string {
	h := sha256.New()
	h.Write([]byte(scenario))
	if p.Concurrent {
		h.Write([]byte("\x00concurrent"))
	}
	if p.Protocol == ProtocolSingleText {
		fmt.Fprintf(h, "\x00%s\x00%s\x00%s", p.Protocol, p.Mediator, p.MediatorSees)
	}
	for _, t := range threads {
		h.Write([]byte(t.Hash))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func runThread(s *Scenario, i int, agreed []framework.Package, center, edge Agent, p Params, rnd *PyRandom) ThreadResult {
	r := newThreadRun(s, i, s.SideUtility(i, agreed), agreed, center, edge, p, rnd)
	for !r.stepOnce() {
	}
	return r.result()
}

// threadRun is one thread's SAO mechanism, stepped by Run (to the end, one
// thread after another) or by the concurrent runner (one step of every
// open thread per global step).
type threadRun struct {
	s       *Scenario
	i       int
	fw      *framework.Framework
	steps   int
	rnd     *PyRandom
	turns   [2]Turn
	agents  [2]Agent
	names   [2]string
	edgeRes float64
	tr      ThreadResult
	prev    string
	current framework.Package
	by      int
	step    int
	done    bool
}

// newThreadRun prepares thread i: the center values its packages by
// centerUtility and is shown agreed (Turn.Agreed); the edge sees only its
// own table.
func newThreadRun(s *Scenario, i int, centerUtility func(framework.Package) float64, agreed []framework.Package, center, edge Agent, p Params, rnd *PyRandom) *threadRun {
	th := &s.Threads[i]
	r := &threadRun{s: s, i: i, fw: th.Framework, steps: p.Steps, rnd: rnd, edgeRes: th.Table.Reservation, by: -1}
	r.turns = [2]Turn{
		{Thread: i, Center: true, Framework: r.fw, Utility: centerUtility, Reservation: s.Center.Reservation, Steps: p.Steps, Rand: rnd, Scenario: s, Agreed: agreed},
		{Thread: i, Framework: r.fw, Utility: th.Table.Utility, Reservation: r.edgeRes, Steps: p.Steps, Rand: rnd},
	}
	r.agents = [2]Agent{center, edge}
	r.names = [2]string{"center", th.Edge}
	r.tr = ThreadResult{Edge: th.Edge}
	r.prev = threadHeader(s.Name, i, th.Edge, "")
	return r
}

func (r *threadRun) log(step, by int, kind string, pkg framework.Package) {
	e := Event{Seq: len(r.tr.Log), Step: step, Kind: kind}
	if by >= 0 {
		e.By = r.names[by]
	}
	if pkg != nil {
		e.Package = r.fw.IDs(pkg)
	}
	b, _ := json.Marshal(e)
	sum := sha256.Sum256(append([]byte(r.prev), b...))
	e.Hash = hex.EncodeToString(sum[:])
	r.prev = e.Hash
	r.tr.Log = append(r.tr.Log, e)
}

// stepOnce runs one mechanism step (the per-step draw, then the center's
// and the edge's turns) and reports whether the thread has ended.
func (r *threadRun) stepOnce() bool {
	if r.done {
		return true
	}
	r.rnd.Random() // NegMAS's per-step draw (ending with probability pend=0)
	if r.step >= r.steps {
		r.tr.Status = "timeout"
		r.log(r.step, -1, "timeout", nil)
		r.done = true
		return true
	}
	step := r.step
	for k := 0; k < 2 && !r.done; k++ {
		t := &r.turns[k]
		t.Step = step
		if r.current != nil && r.by != k {
			t.Offer = r.current
			switch r.agents[k].Respond(t) {
			case Accept:
				r.log(step, k, "accept", r.current)
				r.tr.Agreement, r.tr.Status, r.done = r.current, "agreed", true
				continue
			case End:
				r.log(step, k, "end", nil)
				r.tr.Status, r.done = "ended", true
				continue
			}
			r.log(step, k, "reject", r.current)
			t.Offer = nil
		}
		offer := r.agents[k].Propose(t)
		if offer == nil {
			r.log(step, k, "end", nil)
			r.tr.Status, r.done = "ended", true
			continue
		}
		r.current, r.by = offer.Clone(), k
		r.log(step, k, "offer", r.current)
	}
	if !r.done {
		r.step++
	}
	return r.done
}

// result is the ended thread's result.
func (r *threadRun) result() ThreadResult {
	tr := r.tr
	tr.Steps = r.step
	if tr.Status != "timeout" {
		tr.Steps++ // NegMAS counts the step that ended the thread
	}
	if tr.Agreement != nil {
		tr.Outcome = r.fw.IDs(tr.Agreement)
		tr.Utility = r.s.Threads[r.i].Table.Utility(tr.Agreement)
	} else {
		tr.Utility = r.edgeRes
	}
	tr.Hash = r.prev
	return tr
}

// VerifyThread recomputes a thread's hash chain and reports the first
// event whose hash does not match (−1 when the chain holds).
func VerifyThread(scenario string, i int, tr *ThreadResult) int {
	prev := threadHeader(scenario, i, tr.Edge, tr.Protocol)
	for k, e := range tr.Log {
		h := e.Hash
		e.Hash = ""
		b, _ := json.Marshal(e)
		sum := sha256.Sum256(append([]byte(prev), b...))
		if hex.EncodeToString(sum[:]) != h {
			return k
		}
		prev = h
	}
	if prev != tr.Hash {
		return len(tr.Log)
	}
	return -1
}

// threadHeader is the hash a thread's log chains from: over the scenario,
// the thread and its edge, and for a thread not run under SAO its protocol.
func threadHeader(scenario string, i int, edge, protocol string) string {
	h := fmt.Sprintf("parley multideal thread %d of %s: %s", i, scenario, edge)
	if protocol != "" {
		h += " under " + protocol
	}
	head := sha256.Sum256([]byte(h))
	return hex.EncodeToString(head[:])
}
