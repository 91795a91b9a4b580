package sim

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// flushSize is how much a csvFile buffers before one write(2); large enough that the
// syscall cost vanishes next to formatting.
const flushSize = 1 << 20

// csvFile is a hand-rolled CSV writer: callers append a row's bytes to b and call endRow.
// No field the simulation writes contains a comma, quote or newline, so nothing is quoted.
type csvFile struct {
	f    *os.File
	b    []byte
	rows int
	err  error
}

func createCSV(dir, name, header string) (*csvFile, error) {
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	c := &csvFile{f: f, b: make([]byte, 0, flushSize+4096)}
	c.b = append(c.b, header...)
	c.b = append(c.b, '\n')
	return c, nil
}

// endRow terminates the row being appended and flushes the buffer when it is full.
func (c *csvFile) endRow() {
	c.b = append(c.b, '\n')
	c.rows++
	if len(c.b) >= flushSize {
		c.flush()
	}
}

func (c *csvFile) flush() {
	if c.err == nil && len(c.b) > 0 {
		_, c.err = c.f.Write(c.b)
	}
	c.b = c.b[:0]
}

// close flushes and closes the file, returning the first error met while writing.
func (c *csvFile) close() error {
	c.flush()
	if err := c.f.Close(); c.err == nil {
		c.err = err
	}
	if c.err != nil {
		return fmt.Errorf("sim: %w", c.err)
	}
	return nil
}

// writeCSV creates dir/name, lets write fill it and returns the number of data rows.
func writeCSV(dir, name, header string, write func(*csvFile)) (int, error) {
	c, err := createCSV(dir, name, header)
	if err != nil {
		return 0, err
	}
	write(c)
	return c.rows, c.close()
}

// clock formats instants given as seconds since the simulation start as RFC 3339 UTC. The
// date part of each simulated day is formatted once; other dates go through civil.
type clock struct {
	start int64
	dates [][11]byte // "2026-11-01T" for day 0, 1, … Days
}

func newClock(start int64, days int) *clock {
	c := &clock{start: start, dates: make([][11]byte, days+1)}
	for d := range c.dates {
		b := appendUnix(nil, start+int64(d)*86400)
		copy(c.dates[d][:], b)
	}
	return c
}

// put writes the instant t seconds after the start, which must lie within the simulated
// days (Start + Days included), into dst[:20].
func (c *clock) put(dst []byte, t int32) {
	d := t / 86400
	dst = dst[:20]
	*(*[11]byte)(dst) = c.dates[d]
	sod := t - d*86400
	h, m, s := 2*(sod/3600), 2*(sod/60%60), 2*(sod%60)
	dst[11], dst[12], dst[13] = digits2[h], digits2[h+1], ':'
	dst[14], dst[15], dst[16] = digits2[m], digits2[m+1], ':'
	dst[17], dst[18], dst[19] = digits2[s], digits2[s+1], 'Z'
}

// at appends the instant t seconds after the start.
func (c *clock) at(b []byte, t int32) []byte {
	d := int(t / 86400)
	if t < 0 || d >= len(c.dates) {
		return appendUnix(b, c.start+int64(t))
	}
	b = append(b, c.dates[d][:]...)
	return appendClock(b, int(t-int32(d)*86400))
}

// digits2 holds "00" … "99" so that a clock reading is three two-byte copies.
var digits2 = func() (t [200]byte) {
	for i := range 100 {
		t[2*i], t[2*i+1] = byte('0'+i/10), byte('0'+i%10)
	}
	return t
}()

// appendClock appends "15:04:05Z" for sod seconds into the day.
func appendClock(b []byte, sod int) []byte {
	h, m, s := sod/3600, sod/60%60, sod%60
	return append(b, digits2[2*h], digits2[2*h+1], ':', digits2[2*m], digits2[2*m+1], ':',
		digits2[2*s], digits2[2*s+1], 'Z')
}

// appendUnix appends the Unix time u as "2006-01-02T15:04:05Z" (years 0–9999).
func appendUnix(b []byte, u int64) []byte {
	days := u / 86400
	sod := u - days*86400
	if sod < 0 {
		days--
		sod += 86400
	}
	y, m, d := civil(days)
	b = append(b, digits2[2*(y/100)], digits2[2*(y/100)+1], digits2[2*(y%100)], digits2[2*(y%100)+1], '-',
		digits2[2*m], digits2[2*m+1], '-', digits2[2*d], digits2[2*d+1], 'T')
	return appendClock(b, int(sod))
}

// civil converts days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
// days_from_civil inverse).
func civil(z int64) (y, m, d int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	m = int(mp + 3)
	if mp >= 10 {
		m = int(mp - 9)
	}
	y = int(yoe + era*400)
	if m <= 2 {
		y++
	}
	return y, m, d
}

// appendDuration appends a whole-minute duration the way Go's time.ParseDuration reads it,
// without zero parts: "8h", "30m", "1h30m".
func appendDuration(b []byte, secs int32) []byte {
	h, m := secs/3600, secs/60%60
	if h > 0 {
		b = strconv.AppendInt(b, int64(h), 10)
		b = append(b, 'h')
	}
	if m > 0 || h == 0 {
		b = strconv.AppendInt(b, int64(m), 10)
		b = append(b, 'm')
	}
	return b
}

// idFormat formats fixed-width IDs like "r0000001" (entity 0 gets number 1). IDs are
// computed, not looked up, because visits.csv reaches residents in check-in order, and a
// table of a million IDs would turn every row into cache misses.
type idFormat struct {
	prefix byte
	width  int // prefix included
}

func newIDFormat(prefix byte, n, minDigits int) idFormat {
	return idFormat{prefix, max(minDigits, len(strconv.Itoa(n))) + 1}
}

// put writes the ID of entity i into dst[:f.width].
func (f idFormat) put(dst []byte, i int32) {
	dst = dst[:f.width]
	dst[0] = f.prefix
	v := uint32(i) + 1
	k := len(dst)
	for ; k > 2; k -= 2 {
		q := v / 100
		r := 2 * (v - q*100)
		dst[k-2], dst[k-1] = digits2[r], digits2[r+1]
		v = q
	}
	if k == 2 {
		dst[1] = byte('0' + v)
	}
}

// append appends the ID of entity i.
func (f idFormat) append(b []byte, i int32) []byte {
	n := len(b)
	b = append(b, make([]byte, f.width)...)
	f.put(b[n:], i)
	return b
}
