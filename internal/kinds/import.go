// Package ingest reads and writes every kind of record in the file formats
// of DESIGN.md (CSV with a header, and NDJSON), and moves whole files in and
// out of the store: Import streams one file into one transaction of the
// store, Export pages through the store to write one.
package kinds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"outbreak/internal/approval"
	"outbreak/internal/cases"
	"outbreak/internal/lab"
	"outbreak/internal/person"
	"outbreak/internal/place"
	"outbreak/internal/supply"
	"outbreak/internal/visit"
)

// Store is what import and export need of the store: the domain stores of
// every kind of record.
type Store interface {
	person.Store
	place.Store
	visit.Store
	lab.Store
	cases.Store
	approval.Store
	supply.Store
}

// Options control one import.
type Options struct {
	Format   string    // "csv" or "ndjson"; empty = from the file name
	SkipBad  bool      // bad lines go to RejectTo instead of stopping the import
	RejectTo io.Writer // receives rejected lines verbatim (CSV: with the header first) when SkipBad
}

// MaxErrors is how many reject messages a Result keeps.
const MaxErrors = 10

// Result counts what an import did.
type Result struct {
	Imported int     // records the store applied
	Skipped  int     // records stored already, which the store left out (a visit of the same person, place and check-in)
	Rejected int     // bad lines skipped (SkipBad): malformed, or refused by the store
	Errors   []error // the first MaxErrors of those, each a *LineError
}

// Import reads one file of kind (one of Kinds) into the store and returns
// counts. name is the file's name, used in messages and, when opt.Format is
// empty, to tell the format; "-" means standard input.
//
// The whole file goes to one call of the store's Import method for the kind,
// through an iterator that reads and decodes lazily, so that a file of any
// size streams. A bad line stops the import with an error whose text is
// "FILE:LINE: FIELD: reason", and the store applies nothing of the file
// (with opt.SkipBad, bad lines are skipped and counted instead). A CSV header
// problem or an I/O error always stops the import.
//
// The store must honour this contract:
//   - A line that does not decode ends the iteration early after cancelling
//     the context passed to the store, with the line's error as the cause.
//     The store must check ctx.Err() once the iteration ends and, if it is
//     set, roll back and return an error (context.Cause(ctx) is best).
//   - The store calls reject for an item it refuses before it takes the next
//     item, so that the item is the last one yielded and its line is known.
//     Without SkipBad reject returns the line's error (and also cancels the
//     context); the store must then roll back and return an error.
//   - A reject after the iteration has ended cannot be tied to a line: its
//     message names only the file, and with SkipBad no line is written out.
//
// Import returns the line's error itself whatever error the store wraps it
// in, and an error saying so if a store returns success despite an abort.
func Import(ctx context.Context, st Store, kind, name string, r io.Reader, opt Options) (Result, error) {
	k, err := Lookup(kind)
	if err != nil {
		return Result{}, err
	}
	format, err := Format(name, opt.Format)
	if err != nil {
		return Result{}, err
	}
	return k.importFile(ctx, st, name, format, r, opt)
}

func (c *Kind[T]) importFile(ctx context.Context, st Store, name, format string, r io.Reader, opt Options) (Result, error) {
	rd, err := c.NewReader(name, format, r)
	if err != nil {
		return Result{}, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	im := &importer[T]{ctx: ctx, cancel: cancel, rd: rd, opt: opt}
	n, err := c.load(st, ctx, im.items, im.reject)
	switch {
	case im.err != nil && err == nil:
		return Result{}, fmt.Errorf("%w (the store did not report the abort, so it may have applied part of the file: a bug in the store)", im.err)
	case im.err != nil:
		return Result{}, im.err
	case err != nil:
		return Result{}, err
	}
	im.res.Imported = n
	im.res.Skipped = max(0, im.yielded-im.refused-n)
	return im.res, nil
}

// importer feeds one file to a store's Import method.
type importer[T any] struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	rd     *Reader[T]
	opt    Options
	res    Result
	err    error // what aborted the import
	ended  bool  // the iteration is over
	header bool  // the CSV header has gone to RejectTo
	// yielded counts the records given to the store, refused those it
	// refused.
	yielded, refused int
}

// items yields the records of the file. A bad line is skipped or aborts the
// import; an I/O error always aborts.
func (im *importer[T]) items(yield func(T) bool) {
	defer func() { im.ended = true }()
	for n := 1; im.err == nil; n++ {
		if n%4096 == 0 && im.ctx.Err() != nil {
			return // cancelled by the caller; the store sees ctx.Err()
		}
		v, err := im.rd.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			var le *LineError
			if errors.As(err, &le) && im.opt.SkipBad {
				if err := im.skip(le); err != nil {
					im.abort(err)
					return
				}
				continue
			}
			im.abort(err)
			return
		}
		im.yielded++
		if !yield(v) {
			return
		}
	}
}

// reject is the record.Reject given to the store: err is about the item last
// yielded.
func (im *importer[T]) reject(err error) error {
	im.refused++
	le := &LineError{File: im.rd.name, Err: err}
	if !im.ended {
		le.Line = im.rd.Line()
	}
	if !im.opt.SkipBad {
		im.abort(le)
		return le
	}
	if err := im.skip(le); err != nil {
		im.abort(err)
		return err
	}
	return nil
}

// skip counts a bad line and writes it to RejectTo with why it was
// rejected: a CSV line as it was with a last column, rejected, which an
// import ignores, so that a corrected reject file imports as it is; an
// NDJSON line as an object {"line", "rejected", "text"}, since the line
// itself may not be JSON.
func (im *importer[T]) skip(le *LineError) error {
	im.res.Rejected++
	if len(im.res.Errors) < MaxErrors {
		im.res.Errors = append(im.res.Errors, le)
	}
	w := im.opt.RejectTo
	if w == nil || le.Line == 0 {
		return nil
	}
	why := le.Err.Error()
	raw := bytes.TrimRight(im.rd.Raw(), "\r\n")
	var out []byte
	if header := im.rd.Header(); header != nil {
		if !im.header {
			im.header = true
			out = append(bytes.TrimRight(header, "\r\n"), ","+RejectedColumn+"\n"...)
		}
		out = append(append(append(out, raw...), ','), appendCSVField(nil, fmt.Sprintf("line %d: %s", le.Line, why))...)
	} else {
		out = fmt.Appendf(nil, `{"line":%d,"rejected":`, le.Line)
		out = appendJSONString(out, why)
		out = appendJSONString(append(out, `,"text":`...), string(raw))
		out = append(out, '}')
	}
	if _, err := w.Write(append(out, '\n')); err != nil {
		return fmt.Errorf("writing rejected lines: %w", err)
	}
	return nil
}

// abort stops the import with err: the iteration ends, and the store sees a
// cancelled context with err as its cause.
func (im *importer[T]) abort(err error) {
	if im.err == nil {
		im.err = err
		im.cancel(err)
	}
}
