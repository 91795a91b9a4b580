// Package sim generates a deterministic synthetic city — regions, venues, residents, their
// daily check-ins and trips, tests, vaccinations, health declarations — with an outbreak
// that spreads only through co-located visits, and writes it as the CSV files that
// `outbreak import` reads, plus the ground truth infections.csv against which contact
// tracing can be scored.
//
// The same Config always gives byte-identical files: every random choice is drawn from a
// stream derived from the seed and from what is being generated (the day, a fixed shard of
// residents, a resident), never from scheduling, GOMAXPROCS or map order.
//
// The city: country "cn", three provinces ("cn.p1"), two cities each ("cn.p1.c1"), 2–12
// districts per city ("cn.p1.c1.d3") depending on the population. Residents ("r0000001")
// live in households of 1–5 in a district; places ("v000001") are workplaces, schools,
// restaurants, supermarkets, gyms, hospitals, transit stations and bars (category names as
// in places.csv: workplace, school, restaurant, supermarket, gym, hospital,
// transit_station, bar). Workers go to work on weekdays, children to school, and everyone
// runs 0–3 errands a day near home inside opening hours: about 2.2 visits per resident per
// day, about 10 % of them without a check_out. The outbreak starts from 5 + People/50,000
// residents of one district of the first city, infected on day 0, and stays in that city.
//
// Choices other packages may rely on:
//   - infected_at is the end of the exposing overlap: the moment the infector's visit
//     (clipped to the infector's infectious window) or the infectee's visit ended, whichever
//     came first. The overlap is at least 15 minutes long and lies inside the infector's
//     infectious window [onset − 2 days, isolation]. An infectee who becomes a case has
//     onset − 2 days at or after its infected_at, so tracing does not drop it as a case.
//   - A missing check_out means check_in + the place's default dwell, and the simulation
//     uses exactly that interval for transmission, as tracing does.
//   - cases.csv onset is the earlier of symptom onset and the first positive specimen (for
//     asymptomatic cases, the onset they would have had), so the tracing window
//     [onset − 2 days, isolated] always covers every transmission by the case.
//   - A case isolates at its positive specimen time and is released 10 days later; nobody
//     checks in anywhere while isolated or away on a trip (stays.csv).
//   - Visits start and end inside their place's opening hours on one simulated day (a bar's
//     check_out may be the following midnight); even with a missing check_out, visits of
//     different days never overlap.
package sim

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"outbreak/internal/kinds"
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
	Appeals      int // appeals.csv
	Depots       int // depots.csv
	Vehicles     int // vehicles.csv
	Stock        int // stock.csv
	Requests     int // requests.csv: deliveries asked for the day after the period
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
// vaccinations.csv, declarations.csv, cases.csv, appeals.csv, infections.csv and the supply
// side, depots.csv, vehicles.csv, stock.csv and requests.csv, and returns the row counts.
// visits.csv is in check_in order; nothing is dated after Start + Days but an appeal's
// expiry, stock's expiry and the delivery slots of requests (for the day after), and only
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
		{"regions.csv", header("regions"), &s.Regions, w.writeRegions},
		{"places.csv", header("places"), &s.Places, w.writePlaces},
		{"residents.csv", header("residents"), &s.Residents, w.writeResidents},
		{"vaccinations.csv", header("vaccinations"), &s.Vaccinations, w.writeVaccinations},
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
		{"stays.csv", header("stays"), &s.Stays, e.writeStays},
		{"labs.csv", header("labs"), &s.Labs, e.writeLabs},
		{"cases.csv", header("cases"), &s.Cases, e.writeCases},
		{"appeals.csv", header("appeals"), &s.Appeals, e.writeAppeals},
		{"infections.csv", "person,infected_at,infector,place", &s.Infections, e.writeInfections},
		{"region_levels.csv", header("region_levels"), &s.RegionLevels, e.writeRegionLevels},
		{"depots.csv", header("depots"), &s.Depots, w.writeDepots},
		{"vehicles.csv", header("vehicles"), &s.Vehicles, w.writeVehicles},
		{"stock.csv", header("stock"), &s.Stock, w.writeStock},
		{"requests.csv", header("requests"), &s.Requests, e.writeRequests},
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

// header returns the CSV header of a kind of record: the one import reads,
// in the order the writers here write their columns.
func header(kind string) string { return strings.Join(kinds.Header(kind), ",") }
