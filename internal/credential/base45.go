package credential

import (
	"errors"
	"strings"
)

// The base45 alphabet of RFC 9285: the characters of a QR code's
// alphanumeric mode, so a base45 text fills a QR code compactly.
const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// base45Value maps a character to its value, or -1.
var base45Value = func() [256]int8 {
	var v [256]int8
	for i := range v {
		v[i] = -1
	}
	for i := range len(alphabet) {
		v[alphabet[i]] = int8(i)
	}
	return v
}()

// Base45Encode encodes bytes as RFC 9285 base45: each two bytes as three
// characters, a last odd byte as two.
func Base45Encode(b []byte) string {
	var s strings.Builder
	s.Grow((len(b)/2)*3 + 2)
	for i := 0; i+1 < len(b); i += 2 {
		n := int(b[i])<<8 | int(b[i+1])
		s.WriteByte(alphabet[n%45])
		s.WriteByte(alphabet[n/45%45])
		s.WriteByte(alphabet[n/2025])
	}
	if len(b)%2 == 1 {
		n := int(b[len(b)-1])
		s.WriteByte(alphabet[n%45])
		s.WriteByte(alphabet[n/45])
	}
	return s.String()
}

// errBase45 is the error of a text that is not canonical base45.
var errBase45 = errors.New("not base45")

// Base45Decode decodes RFC 9285 base45. It accepts only canonical text: a
// character outside the alphabet, a length that leaves one character, or a
// group whose value does not fit its bytes is an error, so one byte string
// has exactly one encoding.
func Base45Decode(s string) ([]byte, error) {
	if len(s)%3 == 1 {
		return nil, errBase45
	}
	out := make([]byte, 0, len(s)/3*2+1)
	for i := 0; i < len(s); i += 3 {
		n, w := 0, 1
		end := min(i+3, len(s))
		for j := i; j < end; j++ {
			v := base45Value[s[j]]
			if v < 0 {
				return nil, errBase45
			}
			n += int(v) * w
			w *= 45
		}
		if end-i == 3 {
			if n > 0xffff {
				return nil, errBase45
			}
			out = append(out, byte(n>>8), byte(n))
		} else {
			if n > 0xff {
				return nil, errBase45
			}
			out = append(out, byte(n))
		}
	}
	return out, nil
}
