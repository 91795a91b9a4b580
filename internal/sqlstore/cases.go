package sqlstore

import (
	"context"
	"iter"

	"outbreak/internal/cases"
	"outbreak/internal/record"
)

var _ cases.Store = (*DB)(nil)

// ImportCases inserts or replaces cases in one transaction.
func (db *DB) ImportCases(ctx context.Context, items iter.Seq[cases.Case], reject record.Reject) (int, error) {
	return bulk(ctx, db, items, reject, func(tx *wtx) (func(*cases.Case) error, func() error, func()) {
		r := newRefs(db, tx, true)
		b := newBatch(tx, "cases", "id, person, onset, isolated, released", upsert("person", "onset", "isolated", "released"))
		add := func(c *cases.Case) error {
			if err := r.person(ctx, c.Person); err != nil {
				return err
			}
			tx.changed("cases", c.ID, c.Person)
			return b.add(ctx, c.ID, c.ID, c.Person, db.ts(c.Onset), db.ts(c.Isolated), db.ts(c.Released))
		}
		return add, func() error { return b.flush(ctx) }, nil
	})
}

const caseCols = "id, person, onset, isolated, released"

func scanCase(r rows) (cases.Case, error) {
	var c cases.Case
	err := r.Scan(&c.ID, &c.Person, instant{&c.Onset}, instant{&c.Isolated}, instant{&c.Released})
	return c, err
}

// Case returns one case.
func (db *DB) Case(ctx context.Context, id string) (cases.Case, error) {
	return get(ctx, db.reader(), "case", id, "SELECT "+caseCols+" FROM cases WHERE id = ?", scanCase)
}

// Cases lists cases in ID order.
func (db *DB) Cases(ctx context.Context, f cases.Filter) ([]cases.Case, string, error) {
	var w where
	if err := afterID(&w, f.After); err != nil {
		return nil, "", err
	}
	if f.Person != "" {
		w.add("person = ?", f.Person)
	}
	if f.Active {
		w.add("released IS NULL")
	}
	query := "SELECT " + caseCols + " FROM cases" + w.String() + " ORDER BY id LIMIT ?"
	return list(ctx, db.reader(), query, w.args, f.Size(), scanCase, func(c cases.Case) string { return idCursor(c.ID) })
}
