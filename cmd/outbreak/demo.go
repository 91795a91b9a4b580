package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"outbreak/internal/kinds"
	"outbreak/internal/sim"
	"outbreak/internal/sqlstore"
)

func demo(ctx context.Context, e env, args []string) error {
	fs := flags(e, "demo", "")
	sf := storeFlags{create: true}
	sf.register(fs, "outbreak-demo")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	people := fs.Int("people", 50000, "residents of the synthetic city")
	days := fs.Int("days", 14, "days of the outbreak so far")
	seed := fs.Int64("seed", 1, "random seed of the city")
	if _, err := parse(e, fs, args); err != nil {
		return err
	}
	db, _, err := sf.open(ctx, newLogger(io.Discard))
	if err != nil {
		return err
	}
	defer db.Close()
	// The marker is written once a city is wholly loaded, so that a load
	// that stopped half-way is not served as a city.
	marker := filepath.Join(sf.data, "demo-city")
	if _, err := os.Stat(marker); err == nil {
		fmt.Fprintf(e.stdout, "Using the city already in %s\n", sf.data)
		return listenAndServe(ctx, e, newLogger(e.stderr), db, sf.data, *addr)
	}
	counts, err := db.Counts(ctx)
	if err != nil {
		return err
	}
	if counts["residents"] > 0 {
		return fmt.Errorf("demo: the store of %s holds records but no finished demo city (did a load stop?); start from an empty data directory and database", sf.data)
	}
	// The outbreak ends at today's midnight (UTC), so it is under way now.
	end := time.Now().UTC().Truncate(24 * time.Hour)
	cfg := sim.Config{People: *people, Days: *days, Seed: *seed, Start: end.AddDate(0, 0, -*days)}
	if err := loadCity(ctx, e, db, sf.data, cfg); err != nil {
		return err
	}
	if err := os.WriteFile(marker, fmt.Appendf(nil, "%+v\n", cfg), 0o600); err != nil {
		return err
	}
	return listenAndServe(ctx, e, newLogger(e.stderr), db, sf.data, *addr)
}

// loadCity generates a city into dir/sim and imports every file of it.
func loadCity(ctx context.Context, e env, db *sqlstore.DB, dir string, cfg sim.Config) error {
	began := time.Now()
	simDir := filepath.Join(dir, "sim")
	sum, err := sim.Write(ctx, cfg, simDir)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Generated a city of %d residents with %d infections over %d days (files in %s)\n", cfg.People, sum.Infections, cfg.Days, simDir)
	for _, kind := range kinds.Kinds() { // in an order that resolves references
		name := filepath.Join(simDir, kind+".csv")
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		res, err := kinds.Import(ctx, db, kind, name, f, kinds.Options{})
		f.Close()
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "  %-13s %9d\n", kind, res.Imported)
	}
	fmt.Fprintf(e.stdout, "Loaded in %.1fs\n", time.Since(began).Seconds())
	return nil
}
