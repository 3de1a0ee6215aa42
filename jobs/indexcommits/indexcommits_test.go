package indexcommits_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/jobs/indexcommits"
	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/syncrepos"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/gittest"
)

var t0 = time.Date(2023, 3, 1, 9, 0, 0, 0, time.UTC)

// indexed returns the repo's index as "position oid unix-time" lines.
func indexed(t *testing.T, db *pgxpool.Pool, name string) []string {
	t.Helper()
	rows, err := db.Query(context.Background(), `
		SELECT c.position, c.commit_oid, c.committed_at FROM repo_commits c JOIN repos r ON r.id = c.repo_id
		WHERE r.name = $1 ORDER BY c.position`, name)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var (
			pos int
			oid string
			at  time.Time
		)
		if err := rows.Scan(&pos, &oid, &at); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d %s %d", pos, oid, at.Unix()))
	}
	return out
}

// gitIndex is the index git itself gives for the default branch.
func gitIndex(repo *gittest.Repo) []string {
	lines := strings.Split(repo.Git(time.Time{}, "rev-list", "--first-parent", "--reverse", "--format=%H %ct", "--no-commit-header", "HEAD"), "\n")
	for i, l := range lines {
		lines[i] = fmt.Sprintf("%d %s", i, l)
	}
	return lines
}

func TestIndexCommitsIncremental(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := jobstest.NewRunner(t)
	repo := gittest.New(t)
	for i := range 5 {
		repo.Commit(t0.Add(time.Duration(i)*24*time.Hour), fmt.Sprint("c", i), map[string]string{"f.txt": fmt.Sprint(i)})
	}
	// A merged side branch: its commits are not on the first-parent line.
	repo.Git(t0, "checkout", "-q", "-b", "side")
	repo.Commit(t0.Add(5*24*time.Hour), "side", map[string]string{"side.txt": "s"})
	repo.Git(t0, "checkout", "-q", "main")
	repo.Git(t0.Add(6*24*time.Hour), "merge", "-q", "--no-ff", "-m", "merge side", "side")

	if err := repos.Upsert(ctx, r.DB, repos.Spec{Name: "demo", Path: repo.Dir}); err != nil {
		t.Fatal(err)
	}
	jobstest.MustRun(t, r, &syncrepos.Job{})
	counts := jobstest.MustRun(t, r, &indexcommits.Job{})
	if counts["commits_written"] != 6 {
		t.Fatalf("first run wrote %d commits, want 6 (5 + merge)", counts["commits_written"])
	}
	if d := cmp.Diff(gitIndex(repo), indexed(t, r.DB, "demo")); d != "" {
		t.Fatalf("index differs from git rev-list (-git +index):\n%s", d)
	}

	// Nothing new: nothing written, same index.
	if c := jobstest.MustRun(t, r, &indexcommits.Job{}); c["commits_written"] != 0 {
		t.Fatalf("unchanged repo: wrote %d commits", c["commits_written"])
	}
	// Two new commits: only they are written.
	repo.Commit(t0.Add(7*24*time.Hour), "c7", map[string]string{"f.txt": "7"})
	repo.Commit(t0.Add(8*24*time.Hour), "c8", map[string]string{"f.txt": "8"})
	if c := jobstest.MustRun(t, r, &indexcommits.Job{}); c["commits_written"] != 2 {
		t.Fatalf("two new commits: wrote %d", c["commits_written"])
	}
	if d := cmp.Diff(gitIndex(repo), indexed(t, r.DB, "demo")); d != "" {
		t.Fatalf("after append (-git +index):\n%s", d)
	}

	// History rewritten shorter (force push): the index is replaced.
	repo.Git(time.Time{}, "reset", "-q", "--hard", "HEAD~4")
	repo.Commit(t0.Add(9*24*time.Hour), "rewritten", map[string]string{"f.txt": "r"})
	if c := jobstest.MustRun(t, r, &indexcommits.Job{}); c["commits_written"] != 5 {
		t.Fatalf("rewrite: wrote %d commits, want the whole history (5)", c["commits_written"])
	}
	if d := cmp.Diff(gitIndex(repo), indexed(t, r.DB, "demo")); d != "" {
		t.Fatalf("after rewrite (-git +index):\n%s", d)
	}
	got, err := repos.Get(ctx, r.DB, "demo")
	if err != nil {
		t.Fatal(err)
	}
	if got.CommitsIndexedCount != 5 || got.CommitsIndexedHead != repo.Git(time.Time{}, "rev-parse", "HEAD") || got.CommitsIndexedAt == nil {
		t.Fatalf("repo index state = %d %s %v", got.CommitsIndexedCount, got.CommitsIndexedHead, got.CommitsIndexedAt)
	}
}

func TestIndexCommitsEmptyAndUnsynced(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := jobstest.NewRunner(t)
	empty := gittest.New(t)
	if err := repos.Upsert(ctx, r.DB, repos.Spec{Name: "empty", Path: empty.Dir}); err != nil {
		t.Fatal(err)
	}
	// Not yet synced: skipped, not an error.
	if c := jobstest.MustRun(t, r, &indexcommits.Job{}); c["not_synced"] != 1 || c["errored"] != 0 {
		t.Fatalf("unsynced repo: counts %v", c)
	}
	jobstest.MustRun(t, r, &syncrepos.Job{})
	if c := jobstest.MustRun(t, r, &indexcommits.Job{}); c["repos"] != 1 || c["commits_written"] != 0 {
		t.Fatalf("empty repo: counts %v", c)
	}
	if rows := indexed(t, r.DB, "empty"); len(rows) != 0 {
		t.Fatalf("empty repo indexed %v", rows)
	}
}
