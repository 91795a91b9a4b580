package supply

import (
	"math"

	"outbreak/internal/route"
)

// dispatch turns the solver's routes into dispatch lists, and lists the
// requests that no route serves: those that got no stock, and those the
// solver left out.
func (b *builder) dispatch(plan *Plan, p *route.Problem, sol *route.Solution, reqs []Request, allocs []Allocation) {
	for _, rt := range sol.Routes {
		v := &b.in.Vehicles[rt.Vehicle]
		d := b.depots[v.Depot]
		out := Dispatch{Vehicle: v.ID, Depot: d.ID, TimeZone: d.TimeZone, Lat: d.Lat, Lon: d.Lon,
			Depart: b.instant(rt.Depart), Return: b.instant(rt.Return),
			DriveMinutes: round2(rt.Distance), Load: map[string]int{}, Stops: []DispatchStop{}}
		at := p.Vehicles[rt.Vehicle].Start
		for _, st := range rt.Stops {
			i := b.jobReq[st.Job]
			r, job := &reqs[i], &p.Jobs[st.Job]
			out.Km += b.km(at, job.Location)
			at = job.Location
			for _, pk := range allocs[i].Picks {
				out.Load[pk.Temperature] += pk.Quantity
			}
			out.Stops = append(out.Stops, DispatchStop{Request: r.ID, Site: r.Site, Kind: r.Kind, Person: r.Person,
				Lat: r.Lat, Lon: r.Lon, SlotFrom: r.SlotFrom, SlotTo: r.SlotTo,
				Arrive: b.instant(st.Arrival), Start: b.instant(st.Start), Leave: b.instant(st.Start + job.Service),
				Picks: allocs[i].Picks})
		}
		out.Km = round2(out.Km + b.km(at, p.Vehicles[rt.Vehicle].End))
		plan.Km += out.Km
		plan.DriveMinutes += rt.Distance
		plan.Routes = append(plan.Routes, out)
	}
	plan.Km, plan.DriveMinutes = round2(plan.Km), round2(plan.DriveMinutes)

	why := map[int]string{}
	for i, a := range allocs {
		if a.Quantity == 0 {
			why[i] = a.Note
		}
	}
	for _, u := range sol.Unassigned {
		why[b.jobReq[u.Job]] = "no route: " + u.Reason
	}
	for i, r := range reqs {
		if reason, ok := why[i]; ok {
			plan.Left = append(plan.Left, Left{Request: r.ID, Site: r.Site, Lat: r.Lat, Lon: r.Lon, Reason: reason})
		}
	}
}

// km is the road distance between two locations of the problem.
func (b *builder) km(a, c int) float64 {
	return route.GreatCircleKm(b.points[a], b.points[c]) * b.roadFactor
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
