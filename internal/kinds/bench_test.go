package kinds_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"iter"
	"outbreak/internal/kinds"
	"testing"
	"time"

	"outbreak/internal/record"
	"outbreak/internal/visit"
)

// visitsFile returns n visits as sim writes them, in format.
func visitsFile(n int, format string) []byte {
	var b []byte
	if format == kinds.CSV {
		b = []byte(visitsHeader)
	}
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		in := t0.Add(time.Duration(i) * 7 * time.Second)
		v := visit.Visit{Person: fmt.Sprintf("r%07d", i*7919%1_000_000), Place: fmt.Sprintf("p%05d", i*31%20_000),
			CheckIn: in, CheckOut: in.Add(time.Duration(20+i%60) * time.Minute)}
		if format == kinds.CSV {
			b = kinds.Visits.AppendCSV(b, &v)
		} else {
			b = kinds.Visits.AppendJSON(b, &v)
		}
	}
	return b
}

func benchmarkDecode(b *testing.B, format string) {
	data := visitsFile(100_000, format)
	b.SetBytes(int64(len(data)))
	rows := 0
	for b.Loop() {
		rd, err := kinds.Visits.NewReader("visits."+format, format, bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			rows++
		}
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkDecodeVisitsCSV measures reading, decoding and validating visits.
func BenchmarkDecodeVisitsCSV(b *testing.B) { benchmarkDecode(b, kinds.CSV) }

// BenchmarkDecodeVisitsNDJSON measures the same for NDJSON.
func BenchmarkDecodeVisitsNDJSON(b *testing.B) { benchmarkDecode(b, kinds.NDJSON) }

// drain is a store that takes visits and keeps none, to time Import alone.
type drain struct{ kinds.Store }

func (drain) ImportVisits(ctx context.Context, items iter.Seq[visit.Visit], reject record.Reject) (int, error) {
	n := 0
	for range items {
		n++
	}
	return n, ctx.Err()
}

// BenchmarkImportVisitsCSV measures Import with a store that does nothing.
func BenchmarkImportVisitsCSV(b *testing.B) {
	data := visitsFile(100_000, kinds.CSV)
	b.SetBytes(int64(len(data)))
	rows := 0
	for b.Loop() {
		res, err := kinds.Import(context.Background(), drain{}, "visits", "visits.csv", bytes.NewReader(data), kinds.Options{SkipBad: true, RejectTo: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		rows += res.Imported
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
