package trace

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"time"
)

// Writer writes exposures a batch at a time as CSV (the header
// person,case_person,degree,via,place,start,end) or as one JSON array, so
// that a city's exposures stream out without being held.
type Writer struct {
	w      *bufio.Writer
	c      *csv.Writer
	json   bool
	opened bool
}

// NewWriter returns a writer of exposures to w, as "csv" or "json".
func NewWriter(w io.Writer, format string) *Writer {
	bw := bufio.NewWriter(w)
	x := &Writer{w: bw, c: csv.NewWriter(bw), json: format == "json"}
	if x.json {
		bw.WriteString("[")
	} else {
		x.c.Write([]string{"person", "case_person", "degree", "via", "place", "start", "end"})
	}
	return x
}

// Write writes exposures.
func (x *Writer) Write(es []Exposure) error {
	for _, e := range es {
		if !x.json {
			x.c.Write([]string{e.Person, e.CasePerson, strconv.Itoa(e.Degree), e.Via, e.Place,
				e.Start.UTC().Format(time.RFC3339Nano), e.End.UTC().Format(time.RFC3339Nano)})
			continue
		}
		if x.opened {
			x.w.WriteString(",")
		}
		x.opened = true
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		x.w.WriteString("\n")
		x.w.Write(b)
	}
	x.c.Flush()
	return x.c.Error()
}

// Close ends the list and flushes what is buffered.
func (x *Writer) Close() error {
	if x.json {
		x.w.WriteString("\n]\n")
	}
	x.c.Flush()
	if err := x.c.Error(); err != nil {
		return err
	}
	return x.w.Flush()
}
