package loadtest

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// subBits is the number of bits of each power of two the histogram
// resolves: 64 buckets per doubling, so a quantile is within 1.6%.
const subBits = 6

// hist is a lock-free log-linear histogram of durations in nanoseconds.
type hist struct {
	counts [64 << subBits]atomic.Int64
	n, sum atomic.Int64
	max    atomic.Int64
}

func bucketOf(v int64) int {
	if v < 1<<subBits {
		return int(max(v, 0))
	}
	e := bits.Len64(uint64(v)) - subBits - 1
	return (e+1)<<subBits + int(v>>e) - 1<<subBits
}

// bucketValue returns the middle of bucket i.
func bucketValue(i int) int64 {
	if i < 1<<subBits {
		return int64(i)
	}
	e := i>>subBits - 1
	m := int64(i&(1<<subBits-1) + 1<<subBits)
	return m<<e + (int64(1)<<e)/2
}

func (h *hist) add(d time.Duration) {
	v := int64(d)
	h.counts[bucketOf(v)].Add(1)
	h.n.Add(1)
	h.sum.Add(v)
	for {
		m := h.max.Load()
		if v <= m || h.max.CompareAndSwap(m, v) {
			return
		}
	}
}

// quantile returns the q-quantile (0 < q ≤ 1); 0 without samples.
func (h *hist) quantile(q float64) time.Duration {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	rank := int64(q*float64(n) + 0.5)
	rank = min(max(rank, 1), n)
	var c int64
	for i := range h.counts {
		c += h.counts[i].Load()
		if c >= rank {
			return min(time.Duration(bucketValue(i)), time.Duration(h.max.Load()))
		}
	}
	return time.Duration(h.max.Load())
}

// Latency summarises a histogram, in milliseconds.
type Latency struct {
	Count int64   `json:"count"`
	Mean  float64 `json:"mean_ms"`
	P50   float64 `json:"p50_ms"`
	P90   float64 `json:"p90_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (h *hist) summary() Latency {
	n := h.n.Load()
	l := Latency{Count: n, P50: ms(h.quantile(0.50)), P90: ms(h.quantile(0.90)), P99: ms(h.quantile(0.99)), Max: ms(time.Duration(h.max.Load()))}
	if n > 0 {
		l.Mean = ms(time.Duration(h.sum.Load() / n))
	}
	return l
}
