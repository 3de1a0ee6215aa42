// Package pgstore connects Sightline to Postgres: pools configured for the
// pipeline, and the private server that is the embedded default when no
// DATABASE_URL is given. It holds no table-specific code; each table is owned
// by the package that uses it.
package pgstore

import (
	"context"
	"fmt"
	neturl "net/url"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Connect opens a pool on url and checks that the server answers. A non-empty
// schema becomes the connections' search_path (tests use a schema each).
func Connect(ctx context.Context, url, schema string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	if schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = schema
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "sightline"
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
