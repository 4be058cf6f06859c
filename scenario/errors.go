package scenario

import "github.com/parley-negotiation/parley/internal/posyaml"

// MaxErrors bounds how many problems Parse reports for one file. Parse keeps
// checking after the first problem so that one run shows them all, but stops
// collecting after MaxErrors and then says so in a last entry.
const MaxErrors = posyaml.MaxErrors

// Error is one problem found in a scenario file (the type tournament configs
// use too, so that tools handle both alike).
//
// Line and Col are 1-based and count characters; both are 0 when the problem
// concerns the file as a whole (its size or encoding, or a model invariant
// found by Validate after the file-level checks passed). Msg says what was
// found and what was expected; it never contains the file name or position.
// Error() formats it as "FILE:LINE:COL: MSG", or "FILE: MSG" when it has no
// position, the form compilers use so that editors can jump to it.
type Error = posyaml.Error

// ErrorList is every problem found in one file, sorted by position. Parse
// and Load return a non-empty ErrorList as their error whenever the file is
// rejected for its content; use errors.As to get at it. Error() joins the
// problems with newlines; Unwrap returns them, so that errors.As(err, &e)
// with e of type *Error finds the first of them.
type ErrorList = posyaml.ErrorList
