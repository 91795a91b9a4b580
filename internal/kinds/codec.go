package kinds

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"outbreak/internal/errs"
)

// index returns the index of the field called name, or -1. A linear scan of a
// handful of short names beats a map here and allocates nothing.
func (c *Kind[T]) index(name string) int {
	for i := range c.fields {
		if c.fields[i].name == name {
			return i
		}
	}
	return -1
}

func (c *Kind[T]) names() string {
	names := make([]string, len(c.fields))
	for i := range c.fields {
		names[i] = c.fields[i].name
	}
	return strings.Join(names, ",")
}

// RejectedColumn is the column of a CSV reject file that says why each line
// was rejected; an import ignores it.
const RejectedColumn = "rejected"

// columns maps the columns of a CSV header to field indexes, once per file,
// so that decoding a row needs no lookup. Columns may come in any order; an
// unknown or repeated column, or a missing required one, is an Invalid error
// naming it.
func (c *Kind[T]) columns(header []string) ([]int, error) {
	cols := make([]int, len(header))
	var seen uint64
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff") // spreadsheets start UTF-8 files with a BOM
		}
		h = strings.TrimSpace(h)
		if h == "" {
			return nil, errs.E(errs.Invalid, "column %d has no name", i+1)
		}
		f := c.index(h)
		if f < 0 && h == RejectedColumn {
			cols[i] = -1 // why a line of a reject file was rejected
			continue
		}
		if f < 0 {
			return nil, errs.Field(printable(h), "unknown column (%s has %s)", c.name, c.names())
		}
		if seen&(1<<f) != 0 {
			return nil, errs.Field(h, "column given twice")
		}
		seen |= 1 << f
		cols[i] = f
	}
	return cols, c.missing(seen, "required column missing")
}

// missing returns an error naming the first required field not in seen.
func (c *Kind[T]) missing(seen uint64, msg string) error {
	for i := range c.fields {
		if c.fields[i].required() && seen&(1<<i) == 0 {
			return errs.Field(c.fields[i].name, "%s", msg)
		}
	}
	return nil
}

// decodeRow fills v, which must be zero, from one CSV row whose columns are
// the fields cols gives, and validates it. The caller owns v so that it does
// not escape to the heap once per row.
func (c *Kind[T]) decodeRow(v *T, cols []int, row []string) error {
	if len(row) != len(cols) {
		return errs.E(errs.Invalid, "%d fields, but the header has %d", len(row), len(cols))
	}
	for i, s := range row {
		if cols[i] < 0 {
			continue
		}
		if err := c.fields[cols[i]].set(v, s); err != nil {
			return err
		}
	}
	return c.validate(v)
}

// DecodeJSON makes a record from one NDJSON line or posted body, a JSON
// object with the kind's field names as keys, and validates it. Number
// fields take JSON numbers or strings; null is an empty value; an unknown or
// repeated key, or a missing required one, is an Invalid error naming it,
// and a line that is not a JSON object is Malformed. fill, when not nil,
// gives defaults before the checks (a posted record's new ID, a check-in's
// time): a required field it fills is not missing.
func (c *Kind[T]) DecodeJSON(line []byte, fill func(*T)) (T, error) {
	var v T
	err := c.decodeJSON(&v, line, fill)
	return v, err
}

// decodeJSON is DecodeJSON into v, which must be zero.
func (c *Kind[T]) decodeJSON(v *T, line []byte, fill func(*T)) error {
	d := scanner{s: string(line)} // one allocation; every value is a substring
	d.space()
	if d.peek() != '{' {
		return d.syntax("want {")
	}
	d.i++
	d.space()
	var seen uint64
	var unknown []error
	if d.peek() == '}' {
		d.i++
	} else {
		for {
			if d.peek() != '"' {
				return d.syntax("want a field name")
			}
			key, err := d.str()
			if err != nil {
				return err
			}
			d.space()
			if d.peek() != ':' {
				return d.syntax("want :")
			}
			d.i++
			d.space()
			f := c.index(key)
			if f < 0 {
				// Every unknown key is named, so that one answer tells
				// them all; the value is skipped.
				unknown = append(unknown, errs.Field(printable(key), "unknown field (%s has %s)", c.name, c.names()))
				if err := d.skip(0); err != nil {
					return err
				}
				d.space()
				if d.peek() == ',' {
					d.i++
					d.space()
					continue
				}
				if d.peek() != '}' {
					return d.syntax("want , or }")
				}
				d.i++
				break
			}
			if seen&(1<<f) != 0 {
				return errs.Field(key, "given twice")
			}
			seen |= 1 << f
			if err := setJSON(v, &c.fields[f], &d); err != nil {
				return err
			}
			d.space()
			if d.peek() == ',' {
				d.i++
				d.space()
				continue
			}
			if d.peek() != '}' {
				return d.syntax("want , or }")
			}
			d.i++
			break
		}
	}
	d.space()
	if d.i != len(d.s) {
		return d.syntax("text after the object")
	}
	if len(unknown) > 0 {
		slices.SortFunc(unknown, func(a, b error) int { return strings.Compare(errs.FieldOf(a), errs.FieldOf(b)) })
		return errors.Join(unknown...)
	}
	if fill != nil {
		fill(v)
		for i := range c.fields {
			if c.fields[i].filled(v) {
				seen |= 1 << i
			}
		}
	}
	if err := c.missing(seen, "required"); err != nil {
		return err
	}
	return c.validate(v)
}

// setJSON reads the value at d into field f of v.
func setJSON[T any](v *T, f *field[T], d *scanner) error {
	switch b := d.peek(); {
	case b == '"':
		s, err := d.str()
		if err != nil {
			return err
		}
		return f.set(v, s)
	case b == 'n':
		if !d.literal("null") {
			return d.syntax("want a value")
		}
		if f.kind == listValue {
			return f.setList(v, nil)
		}
		return f.set(v, "")
	case b == '[':
		if f.kind != listValue {
			return errs.Field(f.name, "not %v", f.kind)
		}
		items, err := d.strings(f.name)
		if err != nil {
			return err
		}
		return f.setList(v, items)
	case b == '-' || b >= '0' && b <= '9':
		num, ok := d.number()
		if !ok {
			return d.syntax("bad number")
		}
		if f.kind != numberValue {
			return errs.Field(f.name, "not %v: %s", f.kind, num)
		}
		return f.set(v, num)
	case b == 't' || b == 'f' || b == '{':
		return errs.Field(f.name, "not %v", f.kind)
	}
	return d.syntax("want a value")
}

// AppendCSV appends v as one CSV row, in the order of Header, with a newline.
func (c *Kind[T]) AppendCSV(dst []byte, v *T) []byte {
	for i, f := range c.out {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendCSVField(dst, c.fields[f].get(v))
	}
	return append(dst, '\n')
}

// AppendJSON appends v as one NDJSON line: a JSON object with the field
// names of T's JSON tags, without the fields that are empty (unknown), with
// lists always present, and a newline.
func (c *Kind[T]) AppendJSON(dst []byte, v *T) []byte {
	dst = append(dst, '{')
	first := true
	for i := range c.fields {
		f := &c.fields[i]
		var s string
		if f.kind != listValue {
			if s = f.get(v); s == "" {
				continue
			}
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendJSONString(dst, f.name)
		dst = append(dst, ':')
		switch f.kind {
		case numberValue:
			dst = append(dst, s...)
		case listValue:
			dst = append(dst, '[')
			for j, item := range f.getList(v) {
				if j > 0 {
					dst = append(dst, ',')
				}
				dst = appendJSONString(dst, item)
			}
			dst = append(dst, ']')
		default:
			dst = appendJSONString(dst, s)
		}
	}
	return append(dst, '}', '\n')
}

// appendCSVField appends s, quoted when a CSV reader would misread it bare.
func appendCSVField(dst []byte, s string) []byte {
	if s == "" || !strings.ContainsAny(s, ",\"\r\n") && s[0] != ' ' && s[0] != '\t' {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		dst = append(dst, s[:i+1]...)
		dst = append(dst, '"')
		s = s[i+1:]
	}
	dst = append(dst, s...)
	return append(dst, '"')
}

// printable returns a column or key name fit for an error message: quoted
// when it holds anything but plain characters, and cut short when long.
func printable(name string) string {
	if len(name) > 64 {
		name = name[:64] + "…"
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c == '"' || c >= 0x7f {
			return fmt.Sprintf("%q", name)
		}
	}
	return name
}
