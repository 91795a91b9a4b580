package kinds

import (
	"encoding/json"
	"unicode/utf8"

	"outbreak/internal/errs"
)

// scanner reads the flat JSON objects of NDJSON files: strings, numbers,
// null and arrays of strings, which is all a record holds. It works on one
// string per line so that values are substrings, and leaves the rare string
// with escapes to encoding/json, which gets them right.
type scanner struct {
	s string
	i int
}

func (d *scanner) space() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\r', '\n':
			d.i++
		default:
			return
		}
	}
}

// peek returns the byte at the read position, or 0 at the end.
func (d *scanner) peek() byte {
	if d.i < len(d.s) {
		return d.s[d.i]
	}
	return 0
}

func (d *scanner) syntax(what string) error {
	if d.i >= len(d.s) {
		return errs.E(errs.Malformed, "not a JSON object: %s at the end of the line", what)
	}
	return errs.E(errs.Malformed, "not a JSON object: %s at column %d", what, d.i+1)
}

// str reads the string at the read position, which is a '"'.
func (d *scanner) str() (string, error) {
	start := d.i + 1
	for j := start; j < len(d.s); j++ {
		switch c := d.s[j]; {
		case c == '"':
			d.i = j + 1
			return d.s[start:j], nil
		case c == '\\':
			return d.escaped(start)
		case c < 0x20:
			d.i = j
			return "", d.syntax("control character in a string")
		}
	}
	d.i = len(d.s)
	return "", d.syntax("unterminated string")
}

// escaped reads a string with escapes that begins at start, after its '"'.
func (d *scanner) escaped(start int) (string, error) {
	j := start
	for ; j < len(d.s) && d.s[j] != '"'; j++ {
		switch {
		case d.s[j] == '\\':
			j++ // the escaped character; json.Unmarshal checks it
		case d.s[j] < 0x20:
			d.i = j
			return "", d.syntax("control character in a string")
		}
	}
	if j >= len(d.s) {
		d.i = len(d.s)
		return "", d.syntax("unterminated string")
	}
	var out string
	if err := json.Unmarshal([]byte(d.s[start-1:j+1]), &out); err != nil {
		d.i = start - 1
		return "", d.syntax("bad escape in a string")
	}
	d.i = j + 1
	return out, nil
}

// number reads a JSON number and returns its text.
func (d *scanner) number() (string, bool) {
	s, j := d.s, d.i
	digits := func() bool {
		k := j
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		return j > k
	}
	if j < len(s) && s[j] == '-' {
		j++
	}
	switch {
	case j < len(s) && s[j] == '0':
		j++
	case !digits():
		return "", false
	}
	if j < len(s) && s[j] == '.' {
		j++
		if !digits() {
			return "", false
		}
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		j++
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if !digits() {
			return "", false
		}
	}
	num := s[d.i:j]
	d.i = j
	return num, true
}

// literal reads word (null) if it is at the read position.
func (d *scanner) literal(word string) bool {
	if len(d.s)-d.i < len(word) || d.s[d.i:d.i+len(word)] != word {
		return false
	}
	d.i += len(word)
	return true
}

// strings reads an array of strings for field name.
func (d *scanner) strings(name string) ([]string, error) {
	d.i++ // [
	d.space()
	var out []string
	if d.peek() == ']' {
		d.i++
		return out, nil
	}
	for {
		if d.peek() != '"' {
			if d.i < len(d.s) && d.s[d.i] != ']' && d.s[d.i] != ',' {
				return nil, errs.Field(name, "not a list of strings")
			}
			return nil, d.syntax("want a string")
		}
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
		d.space()
		switch d.peek() {
		case ',':
			d.i++
			d.space()
		case ']':
			d.i++
			return out, nil
		default:
			return nil, d.syntax("want , or ]")
		}
	}
}

const hex = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Text fields are valid UTF-8
// by the time they are written; anything else becomes U+FFFD, as
// encoding/json does.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				if r != '\u2028' && r != '\u2029' {
					i += size
					continue
				}
			}
			dst = append(dst, s[start:i]...)
			if r == utf8.RuneError {
				dst = append(dst, `\ufffd`...)
			} else {
				dst = append(dst, `\u202`...)
				dst = append(dst, hex[r&0xf])
			}
			i += size
			start = i
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// maxDepth bounds the nesting of a value skipped: a record's fields are
// flat, so deep nesting is a wrong line, not data.
const maxDepth = 32

// skip reads past the JSON value at the read position, of any shape, at
// nesting depth depth.
func (d *scanner) skip(depth int) error {
	if depth > maxDepth {
		return d.syntax("nesting too deep")
	}
	switch b := d.peek(); {
	case b == '"':
		_, err := d.str()
		return err
	case b == '-' || b >= '0' && b <= '9':
		if _, ok := d.number(); !ok {
			return d.syntax("bad number")
		}
		return nil
	case b == 't' || b == 'f' || b == 'n':
		if !d.literal("true") && !d.literal("false") && !d.literal("null") {
			return d.syntax("want a value")
		}
		return nil
	case b == '[' || b == '{':
		end := byte(']')
		if b == '{' {
			end = '}'
		}
		d.i++
		d.space()
		if d.peek() == end {
			d.i++
			return nil
		}
		for {
			if b == '{' {
				if d.peek() != '"' {
					return d.syntax("want a field name")
				}
				if _, err := d.str(); err != nil {
					return err
				}
				d.space()
				if d.peek() != ':' {
					return d.syntax("want :")
				}
				d.i++
				d.space()
			}
			if err := d.skip(depth + 1); err != nil {
				return err
			}
			d.space()
			switch d.peek() {
			case ',':
				d.i++
				d.space()
				continue
			case end:
				d.i++
				return nil
			}
			return d.syntax("want , or " + string(end))
		}
	}
	return d.syntax("want a value")
}
