package cli_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/ops/cli"
)

// todoRepo makes a git repository whose one commit has three TODOs.
func todoRepo(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.go"), []byte("// TODO one\n// TODO two\n// TODO three\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "."}, {"commit", "-q", "-m", "first"}} {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(cmd.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

// TestSearchCountFailAbove checks the CI gate: exit 3 only above the
// limit, the same output as without the flag, and usage errors for a bad
// limit.
func TestSearchCountFailAbove(t *testing.T) {
	t.Parallel()
	repo := todoRepo(t)
	run := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := cli.Main(context.Background(), append([]string{"search", "count", "--repo", repo}, args...), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	for _, format := range []string{"text", "json"} {
		_, plain, _ := run("--format", format, "TODO")
		if !strings.Contains(plain, "3") {
			t.Fatalf("%s: count without --fail-above lacks 3 matches:\n%s", format, plain)
		}
		tests := []struct {
			name       string
			limit      string
			wantCode   int
			wantStderr string
		}{
			{name: "below", limit: "5", wantCode: 0},
			{name: "equal", limit: "3", wantCode: 0},
			{name: "above", limit: "2", wantCode: 3, wantStderr: `query "TODO": 3 matches, more than --fail-above 2`},
			{name: "zero", limit: "0", wantCode: 3, wantStderr: "more than --fail-above 0"},
		}
		for _, tt := range tests {
			code, stdout, stderr := run("--format", format, "--fail-above", tt.limit, "TODO")
			if code != tt.wantCode {
				t.Errorf("%s/%s: exit code %d, want %d; stderr: %s", format, tt.name, code, tt.wantCode, stderr)
			}
			if diff := cmp.Diff(plain, stdout); diff != "" {
				t.Errorf("%s/%s: stdout differs from the count without --fail-above (-want +got):\n%s", format, tt.name, diff)
			}
			if tt.wantStderr == "" && stderr != "" || !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("%s/%s: stderr %q, want %q", format, tt.name, stderr, tt.wantStderr)
			}
		}
	}
	for _, bad := range []string{"-1", "many"} {
		if code, _, stderr := run("--fail-above", bad, "TODO"); code != 2 || !strings.Contains(stderr, "--fail-above") {
			t.Errorf("--fail-above %s: exit code %d, want 2 naming the flag; stderr: %s", bad, code, stderr)
		}
	}
	if code, _, stderr := run("--fail-above", "1", "/(/"); code != 2 {
		t.Errorf("bad query with --fail-above: exit code %d, want 2; stderr: %s", code, stderr)
	}
	var help bytes.Buffer
	if code := cli.Main(context.Background(), []string{"search", "count", "--help"}, &help, &help); code != 0 ||
		!strings.Contains(help.String(), "exit code is 3") {
		t.Errorf("search count --help does not document exit code 3 (exit %d):\n%s", code, help.String())
	}
}
