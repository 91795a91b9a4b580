package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"outbreak/internal/codes"
	"outbreak/internal/errs"
	"outbreak/internal/record"
	"outbreak/internal/risk"
	"outbreak/internal/sqlstore"
)

// adoptPolicy stores the data directory's policy.yaml, where servers kept
// the running policy before it lived in the store, as the running policy
// when the store has none; the file is then renamed so that it is not taken
// for the running policy again.
func adoptPolicy(ctx context.Context, db *sqlstore.DB, data string) error {
	file := filepath.Join(data, "policy.yaml")
	src, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, _, err := db.Policy(ctx); !errs.Is(err, errs.NotFound) {
		return err // the store has a policy: it runs
	}
	p, err := risk.Parse(file, src)
	if err != nil {
		return err
	}
	if err := db.SavePolicy(ctx, src, p.Hash()); err != nil {
		return err
	}
	return os.Rename(file, file+".adopted")
}

// runningPolicy returns the policy a file gives, or with file "" the
// running policy of the store.
func runningPolicy(ctx context.Context, db *sqlstore.DB, file string) (*risk.Policy, error) {
	if file == "" {
		return codes.NewService(db, nil, 1).Policy(ctx)
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return risk.Parse(file, src)
}

// asOfFlags are the flags of the commands that read a city as of an instant.
type asOfFlags struct {
	store  storeFlags
	at     timeFlag
	format string
	policy string
}

func (f *asOfFlags) register(fs *flag.FlagSet) {
	f.store.register(fs, "")
	fs.Var(&f.at, "at", "as of this instant (RFC 3339); default now")
	fs.StringVar(&f.format, "format", "csv", "csv or json")
	fs.StringVar(&f.policy, "policy", "", "policy file; default the running policy of the store")
}

// open checks the flags (a command that reads a city takes no arguments)
// and opens the store and the policy.
func (f *asOfFlags) open(ctx context.Context, e env, name string, pos []string) (*risk.Policy, *sqlstore.DB, error) {
	switch {
	case len(pos) != 0:
		return nil, nil, usageError{name + " takes no arguments"}
	case f.format != "csv" && f.format != "json":
		return nil, nil, usageError{fmt.Sprintf("--format must be csv or json, not %q", f.format)}
	case f.store.data == "":
		return nil, nil, usageError{"--data is required"}
	}
	db, _, err := f.store.open(ctx, newLogger(e.stderr))
	if err != nil {
		return nil, nil, err
	}
	policy, err := runningPolicy(ctx, db, f.policy)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return policy, db, nil
}

func codesCmd(ctx context.Context, e env, args []string) error {
	fs := flags(e, "codes", "[rebuild | check]")
	var f asOfFlags
	f.register(fs)
	whatIf := fs.Bool("what-if", false, "print how many codes --policy would change, by region, without applying it")
	pos, err := parse(e, fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 1 && pos[0] == "rebuild" {
		return rebuildCodes(ctx, e, f.store)
	}
	if len(pos) == 1 && pos[0] == "check" {
		return checkCodes(ctx, e, f.store)
	}
	if *whatIf && f.policy == "" {
		return usageError{"--what-if needs --policy NEW"}
	}
	policy, db, err := f.open(ctx, e, "codes", pos)
	if err != nil {
		return err
	}
	defer db.Close()
	now, workers := f.at.or(time.Now()), runtime.GOMAXPROCS(0)
	snap, err := codes.Load(ctx, db, policy.Rules(), now, workers)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(e.stdout)
	if *whatIf {
		current, err := runningPolicy(ctx, db, "")
		if err != nil {
			return fmt.Errorf("the running policy: %w", err)
		}
		old := snap
		if current.Rules() != policy.Rules() {
			if old, err = codes.Load(ctx, db, current.Rules(), now, workers); err != nil {
				return err
			}
		}
		report, err := codes.WhatIf(ctx, db, old, snap, current, policy)
		if err != nil {
			return err
		}
		if f.format == "json" {
			err = writeJSON(w, report)
		} else {
			err = report.WriteText(w)
		}
		if err != nil {
			return err
		}
		return w.Flush()
	}
	if err := codes.WriteCodes(ctx, w, f.format, snap, db, policy); err != nil {
		return err
	}
	return w.Flush()
}

// rebuildCodes has every code computed afresh and stored: by the keeper of
// a running server, which it asks through the feed and waits for, or, when
// no process keeps the codes, by a keeper of its own, which computes every
// code when it starts.
func rebuildCodes(ctx context.Context, e env, sf storeFlags) error {
	log := newLogger(e.stderr)
	db, _, err := sf.open(ctx, log)
	if err != nil {
		return err
	}
	defer db.Close()
	k := codes.NewKeeper(codes.Config{Store: db, Logger: log, Workers: runtime.GOMAXPROCS(0)})
	service := codes.NewService(db, k, 1)
	holder, err := db.LeaseHolder(ctx, codes.LeaseName)
	if err != nil {
		return err
	}
	if holder != "" {
		if err := db.RequestRebuild(ctx); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "asked %s, which keeps the codes, to compute them all again\n", holder)
	}
	kctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- k.Run(kctx) }()
	err = service.Sync(ctx)
	stop()
	if err := errors.Join(err, <-done); err != nil {
		return err
	}
	st, err := service.Status(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "every code computed as of %s, feed position %d\n", record.FormatTime(st.Position.At), st.Position.Seq)
	return nil
}

// checkCodes compares the stored codes with codes computed afresh as of the
// keeper's position, and checks the code-change log; it fails when they
// differ.
func checkCodes(ctx context.Context, e env, sf storeFlags) error {
	db, _, err := sf.open(ctx, newLogger(e.stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := codes.Check(ctx, db, runtime.GOMAXPROCS(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "as of %s (feed position %d): %d stored codes, %d computed afresh, %d color changes logged\n",
		record.FormatTime(r.At), r.Position.Seq, r.Stored, r.Fresh, r.Changes)
	if len(r.Differences) > 0 {
		for _, d := range r.Differences {
			fmt.Fprintln(e.stdout, "  "+d)
		}
		return fmt.Errorf("the stored codes differ from a fresh computation")
	}
	fmt.Fprintln(e.stdout, "the stored codes and their log agree with a fresh computation")
	return nil
}
