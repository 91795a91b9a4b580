package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"outbreak/internal/errs"
)

// Problem is an error answer, as RFC 9457 problem details
// (application/problem+json). Type is a URN, urn:outbreak:problem:SLUG, that
// names the kind of problem; Errors names the fields at fault when the input
// broke a rule.
type Problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail,omitempty"`
	Instance  string            `json:"instance,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	Errors    []errs.FieldError `json:"errors,omitempty"`
}

// httpError is a problem with the HTTP exchange rather than with a record:
// malformed JSON, a wrong media type or method, a body too large.
type httpError struct {
	status              int
	slug, title, detail string
}

func (e *httpError) Error() string { return e.detail }

const problemPrefix = "urn:outbreak:problem:"

// kindProblems gives each kind of error its problem type and title.
var kindProblems = map[errs.Kind]struct{ slug, title string }{
	errs.Internal:     {"internal", "Internal error"},
	errs.Invalid:      {"invalid", "Invalid input"},
	errs.NotFound:     {"not-found", "Not found"},
	errs.Conflict:     {"conflict", "Conflict"},
	errs.Unauthorized: {"unauthorized", "Unauthorized"},
	errs.Forbidden:    {"forbidden", "Forbidden"},
	errs.Unavailable:  {"unavailable", "Unavailable"},
	errs.Malformed:    {"malformed", "Malformed request"},
}

// problemOf turns an error into problem details. The messages of Internal
// errors are not shown; the caller logs them.
func problemOf(err error) Problem {
	var he *httpError
	if errors.As(err, &he) {
		return Problem{Type: problemPrefix + he.slug, Title: he.title, Status: he.status, Detail: he.detail}
	}
	kind := errs.KindOf(err)
	kp := kindProblems[kind]
	p := Problem{Type: problemPrefix + kp.slug, Title: kp.title, Status: errs.Status(err), Detail: err.Error()}
	if kp.slug == "" {
		p.Type, p.Title = problemPrefix+"internal", "Internal error"
	}
	if kind == errs.Internal {
		p.Detail = "internal error"
		return p
	}
	p.Errors = errs.Fields(err)
	return p
}

// problem answers with the problem details of err, and logs the errors that
// are the server's fault.
func (s *server) problem(w http.ResponseWriter, r *http.Request, err error) {
	p := problemOf(err)
	p.Instance = r.URL.Path
	if st := stateOf(r.Context()); st != nil {
		p.RequestID = st.id
	}
	if p.Status >= 500 {
		level, msg := slog.LevelError, "request failed"
		if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
			level, msg = slog.LevelInfo, "request cancelled by the client"
		}
		s.log.Log(r.Context(), level, msg, "method", r.Method, "path", r.URL.Path,
			"request_id", p.RequestID, "status", p.Status, "err", err)
	}
	body, _ := json.Marshal(p)
	h := w.Header()
	h.Set("Content-Type", problemType)
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	_, _ = w.Write(append(body, '\n'))
}

// json answers with v as JSON.
func (s *server) json(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		s.problem(w, r, errs.Wrap(errs.Internal, err, "web: encoding the answer"))
		return
	}
	w.Header().Set("Content-Type", jsonType)
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// mustJSON encodes v, which cannot fail for the maps and slices the server
// builds itself.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("web: " + err.Error())
	}
	return b
}
