package kinds

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"outbreak/internal/errs"
)

// The file formats.
const (
	CSV    = "csv"
	NDJSON = "ndjson"
)

// maxLine bounds an NDJSON line: a record is a few hundred bytes, so a longer
// line is a wrong file, not a record.
const maxLine = 1 << 20

// LineError is a bad line of an input file. Its text is
// "FILE:LINE: FIELD: reason", or "FILE: reason" when Line is 0; Err is
// usually an Invalid *errs.Error naming the field.
type LineError struct {
	File string
	Line int
	Err  error
}

func (e *LineError) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Err.Error()
	}
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

// Unwrap returns the error of the line, so that errs.KindOf and errs.FieldOf
// see through a LineError.
func (e *LineError) Unwrap() error { return e.Err }

// Format returns the format of a file: format itself when given ("csv",
// "ndjson", or "jsonl" for NDJSON), else the one named by the file's
// extension. Standard input ("-") has no extension, so it needs a format.
func Format(name, format string) (string, error) {
	switch strings.ToLower(format) {
	case CSV:
		return CSV, nil
	case NDJSON, "jsonl":
		return NDJSON, nil
	case "":
	default:
		return "", errs.Field("format", "must be csv or ndjson, not %q", format)
	}
	if name == "-" {
		return "", errs.Field("format", "required when reading standard input (csv or ndjson)")
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return CSV, nil
	case ".ndjson", ".jsonl":
		return NDJSON, nil
	}
	return "", errs.Field("format", "cannot tell the format of %s: name it .csv, .ndjson or .jsonl, or give a format", name)
}

// displayName is how messages name a file.
func displayName(name string) string {
	if name == "-" {
		return "stdin"
	}
	return name
}

// Reader reads the records of one kind from a CSV or NDJSON file, one at a
// time, with the line each begins on. It streams: memory does not grow with
// the file.
type Reader[T any] struct {
	c    *Kind[T]
	name string
	line int // the first line of the last record
	v    T   // the record being decoded

	// CSV
	csv        *csv.Reader
	tap        *tap
	cols       []int
	header     []byte
	start, end int64 // the last record's bytes in the input

	// NDJSON
	lines  *bufio.Reader
	long   []byte // a line longer than the buffer of lines
	lineNo int    // lines read so far
	raw    []byte // the last line
}

// NewReader returns a reader of r, a file called name (for messages and to
// tell the format when format is empty). For CSV it reads the header, and
// fails with a *LineError if a column is unknown or repeated, or a required
// one is missing.
func (c *Kind[T]) NewReader(name, format string, r io.Reader) (*Reader[T], error) {
	format, err := Format(name, format)
	if err != nil {
		return nil, err
	}
	rd := &Reader[T]{c: c, name: displayName(name)}
	if format == NDJSON {
		rd.lines = bufio.NewReaderSize(r, 64<<10)
		return rd, nil
	}
	rd.tap = &tap{r: r}
	rd.csv = csv.NewReader(bufio.NewReaderSize(rd.tap, 64<<10))
	rd.csv.ReuseRecord = true
	rd.csv.FieldsPerRecord = -1 // decodeRow says more than csv.ErrFieldCount
	header, err := rd.csv.Read()
	switch {
	case err == io.EOF:
		return nil, &LineError{File: rd.name, Err: errs.E(errs.Invalid, "empty file, want a header: %s", strings.Join(c.header, ","))}
	case err != nil:
		if le := rd.csvError(err); le != nil {
			return nil, le
		}
		return nil, fmt.Errorf("%s: %w", rd.name, err)
	}
	rd.line, _ = rd.csv.FieldPos(0)
	if rd.cols, err = c.columns(header); err != nil {
		return nil, &LineError{File: rd.name, Line: rd.line, Err: err}
	}
	rd.end = rd.csv.InputOffset()
	rd.header = bytes.Clone(bytes.TrimLeft(rd.tap.bytes(0, rd.end), "\r\n"))
	return rd, nil
}

// Next returns the next record. It returns io.EOF at the end of the file; a
// *LineError for a bad record, after which Next may be called again for the
// following ones; and any other error (reading failed) for good.
func (r *Reader[T]) Next() (T, error) {
	if r.csv != nil {
		return r.nextCSV()
	}
	return r.nextNDJSON()
}

// Line returns the line on which the record last returned by Next begins.
func (r *Reader[T]) Line() int { return r.line }

// Raw returns the text of the record last returned by Next as it was in the
// file, with its line ending. It is valid until the next call to Next.
func (r *Reader[T]) Raw() []byte {
	if r.csv == nil {
		return r.raw
	}
	// The csv package skips blank lines before a record; leave them out.
	return bytes.TrimLeft(r.tap.bytes(r.start, r.end), "\r\n")
}

// Header returns the header line of a CSV file as it was in the file, or nil
// for NDJSON.
func (r *Reader[T]) Header() []byte { return r.header }

func (r *Reader[T]) nextCSV() (T, error) {
	var zero T
	r.tap.discard(r.end)
	row, err := r.csv.Read()
	r.start, r.end = r.end, r.csv.InputOffset()
	if err != nil {
		if err == io.EOF {
			return zero, err
		}
		if le := r.csvError(err); le != nil {
			return zero, le
		}
		return zero, fmt.Errorf("%s: %w", r.name, err)
	}
	r.line, _ = r.csv.FieldPos(0)
	r.v = zero
	if err := r.c.decodeRow(&r.v, r.cols, row); err != nil {
		return zero, &LineError{File: r.name, Line: r.line, Err: err}
	}
	return r.v, nil
}

// csvError turns a CSV syntax error into a *LineError, and returns nil for
// any other error.
func (r *Reader[T]) csvError(err error) *LineError {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return nil
	}
	r.line = pe.StartLine
	e := errs.E(errs.Invalid, "%v (character %d)", pe.Err, pe.Column)
	if pe.Line != pe.StartLine {
		e = errs.E(errs.Invalid, "%v (line %d, character %d)", pe.Err, pe.Line, pe.Column)
	}
	return &LineError{File: r.name, Line: pe.StartLine, Err: e}
}

func (r *Reader[T]) nextNDJSON() (T, error) {
	var zero T
	for {
		b, err := r.readLine()
		if err != nil {
			return zero, err
		}
		r.lineNo++
		r.raw = b
		if r.lineNo == 1 {
			b = bytes.TrimPrefix(b, []byte("\ufeff")) // as spreadsheets and editors on Windows write
		}
		if isBlank(b) {
			continue
		}
		r.line = r.lineNo
		r.v = zero
		if err := r.c.decodeJSON(&r.v, b, nil); err != nil {
			return zero, &LineError{File: r.name, Line: r.line, Err: err}
		}
		return r.v, nil
	}
}

// readLine returns the next line with its newline, if it has one.
func (r *Reader[T]) readLine() ([]byte, error) {
	b, err := r.lines.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.long = append(r.long[:0], b...)
		for err == bufio.ErrBufferFull {
			if len(r.long) > maxLine {
				return nil, fmt.Errorf("%s:%d: line longer than %d bytes", r.name, r.lineNo+1, maxLine)
			}
			b, err = r.lines.ReadSlice('\n')
			r.long = append(r.long, b...)
		}
		b = r.long
	}
	switch {
	case err == io.EOF && len(b) > 0:
		return b, nil // the last line has no newline
	case err == io.EOF:
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("%s: %w", r.name, err)
	}
	return b, nil
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// tap keeps what the CSV reader has read and not yet let go of, so that a
// rejected record can be written out verbatim: csv.Reader gives only the
// offsets of a record. Keeping costs one copy of the input, small beside
// decoding it.
type tap struct {
	r    io.Reader
	buf  []byte
	base int64 // the input offset of buf[0]
}

func (t *tap) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.buf = append(t.buf, p[:n]...)
	return n, err
}

// bytes returns the input from offset from to offset to.
func (t *tap) bytes(from, to int64) []byte {
	return t.buf[max(from, t.base)-t.base : to-t.base]
}

// discard lets go of the input before offset upto. It moves the bytes kept
// only when at least as many go, so that the copying stays linear.
func (t *tap) discard(upto int64) {
	dead := int(upto - t.base)
	if dead < 64<<10 || dead < len(t.buf)-dead {
		return
	}
	t.buf = t.buf[:copy(t.buf, t.buf[dead:])]
	t.base = upto
}
