package sqlstore

import (
	"context"
	"errors"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/record"
	"outbreak/internal/visit"
)

var _ visit.Store = (*DB)(nil)

// A visit row as stored: residents and places by integer key, instants in
// microseconds since the epoch (out -1 = no check-out; stored check-ins are
// from 1970 on, so a check-out is never negative). 32 bytes, since a bulk
// load holds millions of them.
type visitRow struct {
	person, place, in, out int64
}

const microsPerDay = 86400 * 1_000_000

// dayNum returns the day (since the epoch, UTC) of an instant in microseconds.
func dayNum(us int64) int64 {
	d := us / microsPerDay
	if us < 0 && us%microsPerDay != 0 {
		d--
	}
	return d
}

// lastDay is 9999-12-31, the last day a partition can hold.
const lastDay = 2932896

// dayName names the partition of a day: its UTC date as YYYYMMDD, or "" for
// a day outside the years 1970–9999, which no partition holds.
func dayName(d int64) string {
	if d < 0 || d > lastDay {
		return ""
	}
	return time.Unix(d*86400, 0).UTC().Format("20060102")
}

// outsideDays is the error for a check-in that no partition can hold.
var outsideDays = errs.Field("check_in", "outside the years 1970–9999")

// dayStart returns the first instant of a partition's day.
func dayStart(day string) time.Time {
	t, _ := time.Parse("20060102", day)
	return t
}

// resolve finds the keys of a validated visit's person and place.
func (db *DB) resolve(ctx context.Context, c q, v *visit.Visit, misses *int) (visitRow, error) {
	person, err := db.keys.lookup(ctx, c, "residents", "person", v.Person, misses)
	if err != nil {
		return visitRow{}, err
	}
	place, err := db.keys.lookup(ctx, c, "places", "place", v.Place, misses)
	if err != nil {
		return visitRow{}, err
	}
	r := visitRow{person: person, place: place, in: v.CheckIn.UnixMicro(), out: -1}
	if !v.CheckOut.IsZero() {
		r.out = v.CheckOut.UnixMicro()
	}
	return r, nil
}

// ImportVisits appends visits in one transaction. Days that have no
// partition yet are loaded unindexed and indexed whole at the end, which is
// what makes a bulk import fast.
func (db *DB) ImportVisits(ctx context.Context, items iter.Seq[visit.Visit], reject record.Reject) (int, error) {
	var sink visitSink
	n, err := bulk(ctx, db, items, reject, func(tx *wtx) (func(*visit.Visit) error, func() error, func()) {
		sink = db.newSink(tx, true)
		misses := 0
		add := func(v *visit.Visit) error {
			row, err := db.resolve(ctx, tx, v, &misses)
			if err != nil {
				return err
			}
			return sink.add(ctx, row)
		}
		return add, func() error { return sink.finish(ctx) }, sink.stop
	})
	if err == nil {
		sink.committed()
		n -= sink.skipped()
	}
	return n, err
}

// AddVisit stores one check-in once it is durable; concurrent calls share a
// transaction and its commit. A visit stored already is returned as stored.
func (db *DB) AddVisit(ctx context.Context, v visit.Visit) (visit.Visit, bool, error) {
	return db.visits.add(ctx, v)
}

// storedVisit returns the ID and check-out (-1: none) of the stored visit
// with a row's person, place and check-in, within a transaction; id is 0
// when there is none.
func (db *DB) storedVisit(ctx context.Context, c q, r visitRow) (id, out int64, err error) {
	day := dayName(dayNum(r.in))
	if !db.hasDay(day) {
		if _, err := db.loadDays(ctx); err != nil || !db.hasDay(day) {
			return 0, 0, err // no partition, so no visit of the day
		}
	}
	var rs rows
	if db.pg {
		rs, err = c.query(ctx, "SELECT id, coalesce((extract(epoch FROM check_out) * 1000000)::bigint, -1) FROM visits "+
			"WHERE person = ? AND check_in = ? AND place = ? LIMIT 1", r.person, time.UnixMicro(r.in).UTC(), r.place)
	} else {
		rs, err = c.query(ctx, "SELECT id, coalesce(check_out, -1) FROM visits_"+day+" WHERE person = ? AND check_in = ? AND place = ? LIMIT 1",
			r.person, r.in, r.place)
	}
	if err != nil {
		return 0, 0, err
	}
	defer rs.Close()
	if rs.Next() {
		err = rs.Scan(&id, &out)
	}
	return id, out, errors.Join(err, rs.Err())
}

// visitSink writes visit rows into day partitions within one transaction.
type visitSink interface {
	// add writes one row, giving it the next ID.
	add(ctx context.Context, r visitRow) error
	// finish writes what is buffered, indexes new partitions and saves the ID counter.
	finish(ctx context.Context) error
	// lastIDs returns the IDs given since the previous call, in order of add.
	lastIDs() []int64
	// skipped returns how many rows were left out as stored already (the
	// same person, place and check-in), once finish has returned.
	skipped() int
	// committed records the partitions made, once the transaction has committed.
	committed()
	// stop releases what the sink holds when the transaction ends without finish.
	stop()
}

func (db *DB) newSink(tx *wtx, bulk bool) visitSink {
	if db.pg {
		return newPGSink(db, tx, bulk)
	}
	return newSQLiteSink(db, tx, bulk)
}

// hasDay reports whether a day's partition is known to exist.
func (db *DB) hasDay(day string) bool {
	db.daysMu.Lock()
	defer db.daysMu.Unlock()
	return db.days[day]
}

func (db *DB) addDays(days []string) {
	db.daysMu.Lock()
	defer db.daysMu.Unlock()
	for _, d := range days {
		db.days[d] = true
	}
}

// loadDays reads which partitions exist.
func (db *DB) loadDays(ctx context.Context) ([]string, error) {
	query := "SELECT day FROM visit_days ORDER BY day"
	if db.pg {
		query = `SELECT substr(c.relname, 8) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
			WHERE i.inhparent = 'visits'::regclass AND c.relkind = 'r' ORDER BY 1`
	}
	days, err := texts(ctx, db.reader(), query)
	if err == nil {
		db.addDays(days)
	}
	return days, err
}

// daysHolding returns the SQLite partitions whose ID range holds id, newest first.
func (db *DB) daysHolding(ctx context.Context, id int64) ([]string, error) {
	return texts(ctx, db.reader(), "SELECT day FROM visit_days WHERE ? BETWEEN min_id AND max_id ORDER BY day DESC", id)
}

// texts returns the one text column of a query's rows.
func texts(ctx context.Context, c q, query string, args ...any) ([]string, error) {
	r, err := c.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []string
	for r.Next() {
		var s string
		if err := r.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, r.Err()
}

const visitSelect = "SELECT v.id, r.id, p.id, v.check_in, v.check_out FROM %s v JOIN residents r ON r.key = v.person JOIN places p ON p.key = v.place"

func scanVisit(r rows) (visit.Visit, error) {
	var v visit.Visit
	var id int64
	err := r.Scan(&id, &v.Person, &v.Place, instant{&v.CheckIn}, instant{&v.CheckOut})
	v.ID = itoa(id)
	return v, err
}

// Visit returns one visit.
func (db *DB) Visit(ctx context.Context, id string) (visit.Visit, error) {
	n, err := intID("visit", id)
	if err != nil {
		return visit.Visit{}, err
	}
	if db.pg {
		return get(ctx, db.reader(), "visit", id, strings.Replace(visitSelect, "%s", "visits", 1)+" WHERE v.id = ?", scanVisit, n)
	}
	days, err := db.daysHolding(ctx, n)
	if err != nil {
		return visit.Visit{}, err
	}
	for _, day := range days {
		v, err := get(ctx, db.reader(), "visit", id, strings.Replace(visitSelect, "%s", "visits_"+day, 1)+" WHERE v.id = ?", scanVisit, n)
		if !errs.Is(err, errs.NotFound) {
			return v, err
		}
	}
	return visit.Visit{}, notFound("visit", id)
}

// Visits lists visits day by day (the UTC day of check-in) and, within a day,
// by ID. The cursor is the day and the last ID. It is not a change feed: the
// committer gives IDs from a reserved block, so a check-in stored while a
// client pages may fall below its cursor.
func (db *DB) Visits(ctx context.Context, f visit.Filter) ([]visit.Visit, string, error) {
	afterDay, afterID := "", int64(0)
	if f.After != "" {
		s, err := parseIDCursor(f.After)
		d, n, ok := strings.Cut(s, ":")
		id, err2 := strconv.ParseInt(n, 10, 64)
		if err != nil || !ok || err2 != nil || len(d) != 8 {
			return nil, "", badCursor
		}
		afterDay, afterID = d, id
	}
	var base where
	c := db.reader()
	for _, ref := range []struct{ table, field, id, col string }{{"residents", "person", f.Person, "v.person"}, {"places", "place", f.Place, "v.place"}} {
		if ref.id == "" {
			continue
		}
		key, err := db.keys.lookup(ctx, c, ref.table, ref.field, ref.id, nil)
		if errs.Is(err, errs.Invalid) {
			return []visit.Visit{}, "", nil // no such person or place: no visits
		}
		if err != nil {
			return nil, "", err
		}
		base.add(ref.col+" = ?", key)
	}
	if !f.From.IsZero() {
		base.add("v.check_in >= ?", db.ts(f.From))
	}
	if !f.To.IsZero() {
		base.add("v.check_in < ?", db.ts(f.To))
	}
	days, err := db.loadDays(ctx)
	if err != nil {
		return nil, "", err
	}
	limit := f.Size()
	out := []visit.Visit{}
	next := ""
	for _, day := range days {
		if day < afterDay || (!f.From.IsZero() && dayStart(day).AddDate(0, 0, 1).Compare(f.From) <= 0) ||
			(!f.To.IsZero() && !dayStart(day).Before(f.To)) {
			continue
		}
		w := where{conds: slices.Clone(base.conds), args: slices.Clone(base.args)}
		if day == afterDay {
			w.add("v.id > ?", afterID)
		}
		table := "visits_" + day
		if db.pg {
			table = "visits" // the day's bounds prune the other partitions
			w.add("v.check_in >= ? AND v.check_in < ?", dayStart(day), dayStart(day).AddDate(0, 0, 1))
		}
		query := strings.Replace(visitSelect, "%s", table, 1) + w.String() + " ORDER BY v.id LIMIT ?"
		items, more, err := list(ctx, c, query, w.args, limit-len(out), scanVisit, func(v visit.Visit) string { return v.ID })
		if err != nil {
			return nil, "", err
		}
		out = append(out, items...)
		if more != "" || len(out) == limit {
			if more != "" || day != days[len(days)-1] {
				next = idCursor(day + ":" + out[len(out)-1].ID)
			}
			break
		}
	}
	return out, next, nil
}

// CheckOut sets the check-out of a visit that has none.
func (db *DB) CheckOut(ctx context.Context, id string, at time.Time) (visit.Visit, error) {
	if at.IsZero() {
		return visit.Visit{}, errs.Field("at", "required")
	}
	v, err := db.Visit(ctx, id)
	if err != nil {
		return v, err
	}
	if !v.CheckOut.IsZero() {
		return v, errs.E(errs.Conflict, "visit %s already checked out at %s", id, record.FormatTime(v.CheckOut))
	}
	v.CheckOut = at
	if err := v.Validate(); err != nil {
		return v, err
	}
	table := "visits_" + dayName(dayNum(v.CheckIn.UnixMicro()))
	if db.pg {
		table = "visits"
	}
	n, _ := intID("visit", id)
	spans := daySpans{}
	spans.note(visitRow{in: v.CheckIn.UnixMicro(), out: v.CheckOut.UnixMicro()})
	err = db.tx(ctx, func(tx *wtx) error {
		changed, err := tx.exec(ctx, "UPDATE "+table+" SET check_out = ? WHERE id = ? AND check_in = ? AND check_out IS NULL",
			db.ts(v.CheckOut), n, db.ts(v.CheckIn))
		if err == nil && changed == 0 {
			err = errs.E(errs.Conflict, "visit %s was checked out meanwhile", id)
		}
		if err != nil {
			return err
		}
		tx.visits(dayName(dayNum(v.CheckIn.UnixMicro())), n, n)
		return db.saveSpans(ctx, tx, spans)
	})
	if err == nil {
		db.spansCommitted(spans)
	}
	return v, err
}
