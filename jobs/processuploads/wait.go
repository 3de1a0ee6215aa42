package processuploads

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/repospec"
)

// Defaults of the wait for an upload's commit.
const (
	// DefaultCommitWait is how long an upload waits for its commit
	// before it errors: CI uploads right after a push, and sync-repos
	// may not have fetched the commit yet.
	DefaultCommitWait = 24 * time.Hour
	// DefaultCommitRetryAfter is the first wait before an upload whose
	// commit is missing is tried again; the wait grows with the time
	// waited so far, up to MaxRetryAfter.
	DefaultCommitRetryAfter = time.Minute
)

// waitError is an upload's commit missing: its repository not synced
// yet, or the commit not in it even after a fetch. The upload waits
// without using an attempt.
type waitError struct{ reason string }

func (e *waitError) Error() string { return e.reason }

func waiting(format string, args ...any) error {
	return &waitError{reason: fmt.Sprintf(format, args...)}
}

// gitDir returns the git directory of r holding u's commit: for a URL
// repository, the worker's mirror (fetched when it lacks the commit),
// else its mirror from sync-repos, fetched here when it lacks the commit
// (or cloned, not synced yet); for a local path, the path. A commit still
// missing is a waitError.
func (w *worker) gitDir(ctx context.Context, r repos.Repo, u *codeintel.Upload) (string, error) {
	switch {
	case r.URL != "" && w.job.Mirrors != nil:
		dir, err := w.job.Mirrors.Dir(ctx, r.Name, r.URL, u.Commit)
		if err != nil {
			return "", waiting("commit %s is not in repository %s yet (%v)", u.Commit, r.Name, err)
		}
		return dir, nil
	case r.URL != "":
		dir := cmp.Or(r.GitDir, repospec.MirrorDir(w.env.DataDir, r.Name))
		if hasCommit(ctx, dir, u.Commit) {
			return dir, nil
		}
		_, err := gitsource.Mirror(ctx, r.URL, dir, gitsource.MirrorOpts{Protocols: w.job.Protocols, Timeout: w.job.GitTimeout})
		if err != nil {
			return "", waiting("commit %s is not in repository %s yet (fetch: %v)", u.Commit, r.Name, err)
		}
		w.counts["fetched"]++
		if !hasCommit(ctx, dir, u.Commit) {
			return "", waiting("commit %s is not in repository %s, even after a fetch: push it", u.Commit, r.Name)
		}
		return dir, nil
	case r.Path == "":
		return "", waiting("repository %s is not synced yet (run sync-repos)", r.Name)
	}
	if !hasCommit(ctx, r.Path, u.Commit) {
		return "", waiting("commit %s is not in repository %s (local path %s): commit it there", u.Commit, r.Name, r.Path)
	}
	return r.Path, nil
}

// hasCommit reports whether the git directory dir holds commit.
func hasCommit(ctx context.Context, dir, commit string) bool {
	g, err := gitsource.Open(ctx, dir)
	if err != nil {
		return false
	}
	defer g.Close()
	oid, err := g.Resolve(ctx, commit+"^{commit}")
	return err == nil && oid == commit
}

// wait puts u back in the queue to wait for its commit, or errors it past
// the job's commit-wait deadline.
func (w *worker) wait(ctx context.Context, u *codeintel.Upload, we *waitError) error {
	deadline := cmp.Or(w.job.CommitWait, DefaultCommitWait)
	now := w.env.Now()
	retry := cmp.Or(w.job.CommitRetryAfter, DefaultCommitRetryAfter)
	if u.WaitingSince != nil {
		retry = min(max(retry, now.Sub(*u.WaitingSince)/4), MaxRetryAfter)
	}
	st, err := codeintel.UploadsWait(ctx, w.env.DB, codeintel.UploadsWaitParams{
		ID: u.ID, Worker: w.env.RunID, Reason: we.reason, Now: now, Deadline: deadline, RetryAfter: retry,
		Hint: fmt.Sprintf("gave up after the commit-wait deadline (%s, SIGHTLINE_UPLOAD_COMMIT_WAIT); push the commit or check --commit, then upload again or run sightline lsif uploads requeue %d", deadline, u.ID)})
	if errors.Is(err, codeintel.ErrLost) {
		w.counts["lost"]++
		return nil
	}
	if err != nil {
		return err
	}
	if st == codeintel.StateErrored {
		w.counts["errored"]++
		w.env.Logger.Warn("upload waited too long for its commit", "upload", u.ID, "reason", we.reason, "deadline", deadline)
		return nil
	}
	w.counts["waiting"]++
	w.env.Logger.Info("upload waits for its commit", "upload", u.ID, "reason", we.reason, "retry_after", retry)
	return nil
}
