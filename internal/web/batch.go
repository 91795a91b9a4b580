package web

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"

	"outbreak/internal/errs"
)

// Limits of one batch. The body is read whole before the transaction starts,
// so that a slow client never holds the store's writer.
const (
	maxBatchBytes = 32 << 20
	maxBatchLines = 100_000
)

// BatchResult is the answer of a batch import: how many records the store
// took, refused and skipped as stored already (visits with the person,
// place and check-in of one stored), and one result per non-blank line, in
// line order.
type BatchResult struct {
	Imported int         `json:"imported"`
	Rejected int         `json:"rejected"`
	Skipped  int         `json:"skipped"`
	Results  []BatchItem `json:"results"`
}

// BatchItem is the result of one line of a batch. ID is the record's ID for
// kinds keyed by ID (people, places, regions, cases); appended kinds (visits,
// stays, labs, vaccinations, declarations) get IDs that the store's bulk
// import does not report, so theirs is left out. Error is null for a line
// that was stored.
type BatchItem struct {
	Line  int         `json:"line"`
	ID    string      `json:"id,omitempty"`
	Error *FieldError `json:"error"`
}

// ndjsonTypes are the media types accepted for NDJSON bodies.
var ndjsonTypes = []string{ndjsonType, "application/jsonl", "application/ndjson", "application/jsonlines"}

// batchHandler imports an NDJSON body, one record per line, through one call
// of the store's Import method, which is one transaction. A line that does
// not decode or that the store refuses gets an error in its result and the
// others are stored; an error of the store itself applies nothing.
func (res *resource[T]) batchHandler(s *server) http.HandlerFunc {
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
		type item struct {
			line int
			v    T
		}
		var items []item
		results := []BatchItem{}
		for i, line := range bytes.Split(body, []byte{'\n'}) {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			v, err := res.codec.DecodeJSON(line)
			if err != nil {
				bi := BatchItem{Line: i + 1, Error: itemError(err)}
				results = append(results, bi)
				continue
			}
			items = append(items, item{line: i + 1, v: v})
		}
		// The store calls reject for an item before it takes the next one,
		// so cur is the item at fault.
		cur, ended := -1, false
		refused := map[int]*FieldError{}
		seq := func(yield func(T) bool) {
			defer func() { ended = true }()
			for i := range items {
				cur = i
				if !yield(items[i].v) {
					return
				}
			}
		}
		reject := func(err error) error {
			if ended || cur < 0 || !errs.Is(err, errs.Invalid) {
				return err // not tied to a line: the whole batch fails
			}
			refused[cur] = itemError(err)
			return nil
		}
		n, err := res.load(r.Context(), seq, reject)
		if err != nil {
			s.problem(w, r, err)
			return
		}
		out := BatchResult{Imported: n, Rejected: len(results) + len(refused), Skipped: len(items) - len(refused) - n}
		for i := range items {
			bi := BatchItem{Line: items[i].line, Error: refused[i]}
			if res.keyed {
				bi.ID = *res.id(&items[i].v)
			}
			results = append(results, bi)
		}
		slices.SortFunc(results, func(a, b BatchItem) int { return a.Line - b.Line })
		out.Results = results
		s.json(w, r, http.StatusOK, out)
	}
}
