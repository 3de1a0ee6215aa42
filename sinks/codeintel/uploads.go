package codeintel

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// DB is what the store needs of a pool or a transaction.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Begin(ctx context.Context) (pgx.Tx, error)
}

// State is an upload's state in the lsif_uploads queue.
type State string

// The upload states: uploading (parts arriving), queued (composed, waiting
// for process-uploads), processing (claimed), completed (its data is
// visible), errored (failed for good: failure_message says why) and deleted
// (replaced by a newer upload of the same repo, commit, root and indexer).
const (
	StateUploading  State = "uploading"
	StateQueued     State = "queued"
	StateProcessing State = "processing"
	StateCompleted  State = "completed"
	StateErrored    State = "errored"
	StateDeleted    State = "deleted"
)

// States lists every state, in lifecycle order.
var States = []State{StateUploading, StateQueued, StateProcessing, StateCompleted, StateErrored, StateDeleted}

// ErrNotFound is returned for an upload id that does not exist.
var ErrNotFound = errors.New("upload not found")

// ErrLost is returned when a worker no longer holds the upload it is
// working on (it was reset as stalled and claimed by another).
var ErrLost = errors.New("upload no longer held by this worker")

// Upload is a row of lsif_uploads, with its repository's name.
type Upload struct {
	ID       int64
	RepoID   int64
	RepoName string
	Commit   string
	Root     string
	Indexer  string
	// Format is what the upload holds: "lsif" (an LSIF dump) or "scip"
	// (a SCIP index), as the uploader detected it from the content.
	Format         string
	State          State
	NumParts       int
	UploadedParts  []int
	ObjectKey      string
	Size           *int64
	FailureMessage string
	Attempts       int
	MaxAttempts    int
	// TransientFailures counts the attempts that failed for a reason
	// outside the dump (the bucket, the network, a lost database
	// connection): they do not use up Attempts, but past
	// MaxTransientFailures the upload errors. LastTransientError is the
	// latest one's message.
	TransientFailures    int
	MaxTransientFailures int
	LastTransientError   string
	// WaitingReason says why a queued upload waits for its commit (its
	// repository not synced, its commit not fetched yet) without using
	// attempts, since WaitingSince (on the job run's clock); see
	// UploadsWait.
	WaitingReason string
	WaitingSince  *time.Time
	ClaimedBy     string
	UploadedAt    time.Time
	QueuedAt      *time.Time
	StartedAt     *time.Time
	FinishedAt    *time.Time
}

// PartKey returns the bucket key of part i of an upload whose composed
// object is objectKey.
func PartKey(objectKey string, i int) string { return fmt.Sprintf("%s.part-%d", objectKey, i) }

// MissingParts returns the part indexes below NumParts not yet received.
func (u Upload) MissingParts() []int {
	var missing []int
	for i := range u.NumParts {
		if !slices.Contains(u.UploadedParts, i) {
			missing = append(missing, i)
		}
	}
	return missing
}

const uploadColumns = `u.id, u.repo_id, r.name, u.commit_oid, u.root, u.indexer, u.format, u.state, u.num_parts,
	u.uploaded_parts, u.object_key, u.size, coalesce(u.failure_message, ''), u.attempts, u.max_attempts,
	u.transient_failures, u.max_transient_failures, coalesce(u.last_transient_error, ''),
	coalesce(u.waiting_reason, ''), u.waiting_since, coalesce(u.claimed_by, ''), u.uploaded_at, u.queued_at, u.started_at, u.finished_at`

const uploadFrom = ` FROM lsif_uploads u JOIN repos r ON r.id = u.repo_id `

func scanUpload(row pgx.CollectableRow) (Upload, error) {
	var u Upload
	var parts []int32
	err := row.Scan(&u.ID, &u.RepoID, &u.RepoName, &u.Commit, &u.Root, &u.Indexer, &u.Format, &u.State, &u.NumParts,
		&parts, &u.ObjectKey, &u.Size, &u.FailureMessage, &u.Attempts, &u.MaxAttempts,
		&u.TransientFailures, &u.MaxTransientFailures, &u.LastTransientError,
		&u.WaitingReason, &u.WaitingSince, &u.ClaimedBy, &u.UploadedAt, &u.QueuedAt, &u.StartedAt, &u.FinishedAt)
	for _, p := range parts {
		u.UploadedParts = append(u.UploadedParts, int(p))
	}
	slices.Sort(u.UploadedParts)
	return u, err
}

// DefaultKeyPrefix is the bucket prefix under which uploads' objects and
// parts are stored: <prefix>/upload-<id>.lsif.gz and its .part-N.
const DefaultKeyPrefix = "lsif-uploads"

// UploadsInsertParams describe a new upload.
type UploadsInsertParams struct {
	RepoID  int64
	Commit  string // 40 lower-case hex digits
	Root    string
	Indexer string
	// Format is "lsif" or "scip"; "" means "lsif".
	Format string
	// NumParts is the expected part count, at least 1; UploadsFinish sets
	// the final count when it was not known upfront (a stream).
	NumParts int
	// MaxAttempts is how many times process-uploads tries it; 0 means the
	// table's default.
	MaxAttempts int
	// KeyPrefix is the bucket prefix of the object; "" means
	// DefaultKeyPrefix.
	KeyPrefix string
}

// UploadsInsert records a new upload in state uploading and returns it. Its
// object key, <prefix>/upload-<id>.lsif.gz, is derived from its id, which is
// drawn from the identity sequence first so that both are set in one insert.
func UploadsInsert(ctx context.Context, db DB, p UploadsInsertParams) (Upload, error) {
	prefix := cmp.Or(p.KeyPrefix, DefaultKeyPrefix)
	var id int64
	err := db.QueryRow(ctx, `
		WITH next AS (SELECT nextval(pg_get_serial_sequence('lsif_uploads', 'id')) AS id)
		INSERT INTO lsif_uploads (id, repo_id, commit_oid, root, indexer, num_parts, object_key, max_attempts, format)
		OVERRIDING SYSTEM VALUE
		SELECT id, $1, $2, $3, $4, $5, $6 || '/upload-' || id || '.lsif.gz', coalesce(nullif($7, 0), 3), $8 FROM next
		RETURNING id`,
		p.RepoID, p.Commit, p.Root, p.Indexer, max(p.NumParts, 1), prefix, p.MaxAttempts, cmp.Or(p.Format, "lsif")).Scan(&id)
	if err != nil {
		return Upload{}, fmt.Errorf("insert upload for commit %s: %w", p.Commit, err)
	}
	return UploadsGet(ctx, db, id)
}

// UploadsGet returns upload id, or ErrNotFound.
func UploadsGet(ctx context.Context, db DB, id int64) (Upload, error) {
	rows, err := db.Query(ctx, `SELECT `+uploadColumns+uploadFrom+`WHERE u.id = $1`, id)
	if err != nil {
		return Upload{}, fmt.Errorf("get upload %d: %w", id, err)
	}
	u, err := pgx.CollectExactlyOneRow(rows, scanUpload)
	if errors.Is(err, pgx.ErrNoRows) {
		return Upload{}, fmt.Errorf("upload %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Upload{}, fmt.Errorf("get upload %d: %w", id, err)
	}
	return u, nil
}

// UploadsListParams filter UploadsList; zero fields match everything.
type UploadsListParams struct {
	RepoID int64
	State  State
	// Limit bounds the result; 0 means no limit.
	Limit int
}

// UploadsList returns uploads, newest first.
func UploadsList(ctx context.Context, db DB, p UploadsListParams) ([]Upload, error) {
	rows, err := db.Query(ctx, `SELECT `+uploadColumns+uploadFrom+`
		WHERE ($1 = 0 OR u.repo_id = $1) AND ($2 = '' OR u.state = $2)
		ORDER BY u.id DESC LIMIT nullif($3, 0)`, p.RepoID, string(p.State), p.Limit)
	if err != nil {
		return nil, fmt.Errorf("list uploads: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanUpload)
	if err != nil {
		return nil, fmt.Errorf("list uploads: %w", err)
	}
	return out, nil
}

// UploadsPartAdd records that part i of upload id is stored. It is
// idempotent, and grows num_parts to i+1 for a stream whose count is not
// known yet. It fails unless the upload is still uploading.
func UploadsPartAdd(ctx context.Context, db DB, id int64, i int) error {
	tag, err := db.Exec(ctx, `
		UPDATE lsif_uploads SET
			uploaded_parts = array(SELECT DISTINCT p FROM unnest(array_append(uploaded_parts, $2::int)) p ORDER BY p),
			num_parts = greatest(num_parts, $2 + 1)
		WHERE id = $1 AND state = 'uploading'`, id, i)
	if err != nil {
		return fmt.Errorf("record part %d of upload %d: %w", i, id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("record part %d of upload %d: the upload is not in state uploading", i, id)
	}
	return nil
}

// UploadsQueue moves upload id from uploading to queued once its composed
// object is stored, with the object's size and the dump's uncompressed
// size.
func UploadsQueue(ctx context.Context, db DB, id int64, size, uncompressed int64) error {
	tag, err := db.Exec(ctx, `
		UPDATE lsif_uploads SET state = 'queued', size = $2, uncompressed_size = $3, queued_at = now(),
			process_after = now()
		WHERE id = $1 AND state = 'uploading'`, id, size, uncompressed)
	if err != nil {
		return fmt.Errorf("queue upload %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("queue upload %d: the upload is not in state uploading", id)
	}
	return nil
}

// UploadsSetNumParts fixes the part count of upload id, still uploading.
func UploadsSetNumParts(ctx context.Context, db DB, id int64, n int) error {
	_, err := db.Exec(ctx, `UPDATE lsif_uploads SET num_parts = $2 WHERE id = $1 AND state = 'uploading'`, id, n)
	if err != nil {
		return fmt.Errorf("set part count of upload %d: %w", id, err)
	}
	return nil
}
