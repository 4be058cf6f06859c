package room

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"

	"github.com/parley-negotiation/parley/session"
)

// Records: a viewer's own log and the keys that prove it.
//
// A viewer exports its log (Service.Log): the events it may see in full,
// exactly as stored, so that their hashes verify, and every other event as
// a stub (sequence number, link, hash: session.Event.Stub). From engine
// version 3 every hash covers a random salt, so a stub tells nothing of its
// event. An event the viewer sees only in part (an observer of a seat does
// not get the packages of a blind bid) is a stub too: a part would not
// verify. The log ends with a checkpoint of the whole log's last event,
// signed with the server's key (WithSigningKey), so that
// `parley verify LOG --pub SERVER.pub.pem` proves the viewer's log is the
// server's, up to that event.

// PublicKey is a public key of the server, as GET /api/keys lists it.
type PublicKey struct {
	// KeyID is the hex SHA-256 of the key's PKIX (DER) form.
	KeyID string `json:"key_id"`
	// PublicKey is the raw 32 bytes, base64; PEM the PKIX PEM form
	// (parley verify --pub reads it).
	PublicKey string `json:"public_key"`
	PEM       string `json:"pem"`
	// Current: the key that signs now; earlier keys are retired.
	Current bool `json:"current"`
}

// Keys lists the server's public keys: the current one first, then the
// retired ones. Empty when the service signs nothing.
func (s *Service) Keys() []PublicKey {
	var out []PublicKey
	add := func(k ed25519.PublicKey, current bool) {
		der, err := x509.MarshalPKIXPublicKey(k)
		if err != nil {
			return
		}
		out = append(out, PublicKey{KeyID: session.KeyID(k), PublicKey: base64.StdEncoding.EncodeToString(k),
			PEM: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), Current: current})
	}
	if s.key != nil {
		add(s.key.Public().(ed25519.PublicKey), true)
	}
	for _, k := range s.retired {
		add(k, false)
	}
	return out
}

// Log returns negotiation id's log as v may see it — the events it may see
// in full, the others as stubs — and a checkpoint of the whole log's last
// event signed with the server's key (nil without one). Before the talks
// open there is no log (ECLOSED).
func (s *Service) Log(ctx context.Context, v Viewer, id string) ([]session.Event, *session.Checkpoint, error) {
	l, role, party, err := s.access(ctx, v, id)
	if err != nil {
		return nil, nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sess == nil {
		return nil, nil, Errorf(ECLOSED, "the negotiation has not started: there is no log yet")
	}
	all := l.sess.Events()
	out := make([]session.Event, len(all))
	for i := range all {
		e := &all[i]
		if seesWhole(e, role, party) {
			out[i] = *e
		} else {
			out[i] = e.Stub()
		}
	}
	var cp *session.Checkpoint
	if s.key != nil {
		c, err := session.Sign(s.key, all, s.clock())
		if err != nil {
			return nil, nil, fmt.Errorf("room: sign the log: %w", err)
		}
		cp = &c
	}
	return out, cp, nil
}

// seesWhole reports whether a viewer may see an event whole: visible to it
// (visibleEvents' rule) and not redacted for it.
func seesWhole(e *session.Event, role, party string) bool {
	if !mayView(e, role, party) {
		return false
	}
	r := redact(*e, role)
	return r.Move == e.Move && r.Note == e.Note
}
