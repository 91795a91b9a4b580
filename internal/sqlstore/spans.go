package sqlstore

import (
	"context"
	"sync"
)

// daySpans is the longest checked-out visit per day of check-in (day number
// → microseconds) among the rows a sink writes; a day whose visits have no
// check-out is there with 0. Tracing reads the saved spans (visit_spans) to
// know how far before an interval a visit that reaches into it can begin.
type daySpans map[int64]int64

func (s daySpans) note(r visitRow) {
	n := int64(0)
	if r.out >= 0 {
		n = r.out - r.in
	}
	if cur, ok := s[dayNum(r.in)]; !ok || n > cur {
		s[dayNum(r.in)] = n
	}
}

// spanCache is what this process knows visit_spans to hold, so that a
// check-in writes the table only when it makes a day's span longer.
type spanCache struct {
	mu sync.Mutex
	m  map[int64]int64
}

// save writes the spans that lengthen what visit_spans holds, in the
// caller's transaction; the cache learns them once that commits.
func (db *DB) saveSpans(ctx context.Context, c q, s daySpans) error {
	greatest := "max"
	if db.pg {
		greatest = "greatest"
	}
	for day, n := range s {
		db.spans.mu.Lock()
		cur, ok := db.spans.m[day]
		db.spans.mu.Unlock()
		if ok && cur >= n {
			delete(s, day)
			continue
		}
		_, err := c.exec(ctx, "INSERT INTO visit_spans (day, max_len) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET max_len = "+
			greatest+"(visit_spans.max_len, excluded.max_len)", dayName(day), n)
		if err != nil {
			return err
		}
	}
	return nil
}

// spansCommitted records spans that a committed transaction saved.
func (db *DB) spansCommitted(s daySpans) {
	db.spans.mu.Lock()
	defer db.spans.mu.Unlock()
	for day, n := range s {
		db.spans.m[day] = max(db.spans.m[day], n)
	}
}
