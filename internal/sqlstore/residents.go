package sqlstore

import (
	"context"
	"errors"
	"iter"

	"outbreak/internal/errs"
	"outbreak/internal/person"
	"outbreak/internal/record"
)

var _ person.Store = (*DB)(nil)

// ImportResidents inserts or replaces residents in one transaction, sealing
// their personal fields.
func (db *DB) ImportResidents(ctx context.Context, items iter.Seq[person.Resident], reject record.Reject) (int, error) {
	return bulk(ctx, db, items, reject, func(tx *wtx) (func(*person.Resident) error, func() error, func()) {
		regions := newRegionCheck(tx)
		b := newBatch(tx, "residents", "id, name, phone, email, language, time_zone, home_region",
			upsert("name", "phone", "email", "language", "time_zone", "home_region"))
		add := func(r *person.Resident) error {
			if r.HomeRegion != "" {
				if err := regions.check(ctx, "home_region", r.HomeRegion); err != nil {
					return err
				}
			}
			tx.changed("residents", r.ID, r.ID)
			return b.add(ctx, r.ID, r.ID, db.sealField(r.ID, "name", r.Name), db.sealField(r.ID, "phone", r.Phone),
				db.sealField(r.ID, "email", r.Email), r.Language, r.TimeZone, r.HomeRegion)
		}
		return add, func() error { return b.flush(ctx) }, nil
	})
}

// sealField seals one personal field, bound to its row and column.
func (db *DB) sealField(id, column, value string) []byte {
	return db.seal.Seal([]byte(value), []byte("residents/"+id+"/"+column))
}

// openField opens one personal field. A value sealed under a key this
// process has not loaded (another process rotated the keys) makes it reload
// the keys once.
func (db *DB) openField(id, column string, sealed []byte) (string, error) {
	ad := []byte("residents/" + id + "/" + column)
	b, err := db.seal.Open(sealed, ad)
	if r, ok := db.seal.(interface{ Reload() error }); ok && err != nil {
		if r.Reload() == nil {
			b, err = db.seal.Open(sealed, ad)
		}
	}
	return string(b), err
}

const residentCols = "id, name, phone, email, language, time_zone, home_region"

func (db *DB) scanResident(r rows) (person.Resident, error) {
	var p person.Resident
	var name, phone, email []byte
	if err := r.Scan(&p.ID, &name, &phone, &email, &p.Language, &p.TimeZone, &p.HomeRegion); err != nil {
		return p, err
	}
	var err error
	if p.Name, err = db.openField(p.ID, "name", name); err != nil {
		return p, err
	}
	if p.Phone, err = db.openField(p.ID, "phone", phone); err != nil {
		return p, err
	}
	p.Email, err = db.openField(p.ID, "email", email)
	return p, err
}

// Resident returns one resident with their personal fields opened.
func (db *DB) Resident(ctx context.Context, id string) (person.Resident, error) {
	return get(ctx, db.reader(), "person", id, "SELECT "+residentCols+" FROM residents WHERE id = ?", db.scanResident)
}

// Residents lists residents in ID order.
func (db *DB) Residents(ctx context.Context, f person.Filter) ([]person.Resident, string, error) {
	var w where
	if err := afterID(&w, f.After); err != nil {
		return nil, "", err
	}
	if f.HomeRegion != "" {
		w.add("home_region = ?", f.HomeRegion)
	}
	query := "SELECT " + residentCols + " FROM residents" + w.String() + " ORDER BY id LIMIT ?"
	return list(ctx, db.reader(), query, w.args, f.Size(), db.scanResident, func(p person.Resident) string { return idCursor(p.ID) })
}

// EachResident calls fn with every resident's ID and home region, in ID
// order, without opening their sealed fields.
func (db *DB) EachResident(ctx context.Context, fn func(id, homeRegion string) error) error {
	after := ""
	for {
		r, err := db.reader().query(ctx, "SELECT id, home_region FROM residents WHERE id > ? ORDER BY id LIMIT 10000", after)
		if err != nil {
			return err
		}
		n := 0
		for r.Next() {
			var id, home string
			if err := r.Scan(&id, &home); err != nil {
				r.Close()
				return err
			}
			if err := fn(id, home); err != nil {
				r.Close()
				return err
			}
			after = id
			n++
		}
		if err := errors.Join(r.Err(), r.Close()); err != nil || n < 10000 {
			return err
		}
	}
}

// ResidentKnown returns nil when a resident exists, or a NotFound error; it
// answers from the key cache once the resident has been seen.
func (db *DB) ResidentKnown(ctx context.Context, id string) error {
	_, err := db.keys.lookup(ctx, db.reader(), "residents", "person", id, nil)
	if errs.Is(err, errs.Invalid) {
		return notFound("resident", id)
	}
	return err
}
