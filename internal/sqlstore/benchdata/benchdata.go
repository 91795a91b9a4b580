// Package benchdata opens the stored cities that benchmarks run on: data
// directories made with `outbreak sim` and `outbreak import`, too large to
// make inside a benchmark.
package benchdata

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"outbreak/internal/record"
	"outbreak/internal/seal"
	"outbreak/internal/sqlstore"
)

// Open opens the data directory that OUTBREAK_BENCH_DATA names (its records
// in PostgreSQL when OUTBREAK_BENCH_DB names a database) and returns it with
// the instant to run as of, OUTBREAK_BENCH_AT (default now). It skips the
// benchmark when no directory is named.
func Open(b *testing.B) (*sqlstore.DB, time.Time) {
	b.Helper()
	dir := os.Getenv("OUTBREAK_BENCH_DATA")
	if dir == "" {
		b.Skip("OUTBREAK_BENCH_DATA names no data directory with a city")
	}
	ring, err := seal.Open(filepath.Join(dir, "keys", "seal"))
	if err != nil {
		b.Fatal(err)
	}
	db, err := sqlstore.Open(context.Background(), sqlstore.Config{Dir: dir, URL: os.Getenv("OUTBREAK_BENCH_DB"), Sealer: ring})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	now := time.Now()
	if at := os.Getenv("OUTBREAK_BENCH_AT"); at != "" {
		if now, err = record.ParseTime("at", at); err != nil {
			b.Fatal(err)
		}
	}
	return db, now
}
