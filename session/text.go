package session

import (
	"slices"

	"github.com/parley-negotiation/parley/framework"
)

// Text is a single negotiating text: per point of the framework, in
// framework order, the options (level indices) still open. One option: the
// point reads that way (it is settled); several: bracketed alternatives;
// none: the point is open. A draft the engine accepts (KindDraft) gives
// every point at least one option, each once, in increasing order; other
// texts (read from a log, built by a caller) need not.
//
// Its JSON form is a plain array of arrays of option indices, the same as
// a [][]int; a [][]int converts to a Text and back without copying.
type Text [][]int

// SettledText returns the text that reads as p: one option per point, none
// for a point p leaves open.
func SettledText(p framework.Package) Text {
	t := make(Text, len(p))
	for k, l := range p {
		if l != framework.Open {
			t[k] = []int{l}
		}
	}
	return t
}

// BracketText returns the text of n points that brackets, per point, the
// options the packages use: each once, in increasing order (settled where
// they agree; none for every point when there is no package).
func BracketText(n int, ps []framework.Package) Text {
	t := make(Text, n)
	for k := range t {
		for _, p := range ps {
			t[k] = append(t[k], p[k])
		}
		slices.Sort(t[k])
		t[k] = slices.Compact(t[k])
	}
	return t
}

// Clone returns a deep copy of t (nil for nil), so that a session's state
// never shares memory with a logged move.
func (t Text) Clone() Text {
	if t == nil {
		return nil
	}
	out := make(Text, len(t))
	for k, alts := range t {
		out[k] = slices.Clone(alts)
	}
	return out
}

// Package returns the package of t's settled points: a bracketed or open
// point is framework.Open. It has one point per point of t.
func (t Text) Package() framework.Package {
	p := framework.NewPackage(len(t))
	for k, alts := range t {
		if len(alts) == 1 {
			p[k] = alts[0]
		}
	}
	return p
}

// Settled returns the option point k reads when it is settled (it has
// exactly one option), and false when it is bracketed, open or beyond t.
func (t Text) Settled(k int) (option int, ok bool) {
	if k < 0 || k >= len(t) || len(t[k]) != 1 {
		return 0, false
	}
	return t[k][0], true
}

// Bracketed reports whether some point of t has more than one option:
// such a text cannot be put to the final vote.
func (t Text) Bracketed() bool {
	for _, alts := range t {
		if len(alts) > 1 {
			return true
		}
	}
	return false
}
