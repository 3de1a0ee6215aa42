package codeintel_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sinks/codeintel"
)

func loc(repo, commit, path string, sl, sc, el, ec int) codeintel.Location {
	return codeintel.Location{Repo: repo, Commit: commit, Path: path, Range: codeintel.Range{
		Start: codeintel.Position{Line: sl, Character: sc}, End: codeintel.Position{Line: el, Character: ec},
	}}
}

func TestCodenav(t *testing.T) {
	t.Parallel()
	f := newNavFixture(t)
	ctx := context.Background()
	q := func(repo, commit, path string, line, char int) codeintel.CodenavQuery {
		return codeintel.CodenavQuery{Repo: repo, Commit: commit, Path: path, Position: codeintel.Position{Line: line, Character: char}}
	}
	var (
		libDef   = loc("lib", libCommit, "src/shape.ts", 0, 17, 0, 22)
		libUse   = loc("lib", libCommit, "src/use.ts", 3, 4, 3, 9)
		appDecl  = loc("app", appCommit, "web/main.ts", 2, 9, 2, 14)
		appUse   = loc("app", appCommit, "web/main.ts", 4, 1, 4, 6)
		libQuery = q("lib", libCommit, "src/shape.ts", 0, 19)
		appQuery = q("app", appCommit, "web/main.ts", 2, 10)
	)
	defs, refs, hover := codeintel.CodenavDefinitions, codeintel.CodenavReferences, codeintel.CodenavHover
	for _, tc := range []struct {
		name   string
		op     func(context.Context, codeintel.DB, codeintel.CodenavQuery) (codeintel.CodenavResult, error)
		q      codeintel.CodenavQuery
		want   []codeintel.Location
		hover  string
		reason string // a regexp the reason must match when want and hover are empty
	}{
		{name: "definition within the upload", op: defs, q: libQuery, want: []codeintel.Location{libDef}},
		{name: "definition from another file", op: defs, q: q("lib", libCommit, "src/use.ts", 3, 9), want: []codeintel.Location{libDef}},
		{name: "definition across repositories through the package", op: defs, q: appQuery, want: []codeintel.Location{libDef}},
		{name: "at a commit near the upload: its commit is reported", op: defs, q: q("app", appChild, "web/main.ts", 4, 3),
			want: []codeintel.Location{libDef}},
		{name: "references within and from dependents", op: refs, q: libQuery, want: []codeintel.Location{libDef, libUse, appDecl, appUse}},
		{name: "references from an importer include the definer's", op: refs, q: appQuery,
			want: []codeintel.Location{appDecl, appUse, libDef, libUse}},
		{name: "hover of the innermost range", op: hover, q: libQuery, hover: "interface Shape"},
		{name: "hover of an enclosing range", op: hover, q: q("lib", libCommit, "src/shape.ts", 3, 0), hover: "the shapes module"},
		{name: "hover from the defining upload", op: hover, q: appQuery, hover: "interface Shape"},
		{name: "unknown repository", op: defs, q: q("nope", libCommit, "a.ts", 0, 0), reason: `repository "nope" is not registered`},
		{name: "repository without uploads", op: hover, q: q("empty", libCommit, "a.ts", 0, 0), reason: `empty has no completed code-intelligence upload`},
		{name: "commit with no visible upload", op: defs, q: q("lib", appCommit, "src/shape.ts", 0, 19), reason: `not in the commit graph`},
		{name: "path outside the upload root", op: refs, q: q("app", appCommit, "README.md", 0, 0), reason: `covers README.md .*root "web/"`},
		{name: "file not indexed", op: defs, q: q("lib", libCommit, "src/none.ts", 0, 0), reason: `src/none.ts has no code intelligence data`},
		{name: "no symbol at the position", op: defs, q: q("lib", libCommit, "src/shape.ts", 9, 0), reason: `no symbol at src/shape.ts:9:0`},
		{name: "a line beyond int32 does not wrap to line 0", op: defs, q: q("lib", libCommit, "src/shape.ts", 1<<32, 19),
			reason: `no symbol at src/shape.ts:4294967296:19`},
		{name: "a symbol without the asked data", op: defs, q: q("lib", libCommit, "src/shape.ts", 3, 0), reason: `no definitions for the symbol`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.op(ctx, f.db, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got.Locations); d != "" {
				t.Errorf("locations (-want +got):\n%s", d)
			}
			if got.Hover != tc.hover {
				t.Errorf("hover = %q, want %q", got.Hover, tc.hover)
			}
			if tc.reason == "" && got.Reason != "" {
				t.Errorf("reason = %q, want none", got.Reason)
			}
			if tc.reason != "" && !regexp.MustCompile(tc.reason).MatchString(got.Reason) {
				t.Errorf("reason = %q, want a match for %q", got.Reason, tc.reason)
			}
		})
	}
}

// TestCodenavStates checks that only completed uploads answer and that a
// dirty repository's reason says to update the commit graph.
func TestCodenavStates(t *testing.T) {
	t.Parallel()
	f := newNavFixture(t)
	ctx := context.Background()
	appQuery := codeintel.CodenavQuery{Repo: "app", Commit: appCommit, Path: "web/main.ts", Position: codeintel.Position{Line: 2, Character: 10}}
	// lib's upload is retired: app's import no longer resolves.
	if _, err := f.db.Exec(ctx, `UPDATE lsif_uploads SET state = 'deleted' WHERE id = $1`, f.lib); err != nil {
		t.Fatal(err)
	}
	got, err := codeintel.CodenavDefinitions(ctx, f.db, appQuery)
	if err != nil || len(got.Locations) != 0 || got.Reason == "" {
		t.Errorf("definitions with lib retired = %+v, %v; want none with a reason", got, err)
	}
	// app's upload is retired too, and app is dirty: the graph is stale.
	_, err = f.db.Exec(ctx, `UPDATE lsif_uploads SET state = 'deleted' WHERE id = $1;`, f.app)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Exec(ctx, `INSERT INTO lsif_uploads (repo_id, commit_oid, state, num_parts, object_key)
		SELECT id, $1, 'completed', 1, 'k' FROM repos WHERE name = 'app'`, appChild); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Exec(ctx, `UPDATE lsif_dirty_repos SET dirty_token = 2 WHERE repo_id = (SELECT id FROM repos WHERE name = 'app')`); err != nil {
		t.Fatal(err)
	}
	got, err = codeintel.CodenavDefinitions(ctx, f.db, appQuery)
	if err != nil || !regexp.MustCompile(`sightline run update-commit-graph`).MatchString(got.Reason) {
		t.Errorf("definitions in a dirty repo = %+v, %v; want a reason naming update-commit-graph", got, err)
	}
}
