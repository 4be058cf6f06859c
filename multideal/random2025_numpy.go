package multideal

// NumpyRandom is numpy's legacy RandomState (np.random's global stream:
// MT19937 seeded by np.random.seed(n)), for the draws anl2025 and NegMAS
// make from it: rand (random_sample) and randint / choice (masked
// rejection sampling). It is not safe for concurrent use.
type NumpyRandom struct {
	mt PyRandom
}

// NewNumpyRandom returns a stream in the state np.random.seed(seed) leaves
// numpy's global RandomState (mt19937_seed: Knuth's init_genrand, not
// CPython's init_by_array).
func NewNumpyRandom(seed uint32) *NumpyRandom {
	r := &NumpyRandom{}
	r.mt.initGenrand(seed)
	return r
}

// Uint32 is the next raw 32-bit output (mt19937_next32).
func (r *NumpyRandom) Uint32() uint32 { return r.mt.Uint32() }

// Rand is np.random.rand() / random_sample(): 53 random bits in [0, 1),
// as CPython's random() makes them.
func (r *NumpyRandom) Rand() float64 { return r.mt.Random() }

// Below is np.random.randint(0, n) for 0 < n ≤ 2³² (the legacy int64
// path): no draw when n is 1, else 32-bit outputs masked to the smallest
// covering power of two, rejected until at most n−1.
func (r *NumpyRandom) Below(n int) int {
	rng := uint32(n - 1)
	if rng == 0 {
		return 0
	}
	if uint64(n-1) == 0xFFFFFFFF {
		return int(r.Uint32())
	}
	mask := rng
	mask |= mask >> 1
	mask |= mask >> 2
	mask |= mask >> 4
	mask |= mask >> 8
	mask |= mask >> 16
	for {
		if v := r.Uint32() & mask; v <= rng {
			return int(v)
		}
	}
}

// SessionNumpySeed is the numpy seed the session's Python seed maps to in replays
// of anl2025 (testdata/anl2025_driver.py seeds np.random with it where it
// seeds random): |seed| mod 2³².
func SessionNumpySeed(seed int64) uint32 {
	if seed < 0 {
		seed = -seed
	}
	return uint32(uint64(seed) & 0xFFFFFFFF)
}
