package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"outbreak/internal/ingest"
	"outbreak/internal/sim"
	"outbreak/internal/sqlstore"
)

func demo(ctx context.Context, e env, args []string) error {
	fs := flags(e, "demo", "")
	var sf storeFlags
	sf.register(fs, "outbreak-demo")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	people := fs.Int("people", 50000, "residents of the synthetic city")
	days := fs.Int("days", 14, "days of the outbreak so far")
	seed := fs.Int64("seed", 1, "random seed of the city")
	if _, err := parse(e, fs, args); err != nil {
		return err
	}
	log := newLogger(io.Discard)
	fresh := sf.db == ""
	if fresh {
		_, err := os.Stat(filepath.Join(sf.data, "outbreak.db"))
		fresh = os.IsNotExist(err)
	}
	db, _, err := sf.open(ctx, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if fresh {
		// The outbreak ends at today's midnight (UTC), so it is under way now.
		end := time.Now().UTC().Truncate(24 * time.Hour)
		if err := loadCity(ctx, e, db, sf.data, sim.Config{People: *people, Days: *days, Seed: *seed, Start: end.AddDate(0, 0, -*days)}); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.stdout, "Using the city already in %s\n", sf.data)
	}
	return listenAndServe(ctx, e, newLogger(e.stderr), db, *addr)
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
	for _, kind := range ingest.Kinds() { // in an order that resolves references
		name := filepath.Join(simDir, kind+".csv")
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		res, err := ingest.Import(ctx, db, kind, name, f, ingest.Options{})
		f.Close()
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "  %-13s %9d\n", kind, res.Imported)
	}
	fmt.Fprintf(e.stdout, "Loaded in %.1fs\n", time.Since(began).Seconds())
	return nil
}
