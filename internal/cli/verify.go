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
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/parley-negotiation/parley/plan"
	"github.com/parley-negotiation/parley/session"
)

// maxInput bounds a log or an export read by verify and plan.
const maxInput = 1 << 30

func newVerify(e *env) *cobra.Command {
	var pub string
	var jsonOut bool
	c := &cobra.Command{
		Use:   "verify LOG [SCENARIO]",
		Short: "Check a session log or a signed implementation export: every record, the hash chain, the replay, the signature",
		Long: `Verify checks a session's event log (JSON lines, as parley run and parley serve
write them), including the implementation reports and responses recorded after
the agreement: every line must be exactly as the engine writes it, every event's
hash and link must hold, and replaying every move through the engine must give
exactly the recorded events. The first bad record is named by its sequence
number and kind; the exit status is 1.

Given an export made by parley plan export, verify checks the log inside it the
same way, that its scenario digest, last hash and derived status are what the
log gives, and, with --pub, its ed25519 signature.

SCENARIO defaults to the built-in scenario named in the log.`,
		Example: `  parley verify session.jsonl
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
			if isExport(data) {
				return verifyExport(e, args[0], data, scArg, pub, jsonOut)
			}
			if pub != "" {
				return usagef("--pub checks the signature of an export (parley plan export); %s is a session log", args[0])
			}
			s, events, err := verifiedSession(args[0], data, scArg)
			if err != nil {
				return err
			}
			return printVerified(e, args[0], s, events, jsonOut, nil)
		},
	}
	c.Flags().StringVar(&pub, "pub", "", "public key (PEM) to check an export's signature with")
	c.Flags().BoolVar(&jsonOut, "json", false, "print the result as JSON")
	return c
}

func readInput(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usageError{err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxInput+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > maxInput {
		return nil, fmt.Errorf("%s: larger than %d MiB", path, maxInput>>20)
	}
	return data, nil
}

// errBadRecord marks a record that is not as the engine writes it.
var errBadRecord = errors.New("log tampered")

// parseLog reads log lines strictly: each line must decode as an event
// and be byte for byte what the engine writes for it. The error names the
// first bad record by its position (the sequence number it should have),
// its line and, when readable, its kind.
func parseLog(lines [][]byte) ([]session.Event, error) {
	var events []session.Event
	for i, line := range lines {
		k := len(events) + 1
		var ev session.Event
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ev); err != nil || dec.More() {
			if err == nil {
				err = errors.New("more than one value on the line")
			}
			return nil, fmt.Errorf("%w: event %d (line %d) is not a valid record: %v", errBadRecord, k, i+1, err)
		}
		if c, err := json.Marshal(&ev); err != nil || !bytes.Equal(c, line) {
			return nil, fmt.Errorf("%w: event %d (line %d, %s) is not as the engine writes it", errBadRecord, k, i+1, kindOf(&ev))
		}
		events = append(events, ev)
	}
	return events, nil
}

func kindOf(ev *session.Event) string {
	if ev.Kind == "" {
		return "no kind"
	}
	return ev.Kind
}

// splitLines splits a log file into its lines; only the last may lack its
// line end, and no line may be empty.
func splitLines(data []byte) ([][]byte, error) {
	data = bytes.TrimSuffix(data, []byte("\n"))
	if len(data) == 0 {
		return nil, nil
	}
	lines := bytes.Split(data, []byte("\n"))
	for i, l := range lines {
		if len(l) == 0 {
			return nil, fmt.Errorf("%w: line %d is empty (the engine writes no empty lines)", errBadRecord, i+1)
		}
	}
	return lines, nil
}

// verifiedSession reads a log, checks every record and the chain, and
// replays it against its scenario.
func verifiedSession(name string, data []byte, scArg string) (*session.Session, []session.Event, error) {
	lines, err := splitLines(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return verifiedLines(name, lines, scArg)
}

func verifiedLines(name string, lines [][]byte, scArg string) (*session.Session, []session.Event, error) {
	events, err := parseLog(lines)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(events) == 0 {
		return nil, nil, fmt.Errorf("%s: an empty log", name)
	}
	if err := session.VerifyChain(events); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if events[0].Kind != "start" || events[0].Note == nil || events[0].Note.Config == nil {
		return nil, nil, fmt.Errorf("%s: event 1 (%s) is not the start of a session", name, kindOf(&events[0]))
	}
	if scArg == "" {
		scArg = events[0].Note.Config.Scenario
	}
	sc, err := loadScenario(scArg, nil)
	if err != nil {
		return nil, nil, err
	}
	s, err := session.Replay(sc, events)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, events, nil
}

// verifyResult is what verify reports.
type verifyResult struct {
	Log       string `json:"log"`
	Verified  bool   `json:"verified"`
	Events    int    `json:"events"`
	Head      string `json:"head"`
	Scenario  string `json:"scenario"`
	Digest    string `json:"digest"`
	Status    string `json:"status"`
	Reports   int    `json:"reports"`
	Responses int    `json:"responses"`
	Triggers  int    `json:"triggers"`
	// Signature: "verified", or "not checked" for an export without --pub.
	Signature string `json:"signature,omitempty"`
	KeyID     string `json:"key_id,omitempty"`
	Exported  string `json:"exported,omitempty"`
}

func printVerified(e *env, name string, s *session.Session, events []session.Event, jsonOut bool, x *verifyResult) error {
	r := verifyResult{Log: name, Verified: true, Events: len(events), Head: events[len(events)-1].Hash,
		Scenario: s.Config.Scenario, Digest: s.Config.Digest, Status: s.State.Status}
	if x != nil {
		r.Signature, r.KeyID, r.Exported = x.Signature, x.KeyID, x.Exported
	}
	for i := range events {
		switch events[i].Kind {
		case session.KindReport:
			r.Reports++
		case session.KindResponse:
			r.Responses++
		case session.KindTrigger:
			r.Triggers++
		}
	}
	if jsonOut {
		return writeJSON(e.stdout, r)
	}
	what := "log"
	if r.Exported != "" {
		what = "export"
	}
	fmt.Fprintf(e.stdout, "%s: %s verified: %d events, every record as the engine writes it, hash chain intact, replay equals the recorded session\n", name, what, r.Events)
	fmt.Fprintf(e.stdout, "scenario %s (digest %s), status %s\n", r.Scenario, r.Digest, r.Status)
	fmt.Fprintf(e.stdout, "last event %d: %s\n", r.Events, r.Head)
	if r.Reports+r.Responses > 0 {
		fmt.Fprintf(e.stdout, "implementation: %d %s, %d %s, %d %s\n", r.Reports, countNoun(r.Reports, "report", "reports"),
			r.Responses, countNoun(r.Responses, "response", "responses"), r.Triggers, countNoun(r.Triggers, "trigger", "triggers"))
	}
	if r.Exported != "" {
		fmt.Fprintf(e.stdout, "exported %s; derived status at export matches\n", r.Exported)
	}
	switch r.Signature {
	case "verified":
		fmt.Fprintf(e.stdout, "signature: ed25519, verified with key %s\n", r.KeyID)
	case "not checked":
		fmt.Fprintf(e.stdout, "signature: not checked (give the signer's public key with --pub)\n")
	}
	return nil
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

func verifyExport(e *env, name string, data []byte, scArg, pubPath string, jsonOut bool) error {
	var x Export
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&x); err != nil {
		return fmt.Errorf("%s: not a valid export: %v", name, err)
	}
	var canon bytes.Buffer
	if err := json.Compact(&canon, x.Body); err != nil {
		return fmt.Errorf("%s: the export's body: %v", name, err)
	}
	res := &verifyResult{Signature: "not checked", KeyID: x.Signature.KeyID}
	if pubPath != "" {
		pub, err := readPublicKey(pubPath)
		if err != nil {
			return err
		}
		sig, err := base64.StdEncoding.DecodeString(x.Signature.Value)
		if x.Signature.Algorithm != "ed25519" || err != nil || !ed25519.Verify(pub, canon.Bytes(), sig) {
			return fmt.Errorf("%s: the signature does not verify with %s (key %s): the export was altered or signed with another key", name, pubPath, keyID(pub))
		}
		res.Signature, res.KeyID = "verified", keyID(pub)
	}
	var body ExportBody
	bd := json.NewDecoder(bytes.NewReader(x.Body))
	bd.DisallowUnknownFields()
	if err := bd.Decode(&body); err != nil {
		return fmt.Errorf("%s: the export's body: %v", name, err)
	}
	if body.Format != exportFormat {
		return fmt.Errorf("%s: export format %q (this parley reads %s)", name, body.Format, exportFormat)
	}
	lines := make([][]byte, len(body.Log))
	for i, l := range body.Log {
		lines[i] = []byte(l)
	}
	if scArg == "" {
		scArg = body.Scenario
	}
	s, events, err := verifiedLines(name+": log", lines, scArg)
	if err != nil {
		return err
	}
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
	return printVerified(e, name, s, events, jsonOut, res)
}

func readPublicKey(path string) (ed25519.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError{err}
	}
	blk, _ := pem.Decode(data)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, usagef("%s: expected a PEM PUBLIC KEY (as parley plan keygen writes)", path)
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, usagef("%s: %v", path, err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, usagef("%s: not an ed25519 key", path)
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
		return nil, usagef("%s: expected a PEM PRIVATE KEY in PKCS#8 (as parley plan keygen writes)", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, usagef("%s: %v", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, usagef("%s: not an ed25519 key", path)
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
