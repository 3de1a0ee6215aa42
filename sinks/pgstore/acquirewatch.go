package pgstore

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultAcquireWarnAfter is how long a query waits for one of the pool's
// connections before the wait is logged.
const DefaultAcquireWarnAfter = 10 * time.Second

// acquireWatch is the pool's tracer: it logs a wait for a pooled connection
// that lasts longer than after, while it is still waiting, so that a
// starved pool shows in the logs instead of hanging silently.
type acquireWatch struct {
	log   *slog.Logger
	after time.Duration
}

var (
	_ pgxpool.AcquireTracer = acquireWatch{}
	_ pgx.QueryTracer       = acquireWatch{}
)

type acquireTimerKey struct{}

// TraceAcquireStart arms the timer that logs the wait.
func (w acquireWatch) TraceAcquireStart(ctx context.Context, pool *pgxpool.Pool, _ pgxpool.TraceAcquireStartData) context.Context {
	t := time.AfterFunc(w.after, func() {
		s := pool.Stat()
		w.log.Warn("waiting for a database connection: all of the pool's connections are in use (pool_max_conns in DATABASE_URL sets how many)",
			"waited", w.after, "in_use", s.AcquiredConns(), "pool_max_conns", s.MaxConns())
	})
	return context.WithValue(ctx, acquireTimerKey{}, t)
}

// TraceAcquireEnd disarms the timer.
func (acquireWatch) TraceAcquireEnd(ctx context.Context, _ *pgxpool.Pool, _ pgxpool.TraceAcquireEndData) {
	if t, ok := ctx.Value(acquireTimerKey{}).(*time.Timer); ok {
		t.Stop()
	}
}

// TraceQueryStart does nothing: pgx takes a pool's acquire tracer only from
// ConnConfig.Tracer, which must be a query tracer.
func (acquireWatch) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}

// TraceQueryEnd does nothing.
func (acquireWatch) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
