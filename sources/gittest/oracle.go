package gittest

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// The oracle: what git itself answers, for tests to compare Sightline with.

// Output runs git in dir and returns its trimmed output; exit status 1
// (git grep without matches) is not an error.
func Output(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

// CommitAt is git's answer to "where was the default branch at t": ""
// before the first commit.
func CommitAt(t testing.TB, dir string, at time.Time) string {
	t.Helper()
	return Output(t, dir, "rev-list", "-1", "--first-parent", fmt.Sprintf("--before=%d", at.Unix()), "HEAD")
}

// GrepCount is `git grep -o -i -F -e literal commit | wc -l`: the
// case-insensitive matches of literal at commit.
func GrepCount(t testing.TB, dir, commit, literal string) int64 {
	t.Helper()
	out := Output(t, dir, "grep", "-o", "-i", "-F", "-e", literal, commit)
	if out == "" {
		return 0
	}
	return int64(len(strings.Split(out, "\n")))
}
