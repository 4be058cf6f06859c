// Package agentserver serves Go negotiators over Parley's external-agent
// protocol (versions "parley-agent/2" and "parley-agent/1",
// docs/agent-protocol.md), so that a strategy
// written against the same agent.Negotiator interface as Parley's built-in
// agents can run as a separate process (or on another machine) and join
// sessions and tournaments through extagent.New:
//
//	http.ListenAndServe(":9001", agentserver.New(func() agent.Negotiator { return mystrategy.New() }))
//
// Every negotiation gets its own negotiator instance, built by the
// constructor at /init, with a View rebuilt from the messages exactly as the
// in-process runner builds it (same framework, profile, table, time, round,
// current offer, history of offers and, in version 2, of every move and
// the parties' ids and names), so a negotiator behaves the same in-process
// and served. Negotiators that implement extagent.Ender hear the outcome at
// /end.
//
// The server bounds the number of negotiations it holds
// (MaxNegotiations), forgets negotiations idle for longer than IdleTimeout,
// bounds request sizes, and turns a panicking negotiator into an error
// answer.
package agentserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/extagent"
)

// Defaults of a Server.
const (
	DefaultMaxNegotiations = 64
	DefaultIdleTimeout     = 5 * time.Minute
	DefaultMaxRequest      = 16 << 20
)

// Option configures New.
type Option func(*Server)

// MaxNegotiations bounds how many negotiations the server holds at once
// (default DefaultMaxNegotiations); an /init beyond it, once idle
// negotiations have expired, is answered 503.
func MaxNegotiations(n int) Option { return func(s *Server) { s.max = n } }

// IdleTimeout forgets a negotiation with no call for d (default
// DefaultIdleTimeout): its later calls are answered 404.
func IdleTimeout(d time.Duration) Option { return func(s *Server) { s.ttl = d } }

// MaxRequest bounds the size of a request body (default DefaultMaxRequest).
func MaxRequest(n int64) Option { return func(s *Server) { s.maxBody = n } }

// Name sets the name the handshake returns (default: the Name of a
// negotiator built by the constructor).
func Name(name string) Option { return func(s *Server) { s.name = name } }

// Server serves the protocol for negotiators built by a constructor. It is
// an http.Handler, safe for concurrent use.
type Server struct {
	newAgent func() agent.Negotiator
	name     string
	max      int
	ttl      time.Duration
	maxBody  int64
	single   bool
	now      func() time.Time
	// serial serialises every call of the negotiator in single mode (one
	// instance shared by successive negotiations).
	serial sync.Mutex

	mu   sync.Mutex
	negs map[string]*negotiation
}

type negotiation struct {
	mu      sync.Mutex
	version string
	a       agent.Negotiator
	view    *agent.View
	// sent is the history as sent: offers (version 1) or moves (version
	// 2); hist the offers among them, moves the moves (version 2).
	sent  int
	hist  []agent.Offer
	moves []agent.Move
	last  time.Time
	done  bool
}

// New returns a server that builds one negotiator with newAgent for every
// negotiation.
func New(newAgent func() agent.Negotiator, opts ...Option) *Server {
	s := &Server{newAgent: newAgent, max: DefaultMaxNegotiations, ttl: DefaultIdleTimeout,
		maxBody: DefaultMaxRequest, now: time.Now, negs: map[string]*negotiation{}}
	for _, o := range opts {
		o(s)
	}
	if s.max <= 0 {
		s.max = DefaultMaxNegotiations
	}
	if s.ttl <= 0 {
		s.ttl = DefaultIdleTimeout
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxRequest
	}
	if s.name == "" {
		s.name = newAgent().Name()
	}
	return s
}

// Handler serves the protocol with the one negotiator a, which therefore
// plays one negotiation at a time: an /init replaces the negotiation in
// progress, whose later calls are answered 404. Use New with a constructor
// to play several negotiations at once (as a tournament on several cores
// does).
func Handler(a agent.Negotiator) http.Handler {
	s := New(func() agent.Negotiator { return a }, Name(a.Name()))
	s.single = true
	return s
}

// Len returns the number of negotiations the server holds.
func (s *Server) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.negs)
}

// ServeHTTP implements the protocol.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case extagent.PathHello:
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			fail(w, http.StatusMethodNotAllowed, "GET / is the handshake")
			return
		}
		reply(w, extagent.Hello{Name: s.name, Version: extagent.Version, Versions: extagent.Versions()})
		return
	case extagent.PathInit, extagent.PathAct, extagent.PathEnd:
	default:
		fail(w, http.StatusNotFound, "no such call: "+r.URL.Path)
		return
	}
	if r.Method != http.MethodPost {
		fail(w, http.StatusMethodNotAllowed, r.URL.Path+" takes POST")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, s.maxBody+1))
	if err != nil {
		fail(w, http.StatusBadRequest, "reading the request: "+err.Error())
		return
	}
	if int64(len(body)) > s.maxBody {
		fail(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request larger than %d bytes", s.maxBody))
		return
	}
	switch r.URL.Path {
	case extagent.PathInit:
		s.init(w, body)
	case extagent.PathAct:
		s.act(w, body)
	case extagent.PathEnd:
		s.end(w, body)
	}
}

func (s *Server) init(w http.ResponseWriter, body []byte) {
	var req extagent.InitRequest
	if err := decode(body, &req); err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	if req.Version != extagent.Version1 && req.Version != extagent.Version2 {
		fail(w, http.StatusBadRequest, fmt.Sprintf("protocol version %q; this agent speaks %q", req.Version, extagent.Versions()))
		return
	}
	if req.Negotiation == "" || req.Framework == nil || req.Profile == nil {
		fail(w, http.StatusBadRequest, "init needs negotiation, framework and profile")
		return
	}
	if err := req.Framework.Validate(); err != nil {
		fail(w, http.StatusBadRequest, "framework: "+err.Error())
		return
	}
	if req.Parties < 1 || req.Self < 0 || req.Self >= req.Parties {
		fail(w, http.StatusBadRequest, fmt.Sprintf("self %d of %d parties", req.Self, req.Parties))
		return
	}
	table, err := req.Profile.Compile(req.Framework)
	if err != nil {
		fail(w, http.StatusBadRequest, "profile: "+err.Error())
		return
	}
	v := &agent.View{Self: req.Self, Parties: req.Parties, Framework: req.Framework, Profile: req.Profile,
		Table: table, Deadline: req.Deadline.Rounds}
	if len(req.PartiesInfo) == req.Parties {
		v.PartyIDs, v.PartyNames = make([]string, req.Parties), make([]string, req.Parties)
		for i, p := range req.PartiesInfo {
			v.PartyIDs[i], v.PartyNames[i] = p.ID, p.Name
		}
	}
	now := s.now()
	s.mu.Lock()
	if s.single {
		clear(s.negs)
	}
	if _, dup := s.negs[req.Negotiation]; dup {
		s.mu.Unlock()
		fail(w, http.StatusConflict, "negotiation "+req.Negotiation+" already started")
		return
	}
	for id, n := range s.negs {
		n.mu.Lock()
		stale := now.Sub(n.last) > s.ttl
		n.mu.Unlock()
		if stale {
			delete(s.negs, id)
		}
	}
	if len(s.negs) >= s.max {
		s.mu.Unlock()
		fail(w, http.StatusServiceUnavailable, fmt.Sprintf("busy: already %d negotiations", s.max))
		return
	}
	n := &negotiation{version: req.Version, view: v, last: now}
	n.mu.Lock() // held until Init returns: an /act cannot overtake it
	s.negs[req.Negotiation] = n
	s.mu.Unlock()
	err = s.play(func() {
		n.a = s.newAgent()
		n.a.Init(v)
	})
	n.last = s.now()
	n.mu.Unlock()
	if err != nil {
		s.drop(req.Negotiation, n)
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	reply(w, extagent.Ack{OK: true})
}

// lookup returns the negotiation, locked, or answers 404.
func (s *Server) lookup(w http.ResponseWriter, id string) *negotiation {
	s.mu.Lock()
	n := s.negs[id]
	s.mu.Unlock()
	if n == nil {
		fail(w, http.StatusNotFound, "unknown negotiation "+id+" (never started, ended, expired or superseded)")
		return nil
	}
	n.mu.Lock()
	if n.done || s.now().Sub(n.last) > s.ttl {
		n.mu.Unlock()
		s.drop(id, n)
		fail(w, http.StatusNotFound, "negotiation "+id+" ended or expired")
		return nil
	}
	return n
}

func (s *Server) drop(id string, n *negotiation) {
	s.mu.Lock()
	if s.negs[id] == n {
		delete(s.negs, id)
	}
	s.mu.Unlock()
}

func (s *Server) act(w http.ResponseWriter, body []byte) {
	var req extagent.ActRequest
	if err := decode(body, &req); err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	n := s.lookup(w, req.Negotiation)
	if n == nil {
		return
	}
	defer n.mu.Unlock()
	levels := n.view.Framework.Radix()
	v2 := n.version == extagent.Version2
	if req.HistoryStart < 0 || req.HistoryStart > n.sent {
		fail(w, http.StatusBadRequest, fmt.Sprintf("history_start %d, but %d entries were sent before", req.HistoryStart, n.sent))
		return
	}
	for i := range req.History {
		if err := checkMove(&req.History[i], n.view.Parties, levels, v2); err != nil {
			fail(w, http.StatusBadRequest, fmt.Sprintf("history[%d]: %v", i, err))
			return
		}
	}
	if c := req.Current; c != nil {
		if err := checkMove(&extagent.Move{By: c.By, Round: c.Round, Package: c.Package}, n.view.Parties, levels, false); err != nil {
			fail(w, http.StatusBadRequest, "current: "+err.Error())
			return
		}
	}
	n.record(req.HistoryStart, req.History)
	v := n.view
	v.Time, v.Round, v.Current, v.History = req.Time, req.Round, nil, n.hist
	if v2 {
		v.Moves = n.moves
	}
	if c := req.Current; c != nil {
		v.Current = &agent.Offer{By: c.By, Round: c.Round, Package: c.Package}
	}
	var act agent.Action
	err := s.play(func() { act = n.a.Act(v) })
	n.last = s.now()
	if err != nil {
		n.done = true
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	switch act.Kind {
	case agent.MakeOffer:
		reply(w, extagent.Answer{Action: extagent.ActionOffer, Package: act.Package})
	case agent.Accept:
		reply(w, extagent.Answer{Action: extagent.ActionAccept})
	case agent.EndTalks:
		reply(w, extagent.Answer{Action: extagent.ActionEnd})
	default:
		fail(w, http.StatusInternalServerError, fmt.Sprintf("negotiator %s returned unknown action %d", n.a.Name(), act.Kind))
	}
}

// checkMove validates an entry of the history: an offer (version 1) or a
// move of a known kind (version 2).
func checkMove(m *extagent.Move, parties int, levels []int, v2 bool) error {
	if m.By < 0 || m.By >= parties {
		return fmt.Errorf("move by party %d of %d", m.By, parties)
	}
	kind := m.Kind
	if !v2 {
		if kind != "" {
			return fmt.Errorf("a version 1 history holds offers only, not %q", kind)
		}
		kind = agent.MoveOffer
	}
	switch kind {
	case agent.MoveOffer, agent.MoveAccept:
	case agent.MoveVote:
		if m.Vote == nil {
			return errors.New("a vote without \"vote\"")
		}
	case agent.MoveEnd:
		return nil
	default:
		return fmt.Errorf("unknown move kind %q", m.Kind)
	}
	return extagent.CheckPackage(m.Package, levels)
}

// record puts the history entries sent at start in place: version 1's
// offers, or version 2's moves and the offers among them.
func (n *negotiation) record(start int, entries []extagent.Move) {
	if n.version != extagent.Version2 {
		n.hist = n.hist[:start]
		for _, o := range entries {
			n.hist = append(n.hist, agent.Offer{By: o.By, Round: o.Round, Package: o.Package})
		}
		n.sent = len(n.hist)
		return
	}
	if start < len(n.moves) { // a resend: rebuild the offers up to start
		n.moves = n.moves[:start]
		n.hist = n.hist[:0]
		for _, m := range n.moves {
			if m.Kind == agent.MoveOffer {
				n.hist = append(n.hist, agent.Offer{By: m.By, Round: m.Round, Package: m.Package})
			}
		}
	}
	for _, e := range entries {
		m := agent.Move{By: e.By, Round: e.Round, Kind: e.Kind, Package: e.Package, Yes: e.Vote != nil && *e.Vote}
		n.moves = append(n.moves, m)
		if m.Kind == agent.MoveOffer {
			n.hist = append(n.hist, agent.Offer{By: m.By, Round: m.Round, Package: m.Package})
		}
	}
	n.sent = len(n.moves)
}

func (s *Server) end(w http.ResponseWriter, body []byte) {
	var req extagent.EndRequest
	if err := decode(body, &req); err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	n := s.lookup(w, req.Negotiation)
	if n == nil {
		return
	}
	n.done = true
	var err error
	if e, ok := n.a.(extagent.Ender); ok {
		err = s.play(func() {
			e.End(extagent.Outcome{Status: req.Status, Agreement: req.Agreement, Reason: req.Reason,
				Cause: req.Cause, By: req.By, Round: req.Round, Time: req.Time})
		})
	}
	n.mu.Unlock()
	s.drop(req.Negotiation, n)
	if err != nil {
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	reply(w, extagent.Ack{OK: true})
}

// play calls the negotiator through protect, one call at a time when the
// server has a single instance.
func (s *Server) play(f func()) error {
	if s.single {
		s.serial.Lock()
		defer s.serial.Unlock()
	}
	return protect(f)
}

// protect runs f and turns a panic into an error.
func protect(f func()) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("negotiator panicked: %v", p)
		}
	}()
	f()
	return nil
}

func decode(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("malformed request: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("malformed request: data after the JSON value")
	}
	return nil
}

func reply(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	_, _ = w.Write(b)
}

func fail(w http.ResponseWriter, code int, msg string) {
	b, _ := json.Marshal(extagent.ErrorReply{Error: msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(b)
}
