package apidocs

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ReconcileResult says what Reconcile changed.
type ReconcileResult struct {
	// Indexed and Removed count the uploads put into and taken out of
	// the search tables; Rows counts the rows written.
	Indexed, Removed int
	Rows             int64
}

// indexedUpload is a row of apidocs_indexed.
type indexedUpload struct {
	id      int64
	private bool
}

// Reconcile brings repository repoID's search rows up to date, in one
// transaction: for each root and indexer, the rows of the newest completed
// upload whose commit is the repository's default-branch head, in the
// table of the repository's visibility, and no others. An upload already
// indexed is left alone (so one the index-size limit took out stays out
// until a newer one replaces it). Reconciles of one repository serialize
// on an advisory lock, and the uploads it indexes are locked FOR SHARE, so
// that one retired or deleted meanwhile loses its rows (the lsif_uploads
// triggers) after this transaction and not before it. Idempotent.
//
// db may be a transaction (codeintel.UploadsComplete reconciles in the
// one that completes an upload, so that a newer upload replaces the older
// one's rows atomically); Reconcile then works in a savepoint.
func Reconcile(ctx context.Context, db DB, repoID int64) (ReconcileResult, error) {
	var res ReconcileResult
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		if err := RepoLock(ctx, tx, repoID); err != nil {
			return err
		}
		var head *string
		var private bool
		err := tx.QueryRow(ctx, `SELECT head_commit, private FROM repos WHERE id = $1`, repoID).Scan(&head, &private)
		if err != nil {
			return fmt.Errorf("read repository %d for api docs: %w", repoID, err)
		}
		want, err := headUploads(ctx, tx, repoID)
		if err != nil {
			return err
		}
		have, err := indexedUploads(ctx, tx, repoID)
		if err != nil {
			return err
		}
		if res.Removed, err = unindex(ctx, tx, repoID, want, have, private); err != nil {
			return err
		}
		for _, id := range want {
			if u, ok := have[id]; ok && u.private == private {
				continue
			}
			n, err := index(ctx, tx, repoID, id, private)
			if err != nil {
				return err
			}
			res.Indexed++
			res.Rows += n
		}
		_, err = tx.Exec(ctx, `INSERT INTO apidocs_repos (repo_id, head_commit, private, reconciled_at)
			VALUES ($1, $2, $3, now()) ON CONFLICT (repo_id) DO UPDATE
			SET head_commit = $2, private = $3, reconciled_at = now()`, repoID, head, private)
		if err != nil {
			return fmt.Errorf("record the api docs head of repository %d: %w", repoID, err)
		}
		return nil
	})
	return res, err
}

// RepoLock takes, until the end of transaction tx, the lock that
// Reconciles of repository repoID serialize on. Reconcile locks the
// repository's completed uploads at its head after it; a transaction that
// locks any of them before it reconciles (codeintel.UploadsComplete
// retires the upload it replaces) must take RepoLock first, or it
// deadlocks with a concurrent Reconcile. Taking it again in the same
// transaction is a no-op.
func RepoLock(ctx context.Context, tx pgx.Tx, repoID int64) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('apidocs-repo:' || $1::bigint, 0))`, repoID); err != nil {
		return fmt.Errorf("lock the api docs of repository %d: %w", repoID, err)
	}
	return nil
}

// headUploads returns the newest completed upload at repoID's head for
// each root and indexer, locking every completed upload there FOR SHARE.
func headUploads(ctx context.Context, tx pgx.Tx, repoID int64) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT u.id, u.root, u.indexer FROM lsif_uploads u JOIN repos r ON r.id = u.repo_id
		WHERE u.repo_id = $1 AND u.state = 'completed' AND u.commit_oid = r.head_commit
		ORDER BY u.id DESC FOR SHARE OF u`, repoID)
	if err != nil {
		return nil, fmt.Errorf("list the uploads at the head of repository %d: %w", repoID, err)
	}
	type key struct{ root, indexer string }
	seen := map[key]bool{}
	var ids []int64
	var id int64
	var k key
	_, err = pgx.ForEachRow(rows, []any{&id, &k.root, &k.indexer}, func() error {
		if !seen[k] {
			seen[k] = true
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list the uploads at the head of repository %d: %w", repoID, err)
	}
	return ids, nil
}

func indexedUploads(ctx context.Context, tx pgx.Tx, repoID int64) (map[int64]indexedUpload, error) {
	rows, err := tx.Query(ctx, `SELECT upload_id, private FROM apidocs_indexed WHERE repo_id = $1`, repoID)
	if err != nil {
		return nil, fmt.Errorf("list the indexed uploads of repository %d: %w", repoID, err)
	}
	have := map[int64]indexedUpload{}
	var u indexedUpload
	_, err = pgx.ForEachRow(rows, []any{&u.id, &u.private}, func() error {
		have[u.id] = u
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list the indexed uploads of repository %d: %w", repoID, err)
	}
	return have, nil
}

// unindex deletes the search rows of the indexed uploads that are not
// wanted any more, or are in the table of the other visibility.
func unindex(ctx context.Context, tx pgx.Tx, repoID int64, want []int64, have map[int64]indexedUpload, private bool) (int, error) {
	wanted := map[int64]bool{}
	for _, id := range want {
		wanted[id] = true
	}
	var drop []int64
	for id, u := range have {
		if !wanted[id] || u.private != private {
			drop = append(drop, id)
		}
	}
	if len(drop) == 0 {
		return 0, nil
	}
	for _, stmt := range []string{
		`DELETE FROM apidocs_search_public WHERE upload_id = ANY($1)`,
		`DELETE FROM apidocs_search_private WHERE upload_id = ANY($1)`,
		`DELETE FROM apidocs_indexed WHERE upload_id = ANY($1)`,
	} {
		if _, err := tx.Exec(ctx, stmt, drop); err != nil {
			return 0, fmt.Errorf("remove replaced api docs of repository %d (uploads %v): %w", repoID, drop, err)
		}
	}
	return len(drop), nil
}

// table is the search table of a visibility.
func table(private bool) string {
	if private {
		return "apidocs_search_private"
	}
	return "apidocs_search_public"
}

// index copies upload id's searchable entries (those with a search key)
// into the search table of its visibility and records it.
func index(ctx context.Context, tx pgx.Tx, repoID, id int64, private bool) (int64, error) {
	tag, err := tx.Exec(ctx, `INSERT INTO `+table(private)+` (upload_id, ordinal, repo_id, repo_name, lang, kind, name, search_key, path)
		SELECT e.upload_id, e.ordinal, r.id, r.name, lower(e.language), lower(e.kind), e.name, e.search_key, e.path
		FROM apidocs_entries e, repos r WHERE e.upload_id = $1 AND e.search_key <> '' AND r.id = $2`, id, repoID)
	if err != nil {
		return 0, fmt.Errorf("index the api docs of upload %d: %w", id, err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO apidocs_indexed (upload_id, repo_id, private, rows, indexed_at)
		VALUES ($1, $2, $3, $4, now())`, id, repoID, private, tag.RowsAffected())
	if err != nil {
		return 0, fmt.Errorf("record the api docs of upload %d: %w", id, err)
	}
	return tag.RowsAffected(), nil
}

// StaleReposList returns the repositories whose search rows may be out of
// date: their default-branch head or visibility changed since their last
// Reconcile, or a completed upload at their head is not indexed (its
// reconcile failed or never ran; at a commit, completion keeps one
// completed upload per root and indexer, so every one at the head belongs
// in the index).
func StaleReposList(ctx context.Context, db DB) ([]int64, error) {
	rows, err := db.Query(ctx, `SELECT r.id FROM repos r LEFT JOIN apidocs_repos a ON a.repo_id = r.id
		WHERE (a.repo_id IS NOT NULL AND (a.head_commit IS DISTINCT FROM r.head_commit OR a.private <> r.private))
			OR EXISTS (SELECT 1 FROM lsif_uploads u
				WHERE u.repo_id = r.id AND u.state = 'completed' AND u.commit_oid = r.head_commit
					AND NOT EXISTS (SELECT 1 FROM apidocs_indexed i WHERE i.upload_id = u.id))
		ORDER BY r.id`)
	if err != nil {
		return nil, fmt.Errorf("list repositories with stale api docs: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("list repositories with stale api docs: %w", err)
	}
	return ids, nil
}
