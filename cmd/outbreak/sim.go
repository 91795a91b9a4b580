package main

import (
	"context"
	"fmt"
	"time"

	"outbreak/internal/sim"
)

func simCmd(ctx context.Context, e env, args []string) error {
	fs := flags(e, "sim", "")
	people := fs.Int("people", 50000, "residents")
	days := fs.Int("days", 14, "simulated days")
	seed := fs.Int64("seed", 1, "random seed: the same seed gives the same city")
	start := fs.String("start", "2026-11-01", "first simulated day (UTC, YYYY-MM-DD)")
	out := fs.String("out", "", "directory for the import files")
	if _, err := parse(e, fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageError{"--out is required"}
	}
	day, err := time.Parse("2006-01-02", *start)
	if err != nil {
		return usageError{fmt.Sprintf("--start %q: want YYYY-MM-DD", *start)}
	}
	if *people < 1 || *days < 1 {
		return usageError{"--people and --days must be at least 1"}
	}
	began := time.Now()
	sum, err := sim.Write(ctx, sim.Config{People: *people, Days: *days, Seed: *seed, Start: day}, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote a city of %d residents over %d days to %s in %.1fs\n%+v\n", *people, *days, *out, time.Since(began).Seconds(), sum)
	return nil
}
