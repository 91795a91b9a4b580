// Package sim generates a deterministic synthetic city — regions, venues, residents, their
// daily check-ins and trips, tests, vaccinations, health declarations — with an outbreak
// that spreads only through co-located visits, and writes it as the CSV files that
// `outbreak import` reads, plus the ground truth infections.csv against which contact
// tracing can be scored.
//
// The same Config always gives byte-identical files: every random choice is drawn from a
// stream derived from the seed and from what is being generated (the day, a shard of
// residents, a resident), never from scheduling or map order.
//
// Choices other packages may rely on:
//   - infected_at is the end of the exposing overlap: the moment the infector's visit
//     (clipped to the infector's infectious window) or the infectee's visit ended, whichever
//     came first. The overlap is at least 15 minutes long and lies inside the infector's
//     infectious window [onset − 2 days, isolation].
//   - A missing check_out (about 10 % of visits) means check_in + the place's default dwell,
//     and the simulation uses exactly that interval for transmission, as tracing does.
//   - cases.csv onset is the earlier of symptom onset and the first positive specimen (for
//     asymptomatic cases, the onset they would have had), so the tracing window
//     [onset − 2 days, isolated] always covers every transmission by the case.
//   - A case isolates at its positive specimen time and is released 10 days later; nobody
//     checks in anywhere while isolated or away on a trip (stays.csv).
//   - Every visit begins and ends on the same simulated day (bars close at midnight), so
//     only visits of the same day can overlap.
package sim

import (
	"context"
	"fmt"
	"os"
	"time"
)

// Config describes a synthetic city.
type Config struct {
	People int       // residents
	Days   int       // simulated days
	Seed   int64     // seed of every random choice
	Start  time.Time // first simulated midnight, UTC; zero = 2026-11-01T00:00:00Z
}

// DefaultStart is the first simulated midnight when Config.Start is zero.
var DefaultStart = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// Limits on Config; beyond them int32 indices and second offsets would not do.
const (
	MaxPeople = 50_000_000
	MaxDays   = 3650
)

// Summary counts the data rows (header excluded) written to each file.
type Summary struct {
	Regions      int // regions.csv
	RegionLevels int // region_levels.csv
	Places       int // places.csv
	Residents    int // residents.csv
	Visits       int // visits.csv
	Stays        int // stays.csv
	Labs         int // labs.csv
	Vaccinations int // vaccinations.csv
	Declarations int // declarations.csv
	Cases        int // cases.csv
	Infections   int // infections.csv: every infection, the seeds included
}

// Validate reports whether the config describes a city that can be generated.
func (c Config) Validate() error {
	switch {
	case c.People < 1 || c.People > MaxPeople:
		return fmt.Errorf("sim: people must be between 1 and %d, not %d", MaxPeople, c.People)
	case c.Days < 1 || c.Days > MaxDays:
		return fmt.Errorf("sim: days must be between 1 and %d, not %d", MaxDays, c.Days)
	case !c.Start.IsZero() && c.Start.Unix()%86400 != 0:
		return fmt.Errorf("sim: start %s is not a UTC midnight", c.Start.Format(time.RFC3339))
	}
	return nil
}

// Write generates the city and writes one CSV per kind into dir (created if missing):
// regions.csv, region_levels.csv, places.csv, residents.csv, visits.csv, stays.csv, labs.csv,
// vaccinations.csv, declarations.csv, cases.csv and infections.csv, and returns the row
// counts. visits.csv is in check_in order; nothing is dated after Start + Days, and only
// vaccinations are dated before Start. Files already in dir are overwritten.
func Write(ctx context.Context, cfg Config, dir string) (Summary, error) {
	if err := cfg.Validate(); err != nil {
		return Summary{}, err
	}
	if cfg.Start.IsZero() {
		cfg.Start = DefaultStart
	}
	cfg.Start = cfg.Start.UTC()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Summary{}, fmt.Errorf("sim: %w", err)
	}
	w := newWorld(cfg)
	var s Summary
	static := []struct {
		name, header string
		rows         *int
		write        func(*csvFile)
	}{
		{"regions.csv", "id,name,parent,kind", &s.Regions, w.writeRegions},
		{"places.csv", "id,name,region,category,lat,lon,default_dwell", &s.Places, w.writePlaces},
		{"residents.csv", "id,name,phone,email,language,time_zone,home_region", &s.Residents, w.writeResidents},
		{"vaccinations.csv", "person,given_at,product,dose", &s.Vaccinations, w.writeVaccinations},
	}
	for _, f := range static {
		if err := ctx.Err(); err != nil {
			return s, err
		}
		n, err := writeCSV(dir, f.name, f.header, f.write)
		if err != nil {
			return s, err
		}
		*f.rows = n
	}
	e := newEpidemic(w)
	if err := e.run(ctx, dir, &s); err != nil {
		return s, err
	}
	results := []struct {
		name, header string
		rows         *int
		write        func(*csvFile)
	}{
		{"stays.csv", "person,region,from,to", &s.Stays, e.writeStays},
		{"labs.csv", "person,specimen_at,result,test_type", &s.Labs, e.writeLabs},
		{"cases.csv", "person,onset,isolated,released", &s.Cases, e.writeCases},
		{"infections.csv", "person,infected_at,infector,place", &s.Infections, e.writeInfections},
		{"region_levels.csv", "region,level,from,to", &s.RegionLevels, e.writeRegionLevels},
	}
	for _, f := range results {
		n, err := writeCSV(dir, f.name, f.header, f.write)
		if err != nil {
			return s, err
		}
		*f.rows = n
	}
	return s, nil
}
