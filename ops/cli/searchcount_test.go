package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/ops/cli"
)

// TestSearchCountGitProcesses checks, with git's own trace of the
// processes it starts, that `search count` at HEAD runs one git to open
// the repository and resolve HEAD, one to list the tree and one to read
// the blobs: each process start is time a cold count waits for.
func TestSearchCountGitProcesses(t *testing.T) {
	repo := todoRepo(t)
	trace := filepath.Join(t.TempDir(), "trace2")
	t.Setenv("GIT_TRACE2", trace) // no t.Parallel: it changes the environment
	var stdout, stderr bytes.Buffer
	if code := cli.Main(context.Background(), []string{"search", "count", "--repo", repo, "--format", "json", "TODO"}, &stdout, &stderr); code != 0 {
		t.Fatalf("search count: exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), `"matches": 3`) {
		t.Fatalf("search count: want 3 matches:\n%s", stdout.String())
	}
	log, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, line := range strings.Split(string(log), "\n") {
		if _, cmd, ok := strings.Cut(line, " start git "); ok {
			got = append(got, strings.Fields(cmd)[0])
		}
	}
	if diff := cmp.Diff([]string{"rev-parse", "ls-tree", "cat-file"}, got); diff != "" {
		t.Fatalf("git processes of search count (-want +got):\n%s", diff)
	}
}
