package apidocs_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sinks/apidocs"
	"github.com/sightline-dev/sightline/sinks/apidocs/apidocstest"
	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sources/lsif"
)

// TestIndexLifecycle follows one repository: only uploads at the
// default-branch head are indexed; a newer one at the head replaces the
// older one's rows as it completes; a head that moves is followed by
// Reconcile (StaleReposList names the repository); a repository made
// private moves to the private table; deleting an upload removes its rows.
func TestIndexLifecycle(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	repo := f.repo("lib", false, commit('1'))
	indexed := func() int64 { return f.count(`SELECT count(*) FROM apidocs_search_public`) }

	// Not at the head: completed, not indexed.
	side := f.upload(repo, commit('2'), entry("a.ts", 0, "function", "lib.sideOnly"))
	if got := f.search("sideOnly", admin); len(got) != 0 || indexed() != 0 {
		t.Fatalf("upload of a commit that is not the head is searchable: %v", got)
	}

	first := f.upload(repo, commit('1'), entry("a.ts", 0, "function", "lib.oldName"))
	if diff := cmp.Diff([]string{"lib lib.oldName"}, f.search("oldName", admin)); diff != "" {
		t.Fatalf("upload at the head (-want +got):\n%s", diff)
	}

	// A newer upload of the same commit, root and indexer: the older is
	// retired and its rows replaced in the completing transaction.
	_, res := apidocstest.Complete(t, f.db, f.b, apidocstest.Upload{RepoID: repo, Commit: commit('1'), Indexer: "lsif-tsc",
		Entries: []lsif.DocEntry{entry("a.ts", 0, "function", "lib.newName")}})
	if res.Retired != 1 || res.Docs.Indexed != 1 {
		t.Errorf("completing the newer upload: %+v, want 1 retired and 1 indexed", res)
	}
	if got := f.search("oldName", admin); len(got) != 0 {
		t.Errorf("retired upload %d still searchable: %v", first, got)
	}
	if n := f.count(`SELECT count(*) FROM apidocs_entries WHERE upload_id = $1`, first); n != 0 {
		t.Errorf("retired upload keeps %d entries", n)
	}
	if got := indexed(); got != 1 {
		t.Errorf("%d rows indexed, want the newer upload's 1", got)
	}

	// The head moves onto the side upload's commit.
	f.exec(`UPDATE repos SET head_commit = $1 WHERE id = $2`, commit('2'), repo)
	stale, err := apidocs.StaleReposList(ctx, f.db)
	if err != nil || !cmp.Equal(stale, []int64{repo}) {
		t.Fatalf("StaleReposList = %v, %v; want [%d]", stale, err, repo)
	}
	if _, err := apidocs.Reconcile(ctx, f.db, repo); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"lib lib.sideOnly"}, append(f.search("newName", admin), f.search("sideOnly", admin)...)); diff != "" {
		t.Errorf("after the head moved (-want +got):\n%s", diff)
	}
	if stale, _ := apidocs.StaleReposList(ctx, f.db); len(stale) != 0 {
		t.Errorf("StaleReposList after Reconcile = %v, want none", stale)
	}

	// Made private: its rows leave the public table at once (searches
	// check the repository's visibility) and move on Reconcile.
	f.exec(`UPDATE repos SET private = true WHERE id = $1`, repo)
	if got := f.search("sideOnly", apidocs.SearchParams{}); len(got) != 0 {
		t.Errorf("repository made private is still searched as public: %v", got)
	}
	if _, err := apidocs.Reconcile(ctx, f.db, repo); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM apidocs_search_private WHERE repo_id = $1`, repo); n != 1 || indexed() != 0 {
		t.Errorf("after Reconcile: %d private rows, %d public; want 1, 0", n, indexed())
	}

	// Deleting the upload deletes its rows and entries.
	if ok, err := codeintel.UploadsDelete(ctx, f.db, side, codeintel.StateCompleted); err != nil || !ok {
		t.Fatalf("delete upload %d: %v, %v", side, ok, err)
	}
	for _, table := range []string{"apidocs_search_private", "apidocs_entries", "apidocs_indexed"} {
		if n := f.count(`SELECT count(*) FROM `+table+` WHERE upload_id = $1`, side); n != 0 {
			t.Errorf("deleted upload %d keeps %d rows in %s", side, n, table)
		}
	}
}

// TestLimitPrunesOldestUploads fills the public table over a limit of 7
// rows with four uploads of 3: the two oldest uploads' rows go, the newest
// stay, the private table is left alone, and an upload taken out is not
// put back by Reconcile.
func TestLimitPrunesOldestUploads(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	var ids, repos []int64
	for i, name := range []string{"r1", "r2", "r3", "r4"} {
		repo := f.repo(name, false, commit(byte('1'+i)))
		repos = append(repos, repo)
		ids = append(ids, f.upload(repo, commit(byte('1'+i)),
			entry("a.ts", 0, "function", name+".One"), entry("a.ts", 1, "function", name+".Two"), entry("a.ts", 2, "function", name+".Three")))
	}
	secret := f.repo("secret", true, commit('9'))
	f.upload(secret, commit('9'), entry("a.ts", 0, "function", "s.One"), entry("a.ts", 1, "function", "s.Two"))

	var log bytes.Buffer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := &apidocs.Limit{MaxRows: 7, Logger: slog.New(slog.NewTextHandler(&log, nil)), NowFunc: func() time.Time { return now }}
	res, err := l.Enforce(ctx, f.db)
	if err != nil {
		t.Fatal(err)
	}
	if res != (apidocs.PruneResult{Uploads: 2, Rows: 6}) {
		t.Errorf("Enforce = %+v, want 2 uploads, 6 rows", res)
	}
	if diff := cmp.Diff([]string{"secret s.One", "r3 r3.One", "r4 r4.One"}, f.search("One", admin)); diff != "" {
		t.Errorf("after pruning (-want +got):\n%s", diff)
	}
	if _, err := apidocs.Reconcile(ctx, f.db, repos[0]); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM apidocs_search_public WHERE upload_id = $1`, ids[0]); n != 0 {
		t.Errorf("Reconcile put a pruned upload's %d rows back", n)
	}
	if res, err := l.Enforce(ctx, f.db); err != nil || res != (apidocs.PruneResult{}) {
		t.Errorf("second Enforce = %+v, %v; want nothing to do", res, err)
	}

	// Warnings: one per WarnEvery (5 minutes) at most.
	prune := func() {
		t.Helper()
		r := f.repo(fmt.Sprint("more", now.Unix()), false, commit('5'))
		f.upload(r, commit('5'), entry("a.ts", 0, "function", "m.One"), entry("a.ts", 1, "function", "m.Two"), entry("a.ts", 2, "function", "m.Six"))
		if res, err := l.Enforce(ctx, f.db); err != nil || res.Uploads != 1 {
			t.Fatalf("Enforce = %+v, %v; want 1 upload pruned", res, err)
		}
	}
	prune()
	now = now.Add(time.Minute)
	prune()
	if n := strings.Count(log.String(), "over its size limit"); n != 1 {
		t.Errorf("%d warnings in a minute, want 1:\n%s", n, log.String())
	}
	now = now.Add(5 * time.Minute)
	prune()
	if n := strings.Count(log.String(), "over its size limit"); n != 2 {
		t.Errorf("%d warnings after 6 minutes, want 2:\n%s", n, log.String())
	}
}

// TestCompleteWhileReconciling: completing an upload that replaces the one
// indexed at the head, while another transaction reconciles the same
// repository (update-commit-graph, or process-uploads completing an upload
// of another root), must not deadlock. The other transaction is played
// here step by step as Reconcile runs: the repository's advisory lock,
// then FOR SHARE on the completed uploads at the head.
func TestCompleteWhileReconciling(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	repo := f.repo("busy", false, commit('1'))
	older := f.upload(repo, commit('1'), entry("a.ts", 0, "function", "busy.old"))

	up, err := codeintel.UploadsInsert(ctx, f.db, codeintel.UploadsInsertParams{
		RepoID: repo, Commit: commit('1'), Indexer: "lsif-tsc", NumParts: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := codeintel.UploadsQueue(ctx, f.db, up.ID, 1, 1); err != nil {
		t.Fatal(err)
	}
	if c, err := codeintel.UploadsClaim(ctx, f.db, "w"); err != nil || c == nil || c.ID != up.ID {
		t.Fatalf("claim upload %d: %v, %v", up.ID, c, err)
	}
	apidocstest.Load(t, f.db, f.b, up.ID, []lsif.DocEntry{entry("a.ts", 0, "function", "busy.new")})

	other, err := f.db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback(ctx) //nolint:errcheck // committed below when all goes well
	if _, err := other.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('apidocs-repo:' || $1::bigint, 0))`, repo); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := codeintel.UploadsComplete(ctx, f.db, up.ID, "w")
		done <- err
	}()
	// Wait until the completion waits for the repository's lock.
	for deadline := time.Now().Add(10 * time.Second); ; {
		if f.count(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND wait_event_type = 'Lock' AND wait_event = 'advisory' AND query LIKE '%apidocs-repo:%'`) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("UploadsComplete never waited for the repository's api docs lock")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := other.Exec(ctx, `SELECT id FROM lsif_uploads WHERE id = $1 FOR SHARE`, older); err != nil {
		t.Errorf("reconciling while an upload completes: %v", err)
	}
	if err := other.Commit(ctx); err != nil {
		t.Errorf("reconciling while an upload completes: commit: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("complete upload %d while the repository is reconciled: %v", up.ID, err)
	}
	if diff := cmp.Diff([]string{"busy busy.new"}, f.search("busy.new", admin)); diff != "" {
		t.Errorf("after completing (-want +got):\n%s", diff)
	}
}
