package migrations

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// goMigrations are the migrations written in Go (data conversions SQL
// cannot do), registered by their files' init functions.
var goMigrations []*goose.Migration

// ErrBehind is returned by Check when the database lacks migrations this
// binary has.
var ErrBehind = errors.New("database schema is behind this binary")

// Migrator applies and inspects the embedded migrations on one database.
type Migrator struct {
	db       *sql.DB
	provider *goose.Provider
}

// Status is the state of one migration.
type Status struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time
}

// NewMigrator returns a Migrator for the database (and search_path) of pool.
// Concurrent migrators of one schema serialize on a Postgres advisory lock
// keyed by the schema, so migrating one schema never waits on another.
func NewMigrator(ctx context.Context, pool *pgxpool.Pool) (*Migrator, error) {
	var schema string
	if err := pool.QueryRow(ctx, "SELECT current_database() || '.' || current_schema()").Scan(&schema); err != nil {
		return nil, fmt.Errorf("read current schema: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte("sightline.migrate:" + schema))
	db := stdlib.OpenDBFromPool(pool)
	locker, err := lock.NewPostgresSessionLocker(
		lock.WithLockID(int64(h.Sum64()>>1)),
		lock.WithLockTimeout(1, 600)) // poll every second, give up after 10 minutes
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, FS,
		goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true), goose.WithGoMigrations(goMigrations...))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return &Migrator{db: db, provider: p}, nil
}

// Close releases the migrator's connection handle (not the pool).
func (m *Migrator) Close() error { return m.db.Close() }

// Up applies every pending migration and returns the versions applied.
func (m *Migrator) Up(ctx context.Context) ([]int64, error) {
	res, err := m.provider.Up(ctx)
	return versions(res), wrap("migrate up", err)
}

// Down rolls back the most recent migration and returns its version.
func (m *Migrator) Down(ctx context.Context) (int64, error) {
	res, err := m.provider.Down(ctx)
	if err != nil {
		return 0, wrap("migrate down", err)
	}
	return res.Source.Version, nil
}

// Status lists every known migration, oldest first.
func (m *Migrator) Status(ctx context.Context) ([]Status, error) {
	st, err := m.provider.Status(ctx)
	if err != nil {
		return nil, wrap("migration status", err)
	}
	out := make([]Status, 0, len(st))
	for _, s := range st {
		out = append(out, Status{
			Version:   s.Source.Version,
			Name:      s.Source.Path,
			Applied:   s.State == goose.StateApplied,
			AppliedAt: s.AppliedAt,
		})
	}
	return out, nil
}

// Check returns an error wrapping ErrBehind, which tells the user to run
// "sightline migrate up", when any migration is pending.
func (m *Migrator) Check(ctx context.Context) error {
	current, target, err := m.provider.GetVersions(ctx)
	if err != nil {
		return wrap("check schema version", err)
	}
	if current < target {
		return fmt.Errorf("%w: database is at version %d, this binary needs %d; run `sightline migrate up`",
			ErrBehind, current, target)
	}
	return nil
}

func versions(res []*goose.MigrationResult) []int64 {
	out := make([]int64, 0, len(res))
	for _, r := range res {
		out = append(out, r.Source.Version)
	}
	return out
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", op, err)
}
