// Package jobstest gives job tests a runner on real components: a fresh
// migrated Postgres schema, a file bucket and a data directory in temporary
// directories. Only tests import it.
package jobstest

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"testing"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/pipeline/bucket/filebucket"
	"github.com/sightline-dev/sightline/sinks/pgtest"
)

// NewRunner returns a runner on a new schema and bucket.
func NewRunner(t testing.TB) *jobs.Runner {
	t.Helper()
	b, err := filebucket.Open(&url.URL{Scheme: "file", Path: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return &jobs.Runner{
		DB:      pgtest.NewDB(t),
		Bucket:  b,
		DataDir: t.TempDir(),
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// MustRun runs job once and fails the test unless the run succeeded.
func MustRun(t testing.TB, r *jobs.Runner, job jobs.Job) jobs.Counts {
	t.Helper()
	res, err := r.Run(context.Background(), job, jobs.OverlapWait)
	if err != nil {
		t.Fatalf("run %s: %v", job.Name(), err)
	}
	if res.Status != jobs.StatusSucceeded {
		t.Fatalf("run %s: status %s", job.Name(), res.Status)
	}
	return res.Counts
}
