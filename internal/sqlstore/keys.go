package sqlstore

import (
	"context"
	"sync"

	"outbreak/internal/errs"
)

// keyCache maps residents' and places' string IDs to their integer keys.
// Keys never change and records are never deleted, so a key once seen stays
// right. A bulk import that misses many times loads the whole table at once
// instead of asking per ID; a check-in never does, so as not to stall.
type keyCache struct {
	db   *DB
	mu   sync.Mutex
	m    map[string]map[string]int64 // table → id → key
	full map[string]bool
}

// loadAfter is how many misses of one import make it load a table whole.
const loadAfter = 2000

func newKeyCache(db *DB) *keyCache {
	return &keyCache{db: db, m: map[string]map[string]int64{}, full: map[string]bool{}}
}

// lookup returns the key of id in table ("residents" or "places") or an
// Invalid error naming field. c reads in the caller's transaction. misses,
// when not nil, counts the misses of one bulk import and lets it load the
// table whole.
func (k *keyCache) lookup(ctx context.Context, c q, table, field, id string, misses *int) (int64, error) {
	k.mu.Lock()
	key, ok := k.m[table][id]
	full := k.full[table]
	k.mu.Unlock()
	if ok {
		return key, nil
	}
	if misses != nil && !full {
		if *misses++; *misses >= loadAfter {
			if err := k.load(ctx, c, table); err != nil {
				return 0, err
			}
			return k.lookup(ctx, c, table, field, id, nil)
		}
	}
	if !full {
		err := one(ctx, c, table, "SELECT key FROM "+table+" WHERE id = ?", []any{id}, &key)
		if err == nil {
			k.put(table, id, key)
			return key, nil
		}
		if !errs.Is(err, errs.NotFound) {
			return 0, err
		}
	} else if key, err := k.one(ctx, c, table, id); err != nil || key != 0 {
		return key, err
	}
	return 0, errs.Field(field, "unknown %s %q", noun[table], id)
}

var noun = map[string]string{"residents": "person", "places": "place"}

// one asks the database for a key that a full table load did not hold
// (a record added since), and remembers it.
func (k *keyCache) one(ctx context.Context, c q, table, id string) (int64, error) {
	var key int64
	err := one(ctx, c, table, "SELECT key FROM "+table+" WHERE id = ?", []any{id}, &key)
	if errs.Is(err, errs.NotFound) {
		return 0, nil
	}
	if err == nil {
		k.put(table, id, key)
	}
	return key, err
}

func (k *keyCache) put(table, id string, key int64) {
	k.mu.Lock()
	if k.m[table] == nil {
		k.m[table] = map[string]int64{}
	}
	k.m[table][id] = key
	k.mu.Unlock()
}

// load reads every key of table.
func (k *keyCache) load(ctx context.Context, c q, table string) error {
	r, err := c.query(ctx, "SELECT id, key FROM "+table)
	if err != nil {
		return err
	}
	defer r.Close()
	m := map[string]int64{}
	for r.Next() {
		var id string
		var key int64
		if err := r.Scan(&id, &key); err != nil {
			return err
		}
		m[id] = key
	}
	if err := r.Err(); err != nil {
		return err
	}
	k.mu.Lock()
	for id, key := range k.m[table] {
		m[id] = key
	}
	k.m[table] = m
	k.full[table] = true
	k.mu.Unlock()
	return nil
}

// marks returns n comma-separated placeholders.
func marks(n int) string {
	b := make([]byte, 0, 2*n)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '?')
	}
	return string(b)
}
