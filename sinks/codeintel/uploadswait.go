package codeintel

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// UploadsWaitParams describe an attempt at an upload that found its
// commit missing.
type UploadsWaitParams struct {
	ID     int64
	Worker string
	// Reason says what is missing ("commit X is not in repository Y").
	Reason string
	// Now is the job run's clock; the wait is measured on it.
	Now time.Time
	// Deadline is how long an upload may wait, from the first time it was
	// found waiting; past it the upload errors.
	Deadline time.Duration
	// RetryAfter is how long the upload waits before it is claimed again.
	RetryAfter time.Duration
	// Hint ends the failure message of an upload that waited too long:
	// what to do.
	Hint string
}

// UploadsWait puts upload id, held by worker, back in the queue because
// its commit is not there yet: the attempt is given back (it does not
// count against max_attempts), the reason and, the first time, when the
// wait began are recorded for `lsif uploads`. Once the upload has waited
// p.Deadline it errors instead, with the reason and how long it waited.
// Rows an attempt loaded are deleted in the same transaction. It returns
// the new state (queued or errored), or ErrLost.
func UploadsWait(ctx context.Context, db DB, p UploadsWaitParams) (State, error) {
	var st State
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			WITH f AS (
				SELECT id, coalesce(waiting_since, $4) AS since,
					$4 - coalesce(waiting_since, $4) >= $5 * interval '1 microsecond' AS done
				FROM lsif_uploads WHERE id = $1 AND claimed_by = $2 AND state = 'processing' FOR UPDATE)
			UPDATE lsif_uploads u SET
				state = CASE WHEN f.done THEN 'errored' ELSE 'queued' END,
				finished_at = CASE WHEN f.done THEN now() END,
				attempts = greatest(u.attempts - 1, 0),
				process_after = now() + $6 * interval '1 microsecond',
				claimed_by = NULL,
				waiting_reason = $3,
				waiting_since = f.since,
				failure_message = CASE WHEN f.done THEN
					$3 || ' after waiting since ' || to_char(f.since AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC: ' || $7 END
			FROM f WHERE u.id = f.id
			RETURNING u.state`, p.ID, p.Worker, p.Reason, p.Now, p.Deadline.Microseconds(), p.RetryAfter.Microseconds(), p.Hint).Scan(&st)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("wait upload %d: %w", p.ID, ErrLost)
		}
		if err != nil {
			return fmt.Errorf("wait upload %d: %w", p.ID, err)
		}
		return UploadsDeleteData(ctx, tx, p.ID)
	})
	return st, err
}
