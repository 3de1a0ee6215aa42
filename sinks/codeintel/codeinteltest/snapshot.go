// Package codeinteltest reads back everything code navigation answers
// from, for tests that compare two runs of the pipeline. Only tests import
// it.
package codeinteltest

import (
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// dataTables are the tables of converted LSIF data, keyed by upload.
var dataTables = []string{"lsif_ranges", "lsif_hovers", "lsif_result_locations", "lsif_moniker_results",
	"lsif_diagnostics", "lsif_packages", "lsif_package_references"}

// Snapshot returns, per table, the rows code navigation can see: the
// completed uploads, their converted data and the nearest uploads at each
// commit, each row as JSON, sorted. An upload is named by its repository,
// commit, root and indexer, not its id, so that two runs that numbered
// their uploads differently (a retried upload takes a new id) compare
// equal when they hold the same data.
func Snapshot(t testing.TB, db *pgxpool.Pool) map[string][]string {
	t.Helper()
	out := map[string][]string{
		"lsif_uploads (completed)": rows(t, db, `SELECT jsonb_build_object('upload', `+uploadName+`,
			'num_parts', u.num_parts, 'size', u.size, 'uncompressed_size', u.uncompressed_size)::text
			FROM lsif_uploads u JOIN repos r ON r.id = u.repo_id WHERE u.state = 'completed'`),
		"lsif_nearest_uploads": rows(t, db, `SELECT (to_jsonb(n) - 'upload_id' - 'repo_id'
			|| jsonb_build_object('repo', rr.name, 'upload', `+uploadName+`))::text
			FROM lsif_nearest_uploads n JOIN repos rr ON rr.id = n.repo_id
			JOIN lsif_uploads u ON u.id = n.upload_id JOIN repos r ON r.id = u.repo_id`),
	}
	for _, table := range dataTables {
		out[table] = rows(t, db, `SELECT (to_jsonb(d) - 'upload_id' || jsonb_build_object('upload', `+uploadName+`))::text
			FROM `+table+` d JOIN lsif_uploads u ON u.id = d.upload_id AND u.state = 'completed'
			JOIN repos r ON r.id = u.repo_id`)
	}
	return out
}

// uploadName names upload u (of repository r) by what it is, not its id.
const uploadName = `r.name || '@' || u.commit_oid || ':' || u.root || ' (' || u.indexer || ')'`

// rows returns the first column of every row of query, sorted.
func rows(t testing.TB, db *pgxpool.Pool, query string) []string {
	t.Helper()
	rs, err := db.Query(context.Background(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	var out []string
	for rs.Next() {
		var s string
		if err := rs.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rs.Err(); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	slices.Sort(out)
	return out
}
