package supply

import (
	"context"
	"fmt"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/record"
	"outbreak/internal/route"
)

// The states of a plan.
const (
	// Draft is a plan made and not yet sent out: stock and requests are
	// untouched.
	Draft = "draft"
	// PlanDispatched is a plan sent out: its picks are taken from stock and
	// its requests are dispatched.
	PlanDispatched = "dispatched"
)

// Plan is a day's deliveries: what each request gets, the route of each
// vehicle as a dispatch list, and the requests left out, with why.
type Plan struct {
	ID          string       `json:"id"`
	Date        string       `json:"date"`
	Created     time.Time    `json:"created"`
	Status      string       `json:"status"`
	Dispatched  time.Time    `json:"dispatched,omitzero"`
	Allocations []Allocation `json:"allocations"`
	Routes      []Dispatch   `json:"routes"`
	Left        []Left       `json:"left"`
	// Km is the length of the routes by road; DriveMinutes, the driving
	// time the solver minimised.
	Km           float64 `json:"km"`
	DriveMinutes float64 `json:"drive_minutes"`
	// Checked says that the routes passed the route checker, which verifies
	// every constraint independently of the solver.
	Checked bool `json:"checked"`
}

// Dispatch is one vehicle's route: it loads its picks at the depot, leaves
// at Depart, makes its stops in order and is back at Return.
type Dispatch struct {
	Vehicle      string         `json:"vehicle"`
	Depot        string         `json:"depot"`
	TimeZone     string         `json:"time_zone,omitempty"`
	Lat          float64        `json:"lat"`
	Lon          float64        `json:"lon"`
	Depart       time.Time      `json:"depart"`
	Return       time.Time      `json:"return"`
	Km           float64        `json:"km"`
	DriveMinutes float64        `json:"drive_minutes"`
	Load         map[string]int `json:"load"`
	Stops        []DispatchStop `json:"stops"`
}

// DispatchStop is one delivery on a route: the vehicle arrives at Arrive,
// starts unloading at Start (waiting for the slot to open if early) and
// leaves at Leave.
type DispatchStop struct {
	Request  string    `json:"request"`
	Site     string    `json:"site"`
	Kind     string    `json:"kind"`
	Person   string    `json:"person,omitempty"`
	Lat      float64   `json:"lat"`
	Lon      float64   `json:"lon"`
	SlotFrom time.Time `json:"slot_from,omitzero"`
	SlotTo   time.Time `json:"slot_to,omitzero"`
	Arrive   time.Time `json:"arrive"`
	Start    time.Time `json:"start"`
	Leave    time.Time `json:"leave"`
	Picks    []Pick    `json:"picks"`
}

// Left is a request that no route serves on the day, and why.
type Left struct {
	Request string  `json:"request"`
	Site    string  `json:"site"`
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
	Reason  string  `json:"reason"`
}

// Input is what a plan is made of: the records of the store and the day.
type Input struct {
	ID       string
	Date     string // the day, YYYY-MM-DD, in each depot's time zone
	Now      time.Time
	Depots   []Depot
	Vehicles []Vehicle
	Lots     []Lot
	Requests []Request // all; only open ones whose slot meets a shift of the day count
}

// Options tune the making of a plan. They say what the route solver may
// do in supply's own terms, so that callers need not know the solver.
type Options struct {
	// RoadFactor and SpeedKmh turn great-circle distances into travel
	// times; zero means route.DefaultRoadFactor and route.DefaultSpeedKmh.
	RoadFactor, SpeedKmh float64
	// TimeLimit bounds the solver's search; zero with Iterations zero
	// means one second.
	TimeLimit time.Duration
	// Iterations bounds the search by steps instead: a search bounded by
	// iterations alone makes the same plan for a seed on every run.
	Iterations int
	// Seed makes the search repeatable.
	Seed uint64
}

// MakePlan allocates stock to the day's open requests and plans the routes
// that deliver them. It changes nothing: a plan is a draft until it is
// dispatched. A day without vehicles is an Invalid error; requests that
// cannot be served are left out with the reason, never an error.
func MakePlan(ctx context.Context, in Input, opt Options) (*Plan, error) {
	day, err := time.Parse(time.DateOnly, in.Date)
	if err != nil {
		return nil, errs.Field("date", "not a date like 2026-11-24: %q", in.Date)
	}
	roadFactor, speed := opt.RoadFactor, opt.SpeedKmh
	if roadFactor <= 0 {
		roadFactor = route.DefaultRoadFactor
	}
	if speed <= 0 {
		speed = route.DefaultSpeedKmh
	}
	b := &builder{in: &in, roadFactor: roadFactor, speed: speed, depotLoc: map[string]int{}}
	if err := b.shifts(day); err != nil {
		return nil, err
	}
	reqs := b.requests()
	allocs := Allocate(in.Lots, reqs, in.Depots, in.Vehicles, b.to)
	plan := &Plan{ID: in.ID, Date: in.Date, Created: in.Now, Status: Draft, Allocations: allocs,
		Routes: []Dispatch{}, Left: []Left{}}

	p := b.problem(reqs, allocs)
	sol := route.Solve(ctx, p, route.Options{TimeLimit: opt.TimeLimit, Iterations: opt.Iterations, Seed: opt.Seed})
	if err := route.Check(p, sol); err != nil {
		return nil, errs.E(errs.Internal, "supply: the routes failed the checker: %v", err)
	}
	plan.Checked = true
	b.dispatch(plan, p, sol, reqs, allocs)
	return plan, nil
}

// builder makes the routing problem of a day and reads its solution back.
type builder struct {
	in                *Input
	roadFactor, speed float64
	from, to          time.Time      // the day's shifts, first start to last end
	dayFrom, dayTo    time.Time      // the day in every depot's zone, and the shifts
	starts, ends      []time.Time    // per vehicle
	depotLoc          map[string]int // depot ID → location, for depots with vehicles
	points            [][2]float64   // (lon, lat) per location
	jobReq            []int          // per job, the request
	depots            map[string]*Depot
}

// shifts places each vehicle's shift on the day in its depot's time zone
// (a shift from 8h is at 08:00 on the clock, on a day that changes to or
// from summer time too), from now on when the day has begun.
func (b *builder) shifts(day time.Time) error {
	b.depots = map[string]*Depot{}
	for i := range b.in.Depots {
		b.depots[b.in.Depots[i].ID] = &b.in.Depots[i]
	}
	if len(b.in.Vehicles) == 0 {
		return errs.Field("vehicles", "there are no vehicles to plan routes for")
	}
	open := false
	for i, v := range b.in.Vehicles {
		d := b.depots[v.Depot]
		if d == nil {
			return errs.Field(fmt.Sprintf("vehicles[%d].depot", i), "vehicle %s: no depot %q", v.ID, v.Depot)
		}
		loc, err := d.Location()
		if err != nil {
			return err
		}
		at := func(clock record.Duration) time.Time {
			return time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, int(clock), loc).UTC()
		}
		s, e := at(v.ShiftStart), at(v.ShiftEnd)
		if s.Before(b.in.Now) {
			s = minTime(b.in.Now, e) // a shift under way, or over: no time left
		}
		open = open || e.After(s)
		b.starts, b.ends = append(b.starts, s), append(b.ends, e)
		b.from, b.to = minTime(b.from, s), maxTime(b.to, e)
		b.dayFrom, b.dayTo = minTime(b.dayFrom, at(0)), maxTime(maxTime(b.dayTo, at(record.Duration(24*time.Hour))), e)
		if _, ok := b.depotLoc[d.ID]; !ok {
			b.depotLoc[d.ID] = len(b.points)
			b.points = append(b.points, [2]float64{d.Lon, d.Lat})
		}
	}
	if !open {
		return errs.Field("date", "every shift of %s has ended by %s", b.in.Date, b.in.Now.UTC().Format(time.RFC3339))
	}
	return nil
}

// requests returns the open requests of the day: without a slot, or with
// one that meets the day or a shift. Those outside every shift are left
// out by the routes, with the reason.
func (b *builder) requests() []Request {
	var out []Request
	for _, r := range b.in.Requests {
		if r.Status == Open && (r.SlotFrom.IsZero() || r.SlotTo.After(b.dayFrom) && r.SlotFrom.Before(b.dayTo)) {
			out = append(out, r)
		}
	}
	return out
}

// minTime and maxTime treat the zero time as unset.
func minTime(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// minutes converts an instant to the problem's time: minutes since the
// first shift starts.
func (b *builder) minutes(t time.Time) float64 { return t.Sub(b.from).Minutes() }

func (b *builder) instant(m float64) time.Time {
	// Instants are kept to the microsecond: a coarser rounding could move a
	// start out of its slot.
	return b.from.Add(time.Duration(m * float64(time.Minute))).Round(time.Microsecond)
}

// problem makes the routing problem: a job per allocated delivery, needing
// a vehicle of its depot, optional with its request's priority so that
// when not all fit the least urgent stay behind.
func (b *builder) problem(reqs []Request, allocs []Allocation) *route.Problem {
	p := &route.Problem{Name: "deliveries on " + b.in.Date, Dims: len(Classes)}
	for i, v := range b.in.Vehicles {
		loc := b.depotLoc[v.Depot]
		rv := route.Vehicle{ID: v.ID, Start: loc, End: loc, Skills: []string{"depot:" + v.Depot},
			ShiftStart: b.minutes(b.starts[i]), ShiftEnd: b.minutes(b.ends[i]),
			MaxDuration: time.Duration(v.MaxOut).Minutes()}
		for k, c := range v.Capacity() {
			rv.Capacity[k] = float64(c)
		}
		p.Vehicles = append(p.Vehicles, rv)
	}
	for i, a := range allocs {
		if a.Quantity == 0 {
			continue
		}
		r := &reqs[i]
		job := route.Job{ID: r.ID, Location: len(b.points), Service: r.unload().Minutes(),
			Skills: []string{"depot:" + a.Depot}, Optional: true, Priority: r.Priority}
		for _, pk := range a.Picks {
			job.Demand[classIndex(pk.Temperature)] += float64(pk.Quantity)
		}
		if !r.SlotFrom.IsZero() {
			job.Windows = []route.Window{{Open: b.minutes(r.SlotFrom), Close: b.minutes(r.SlotTo)}}
		}
		b.points = append(b.points, [2]float64{r.Lon, r.Lat})
		b.jobReq = append(b.jobReq, i)
		p.Jobs = append(p.Jobs, job)
	}
	p.Travel = make([][]float64, len(b.points))
	for a := range b.points {
		p.Travel[a] = make([]float64, len(b.points))
		for c := range b.points {
			p.Travel[a][c] = route.GeoMinutes(b.points[a], b.points[c], b.roadFactor, b.speed)
		}
	}
	return p
}
