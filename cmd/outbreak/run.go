package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"outbreak/internal/errs"
	"outbreak/internal/seal"
	"outbreak/internal/sqlstore"
)

// env gives the environment to run, so tests pass their own.
type env struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"serve":   {"serve the API and pages", serve},
		"demo":    {"make a synthetic city with an outbreak under way and serve it", demo},
		"migrate": {"apply pending database migrations", migrate},
		"import":  {"import a CSV or NDJSON file of one kind of record", importCmd},
		"export":  {"export every record of one kind as CSV or NDJSON", exportCmd},
		"sim":     {"write a synthetic city with an outbreak as import files", simCmd},
		"keys":    {"rotate the keys that seal personal fields (seal-rotate) or sign codes (rotate); print the trust list", keysCmd},
		"verify":  {"verify a code token offline against a trust list", verifyCmd},
		"route":   {"plan vehicle routes with time windows (solve FILE), or measure the planner on a set of instances (bench DIR)", routeCmd},
		"supply":  {"plan a day's deliveries from the store's depots, vehicles, stock and requests (plan), or send a plan out (dispatch PLAN)", supplyCmd},
		"bench":   {"measure the running server (check-ins over HTTP)", benchCmd},
		"trace":   {"print the exposures to every case known at an instant", traceCmd},
		"codes":   {"print every resident's health code at an instant, or what a new policy would change", codesCmd},
	}
}

// run is the whole program: it parses args, builds what the subcommand
// needs, and returns when it is done or ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	e := env{getenv: getenv, stdout: stdout, stderr: stderr}
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout, cmds)
		return nil
	}
	c, ok := cmds[args[0]]
	if !ok {
		usage(stderr, cmds)
		return usageError{fmt.Sprintf("unknown command %q", args[0])}
	}
	return c.run(ctx, e, args[1:])
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "Usage: outbreak COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'outbreak COMMAND -h' for a command's flags; every flag has an OUTBREAK_* environment fallback.")
}

// usageError is a mistake in the command line; it exits with status 2.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

// flags makes a flag set for a subcommand that writes its help to e.stderr.
func flags(e env, name, positional string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: outbreak %s [flags] %s\n\nFlags:\n", name, positional)
		fs.PrintDefaults()
	}
	return fs
}

// envName is the environment variable that backs a flag: --time-limit is
// OUTBREAK_TIME_LIMIT.
func envName(flagName string) string {
	return "OUTBREAK_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parse parses flags that may come before or after the positional arguments,
// taking a flag's value from its OUTBREAK_* variable when the command line
// does not set it. It returns the positional arguments.
func parse(e env, fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if v := e.getenv(envName(f.Name)); v != "" && !set[f.Name] && err == nil {
			if e := f.Value.Set(v); e != nil {
				err = usageError{fmt.Sprintf("%s=%q: %v", envName(f.Name), v, e)}
			}
		}
	})
	return pos, err
}

// storeFlags are the flags of every command that opens the store.
type storeFlags struct {
	data, db string
	// create lets the command make a store where there is none (demo,
	// migrate, import --create); other commands refuse a data directory
	// or database that holds none, so that a mistyped path is not taken
	// for a new, empty city.
	create bool
}

func (s *storeFlags) register(fs *flag.FlagSet, defaultData string) {
	fs.StringVar(&s.data, "data", defaultData, "data directory: the embedded database and the keys")
	fs.StringVar(&s.db, "db", "", "PostgreSQL URL (postgres://…); empty = the embedded SQLite store in --data")
}

// open opens the key ring and the store.
func (s *storeFlags) open(ctx context.Context, log *slog.Logger) (*sqlstore.DB, *seal.Ring, error) {
	if s.data == "" {
		return nil, nil, usageError{"--data is required"}
	}
	keys := filepath.Join(s.data, "keys", "seal")
	if !s.create {
		if _, err := os.Stat(keys); errors.Is(err, fs.ErrNotExist) {
			return nil, nil, errs.E(errs.NotFound, "%s holds no Outbreak store (no %s); make one with `outbreak migrate --data %s`, "+
				"`outbreak demo --data %s` or a first `outbreak import --create`", s.data, keys, s.data, s.data)
		}
	}
	if err := os.MkdirAll(s.data, 0o700); err != nil {
		return nil, nil, err
	}
	ring, err := seal.Open(keys)
	if err != nil {
		return nil, nil, err
	}
	db, err := sqlstore.Open(ctx, sqlstore.Config{URL: s.db, Dir: s.data, Sealer: ring, Logger: log, MustExist: !s.create})
	if err != nil {
		return nil, nil, err
	}
	return db, ring, nil
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
