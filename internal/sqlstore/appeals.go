package sqlstore

import (
	"context"
	"iter"

	"outbreak/internal/approval"
	"outbreak/internal/record"
)

var _ approval.Store = (*DB)(nil)

// ImportAppeals inserts or replaces appeals in one transaction.
func (db *DB) ImportAppeals(ctx context.Context, items iter.Seq[approval.Appeal], reject record.Reject) (int, error) {
	return bulk(ctx, db, items, reject, func(tx *wtx) (func(*approval.Appeal) error, func() error, func()) {
		r := newRefs(db, tx, true)
		b := newBatch(tx, "appeals", appealCols, upsert("person", "status", "color", "decided", "expires", "reason"))
		add := func(a *approval.Appeal) error {
			if err := r.person(ctx, a.Person); err != nil {
				return err
			}
			tx.changed("appeals", a.ID, a.Person)
			return b.add(ctx, a.ID, a.ID, a.Person, a.Status, a.Color, db.ts(a.Decided), db.ts(a.Expires), a.Reason)
		}
		return add, func() error { return b.flush(ctx) }, nil
	})
}

const appealCols = "id, person, status, color, decided, expires, reason"

func scanAppeal(r rows) (approval.Appeal, error) {
	var a approval.Appeal
	err := r.Scan(&a.ID, &a.Person, &a.Status, &a.Color, instant{&a.Decided}, instant{&a.Expires}, &a.Reason)
	return a, err
}

// Appeal returns one appeal.
func (db *DB) Appeal(ctx context.Context, id string) (approval.Appeal, error) {
	return get(ctx, db.reader(), "appeal", id, "SELECT "+appealCols+" FROM appeals WHERE id = ?", scanAppeal)
}

// Appeals lists appeals in ID order.
func (db *DB) Appeals(ctx context.Context, f approval.Filter) ([]approval.Appeal, string, error) {
	var w where
	if err := afterID(&w, f.After); err != nil {
		return nil, "", err
	}
	if f.Person != "" {
		w.add("person = ?", f.Person)
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	query := "SELECT " + appealCols + " FROM appeals" + w.String() + " ORDER BY id LIMIT ?"
	return list(ctx, db.reader(), query, w.args, f.Size(), scanAppeal, func(a approval.Appeal) string { return idCursor(a.ID) })
}
