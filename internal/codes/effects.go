package codes

import (
	"context"
	"fmt"

	"outbreak/internal/feed"
	"outbreak/internal/trace"
)

// effect says what a change of one kind of record means for codes.
type effect uint8

const (
	noEffect     effect = iota // the record is not a fact of any code
	personFacts                // recompute the code of the record's resident
	caseRecord                 // a case: trace it again, and the cases its person was exposed to
	appealRecord               // an appeal: recompute its resident's code, and its former resident's
	visitRange                 // visits: trace again the cases they can reach
	regionTree                 // a region or a level: recompute the codes of the people with stays under it
	placeRecord                // a place (its default dwell): trace again the cases that reach its visits
)

// effects lists what every kind of record means for codes.
var effects = map[string]effect{
	"regions": regionTree, "region_levels": regionTree, "places": placeRecord, "residents": noEffect,
	"visits": visitRange, "stays": personFacts, "labs": personFacts, "vaccinations": noEffect,
	"declarations": personFacts, "cases": caseRecord, "appeals": appealRecord,
	"depots": noEffect, "vehicles": noEffect, "stock": noEffect, "requests": noEffect, "plans": noEffect,
}

// work is what one step of the keeper must do, gathered from the changes
// and the due items it follows.
type work struct {
	rebuild    bool
	retraceAll bool
	people     map[string]bool // residents whose codes to compute again
	retrace    map[string]bool // case persons to trace again
	cases      map[string]bool // cases to read again
	casesDue   map[string]bool // cases whose instants came
	appeals    map[string]bool // appeals to read again
	regions    bool            // the region tree or its levels changed
	inRegions  map[string]bool // regions whose residents with stays to compute again
	places     map[string]bool // places whose visits to follow again
	visits     []trace.Visit   // visits to follow
	changed    []trace.Visit   // of those, the ones stored or changed (the index reads their places again)
	nvisits    int64           // an upper bound of the visits the changes cover
}

func newWork() *work {
	return &work{people: map[string]bool{}, retrace: map[string]bool{}, cases: map[string]bool{}, casesDue: map[string]bool{},
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
	}
	e, ok := effects[c.Kind]
	if !ok {
		return fmt.Errorf("codes: change %d is of an unknown kind %q", c.Seq, c.Kind)
	}
	switch e {
	case noEffect:
	case personFacts:
		if c.Person != "" {
			w.people[c.Person] = true
		}
	case caseRecord:
		w.cases[c.ID] = true
	case appealRecord:
		w.appeals[c.ID] = true
	case regionTree:
		w.regions = true
	case placeRecord:
		w.places[c.ID] = true
		w.retraceAll = w.retraceAll || len(w.places) > maxPlaces
	case visitRange:
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
