package jobs

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// jobLock is a held session-level advisory lock for one job. Session locks
// are released by Postgres when the connection ends, so a crashed process
// never leaves a job locked.
type jobLock struct {
	conn *pgxpool.Conn
	job  string
}

// lockKeySQL derives the lock key from the job name and the schema, so that
// two Sightline installations sharing a database (or tests in schemas of
// their own) do not block each other.
const lockKeySQL = `hashtextextended('sightline.job:' || current_database() || '.' || current_schema() || ':' || $1, 0)`

// acquireJobLock takes job's lock on a dedicated connection. With
// OverlapSkip it returns (nil, nil) when another session holds the lock.
func acquireJobLock(ctx context.Context, db *pgxpool.Pool, job string, overlap Overlap) (*jobLock, error) {
	conn, err := db.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("lock job %s: %w", job, err)
	}
	locked := true
	switch overlap {
	case OverlapWait:
		_, err = conn.Exec(ctx, `SELECT pg_advisory_lock(`+lockKeySQL+`)`, job)
	default:
		err = conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(`+lockKeySQL+`)`, job).Scan(&locked)
	}
	if err != nil {
		// A cancelled wait may leave the connection mid-query: drop it.
		conn.Conn().Close(context.WithoutCancel(ctx))
		conn.Release()
		return nil, fmt.Errorf("lock job %s: %w", job, err)
	}
	if !locked {
		conn.Release()
		return nil, nil
	}
	return &jobLock{conn: conn, job: job}, nil
}

func (l *jobLock) release() {
	ctx := context.Background()
	if _, err := l.conn.Exec(ctx, `SELECT pg_advisory_unlock(`+lockKeySQL+`)`, l.job); err != nil {
		// Closing the session releases its locks too.
		l.conn.Conn().Close(ctx)
	}
	l.conn.Release()
}
