// Package apidocs is the Postgres store of API documentation search: the
// documentation entries of every processed upload (the apidocs-entry batch
// kind, loaded into apidocs_entries with the upload's other rows), the
// search index over the entries of the uploads at each repository's
// default-branch head (apidocs_search_public and apidocs_search_private, by
// the repository's visibility, with pg_trgm GIN indexes), which uploads are
// indexed (apidocs_indexed, apidocs_repos), the index-size limit, search
// and documentation pages.
//
// What is indexed is decided by Reconcile, for one repository at a time, in
// one transaction: for each root and indexer, the newest completed upload
// whose commit is the repository's default-branch head; a newer one
// replaces the older rows in that transaction. Triggers on lsif_uploads
// (migration 00013) remove an upload's rows when it is deleted, retired or
// errored, in the transaction that does it.
//
// It does not convert LSIF (sources/lsif does) or decide grants (the
// caller passes the private repositories a user may see).
package apidocs

import (
	"context"
	"errors"

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

// ErrNotFound is returned for a page of a repository that has no indexed
// upload the reader may see, or a path without entries.
var ErrNotFound = errors.New("not found")
