package batch

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sightline-dev/sightline/pipeline/bucket"
)

// Manifest lists the batches of a committed run. It is stored as
// runs/<job>/<run-id>/manifest.json, written after every batch it lists, so
// its presence means the run is complete.
type Manifest struct {
	// Job and RunID identify the run.
	Job   string `json:"job"`
	RunID string `json:"run_id"`
	// Created is when the run was committed.
	Created time.Time `json:"created"`
	// Batches lists the run's batches in the order the job created them.
	Batches []Info `json:"batches"`
}

// Key returns the manifest's object key.
func (m Manifest) Key() string { return manifestKey(m.Job, m.RunID) }

// ReadManifest reads the manifest of run runID of job. A run that was never
// committed has none: the error then satisfies errors.Is(err, bucket.ErrNotExist).
func ReadManifest(ctx context.Context, b bucket.Bucket, job, runID string) (Manifest, error) {
	if err := ValidateName("job", job); err != nil {
		return Manifest{}, err
	}
	if err := validateRunID(runID); err != nil {
		return Manifest{}, err
	}
	key := manifestKey(job, runID)
	rc, err := b.Get(ctx, key)
	if err != nil {
		return Manifest{}, fmt.Errorf("read manifest %q: %w", key, err)
	}
	defer rc.Close()
	var m Manifest
	if err := json.NewDecoder(rc).Decode(&m); err != nil {
		return Manifest{}, fmt.Errorf("read manifest %q: corrupt: %w", key, err)
	}
	if m.Job != job || m.RunID != runID {
		return Manifest{}, fmt.Errorf("read manifest %q: it names run %s/%s", key, m.Job, m.RunID)
	}
	return m, nil
}

// ListRuns returns the manifests of job's committed runs, oldest first (run
// ids are ksuids, whose lexical order is time order). Runs without a
// manifest, still running or crashed, are not listed.
func ListRuns(ctx context.Context, b bucket.Bucket, job string) ([]Manifest, error) {
	if err := ValidateName("job", job); err != nil {
		return nil, err
	}
	prefix := "runs/" + job + "/"
	var ids []string
	err := b.List(ctx, prefix, func(a bucket.Attrs) error {
		id, rest, ok := strings.Cut(strings.TrimPrefix(a.Key, prefix), "/")
		if ok && rest == manifestName {
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list runs of job %q: %w", job, err)
	}
	// Listing order is key order, where "id-x/" sorts before "id/": sort
	// the ids themselves.
	slices.Sort(ids)
	runs := make([]Manifest, 0, len(ids))
	for _, id := range ids {
		m, err := ReadManifest(ctx, b, job, id)
		if err != nil {
			return nil, err
		}
		runs = append(runs, m)
	}
	return runs, nil
}

// DeleteRun deletes every object of run runID of job: the manifest first,
// so that a run deleted in part is never taken for a complete one, then
// the batches. Deleting a run that does not exist is not an error.
func DeleteRun(ctx context.Context, b bucket.Bucket, job, runID string) error {
	if err := ValidateName("job", job); err != nil {
		return err
	}
	if err := validateRunID(runID); err != nil {
		return err
	}
	if err := b.Delete(ctx, manifestKey(job, runID)); err != nil {
		return fmt.Errorf("delete run %s/%s: %w", job, runID, err)
	}
	var keys []string
	err := b.List(ctx, runPrefix(job, runID), func(a bucket.Attrs) error {
		keys = append(keys, a.Key)
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete run %s/%s: %w", job, runID, err)
	}
	for _, k := range keys {
		if err := b.Delete(ctx, k); err != nil {
			return fmt.Errorf("delete run %s/%s: %w", job, runID, err)
		}
	}
	return nil
}
