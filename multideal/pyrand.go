package multideal

// PyRandom is CPython's random.Random (MT19937, seeded by an integer as
// random.seed(n) seeds it), for the draws anl2025's built-in agents make:
// randint, choice and random. It is not safe for concurrent use.
type PyRandom struct {
	mt  [624]uint32
	idx int
	// seed and np: the session's numpy stream, seeded from seed at its
	// first use (see Numpy).
	seed int64
	np   *NumpyRandom
}

// NewPyRandom returns a generator in the state random.seed(seed) leaves
// CPython's (seed ≥ 0; a negative seed is used as its absolute value, as
// CPython does).
func NewPyRandom(seed int64) *PyRandom {
	r := &PyRandom{seed: seed}
	u := uint64(seed)
	if seed < 0 {
		u = uint64(-seed)
	}
	key := []uint32{uint32(u)}
	if hi := uint32(u >> 32); hi != 0 {
		key = append(key, hi)
	}
	r.initByArray(key)
	return r
}

func (r *PyRandom) initGenrand(s uint32) {
	r.mt[0] = s
	for i := 1; i < 624; i++ {
		r.mt[i] = 1812433253*(r.mt[i-1]^(r.mt[i-1]>>30)) + uint32(i)
	}
	r.idx = 624
}

func (r *PyRandom) initByArray(key []uint32) {
	r.initGenrand(19650218)
	i, j := 1, 0
	k := 624
	if len(key) > k {
		k = len(key)
	}
	for ; k > 0; k-- {
		r.mt[i] = (r.mt[i] ^ ((r.mt[i-1] ^ (r.mt[i-1] >> 30)) * 1664525)) + key[j] + uint32(j)
		i++
		j++
		if i >= 624 {
			r.mt[0] = r.mt[623]
			i = 1
		}
		if j >= len(key) {
			j = 0
		}
	}
	for k = 623; k > 0; k-- {
		r.mt[i] = (r.mt[i] ^ ((r.mt[i-1] ^ (r.mt[i-1] >> 30)) * 1566083941)) - uint32(i)
		i++
		if i >= 624 {
			r.mt[0] = r.mt[623]
			i = 1
		}
	}
	r.mt[0] = 0x80000000
}

// Uint32 is genrand_uint32.
func (r *PyRandom) Uint32() uint32 {
	if r.idx >= 624 {
		const upper, lower = 0x80000000, 0x7fffffff
		for k := 0; k < 624; k++ {
			y := (r.mt[k] & upper) | (r.mt[(k+1)%624] & lower)
			v := r.mt[(k+397)%624] ^ (y >> 1)
			if y&1 != 0 {
				v ^= 0x9908b0df
			}
			r.mt[k] = v
		}
		r.idx = 0
	}
	y := r.mt[r.idx]
	r.idx++
	y ^= y >> 11
	y ^= (y << 7) & 0x9d2c5680
	y ^= (y << 15) & 0xefc60000
	y ^= y >> 18
	return y
}

// Random is random.random(): 53 random bits in [0, 1).
func (r *PyRandom) Random() float64 {
	a, b := r.Uint32()>>5, r.Uint32()>>6
	return (float64(a)*67108864.0 + float64(b)) * (1.0 / 9007199254740992.0)
}

// getrandbits is random.getrandbits(k) for 0 < k ≤ 32.
func (r *PyRandom) getrandbits(k int) uint32 {
	return r.Uint32() >> (32 - k)
}

// Below is random._randbelow(n) for 0 < n < 2³²: rejection sampling on
// n.bit_length() bits.
func (r *PyRandom) Below(n int) int {
	k := 0
	for x := n; x > 0; x >>= 1 {
		k++
	}
	v := r.getrandbits(k)
	for int(v) >= n {
		v = r.getrandbits(k)
	}
	return int(v)
}

// Randint is random.randint(a, b), both included.
func (r *PyRandom) Randint(a, b int) int { return a + r.Below(b-a+1) }
