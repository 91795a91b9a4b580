// Package record holds the rules every Outbreak record shares: identifiers,
// instants, durations and pages of a list.
package record

import (
	"crypto/rand"
	"encoding/binary"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"outbreak/internal/errs"
)

// MaxIDLen is the longest identifier accepted.
const MaxIDLen = 64

// CheckID returns an Invalid error naming field unless s is 1–64 characters
// of A-Z a-z 0-9 _ . : -.
func CheckID(field, s string) error {
	if s == "" {
		return errs.Field(field, "required")
	}
	if len(s) > MaxIDLen {
		return errs.Field(field, "longer than %d characters", MaxIDLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == ':' || c == '-') {
			return errs.Field(field, "character %q not allowed in an identifier", c)
		}
	}
	return nil
}

// CheckText returns an Invalid error naming field unless s is valid UTF-8 of
// at most max bytes without control characters other than tab and newline
// (PostgreSQL refuses NUL, and neither belongs in a name).
func CheckText(field, s string, max int) error {
	if len(s) > max {
		return errs.Field(field, "longer than %d bytes", max)
	}
	if !utf8.ValidString(s) {
		return errs.Field(field, "not valid UTF-8")
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' || r == 0x7f {
			return errs.Field(field, "control character %U not allowed", r)
		}
	}
	return nil
}

// CheckLatLon returns an Invalid error naming lat or lon unless they are a
// latitude in [-90, 90] and a longitude in [-180, 180], in degrees.
func CheckLatLon(lat, lon float64) error {
	if math.IsNaN(lat) || lat < -90 || lat > 90 {
		return errs.Field("lat", "not a latitude in [-90, 90]: %v", lat)
	}
	if math.IsNaN(lon) || lon < -180 || lon > 180 {
		return errs.Field("lon", "not a longitude in [-180, 180]: %v", lon)
	}
	return nil
}

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewID returns a ULID: 48 bits of milliseconds since the epoch and 80 random
// bits in Crockford base 32, so that IDs made by the API sort by creation time.
func NewID(now time.Time) string {
	var b [16]byte
	ms := uint64(now.UnixMilli())
	binary.BigEndian.PutUint64(b[:8], ms<<16)
	_, _ = rand.Read(b[6:])
	// 128 bits as 26 base-32 digits, most significant first.
	hi := binary.BigEndian.Uint64(b[:8])
	lo := binary.BigEndian.Uint64(b[8:])
	var out [26]byte
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}

// Instant normalises t as Outbreak stores instants: UTC, microsecond precision.
func Instant(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

// ParseTime parses an RFC 3339 instant for field; empty gives the zero time.
func ParseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, errs.Field(field, "not an RFC 3339 time: %q", s)
	}
	return Instant(t), nil
}

// FormatTime formats t as RFC 3339 in UTC; the zero time gives "".
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// Duration is a time.Duration written as a Go duration ("45m", "1h30m") in
// JSON and CSV.
type Duration time.Duration

// ParseDuration parses a Go duration for field; empty gives zero.
func ParseDuration(field, s string) (Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, errs.Field(field, "not a duration like 45m or 1h30m: %q", s)
	}
	return Duration(d), nil
}

// String formats d as a Go duration, or "" when zero.
func (d Duration) String() string {
	if d == 0 {
		return ""
	}
	s := time.Duration(d).String()
	// 1h0m0s reads better as 1h, 30m0s as 30m.
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// MarshalText writes d as a Go duration.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a Go duration.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration("duration", string(b))
	*d = v
	return err
}

// Page asks for one page of a list: the items after the cursor After, at most
// Limit of them.
type Page struct {
	After string
	Limit int
}

// DefaultLimit and MaxLimit bound the size of a page.
const (
	DefaultLimit = 100
	MaxLimit     = 10000
)

// Size returns the page size to use: Limit clamped to [1, MaxLimit], with
// DefaultLimit for zero.
func (p Page) Size() int {
	switch {
	case p.Limit <= 0:
		return DefaultLimit
	case p.Limit > MaxLimit:
		return MaxLimit
	}
	return p.Limit
}

// Reject is called by a bulk write for an item that it refuses. Returning nil
// skips the item and goes on; returning an error aborts the whole write,
// which then applies nothing.
type Reject func(err error) error

// Abort is a Reject that aborts at the first refused item.
func Abort(err error) error { return err }
