package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/sinks/pgtest"
)

// funcJob is a Job whose Run is a function, for testing the runner.
type funcJob struct {
	name string
	run  func(ctx context.Context, env *jobs.Env) (jobs.Counts, error)
}

func (j funcJob) Name() string            { return j.name }
func (j funcJob) Description() string     { return "test job" }
func (j funcJob) DefaultSchedule() string { return "@every 1h" }
func (j funcJob) Run(ctx context.Context, env *jobs.Env) (jobs.Counts, error) {
	return j.run(ctx, env)
}

func newRunner(t *testing.T) (*jobs.Runner, *pgxpool.Pool) {
	db := pgtest.NewDB(t)
	return &jobs.Runner{DB: db, DataDir: t.TempDir()}, db
}

func lastRun(t *testing.T, db *pgxpool.Pool, job string) jobs.RunRecord {
	t.Helper()
	runs, err := jobs.RunsList(context.Background(), db, job, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 {
		t.Fatalf("no job_runs row for %s", job)
	}
	return runs[0]
}

func TestRunRecordsOutcome(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	tests := []struct {
		name       string
		run        func(context.Context, *jobs.Env) (jobs.Counts, error)
		wantStatus jobs.Status
		wantErr    string
		wantCounts jobs.Counts
	}{
		{
			name:       "success",
			run:        func(context.Context, *jobs.Env) (jobs.Counts, error) { return jobs.Counts{"repos": 3}, nil },
			wantStatus: jobs.StatusSucceeded,
			wantCounts: jobs.Counts{"repos": 3},
		},
		{
			name:       "failure",
			run:        func(context.Context, *jobs.Env) (jobs.Counts, error) { return jobs.Counts{"repos": 1}, boom },
			wantStatus: jobs.StatusFailed,
			wantErr:    "boom",
			wantCounts: jobs.Counts{"repos": 1},
		},
		{
			name:       "panic",
			run:        func(context.Context, *jobs.Env) (jobs.Counts, error) { panic("kaboom") },
			wantStatus: jobs.StatusFailed,
			wantErr:    "panicked: kaboom",
			wantCounts: jobs.Counts{},
		},
	}
	r, db := newRunner(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job := funcJob{name: "job-" + tt.name, run: tt.run}
			res, err := r.Run(context.Background(), job, jobs.OverlapSkip)
			if (err != nil) != (tt.wantErr != "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Run error = %v, want %q", err, tt.wantErr)
			}
			got := lastRun(t, db, job.name)
			if got.Status != tt.wantStatus || res.Status != tt.wantStatus {
				t.Errorf("status = %s (result %s), want %s", got.Status, res.Status, tt.wantStatus)
			}
			if got.RunID != res.RunID || got.FinishedAt == nil {
				t.Errorf("row %+v does not match result %+v or has no finish time", got, res)
			}
			if !strings.Contains(got.Error, tt.wantErr) {
				t.Errorf("recorded error %q, want %q", got.Error, tt.wantErr)
			}
			if len(got.Counts) != len(tt.wantCounts) || got.Counts["repos"] != tt.wantCounts["repos"] {
				t.Errorf("counts = %v, want %v", got.Counts, tt.wantCounts)
			}
		})
	}
}

func TestRunCanceled(t *testing.T) {
	t.Parallel()
	r, db := newRunner(t)
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	job := funcJob{name: "blocker", run: func(ctx context.Context, _ *jobs.Env) (jobs.Counts, error) {
		close(started)
		<-ctx.Done()
		return jobs.Counts{"done": 0}, ctx.Err()
	}}
	go func() { <-started; cancel() }()
	res, err := r.Run(ctx, job, jobs.OverlapSkip)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run error = %v, want context.Canceled", err)
	}
	if got := lastRun(t, db, "blocker"); got.Status != jobs.StatusCanceled || res.Status != jobs.StatusCanceled {
		t.Fatalf("status = %s, want canceled", got.Status)
	}
	// The lock was released: the next run goes ahead.
	job.run = func(context.Context, *jobs.Env) (jobs.Counts, error) { return nil, nil }
	if res, err := r.Run(context.Background(), job, jobs.OverlapSkip); err != nil || res.Status != jobs.StatusSucceeded {
		t.Fatalf("run after cancellation: %v, %s", err, res.Status)
	}
}

// TestOverlap runs a second run of a job while the first holds its lock, from
// a second runner (as a second process would).
func TestOverlap(t *testing.T) {
	t.Parallel()
	r, db := newRunner(t)
	other := &jobs.Runner{DB: db}
	release := make(chan struct{})
	holding := make(chan struct{})
	var once sync.Once
	job := funcJob{name: "sync", run: func(ctx context.Context, _ *jobs.Env) (jobs.Counts, error) {
		once.Do(func() { close(holding) })
		<-release
		return jobs.Counts{}, nil
	}}
	first := make(chan jobs.RunResult)
	go func() {
		res, err := r.Run(context.Background(), job, jobs.OverlapSkip)
		if err != nil {
			t.Error(err)
		}
		first <- res
	}()
	<-holding

	skipped, err := other.Run(context.Background(), job, jobs.OverlapSkip)
	if err != nil {
		t.Fatal(err)
	}
	if skipped.Status != jobs.StatusSkipped {
		t.Fatalf("overlapping run status = %s, want skipped", skipped.Status)
	}
	if got := lastRun(t, db, "sync"); got.Status != jobs.StatusSkipped || got.RunID != skipped.RunID {
		t.Fatalf("skipped run not recorded: %+v", got)
	}

	waited := make(chan jobs.RunResult)
	go func() {
		res, err := other.Run(context.Background(), job, jobs.OverlapWait)
		if err != nil {
			t.Error(err)
		}
		waited <- res
	}()
	select {
	case res := <-waited:
		t.Fatalf("waiting run finished (%s) while the first still held the lock", res.Status)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	firstRes := <-first
	if want := "run " + firstRes.RunID; skipped.LockHolder() != want {
		t.Errorf("skipped run's lock holder = %q, want %q", skipped.LockHolder(), want)
	}
	w := <-waited
	if firstRes.Status != jobs.StatusSucceeded || w.Status != jobs.StatusSucceeded {
		t.Fatalf("statuses: first %s, waiting %s; want both succeeded", firstRes.Status, w.Status)
	}
}

func TestAbandonedRunsAreReaped(t *testing.T) {
	t.Parallel()
	r, db := newRunner(t)
	ctx := context.Background()
	if _, err := db.Exec(ctx, `INSERT INTO job_runs (job, run_id, status, started_at)
		VALUES ('reaped', 'dead-run', 'running', now() - interval '1 hour')`); err != nil {
		t.Fatal(err)
	}
	job := funcJob{name: "reaped", run: func(context.Context, *jobs.Env) (jobs.Counts, error) { return nil, nil }}
	if _, err := r.Run(ctx, job, jobs.OverlapSkip); err != nil {
		t.Fatal(err)
	}
	var status, msg string
	if err := db.QueryRow(ctx, `SELECT status, error FROM job_runs WHERE run_id = 'dead-run'`).Scan(&status, &msg); err != nil {
		t.Fatal(err)
	}
	if status != "failed" || !strings.Contains(msg, "abandoned") {
		t.Fatalf("dead run = %s (%q), want failed/abandoned", status, msg)
	}
}

// TestManyJobsAtOnceOnASmallPool runs more jobs at once than the pool has
// connections, each holding its lock until all of them are running: the
// locks must not take the pool's connections, or the runs wait for one
// forever.
func TestManyJobsAtOnceOnASmallPool(t *testing.T) {
	t.Parallel()
	cfg := pgtest.NewDB(t).Config()
	cfg.MaxConns = 2
	small, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(small.Close)
	r := &jobs.Runner{DB: small, Logger: discardLogger()}

	const n = 8
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var started sync.WaitGroup
	started.Add(n)
	allStarted := make(chan struct{})
	go func() { started.Wait(); close(allStarted) }()
	results := make(chan error, n)
	for i := range n {
		job := funcJob{name: fmt.Sprintf("job-%d", i), run: func(ctx context.Context, _ *jobs.Env) (jobs.Counts, error) {
			started.Done()
			select {
			case <-allStarted:
				return nil, nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}}
		go func() {
			res, err := r.Run(ctx, job, jobs.OverlapSkip)
			if err == nil && res.Status != jobs.StatusSucceeded {
				err = fmt.Errorf("run of %s: status %s", job.Name(), res.Status)
			}
			results <- err
		}()
	}
	for range n {
		if err := <-results; err != nil {
			t.Errorf("%d jobs at once on a pool of %d: %v", n, cfg.MaxConns, err)
		}
	}
}
