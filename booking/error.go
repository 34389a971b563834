// Package booking holds Marquee's domain: its types, its rules and its errors.
// It knows nothing of HTTP or SQL; handlers/ and db/ depend on it, never the reverse.
package booking

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to exactly one HTTP status in handlers/errors.go.
const (
	ENOTFOUND     = "not_found"    // 404
	ECONFLICT     = "conflict"     // 409, e.g. a seat already taken
	EINVALID      = "invalid"      // 422 (400 for malformed query parameters)
	EUNAUTHORIZED = "unauthorized" // 401
	EFORBIDDEN    = "forbidden"    // 403
	EGONE         = "gone"         // 410, e.g. sales closed
	ETOOMANY      = "rate_limited" // 429
	EUNAVAILABLE  = "unavailable"  // 503, e.g. the database is down
	EINTERNAL     = "internal"     // 500
)

// Error is the one error type of the domain. Message is safe to show to a user;
// anything else (SQL, stack, ids) stays in the wrapped error chain for the logs.
type Error struct {
	Code    string
	Message string
	// Field names the input that was wrong, when there is one (forms, query parameters).
	Field string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns a domain error with a user-facing message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error about one input field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Message: fmt.Sprintf(format, args...), Field: field}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error and "" for nil.
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

// ErrorMessage returns the user-facing message of err: the domain message, or a
// generic sentence for internal errors so that internals never leak.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong on our side. Please try again."
}
