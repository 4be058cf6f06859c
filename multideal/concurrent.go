package multideal

import (
	"fmt"
	"slices"

	"github.com/parley-negotiation/parley/framework"
)

// RunConcurrent negotiates the threads concurrently under the same SAO
// rules as Run: every global step runs one mechanism step of each thread
// still open, in thread order (0, 1, …), until all have ended (NegMAS's
// runall with method "ordered" and keep_order). Threads start together at
// step 0, so a thread's steps are the global steps; its log, its end step
// and its hash chain are as in a sequential run.
//
// What the center sees: in thread i its utility is the center utility of
// the tuple made of the agreements of the threads that have ended so far
// (whatever their index), the candidate package at i and no agreement for
// the threads still open (its no-agreement value is the center's
// reservation, as in Run). It is updated as soon as a thread ends with an
// agreement, mid-thread: a thread that ends at global step s changes the
// center's utility in the threads that step later in s (higher indices)
// and in every open thread from step s+1. Turn.Agreed is then the
// agreements of the ended threads at their indices (nil for threads open or
// ended without agreement), any index, not only those before Turn.Thread.
// A center agent must therefore not keep a thread's utility across its
// turns: the built-ins rebuild it whenever they move to another thread, and
// the center always plays in a thread at the step it ends, so they always
// see the update. Planner still plans as in a sequential run (threads after
// Turn.Thread as the ones to come), so in this mode it is a heuristic.
//
// Each edge sees only its own thread (its table, its thread's offers, no
// Scenario or Agreed), as in Run; edges must be distinct agent values. The
// session's random stream is shared and drawn in the fixed order above, so
// a run is deterministic: the same seed gives the same record. The record's
// Params.Concurrent is true and its hash covers the mode.
func RunConcurrent(s *Scenario, center Agent, edges []Agent, p Params) (*Record, error) {
	if mediated, err := checkProtocol(s, &p); err != nil || mediated {
		if err != nil {
			return nil, err
		}
		p.Concurrent = true
		return RunSingleText(s, center, edges, p)
	}
	if len(edges) != len(s.Threads) {
		return nil, fmt.Errorf("multideal: run %s concurrently: %d edge agents for %d threads", s.Name, len(edges), len(s.Threads))
	}
	if p.Steps <= 0 {
		return nil, fmt.Errorf("multideal: run %s concurrently: steps must be positive", s.Name)
	}
	p.Concurrent = true
	rnd := NewPyRandom(p.Seed)
	n := len(s.Threads)
	rec := &Record{Scenario: s.Name, Center: center.Name(), Params: p}
	agreed := make([]framework.Package, n)
	runs := make([]*threadRun, n)
	for i := range s.Threads {
		rec.Edges = append(rec.Edges, edges[i].Name())
		runs[i] = newThreadRun(s, i, s.utilityGiven(i, agreed), agreed, center, edges[i], p, rnd)
	}
	agreed, _ = scheduleConcurrent(agreed,
		func(i int) (bool, error) { return runs[i].stepOnce(), nil },
		func(i int) framework.Package { return runs[i].tr.Agreement },
		func(j int, open []bool) { runs[j].turns[0].Open = open },
		func(j int, agreed []framework.Package) {
			runs[j].turns[0].Utility = s.utilityGiven(j, agreed)
			runs[j].turns[0].Agreed = agreed
		})
	rec.Threads = make([]ThreadResult, n)
	for i, r := range runs {
		rec.Threads[i] = r.result()
	}
	rec.CenterUtility = s.Utility(agreed)
	rec.Hash = recordHash(s.Name, p, rec.Threads)
	return rec, nil
}

// scheduleConcurrent runs len(agreed) threads together: one step of every
// open thread per global step, in thread order, until all have ended. step
// advances thread i (true when it ended), agreement is its agreement once
// ended (nil for none). Whenever a thread ends, every open thread j is told
// which threads still run (setOpen, a fresh copy; also once at the start)
// and, if it agreed, the new tuple of agreements (setAgreed; agreed itself
// is never modified: each change is a new slice). It returns the final
// tuple.
func scheduleConcurrent(agreed []framework.Package, step func(i int) (bool, error), agreement func(i int) framework.Package,
	setOpen func(j int, open []bool), setAgreed func(j int, agreed []framework.Package)) ([]framework.Package, error) {
	n := len(agreed)
	open := make([]bool, n)
	for i := range open {
		open[i] = true
	}
	for j := range open {
		setOpen(j, slices.Clone(open))
	}
	for left := n; left > 0; {
		for i := range open {
			if !open[i] {
				continue
			}
			done, err := step(i)
			if err != nil {
				return agreed, err
			}
			if !done {
				continue
			}
			open[i] = false
			left--
			// The center's turns in the open threads see which threads
			// still run (a copy: a turn's view changes only here).
			still := slices.Clone(open)
			for j := range open {
				if open[j] {
					setOpen(j, still)
				}
			}
			a := agreement(i)
			if a == nil {
				continue // no agreement: the tuple the center sees is unchanged
			}
			agreed = append([]framework.Package(nil), agreed...)
			agreed[i] = a
			for j := range open {
				if open[j] {
					setAgreed(j, agreed)
				}
			}
		}
	}
	return agreed, nil
}

// utilityGiven is the center's utility in thread i given the agreements
// agreed (agreed[j], nil for none or open, any j; threads past len(agreed)
// without agreement): the utility of agreed with p at i. p nil is the
// center's reservation value. SideUtility (sequential runs) and the
// concurrent runs both use it.
func (s *Scenario) utilityGiven(i int, agreed []framework.Package) func(p framework.Package) float64 {
	tuple := make([]framework.Package, len(s.Threads))
	copy(tuple, agreed)
	tuple[i] = nil
	return func(p framework.Package) float64 {
		if p == nil {
			return s.Center.Reservation
		}
		tuple[i] = p
		u := s.Utility(tuple)
		tuple[i] = nil
		return u
	}
}
