package migrations_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/sinks/codeintel/packed"
)

// TestPackedCodenavManyRows packs and unpacks an upload of more rows than
// one cursor fetch reads (5000 ranges or locations up, 20 documents or 20
// chunks down), so that documents, results and chunks straddle fetches:
// the packed rows must decode to the same rows and the rows come back
// with the same count and checksum.
func TestPackedCodenavManyRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, m := beforePacked(t)
	for _, sql := range []string{
		// Upload 1: 130 documents of 97 ranges, some with monikers; upload 2: one.
		`INSERT INTO lsif_ranges SELECT 1, 'dir/file' || p || '.go', l, (l * 7) % 80, l + (l % 3 = 0)::int,
			(l * 7) % 80 + 5, (p * 97 + l) % 8000, (p * 97 + l + 1) % 8000, l % 4,
			CASE l % 5 WHEN 0 THEN ARRAY['export:gomod:m' || (l % 11)] WHEN 1 THEN ARRAY['a', 'b"\,}'] ELSE '{}' END
		FROM generate_series(1, 130) p, generate_series(0, 96) l`,
		`INSERT INTO lsif_ranges SELECT 2, 'x.go', l, 0, l, 1, 0, 0, 0, '{}' FROM generate_series(0, 2) l`,
		// Results 1-8000 (chunks 0 to packed.Chunk(8000)) of upload 1, every tenth with
		// three locations; results 0-1 of upload 2.
		`INSERT INTO lsif_result_locations SELECT 1, id, CASE WHEN id % 2 = 0 THEN 'definitions' ELSE 'references' END,
			'dir/file' || ((id + j) % 130 + 1) || '.go', id % 1000, j, id % 1000, j + 3
		FROM generate_series(1, 8000) id, generate_series(0, 2) j WHERE j = 0 OR id % 10 = 0`,
		`INSERT INTO lsif_result_locations SELECT 2, id, 'references', 'x.go', id, 0, id, 1 FROM generate_series(0, 1) id`,
	} {
		if _, err := pool.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	wantRanges, wantResults := oldRanges(t, pool), oldResults(t, pool)
	before := checksums(t, pool)
	if before.ranges != 130*97+3 || before.locations != 8000+800*2+2 {
		t.Fatalf("the old tables hold %d ranges and %d locations, want %d and %d",
			before.ranges, before.locations, 130*97+3, 8000+800*2+2)
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	var documents, ranges, chunks, results, locations int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM lsif_documents), (SELECT sum(ranges) FROM lsif_documents),
		(SELECT count(*) FROM lsif_result_chunks), (SELECT sum(results) FROM lsif_result_chunks),
		(SELECT sum(locations) FROM lsif_result_chunks)`).Scan(&documents, &ranges, &chunks, &results, &locations); err != nil {
		t.Fatal(err)
	}
	wantChunks := int(packed.Chunk(8000)) + 1 + 1
	if documents != 131 || ranges != before.ranges || chunks != wantChunks || results != 8000+2 || locations != before.locations {
		t.Errorf("packed: %d documents of %d ranges, %d chunks of %d results and %d locations; want 131 of %d, %d of %d and %d",
			documents, ranges, chunks, results, locations, before.ranges, wantChunks, 8000+2, before.locations)
	}
	checkDocuments(t, pool, wantRanges)
	checkChunks(t, pool, wantResults)
	for tableExists(t, pool, "lsif_documents") {
		if _, err := m.Down(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if after := checksums(t, pool); after != before {
		t.Errorf("after packing and unpacking: %+v, want %+v", after, before)
	}
}

// tableSums are the row counts and checksums of the unpacked tables.
type tableSums struct {
	ranges, locations     int
	rangeSum, locationSum string
}

func checksums(t *testing.T, pool *pgxpool.Pool) tableSums {
	t.Helper()
	var s tableSums
	if err := pool.QueryRow(context.Background(), `
		SELECT (SELECT count(*) FROM lsif_ranges), (SELECT md5(string_agg(r::text, E'\n' ORDER BY r::text)) FROM lsif_ranges r),
			(SELECT count(*) FROM lsif_result_locations),
			(SELECT md5(string_agg(l::text, E'\n' ORDER BY l::text)) FROM lsif_result_locations l)`,
	).Scan(&s.ranges, &s.rangeSum, &s.locations, &s.locationSum); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestPackedCodenavHugeRows unpacks a document and a result each holding
// more rows than one unpacking INSERT carries (insertRows): they must come
// back whole, inserted in several statements.
func TestPackedCodenavHugeRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, m := beforePacked(t)
	for _, sql := range []string{
		`INSERT INTO lsif_ranges SELECT 1, 'big.go', l, 0, l, 4, 1, 2, 0, '{}' FROM generate_series(0, 12000) l`,
		`INSERT INTO lsif_result_locations SELECT 1, 2, 'references', 'big.go', l, 0, l, 4 FROM generate_series(0, 12000) l`,
	} {
		if _, err := pool.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	before := checksums(t, pool)
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	for tableExists(t, pool, "lsif_documents") {
		if _, err := m.Down(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if after := checksums(t, pool); after != before || after.ranges != 12001 || after.locations != 12001 {
		t.Errorf("after packing and unpacking: %+v, want %+v (12001 ranges and locations)", after, before)
	}
}
