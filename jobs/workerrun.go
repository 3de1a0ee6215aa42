package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrMaxRuntime is the cause with which a queue worker's run is stopped
// when it reaches the runner's MaxRuntime. Such a run hands back what it
// holds and is recorded as succeeded.
var ErrMaxRuntime = errors.New("max runtime reached")

// runKeyOf is the SQL of the advisory lock key of the run whose id is the
// SQL expression id, in the namespace scheme of lockKeySQL.
func runKeyOf(id string) string {
	return `hashtextextended('sightline.run:' || current_database() || '.' || current_schema() || ':' || ` + id + `, 0)`
}

var runKeySQL = runKeyOf("$1")

// runLock is the session advisory lock a queue worker's run holds on its
// own run key while it lives. Postgres drops it when the process dies, so
// another run can tell a live run from an abandoned one without a
// job-wide lock.
type runLock struct {
	conn  *pgx.Conn
	runID string
}

// acquireRunLock takes runID's lock on a connection of its own (see
// acquireJobLock for why not a pool connection). The key is new, so the
// lock is free; failing to get it is an error.
func acquireRunLock(ctx context.Context, db *pgxpool.Pool, runID string) (*runLock, error) {
	conn, err := pgx.ConnectConfig(ctx, db.Config().ConnConfig)
	if err != nil {
		return nil, fmt.Errorf("lock run %s: connect: %w", runID, err)
	}
	var locked bool
	err = conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(`+runKeySQL+`)`, runID).Scan(&locked)
	if err == nil && !locked {
		err = errors.New("its key is held by another session")
	}
	if err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("lock run %s: %w", runID, err)
	}
	return &runLock{conn: conn, runID: runID}, nil
}

func (l *runLock) release() {
	ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
	defer cancel()
	_, _ = l.conn.Exec(ctx, `SELECT pg_advisory_unlock(`+runKeySQL+`)`, l.runID)
	l.conn.Close(ctx)
}

// runWorker executes a queue worker's run: no job-wide lock, so any number
// run at once. The run holds its own run lock from before its job_runs row
// exists until after its outcome is recorded, reaps the runs of its job
// whose lock is free, and stops at MaxRuntime.
func (r *Runner) runWorker(ctx context.Context, job Job, res RunResult) (RunResult, error) {
	lock, err := acquireRunLock(ctx, r.DB, res.RunID)
	if err != nil {
		return res, err
	}
	defer lock.release()
	if err := r.reapDeadWorkers(ctx, job.Name()); err != nil {
		return res, err
	}
	if r.MaxRuntime > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, r.MaxRuntime, ErrMaxRuntime)
		defer cancel()
	}
	return r.execute(ctx, job, res)
}

// reapDeadWorkers marks as failed the running runs of job whose run lock
// is free: their process died (every live worker run holds its lock from
// before its row is inserted). The transaction-level try-lock conflicts
// with a live run's session lock and is released at commit.
func (r *Runner) reapDeadWorkers(ctx context.Context, job string) error {
	tag, err := r.DB.Exec(ctx, `
		UPDATE job_runs SET status = 'failed', finished_at = $2,
			error = 'abandoned: the process ended without recording an outcome'
		WHERE job = $1 AND status = 'running' AND pg_try_advisory_xact_lock(`+runKeyOf("run_id")+`)`,
		job, r.now())
	if err != nil {
		return fmt.Errorf("reap abandoned runs of %s: %w", job, err)
	}
	if n := tag.RowsAffected(); n > 0 {
		r.logger().Warn("marked abandoned runs as failed", "job", job, "runs", n)
	}
	return nil
}

// stoppedAtMaxRuntime reports whether a run's error is only its reaching
// MaxRuntime, which ends a worker's run as a success.
func stoppedAtMaxRuntime(ctx context.Context, err error) bool {
	return err != nil && errors.Is(context.Cause(ctx), ErrMaxRuntime)
}

// maxRuntimeNote is logged when a worker stops at MaxRuntime.
func (r *Runner) maxRuntimeNote(job Job, d time.Duration) {
	r.logger().Info("max runtime reached; the run handed back what it held", "job", job.Name(), "max_runtime", d)
}
