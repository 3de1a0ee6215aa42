// Package codeinteltest reads back everything code navigation answers
// from, for tests that compare two runs of the pipeline. Only tests import
// it.
package codeinteltest

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/sinks/codeintel/packed"
)

// dataTables are the tables of converted data, keyed by upload, that hold
// a row per item; the packed tables (lsif_documents, lsif_result_chunks)
// are unpacked to a row per range and per location.
var dataTables = []string{"lsif_hovers", "lsif_moniker_results",
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
		"lsif_documents (ranges)":        ranges(t, db),
		"lsif_result_chunks (locations)": locations(t, db),
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

// packedRows calls fn with the upload name, the key column and the data
// of every row of a packed table of a completed upload.
func packedRows(t testing.TB, db *pgxpool.Pool, table, key string, fn func(upload, key string, data []byte) error) {
	t.Helper()
	rs, err := db.Query(context.Background(), `SELECT `+uploadName+`, d.`+key+`::text, d.data FROM `+table+` d
		JOIN lsif_uploads u ON u.id = d.upload_id AND u.state = 'completed' JOIN repos r ON r.id = u.repo_id`)
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	var (
		upload, k string
		data      []byte
	)
	if _, err := pgx.ForEachRow(rs, []any{&upload, &k, &data}, func() error { return fn(upload, k, data) }); err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
}

// ranges returns every range of lsif_documents as JSON, sorted.
func ranges(t testing.TB, db *pgxpool.Pool) []string {
	var out []string
	packedRows(t, db, "lsif_documents", "path", func(upload, path string, data []byte) error {
		rs, err := packed.DecodeDocument(data)
		for _, r := range rs {
			out = append(out, jsonRow(t, map[string]any{"upload": upload, "path": path,
				"start_line": r.StartLine, "start_character": r.StartCharacter, "end_line": r.EndLine, "end_character": r.EndCharacter,
				"definition_result": r.DefinitionResult, "reference_result": r.ReferenceResult, "hover_id": r.HoverID,
				"monikers": r.Monikers}))
		}
		return err
	})
	slices.Sort(out)
	return out
}

// locations returns every result location of lsif_result_chunks as JSON,
// sorted.
func locations(t testing.TB, db *pgxpool.Pool) []string {
	var out []string
	packedRows(t, db, "lsif_result_chunks", "chunk", func(upload, chunk string, data []byte) error {
		rs, err := packed.DecodeChunk(data)
		for _, r := range rs {
			for _, l := range r.Locations {
				out = append(out, jsonRow(t, map[string]any{"upload": upload, "result_id": r.ID, "kind": r.Kind,
					"path": l.Path, "start_line": l.StartLine, "start_character": l.StartCharacter,
					"end_line": l.EndLine, "end_character": l.EndCharacter}))
			}
		}
		return err
	})
	slices.Sort(out)
	return out
}

func jsonRow(t testing.TB, row map[string]any) string {
	b, err := json.Marshal(row)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
