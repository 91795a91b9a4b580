package codes

import (
	"cmp"
	"container/heap"
	"encoding/json"
	"hash/fnv"
	"math"
	"slices"
	"time"

	"outbreak/internal/cases"
	"outbreak/internal/place"
	"outbreak/internal/risk"
	"outbreak/internal/trace"
)

// state is what the keeper holding the lease derives from the records and
// keeps in memory between steps; the codes in it are the stored ones.
type state struct {
	policy *risk.Policy
	cases  map[string]cases.Case // every case stored, by ID
	// appeals holds every appeal's person, so that an appeal moved to
	// another person recomputes the first one too.
	appeals    map[string]string
	regionList []place.Region
	levels     []place.Level
	regions    *trace.Regions
	// byCase holds the contacts of each case person (by the index's keys),
	// the latest per person and degree, sorted by person as tracing gives
	// them; byPerson the case persons each person was exposed to. Keys, not
	// IDs: a city's ten million exposures take a fraction of the memory,
	// and none of it has pointers for the garbage collector to follow.
	byCase   map[int64][]trace.Contact
	byPerson map[int64][]int64
	// sources holds, by case person key, what the secondary exposures to
	// each of their cases come from, as their last whole trace found it
	// and changed visits since made it.
	sources map[int64][]*trace.Sources
	// caseKeys and caseIDs hold the key of each case's person, both ways.
	caseKeys map[string]int64
	caseIDs  map[int64]string
	// codes holds, of each resident whose stored code is not plain green,
	// its color and a digest of the whole, which tells whether a new code
	// must be stored: a city's codes with their reasons take gigabytes.
	codes map[string]codeSum
	due   dueHeap
	// next holds the one pending instant of each resident's code and each
	// case person's trace: a later computation replaces it. pending holds
	// the other items in the heap, so that none is pushed twice.
	next       map[dueKey]time.Time
	pending    map[dueItem]bool
	chainsJSON string // the clusters as last stored
}

func newState(p *risk.Policy) *state {
	return &state{policy: p, cases: map[string]cases.Case{}, appeals: map[string]string{},
		byCase: map[int64][]trace.Contact{}, byPerson: map[int64][]int64{}, sources: map[int64][]*trace.Sources{}, caseKeys: map[string]int64{}, caseIDs: map[int64]string{},
		codes: map[string]codeSum{}, next: map[dueKey]time.Time{}, pending: map[dueItem]bool{}}
}

// codeSum is a stored code's color and a digest of the whole.
type codeSum struct {
	color string
	sum   uint64
}

// sumOf returns a code's color and the digest of its JSON.
func sumOf(c risk.Code) codeSum {
	b, _ := json.Marshal(c)
	h := fnv.New64a()
	h.Write(b)
	return codeSum{color: c.Color, sum: h.Sum64()}
}

// known returns the cases known at now, as known then.
func (st *state) known(now time.Time) []cases.Case {
	all := make([]cases.Case, 0, len(st.cases))
	for _, c := range st.cases {
		all = append(all, c)
	}
	return trace.Known(all, now)
}

// setExposures replaces the contacts of one case person, sorted by
// person as tracing gives them, and returns the people whose contacts with
// it changed.
func (st *state) setExposures(cp int64, cs []trace.Contact) []int64 {
	old := st.byCase[cp]
	var changed []int64
	for i, j := 0, 0; i < len(old) || j < len(cs); {
		p := int64(math.MaxInt64)
		if i < len(old) {
			p = old[i].Person
		}
		if j < len(cs) {
			p = min(p, cs[j].Person)
		}
		oi, nj := i, j
		for i < len(old) && old[i].Person == p {
			i++
		}
		for j < len(cs) && cs[j].Person == p {
			j++
		}
		if slices.Equal(old[oi:i], cs[nj:j]) {
			continue
		}
		changed = append(changed, p)
		switch {
		case oi == i: // new to the case
			st.byPerson[p] = append(st.byPerson[p], cp)
		case nj == j: // no longer exposed to it
			st.unexpose(p, cp)
		}
	}
	if len(cs) == 0 {
		delete(st.byCase, cp)
		delete(st.sources, cp)
	} else {
		st.byCase[cp] = cs
	}
	return changed
}

// setWhole keeps what a whole trace of a case person gave, and returns
// the people whose contacts with them changed.
func (st *state) setWhole(now time.Time, tr trace.Traced) []int64 {
	st.sources[tr.Person] = tr.Sources
	st.scheduleNext(now, tr.Person, tr.Next)
	return st.setExposures(tr.Person, tr.Contacts)
}

// setSome replaces the contacts of some people (sorted) with one case
// person, given sorted by person, and returns those whose contacts with it
// changed. It changes the case person's contacts in place, each person's
// where they are: a step changes a few people's contacts with cases of
// tens of thousands.
func (st *state) setSome(cp int64, people []int64, cs []trace.Contact) []int64 {
	all := st.byCase[cp]
	var changed []int64
	for _, p := range people {
		n := 0
		for n < len(cs) && cs[n].Person == p {
			n++
		}
		now := cs[:n]
		cs = cs[n:]
		i, j := personRange(all, p)
		if slices.Equal(all[i:j], now) {
			continue
		}
		changed = append(changed, p)
		switch {
		case i == j: // new to the case
			st.byPerson[p] = append(st.byPerson[p], cp)
		case len(now) == 0: // no longer exposed to it
			st.unexpose(p, cp)
		}
		all = slices.Replace(all, i, j, now...)
	}
	if len(all) == 0 {
		delete(st.byCase, cp)
		delete(st.sources, cp)
	} else {
		st.byCase[cp] = all
	}
	return changed
}

// personRange returns where a person's contacts are in contacts sorted by
// person, or where they would go.
func personRange(cs []trace.Contact, person int64) (int, int) {
	i, _ := slices.BinarySearchFunc(cs, person, func(c trace.Contact, p int64) int { return cmp.Compare(c.Person, p) })
	j := i
	for j < len(cs) && cs[j].Person == person {
		j++
	}
	return i, j
}

// unexpose drops a case person from those a person was exposed to.
func (st *state) unexpose(person, cp int64) {
	if rest := slices.DeleteFunc(st.byPerson[person], func(c int64) bool { return c == cp }); len(rest) > 0 {
		st.byPerson[person] = rest
	} else {
		delete(st.byPerson, person)
	}
}

// contactsOf returns every contact of a person the keeper holds.
func (st *state) contactsOf(person int64) []trace.Contact {
	var out []trace.Contact
	for _, cp := range st.byPerson[person] {
		cs := st.byCase[cp]
		i, j := personRange(cs, person)
		out = append(out, cs[i:j]...)
	}
	return out
}

// Time alone changes codes: a reason ends, a visit under way ends or its
// overlap with another grows, a record dated later becomes known. The
// keeper keeps a heap of those instants.

// dueKind says what to do when an instant comes.
type dueKind uint8

const (
	dueCode    dueKind = iota // compute a resident's code again
	dueRetrace                // trace a case person again
	dueCase                   // follow a case again: its onset, isolation or release comes
	dueRegion                 // a region's level starts or ends
	dueVisit                  // a visit dated later begins
)

// dueItem is something time changes at an instant.
type dueItem struct {
	at    time.Time
	kind  dueKind
	id    string      // the resident, case person, case ID or region
	visit trace.Visit // for dueVisit
}

// dueKey names what a due item is about, whatever its instant.
type dueKey struct {
	kind dueKind
	id   string
}

// replaced reports whether a later computation replaces an item of a kind:
// a code's or a trace's next instant.
func (k dueKind) replaced() bool { return k == dueCode || k == dueRetrace }

// dueHeap orders due items by instant.
type dueHeap []dueItem

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h dueHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)        { *h = append(*h, x.(dueItem)) }
func (h *dueHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// schedule adds a due item at an instant after now. An item of a code or
// a trace replaces the one pending for it; others are pushed once.
func (st *state) schedule(now time.Time, d dueItem) {
	if d.kind.replaced() {
		key := dueKey{d.kind, d.id}
		if !d.at.After(now) {
			delete(st.next, key)
			return
		}
		if cur, ok := st.next[key]; ok && cur.Equal(d.at) {
			return
		}
		st.next[key] = d.at
	} else {
		if !d.at.After(now) || st.pending[d] {
			return
		}
		st.pending[d] = true
	}
	heap.Push(&st.due, d)
}

// scheduleNext has the keeper trace a case person again when its close
// contacts may change by time alone, and follow visits again when the
// secondary exposures through them may.
func (st *state) scheduleNext(now time.Time, cp int64, next trace.Next) {
	st.schedule(now, dueItem{at: next.At, kind: dueRetrace, id: st.caseIDs[cp]})
	st.scheduleVisits(now, next.Visits)
}

// scheduleVisits has the keeper follow visits again at their instants.
func (st *state) scheduleVisits(now time.Time, dues []trace.Due) {
	for _, d := range dues {
		st.schedule(now, dueItem{at: time.UnixMicro(d.At).UTC(), kind: dueVisit, visit: d.Visit})
	}
}

// scheduleCase has the keeper follow a case again at each of its instants
// after now: a case dated later is not known until then.
func (st *state) scheduleCase(now time.Time, c cases.Case) {
	for _, t := range []time.Time{c.Onset, c.Isolated, c.Released} {
		st.schedule(now, dueItem{at: t, kind: dueCase, id: c.ID})
	}
}

// scheduleLevel has the keeper look again at a region when its level
// starts or ends.
func (st *state) scheduleLevel(now time.Time, l place.Level) {
	for _, t := range []time.Time{l.From, l.To} {
		st.schedule(now, dueItem{at: t, kind: dueRegion, id: l.Region})
	}
}

// codeDueAt returns when a code must be computed again: when its color
// may change or one of its reasons ends, or when the resident's facts
// change by time alone (factsNext), whichever is first; zero for never.
func codeDueAt(c risk.Code, factsNext, now time.Time) time.Time {
	next := c.ValidUntil
	soonest := func(t time.Time) {
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, r := range c.Reasons {
		soonest(r.Until)
	}
	soonest(factsNext)
	return next
}

// popDue returns the due items at or before now, leaving out those a
// later computation replaced.
func (st *state) popDue(now time.Time) []dueItem {
	var out []dueItem
	for len(st.due) > 0 && !st.due[0].at.After(now) {
		d := heap.Pop(&st.due).(dueItem)
		if d.kind.replaced() {
			key := dueKey{d.kind, d.id}
			if !st.next[key].Equal(d.at) {
				continue
			}
			delete(st.next, key)
		} else {
			delete(st.pending, d)
		}
		out = append(out, d)
	}
	return out
}

// untilDue returns how long until the next item is due.
func (k *Keeper) untilDue() time.Duration {
	if k.st == nil || len(k.st.due) == 0 {
		return time.Hour
	}
	return max(time.Millisecond, k.st.due[0].at.Sub(k.now()))
}
