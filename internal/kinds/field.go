package kinds

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"outbreak/internal/errs"
	"outbreak/internal/record"
)

// flags say how a field appears in files.
type flags uint8

const (
	// optional fields may be missing from a CSV header or an NDJSON object.
	optional flags = 0
	// required fields must be a column of every CSV file and a key of every
	// NDJSON object, since leaving them out silently would change meaning.
	required flags = 1 << iota
	// extra fields are accepted on input but are not part of the CSV header
	// that DESIGN.md fixes, so CSV export leaves them out (NDJSON keeps them).
	extra
)

// valueKind says how a field is written in NDJSON and what it accepts there.
type valueKind uint8

const (
	textValue   valueKind = iota // a JSON string
	numberValue                  // a JSON number, or a string holding one
	listValue                    // a JSON array of strings; in CSV, joined by ';'
)

func (k valueKind) String() string {
	switch k {
	case numberValue:
		return "a number"
	case listValue:
		return "a list of strings"
	}
	return "a string"
}

// A field describes one column of a kind: its name in CSV and NDJSON, and how
// to read and write it in a record of type T. The same descriptors serve the
// CSV and NDJSON decoders and both encoders, so a kind is one table entry.
type field[T any] struct {
	name  string
	flags flags
	kind  valueKind
	// get formats the field as CSV text ("" when unknown); set parses it.
	get func(*T) string
	set func(*T, string) error
	// getList and setList are the list forms, for listValue fields only.
	getList func(*T) []string
	setList func(*T, []string) error
	// note says what the field means, beyond its type, and enum lists the
	// values it takes, for the API's schemas.
	note string
	enum []string
}

func (f *field[T]) required() bool { return f.flags&required != 0 }

// filled reports whether a record has a value for the field.
func (f *field[T]) filled(v *T) bool {
	if f.kind == listValue {
		return len(f.getList(v)) > 0
	}
	return f.get(v) != ""
}

// says returns the field with a note on what it means.
func (f field[T]) says(note string) field[T] {
	f.note = note
	return f
}

// oneOf returns the field with the values it takes.
func (f field[T]) oneOf(values ...string) field[T] {
	f.enum = values
	return f
}

// text is a string field. Control characters other than tab and newline are
// refused, as is text that is not UTF-8: no name or label needs them, and a
// lone carriage return would not survive a CSV round trip.
func text[T any](name string, fl flags, p func(*T) *string) field[T] {
	return field[T]{
		name: name, flags: fl, kind: textValue,
		get: func(v *T) string { return *p(v) },
		set: func(v *T, s string) error {
			if err := checkText(name, s); err != nil {
				return err
			}
			*p(v) = s
			return nil
		},
	}
}

func checkText(name, s string) error {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return checkUnicode(name, s[i:])
		}
		if (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f {
			return errs.Field(name, "control character %q not allowed", rune(c))
		}
	}
	return nil
}

// checkUnicode is the slow path of checkText, from the first non-ASCII byte.
func checkUnicode(name, s string) error {
	if !utf8.ValidString(s) {
		return errs.Field(name, "not valid UTF-8")
	}
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n') || (r >= 0x7f && r < 0xa0) {
			return errs.Field(name, "control character %q not allowed", r)
		}
	}
	return nil
}

// instant is an RFC 3339 time, stored as record.Instant makes it; empty is
// the zero time.
func instant[T any](name string, fl flags, p func(*T) *time.Time) field[T] {
	return field[T]{
		name: name, flags: fl, kind: textValue,
		get: func(v *T) string { return record.FormatTime(*p(v)) },
		set: func(v *T, s string) error {
			t, err := parseTime(name, s)
			*p(v) = t
			return err
		},
	}
}

// parseTime is record.ParseTime limited to the years RFC 3339 can write back:
// an offset can push 9999-12-31 into year 10000 once the time is in UTC.
func parseTime(name, s string) (time.Time, error) {
	t, err := record.ParseTime(name, s)
	if err != nil || t.IsZero() {
		return t, err
	}
	if y := t.Year(); y < 1 || y > 9999 {
		return time.Time{}, errs.Field(name, "not a time between years 1 and 9999 in UTC: %q", s)
	}
	return t, nil
}

// float is a decimal number; an empty value is an error for a required field
// and zero otherwise.
func float[T any](name string, fl flags, p func(*T) *float64) field[T] {
	return field[T]{
		name: name, flags: fl, kind: numberValue,
		get: func(v *T) string { return strconv.FormatFloat(*p(v), 'g', -1, 64) },
		set: func(v *T, s string) error {
			if s == "" {
				return empty(name, fl)
			}
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return errs.Field(name, "not a number: %q", s)
			}
			*p(v) = f
			return nil
		},
	}
}

// integer is a whole number; an empty value is an error for a required field
// and zero otherwise.
func integer[T any](name string, fl flags, p func(*T) *int) field[T] {
	return field[T]{
		name: name, flags: fl, kind: numberValue,
		get: func(v *T) string { return strconv.Itoa(*p(v)) },
		set: func(v *T, s string) error {
			if s == "" {
				return empty(name, fl)
			}
			n, err := strconv.Atoi(s)
			if err != nil {
				return errs.Field(name, "not an integer: %q", s)
			}
			*p(v) = n
			return nil
		},
	}
}

func empty(name string, fl flags) error {
	if fl&required != 0 {
		return errs.Field(name, "required")
	}
	return nil
}

// duration is a Go duration such as 45m or 1h30m, written as a JSON string
// as record.Duration marshals it; empty is zero.
func duration[T any](name string, fl flags, p func(*T) *record.Duration) field[T] {
	return field[T]{
		name: name, flags: fl, kind: textValue,
		get: func(v *T) string { return p(v).String() },
		set: func(v *T, s string) error {
			d, err := record.ParseDuration(name, s)
			*p(v) = d
			return err
		},
	}
}

// list is a list of strings: separated by ';' in CSV, a JSON array in NDJSON
// (where a ';'-separated string is accepted too). Items are trimmed of
// spaces; an empty list is nil.
func list[T any](name string, fl flags, p func(*T) *[]string) field[T] {
	f := field[T]{
		name: name, flags: fl, kind: listValue,
		get:     func(v *T) string { return strings.Join(*p(v), ";") },
		getList: func(v *T) []string { return *p(v) },
		setList: func(v *T, items []string) error {
			if len(items) == 0 {
				*p(v) = nil
				return nil
			}
			out := make([]string, len(items))
			for i, s := range items {
				s = strings.TrimSpace(s)
				if err := checkText(name, s); err != nil {
					return err
				}
				out[i] = s
			}
			*p(v) = out
			return nil
		},
	}
	f.set = func(v *T, s string) error { return f.setList(v, splitList(s)) }
	return f
}

func splitList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return strings.Split(s, ";")
}
