// Package pgstore connects Sightline to Postgres: pools configured for the
// pipeline, and the private server that is the embedded default when no
// DATABASE_URL is given. It holds no table-specific code; each table is owned
// by the package that uses it.
package pgstore

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
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

// Open opens a pool on url (a URL or keyword/value connection string) with
// opts and checks that the server answers. Errors show url with its
// passwords masked (Redact), and no password appears anywhere in them.
func Open(ctx context.Context, url string, opts Opts) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, safeError("parse database URL", url, err, "")
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
		return nil, safeError("connect to", url, err, "")
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, safeError("connect to", url, err, " (is the server running? DATABASE_URL unset uses the private server)")
	}
	return pool, nil
}

// connError is a connection error whose message cannot hold a password.
// It unwraps only to a context error, never to pgx's error, which may hold
// the connection string.
type connError struct {
	msg   string
	cause error
}

func (e *connError) Error() string { return e.msg }
func (e *connError) Unwrap() error { return e.cause }

// safeError describes err, which happened doing what with conn, with
// conn's passwords masked: in conn as shown, in pgx's own rendering of it
// (pgconn.ParseConfigError), and wherever else one appears in the message.
func safeError(what, conn string, err error, hint string) error {
	masked, secrets := redact(conn)
	msg := err.Error()
	var pce *pgconn.ParseConfigError
	if errors.As(err, &pce) {
		msg = parseMessage(pce, masked, secrets)
	}
	msg = strings.ReplaceAll(msg, conn, masked)
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, mask)
		}
	}
	e := &connError{msg: what + " " + masked + ": " + msg + hint}
	switch {
	case errors.Is(err, context.Canceled):
		e.cause = context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		e.cause = context.DeadlineExceeded
	}
	return e
}

// parseMessage renders pgx's parse error with the connection string masked.
// The underlying parser error may quote a piece of the string (a bad query
// parameter, an unexpected character): when the string has a password and
// the error quotes anything, or shares three bytes in a row with a
// password, a hint replaces it.
func parseMessage(pce *pgconn.ParseConfigError, masked string, secrets []string) string {
	c := *pce
	c.ConnString = masked
	msg := c.Error()
	inner := errors.Unwrap(pce)
	if inner == nil || !quotesSecret(inner.Error(), secrets) {
		return msg
	}
	return strings.TrimSuffix(msg, " ("+inner.Error()+")") +
		" (percent-encode special characters such as @ / ? # : in a URL's password, or quote a keyword/value password)"
}

// quotesSecret reports whether text may show a piece of a secret: it
// quotes something, or holds three bytes in a row of a secret.
func quotesSecret(text string, secrets []string) bool {
	if len(secrets) > 0 && strings.ContainsAny(text, `"'`+"`") {
		return true
	}
	for _, s := range secrets {
		for i := 0; i+3 <= len(s); i++ {
			if strings.Contains(text, s[i:i+3]) {
				return true
			}
		}
		if len(s) < 3 && s != "" && strings.Contains(text, s) {
			return true
		}
	}
	return false
}
