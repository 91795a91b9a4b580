package sqlstore

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"outbreak/internal/codes"
	"outbreak/internal/errs"
	"outbreak/internal/feed"
	"outbreak/internal/risk"
)

var _ codes.CodeStore = (*DB)(nil)

const codeCols = "person, color, reasons, valid_until, policy, as_of, seq"

func scanCode(r rows) (codes.Stored, error) {
	var c codes.Stored
	var reasons []byte
	if err := r.Scan(&c.Person, &c.Color, &reasons, instant{&c.ValidUntil}, &c.Policy, instant{&c.AsOf}, &c.Seq); err != nil {
		return c, err
	}
	var err error
	if c.Reasons, err = openReasons(reasons); err != nil {
		return c, fmt.Errorf("sqlstore: the reasons of %s's code do not decode: %w", c.Person, err)
	}
	return c, nil
}

// Reasons are stored as zlib-compressed JSON: a contact of a large outbreak
// has dozens of reasons, alike but for the case and place, which compress
// about tenfold, and a city's codes are written whole when a keeper starts.

// packReasons encodes reasons for storage, an empty list as [].
func packReasons(rs []risk.Reason) ([]byte, error) {
	if rs == nil {
		rs = []risk.Reason{}
	}
	var buf bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&buf, zlib.BestSpeed)
	if err := json.NewEncoder(zw).Encode(rs); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// openReasons decodes stored reasons, compressed or, as stored before
// they were, plain JSON.
func openReasons(b []byte) ([]risk.Reason, error) {
	var rs []risk.Reason
	if len(b) > 0 && b[0] == '[' {
		return rs, json.Unmarshal(b, &rs)
	}
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	return rs, json.NewDecoder(zr).Decode(&rs)
}

// StoredCode returns a resident's stored code (NotFound: none stored).
func (db *DB) StoredCode(ctx context.Context, person string) (codes.Stored, error) {
	return get(ctx, db.reader(), "code", person, "SELECT "+codeCols+" FROM codes WHERE person = ?", scanCode)
}

// EachStoredCode calls fn with every stored code, in person order.
func (db *DB) EachStoredCode(ctx context.Context, fn func(codes.Stored) error) error {
	after := ""
	for {
		page, _, err := list(ctx, db.reader(), "SELECT "+codeCols+" FROM codes WHERE person > ? ORDER BY person LIMIT ?",
			[]any{after}, 10000, scanCode, func(codes.Stored) string { return "" })
		if err != nil {
			return err
		}
		for _, c := range page {
			if err := fn(c); err != nil {
				return err
			}
			after = c.Person
		}
		if len(page) < 10000 {
			return nil
		}
	}
}

// SaveCodes stores one step of the keeper in one transaction, if the lease
// is still held. Reasons are compressed before the transaction begins, so
// that it holds the store no longer than the writes take.
func (db *DB) SaveCodes(ctx context.Context, w codes.Write) error {
	packed := map[*risk.Reason][]byte{} // a code and its change share their reasons
	pack := func(rs []risk.Reason) ([]byte, error) {
		if len(rs) == 0 {
			return packReasons(rs)
		}
		if b, ok := packed[&rs[0]]; ok {
			return b, nil
		}
		b, err := packReasons(rs)
		packed[&rs[0]] = b
		return b, err
	}
	puts := make([][]byte, len(w.Put))
	for i, c := range w.Put {
		var err error
		if puts[i], err = pack(c.Reasons); err != nil {
			return err
		}
	}
	changes := make([][]byte, len(w.Changes))
	for i, c := range w.Changes {
		var err error
		if changes[i], err = pack(c.Reasons); err != nil {
			return err
		}
	}
	return db.tx(ctx, func(tx *wtx) error {
		put := newBatch(tx, "codes", codeCols, "ON CONFLICT (person) DO UPDATE SET color = excluded.color, reasons = excluded.reasons, "+
			"valid_until = excluded.valid_until, policy = excluded.policy, as_of = excluded.as_of, seq = excluded.seq")
		for i, c := range w.Put {
			if err := put.add(ctx, c.Person, c.Person, c.Color, puts[i], db.ts(c.ValidUntil), c.Policy, db.ts(c.AsOf), c.Seq); err != nil {
				return err
			}
		}
		if err := put.flush(ctx); err != nil {
			return err
		}
		for i := 0; i < len(w.Delete); i += 500 {
			part := w.Delete[i:min(i+500, len(w.Delete))]
			args := make([]any, len(part))
			for j, p := range part {
				args[j] = p
			}
			if _, err := tx.exec(ctx, "DELETE FROM codes WHERE person IN ("+marks(len(part))+")", args...); err != nil {
				return err
			}
		}
		log := newBatch(tx, "code_changes", "person, from_color, to_color, reasons, at", "")
		for i, c := range w.Changes {
			if err := log.add(ctx, "", c.Person, c.From, c.To, changes[i], db.ts(c.At)); err != nil {
				return err
			}
		}
		if err := log.flush(ctx); err != nil {
			return err
		}
		for name, body := range w.Derived {
			_, err := tx.exec(ctx, "INSERT INTO derived (name, body, at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET body = excluded.body, at = excluded.at",
				name, string(body), db.ts(w.Position.At))
			if err != nil {
				return err
			}
		}
		if !w.Position.At.IsZero() {
			_, err := tx.exec(ctx, "INSERT INTO positions (consumer, seq, at) VALUES (?, ?, ?) "+
				"ON CONFLICT (consumer) DO UPDATE SET seq = excluded.seq, at = excluded.at", w.Consumer, w.Position.Seq, db.ts(w.Position.At))
			if err != nil {
				return err
			}
		}
		// Last, so that the lease runs from the end of a long write: on
		// SQLite the write holds the one writer the renewal needs.
		return db.fence(ctx, tx, w.Lease)
	})
}

// Position returns how far a consumer has applied its log.
func (db *DB) Position(ctx context.Context, consumer string) (codes.Position, error) {
	var p codes.Position
	err := one(ctx, db.reader(), "position", "SELECT seq, at FROM positions WHERE consumer = ?", []any{consumer}, &p.Seq, instant{&p.At})
	if errs.Is(err, errs.NotFound) {
		return codes.Position{}, nil
	}
	return p, err
}

// CodeChangesSince returns at most limit code changes after seq, in order.
func (db *DB) CodeChangesSince(ctx context.Context, seq int64, limit int) ([]codes.Change, error) {
	out, _, err := list(ctx, db.reader(), "SELECT seq, person, from_color, to_color, reasons, at FROM code_changes WHERE seq > ? ORDER BY seq LIMIT ?",
		[]any{seq}, limit, func(r rows) (codes.Change, error) {
			var c codes.Change
			var reasons []byte
			if err := r.Scan(&c.Seq, &c.Person, &c.From, &c.To, &reasons, instant{&c.At}); err != nil {
				return c, err
			}
			var err error
			c.Reasons, err = openReasons(reasons)
			return c, err
		}, func(codes.Change) string { return "" })
	return out, err
}

// The lease clock: PostgreSQL's, so that replicas on several machines agree;
// on SQLite, which one machine serves, the store's.

// leaseUntil returns the SQL of the instant TTL from now, and its arguments.
func (db *DB) leaseUntil(ttl time.Duration) (string, []any) {
	if db.pg {
		return "clock_timestamp() + ? * interval '1 microsecond'", []any{ttl.Microseconds()}
	}
	return "?", []any{db.now().Add(ttl).UnixMicro()}
}

// leaseNow returns the SQL of now, and its arguments.
func (db *DB) leaseNow() (string, []any) {
	if db.pg {
		return "clock_timestamp()", nil
	}
	return "?", []any{db.now().UnixMicro()}
}

// TakeLease takes a lease that is free or expired, or renews one the holder
// has, and reports whether the holder has it now.
func (db *DB) TakeLease(ctx context.Context, l codes.Lease) (bool, error) {
	until, untilArgs := db.leaseUntil(l.TTL)
	now, nowArgs := db.leaseNow()
	args := append(append([]any{l.Name, l.Holder}, untilArgs...), nowArgs...)
	held := false
	err := db.tx(ctx, func(tx *wtx) error {
		r, err := tx.query(ctx, "INSERT INTO leases (name, holder, expires) VALUES (?, ?, "+until+") ON CONFLICT (name) DO UPDATE "+
			"SET holder = excluded.holder, expires = excluded.expires WHERE leases.holder = excluded.holder OR leases.expires < "+now+
			" RETURNING holder", args...)
		if err != nil {
			return err
		}
		held = r.Next()
		return errors.Join(r.Err(), r.Close())
	})
	return held, err
}

// fence renews the lease within a transaction that writes what only its
// holder may write; it is a Conflict if the holder no longer has it.
func (db *DB) fence(ctx context.Context, tx *wtx, l codes.Lease) error {
	until, args := db.leaseUntil(l.TTL)
	n, err := tx.exec(ctx, "UPDATE leases SET expires = "+until+" WHERE name = ? AND holder = ?", append(args, l.Name, l.Holder)...)
	if err == nil && n != 1 {
		err = errs.E(errs.Conflict, "the %s lease is no longer held by %s", l.Name, l.Holder)
	}
	return err
}

// DropLease gives a lease up, so that another process may take it at once.
func (db *DB) DropLease(ctx context.Context, l codes.Lease) error {
	return db.tx(ctx, func(tx *wtx) error {
		_, err := tx.exec(ctx, "UPDATE leases SET expires = ? WHERE name = ? AND holder = ?", db.ts(time.Unix(0, 0)), l.Name, l.Holder)
		return err
	})
}

// LeaseHolder returns who holds a lease now, "" for nobody.
func (db *DB) LeaseHolder(ctx context.Context, name string) (string, error) {
	now, args := db.leaseNow()
	var holder string
	err := one(ctx, db.reader(), "lease", "SELECT holder FROM leases WHERE name = ? AND expires >= "+now, append([]any{name}, args...), &holder)
	if errs.Is(err, errs.NotFound) {
		return "", nil
	}
	return holder, err
}

// Derived returns a piece of derived state stored whole.
func (db *DB) Derived(ctx context.Context, name string) ([]byte, time.Time, error) {
	var body string
	var at time.Time
	err := one(ctx, db.reader(), name, "SELECT body, at FROM derived WHERE name = ?", []any{name}, &body, instant{&at})
	return []byte(body), at, err
}

// Policy returns the newest policy set (NotFound: none).
func (db *DB) Policy(ctx context.Context) ([]byte, string, error) {
	var src, hash string
	err := one(ctx, db.reader(), "policy", "SELECT source, hash FROM policies ORDER BY id DESC LIMIT 1", nil, &src, &hash)
	return []byte(src), hash, err
}

// SavePolicy stores a new running policy and appends its change to the
// feed, in one transaction.
func (db *DB) SavePolicy(ctx context.Context, src []byte, hash string) error {
	if strings.TrimSpace(hash) == "" {
		return errs.Field("hash", "required")
	}
	return db.tx(ctx, func(tx *wtx) error {
		_, err := tx.exec(ctx, "INSERT INTO policies (hash, source, at) VALUES (?, ?, ?)", hash, string(src), db.ts(db.now()))
		tx.changed(feed.Policy, hash, "")
		return err
	})
}

// RequestRebuild appends a request to compute every code afresh.
func (db *DB) RequestRebuild(ctx context.Context) error {
	return db.tx(ctx, func(tx *wtx) error {
		tx.changed(feed.Rebuild, "", "")
		return nil
	})
}
