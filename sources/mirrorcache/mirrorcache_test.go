package mirrorcache_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sources/gittest"
	"github.com/sightline-dev/sightline/sources/giturl"
	"github.com/sightline-dev/sightline/sources/mirrorcache"
	"github.com/sightline-dev/sightline/sources/repospec"
)

func newCache(t *testing.T, maxBytes int64) *mirrorcache.Cache {
	t.Helper()
	p, err := giturl.ParseProtocols("file")
	if err != nil {
		t.Fatal(err)
	}
	return &mirrorcache.Cache{DataDir: t.TempDir(), MaxBytes: maxBytes, Protocols: p}
}

// TestDirClonesThenFetches: a worker without the mirror clones it; one
// whose mirror lacks the commit fetches it.
func TestDirClonesThenFetches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := gittest.New(t)
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	first := src.Commit(at, "one", map[string]string{"a.txt": "1"})
	c := newCache(t, 0)
	dir, err := c.Dir(ctx, "org/repo", "file://"+src.Dir, first)
	if err != nil {
		t.Fatal(err)
	}
	if want := repospec.MirrorDir(c.DataDir, "org/repo"); dir != want {
		t.Errorf("Dir = %s, want %s", dir, want)
	}
	if got := gittest.Output(t, dir, "cat-file", "-t", first); got != "commit" {
		t.Errorf("mirror lacks the first commit: %q", got)
	}
	second := src.Commit(at.Add(time.Hour), "two", map[string]string{"a.txt": "2"})
	if _, err := c.Dir(ctx, "org/repo", "file://"+src.Dir, second); err != nil {
		t.Fatal(err)
	}
	if got := gittest.Output(t, dir, "cat-file", "-t", second); got != "commit" {
		t.Errorf("mirror lacks the second commit after Dir asked for it: %q", got)
	}
	if _, err := c.Dir(ctx, "org/repo", "file://"+src.Dir, "0000000000000000000000000000000000000001"); err == nil {
		t.Error("Dir of a commit the repository lacks succeeded, want an error")
	}
}

// TestDirEvictsLeastRecentlyUsed keeps the mirrors within MaxBytes by
// deleting the least recently used, never the one just asked for.
func TestDirEvictsLeastRecentlyUsed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var srcs []string
	for range 3 {
		r := gittest.New(t)
		r.Commit(at, "one", map[string]string{"a.txt": "content"})
		srcs = append(srcs, "file://"+r.Dir)
	}
	c := newCache(t, 1) // every mirror is larger: only the last one used stays
	names := []string{"a", "b", "c"}
	for i, name := range names[:2] {
		if _, err := c.Dir(ctx, name, srcs[i], ""); err != nil {
			t.Fatal(err)
		}
	}
	exists := func(name string) bool {
		_, err := os.Stat(repospec.MirrorDir(c.DataDir, name))
		return err == nil
	}
	if exists("a") || !exists("b") {
		t.Fatalf("after using a then b with room for none: a kept %v, b kept %v; want only b", exists("a"), exists("b"))
	}
	c.MaxBytes = 1 << 30
	for i, name := range names {
		if _, err := c.Dir(ctx, name, srcs[i], ""); err != nil {
			t.Fatal(err)
		}
	}
	if !exists("a") || !exists("b") || !exists("c") {
		t.Fatal("with room for all, a mirror was evicted")
	}
	// Use b then a again: c is now the least recently used.
	for _, name := range []string{"b", "a"} {
		time.Sleep(10 * time.Millisecond)
		if _, err := c.Dir(ctx, name, srcs[map[string]int{"a": 0, "b": 1}[name]], ""); err != nil {
			t.Fatal(err)
		}
	}
	sizeOfTwo := int64(0)
	for _, name := range []string{"a", "b"} {
		sizeOfTwo += du(t, repospec.MirrorDir(c.DataDir, name))
	}
	c.MaxBytes = sizeOfTwo
	if _, err := c.Dir(ctx, "a", srcs[0], ""); err != nil {
		t.Fatal(err)
	}
	if exists("c") || !exists("a") || !exists("b") {
		t.Errorf("room for two: kept a %v b %v c %v, want a and b (c least recently used)", exists("a"), exists("b"), exists("c"))
	}
}

func du(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	err := walk(dir, func(size int64) { n += size })
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func walk(dir string, add func(int64)) error {
	return filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			add(info.Size())
		}
		return nil
	})
}
