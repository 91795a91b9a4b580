package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"runtime"
	"strconv"
	"time"

	"outbreak/internal/codes"
	"outbreak/internal/record"
	"outbreak/internal/trace"
)

// timeFlag is an instant given as RFC 3339; unset means now.
type timeFlag struct{ t time.Time }

func (f *timeFlag) String() string {
	if f.t.IsZero() {
		return ""
	}
	return record.FormatTime(f.t)
}

func (f *timeFlag) Set(s string) error {
	t, err := record.ParseTime("at", s)
	f.t = t
	return err
}

// or returns the instant, or now when unset.
func (f *timeFlag) or(now time.Time) time.Time {
	if f.t.IsZero() {
		return now.UTC()
	}
	return f.t
}

func traceCmd(ctx context.Context, e env, args []string) error {
	fs := flags(e, "trace", "")
	var f asOfFlags
	f.register(fs)
	chains := fs.Bool("chains", false, "print the clusters of linked cases instead of the exposures (JSON)")
	pos, err := parse(e, fs, args)
	if err != nil {
		return err
	}
	policy, db, err := f.open(ctx, e, "trace", pos)
	if err != nil {
		return err
	}
	defer db.Close()
	now := f.at.or(time.Now())
	known, err := codes.KnownCases(ctx, db, now)
	if err != nil {
		return err
	}
	idx, err := db.TraceIndex(ctx, policy.Rules().DefaultDwell)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(e.stdout)
	var out *rowWriter
	if !*chains {
		out = exposureWriter(w, f.format)
	}
	isCase := map[string]bool{}
	for _, c := range known {
		isCase[c.Person] = true
	}
	var amongCases []trace.Exposure
	err = trace.Each(ctx, idx, policy.Rules(), now, known, known, runtime.GOMAXPROCS(0), func(_ string, es []trace.Exposure, _ time.Time) error {
		if *chains {
			for _, x := range es {
				if isCase[x.Person] {
					amongCases = append(amongCases, x)
				}
			}
			return nil
		}
		trace.SortExposures(es)
		return out.write(es)
	})
	if err == nil && *chains {
		err = writeJSON(w, trace.Chains(known, amongCases))
	} else if err == nil {
		err = out.close()
	}
	if err != nil {
		return err
	}
	return w.Flush()
}

// rowWriter writes exposures a batch at a time as CSV (the header
// person,case_person,degree,via,place,start,end) or as one JSON array.
type rowWriter struct {
	w      *bufio.Writer
	c      *csv.Writer
	json   bool
	opened bool
}

func exposureWriter(w *bufio.Writer, format string) *rowWriter {
	r := &rowWriter{w: w, c: csv.NewWriter(w), json: format == "json"}
	if r.json {
		w.WriteString("[")
	} else {
		r.c.Write([]string{"person", "case_person", "degree", "via", "place", "start", "end"})
	}
	return r
}

func (r *rowWriter) write(es []trace.Exposure) error {
	for _, x := range es {
		if r.json {
			if r.opened {
				r.w.WriteString(",")
			}
			r.opened = true
			b, err := json.Marshal(x)
			if err != nil {
				return err
			}
			r.w.WriteString("\n")
			r.w.Write(b)
			continue
		}
		r.c.Write([]string{x.Person, x.CasePerson, strconv.Itoa(x.Degree), x.Via, x.Place, record.FormatTime(x.Start), record.FormatTime(x.End)})
	}
	r.c.Flush()
	return r.c.Error()
}

func (r *rowWriter) close() error {
	if r.json {
		_, err := r.w.WriteString("\n]\n")
		return err
	}
	r.c.Flush()
	return r.c.Error()
}

func writeJSON(w *bufio.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
