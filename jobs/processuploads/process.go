package processuploads

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/sinks/apidocs"
	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sinks/loader"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/lsif"
)

// worker is one run's state. It claims uploads as env.RunID: claimed_by
// is a job run id, which lets UploadsResetStalled take back the uploads of
// runs that are no longer running.
type worker struct {
	job    *Job
	env    *jobs.Env
	counts jobs.Counts
	// claims numbers this run's attempts, to name their batch runs.
	claims int
}

// process works on claimed upload u until it is completed, errored,
// requeued, released or lost. It returns an error only for what should end
// the run: ctx cancelled, or the database unusable.
func (w *worker) process(ctx context.Context, u *codeintel.Upload) error {
	log := w.env.Logger.With("upload", u.ID, "repo", u.RepoName, "commit", u.Commit, "attempt", u.Attempts)
	work, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := w.heartbeat(work, u, cancel)
	runID := w.batchRunID(u)
	m, stats, err := w.attempt(work, u, runID)
	stop()
	w.deleteRun(ctx, u, runID)
	switch {
	case ctx.Err() != nil:
		if rerr := codeintel.UploadsRelease(context.WithoutCancel(ctx), w.env.DB, u.ID, w.env.RunID); rerr != nil {
			log.Warn("release upload", "err", rerr)
		}
		return ctx.Err()
	case errors.Is(context.Cause(work), codeintel.ErrLost):
		w.counts["lost"]++
		log.Warn("upload taken back while working (stalled?); dropping this attempt")
		return nil
	case err != nil:
		return w.fail(ctx, u, err)
	}
	done, err := codeintel.UploadsComplete(ctx, w.env.DB, u.ID, w.env.RunID)
	if errors.Is(err, codeintel.ErrLost) {
		w.counts["lost"]++
		return nil
	}
	if err != nil {
		return err
	}
	w.counts["completed"]++
	// Rows are counted once the upload completed: an attempt that failed
	// or was lost loaded rows the next attempt deletes.
	for _, b := range m.Batches {
		w.counts[b.Kind] += b.Rows
	}
	st, retired := done.State, done.Retired
	w.counts["retired"] += int64(retired)
	w.counts["bytes"] += stats.Bytes
	w.counts["documents"] += int64(stats.OutDocuments)
	w.counts["ranges"] += int64(stats.OutRanges)
	w.counts["pruned"] += int64(stats.Pruned)
	w.counts["outside-root"] += int64(stats.OutsideRoot)
	w.limitDocs(ctx, done.Docs)
	if err := w.env.Bucket.Delete(ctx, u.ObjectKey); err != nil {
		log.Warn("delete processed upload object", "key", u.ObjectKey, "err", err)
	}
	log.Info("processed upload", "state", st, "retired", retired, "bytes", stats.Bytes,
		"documents", stats.OutDocuments, "ranges", stats.OutRanges, "pruned", stats.Pruned, "outside_root", stats.OutsideRoot)
	return nil
}

// attempt converts u into batch run runID and loads it, and checks that
// the tables hold every row the conversion wrote: whatever the load ledger
// said, an upload is completed only with all its rows.
func (w *worker) attempt(ctx context.Context, u *codeintel.Upload, runID string) (batch.Manifest, lsif.Stats, error) {
	m, stats, err := w.convert(ctx, u, runID)
	if err != nil {
		return m, stats, err
	}
	if err := w.load(ctx, m); err != nil {
		return m, stats, err
	}
	if err := codeintel.UploadsCheckData(ctx, w.env.DB, u.ID, only(m, codeintel.Kinds)); err != nil {
		return m, stats, err
	}
	return m, stats, apidocs.EntriesCheck(ctx, w.env.DB, u.ID, m)
}

// only returns m with the batches of kinds only.
func only(m batch.Manifest, kinds []batch.Kind) batch.Manifest {
	m.Batches = slices.DeleteFunc(slices.Clone(m.Batches), func(b batch.Info) bool {
		return !slices.ContainsFunc(kinds, func(k batch.Kind) bool { return k.Name() == b.Kind })
	})
	return m
}

// convert streams u's object through the converter into batch run runID
// and commits the run.
func (w *worker) convert(ctx context.Context, u *codeintel.Upload, runID string) (batch.Manifest, lsif.Stats, error) {
	// Rows of an earlier attempt that crashed after loading some batches.
	if err := codeintel.UploadsDeleteData(ctx, w.env.DB, u.ID); err != nil {
		return batch.Manifest{}, lsif.Stats{}, err
	}
	if err := apidocs.EntriesDelete(ctx, w.env.DB, u.ID); err != nil {
		return batch.Manifest{}, lsif.Stats{}, err
	}
	exists, err := w.paths(ctx, u)
	if err != nil {
		return batch.Manifest{}, lsif.Stats{}, err
	}
	run := w.env.NewRun(w.bucket(), Name, runID)
	sink, err := codeintel.NewBatchSink(ctx, run, u.ID)
	if err != nil {
		return batch.Manifest{}, lsif.Stats{}, err
	}
	size := int64(-1)
	if u.Size != nil {
		size = *u.Size
	}
	in := newResumingReader(ctx, w.bucket(), u.ObjectKey, size)
	defer in.Close()
	stats, err := convertUpload(ctx, u, in, lsif.Opts{Root: u.Root, Exists: exists}, sink, w.job.SCIPMemoryRatio)
	if in.Resumes > 0 {
		w.counts["resumed"] += int64(in.Resumes)
	}
	if err == nil && stats.OutDocuments == 0 {
		err = noDocuments(u, stats)
	}
	if err != nil {
		sink.Abort(err)
		if errors.Is(err, bucket.ErrNotExist) {
			return batch.Manifest{}, stats, permanent("the upload's object %q is gone from the bucket: upload the dump again", u.ObjectKey)
		}
		return batch.Manifest{}, stats, err
	}
	if err := sink.Close(); err != nil {
		return batch.Manifest{}, stats, err
	}
	m, err := run.Commit(ctx)
	if err != nil {
		return batch.Manifest{}, stats, err
	}
	return m, stats, nil
}

// bucket is the run's bucket, its failures marked as storage failures so
// that they do not use up the upload's attempts.
func (w *worker) bucket() bucket.Bucket { return storageBucket{w.env.Bucket} }

// noDocuments is the error of a dump none of whose documents was kept:
// completing it would retire an older upload of the same repository,
// commit, root and indexer, and answer nothing in its place.
func noDocuments(u *codeintel.Upload, st lsif.Stats) error {
	root := "the repository root"
	if u.Root != "" {
		root = fmt.Sprintf("root %q", u.Root)
	}
	switch {
	case st.Documents == 0:
		return permanent("the dump has no documents: check that the indexer ran on the project and upload again")
	case st.OutsideRoot == st.Documents:
		return permanent("none of the dump's %d documents lies inside %s (project root %s): check --root and the directory the indexer ran in, and upload again",
			st.Documents, root, st.ProjectRoot)
	}
	return permanent("none of the dump's %d documents is in git at commit %s under %s (%d outside it, %d not in the commit): check --commit and --root, and upload again",
		st.Documents, u.Commit, root, st.OutsideRoot, st.Pruned)
}

// batchRunID names the batch run of a new attempt at u:
// <job run>-<upload>-<claim>, where claim numbers the attempts of this job
// run. Each attempt needs a run of its own because the loader skips every
// batch the load ledger lists as loaded, and an attempt starts by deleting
// the upload's rows: were a retry to reuse the batch keys of an earlier
// attempt whose ledger rows survived (its cleanup failed), it would skip
// those batches and complete the upload with their rows missing. The
// number is counted here, not taken from the upload's attempts, which a
// storage failure gives back and a requeue resets.
func (w *worker) batchRunID(u *codeintel.Upload) string {
	w.claims++
	return fmt.Sprintf("%s-%d-%d", w.env.RunID, u.ID, w.claims)
}

// deleteRun deletes the batches of batch run runID, an attempt at u,
// whatever its outcome, and then their ledger rows: loaded, they are in
// Postgres; not loaded, the next attempt converts the dump again. It runs
// even when ctx is cancelled, for a while. When it fails, what is left
// (the batches, the ledger rows) is prune's to delete; no later attempt
// depends on it, since each has its own batch run.
func (w *worker) deleteRun(ctx context.Context, u *codeintel.Upload, runID string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	err := batch.DeleteRun(ctx, w.env.Bucket, Name, runID)
	if err == nil {
		_, err = loader.ForgetRun(ctx, w.env.DB, Name, runID)
	}
	if err != nil {
		w.env.Logger.Warn("delete the batches of an upload", "upload", u.ID, "err", err)
	}
}

// load loads the committed run: each batch in its own transaction, while
// the upload is still processing and its rows therefore invisible, so
// the order of the batches does not matter.
func (w *worker) load(ctx context.Context, m batch.Manifest) error {
	l := &loader.Loader{DB: w.env.DB, Bucket: w.bucket(), Registry: batch.NewRegistry(codeintel.SinkKinds()...),
		Targets: append(codeintel.Targets(), apidocs.Targets()...), Logger: w.env.Logger,
		Concurrency: cmp.Or(w.job.LoadConcurrency, DefaultLoadConcurrency)}
	_, err := l.LoadRun(ctx, m)
	return err
}

// paths returns the Exists function of u's commit: the set of paths in
// git there.
func (w *worker) paths(ctx context.Context, u *codeintel.Upload) (func(string) bool, error) {
	r, err := repos.Get(ctx, w.env.DB, u.RepoName)
	if errors.Is(err, repos.ErrNotFound) {
		return nil, permanent("repository %s was removed", u.RepoName)
	}
	if err != nil {
		return nil, err
	}
	dir, err := w.gitDir(ctx, r, u)
	if err != nil {
		return nil, err
	}
	g, err := gitsource.Open(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("repository %s: %w", r.Name, err)
	}
	defer g.Close()
	entries, err := g.Tree(ctx, u.Commit)
	if errors.Is(err, gitsource.ErrUnknownRevision) {
		return nil, waiting("commit %s is not in repository %s", u.Commit, r.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("list files of %s at %s: %w", r.Name, u.Commit, err)
	}
	set := make(map[string]struct{}, len(entries))
	for _, e := range entries {
		set[e.Path] = struct{}{}
	}
	return func(p string) bool { _, ok := set[p]; return ok }, nil
}

// fail records a failed attempt at u: at once errored when the dump or
// the upload is at fault; requeued without using an attempt after a
// storage or connection hiccup (up to the upload's transient bound);
// else retried while it has attempts left.
func (w *worker) fail(ctx context.Context, u *codeintel.Upload, cause error) error {
	if we := (*waitError)(nil); errors.As(cause, &we) {
		return w.wait(ctx, u, we)
	}
	msg, kind := classify(cause)
	wait := w.job.retryAfter(u.Attempts)
	if kind == codeintel.FailureTransient {
		wait = w.job.retryAfter(u.TransientFailures + 1)
	}
	st, err := codeintel.UploadsFail(ctx, w.env.DB, codeintel.UploadsFailParams{
		ID: u.ID, Worker: w.env.RunID, Message: msg, Kind: kind, RetryAfter: wait})
	if errors.Is(err, codeintel.ErrLost) {
		w.counts["lost"]++
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case st == codeintel.StateErrored:
		w.counts["errored"]++
	case kind == codeintel.FailureTransient:
		w.counts["transient"]++
	default:
		w.counts["retried"]++
	}
	w.env.Logger.Warn("upload failed", "upload", u.ID, "state", st, "transient", kind == codeintel.FailureTransient, "err", msg)
	return nil
}

// heartbeat renews u's claim until the returned stop is called; if the
// claim is lost it cancels work with codeintel.ErrLost.
func (w *worker) heartbeat(work context.Context, u *codeintel.Upload, cancel context.CancelCauseFunc) (stop func()) {
	return jobs.KeepAlive(work, jobs.KeepAliveOpts{
		Interval: cmp.Or(w.job.HeartbeatInterval, DefaultHeartbeatInterval),
		Beat:     func(ctx context.Context) error { return codeintel.UploadsHeartbeat(ctx, w.env.DB, u.ID, w.env.RunID) },
		Lost:     codeintel.ErrLost,
		Cancel:   cancel,
		OnErr:    func(err error) { w.env.Logger.Warn("upload heartbeat failed", "upload", u.ID, "err", err) },
	})
}
