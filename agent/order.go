package agent

import (
	"crypto/sha256"
	"encoding/binary"
	"math/bits"
	"math/rand/v2"

	"github.com/parley-negotiation/parley/framework"
)

// PublicOrder is a public, shared pseudo-random order of every package of a
// framework, one per round: a procedure any party can run from public data
// alone (the framework's ids and the round number), like a focal point. It
// lets bidders who cannot see each other's preferences correlate their
// choices: blind bidders that each bid the first acceptable packages in the
// same order meet on the packages of the agreement zone that come early in
// it (see BlindBidder).
//
// For a space of at most 2^64−1 packages the order is a permutation of the
// packages' mixed-radix indices (framework.Index): a six-round Feistel
// network over the smallest even number of bits that holds them, keyed by
// SHA-256 of "parley/public-order/v1", the framework's name, its points'
// ids and option counts, and the round, restricted to the space by cycle
// walking. Every package appears exactly once; At maps a position to its
// package and Position a package back to its position, both in well under
// a microsecond, so a party may either scan the order from the start or
// enumerate its own acceptable packages and sort them by position, and get
// the same answer. Larger spaces (no mixed-radix index fits 64 bits) are
// ordered by a keyed generator instead: position j holds the package drawn
// from a PCG stream seeded by the key and j (repetitions possible, never
// in practice), and Position is not available.
//
// A PublicOrder is immutable and safe for concurrent use.
type PublicOrder struct {
	radix []int
	size  uint64 // number of packages; 0 when it does not fit (generator mode)
	half  uint   // bits of each Feistel half
	mask  uint64
	keys  [feistelRounds]uint64
}

const feistelRounds = 6

// NewPublicOrder returns the public order of f's packages for round (any
// integer; blind bidding uses the 1-based round number).
func NewPublicOrder(f *framework.Framework, round int) *PublicOrder {
	h := sha256.New()
	h.Write([]byte("parley/public-order/v1\x00"))
	h.Write([]byte(f.Name))
	h.Write([]byte{0})
	var b [8]byte
	for i := range f.Points {
		h.Write([]byte(f.Points[i].ID))
		h.Write([]byte{0})
		binary.BigEndian.PutUint64(b[:], uint64(f.Points[i].Levels()))
		h.Write(b[:])
	}
	binary.BigEndian.PutUint64(b[:], uint64(int64(round)))
	h.Write(b[:])
	sum := h.Sum(nil)
	o := &PublicOrder{radix: f.Radix()}
	for i := range o.keys {
		o.keys[i] = binary.BigEndian.Uint64(sum[(8*i)%32:]) ^ uint64(i)*0x9e3779b97f4a7c15
	}
	size := uint64(1)
	for _, r := range o.radix {
		hi, lo := bits.Mul64(size, uint64(r))
		if hi != 0 {
			size = 0
			break
		}
		size = lo
	}
	if size == 0 {
		return o
	}
	// size ≥ 1; the domain 2^(2·half) is the smallest even power of two ≥ size.
	n := uint(bits.Len64(size - 1))
	o.half = max(1, (n+1)/2)
	o.mask = 1<<o.half - 1
	o.size = size
	return o
}

// Len returns the number of packages in the order, and false when the space
// has more than 2^64−1 packages (the order is then unbounded).
func (o *PublicOrder) Len() (uint64, bool) { return o.size, o.size != 0 }

// mix is the SplitMix64 finaliser, the Feistel round function.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func (o *PublicOrder) encrypt(x uint64) uint64 {
	l, r := x>>o.half, x&o.mask
	for i := range feistelRounds {
		l, r = r, l^(mix(r^o.keys[i])&o.mask)
	}
	return l<<o.half | r
}

func (o *PublicOrder) decrypt(y uint64) uint64 {
	l, r := y>>o.half, y&o.mask
	for i := feistelRounds - 1; i >= 0; i-- {
		l, r = r^(mix(l^o.keys[i])&o.mask), l
	}
	return l<<o.half | r
}

// index returns the mixed-radix index of the package at position j < size.
func (o *PublicOrder) index(j uint64) uint64 {
	x := o.encrypt(j)
	for x >= o.size {
		x = o.encrypt(x)
	}
	return x
}

// At fills p (len = number of points) with the package at position j
// (0-based). For a bounded order j must be below Len.
func (o *PublicOrder) At(j uint64, p framework.Package) {
	if o.size == 0 {
		rng := rand.New(rand.NewPCG(o.keys[0]^j, o.keys[1]))
		for k, r := range o.radix {
			p[k] = rng.IntN(r)
		}
		return
	}
	framework.FromIndex(o.radix, o.index(j), p)
}

// Position returns the position of complete package p in the order, and
// false in generator mode (more than 2^64−1 packages).
func (o *PublicOrder) Position(p framework.Package) (uint64, bool) {
	if o.size == 0 {
		return 0, false
	}
	idx, ok := framework.Index(o.radix, p)
	if !ok {
		return 0, false
	}
	x := o.decrypt(idx)
	for x >= o.size {
		x = o.decrypt(x)
	}
	return x, true
}
