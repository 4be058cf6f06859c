package session

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// Event is one record of the log: a party's move (Move set) or a
// consequence the engine drew (Note set).
type Event struct {
	Seq   int       `json:"seq"`
	Round int       `json:"round"`
	Time  time.Time `json:"time"`
	// Party is who made the move; "" for events the engine draws itself.
	Party string `json:"party,omitempty"`
	Kind  string `json:"kind"`
	// Visible lists the parties allowed to see the event; empty means
	// everyone at the table (public).
	Visible []string `json:"visible,omitempty"`
	Move    *Move    `json:"move,omitempty"`
	Note    *Note    `json:"note,omitempty"`
	// Salt is a random value drawn for the event (engine version 3 on),
	// part of what its hash covers: a hash shown to someone who may not
	// see the event cannot be checked against guesses of its content.
	Salt string `json:"salt,omitempty"`
	// Prev is the hash of the previous event ("" for the first).
	Prev string `json:"prev"`
	// Hash is the SHA-256 of the event's canonical JSON with Hash empty.
	Hash string `json:"hash"`
}

// Nobody is the one name in the Visible list of an event no one at the
// table may see (the scenario record, with every profile): only the holder
// of the whole log. No party can have it: party ids never begin with white
// space.
const Nobody = " record"

// Public reports whether everyone at the table may see the event.
func (e *Event) Public() bool { return len(e.Visible) == 0 }

// VisibleTo reports whether party may see the event.
func (e *Event) VisibleTo(party string) bool {
	if len(e.Visible) == 0 {
		return true
	}
	if party == "" || party == Nobody {
		return false
	}
	for _, p := range e.Visible {
		if p == party {
			return true
		}
	}
	return false
}

// computeHash returns the hash of the event with Hash cleared.
func (e *Event) computeHash() string {
	c := *e
	c.Hash = ""
	b, err := json.Marshal(&c)
	if err != nil {
		panic(fmt.Sprintf("session: event not encodable: %v", err)) // all fields are plain data
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// ErrTampered is returned when a log's hash chain does not hold.
var ErrTampered = errors.New("session: log tampered")

// VerifyChain checks every event's hash and link; the error names the first
// bad event. A whole log holds no hidden event (see VerifyPartial).
func VerifyChain(events []Event) error {
	for i := range events {
		if events[i].Kind == KindHidden {
			return fmt.Errorf("%w: event %d is hidden: this is a viewer's partial log, not a whole log", ErrTampered, i+1)
		}
	}
	return VerifyPartial(events)
}

// VerifyPartial checks a viewer's partial log: the sequence, every link,
// and the hash of every event given in full; a hidden event (Stub) is
// taken at its hash, which its successor's link confirms. The error names
// the first bad event.
func VerifyPartial(events []Event) error {
	prev := ""
	for i := range events {
		e := &events[i]
		if e.Seq != i+1 {
			return fmt.Errorf("%w: event %d has sequence number %d", ErrTampered, i+1, e.Seq)
		}
		if e.Prev != prev {
			return fmt.Errorf("%w: event %d (%s) does not link to event %d", ErrTampered, e.Seq, e.Kind, i)
		}
		if e.Kind == KindHidden {
			if !e.isStub() {
				return fmt.Errorf("%w: event %d is marked hidden but carries content", ErrTampered, e.Seq)
			}
			if !isHash(e.Hash) {
				return fmt.Errorf("%w: hidden event %d has no valid hash", ErrTampered, e.Seq)
			}
		} else if h := e.computeHash(); h != e.Hash {
			return fmt.Errorf("%w: event %d (%s) was altered: its hash does not match its content", ErrTampered, e.Seq, e.Kind)
		}
		prev = e.Hash
	}
	return nil
}

// KindHidden is the kind of a stub: an event of the log the viewer may not
// see, given by its sequence number, its link and its hash only.
const KindHidden = "hidden"

// Stub returns the event as someone who may not see it receives it: its
// sequence number, link and hash. From engine version 3 every event's hash
// covers a random salt, so the stub tells nothing of the content.
func (e *Event) Stub() Event {
	return Event{Seq: e.Seq, Kind: KindHidden, Prev: e.Prev, Hash: e.Hash}
}

func (e *Event) isStub() bool {
	return e.Round == 0 && e.Time.IsZero() && e.Party == "" && e.Visible == nil && e.Move == nil && e.Note == nil && e.Salt == ""
}

func isHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil
}

// WriteLog writes events as JSON lines.
func WriteLog(w io.Writer, events []Event) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for i := range events {
		if err := enc.Encode(&events[i]); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// MaxLogLine bounds one line of a log file.
const MaxLogLine = 4 << 20

// ReadLog reads a log file's events (ReadRecord, without the
// checkpoints); errors name the line.
func ReadLog(r io.Reader) ([]Event, error) {
	rec, err := ReadRecord(r)
	if err != nil {
		return nil, err
	}
	return rec.Events, nil
}
