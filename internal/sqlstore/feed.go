package sqlstore

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"outbreak/internal/feed"
	"outbreak/internal/record"
)

var _ feed.Reader = (*DB)(nil)

// wtx is a write transaction: the queries it runs and the changes it will
// append to the feed just before it commits.
type wtx struct {
	q
	changes []feed.Change
	// seen holds the (kind, person) pairs already noted without an ID, so
	// that an import of many records of one resident notes the resident
	// once.
	seen map[[2]string]bool
	// runs holds, per day of visits, the ID ranges written or changed.
	runs map[string][]idRun
}

// idRun is a range of consecutive visit IDs, [lo, hi].
type idRun struct{ lo, hi int64 }

// changed notes that the transaction wrote a record of kind: its ID, or ""
// for appended records whose IDs the store makes, and the resident it is
// about.
func (t *wtx) changed(kind, id, person string) {
	if id == "" {
		if t.seen == nil {
			t.seen = map[[2]string]bool{}
		}
		k := [2]string{kind, person}
		if t.seen[k] {
			return
		}
		t.seen[k] = true
	}
	t.changes = append(t.changes, feed.Change{Kind: kind, ID: id, Person: person})
}

// visits notes the visit IDs lo to hi of a day as written or changed,
// joining a range that ends just before lo.
func (t *wtx) visits(day string, lo, hi int64) {
	if t.runs == nil {
		t.runs = map[string][]idRun{}
	}
	rs := t.runs[day]
	if n := len(rs); n > 0 && rs[n-1].hi+1 == lo {
		rs[n-1].hi = hi
	} else {
		rs = append(rs, idRun{lo, hi})
	}
	t.runs[day] = rs
}

// feedRows returns the changes to append, visits first, day by day.
func (t *wtx) feedRows(at time.Time) []feed.Change {
	var out []feed.Change
	days := make([]string, 0, len(t.runs))
	for d := range t.runs {
		days = append(days, d)
	}
	sort.Strings(days)
	for _, d := range days {
		for _, r := range t.runs[d] {
			out = append(out, feed.Change{Kind: "visits", ID: d, Lo: r.lo, Hi: r.hi, At: at})
		}
	}
	for _, c := range t.changes {
		c.At = at
		out = append(out, c)
	}
	return out
}

// feedLock is the advisory lock that PostgreSQL transactions hold from
// appending to the feed until they commit, so that sequences are handed
// out in commit order: a reader that has seen a change has seen every
// change before it. SQLite's single writer does that alone.
const feedLock = 7263

// appendFeed writes the transaction's changes to the feed; it is the last
// thing a transaction does before it commits.
func (db *DB) appendFeed(ctx context.Context, t *wtx) error {
	rows := t.feedRows(record.Instant(db.now()))
	if len(rows) == 0 {
		return nil
	}
	if db.pg {
		if _, err := t.exec(ctx, "SELECT pg_advisory_xact_lock(?)", feedLock); err != nil {
			return err
		}
		if len(rows) > 64 {
			_, err := t.q.(pgQ).tx.CopyFrom(ctx, pgx.Identifier{"changes"}, []string{"kind", "id", "person", "lo", "hi", "at"},
				pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
					c := rows[i]
					return []any{c.Kind, c.ID, nullable(c.Person), nullInt(c.Lo, c.Kind), nullInt(c.Hi, c.Kind), c.At}, nil
				}))
			return err
		}
	}
	b := newBatch(t, "changes", "kind, id, person, lo, hi, at", "")
	for _, c := range rows {
		if err := b.add(ctx, "", c.Kind, c.ID, nullable(c.Person), nullInt(c.Lo, c.Kind), nullInt(c.Hi, c.Kind), db.ts(c.At)); err != nil {
			return err
		}
	}
	return b.flush(ctx)
}

// nullInt binds the ID bounds of a range of visits, NULL for other kinds.
func nullInt(n int64, kind string) any {
	if kind != "visits" {
		return nil
	}
	return n
}

// announcer closes a channel at each commit that appended to the feed, for
// the readers of this process.
type announcer struct {
	mu sync.Mutex
	ch chan struct{}
}

func (a *announcer) wait() <-chan struct{} {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ch == nil {
		a.ch = make(chan struct{})
	}
	return a.ch
}

func (a *announcer) announce() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ch != nil {
		close(a.ch)
		a.ch = nil
	}
}

// Changed returns a channel closed when this process next commits a change.
func (db *DB) Changed() <-chan struct{} { return db.news.wait() }

// ChangesSince returns at most limit changes after seq, in order.
func (db *DB) ChangesSince(ctx context.Context, seq int64, limit int) ([]feed.Change, error) {
	r, err := db.reader().query(ctx, "SELECT seq, kind, id, person, lo, hi, at FROM changes WHERE seq > ? ORDER BY seq LIMIT ?", seq, limit)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []feed.Change
	for r.Next() {
		var c feed.Change
		var lo, hi *int64
		if err := r.Scan(&c.Seq, &c.Kind, &c.ID, optText{&c.Person}, &lo, &hi, instant{&c.At}); err != nil {
			return nil, err
		}
		if lo != nil && hi != nil {
			c.Lo, c.Hi = *lo, *hi
		}
		out = append(out, c)
	}
	return out, r.Err()
}

// Head returns the sequence of the last change committed, 0 for none.
func (db *DB) Head(ctx context.Context) (int64, error) {
	var n int64
	err := one(ctx, db.reader(), "feed", "SELECT coalesce(max(seq), 0) FROM changes", nil, &n)
	return n, err
}
