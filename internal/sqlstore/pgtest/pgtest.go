// Package pgtest gives each test a PostgreSQL database of its own, cloned
// from a template that is migrated once per test process, so that a test
// starts from the current schema in milliseconds. The server is the one
// OUTBREAK_TEST_POSTGRES names; without it tests skip with a message, and
// under CI=true they fail instead.
package pgtest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Env names the server the tests may create databases on.
const Env = "OUTBREAK_TEST_POSTGRES"

var (
	templateOnce sync.Once
	templateErr  error
	seq          atomic.Int64
)

func prefix() string { return fmt.Sprintf("outbreak_test_%d", os.Getpid()) }

// URL returns the URL of a new database for t, dropped when t ends. The
// first call in a process makes the template database and runs prepare on
// its URL (to migrate it).
func URL(t testing.TB, prepare func(url string) error) string {
	t.Helper()
	url := os.Getenv(Env)
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(Env + " is not set; CI needs the PostgreSQL tests")
		}
		t.Skip("PostgreSQL tests skipped: set " + Env + "=postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("PostgreSQL at %s: %v", Env, err)
	}
	defer admin.Close(ctx)
	template := prefix() + "_template"
	templateOnce.Do(func() {
		if _, templateErr = admin.Exec(ctx, "CREATE DATABASE "+template); templateErr == nil {
			templateErr = prepare(WithDatabase(url, template))
		}
	})
	if templateErr != nil {
		t.Fatalf("PostgreSQL template database: %v", templateErr)
	}
	name := fmt.Sprintf("%s_%d", prefix(), seq.Add(1))
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+template); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { drop(url, name) })
	return WithDatabase(url, name)
}

// DropTemplate drops the template database of this process; call it from
// TestMain after the tests have run.
func DropTemplate() {
	if url := os.Getenv(Env); url != "" {
		drop(url, prefix()+"_template")
	}
}

func drop(url, name string) {
	ctx := context.Background()
	if c, err := pgx.Connect(ctx, url); err == nil {
		c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		c.Close(ctx)
	}
}

// WithDatabase replaces the database name in a postgres:// URL.
func WithDatabase(url, name string) string {
	rest, query, _ := strings.Cut(url, "?")
	if i := strings.LastIndexByte(rest, '/'); i > len("postgres://") {
		rest = rest[:i]
	}
	if query != "" {
		return rest + "/" + name + "?" + query
	}
	return rest + "/" + name
}
