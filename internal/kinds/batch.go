package kinds

import (
	"bytes"
	"context"
	"slices"

	"outbreak/internal/errs"
)

// BatchResult is the answer of a batch: how many records the store took,
// refused and skipped as stored already (visits with the person, place and
// check-in of one stored), and one result per non-blank line, in line
// order.
type BatchResult struct {
	Imported int         `json:"imported"`
	Rejected int         `json:"rejected"`
	Skipped  int         `json:"skipped"`
	Results  []BatchItem `json:"results"`
}

// BatchItem is the result of one line of a batch. ID is the record's ID for
// keyed kinds (people, places, regions, cases, …); appended kinds (visits,
// stays, labs, vaccinations, declarations) get IDs that the store's bulk
// import does not report, so theirs is left out. Error is null for a line
// that was stored.
type BatchItem struct {
	Line  int              `json:"line"`
	ID    string           `json:"id,omitempty"`
	Error *errs.FieldError `json:"error"`
}

// Batch stores the records of NDJSON lines through one call of the store's
// Import method, which is one transaction. A line that does not decode, or
// that the store refuses, gets an error in its result and the others are
// stored; an error of the store itself applies nothing and is returned.
func (k *Kind[T]) Batch(ctx context.Context, st Store, body []byte) (BatchResult, error) {
	type item struct {
		line int
		v    T
	}
	var items []item
	results := []BatchItem{}
	for i, line := range bytes.Split(body, []byte{'\n'}) {
		if isBlank(line) {
			continue
		}
		v, err := k.DecodeJSON(line, nil)
		if err != nil {
			results = append(results, BatchItem{Line: i + 1, Error: errs.FieldErrorOf(err)})
			continue
		}
		items = append(items, item{line: i + 1, v: v})
	}
	// The store calls reject for an item before it takes the next one, so
	// cur is the item at fault.
	cur, ended := -1, false
	refused := map[int]*errs.FieldError{}
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
		refused[cur] = errs.FieldErrorOf(err)
		return nil
	}
	n, err := k.load(st, ctx, seq, reject)
	if err != nil {
		return BatchResult{}, err
	}
	out := BatchResult{Imported: n, Rejected: len(results) + len(refused), Skipped: len(items) - len(refused) - n}
	for i := range items {
		bi := BatchItem{Line: items[i].line, Error: refused[i]}
		if k.keyed {
			bi.ID = *k.id(&items[i].v)
		}
		results = append(results, bi)
	}
	slices.SortFunc(results, func(a, b BatchItem) int { return a.Line - b.Line })
	out.Results = results
	return out, nil
}
