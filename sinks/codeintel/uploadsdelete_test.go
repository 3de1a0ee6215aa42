package codeintel_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/sinks/codeintel/packed"
	"github.com/sightline-dev/sightline/sinks/pgtest"
	"github.com/sightline-dev/sightline/sinks/repos"
)

// TestDeletedUploadsLoseTheirRows checks the statement trigger that stands
// in for the bulk tables' foreign keys (dropped so that COPY does not check
// every row): deleting an upload, directly or through its repository,
// deletes its documents, hovers, result chunks and moniker results, and
// nothing of the other uploads.
func TestDeletedUploadsLoseTheirRows(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()
	a, b, c := newUploadWithRows(t, db, "a"), newUploadWithRows(t, db, "b"), newUploadWithRows(t, db, "c")

	exec(t, db, `DELETE FROM lsif_uploads WHERE id = $1`, a)
	wantRows(t, db, a, 0)
	wantRows(t, db, b, 1)
	wantRows(t, db, c, 1)

	r, err := repos.Get(ctx, db, "b")
	if err != nil {
		t.Fatal(err)
	}
	exec(t, db, `DELETE FROM repos WHERE id = $1`, r.ID)
	wantRows(t, db, b, 0)
	wantRows(t, db, c, 1)
}

// newUploadWithRows adds repository name with one completed upload and
// one row of it in each bulk table, and returns the upload's id.
func newUploadWithRows(t *testing.T, db *pgxpool.Pool, name string) int64 {
	t.Helper()
	ctx := context.Background()
	if err := repos.Upsert(ctx, db, repos.Spec{Name: name, Path: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	r, err := repos.Get(ctx, db, name)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := db.QueryRow(ctx, `INSERT INTO lsif_uploads (repo_id, commit_oid, state, num_parts, object_key)
		VALUES ($1, $2, 'completed', 1, $3) RETURNING id`, r.ID, commit, "uploads/"+name).Scan(&id); err != nil {
		t.Fatal(err)
	}
	insertDocument(t, db, id, "a.ts", rng(0, 0, 0, 1, 0, 0, 0))
	exec(t, db, `INSERT INTO lsif_hovers (upload_id, hover_id, text) VALUES ($1, 1, 'hover')`, id)
	insertResults(t, db, id, packed.Result{ID: 1, Kind: packed.Definitions, Locations: []packed.Location{at("a.ts", 0, 0, 0, 1)}})
	exec(t, db, `INSERT INTO lsif_moniker_results (upload_id, scheme, identifier, definition_result)
		VALUES ($1, 'npm', 'x', 1)`, id)
	return id
}

// bulkTables are the tables without a foreign key to lsif_uploads.
var bulkTables = []string{"lsif_documents", "lsif_hovers", "lsif_result_chunks", "lsif_moniker_results"}

// wantRows checks that upload id has n rows in each bulk table.
func wantRows(t *testing.T, db *pgxpool.Pool, id int64, n int) {
	t.Helper()
	for _, table := range bulkTables {
		var got int
		if err := db.QueryRow(context.Background(), fmt.Sprintf(`SELECT count(*) FROM %s WHERE upload_id = $1`, table), id).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != n {
			t.Errorf("%s has %d rows of upload %d, want %d", table, got, id, n)
		}
	}
}

func exec(t *testing.T, db *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := db.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
