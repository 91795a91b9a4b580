// Package errs defines the one error type that Outbreak passes between layers:
// an error with a kind that the edges (HTTP, CLI) map to a status, and an
// optional field that names the offending input.
package errs

import (
	"errors"
	"fmt"
	"net/http"
)

// Kind classifies an error by what the caller can do about it.
type Kind uint8

// The kinds of error. Internal is the zero value so that a forgotten kind is
// never shown to users as their fault.
const (
	Internal     Kind = iota // a bug or an unavailable dependency
	Invalid                  // the input breaks a rule; Field names it
	NotFound                 // the record does not exist
	Conflict                 // the record exists or was changed meanwhile
	Unauthorized             // the caller is not known
	Forbidden                // the caller may not do this
	Unavailable              // try again later (shutting down, overloaded)
	Malformed                // the request is not what it must be (a cursor no list gave); Field names the part
)

var kindNames = [...]string{"internal", "invalid", "not found", "conflict", "unauthorized", "forbidden", "unavailable", "malformed"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Error is an error with a kind, an optional field name and an optional cause.
type Error struct {
	Kind  Kind
	Field string // the input field at fault, for Invalid errors
	Msg   string
	Err   error
}

// E makes an error of kind k with a formatted message.
func E(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...)}
}

// Field makes an Invalid error that names the field at fault.
func Field(field, format string, args ...any) *Error {
	return &Error{Kind: Invalid, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Wrap makes an error of kind k that keeps err as its cause.
func Wrap(k Kind, err error, msg string) *Error {
	return &Error{Kind: k, Msg: msg, Err: err}
}

// Error returns "field: msg: cause", leaving out the parts that are empty.
func (e *Error) Error() string {
	s := e.Msg
	if e.Field != "" {
		s = e.Field + ": " + s
	}
	if e.Err != nil {
		if s == "" {
			return e.Err.Error()
		}
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of the first *Error in err's chain, or Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err has kind k.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }

// FieldOf returns the field named by the first *Error in err's chain.
func FieldOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// Status maps an error's kind to an HTTP status code.
func Status(err error) int {
	switch KindOf(err) {
	case Invalid:
		return http.StatusUnprocessableEntity
	case NotFound:
		return http.StatusNotFound
	case Conflict:
		return http.StatusConflict
	case Unauthorized:
		return http.StatusUnauthorized
	case Forbidden:
		return http.StatusForbidden
	case Unavailable:
		return http.StatusServiceUnavailable
	case Malformed:
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// FieldError says what is wrong with one field of an input; Field is empty
// when the fault is not in one field (a line that is not JSON at all).
type FieldError struct {
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

// Fields returns a FieldError for each *Error naming a field in err, which
// may join several.
func Fields(err error) []FieldError {
	var out []FieldError
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		var e *Error
		if errors.As(err, &e) && e.Field != "" {
			out = append(out, FieldError{Field: e.Field, Reason: Reason(e)})
		}
	}
	walk(err)
	return out
}

// Reason returns the message of the first *Error in err without its field,
// or err's text when it has none.
func Reason(err error) string {
	var e *Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	switch {
	case e.Msg == "" && e.Err != nil:
		return e.Err.Error()
	case e.Err != nil:
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

// FieldErrorOf returns err as one FieldError: the field of its first *Error,
// if any, and its reason.
func FieldErrorOf(err error) *FieldError {
	var e *Error
	if errors.As(err, &e) {
		return &FieldError{Field: e.Field, Reason: Reason(e)}
	}
	return &FieldError{Reason: err.Error()}
}
