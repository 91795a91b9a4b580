package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"outbreak/internal/route"
)

func routeCmd(ctx context.Context, e env, args []string) error {
	fs := flags(e, "route", "solve FILE | bench DIR")
	limit := fs.Duration("time-limit", time.Second, "how long to search, per instance")
	seed := fs.Uint64("seed", 1, "random seed")
	workers := fs.Int("workers", 1, "independent searches on as many cores; the best wins")
	iterations := fs.Int("iterations", 0, "stop after this many steps per search (deterministic for a seed when the time limit does not bind)")
	pos, err := parse(e, fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] != "solve" && pos[0] != "bench" {
		fs.Usage()
		return usageError{"route needs solve FILE or bench DIR"}
	}
	if *limit < 0 || *workers < 1 || *iterations < 0 {
		return usageError{"--time-limit, --workers and --iterations must not be negative (workers at least 1)"}
	}
	opt := route.Options{TimeLimit: *limit, Seed: *seed, Workers: *workers, Iterations: *iterations}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *iterations > 0 && !set["time-limit"] {
		opt.TimeLimit = 0 // bounded by iterations alone: repeatable
	}
	if pos[0] == "solve" {
		return routeSolve(ctx, e, pos[1], opt)
	}
	return routeBench(ctx, e, pos[1], opt)
}

// readProblem reads a routing problem: our JSON format for a .json file,
// else the Solomon format. A problem without a name takes the file's.
func readProblem(file string) (*route.Problem, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	parse := route.ParseSolomon
	if strings.EqualFold(filepath.Ext(file), ".json") {
		parse = route.ParseJSON
	}
	p, _, err := parse(file, f)
	if err != nil {
		return nil, err
	}
	if p.Name == "" {
		p.Name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	}
	return p, nil
}

// plan is what route solve prints: the routes with the IDs of vehicles and
// jobs, and whether the independent checker accepts them.
type plan struct {
	Name         string        `json:"name"`
	Distance     float64       `json:"distance"`
	VehiclesUsed int           `json:"vehicles_used"`
	Routes       []planRoute   `json:"routes"`
	Unassigned   []planMissing `json:"unassigned"`
	Checked      bool          `json:"checked"`
	CheckError   string        `json:"check_error,omitempty"`
	Seconds      float64       `json:"seconds"`
}

type planRoute struct {
	Vehicle  string     `json:"vehicle"`
	Depart   float64    `json:"depart"`
	Return   float64    `json:"return"`
	Distance float64    `json:"distance"`
	Stops    []planStop `json:"stops"`
}

type planStop struct {
	Job     string  `json:"job"`
	Arrival float64 `json:"arrival"`
	Start   float64 `json:"start"`
}

type planMissing struct {
	Job    string `json:"job"`
	Reason string `json:"reason"`
}

// solve solves one problem and checks the solution.
func solve(ctx context.Context, p *route.Problem, opt route.Options) plan {
	start := time.Now()
	s := route.Solve(ctx, p, opt)
	out := plan{Name: p.Name, Distance: s.Distance, VehiclesUsed: len(s.Routes), Routes: []planRoute{}, Unassigned: []planMissing{},
		Seconds: time.Since(start).Seconds()}
	if err := route.Check(p, s); err != nil {
		out.CheckError = err.Error()
	} else {
		out.Checked = true
	}
	for _, r := range s.Routes {
		pr := planRoute{Vehicle: p.Vehicles[r.Vehicle].ID, Depart: r.Depart, Return: r.Return, Distance: r.Distance}
		for _, st := range r.Stops {
			pr.Stops = append(pr.Stops, planStop{Job: p.Jobs[st.Job].ID, Arrival: st.Arrival, Start: st.Start})
		}
		out.Routes = append(out.Routes, pr)
	}
	for _, u := range s.Unassigned {
		out.Unassigned = append(out.Unassigned, planMissing{Job: p.Jobs[u.Job].ID, Reason: u.Reason})
	}
	return out
}

func routeSolve(ctx context.Context, e env, file string, opt route.Options) error {
	p, err := readProblem(file)
	if err != nil {
		return err
	}
	out := solve(ctx, p, opt)
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	if !out.Checked {
		return fmt.Errorf("route: the checker refuses the solution: %s", out.CheckError)
	}
	return nil
}

func routeBench(ctx context.Context, e env, dir string, opt route.Options) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("route bench: no instances (*.txt) in %s", dir)
	}
	slices.Sort(files)
	var bks map[string]struct {
		Cost float64 `json:"best_known_cost"`
	}
	if body, err := os.ReadFile(filepath.Join(dir, "BKS.json")); err == nil {
		if err := json.Unmarshal(body, &bks); err != nil {
			return fmt.Errorf("route bench: %s: %w", filepath.Join(dir, "BKS.json"), err)
		}
	}
	fmt.Fprintf(e.stdout, "%-8s %10s %10s %6s %9s %8s %s\n", "instance", "distance", "best", "routes", "seconds", "gap", "checked")
	var gaps, secs []float64
	var refused []string
	for _, file := range files {
		p, err := readProblem(file)
		if err != nil {
			return err
		}
		out := solve(ctx, p, opt)
		best, gap := "", ""
		if b, ok := bks[p.Name+"_distance"]; ok && b.Cost > 0 {
			g := (out.Distance/b.Cost - 1) * 100
			gaps = append(gaps, g)
			best, gap = fmt.Sprintf("%.2f", b.Cost), fmt.Sprintf("%+.2f%%", g)
		}
		secs = append(secs, out.Seconds)
		checked := "yes"
		if !out.Checked {
			checked = "NO: " + out.CheckError
			refused = append(refused, p.Name)
		}
		if len(out.Unassigned) > 0 {
			checked += fmt.Sprintf(" (%d unassigned)", len(out.Unassigned))
		}
		fmt.Fprintf(e.stdout, "%-8s %10.2f %10s %6d %9.3f %8s %s\n", p.Name, out.Distance, best, out.VehiclesUsed, out.Seconds, gap, checked)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	fmt.Fprintf(e.stdout, "average over %d instances: gap %+.2f%% (median %+.2f%%, worst %+.2f%%), %.3f s each\n",
		len(files), mean(gaps), median(gaps), slices.Max(append(gaps, 0)), mean(secs))
	if len(refused) > 0 {
		return errors.New("route bench: the checker refuses the solutions of " + strings.Join(refused, ", "))
	}
	return nil
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	return s[len(s)/2]
}
