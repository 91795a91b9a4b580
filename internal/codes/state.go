package codes

import (
	"container/heap"
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
	residents  int                                    // residents stored when the codes were computed
	exposedTo  map[string]map[string][]trace.Exposure // person → case person → exposures
	contactsOf map[string]map[string]bool             // case person → people exposed
	codes      map[string]risk.Code                   // residents whose code is not plain green
	due        dueHeap
	codeDue    map[string]time.Time // when each resident's code is next due
	chainsJSON string               // the clusters as last stored
}

func newState(p *risk.Policy) *state {
	return &state{policy: p, cases: map[string]cases.Case{}, appeals: map[string]string{},
		exposedTo: map[string]map[string][]trace.Exposure{}, contactsOf: map[string]map[string]bool{},
		codes: map[string]risk.Code{}, codeDue: map[string]time.Time{}}
}

// known returns the cases known at now, as known then.
func (st *state) known(now time.Time) []cases.Case {
	all := make([]cases.Case, 0, len(st.cases))
	for _, c := range st.cases {
		all = append(all, c)
	}
	return trace.Known(all, now)
}

// setExposures replaces the exposures to one case person.
func (st *state) setExposures(cp string, es []trace.Exposure) {
	for p := range st.contactsOf[cp] {
		delete(st.exposedTo[p], cp)
		if len(st.exposedTo[p]) == 0 {
			delete(st.exposedTo, p)
		}
	}
	delete(st.contactsOf, cp)
	for _, e := range es {
		if st.exposedTo[e.Person] == nil {
			st.exposedTo[e.Person] = map[string][]trace.Exposure{}
		}
		if st.contactsOf[cp] == nil {
			st.contactsOf[cp] = map[string]bool{}
		}
		st.exposedTo[e.Person][cp] = append(st.exposedTo[e.Person][cp], e)
		st.contactsOf[cp][e.Person] = true
	}
}

// exposuresOf returns every exposure of a person the keeper holds.
func (st *state) exposuresOf(person string) []trace.Exposure {
	var out []trace.Exposure
	for _, es := range st.exposedTo[person] {
		out = append(out, es...)
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

// schedule adds a due item at an instant after now.
func (st *state) schedule(now time.Time, d dueItem) {
	if d.at.After(now) {
		heap.Push(&st.due, d)
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

// scheduleCode records when a resident's code is next due.
func (st *state) scheduleCode(person string, at, now time.Time) {
	if at.IsZero() || !at.After(now) {
		delete(st.codeDue, person)
		return
	}
	if cur, ok := st.codeDue[person]; ok && cur.Equal(at) {
		return
	}
	st.codeDue[person] = at
	heap.Push(&st.due, dueItem{at: at, kind: dueCode, id: person})
}

// popDue returns the due items at or before now.
func (st *state) popDue(now time.Time) []dueItem {
	var out []dueItem
	for len(st.due) > 0 && !st.due[0].at.After(now) {
		d := heap.Pop(&st.due).(dueItem)
		if d.kind == dueCode {
			if !st.codeDue[d.id].Equal(d.at) {
				continue // superseded by a later computation
			}
			delete(st.codeDue, d.id)
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
