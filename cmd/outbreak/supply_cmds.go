package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"outbreak/internal/record"
	"outbreak/internal/route"
	"outbreak/internal/supply"
)

func supplyCmd(ctx context.Context, e env, args []string) error {
	fs := flags(e, "supply", "plan | dispatch PLAN")
	var sf storeFlags
	sf.register(fs, "")
	date := fs.String("date", "", "the day to plan, YYYY-MM-DD (default: tomorrow, UTC)")
	var at timeFlag
	fs.Var(&at, "at", "the instant to take as now (RFC 3339): no vehicle leaves before it; default: the clock")
	limit := fs.Duration("time-limit", 2*time.Second, "how long the route planner searches")
	seed := fs.Uint64("seed", 1, "random seed of the route planner")
	iterations := fs.Int("iterations", 0, "stop the route planner after this many steps (the same plan for a seed, when --time-limit is not given)")
	save := fs.Bool("save", false, "keep the plan in the store as a draft, to dispatch later")
	format := fs.String("format", "text", "text (dispatch lists) or json (the whole plan)")
	pos, err := parse(e, fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 1 && pos[0] == "plan", len(pos) == 2 && pos[0] == "dispatch":
	default:
		fs.Usage()
		return usageError{"supply needs plan, or dispatch PLAN"}
	}
	if *format != "text" && *format != "json" {
		return usageError{"--format must be text or json"}
	}
	if *limit < 0 || *iterations < 0 {
		return usageError{"--time-limit and --iterations must not be negative"}
	}
	opt := route.Options{TimeLimit: *limit, Seed: *seed, Iterations: *iterations}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *iterations > 0 && !set["time-limit"] {
		opt.TimeLimit = 0
	}
	db, _, err := sf.open(ctx, newLogger(e.stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	now := record.Instant(at.or(time.Now()))
	var plan *supply.Plan
	if pos[0] == "dispatch" {
		p, err := db.DispatchPlan(ctx, pos[1], now)
		if err != nil {
			return err
		}
		plan = &p
	} else {
		if *date == "" {
			*date = now.AddDate(0, 0, 1).Format(time.DateOnly)
		}
		plan, err = supply.NewPlan(ctx, db, *date, now, supply.Options{TimeLimit: opt.TimeLimit, Iterations: opt.Iterations, Seed: opt.Seed})
		if err != nil {
			return err
		}
		if *save {
			if err := db.SavePlan(ctx, plan); err != nil {
				return err
			}
		}
	}
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(plan)
	}
	printPlan(e.stdout, plan)
	return nil
}

// printPlan writes a plan as dispatch lists a driver can read.
func printPlan(w io.Writer, p *supply.Plan) {
	served := 0
	for _, rt := range p.Routes {
		served += len(rt.Stops)
	}
	fmt.Fprintf(w, "Plan %s for %s (%s): %d deliveries on %d routes, %.1f km, %.0f min driving; %d left; checked: %v\n",
		p.ID, p.Date, p.Status, served, len(p.Routes), p.Km, p.DriveMinutes, len(p.Left), p.Checked)
	for _, rt := range p.Routes {
		zone, err := time.LoadLocation(rt.TimeZone)
		if err != nil {
			zone = time.UTC
		}
		clock := func(t time.Time) string { return t.In(zone).Format("15:04") }
		var load []string
		for _, class := range supply.Classes {
			if n := rt.Load[class]; n > 0 {
				load = append(load, fmt.Sprintf("%d %s", n, class))
			}
		}
		fmt.Fprintf(w, "\n%s from %s: leaves %s, back %s (%s), %.1f km, carrying %s\n",
			rt.Vehicle, rt.Depot, clock(rt.Depart), clock(rt.Return), zone, rt.Km, strings.Join(load, ", "))
		for i, st := range rt.Stops {
			slot := "any time"
			if !st.SlotFrom.IsZero() {
				slot = clock(st.SlotFrom) + "–" + clock(st.SlotTo)
			}
			fmt.Fprintf(w, "  %2d. %s  %-28s slot %-11s arrive %s start %s:", i+1, st.Request, st.Site, slot, clock(st.Arrive), clock(st.Start))
			for _, pk := range st.Picks {
				fmt.Fprintf(w, " %d × %s", pk.Quantity, pk.Item)
				if pk.Number != "" {
					fmt.Fprintf(w, " (lot %s)", pk.Number)
				}
			}
			fmt.Fprintln(w)
		}
	}
	if len(p.Left) > 0 {
		fmt.Fprintln(w, "\nLeft:")
		for _, l := range p.Left {
			fmt.Fprintf(w, "  %s  %s: %s\n", l.Request, l.Site, l.Reason)
		}
	}
}
