package indexcommits_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/indexcommits"
	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/syncrepos"
	"github.com/sightline-dev/sightline/pipeline/bucket/bucketurl"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// newRepo returns a repository of n commits, registered and synced as
// "demo" in r.
func newRepo(t *testing.T, r *jobs.Runner, n int) *gittest.Repo {
	t.Helper()
	repo := gittest.New(t)
	for i := range n {
		repo.Commit(t0.Add(time.Duration(i)*time.Hour), fmt.Sprint("c", i), map[string]string{"f.txt": fmt.Sprint(i)})
	}
	if err := repos.Upsert(context.Background(), r.DB, repos.Spec{Name: "demo", Path: repo.Dir}); err != nil {
		t.Fatal(err)
	}
	jobstest.MustRun(t, r, &syncrepos.Job{})
	return repo
}

// TestIndexCommitsLoadFailure fails the read of the commits batch, on a
// GCS bucket through the real client: the run fails, records no head and
// counts nothing written; the next run indexes the whole history. (The
// head used to be recorded without its commits, and every later run then
// wrote no commit.)
func TestIndexCommitsLoadFailure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := jobstest.NewRunner(t)
	endpoint, faults := buckettest.NewFaultyGCSServer(t)
	b, err := bucketurl.Open(ctx, fmt.Sprintf("gs://%s/ic?endpoint=%s", buckettest.GCSBucket, url.QueryEscape(endpoint)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	r.Bucket = b
	repo := newRepo(t, r, 5)

	// 403: no client retries it, as none retries a read that keeps failing.
	faults.FailIf(1<<30, http.StatusForbidden, func(req *http.Request) bool {
		return req.Method == http.MethodGet && strings.HasSuffix(req.URL.Path, "/commits.arrow")
	})
	res, err := r.Run(ctx, &indexcommits.Job{}, jobs.OverlapWait)
	if err == nil || res.Status != jobs.StatusFailed || !strings.Contains(err.Error(), "commits.arrow") {
		t.Fatalf("run with the commits batch unreadable = %s, %v; want failed, naming the batch", res.Status, err)
	}
	if res.Counts["repos"] != 0 || res.Counts["commits_written"] != 0 {
		t.Errorf("failed run counts %v, want no repos and no commits written", res.Counts)
	}
	got, err := repos.Get(ctx, r.DB, "demo")
	if err != nil {
		t.Fatal(err)
	}
	if got.CommitsIndexedHead != "" || got.CommitsIndexedCount != 0 || got.CommitsIndexedAt != nil {
		t.Errorf("after the failed load the repo's indexed head is %q (%d commits, at %v), want none",
			got.CommitsIndexedHead, got.CommitsIndexedCount, got.CommitsIndexedAt)
	}
	if rows := indexed(t, r.DB, "demo"); len(rows) != 0 {
		t.Errorf("after the failed load the index holds %v, want nothing", rows)
	}

	faults.Fail(0, 0)
	if c := jobstest.MustRun(t, r, &indexcommits.Job{}); c["commits_written"] != 5 {
		t.Errorf("the run after the failure wrote %d commits, want 5", c["commits_written"])
	}
	if d := cmp.Diff(gitIndex(repo), indexed(t, r.DB, "demo")); d != "" {
		t.Fatalf("index after recovery differs from git rev-list (-git +index):\n%s", d)
	}
}

// TestIndexCommitsRepairsLostCommits damages the index as a head recorded
// without its commits would (what non-atomic loads could leave), with and
// without new commits since: the next run notices and indexes the whole
// history again.
func TestIndexCommitsRepairsLostCommits(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		damage     string
		newCommits int
	}{
		{"all lost", `DELETE FROM repo_commits`, 0},
		{"all lost, then new commits", `DELETE FROM repo_commits`, 2},
		{"the oldest lost", `DELETE FROM repo_commits WHERE position < 2`, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := jobstest.NewRunner(t)
			repo := newRepo(t, r, 4)
			jobstest.MustRun(t, r, &indexcommits.Job{})
			if _, err := r.DB.Exec(context.Background(), tt.damage); err != nil {
				t.Fatal(err)
			}
			for i := range tt.newCommits {
				repo.Commit(t0.Add(time.Duration(10+i)*time.Hour), fmt.Sprint("new", i), map[string]string{"f.txt": fmt.Sprint("n", i)})
			}
			c := jobstest.MustRun(t, r, &indexcommits.Job{})
			if want := int64(4 + tt.newCommits); c["commits_written"] != want || c["repaired"] != 1 {
				t.Errorf("repairing run counts %v, want %d commits written and 1 repaired", c, want)
			}
			if d := cmp.Diff(gitIndex(repo), indexed(t, r.DB, "demo")); d != "" {
				t.Fatalf("index after repair differs from git rev-list (-git +index):\n%s", d)
			}
			if c := jobstest.MustRun(t, r, &indexcommits.Job{}); c["commits_written"] != 0 || c["repaired"] != 0 {
				t.Errorf("run after the repair counts %v, want nothing to do", c)
			}
		})
	}
}

// TestIndexCommitsRepairCountsOnlyRepaired damages the index of a
// repository whose git directory then fails to open: the run cannot
// repair it, so it counts the repository errored, not repaired.
func TestIndexCommitsRepairCountsOnlyRepaired(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := jobstest.NewRunner(t)
	newRepo(t, r, 3)
	jobstest.MustRun(t, r, &indexcommits.Job{})
	if _, err := r.DB.Exec(ctx, `DELETE FROM repo_commits`); err != nil {
		t.Fatal(err)
	}
	got, err := repos.Get(ctx, r.DB, "demo")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(got.GitDir); err != nil {
		t.Fatal(err)
	}
	if c := jobstest.MustRun(t, r, &indexcommits.Job{}); c["errored"] != 1 || c["repaired"] != 0 {
		t.Errorf("run that cannot read the damaged repository counts %v, want 1 errored and 0 repaired", c)
	}
}
