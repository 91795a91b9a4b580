// Package route plans vehicle routes with time windows: multiple depots,
// vehicles with capacity in several dimensions, shifts and a maximum route
// duration (driving, waiting and service: how long a cold chain may be out
// of the cold store), service times, several time windows per job, skills,
// and optional jobs with priorities. It is pure: no I/O, deterministic for a
// seed under a time limit. Check verifies a solution independently of the
// solver's own move evaluation.
package route

// MaxDims is the most capacity dimensions a problem may have.
const MaxDims = 4

// Amount is a quantity in each capacity dimension.
type Amount [MaxDims]float64

// Window is an interval in which service may start.
type Window struct {
	Open  float64 `json:"open"`
	Close float64 `json:"close"`
}

// Vehicle is one vehicle: where its route starts and ends (locations), its
// capacity, its shift (it may leave at Start and must be back by End), the
// longest its route may last from leaving to coming back (0: no limit), and
// its skills.
type Vehicle struct {
	ID          string   `json:"id"`
	Start       int      `json:"start"`
	End         int      `json:"end"`
	Capacity    Amount   `json:"capacity"`
	ShiftStart  float64  `json:"shift_start"`
	ShiftEnd    float64  `json:"shift_end"`
	MaxDuration float64  `json:"max_duration,omitempty"`
	Skills      []string `json:"skills,omitempty"`
}

// Job is one delivery or visit: its location, demand, service time, the
// windows in which service may start (none: any time), the skills it needs,
// and, for an optional job, its priority (higher first when not all fit).
type Job struct {
	ID       string   `json:"id"`
	Location int      `json:"location"`
	Demand   Amount   `json:"demand"`
	Service  float64  `json:"service"`
	Windows  []Window `json:"windows,omitempty"`
	Skills   []string `json:"skills,omitempty"`
	Optional bool     `json:"optional,omitempty"`
	Priority int      `json:"priority,omitempty"`
}

// Problem is a routing problem. Travel[a][b] is the travel time from
// location a to location b, which is also the distance the objective counts.
type Problem struct {
	Name     string      `json:"name,omitempty"`
	Dims     int         `json:"dims"`
	Vehicles []Vehicle   `json:"vehicles"`
	Jobs     []Job       `json:"jobs"`
	Travel   [][]float64 `json:"travel"`
}

// Stop is a job on a route, with when the vehicle arrives and starts service.
type Stop struct {
	Job     int     `json:"job"`
	Arrival float64 `json:"arrival"`
	Start   float64 `json:"start"`
}

// Route is what one vehicle does: it leaves its start location at Depart,
// serves Stops in order and is back at Return.
type Route struct {
	Vehicle  int     `json:"vehicle"`
	Depart   float64 `json:"depart"`
	Stops    []Stop  `json:"stops"`
	Return   float64 `json:"return"`
	Distance float64 `json:"distance"`
}

// Unassigned is a job left out, and why.
type Unassigned struct {
	Job    int    `json:"job"`
	Reason string `json:"reason"`
}

// Solution is a set of routes and the jobs left out.
type Solution struct {
	Routes     []Route      `json:"routes"`
	Unassigned []Unassigned `json:"unassigned"`
	Distance   float64      `json:"distance"`
}
