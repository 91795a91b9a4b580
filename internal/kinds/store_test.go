package kinds_test

import (
	"context"
	"outbreak/internal/kinds"
	"path/filepath"
	"testing"

	"outbreak/internal/seal"
	"outbreak/internal/sqlstore"
)

// newStore returns an empty SQLite store for a test: imports run against the
// real store, whose behaviour on both dialects the sqlstore conformance suite
// pins down.
func newStore(t testing.TB) kinds.Store {
	t.Helper()
	dir := t.TempDir()
	ring, err := seal.Open(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlstore.Open(context.Background(), sqlstore.Config{Dir: dir, Sealer: ring})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
