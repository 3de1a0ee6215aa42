package codeintel

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sightline-dev/sightline/sinks/apidocs"
)

// UploadsClaim takes the oldest queued upload whose process_after has
// passed for worker: it becomes processing, its attempts count goes up by
// one and its heartbeat starts now. It returns nil when none is ready. One
// statement; concurrent claimers skip rows another has locked.
func UploadsClaim(ctx context.Context, db DB, worker string) (*Upload, error) {
	var id int64
	err := db.QueryRow(ctx, `
		UPDATE lsif_uploads SET state = 'processing', attempts = attempts + 1, claimed_by = $1,
			heartbeat_at = now(), started_at = now(), failure_message = NULL
		WHERE id = (
			SELECT id FROM lsif_uploads
			WHERE state = 'queued' AND process_after <= now()
			ORDER BY process_after, id
			FOR UPDATE SKIP LOCKED
			LIMIT 1)
		RETURNING id`, worker).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("claim an upload for %s: %w", worker, err)
	}
	u, err := UploadsGet(ctx, db, id)
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// UploadsHeartbeat records that worker still works on upload id, or
// returns ErrLost.
func UploadsHeartbeat(ctx context.Context, db DB, id int64, worker string) error {
	tag, err := db.Exec(ctx, `UPDATE lsif_uploads SET heartbeat_at = now()
		WHERE id = $1 AND claimed_by = $2 AND state = 'processing'`, id, worker)
	if err != nil {
		return fmt.Errorf("heartbeat upload %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("heartbeat upload %d: %w", id, ErrLost)
	}
	return nil
}

// resetSet takes a processing upload back: queued at once, or errored when
// it has used its attempts (an upload that kills its worker every time must
// not be retried forever). $1 is the reason.
const resetSet = `
	state = CASE WHEN attempts >= max_attempts THEN 'errored' ELSE 'queued' END,
	process_after = now(), claimed_by = NULL,
	failure_message = $1 || CASE WHEN attempts >= max_attempts
		THEN ' after ' || attempts || ' attempts; upload the dump again to retry' ELSE '' END,
	finished_at = CASE WHEN attempts >= max_attempts THEN now() END`

// stalled is the condition of a processing upload u that its worker no
// longer works on: its heartbeat is older than $2 microseconds, or its
// job run is no longer running (a crash).
const stalled = `(u.heartbeat_at < now() - $2 * interval '1 microsecond'
	OR NOT EXISTS (SELECT 1 FROM job_runs r WHERE r.run_id = u.claimed_by AND r.status = 'running'))`

// UploadsResetStalled takes back the processing uploads whose heartbeat is
// older than olderThan, or whose worker's job run is no longer running (a
// crash), and returns how many; those that errored for good lose the rows
// they had loaded.
func UploadsResetStalled(ctx context.Context, db DB, olderThan time.Duration) (int, error) {
	rows, err := db.Query(ctx, `
		UPDATE lsif_uploads u SET`+resetSet+`
		WHERE state = 'processing' AND `+stalled+`
		RETURNING id, state`,
		"processing stopped (worker crashed or hung)", olderThan.Microseconds())
	if err != nil {
		return 0, fmt.Errorf("reset stalled uploads: %w", err)
	}
	type reset struct {
		ID    int64
		State State
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[reset])
	if err != nil {
		return 0, fmt.Errorf("reset stalled uploads: %w", err)
	}
	for _, r := range list {
		if r.State == StateErrored {
			if err := UploadsDeleteData(ctx, db, r.ID); err != nil {
				return len(list), err
			}
		}
	}
	return len(list), nil
}

// UploadsRelease puts upload id, held by worker, back in the queue, ready
// at once, without counting the attempt: for a worker that stops (SIGTERM).
func UploadsRelease(ctx context.Context, db DB, id int64, worker string) error {
	tag, err := db.Exec(ctx, `
		UPDATE lsif_uploads SET state = 'queued', attempts = greatest(attempts - 1, 0), claimed_by = NULL,
			process_after = now()
		WHERE id = $1 AND claimed_by = $2 AND state = 'processing'`, id, worker)
	if err != nil {
		return fmt.Errorf("release upload %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("release upload %d: %w", id, ErrLost)
	}
	return nil
}

// Failure says how an attempt at an upload failed, and so what it costs.
type Failure int

// The kinds of failure.
const (
	// FailureRetry may pass (a commit not synced yet, an unexplained
	// error): the attempt counts, and the upload errors once it has used
	// its max_attempts.
	FailureRetry Failure = iota
	// FailurePermanent is the dump's or the upload's fault (malformed
	// LSIF, a corrupt object, a removed repository): the upload errors at
	// once.
	FailurePermanent
	// FailureTransient is a hiccup outside the dump (the bucket, the
	// network, a lost database connection): the attempt is given back and
	// counted in transient_failures instead, and the upload errors only
	// once that reaches max_transient_failures.
	FailureTransient
)

// UploadsFailParams describe a failed attempt.
type UploadsFailParams struct {
	ID     int64
	Worker string
	// Message says what went wrong and what to do.
	Message string
	Kind    Failure
	// RetryAfter is how long a requeued upload waits before it can be
	// claimed again.
	RetryAfter time.Duration
}

// UploadsFail records that a worker's attempt at an upload failed, as
// p.Kind says, and deletes the rows loaded for the upload in the same
// transaction. The upload no longer waits for its commit (an attempt
// fails only once it has found it; see UploadsWait): its waiting reason
// and start are cleared, so a later wait starts its deadline afresh. It returns the new state (queued or errored), or ErrLost
// when the worker no longer holds the upload.
func UploadsFail(ctx context.Context, db DB, p UploadsFailParams) (State, error) {
	permanent, transient := p.Kind == FailurePermanent, p.Kind == FailureTransient
	var st State
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			WITH f AS (
				SELECT id, $4::bool AND transient_failures + 1 >= max_transient_failures AS transient_out,
					$3::bool OR (NOT $4 AND attempts >= max_attempts)
						OR ($4 AND transient_failures + 1 >= max_transient_failures) AS done
				FROM lsif_uploads WHERE id = $1 AND claimed_by = $2 AND state = 'processing' FOR UPDATE)
			UPDATE lsif_uploads u SET
				state = CASE WHEN f.done THEN 'errored' ELSE 'queued' END,
				finished_at = CASE WHEN f.done THEN now() END,
				process_after = now() + $6 * interval '1 microsecond',
				attempts = CASE WHEN $4 THEN greatest(u.attempts - 1, 0) ELSE u.attempts END,
				transient_failures = u.transient_failures + CASE WHEN $4 THEN 1 ELSE 0 END,
				last_transient_error = CASE WHEN $4 THEN $5 ELSE u.last_transient_error END,
				claimed_by = NULL, waiting_reason = NULL, waiting_since = NULL,
				failure_message = $5 || CASE WHEN f.transient_out THEN
					' (gave up after ' || u.transient_failures + 1 || ' storage or connection failures;'
					|| ' once they are fixed, run sightline lsif uploads requeue ' || u.id || ')' ELSE '' END
			FROM f WHERE u.id = f.id
			RETURNING u.state`, p.ID, p.Worker, permanent, transient, p.Message, p.RetryAfter.Microseconds()).Scan(&st)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("fail upload %d: %w", p.ID, ErrLost)
		}
		if err != nil {
			return fmt.Errorf("fail upload %d: %w", p.ID, err)
		}
		return UploadsDeleteData(ctx, tx, p.ID)
	})
	return st, err
}

// CompleteResult is what UploadsComplete did.
type CompleteResult struct {
	// State is the upload's final state: completed, or deleted when a
	// newer upload of its key was already completed.
	State State
	// Retired counts the uploads it retired.
	Retired int
	// Docs is what the API docs search index of the repository changed.
	Docs apidocs.ReconcileResult
}

// UploadsComplete makes upload id, held by worker and fully loaded,
// visible, in one transaction: completed uploads of the same repository,
// commit, root and indexer are retired (state deleted, rows deleted) and
// this one completed — unless a newer one (higher id) is already
// completed, in which case this one is retired instead — the
// repository's API docs search index is brought up to date
// (apidocs.Reconcile: a newer upload at the default-branch head replaces
// the older one's rows), and the repository is marked dirty for the
// commit-graph updater. Its wait for its commit, if it waited, is
// cleared. It returns what it did, or ErrLost.
func UploadsComplete(ctx context.Context, db DB, id int64, worker string) (CompleteResult, error) {
	var st State
	var retired []int64
	var docs apidocs.ReconcileResult
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		var repoID int64
		err := tx.QueryRow(ctx, `SELECT repo_id FROM lsif_uploads
			WHERE id = $1 AND claimed_by = $2 AND state = 'processing' FOR UPDATE`, id, worker).Scan(&repoID)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("complete upload %d: %w", id, ErrLost)
		}
		if err != nil {
			return fmt.Errorf("complete upload %d: %w", id, err)
		}
		// Before the same-key uploads: Reconcile (below, and in other
		// transactions) takes it before it locks the uploads at the head.
		if err := apidocs.RepoLock(ctx, tx, repoID); err != nil {
			return fmt.Errorf("complete upload %d: %w", id, err)
		}
		// Locks the same-key completed uploads, so two workers completing
		// uploads of one key serialize here.
		rows, err := tx.Query(ctx, `
			SELECT o.id FROM lsif_uploads o JOIN lsif_uploads u
				ON u.repo_id = o.repo_id AND u.commit_oid = o.commit_oid AND u.root = o.root AND u.indexer = o.indexer
			WHERE u.id = $1 AND o.state = 'completed' ORDER BY o.id FOR UPDATE OF o`, id)
		if err != nil {
			return fmt.Errorf("complete upload %d: find replaced uploads: %w", id, err)
		}
		others, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("complete upload %d: find replaced uploads: %w", id, err)
		}
		st = StateCompleted
		retired = others
		if n := len(others); n > 0 && others[n-1] > id {
			st, retired = StateDeleted, []int64{id}
		}
		if _, err := tx.Exec(ctx, `UPDATE lsif_uploads SET state = $2, finished_at = now(), claimed_by = NULL,
			waiting_reason = NULL, waiting_since = NULL
			WHERE id = $1`, id, st); err != nil {
			return fmt.Errorf("complete upload %d: %w", id, err)
		}
		if err := retire(ctx, tx, retired); err != nil {
			return err
		}
		if docs, err = apidocs.Reconcile(ctx, tx, repoID); err != nil {
			return fmt.Errorf("complete upload %d: %w", id, err)
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO lsif_dirty_repos (repo_id, dirty_token) VALUES ($1, 1)
			ON CONFLICT (repo_id) DO UPDATE SET dirty_token = lsif_dirty_repos.dirty_token + 1`, repoID)
		if err != nil {
			return fmt.Errorf("complete upload %d: mark repository dirty: %w", id, err)
		}
		return nil
	})
	return CompleteResult{State: st, Retired: len(retired), Docs: docs}, err
}

// retire marks uploads deleted and deletes their rows.
func retire(ctx context.Context, tx pgx.Tx, ids []int64) error {
	for _, id := range ids {
		if _, err := tx.Exec(ctx, `UPDATE lsif_uploads SET state = 'deleted',
			failure_message = 'replaced by a newer upload of the same repository, commit, root and indexer'
			WHERE id = $1`, id); err != nil {
			return fmt.Errorf("retire upload %d: %w", id, err)
		}
		if err := UploadsDeleteData(ctx, tx, id); err != nil {
			return err
		}
	}
	return nil
}

// UploadsDeleteData deletes every converted row of upload id, in each
// table of kindTables. Idempotent.
func UploadsDeleteData(ctx context.Context, db DB, id int64) error {
	for _, kt := range kindTables {
		if _, err := db.Exec(ctx, `DELETE FROM `+kt.table+` WHERE upload_id = $1`, id); err != nil {
			return fmt.Errorf("delete %s rows of upload %d: %w", kt.table, id, err)
		}
	}
	return nil
}
