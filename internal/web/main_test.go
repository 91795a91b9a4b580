package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"outbreak/internal/seal"
	"outbreak/internal/sqlstore"
)

// The API tests run against real stores: SQLite in a temporary directory
// and, when OUTBREAK_TEST_POSTGRES names a server, PostgreSQL (a fresh
// database per test, cloned from a migrated template). Under CI=true a
// missing server fails the run instead of skipping. The helpers follow
// internal/sqlstore/main_test.go.

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

var (
	templateOnce sync.Once
	templateErr  error
	dbSeq        atomic.Int64
)

func pgPrefix() string { return fmt.Sprintf("outbreak_webtest_%d", os.Getpid()) }

// openPostgres makes a database for one test, cloned from a migrated
// template so that each test starts from the same schema in milliseconds.
func openPostgres(t testing.TB) *sqlstore.DB {
	url := os.Getenv("OUTBREAK_TEST_POSTGRES")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("OUTBREAK_TEST_POSTGRES is not set; CI needs the PostgreSQL run")
		}
		t.Skip("PostgreSQL tests skipped: set OUTBREAK_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("PostgreSQL at OUTBREAK_TEST_POSTGRES: %v", err)
	}
	defer admin.Close(ctx)
	template := pgPrefix() + "_template"
	templateOnce.Do(func() {
		if _, templateErr = admin.Exec(ctx, "CREATE DATABASE "+template); templateErr != nil {
			return
		}
		var db *sqlstore.DB
		db, templateErr = sqlstore.Open(ctx, sqlstore.Config{URL: withDatabase(url, template), Sealer: testSealer(t)})
		if templateErr == nil {
			templateErr = db.Close()
		}
	})
	if templateErr != nil {
		t.Fatalf("PostgreSQL template database: %v", templateErr)
	}
	name := fmt.Sprintf("%s_%d", pgPrefix(), dbSeq.Add(1))
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+template); err != nil {
		t.Fatal(err)
	}
	db, err := sqlstore.Open(ctx, sqlstore.Config{URL: withDatabase(url, name), Sealer: testSealer(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		if c, err := pgx.Connect(ctx, url); err == nil {
			c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(ctx)
		}
	})
	return db
}

// withDatabase replaces the database name in a postgres:// URL.
func withDatabase(url, name string) string {
	rest, query, _ := strings.Cut(url, "?")
	if i := strings.LastIndexByte(rest, '/'); i > len("postgres://") {
		rest = rest[:i]
	}
	if query != "" {
		return rest + "/" + name + "?" + query
	}
	return rest + "/" + name
}

func TestMain(m *testing.M) {
	code := m.Run()
	// Drop the template database this process made.
	if url := os.Getenv("OUTBREAK_TEST_POSTGRES"); url != "" {
		ctx := context.Background()
		if c, err := pgx.Connect(ctx, url); err == nil {
			c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgPrefix()+"_template WITH (FORCE)")
			c.Close(ctx)
		}
	}
	os.Exit(code)
}
