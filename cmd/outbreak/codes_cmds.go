package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"outbreak/internal/codes"
	"outbreak/internal/record"
	"outbreak/internal/risk"
	"outbreak/internal/sqlstore"
)

// policyPath is where the running policy of a data directory lives; without
// it the built-in policy runs.
func policyPath(data string) string { return filepath.Join(data, "policy.yaml") }

// loadPolicy reads a policy file, or with file "" the running policy of the
// data directory.
func loadPolicy(data, file string) (*risk.Policy, error) {
	if file == "" {
		file = policyPath(data)
		if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
			return risk.Default(), nil
		}
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
	fs.StringVar(&f.policy, "policy", "", "policy file; default the data directory's policy.yaml, else the built-in one")
}

// open checks the flags (a command that reads a city takes no arguments)
// and opens the policy and the store.
func (f *asOfFlags) open(ctx context.Context, e env, name string, pos []string) (*risk.Policy, *sqlstore.DB, error) {
	switch {
	case len(pos) != 0:
		return nil, nil, usageError{name + " takes no arguments"}
	case f.format != "csv" && f.format != "json":
		return nil, nil, usageError{fmt.Sprintf("--format must be csv or json, not %q", f.format)}
	case f.store.data == "":
		return nil, nil, usageError{"--data is required"}
	}
	policy, err := loadPolicy(f.store.data, f.policy)
	if err != nil {
		return nil, nil, err
	}
	db, _, err := f.store.open(ctx, newLogger(e.stderr))
	return policy, db, err
}

func codesCmd(ctx context.Context, e env, args []string) error {
	fs := flags(e, "codes", "")
	var f asOfFlags
	f.register(fs)
	whatIf := fs.Bool("what-if", false, "print how many codes --policy would change, by region, without applying it")
	pos, err := parse(e, fs, args)
	if err != nil {
		return err
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
		current, err := loadPolicy(f.store.data, "")
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
	if err := writeCodes(ctx, w, f.format, snap, db, policy); err != nil {
		return err
	}
	return w.Flush()
}

// writeCodes writes every resident's code as CSV (person, color, the rules
// that gave it, valid_until) or as a JSON array with the full reasons.
func writeCodes(ctx context.Context, w *bufio.Writer, format string, snap *codes.Snapshot, db codes.Store, p *risk.Policy) error {
	c := csv.NewWriter(w)
	if format == "csv" {
		c.Write([]string{"person", "color", "reasons", "valid_until"})
	} else {
		w.WriteString("[")
	}
	first := true
	err := snap.Evaluate(ctx, db, p, func(_ string, code risk.Code) error {
		if format == "json" {
			if !first {
				w.WriteString(",")
			}
			first = false
			w.WriteString("\n")
			b, err := json.Marshal(code)
			w.Write(b)
			return err
		}
		var rules []string
		for _, r := range code.Reasons {
			if !slices.Contains(rules, r.Rule) {
				rules = append(rules, r.Rule)
			}
		}
		until := ""
		if !code.ValidUntil.IsZero() {
			until = record.FormatTime(code.ValidUntil)
		}
		return c.Write([]string{code.Person, code.Color, strings.Join(rules, ";"), until})
	})
	if err != nil {
		return err
	}
	if format == "json" {
		w.WriteString("\n]\n")
		return nil
	}
	c.Flush()
	return c.Error()
}
