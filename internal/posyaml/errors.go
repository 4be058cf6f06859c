package posyaml

import (
	"strconv"
	"strings"
)

// MaxErrors bounds how many problems a Decoder reports for one file. It
// keeps checking after the first problem so that one run shows them all, but
// stops recording after MaxErrors and then says so in a last entry.
const MaxErrors = 50

// Error is one problem found in a file.
//
// Line and Col are 1-based and count characters; both are 0 when the problem
// concerns the file as a whole (its size, emptiness, or a check of the
// reader that has no place in the text). Msg says what was found and what
// was expected; it never contains the file name or position.
type Error struct {
	File string
	Line int
	Col  int
	Msg  string
}

// Error formats the problem as "FILE:LINE:COL: MSG", or "FILE: MSG" when it
// has no position, the form compilers use so that editors can jump to it.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Col))
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is every problem found in one file, sorted by position (those
// of the whole file first). Readers return a non-empty ErrorList as their
// error whenever a file is rejected for its content; use errors.As to get at
// it.
type ErrorList []*Error

// Error joins the problems with newlines, one "FILE:LINE:COL: MSG" per line.
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap returns the individual problems, so that errors.As(err, &e) with
// e of type *Error finds the first of them.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}
