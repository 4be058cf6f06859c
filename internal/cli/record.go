package cli

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// A session log file: events, then signed checkpoints (session.Record).
// This file reads one strictly (every line as the engine writes it, the
// first bad one named), resolves its scenario (the one the log records, or
// the one given), writes one back atomically, appends moves to one (the
// life cycle after a run: ratification, reports, responses), and manages
// the key logs are signed with.

// logFile is a session log read from a file.
type logFile struct {
	path string
	rec  *session.Record
	// sc is the scenario the session was played on; recorded tells that it
	// came from the log itself.
	sc       *scenario.Scenario
	recorded bool
}

func (lf *logFile) events() []session.Event { return lf.rec.Events }

// partial reports whether the log is a viewer's partial log (it holds
// hidden events).
func (lf *logFile) partial() bool {
	for i := range lf.rec.Events {
		if lf.rec.Events[i].Kind == session.KindHidden {
			return true
		}
	}
	return false
}

// readLogFile reads the log at path and resolves its scenario: scArg when
// given (a file, folder or built-in name, with profiles for GENIUS
// folders), else the scenario the log records, else the built-in scenario
// the log names. The hash chain is checked; the replay is the caller's.
func readLogFile(path, scArg string, profiles []string) (*logFile, error) {
	data, err := readInput(path)
	if err != nil {
		return nil, err
	}
	return parseLogFile(path, data, scArg, profiles)
}

func parseLogFile(path string, data []byte, scArg string, profiles []string) (*logFile, error) {
	lines, err := splitLines(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	rec, err := parseRecord(lines)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	lf := &logFile{path: path, rec: rec}
	ev := rec.Events
	if len(ev) == 0 {
		return nil, fmt.Errorf("%s: an empty log", path)
	}
	if lf.partial() {
		err = session.VerifyPartial(ev)
	} else {
		err = session.VerifyChain(ev)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if ev[0].Kind != "start" || ev[0].Note == nil || ev[0].Note.Config == nil {
		return nil, fmt.Errorf("%s: event 1 (%s) is not the start of a session", path, kindOf(&ev[0]))
	}
	if lf.partial() && scArg == "" {
		return lf, nil // a viewer's log: its scenario is not the viewer's to hold
	}
	switch {
	case scArg != "":
		if lf.sc, err = loadScenario(scArg, profiles); err != nil {
			return nil, err
		}
	default:
		sc, err := session.ScenarioOf(ev)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if sc != nil {
			lf.sc, lf.recorded = sc, true
			if len(profiles) > 0 {
				return nil, usagef("%s records its scenario; --profiles applies only with a GENIUS folder given as SCENARIO", path)
			}
			break
		}
		name := ev[0].Note.Config.Scenario
		if lf.sc, err = loadScenario(name, profiles); err != nil {
			return nil, fmt.Errorf("%s does not record its scenario (written before engine version 3) and %q is not built in: give the scenario as the second argument (%w)", path, name, err)
		}
	}
	return lf, nil
}

// replayScenario is the scenario to give session.Replay and the agreement:
// nil when the log records its own.
func (lf *logFile) replayScenario() *scenario.Scenario {
	if lf.recorded {
		return nil
	}
	return lf.sc
}

// replay rebuilds the session (every move through the engine).
func (lf *logFile) replay(opts ...session.Option) (*session.Session, error) {
	if lf.partial() {
		return nil, usagef("%s is a viewer's partial log (it holds hidden events): it verifies (parley verify) but cannot be replayed", lf.path)
	}
	sc := lf.sc
	if lf.recorded {
		sc = nil // the recorded scenario, without comparing it with itself
	}
	s, err := session.Replay(sc, lf.events(), opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", lf.path, err)
	}
	return s, nil
}

// errBadRecord marks a record that is not as the engine writes it.
var errBadRecord = errors.New("log tampered")

var checkpointPrefix = []byte(`{"checkpoint":`)

// parseRecord reads log lines strictly: each line must decode as an event
// (or, after the events, as a checkpoint) and be byte for byte what the
// engine writes for it. The error names the first bad record by its
// position (the sequence number it should have), its line and, when
// readable, its kind.
func parseRecord(lines [][]byte) (*session.Record, error) {
	rec := &session.Record{}
	for i, line := range lines {
		if bytes.HasPrefix(line, checkpointPrefix) {
			r, err := session.ReadRecord(bytes.NewReader(line))
			if err != nil || len(r.Checkpoints) != 1 {
				if err == nil {
					err = errors.New("more than one checkpoint on the line")
				}
				return nil, fmt.Errorf("%w: line %d is not a valid checkpoint: %s", errBadRecord, i+1, jsonProblem(err))
			}
			rec.Checkpoints = append(rec.Checkpoints, r.Checkpoints[0])
			continue
		}
		k := len(rec.Events) + 1
		if len(rec.Checkpoints) > 0 {
			return nil, fmt.Errorf("%w: event %d (line %d) comes after the checkpoints (a log lists its events, then its checkpoints)", errBadRecord, k, i+1)
		}
		var ev session.Event
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ev); err != nil || dec.More() {
			if err == nil {
				err = errors.New("more than one value on the line")
			}
			return nil, fmt.Errorf("%w: event %d (line %d) is not a valid record: %s", errBadRecord, k, i+1, jsonProblem(err))
		}
		if c, err := json.Marshal(&ev); err != nil || !bytes.Equal(c, line) {
			return nil, fmt.Errorf("%w: event %d (line %d, %s) is not as the engine writes it", errBadRecord, k, i+1, kindOf(&ev))
		}
		rec.Events = append(rec.Events, ev)
	}
	return rec, nil
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

// writeLogFile writes a log atomically: to a temporary file beside path,
// synced, then renamed over it, so that a crash leaves the old log or the
// new one, never half of one.
func writeLogFile(path string, events []session.Event, cps []session.Checkpoint) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after the rename, nothing is there
	if err := session.WriteRecord(f, events, cps); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// ---- signing keys ----

// keyFlags are the flags of commands that write logs: the key that signs
// their checkpoints.
type keyFlags struct {
	path   string
	noSign bool
}

func (k *keyFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&k.path, "key", "", "private key (PEM, from parley keygen) that signs the log's checkpoint (default: $PARLEY_SIGNING_KEY, else your key in "+defaultKeyHint+", made on first use)")
	c.Flags().BoolVar(&k.noSign, "no-sign", false, "write the log without a signed checkpoint (parley verify then says it is not proven)")
}

const defaultKeyHint = "$XDG_CONFIG_HOME/parley (or ~/.config/parley)"

// defaultKeyPath is where a user's signing key lives when no key is named.
func defaultKeyPath() (string, error) {
	if p := os.Getenv("PARLEY_SIGNING_KEY"); p != "" {
		return p, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no signing key: %w (give one with --key, or write the log unsigned with --no-sign)", err)
	}
	return filepath.Join(dir, "parley", "signing-key.pem"), nil
}

// load returns the signing key, or nil with --no-sign. The default key is
// made on first use, and the command says so (on standard error) once.
func (k *keyFlags) load(e *env) (ed25519.PrivateKey, error) {
	if k.noSign {
		if k.path != "" {
			return nil, usagef("--key and --no-sign exclude each other")
		}
		return nil, nil
	}
	if k.path != "" {
		return readPrivateKey(k.path)
	}
	path, err := defaultKeyPath()
	if err != nil {
		return nil, usageError{err}
	}
	if _, err := os.Stat(path); err == nil {
		return readPrivateKey(path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("making a signing key: %w", err)
	}
	pub, err := writeKeyPair(path, pubPath(path))
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(e.stderr, "parley: made your signing key %s (keep it private) and its public key %s (give it to whoever checks your logs: parley verify LOG --pub %s); key %s\n",
		path, pubPath(path), pubPath(path), session.KeyID(pub))
	return readPrivateKey(path)
}

// pubPath names the public key file of a private key file.
func pubPath(keyPath string) string { return strings.TrimSuffix(keyPath, ".pem") + ".pub.pem" }

// writeKeyPair makes an ed25519 key pair: the private key (PKCS#8, mode
// 0600) and the public key (PKIX), never overwriting a file.
func writeKeyPair(keyPath, pubPath string) (ed25519.PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	pder, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		path string
		typ  string
		der  []byte
		mode os.FileMode
	}{{keyPath, "PRIVATE KEY", der, 0o600}, {pubPath, "PUBLIC KEY", pder, 0o644}} {
		w, err := os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, f.mode)
		if err != nil {
			return nil, usageError{fmt.Errorf("%w (keys are never overwritten)", err)}
		}
		if err := pem.Encode(w, &pem.Block{Type: f.typ, Bytes: f.der}); err != nil {
			w.Close()
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
	}
	return pub, nil
}

// sign appends a checkpoint of the log's last event to cps, when there is
// a key, made at t.
func sign(priv ed25519.PrivateKey, events []session.Event, cps []session.Checkpoint, t time.Time) ([]session.Checkpoint, error) {
	if priv == nil {
		return cps, nil
	}
	c, err := session.Sign(priv, events, t)
	if err != nil {
		return nil, err
	}
	return append(cps, c), nil
}

// ---- appending to a log ----

// appendFlags are the flags of the commands that record a move on a log.
type appendFlags struct {
	scenario string
	at       string
	keys     keyFlags
	json     bool
}

func (a *appendFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&a.scenario, "scenario", "", "the scenario, for a log that does not record it (written before engine version 3)")
	c.Flags().StringVar(&a.at, "at", "", "when the move is recorded: a date or an RFC 3339 time, not before the log's last event (default now)")
	c.Flags().BoolVar(&a.json, "json", false, "print the events the move added as JSON")
	a.keys.register(c)
}

// appendMove replays the log at path, submits m at the --at time, and
// writes the log back with the move, its consequences and a new signed
// checkpoint. The engine's refusal says why (exit status 1: the move is
// what is bad, not the command line); nothing is written then.
func appendMove(e *env, path string, a *appendFlags, m session.Move) (*session.Session, []session.Event, error) {
	when, err := parseAt(a.at)
	if err != nil {
		return nil, nil, err
	}
	priv, err := a.keys.load(e)
	if err != nil {
		return nil, nil, err
	}
	lf, err := readLogFile(path, a.scenario, nil)
	if err != nil {
		return nil, nil, err
	}
	s, err := lf.replay()
	if err != nil {
		return nil, nil, err
	}
	events := lf.events()
	if last := events[len(events)-1].Time; when.Before(last) {
		return nil, nil, usagef("--at %s is before the log's last event (%s): a log's record runs forward", when.Format(time.RFC3339), last.UTC().Format(time.RFC3339))
	}
	s.SetClock(func() time.Time { return when })
	before := s.Len()
	if _, err := s.Submit(m); err != nil {
		return nil, nil, fmt.Errorf("%s: the engine refuses the %s: %w", path, m.Kind, err)
	}
	all := s.Events()
	cps, err := sign(priv, all, lf.rec.Checkpoints, when)
	if err != nil {
		return nil, nil, err
	}
	if err := writeLogFile(path, all, cps); err != nil {
		return nil, nil, err
	}
	return s, all[before:], nil
}

// printAppended reports the events a move added.
func printAppended(e *env, path string, s *session.Session, added []session.Event, jsonOut bool) error {
	if jsonOut {
		return writeJSON(e.stdout, map[string]any{"log": path, "events": added, "status": s.State.Status})
	}
	for i := range added {
		ev := &added[i]
		line := fmt.Sprintf("event %d: %s", ev.Seq, ev.Kind)
		if ev.Party != "" {
			line += " by " + ev.Party
		}
		if ev.Note != nil && ev.Note.Reason != "" {
			line += ": " + ev.Note.Reason
		}
		if ev.Note != nil && ev.Note.Commitment != "" {
			line += " (" + ev.Note.Commitment + ")"
		}
		fmt.Fprintln(e.stdout, clean(line))
	}
	fmt.Fprintf(e.stdout, "%s: %d events, status %s\n", clean(path), s.Len(), s.State.Status)
	return nil
}

// agreementNote returns the note of the log's agreement, if any.
func agreementNote(events []session.Event) *session.Note {
	for i := len(events) - 1; i >= 0; i-- {
		if e := &events[i]; e.Kind == "agreement" && e.Move == nil {
			return e.Note
		}
	}
	return nil
}

// jsonProblem says what is wrong with a JSON document in terms of its keys
// and values, never of the Go types it was read into ("json: cannot
// unmarshal string into Go struct field Event.seq of type int" becomes
// `key "seq": expected a number, found a string`).
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		where := "the value"
		if te.Field != "" {
			where = fmt.Sprintf("key %q", te.Field)
		}
		return fmt.Sprintf("%s: expected %s, found %s (at byte %d)", where, jsonKind(te.Type.Kind().String()), article(te.Value), te.Offset)
	case errors.As(err, &se):
		return fmt.Sprintf("not valid JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "the JSON ends before the record does"
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return "unknown key " + f
	}
	return strings.TrimPrefix(msg, "json: ")
}

// jsonKind names the JSON value a Go kind is read from.
func jsonKind(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "string":
		return "a string"
	case kind == "bool":
		return "true or false"
	case kind == "slice", kind == "array":
		return "a list"
	case kind == "map", kind == "struct", kind == "ptr", kind == "pointer":
		return "an object"
	}
	return "another value"
}

// article puts "a" or "an" before the name of a JSON value as
// encoding/json gives it (string, number, object, array, bool, …).
func article(v string) string {
	switch v {
	case "array":
		return "a list"
	case "object":
		return "an object"
	case "bool":
		return "true or false"
	}
	if v != "" && strings.ContainsRune("aeiou", rune(v[0])) {
		return "an " + v
	}
	return "a " + v
}
