package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/feed"
	"outbreak/internal/record"
	"outbreak/internal/supply"
)

// A plan is stored whole as JSON (body), with the columns that lists filter
// and sort on beside it, and a summary (the JSON of the plan without its
// allocations and its routes' stops) that lists read instead of the body,
// which for a city's day runs to thousands of stops.

// SavePlan stores a new plan, which must be a draft (an empty status is
// one). It normalises the plan's instants in place, as Validate methods do.
func (db *DB) SavePlan(ctx context.Context, p *supply.Plan) error {
	if err := checkPlan(p); err != nil {
		return err
	}
	body, summary, err := planJSON(p)
	if err != nil {
		return err
	}
	err = db.tx(ctx, func(tx *wtx) error {
		_, err := tx.exec(ctx, "INSERT INTO plans (id, date, created, status, dispatched, summary, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
			p.ID, p.Date, db.ts(p.Created), p.Status, db.ts(p.Dispatched), summary, body)
		tx.changed(feed.Plans, p.ID, "")
		return err
	})
	if errs.Is(err, errs.Conflict) {
		return errs.E(errs.Conflict, "plan %q already exists", p.ID)
	}
	return err
}

// checkPlan checks what the store relies on in a new plan.
func checkPlan(p *supply.Plan) error {
	if err := record.CheckID("id", p.ID); err != nil {
		return err
	}
	if _, err := time.Parse(time.DateOnly, p.Date); err != nil {
		return errs.Field("date", "not a date like 2026-11-24: %q", p.Date)
	}
	p.Created, p.Dispatched = record.Instant(p.Created), record.Instant(p.Dispatched)
	if p.Created.IsZero() {
		return errs.Field("created", "required")
	}
	switch {
	case p.Status == "":
		p.Status = supply.Draft
	case p.Status != supply.Draft:
		return errs.Field("status", "a new plan is a draft, not %q: DispatchPlan sends it out", p.Status)
	}
	if !p.Dispatched.IsZero() {
		return errs.Field("dispatched", "a draft has not been dispatched")
	}
	// Dispatch takes picks from stock: a pick must name a lot and take
	// something from it.
	for i, r := range p.Routes {
		for j, s := range r.Stops {
			at := fmt.Sprintf("routes[%d].stops[%d]", i, j)
			if err := record.CheckID(at+".request", s.Request); err != nil {
				return err
			}
			for k, pk := range s.Picks {
				if err := record.CheckID(fmt.Sprintf("%s.picks[%d].lot", at, k), pk.Lot); err != nil {
					return err
				}
				if pk.Quantity < 1 {
					return errs.Field(fmt.Sprintf("%s.picks[%d].quantity", at, k), "must be at least 1, not %d", pk.Quantity)
				}
			}
		}
	}
	return nil
}

// planJSON returns the body and the summary of a plan.
func planJSON(p *supply.Plan) (body, summary string, err error) {
	b, err := json.Marshal(p)
	if err != nil {
		return "", "", fmt.Errorf("sqlstore: plan %q: %w", p.ID, err)
	}
	s := *p
	s.Allocations = []supply.Allocation{}
	s.Routes = make([]supply.Dispatch, len(p.Routes))
	for i, r := range p.Routes {
		r.Stops = []supply.DispatchStop{}
		s.Routes[i] = r
	}
	sb, err := json.Marshal(&s)
	if err != nil {
		return "", "", fmt.Errorf("sqlstore: plan %q: %w", p.ID, err)
	}
	return string(b), string(sb), nil
}

// scanPlan scans one JSON column, the body or the summary of a plan.
func scanPlan(r rows) (supply.Plan, error) {
	var p supply.Plan
	var doc string
	if err := r.Scan(&doc); err != nil {
		return p, err
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return p, fmt.Errorf("sqlstore: a stored plan does not decode: %w", err)
	}
	// Lists are [] when empty, as the API describes them, whatever older
	// plans stored.
	p.Allocations, p.Routes, p.Left = orEmpty(p.Allocations), orEmpty(p.Routes), orEmpty(p.Left)
	for i := range p.Allocations {
		p.Allocations[i].Picks = orEmpty(p.Allocations[i].Picks)
	}
	for i := range p.Routes {
		p.Routes[i].Stops = orEmpty(p.Routes[i].Stops)
		for j := range p.Routes[i].Stops {
			p.Routes[i].Stops[j].Picks = orEmpty(p.Routes[i].Stops[j].Picks)
		}
	}
	return p, nil
}

// orEmpty returns an empty list for nil.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Plan returns one plan, whole.
func (db *DB) Plan(ctx context.Context, id string) (supply.Plan, error) {
	return get(ctx, db.reader(), "plan", id, "SELECT body FROM plans WHERE id = ?", scanPlan)
}

// Plans lists plans a page at a time in descending ID order, optionally
// those in one state. The plans are summaries: Allocations and every route's
// Stops are empty; everything else, Left included, is there.
func (db *DB) Plans(ctx context.Context, f supply.Filter) ([]supply.Plan, string, error) {
	var w where
	if f.After != "" {
		before, err := parseIDCursor(f.After)
		if err != nil {
			return nil, "", err
		}
		w.add("id < ?", before)
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	query := "SELECT summary FROM plans" + w.String() + " ORDER BY id DESC LIMIT ?"
	return list(ctx, db.reader(), query, w.args, f.Size(), scanPlan, func(p supply.Plan) string { return idCursor(p.ID) })
}

// DispatchPlan sends a draft plan out in one transaction: it marks the plan
// dispatched at at, marks every request on its routes' stops dispatched on
// it, and takes every pick of those stops from its lot. A plan that is not a
// draft, a request that is no longer open and a lot that no longer holds
// what the plan takes from it are Conflict errors naming them, and then
// nothing is applied.
func (db *DB) DispatchPlan(ctx context.Context, id string, at time.Time) (supply.Plan, error) {
	at = record.Instant(at)
	if at.IsZero() {
		return supply.Plan{}, errs.Field("at", "required")
	}
	var p supply.Plan
	err := db.tx(ctx, func(tx *wtx) error {
		// Claim the plan first. On PostgreSQL the update locks the plan's
		// row, so that of two dispatches of one plan the second waits and
		// then finds it dispatched; SQLite has one writer anyway.
		n, err := tx.exec(ctx, "UPDATE plans SET status = ?, dispatched = ? WHERE id = ? AND status = ?",
			supply.PlanDispatched, db.ts(at), id, supply.Draft)
		if err != nil {
			return err
		}
		var status, body string
		if err := one(ctx, tx, fmt.Sprintf("plan %q", id), "SELECT status, body FROM plans WHERE id = ?", []any{id}, &status, &body); err != nil {
			return err
		}
		if n == 0 {
			return errs.E(errs.Conflict, "plan %q is %s, not a draft", id, status)
		}
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			return fmt.Errorf("sqlstore: plan %q does not decode: %w", id, err)
		}
		if err := dispatchRequests(ctx, tx, &p); err != nil {
			return err
		}
		if err := takePicks(ctx, tx, &p); err != nil {
			return err
		}
		p.Status, p.Dispatched = supply.PlanDispatched, at
		body, summary, err := planJSON(&p)
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, "UPDATE plans SET summary = ?, body = ? WHERE id = ?", summary, body, id)
		tx.changed(feed.Plans, id, "")
		return err
	})
	if err != nil {
		return supply.Plan{}, err
	}
	return p, nil
}

// dispatchRequests marks the requests on the plan's stops dispatched on it,
// in ID order so that concurrent dispatches lock rows in one order.
func dispatchRequests(ctx context.Context, tx *wtx, p *supply.Plan) error {
	ids := map[string]bool{}
	for _, r := range p.Routes {
		for _, s := range r.Stops {
			ids[s.Request] = true
		}
	}
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		n, err := tx.exec(ctx, "UPDATE supply_requests SET status = ?, plan = ? WHERE id = ? AND status = ?",
			supply.Dispatched, p.ID, id, supply.Open)
		if err != nil {
			return err
		}
		if n == 1 {
			tx.changed("requests", id, "")
			continue
		}
		var status string
		err = one(ctx, tx, "request", "SELECT status FROM supply_requests WHERE id = ?", []any{id}, &status)
		switch {
		case errs.Is(err, errs.NotFound):
			return errs.E(errs.Conflict, "plan %q: request %q is not stored", p.ID, id)
		case err != nil:
			return err
		}
		return errs.E(errs.Conflict, "plan %q: request %q is %s, no longer open", p.ID, id, status)
	}
	return nil
}

// takePicks takes the picks of the plan's stops from their lots, the picks
// of each lot together and the lots in ID order. A lot must still be what
// the plan took it for: re-imported at another depot, or as another item
// or class, it is a Conflict.
func takePicks(ctx context.Context, tx *wtx, p *supply.Plan) error {
	type lotUse struct {
		depot string
		pick  supply.Pick // the item and class; Quantity is the total taken
	}
	take := map[string]*lotUse{}
	for _, r := range p.Routes {
		for _, s := range r.Stops {
			for _, pk := range s.Picks {
				if u := take[pk.Lot]; u != nil {
					u.pick.Quantity += pk.Quantity
				} else {
					take[pk.Lot] = &lotUse{r.Depot, pk}
				}
			}
		}
	}
	for _, lot := range slices.Sorted(maps.Keys(take)) {
		u := take[lot]
		qty := u.pick.Quantity
		n, err := tx.exec(ctx, "UPDATE lots SET quantity = quantity - ? WHERE id = ? AND quantity >= ? AND depot = ? AND item = ? AND temperature = ?",
			qty, lot, qty, u.depot, u.pick.Item, u.pick.Temperature)
		if err != nil {
			return err
		}
		if n == 1 {
			tx.changed("stock", lot, "")
			continue
		}
		var held int
		var depot, item, class string
		err = one(ctx, tx, "lot", "SELECT quantity, depot, item, temperature FROM lots WHERE id = ?", []any{lot}, &held, &depot, &item, &class)
		switch {
		case errs.Is(err, errs.NotFound):
			return errs.E(errs.Conflict, "plan %q: lot %q is not stored", p.ID, lot)
		case err != nil:
			return err
		case depot != u.depot || item != u.pick.Item || class != u.pick.Temperature:
			return errs.E(errs.Conflict, "plan %q: lot %q is now %s (%s) at %s, not %s (%s) at %s",
				p.ID, lot, item, class, depot, u.pick.Item, u.pick.Temperature, u.depot)
		}
		return errs.E(errs.Conflict, "plan %q: lot %q holds %d, not the %d the plan takes from it", p.ID, lot, held, qty)
	}
	return nil
}
