package migrations_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/migrations"
	"github.com/sightline-dev/sightline/sinks/codeintel/packed"
	"github.com/sightline-dev/sightline/sinks/pgtest"
)

// TestPackedCodenavKeepsRows rolls the schema back to before the packed
// tables, stores two uploads' ranges and result locations as rows, migrates
// up, and checks that the packed rows decode to exactly those rows and
// count them, that the old tables are gone and that deleting an upload
// deletes its packed rows; then rolls back and checks that the rows come
// back as they were.
func TestPackedCodenavKeepsRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, m := beforePacked(t)
	for _, sql := range unpackedUploads {
		if _, err := pool.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	wantRanges, wantResults, wantMonikers := oldRanges(t, pool), oldResults(t, pool), monikerRows(t, pool)
	if len(wantRanges) != 5 || len(wantResults) != 3 {
		t.Fatalf("the old rows hold %d documents and %d chunks, want 5 and 3", len(wantRanges), len(wantResults))
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"lsif_ranges", "lsif_result_locations"} {
		if tableExists(t, pool, table) {
			t.Errorf("%s is still there after migrating up", table)
		}
	}
	checkDocuments(t, pool, wantRanges)
	checkChunks(t, pool, wantResults)
	if diff := cmp.Diff(pairedMonikers, monikerRows(t, pool)); diff != "" {
		t.Errorf("lsif_moniker_results after migrating up (-want +got):\n%s", diff)
	}
	checkDeleteUpload(t, pool, "lsif_documents", "lsif_result_chunks")

	for tableExists(t, pool, "lsif_documents") {
		if _, err := m.Down(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(wantRanges, oldRanges(t, pool), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("lsif_ranges after rolling back (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(wantResults, oldResults(t, pool), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("lsif_result_locations after rolling back (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(wantMonikers, monikerRows(t, pool)); diff != "" {
		t.Errorf("lsif_moniker_results after rolling back (-before +after):\n%s", diff)
	}
	checkDeleteUpload(t, pool, "lsif_ranges", "lsif_result_locations")
}

// beforePacked returns a pool on a new schema migrated to the version
// before migration 18, and its migrator.
func beforePacked(t *testing.T) (*pgxpool.Pool, *migrations.Migrator) {
	t.Helper()
	ctx := context.Background()
	pool, _ := pgtest.NewSchema(t)
	m, err := migrations.NewMigrator(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	for tableExists(t, pool, "lsif_documents") {
		if _, err := m.Down(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return pool, m
}

// unpackedUploads are two uploads stored a row per range and location:
// upload 1 has three documents, ranges with and without monikers (one
// moniker holding a quote, a backslash and a comma, and one shared by
// ranges of two documents), results of both kinds (result 2 has both),
// results in chunks 0 and 1 (ids 5 and 300) and a result with locations
// in three paths; upload 2 has two documents and one result.
var unpackedUploads = []string{
	`INSERT INTO repos (name, path) VALUES ('packed', '/packed')`,
	`INSERT INTO lsif_uploads (id, repo_id, commit_oid, state, num_parts, object_key) OVERRIDING SYSTEM VALUE
		SELECT u, (SELECT id FROM repos), repeat('a', 40), 'completed', 1, 'upload-' || u FROM generate_series(1, 2) u`,
	`INSERT INTO lsif_ranges (upload_id, path, start_line, start_character, end_line, end_character,
		definition_result, reference_result, hover_id, monikers) VALUES
		(1, 'a.ts', 0, 9, 0, 12, 5, 300, 1, ARRAY['export:npm:a"b\c,d', 'export:tsc:a:foo']),
		(1, 'a.ts', 0, 14, 0, 15, 0, 0, 0, '{}'),
		(1, 'a.ts', 2, 0, 3, 3, 5, 300, 0, ARRAY['export:npm:a"b\c,d']),
		(1, 'a.ts', 1000000, 2, 1000000, 7, 2, 2, 2, ARRAY['import:npm:{x} y']),
		(1, 'b/c.ts', 4, 0, 4, 3, 0, 300, 0, ARRAY['export:tsc:a:foo']),
		(1, 'b/c.ts', 1, 1, 1, 2, 0, 0, 3, DEFAULT),
		(1, 'd.ts', 0, 0, 0, 1, 0, 0, 0, '{}'),
		(2, 'a.ts', 7, 1, 7, 4, 6, 0, 0, ARRAY['export:scip-typescript:npm lib 1.0.0 ` + "`x.ts`" + `/y.']),
		(2, 'z.ts', 0, 0, 0, 0, 0, 0, 0, '{}')`,
	`INSERT INTO lsif_result_locations VALUES
		(1, 5, 'definitions', 'a.ts', 0, 9, 0, 12),
		(1, 300, 'references', 'a.ts', 2, 0, 3, 3), (1, 300, 'references', 'b/c.ts', 4, 0, 4, 3),
		(1, 300, 'references', 'a.ts', 0, 9, 0, 12), (1, 300, 'references', 'd.ts', 0, 0, 0, 1),
		(1, 2, 'references', 'a.ts', 1000000, 2, 1000000, 7), (1, 2, 'definitions', 'e.ts', 9, 9, 9, 9),
		(2, 6, 'definitions', 'a.ts', 7, 1, 7, 4)`,
	`INSERT INTO lsif_moniker_results (upload_id, kind, scheme, identifier, result_id) VALUES
		(1, 'definitions', 'npm', 'a"b\c,d', 5), (1, 'references', 'npm', 'a"b\c,d', 300),
		(1, 'references', 'tsc', 'a:foo', 300),
		(1, 'definitions', 'npm', 'x', 2), (1, 'definitions', 'npm', 'x', 7), (1, 'references', 'npm', 'x', 2),
		(2, 'definitions', 'scip-typescript', 'npm lib 1.0.0 ` + "`x.ts`" + `/y.', 6)`,
}

// pairedMonikers are unpackedUploads' moniker results once migration 18
// paired their kinds: (upload, scheme, identifier, definition, reference).
var pairedMonikers = []string{
	`(1,npm,"a""b\\c,d",5,300)`, `(1,npm,x,2,2)`, `(1,npm,x,7,0)`, `(1,tsc,a:foo,0,300)`,
	"(2,scip-typescript,\"npm lib 1.0.0 `x.ts`/y.\",6,0)",
}

// monikerRows returns lsif_moniker_results' rows as text, sorted.
func monikerRows(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT m::text FROM lsif_moniker_results m ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type docKey struct {
	Upload int64
	Path   string
}

type chunkKey struct {
	Upload int64
	Chunk  int32
}

// oldRanges reads lsif_ranges: each document's ranges in position order.
func oldRanges(t *testing.T, pool *pgxpool.Pool) map[docKey][]packed.Range {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT upload_id, path, start_line, start_character,
			end_line, end_character, definition_result, reference_result, hover_id, monikers
		FROM lsif_ranges ORDER BY upload_id, path, start_line, start_character, end_line, end_character,
			definition_result, reference_result, hover_id, monikers`)
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[docKey][]packed.Range)
	var (
		k docKey
		r packed.Range
	)
	_, err = pgx.ForEachRow(rows, []any{&k.Upload, &k.Path, &r.StartLine, &r.StartCharacter, &r.EndLine,
		&r.EndCharacter, &r.DefinitionResult, &r.ReferenceResult, &r.HoverID, &r.Monikers}, func() error {
		out[k] = append(out[k], r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// oldResults reads lsif_result_locations: each chunk's results in (id,
// kind) order, each result's locations in (path, position) order.
func oldResults(t *testing.T, pool *pgxpool.Pool) map[chunkKey][]packed.Result {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT upload_id, result_id, kind = 'references', path,
			start_line, start_character, end_line, end_character
		FROM lsif_result_locations
		ORDER BY upload_id, result_id, kind, path, start_line, start_character, end_line, end_character`)
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[chunkKey][]packed.Result)
	var (
		upload int64
		id     int32
		refs   bool
		l      packed.Location
	)
	_, err = pgx.ForEachRow(rows, []any{&upload, &id, &refs, &l.Path, &l.StartLine, &l.StartCharacter,
		&l.EndLine, &l.EndCharacter}, func() error {
		k, kind := chunkKey{upload, packed.Chunk(id)}, byte(packed.Definitions)
		if refs {
			kind = packed.References
		}
		rs := out[k]
		if n := len(rs); n == 0 || rs[n-1].ID != id || rs[n-1].Kind != kind {
			rs = append(rs, packed.Result{ID: id, Kind: kind})
		}
		rs[len(rs)-1].Locations = append(rs[len(rs)-1].Locations, l)
		out[k] = rs
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkDocuments decodes lsif_documents, compares it with want and checks
// its ranges column.
func checkDocuments(t *testing.T, pool *pgxpool.Pool, want map[docKey][]packed.Range) {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT upload_id, path, ranges, data FROM lsif_documents`)
	if err != nil {
		t.Fatal(err)
	}
	got := make(map[docKey][]packed.Range)
	var (
		k     docKey
		count int32
		data  []byte
	)
	_, err = pgx.ForEachRow(rows, []any{&k.Upload, &k.Path, &count, &data}, func() error {
		ranges, err := packed.DecodeDocument(data)
		if err != nil {
			t.Errorf("document %v: %v", k, err)
		}
		if _, dup := got[k]; dup {
			t.Errorf("document %v has two rows", k)
		}
		if int(count) != len(want[k]) {
			t.Errorf("document %v: ranges = %d, want %d", k, count, len(want[k]))
		}
		got[k] = ranges
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("lsif_documents decoded (-lsif_ranges +lsif_documents):\n%s", shorten(diff))
	}
}

// checkChunks decodes lsif_result_chunks, compares it with want and checks
// its results and locations columns.
func checkChunks(t *testing.T, pool *pgxpool.Pool, want map[chunkKey][]packed.Result) {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT upload_id, chunk, results, locations, data FROM lsif_result_chunks`)
	if err != nil {
		t.Fatal(err)
	}
	got := make(map[chunkKey][]packed.Result)
	var (
		k                  chunkKey
		results, locations int32
		data               []byte
	)
	_, err = pgx.ForEachRow(rows, []any{&k.Upload, &k.Chunk, &results, &locations, &data}, func() error {
		rs, err := packed.DecodeChunk(data)
		if err != nil {
			t.Errorf("chunk %v: %v", k, err)
		}
		if _, dup := got[k]; dup {
			t.Errorf("chunk %v has two rows", k)
		}
		wantLocations := 0
		for _, r := range want[k] {
			wantLocations += len(r.Locations)
		}
		if int(results) != len(want[k]) || int(locations) != wantLocations {
			t.Errorf("chunk %v: results, locations = %d, %d, want %d, %d", k, results, locations, len(want[k]), wantLocations)
		}
		got[k] = rs
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("lsif_result_chunks decoded (-lsif_result_locations +lsif_result_chunks):\n%s", shorten(diff))
	}
}

// checkDeleteUpload deletes upload 2 in a transaction it rolls back and
// checks that the trigger on lsif_uploads deleted its rows of the two
// tables, and only its.
func checkDeleteUpload(t *testing.T, pool *pgxpool.Pool, tables ...string) {
	t.Helper()
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `DELETE FROM lsif_uploads WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		var deleted, kept int
		if err := tx.QueryRow(ctx, `SELECT count(*) FILTER (WHERE upload_id = 2), count(*) FILTER (WHERE upload_id = 1)
			FROM `+table).Scan(&deleted, &kept); err != nil {
			t.Fatal(err)
		}
		if deleted != 0 || kept == 0 {
			t.Errorf("after deleting upload 2, %s holds %d rows of it and %d of upload 1; want none and some", table, deleted, kept)
		}
	}
}

// shorten cuts a diff of many rows to its first few thousand bytes.
func shorten(diff string) string {
	if len(diff) > 4000 {
		return diff[:4000] + "\n…"
	}
	return diff
}
