package soak

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
)

// newRunner returns a runner on a fresh schema and b. With
// SIGHTLINE_SOAK_LOG=1 the jobs' warnings go to stderr, to see why a run
// failed.
func newRunner(t *testing.T, b bucket.Bucket) *jobs.Runner {
	r := jobstest.NewRunner(t)
	r.Bucket = b
	if os.Getenv("SIGHTLINE_SOAK_LOG") == "1" {
		r.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return r
}

// runTimeout bounds one run of a job: a run that hangs on the bucket is
// cancelled, counted as failed and re-run.
const runTimeout = 2 * time.Minute

// partOutcome is what one part of the soak (the insights pipeline, or the
// uploads) did: the faults injected, how many runs each job needed, and
// the distinct errors of the failed ones.
type partOutcome struct {
	name     string
	faults   buckettest.ChaosCounts
	rounds   rounds
	failures []string
}

// rounds counts the runs of each job (or upload), and the failed ones, in
// the order of their first run.
type rounds struct {
	names        []string
	runs, failed map[string]int
}

func (r *rounds) add(name string) {
	if r.runs == nil {
		r.runs, r.failed = map[string]int{}, map[string]int{}
	}
	if r.runs[name] == 0 {
		r.names = append(r.names, name)
	}
	r.runs[name]++
}

// String lists the runs of each job, as "sync-repos 1, run-searches 4 (1
// failed)".
func (r rounds) String() string {
	var parts []string
	for _, name := range r.names {
		part := fmt.Sprintf("%s %d", name, r.runs[name])
		if r.failed[name] > 0 {
			part += fmt.Sprintf(" (%d failed)", r.failed[name])
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, ", ")
}

// fail records a failed run of what and its error, once per distinct
// message.
func (p *partOutcome) fail(what string, err error) {
	p.rounds.failed[what]++
	msg := fmt.Sprintf("%s: %v", what, err)
	if !slices.Contains(p.failures, msg) {
		p.failures = append(p.failures, msg)
	}
}

// runUntilDone runs job until a run succeeds, at most maxRounds times, and
// returns the successful run's counts. Running out of rounds fails the
// test: the pipeline did not get done.
func (p *partOutcome) runUntilDone(t *testing.T, r *jobs.Runner, job jobs.Job) jobs.Counts {
	t.Helper()
	for range maxRounds {
		p.rounds.add(job.Name())
		ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
		res, err := r.Run(ctx, job, jobs.OverlapWait)
		cancel()
		if err == nil && res.Status == jobs.StatusSucceeded {
			return res.Counts
		}
		if err == nil {
			err = fmt.Errorf("status %s", res.Status)
		}
		p.fail(job.Name(), err)
	}
	t.Fatalf("%s: %s still failing after %d runs; errors: %s", p.name, job.Name(), maxRounds, strings.Join(p.failures, "; "))
	return nil
}
