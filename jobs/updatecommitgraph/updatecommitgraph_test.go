package updatecommitgraph_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/syncrepos"
	"github.com/sightline-dev/sightline/jobs/updatecommitgraph"
	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/gittest"
)

var t0 = time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)

// addUpload inserts an upload of repo in state at commit and returns its id.
func addUpload(t *testing.T, db *pgxpool.Pool, repo, commit, root, state string) int64 {
	t.Helper()
	var id int64
	err := db.QueryRow(context.Background(), `
		INSERT INTO lsif_uploads (repo_id, commit_oid, root, indexer, state, num_parts, object_key)
		SELECT id, $2, $3, 'lsif-tsc', $4, 1, 'test/' || gen_random_uuid() FROM repos WHERE name = $1
		RETURNING id`, repo, commit, root, state).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// markDirty raises the repo's dirty token, as completing an upload does.
func markDirty(t *testing.T, db *pgxpool.Pool, repo string) {
	t.Helper()
	_, err := db.Exec(context.Background(), `
		INSERT INTO lsif_dirty_repos (repo_id, dirty_token) SELECT id, 1 FROM repos WHERE name = $1
		ON CONFLICT (repo_id) DO UPDATE SET dirty_token = lsif_dirty_repos.dirty_token + 1`, repo)
	if err != nil {
		t.Fatal(err)
	}
}

// tokens returns the repo's dirty and updated tokens.
func tokens(t *testing.T, db *pgxpool.Pool, repo string) (dirty, updated int64) {
	t.Helper()
	err := db.QueryRow(context.Background(), `
		SELECT dirty_token, updated_token FROM lsif_dirty_repos d JOIN repos r ON r.id = d.repo_id
		WHERE r.name = $1`, repo).Scan(&dirty, &updated)
	if err != nil {
		t.Fatal(err)
	}
	return dirty, updated
}

// nearest returns the repo's lsif_nearest_uploads as commit → root →
// "upload/distance/a|d".
func nearest(t *testing.T, db *pgxpool.Pool, repo string) map[string]map[string]string {
	t.Helper()
	rows, err := db.Query(context.Background(), `
		SELECT n.commit_oid, u.root, n.upload_id, n.distance, n.ancestor
		FROM lsif_nearest_uploads n JOIN lsif_uploads u ON u.id = n.upload_id JOIN repos r ON r.id = n.repo_id
		WHERE r.name = $1`, repo)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]map[string]string{}
	for rows.Next() {
		var (
			commit, root string
			id           int64
			dist         int
			anc          bool
		)
		if err := rows.Scan(&commit, &root, &id, &dist, &anc); err != nil {
			t.Fatal(err)
		}
		dir := "d"
		if anc {
			dir = "a"
		}
		if out[commit] == nil {
			out[commit] = map[string]string{}
		}
		out[commit][root] = fmt.Sprintf("%d/%d/%s", id, dist, dir)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestUpdateCommitGraph runs the job on a real repository with a merged
// side branch: main c1 - c2 - c3 - m - c4 with side s1 off c2 merged into
// m, and a topic branch off c3 never merged.
func TestUpdateCommitGraph(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := jobstest.NewRunner(t)
	src := gittest.New(t)
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	c1 := src.Commit(at(1), "c1", map[string]string{"a": "1"})
	c2 := src.Commit(at(2), "c2", map[string]string{"a": "2"})
	src.Git(at(3), "checkout", "-q", "-b", "side")
	s1 := src.Commit(at(3), "s1", map[string]string{"s": "1"})
	src.Git(at(4), "checkout", "-q", "main")
	c3 := src.Commit(at(4), "c3", map[string]string{"a": "3"})
	src.Git(at(5), "merge", "-q", "--no-ff", "-m", "merge side", "side")
	m := src.Git(at(5), "rev-parse", "HEAD")
	c4 := src.Commit(at(6), "c4", map[string]string{"a": "4"})
	src.Git(at(7), "checkout", "-q", "-b", "topic", c3)
	topic := src.Commit(at(7), "topic", map[string]string{"t": "1"})
	src.Git(at(8), "checkout", "-q", "main")

	if err := repos.Upsert(ctx, r.DB, repos.Spec{Name: "demo", Path: src.Dir}, repos.Spec{Name: "unsynced", URL: "https://example.com/x.git"}); err != nil {
		t.Fatal(err)
	}
	// Sync only demo: unsynced has no mirror (the URL is never fetched).
	if _, err := r.DB.Exec(ctx, `UPDATE repos SET git_dir = NULL WHERE name = 'unsynced'`); err != nil {
		t.Fatal(err)
	}
	jobstest.MustRun(t, r, &syncrepos.Job{Specs: []repos.Spec{{Name: "demo", Path: src.Dir}}})

	onSide := addUpload(t, r.DB, "demo", s1, "", "completed")
	retired := addUpload(t, r.DB, "demo", c4, "", "deleted")
	lib := addUpload(t, r.DB, "demo", c1, "lib/", "completed")
	queued := addUpload(t, r.DB, "demo", c3, "", "queued")
	_, _ = retired, queued
	markDirty(t, r.DB, "demo")
	addUpload(t, r.DB, "unsynced", c1, "", "completed")
	markDirty(t, r.DB, "unsynced")

	counts := jobstest.MustRun(t, r, &updatecommitgraph.Job{})
	if counts["repos"] != 1 || counts["not_synced"] != 1 || counts["commits"] != 7 {
		t.Errorf("counts = %v; want repos 1, not_synced 1, commits 7", counts)
	}
	v := func(id int64, dist int, dir string) string { return fmt.Sprintf("%d/%d/%s", id, dist, dir) }
	want := map[string]map[string]string{
		c1:    {"": v(onSide, 2, "d"), "lib/": v(lib, 0, "a")},
		c2:    {"": v(onSide, 1, "d"), "lib/": v(lib, 1, "a")},
		s1:    {"": v(onSide, 0, "a"), "lib/": v(lib, 2, "a")},
		c3:    {"lib/": v(lib, 2, "a")}, // s1 is neither its ancestor nor descendant
		m:     {"": v(onSide, 1, "a"), "lib/": v(lib, 3, "a")},
		c4:    {"": v(onSide, 2, "a"), "lib/": v(lib, 4, "a")}, // the retired upload at c4 is not visible
		topic: {"lib/": v(lib, 3, "a")},
	}
	if d := cmp.Diff(want, nearest(t, r.DB, "demo")); d != "" {
		t.Errorf("nearest uploads (-want +got):\n%s", d)
	}
	if dirty, updated := tokens(t, r.DB, "demo"); updated != dirty {
		t.Errorf("demo tokens: dirty %d, updated %d; want clean", dirty, updated)
	}
	if dirty, updated := tokens(t, r.DB, "unsynced"); updated >= dirty {
		t.Errorf("unsynced tokens: dirty %d, updated %d; want still dirty", dirty, updated)
	}

	// A clean repo is not recomputed.
	if counts := jobstest.MustRun(t, r, &updatecommitgraph.Job{}); counts["repos"] != 0 {
		t.Errorf("second run recomputed %d repos, want 0", counts["repos"])
	}

	// A newer upload at c3 completes: c3 sees it, and the side commits keep
	// the nearer one; rows of uploads no longer completed disappear.
	atC3 := addUpload(t, r.DB, "demo", c3, "", "completed")
	if _, err := r.DB.Exec(ctx, `UPDATE lsif_uploads SET state = 'deleted' WHERE id = $1`, lib); err != nil {
		t.Fatal(err)
	}
	markDirty(t, r.DB, "demo")
	jobstest.MustRun(t, r, &updatecommitgraph.Job{})
	want = map[string]map[string]string{
		c1:    {"": v(atC3, 2, "d")}, // tie with s1 (2 away): the newer
		c2:    {"": v(atC3, 1, "d")}, // tie with s1: the newer
		s1:    {"": v(onSide, 0, "a")},
		c3:    {"": v(atC3, 0, "a")},
		m:     {"": v(atC3, 1, "a")}, // both parents 1 away: the newer
		c4:    {"": v(atC3, 2, "a")},
		topic: {"": v(atC3, 1, "a")},
	}
	if d := cmp.Diff(want, nearest(t, r.DB, "demo")); d != "" {
		t.Errorf("nearest uploads after a new upload (-want +got):\n%s", d)
	}
}

// TestDirtyTokenProtocol checks that an upload completing while the graph
// is computed keeps the repository dirty: the job records the token it read
// at the start, never a later one, and the updated token never goes down.
func TestDirtyTokenProtocol(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := jobstest.NewRunner(t)
	if err := repos.Upsert(ctx, r.DB, repos.Spec{Name: "demo", Path: "/nonexistent"}); err != nil {
		t.Fatal(err)
	}
	markDirty(t, r.DB, "demo")
	dirty, err := codeintel.DirtyReposList(ctx, r.DB)
	if err != nil || len(dirty) != 1 {
		t.Fatalf("DirtyReposList = %v, %v; want demo", dirty, err)
	}
	markDirty(t, r.DB, "demo") // an upload completes meanwhile
	p := codeintel.NearestReplaceParams{RepoID: dirty[0].RepoID, Token: dirty[0].Token, Now: t0}
	if err := codeintel.NearestReplace(ctx, r.DB, p); err != nil {
		t.Fatal(err)
	}
	if d, u := tokens(t, r.DB, "demo"); d != 2 || u != 1 {
		t.Errorf("tokens = dirty %d, updated %d; want 2, 1 (still dirty)", d, u)
	}
	again, err := codeintel.DirtyReposList(ctx, r.DB)
	if err != nil || len(again) != 1 || again[0].Token != 2 {
		t.Fatalf("DirtyReposList = %v, %v; want demo at token 2", again, err)
	}
	p.Token = 2
	if err := codeintel.NearestReplace(ctx, r.DB, p); err != nil {
		t.Fatal(err)
	}
	p.Token = 1 // a slow, older computation finishing late does not undo it
	if err := codeintel.NearestReplace(ctx, r.DB, p); err != nil {
		t.Fatal(err)
	}
	if d, u := tokens(t, r.DB, "demo"); d != 2 || u != 2 {
		t.Errorf("tokens = dirty %d, updated %d; want 2, 2", d, u)
	}
}
