package sim

import (
	"fmt"
	"strconv"
)

// The supply side of the city, for the next day: two depots in the first
// city, where the outbreak is, vans, stock of vaccines, test kits, medicine
// and food parcels, and requests from its hospitals, its schools acting as
// vaccination points, and the households of cases in isolation. Shifts and
// slots are in Asia/Shanghai time (UTC+8).
const (
	shanghai      = 8 * hour
	maxHouseholds = 120 // food parcels requested, at most
)

// depots returns the district of each depot: the first and the middle
// district of the first city.
func (w *world) depots() []int {
	c := w.cities[0]
	return []int{(c.d0 + c.d1) / 2, c.d0}
}

// deliveryDay returns the local midnight of the day the requests are for:
// the first day in Asia/Shanghai that begins after the period ends.
func (w *world) deliveryDay() int32 { return w.end - shanghai + day }

func depotID(k int) string { return "depot" + strconv.Itoa(k+1) }

// point returns a deterministic point of district d for the k-th thing of
// a kind.
func (w *world) point(d int, kind, k uint64) (lat, lon float64) {
	r := stream(w.seed, kSupply, kind, k)
	dd := &w.districts[d]
	return dd.lat0 + r.float()*dd.dlat, dd.lon0 + r.float()*dd.dlon
}

func (w *world) writeDepots(c *csvFile) {
	for k, d := range w.depots() {
		lat, lon := w.point(d, 0, uint64(k))
		c.b = fmt.Appendf(c.b, "%s,%s Depot %d,%.6f,%.6f,Asia/Shanghai", depotID(k), districtNames[w.districts[d].num], k+1, lat, lon)
		c.endRow()
	}
}

// writeVehicles writes, per depot, two refrigerated vans that may be out
// of the cold store four hours, and three ambient vans.
func (w *world) writeVehicles(c *csvFile) {
	for k := range w.depots() {
		for i := range 2 {
			c.b = fmt.Appendf(c.b, "%s.cold%d,%s,20,40,20,8h,18h,4h", depotID(k), i+1, depotID(k))
			c.endRow()
		}
		for i := range 3 {
			c.b = fmt.Appendf(c.b, "%s.van%d,%s,80,0,0,8h,20h,", depotID(k), i+1, depotID(k))
			c.endRow()
		}
	}
}

// stockItems are the items each depot holds: item, temperature class, lots
// and units per lot, and days to expiry of the first lot.
var stockItems = []struct {
	item, class string
	lots, units int
	expires     int
}{
	{"vaccine-mrna", "frozen", 2, 30, 0},
	{"vaccine-protein", "chilled", 2, 25, 5},
	{"test-kits", "ambient", 1, 40, 60},
	{"medicine-kit", "ambient", 1, 60, 90},
	{"food-parcel", "ambient", 2, 50, 2},
}

// writeStock writes the lots of each depot: of each item, lots whose
// expiry is days apart, the first mRNA lot expiring at 14:00 on the
// delivery day itself (so that it stays on the shelf).
func (w *world) writeStock(c *csvFile) {
	for k := range w.depots() {
		for _, it := range stockItems {
			for l := range it.lots {
				expiry := w.deliveryDay() + int32(it.expires+30*l)*day + 14*hour
				c.b = fmt.Appendf(c.b, "%s.%s.%d,%s,%s,L%d-%d,", depotID(k), it.item, l+1, depotID(k), it.item, k+1, l+1)
				c.b = w.clock.at(c.b, expiry)
				c.b = fmt.Appendf(c.b, ",%s,%d", it.class, it.units)
				c.endRow()
			}
		}
	}
}

// writeRequests writes the next day's requests: vaccines and test kits for
// the hospitals of the first city, vaccines for its schools, and a food
// parcel in a two-hour slot for each case in isolation at the end (up to
// maxHouseholds). Requests were made at the end of the period.
func (e *epidemic) writeRequests(c *csvFile) {
	w := e.w
	n := 0
	row := func(site, kind, person string, lat, lon float64, item string, qty, prio int, from, to int32) {
		n++
		c.b = fmt.Appendf(c.b, "q%05d,%s,%s,%s,%.6f,%.6f,%s,%d,%d,", n, site, kind, person, lat, lon, item, qty, prio)
		if from != to {
			c.b = w.clock.at(c.b, from)
			c.b = append(c.b, ',')
			c.b = w.clock.at(c.b, to)
		} else {
			c.b = append(c.b, ',')
		}
		c.b = append(c.b, ",,"...)
		c.b = w.clock.at(c.b, w.end)
		c.b = append(c.b, ",open,"...)
		c.endRow()
	}
	morning := w.deliveryDay()
	for i, cat := range w.placeCat {
		d := int(w.placeDistrict[i])
		if w.districts[d].city != 0 || cat != catHospital && cat != catSchool {
			continue
		}
		lat, lon := w.point(d, 1, uint64(i))
		site := categories[cat].name + " " + string(w.placeIDs.append(nil, int32(i)))
		if cat == catHospital {
			row(site, "hospital", "", lat, lon, "vaccine-mrna", 12, 5, 0, 0)
			row(site, "hospital", "", lat, lon, "test-kits", 15, 6, 0, 0)
			continue
		}
		row(site, "vaccination_point", "", lat, lon, "vaccine-protein", 6, 3, morning+8*hour, morning+12*hour)
	}
	homes := 0
	for _, k := range e.cases {
		rel := k.iso + isolationDays*day
		if rel <= w.end || homes == maxHouseholds {
			continue
		}
		homes++
		lat, lon := w.point(int(w.home[k.person]), 2, uint64(k.person))
		from := morning + int32(9+2*(homes%5))*hour
		person := string(w.personIDs.append(nil, k.person))
		row("Home of "+person, "household", person, lat, lon, "food-parcel", 1, 4, from, from+2*hour)
	}
}
