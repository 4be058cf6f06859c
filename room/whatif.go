package room

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/session"
)

// MaxWhatIfChanges bounds the changes of one what-if request.
const MaxWhatIfChanges = 20

// WhatIfChange is one assumption a mediator changes in a what-if: a
// party's reservation value, or its weight of one point. Values are in
// [0, 1].
type WhatIfChange struct {
	Party string `json:"party"`
	// Point is the point whose weight changes (only with Weight).
	Point       string   `json:"point,omitempty"`
	Reservation *float64 `json:"reservation,omitempty"`
	Weight      *float64 `json:"weight,omitempty"`
}

// checkWhatIf checks the shape of a what-if request: at most
// MaxWhatIfChanges changes, each of a reservation or a weight (with its
// point), values in [0, 1]. The ids are checked against the analysed
// space later (resolve).
func checkWhatIf(changes []WhatIfChange) error {
	if len(changes) > MaxWhatIfChanges {
		return Errorf(EINVALID, "a what-if takes at most %d changes, got %d", MaxWhatIfChanges, len(changes))
	}
	for i, c := range changes {
		var v float64
		switch {
		case c.Party == "":
			return Errorf(EINVALID, "change %d: no party", i+1)
		case (c.Reservation == nil) == (c.Weight == nil):
			return Errorf(EINVALID, "change %d: give either a reservation or a weight", i+1)
		case c.Reservation != nil && c.Point != "":
			return Errorf(EINVALID, "change %d: a reservation value is not a point's: leave the point out", i+1)
		case c.Weight != nil && c.Point == "":
			return Errorf(EINVALID, "change %d: a weight needs its point", i+1)
		case c.Reservation != nil:
			v = *c.Reservation
		default:
			v = *c.Weight
		}
		if math.IsNaN(v) || v < 0 || v > 1 {
			return Errorf(EINVALID, "change %d: value %v is not in [0, 1]", i+1, v)
		}
	}
	return nil
}

// resolvedChange is a change by index: party j, point k (-1: the
// reservation value).
type resolvedChange struct {
	j, k  int
	value float64
}

// resolve maps the changes' ids to the indexes of space s (framework f).
func resolve(f *framework.Framework, s *analysis.Space, changes []WhatIfChange) ([]resolvedChange, error) {
	out := make([]resolvedChange, len(changes))
	for i, c := range changes {
		j := slices.Index(s.Names, c.Party)
		if j < 0 {
			return nil, Errorf(EINVALID, "change %d: %q is not one of the analysed parties (%s)", i+1, c.Party, strings.Join(s.Names, ", "))
		}
		out[i] = resolvedChange{j: j, k: -1}
		if c.Reservation != nil {
			out[i].value = *c.Reservation
			continue
		}
		out[i].value = *c.Weight
		out[i].k = slices.IndexFunc(f.Points, func(p framework.Point) bool { return p.ID == c.Point })
		if out[i].k < 0 {
			return nil, Errorf(EINVALID, "change %d: no point %q in this negotiation", i+1, c.Point)
		}
	}
	return out, nil
}

// whatIfState is the incremental what-if of one scenario: the engine's
// analysis.WhatIf and the numbers it has changed so far. The analysis of a
// changed space depends only on the final numbers (the last change of
// each), so a request is answered by changing only the numbers that differ
// from the state's — a mediator who moves one value pays for that one.
// Only a reservation value set before and not in the request (back to
// the one the party's profile gives) needs a fresh analysis.WhatIf. The
// state serves one request at a time (lock).
type whatIfState struct {
	lock chan struct{} // a token: held while the state is used
	base *mediatorAnalysis
	w    *analysis.WhatIf
	// res are the reservation values set, by party; weights the weights
	// set, by party and point (either may equal the base's).
	res     map[int]float64
	weights map[[2]int]float64
	// builds counts the analysis.WhatIf built (for the tests).
	builds int
}

// maxWhatIfs bounds the what-if states kept at once: each holds a copy
// of the analysis's caches, the zone sample included (about 120 MB on
// miami-2025), so far fewer than the reports (maxReports) are kept; an
// evicted state is rebuilt by its next request.
const maxWhatIfs = 4

// state returns the what-if state of scenario key (analysed as a).
func (c *reportCache) state(key string, a *mediatorAnalysis) *whatIfState {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.whatIfs[key]
	if st == nil || st.base != a {
		if len(c.whatIfs) >= maxWhatIfs {
			for k := range c.whatIfs {
				delete(c.whatIfs, k) // one, any: a request holding it keeps it
				break
			}
		}
		st = &whatIfState{lock: make(chan struct{}, 1), base: a}
		c.whatIfs[key] = st
	}
	return st
}

// target is the numbers a list of changes sets, the last change of each
// number winning (as when applied in order).
func target(rc []resolvedChange) (res map[int]float64, weights map[[2]int]float64) {
	res, weights = map[int]float64{}, map[[2]int]float64{}
	for _, c := range rc {
		if c.k < 0 {
			res[c.j] = c.value
		} else {
			weights[[2]int{c.j, c.k}] = c.value
		}
	}
	return res, weights
}

// whatIf calls view with the space and report of st's scenario with the
// changes rc made, changing only what differs from st's current state.
func (c *reportCache) whatIf(ctx context.Context, st *whatIfState, rc []resolvedChange, view func(*analysis.Space, *analysis.Report)) error {
	select {
	case st.lock <- struct{}{}:
		defer func() { <-st.lock }()
	case <-ctx.Done():
		return &Error{Code: EINVALID, Message: "the request ended before the what-if was ready", Err: ctx.Err()}
	}
	c.mu.Lock()
	timeout := c.timeout
	c.mu.Unlock()
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, errAnalysisTimeout)
	defer cancel()
	res, weights := target(rc)
	fresh := st.w == nil
	for j := range st.res {
		if _, ok := res[j]; !ok {
			fresh = true // no way back to the profile's own reservation value
		}
	}
	if fresh {
		st.w, st.res, st.weights = nil, map[int]float64{}, map[[2]int]float64{}
		select {
		case c.running <- struct{}{}:
		case <-ctx.Done():
			return analysisError(fmt.Errorf("waiting for another analysis to finish: %w", context.Cause(ctx)), timeout, false)
		}
		// The base analysis is computed with the same options: the
		// what-if starts from it, and its caches (merge states, the zone's
		// sample) are built by the first changes below, which hold the
		// turn as an analysis does.
		defer func() { <-c.running }()
		st.w = analysis.NewWhatIfFrom(st.base.space, roomAnalysisOptions(), st.base.report)
		st.builds++
	}
	fail := func(err error) error {
		// The state is unknown after a failed change: start afresh next time.
		st.w = nil
		return analysisError(err, timeout, false)
	}
	profs := st.base.space.Profiles
	keys := slices.Collect(maps.Keys(weights))
	for key := range st.weights {
		if _, ok := weights[key]; !ok {
			keys = append(keys, key)
		}
	}
	slices.SortFunc(keys, func(a, b [2]int) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
	for _, key := range keys {
		base := profs[key[0]].Weights[key[1]]
		want, ok := weights[key]
		if !ok {
			want = base
		}
		cur, ok := st.weights[key]
		if !ok {
			cur = base
		}
		if want == cur {
			continue
		}
		if _, err := st.w.SetWeight(ctx, key[0], key[1], want); err != nil {
			return fail(fmt.Errorf("weight of %s, point %d: %w", st.base.space.Names[key[0]], key[1]+1, err))
		}
		st.weights[key] = want
	}
	parties := slices.Sorted(maps.Keys(res))
	for _, j := range parties {
		if cur, ok := st.res[j]; ok && cur == res[j] {
			continue
		}
		if _, err := st.w.SetReservation(ctx, j, res[j]); err != nil {
			return fail(fmt.Errorf("reservation of %s: %w", st.base.space.Names[j], err))
		}
		st.res[j] = res[j]
	}
	view(st.w.Space(), st.w.Report())
	return nil
}

// WhatIfAs returns the mediator's overview of negotiation id as if the
// changes were made to the parties' profiles, in order — the figures
// AnalysisAs would give for the changed profiles, computed incrementally
// from the cached analysis. It is for the owner or the holder of the
// mediator's seat (hosted), and only where the negotiation lets the
// mediator see the parties' numbers (MediatorFull): a what-if starts from
// them.
func (s *Service) WhatIfAs(ctx context.Context, v Viewer, id string, changes []WhatIfChange) (*MediatorAnalysis, error) {
	l, err := s.hosted(ctx, v, id)
	if err != nil {
		return nil, err
	}
	if l.settings.MediatorSees != MediatorFull {
		return nil, Errorf(EFORBIDDEN, "a what-if starts from the parties' reservation values and weights; this negotiation lets the mediator see aggregates only")
	}
	if err := checkWhatIf(changes); err != nil {
		return nil, err
	}
	a, err := s.report(ctx, l)
	if err != nil {
		return nil, err
	}
	if len(changes) == 0 {
		return mediatorView(l.settings.MediatorSees, a.sc, a.space, a.report), nil
	}
	rc, err := resolve(a.sc.Framework, a.space, changes)
	if err != nil {
		return nil, err
	}
	st := s.reports.state(session.Digest(a.sc), a)
	var out *MediatorAnalysis
	err = s.reports.whatIf(ctx, st, rc, func(sp *analysis.Space, rep *analysis.Report) {
		out = mediatorView(l.settings.MediatorSees, a.sc, sp, rep)
	})
	if err != nil {
		return nil, err
	}
	out.WhatIf = slices.Clone(changes)
	return out, nil
}
