package route

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"outbreak/internal/errs"
)

// solomonHeader is the header of the CUSTOMER table, its words separated by
// single spaces.
const solomonHeader = "CUST NO. XCOORD. YCOORD. DEMAND READY TIME DUE DATE SERVICE TIME"

// solomonColumns names the numbers of a CUSTOMER row, for messages.
var solomonColumns = [7]string{"CUST NO.", "XCOORD.", "YCOORD.", "DEMAND", "READY TIME", "DUE DATE", "SERVICE TIME"}

// ParseSolomon reads a VRPTW instance in Solomon's text format: the
// instance name on the first line; a VEHICLE section, its header NUMBER
// CAPACITY and one line with the two numbers; a CUSTOMER section, its header
// CUST NO. XCOORD. YCOORD. DEMAND READY TIME DUE DATE SERVICE TIME and one
// row of seven numbers per customer, numbered from 0. Blank lines and the
// width of the spaces do not matter, nor do carriage returns.
//
// Customer 0 is the depot: location 0, where NUMBER identical vehicles of
// capacity CAPACITY start and end, with the shift from its READY TIME to its
// DUE DATE (the horizon); its demand and service time are ignored. Customer
// i is job i-1, with ID "i", at location i, with one window from its READY
// TIME to its DUE DATE. The problem has one capacity dimension, and travel
// time is the Euclidean distance, not rounded. The vehicles' IDs are "1" to
// NUMBER. It also returns the coordinates of the locations, for maps.
//
// Bad input is an errs.Invalid error "NAME:LINE: reason", where NAME is
// name: a missing section or header, a short or non-numeric row, a negative
// demand or service time, a window that closes before it opens, customer
// numbers that repeat or skip, and a customer that no vehicle can serve
// alone: its demand exceeds the capacity, or it cannot be reached before
// its window closes and served in time to be back by the horizon.
func ParseSolomon(name string, r io.Reader) (*Problem, [][2]float64, error) {
	sr := &solomonReader{name: name, sc: bufio.NewScanner(r)}
	sr.sc.Buffer(make([]byte, 0, 4096), 1<<20)

	title, err := sr.next("the instance name")
	if err != nil {
		return nil, nil, err
	}
	if strings.EqualFold(title, "VEHICLE") {
		return nil, nil, sr.errorf("want the instance name before the VEHICLE section")
	}
	if err := sr.expect("VEHICLE", "the VEHICLE section"); err != nil {
		return nil, nil, err
	}
	if err := sr.expect("NUMBER CAPACITY", "the header NUMBER CAPACITY"); err != nil {
		return nil, nil, err
	}
	nv, capacity, err := sr.fleet()
	if err != nil {
		return nil, nil, err
	}
	if err := sr.expect("CUSTOMER", "the CUSTOMER section"); err != nil {
		return nil, nil, err
	}
	if err := sr.expect(solomonHeader, "the header "+solomonHeader); err != nil {
		return nil, nil, err
	}
	rows, err := sr.customers()
	if err != nil {
		return nil, nil, err
	}

	n := len(rows)
	p := &Problem{Name: title, Dims: 1, Travel: make([][]float64, n)}
	xy := make([][2]float64, n)
	for i, row := range rows {
		xy[i] = [2]float64{row.v[1], row.v[2]}
	}
	for i := range n {
		p.Travel[i] = make([]float64, n)
		for j := range n {
			p.Travel[i][j] = euclidean(xy[i], xy[j])
		}
	}
	depot := rows[0].v
	p.Vehicles = make([]Vehicle, nv)
	for k := range p.Vehicles {
		p.Vehicles[k] = Vehicle{ID: strconv.Itoa(k + 1), Capacity: Amount{capacity}, ShiftStart: depot[4], ShiftEnd: depot[5]}
	}
	p.Jobs = make([]Job, n-1)
	for i, row := range rows[1:] {
		p.Jobs[i] = Job{ID: strconv.Itoa(i + 1), Location: i + 1, Demand: Amount{row.v[3]}, Service: row.v[6],
			Windows: []Window{{Open: row.v[4], Close: row.v[5]}}}
	}
	// The vehicles are alike: if the first cannot serve a customer, none can.
	for j := range p.Jobs {
		if why := whyNotAlone(p, 0, j); why != "" {
			sr.line = rows[j+1].line
			return nil, nil, sr.errorf("customer %d cannot be served by any vehicle: %s", j+1, why)
		}
	}
	return p, xy, nil
}

// solomonReader reads the lines of a Solomon file, skipping blank ones.
type solomonReader struct {
	name string
	sc   *bufio.Scanner
	line int // the number of the line last read
}

// solomonRow is a CUSTOMER row and the line it is on.
type solomonRow struct {
	no   int
	v    [7]float64 // v[0] unused: the number is no
	line int
}

func (sr *solomonReader) errorf(format string, args ...any) error {
	return errs.E(errs.Invalid, "%s:%d: %s", sr.name, sr.line, fmt.Sprintf(format, args...))
}

// next returns the next line that is not blank, trimmed; at the end of the
// file it fails, saying that it wanted what.
func (sr *solomonReader) next(what string) (string, error) {
	s, ok, err := sr.scan()
	if err != nil {
		return "", err
	}
	if !ok {
		return "", sr.errorf("end of file, want %s", what)
	}
	return s, nil
}

// scan returns the next line that is not blank, or ok false at the end.
func (sr *solomonReader) scan() (string, bool, error) {
	for sr.sc.Scan() {
		sr.line++
		s := sr.sc.Text()
		if sr.line == 1 {
			s = strings.TrimPrefix(s, "\ufeff") // a byte order mark
		}
		if s = strings.TrimSpace(s); s != "" {
			return s, true, nil
		}
	}
	sr.line++ // the end of the file is after the last line
	if err := sr.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return "", false, sr.errorf("line longer than 1 MiB")
		}
		return "", false, fmt.Errorf("%s: %w", sr.name, err)
	}
	return "", false, nil
}

// expect reads a line that must be want, but for case and spacing.
func (sr *solomonReader) expect(want, what string) error {
	s, err := sr.next(what)
	if err != nil {
		return err
	}
	if !strings.EqualFold(strings.Join(strings.Fields(s), " "), want) {
		return sr.errorf("want %s, got %q", what, excerpt(s))
	}
	return nil
}

// fleet reads the line under NUMBER CAPACITY.
func (sr *solomonReader) fleet() (int, float64, error) {
	s, err := sr.next("the NUMBER and CAPACITY of the vehicles")
	if err != nil {
		return 0, 0, err
	}
	f := strings.Fields(s)
	if len(f) != 2 {
		return 0, 0, sr.errorf("want two numbers, NUMBER and CAPACITY, got %q", excerpt(s))
	}
	nv, err := strconv.Atoi(f[0])
	if err != nil || nv < 1 || nv > maxVehicles {
		return 0, 0, sr.errorf("NUMBER %q is not a whole number from 1 to %d", excerpt(f[0]), maxVehicles)
	}
	capacity, err := strconv.ParseFloat(f[1], 64)
	if err != nil || !(capacity >= 0 && capacity <= maxMagnitude) {
		return 0, 0, sr.errorf("CAPACITY %q is not a number from 0 to 1e15", excerpt(f[1]))
	}
	return nv, capacity, nil
}

// customers reads the CUSTOMER rows up to the end of the file.
func (sr *solomonReader) customers() ([]solomonRow, error) {
	var rows []solomonRow
	firstLine := map[int]int{} // customer number → the line it is first on
	for {
		s, ok, err := sr.scan()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		row, err := sr.row(s)
		if err != nil {
			return nil, err
		}
		no := row.no
		if first, dup := firstLine[no]; dup {
			return nil, sr.errorf("customer %d again (first on line %d)", no, first)
		}
		firstLine[no] = sr.line
		if no != len(rows) {
			if len(rows) == 0 {
				return nil, sr.errorf("customer %d first, want the depot, customer 0", no)
			}
			return nil, sr.errorf("customer %d after customer %d, want customer %d", no, len(rows)-1, len(rows))
		}
		if len(rows) == maxLocations {
			return nil, sr.errorf("more than %d customers", maxLocations-1)
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, sr.errorf("end of file, want the depot, customer 0")
	}
	return rows, nil
}

// row reads a CUSTOMER row.
func (sr *solomonReader) row(s string) (solomonRow, error) {
	row := solomonRow{line: sr.line}
	f := strings.Fields(s)
	if len(f) != len(solomonColumns) {
		return row, sr.errorf("want 7 numbers (%s), got %d", strings.Join(solomonColumns[:], ", "), len(f))
	}
	no, err := strconv.Atoi(f[0])
	if err != nil || no < 0 {
		return row, sr.errorf("CUST NO. %q is not a whole number of at least 0", excerpt(f[0]))
	}
	row.no = no
	for c := 1; c < len(f); c++ {
		x, err := strconv.ParseFloat(f[c], 64)
		if err != nil || !(math.Abs(x) <= maxMagnitude) {
			return row, sr.errorf("%s %q is not a number (of at most 1e15 in size)", solomonColumns[c], excerpt(f[c]))
		}
		row.v[c] = x
	}
	switch v := row.v; {
	case v[3] < 0:
		return row, sr.errorf("negative DEMAND %s", num(v[3]))
	case v[6] < 0:
		return row, sr.errorf("negative SERVICE TIME %s", num(v[6]))
	case v[5] < v[4] && no == 0:
		return row, sr.errorf("the depot's horizon closes before it opens: DUE DATE %s before READY TIME %s", num(v[5]), num(v[4]))
	case v[5] < v[4]:
		return row, sr.errorf("customer %d's window closes before it opens: DUE DATE %s before READY TIME %s", no, num(v[5]), num(v[4]))
	}
	return row, nil
}
