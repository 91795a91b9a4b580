package sqlstore

import (
	"context"
	"iter"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/place"
	"outbreak/internal/record"
)

var _ place.Store = (*DB)(nil)

// regionCheck answers "does this region exist" within one transaction,
// remembering the answers; regions are few.
type regionCheck struct {
	c     q
	kinds map[string]string // id → kind, for the regions seen
}

func newRegionCheck(c q) *regionCheck { return &regionCheck{c: c, kinds: map[string]string{}} }

// kind returns the kind of region id, or "" if there is no such region.
func (rc *regionCheck) kind(ctx context.Context, id string) (string, error) {
	if k, ok := rc.kinds[id]; ok {
		return k, nil
	}
	var k string
	err := one(ctx, rc.c, "region", "SELECT kind FROM regions WHERE id = ?", []any{id}, &k)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return "", err
	}
	if k != "" {
		rc.kinds[id] = k
	}
	return k, nil
}

func (rc *regionCheck) check(ctx context.Context, field, id string) error {
	k, err := rc.kind(ctx, id)
	if err == nil && k == "" {
		err = errs.Field(field, "unknown region %q", id)
	}
	return err
}

// ImportRegions inserts or replaces regions in one transaction. A parent
// must be stored already or come earlier in the same import.
func (db *DB) ImportRegions(ctx context.Context, items iter.Seq[place.Region], reject record.Reject) (int, error) {
	return bulk(ctx, db, items, reject, func(tx *wtx) (func(*place.Region) error, func() error, func()) {
		rc := newRegionCheck(tx)
		b := newBatch(tx, "regions", "id, name, parent, kind", upsert("name", "parent", "kind"))
		add := func(r *place.Region) error {
			if err := db.checkParent(ctx, rc, *r); err != nil {
				return err
			}
			if err := checkChildren(ctx, tx, rc, *r); err != nil {
				return err
			}
			rc.kinds[r.ID] = r.Kind
			tx.changed("regions", r.ID, "")
			return b.add(ctx, r.ID, r.ID, r.Name, nullable(r.Parent), r.Kind)
		}
		return add, func() error { return b.flush(ctx) }, nil
	})
}

func (db *DB) checkParent(ctx context.Context, rc *regionCheck, r place.Region) error {
	if r.Parent == "" {
		return nil
	}
	k, err := rc.kind(ctx, r.Parent)
	if err != nil {
		return err
	}
	if k == "" {
		return errs.Field("parent", "unknown region %q (a parent comes before its children)", r.Parent)
	}
	return r.CheckParent(k)
}

// checkChildren refuses a new kind for a region whose children it could not
// hold: every region's kind must stay larger than its children's.
func checkChildren(ctx context.Context, tx q, rc *regionCheck, r place.Region) error {
	old, err := rc.kind(ctx, r.ID)
	if err != nil || old == "" || old == r.Kind {
		return err
	}
	rows, err := tx.query(ctx, "SELECT id, kind FROM regions WHERE parent = ?", r.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var child place.Region
		if err := rows.Scan(&child.ID, &child.Kind); err != nil {
			return err
		}
		if child.CheckParent(r.Kind) != nil {
			return errs.Field("kind", "region %q holds %q, a %s, which a %s cannot hold", r.ID, child.ID, child.Kind, r.Kind)
		}
	}
	return rows.Err()
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func scanRegion(r rows) (place.Region, error) {
	var g place.Region
	var parent *string
	err := r.Scan(&g.ID, &g.Name, &parent, &g.Kind)
	if parent != nil {
		g.Parent = *parent
	}
	return g, err
}

// Region returns one region.
func (db *DB) Region(ctx context.Context, id string) (place.Region, error) {
	return get(ctx, db.reader(), "region", id, "SELECT id, name, parent, kind FROM regions WHERE id = ?", scanRegion)
}

// Regions lists regions in ID order; Filter.Region selects the children of a region.
func (db *DB) Regions(ctx context.Context, f place.Filter) ([]place.Region, string, error) {
	var w where
	if err := afterID(&w, f.After); err != nil {
		return nil, "", err
	}
	if f.Region != "" {
		w.add("parent = ?", f.Region)
	}
	query := "SELECT id, name, parent, kind FROM regions" + w.String() + " ORDER BY id LIMIT ?"
	return list(ctx, db.reader(), query, w.args, f.Size(), scanRegion, func(g place.Region) string { return idCursor(g.ID) })
}

// afterID adds the keyset condition of an ID-ordered list.
func afterID(w *where, cursor string) error {
	if cursor == "" {
		return nil
	}
	after, err := parseIDCursor(cursor)
	if err == nil {
		w.add("id > ?", after)
	}
	return err
}

var levelTable = appender[place.Level]{
	kind: "region_levels", table: "region_levels", cols: "region, level, from_at, to_at", id: func(l *place.Level) *string { return &l.ID },
	check: func(ctx context.Context, r *refs, l *place.Level) error {
		return r.regions.check(ctx, "region", l.Region)
	},
	vals: func(db *DB, l *place.Level) []any { return []any{l.Region, l.Level, db.ts(l.From), db.ts(l.To)} },
}

// ImportLevels appends risk levels in one transaction.
func (db *DB) ImportLevels(ctx context.Context, items iter.Seq[place.Level], reject record.Reject) (int, error) {
	return importAppend(ctx, db, levelTable, items, reject)
}

// AddLevel sets one risk level on a region and returns it with its ID.
func (db *DB) AddLevel(ctx context.Context, l place.Level) (place.Level, error) {
	return addAppend(ctx, db, levelTable, l)
}

// Levels lists the risk levels set on a region, oldest first.
func (db *DB) Levels(ctx context.Context, region string) ([]place.Level, error) {
	if _, err := db.Region(ctx, region); err != nil {
		return nil, err
	}
	query := "SELECT id, region, level, from_at, to_at FROM region_levels WHERE region = ? ORDER BY from_at, id LIMIT ?"
	levels, _, err := list(ctx, db.reader(), query, []any{region}, record.MaxLimit, func(r rows) (place.Level, error) {
		var l place.Level
		var id int64
		err := r.Scan(&id, &l.Region, &l.Level, instant{&l.From}, instant{&l.To})
		l.ID = itoa(id)
		return l, err
	}, func(place.Level) string { return "" })
	return levels, err
}

// ImportPlaces inserts or replaces places in one transaction.
func (db *DB) ImportPlaces(ctx context.Context, items iter.Seq[place.Place], reject record.Reject) (int, error) {
	return bulk(ctx, db, items, reject, func(tx *wtx) (func(*place.Place) error, func() error, func()) {
		rc := newRegionCheck(tx)
		b := newBatch(tx, "places", "id, name, region, category, lat, lon, default_dwell",
			upsert("name", "region", "category", "lat", "lon", "default_dwell"))
		add := func(p *place.Place) error {
			if err := rc.check(ctx, "region", p.Region); err != nil {
				return err
			}
			tx.changed("places", p.ID, "")
			return b.add(ctx, p.ID, p.ID, p.Name, p.Region, p.Category, p.Lat, p.Lon, int64(p.DefaultDwell))
		}
		return add, func() error { return b.flush(ctx) }, nil
	})
}

const placeCols = "id, name, region, category, lat, lon, default_dwell"

func scanPlace(r rows) (place.Place, error) {
	var p place.Place
	var dwell int64
	err := r.Scan(&p.ID, &p.Name, &p.Region, &p.Category, &p.Lat, &p.Lon, &dwell)
	p.DefaultDwell = record.Duration(time.Duration(dwell))
	return p, err
}

// Place returns one place.
func (db *DB) Place(ctx context.Context, id string) (place.Place, error) {
	return get(ctx, db.reader(), "place", id, "SELECT "+placeCols+" FROM places WHERE id = ?", scanPlace)
}

// Places lists places in ID order, optionally in one region or category.
func (db *DB) Places(ctx context.Context, f place.Filter) ([]place.Place, string, error) {
	var w where
	if err := afterID(&w, f.After); err != nil {
		return nil, "", err
	}
	if f.Region != "" {
		w.add("region = ?", f.Region)
	}
	if f.Category != "" {
		w.add("category = ?", f.Category)
	}
	query := "SELECT " + placeCols + " FROM places" + w.String() + " ORDER BY id LIMIT ?"
	return list(ctx, db.reader(), query, w.args, f.Size(), scanPlace, func(p place.Place) string { return idCursor(p.ID) })
}
