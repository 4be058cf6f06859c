package room

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters (OWASP's second recommended set: 19 MiB, 2 passes).
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// MaxPassword bounds a password's length (argon2 would take anything).
const MaxPassword = 1024

// HashPassword returns an argon2id hash of password in PHC string form.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("room: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches a HashPassword hash.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > 1<<21 || t > 16 || p == 0 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// NewToken returns a fresh secret token (256 random bits, URL-safe) and
// the hash under which the store keeps it.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("room: random source failed: %v", err)) // crypto/rand does not fail on supported platforms
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken returns the hash under which a token is stored. Tokens carry
// 256 random bits, so a plain SHA-256 is enough (no salt, no stretching).
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// newID returns a fresh random identifier: 12 URL-safe characters, the
// first a letter or digit, so that an id given on a command line
// (parley export ID, parley purge ID) never reads as a flag.
func newID() string {
	b := make([]byte, 9)
	for {
		if _, err := rand.Read(b); err != nil {
			panic(fmt.Sprintf("room: random source failed: %v", err))
		}
		if id := base64.RawURLEncoding.EncodeToString(b); id[0] != '-' && id[0] != '_' {
			return id
		}
	}
}

// Account roles (User.Role).
const (
	// RoleOwner is the account made on first start: it manages the other
	// accounts (parley user, the accounts API).
	RoleOwner = "owner"
	// RoleMediator and RoleInstructor run negotiations and classes; the
	// role names what the account is for and is shown in lists.
	RoleMediator   = "mediator"
	RoleInstructor = "instructor"
)

// ValidRole reports whether role is an account role.
func ValidRole(role string) bool {
	return role == RoleOwner || role == RoleMediator || role == RoleInstructor
}
