package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"outbreak/internal/kinds"
	"outbreak/internal/person"
	"outbreak/internal/record"
)

func migrate(ctx context.Context, e env, args []string) error {
	fs := flags(e, "migrate", "")
	sf := storeFlags{create: true}
	sf.register(fs, "")
	if _, err := parse(e, fs, args); err != nil {
		return err
	}
	db, _, err := sf.open(ctx, newLogger(e.stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	version, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s schema at version %d\n", db.Dialect(), version)
	return nil
}

func importCmd(ctx context.Context, e env, args []string) error {
	fs := flags(e, "import", "KIND FILE   (KIND: "+strings.Join(kinds.Kinds(), ", ")+"; FILE - = stdin)")
	var sf storeFlags
	sf.register(fs, "")
	format := fs.String("format", "", "csv or ndjson; empty = from the file name")
	fs.BoolVar(&sf.create, "create", false, "make the store if --data (or --db) holds none yet")
	skipBad := fs.Bool("skip-bad", false, "put bad lines in a reject file instead of stopping")
	rejects := fs.String("rejects", "", "reject file for --skip-bad (default FILE.rejects)")
	pos, err := parse(e, fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		fs.Usage()
		return usageError{"import needs KIND and FILE"}
	}
	kind, name := pos[0], pos[1]
	if kinds.Header(kind) == nil {
		return usageError{fmt.Sprintf("unknown kind %q; kinds: %s", kind, strings.Join(kinds.Kinds(), ", "))}
	}
	// kinds.Import would say the same, but only after a progress bar had
	// been drawn for a file that is never read.
	if _, err := kinds.Format(name, *format); err != nil {
		return err
	}
	in := io.Reader(os.Stdin)
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	db, _, err := sf.open(ctx, newLogger(e.stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	opt := kinds.Options{Format: *format, SkipBad: *skipBad}
	var rejectFile *os.File
	if *skipBad {
		path := *rejects
		if path == "" {
			path = strings.TrimSuffix(name, "-") + ".rejects"
			if name == "-" {
				path = "stdin.rejects"
			}
		}
		if rejectFile, err = os.Create(path); err != nil {
			return err
		}
		defer rejectFile.Close()
		opt.RejectTo = rejectFile
	}
	start := time.Now()
	in, done := withProgress(e.stderr, in, kind)
	res, err := kinds.Import(ctx, db, kind, name, in, opt)
	done(err)
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	fmt.Fprintf(e.stdout, "imported %d %s in %.1fs (%.0f/s)\n", res.Imported, kind, secs, float64(res.Imported)/secs)
	if res.Skipped > 0 {
		fmt.Fprintf(e.stdout, "skipped %d stored already (the same person, place and check-in)\n", res.Skipped)
	}
	if rejectFile != nil {
		if err := rejectFile.Sync(); err != nil {
			return err
		}
		if res.Rejected > 0 {
			fmt.Fprintf(e.stdout, "rejected %d lines, written to %s\n", res.Rejected, rejectFile.Name())
		} else {
			os.Remove(rejectFile.Name())
		}
	}
	return nil
}

func exportCmd(ctx context.Context, e env, args []string) error {
	fs := flags(e, "export", "KIND")
	var sf storeFlags
	sf.register(fs, "")
	format := fs.String("format", "csv", "csv or ndjson")
	out := fs.String("out", "", "output file; empty = standard output")
	pos, err := parse(e, fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return usageError{"export needs KIND"}
	}
	db, _, err := sf.open(ctx, newLogger(e.stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	w := e.stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	if _, err := kinds.Export(ctx, db, pos[0], *format, w); err != nil {
		return err
	}
	if f, ok := w.(*os.File); ok && *out != "" {
		return f.Sync()
	}
	return nil
}

func keysCmd(ctx context.Context, e env, args []string) error {
	fs := flags(e, "keys", "seal-rotate | rotate | trust-list")
	var sf storeFlags
	sf.register(fs, "")
	out := fs.String("out", "", "trust-list: write to this file instead of stdout")
	pos, err := parse(e, fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return usageError{"keys needs a subcommand: seal-rotate, rotate or trust-list"}
	}
	if sf.data == "" {
		return usageError{"--data is required"}
	}
	switch pos[0] {
	case "rotate":
		return rotateCodeKeys(e, sf.data)
	case "trust-list":
		return writeTrustList(e, sf.data, *out)
	case "seal-rotate":
	default:
		fs.Usage()
		return usageError{fmt.Sprintf("unknown keys subcommand %q: want seal-rotate, rotate or trust-list", pos[0])}
	}
	db, ring, err := sf.open(ctx, newLogger(e.stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	id, err := ring.Rotate()
	if err != nil {
		return err
	}
	n, err := reseal(ctx, db)
	if err != nil {
		return fmt.Errorf("new data key %s made, but re-sealing stopped: %w (run again to finish)", id, err)
	}
	fmt.Fprintf(e.stdout, "data key %s is now primary; re-sealed %d residents\n", id, n)
	return nil
}

// reseal writes every resident back so that their personal fields are sealed
// under the primary key, a page per transaction.
func reseal(ctx context.Context, db person.Store) (int, error) {
	n := 0
	f := person.Filter{Page: record.Page{Limit: 5000}}
	for {
		page, next, err := db.Residents(ctx, f)
		if err != nil {
			return n, err
		}
		if len(page) > 0 {
			m, err := db.ImportResidents(ctx, slices.Values(page), nil)
			n += m
			if err != nil {
				return n, err
			}
		}
		if next == "" {
			return n, nil
		}
		f.After = next
	}
}
