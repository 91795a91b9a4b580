package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
)

// sqliteSink writes visits into per-day tables visits_YYYYMMDD, listed in
// visit_days. IDs come from the sequences table, one read and one write per
// transaction; SQLite's single writer keeps them unique.
//
// A bulk load buffers rows per day and writes a day's buffer sorted by
// (place, check_in), numbering the rows in that order: the table and its
// place index then grow by appending, and only the person index of a new day
// needs a sort, done whole at the end. The writing runs on a goroutine of
// its own, so that decoding the next rows overlaps with SQLite's work.
type sqliteSink struct {
	db   *DB
	c    q
	bulk bool

	// Owned by the caller's goroutine.
	bufs map[int64][]visitRow
	lru  []int64 // days with buffered rows, least recently added to first

	// Owned by the writer (the caller's goroutine when not bulk).
	next    int64 // next ID; 0 until read
	batches map[string]*batch
	made    []string
	ranges  map[string][2]int64 // IDs given per day: [first, last]
	ids     []int64

	jobs chan func() error
	done chan struct{}
	mu   sync.Mutex
	err  error // the writer's first error
}

const (
	// maxOpenDays is how many days a bulk load buffers at once; a file in
	// check-in order has one or two open.
	maxOpenDays = 3
	// maxDayRows bounds one day's buffer (32 bytes a row).
	maxDayRows = 1 << 20
)

func newSQLiteSink(db *DB, c q, bulk bool) *sqliteSink {
	s := &sqliteSink{db: db, c: c, bulk: bulk, bufs: map[int64][]visitRow{}, batches: map[string]*batch{}, ranges: map[string][2]int64{}}
	if bulk {
		s.jobs = make(chan func() error, 4)
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
	if dayName(day) == "" {
		return outsideDays
	}
	rows, open := s.bufs[day]
	s.bufs[day] = append(rows, r)
	if !s.bulk {
		return nil // written at finish, in the order added
	}
	if !open {
		s.lru = append(s.lru, day)
		if len(s.lru) > maxOpenDays {
			if err := s.flush(ctx, s.lru[0]); err != nil {
				return err
			}
		}
	} else if s.lru[len(s.lru)-1] != day {
		i := slices.Index(s.lru, day)
		s.lru = append(slices.Delete(s.lru, i, i+1), day)
	}
	if len(s.bufs[day]) >= maxDayRows {
		return s.flush(ctx, day)
	}
	return nil
}

// flush hands a day's buffered rows to the writer.
func (s *sqliteSink) flush(ctx context.Context, day int64) error {
	rows := s.bufs[day]
	delete(s.bufs, day)
	if i := slices.Index(s.lru, day); i >= 0 {
		s.lru = slices.Delete(s.lru, i, i+1)
	}
	return s.submit(func() error { return s.write(ctx, dayName(day), rows) })
}

// write inserts one day's rows, giving them IDs; it runs on the writer.
func (s *sqliteSink) write(ctx context.Context, day string, rows []visitRow) error {
	if s.next == 0 {
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
		s.batches[day] = b
	}
	if s.bulk {
		slices.SortFunc(rows, func(a, b visitRow) int {
			return cmp.Or(cmp.Compare(a.place, b.place), cmp.Compare(a.in, b.in))
		})
	}
	if len(rows) > 0 {
		rg, ok := s.ranges[day]
		if !ok {
			rg[0] = s.next
		}
		rg[1] = s.next + int64(len(rows)) - 1
		s.ranges[day] = rg
	}
	for _, r := range rows {
		id := s.next
		s.next++
		if !s.bulk {
			s.ids = append(s.ids, id)
		}
		if err := b.add(ctx, "", id, r.person, r.place, r.in, nullMicros(r.out)); err != nil {
			return err
		}
	}
	return b.flush(ctx)
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

func (s *sqliteSink) indexPerson(ctx context.Context, day string) error {
	t := "visits_" + day
	if _, err := s.c.exec(ctx, "CREATE INDEX "+t+"_person ON "+t+" (person, check_in)"); err != nil {
		return fmt.Errorf("sqlstore: index %s: %w", t, err)
	}
	return nil
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
	if s.next == 0 {
		return nil
	}
	// Visit(id) looks in the days whose range holds the ID.
	for day, rg := range s.ranges {
		_, err := s.c.exec(ctx, "UPDATE visit_days SET min_id = min(coalesce(min_id, ?), ?), max_id = max(coalesce(max_id, ?), ?) WHERE day = ?",
			rg[0], rg[0], rg[1], rg[1], day)
		if err != nil {
			return err
		}
	}
	_, err := s.c.exec(ctx, "UPDATE sequences SET next = ? WHERE name = 'visits'", s.next)
	return err
}

func (s *sqliteSink) lastIDs() []int64 {
	ids := s.ids
	s.ids = nil
	return ids
}

func (s *sqliteSink) committed() { s.db.addDays(s.made) }

// nullMicros binds a microsecond instant, 0 as NULL.
func nullMicros(us int64) any {
	if us == 0 {
		return nil
	}
	return us
}
