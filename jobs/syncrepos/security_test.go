package syncrepos_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/syncrepos"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/gittest"
	"github.com/sightline-dev/sightline/sources/repospec"
)

// TestSyncReposHungRemote: a server that accepts and never answers costs
// its repository the network timeout and an error; the run goes on and
// syncs the others, even one at a time.
func TestSyncReposHungRemote(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := jobstest.NewRunner(t)
	upstream := gittest.New(t)
	upstream.Commit(t0, "first", map[string]string{"a": "a\n"})
	job := &syncrepos.Job{Concurrency: 1, Timeout: time.Second, Specs: []repos.Spec{
		{Name: "a-hung", URL: "git://" + gittest.SilentRemote(t) + "/x.git"},
		{Name: "b-local", Path: upstream.Dir},
	}}
	start := time.Now()
	counts := jobstest.MustRun(t, r, job)
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("the run took %s with a 1s timeout", took)
	}
	if counts["synced"] != 1 || counts["errored"] != 1 {
		t.Fatalf("counts = %v, want 1 synced and 1 errored", counts)
	}
	hung, err := repos.Get(ctx, r.DB, "a-hung")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(hung.LastError, "no answer within 1s") || hung.LastErrorAt == nil {
		t.Errorf("a-hung = %+v, want the timeout recorded", hung)
	}
}

// TestSyncReposRefusesUnsafeURLs: URLs registered before validation (or
// written into the table by hand) that would run a command, read the host's
// repositories or carry a token are refused at sync, without running the
// command, and no token reaches the table or the log.
func TestSyncReposRefusesUnsafeURLs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := jobstest.NewRunner(t)
	var logs bytes.Buffer
	r.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	upstream := gittest.New(t)
	upstream.Commit(t0, "first", map[string]string{"a": "a\n"})
	marker := filepath.Join(t.TempDir(), "pwned")
	unsafe := map[string]string{
		"inject":   "--upload-pack=touch " + marker + ";git-upload-pack",
		"ext":      "ext::sh -c touch% " + marker,
		"fd":       "fd::17",
		"local":    upstream.Dir,
		"file-url": "file://" + upstream.Dir,
		"token":    "https://user:tok3n-s3cret@" + gittest.ClosedAddr(t) + "/x.git",
	}
	for name, url := range unsafe {
		if _, err := r.DB.Exec(ctx, `INSERT INTO repos (name, url) VALUES ($1, $2)`, name, url); err != nil {
			t.Fatal(err)
		}
	}
	counts := jobstest.MustRun(t, r, &syncrepos.Job{Timeout: 10 * time.Second})
	if counts["errored"] != int64(len(unsafe)) {
		t.Errorf("counts = %v, want all %d errored", counts, len(unsafe))
	}
	if _, err := os.Stat(marker); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the injected command ran: %s exists (%v)", marker, err)
	}
	list, err := repos.List(ctx, r.DB)
	if err != nil {
		t.Fatal(err)
	}
	for _, repo := range list {
		if repo.LastError == "" || strings.Contains(repo.LastError, "tok3n") {
			t.Errorf("%s: last error %q, want an error without the token", repo.Name, repo.LastError)
		}
		if repo.Name == "local" && !strings.Contains(repo.LastError, "file transport, which is not allowed") {
			t.Errorf("local: last error %q, want the file transport refused", repo.LastError)
		}
		if _, err := os.Stat(repospec.MirrorDir(r.DataDir, repo.Name)); err == nil {
			t.Errorf("%s: a mirror was made", repo.Name)
		}
	}
	if strings.Contains(logs.String(), "tok3n") {
		t.Errorf("the log shows the token:\n%s", logs.String())
	}
}
