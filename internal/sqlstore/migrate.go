package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrations embed.FS

// migrate applies the dialect's numbered migrations that have not been
// applied yet, each in its own transaction, in order.
func (db *DB) migrate(ctx context.Context) error {
	dir := "migrations/" + db.Dialect()
	files, err := fs.Glob(migrations, dir+"/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(files)
	create := "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)"
	err = db.tx(ctx, func(tx *wtx) error {
		if err := db.migrationLock(ctx, tx); err != nil {
			return err
		}
		_, err := tx.exec(ctx, create)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	for _, f := range files {
		name := f[len(dir)+1:]
		version, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("sqlstore: migration %s: name must start with a number", name)
		}
		body, err := migrations.ReadFile(f)
		if err != nil {
			return err
		}
		err = db.tx(ctx, func(tx *wtx) error {
			if err := db.migrationLock(ctx, tx); err != nil {
				return err
			}
			var n int
			if err := one(ctx, tx, "migration", "SELECT count(*) FROM schema_migrations WHERE version = ?", []any{version}, &n); err != nil || n > 0 {
				return err
			}
			if db.pg {
				// pgx runs a multi-statement string with the simple protocol.
				if _, err := tx.exec(ctx, string(body)); err != nil {
					return err
				}
			} else {
				for _, stmt := range splitSQL(string(body)) {
					if _, err := tx.exec(ctx, stmt); err != nil {
						return fmt.Errorf("%w in %q", err, stmt)
					}
				}
			}
			if step := codeSteps[db.Dialect()][version]; step != nil {
				if err := step(ctx, tx); err != nil {
					return err
				}
			}
			_, err := tx.exec(ctx, "INSERT INTO schema_migrations (version) VALUES (?)", version)
			return err
		})
		if err != nil {
			return fmt.Errorf("sqlstore: migration %s: %w", name, err)
		}
	}
	return nil
}

// codeSteps are the parts of migrations that SQL alone cannot say, run
// after the migration's SQL in its transaction, by dialect and version.
var codeSteps = map[string]map[int]func(ctx context.Context, tx *wtx) error{
	"sqlite": {6: uniqueVisits},
}

// uniqueVisits makes the person index of every day table unique on person,
// check-in and place, first deleting all but the first of the visits stored
// more than once.
func uniqueVisits(ctx context.Context, tx *wtx) error {
	days, err := texts(ctx, tx, "SELECT day FROM visit_days ORDER BY day")
	if err != nil {
		return err
	}
	for _, day := range days {
		t := "visits_" + day
		for _, stmt := range []string{
			"DELETE FROM " + t + " WHERE id NOT IN (SELECT min(id) FROM " + t + " GROUP BY person, check_in, place)",
			"DROP INDEX IF EXISTS " + t + "_person",
			"CREATE UNIQUE INDEX " + t + "_person ON " + t + " (person, check_in, place)",
		} {
			if _, err := tx.exec(ctx, stmt); err != nil {
				return fmt.Errorf("%w in %q", err, stmt)
			}
		}
	}
	return nil
}

// migrationLock makes PostgreSQL replicas that start together take turns, so
// that each migration is applied once; SQLite's writer lock does that alone.
func (db *DB) migrationLock(ctx context.Context, tx q) error {
	if !db.pg {
		return nil
	}
	_, err := tx.exec(ctx, "SELECT pg_advisory_xact_lock(7262)")
	return err
}

// Migrate applies pending migrations; Open already does, so this is for the
// `outbreak migrate` command's report.
func (db *DB) Migrate(ctx context.Context) (version int, err error) {
	if err := db.migrate(ctx); err != nil {
		return 0, err
	}
	err = one(ctx, db.reader(), "migration", "SELECT coalesce(max(version), 0) FROM schema_migrations", nil, &version)
	return version, err
}

// splitSQL splits a migration into statements at semicolons that end a line,
// dropping comment lines.
func splitSQL(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(strings.TrimSpace(line), ";") {
			if s := strings.TrimSpace(cur.String()); s != ";" {
				out = append(out, s)
			}
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}
