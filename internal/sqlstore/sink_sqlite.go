package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// sqliteSink writes visits into per-day tables visits_YYYYMMDD, listed in
// visit_days with the range of IDs each holds. IDs come from the sequences
// table, which SQLite's single writer keeps unique across processes: a bulk
// load reads it once and writes it once; the committer reserves blocks of
// idBlock IDs so that a commit of a few check-ins seldom writes it, nor the
// day's range.
//
// A bulk load buffers rows per day and writes a day's buffer sorted by
// (place, check_in), numbering the rows in that order: the table and its
// place index then grow by appending, and only the person index of a new day
// needs a sort, done whole at the end. The writing runs on a goroutine of
// its own, so that decoding the next rows overlaps with SQLite's work.
type sqliteSink struct {
	db   *DB
	c    *wtx // also notes the IDs written, for the feed
	bulk bool

	// Owned by the caller's goroutine.
	bufs     map[int64][]idRow
	lru      []int64 // days with buffered rows, least recently added to first
	buffered int     // rows in bufs

	// Owned by the writer (the caller's goroutine when not bulk).
	next    int64 // next ID; 0 until read
	batches map[string]*batch
	made    []string
	ranges  map[string][2]int64 // IDs given per day: [first, last]
	block   [2]int64            // the committer's block of IDs, [next, end)
	dayMax  map[string]int64    // the new ranges' ends, for DB.dayMax
	ids     []int64
	spans   daySpans
	dropped int64 // rows a bulk load wrote twice into a day it made, deleted at finish

	jobs chan func() error
	done chan struct{}
	mu   sync.Mutex
	err  error // the writer's first error
}

// A bulk load buffers at most maxBuffered rows (40 bytes each); past it the
// day added to least recently is written. A file in check-in order has one
// or two days open; a shuffled one spreads the budget over its days. A day
// is written at the latest when it holds maxDayRows, so that the writer gets
// work in steady pieces.
const (
	maxBuffered = 3 << 20
	maxDayRows  = 1 << 20
)

// idRow is a visit row with its ID: given when added for the committer, so
// that each check-in learns its own; given when written, in sorted order,
// for a bulk load.
type idRow struct {
	id int64
	visitRow
}

func newSQLiteSink(db *DB, c *wtx, bulk bool) *sqliteSink {
	s := &sqliteSink{db: db, c: c, bulk: bulk, bufs: map[int64][]idRow{}, batches: map[string]*batch{}, ranges: map[string][2]int64{}, dayMax: map[string]int64{}, spans: daySpans{}}
	if !bulk {
		s.block = db.block
	}
	if bulk {
		s.jobs = make(chan func() error, 2)
		s.done = make(chan struct{})
		go s.writer()
	}
	return s
}

func (s *sqliteSink) writer() {
	defer close(s.done)
	for job := range s.jobs {
		if s.failed() == nil {
			if err := job(); err != nil {
				s.mu.Lock()
				s.err = err
				s.mu.Unlock()
			}
		}
	}
}

func (s *sqliteSink) failed() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// submit runs job on the writer, or here when not bulk.
func (s *sqliteSink) submit(job func() error) error {
	if !s.bulk {
		return job()
	}
	if err := s.failed(); err != nil {
		return err
	}
	s.jobs <- job
	return nil
}

// stop ends the writer; it is safe to call more than once.
func (s *sqliteSink) stop() {
	if s.bulk && s.jobs != nil {
		close(s.jobs)
		<-s.done
		s.jobs = nil
	}
}

func (s *sqliteSink) add(ctx context.Context, r visitRow) error {
	day := dayNum(r.in)
	if day < 0 || day > lastDay {
		return outsideDays
	}
	s.spans.note(r)
	rows, open := s.bufs[day]
	if !s.bulk {
		id, err := s.nextID(ctx)
		if err != nil {
			return err
		}
		s.bufs[day] = append(rows, idRow{id, r})
		return nil // written at finish
	}
	s.bufs[day] = append(rows, idRow{0, r})
	s.buffered++
	if !open {
		s.lru = append(s.lru, day)
	} else if s.lru[len(s.lru)-1] != day {
		i := slices.Index(s.lru, day)
		s.lru = append(slices.Delete(s.lru, i, i+1), day)
	}
	switch {
	case len(s.bufs[day]) >= maxDayRows:
		return s.flush(ctx, day)
	case s.buffered >= maxBuffered:
		return s.flush(ctx, s.lru[0])
	}
	return nil
}

// flush hands a day's buffered rows to the writer.
func (s *sqliteSink) flush(ctx context.Context, day int64) error {
	rows := s.bufs[day]
	delete(s.bufs, day)
	s.buffered -= len(rows)
	if i := slices.Index(s.lru, day); i >= 0 {
		s.lru = slices.Delete(s.lru, i, i+1)
	}
	return s.submit(func() error { return s.write(ctx, dayName(day), rows) })
}

// write inserts one day's rows, giving them IDs; it runs on the writer.
func (s *sqliteSink) write(ctx context.Context, day string, rows []idRow) error {
	if s.bulk && s.next == 0 {
		if err := one(ctx, s.c, "sequence", "SELECT next FROM sequences WHERE name = 'visits'", nil, &s.next); err != nil {
			return err
		}
	}
	b := s.batches[day]
	if b == nil {
		if err := s.ensure(ctx, day); err != nil {
			return err
		}
		b = newBatch(s.c, "visits_"+day, "id, person, place, check_in, check_out", "")
		// A visit stored already (its person, place and check-in) is left
		// out by the day's unique index; a day this load made has that
		// index only at the end, which finish deals with.
		b.head = "INSERT OR IGNORE INTO " + strings.TrimPrefix(b.head, "INSERT INTO ")
		s.batches[day] = b
	}
	if s.bulk {
		slices.SortFunc(rows, func(a, b idRow) int {
			return cmp.Or(cmp.Compare(a.place, b.place), cmp.Compare(a.in, b.in))
		})
	}
	rg, seen := s.ranges[day]
	for i, r := range rows {
		id := r.id
		if s.bulk {
			id = s.next
			s.next++
		}
		if i == 0 && !seen {
			rg[0] = id
		}
		rg[1] = max(rg[1], id)
		if err := b.add(ctx, "", id, r.person, r.place, r.in, nullMicros(r.out)); err != nil {
			return err
		}
		if !s.bulk {
			s.c.visits(day, id, id)
		}
	}
	if s.bulk && len(rows) > 0 {
		s.c.visits(day, s.next-int64(len(rows)), s.next-1)
	}
	s.ranges[day] = rg
	return b.flush(ctx)
}

// idBlock is how many IDs the committer reserves at a time.
const idBlock = 1000

// nextID gives the committer's next visit ID from its block, reserving a
// new block when it runs out.
func (s *sqliteSink) nextID(ctx context.Context) (int64, error) {
	if s.block[0] == s.block[1] {
		var end int64
		if err := one(ctx, s.c, "sequence", "UPDATE sequences SET next = next + ? WHERE name = 'visits' RETURNING next", []any{idBlock}, &end); err != nil {
			return 0, err
		}
		s.block = [2]int64{end - idBlock, end}
	}
	s.block[0]++
	s.ids = append(s.ids, s.block[0]-1)
	return s.block[0] - 1, nil
}

// ensure makes the day's table with its place index if it does not exist;
// the person index of a table made by a bulk load waits for finish.
func (s *sqliteSink) ensure(ctx context.Context, day string) error {
	if s.db.hasDay(day) {
		return nil
	}
	var n int
	if err := one(ctx, s.c, "day", "SELECT count(*) FROM visit_days WHERE day = ?", []any{day}, &n); err != nil || n > 0 {
		return err // another process made it
	}
	t := "visits_" + day
	for _, stmt := range []string{
		"CREATE TABLE " + t + " (id INTEGER PRIMARY KEY, person INTEGER NOT NULL, place INTEGER NOT NULL, check_in INTEGER NOT NULL, check_out INTEGER)",
		"CREATE INDEX " + t + "_place ON " + t + " (place, check_in)",
		"INSERT INTO visit_days (day) VALUES ('" + day + "')",
	} {
		if _, err := s.c.exec(ctx, stmt); err != nil {
			return fmt.Errorf("sqlstore: make %s: %w", t, err)
		}
	}
	s.made = append(s.made, day)
	if !s.bulk {
		return s.indexPerson(ctx, day)
	}
	return nil
}

// indexPerson makes a day's person index, which is unique on a visit's
// person, check-in and place. Visits that a bulk load wrote twice into a
// day it made are left once, the first.
func (s *sqliteSink) indexPerson(ctx context.Context, day string) error {
	t := "visits_" + day
	index := "CREATE UNIQUE INDEX " + t + "_person ON " + t + " (person, check_in, place)"
	_, err := s.c.exec(ctx, index)
	if err != nil && s.bulk && strings.Contains(err.Error(), "UNIQUE constraint failed") {
		var n int64
		n, err = s.c.exec(ctx, "DELETE FROM "+t+" WHERE id NOT IN (SELECT min(id) FROM "+t+" GROUP BY person, check_in, place)")
		s.dropped += n
		if err == nil {
			_, err = s.c.exec(ctx, index)
		}
	}
	if err != nil {
		return fmt.Errorf("sqlstore: index %s: %w", t, err)
	}
	return nil
}

// skipped returns how many rows the sink left out as stored already.
func (s *sqliteSink) skipped() int {
	n := s.dropped
	for _, b := range s.batches {
		n += b.skipped
	}
	return int(n)
}

func (s *sqliteSink) finish(ctx context.Context) error {
	days := make([]int64, 0, len(s.bufs))
	for day := range s.bufs {
		days = append(days, day)
	}
	slices.Sort(days)
	for _, day := range days {
		if err := s.flush(ctx, day); err != nil {
			return err
		}
	}
	s.stop()
	if err := s.failed(); err != nil {
		return err
	}
	if s.bulk {
		for _, day := range s.made {
			if err := s.indexPerson(ctx, day); err != nil {
				return err
			}
		}
	}
	// Visit(id) looks in the days whose range holds the ID. The committer
	// stretches a day's range to the end of its block, so that the next
	// commits of the block need not write it again.
	for day, rg := range s.ranges {
		if !s.bulk {
			if rg[1] < s.db.dayMax[day] {
				continue
			}
			rg[1] = s.block[1] - 1
		}
		_, err := s.c.exec(ctx, "UPDATE visit_days SET min_id = min(coalesce(min_id, ?), ?), max_id = max(coalesce(max_id, ?), ?) WHERE day = ?",
			rg[0], rg[0], rg[1], rg[1], day)
		if err != nil {
			return err
		}
		s.dayMax[day] = rg[1]
	}
	if err := s.db.saveSpans(ctx, s.c, s.spans); err != nil {
		return err
	}
	if !s.bulk || s.next == 0 {
		return nil
	}
	_, err := s.c.exec(ctx, "UPDATE sequences SET next = ? WHERE name = 'visits'", s.next)
	return err
}

func (s *sqliteSink) lastIDs() []int64 {
	ids := s.ids
	s.ids = nil
	return ids
}

// committed records what the committed transaction made: partitions, and
// for the committer its block and the days' ranges. Only the committer
// touches block and dayMax.
func (s *sqliteSink) committed() {
	s.db.addDays(s.made)
	s.db.spansCommitted(s.spans)
	if !s.bulk {
		s.db.block = s.block
		for day, hi := range s.dayMax {
			s.db.dayMax[day] = hi
		}
	}
}

// nullMicros binds a microsecond instant, a negative one as NULL.
func nullMicros(us int64) any {
	if us < 0 {
		return nil
	}
	return us
}
