package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"outbreak/internal/codes"
	"outbreak/internal/errs"
	"outbreak/internal/trace"
	"outbreak/internal/visit"
)

var _ codes.Index = (*TraceIndex)(nil)

// TraceIndex reads visits for tracing through the per-day (place, check_in)
// and (person, check_in) indexes, so that tracing a case costs the visits it
// touches, not the visits stored. It knows the partitions and spans that
// existed when it was made; make a new one to see later days. It is safe for
// concurrent use.
type TraceIndex struct {
	db           *DB
	defaultDwell time.Duration
	days         []int64         // partitions by day number, ascending
	reach        map[int64]int64 // per day, how long its visits can last (µs)
	dwell        map[int64]int64 // place key → default dwell (µs), for places that have one

	mu     sync.Mutex
	cache  map[[3]int64][]trace.Visit // (place or person, key, day) → visits
	cached int                        // visits in cache
	people map[int64]string           // every resident's ID by key, once read
}

// stmtCache keeps prepared statements for the life of the store.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// prepare returns the statement for query, preparing it on the readers once.
func (db *DB) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	db.stmts.mu.Lock()
	defer db.stmts.mu.Unlock()
	if s := db.stmts.m[query]; s != nil {
		return s, nil
	}
	s, err := db.r.PrepareContext(ctx, query)
	if err == nil {
		db.stmts.m[query] = s
	}
	return s, err
}

// TraceIndex returns an index over the visits stored now. defaultDwell is the
// length tracing gives a visit without check-out at a place with no default
// dwell of its own. Refresh makes it see what was stored since.
func (db *DB) TraceIndex(ctx context.Context, defaultDwell time.Duration) (codes.Index, error) {
	x := &TraceIndex{db: db, defaultDwell: defaultDwell, cache: map[[3]int64][]trace.Visit{}}
	if err := x.readDwell(ctx); err != nil {
		return nil, err
	}
	return x, x.readDays(ctx)
}

// readDwell reads the default dwell of every place that has one.
func (x *TraceIndex) readDwell(ctx context.Context) error {
	x.dwell = map[int64]int64{}
	return pairs(ctx, x.db.reader(), x.dwell, "SELECT key, default_dwell / 1000 FROM places WHERE default_dwell > 0")
}

// readDays reads which days have visits and how long their visits last.
func (x *TraceIndex) readDays(ctx context.Context) error {
	maxDwell := x.defaultDwell.Microseconds()
	for _, d := range x.dwell {
		maxDwell = max(maxDwell, d)
	}
	spans := map[string]int64{}
	if err := pairs(ctx, x.db.reader(), spans, "SELECT day, max_len FROM visit_spans"); err != nil {
		return err
	}
	names, err := x.db.loadDays(ctx)
	if err != nil {
		return err
	}
	x.days, x.reach = nil, map[int64]int64{}
	for _, name := range names {
		d := dayStart(name).Unix() / 86400
		n, ok := spans[name]
		if !ok {
			n = visit.MaxVisit.Microseconds() // a day from before spans were kept
		}
		x.days = append(x.days, d)
		x.reach[d] = max(n, maxDwell)
	}
	return nil
}

// Refresh makes the index see what was committed since it was made: new
// days and longer visits, and the given visits, which it puts into the days
// it holds of their place and person; with places, every place's default
// dwell. It must not run while the index is in use.
func (x *TraceIndex) Refresh(ctx context.Context, visits []trace.Visit, places bool) error {
	x.mu.Lock()
	if places {
		x.cache, x.cached = map[[3]int64][]trace.Visit{}, 0
	}
	for _, v := range visits {
		for _, k := range [][3]int64{cacheKey("place", v.Place, dayNum(v.In)), cacheKey("person", v.Person, dayNum(v.In))} {
			if rows, ok := x.cache[k]; ok {
				x.cache[k] = patch(rows, v, &x.cached)
			}
		}
	}
	x.mu.Unlock()
	if places {
		if err := x.readDwell(ctx); err != nil {
			return err
		}
	}
	return x.readDays(ctx)
}

// patch puts a visit stored or changed into a day's cached visits, in
// check-in order, in place of the one of its person, place and check-in if
// there is one: what reading the day again would give, without reading it.
func patch(rows []trace.Visit, v trace.Visit, cached *int) []trace.Visit {
	i, _ := slices.BinarySearchFunc(rows, v.In, func(w trace.Visit, t int64) int { return cmp.Compare(w.In, t) })
	for j := i; j < len(rows) && rows[j].In == v.In; j++ {
		if rows[j].Person == v.Person && rows[j].Place == v.Place {
			rows[j] = v
			return rows
		}
	}
	*cached++
	return slices.Insert(rows, i, v)
}

// VisitsBetween returns the visits of a day (YYYYMMDD) whose IDs are in
// [lo, hi].
func (x *TraceIndex) VisitsBetween(ctx context.Context, day string, lo, hi int64) ([]trace.Visit, error) {
	if !x.db.hasDay(day) {
		if _, err := x.db.loadDays(ctx); err != nil {
			return nil, err
		}
		if !x.db.hasDay(day) {
			return nil, nil
		}
	}
	if x.db.pg {
		start := dayStart(day)
		return x.scan(ctx, "SELECT person, place, (extract(epoch FROM check_in) * 1000000)::bigint, coalesce((extract(epoch FROM check_out) * 1000000)::bigint, -1)"+
			" FROM visits WHERE check_in >= ? AND check_in < ? AND id BETWEEN ? AND ?", start, start.AddDate(0, 0, 1), lo, hi)
	}
	return x.scan(ctx, "SELECT person, place, check_in, coalesce(check_out, -1) FROM visits_"+day+" WHERE id BETWEEN ? AND ?", lo, hi)
}

// VisitsAfter returns the visits that check in after t.
func (x *TraceIndex) VisitsAfter(ctx context.Context, t time.Time) ([]trace.Visit, error) {
	if x.db.pg {
		return x.scan(ctx, "SELECT person, place, (extract(epoch FROM check_in) * 1000000)::bigint, coalesce((extract(epoch FROM check_out) * 1000000)::bigint, -1)"+
			" FROM visits WHERE check_in > ?", t.UTC())
	}
	var out []trace.Visit
	for _, d := range x.days {
		if d < dayNum(t.UnixMicro()) {
			continue
		}
		vs, err := x.scan(ctx, "SELECT person, place, check_in, coalesce(check_out, -1) FROM visits_"+dayName(d)+" WHERE check_in > ?", t.UnixMicro())
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	return out, nil
}

// scan reads visits as tracing sees them, with their places' dwell.
func (x *TraceIndex) scan(ctx context.Context, query string, args ...any) ([]trace.Visit, error) {
	r, err := x.db.reader().query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []trace.Visit
	for r.Next() {
		var v trace.Visit
		if err := r.Scan(&v.Person, &v.Place, &v.In, &v.Out); err != nil {
			return nil, err
		}
		v.Dwell = x.dwell[v.Place]
		out = append(out, v)
	}
	return out, r.Err()
}

// PersonVisits appends the visits of a person that may reach into [from, to).
func (x *TraceIndex) PersonVisits(ctx context.Context, person, from, to int64, dst []trace.Visit) ([]trace.Visit, error) {
	return x.visits(ctx, "person", person, from, to, dst)
}

// PlaceVisits appends the visits at a place that may reach into [from, to).
func (x *TraceIndex) PlaceVisits(ctx context.Context, place, from, to int64, dst []trace.Visit) ([]trace.Visit, error) {
	return x.visits(ctx, "place", place, from, to, dst)
}

// visits reads, day by day, the check-ins that are before to and late
// enough to last into from, given the longest visit of their day.
func (x *TraceIndex) visits(ctx context.Context, col string, key, from, to int64, dst []trace.Visit) ([]trace.Visit, error) {
	for _, d := range x.days {
		d0 := d * microsPerDay
		if d0 >= to {
			break
		}
		lo, hi := max(d0, from-x.reach[d]), min(d0+microsPerDay, to)
		if lo >= hi {
			continue
		}
		rows, err := x.day(ctx, col, key, d)
		if err != nil {
			return dst, err
		}
		i, _ := slices.BinarySearchFunc(rows, lo, func(v trace.Visit, t int64) int { return cmp.Compare(v.In, t) })
		for ; i < len(rows) && rows[i].In < hi; i++ {
			dst = append(dst, rows[i])
		}
	}
	return dst, nil
}

// cacheRows bounds the visits the cache holds (40 bytes each).
const cacheRows = 4 << 20

// day returns the visits at a place, or of a person, on a day in check-in
// order. Cases traced together meet at the same places on the same days (a
// case's close contacts were where the case was), and a keeper traces a
// case again when a visit near it changes, so the index keeps what it read
// until Refresh says it changed.
func (x *TraceIndex) day(ctx context.Context, col string, key, day int64) ([]trace.Visit, error) {
	k := cacheKey(col, key, day)
	x.mu.Lock()
	rows, ok := x.cache[k]
	x.mu.Unlock()
	if ok {
		return rows, nil
	}
	d0 := day * microsPerDay
	rows, err := x.query(ctx, col, key, day, d0, d0+microsPerDay, nil)
	if err != nil {
		return nil, err
	}
	x.mu.Lock()
	if x.cached += len(rows); x.cached > cacheRows {
		x.cache, x.cached = map[[3]int64][]trace.Visit{}, len(rows)
	}
	x.cache[k] = rows
	x.mu.Unlock()
	return rows, nil
}

// cacheKey names the visits of a place or a person on a day.
func cacheKey(col string, key, day int64) [3]int64 {
	if col == "person" {
		return [3]int64{1, key, day}
	}
	return [3]int64{0, key, day}
}

// query appends the visits of one day whose check-in is in [lo, hi), in
// check-in order, by person or place.
func (x *TraceIndex) query(ctx context.Context, col string, key, day, lo, hi int64, dst []trace.Visit) ([]trace.Visit, error) {
	var r rows
	var err error
	if x.db.pg {
		r, err = x.db.reader().query(ctx, "SELECT person, place, (extract(epoch FROM check_in) * 1000000)::bigint,"+
			" coalesce((extract(epoch FROM check_out) * 1000000)::bigint, -1) FROM visits WHERE "+col+" = ? AND check_in >= ? AND check_in < ? ORDER BY check_in",
			key, time.UnixMicro(lo).UTC(), time.UnixMicro(hi).UTC())
	} else {
		var stmt *sql.Stmt
		stmt, err = x.db.prepare(ctx, "SELECT person, place, check_in, coalesce(check_out, -1) FROM visits_"+dayName(day)+
			" WHERE "+col+" = ? AND check_in >= ? AND check_in < ? ORDER BY check_in")
		if err == nil {
			r, err = stmt.QueryContext(ctx, key, lo, hi)
		}
	}
	if err != nil {
		return dst, x.db.mapErr(err)
	}
	defer r.Close()
	for r.Next() {
		var v trace.Visit
		if err := r.Scan(&v.Person, &v.Place, &v.In, &v.Out); err != nil {
			return dst, err
		}
		v.Dwell = x.dwell[v.Place]
		dst = append(dst, v)
	}
	return dst, r.Err()
}

// PersonKey returns the key of a resident (Invalid: unknown person).
func (x *TraceIndex) PersonKey(ctx context.Context, id string) (int64, error) {
	return x.db.keys.lookup(ctx, x.db.reader(), "residents", "person", id, nil)
}

// PlaceKey returns the key of a place (Invalid: unknown place).
func (x *TraceIndex) PlaceKey(ctx context.Context, id string) (int64, error) {
	return x.db.keys.lookup(ctx, x.db.reader(), "places", "place", id, nil)
}

// Names returns the IDs of residents and places by key. Asked for many
// residents, it reads the whole table once, which is quicker than looking
// them up by key when tracing reaches a good part of a city.
func (x *TraceIndex) Names(ctx context.Context, persons, places []int64) (map[int64]string, map[int64]string, error) {
	if len(persons) > wholeTable {
		x.mu.Lock()
		defer x.mu.Unlock()
		if x.people == nil {
			people, err := x.all(ctx)
			if err != nil {
				return nil, nil, err
			}
			x.people = people
		}
		p := make(map[int64]string, len(persons))
		var missing []int64 // residents stored since the table was read
		for _, k := range persons {
			if id, ok := x.people[k]; ok {
				p[k] = id
			} else {
				missing = append(missing, k)
			}
		}
		more, err := x.ids(ctx, "residents", missing)
		if err != nil {
			return nil, nil, err
		}
		maps.Copy(p, more)
		maps.Copy(x.people, more)
		v, err := x.ids(ctx, "places", places)
		return p, v, err
	}
	p, err := x.ids(ctx, "residents", persons)
	if err != nil {
		return nil, nil, err
	}
	v, err := x.ids(ctx, "places", places)
	return p, v, err
}

// wholeTable is how many residents make Names read them all.
const wholeTable = 2000

// all reads the ID of every resident by key.
func (x *TraceIndex) all(ctx context.Context) (map[int64]string, error) {
	out := map[int64]string{}
	return out, pairs(ctx, x.db.reader(), out, "SELECT key, id FROM residents")
}

// pairs reads the rows of a query of two columns into a map.
func pairs[K comparable, V any](ctx context.Context, c q, out map[K]V, query string, args ...any) error {
	r, err := c.query(ctx, query, args...)
	if err != nil {
		return err
	}
	for r.Next() {
		var k K
		var v V
		if err := r.Scan(&k, &v); err != nil {
			r.Close()
			return err
		}
		out[k] = v
	}
	return errors.Join(r.Err(), r.Close())
}

func (x *TraceIndex) ids(ctx context.Context, table string, keys []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(keys))
	const chunk = 500
	for i := 0; i < len(keys); i += chunk {
		part := keys[i:min(i+chunk, len(keys))]
		args := make([]any, len(part))
		for j, k := range part {
			args[j] = k
		}
		err := pairs(ctx, x.db.reader(), out, "SELECT key, id FROM "+table+" WHERE key IN (?"+strings.Repeat(", ?", len(part)-1)+")", args...)
		if err != nil {
			return nil, err
		}
	}
	for _, k := range keys {
		if _, ok := out[k]; !ok {
			return nil, errs.E(errs.Internal, "sqlstore: no %s with key %d", noun[table], k)
		}
	}
	return out, nil
}
