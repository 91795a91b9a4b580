package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// pgBlock is how many visit IDs one value of the visit_blocks sequence gives.
const pgBlock = 1024

// pgFlush is how many rows of one day a bulk load buffers before a COPY.
const pgFlush = 20000

// pgSink writes visits into the day partitions of the visits table with
// COPY. In a bulk load, a day that has no partition is made as a plain table,
// filled, and attached at the end, so that its indexes are built whole.
type pgSink struct {
	db         *DB
	tx         pgx.Tx
	c          q
	w          *wtx // notes the IDs written, for the feed
	bulk       bool
	next, last int64 // IDs left in the current block: [next, last)
	bufs       map[string][]pgRow
	fresh      []string
	made       []string
	known      map[string]bool
	ids        []int64 // given since lastIDs, when not bulk
	// The day of the last row, so that most rows skip formatting its name.
	lastDay  int64
	lastName string
	spans    daySpans
	staged   bool  // the staging table of this transaction is made
	left     int64 // rows left out as stored already
}

// pgRow is a visit row with its ID, as a COPY sends it.
type pgRow struct {
	id int64
	visitRow
}

func newPGSink(db *DB, w *wtx, bulk bool) *pgSink {
	c := w.q.(pgQ)
	return &pgSink{db: db, tx: c.tx, c: c, w: w, bulk: bulk, bufs: map[string][]pgRow{}, known: map[string]bool{}, lastDay: -1, spans: daySpans{}}
}

func (s *pgSink) add(ctx context.Context, r visitRow) error {
	if s.next == s.last {
		var block int64
		if err := one(ctx, s.c, "sequence", "SELECT nextval('visit_blocks')", nil, &block); err != nil {
			return err
		}
		s.next, s.last = block*pgBlock, (block+1)*pgBlock
	}
	if d := dayNum(r.in); d != s.lastDay {
		s.lastDay, s.lastName = d, dayName(d)
	}
	day := s.lastName
	if day == "" {
		return outsideDays
	}
	if !s.known[day] {
		if err := s.ensure(ctx, day); err != nil {
			return err
		}
		s.known[day] = true
	}
	s.spans.note(r)
	id := s.next
	s.next++
	s.w.visits(day, id, id)
	if !s.bulk {
		s.ids = append(s.ids, id)
	}
	s.bufs[day] = append(s.bufs[day], pgRow{id, r})
	if len(s.bufs[day]) >= pgFlush {
		return s.flush(ctx, day)
	}
	return nil
}

func bounds(day string) (from, to string) {
	t := dayStart(day)
	return t.Format(time.RFC3339), t.AddDate(0, 0, 1).Format(time.RFC3339)
}

// ensure makes the day's partition if it does not exist: a plain table with
// a CHECK on the day, attached now for a check-in and at finish for a bulk
// load. Attaching takes a weaker lock on visits than CREATE TABLE … PARTITION
// OF, so readers of visits do not queue behind a new day; the CHECK spares the
// attach a scan. An advisory lock per day makes transactions that need the
// same new day take turns: the later ones find it made.
func (s *pgSink) ensure(ctx context.Context, day string) error {
	if s.db.hasDay(day) {
		return nil
	}
	t := "visits_" + day
	if _, err := s.c.exec(ctx, "SELECT pg_advisory_xact_lock(hashtext(?))", t); err != nil {
		return err
	}
	var exists bool
	if err := one(ctx, s.c, "partition", "SELECT to_regclass(?) IS NOT NULL", []any{t}, &exists); err != nil || exists {
		return err
	}
	from, to := bounds(day)
	stmt := fmt.Sprintf("CREATE TABLE %s (LIKE visits, CONSTRAINT %s_day CHECK (check_in >= '%s' AND check_in < '%s'))", t, t, from, to)
	if _, err := s.c.exec(ctx, stmt); err != nil {
		return fmt.Errorf("sqlstore: make %s: %w", t, err)
	}
	s.made = append(s.made, day)
	if s.bulk {
		s.fresh = append(s.fresh, day)
		return nil
	}
	return s.attach(ctx, day)
}

// attach makes a day's table a partition of visits, which builds the
// parent's indexes on it, whole.
func (s *pgSink) attach(ctx context.Context, day string) error {
	from, to := bounds(day)
	stmt := fmt.Sprintf("ALTER TABLE visits ATTACH PARTITION visits_%s FOR VALUES FROM ('%s') TO ('%s')", day, from, to)
	if _, err := s.c.exec(ctx, stmt); err != nil {
		return fmt.Errorf("sqlstore: attach visits_%s: %w", day, err)
	}
	return nil
}

var visitColumns = []string{"id", "person", "place", "check_in", "check_out"}

// flush writes a day's buffered rows. A day this load made is not a
// partition yet and has no index: COPY fills it, and finish leaves out the
// visits written twice. Into a partition, rows go through INSERT … ON
// CONFLICT DO NOTHING, which leaves out a visit stored already (its
// person, place and check-in, unique per partition): a bulk load's through
// a staging table filled by COPY, a group of check-ins' as one statement.
func (s *pgSink) flush(ctx context.Context, day string) error {
	rows := s.bufs[day]
	if len(rows) == 0 {
		return nil
	}
	defer func() { s.bufs[day] = rows[:0] }()
	t := "visits_" + day
	switch {
	case slices.Contains(s.fresh, day):
		if _, err := s.tx.CopyFrom(ctx, pgx.Identifier{t}, visitColumns, &copyRows{rows: rows}); err != nil {
			return fmt.Errorf("sqlstore: copy into %s: %w", t, err)
		}
	case s.bulk:
		if !s.staged {
			if _, err := s.c.exec(ctx, "CREATE TEMP TABLE visits_stage (LIKE visits) ON COMMIT DROP"); err != nil {
				return err
			}
			s.staged = true
		}
		if _, err := s.tx.CopyFrom(ctx, pgx.Identifier{"visits_stage"}, visitColumns, &copyRows{rows: rows}); err != nil {
			return fmt.Errorf("sqlstore: copy into visits_stage: %w", err)
		}
		n, err := s.c.exec(ctx, "INSERT INTO "+t+" SELECT * FROM visits_stage ON CONFLICT DO NOTHING")
		if err != nil {
			return fmt.Errorf("sqlstore: insert into %s: %w", t, err)
		}
		s.left += int64(len(rows)) - n
		if _, err := s.c.exec(ctx, "TRUNCATE visits_stage"); err != nil {
			return err
		}
	default:
		b := newBatch(s.c, t, "id, person, place, check_in, check_out", "ON CONFLICT DO NOTHING")
		for _, r := range rows {
			if err := b.add(ctx, "", r.id, r.person, r.place, time.UnixMicro(r.in).UTC(), nullTime(r.out)); err != nil {
				return err
			}
		}
		if err := b.flush(ctx); err != nil {
			return err
		}
		s.left += b.skipped
	}
	return nil
}

// nullTime binds a microsecond instant as a time, a negative one as NULL.
func nullTime(us int64) any {
	if us < 0 {
		return nil
	}
	return time.UnixMicro(us).UTC()
}

// skipped returns how many rows the sink left out as stored already.
func (s *pgSink) skipped() int { return int(s.left) }

// indexFresh makes a fresh day's unique index on person, check-in and place
// before it is attached, so that the attach takes it rather than building
// it, and leaves out the visits this load wrote twice into the day.
func (s *pgSink) indexFresh(ctx context.Context, day string) error {
	t := "visits_" + day
	index := "CREATE UNIQUE INDEX " + t + "_person ON " + t + " (person, check_in, place)"
	// An index that fails aborts the transaction; a savepoint keeps it.
	if _, err := s.c.exec(ctx, "SAVEPOINT fresh_index"); err != nil {
		return err
	}
	_, err := s.c.exec(ctx, index)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		if _, err := s.c.exec(ctx, "ROLLBACK TO SAVEPOINT fresh_index"); err != nil {
			return err
		}
		n, err := s.c.exec(ctx, "DELETE FROM "+t+" a USING "+t+" b WHERE a.person = b.person AND a.check_in = b.check_in AND a.place = b.place AND a.id > b.id")
		if err != nil {
			return err
		}
		s.left += n
		_, err = s.c.exec(ctx, index)
		return err
	}
	if err != nil {
		return fmt.Errorf("sqlstore: index %s: %w", t, err)
	}
	_, err = s.c.exec(ctx, "RELEASE SAVEPOINT fresh_index")
	return err
}

// copyRows feeds buffered rows to COPY without a slice of values per row.
type copyRows struct {
	rows []pgRow
	i    int
	vals [5]any
}

func (c *copyRows) Next() bool { c.i++; return c.i <= len(c.rows) }
func (c *copyRows) Err() error { return nil }

func (c *copyRows) Values() ([]any, error) {
	r := c.rows[c.i-1]
	c.vals = [5]any{r.id, r.person, r.place, time.UnixMicro(r.in).UTC(), nil}
	if r.out >= 0 {
		c.vals[4] = time.UnixMicro(r.out).UTC()
	}
	return c.vals[:], nil
}

func (s *pgSink) finish(ctx context.Context) error {
	for day := range s.bufs {
		if err := s.flush(ctx, day); err != nil {
			return err
		}
	}
	for _, day := range s.fresh {
		if err := s.indexFresh(ctx, day); err != nil {
			return err
		}
		if err := s.attach(ctx, day); err != nil {
			return err
		}
	}
	return s.db.saveSpans(ctx, s.c, s.spans)
}

func (s *pgSink) lastIDs() []int64 {
	ids := s.ids
	s.ids = nil
	return ids
}

func (s *pgSink) committed() {
	s.db.addDays(s.made)
	s.db.spansCommitted(s.spans)
}

func (s *pgSink) stop() {}
