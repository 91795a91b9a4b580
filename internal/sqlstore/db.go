// Package sqlstore keeps Outbreak's records in SQLite (modernc.org/sqlite, the
// embedded default) or PostgreSQL (pgx). Both speak through the small q
// interface below, so each query is written once; where the dialects differ
// (placeholders, instants, bulk loading of visits) the dialect says so.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"outbreak/internal/errs"
)

// Sealer seals personal fields at rest; associated data binds a sealed value
// to its row and column.
type Sealer interface {
	Seal(plaintext, associated []byte) []byte
	Open(sealed, associated []byte) ([]byte, error)
}

// Config says which database to open.
type Config struct {
	// URL is a postgres:// URL; empty means SQLite in Dir.
	URL string
	// Dir is the data directory that holds outbreak.db.
	Dir    string
	Sealer Sealer
	Logger *slog.Logger
	// Now is the clock that dates changes in the feed; nil means time.Now.
	Now func() time.Time
	// MustExist refuses a database that holds no store yet (NotFound,
	// naming it) instead of making one.
	MustExist bool
}

// DB is an open store. It implements the domain packages' Store interfaces.
type DB struct {
	cfg  Config
	pg   bool
	log  *slog.Logger
	seal Sealer
	now  func() time.Time
	news announcer // commits that appended to the feed

	// SQLite: one writer connection and a pool of readers.
	w, r *sql.DB
	// PostgreSQL: one pool for everything.
	pool *pgxpool.Pool

	keys   *keyCache
	visits *committer
	ckpt   *checkpointer // SQLite only
	daysMu sync.Mutex
	days   map[string]bool // visit partitions known to exist
	// On SQLite, the committer's block of visit IDs, [next, end), and the
	// highest ID each day's range in visit_days is known to cover.
	block   [2]int64
	dayMax  map[string]int64
	spans   spanCache
	stmts   stmtCache // SQLite readers
	closeMu sync.Once
}

// Open opens the store and applies pending migrations.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	if cfg.Sealer == nil {
		return nil, errs.E(errs.Internal, "sqlstore: no sealer")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	db := &DB{cfg: cfg, pg: cfg.URL != "", log: cfg.Logger, seal: cfg.Sealer, now: cfg.Now, days: map[string]bool{}, dayMax: map[string]int64{}, spans: spanCache{m: map[int64]int64{}}, stmts: stmtCache{m: map[string]*sql.Stmt{}}}
	db.keys = newKeyCache(db)
	var err error
	if db.pg {
		err = db.openPostgres(ctx)
	} else if err = db.exists(); err == nil {
		err = db.openSQLite(ctx)
	}
	if err == nil && db.pg && cfg.MustExist {
		err = db.pgExists(ctx)
	}
	if err == nil {
		err = db.migrate(ctx)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	db.visits = newCommitter(db)
	if !db.pg {
		if db.ckpt, err = newCheckpointer(db, path(db.cfg.Dir)); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

func (db *DB) openSQLite(ctx context.Context) error {
	if db.cfg.Dir == "" {
		return errs.E(errs.Invalid, "sqlstore: no data directory")
	}
	path := path(db.cfg.Dir)
	// busy_timeout first so that the other pragmas wait for a busy file too.
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
		"&_pragma=foreign_keys(ON)&_pragma=cache_size(-16384)&_pragma=temp_store(MEMORY)&_pragma=threads(2)"
	// The writer never checkpoints: see checkpoint.go.
	w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=wal_autocheckpoint(0)&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	db.w = w
	if err := w.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	// Readers map the file rather than read it page by page: tracing jumps
	// between the indexes and rows of days all over a large file.
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(ON)&_pragma=mmap_size(68719476736)")
	if err != nil {
		return fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	r.SetConnMaxIdleTime(0)
	db.r = r
	return nil
}

func (db *DB) openPostgres(ctx context.Context) error {
	pc, err := pgxpool.ParseConfig(db.cfg.URL)
	if err != nil {
		return errs.Wrap(errs.Invalid, err, "sqlstore: database URL")
	}
	if pc.MaxConns < 8 {
		pc.MaxConns = 8
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return fmt.Errorf("sqlstore: connect: %w", err)
	}
	db.pool = pool
	if err := pool.Ping(ctx); err != nil {
		return fmt.Errorf("sqlstore: connect %s: %w", redact(db.cfg.URL), err)
	}
	return nil
}

// exists refuses, when the configuration asks it to, a data directory
// without a database file.
func (db *DB) exists() error {
	if !db.cfg.MustExist || db.cfg.Dir == "" {
		return nil
	}
	if _, err := os.Stat(path(db.cfg.Dir)); errors.Is(err, fs.ErrNotExist) {
		return errs.E(errs.NotFound, "%s holds no Outbreak store (%s does not exist)", db.cfg.Dir, path(db.cfg.Dir))
	}
	return nil
}

// pgExists refuses a PostgreSQL database that Outbreak never migrated.
func (db *DB) pgExists(ctx context.Context) error {
	var ok bool
	if err := one(ctx, db.reader(), "schema", "SELECT to_regclass('schema_migrations') IS NOT NULL", nil, &ok); err != nil {
		return err
	}
	if !ok {
		return errs.E(errs.NotFound, "the database %s holds no Outbreak store", redact(db.cfg.URL))
	}
	return nil
}

// path is the SQLite database file in a data directory.
func path(dir string) string { return filepath.Join(dir, "outbreak.db") }

// redact hides a password in a database URL for messages.
func redact(url string) string {
	if at := strings.LastIndexByte(url, '@'); at > 0 {
		if i := strings.Index(url, "://"); i > 0 && i+3 < at {
			if c := strings.IndexByte(url[i+3:at], ':'); c >= 0 {
				return url[:i+3+c] + ":***" + url[at:]
			}
		}
	}
	return url
}

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string {
	if db.pg {
		return "postgres"
	}
	return "sqlite"
}

// Ping checks that the database answers, for /healthz.
func (db *DB) Ping(ctx context.Context) error {
	if db.pg {
		return db.pool.Ping(ctx)
	}
	return db.r.PingContext(ctx)
}

// Close waits for pending check-ins to commit and closes the database. It is
// safe after a failed Open and more than once.
func (db *DB) Close() error {
	var err error
	db.closeMu.Do(func() {
		if db.visits != nil {
			db.visits.stop()
		}
		if db.ckpt != nil {
			db.ckpt.stop()
		}
		for _, s := range db.stmts.m {
			s.Close()
		}
		if db.pool != nil {
			db.pool.Close()
		}
		for _, c := range []*sql.DB{db.r, db.w} {
			if c != nil {
				err = errors.Join(err, c.Close())
			}
		}
	})
	return err
}

// Counts returns how many residents, places, regions and active cases the
// store holds.
func (db *DB) Counts(ctx context.Context) (map[string]int64, error) {
	counts := map[string]int64{}
	for name, query := range map[string]string{
		"residents":    "SELECT count(*) FROM residents",
		"places":       "SELECT count(*) FROM places",
		"regions":      "SELECT count(*) FROM regions",
		"active_cases": "SELECT count(*) FROM cases WHERE released IS NULL",
	} {
		var n int64
		if err := one(ctx, db.reader(), name, query, nil, &n); err != nil {
			return nil, err
		}
		counts[name] = n
	}
	return counts, nil
}
