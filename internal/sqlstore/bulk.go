package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"iter"
	"strconv"
	"strings"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/record"
)

// validator is a pointer to a record that can check itself.
type validator[T any] interface {
	*T
	Validate() error
}

// bulk writes items in one transaction: open prepares the writer inside the
// transaction and returns add, called per item, finish, called once after
// the last, and stop (or nil), called when the transaction ends either way. An Invalid error from Validate or add goes to reject; any other
// error, a reject that returns an error, or a cancelled ctx (how a reader
// reports a malformed line) rolls everything back.
func bulk[T any, P validator[T]](ctx context.Context, db *DB, items iter.Seq[T], reject record.Reject,
	open func(tx *wtx) (add func(*T) error, finish func() error, stop func())) (int, error) {
	if reject == nil {
		reject = record.Abort
	}
	n := 0
	err := db.tx(ctx, func(tx *wtx) error {
		add, finish, stop := open(tx)
		if stop != nil {
			defer stop()
		}
		for it := range items {
			err := P(&it).Validate()
			if err == nil {
				err = add(&it)
			}
			if err != nil {
				if !errs.Is(err, errs.Invalid) {
					return err
				}
				if err := reject(err); err != nil {
					return err
				}
				continue
			}
			n++
		}
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return finish()
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// batch collects rows for a multi-row INSERT, so that PostgreSQL makes one
// round trip per few hundred rows and SQLite parses one statement for them.
type batch struct {
	c      q
	head   string // INSERT INTO t (a, b) VALUES
	tail   string // ON CONFLICT …, or ""
	ncol   int
	args   []any
	rows   int
	keys   map[string]bool // upsert keys in this batch: one statement may not touch a row twice
	maxRow int
	full   *sql.Stmt // the statement of a full batch, prepared once on SQLite
	// skipped counts the rows the database left out (INSERT OR IGNORE,
	// ON CONFLICT DO NOTHING).
	skipped int64
}

func newBatch(c q, table, cols, tail string) *batch {
	ncol := strings.Count(cols, ",") + 1
	return &batch{c: c, head: "INSERT INTO " + table + " (" + cols + ") VALUES ", tail: tail, ncol: ncol,
		keys: map[string]bool{}, maxRow: max(1, 2000/ncol)}
}

// add queues one row; key, if not empty, is the row's conflict key.
func (b *batch) add(ctx context.Context, key string, vals ...any) error {
	if key != "" && b.keys[key] {
		if err := b.flush(ctx); err != nil {
			return err
		}
	}
	if key != "" {
		b.keys[key] = true
	}
	b.args = append(b.args, vals...)
	b.rows++
	if b.rows >= b.maxRow {
		return b.flush(ctx)
	}
	return nil
}

// flush writes the queued rows.
func (b *batch) flush(ctx context.Context) error {
	if b.rows == 0 {
		return nil
	}
	var err error
	var n int64
	if tx := sqliteTx(b.c); tx != nil && b.rows == b.maxRow {
		// Parsing a statement of hundreds of rows costs as much as running
		// it, so a full batch reuses one prepared statement.
		if b.full == nil {
			b.full, err = tx.PrepareContext(ctx, b.sql())
		}
		var res sql.Result
		if err == nil {
			res, err = b.full.ExecContext(ctx, b.args...)
		}
		if err == nil {
			n, err = res.RowsAffected()
		}
	} else {
		n, err = b.c.exec(ctx, b.sql(), b.args...)
	}
	b.skipped += int64(b.rows) - n
	b.args, b.rows = b.args[:0], 0
	clear(b.keys)
	return err
}

// sqliteTx returns the SQLite transaction that c runs in, if it does.
func sqliteTx(c q) *sql.Tx {
	if t, ok := c.(*wtx); ok {
		c = t.q
	}
	if s, ok := c.(sqlQ); ok {
		tx, _ := s.c.(*sql.Tx)
		return tx
	}
	return nil
}

// sql returns the statement for the queued rows.
func (b *batch) sql() string {
	row := "(" + marks(b.ncol) + ")"
	var sb strings.Builder
	sb.WriteString(b.head)
	for i := range b.rows {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(row)
	}
	sb.WriteByte(' ')
	sb.WriteString(b.tail)
	return sb.String()
}

// upsert returns the ON CONFLICT clause that replaces cols of the row with id.
func upsert(cols ...string) string {
	set := make([]string, len(cols))
	for i, c := range cols {
		set[i] = c + " = excluded." + c
	}
	return "ON CONFLICT (id) DO UPDATE SET " + strings.Join(set, ", ")
}

// Cursors are opaque to clients: base64 of the sort key of the last item.

// badCursor is the error of a cursor that no list gave.
var badCursor = &errs.Error{Kind: errs.Malformed, Field: "after", Msg: "not a cursor from this list"}

func idCursor(id string) string { return base64.RawURLEncoding.EncodeToString([]byte(id)) }

func parseIDCursor(c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", badCursor
	}
	return string(b), nil
}

func timeCursor(t time.Time, id int64) string {
	return idCursor(strconv.FormatInt(t.UnixMicro(), 10) + "," + strconv.FormatInt(id, 10))
}

func parseTimeCursor(c string) (time.Time, int64, error) {
	s, err := parseIDCursor(c)
	if err != nil {
		return time.Time{}, 0, err
	}
	a, b, ok := strings.Cut(s, ",")
	us, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return time.Time{}, 0, badCursor
	}
	return time.UnixMicro(us).UTC(), id, nil
}

// where builds a WHERE clause from conditions.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// list runs a page query and scans each row with scan; it returns the items
// and the cursor of the next page (empty on the last).
func list[T any](ctx context.Context, c q, query string, args []any, limit int, scan func(r rows) (T, error), cursor func(T) string) ([]T, string, error) {
	r, err := c.query(ctx, query, append(args, limit+1)...)
	if err != nil {
		return nil, "", err
	}
	defer r.Close()
	var out []T
	for r.Next() {
		it, err := scan(r)
		if err != nil {
			return nil, "", err
		}
		out = append(out, it)
	}
	if err := r.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = cursor(out[limit-1])
	}
	if out == nil {
		out = []T{}
	}
	return out, next, nil
}

// get returns the one row of query (with id as its argument), or a NotFound
// error naming what and id.
// arg, if given, replaces id as the query's argument.
func get[T any](ctx context.Context, c q, what, id, query string, scan func(r rows) (T, error), arg ...any) (T, error) {
	if len(arg) == 0 {
		arg = []any{id}
	}
	items, _, err := list(ctx, c, query+" LIMIT ?", arg, 1, scan, func(T) string { return "" })
	if err == nil && len(items) == 0 {
		err = notFound(what, id)
	}
	if err != nil {
		var zero T
		return zero, err
	}
	return items[0], nil
}

func notFound(what, id string) error { return errs.E(errs.NotFound, "%s %q not found", what, id) }
