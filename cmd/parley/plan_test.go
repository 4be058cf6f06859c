package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/internal/cli"
	"github.com/parley-negotiation/parley/plan"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// implDay0 is the day of the scripted Miami agreement.
var implDay0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// miamiImplementation plays a scripted implementation of the Miami
// agreement (the 20-point outline, the first option of every point) and
// returns its log: the ceasefire from day 0, monitoring deployed day 5,
// violations on days 10 (minor, Russia) and 45 (major, Ukraine, disputed,
// then upheld by a review), the referendum on day 108, entry into force
// on day 112, the prisoner exchange 8 days late (day 150), a grave
// violation by Russia on day 160 that triggers the sanctions snap-back,
// reinstated on day 169. session/implementation_test.go checks the
// statuses of the same story by hand.
func miamiImplementation() ([]session.Event, error) {
	sc, err := scenario.Builtin("miami-2025")
	if err != nil {
		return nil, err
	}
	now := implDay0
	raw, err := session.EmbedScenario(sc)
	if err != nil {
		return nil, err
	}
	s, err := session.New(sc, session.Config{Protocol: session.SAO}, func() time.Time { return now },
		session.WithScenario(raw), session.WithSaltSeed(implSeed))
	if err != nil {
		return nil, err
	}
	day := func(n int, h ...int) time.Time {
		t := implDay0.AddDate(0, 0, n)
		if len(h) > 0 {
			t = t.Add(time.Duration(h[0]) * time.Hour)
		}
		return t
	}
	var ferr error
	move := func(at time.Time, m session.Move) int {
		now = at
		seq, err := s.Submit(m)
		if err != nil && ferr == nil {
			ferr = fmt.Errorf("%s %s at %v: %w", m.Kind, m.Party, at, err)
		}
		return seq
	}
	yes := true
	ratify := func(at time.Time, step int) {
		move(at, session.Move{Kind: session.KindRatify, Party: sc.Decision.Ratification[step-1].Party, Ref: step, Yes: &yes})
	}
	report := func(at time.Time, by string, r plan.Report) int {
		return move(at, session.Move{Kind: session.KindReport, Party: by, Report: &r})
	}
	respond := func(at time.Time, by string, seq int, a plan.Answer, text string) {
		move(at, session.Move{Kind: session.KindResponse, Party: by, Response: &plan.Response{Report: seq, Answer: a, Text: text}})
	}
	pkg := make(framework.Package, len(sc.Framework.Points))
	move(day(0), session.Move{Kind: session.KindOffer, Party: "russia", Package: pkg})
	move(day(0), session.Move{Kind: session.KindAccept, Party: "ukraine"})
	move(day(0), session.Move{Kind: session.KindAccept, Party: "europe"})
	ratify(day(1), 1)
	ratify(day(2), 2)
	report(day(5, 12), "peace-council", plan.Report{Commitment: "monitoring-deployed", Finding: plan.FindingFulfilled, When: day(5),
		Text: "The mission covers the whole line of contact.", Evidence: []string{"https://monitoring.example/declarations/1"}})
	report(day(11), "monitoring-mission", plan.Report{Commitment: "ceasefire", Finding: plan.FindingViolation, Party: "russia", Severity: plan.Minor,
		When: day(10, 3), Place: "Huliaipole", Evidence: []string{"https://monitoring.example/reports/10"}, Text: "Mortar fire on a Ukrainian position."})
	report(day(12, 1), "monitoring-mission", plan.Report{Commitment: "ceasefire", Finding: plan.FindingCompliance, When: day(12)})
	major := report(day(46), "monitoring-mission", plan.Report{Commitment: "ceasefire", Finding: plan.FindingViolation, Party: "ukraine", Severity: plan.Major,
		When: day(45), Place: "Kherson river crossing", Evidence: []string{"https://monitoring.example/reports/45"}})
	respond(day(47), "ukraine", major, plan.Dispute, "Our units returned fire.")
	respond(day(48), "russia", major, plan.Accept, "")
	report(day(50), "monitoring-mission", plan.Report{Commitment: "ceasefire", Finding: plan.FindingViolation, Party: "ukraine", Severity: plan.Major,
		When: day(45), Place: "Kherson river crossing", Replaces: major, Text: "Review: the imagery shows the first shots from the west bank.",
		Evidence: []string{"https://monitoring.example/reports/45", "https://monitoring.example/reports/45-review"}})
	report(day(52), "monitoring-mission", plan.Report{Commitment: "ceasefire", Finding: plan.FindingCompliance, When: day(52)})
	report(day(110), "peace-council", plan.Report{Commitment: "referendum", Finding: plan.FindingFulfilled, When: day(108),
		Evidence: []string{"https://cvk.example/results"}})
	ratify(day(110), 3)
	ratify(day(112), 4)
	report(day(151), "humanitarian-committee", plan.Report{Commitment: "prisoner-exchange", Finding: plan.FindingFulfilled, When: day(150),
		Text: "All 1,214 listed prisoners exchanged; ICRC lists reconciled."})
	grave := report(day(161), "monitoring-mission", plan.Report{Commitment: "ceasefire", Finding: plan.FindingViolation, Party: "russia", Severity: plan.Grave,
		When: day(160, 5), Place: "Zaporizhzhia front", Evidence: []string{"https://monitoring.example/reports/160", "https://monitoring.example/imagery/160"},
		Text: "Armoured assault across the line of contact."})
	respond(day(162), "russia", grave, plan.Dispute, "Provocation by the other side.")
	report(day(170), "peace-council", plan.Report{Commitment: "sanctions-snapback", Finding: plan.FindingFulfilled, When: day(169)})
	if ferr != nil {
		return nil, ferr
	}
	return s.Events(), nil
}

// implSeed makes the scripted log's salts, and so its hashes, the same on
// every run (golden files show them).
var implSeed = [32]byte{'i', 'm', 'p', 'l'}

// writeImplementation writes the scripted log with a checkpoint of its
// last event signed by priv (none when nil), as parley run writes logs.
func writeImplementation(path string, priv ed25519.PrivateKey) error {
	events, err := miamiImplementation()
	if err != nil {
		return err
	}
	var cps []session.Checkpoint
	if priv != nil {
		c, err := session.Sign(priv, events, events[len(events)-1].Time)
		if err != nil {
			return err
		}
		cps = append(cps, c)
	}
	var b bytes.Buffer
	if err := session.WriteRecord(&b, events, cps); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// testKey returns the deterministic key of the tests (and of the scripts'
// signing key: see TestScripts' Setup).
func testKey() ed25519.PrivateKey { return ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)) }

// writeTestKey writes testKey's pair as keyPath and its .pub.pem.
func writeTestKey(keyPath string) error {
	priv := testKey()
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return err
	}
	pder, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(keyPath), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return err
	}
	return os.WriteFile(strings.TrimSuffix(keyPath, ".pem")+".pub.pem", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pder}), 0o644)
}

// mkimpl FILE: write the scripted Miami implementation log, signed with
// the scripts' key.
func mkimpl(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: mkimpl FILE")
	}
	ts.Check(writeImplementation(ts.MkAbs(args[0]), testKey()))
}

// runParley runs the command line in process.
func runParley(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = cli.Main(args, strings.NewReader(""), &o, &e)
	return code, o.String(), e.String()
}

// TestVerifyNamesEveryTamperedEvent flips bytes in every line of the
// scripted log, reports and engine events alike: parley verify fails and
// names that event as the first bad record.
func TestVerifyNamesEveryTamperedEvent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "impl.jsonl")
	if err := writeImplementation(path, nil); err != nil {
		t.Fatal(err)
	}
	orig, _ := os.ReadFile(path)
	if code, out, errOut := runParley("verify", path); code != cli.ExitUnproven {
		t.Fatalf("the untouched, unsigned log: exit %d, want %d (verified, not proven)\n%s%s", code, cli.ExitUnproven, out, errOut)
	}
	lines := bytes.SplitAfter(orig, []byte("\n"))
	lines = lines[:len(lines)-1]
	rng := rand.New(rand.NewPCG(6, 6))
	kinds := map[string]int{}
	tampered := filepath.Join(dir, "tampered.jsonl")
	for i, line := range lines {
		var ev session.Event
		if err := json.Unmarshal(line, &ev); err != nil {
			t.Fatal(err)
		}
		kinds[ev.Kind]++
		named := regexp.MustCompile(fmt.Sprintf(`\bevent %d[ (]`, i+1))
		for range 6 {
			b := bytes.Clone(orig)
			off := len(bytes.Join(lines[:i], nil))
			k := off + rng.IntN(len(line)-1) // not the line end
			b[k] ^= 1 << rng.IntN(7)
			if err := os.WriteFile(tampered, b, 0o644); err != nil {
				t.Fatal(err)
			}
			code, _, errOut := runParley("verify", tampered)
			if code != cli.ExitFail || !named.MatchString(errOut) {
				t.Fatalf("event %d (%s): flipping byte %d (%q → %q) gave exit %d: %s", i+1, ev.Kind, k-off, orig[k], b[k], code, errOut)
			}
		}
	}
	if kinds[session.KindReport] < 8 || kinds[session.KindResponse] < 3 || kinds[session.KindTrigger] != 1 {
		t.Errorf("the scripted log has %v", kinds)
	}
}

// TestRehashedEditNeedsTheSignature: an edit whose author recomputes every
// hash after it passes the chain. The replay still catches an edit that
// changes what the engine draws (a grave violation made minor no longer
// triggers the snap-back); an edit of free text is caught only by a
// signature: the log's checkpoint, or an export's.
func TestRehashedEditNeedsTheSignature(t *testing.T) {
	dir := t.TempDir()
	events, err := miamiImplementation()
	if err != nil {
		t.Fatal(err)
	}
	signed, err := session.Sign(testKey(), events, events[len(events)-1].Time)
	if err != nil {
		t.Fatal(err)
	}
	key, pub := filepath.Join(dir, "k.pem"), filepath.Join(dir, "k.pub.pem")
	if err := writeTestKey(key); err != nil {
		t.Fatal(err)
	}
	write := func(name string, evs []session.Event, cps ...session.Checkpoint) string {
		var b bytes.Buffer
		if err := session.WriteRecord(&b, evs, cps); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	edit := func(f func(r *plan.Report) bool) []session.Event {
		evs := make([]session.Event, len(events))
		for i, e := range events {
			evs[i] = e
			if e.Move != nil && e.Move.Report != nil {
				m := *e.Move
				r := *m.Report
				if f(&r) {
					m.Report = &r
					evs[i].Move = &m
				}
			}
		}
		rehash(evs)
		return evs
	}
	weaker := write("weaker.jsonl", edit(func(r *plan.Report) bool {
		if r.Severity == plan.Grave {
			r.Severity = plan.Minor
			return true
		}
		return false
	}))
	code, _, errOut := runParley("verify", weaker)
	if code == 0 || !strings.Contains(errOut, "(trigger) does not follow") && !strings.Contains(errOut, "(trigger) differs") {
		t.Fatalf("a grave violation made minor: exit %d %s", code, errOut)
	}
	moved := write("moved.jsonl", edit(func(r *plan.Report) bool {
		if r.Place == "Zaporizhzhia front" {
			r.Place = "Donetsk front"
			return true
		}
		return false
	}))
	if code, out, errOut := runParley("verify", moved); code != cli.ExitUnproven {
		t.Fatalf("a rehashed text edit: exit %d %s%s (the chain alone cannot catch it, and proves nothing)", code, out, errOut)
	}
	// The checkpoint signed before the edit catches it.
	movedSigned := write("moved-signed.jsonl", edit(func(r *plan.Report) bool {
		if r.Place == "Zaporizhzhia front" {
			r.Place = "Donetsk front"
			return true
		}
		return false
	}), signed)
	if code, _, errOut := runParley("verify", movedSigned, "--pub", pub); code != cli.ExitFail || !strings.Contains(errOut, "rewritten") {
		t.Fatalf("a rehashed text edit under the original checkpoint: exit %d %s", code, errOut)
	}
	// The export signed before the edit catches it.
	orig := write("impl.jsonl", events)
	bundle := filepath.Join(dir, "bundle.json")
	if code, _, errOut := runParley("plan", "export", orig, "--key", key, "--at", "2026-09-01", "-o", bundle); code != 0 {
		t.Fatal(errOut)
	}
	b, _ := os.ReadFile(bundle)
	forged := bytes.Replace(b, []byte("Zaporizhzhia front"), []byte("Donetsk front"), -1)
	if bytes.Equal(forged, b) {
		t.Fatal("nothing to forge")
	}
	if err := os.WriteFile(bundle, forged, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runParley("verify", bundle, "--pub", pub)
	if code == 0 || !strings.Contains(errOut, "signature does not verify") {
		t.Fatalf("a forged export: exit %d %s", code, errOut)
	}
}

// rehash recomputes every event's link and hash, as a forger would.
func rehash(evs []session.Event) {
	prev := ""
	for i := range evs {
		evs[i].Prev, evs[i].Hash = prev, ""
		b, _ := json.Marshal(&evs[i])
		h := sha256.Sum256(b)
		evs[i].Hash = hex.EncodeToString(h[:])
		prev = evs[i].Hash
	}
}
