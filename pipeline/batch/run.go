package batch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"sync"
	"time"

	"github.com/sightline-dev/sightline/pipeline/bucket"
)

// Run is the set of batches one job run writes, under runs/<job>/<run-id>/.
// Commit makes them visible to loaders by writing the run's manifest last.
// Run is safe for concurrent use: several goroutines may write batches.
type Run struct {
	// NowFunc is the clock for the manifest's Created time; nil means time.Now.
	NowFunc func() time.Time

	b   bucket.Bucket
	job string
	id  string

	mu        sync.Mutex
	batches   []*Info // in Create order
	open      map[string]bool
	committed bool
}

// NewRun returns the run runID of job, writing to b. Names are validated by
// Create and Commit.
func NewRun(b bucket.Bucket, job, runID string) *Run {
	return &Run{b: b, job: job, id: runID, open: make(map[string]bool)}
}

// Prefix returns the key prefix of the run's objects, ending in "/".
func (r *Run) Prefix() string { return runPrefix(r.job, r.id) }

// Create starts the batch name of kind, stored at
// runs/<job>/<run-id>/<name>.arrow. Each name may be created once per run.
func (r *Run) Create(ctx context.Context, name string, kind Kind) (*Writer, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	if err := ValidateName("batch", name); err != nil {
		return nil, err
	}
	key := r.Prefix() + name + ".arrow"
	info, err := r.reserve(key)
	if err != nil {
		return nil, err
	}
	w, err := NewWriter(ctx, r.b, key, kind)
	if err != nil {
		r.end(key, info, Info{}, false)
		return nil, err
	}
	w.onDone = func(i Info, ok bool) { r.end(key, info, i, ok) }
	return w, nil
}

// reserve records key in Create order, so the manifest lists batches in the
// order the job created them (loaders load them in that order) however the
// writers finish.
func (r *Run) reserve(key string) (*Info, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.committed {
		return nil, fmt.Errorf("create batch %q: run %s/%s is already committed", key, r.job, r.id)
	}
	for _, i := range r.batches {
		if i.Key == key {
			return nil, fmt.Errorf("create batch %q: batch already created in this run", key)
		}
	}
	info := &Info{Key: key}
	r.batches = append(r.batches, info)
	r.open[key] = true
	return info, nil
}

// end marks key's writer finished and, if it stored the batch, records its
// Info in the slot reserved by Create; an aborted batch's slot is dropped,
// so that the name may be created again.
func (r *Run) end(key string, slot *Info, info Info, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ok {
		*slot = info
	} else {
		r.batches = slices.DeleteFunc(r.batches, func(i *Info) bool { return i == slot })
	}
	delete(r.open, key)
}

// Commit writes the run's manifest, listing every batch closed through the
// run; from then on the run is complete and loadable. Every writer must be
// closed or aborted first. Commit may be called once.
func (r *Run) Commit(ctx context.Context) (Manifest, error) {
	if err := r.validate(); err != nil {
		return Manifest{}, err
	}
	m, err := r.manifest()
	if err != nil {
		return Manifest{}, err
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Manifest{}, fmt.Errorf("encode manifest of run %s/%s: %w", r.job, r.id, err)
	}
	key := manifestKey(r.job, r.id)
	if err := r.b.Put(ctx, key, bytes.NewReader(data)); err != nil {
		r.mu.Lock()
		r.committed = false // a failed Put wrote nothing: Commit may be retried
		r.mu.Unlock()
		return Manifest{}, fmt.Errorf("write manifest %q: %w", key, err)
	}
	return m, nil
}

func (r *Run) manifest() (Manifest, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.committed {
		return Manifest{}, fmt.Errorf("commit run %s/%s: already committed", r.job, r.id)
	}
	if len(r.open) > 0 {
		open := slices.Sorted(maps.Keys(r.open))
		return Manifest{}, fmt.Errorf("commit run %s/%s: batches still open: %q; Close or Abort them first", r.job, r.id, open)
	}
	r.committed = true
	m := Manifest{Job: r.job, RunID: r.id, Created: r.now().UTC(), Batches: []Info{}}
	for _, i := range r.batches {
		m.Batches = append(m.Batches, *i)
	}
	return m, nil
}

func (r *Run) validate() error {
	if err := ValidateName("job", r.job); err != nil {
		return err
	}
	return validateRunID(r.id)
}

func (r *Run) now() time.Time {
	if r.NowFunc != nil {
		return r.NowFunc()
	}
	return time.Now()
}

func runPrefix(job, runID string) string { return path.Join("runs", job, runID) + "/" }

func manifestKey(job, runID string) string { return runPrefix(job, runID) + manifestName }

const manifestName = "manifest.json"
