package sqlstore

import (
	"context"
	"fmt"

	"outbreak/internal/errs"
)

// sqliteSink writes visits into per-day tables visits_YYYYMMDD, listed in
// visit_days. IDs come from the sequences table, one read and one write per
// transaction; SQLite's single writer keeps them unique.
type sqliteSink struct {
	db      *DB
	c       q
	bulk    bool
	next    int64 // next ID; 0 until read
	batches map[string]*batch
	fresh   []string // tables made in this transaction and left unindexed until finish
	made    []string
	ids     []int64
}

func newSQLiteSink(db *DB, c q, bulk bool) *sqliteSink {
	return &sqliteSink{db: db, c: c, bulk: bulk, batches: map[string]*batch{}}
}

func (s *sqliteSink) add(ctx context.Context, r visitRow) error {
	if s.next == 0 {
		if err := one(ctx, s.c, "sequence", "SELECT next FROM sequences WHERE name = 'visits'", nil, &s.next); err != nil {
			return err
		}
	}
	day := dayOf(r.in)
	b := s.batches[day]
	if b == nil {
		if err := s.ensure(ctx, day); err != nil {
			return err
		}
		b = newBatch(s.c, "visits_"+day, "id, person, place, check_in, check_out", "")
		s.batches[day] = b
	}
	id := s.next
	s.next++
	s.ids = append(s.ids, id)
	return b.add(ctx, "", id, r.person, r.place, s.db.ts(r.in), s.db.ts(r.out))
}

// ensure makes the day's table if it does not exist; a bulk load leaves a
// new table unindexed until finish.
func (s *sqliteSink) ensure(ctx context.Context, day string) error {
	if s.db.hasDay(day) {
		return nil
	}
	var n int
	if err := one(ctx, s.c, "day", "SELECT count(*) FROM visit_days WHERE day = ?", []any{day}, &n); err != nil || n > 0 {
		return err // another process made it
	}
	if len(day) != 8 || day < "19700101" || day > "99991231" {
		return errs.Field("check_in", "outside the years 1970–9999")
	}
	t := "visits_" + day
	if _, err := s.c.exec(ctx, "CREATE TABLE "+t+" (id INTEGER PRIMARY KEY, person INTEGER NOT NULL, place INTEGER NOT NULL, check_in INTEGER NOT NULL, check_out INTEGER)"); err != nil {
		return fmt.Errorf("sqlstore: make %s: %w", t, err)
	}
	if _, err := s.c.exec(ctx, "INSERT INTO visit_days (day) VALUES (?)", day); err != nil {
		return err
	}
	s.made = append(s.made, day)
	if s.bulk {
		s.fresh = append(s.fresh, day)
		return nil
	}
	return s.index(ctx, day)
}

func (s *sqliteSink) index(ctx context.Context, day string) error {
	t := "visits_" + day
	for _, stmt := range []string{
		"CREATE INDEX " + t + "_place ON " + t + " (place, check_in)",
		"CREATE INDEX " + t + "_person ON " + t + " (person, check_in)",
	} {
		if _, err := s.c.exec(ctx, stmt); err != nil {
			return fmt.Errorf("sqlstore: index %s: %w", t, err)
		}
	}
	return nil
}

func (s *sqliteSink) finish(ctx context.Context) error {
	for _, b := range s.batches {
		if err := b.flush(ctx); err != nil {
			return err
		}
	}
	for _, day := range s.fresh {
		if err := s.index(ctx, day); err != nil {
			return err
		}
	}
	if s.next == 0 {
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

func (s *sqliteSink) committed() { s.db.addDays(s.made) }
