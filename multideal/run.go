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
	Edge      string            `json:"edge"`
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
	// Hash is SHA-256 over the scenario name and each thread's Hash.
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
// (the center's agent must not be one of them).
func Run(s *Scenario, center Agent, edges []Agent, p Params) (*Record, error) {
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
	h := sha256.New()
	h.Write([]byte(s.Name))
	for _, t := range rec.Threads {
		h.Write([]byte(t.Hash))
	}
	rec.Hash = hex.EncodeToString(h.Sum(nil))
	return rec, nil
}

func runThread(s *Scenario, i int, agreed []framework.Package, center, edge Agent, p Params, rnd *PyRandom) ThreadResult {
	th := &s.Threads[i]
	fw := th.Framework
	edgeRes := th.Table.Reservation
	turns := [2]Turn{
		{Thread: i, Center: true, Framework: fw, Utility: s.SideUtility(i, agreed), Reservation: s.Center.Reservation, Steps: p.Steps, Rand: rnd, Scenario: s, Agreed: agreed},
		{Thread: i, Framework: fw, Utility: th.Table.Utility, Reservation: edgeRes, Steps: p.Steps, Rand: rnd},
	}
	agents := [2]Agent{center, edge}
	names := [2]string{"center", th.Edge}
	tr := ThreadResult{Edge: th.Edge}
	head := sha256.Sum256([]byte(fmt.Sprintf("parley multideal thread %d of %s: %s", i, s.Name, th.Edge)))
	prev := hex.EncodeToString(head[:])
	log := func(step, by int, kind string, pkg framework.Package) {
		e := Event{Seq: len(tr.Log), Step: step, Kind: kind}
		if by >= 0 {
			e.By = names[by]
		}
		if pkg != nil {
			e.Package = fw.IDs(pkg)
		}
		b, _ := json.Marshal(e)
		sum := sha256.Sum256(append([]byte(prev), b...))
		e.Hash = hex.EncodeToString(sum[:])
		prev = e.Hash
		tr.Log = append(tr.Log, e)
	}
	var current framework.Package
	by := -1
	step := 0
	for {
		rnd.Random() // NegMAS's per-step draw (ending with probability pend=0)
		if step >= p.Steps {
			tr.Status = "timeout"
			log(step, -1, "timeout", nil)
			break
		}
		done := false
		for k := 0; k < 2 && !done; k++ {
			t := &turns[k]
			t.Step = step
			if current != nil && by != k {
				t.Offer = current
				switch agents[k].Respond(t) {
				case Accept:
					log(step, k, "accept", current)
					tr.Agreement, tr.Status, done = current, "agreed", true
					continue
				case End:
					log(step, k, "end", nil)
					tr.Status, done = "ended", true
					continue
				}
				log(step, k, "reject", current)
				t.Offer = nil
			}
			offer := agents[k].Propose(t)
			if offer == nil {
				log(step, k, "end", nil)
				tr.Status, done = "ended", true
				continue
			}
			current, by = offer.Clone(), k
			log(step, k, "offer", current)
		}
		if done {
			break
		}
		step++
	}
	tr.Steps = step
	if tr.Status != "timeout" {
		tr.Steps++ // NegMAS counts the step that ended the thread
	}
	if tr.Agreement != nil {
		tr.Outcome = fw.IDs(tr.Agreement)
		tr.Utility = th.Table.Utility(tr.Agreement)
	} else {
		tr.Utility = edgeRes
	}
	tr.Hash = prev
	return tr
}

// VerifyThread recomputes a thread's hash chain and reports the first
// event whose hash does not match (−1 when the chain holds).
func VerifyThread(scenario string, i int, tr *ThreadResult) int {
	head := sha256.Sum256([]byte(fmt.Sprintf("parley multideal thread %d of %s: %s", i, scenario, tr.Edge)))
	prev := hex.EncodeToString(head[:])
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
