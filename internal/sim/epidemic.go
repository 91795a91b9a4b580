package sim

import (
	"cmp"
	"context"
	"math"
	"slices"
	"sync"
	"sync/atomic"
)

const (
	noIso          = math.MaxInt32 // "never isolated"
	isolationDays  = 10
	minOverlap     = 15 * minute
	beforeOnset    = 2 * day  // infectious from onset − 2 days …
	symInfectious  = 7 * day  // … to isolation, or onset + 7 days for symptomatic people …
	asymInfectious = 3 * day  // … or nominal onset + 3 days for asymptomatic ones
	contactCap     = 12       // close contacts remembered per infected person, for testing
	detectable     = 2 * day  // a test is positive from 2 days after infection …
	detectableFor  = 14 * day // … to 14 days after onset
	asymFraction   = 0.3
	asymRelative   = 0.5 // relative infectiousness of asymptomatic people
)

// Test kinds.
const (
	testSymptoms = iota // symptomatic people, a day or two after onset (at a hospital)
	testContact         // contacts of a new case, a day or two after its isolation
	testScreen          // random antigen screening
)

// Lab results, in the order of resultNames.
const (
	negative = iota
	positive
	inconclusive
)

var resultNames = [...]string{"negative", "positive", "inconclusive"}

// infection is one row of the ground truth, plus the course of the disease.
type infection struct {
	person, infector, place int32 // infector and place are -1 for seeds
	at                      int32 // infected_at: the end of the exposing overlap
	onset                   int32 // symptom onset; for asymptomatic people, when it would have been
	asym                    bool
}

type test struct {
	person, at int32
	kind       uint8
}

type labRec struct {
	person, at int32
	result     uint8
	antigen    bool
}

type caseRec struct{ person, onset, iso int32 }

type stay struct {
	person   int32
	district int
	from, to int32
}

// entry is an infectious visit (clipped to the infectious window) in a per-place list.
type entry struct {
	from, to, person, next int32
	rel                    float64
}

// epidemic is the outbreak and the public-health response, advanced one day at a time.
type epidemic struct {
	w   *world
	mob *mobility
	r   rng

	infNo            []int32 // per resident: index into inf, or -1 if never infected
	iso              []int32 // per resident: isolation time, or noIso
	awayFrom, awayTo []int16 // per resident: days of the current or last trip
	declarers        []int32

	inf      []infection
	contacts [][]int32 // per infection: close contacts seen (infectees always included)
	tests    [][]test  // scheduled, by day
	labs     []labRec
	cases    []caseRec
	stays    []stay
	extra    []visit // today's test visits
	newCases []int32 // residents isolated today

	head    []int32 // per place: first entry, or -1
	entries []entry
	touched []int32
}

func newEpidemic(w *world) *epidemic {
	n := w.cfg.People
	e := &epidemic{
		w: w, mob: newMobility(w),
		infNo: make([]int32, n), iso: make([]int32, n),
		awayFrom: make([]int16, n), awayTo: make([]int16, n),
		tests: make([][]test, w.cfg.Days),
		head:  make([]int32, len(w.placeCat)),
	}
	for p := range n {
		e.infNo[p], e.iso[p], e.awayTo[p] = -1, noIso, -1
		if w.role[p]&flagDeclarer != 0 {
			e.declarers = append(e.declarers, int32(p))
		}
	}
	for i := range e.head {
		e.head[i] = -1
	}
	return e
}

// run simulates every day and writes visits.csv and declarations.csv as it goes; a second
// goroutine formats and writes day d's visits while day d+1 is generated.
func (e *epidemic) run(ctx context.Context, dir string, s *Summary) error {
	visits, err := createCSV(dir, "visits.csv", header("visits"))
	if err != nil {
		return err
	}
	decl, err := createCSV(dir, "declarations.csv", header("declarations"))
	if err != nil {
		visits.close()
		return err
	}
	e.seedInfections()
	batches := make(chan []visit, 1)
	free := make(chan []visit, 2)
	free <- nil
	free <- nil
	var failed atomic.Bool
	var wg sync.WaitGroup
	wg.Go(func() {
		for vs := range batches {
			if !failed.Load() {
				e.w.writeVisits(visits, vs)
				failed.Store(visits.err != nil)
			}
			free <- vs
		}
	})
	for d := range e.w.cfg.Days {
		if err = ctx.Err(); err != nil || failed.Load() {
			break
		}
		e.r = stream(e.w.seed, kEpidemic, uint64(d), 0)
		e.morning(d)
		vs := e.mob.day(d, <-free, e)
		e.spread(vs)
		e.evening(d)
		e.declare(d, decl)
		batches <- vs
	}
	close(batches)
	wg.Wait()
	s.Visits, s.Declarations = visits.rows, decl.rows
	errV, errD := visits.close(), decl.close()
	return cmp.Or(err, errV, errD)
}

// seedInfections infects a handful of residents of one district of the first city at
// random times of day 0.
func (e *epidemic) seedInfections() {
	w := e.w
	e.r = stream(w.seed, kSeeds, 0, 0)
	n := min(5+w.cfg.People/50000, w.cfg.People)
	c := w.cities[0]
	target := uint16(c.d0 + e.r.intn(c.d1-c.d0))
	for tries := 0; len(e.inf) < n && tries < 1000*n; tries++ {
		p := e.r.i32(int32(w.cfg.People))
		if w.home[p] == target || tries >= 100*n {
			if e.infNo[p] < 0 {
				e.infect(p, e.r.i32(20*hour), -1, -1)
			}
		}
	}
}

// infect records an infection and draws its course: a lognormal incubation period
// (median 5 days, at least 3 so that nobody is infectious on the day they are infected),
// asymptomatic or not, and for symptomatic people a test one or two days after onset.
func (e *epidemic) infect(p, at, infector, place int32) {
	inc := int32(5 * day * math.Exp(0.4*e.r.gauss()))
	inc = min(max(inc, 3*day), 12*day)
	f := infection{person: p, infector: infector, place: place, at: at, onset: at + inc,
		asym: e.r.chance(asymFraction)}
	e.infNo[p] = int32(len(e.inf))
	e.inf = append(e.inf, f)
	e.contacts = append(e.contacts, nil)
	if infector >= 0 {
		e.noteContact(e.infNo[infector], p, true)
	}
	if !f.asym {
		td := int(f.onset/day) + 1
		if e.r.chance(0.4) {
			td++
		}
		if td < len(e.tests) {
			e.tests[td] = append(e.tests[td], test{p, int32(td)*day + 8*hour + e.r.i32(10*hour), testSymptoms})
		}
	}
}

// window returns the interval in which infection n is infectious.
func (e *epidemic) window(n int32) (from, to int32) {
	f := &e.inf[n]
	to = f.onset + symInfectious
	if f.asym {
		to = f.onset + asymInfectious
	}
	return f.onset - beforeOnset, min(to, e.iso[f.person], e.w.end)
}

func (e *epidemic) noteContact(n, p int32, always bool) {
	cs := e.contacts[n]
	if len(cs) >= contactCap && !always || slices.Contains(cs, p) {
		return
	}
	e.contacts[n] = append(cs, p)
}

// morning runs the day's tests (isolating the positive, in specimen order) and starts the
// day's trips, before anyone checks in anywhere.
func (e *epidemic) morning(d int) {
	w := e.w
	d0 := int32(d) * day
	people := int32(w.cfg.People)
	for range max(1, people/1000) {
		e.tests[d] = append(e.tests[d], test{e.r.i32(people), d0 + 8*hour + e.r.i32(12*hour), testScreen})
	}
	ts := e.tests[d]
	slices.SortFunc(ts, func(a, b test) int {
		return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.person, b.person), cmp.Compare(a.kind, b.kind))
	})
	e.extra, e.newCases = e.extra[:0], e.newCases[:0]
	for _, t := range ts {
		e.test(t)
	}
	e.tests[d] = nil

	for range max(1, people*15/10000) {
		p := e.r.i32(people)
		if int(e.awayTo[p]) >= d || e.iso[p] != noIso {
			continue
		}
		last := min(d+1+e.r.intn(3), w.cfg.Days-1)
		from := d0 + 6*hour + e.r.i32(5*hour)
		to := int32(last)*day + 14*hour + e.r.i32(8*hour)
		if last == d {
			to = d0 + 20*hour + e.r.i32(3*hour)
		}
		home := w.districts[w.home[p]].city
		other := w.cities[(home+1+e.r.intn(len(w.cities)-1))%len(w.cities)]
		e.awayFrom[p], e.awayTo[p] = int16(d), int16(last)
		e.stays = append(e.stays, stay{p, other.d0 + e.r.intn(other.d1-other.d0), from, to})
	}
}

// test takes a specimen. PCR finds every infection from two days after infection to two
// weeks after onset (so that a case's onset − 2 days never precedes its own infection); antigen tests find 70 % of them; 1 % of the rest are inconclusive. A
// positive specimen makes a case, isolated from the specimen time on.
func (e *epidemic) test(t test) {
	p := t.person
	if e.iso[p] <= t.at {
		return // already a case
	}
	antigen := t.kind == testScreen
	result := uint8(negative)
	if n := e.infNo[p]; n >= 0 {
		f := &e.inf[n]
		if t.at >= f.at+detectable && t.at <= f.onset+detectableFor && (!antigen || e.r.chance(0.7)) {
			result = positive
		}
	}
	if result == negative && e.r.intn(100) == 0 {
		result = inconclusive
	}
	e.labs = append(e.labs, labRec{p, t.at, result, antigen})
	if result != positive {
		return
	}
	f := &e.inf[e.infNo[p]]
	e.iso[p] = t.at
	e.cases = append(e.cases, caseRec{p, min(f.onset, t.at), t.at})
	e.newCases = append(e.newCases, p)
	if d := int(t.at / day); t.kind == testSymptoms && (d < int(e.awayFrom[p]) || d > int(e.awayTo[p])) {
		hosp := e.w.pickPlace(int(e.w.home[p]), catHospital, &e.r)
		e.extra = append(e.extra, visit{p, hosp, t.at - 40*minute, t.at, false})
	}
}

// spread lets every infectious visit of the day infect the susceptible visitors of the same
// place whose visits overlap it by at least minOverlap, with probability
// 1 − exp(−beta × relative infectiousness × overlap hours).
func (e *epidemic) spread(vs []visit) {
	e.entries = e.entries[:0]
	for i := range vs {
		v := &vs[i]
		n := e.infNo[v.person]
		if n < 0 {
			continue
		}
		from, to := e.window(n)
		a, b := max(v.in, from), min(v.out, to)
		if b-a < minOverlap {
			continue
		}
		if e.head[v.place] < 0 {
			e.touched = append(e.touched, v.place)
		}
		rel := 1.0
		if e.inf[n].asym {
			rel = asymRelative
		}
		e.entries = append(e.entries, entry{a, b, v.person, e.head[v.place], rel})
		e.head[v.place] = int32(len(e.entries) - 1)
	}
	if len(e.entries) == 0 {
		return
	}
	for i := range vs {
		v := &vs[i]
		k := e.head[v.place]
		if k < 0 {
			continue
		}
		beta := categories[e.w.placeCat[v.place]].beta
		for ; k >= 0; k = e.entries[k].next {
			en := &e.entries[k]
			a, b := max(v.in, en.from), min(v.out, en.to)
			if en.person == v.person || b-a < minOverlap {
				continue
			}
			e.noteContact(e.infNo[en.person], v.person, false)
			if e.infNo[v.person] < 0 && e.r.float() < -math.Expm1(-beta*en.rel*float64(b-a)/hour) {
				e.infect(v.person, b, en.person, v.place)
			}
		}
	}
	for _, p := range e.touched {
		e.head[p] = -1
	}
	e.touched = e.touched[:0]
}

// evening schedules tests, a day or two later, for the close contacts of today's new cases.
func (e *epidemic) evening(d int) {
	for _, p := range e.newCases {
		n := e.infNo[p]
		for _, c := range e.contacts[n] {
			td := d + 1
			if e.r.chance(0.3) {
				td++
			}
			if e.iso[c] != noIso || td >= len(e.tests) {
				continue
			}
			e.tests[td] = append(e.tests[td], test{c, int32(td)*day + 8*hour + e.r.i32(10*hour), testContact})
		}
		e.contacts[n] = nil // isolated: no more contacts
	}
}
