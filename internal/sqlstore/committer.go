package sqlstore

import (
	"context"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/visit"
)

// committer writes single check-ins with group commit: one goroutine takes
// every request that is waiting, writes them in one transaction and answers
// each once the commit is durable. Under load a commit carries many
// check-ins; alone, a check-in waits for no one.
type committer struct {
	db   *DB
	reqs chan *checkIn
	quit chan struct{}
	done chan struct{}
}

type checkIn struct {
	ctx     context.Context
	v       visit.Visit
	created bool
	err     error
	reply   chan struct{}
}

// maxGroup bounds the check-ins in one transaction.
const maxGroup = 512

// lingerFor is how long a group waits for more check-ins after its first.
// Without it, at 2,000 check-ins/s most commits carry one check-in and the
// write-ahead log grows by 40 MB/s, whose checkpoints then stall commits.
const lingerFor = 500 * time.Microsecond

func newCommitter(db *DB) *committer {
	c := &committer{db: db, reqs: make(chan *checkIn), quit: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c
}

func (c *committer) add(ctx context.Context, v visit.Visit) (visit.Visit, bool, error) {
	r := &checkIn{ctx: ctx, v: v, reply: make(chan struct{})}
	select {
	case c.reqs <- r:
	case <-c.quit:
		return v, false, errs.E(errs.Unavailable, "the store is closing")
	case <-ctx.Done():
		return v, false, errs.Wrap(errs.Unavailable, ctx.Err(), "check-in not taken")
	}
	<-r.reply // once taken, a check-in is answered even if ctx ends: it may be committed
	return r.v, r.created, r.err
}

// stop finishes the group in progress and stops taking check-ins.
func (c *committer) stop() {
	close(c.quit)
	<-c.done
}

func (c *committer) loop() {
	defer close(c.done)
	group := make([]*checkIn, 0, maxGroup)
	linger := time.NewTimer(0)
	for {
		select {
		case r := <-c.reqs:
			group = append(group[:0], r)
		case <-c.quit:
			return
		}
		linger.Reset(lingerFor)
	more:
		for len(group) < maxGroup {
			select {
			case r := <-c.reqs:
				group = append(group, r)
			case <-linger.C:
				break more
			}
		}
		c.commit(group)
	}
}

// commit writes a group in one transaction. A check-in that is invalid gets
// its own error and does not hold the others back. One stored already, in
// an earlier transaction or earlier in the group, is left out by the day's
// unique index; it gets the stored visit.
func (c *committer) commit(group []*checkIn) {
	ctx := context.Background()
	var sink visitSink
	var written []*checkIn
	err := c.db.tx(ctx, func(tx *wtx) error {
		sink = c.db.newSink(tx, false)
		written = written[:0]
		var rows []visitRow
		for _, r := range group {
			if r.ctx.Err() != nil {
				r.err = r.ctx.Err()
				continue
			}
			err := r.v.Validate()
			var row visitRow
			if err == nil {
				row, err = c.db.resolve(ctx, tx, &r.v, nil)
			}
			if err == nil {
				err = sink.add(ctx, row)
			}
			if errs.Is(err, errs.Invalid) {
				r.err = err
				continue
			}
			if err != nil {
				return err
			}
			written, rows = append(written, r), append(rows, row)
		}
		if err := sink.finish(ctx); err != nil {
			return err
		}
		ids := sink.lastIDs()
		for i, r := range written {
			r.v.ID, r.created = itoa(ids[i]), true
		}
		if sink.skipped() == 0 {
			return nil
		}
		for i, r := range written {
			id, out, err := c.db.storedVisit(ctx, tx, rows[i])
			if err != nil {
				return err
			}
			if id != ids[i] {
				r.v.ID, r.created, r.v.CheckOut = itoa(id), false, time.Time{}
				if out >= 0 {
					r.v.CheckOut = time.UnixMicro(out).UTC()
				}
			}
		}
		return nil
	})
	if err == nil {
		sink.committed()
	}
	for _, r := range group {
		if err != nil && r.err == nil {
			r.err = err
		}
		close(r.reply)
	}
}
