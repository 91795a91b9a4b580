package codes

import (
	"container/heap"
	"context"
	"time"

	"outbreak/internal/approval"
	"outbreak/internal/cases"
	"outbreak/internal/lab"
	"outbreak/internal/place"
	"outbreak/internal/record"
	"outbreak/internal/risk"
	"outbreak/internal/visit"
)

// Time alone changes codes: a reason ends, a visit under way ends, a record
// dated later becomes known. The keeper keeps a heap of those instants.

// put records a code and when to look at it again: when the color changes
// or a reason ends, whichever is first.
func (st *state) put(person string, c risk.Code, now time.Time) {
	if c.Color == "green" && len(c.Reasons) == 0 {
		delete(st.codes, person)
	} else {
		st.codes[person] = c
	}
	next := c.ValidUntil
	for _, r := range c.Reasons {
		if r.Until.After(now) && (next.IsZero() || r.Until.Before(next)) {
			next = r.Until
		}
	}
	if next.IsZero() {
		delete(st.dueAt, person)
		return
	}
	st.dueAt[person] = next
	heap.Push(&st.due, dueItem{at: next, person: person})
}

// dueItem is something time alone changes at an instant: a resident's code
// (item nil), or a record to follow again (a case whose exposures or whose
// dates become known then, a region level that starts or ends, …).
type dueItem struct {
	at     time.Time
	person string
	item   any
}

// retraceDue is a case person whose exposures may change at an instant.
type retraceDue struct{ person string }

// schedule has the keeper follow an item again at an instant.
func (st *state) schedule(at time.Time, item any) {
	heap.Push(&st.due, dueItem{at: at, item: item})
}

// future schedules an item again at each of its instants after now: a
// record dated later is not known until then.
func (st *state) future(item any, now time.Time) {
	var times []time.Time
	switch v := item.(type) {
	case cases.Case:
		times = []time.Time{v.Onset, v.Isolated, v.Released}
	case visit.Visit:
		times = []time.Time{v.CheckIn, v.CheckOut}
	case visit.Stay:
		times = []time.Time{v.From, v.To}
	case place.Level:
		times = []time.Time{v.From, v.To}
	case lab.Result:
		times = []time.Time{v.SpecimenAt}
	case lab.Declaration:
		times = []time.Time{v.DeclaredAt}
	case approval.Appeal:
		times = []time.Time{v.Decided, v.Expires}
	}
	for _, t := range times {
		if t.After(now) {
			st.schedule(t, item)
		}
	}
}

// dueHeap orders residents by when their codes are next due.
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

// untilDue returns how long until the next code is due.
func (k *Keeper) untilDue() time.Duration {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if k.st == nil || len(k.st.due) == 0 {
		return time.Hour
	}
	return max(time.Millisecond, k.st.due[0].at.Sub(k.now()))
}

// expire recomputes the codes that are due and follows again the records
// that time has changed.
func (k *Keeper) expire(ctx context.Context) error {
	now := record.Instant(k.now())
	people := map[string]bool{}
	var items []any
	k.mu.Lock()
	for len(k.st.due) > 0 && !k.st.due[0].at.After(now) {
		d := heap.Pop(&k.st.due).(dueItem)
		switch {
		case d.item != nil:
			items = append(items, d.item)
		case k.st.dueAt[d.person].Equal(d.at):
			people[d.person] = true
			delete(k.st.dueAt, d.person)
		}
	}
	k.mu.Unlock()
	if len(items) > 0 {
		if err := k.apply(ctx, items); err != nil {
			return err
		}
	}
	return k.evaluate(ctx, now, people)
}
