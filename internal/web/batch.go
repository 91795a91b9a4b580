package web

import (
	"bytes"
	"fmt"
	"net/http"

	"outbreak/internal/kinds"
)

// Limits of one batch. The body is read whole before the transaction starts,
// so that a slow client never holds the store's writer.
const (
	maxBatchBytes = 32 << 20
	maxBatchLines = 100_000
)

// ndjsonTypes are the media types accepted for NDJSON bodies.
var ndjsonTypes = []string{ndjsonType, "application/jsonl", "application/ndjson", "application/jsonlines"}

// batchHandler imports an NDJSON body, one record per line, in one
// transaction of the store (kinds.Kind.Batch): a line that does not decode
// or that the store refuses gets an error in its result and the others are
// stored; an error of the store itself applies nothing.
func (s *server) batchHandler(k kinds.Any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") == "" {
			s.problem(w, r, &httpError{status: http.StatusUnsupportedMediaType, slug: "unsupported-media-type",
				title: "Unsupported media type", detail: "a batch is NDJSON: send Content-Type: " + ndjsonType})
			return
		}
		if err := checkMediaType(r, ndjsonTypes...); err != nil {
			s.problem(w, r, err)
			return
		}
		body, err := readBody(w, r, maxBatchBytes)
		if err != nil {
			s.problem(w, r, err)
			return
		}
		if n := bytes.Count(body, []byte{'\n'}); n > maxBatchLines {
			s.problem(w, r, &httpError{status: http.StatusRequestEntityTooLarge, slug: "too-large", title: "Request body too large",
				detail: fmt.Sprintf("more than %d lines; split the batch", maxBatchLines)})
			return
		}
		out, err := k.Batch(r.Context(), s.store, body)
		if err != nil {
			s.problem(w, r, err)
			return
		}
		s.json(w, r, http.StatusOK, out)
	}
}
