package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// jobLock is a held session-level advisory lock for one job. Session locks
// are released by Postgres when the connection ends, so a crashed process
// never leaves a job locked.
type jobLock struct {
	conn *pgx.Conn
	job  string
}

// lockKeySQL derives the lock key from the job name and the schema, so that
// two Sightline installations sharing a database (or tests in schemas of
// their own) do not block each other.
const lockKeySQL = `hashtextextended('sightline.job:' || current_database() || '.' || current_schema() || ':' || $1, 0)`

// acquireJobLock takes job's lock on a connection of its own, opened with
// db's settings but outside the pool: a lock held for a whole run must not
// take one of the pool's connections, or as many runs at once as the pool
// has connections would hold them all and each wait for another forever.
// With OverlapSkip it returns (nil, nil) when another session holds the
// lock; with OverlapWait it logs that it waits, then waits until ctx ends.
func acquireJobLock(ctx context.Context, db *pgxpool.Pool, job string, overlap Overlap, log *slog.Logger) (*jobLock, error) {
	conn, err := pgx.ConnectConfig(ctx, db.Config().ConnConfig)
	if err != nil {
		return nil, fmt.Errorf("lock job %s: connect: %w", job, err)
	}
	locked, err := tryLock(ctx, conn, job)
	if err == nil && !locked && overlap == OverlapWait {
		log.Info("waiting for another run of the job to release its lock", "job", job)
		_, err = conn.Exec(ctx, `SELECT pg_advisory_lock(`+lockKeySQL+`)`, job)
		locked = err == nil
	}
	if err != nil || !locked {
		// Closing the session also ends a wait that ctx cancelled.
		conn.Close(context.WithoutCancel(ctx))
	}
	if err != nil {
		return nil, fmt.Errorf("lock job %s: %w", job, err)
	}
	if !locked {
		return nil, nil
	}
	return &jobLock{conn: conn, job: job}, nil
}

func tryLock(ctx context.Context, conn *pgx.Conn, job string) (bool, error) {
	var locked bool
	err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(`+lockKeySQL+`)`, job).Scan(&locked)
	return locked, err
}

// releaseTimeout bounds the unlock of a run that has ended, so that a
// server gone away cannot keep the runner from returning.
const releaseTimeout = 10 * time.Second

// release unlocks before closing, so that the next run finds the lock free
// at once rather than when the server notices the session has ended.
func (l *jobLock) release() {
	ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
	defer cancel()
	_, _ = l.conn.Exec(ctx, `SELECT pg_advisory_unlock(`+lockKeySQL+`)`, l.job)
	l.conn.Close(ctx)
}
