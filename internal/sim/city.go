package sim

import (
	"math"
	"strconv"
)

const (
	minute = 60
	hour   = 3600
	day    = 86400
)

// Place categories, in the order their places are laid out inside each district.
const (
	catWork = iota
	catSchool
	catRestaurant
	catSupermarket
	catGym
	catHospital
	catTransit
	catBar
	numCat
)

// category is what the city knows about a kind of venue: its default dwell (written to
// places.csv and used for a missing check_out), opening hours (seconds into the day; visits
// fall inside them), how many residents one venue serves, and its transmission rate per
// hour of overlap between one infectious and one susceptible visitor.
type category struct {
	name        string
	dwell       int32
	open, close int32
	per         int32 // residents per venue (workers for workplaces, children for schools)
	beta        float64
}

var categories = [numCat]category{
	catWork:        {"workplace", 8 * hour, 7 * hour, 20 * hour, 20, 0.002},
	catSchool:      {"school", 7 * hour, 7 * hour, 18 * hour, 450, 0.0006},
	catRestaurant:  {"restaurant", hour, 10 * hour, 22 * hour, 150, 0.03},
	catSupermarket: {"supermarket", 30 * minute, 7 * hour, 22 * hour, 700, 0.02},
	catGym:         {"gym", 90 * minute, 6 * hour, 22 * hour, 600, 0.02},
	catHospital:    {"hospital", hour, 0, 24 * hour, 8000, 0.004},
	catTransit:     {"transit_station", 15 * minute, 5 * hour, 24 * hour, 2500, 0.02},
	catBar:         {"bar", 2 * hour, 17 * hour, 24 * hour, 700, 0.05},
}

// Roles of residents, plus flags kept in the same byte.
const (
	roleWorker   uint8 = 0
	roleChild    uint8 = 1
	roleOther    uint8 = 2 // retired, at home, unemployed
	roleMask     uint8 = 0x0f
	flagSaturday uint8 = 0x10 // works on Saturdays too
	flagDeclarer uint8 = 0x20 // declares health every morning
)

type region struct {
	id, name, parent, kind string
}

type city struct {
	d0, d1 int // its districts
}

type district struct {
	region                 int // index in world.regions
	city                   int
	num                    int // its number within its city, from 0
	weight                 float64
	lat0, lon0, dlat, dlon float64 // bounding box
	pop, children, workers int32
	cats                   [numCat][2]int32 // place index range of each category
}

// world is the static city: geography, residents and places. It is read-only once built,
// so the mobility shards and the writer can share it.
type world struct {
	cfg       Config
	seed      uint64
	start     int64 // Unix seconds of Start
	end       int32 // Days in seconds: the end of the simulated period
	regions   []region
	cities    []city
	districts []district

	home   []uint16 // district of each resident
	role   []uint8
	family []uint16 // bit 15: English-speaking household; low bits: surname
	work   []int32  // workplace or school (place index), -1 for none

	placeDistrict []uint16
	placeCat      []uint8

	personIDs, placeIDs idFormat
	clock               *clock
}

func newWorld(cfg Config) *world {
	w := &world{
		cfg:   cfg,
		seed:  uint64(cfg.Seed),
		start: cfg.Start.Unix(),
		end:   int32(cfg.Days) * day,
	}
	w.clock = newClock(w.start, cfg.Days)
	w.geography()
	w.populate()
	w.buildPlaces()
	w.assignWork()
	w.personIDs = newIDFormat('r', cfg.People, 7)
	w.placeIDs = newIDFormat('v', len(w.placeCat), 6)
	return w
}

// geography lays out one country, three provinces of two cities each, and 2–12 districts
// per city (more for bigger populations), each district a cell of its city's bounding box.
func (w *world) geography() {
	r := stream(w.seed, kGeo, 0, 0)
	perCity := min(max(w.cfg.People/90000, 2), len(districtNames))
	w.regions = append(w.regions, region{"cn", "China", "", "country"})
	for p := range 3 {
		pid := "cn.p" + strconv.Itoa(p+1)
		w.regions = append(w.regions, region{pid, provinceNames[p] + " Province", "cn", "province"})
		for c := range 2 {
			cid := pid + ".c" + strconv.Itoa(c+1)
			w.regions = append(w.regions, region{cid, cityNames[2*p+c], pid, "city"})
			lat, lon := 22+16*r.float(), 104+17*r.float()
			cols := int(math.Ceil(math.Sqrt(float64(perCity))))
			rows := (perCity + cols - 1) / cols
			dlat, dlon := 0.24/float64(rows), 0.30/float64(cols)
			w.cities = append(w.cities, city{len(w.districts), len(w.districts) + perCity})
			for d := range perCity {
				w.regions = append(w.regions, region{cid + ".d" + strconv.Itoa(d+1),
					districtNames[d] + " District", cid, "district"})
				w.districts = append(w.districts, district{
					region: len(w.regions) - 1, city: len(w.cities) - 1, num: d, weight: 0.5 + r.float(),
					lat0: lat - 0.12 + float64(d/cols)*dlat, lon0: lon - 0.15 + float64(d%cols)*dlon,
					dlat: dlat, dlon: dlon,
				})
			}
		}
	}
}

// populate creates households of 1–5 people: one or two adults, children in bigger
// households and sometimes a grandparent, all living in one district and sharing a surname.
func (w *world) populate() {
	n := w.cfg.People
	w.home = make([]uint16, n)
	w.role = make([]uint8, n)
	w.family = make([]uint16, n)
	r := stream(w.seed, kPeople, 0, 0)
	cum := make([]float64, len(w.districts))
	total := 0.0
	for i, d := range w.districts {
		total += d.weight
		cum[i] = total
	}
	sizes := []uint16{25, 55, 80, 93, 100}
	for i := 0; i < n; {
		size := min(r.pick(sizes)+1, n-i)
		x := r.float() * total
		d := 0
		for d < len(cum)-1 && cum[d] <= x {
			d++
		}
		fam := uint16(r.intn(len(zhSurnames)))
		if r.chance(0.15) {
			fam = 1<<15 | uint16(r.intn(len(enSurnames)))
		}
		for j := range size {
			p := i + j
			role := roleWorker
			switch {
			case j == 1 && size == 2 && r.chance(0.15), j >= 2 && !(j == 4 && r.chance(0.5)):
				role = roleChild
			case j == 4 || r.chance(0.25):
				role = roleOther
			}
			if role == roleWorker && r.chance(0.1) {
				role |= flagSaturday
			}
			if r.chance(0.05) {
				role |= flagDeclarer
			}
			w.home[p], w.role[p], w.family[p] = uint16(d), role, fam
			dd := &w.districts[d]
			dd.pop++
			switch role & roleMask {
			case roleChild:
				dd.children++
			case roleWorker:
				dd.workers++
			}
		}
		i += size
	}
}

// buildPlaces creates each district's venues, category by category, so that a category's
// venues in a district are one index range.
func (w *world) buildPlaces() {
	for di := range w.districts {
		d := &w.districts[di]
		for c := range numCat {
			base := d.pop
			switch c {
			case catWork:
				base = d.workers
			case catSchool:
				base = d.children
			}
			k := max(base/categories[c].per, 1)
			d.cats[c] = [2]int32{int32(len(w.placeCat)), int32(len(w.placeCat)) + k}
			for range k {
				w.placeDistrict = append(w.placeDistrict, uint16(di))
				w.placeCat = append(w.placeCat, uint8(c))
			}
		}
	}
}

// assignWork gives each worker a workplace in their city (half in their own district,
// skewed so that workplaces differ in size) and each child a school in their district.
func (w *world) assignWork() {
	w.work = make([]int32, w.cfg.People)
	r := stream(w.seed, kWork, 0, 0)
	for p := range w.work {
		home := int(w.home[p])
		switch w.role[p] & roleMask {
		case roleWorker:
			d := home
			if r.chance(0.5) {
				c := w.cities[w.districts[home].city]
				d = c.d0 + r.intn(c.d1-c.d0)
			}
			rg := w.districts[d].cats[catWork]
			u := r.float()
			w.work[p] = rg[0] + int32(u*u*float64(rg[1]-rg[0]))
		case roleChild:
			w.work[p] = w.pickPlace(home, catSchool, &r)
		default:
			w.work[p] = -1
		}
	}
}

// pickPlace returns a random venue of category c in district d.
func (w *world) pickPlace(d, c int, r *rng) int32 {
	rg := w.districts[d].cats[c]
	return rg[0] + r.i32(rg[1]-rg[0])
}

// nearby returns a district for an errand starting from district d: usually d itself,
// sometimes another district of the same city.
func (w *world) nearby(d int, r *rng) int {
	x := r.next()
	if x%5 != 0 {
		return d
	}
	c := w.cities[w.districts[d].city]
	return c.d0 + int((x>>8)%uint64(c.d1-c.d0))
}
