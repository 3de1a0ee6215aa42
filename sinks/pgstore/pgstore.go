// Package pgstore connects Sightline to Postgres: pools configured for the
// pipeline, and the private server that is the embedded default when no
// DATABASE_URL is given. It holds no table-specific code; each table is owned
// by the package that uses it.
package pgstore

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	neturl "net/url"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Opts are Open's options; the zero value means the defaults.
type Opts struct {
	// Schema, when not empty, becomes the connections' search_path (tests
	// use a schema each).
	Schema string
	// Logger gets a warning when a query has waited AcquireWarnAfter for
	// one of the pool's connections; nil means no warning.
	Logger *slog.Logger
	// AcquireWarnAfter is 0 for DefaultAcquireWarnAfter.
	AcquireWarnAfter time.Duration
}

// Connect opens a pool on url and checks that the server answers. A non-empty
// schema becomes the connections' search_path (tests use a schema each).
func Connect(ctx context.Context, url, schema string) (*pgxpool.Pool, error) {
	return Open(ctx, url, Opts{Schema: schema})
}

// Open opens a pool on url with opts and checks that the server answers.
func Open(ctx context.Context, url string, opts Opts) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	if opts.Schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = opts.Schema
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "sightline"
	if opts.Logger != nil {
		cfg.ConnConfig.Tracer = acquireWatch{log: opts.Logger, after: cmp.Or(opts.AcquireWarnAfter, DefaultAcquireWarnAfter)}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", Redact(url), err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to %s: %w (is the server running? DATABASE_URL unset uses the private server)", Redact(url), err)
	}
	return pool, nil
}

// Redact returns url with any password replaced by "xxxxx", for messages:
// the user information's (url.URL.Redacted, which also finds a
// percent-encoded one) and a password query parameter's. A keyword/value
// connection string ("host=... password=...") is returned as it is.
func Redact(url string) string {
	u, err := neturl.Parse(url)
	if err != nil || u.Scheme == "" {
		return url
	}
	_, hasPassword := u.User.Password()
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
		hasPassword = true
	}
	if !hasPassword {
		return url
	}
	return u.Redacted()
}
