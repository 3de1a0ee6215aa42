package gitsource_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/gittest"
	"github.com/sightline-dev/sightline/sources/giturl"
)

var t0 = time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)

// allowFile lets Mirror clone the local repositories tests build.
var allowFile = gitsource.MirrorOpts{Protocols: giturl.Protocols{giturl.File}}

func TestInspect(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	repo := gittest.New(t)
	head := repo.Commit(t0, "first", map[string]string{"a.go": "package a\n"})

	info, err := gitsource.Inspect(ctx, repo.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if info.Head != head || info.DefaultBranch != "main" || info.GitDir != filepath.Join(repo.Dir, ".git") {
		t.Fatalf("Inspect = %+v, want head %s on main in %s/.git", info, head, repo.Dir)
	}

	repo.Git(time.Time{}, "checkout", "-q", "-b", "release/1.0")
	repo.WriteFile("HEAD", "a file named HEAD\n")
	if info, err = gitsource.Inspect(ctx, repo.Dir); err != nil || info.Head != head || info.DefaultBranch != "release/1.0" {
		t.Fatalf("Inspect(on release/1.0, a file named HEAD) = %+v, %v; want head %s on release/1.0", info, err, head)
	}
	repo.Git(time.Time{}, "checkout", "-q", "--detach")
	if info, err = gitsource.Inspect(ctx, repo.Dir); err != nil || info.Head != head || info.DefaultBranch != "" {
		t.Fatalf("Inspect(detached) = %+v, %v; want head %s on no branch", info, err, head)
	}

	empty := gittest.New(t)
	info, err = gitsource.Inspect(ctx, empty.Dir)
	if err != nil {
		t.Fatalf("Inspect(empty repository): %v", err)
	}
	if info.Head != "" || info.DefaultBranch != "main" {
		t.Fatalf("Inspect(empty) = %+v, want no head on main", info)
	}
}

// TestInspectOneProcess checks, with git's own trace of the processes it
// starts, that inspecting a repository with commits runs one git: `search
// count` waits for each before it reads a blob.
func TestInspectOneProcess(t *testing.T) {
	repo := gittest.New(t)
	repo.Commit(t0, "first", map[string]string{"a.go": "package a\n"})
	trace := filepath.Join(t.TempDir(), "trace2")
	t.Setenv("GIT_TRACE2", trace) // no t.Parallel: it changes the environment
	if _, err := gitsource.Inspect(context.Background(), repo.Dir); err != nil {
		t.Fatal(err)
	}
	log, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	var starts []string
	for _, line := range strings.Split(string(log), "\n") {
		if _, cmd, ok := strings.Cut(line, " start "); ok {
			starts = append(starts, cmd)
		}
	}
	if len(starts) != 1 {
		t.Fatalf("Inspect ran %d git processes, want 1: %q", len(starts), starts)
	}
}

func TestInspectBadPaths(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	plain := t.TempDir()
	file := filepath.Join(plain, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{plain, file} {
		if _, err := gitsource.Inspect(ctx, dir); !errors.Is(err, gitsource.ErrNotRepository) || !strings.Contains(err.Error(), dir) {
			t.Errorf("Inspect(%s) = %v, want ErrNotRepository naming the path", dir, err)
		}
	}
	missing := filepath.Join(plain, "missing")
	if _, err := gitsource.Inspect(ctx, missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Inspect(missing) = %v, want ErrNotExist", err)
	}
}

func TestMirrorCloneThenFetch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	upstream := gittest.New(t)
	first := upstream.Commit(t0, "first", map[string]string{"a.txt": "a\n"})
	dest := filepath.Join(t.TempDir(), "mirrors", "upstream.git")

	info, err := gitsource.Mirror(ctx, upstream.Dir, dest, allowFile)
	if err != nil {
		t.Fatal(err)
	}
	if info.Head != first || info.GitDir != dest {
		t.Fatalf("after clone: %+v, want head %s in %s", info, first, dest)
	}
	second := upstream.Commit(t0.Add(time.Hour), "second", map[string]string{"b.txt": "b\n"})
	upstream.Git(time.Time{}, "branch", "feature")
	info, err = gitsource.Mirror(ctx, upstream.Dir, dest, allowFile)
	if err != nil {
		t.Fatal(err)
	}
	if info.Head != second {
		t.Fatalf("after fetch: head %s, want %s", info.Head, second)
	}
	out, err := gitsource.Command(ctx, dest, "branch", "--list", "feature").Output()
	if err != nil || !strings.Contains(string(out), "feature") {
		t.Fatalf("mirror lacks the new branch: %q %v", out, err)
	}
}

// A repository registered again with a new URL (repos add NAME --url NEW)
// keeps its mirror directory; the next fetch must come from the new URL,
// not the one the mirror was cloned from.
func TestMirrorFetchFollowsNewURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	old := gittest.New(t)
	old.Commit(t0, "old", map[string]string{"a.txt": "a\n"})
	moved := gittest.New(t)
	want := moved.Commit(t0, "moved", map[string]string{"b.txt": "b\n"})
	dest := filepath.Join(t.TempDir(), "repo.git")
	if _, err := gitsource.Mirror(ctx, old.Dir, dest, allowFile); err != nil {
		t.Fatal(err)
	}
	info, err := gitsource.Mirror(ctx, moved.Dir, dest, allowFile)
	if err != nil {
		t.Fatal(err)
	}
	if info.Head != want {
		t.Fatalf("after fetch from the new URL: head %s, want %s (the new URL's)", info.Head, want)
	}
}

func TestMirrorUnreachableLeavesNothing(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	dest := filepath.Join(parent, "gone.git")
	_, err := gitsource.Mirror(context.Background(), filepath.Join(parent, "no-such-repo"), dest, allowFile)
	var ce *gitsource.CommandError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "clone") {
		t.Fatalf("Mirror(unreachable) = %v, want a clone CommandError", err)
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 0 {
		t.Fatalf("failed clone left %d entries behind (first %s)", len(entries), entries[0].Name())
	}
}
