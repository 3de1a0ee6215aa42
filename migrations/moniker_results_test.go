package migrations_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sightline-dev/sightline/migrations"
	"github.com/sightline-dev/sightline/sinks/pgtest"
)

// TestMonikerResultsKeepLocations rolls the schema back to before
// lsif_moniker_results, stores two uploads as the converters did then
// (moniker locations beside the results), migrates up, and checks that
// every moniker's locations read through its results are the ones the
// dropped table held; then rolls back and checks that they come back.
func TestMonikerResultsKeepLocations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, _ := pgtest.NewSchema(t)
	m, err := migrations.NewMigrator(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	for !tableExists(t, pool, "lsif_moniker_locations") {
		if _, err := m.Down(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, sql := range oldUploads {
		if _, err := pool.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	want := locations(t, pool, `SELECT upload_id, kind, scheme, identifier, path, start_line, start_character
		FROM lsif_moniker_locations`)
	if len(want) != 5 {
		t.Fatalf("the old rows hold %d monikers, want 5", len(want))
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	// Later migrations pack lsif_result_locations away: read it at 16.
	for !tableExists(t, pool, "lsif_result_locations") {
		if _, err := m.Down(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if tableExists(t, pool, "lsif_moniker_locations") {
		t.Fatal("lsif_moniker_locations is still there")
	}
	got := locations(t, pool, `SELECT m.upload_id, m.kind, m.scheme, m.identifier, l.path, l.start_line, l.start_character
		FROM lsif_moniker_results m
		JOIN lsif_result_locations l ON l.upload_id = m.upload_id AND l.result_id = m.result_id AND l.kind = m.kind`)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("moniker locations through lsif_moniker_results (-old table +new):\n%s", diff)
	}
	for !tableExists(t, pool, "lsif_moniker_locations") {
		if _, err := m.Down(ctx); err != nil {
			t.Fatal(err)
		}
	}
	back := locations(t, pool, `SELECT upload_id, kind, scheme, identifier, path, start_line, start_character
		FROM lsif_moniker_locations`)
	if diff := cmp.Diff(want, back); diff != "" {
		t.Errorf("moniker locations after rolling back (-before +after):\n%s", diff)
	}
}

// oldUploads are two uploads as stored before lsif_moniker_results:
// upload 1 (LSIF-like) has a symbol with two monikers, one of them also on
// a second result set, and a range without monikers; upload 2 (SCIP-like)
// has an imported symbol with references only.
var oldUploads = []string{
	`INSERT INTO lsif_ranges (upload_id, path, start_line, start_character, end_line, end_character,
		definition_result, reference_result, hover_id, monikers) VALUES
		(1, 'a.ts', 0, 9, 0, 12, 1, 2, 0, '{export:npm:app::foo,export:tsc:a:foo}'),
		(1, 'a.ts', 2, 0, 2, 3, 1, 2, 0, '{export:npm:app::foo,export:tsc:a:foo}'),
		(1, 'b.ts', 1, 0, 1, 3, 3, 4, 0, '{export:tsc:a:foo}'),
		(1, 'b.ts', 5, 0, 5, 3, 3, 4, 0, '{}'),
		(2, 'c.ts', 0, 0, 0, 4, 0, 6, 0, '{"import:scip-typescript:scip-typescript npm lib 1.0.0 ` + "`x.ts`" + `/y."}'),
		(2, 'c.ts', 3, 0, 3, 4, 0, 6, 0, '{"import:scip-typescript:scip-typescript npm lib 1.0.0 ` + "`x.ts`" + `/y."}')`,
	`INSERT INTO lsif_result_locations VALUES
		(1, 1, 'definitions', 'a.ts', 0, 9, 0, 12),
		(1, 2, 'references', 'a.ts', 0, 9, 0, 12), (1, 2, 'references', 'a.ts', 2, 0, 2, 3),
		(1, 3, 'definitions', 'b.ts', 1, 0, 1, 3),
		(1, 4, 'references', 'b.ts', 1, 0, 1, 3), (1, 4, 'references', 'b.ts', 5, 0, 5, 3), (1, 4, 'references', 'a.ts', 2, 0, 2, 3),
		(2, 6, 'references', 'c.ts', 0, 0, 0, 4), (2, 6, 'references', 'c.ts', 3, 0, 3, 4)`,
	`INSERT INTO lsif_moniker_locations VALUES
		(1, 'definitions', 'npm', 'app::foo', 'a.ts', 0, 9, 0, 12),
		(1, 'references', 'npm', 'app::foo', 'a.ts', 0, 9, 0, 12), (1, 'references', 'npm', 'app::foo', 'a.ts', 2, 0, 2, 3),
		(1, 'definitions', 'tsc', 'a:foo', 'a.ts', 0, 9, 0, 12), (1, 'definitions', 'tsc', 'a:foo', 'b.ts', 1, 0, 1, 3),
		(1, 'references', 'tsc', 'a:foo', 'a.ts', 0, 9, 0, 12), (1, 'references', 'tsc', 'a:foo', 'a.ts', 2, 0, 2, 3),
		(1, 'references', 'tsc', 'a:foo', 'b.ts', 1, 0, 1, 3), (1, 'references', 'tsc', 'a:foo', 'b.ts', 5, 0, 5, 3),
		(2, 'references', 'scip-typescript', 'scip-typescript npm lib 1.0.0 ` + "`x.ts`" + `/y.', 'c.ts', 0, 0, 0, 4),
		(2, 'references', 'scip-typescript', 'scip-typescript npm lib 1.0.0 ` + "`x.ts`" + `/y.', 'c.ts', 3, 0, 3, 4)`,
}

// locations reads rows of (upload, kind, scheme, identifier, path, line,
// character) into each moniker's set of "path:line:character".
func locations(t *testing.T, pool *pgxpool.Pool, sql string) map[string]map[string]bool {
	t.Helper()
	rows, err := pool.Query(context.Background(), sql)
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]map[string]bool)
	var (
		upload                         int64
		kind, scheme, identifier, path string
		line, character                int32
	)
	_, err = pgx.ForEachRow(rows, []any{&upload, &kind, &scheme, &identifier, &path, &line, &character}, func() error {
		key := fmtKey(upload, kind, scheme, identifier)
		if out[key] == nil {
			out[key] = make(map[string]bool)
		}
		out[key][fmtKey(path, line, character)] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func fmtKey(parts ...any) string { return fmt.Sprintf("%v", parts) }

func tableExists(t *testing.T, pool *pgxpool.Pool, name string) bool {
	t.Helper()
	var ok bool
	if err := pool.QueryRow(context.Background(), `SELECT EXISTS (SELECT FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_name = $1)`, name).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}
