package pages

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"outbreak/internal/seal"
	"outbreak/internal/sqlstore"
	"outbreak/internal/sqlstore/pgtest"
)

// The tests that serve pages run against real stores: SQLite in a
// temporary directory and, when OUTBREAK_TEST_POSTGRES names a server,
// PostgreSQL (a fresh database per test, cloned from a migrated template).
// Under CI=true a missing server fails the run instead of skipping.

// stores runs fn once per store implementation, each on a fresh database.
func stores(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, openSQLite(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, openPostgres(t))
	})
}

func testSealer(t testing.TB) sqlstore.Sealer {
	ring, err := seal.Open(filepath.Join(t.TempDir(), "keys"))
	if err != nil {
		t.Fatal(err)
	}
	return ring
}

func openSQLite(t testing.TB) *sqlstore.DB {
	db, err := sqlstore.Open(context.Background(), sqlstore.Config{Dir: t.TempDir(), Sealer: testSealer(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// openPostgres opens a database of its own for one test.
func openPostgres(t testing.TB) *sqlstore.DB {
	ctx := context.Background()
	url := pgtest.URL(t, func(url string) error {
		db, err := sqlstore.Open(ctx, sqlstore.Config{URL: url, Sealer: testSealer(t)})
		if err != nil {
			return err
		}
		return db.Close()
	})
	db, err := sqlstore.Open(ctx, sqlstore.Config{URL: url, Sealer: testSealer(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.DropTemplate()
	os.Exit(code)
}
