package cluster

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net"
	"strings"

	"github.com/nats-io/nats.go"
)

// The queue's messages are authenticated end to end: the coordinator signs
// every job it queues and a worker every result it sends, with
// HMAC-SHA256 under a key derived from the secret they share (DeriveKey);
// a worker runs only jobs whose signature holds, and a coordinator writes
// only results whose signature holds. The signature covers the message's
// kind, subject (so its batch), message id and data: a message moved to
// another batch, or a job presented as a result, does not verify. The
// secret also serves as the NATS token of the embedded server and of
// parley broker (NodeConfig.Token), so that a client without it cannot
// connect at all.

// SigHeader is the header that carries a message's signature (hex).
const SigHeader = "Parley-Sig"

// Kinds of signed message.
const (
	kindJob    = "job"
	kindResult = "result"
)

// ErrNoKey is returned by a Coordinator or Worker without a key: the queue
// does not run unauthenticated.
var ErrNoKey = errors.New("cluster: no key to sign and check the queue's messages (DeriveKey of the secret the coordinator and its workers share)")

// NewSecret returns a new random secret (256 bits, URL-safe base64): the
// NATS token and the root of the signing key of a tournament.
func NewSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// DeriveKey returns the key that signs and checks jobs and results, from
// the secret shared by a coordinator and its workers.
func DeriveKey(secret string) []byte {
	return derive(secret, "parley cluster messages v1")
}

// routePassword is the password cluster members (parley broker) demand of
// each other's routes, derived from their shared token.
func routePassword(token string) string {
	return hex.EncodeToString(derive(token, "parley cluster routes v1")[:16])
}

// routeUser is the user name of cluster routes.
const routeUser = "parley-route"

func derive(secret, purpose string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// signature computes the signature of a message.
func signature(key []byte, kind, subject, msgID string, data []byte) string {
	m := hmac.New(sha256.New, key)
	for _, s := range []string{kind, subject, msgID} {
		m.Write([]byte(s))
		m.Write([]byte{0})
	}
	m.Write(data)
	return hex.EncodeToString(m.Sum(nil))
}

// signed returns a message for subject with data, its id and signature.
func signed(key []byte, kind, subject, msgID string, data []byte) *nats.Msg {
	m := nats.NewMsg(subject)
	m.Data = data
	m.Header.Set(nats.MsgIdHdr, msgID)
	m.Header.Set(SigHeader, signature(key, kind, subject, msgID, data))
	return m
}

// verify reports whether a message received on subject, with headers hd,
// carries a valid signature of kind.
func verify(key []byte, kind, subject string, hd nats.Header, data []byte) bool {
	if len(key) == 0 || hd == nil {
		return false
	}
	got, err := hex.DecodeString(hd.Get(SigHeader))
	if err != nil || len(got) != sha256.Size {
		return false
	}
	want, _ := hex.DecodeString(signature(key, kind, subject, hd.Get(nats.MsgIdHdr), data))
	return hmac.Equal(got, want)
}

// IsLoopback reports whether a listen address (host:port) is reachable
// from this machine only: localhost or a loopback IP. An empty host,
// 0.0.0.0, :: and any other name or address are not.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
