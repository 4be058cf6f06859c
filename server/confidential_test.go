package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/server"
	"github.com/parley-negotiation/parley/session"
)

// canary is a value planted in someone's private data, with the viewers
// allowed to see it.
type canary struct {
	value   string
	allowed map[string]bool
	what    string
}

func allow(vs ...string) map[string]bool {
	m := map[string]bool{}
	for _, v := range vs {
		m[v] = true
	}
	return m
}

// TestConfidentiality plants canaries in every party's private data
// (profile weights, reservation value, red-line reasons, interactions'
// values and labels, private messages,
// objections, blind bids) and calls every API route, the event stream and
// the log export as every kind of viewer — each party, an observer of each
// party's seat (invited by its delegation), a public observer, a verifier,
// the mediator who may see aggregates only and one who sees the profiles
// (mediator_sees full), a user of another negotiation, a party of another
// negotiation, nobody, and the holders of a re-issued seat's old
// credential and of its revoked observer's — and holds event streams open
// through the sessions. Nothing reaches anyone not allowed to see it:
//
//   - no canary (a third negotiation reaches an agreement and carries
//     reports and responses, public to the table, never to outsiders, and
//     messages after the agreement, never to a verifier);
//   - no event beyond those the viewer may see (the model of docs/room.md
//     in entitled), an observer of a seat gets that party's bids without
//     packages and without salt, the exported log holds every other event
//     as a stub that carries nothing (the scenario record among them, for
//     everyone) and verifies with the server's key;
//   - no hash-like value from which an attacker recovers anything
//     (bruteForce: the scenario digest, hidden events hashed without
//     their salt, the canaries' SHA-256);
//   - a revoked credential gets 401 everywhere, and its open stream ends.
//
// Positive controls check that the detectors find what they look for (each
// canary where it is allowed, every hash a viewer was given among the
// values collected), and mutations of the evidence — every event to
// everyone, a salt on an observer's bid or a stub, an unsalted hash, a
// digest, a canary's hash — must be reported;
// TestConfidentialBruteForceFindsEngine2Leaks runs the attacks end to end
// against a session of engine version 2.
func TestConfidentiality(t *testing.T) {
	began := time.Now()
	ts := newTestServer(t, server.Config{AuthBurst: 100000, AuthRate: 1000, StreamFresh: -1})
	ctx := context.Background()
	principals := []string{"russia", "ukraine", "europe"}
	var evid []evidence
	var lives []*liveStream
	// act is a request of the test's own, as viewer; what it gets counts.
	act := func(n *negState, viewer, method, path, body string, status int, out any) []byte {
		t.Helper()
		b := ts.mustDo(method, path, n.creds[viewer], body, status, out)
		evid = append(evid, evidence{neg: n, viewer: viewer, where: "setup: " + method + " " + path + " (" + n.label + ")", status: status, body: b})
		return b
	}
	var canaries []canary
	add := func(c canary) {
		for _, o := range canaries {
			if o.value == c.value {
				return // negotiations 1, 3 and 4 share their profiles
			}
		}
		canaries = append(canaries, c)
	}
	open := func(label, settings, verifier, mediator string) *negState {
		t.Helper()
		id, tok := ts.miami(settings)
		n := &negState{label: label, id: id, creds: map[string]string{mediator: ts.mediator(), "anon": ""},
			who: map[string]who{mediator: {asMediator, "us"}}}
		for _, p := range principals {
			n.creds[p], n.who[p] = "invite:"+tok[p], who{asParty, p}
		}
		var inv server.InviteResponse
		act(n, mediator, "POST", "/api/negotiations/"+id+"/invites", `{"party":"","observer":true,"person":"public gallery"}`, 201, &inv)
		n.creds["observer"], n.who["observer"] = "invite:"+inv.Token, who{asObserver, ""}
		n.creds["verifier"], n.who["verifier"] = "invite:"+ts.inviteVerifier(id, verifier), who{asVerifier, verifier}
		// Each delegation invites an observer of its own seat; the mediator
		// may count them, not see their ids.
		for _, p := range principals {
			act(n, p, "POST", "/api/negotiations/"+id+"/invites", `{"observer":true,"person":"adviser"}`, 201, &inv)
			n.creds[p+"/observer"], n.who[p+"/observer"] = "invite:"+inv.Token, who{asObserver, p}
			add(canary{inv.Invite.ID, allow(p), "the id of an observer invitation of " + p + "'s delegation"})
		}
		return n
	}
	start := func(n *negState) {
		t.Helper()
		for v, w := range n.who {
			if w.role == asMediator && v != "mediator:student" {
				act(n, v, "POST", "/api/negotiations/"+n.id+"/start", "", 200, nil)
			}
		}
		for _, v := range n.viewers() {
			if n.who[v].role != "" {
				lives = append(lives, watch(t, ts, n, v))
			}
		}
	}
	move := func(n *negState, viewer, m string) int {
		t.Helper()
		var ack server.MoveResponse
		act(n, viewer, "POST", "/api/negotiations/"+n.id+"/moves", m, 200, &ack)
		return ack.Seq
	}

	// own: a party's private data, which its seat's observers see too.
	own := func(p string, more ...string) map[string]bool {
		return allow(append([]string{p, p + "/observer"}, more...)...)
	}
	// plant puts canaries in every principal's profile of negotiation n
	// (set k): each weight, the reservation value and a red-line reason.
	// The trusted mediator of negotiation 4 (mediator_sees full) may see
	// them in its preview of the party's screen, nowhere else (the viewer
	// "mediator:full@preview": see audit.check); the canaries are shared
	// by negotiations 1, 3 and 4, and "mediator:full" sits in 4 only.
	plant := func(n *negState, k int) {
		t.Helper()
		for j, p := range principals {
			var pr profile.Profile
			act(n, p, "GET", "/api/negotiations/"+n.id+"/profile", "", 200, &pr)
			for i := range pr.Weights {
				pr.Weights[i] += 1e-7*float64(k)*float64(i+1) + 1e-9*float64(j+1)
				add(canary{strconv.FormatFloat(pr.Weights[i], 'g', -1, 64), own(p, "mediator:full@preview"), fmt.Sprintf("%s weight (set %d)", p, k)})
			}
			r := 0.0271828182*float64(k) + 1e-10*float64(j)
			pr.Reservation = &r
			pr.Fallback = nil
			reason := fmt.Sprintf("CANARY-N%d-%s-REDLINE", k, p)
			pr.RedLines = append(pr.RedLines, profile.RedLine{Terms: []profile.Term{{Point: 19, Levels: []int{0}}}, Reason: reason})
			add(canary{strconv.FormatFloat(r, 'g', -1, 64), own(p, "mediator:full@preview"), fmt.Sprintf("%s reservation (set %d)", p, k)})
			add(canary{reason, own(p, "mediator:full@preview"), p + " red-line reason"})
			// An interaction: its value and label are the party's own as
			// the rest of its profile.
			// The negative value's canary is its absolute value (a
			// canary starting with a digit is found as a whole number only).
			iv := 0.0161803398*float64(k) + 1e-7*float64(j+1)
			ov := 0.0314159265*float64(k) + 1e-7*float64(j+1)
			label := fmt.Sprintf("CANARY-N%d-%s-INTERACTION", k, p)
			pr.Interactions = append(pr.Interactions, profile.Interaction{Terms: []profile.Term{{Point: 0, Levels: []int{0}}, {Point: 1, Levels: []int{1, 0}}}, Value: iv, Label: label},
				profile.Interaction{Terms: []profile.Term{{Point: 2, Levels: []int{0}}}, Value: -ov, Outside: true})
			add(canary{strconv.FormatFloat(iv, 'g', -1, 64), own(p, "mediator:full@preview"), fmt.Sprintf("%s interaction value (set %d)", p, k)})
			add(canary{strconv.FormatFloat(ov, 'g', -1, 64), own(p, "mediator:full@preview"), fmt.Sprintf("%s unlabelled interaction value (set %d)", p, k)})
			add(canary{label, own(p, "mediator:full@preview"), p + " interaction label"})
			b, _ := json.Marshal(&pr)
			act(n, p, "PUT", "/api/negotiations/"+n.id+"/profile", string(b), 200, nil)
		}
	}
	text := make([][]int, 20)
	for i := range text {
		text[i] = []int{0}
	}
	text[0] = []int{0, 1}
	bracketed, _ := json.Marshal(text)

	// Negotiation 1: single text in bilateral format, mediator sees overlap only.
	n1 := open("N1 (single text, bilateral, mediator sees overlap)", `{"protocol":"single-text","format":"bilateral","mediator_sees":"overlap"}`, "monitoring-mission", "mediator")
	plant(n1, 1)
	// The mediator's analysis of these profiles (seconds of work, shared
	// by every negotiation of the test) computes meanwhile; the sweep's
	// requests wait for it.
	warm := make(chan struct{})
	go func() {
		defer close(warm)
		req, _ := http.NewRequest("GET", ts.http.URL+"/api/negotiations/"+n1.id+"/analysis", nil)
		setCreds(req, ts.mediator())
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
	defer func() { <-warm }()
	start(n1)
	for _, p := range principals {
		msg := "CANARY-" + p + "-TO-MEDIATOR"
		move(n1, p, `{"kind":"message","message":"`+msg+`","to":["us"]}`)
		add(canary{msg, own(p, "mediator"), p + "'s message to the mediator"})
	}
	move(n1, "ukraine", `{"kind":"message","message":"CANARY-ukraine-TO-europe","to":["europe"]}`)
	add(canary{"CANARY-ukraine-TO-europe", own("ukraine", "europe", "europe/observer"), "ukraine's message to europe"})
	// A bracketed draft; each party objects to point 1 with a private reason.
	move(n1, "mediator", `{"kind":"draft","text":`+string(bracketed)+`}`)
	for _, p := range principals {
		reason := "CANARY-" + p + "-OBJECTION"
		move(n1, p, `{"kind":"respond","responses":[{"point":1,"stance":"object","reason":"`+reason+`"},{"point":0,"stance":"accept","option":1}]}`)
		add(canary{reason, own(p, "mediator"), p + "'s objection"})
	}
	// Seats: ukraine's delegation invites another observer (whom the
	// mediator may count, not name); the mediator re-issues europe's seat
	// with a reason (europe and the mediator see it), which revokes
	// europe's credential and its observer's: their open streams end, and
	// they open nothing.
	var inv server.InviteResponse
	act(n1, "ukraine", "POST", "/api/negotiations/"+n1.id+"/invites", `{"observer":true,"person":"CANARY-N1-ukraine-ADVISER"}`, 201, &inv)
	add(canary{"CANARY-N1-ukraine-ADVISER", allow("ukraine"), "the person ukraine's delegation invited to observe"})
	add(canary{inv.Invite.ID, allow("ukraine"), "the id of an observer invitation of ukraine's delegation"})
	var reissued server.InviteResponse
	act(n1, "mediator", "POST", "/api/negotiations/"+n1.id+"/invites", `{"party":"europe","reissue":true,"reason":"CANARY-N1-europe-REISSUE"}`, 201, &reissued)
	add(canary{"CANARY-N1-europe-REISSUE", own("europe", "mediator"), "why europe's seat was re-issued"})
	log1, err := ts.st.Events(ctx, n1.id)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lives {
		if l.neg == n1 && (l.viewer == "europe" || l.viewer == "europe/observer") {
			l.cut, l.cutAt = true, len(log1)
		}
	}
	revoked, revokedObserver := n1.creds["europe"], n1.creds["europe/observer"]
	n1.creds["europe"] = "invite:" + reissued.Token
	act(n1, "europe", "POST", "/api/negotiations/"+n1.id+"/invites", `{"observer":true,"person":"new adviser"}`, 201, &inv)
	n1.creds["europe/observer"] = "invite:" + inv.Token
	add(canary{inv.Invite.ID, allow("europe"), "the id of an observer invitation of europe's new delegation"})
	lives = append(lives, watch(t, ts, n1, "europe"), watch(t, ts, n1, "europe/observer"))
	move(n1, "europe", `{"kind":"message","message":"CANARY-N1-europe-AFTER-REISSUE","to":["us"]}`)
	add(canary{"CANARY-N1-europe-AFTER-REISSUE", own("europe", "mediator"), "europe's message after the re-issue"})

	// Negotiation 2: blind bidding. Bids are private to their party; an
	// observer of the seat sees that it bid, not what.
	n2 := open("N2 (blind bidding)", `{"protocol":"blind","mediator_sees":"overlap"}`, "peace-council", "mediator")
	plant(n2, 1) // the profiles of negotiation 1: one analysis for all
	start(n2)
	// Two parties bid (so the round stays open and nothing is revealed).
	for k, p := range principals[:2] {
		pkg := make([]int, 20)
		pkg[19] = k + 1
		pb, _ := json.Marshal([][]int{pkg})
		move(n2, p, `{"kind":"bid","packages":`+string(pb)+`}`)
	}

	// Negotiation 3: the single text to an agreement, then the
	// implementation: reports, responses, messages.
	n3 := open("N3 (single text to an agreement and its implementation)", `{"protocol":"single-text","mediator_sees":"overlap"}`, "monitoring-mission", "mediator")
	// The same canaries as negotiation 1: the same profiles make the same
	// scenario, whose analysis the room has cached (another one would
	// double the test's time).
	plant(n3, 1)
	start(n3)
	ts.agreeMiami(n3.id, n3.creds)
	move(n3, "ukraine", `{"kind":"message","message":"CANARY-N3-ukraine-TO-MEDIATOR","to":["us"]}`)
	move(n3, "mediator", `{"kind":"message","message":"CANARY-N3-TO-THE-TABLE","to":["russia","ukraine","europe"]}`)
	when := time.Now().UTC().Format(time.RFC3339Nano)
	rep := move(n3, "verifier", `{"kind":"report","report":{"commitment":"ceasefire","finding":"violation","party":"russia","severity":"major","when":"`+when+`","place":"CANARY-N3-PLACE","text":"CANARY-N3-REPORT"}}`)
	move(n3, "russia", fmt.Sprintf(`{"kind":"response","response":{"report":%d,"answer":"dispute","text":"CANARY-N3-RESPONSE"}}`, rep))
	table := allow("russia", "ukraine", "europe", "russia/observer", "ukraine/observer", "europe/observer", "mediator")
	public := allow("russia", "ukraine", "europe", "russia/observer", "ukraine/observer", "europe/observer", "mediator", "observer", "verifier")
	add(canary{"CANARY-N3-ukraine-TO-MEDIATOR", own("ukraine", "mediator"), "ukraine's message to the mediator after the agreement"})
	add(canary{"CANARY-N3-TO-THE-TABLE", table, "the mediator's message to the parties after the agreement"})
	add(canary{"CANARY-N3-PLACE", public, "the place of a report"})
	add(canary{"CANARY-N3-REPORT", public, "the text of a report"})
	add(canary{"CANARY-N3-RESPONSE", public, "the text of a response"})

	// Negotiation 4: a trusted mediator (mediator_sees full), proximity
	// talks: the parties address the mediator only.
	n4 := open("N4 (single text, proximity, mediator sees full)", `{"protocol":"single-text","format":"proximity","mediator_sees":"full"}`, "humanitarian-committee", "mediator:full")
	plant(n4, 1)
	start(n4)
	for _, p := range principals {
		msg := "CANARY-N4-" + p + "-TO-MEDIATOR"
		move(n4, p, `{"kind":"message","message":"`+msg+`","to":["us"]}`)
		add(canary{msg, own(p, "mediator:full"), p + "'s message to the trusted mediator"})
	}
	move(n4, "mediator:full", `{"kind":"draft","text":`+string(bracketed)+`}`)
	for _, p := range principals {
		reason := "CANARY-N4-" + p + "-OBJECTION"
		move(n4, p, `{"kind":"respond","responses":[{"point":1,"stance":"object","reason":"`+reason+`"},{"point":0,"stance":"accept","option":1}]}`)
		add(canary{reason, own(p, "mediator:full"), p + "'s objection to the trusted mediator"})
	}

	// Negotiation 5: a class's room with a student mediator (the mediator's
	// seat held by invitation), mediator_sees overlap: the student makes
	// the mediator's moves and sees what the mediator's seat sees, and no
	// party's profile; the instructor (the owner) sees what the seat sees.
	var cr server.ClassResponse
	ts.mustDo("POST", "/api/classes", ts.mediator(), `{"scenario":{"builtin":"miami-2025"},"rooms":1,"settings":{"protocol":"single-text","format":"bilateral","mediator_sees":"overlap"},"seats":[`+
		`{"room":1,"party":"russia","person":"r"},{"room":1,"party":"ukraine","person":"u"},{"room":1,"party":"europe","person":"e"},{"room":1,"mediator":true,"person":"student"}]}`, 201, &cr)
	n5 := &negState{label: "N5 (a class's room with a student mediator, overlap)", id: cr.Seats[0].Negotiation,
		creds: map[string]string{"mediator": ts.mediator(), "anon": ""}, who: map[string]who{"mediator": {asMediator, "us"}}}
	for _, st := range cr.Seats {
		v := st.Party
		if st.Mediator {
			v = "mediator:student"
		}
		n5.creds[v], n5.who[v] = "invite:"+st.Token, who{asMediator, "us"}
		if !st.Mediator {
			n5.who[v] = who{asParty, st.Party}
		}
	}
	plant(n5, 1)
	start(n5)
	for _, p := range principals {
		msg := "CANARY-N5-" + p + "-TO-MEDIATOR"
		move(n5, p, `{"kind":"message","message":"`+msg+`","to":["us"]}`)
		add(canary{msg, own(p, "mediator", "mediator:student"), p + "'s message to the student mediator"})
	}
	move(n5, "ukraine", `{"kind":"message","message":"CANARY-N5-ukraine-TO-europe","to":["europe"]}`)
	add(canary{"CANARY-N5-ukraine-TO-europe", own("ukraine", "europe"), "ukraine's message to europe in the student's room"})
	move(n5, "mediator:student", `{"kind":"draft","text":`+string(bracketed)+`}`)
	for _, p := range principals {
		reason := "CANARY-N5-" + p + "-OBJECTION"
		move(n5, p, `{"kind":"respond","responses":[{"point":1,"stance":"object","reason":"`+reason+`"},{"point":0,"stance":"accept","option":1}]}`)
		add(canary{reason, own(p, "mediator", "mediator:student"), p + "'s objection to the student mediator"})
	}

	// Outsiders: a user with a negotiation of its own, a party of another
	// negotiation, the revoked credentials of negotiation 1.
	if _, err := ts.svc.CreateUser(ctx, "other", "another password"); err != nil {
		t.Fatal(err)
	}
	var lr struct{ Token string }
	ts.mustDo("POST", "/api/login", "", `{"name":"other","password":"another password"}`, 200, &lr)
	stranger := "bearer:" + lr.Token
	b := ts.mustDo("POST", "/api/negotiations", stranger, `{"scenario":{"builtin":"tiny-2p"},"settings":{"protocol":"sao"}}`, 201, nil)
	evid = append(evid, evidence{viewer: "stranger", where: "setup: POST /api/negotiations", status: 201, body: b})
	for _, n := range []*negState{n1, n2, n3, n4, n5} {
		n.creds["stranger"], n.creds["revoked"], n.creds["revoked/observer"] = stranger, revoked, revokedObserver
		n.creds["intruder"] = n1.creds["russia"]
		if n == n1 {
			n.creds["intruder"] = n2.creds["russia"]
		}
	}

	// A class, so that the class routes have an id.
	var cls server.ClassResponse
	ts.mustDo("POST", "/api/classes", ts.mediator(), `{"scenario":{"builtin":"tiny-2p"},"rooms":1,"settings":{"protocol":"sao"},"seats":[{"room":1,"party":"north","person":"n"}]}`, 201, &cls)

	// Every route as every viewer; the event streams all at once, each
	// read until its backlog has come.
	negs := []*negState{n1, n2, n3, n4, n5}
	covered := map[string]bool{}
	type streamRead struct {
		n    *negState
		v    string
		path string
	}
	var streams []streamRead
	// The mediator's analysis and plot last: they wait for the analysis,
	// which computes meanwhile.
	late := func(rt server.Route) bool {
		return strings.HasSuffix(rt.Pattern, "/analysis") || strings.HasSuffix(rt.Pattern, "/analysis/what-if") || strings.HasSuffix(rt.Pattern, "/dance.svg")
	}
	for _, pass := range []bool{false, true} {
		for _, n := range negs {
			for _, rt := range ts.srv.Routes() {
				if late(rt) != pass {
					continue
				}
				key := rt.Method + " " + rt.Pattern
				reqs := requestsFor(rt, n.id, cls.Class.ID)
				if reqs == nil {
					t.Fatalf("route %s has no request in the confidentiality test: add one", key)
				}
				covered[key] = true
				if noCredentials[key] && n != n1 {
					continue // the same answer whatever the negotiation
				}
				for _, v := range n.viewers() {
					for _, rq := range reqs {
						if key == "POST /api/login" && (n != n1 || v != "anon") {
							// A sign-in takes no credentials; one wrong
							// password is checked (argon2id, 0.1 s or more),
							// the others are refused unchecked (too long).
							rq.body = `{"name":"mediator","password":"` + strings.Repeat("x", 2000) + `"}`
						}
						if rt.Pattern == "/api/negotiations/{id}/stream" {
							streams = append(streams, streamRead{n, v, rq.path})
							continue
						}
						var status int
						var body []byte
						if rt.Pattern == "/api/classes/{id}/stream" || rt.Pattern == "/api/negotiations/{id}/invites/stream" {
							// The owner's stream stays open: what it says in
							// its first moments is the evidence.
							status, body = streamBrief(ts.http.URL, rq.path, n.creds[v])
						} else {
							status, body, _ = ts.do(rt.Method, rq.path, n.creds[v], rq.body)
						}
						evid = append(evid, evidence{neg: n, viewer: v, route: key, where: rt.Method + " " + rq.path + " (" + n.label + ")", status: status, body: body})
						if strings.HasPrefix(rt.Pattern, "/api/accounts") && n.creds[v] != ts.mediator() && status != http.StatusUnauthorized && status != http.StatusForbidden {
							// Accounts are the owner account's to manage.
							t.Errorf("%s %s as %s (not the room's owner): %d %.200s, want 401 or 403", rt.Method, rq.path, v, status, body)
						}
						if (v == "stranger" || v == "intruder") && strings.Contains(rt.Pattern, "{id}") && !strings.HasPrefix(rt.Pattern, "/api/classes") {
							// The id of a negotiation that is not yours is
							// not confirmed: the answer is that to an id
							// that does not exist.
							const fake = "no-such-negotiation"
							fs, fb, _ := ts.do(rt.Method, strings.Replace(rq.path, n.id, fake, 1), n.creds[v], rq.body)
							if fs != status || !bytes.Equal(bytes.ReplaceAll(fb, []byte(fake), []byte(n.id)), body) {
								t.Errorf("LEAK: %s %s as %s confirms the negotiation: %d %.200s, but for an id that does not exist %d %.200s", rt.Method, rq.path, v, status, body, fs, fb)
							}
						}
					}
				}
			}
		}
	}
	if len(covered) != len(ts.srv.Routes()) {
		t.Fatalf("covered %d of %d routes", len(covered), len(ts.srv.Routes()))
	}
	for _, n := range negs {
		n.load(t, ts.st)
	}
	read := make([]evidence, len(streams))
	var wg sync.WaitGroup
	for i, s := range streams {
		wg.Go(func() {
			status, body, err := streamOnce(ts.http.URL, s.path, s.n.creds[s.v], lastVisible(s.n, s.n.who[s.v]))
			if err != nil {
				body = []byte(err.Error())
			}
			read[i] = evidence{neg: s.n, viewer: s.v, route: "GET /api/negotiations/{id}/stream", where: "GET " + s.path + " (" + s.n.label + ")", status: status, body: body}
		})
	}
	wg.Wait()
	evid = append(evid, read...)
	for _, l := range lives {
		evid = append(evid, l.close(t))
	}

	asked := time.Since(began)
	a := &audit{pub: ts.pub, negs: negs, canaries: canaries, evidence: evid, report: func(f finding) { t.Error(f.msg) }}
	a.run()
	audited := time.Since(began) - asked

	// Positive controls: every canary was found by someone allowed to see
	// it, so the detector works and the data is really there; every hash
	// a viewer was given is among the values the brute force tries; every
	// viewer with access exported its log of every negotiation.
	for _, c := range canaries {
		if len(a.seen[c.value]) == 0 {
			t.Errorf("control: %s (%s) was seen by nobody; the detector cannot have worked", c.what, c.value)
		}
	}
	a.collectorControl(t)
	// The trusted mediator's preview of a party's screen carries the
	// party's profile (the overlap-only mediator's does not: audited above).
	previewed := 0
	for _, c := range canaries {
		if c.allowed["mediator:full@preview"] && a.seen[c.value]["mediator:full"] {
			previewed++
		}
	}
	if previewed == 0 {
		t.Error("control: the trusted mediator's previews showed no party's profile")
	}
	for _, v := range viewerOrder {
		want := 0
		for _, n := range negs {
			if n.who[v].role != "" {
				want++
			}
		}
		if a.exports[v] != want {
			t.Errorf("control: %d exports of %s checked, want %d", a.exports[v], v, want)
		}
	}
	// The observers of the bidding seats got their party's bids, without
	// packages, and as stubs in their exports.
	for _, v := range []string{"russia/observer", "ukraine/observer"} {
		if a.redactedBids[v] == 0 || a.stubbedBids[v] == 0 {
			t.Errorf("control: %s got %d bids without packages and %d as stubs in its export, want some of each", v, a.redactedBids[v], a.stubbedBids[v])
		}
	}
	confidentialMutations(t, a)

	t.Logf("%d answers to %d kinds of viewer in %d negotiations (%d live streams), %d hash-like values among them; guesses tried: %v; %v asking, %v auditing, %v in all",
		len(evid), len(viewerOrder), len(negs), len(lives), a.values, a.tried, asked.Round(time.Millisecond), audited.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
}

// confidentialMutations: the audit must report leaks in evidence changed as
// a broken room would change it — every event shown to everyone, the salt
// kept on an observer's bid or on a stub, a hidden event's hash without
// salt, the scenario digest, a canary's SHA-256.
func confidentialMutations(t *testing.T, a *audit) {
	t.Helper()
	n1, n2 := a.negs[0], a.negs[1]
	mutate := func(name string, evid []evidence, want func(fs []finding) string) {
		t.Helper()
		var fs []finding
		m := &audit{pub: a.pub, negs: a.negs, canaries: a.canaries, evidence: evid, report: func(f finding) { fs = append(fs, f) }}
		m.run()
		if miss := want(fs); miss != "" {
			t.Errorf("mutation %q: the audit does not report %s (%d findings)", name, miss, len(fs))
		}
	}
	has := func(fs []finding, viewer, kind, text string) bool {
		for _, f := range fs {
			if f.viewer == viewer && f.kind == kind && strings.Contains(f.msg, text) {
				return true
			}
		}
		return false
	}

	// Every event to everyone (room.mayView returning true).
	var evid []evidence
	for _, n := range a.negs {
		all, _ := json.Marshal(n.full)
		for _, v := range n.viewers() {
			evid = append(evid, evidence{neg: n, viewer: v, route: "GET /api/negotiations/{id}/events", where: "(every event to everyone) GET /events of " + n.label, status: 200, body: all})
		}
	}
	mutate("every event to everyone", evid, func(fs []finding) string {
		for _, v := range viewerOrder {
			if !has(fs, v, "canary", "LEAK") || !has(fs, v, "event", "LEAK") {
				return "the leaks to " + v
			}
		}
		return ""
	})

	// An observer of russia's seat gets russia's bid without its packages
	// but with its salt: it recovers the packages by brute force.
	var bid session.Event
	for _, e := range n2.full {
		if e.Kind == session.KindBid && e.Party == "russia" {
			bid = e
		}
	}
	redacted := bid
	m := *bid.Move
	m.Packages = nil
	redacted.Move = &m
	body, _ := json.Marshal([]session.Event{redacted})
	mutate("an observer's bid keeps its salt", []evidence{{neg: n2, viewer: "russia/observer", route: "GET /api/negotiations/{id}/events", where: "(salt kept) GET /events?after=1", status: 200, body: body}},
		func(fs []finding) string {
			if !has(fs, "russia/observer", "salt", "LEAK") {
				return "the salt"
			}
			if !has(fs, "russia/observer", "hidden-event attack", fmt.Sprintf("a bid of %v", bid.Move.Packages[0])) {
				return "the bid recovered from the salt and the hash"
			}
			return ""
		})

	// A stub in russia's export that carries the salt of the scenario
	// record: its whole content is checked against the hash.
	salted := false
	for _, ev := range a.evidence {
		if ev.neg != n1 || ev.viewer != "russia" || ev.route != "GET /api/negotiations/{id}/log" {
			continue
		}
		salted = true
		lines := bytes.Split(ev.body, []byte("\n"))
		stub := n1.full[1].Stub()
		stub.Salt = n1.full[1].Salt
		lines[1], _ = json.Marshal(&stub)
		mutate("a stub keeps its salt", []evidence{{neg: n1, viewer: "russia", route: ev.route, where: "(salted stub) " + ev.where, status: 200, body: bytes.Join(lines, []byte("\n"))}},
			func(fs []finding) string {
				if !has(fs, "russia", "export", "LEAK") {
					return "the stub's content"
				}
				if !has(fs, "russia", "hidden-event attack", "event 2 (scenario") {
					return "the scenario record recovered from the salt and the hash"
				}
				return ""
			})
	}
	if !salted {
		t.Error("mutation \"a stub keeps its salt\": russia's export of negotiation 1 is missing")
	}

	// The hash of ukraine's message to europe without its salt (as the
	// engine wrote it before version 3), in an answer to russia.
	var msg session.Event
	for _, e := range n1.full {
		if e.Kind == session.KindMessage && e.Party == "ukraine" && slices.Contains(e.Visible, "europe") {
			msg = e
		}
	}
	msg.Salt, msg.Hash = "", ""
	unsalted, _ := json.Marshal(&msg)
	body = []byte(fmt.Sprintf(`{"prev":"%x"}`, sha256.Sum256(unsalted)))
	mutate("a hash without salt", []evidence{{neg: n1, viewer: "russia", where: "(unsalted hash)", status: 200, body: body}}, func(fs []finding) string {
		if !has(fs, "russia", "hidden-event attack", "CANARY-ukraine-TO-europe") {
			return "ukraine's message recovered from its unsalted hash"
		}
		return ""
	})

	// The scenario's digest (as the start event carried it before version
	// 3) and a canary's SHA-256 truncated to 20 bytes, in an answer to
	// ukraine.
	sc, err := scenario.Parse("stored.json", n1.raw)
	if err != nil {
		t.Fatal(err)
	}
	red := sha256.Sum256([]byte("CANARY-N1-europe-REDLINE"))
	body = []byte(fmt.Sprintf(`{"digest":"%s","etag":"%s"}`, session.Digest(sc), hex.EncodeToString(red[:20])))
	mutate("a digest and a canary's hash", []evidence{{neg: n1, viewer: "ukraine", where: "(digests)", status: 200, body: body}}, func(fs []finding) string {
		if !has(fs, "ukraine", "digest attack", "every profile") {
			return "the scenario digest"
		}
		if !has(fs, "ukraine", "canary hash", "CANARY-N1-europe-REDLINE") {
			return "the canary's SHA-256"
		}
		return ""
	})
}

type apiRequest struct{ path, body string }

// requestsFor returns the requests that exercise a route (nil for a route
// the test does not know, which fails the test).
func requestsFor(rt server.Route, neg, class string) []apiRequest {
	n := "/api/negotiations/" + neg
	c := "/api/classes/" + class
	pkg := `[` + strings.TrimSuffix(strings.Repeat("0,", 20), ",") + `]`
	switch rt.Method + " " + rt.Pattern {
	case "GET /api/health", "GET /api/ready", "GET /metrics", "GET /api/keys", "GET /api/stats", "GET /api/me", "GET /api/scenarios", "GET /api/protocols":
		return []apiRequest{{rt.Pattern, ""}}
	case "GET /api/me/sessions", "GET /api/accounts":
		return []apiRequest{{rt.Pattern, ""}}
	case "POST /api/me/password":
		// A wrong current password: nothing changes.
		return []apiRequest{{rt.Pattern, `{"current":"wrong password","password":"a new password"}`}}
	case "POST /api/me/sessions/revoke":
		// Sign-ins that do not exist, and neither ids nor all: nobody is
		// signed out.
		return []apiRequest{{rt.Pattern, `{"ids":["000000000000000000000000"]}`}, {rt.Pattern, `{}`}}
	case "POST /api/accounts":
		// A password too short: nothing is added.
		return []apiRequest{{rt.Pattern, `{"name":"newcomer","role":"mediator","password":"short"}`}}
	case "DELETE /api/accounts/{account}":
		return []apiRequest{{"/api/accounts/no-such-account", ""}}
	case "GET /api/accounts/{account}/sessions":
		return []apiRequest{{"/api/accounts/no-such-account/sessions", ""}}
	case "POST /api/accounts/{account}/sessions/revoke":
		return []apiRequest{{"/api/accounts/no-such-account/sessions/revoke", `{"all":true}`}}
	case "GET /api/classes":
		return []apiRequest{{rt.Pattern, ""}, {rt.Pattern + "?archived=1", ""}}
	case "GET /api/negotiations":
		return []apiRequest{{rt.Pattern, ""}, {rt.Pattern + "?archived=1", ""}}
	case "POST /api/login":
		return []apiRequest{{rt.Pattern, `{"name":"mediator","password":"wrong"}`}}
	case "POST /api/logout":
		return []apiRequest{{rt.Pattern, ""}}
	case "POST /api/join":
		return []apiRequest{{rt.Pattern, `{"token":"forged"}`}}
	case "POST /api/negotiations":
		return []apiRequest{{rt.Pattern, `{"scenario":{"builtin":"tiny-2p"},"settings":{"protocol":"sao"}}`}}
	case "GET /api/negotiations/{id}":
		return []apiRequest{{n, ""}}
	case "DELETE /api/negotiations/{id}":
		// Without the confirmation: the sweep deletes nothing.
		return []apiRequest{{n, `{"confirm":"no"}`}, {n + "?keep=record", `{"confirm":"no"}`}}
	case "POST /api/negotiations/{id}/archive":
		// Restores (the negotiations are not archived): nothing changes.
		return []apiRequest{{n + "/archive", `{"archived":false}`}}
	case "GET /api/negotiations/{id}/preview/{party}":
		return []apiRequest{{n + "/preview/russia", ""}, {n + "/preview/europe", ""}, {n + "/preview/us", ""}, {n + "/preview/nobody", ""}}
	case "GET /api/negotiations/{id}/invites/stream":
		return []apiRequest{{n + "/invites/stream", ""}}
	case "GET /api/negotiations/{id}/invites":
		return []apiRequest{{n + "/invites", ""}}
	case "POST /api/negotiations/{id}/invites":
		return []apiRequest{
			{n + "/invites", `{"party":"nobody"}`},
			{n + "/invites", `{"party":"ukraine","observer":true}`},
			{n + "/invites", `{"party":"russia","reissue":true,"hours":-1}`},
		}
	case "POST /api/negotiations/{id}/invites/{invite}/revoke":
		return []apiRequest{{n + "/invites/no-such-invitation/revoke", `{}`}, {n + "/invites/no-such-invitation/revoke", ``}}
	case "POST /api/negotiations/{id}/start":
		return []apiRequest{{n + "/start", ""}}
	case "POST /api/negotiations/{id}/moves":
		return []apiRequest{
			{n + "/moves", `{"kind":"vote"}`},
			{n + "/moves", `{"kind":"respond","responses":[{"point":99,"stance":"accept"}]}`},
			{n + "/moves", `{"kind":"bid","packages":[` + pkg + `]}`},
			{n + "/moves", `{"kind":"report","report":{"commitment":"no-such-commitment","finding":"compliance","when":"2026-01-01T00:00:00Z"}}`},
			{n + "/moves", `{"kind":"response","response":{"report":1,"answer":"dispute"}}`},
		}
	case "GET /api/negotiations/{id}/events":
		return []apiRequest{{n + "/events", ""}, {n + "/events?after=3", ""}}
	case "GET /api/negotiations/{id}/stream":
		return []apiRequest{{n + "/stream", ""}}
	case "GET /api/negotiations/{id}/log":
		return []apiRequest{{n + "/log", ""}}
	case "GET /api/negotiations/{id}/profile":
		return []apiRequest{{n + "/profile", ""}}
	case "PUT /api/negotiations/{id}/profile":
		return []apiRequest{{n + "/profile", `{"weights":[1]}`}}
	case "POST /api/negotiations/{id}/evaluate":
		return []apiRequest{{n + "/evaluate", `{"package":` + pkg + `}`}}
	case "GET /api/negotiations/{id}/analysis":
		return []apiRequest{{n + "/analysis", ""}}
	case "POST /api/negotiations/{id}/analysis/what-if":
		return []apiRequest{
			{n + "/analysis/what-if", `{"changes":[{"party":"russia","reservation":0.5},{"party":"ukraine","point":"p03-security-guarantees","weight":0.2}]}`},
			{n + "/analysis/what-if", `{"changes":[{"party":"nobody","reservation":2}]}`},
		}
	case "GET /api/negotiations/{id}/dance.svg":
		return []apiRequest{{n + "/dance.svg", ""}}
	case "GET /api/negotiations/{id}/plan":
		return []apiRequest{{n + "/plan", ""}, {n + "/plan?at=2020-01-01T00:00:00Z", ""}, {n + "/plan?at=2999-01-01T00:00:00Z", ""}}
	case "GET /api/negotiations/{id}/agreement":
		return []apiRequest{{n + "/agreement", ""}, {n + "/agreement?version=1", ""}}
	case "GET /api/negotiations/{id}/agreement.md":
		return []apiRequest{{n + "/agreement.md", ""}}
	case "GET /api/negotiations/{id}/agreement.html":
		return []apiRequest{{n + "/agreement.html", ""}, {n + "/agreement.html?print=1", ""}}
	case "GET /api/negotiations/{id}/versions":
		return []apiRequest{{n + "/versions", ""}}
	case "GET /api/negotiations/{id}/diff":
		return []apiRequest{{n + "/diff", ""}, {n + "/diff?from=1&to=2", ""}}
	case "GET /api/negotiations/{id}/diff.md":
		return []apiRequest{{n + "/diff.md", ""}}
	case "GET /api/negotiations/{id}/diff.html":
		return []apiRequest{{n + "/diff.html", ""}}
	case "POST /api/classes":
		return []apiRequest{{rt.Pattern, `{"scenario":{"builtin":"tiny-2p"},"rooms":1,"settings":{"protocol":"sao"}}`}}
	case "GET /api/classes/{id}":
		return []apiRequest{{c, ""}}
	case "DELETE /api/classes/{id}":
		// Without the confirmation: the sweep deletes nothing.
		return []apiRequest{{c, `{"confirm":"no"}`}}
	case "POST /api/classes/{id}/archive":
		// Restores (the class is not archived): nothing changes.
		return []apiRequest{{c + "/archive", `{"archived":false}`}}
	case "POST /api/classes/{id}/clone":
		return []apiRequest{{c + "/clone", `{"title":"clone"}`}}
	case "POST /api/classes/{id}/start":
		return []apiRequest{{c + "/start", ""}}
	case "GET /api/classes/{id}/debrief":
		return []apiRequest{{c + "/debrief", ""}}
	case "GET /api/classes/{id}/stream":
		return []apiRequest{{c + "/stream", ""}}
	case "GET /api/classes/{id}/debrief.csv":
		return []apiRequest{{c + "/debrief.csv", ""}}
	case "GET /api/classes/{id}/debrief.svg":
		return []apiRequest{{c + "/debrief.svg", ""}}
	case "POST /api/shuttles":
		// Refused: nothing is created (TestShuttleConfidentiality checks
		// the shuttle routes on shuttles that exist).
		return []apiRequest{{rt.Pattern, `{"scenario":"no-such-scenario"}`}}
	}
	if strings.HasPrefix(rt.Pattern, "/api/shuttles") {
		return shuttleRequests(rt, "no-such-shuttle")
	}
	return nil
}

// containsValue reports whether s holds v; a number counts only as a whole
// number (0.0100015 is not found in 0.01000150150), so that a party's own
// figures are not mistaken for another's canary.
func containsValue(s, v string) bool {
	digit := func(b byte) bool { return b >= '0' && b <= '9' || b == '.' }
	for i := 0; ; {
		j := strings.Index(s[i:], v)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(v)
		if !digit(v[0]) || ((j == 0 || !digit(s[j-1])) && (end == len(s) || !digit(s[end]))) {
			return true
		}
		i = j + 1
	}
}

func excerpt(s, v string) string {
	i := strings.Index(s, v)
	lo, hi := max(0, i-60), min(len(s), i+len(v)+60)
	return s[lo:hi]
}
