package gitsource_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// open opens dir and closes it when the test ends.
func open(t testing.TB, dir string) *gitsource.Repo {
	t.Helper()
	r, err := gitsource.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return r
}

func TestOpenBareAndNonBare(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := gittest.New(t)
	head := src.Commit(t0, "first", map[string]string{"a.txt": "a\n"})
	for name, dir := range map[string]string{"non-bare": src.Dir, "bare": src.CloneBare()} {
		r := open(t, dir)
		if r.DefaultBranch() != "main" || !strings.HasPrefix(r.Dir(), dir) {
			t.Errorf("%s: Dir %s, DefaultBranch %q; want under %s, main", name, r.Dir(), r.DefaultBranch(), dir)
		}
		for _, rev := range []string{"", "HEAD", "main", "refs/heads/main", head, head[:12]} {
			if got, err := r.Resolve(ctx, rev); err != nil || got != head {
				t.Errorf("%s: Resolve(%q) = %s, %v; want %s", name, rev, got, err, head)
			}
		}
	}
}

func TestOpenNotRepository(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, err := gitsource.Open(context.Background(), dir)
	if !errors.Is(err, gitsource.ErrNotRepository) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("Open(plain dir) = %v, want ErrNotRepository naming %s", err, dir)
	}
}

func TestUnknownRevision(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := gittest.New(t)
	head := src.Commit(t0, "first", map[string]string{"a.txt": "a\n"})
	blob := src.Git(time.Time{}, "rev-parse", "HEAD:a.txt")
	r := open(t, src.Dir)
	// A revision that looks like an option must not act as one.
	for _, rev := range []string{"nope", "0000000000000000000000000000000000000000", "--output=" + filepath.Join(t.TempDir(), "x"), "--all"} {
		calls := map[string]func() error{
			"Resolve":            func() error { _, err := r.Resolve(ctx, rev); return err },
			"Tree":               func() error { _, err := r.Tree(ctx, rev); return err },
			"Diff from":          func() error { _, err := r.Diff(ctx, rev, head); return err },
			"Diff to":            func() error { _, err := r.Diff(ctx, head, rev); return err },
			"FirstParentHistory": func() error { _, err := r.FirstParentHistory(ctx, rev); return err },
		}
		for name, call := range calls {
			err := call()
			if !errors.Is(err, gitsource.ErrUnknownRevision) || errors.Is(err, gitsource.ErrNoCommits) ||
				!strings.Contains(err.Error(), rev) || !strings.Contains(err.Error(), src.Dir) {
				t.Errorf("%s(%q) = %v, want ErrUnknownRevision naming the revision and %s", name, rev, err, src.Dir)
			}
		}
	}
	if _, err := r.FirstParentHistory(ctx, blob); !errors.Is(err, gitsource.ErrUnknownRevision) {
		t.Errorf("FirstParentHistory(blob) = %v, want ErrUnknownRevision", err)
	}
}

func TestEmptyRepository(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := open(t, gittest.New(t).Dir)
	for _, rev := range []string{"", "HEAD", "main"} {
		if _, err := r.Resolve(ctx, rev); !errors.Is(err, gitsource.ErrNoCommits) || !errors.Is(err, gitsource.ErrUnknownRevision) {
			t.Errorf("Resolve(%q) = %v, want ErrNoCommits", rev, err)
		}
		if h, err := r.FirstParentHistory(ctx, rev); err != nil || len(h) != 0 {
			t.Errorf("FirstParentHistory(%q) = %v, %v; want empty", rev, h, err)
		}
		if tree, err := r.Tree(ctx, rev); err != nil || len(tree) != 0 {
			t.Errorf("Tree(%q) = %v, %v; want empty", rev, tree, err)
		}
		if d, err := r.Diff(ctx, "", rev); err != nil || len(d) != 0 {
			t.Errorf("Diff(\"\", %q) = %v, %v; want empty", rev, d, err)
		}
	}
	_, err := r.FirstParentHistory(ctx, "other")
	if !errors.Is(err, gitsource.ErrUnknownRevision) || errors.Is(err, gitsource.ErrNoCommits) {
		t.Errorf("FirstParentHistory(other) = %v, want ErrUnknownRevision only", err)
	}
}
