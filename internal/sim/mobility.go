package sim

import "sync"

// shards is how many slices of the residents generate a day's visits concurrently. It is a
// constant, not GOMAXPROCS, because each shard has its own random stream and the output
// must not depend on the machine.
const shards = 4

// visit is one check-in, in 20 bytes so that a million residents' day fits in ~50 MB.
type visit struct {
	person, place int32
	in, out       int32 // seconds since Start; out is check_in + default dwell if noOut
	noOut         bool  // check_out is missing (written as an empty cell)
}

// mobility generates each day's visits.
type mobility struct {
	w      *world
	parts  [shards + 1][]visit // per-shard output, then the epidemic's extra visits
	counts []int32             // counting-sort buckets, one per second of the day
}

// Leisure category weights by time of day (before 11h, 14h, 17h, 20h, after), turned into
// cumulative form by init.
var leisureWeights = [5][numCat]uint16{
	{catRestaurant: 5, catSupermarket: 40, catGym: 20, catHospital: 10, catTransit: 25},
	{catRestaurant: 55, catSupermarket: 20, catHospital: 5, catTransit: 20},
	{catRestaurant: 10, catSupermarket: 35, catGym: 15, catHospital: 10, catTransit: 30},
	{catRestaurant: 45, catSupermarket: 20, catGym: 15, catTransit: 15, catBar: 5},
	{catRestaurant: 30, catSupermarket: 15, catGym: 10, catTransit: 5, catBar: 40},
}

var leisureCum = func() (t [5][numCat]uint16) {
	for b, ws := range leisureWeights {
		var s uint16
		for c, x := range ws {
			s += x
			t[b][c] = s
		}
	}
	return t
}()

// How many errands people run: cumulative weights of 0, 1, 2, 3 errands. About 2.3 visits
// per resident per day result, workplaces and schools included.
var (
	afterWork   = []uint16{35, 75, 95, 100}
	afterSchool = []uint16{40, 80, 100, 100}
	freeDay     = []uint16{5, 25, 55, 100}
)

func newMobility(w *world) *mobility {
	return &mobility{w: w, counts: make([]int32, day+1)}
}

// day returns day d's visits in check_in order, reusing dst's storage. Residents away on a
// trip or isolated (per e) make none; e.extra (visits for tests) are added.
func (m *mobility) day(d int, dst []visit, e *epidemic) []visit {
	var wg sync.WaitGroup
	for s := range shards {
		wg.Go(func() { m.parts[s] = m.shard(d, s, m.parts[s][:0], e) })
	}
	wg.Wait()
	m.parts[shards] = e.extra
	return m.sort(dst, int32(d)*day)
}

// sort merges the parts into dst ordered by check_in (stable, so ties keep shard and
// resident order) with a counting sort over the seconds of the day.
func (m *mobility) sort(dst []visit, d0 int32) []visit {
	clear(m.counts)
	total := 0
	for _, part := range m.parts {
		total += len(part)
		for i := range part {
			m.counts[part[i].in-d0+1]++
		}
	}
	for i := 1; i < len(m.counts); i++ {
		m.counts[i] += m.counts[i-1]
	}
	if cap(dst) < total {
		dst = make([]visit, total, total+total/8)
	}
	dst = dst[:total]
	for _, part := range m.parts {
		for i := range part {
			k := part[i].in - d0
			dst[m.counts[k]] = part[i]
			m.counts[k]++
		}
	}
	return dst
}

// gen generates the visits of one shard of residents for one day.
type gen struct {
	w              *world
	r              rng
	out            []visit
	d0             int32 // midnight starting the day
	p              int32 // the resident being generated
	isoFrom, isoTo int32 // the resident's isolation, or noIso
}

func (m *mobility) shard(d, s int, out []visit, e *epidemic) []visit {
	w := m.w
	n := len(w.home)
	g := gen{w: w, r: stream(w.seed, kMobility, uint64(d), uint64(s)), out: out, d0: int32(d) * day}
	wd := (int(w.cfg.Start.Weekday()) + d) % 7
	for p := n * s / shards; p < n*(s+1)/shards; p++ {
		if int(e.awayFrom[p]) <= d && d <= int(e.awayTo[p]) {
			continue
		}
		g.isoFrom, g.isoTo = noIso, noIso
		if iso := e.iso[p]; iso != noIso {
			g.isoFrom, g.isoTo = iso, iso+isolationDays*day
			if g.isoFrom <= g.d0 && g.isoTo >= g.d0+day {
				continue
			}
		}
		g.p = int32(p)
		g.person(wd)
	}
	return g.out
}

// person generates one resident's day: work or school on weekdays, errands around them.
func (g *gen) person(weekday int) {
	w := g.w
	role := w.role[g.p]
	home := int(w.home[g.p])
	schoolDay := weekday >= 1 && weekday <= 5
	switch {
	case role&roleMask == roleWorker && (schoolDay || weekday == 6 && role&flagSaturday != 0):
		out := g.workday()
		g.errands(home, out+10*minute+g.r.i32(20*minute), g.d0+22*hour+30*minute, g.r.pick(afterWork), false)
	case role&roleMask == roleChild && schoolDay:
		in := g.d0 + 7*hour + 30*minute + g.r.i32(45*minute)
		out := in + 7*hour + int32(20*minute*g.r.approxNorm())
		g.add(w.work[g.p], in, out)
		g.errands(home, out+10*minute, g.d0+20*hour, g.r.pick(afterSchool), true)
	default:
		g.errands(home, g.d0+8*hour+30*minute+g.r.i32(90*minute), g.d0+21*hour+30*minute,
			g.r.pick(freeDay), role&roleMask == roleChild)
	}
}

// workday adds a worker's check-ins at work — split by a lunch out for a quarter of them —
// and returns when they leave.
func (g *gen) workday() int32 {
	w := g.w
	wp := w.work[g.p]
	in := g.d0 + 8*hour + g.r.i32(90*minute)
	out := in + 8*hour + int32(40*minute*g.r.approxNorm())
	if !g.r.chance(0.25) {
		g.add(wp, in, out)
		return out
	}
	noon := g.d0 + 12*hour + g.r.i32(30*minute)
	g.add(wp, in, noon)
	lin := noon + 5*minute + g.r.i32(10*minute)
	lout := lin + 40*minute + g.r.i32(30*minute)
	g.add(w.pickPlace(int(w.placeDistrict[wp]), catRestaurant, &g.r), lin, lout)
	g.add(wp, lout+5*minute+g.r.i32(5*minute), out)
	return out
}

// errands adds up to k visits one after another from t on, each starting before until, at
// venues near home of a category that suits the hour, inside the venue's opening hours.
func (g *gen) errands(home int, t, until int32, k int, child bool) {
	for range k {
		t += 10*minute + g.r.i32(50*minute)
		if t >= until {
			return
		}
		sod := t - g.d0
		b := min(max(int(sod-8*hour)/(3*hour), 0), 4)
		c := g.r.pick(leisureCum[b][:])
		if child && c == catBar {
			c = catRestaurant
		}
		cat := &categories[c]
		if sod < cat.open {
			t = g.d0 + cat.open + g.r.i32(20*minute)
			sod = t - g.d0
		}
		if sod+10*minute > cat.close {
			continue
		}
		dwell := max(int32(float64(cat.dwell)*(1+0.3*g.r.approxNorm())), 5*minute)
		out := min(t+dwell, g.d0+cat.close)
		g.add(g.w.pickPlace(g.w.nearby(home, &g.r), c, &g.r), t, out)
		t = out
	}
}

// add records a visit unless the resident is isolated at check-in; a visit running into
// the isolation ends at it. One in ten visits loses its check_out, and then lasts the
// place's default dwell — unless that would run into an isolation.
func (g *gen) add(place, in, out int32) {
	if out <= in || in >= g.isoFrom && in < g.isoTo {
		return
	}
	noOut := false
	if in < g.isoFrom && out > g.isoFrom {
		out = g.isoFrom
	} else if g.r.next()%10 == 0 {
		eff := in + categories[g.w.placeCat[place]].dwell
		if eff <= g.isoFrom || in >= g.isoTo {
			out, noOut = eff, true
		}
	}
	g.out = append(g.out, visit{g.p, place, in, out, noOut})
}

// writeVisits appends vs to visits.csv. It is the hottest loop of the package (30 M rows
// for a million residents), so it writes each row in place: no appends of small slices.
func (w *world) writeVisits(c *csvFile, vs []visit) {
	people, places, clk := w.personIDs, w.placeIDs, w.clock
	pw, lw := people.width, places.width
	b := c.b
	for i := range vs {
		v := &vs[i]
		// csvFile keeps 4 KiB of headroom above flushSize, so a row always fits.
		n := len(b)
		b = b[:n+pw+lw+23]
		people.put(b[n:], v.person)
		n += pw
		b[n] = ','
		places.put(b[n+1:], v.place)
		n += lw + 1
		b[n] = ','
		clk.put(b[n+1:], v.in)
		b[n+21] = ','
		if !v.noOut {
			b = b[:n+42]
			clk.put(b[n+22:], v.out)
		}
		b = append(b, '\n')
		if len(b) >= flushSize {
			c.b = b
			c.flush()
			b = c.b
		}
	}
	c.b = b
	c.rows += len(vs)
}
