package jobs_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/jobs"
)

// workerJob is a funcJob of kind QueueWorker.
type workerJob struct{ funcJob }

func (workerJob) QueueWorker() {}

func TestKindOf(t *testing.T) {
	t.Parallel()
	if k := jobs.KindOf(funcJob{name: "plan"}); k != jobs.OneAtATime {
		t.Errorf("KindOf(plain job) = %s, want one-at-a-time", k)
	}
	if k := jobs.KindOf(workerJob{funcJob{name: "work"}}); k != jobs.QueueWorker {
		t.Errorf("KindOf(worker) = %s, want queue-worker", k)
	}
}

// TestWorkersRunTogether starts three runs of a queue worker at once, from
// three runners (as three processes would): none is skipped, none reaps
// another while it lives, and a run recorded as running whose process is
// gone (it holds no run lock) is reaped by the first of them.
func TestWorkersRunTogether(t *testing.T) {
	t.Parallel()
	_, db := newRunner(t)
	ctx := context.Background()
	if _, err := db.Exec(ctx, `INSERT INTO job_runs (job, run_id, status, started_at)
		VALUES ('work', 'dead-run', 'running', now() - interval '1 hour')`); err != nil {
		t.Fatal(err)
	}
	const n = 3
	started, release := make(chan string, n), make(chan struct{})
	var once sync.Once
	done := func() { once.Do(func() { close(release) }) }
	t.Cleanup(done) // a failing test must not leave runs blocked
	job := workerJob{funcJob{name: "work", run: func(ctx context.Context, env *jobs.Env) (jobs.Counts, error) {
		started <- env.RunID
		<-release
		return jobs.Counts{"items": 1}, nil
	}}}
	results := make(chan jobs.RunResult, n)
	for range n {
		go func() {
			res, err := (&jobs.Runner{DB: db, Logger: discardLogger()}).Run(ctx, job, jobs.OverlapSkip)
			if err != nil {
				t.Error(err)
			}
			results <- res
		}()
	}
	for range n {
		select {
		case <-started:
		case res := <-results:
			t.Fatalf("a worker run ended (%s) while the others were starting; want all %d at once", res.Status, n)
		case <-time.After(20 * time.Second):
			t.Fatal("the worker runs did not all start")
		}
	}
	// Every live run is still running after the others' reaping.
	var running int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM job_runs WHERE job = 'work' AND status = 'running'`).Scan(&running); err != nil {
		t.Fatal(err)
	}
	if running != n {
		t.Errorf("%d runs running while %d live workers work, want %d (a live run was reaped?)", running, n, n)
	}
	done()
	for range n {
		if res := <-results; res.Status != jobs.StatusSucceeded {
			t.Errorf("worker run %s: %s, want succeeded", res.RunID, res.Status)
		}
	}
	var dead string
	if err := db.QueryRow(ctx, `SELECT status FROM job_runs WHERE run_id = 'dead-run'`).Scan(&dead); err != nil {
		t.Fatal(err)
	}
	if dead != string(jobs.StatusFailed) {
		t.Errorf("abandoned run's status = %s, want failed", dead)
	}
}

// TestWorkerMaxRuntime stops a worker that would run forever at
// MaxRuntime: the run succeeds with the counts it made, while a
// one-at-a-time job ignores MaxRuntime.
func TestWorkerMaxRuntime(t *testing.T) {
	t.Parallel()
	r, db := newRunner(t)
	r.MaxRuntime = 300 * time.Millisecond
	var cause error
	job := workerJob{funcJob{name: "drain", run: func(ctx context.Context, _ *jobs.Env) (jobs.Counts, error) {
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
			return nil, errors.New("not stopped at max runtime")
		}
		cause = context.Cause(ctx)
		return jobs.Counts{"items": 7}, ctx.Err()
	}}}
	start := time.Now()
	if _, err := r.Run(context.Background(), job, jobs.OverlapSkip); err != nil {
		t.Fatalf("run stopped at max runtime: %v, want no error", err)
	}
	if el := time.Since(start); el < r.MaxRuntime || el > 10*time.Second {
		t.Errorf("run took %s, want about %s", el, r.MaxRuntime)
	}
	if !errors.Is(cause, jobs.ErrMaxRuntime) {
		t.Errorf("the job's context ended with %v, want ErrMaxRuntime", cause)
	}
	got := lastRun(t, db, "drain")
	if got.Status != jobs.StatusSucceeded || got.Counts["items"] != 7 {
		t.Errorf("recorded %s %v, want succeeded with items=7", got.Status, got.Counts)
	}
	planner := funcJob{name: "plan", run: func(ctx context.Context, _ *jobs.Env) (jobs.Counts, error) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(2 * r.MaxRuntime):
			return nil, nil
		}
	}}
	if res, err := r.Run(context.Background(), planner, jobs.OverlapSkip); err != nil || res.Status != jobs.StatusSucceeded {
		t.Errorf("one-at-a-time job under MaxRuntime: %s, %v; want succeeded (it ignores MaxRuntime)", res.Status, err)
	}
}
