package main

import (
	"bufio"
	"context"
	"encoding/json"
	"runtime"
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
	now, workers := f.at.or(time.Now()), runtime.GOMAXPROCS(0)
	w := bufio.NewWriter(e.stdout)
	if *chains {
		cs, err := codes.Chains(ctx, db, policy.Rules(), now, workers)
		if err == nil {
			err = writeJSON(w, cs)
		}
		if err != nil {
			return err
		}
		return w.Flush()
	}
	out := trace.NewWriter(w, f.format)
	_, err = codes.TraceAll(ctx, db, policy.Rules(), now, workers, func(_ string, es []trace.Exposure) error { return out.Write(es) })
	if err == nil {
		err = out.Close()
	}
	if err != nil {
		return err
	}
	return w.Flush()
}

func writeJSON(w *bufio.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
