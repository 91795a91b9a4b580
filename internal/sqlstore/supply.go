package sqlstore

import (
	"context"
	"fmt"
	"iter"

	"outbreak/internal/errs"
	"outbreak/internal/record"
	"outbreak/internal/supply"
)

var _ supply.Store = (*DB)(nil)

// depotCheck answers "does this depot exist" within one transaction,
// remembering the answers; depots are few. The tables' foreign keys hold
// the same rule, but a check in code names the field and the depot, as an
// Invalid error that a bulk import can reject line by line.
type depotCheck struct {
	c     q
	known map[string]bool
}

func newDepotCheck(c q) *depotCheck { return &depotCheck{c: c, known: map[string]bool{}} }

func (dc *depotCheck) check(ctx context.Context, id string) error {
	if dc.known[id] {
		return nil
	}
	var n int
	if err := one(ctx, dc.c, "depot", "SELECT count(*) FROM depots WHERE id = ?", []any{id}, &n); err != nil {
		return err
	}
	if n == 0 {
		return errs.Field("depot", "unknown depot %q", id)
	}
	dc.known[id] = true
	return nil
}

// optText scans a nullable text column; NULL gives "".
type optText struct{ s *string }

// Scan implements sql.Scanner.
func (o optText) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*o.s = ""
	case string:
		*o.s = v
	case []byte:
		*o.s = string(v)
	default:
		return fmt.Errorf("sqlstore: cannot scan %T as text", v)
	}
	return nil
}

// ImportDepots inserts or replaces depots in one transaction.
func (db *DB) ImportDepots(ctx context.Context, items iter.Seq[supply.Depot], reject record.Reject) (int, error) {
	return bulk(ctx, db, items, reject, func(tx *wtx) (func(*supply.Depot) error, func() error, func()) {
		b := newBatch(tx, "depots", depotCols, upsert("name", "lat", "lon", "time_zone"))
		add := func(d *supply.Depot) error {
			tx.changed("depots", d.ID, "")
			return b.add(ctx, d.ID, d.ID, d.Name, d.Lat, d.Lon, d.TimeZone)
		}
		return add, func() error { return b.flush(ctx) }, nil
	})
}

const depotCols = "id, name, lat, lon, time_zone"

func scanDepot(r rows) (supply.Depot, error) {
	var d supply.Depot
	err := r.Scan(&d.ID, &d.Name, &d.Lat, &d.Lon, &d.TimeZone)
	return d, err
}

// Depot returns one depot.
func (db *DB) Depot(ctx context.Context, id string) (supply.Depot, error) {
	return get(ctx, db.reader(), "depot", id, "SELECT "+depotCols+" FROM depots WHERE id = ?", scanDepot)
}

// Depots lists depots in ID order; no filter applies to them.
func (db *DB) Depots(ctx context.Context, f supply.Filter) ([]supply.Depot, string, error) {
	var w where
	if err := afterID(&w, f.After); err != nil {
		return nil, "", err
	}
	query := "SELECT " + depotCols + " FROM depots" + w.String() + " ORDER BY id LIMIT ?"
	return list(ctx, db.reader(), query, w.args, f.Size(), scanDepot, func(d supply.Depot) string { return idCursor(d.ID) })
}

// ImportVehicles inserts or replaces vehicles in one transaction; a vehicle
// of an unknown depot is Invalid.
func (db *DB) ImportVehicles(ctx context.Context, items iter.Seq[supply.Vehicle], reject record.Reject) (int, error) {
	return bulk(ctx, db, items, reject, func(tx *wtx) (func(*supply.Vehicle) error, func() error, func()) {
		dc := newDepotCheck(tx)
		b := newBatch(tx, "vehicles", vehicleCols,
			upsert("depot", "ambient", "chilled", "frozen", "shift_start", "shift_end", "max_out"))
		add := func(v *supply.Vehicle) error {
			if err := dc.check(ctx, v.Depot); err != nil {
				return err
			}
			tx.changed("vehicles", v.ID, "")
			return b.add(ctx, v.ID, v.ID, v.Depot, v.Ambient, v.Chilled, v.Frozen,
				int64(v.ShiftStart), int64(v.ShiftEnd), int64(v.MaxOut))
		}
		return add, func() error { return b.flush(ctx) }, nil
	})
}

const vehicleCols = "id, depot, ambient, chilled, frozen, shift_start, shift_end, max_out"

func scanVehicle(r rows) (supply.Vehicle, error) {
	var v supply.Vehicle
	var start, end, out int64
	err := r.Scan(&v.ID, &v.Depot, &v.Ambient, &v.Chilled, &v.Frozen, &start, &end, &out)
	v.ShiftStart, v.ShiftEnd, v.MaxOut = record.Duration(start), record.Duration(end), record.Duration(out)
	return v, err
}

// Vehicle returns one vehicle.
func (db *DB) Vehicle(ctx context.Context, id string) (supply.Vehicle, error) {
	return get(ctx, db.reader(), "vehicle", id, "SELECT "+vehicleCols+" FROM vehicles WHERE id = ?", scanVehicle)
}

// Vehicles lists vehicles in ID order, optionally those of one depot.
func (db *DB) Vehicles(ctx context.Context, f supply.Filter) ([]supply.Vehicle, string, error) {
	var w where
	if err := afterID(&w, f.After); err != nil {
		return nil, "", err
	}
	if f.Depot != "" {
		w.add("depot = ?", f.Depot)
	}
	query := "SELECT " + vehicleCols + " FROM vehicles" + w.String() + " ORDER BY id LIMIT ?"
	return list(ctx, db.reader(), query, w.args, f.Size(), scanVehicle, func(v supply.Vehicle) string { return idCursor(v.ID) })
}

// ImportLots inserts or replaces lots in one transaction; a lot at an
// unknown depot is Invalid. A replaced lot takes the quantity given.
func (db *DB) ImportLots(ctx context.Context, items iter.Seq[supply.Lot], reject record.Reject) (int, error) {
	return bulk(ctx, db, items, reject, func(tx *wtx) (func(*supply.Lot) error, func() error, func()) {
		dc := newDepotCheck(tx)
		b := newBatch(tx, "lots", lotCols, upsert("depot", "item", "lot", "expiry", "temperature", "quantity"))
		add := func(l *supply.Lot) error {
			if err := dc.check(ctx, l.Depot); err != nil {
				return err
			}
			tx.changed("stock", l.ID, "")
			return b.add(ctx, l.ID, l.ID, l.Depot, l.Item, l.Lot, db.ts(l.Expiry), l.Temperature, l.Quantity)
		}
		return add, func() error { return b.flush(ctx) }, nil
	})
}

const lotCols = "id, depot, item, lot, expiry, temperature, quantity"

func scanLot(r rows) (supply.Lot, error) {
	var l supply.Lot
	err := r.Scan(&l.ID, &l.Depot, &l.Item, &l.Lot, instant{&l.Expiry}, &l.Temperature, &l.Quantity)
	return l, err
}

// Lot returns one lot.
func (db *DB) Lot(ctx context.Context, id string) (supply.Lot, error) {
	return get(ctx, db.reader(), "lot", id, "SELECT "+lotCols+" FROM lots WHERE id = ?", scanLot)
}

// Lots lists lots in ID order, optionally those at one depot, of one item,
// or both.
func (db *DB) Lots(ctx context.Context, f supply.Filter) ([]supply.Lot, string, error) {
	var w where
	if err := afterID(&w, f.After); err != nil {
		return nil, "", err
	}
	if f.Depot != "" {
		w.add("depot = ?", f.Depot)
	}
	if f.Item != "" {
		w.add("item = ?", f.Item)
	}
	query := "SELECT " + lotCols + " FROM lots" + w.String() + " ORDER BY id LIMIT ?"
	return list(ctx, db.reader(), query, w.args, f.Size(), scanLot, func(l supply.Lot) string { return idCursor(l.ID) })
}

// ImportRequests inserts or replaces requests in one transaction; a request
// of an unknown person is Invalid. A request that is no longer open keeps
// its status and plan when the import says open. The plan a request names
// is not checked: plans are not imported.
func (db *DB) ImportRequests(ctx context.Context, items iter.Seq[supply.Request], reject record.Reject) (int, error) {
	return bulk(ctx, db, items, reject, func(tx *wtx) (func(*supply.Request) error, func() error, func()) {
		r := newRefs(db, tx, true)
		// An import does not reopen a request that has gone out: a file
		// written before the dispatch would otherwise deliver it twice.
		const kept = "excluded.status = 'open' AND supply_requests.status <> 'open'"
		b := newBatch(tx, "supply_requests", requestCols, upsert("site", "kind", "person", "lat", "lon", "item",
			"quantity", "priority", "slot_from", "slot_to", "service", "created")+
			", status = CASE WHEN "+kept+" THEN supply_requests.status ELSE excluded.status END"+
			", plan = CASE WHEN "+kept+" THEN supply_requests.plan ELSE excluded.plan END")
		add := func(rq *supply.Request) error {
			if rq.Person != "" {
				if err := r.person(ctx, rq.Person); err != nil {
					return err
				}
			}
			tx.changed("requests", rq.ID, rq.Person)
			return b.add(ctx, rq.ID, rq.ID, rq.Site, rq.Kind, nullable(rq.Person), rq.Lat, rq.Lon, rq.Item, rq.Quantity, rq.Priority,
				db.ts(rq.SlotFrom), db.ts(rq.SlotTo), int64(rq.Service), db.ts(rq.Created), rq.Status, nullable(rq.Plan))
		}
		return add, func() error { return b.flush(ctx) }, nil
	})
}

const requestCols = "id, site, kind, person, lat, lon, item, quantity, priority, slot_from, slot_to, service, created, status, plan"

func scanRequest(r rows) (supply.Request, error) {
	var rq supply.Request
	var service int64
	err := r.Scan(&rq.ID, &rq.Site, &rq.Kind, optText{&rq.Person}, &rq.Lat, &rq.Lon, &rq.Item, &rq.Quantity, &rq.Priority,
		instant{&rq.SlotFrom}, instant{&rq.SlotTo}, &service, instant{&rq.Created}, &rq.Status, optText{&rq.Plan})
	rq.Service = record.Duration(service)
	return rq, err
}

// Request returns one request.
func (db *DB) Request(ctx context.Context, id string) (supply.Request, error) {
	return get(ctx, db.reader(), "request", id, "SELECT "+requestCols+" FROM supply_requests WHERE id = ?", scanRequest)
}

// Requests lists requests in ID order, optionally those in one state, of
// one item, or both.
func (db *DB) Requests(ctx context.Context, f supply.Filter) ([]supply.Request, string, error) {
	var w where
	if err := afterID(&w, f.After); err != nil {
		return nil, "", err
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	if f.Item != "" {
		w.add("item = ?", f.Item)
	}
	if !f.From.IsZero() {
		w.add("(slot_to > ? AND slot_from < ? OR slot_from IS NULL AND status = ?)", db.ts(f.From), db.ts(f.To), supply.Open)
	}
	query := "SELECT " + requestCols + " FROM supply_requests" + w.String() + " ORDER BY id LIMIT ?"
	return list(ctx, db.reader(), query, w.args, f.Size(), scanRequest, func(rq supply.Request) string { return idCursor(rq.ID) })
}
