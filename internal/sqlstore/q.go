package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"outbreak/internal/errs"
)

// q runs queries written once for both dialects, with ? placeholders.
type q interface {
	exec(ctx context.Context, query string, args ...any) (int64, error)
	query(ctx context.Context, query string, args ...any) (rows, error)
}

// rows is what both drivers' result sets have in common.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// sqlQ runs queries on SQLite through database/sql.
type sqlQ struct {
	c interface {
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	}
}

func (s sqlQ) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := s.c.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (s sqlQ) query(ctx context.Context, query string, args ...any) (rows, error) {
	r, err := s.c.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// pgQ runs queries on PostgreSQL through pgx, on a pool or in a transaction.
type pgQ struct {
	c interface {
		Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	}
	tx pgx.Tx // set in a transaction, for COPY
}

func (p pgQ) exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := p.c.Exec(ctx, rebind(query), args...)
	return tag.RowsAffected(), err
}

func (p pgQ) query(ctx context.Context, query string, args ...any) (rows, error) {
	r, err := p.c.Query(ctx, rebind(query), args...)
	if err != nil {
		return nil, err
	}
	return pgRows{r}, nil
}

// pgRows gives pgx's rows the Close of database/sql's.
type pgRows struct{ pgx.Rows }

func (r pgRows) Close() error {
	r.Rows.Close()
	return r.Rows.Err()
}

var rebound sync.Map // query with ? → query with $n

// rebind turns ? placeholders into PostgreSQL's $1, $2, …
func rebind(query string) string {
	if s, ok := rebound.Load(query); ok {
		return s.(string)
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	s := b.String()
	rebound.Store(query, s)
	return s
}

// reader returns a q for reads that need no transaction.
func (db *DB) reader() q {
	if db.pg {
		return pgQ{c: db.pool}
	}
	return sqlQ{c: db.r}
}

// tx runs fn in a write transaction and commits it when fn returns nil and
// ctx is not cancelled, after appending to the feed the changes fn noted;
// otherwise it rolls back and returns the error (or the cause of the
// cancellation).
func (db *DB) tx(ctx context.Context, fn func(tx *wtx) error) error {
	var err error
	var t *wtx
	if db.pg {
		err = db.pgTx(ctx, func(c pgQ) error {
			t = &wtx{q: c}
			return db.body(ctx, t, fn)
		})
	} else {
		err = db.liteTx(ctx, func(c sqlQ) error {
			t = &wtx{q: c}
			return db.body(ctx, t, fn)
		})
	}
	if err == nil && t != nil && (len(t.changes) > 0 || len(t.runs) > 0) {
		db.news.announce()
	}
	return err
}

// body runs fn and appends its changes to the feed, unless fn failed or ctx
// was cancelled meanwhile.
func (db *DB) body(ctx context.Context, t *wtx, fn func(tx *wtx) error) error {
	if err := fn(t); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return db.appendFeed(ctx, t)
}

func (db *DB) pgTx(ctx context.Context, fn func(c pgQ) error) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return db.mapErr(fmt.Errorf("sqlstore: begin: %w", err))
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := fn(pgQ{c: tx, tx: tx}); err != nil {
		return db.mapErr(err)
	}
	return db.mapErr(tx.Commit(ctx))
}

func (db *DB) liteTx(ctx context.Context, fn func(c sqlQ) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return db.mapErr(fmt.Errorf("sqlstore: begin: %w", err))
	}
	defer tx.Rollback()
	if err := fn(sqlQ{c: tx}); err != nil {
		return db.mapErr(err)
	}
	return db.mapErr(tx.Commit())
}

// mapErr turns driver errors into errs kinds at the store's boundary.
func (db *DB) mapErr(err error) error {
	if err == nil {
		return nil
	}
	var e *errs.Error
	if errors.As(err, &e) {
		return err // already has a kind
	}
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, pgx.ErrNoRows) {
		return errs.Wrap(errs.NotFound, err, "not found")
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" || strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return errs.Wrap(errs.Conflict, err, "already exists")
	}
	// A deadlock or a serialization failure: PostgreSQL rolled back one of
	// two transactions that took rows in different orders (a dispatch and
	// a stock import, say). The transaction applied nothing; a retry works.
	if errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001") {
		return errs.Wrap(errs.Unavailable, err, "the database stopped this change to let a concurrent one finish; try again")
	}
	// SQLITE_BUSY and SQLITE_LOCKED: another process (a large import) has
	// held the database's one writer past busy_timeout. Worth a retry.
	var se interface{ Code() int }
	if errors.As(err, &se) && (se.Code()&0xff == 5 || se.Code()&0xff == 6) {
		return errs.Wrap(errs.Unavailable, err, "the database is busy with another writer; try again")
	}
	return err
}

// ts converts an instant for binding: microseconds for SQLite, time.Time for
// PostgreSQL, NULL for the zero time.
func (db *DB) ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	if db.pg {
		return t.UTC()
	}
	return t.UnixMicro()
}

// instant scans an instant of either dialect; NULL gives the zero time.
type instant struct{ t *time.Time }

// Scan implements sql.Scanner.
func (i instant) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*i.t = time.Time{}
	case int64:
		*i.t = time.UnixMicro(v).UTC()
	case time.Time:
		*i.t = v.UTC()
	default:
		return fmt.Errorf("sqlstore: cannot scan %T as an instant", v)
	}
	return nil
}

// one runs a query expected to return one row and scans it; no row gives a
// NotFound error saying what was looked for.
func one(ctx context.Context, c q, what string, query string, args []any, dest ...any) error {
	r, err := c.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer r.Close()
	if !r.Next() {
		if err := r.Err(); err != nil {
			return err
		}
		return errs.E(errs.NotFound, "%s not found", what)
	}
	return r.Scan(dest...)
}
