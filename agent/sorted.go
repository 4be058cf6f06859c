package agent

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"unicode/utf16"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// sortedSpace is every non-excluded outcome sorted as GENIUS's
// SortedOutcomeSpace sorts them (genius.core.boaframework.SortedOutcomeSpace
// with genius.core.bidding.BidDetailsSorterUtility): utility descending, then
// BidDetails.hashCode ascending, then the order of genius.core.BidIterator
// (Collections.sort is stable), in which the first issue changes fastest.
type sortedSpace struct {
	radix []int
	utils []float64 // descending
	iter  []uint32  // BidIterator index: level of point 0 is the least significant digit
}

func newSortedSpace(f *framework.Framework, t *profile.Table, radix []int, exclude func(framework.Package) bool) *sortedSpace {
	n := len(radix)
	size := 1
	for _, r := range radix {
		size *= r
	}
	vh := valueHashes(f)
	type entry struct {
		u float64
		h int32
		i uint32
	}
	entries := make([]entry, 0, size)
	p := make(framework.Package, n)
	for idx := 0; idx < size; idx++ {
		if exclude == nil || !exclude(p) {
			// The same additions in the same order as GENIUS's
			// AdditiveUtilitySpace.getUtility, so that ties are the same ties.
			u := 0.0
			var bh int32
			for i, l := range p {
				u += t.Contrib[i][l]
				bh += vh[i][l]
			}
			entries = append(entries, entry{u, bidDetailsHash(bh, u), uint32(idx)})
		}
		for i := 0; i < n; i++ { // BidIterator: first issue fastest
			p[i]++
			if p[i] < radix[i] {
				break
			}
			p[i] = 0
		}
	}
	slices.SortFunc(entries, func(a, b entry) int {
		if a.u != b.u {
			if a.u > b.u {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(a.h, b.h); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	s := &sortedSpace{radix: radix, utils: make([]float64, len(entries)), iter: make([]uint32, len(entries))}
	for k, e := range entries {
		s.utils[k] = e.u
		s.iter[k] = e.i
	}
	return s
}

// bid decodes the k-th sorted outcome.
func (s *sortedSpace) bid(k int) Bid {
	p := make(framework.Package, len(s.radix))
	idx := s.iter[k]
	for i, r := range s.radix {
		p[i] = int(idx % uint32(r))
		idx /= uint32(r)
	}
	return Bid{Package: p, Utility: s.utils[k]}
}

// searchIndexWith is SortedOutcomeSpace.searchIndexWith, quirks included:
// a binary search over the descending list that returns an index holding
// value exactly if it meets one, and otherwise the index where low and high
// stopped moving.
func (s *sortedSpace) searchIndexWith(value float64) int {
	middle, low, high, lastMiddle := -1, 0, len(s.utils)-1, 0
	for lastMiddle != middle {
		lastMiddle = middle
		middle = (low + high) / 2
		u := s.utils[middle]
		if u == value {
			return middle
		}
		if u < value {
			high = middle
		}
		if u > value {
			low = middle
		}
	}
	return middle
}

// nearIndex is SortedOutcomeSpace.getIndexOfBidNearUtility, statement for
// statement (the index above is only kept if the index below is not closer,
// and is then overwritten: GENIUS returns index or index+1).
func (s *sortedSpace) nearIndex(utility float64) int {
	index := s.searchIndexWith(utility)
	newIndex := -1
	closest := math.Abs(s.utils[index] - utility)
	if index > 0 && math.Abs(s.utils[index-1]-utility) < closest {
		newIndex = index - 1
		closest = math.Abs(s.utils[index-1] - utility)
	}
	if index+1 < len(s.utils) && math.Abs(s.utils[index+1]-utility) < closest {
		newIndex = index + 1
	} else {
		newIndex = index
	}
	return newIndex
}

// lastAtLeast returns the index of the lowest utility ≥ t, or -1.
func (s *sortedSpace) lastAtLeast(t float64) int {
	return sort.Search(len(s.utils), func(i int) bool { return s.utils[i] < t }) - 1
}

func (s *sortedSpace) around(t float64, k int, dst []Bid) []Bid {
	j := s.nearIndex(t)
	dst = append(dst, s.bid(j))
	up, down := j-1, j+1
	for len(dst) < k && (up >= 0 || down < len(s.utils)) {
		switch {
		case down >= len(s.utils) || (up >= 0 && math.Abs(s.utils[up]-t) <= math.Abs(s.utils[down]-t)):
			dst = append(dst, s.bid(up))
			up--
		default:
			dst = append(dst, s.bid(down))
			down++
		}
	}
	return dst
}

func (s *sortedSpace) within(lo, hi float64, k int, dst []Bid) []Bid {
	for i, n := s.lastAtLeast(lo), 0; i >= 0 && n < k && s.utils[i] <= hi; i-- {
		dst = append(dst, s.bid(i))
		n++
	}
	return dst
}

// valueHashes returns, per point and level, the Java hashCode of the GENIUS
// Value object: String.hashCode of the option (ValueDiscrete), 0 for
// integers (ValueInteger). GENIUS's ValueReal has no hashCode of its own
// (identity hash, different in every run); 0 is used, so ties between real
// outcomes fall back to BidIterator order.
func valueHashes(f *framework.Framework) [][]int32 {
	out := make([][]int32, len(f.Points))
	for i := range f.Points {
		pt := &f.Points[i]
		out[i] = make([]int32, pt.Levels())
		if pt.Kind == framework.Options {
			for l, o := range pt.Options {
				out[i][l] = javaStringHash(o.ID)
			}
		}
	}
	return out
}

// javaStringHash is java.lang.String.hashCode: s[0]·31^(n-1) + … + s[n-1]
// over UTF-16 code units, in wrapping 32-bit arithmetic.
func javaStringHash(s string) int32 {
	var h int32
	for _, c := range utf16.Encode([]rune(s)) {
		h = 31*h + int32(c)
	}
	return h
}

// bidDetailsHash is genius.core.bidding.BidDetails.hashCode for a bid whose
// Bid.hashCode is bidHash (the sum of its values' hash codes), with utility u
// and time -1 (as OutcomeSpace creates them).
func bidDetailsHash(bidHash int32, u float64) int32 {
	const prime = 31
	result := int32(1)
	result = prime*result + bidHash
	temp := math.Float64bits(u)
	result = prime*result + int32(uint32(temp^(temp>>32)))
	temp = math.Float64bits(-1)
	result = prime*result + int32(uint32(temp^(temp>>32)))
	return result
}
