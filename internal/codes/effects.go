package codes

import (
	"context"
	"fmt"

	"outbreak/internal/feed"
	"outbreak/internal/kinds"
	"outbreak/internal/trace"
)

// work is what one step of the keeper must do, gathered from the changes
// and the due items it follows.
type work struct {
	rebuild     bool
	retraceAll  bool
	people      map[string]bool // residents whose codes to compute again
	retrace     map[string]bool // case persons to trace again
	retraceKeys map[int64]bool  // case persons to trace again, by key
	// some holds, by case person key, the people whose exposures to them
	// alone are traced again.
	some      map[int64]map[int64]bool
	keys      map[string]int64 // the keys of people, where known
	cases     map[string]bool  // cases to read again
	casesDue  map[string]bool  // cases whose instants came
	appeals   map[string]bool  // appeals to read again
	regions   bool             // the region tree or its levels changed
	inRegions map[string]bool  // regions whose residents with stays to compute again
	places    map[string]bool  // places whose visits to follow again
	visits    []trace.Visit    // visits to follow
	changed   []trace.Visit    // of those, the ones stored or changed (the index reads their places again)
	nvisits   int64            // an upper bound of the visits the changes cover
}

func newWork() *work {
	return &work{people: map[string]bool{}, retrace: map[string]bool{}, retraceKeys: map[int64]bool{}, some: map[int64]map[int64]bool{}, keys: map[string]int64{}, cases: map[string]bool{}, casesDue: map[string]bool{},
		appeals: map[string]bool{}, inRegions: map[string]bool{}, places: map[string]bool{}}
}

// maxVisits is how many changed visits a step follows one by one; past it,
// following them costs more than tracing every case again, which it does
// instead (after a bulk import, say).
const maxVisits = 100_000

// maxPlaces is how many changed places a step follows one by one.
const maxPlaces = 100

// follow adds what a change asks for.
func (w *work) follow(ctx context.Context, idx Index, c feed.Change) error {
	switch c.Kind {
	case feed.Policy, feed.Rebuild:
		w.rebuild = true
		return nil
	case feed.Plans:
		return nil
	}
	k, err := kinds.Lookup(c.Kind)
	if err != nil {
		return fmt.Errorf("codes: change %d: %w", c.Seq, err)
	}
	switch e := k.Codes(); e {
	case kinds.NoEffect:
	case kinds.PersonFacts:
		if c.Person != "" {
			w.people[c.Person] = true
		}
	case kinds.CaseRecord:
		w.cases[c.ID] = true
	case kinds.AppealRecord:
		w.appeals[c.ID] = true
	case kinds.RegionTree:
		w.regions = true
	case kinds.PlaceRecord:
		w.places[c.ID] = true
		w.retraceAll = w.retraceAll || len(w.places) > maxPlaces
	case kinds.VisitRange:
		if w.nvisits += c.Hi - c.Lo + 1; w.nvisits > maxVisits {
			w.retraceAll = true
		}
		if w.retraceAll {
			return nil
		}
		vs, err := idx.VisitsBetween(ctx, c.ID, c.Lo, c.Hi)
		if err != nil {
			return err
		}
		w.visits = append(w.visits, vs...)
		w.changed = append(w.changed, vs...)
	default:
		return fmt.Errorf("codes: no rule for effect %d of kind %q", e, c.Kind)
	}
	return nil
}

// due adds what a due item asks for.
func (w *work) due(d dueItem) error {
	switch d.kind {
	case dueCode:
		w.people[d.id] = true
	case dueRetrace:
		w.retrace[d.id] = true
	case dueCase:
		w.casesDue[d.id] = true
	case dueRegion:
		w.inRegions[d.id] = true
	case dueVisit:
		w.visits = append(w.visits, d.visit)
	default:
		return fmt.Errorf("codes: no rule for due item %d", d.kind)
	}
	return nil
}
