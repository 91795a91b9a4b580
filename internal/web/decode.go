package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/record"
)

// maxBody bounds a JSON request body: a record is a few hundred bytes.
const maxBody = 1 << 20

// decodeBody reads the JSON object of a request body into v, a pointer to a
// struct. A body that is not JSON is a 400; an unknown field, or a value of
// the wrong type, is an Invalid error naming the field. An empty body leaves
// v alone when allowEmpty, and is a 400 otherwise.
func decodeBody(w http.ResponseWriter, r *http.Request, v any, allowEmpty bool) error {
	if err := checkMediaType(r, jsonType); err != nil {
		return err
	}
	body, err := readBody(w, r, maxBody)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if allowEmpty {
			return nil
		}
		return malformed("the body is empty; want a JSON object")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return malformed(fmt.Sprintf("malformed JSON at byte %d: %v", se.Offset, err))
		}
		return malformed("the body is not a JSON object")
	}
	if fields == nil {
		return malformed("the body is null; want a JSON object")
	}
	known := jsonFields(reflect.TypeOf(v).Elem())
	var problems []error
	for _, name := range sortedKeys(fields) {
		if _, ok := known[name]; !ok {
			problems = append(problems, errs.Field(name, "unknown field (want %s)", strings.Join(sortedKeys(known), ", ")))
		}
	}
	if len(problems) > 0 {
		return errors.Join(problems...)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fieldError(reflect.TypeOf(v).Elem(), known, fields, err)
	}
	return nil
}

// fieldError finds the field whose value made err, by decoding each field
// alone, since encoding/json names the field only for some errors.
func fieldError(t reflect.Type, known map[string]reflect.Type, fields map[string]json.RawMessage, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		name, _, _ := strings.Cut(te.Field, ".")
		return errs.Field(name, "want %s, not a JSON %s", describe(known[name]), te.Value)
	}
	for _, name := range sortedKeys(fields) {
		one, _ := json.Marshal(map[string]json.RawMessage{name: fields[name]})
		if json.Unmarshal(one, reflect.New(t).Interface()) != nil {
			return errs.Field(name, "want %s", describe(known[name]))
		}
	}
	return malformed("the body does not decode: " + err.Error())
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[record.Duration]()
)

// describe says what a field of type t takes, for messages.
func describe(t reflect.Type) string {
	switch {
	case t == nil:
		return "a value"
	case t == timeType:
		return "an RFC 3339 time such as 2026-11-01T08:00:00Z"
	case t == durationType:
		return "a duration such as 45m or 1h30m"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "a whole number"
	case reflect.Float64, reflect.Float32:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "an array of " + strings.TrimPrefix(strings.TrimPrefix(describe(t.Elem()), "a "), "an ") + "s"
	}
	return "a " + t.Kind().String()
}

var fieldCache sync.Map // reflect.Type → map[string]reflect.Type

// jsonFields returns the JSON field names of struct type t and their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		m[name] = f.Type
	}
	fieldCache.Store(t, m)
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// checkMediaType accepts a request whose body has one of the media types
// given, or says none (a client that sends JSON without saying so is common
// and harmless). JSON also accepts any +json type.
func checkMediaType(r *http.Request, want ...string) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (slices.Contains(want, mt) || slices.Contains(want, jsonType) && strings.HasSuffix(mt, "+json")) {
		return nil
	}
	return &httpError{status: http.StatusUnsupportedMediaType, slug: "unsupported-media-type", title: "Unsupported media type",
		detail: fmt.Sprintf("the body is %q; want %s", ct, strings.Join(want, " or "))}
}

// readBody reads a request body of at most limit bytes; a longer one is a
// 413 problem.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, &httpError{status: http.StatusRequestEntityTooLarge, slug: "too-large", title: "Request body too large",
			detail: fmt.Sprintf("the body is larger than %s", byteSize(limit))}
	case err != nil:
		return nil, malformed("reading the body: " + err.Error())
	}
	return body, nil
}

func byteSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

func malformed(detail string) error {
	return &httpError{status: http.StatusBadRequest, slug: "malformed", title: "Malformed request", detail: detail}
}
