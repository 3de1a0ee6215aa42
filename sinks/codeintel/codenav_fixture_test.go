package codeintel_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/sinks/codeintel/packed"
	"github.com/sightline-dev/sightline/sinks/pgtest"
	"github.com/sightline-dev/sightline/sinks/repos"
)

// Commits of the navigation fixture.
var (
	libCommit  = strings.Repeat("a1", 20)
	appCommit  = strings.Repeat("b1", 20)
	appChild   = strings.Repeat("b2", 20) // sees the app upload at distance 1
	otherCommt = strings.Repeat("c1", 20)
)

// navFixture is two repositories: lib, whose upload (root "") exports the
// npm package shapes 1.2.3 with an interface Shape in src/shape.ts, and app,
// whose upload (root "web") imports Shape from shapes (no version, as
// lsif-tsc writes it) in main.ts. A third repository, other, imports
// shapes 2.0.0, which lib does not export. Data is written as
// process-uploads would load it, ranges and result locations packed:
// paths are repository-relative, the upload's root included, as
// lsif.Convert writes them.
type navFixture struct {
	db                *pgxpool.Pool
	lib, app, otherUp int64
}

func newNavFixture(t *testing.T) *navFixture {
	t.Helper()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	for _, name := range []string{"lib", "app", "other", "empty"} {
		if err := repos.Upsert(ctx, db, repos.Spec{Name: name, Path: "/srv/" + name}); err != nil {
			t.Fatal(err)
		}
	}
	f := &navFixture{db: db}
	upload := func(repo, commit, root string) int64 {
		var id int64
		err := db.QueryRow(ctx, `
			INSERT INTO lsif_uploads (repo_id, commit_oid, root, indexer, state, num_parts, object_key)
			SELECT id, $2, $3, 'lsif-tsc', 'completed', 1, 'test/' || gen_random_uuid() FROM repos WHERE name = $1
			RETURNING id`, repo, commit, root).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	f.lib = upload("lib", libCommit, "")
	f.app = upload("app", appCommit, "web")
	f.otherUp = upload("other", otherCommt, "")
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := db.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	// lib: `export interface Shape {` at 0:17-0:22 inside a block 0:0-5:1
	// that has a hover of its own; used in src/use.ts at 3:4-3:9.
	insertDocument(t, db, f.lib, "src/shape.ts",
		rng(0, 17, 0, 22, 1, 2, 1, "export:npm:shapes:Shape"),
		rng(0, 0, 5, 1, 0, 0, 2))
	insertDocument(t, db, f.lib, "src/use.ts", rng(3, 4, 3, 9, 1, 2, 1, "export:npm:shapes:Shape"))
	exec(`INSERT INTO lsif_hovers VALUES ($1, 1, 'interface Shape'), ($1, 2, 'the shapes module')`, f.lib)
	insertResults(t, db, f.lib,
		packed.Result{ID: 1, Kind: packed.Definitions, Locations: []packed.Location{at("src/shape.ts", 0, 17, 0, 22)}},
		packed.Result{ID: 2, Kind: packed.References, Locations: []packed.Location{
			at("src/shape.ts", 0, 17, 0, 22), at("src/use.ts", 3, 4, 3, 9)}})
	exec(`INSERT INTO lsif_moniker_results (upload_id, scheme, identifier, definition_result, reference_result)
		VALUES ($1, 'npm', 'shapes:Shape', 1, 2)`, f.lib)
	exec(`INSERT INTO lsif_packages VALUES ($1, 'npm', 'npm', 'shapes', '1.2.3')`, f.lib)

	// app (root web/): `import { Shape } from "shapes"` at 2:9-2:14, used
	// at 4:1-4:6; no definition result, no hover.
	insertDocument(t, db, f.app, "web/main.ts",
		rng(2, 9, 2, 14, 0, 5, 0, "import:npm:shapes:Shape"),
		rng(4, 1, 4, 6, 0, 5, 0, "import:npm:shapes:Shape"))
	insertResults(t, db, f.app, packed.Result{ID: 5, Kind: packed.References, Locations: []packed.Location{
		at("web/main.ts", 2, 9, 2, 14), at("web/main.ts", 4, 1, 4, 6)}})
	exec(`INSERT INTO lsif_moniker_results (upload_id, scheme, identifier, reference_result) VALUES ($1, 'npm', 'shapes:Shape', 5)`, f.app)
	exec(`INSERT INTO lsif_package_references VALUES ($1, 'npm', 'npm', 'shapes', '', '{shapes:Shape}')`, f.app)

	// other imports shapes 2.0.0: no upload exports that version.
	insertResults(t, db, f.otherUp, packed.Result{ID: 9, Kind: packed.References,
		Locations: []packed.Location{at("x.ts", 0, 0, 0, 5)}})
	exec(`INSERT INTO lsif_moniker_results (upload_id, scheme, identifier, reference_result) VALUES ($1, 'npm', 'shapes:Shape', 9)`, f.otherUp)
	exec(`INSERT INTO lsif_package_references VALUES ($1, 'npm', 'npm', 'shapes', '2.0.0', '{shapes:Shape}')`, f.otherUp)

	exec(`INSERT INTO lsif_nearest_uploads
		SELECT r.id, c.commit, c.upload, c.distance, true FROM repos r
		JOIN (VALUES ('lib', $1, $4::bigint, 0), ('app', $2, $5::bigint, 0), ('app', $3, $5::bigint, 1)) c (repo, commit, upload, distance)
		ON c.repo = r.name`, libCommit, appCommit, appChild, f.lib, f.app)
	exec(`INSERT INTO lsif_dirty_repos (repo_id, dirty_token, updated_token) SELECT id, 1, 1 FROM repos`)
	return f
}
