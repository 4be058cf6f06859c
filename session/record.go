package session

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/parley-negotiation/parley/scenario"
)

// A log file is a record: the events (JSON lines, exactly as the engine
// writes them), then any number of signed checkpoints of the chain, each on
// a line {"checkpoint":{…}}. A checkpoint is an ed25519 signature over a
// sequence number, the hash of that event and the time of signing: whoever
// holds the signer's public key can tell that the log is the signer's up to
// that event — a truncated log (the checkpoint names an event the log no
// longer has) or a rewritten one (the event's hash differs) is caught,
// though the chain itself would hold.

// CheckpointFormat names what a checkpoint signs.
const CheckpointFormat = "parley-checkpoint/1"

// Checkpoint is a signed statement that the log's event Seq has hash Hash,
// made at Time by the key PublicKey.
type Checkpoint struct {
	Seq  int       `json:"seq"`
	Hash string    `json:"hash"`
	Time time.Time `json:"time"`
	// KeyID is the hex SHA-256 of the public key's PKIX (DER) form, as
	// parley plan keygen and the room's /api/keys name keys.
	KeyID     string `json:"key_id"`
	PublicKey string `json:"public_key"` // base64, the raw 32 bytes
	Signature string `json:"signature"`  // base64
}

// message is what the signature covers.
func (c *Checkpoint) message() []byte {
	return []byte(CheckpointFormat + "\n" + strconv.Itoa(c.Seq) + "\n" + c.Hash + "\n" + c.Time.UTC().Format(time.RFC3339Nano) + "\n")
}

// KeyID returns the hex SHA-256 of a public key's PKIX (DER) form.
func KeyID(pub ed25519.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return ""
	}
	h := sha256.Sum256(der)
	return hex.EncodeToString(h[:])
}

// Sign returns a checkpoint of the last of events, made at t.
func Sign(priv ed25519.PrivateKey, events []Event, t time.Time) (Checkpoint, error) {
	if len(events) == 0 {
		return Checkpoint{}, errors.New("session: nothing to sign: the log is empty")
	}
	last := &events[len(events)-1]
	if last.Hash == "" {
		return Checkpoint{}, errors.New("session: the log is not sealed (use Session.Events)")
	}
	pub := priv.Public().(ed25519.PublicKey)
	c := Checkpoint{Seq: last.Seq, Hash: last.Hash, Time: t.UTC(), KeyID: KeyID(pub), PublicKey: base64.StdEncoding.EncodeToString(pub)}
	c.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(priv, c.message()))
	return c, nil
}

// Key returns the checkpoint's public key.
func (c *Checkpoint) Key() (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(c.PublicKey)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("checkpoint of event %d: not an ed25519 public key", c.Seq)
	}
	return ed25519.PublicKey(b), nil
}

// ErrUnproven reports that a log's chain and replay hold but nothing signed
// by a trusted key vouches for all of it: it may have been truncated, or
// made up whole by anyone who has the scenario.
var ErrUnproven = errors.New("session: not proven")

// Proof is what the checkpoints of a record prove.
type Proof struct {
	// Signed lists the valid checkpoints, by any key, in the record's order.
	Signed []Checkpoint `json:"signed,omitempty"`
	// Trusted is the valid checkpoint of a trusted key with the highest
	// sequence number (nil: none).
	Trusted *Checkpoint `json:"trusted,omitempty"`
	// Covered is the number of events the trusted checkpoint covers (0:
	// none); the log has Events.
	Covered int `json:"covered"`
	Events  int `json:"events"`
}

// Complete reports whether a trusted key signed the log's last event.
func (p *Proof) Complete() bool { return p.Trusted != nil && p.Covered == p.Events }

// CheckCheckpoints checks every checkpoint against the events and its own
// signature, and says what the trusted keys prove. A checkpoint whose
// signature does not verify, that names an event the log does not have
// (truncation) or whose hash is not the event's (rewrite) is an error
// wrapping ErrTampered. Checkpoints by keys not in trusted are checked
// the same way but prove nothing.
func CheckCheckpoints(events []Event, cps []Checkpoint, trusted ...ed25519.PublicKey) (*Proof, error) {
	p := &Proof{Events: len(events)}
	for i := range cps {
		c := &cps[i]
		pub, err := c.Key()
		if err != nil {
			return p, fmt.Errorf("%w: %v", ErrTampered, err)
		}
		sig, err := base64.StdEncoding.DecodeString(c.Signature)
		if err != nil || !ed25519.Verify(pub, c.message(), sig) || c.KeyID != KeyID(pub) {
			return p, fmt.Errorf("%w: the checkpoint of event %d signed %s does not verify: it was altered", ErrTampered, c.Seq, c.Time.UTC().Format(time.RFC3339))
		}
		if c.Seq < 1 || c.Seq > len(events) {
			return p, fmt.Errorf("%w: a checkpoint signed %s by key %s covers event %d, but the log ends at event %d: it was truncated", ErrTampered,
				c.Time.UTC().Format(time.RFC3339), short(c.KeyID), c.Seq, len(events))
		}
		if h := events[c.Seq-1].Hash; h != c.Hash {
			return p, fmt.Errorf("%w: a checkpoint signed %s by key %s says event %d has hash %s, the log's has %s: the log was rewritten", ErrTampered,
				c.Time.UTC().Format(time.RFC3339), short(c.KeyID), c.Seq, short(c.Hash), short(h))
		}
		p.Signed = append(p.Signed, *c)
		for _, k := range trusted {
			if k.Equal(pub) && (p.Trusted == nil || c.Seq > p.Trusted.Seq) {
				p.Trusted, p.Covered = &cps[i], c.Seq
			}
		}
	}
	return p, nil
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// Record is a log file: its events and checkpoints.
type Record struct {
	Events      []Event
	Checkpoints []Checkpoint
}

// checkpointLine is the line form of a checkpoint.
type checkpointLine struct {
	Checkpoint *Checkpoint `json:"checkpoint"`
}

var checkpointPrefix = []byte(`{"checkpoint":`)

// ReadRecord reads a log file: events, then checkpoints; errors name the
// line. Every line must be exactly what WriteRecord writes for its content.
func ReadRecord(r io.Reader) (*Record, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxLogLine)
	rec := &Record{}
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(b) == 0 {
			continue
		}
		if bytes.HasPrefix(b, checkpointPrefix) {
			var cl checkpointLine
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&cl); err != nil || cl.Checkpoint == nil {
				return nil, fmt.Errorf("log line %d: not a valid checkpoint: %v", line, err)
			}
			if c, err := json.Marshal(&cl); err != nil || !bytes.Equal(c, b) {
				return nil, fmt.Errorf("%w: log line %d (a checkpoint) is not as the engine writes it", ErrTampered, line)
			}
			rec.Checkpoints = append(rec.Checkpoints, *cl.Checkpoint)
			continue
		}
		if len(rec.Checkpoints) > 0 {
			return nil, fmt.Errorf("log line %d: an event after the checkpoints (a log file lists its events, then its checkpoints)", line)
		}
		var e Event
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return nil, fmt.Errorf("log line %d: %w", line, err)
		}
		// A log is written in one canonical form; any other spelling of
		// the same content (case of keys, spacing, escapes) is an edit.
		if c, err := json.Marshal(&e); err != nil || !bytes.Equal(c, b) {
			return nil, fmt.Errorf("%w: log line %d (event %d) is not as the engine writes it", ErrTampered, line, e.Seq)
		}
		rec.Events = append(rec.Events, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("log line %d: %w", line+1, err)
	}
	return rec, nil
}

// WriteRecord writes events then checkpoints as JSON lines.
func WriteRecord(w io.Writer, events []Event, cps []Checkpoint) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for i := range events {
		if err := enc.Encode(&events[i]); err != nil {
			return err
		}
	}
	for i := range cps {
		if err := enc.Encode(checkpointLine{Checkpoint: &cps[i]}); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// ScenarioOf returns the scenario a log records (engine version 3 on, when
// the session was opened WithScenario), parsed from the record; nil when
// the log carries none.
func ScenarioOf(events []Event) (*scenario.Scenario, error) {
	raw := scenarioRecord(events)
	if raw == nil {
		return nil, nil
	}
	sc, err := scenario.Parse("log", raw)
	if err != nil {
		return nil, fmt.Errorf("the scenario recorded in the log: %w", err)
	}
	return sc, nil
}

// scenarioRecord returns the raw scenario of a log's scenario record, if any.
func scenarioRecord(events []Event) json.RawMessage {
	for i := range min(len(events), 3) {
		if e := &events[i]; e.Kind == KindScenario && e.Note != nil {
			return e.Note.Scenario
		}
	}
	return nil
}

// KindScenario is the engine's record of the scenario a session is played
// on (event 2 from engine version 3, when the session is opened
// WithScenario): the scenario in its file format, every profile included,
// visible to Nobody. It makes a log self-contained: replay, verification
// and the agreement need only the log.
const KindScenario = "scenario"

// EmbedScenario returns sc in the form the scenario record holds (its
// file format as compact JSON).
func EmbedScenario(sc *scenario.Scenario) (json.RawMessage, error) {
	b, err := scenario.MarshalFormat(sc, "json")
	if err != nil {
		return nil, err
	}
	return compactJSON(b)
}

// compactJSON returns b as json.Marshal writes a RawMessage (compact, HTML
// characters escaped), so that the record reads back byte for byte.
func compactJSON(b []byte) (json.RawMessage, error) {
	out, err := json.Marshal(json.RawMessage(b))
	if err != nil {
		return nil, err
	}
	return json.RawMessage(out), nil
}

// ContentHash returns a hash of what a log records — every event without
// its salt and chain fields — so that two runs of the same moves compare
// equal although their salts differ.
func ContentHash(events []Event) string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	for i := range events {
		e := events[i]
		e.Salt, e.Prev, e.Hash = "", "", ""
		if err := enc.Encode(&e); err != nil {
			panic(fmt.Sprintf("session: event not encodable: %v", err))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
