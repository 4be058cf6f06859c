package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/session"
)

// seat is one participant of a session: the mediator (the negotiation's
// owner, signed in) or a party (holding its invitation).
type seat struct {
	party    string
	who      cred
	mediator bool
}

// sess is what the actors of one negotiation know of its state. They
// update it only from acknowledgements, so a move it allows is valid.
type sess struct {
	id       string
	protocol string
	mediator string   // the mediator's party ("" without one)
	parties  []string // the negotiating parties, in turn order
	levels   []int    // options of each point
	owner    cred
	seats    []seat // the actors: the mediator (mediated protocols), then the parties
	subSeats []seat // who may subscribe: the owner, then the parties
	seq      int    // the log's length when the run starts

	mu        sync.Mutex
	version   int
	text      [][]int
	due       map[string]bool // parties whose response to the text is not sent yet
	owed      int             // responses to the text not acknowledged yet
	drafting  bool
	turn      int
	offering  bool
	inflight  int  // turn moves sent and not answered
	stale     bool // a turn move failed: resynchronise before the next one
	resyncing bool
	closed    bool // the session ended: messages only
	msgs      int
}

// action is what an actor does next.
type action struct {
	move   session.Move
	turn   bool // a move of the protocol (not a message)
	resync bool
}

// next chooses the next move of seat i.
func (s *sess) next(i int) action {
	st := s.seats[i]
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stale && s.inflight == 0 && !s.resyncing {
		s.resyncing = true
		return action{resync: true}
	}
	if !s.stale && !s.closed {
		switch {
		case s.protocol == session.SAO:
			if !s.offering && s.parties[s.turn] == st.party {
				s.offering = true
				s.inflight++
				return action{move: s.offer(st.party), turn: true}
			}
		case st.mediator:
			if s.owed == 0 && !s.drafting {
				s.drafting = true
				s.inflight++
				return action{move: session.Move{Kind: session.KindDraft, Text: s.draft(s.version + 1)}, turn: true}
			}
		default:
			if s.due[st.party] {
				delete(s.due, st.party)
				s.inflight++
				return action{move: s.respond(), turn: true}
			}
		}
	}
	return action{move: s.message(st)}
}

// draft is the text of version v: every point bracketed between two
// neighbouring options that shift from version to version.
func (s *sess) draft(v int) [][]int {
	text := make([][]int, len(s.levels))
	for k, n := range s.levels {
		if n <= 1 {
			text[k] = []int{0}
			continue
		}
		a := (v + k) % (n - 1)
		text[k] = []int{a, a + 1}
	}
	return text
}

// respond answers three points of the current text: accept one, object to
// the next, propose an option not in the text for the third.
func (s *sess) respond() session.Move {
	n := len(s.text)
	v := s.version
	k := v % n
	rs := []session.PointResponse{{Point: k, Stance: session.StanceAccept, Option: s.text[k][0]}}
	if n > 1 {
		k = (v + 1) % n
		rs = append(rs, session.PointResponse{Point: k, Stance: session.StanceObject, Reason: "not acceptable as drafted"})
	}
	if n > 2 {
		k = (v + 2) % n
		for o := range s.levels[k] {
			if !slices.Contains(s.text[k], o) {
				rs = append(rs, session.PointResponse{Point: k, Stance: session.StancePropose, Option: o, Reason: "a better balance"})
				break
			}
		}
	}
	return session.Move{Kind: session.KindRespond, Responses: rs}
}

// offer is a complete package that changes from offer to offer.
func (s *sess) offer(party string) session.Move {
	s.msgs++
	p := framework.NewPackage(len(s.levels))
	for k, n := range s.levels {
		p[k] = (s.msgs + k + len(party)) % max(n, 1)
	}
	return session.Move{Kind: session.KindOffer, Package: p}
}

// message is a message the format allows: a party writes to the mediator
// (proximity talks) or, without one, to the next party (bilateral talks);
// the mediator writes to one party.
func (s *sess) message(st seat) session.Move {
	s.msgs++
	var to string
	switch {
	case st.mediator:
		to = s.parties[s.msgs%len(s.parties)]
	case s.mediator != "":
		to = s.mediator
	default:
		i := slices.Index(s.parties, st.party)
		to = s.parties[(i+1)%len(s.parties)]
	}
	return session.Move{Kind: session.KindMessage, Message: fmt.Sprintf("load test message %d from %s", s.msgs, st.party), To: []string{to}}
}

// acked records the acknowledgement of a turn move.
func (s *sess) acked(m *session.Move) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inflight--
	switch m.Kind {
	case session.KindDraft:
		s.version++
		s.text = m.Text
		s.drafting = false
		s.owed = len(s.parties)
		s.due = make(map[string]bool, len(s.parties))
		for _, p := range s.parties {
			s.due[p] = true
		}
	case session.KindRespond:
		s.owed--
	case session.KindOffer:
		s.turn = (s.turn + 1) % len(s.parties)
		s.offering = false
	}
}

// failed records that a turn move failed (or may have): the state is
// known again only from the server.
func (s *sess) failed() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inflight--
	s.stale = true
	s.drafting, s.offering = false, false
}

// sessionView is the part of the mediator's view of a negotiation the load
// test reads.
type sessionView struct {
	Framework   *framework.Framework `json:"framework"`
	Mediator    string               `json:"mediator"`
	Negotiators []string             `json:"negotiators"`
	Started     bool                 `json:"started"`
	Seq         int                  `json:"seq"`
	State       *room.StateView      `json:"state"`
}

// apply sets the state from the server's view (s.mu held, or s not yet
// shared).
func (s *sess) apply(v *sessionView) {
	s.levels = s.levels[:0]
	for i := range v.Framework.Points {
		s.levels = append(s.levels, v.Framework.Points[i].Levels())
	}
	s.parties = v.Negotiators
	s.seq = v.Seq
	st := v.State
	if st == nil {
		return
	}
	s.closed = st.Status != session.StatusOpen
	s.version = st.Version
	s.text = st.Text
	s.due = map[string]bool{}
	for _, p := range st.Waiting {
		s.due[p] = true
	}
	s.owed = len(st.Waiting)
	if i := slices.Index(s.parties, st.Turn); i >= 0 {
		s.turn = i
	}
}

// counters are the figures the actors and subscribers update.
type counters struct {
	moves   atomic.Int64
	lat     hist
	byKind  sync.Map // kind → *atomic.Int64
	latKind sync.Map // kind → *hist
	resyncs atomic.Int64
	// over is set at the end of the measured window: later answers do not
	// count.
	over atomic.Bool

	errMu      sync.Mutex
	errors     map[string]int64
	errSamples map[string]string

	sseHeld       atomic.Int64
	sseConnects   atomic.Int64
	sseReconnects atomic.Int64
	sseDrops      atomic.Int64
	sseFailures   atomic.Int64
	sseEvents     atomic.Int64
	sseBatches    atomic.Int64
	sseLag        hist
}

func newCounters() *counters {
	return &counters{errors: map[string]int64{}, errSamples: map[string]string{}}
}

func (c *counters) ack(kind string, d time.Duration) {
	if c.over.Load() {
		return
	}
	c.moves.Add(1)
	c.lat.add(d)
	n, _ := c.byKind.LoadOrStore(kind, new(atomic.Int64))
	n.(*atomic.Int64).Add(1)
	h, _ := c.latKind.LoadOrStore(kind, new(hist))
	h.(*hist).add(d)
}

func (c *counters) fail(what string, err error) {
	if c.over.Load() {
		return
	}
	k := errorKey(err)
	if what != "" {
		k = what + ": " + k
	}
	c.errMu.Lock()
	defer c.errMu.Unlock()
	c.errors[k]++
	if _, ok := c.errSamples[k]; !ok {
		c.errSamples[k] = err.Error()
	}
}

func (c *counters) errorCount() int64 {
	c.errMu.Lock()
	defer c.errMu.Unlock()
	var n int64
	for _, v := range c.errors {
		n += v
	}
	return n
}

// act runs seat i of s until ctx ends: each move is sent as soon as the
// previous one is answered.
func (r *runner) act(ctx context.Context, s *sess, i int) {
	path := "/api/negotiations/" + s.id + "/moves"
	who := s.seats[i].who
	for ctx.Err() == nil && !r.cnt.over.Load() {
		a := s.next(i)
		if a.resync {
			if !r.resync(ctx, s) {
				pause(ctx, 100*time.Millisecond)
			}
			continue
		}
		body, err := json.Marshal(&a.move)
		if err != nil {
			panic(err) // plain data
		}
		start := time.Now()
		err = r.c.do(ctx, "POST", path, who, body, nil)
		d := time.Since(start)
		if ctx.Err() != nil || r.cnt.over.Load() {
			return // the run is over; this answer does not count
		}
		if err != nil {
			r.cnt.fail("", err)
			if a.turn {
				s.failed()
			}
			pause(ctx, 20*time.Millisecond)
			continue
		}
		r.cnt.ack(a.move.Kind, d)
		if a.turn {
			s.acked(&a.move)
		}
	}
}

// resync reads the session's state from the mediator's view and reports
// whether it could.
func (r *runner) resync(ctx context.Context, s *sess) bool {
	r.cnt.resyncs.Add(1)
	var v sessionView
	err := r.c.do(ctx, "GET", "/api/negotiations/"+s.id, s.owner, nil, &v)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resyncing = false
	if err != nil {
		if ctx.Err() == nil {
			r.cnt.fail("resync", err)
		}
		return false
	}
	s.apply(&v)
	s.stale = false
	return true
}

func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
