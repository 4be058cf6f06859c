package cli

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/parley-negotiation/parley/plan"
	"github.com/parley-negotiation/parley/session"
)

// maxInput bounds a log or an export read by verify and plan.
const maxInput = 1 << 30

func newVerify(e *env) *cobra.Command {
	var pubs []string
	var jsonOut bool
	c := &cobra.Command{
		Use:   "verify LOG [SCENARIO]",
		Short: "Check a log, a partial log or a signed export, and what it proves",
		Long: `Verify checks a session's event log (JSON lines, as parley run, parley serve
and the commands that record on a log write them), including the ratification
steps and the implementation reports and responses recorded after the
agreement: every line must be exactly as the engine writes it, every event's
hash and link must hold, and replaying every move through the engine must give
exactly the recorded events. The first bad record is named by its sequence
number and kind.

Then it says what is proven. A log ends with checkpoints: ed25519 signatures of
its last event's hash by the key of whoever wrote it (parley run, the room's
server). With the signer's public key (--pub, repeatable), a checkpoint proves
that the log is the signer's up to that event: a truncated log (a checkpoint
names an event it no longer has) or a rewritten one (the event's hash differs)
is caught. Without a checkpoint by a trusted key covering the last event the
log is consistent but not proven — anyone who has the scenario can write a log
that replays — and verify says so.

A viewer's partial log (the room's export for one viewer: the events it may
see, the others as hidden stubs of sequence number, link and hash) is checked
the same way but not replayed. An export made by parley plan export is checked
with its log, its head and derived status, and its signature with --pub.

The scenario is the one the log records (logs of engine version 3); for older
logs, SCENARIO, by default the built-in scenario the log names.

Exit status: 0 verified and proven; 3 verified but not proven (unsigned, no
trusted key given, or not signed up to its last event); 1 a bad record, a
broken chain, a replay that differs or a signature that does not verify;
2 bad arguments.`,
		Example: `  parley verify session.jsonl --pub ~/.config/parley/signing-key.pub.pem
  parley verify viewer-log.jsonl --pub room.pub.pem
  parley verify bundle.json --pub council.pub.pem`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			scArg := ""
			if len(args) == 2 {
				scArg = args[1]
			}
			data, err := readInput(args[0])
			if err != nil {
				return err
			}
			var trusted []ed25519.PublicKey
			for _, p := range pubs {
				k, err := readPublicKey(p)
				if err != nil {
					return err
				}
				trusted = append(trusted, k)
			}
			if isExport(data) {
				return verifyExport(e, args[0], data, scArg, trusted, jsonOut)
			}
			lf, err := parseLogFile(args[0], data, scArg, nil)
			if err != nil {
				return err
			}
			var s *session.Session
			if !lf.partial() {
				if s, err = lf.replay(); err != nil {
					return err
				}
			}
			proof, err := session.CheckCheckpoints(lf.events(), lf.rec.Checkpoints, trusted...)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			return printVerified(e, lf, s, proof, len(trusted) > 0, jsonOut, nil)
		},
	}
	c.Flags().StringArrayVar(&pubs, "pub", nil, "a trusted public key (PEM): the log's signer's, or an export's (repeatable)")
	c.Flags().BoolVar(&jsonOut, "json", false, "print the result as JSON")
	return c
}

func readInput(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, usageError{err}
		}
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && !st.Mode().IsRegular() {
		return nil, usagef("%s is not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxInput+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > maxInput {
		return nil, fmt.Errorf("%s: larger than %d MiB", path, maxInput>>20)
	}
	return data, nil
}

// verifiedSession reads a log, checks every record and the chain, and
// replays it against its scenario (the recorded one, or scArg).
func verifiedSession(name string, data []byte, scArg string) (*session.Session, []session.Event, error) {
	lf, err := parseLogFile(name, data, scArg, nil)
	if err != nil {
		return nil, nil, err
	}
	s, err := lf.replay()
	if err != nil {
		return nil, nil, err
	}
	return s, lf.events(), nil
}

// verifyResult is what verify reports.
type verifyResult struct {
	Log      string `json:"log"`
	Verified bool   `json:"verified"`
	// Proven: a trusted key signed the log up to its last event (or, for
	// an export, its signature verified with a trusted key).
	Proven bool   `json:"proven"`
	Events int    `json:"events"`
	Head   string `json:"head"`
	// Partial: a viewer's log; Hidden counts the events it does not see.
	Partial  bool   `json:"partial,omitempty"`
	Hidden   int    `json:"hidden,omitempty"`
	Scenario string `json:"scenario"`
	// Recorded: the log records its scenario (engine version 3).
	Recorded  bool   `json:"recorded,omitempty"`
	Digest    string `json:"digest,omitempty"`
	Status    string `json:"status,omitempty"`
	Reports   int    `json:"reports"`
	Responses int    `json:"responses"`
	Triggers  int    `json:"triggers"`
	// Checkpoints are the log's valid signed checkpoints; SignedUpTo the
	// last event a trusted key signed (0: none).
	Checkpoints []session.Checkpoint `json:"checkpoints,omitempty"`
	SignedUpTo  int                  `json:"signed_up_to"`
	// NotProven says why the log is not proven.
	NotProven string `json:"not_proven,omitempty"`
	// Signature: "verified", or "not checked" for an export without --pub.
	Signature string `json:"signature,omitempty"`
	KeyID     string `json:"key_id,omitempty"`
	Exported  string `json:"exported,omitempty"`
}

func printVerified(e *env, lf *logFile, s *session.Session, proof *session.Proof, keys bool, jsonOut bool, x *verifyResult) error {
	events := lf.events()
	name := lf.path
	r := verifyResult{Log: name, Verified: true, Events: len(events), Head: events[len(events)-1].Hash,
		Scenario: events[0].Note.Config.Scenario, Recorded: lf.recorded, Partial: lf.partial(),
		Checkpoints: proof.Signed, SignedUpTo: proof.Covered}
	if s != nil {
		r.Digest, r.Status = s.Config.Digest, s.State.Status
	}
	for i := range events {
		switch events[i].Kind {
		case session.KindReport:
			r.Reports++
		case session.KindResponse:
			r.Responses++
		case session.KindTrigger:
			r.Triggers++
		case session.KindHidden:
			r.Hidden++
		}
	}
	switch {
	case x != nil:
		r.Signature, r.KeyID, r.Exported = x.Signature, x.KeyID, x.Exported
		r.Proven = x.Signature == "verified"
		if !r.Proven {
			r.NotProven = "the export's signature was not checked: give the signer's public key with --pub"
		}
	case proof.Complete():
		r.Proven = true
	case len(proof.Signed) == 0:
		r.NotProven = "the log carries no signed checkpoint: anyone who has its scenario could have written it or cut its end"
	case !keys:
		last := proof.Signed[len(proof.Signed)-1]
		r.NotProven = fmt.Sprintf("signed by key %s up to event %d, but no trusted key was given: give the signer's public key with --pub", short(last.KeyID), last.Seq)
	case proof.Trusted == nil:
		r.NotProven = "no checkpoint is signed by a key given with --pub"
	default:
		r.NotProven = fmt.Sprintf("a trusted key signed the log up to event %d of %d: the events after it are not proven", proof.Covered, len(events))
	}
	if jsonOut {
		if err := writeJSON(e.stdout, r); err != nil {
			return err
		}
	} else {
		printVerifiedText(e, &r, proof)
	}
	if !r.Proven {
		return unproven{fmt.Errorf("%s: verified but not proven: %s", name, r.NotProven)}
	}
	return nil
}

func printVerifiedText(e *env, r *verifyResult, proof *session.Proof) {
	name := clean(r.Log)
	what := "log"
	switch {
	case r.Exported != "":
		what = "export"
	case r.Partial:
		what = "partial log"
	}
	if r.Partial {
		fmt.Fprintf(e.stdout, "%s: %s verified: %d events (%d hidden from this viewer, given by their hashes), every record as the engine writes it, hash chain intact (a partial log is not replayed)\n", name, what, r.Events, r.Hidden)
	} else {
		fmt.Fprintf(e.stdout, "%s: %s verified: %d events, every record as the engine writes it, hash chain intact, replay equals the recorded session\n", name, what, r.Events)
	}
	sc := "scenario " + clean(r.Scenario)
	switch {
	case r.Recorded:
		sc += " (recorded in the log)"
	case r.Digest != "":
		sc += " (digest " + r.Digest + ")"
	}
	if r.Status != "" {
		sc += ", status " + r.Status
	}
	fmt.Fprintln(e.stdout, sc)
	fmt.Fprintf(e.stdout, "last event %d: %s\n", r.Events, r.Head)
	if r.Reports+r.Responses > 0 {
		fmt.Fprintf(e.stdout, "implementation: %d %s, %d %s, %d %s\n", r.Reports, countNoun(r.Reports, "report", "reports"),
			r.Responses, countNoun(r.Responses, "response", "responses"), r.Triggers, countNoun(r.Triggers, "trigger", "triggers"))
	}
	if r.Exported != "" {
		fmt.Fprintf(e.stdout, "exported %s; derived status at export matches\n", r.Exported)
	}
	for _, c := range proof.Signed {
		trusted := ""
		if proof.Trusted != nil && c.KeyID == proof.Trusted.KeyID {
			trusted = ", a trusted key"
		}
		fmt.Fprintf(e.stdout, "checkpoint: event %d signed %s by key %s%s\n", c.Seq, c.Time.UTC().Format(time.RFC3339), c.KeyID, trusted)
	}
	switch {
	case r.Signature == "verified":
		fmt.Fprintf(e.stdout, "signature: ed25519, verified with key %s\n", r.KeyID)
	case r.Proven:
		fmt.Fprintf(e.stdout, "proven: signed by a trusted key up to its last event\n")
	}
	if !r.Proven {
		fmt.Fprintf(e.stdout, "NOT PROVEN: %s\n", r.NotProven)
	}
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// ---- exports ----

// exportFormat names the export's format and version.
const exportFormat = "parley-implementation-export/1"

// Export is a signed bundle of a session log and its implementation status.
type Export struct {
	// Body is signed as its compact JSON (insignificant white space
	// removed, as json.Compact does).
	Body      json.RawMessage `json:"body"`
	Signature ExportSignature `json:"signature"`
}

// ExportBody is what an export holds.
type ExportBody struct {
	Format   string `json:"format"`
	Scenario string `json:"scenario"`
	Digest   string `json:"digest"`
	// Exported is the time the status was derived at.
	Exported time.Time `json:"exported"`
	Events   int       `json:"events"`
	// Head is the hash of the last event.
	Head string `json:"head"`
	// Log holds the log's lines, exactly as written.
	Log    []string     `json:"log"`
	Status *plan.Status `json:"status"`
}

// ExportSignature is an ed25519 signature of the body.
type ExportSignature struct {
	Algorithm string `json:"algorithm"`
	// KeyID is the hex SHA-256 of the public key's PKIX (DER) form.
	KeyID     string `json:"key_id"`
	PublicKey string `json:"public_key"` // base64, the raw 32 bytes
	Value     string `json:"value"`      // base64
}

// isExport tells an export from a log: a single JSON object with a body.
func isExport(data []byte) bool {
	var probe struct {
		Body json.RawMessage `json:"body"`
	}
	t := bytes.TrimSpace(data)
	return len(t) > 0 && t[0] == '{' && json.Unmarshal(t, &probe) == nil && len(probe.Body) > 0
}

func keyID(pub ed25519.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return ""
	}
	h := sha256.Sum256(der)
	return hex.EncodeToString(h[:])
}

func verifyExport(e *env, name string, data []byte, scArg string, trusted []ed25519.PublicKey, jsonOut bool) error {
	var x Export
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&x); err != nil {
		return fmt.Errorf("%s: not a valid export: %s", name, jsonProblem(err))
	}
	var canon bytes.Buffer
	if err := json.Compact(&canon, x.Body); err != nil {
		return fmt.Errorf("%s: the export's body: %s", name, jsonProblem(err))
	}
	res := &verifyResult{Signature: "not checked", KeyID: x.Signature.KeyID}
	if len(trusted) > 0 {
		sig, err := base64.StdEncoding.DecodeString(x.Signature.Value)
		for _, pub := range trusted {
			if x.Signature.Algorithm == "ed25519" && err == nil && ed25519.Verify(pub, canon.Bytes(), sig) {
				res.Signature, res.KeyID = "verified", keyID(pub)
			}
		}
		if res.Signature != "verified" {
			return fmt.Errorf("%s: the signature does not verify with the key(s) given (%s): the export was altered or signed with another key", name, keyID(trusted[0]))
		}
	}
	var body ExportBody
	bd := json.NewDecoder(bytes.NewReader(x.Body))
	bd.DisallowUnknownFields()
	if err := bd.Decode(&body); err != nil {
		return fmt.Errorf("%s: the export's body: %s", name, jsonProblem(err))
	}
	if body.Format != exportFormat {
		return fmt.Errorf("%s: export format %q (this parley reads %s)", name, body.Format, exportFormat)
	}
	lf, err := parseLogFile(name+": log", []byte(strings.Join(body.Log, "\n")), scArg, nil)
	if err != nil {
		return err
	}
	s, err := lf.replay()
	if err != nil {
		return err
	}
	events := lf.events()
	switch {
	case s.Config.Digest != body.Digest:
		return fmt.Errorf("%s: the export names scenario digest %s, its log %s", name, body.Digest, s.Config.Digest)
	case len(events) != body.Events || events[len(events)-1].Hash != body.Head:
		return fmt.Errorf("%s: the export's head (%d events, %s) is not its log's (%d events, %s)", name, body.Events, body.Head, len(events), events[len(events)-1].Hash)
	}
	st, err := s.PlanStatus(body.Exported)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	want, _ := json.Marshal(st)
	got, _ := json.Marshal(body.Status)
	if !bytes.Equal(want, got) {
		return fmt.Errorf("%s: the status in the export is not what its log gives at %s", name, body.Exported.Format(time.RFC3339))
	}
	res.Exported = body.Exported.UTC().Format(time.RFC3339)
	proof, err := session.CheckCheckpoints(events, lf.rec.Checkpoints, trusted...)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	lf.path = name
	return printVerified(e, lf, s, proof, len(trusted) > 0, jsonOut, res)
}

func readPublicKey(path string) (ed25519.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError{err}
	}
	blk, _ := pem.Decode(data)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("%s: expected a PEM PUBLIC KEY (as parley keygen writes)", path)
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%s: not an ed25519 key", path)
	}
	return pub, nil
}

func readPrivateKey(path string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError{err}
	}
	blk, _ := pem.Decode(data)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%s: expected a PEM PRIVATE KEY in PKCS#8 (as parley keygen writes)", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: not an ed25519 key", path)
	}
	return priv, nil
}

// exportBundle makes a signed export of a verified session at time at.
func exportBundle(s *session.Session, data []byte, events []session.Event, at time.Time, priv ed25519.PrivateKey) ([]byte, error) {
	st, err := s.PlanStatus(at)
	if err != nil {
		return nil, err
	}
	lines, _ := splitLines(data)
	body := ExportBody{Format: exportFormat, Scenario: s.Config.Scenario, Digest: s.Config.Digest, Exported: at.UTC(),
		Events: len(events), Head: events[len(events)-1].Hash, Log: make([]string, len(lines)), Status: st}
	for i, l := range lines {
		body.Log[i] = string(l)
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	pub := priv.Public().(ed25519.PublicKey)
	x := Export{Body: raw, Signature: ExportSignature{Algorithm: "ed25519", KeyID: keyID(pub),
		PublicKey: base64.StdEncoding.EncodeToString(pub), Value: base64.StdEncoding.EncodeToString(ed25519.Sign(priv, raw))}}
	out, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// countNoun picks the singular or plural noun for n.
func countNoun(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
