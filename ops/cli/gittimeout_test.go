package cli_test

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/ops/cli"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// TestGitTimeout: with --git-timeout, a repository whose server never
// answers is recorded as failed after the timeout, and the run syncs the
// others and succeeds.
func TestGitTimeout(t *testing.T) {
	t.Parallel()
	url := schemaURL(t)
	good := filepath.Join(t.TempDir(), "good")
	for _, args := range [][]string{{"init", "-q", "-b", "main", good}, {"-C", good, "commit", "-q", "--allow-empty", "-m", "first"}} {
		cmd := exec.Command("git", args...)
		cmd.Env = append(cmd.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	dataDir := t.TempDir()
	run := func(args ...string) (int, string) {
		var out bytes.Buffer
		args = append([]string{"--database-url", url, "--data-dir", dataDir, "--git-timeout", "1s"}, args...)
		code := cli.Main(context.Background(), args, &out, &out)
		return code, out.String()
	}
	for _, args := range [][]string{
		{"migrate", "up"},
		{"repos", "add", "hung", "--url", "git://" + gittest.SilentRemote(t) + "/hung.git"},
		{"repos", "add", "good", "--path", good},
	} {
		if code, out := run(args...); code != 0 {
			t.Fatalf("sightline %v: exit %d\n%s", args, code, out)
		}
	}
	start := time.Now()
	code, out := run("run", "sync-repos")
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("sync-repos took %s with --git-timeout 1s", took)
	}
	if code != 0 || !strings.Contains(out, "errored=1") || !strings.Contains(out, "synced=1") {
		t.Fatalf("run sync-repos: exit %d, want 0 with 1 errored and 1 synced:\n%s", code, out)
	}
	if _, out := run("repos", "list"); !strings.Contains(out, "no answer within 1s") {
		t.Errorf("repos list does not show the timeout:\n%s", out)
	}
}
