package prune

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/sinks/loader"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
)

// storedRun is what the bucket holds of one batch run.
type storedRun struct {
	job, id   string
	committed bool      // its manifest exists
	newest    time.Time // ModTime of its newest object
	objects   int
	bytes     int64
}

// runsPrefix is where batch.Run stores every run: runs/<job>/<run-id>/.
const runsPrefix = "runs/"

// listStoredRuns groups the objects under runs/ by job and run, in key order.
// Runs of every job are listed, also of jobs this binary does not know.
func listStoredRuns(ctx context.Context, b bucket.Bucket) ([]*storedRun, error) {
	var runs []*storedRun
	byKey := map[string]*storedRun{}
	err := b.List(ctx, runsPrefix, func(a bucket.Attrs) error {
		job, rest, _ := strings.Cut(strings.TrimPrefix(a.Key, runsPrefix), "/")
		id, name, ok := strings.Cut(rest, "/")
		if !ok {
			return nil // not inside a run's prefix: not ours to delete
		}
		r := byKey[job+"/"+id]
		if r == nil {
			r = &storedRun{job: job, id: id}
			byKey[job+"/"+id] = r
			runs = append(runs, r)
		}
		r.committed = r.committed || name == "manifest.json"
		r.objects++
		r.bytes += a.Size
		if a.ModTime.After(r.newest) {
			r.newest = a.ModTime
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list batch runs in %s: %w", b, err)
	}
	return runs, nil
}

// pruneRuns deletes the runs in the bucket that are older than cutoff and
// no longer needed.
func (p *pruner) pruneRuns(ctx context.Context, cutoff time.Time) error {
	runs, err := listStoredRuns(ctx, p.env.Bucket)
	if err != nil {
		return err
	}
	for _, r := range runs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := p.pruneRun(ctx, r, cutoff); err != nil {
			if err := p.failed(ctx, err, "job", r.job, "run", r.id); err != nil {
				return err
			}
		}
	}
	return nil
}

// pruneRun deletes run r if it is older than cutoff and no task shard of
// it is still waiting for run-searches. A committed run is as old as its
// manifest's Created time, an uncommitted one (crashed or aborted) as its
// newest object. Jobs load their runs as soon as they commit them, and a
// run whose load did not happen (a crash, a failed load) was redone by a
// later run of its job: such a run is deleted too, with a warning.
func (p *pruner) pruneRun(ctx context.Context, r *storedRun, cutoff time.Time) error {
	if !r.committed {
		if !r.newest.Before(cutoff) {
			return nil
		}
		return p.deleteRun(ctx, r, "uncommitted_runs")
	}
	m, err := batch.ReadManifest(ctx, p.env.Bucket, r.job, r.id)
	if errors.Is(err, bucket.ErrNotExist) {
		return nil // deleted since the listing (process-uploads deletes its own)
	}
	if err != nil {
		return err
	}
	created := m.Created
	if created.IsZero() {
		created = r.newest
	}
	if !created.Before(cutoff) {
		return nil
	}
	pending, unloaded, err := p.batchStates(ctx, m)
	switch {
	case err != nil:
		return err
	case pending > 0:
		p.counts["pending_runs"]++
		return nil
	case unloaded > 0:
		p.env.Logger.Warn("prune: deleting an old run that was never fully loaded (its job redid the work in a later run)",
			"job", r.job, "run", r.id, "unloaded", unloaded, "batches", len(m.Batches), "committed", m.Created)
		return p.deleteRun(ctx, r, "unloaded_runs")
	}
	return p.deleteRun(ctx, r, "runs")
}

// batchStates counts the task shards of m that run-searches has still to
// read (their shard queued or processing) and the other batches missing
// from the load ledger.
func (p *pruner) batchStates(ctx context.Context, m batch.Manifest) (pending, unloaded int, err error) {
	var shards, others []string
	for _, b := range m.Batches {
		if b.Kind == shardqueue.TasksKind.Name() {
			shards = append(shards, b.Key)
		} else {
			others = append(others, b.Key)
		}
	}
	if len(shards) > 0 {
		if pending, err = shardqueue.PendingCount(ctx, p.env.DB, shards); err != nil {
			return 0, 0, fmt.Errorf("run %s/%s: %w", m.Job, m.RunID, err)
		}
	}
	if len(others) > 0 {
		if unloaded, err = loader.UnloadedCount(ctx, p.env.DB, others); err != nil {
			return 0, 0, fmt.Errorf("run %s/%s: %w", m.Job, m.RunID, err)
		}
	}
	return pending, unloaded, nil
}

// deleteRun deletes r's objects, then its ledger rows, and counts it as
// kind. Objects first: a committed run whose ledger rows were gone would
// be loaded again. An uncommitted run normally has no ledger rows; it has
// some when an earlier deletion stopped after the manifest (DeleteRun
// deletes it first), and this finishes that deletion.
func (p *pruner) deleteRun(ctx context.Context, r *storedRun, kind string) error {
	if err := batch.DeleteRun(ctx, p.env.Bucket, r.job, r.id); err != nil {
		return err
	}
	p.counts["objects"] += int64(r.objects)
	p.counts["bytes"] += r.bytes
	ledger, err := loader.ForgetRun(ctx, p.env.DB, r.job, r.id)
	if err != nil {
		return err
	}
	p.counts["ledger_rows"] += ledger
	p.counts[kind]++
	p.env.Logger.Debug("prune: deleted run", "job", r.job, "run", r.id, "committed", r.committed,
		"objects", r.objects, "bytes", r.bytes, "ledger_rows", ledger)
	return nil
}
