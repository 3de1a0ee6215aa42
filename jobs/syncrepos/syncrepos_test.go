package syncrepos_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/syncrepos"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/gittest"
	"github.com/sightline-dev/sightline/sources/giturl"
	"github.com/sightline-dev/sightline/sources/repospec"
)

var t0 = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)

func TestSyncRepos(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := jobstest.NewRunner(t)
	local := gittest.New(t)
	localHead := local.Commit(t0, "first", map[string]string{"a.go": "package a\n"})
	upstream := gittest.New(t)
	upstream.Commit(t0, "first", map[string]string{"b.go": "package b\n"})
	notGit := t.TempDir()

	job := &syncrepos.Job{Protocols: giturl.Protocols{giturl.File}, Specs: []repos.Spec{
		{Name: "local", Path: local.Dir},
		{Name: "github.com/org/upstream", URL: upstream.Dir},
		{Name: "plain", Path: notGit},
		{Name: "missing", Path: filepath.Join(notGit, "gone")},
	}}
	counts := jobstest.MustRun(t, r, job)
	if counts["synced"] != 2 || counts["errored"] != 2 || counts["rows_loaded"] != 4 {
		t.Fatalf("counts = %v, want 2 synced, 2 errored, 4 rows loaded", counts)
	}
	got := map[string]repos.Repo{}
	list, err := repos.List(ctx, r.DB)
	if err != nil {
		t.Fatal(err)
	}
	for _, repo := range list {
		got[repo.Name] = repo
	}
	if l := got["local"]; l.HeadCommit != localHead || l.DefaultBranch != "main" || l.LastSyncedAt == nil || l.LastError != "" {
		t.Errorf("local = %+v", l)
	}
	mirror := repospec.MirrorDir(r.DataDir, "github.com/org/upstream")
	if u := got["github.com/org/upstream"]; u.GitDir != mirror || u.HeadCommit == "" {
		t.Errorf("upstream = %+v, want mirrored into %s", u, mirror)
	}
	if _, err := os.Stat(filepath.Join(mirror, "HEAD")); err != nil {
		t.Errorf("mirror not on disk: %v", err)
	}
	if p := got["plain"]; !strings.Contains(p.LastError, "not a git repository") || p.LastErrorAt == nil || p.LastSyncedAt != nil {
		t.Errorf("plain = %+v, want a not-a-repository error", p)
	}
	if m := got["missing"]; !strings.Contains(m.LastError, "no such file") {
		t.Errorf("missing = %+v", m)
	}

	// A repository that was fine and then fails keeps its last good state.
	if err := os.RemoveAll(local.Dir); err != nil {
		t.Fatal(err)
	}
	jobstest.MustRun(t, r, job)
	after, err := repos.Get(ctx, r.DB, "local")
	if err != nil {
		t.Fatal(err)
	}
	if after.HeadCommit != localHead || after.LastError == "" || after.LastSyncedAt == nil {
		t.Fatalf("after the repo vanished: %+v; want the old head kept and the error recorded", after)
	}
}
