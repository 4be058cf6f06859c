package server_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/server"
	"github.com/parley-negotiation/parley/session"
)

// The confidentiality audit: what every viewer received, checked against
// what it may see (docs/room.md, "Who sees what"), for canaries, for
// events it may not see, for the export's stubs, and by brute force over
// every hash-like value it received.

// who is what a viewer is to one negotiation: the role and the seat that
// decide what it may see. It is written down here from the documentation,
// apart from the room's own rule (room.mayView), so that the test checks
// the rule rather than repeating it.
type who struct{ role, seat string }

// Roles of the model; "" is nobody (no access).
const (
	asParty    = "party"
	asObserver = "observer"
	asVerifier = "verifier"
	asMediator = "mediator"
)

// verifierKinds are the public events a verifier sees: the start of the
// session, the agreement, ratification and entry into force, reports,
// responses and triggers (docs/room.md).
var verifierKinds = map[string]bool{
	"start": true, "agreement": true, session.KindRatify: true, "ratification-failed": true, "in-force": true,
	session.KindReport: true, session.KindResponse: true, session.KindTrigger: true, session.KindTriggerCancelled: true,
}

// entitled says whether w may see event e, and whether whole: an observer
// of a seat sees that party's blind bids without their packages.
func entitled(e *session.Event, w who) (sees, whole bool) {
	mine := w.seat != "" && slices.Contains(e.Visible, w.seat)
	switch w.role {
	case asParty, asObserver, asMediator:
		sees = len(e.Visible) == 0 || mine
	case asVerifier:
		sees = (len(e.Visible) == 0 && verifierKinds[e.Kind]) || (e.Kind == session.KindSeat && mine)
	}
	whole = sees && !(w.role == asObserver && e.Move != nil && len(e.Move.Packages) > 0)
	return sees, whole
}

// negState is one negotiation of the audit: who its viewers are, their
// credentials, and (once loaded) its whole log from the store.
type negState struct {
	label   string
	id      string
	creds   map[string]string
	who     map[string]who
	full    []session.Event
	byHash  map[string]int
	raw     []byte // the stored scenario
	guesses [][]guess
	digests []guess
}

// viewerOrder is the order viewers are asked in: every kind of viewer.
var viewerOrder = []string{
	"russia", "ukraine", "europe", "russia/observer", "ukraine/observer", "europe/observer",
	"observer", "verifier", "mediator", "mediator:full", "mediator:student",
	"anon", "stranger", "intruder", "revoked", "revoked/observer",
}

func (n *negState) viewers() []string {
	var out []string
	for _, v := range viewerOrder {
		if _, ok := n.creds[v]; ok {
			out = append(out, v)
		}
	}
	return out
}

// load reads the whole log and the scenario from the store.
func (n *negState) load(t testing.TB, st room.Store) {
	t.Helper()
	ctx := context.Background()
	ev, err := st.Events(ctx, n.id)
	if err != nil {
		t.Fatal(err)
	}
	neg, err := st.Negotiation(ctx, n.id)
	if err != nil {
		t.Fatal(err)
	}
	n.full, n.raw, n.byHash, n.guesses, n.digests = ev, neg.Scenario, map[string]int{}, nil, nil
	for i := range ev {
		n.byHash[ev[i].Hash] = i
	}
}

// evidence is one answer a viewer received.
type evidence struct {
	neg    *negState // nil outside a negotiation
	viewer string
	route  string // "METHOD pattern"; "" for the test's own setup requests
	where  string
	status int
	body   []byte
	// live: an event stream held open through the session; cut: one whose
	// credential was revoked while it was open, at event cutAt (it must
	// end, and get nothing from then on).
	live, cut bool
	cutAt     int
}

// finding is a leak (or an error of the rule) the audit reports.
type finding struct{ viewer, kind, msg string }

// audit checks evidence. Findings go to report (t.Errorf in the test, a
// list in the controls).
type audit struct {
	pub      ed25519.PublicKey
	negs     []*negState
	canaries []canary
	evidence []evidence
	report   func(f finding)
	// seen: canary value → viewers allowed to see it who did (positive
	// controls); values: hash-like values collected per viewer; tried:
	// guesses tried per attack; exports: exports checked per viewer kind.
	seen    map[string]map[string]bool
	index   map[string]hashIndex
	salts   map[string]map[string]string // viewer → negotiation/seq → salt received
	tried   map[string]int
	exports map[string]int
	values  int
	// redactedBids, stubbedBids: bids a viewer got without packages, and
	// as stubs in its export.
	redactedBids, stubbedBids map[string]int
}

func (a *audit) errorf(viewer, kind, format string, args ...any) {
	a.report(finding{viewer, kind, fmt.Sprintf(format, args...)})
}

// noCredentials are the routes that take no credentials: a revoked
// credential gets there what nobody gets.
var noCredentials = map[string]bool{
	"GET /api/health": true, "GET /api/ready": true, "GET /metrics": true, "GET /api/keys": true, "GET /api/scenarios": true, "GET /api/protocols": true,
	"POST /api/login": true, "POST /api/logout": true, "POST /api/join": true,
}

// run checks every piece of evidence, then tries the brute-force attacks.
func (a *audit) run() {
	a.seen, a.index, a.salts = map[string]map[string]bool{}, map[string]hashIndex{}, map[string]map[string]string{}
	a.tried, a.exports = map[string]int{}, map[string]int{}
	a.redactedBids, a.stubbedBids = map[string]int{}, map[string]int{}
	for i := range a.evidence {
		a.check(&a.evidence[i])
	}
	a.bruteForce()
}

func (a *audit) check(ev *evidence) {
	s := string(ev.body)
	for _, c := range a.canaries {
		if containsValue(s, c.value) {
			// VIEWER@preview: allowed in the owner's preview of a party's
			// screen only.
			if c.allowed[ev.viewer] || ev.route == "GET /api/negotiations/{id}/preview/{party}" && c.allowed[ev.viewer+"@preview"] {
				if a.seen[c.value] == nil {
					a.seen[c.value] = map[string]bool{}
				}
				a.seen[c.value][ev.viewer] = true
			} else {
				a.errorf(ev.viewer, "canary", "LEAK: %s sees %s (%s) in %s: …%s…", ev.viewer, c.what, c.value, ev.where, excerpt(s, c.value))
			}
		}
	}
	ix := a.index[ev.viewer]
	if ix == nil {
		ix = hashIndex{}
		a.index[ev.viewer] = ix
	}
	a.values += ix.scan(ev.where, ev.body)
	if ev.neg == nil {
		for _, r := range eventsIn(ev.body) {
			a.errorf(ev.viewer, "event", "%s gets event %d (%s) outside any negotiation in %s", ev.viewer, r.Seq, r.Kind, ev.where)
		}
		return
	}
	n := ev.neg
	w := n.who[ev.viewer]
	// A revoked credential gets 401 from every route that takes
	// credentials, the event stream and the export included; so does
	// nobody, but for GET /api/me (which tells it it is nobody).
	if w.role == "" && strings.HasPrefix(ev.viewer, "revoked") || w.role == "" && ev.viewer == "anon" && ev.route != "GET /api/me" {
		if ev.route != "" && !noCredentials[ev.route] && ev.status != http.StatusUnauthorized {
			a.errorf(ev.viewer, "status", "%s gets %d from %s, want 401: %.200s", ev.viewer, ev.status, ev.where, ev.body)
		}
	}
	got := map[int]bool{}
	events := eventsIn(ev.body)
	for _, r := range events {
		a.checkEvent(ev, w, r)
		got[r.Seq] = true
		if ev.cut && r.Seq >= ev.cutAt {
			a.errorf(ev.viewer, "event", "LEAK: %s's open stream, its credential revoked at event %d, still gets event %d (%s)", ev.viewer, ev.cutAt, r.Seq, r.Kind)
		}
		if r.Salt != "" {
			if a.salts[ev.viewer] == nil {
				a.salts[ev.viewer] = map[string]string{}
			}
			a.salts[ev.viewer][n.id+"/"+strconv.Itoa(r.Seq)] = r.Salt
		}
	}
	checkBids(a, ev, w, events)
	switch {
	case ev.route == "GET /api/negotiations/{id}/log":
		a.checkExport(ev, w)
	case ev.cut:
		if !strings.Contains(s, "event: end") || !strings.Contains(s, room.EUNAUTHORIZED) {
			a.errorf(ev.viewer, "status", "%s's open stream did not end when its credential was revoked: %.300s", ev.viewer, s)
		}
	case w.role != "" && ev.status == http.StatusOK && !strings.Contains(ev.where, "?") &&
		(ev.route == "GET /api/negotiations/{id}/events" || ev.route == "GET /api/negotiations/{id}/stream"):
		// The events a viewer gets are exactly those it may see.
		for i := range n.full {
			sees, _ := entitled(&n.full[i], w)
			if sees != got[i+1] {
				a.errorf(ev.viewer, "event", "%s: event %d (%s, visible %v) in %s: given %v, want %v", ev.viewer, i+1, n.full[i].Kind, n.full[i].Visible, ev.where, got[i+1], sees)
			}
		}
	}
}

// checkEvent checks one event a viewer received against the whole log.
func (a *audit) checkEvent(ev *evidence, w who, r session.Event) {
	n := ev.neg
	i, ok := n.byHash[r.Hash]
	if !ok {
		a.errorf(ev.viewer, "event", "%s gets event %d (%s) with a hash not in %s's log, in %s", ev.viewer, r.Seq, r.Kind, n.label, ev.where)
		return
	}
	e := &n.full[i]
	sees, whole := entitled(e, w)
	switch {
	case r.Kind == session.KindHidden:
		if stub := e.Stub(); !sameEvent(&r, &stub) {
			a.errorf(ev.viewer, "export", "LEAK: %s gets a stub of event %d that carries more than its link and hash, in %s: %+v", ev.viewer, e.Seq, ev.where, r)
		}
		if whole {
			a.errorf(ev.viewer, "export", "%s gets event %d (%s) as a stub, but may see it, in %s", ev.viewer, e.Seq, e.Kind, ev.where)
		}
	case !sees:
		a.errorf(ev.viewer, "event", "LEAK: %s gets event %d (%s by %q, visible to %v) in %s", ev.viewer, e.Seq, e.Kind, e.Party, e.Visible, ev.where)
	case whole:
		if !sameEvent(&r, e) {
			a.errorf(ev.viewer, "event", "%s gets event %d (%s) other than the log has it, in %s", ev.viewer, e.Seq, e.Kind, ev.where)
		}
	default: // an observer's blind bid: no packages, and no salt to check guesses of them with
		a.redactedBids[ev.viewer]++
		if r.Salt != "" {
			a.errorf(ev.viewer, "salt", "LEAK: %s gets the salt of event %d (%s by %s) without its packages, in %s: it can check guesses of them against the hash", ev.viewer, e.Seq, e.Kind, e.Party, ev.where)
		}
		if r.Move != nil && len(r.Move.Packages) > 0 {
			a.errorf(ev.viewer, "event", "LEAK: %s gets the packages of %s's bid (event %d) in %s", ev.viewer, e.Party, e.Seq, ev.where)
		}
		want := *e
		if want.Move != nil {
			m := *want.Move
			m.Packages = nil
			want.Move = &m
		}
		r.Salt, want.Salt = "", ""
		if !sameEvent(&r, &want) {
			a.errorf(ev.viewer, "event", "%s gets event %d (%s) other than the log has it without its packages, in %s", ev.viewer, e.Seq, e.Kind, ev.where)
		}
	}
}

// checkExport checks a viewer's exported log: it verifies with the
// server's key, holds every event of the whole log, those the viewer may
// see whole exactly as stored and every other one as a stub that carries
// nothing but its sequence number, link and hash — the scenario record
// (event 2, every profile) among them, for everyone.
func (a *audit) checkExport(ev *evidence, w who) {
	n := ev.neg
	if w.role == "" {
		if ev.status == http.StatusOK {
			a.errorf(ev.viewer, "export", "LEAK: %s exports %s's log: %.200s", ev.viewer, n.label, ev.body)
		}
		return
	}
	if ev.status != http.StatusOK {
		a.errorf(ev.viewer, "export", "%s: export of %s: %d %.200s", ev.viewer, n.label, ev.status, ev.body)
		return
	}
	rec, err := session.ReadRecord(bytes.NewReader(ev.body))
	if err != nil {
		a.errorf(ev.viewer, "export", "%s: export of %s: %v", ev.viewer, n.label, err)
		return
	}
	if err := session.VerifyPartial(rec.Events); err != nil {
		a.errorf(ev.viewer, "export", "%s: export of %s: %v", ev.viewer, n.label, err)
	}
	if p, err := session.CheckCheckpoints(rec.Events, rec.Checkpoints, a.pub); err != nil || !p.Complete() {
		a.errorf(ev.viewer, "export", "%s: export of %s not proven by the server's key: %+v %v", ev.viewer, n.label, p, err)
	}
	if len(rec.Events) != len(n.full) {
		a.errorf(ev.viewer, "export", "%s: export of %s has %d events, the log %d", ev.viewer, n.label, len(rec.Events), len(n.full))
		return
	}
	lines := bytes.Split(ev.body, []byte("\n"))
	for i := range rec.Events {
		r, e := &rec.Events[i], &n.full[i]
		_, whole := entitled(e, w)
		if e.Kind == session.KindScenario && r.Kind != session.KindHidden {
			a.errorf(ev.viewer, "export", "LEAK: %s's export of %s gives the scenario record (event %d, every profile)", ev.viewer, n.label, e.Seq)
		}
		if whole {
			continue // checkEvent compared it with the log
		}
		if r.Kind != session.KindHidden {
			a.errorf(ev.viewer, "export", "LEAK: %s's export of %s gives event %d (%s by %q), which it may not see whole, other than as a stub", ev.viewer, n.label, e.Seq, e.Kind, e.Party)
			continue
		}
		if e.Move != nil && len(e.Move.Packages) > 0 {
			a.stubbedBids[ev.viewer]++
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(lines[i], &keys); err != nil {
			a.errorf(ev.viewer, "export", "%s: stub %d: %v", ev.viewer, i+1, err)
			continue
		}
		for k, v := range keys {
			ok := k == "seq" || k == "kind" || k == "prev" || k == "hash" ||
				k == "round" && string(v) == "0" || k == "time" && string(v) == `"0001-01-01T00:00:00Z"`
			if !ok {
				a.errorf(ev.viewer, "export", "LEAK: %s's stub of event %d (%s) in %s carries %s: %s", ev.viewer, e.Seq, e.Kind, n.label, k, v)
			}
		}
	}
	a.exports[ev.viewer]++
}

// checkBids fails when a viewer gets another party's blind bid with its
// packages, or an observer gets packages at all (the original check,
// independent of the model).
func checkBids(a *audit, ev *evidence, w who, events []session.Event) {
	for _, e := range events {
		if e.Kind == session.KindBid && e.Party != w.seat {
			a.errorf(ev.viewer, "event", "LEAK: %s sees %s's blind bid in %s", ev.viewer, e.Party, ev.where)
		}
		if e.Move != nil && len(e.Move.Packages) > 0 && (e.Party != w.seat || w.role != asParty) {
			a.errorf(ev.viewer, "event", "LEAK: %s sees %s's packages in %s", ev.viewer, e.Party, ev.where)
		}
	}
}

// sameEvent compares two events as the log writes them.
func sameEvent(a, b *session.Event) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// eventsIn returns every event anywhere in a body: a JSON document, JSON
// lines (a log) or server-sent events; an event is an object with seq,
// kind, prev and hash.
func eventsIn(body []byte) []session.Event {
	var docs []any
	var doc any
	if json.Unmarshal(body, &doc) == nil {
		docs = append(docs, doc)
	} else {
		for _, line := range bytes.Split(body, []byte("\n")) {
			line = bytes.TrimPrefix(line, []byte("data: "))
			if json.Unmarshal(line, &doc) == nil {
				docs = append(docs, doc)
			}
		}
	}
	var out []session.Event
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			_, seq := v["seq"]
			_, kind := v["kind"]
			_, prev := v["prev"]
			_, hash := v["hash"]
			if seq && kind && prev && hash {
				b, _ := json.Marshal(v)
				var e session.Event
				dec := json.NewDecoder(bytes.NewReader(b))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&e); err != nil {
					// An event with fields the log does not have: keep what
					// reads, the comparison with the log reports it.
					_ = json.Unmarshal(b, &e)
					e.Kind += " (with unknown fields: " + err.Error() + ")"
				}
				out = append(out, e)
				return
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	for _, d := range docs {
		walk(d)
	}
	return out
}

// hashIndex holds every hash-like value a viewer received — hex of 16
// bytes or more, base64 of 32 bytes or more — by every 16-byte window of
// its bytes, so that a full digest, a truncated one (16 bytes or more) or
// one inside a longer value is found by its first 16 bytes.
type hashIndex map[string]string // window → where it was received

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isBase64Char(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '+' || c == '/' || c == '-' || c == '_'
}

// scan adds the hash-like values of a body (and of its HTML-unescaped
// form, where a template escaped them).
func (ix hashIndex) scan(where string, body []byte) int {
	n := ix.scanRaw(where, body)
	if bytes.Contains(body, []byte("&#")) {
		n += ix.scanRaw(where, []byte(html.UnescapeString(string(body))))
	}
	return n
}

// scanRaw adds the hash-like values of body and returns how many it found.
func (ix hashIndex) scanRaw(where string, body []byte) (found int) {
	runs := func(in func(byte) bool, min int, f func([]byte)) {
		for i := 0; i < len(body); {
			if !in(body[i]) {
				i++
				continue
			}
			j := i
			for j < len(body) && in(body[j]) {
				j++
			}
			if j-i >= min {
				f(body[i:j])
				found++
			}
			i = j
		}
	}
	runs(isHexDigit, 32, func(r []byte) {
		for a := 0; a <= 1 && len(r)-a >= 32; a++ {
			s := r[a:]
			s = s[:len(s)/2*2]
			b := make([]byte, len(s)/2)
			if _, err := hex.Decode(b, s); err == nil {
				ix.add(where, b)
			}
		}
	})
	runs(isBase64Char, 43, func(r []byte) {
		if !slices.ContainsFunc(r, func(c byte) bool { return !isHexDigit(c) }) {
			found--
			return // hex, done above
		}
		s := strings.NewReplacer("-", "+", "_", "/").Replace(string(r))
		for off := range 4 {
			t := s[off:]
			t = t[:len(t)/4*4]
			if b, err := base64.StdEncoding.DecodeString(t); err == nil {
				ix.add(where, b)
			}
		}
	})
	return found
}

func (ix hashIndex) add(where string, b []byte) {
	for k := 0; k+16 <= len(b); k++ {
		if _, ok := ix[string(b[k:k+16])]; !ok {
			ix[string(b[k:k+16])] = where
		}
	}
}

// guess is a value an attacker computes: its first 16 bytes, and what it
// would reveal.
type guess struct{ key, what string }

func sumGuess(b []byte, what string) guess {
	h := sha256.Sum256(b)
	return guess{string(h[:16]), what}
}

// hashGuess is the hash of an event with its salt set as given (none: the
// engine before version 3) — the hidden-event attack's guess.
func hashGuess(e session.Event, salt, what string) guess {
	e.Salt, e.Hash = salt, ""
	b, err := json.Marshal(&e)
	if err != nil {
		panic(err)
	}
	return sumGuess(b, what)
}

// eventGuesses are the attacker's guesses of event i's content: its true
// content, and each candidate of a small set in place of what it hides —
// any package one option away from the first (a bid), each canary and
// other strings (a message, a reason), the other vote, the built-in
// scenario (the scenario record) — each hashed with salt (none: the
// engine before version 3, or an attacker who lacks the salt).
func (n *negState) eventGuesses(i int, salt string, strs []string, fw *framework.Framework, builtin json.RawMessage) []guess {
	e := n.full[i]
	var out []guess
	add := func(g session.Event, what string) { out = append(out, hashGuess(g, salt, what)) }
	add(e, "its true content")
	if m := e.Move; m != nil {
		with := func(f func(*session.Move), what string) {
			g, mm := e, *m
			f(&mm)
			g.Move = &mm
			add(g, what)
		}
		if len(m.Packages) > 0 && fw != nil {
			for j, pt := range fw.Points {
				for o := range pt.Options {
					pkg := make(framework.Package, len(fw.Points))
					pkg[j] = o
					with(func(m *session.Move) { m.Packages = []framework.Package{pkg} }, fmt.Sprintf("a bid of %v", pkg))
				}
			}
		}
		if m.Message != "" {
			for _, s := range strs {
				with(func(m *session.Move) { m.Message = s }, fmt.Sprintf("the message %q", s))
			}
		}
		if len(m.Responses) > 0 {
			for _, s := range strs {
				with(func(m *session.Move) {
					m.Responses = slices.Clone(m.Responses)
					for k := range m.Responses {
						if m.Responses[k].Reason != "" {
							m.Responses[k].Reason = s
						}
					}
				}, fmt.Sprintf("the reason %q", s))
			}
		}
		if m.Yes != nil {
			no := !*m.Yes
			with(func(m *session.Move) { m.Yes = &no }, fmt.Sprintf("the vote %v", no))
		}
	}
	if e.Note != nil && len(e.Note.Scenario) > 0 && builtin != nil {
		g, note := e, *e.Note
		note.Scenario = builtin
		g.Note = &note
		add(g, "the built-in scenario")
	}
	return out
}

// builtinMiami is the built-in scenario as a scenario record holds it.
var builtinMiami = sync.OnceValue(func() json.RawMessage {
	sc, err := scenario.Builtin("miami-2025")
	if err != nil {
		panic(err)
	}
	b, err := session.EmbedScenario(sc)
	if err != nil {
		panic(err)
	}
	return b
})

// digestGuesses are the scenario digest attack's guesses: session.Digest
// (what the start event carried before engine version 3) of the scenario
// with the canary profiles, with each principal's reservation value
// guessed from 0.00 to 1.00, and with its interactions dropped, the first
// one's value guessed from -0.10 to 0.10 or its label left out.
func (n *negState) digestGuesses() []guess {
	if n.digests != nil {
		return n.digests
	}
	sc, err := scenario.Parse("stored.json", n.raw)
	if err != nil {
		panic(err)
	}
	add := func(what string) {
		d, err := hex.DecodeString(session.Digest(sc))
		if err != nil || len(d) < 16 {
			panic(fmt.Sprintf("digest %q", session.Digest(sc)))
		}
		n.digests = append(n.digests, guess{string(d[:16]), what})
	}
	add("every profile of the scenario")
	for _, p := range sc.Parties {
		if p.Profile == nil || p.Role == scenario.Mediator {
			continue
		}
		keep := p.Profile.Reservation
		for r := 0; r <= 100; r++ {
			v := float64(r) / 100
			p.Profile.Reservation = &v
			add(fmt.Sprintf("that %s's reservation value is %.2f", p.ID, v))
		}
		p.Profile.Reservation = keep
		// Its interactions: none at all, the first one's value guessed
		// from -0.10 to 0.10, its label unknown.
		ins := p.Profile.Interactions
		p.Profile.Interactions = nil
		add(fmt.Sprintf("that %s's profile has no interactions", p.ID))
		if len(ins) > 0 {
			guessed := slices.Clone(ins)
			p.Profile.Interactions = guessed
			for r := -10; r <= 10; r++ {
				guessed[0].Value = float64(r) / 100
				add(fmt.Sprintf("that %s's first interaction is worth %.2f", p.ID, guessed[0].Value))
			}
			guessed[0] = ins[0]
			guessed[0].Label = ""
			add(fmt.Sprintf("that %s's first interaction has no label", p.ID))
		}
		p.Profile.Interactions = ins
	}
	// The content hash of every prefix of the log (salts dropped): one
	// would let a viewer check guesses of everything it does not see.
	for k := 1; k <= len(n.full); k++ {
		d, _ := hex.DecodeString(session.ContentHash(n.full[:k]))
		n.digests = append(n.digests, guess{string(d[:16]), fmt.Sprintf("the content of events 1 to %d (session.ContentHash)", k)})
	}
	return n.digests
}

// bruteForce tries every attack against every hash-like value each viewer
// received: (a) the scenario digest (with the canary profiles, with guessed
// reservation values) and the log's content hash, (b) each event the
// viewer may not see whole, hashed without its salt (or with a salt the
// viewer was given) with its true content and with guesses in its place,
// (c) each canary's SHA-256 for viewers not allowed to see it.
func (a *audit) bruteForce() {
	var strs []string
	for _, c := range a.canaries {
		if !slices.Contains(strs, c.value) {
			strs = append(strs, c.value)
		}
	}
	strs = append(strs, "hello", "agreed", "")
	builtin := builtinMiami()
	fws := map[*negState]*framework.Framework{}
	for _, n := range a.negs {
		if sc, err := scenario.Parse("stored.json", n.raw); err == nil {
			fws[n] = sc.Framework
		}
		if n.guesses == nil {
			n.guesses = make([][]guess, len(n.full))
			for i := range n.full {
				n.guesses[i] = n.eventGuesses(i, "", strs, fws[n], builtin)
			}
		}
	}
	viewers := make([]string, 0, len(a.index))
	for v := range a.index {
		viewers = append(viewers, v)
	}
	sort.Strings(viewers)
	for _, v := range viewers {
		ix := a.index[v]
		// try reports a guess found: learn says what the viewer learns,
		// how what it computed.
		try := func(attack string, g guess, learn, how string) {
			a.tried[attack]++
			if where, ok := ix[g.key]; ok {
				a.errorf(v, attack, "LEAK (%s): %s learns %s: %s matches a value it received in %s", attack, v, learn, how, where)
			}
		}
		for _, n := range a.negs {
			for _, g := range n.digestGuesses() {
				try("digest attack", g, g.what+" in "+n.label, "the digest (session.Digest) so guessed")
			}
			w := n.who[v]
			for i := range n.full {
				e := &n.full[i]
				if _, whole := entitled(e, w); whole {
					continue
				}
				for _, g := range n.guesses[i] {
					try("hidden-event attack", g, fmt.Sprintf("event %d (%s by %q) of %s, %s", e.Seq, e.Kind, e.Party, n.label, g.what), "its SHA-256 without salt so guessed")
				}
				if salt := a.salts[v][n.id+"/"+strconv.Itoa(e.Seq)]; salt != "" {
					for _, g := range n.eventGuesses(i, salt, strs, fws[n], builtin) {
						try("hidden-event attack", g, fmt.Sprintf("event %d (%s by %q) of %s, %s", e.Seq, e.Kind, e.Party, n.label, g.what), "its SHA-256 with the salt it was given so guessed")
					}
				}
			}
		}
		for _, c := range a.canaries {
			if c.allowed[v] {
				continue
			}
			q, _ := json.Marshal(c.value)
			try("canary hash", sumGuess([]byte(c.value), ""), c.what+" ("+c.value+")", "its SHA-256")
			try("canary hash", sumGuess(q, ""), c.what+" ("+c.value+")", "the SHA-256 of it as a JSON string")
		}
	}
}

// collectorControl: every hash of an event a viewer was given (whole, or
// as a stub in its export) is in its index — the collector finds what the
// attacks look for.
func (a *audit) collectorControl(t *testing.T) {
	t.Helper()
	for _, ev := range a.evidence {
		if ev.neg == nil || ev.route != "GET /api/negotiations/{id}/log" || ev.status != http.StatusOK {
			continue
		}
		for _, e := range ev.neg.full {
			d, _ := hex.DecodeString(e.Hash)
			if _, ok := a.index[ev.viewer][string(d[:16])]; !ok {
				t.Errorf("control: the hash of event %d of %s, in %s's export, is not among the values collected: the collector does not work", e.Seq, ev.neg.label, ev.viewer)
			}
		}
	}
}

// streamOnce reads an event stream until it has carried the events up to
// last (the last one its viewer may see: the stream's backlog), then for a
// moment more, in case more comes; at most 10 s. It runs beside others,
// without the testing.T.
func streamOnce(base, path, creds string, last int) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+path, nil)
	setCreds(req, creds)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	l := &liveStream{done: make(chan struct{})}
	go func() {
		defer close(l.done)
		_, _ = io.Copy(l, resp.Body)
	}()
	want := fmt.Sprintf("id: %d\n", last)
	for !strings.Contains(l.text(), want) {
		select {
		case <-l.done:
			return resp.StatusCode, []byte(l.text()), nil
		case <-ctx.Done():
			<-l.done
			return resp.StatusCode, []byte(l.text()), nil
		case <-time.After(5 * time.Millisecond):
		}
	}
	select {
	case <-l.done:
	case <-time.After(100 * time.Millisecond):
	}
	cancel()
	<-l.done
	return resp.StatusCode, []byte(l.text()), nil
}

// lastVisible is the sequence number of the last event of n that w may see
// (0: none).
func lastVisible(n *negState, w who) int {
	last := 0
	for i := range n.full {
		if sees, _ := entitled(&n.full[i], w); sees {
			last = i + 1
		}
	}
	return last
}

// streamBrief reads what an event stream says in its first 300 ms.
func streamBrief(base, path, creds string) (int, []byte) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+path, nil)
	setCreds(req, creds)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body) // until the deadline cuts it
	return resp.StatusCode, b
}

func setCreds(req *http.Request, creds string) {
	switch {
	case strings.HasPrefix(creds, "bearer:"):
		req.Header.Set("Authorization", "Bearer "+strings.TrimPrefix(creds, "bearer:"))
	case strings.HasPrefix(creds, "invite:"):
		req.Header.Set(server.InviteHeader, strings.TrimPrefix(creds, "invite:"))
	}
}

// liveStream is an event stream held open while the session goes on.
type liveStream struct {
	neg    *negState
	viewer string
	cut    bool // its credential was revoked at event cutAt
	cutAt  int
	mu     sync.Mutex
	buf    bytes.Buffer
	done   chan struct{}
	cancel context.CancelFunc
	status int
}

func (l *liveStream) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *liveStream) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// watch opens viewer's event stream of n and keeps it open until close:
// the subscription is in place when it returns, so every later event
// reaches it.
func watch(t *testing.T, ts *testServer, n *negState, viewer string) *liveStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.http.URL+"/api/negotiations/"+n.id+"/stream", nil)
	setCreds(req, n.creds[viewer])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		cancel()
		resp.Body.Close()
		t.Fatalf("%s's stream of %s: %d", viewer, n.label, resp.StatusCode)
	}
	l := &liveStream{neg: n, viewer: viewer, done: make(chan struct{}), cancel: cancel, status: resp.StatusCode}
	go func() {
		defer close(l.done)
		defer resp.Body.Close()
		_, _ = io.Copy(l, resp.Body)
	}()
	t.Cleanup(cancel)
	return l
}

// close waits until the stream has had every event its viewer may see (or
// its end, when cut) and closes it; it returns what the stream carried.
func (l *liveStream) close(t *testing.T) evidence {
	t.Helper()
	want := fmt.Sprintf("id: %d\n", lastVisible(l.neg, l.neg.who[l.viewer]))
	if l.cut {
		want = "event: end"
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(l.text(), want) && time.Now().Before(deadline) {
		select {
		case <-l.done:
			deadline = time.Now()
		case <-time.After(5 * time.Millisecond):
		}
	}
	l.cancel()
	<-l.done
	return evidence{neg: l.neg, viewer: l.viewer, route: "GET /api/negotiations/{id}/stream", where: "the live stream of " + l.neg.label,
		status: l.status, body: []byte(l.text()), live: true, cut: l.cut, cutAt: l.cutAt}
}

// TestConfidentialBruteForceFindsEngine2Leaks is the brute force's
// positive control, end to end: a blind-bidding session under engine
// version 2 (a public scenario digest in the start event, unsalted event
// hashes) is stored and served by the room like any other; the same
// requests and the same attacks as TestConfidentiality then recover
// Russia's secret bid from the hashes Ukraine and an observer of Russia's
// seat receive, and Russia's reservation value from the start event —
// where the canary check finds nothing.
func TestConfidentialBruteForceFindsEngine2Leaks(t *testing.T) {
	ts := newTestServer(t, server.Config{AuthBurst: 100000, AuthRate: 1000})
	ctx := context.Background()
	id, tok := ts.miami(`{"protocol":"blind","mediator_sees":"overlap"}`)
	n := &negState{label: "the engine-2 session", id: id, creds: map[string]string{"mediator": ts.mediator(), "anon": ""},
		who: map[string]who{"mediator": {asMediator, "us"}, "anon": {}}}
	for _, p := range []string{"russia", "ukraine", "europe"} {
		n.creds[p], n.who[p] = "invite:"+tok[p], who{asParty, p}
	}
	var inv server.InviteResponse
	ts.mustDo("POST", "/api/negotiations/"+id+"/invites", n.creds["russia"], `{"observer":true}`, 201, &inv)
	n.creds["russia/observer"], n.who["russia/observer"] = "invite:"+inv.Token, who{asObserver, "russia"}
	ts.mustDo("POST", "/api/negotiations/"+id+"/invites", ts.mediator(), `{"party":"","observer":true}`, 201, &inv)
	n.creds["observer"], n.who["observer"] = "invite:"+inv.Token, who{asObserver, ""}
	// Russia's reservation value, one of the attack's guesses.
	const reservation = "0.37"
	raw := ts.mustDo("GET", "/api/negotiations/"+id+"/profile", n.creds["russia"], "", 200, nil)
	var prof map[string]any
	if err := json.Unmarshal(raw, &prof); err != nil {
		t.Fatal(err)
	}
	prof["reservation"] = 0.37
	delete(prof, "fallback")
	b, _ := json.Marshal(prof)
	ts.mustDo("PUT", "/api/negotiations/"+id+"/profile", n.creds["russia"], string(b), 200, nil)

	// The session, under engine version 2, written to the store as the
	// room would have (the room itself opens version 3 only).
	stored, err := ts.st.Negotiation(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Parse("stored.json", stored.Scenario)
	if err != nil {
		t.Fatal(err)
	}
	s, err := session.New(sc, session.Config{Protocol: session.Blind, Engine: 2}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	secret := make(framework.Package, len(sc.Framework.Points))
	secret[7] = 2
	other := make(framework.Package, len(sc.Framework.Points))
	other[3] = 1
	for _, m := range []session.Move{
		{Kind: session.KindBid, Party: "russia", Packages: []framework.Package{secret}},
		{Kind: session.KindBid, Party: "ukraine", Packages: []framework.Package{other}},
	} {
		if _, err := s.Submit(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := ts.st.AppendEvents(ctx, id, s.Events()); err != nil {
		t.Fatal(err)
	}
	// A second room over the same store loads it from there (the first
	// holds the negotiation in memory, not started).
	pub, key, _ := ed25519.GenerateKey(nil)
	svc := room.New(ts.st, nil, room.WithSigningKey(key))
	srv := server.New(server.Config{Service: svc, AuthBurst: 100000, AuthRate: 1000, Log: slog.New(slog.NewTextHandler(testWriter{t}, nil))})
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	ts2 := &testServer{t: t, srv: srv, http: hs, svc: svc, st: ts.st, login: ts.login, user: ts.user, pub: pub}

	a := &audit{pub: pub, negs: []*negState{n}}
	var found []finding
	a.report = func(f finding) { found = append(found, f) }
	n.load(t, ts.st)
	for _, v := range n.viewers() {
		for _, path := range []string{"", "/events", "/log"} {
			status, body, _ := ts2.do("GET", "/api/negotiations/"+id+path, n.creds[v], "")
			a.evidence = append(a.evidence, evidence{neg: n, viewer: v, route: "GET /api/negotiations/{id}" + path, where: "GET " + path, status: status, body: body})
		}
		status, body, err := streamOnce(hs.URL, "/api/negotiations/"+id+"/stream", n.creds[v], lastVisible(n, n.who[v]))
		if err != nil {
			t.Fatal(err)
		}
		a.evidence = append(a.evidence, evidence{neg: n, viewer: v, route: "GET /api/negotiations/{id}/stream", where: "GET /stream", status: status, body: body})
	}
	a.run()
	has := func(viewer, attack, what string) bool {
		for _, f := range found {
			if f.viewer == viewer && f.kind == attack && strings.Contains(f.msg, what) {
				return true
			}
		}
		return false
	}
	for _, c := range []struct{ viewer, attack, what string }{
		{"ukraine", "hidden-event attack", fmt.Sprintf("a bid of %v", secret)},
		{"europe", "hidden-event attack", fmt.Sprintf("a bid of %v", secret)},
		{"russia/observer", "hidden-event attack", fmt.Sprintf("a bid of %v", secret)},
		{"observer", "hidden-event attack", fmt.Sprintf("a bid of %v", secret)},
		{"ukraine", "digest attack", "that russia's reservation value is " + reservation},
		{"observer", "digest attack", "that russia's reservation value is " + reservation},
	} {
		if !has(c.viewer, c.attack, c.what) {
			t.Errorf("control: on engine version 2 the %s did not find, as %s, %s", c.attack, c.viewer, c.what)
		}
	}
	for _, f := range found {
		if f.kind == "canary" {
			t.Errorf("control: %s", f.msg)
		}
	}
	t.Logf("engine 2: %d findings, e.g. %s", len(found), firstOf(found, "hidden-event attack"))
}

func firstOf(fs []finding, kind string) string {
	for _, f := range fs {
		if f.kind == kind {
			return f.msg
		}
	}
	return "none"
}
