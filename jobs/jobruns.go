package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Status is the state of a job run, as stored in job_runs.status.
type Status string

// The states of a run.
const (
	StatusRunning   Status = "running"
	StatusSucceeded Status = "succeeded"
	StatusFailed    Status = "failed"
	StatusCanceled  Status = "canceled"
	StatusSkipped   Status = "skipped"
)

// RunRecord is one row of job_runs.
type RunRecord struct {
	Job        string
	RunID      string
	Status     Status
	StartedAt  time.Time
	FinishedAt *time.Time
	Counts     Counts
	Error      string
	Host       string
	PID        int
}

func runInsert(ctx context.Context, db *pgxpool.Pool, r RunRecord) error {
	counts, err := json.Marshal(r.Counts)
	if err != nil {
		return err
	}
	_, err = db.Exec(ctx, `
		INSERT INTO job_runs (job, run_id, status, started_at, finished_at, counts, error, host, pid)
		VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, ''), $8, $9)`,
		r.Job, r.RunID, r.Status, r.StartedAt, r.FinishedAt, counts, r.Error, r.Host, r.PID)
	if err != nil {
		return fmt.Errorf("record run %s of %s: %w", r.RunID, r.Job, err)
	}
	return nil
}

// runFinishParams is the end of a run: its status, time, tallies and error
// text ("" for none).
type runFinishParams struct {
	RunID  string
	Status Status
	At     time.Time
	Counts Counts
	Error  string
}

func runFinish(ctx context.Context, db *pgxpool.Pool, p runFinishParams) error {
	c, err := json.Marshal(p.Counts)
	if err != nil {
		return err
	}
	_, err = db.Exec(ctx, `
		UPDATE job_runs SET status = $2, finished_at = $3, counts = $4, error = NULLIF($5, '')
		WHERE run_id = $1`, p.RunID, p.Status, p.At, c, p.Error)
	if err != nil {
		return fmt.Errorf("record end of run %s: %w", p.RunID, err)
	}
	return nil
}

// RunsList returns the most recent runs, newest first; job "" means all jobs.
func RunsList(ctx context.Context, db *pgxpool.Pool, job string, limit int) ([]RunRecord, error) {
	rows, err := db.Query(ctx, `
		SELECT job, run_id, status, started_at, finished_at, counts, coalesce(error, ''), host, coalesce(pid, 0)
		FROM job_runs WHERE $1 = '' OR job = $1
		ORDER BY started_at DESC, id DESC LIMIT $2`, job, limit)
	if err != nil {
		return nil, fmt.Errorf("list job runs: %w", err)
	}
	runs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[RunRecord])
	if err != nil {
		return nil, fmt.Errorf("list job runs: %w", err)
	}
	return runs, nil
}

// RunsDeleteFinished deletes the job_runs rows of runs finished before
// before and returns how many. Running runs are kept whatever their age:
// the runner marks them failed when their process is gone.
func RunsDeleteFinished(ctx context.Context, db *pgxpool.Pool, before time.Time) (int64, error) {
	tag, err := db.Exec(ctx, `DELETE FROM job_runs WHERE status <> 'running' AND finished_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("delete job runs finished before %s: %w", before.Format(time.RFC3339), err)
	}
	return tag.RowsAffected(), nil
}
