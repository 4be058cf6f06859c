package room

import (
	"errors"
	"fmt"
)

// Error codes. The HTTP shell maps each to a status in one table.
const (
	ECONFLICT     = "conflict"     // the record exists or the log moved on
	EINTERNAL     = "internal"     // a bug or a failing store
	EINVALID      = "invalid"      // the request is malformed or not allowed by the rules
	ENOTFOUND     = "not_found"    // no such record (or not visible to the caller)
	EUNAUTHORIZED = "unauthorized" // no valid credentials
	EFORBIDDEN    = "forbidden"    // valid credentials, not allowed
	ETOOMANY      = "rate_limited" // too many attempts
	ETOOLARGE     = "too_large"    // a body or upload over the limit
	EOUTOFTURN    = "out_of_turn"  // a move when it is not the party's turn
	ECLOSED       = "closed"       // the session accepts no more moves
)

// Error is an error with a code and a message fit for the person who made
// the request. Its message never includes another party's private data.
type Error struct {
	Code    string
	Message string
	Err     error // the cause, for logs; may be nil
}

func (e *Error) Error() string {
	if e.Err != nil && e.Message == "" {
		return e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err: the Code of the first *Error in its
// chain, EINTERNAL for any other non-nil error, "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of err: the Message of the first
// *Error in its chain, or "internal error" (the detail is for logs only).
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return "internal error"
}
