// Package mirrorcache keeps mirrors of URL repositories in a worker's own
// data directory, so that queue workers on other machines need no volume
// shared with sync-repos: a worker that lacks a repository's mirror, or the
// commit it needs, clones or fetches it (gitsource.Mirror) into
// repospec.MirrorDir under its data directory. With a size limit the
// least recently used mirrors are deleted to stay within it.
//
// It is not for repositories registered by local path: those are read in
// place, so every worker needs them at the same path (a shared volume).
package mirrorcache

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/giturl"
	"github.com/sightline-dev/sightline/sources/repospec"
)

// Cache is a data directory's mirrors. Its zero value is not usable:
// DataDir is required. A Cache is safe for concurrent use; processes
// sharing a data directory may fetch the same mirror at once (git locks
// its refs, and a first clone is renamed into place whole).
type Cache struct {
	// DataDir is the data directory; mirrors live in DataDir/repos.
	DataDir string
	// MaxBytes bounds the mirrors' total size; 0 means no bound (nothing
	// is evicted). The mirror just used is never evicted, so one larger
	// than the bound is kept.
	MaxBytes int64
	// Protocols and Timeout are passed to gitsource.Mirror.
	Protocols giturl.Protocols
	Timeout   time.Duration

	mu sync.Mutex
}

// Dir returns the git directory holding commit of the repository called
// name, cloned from url: its mirror in the data directory, cloned or
// fetched first when it lacks commit ("" means any commit will do). It
// marks the mirror used and evicts the least recently used others past
// MaxBytes.
func (c *Cache) Dir(ctx context.Context, name, url, commit string) (string, error) {
	dir := repospec.MirrorDir(c.DataDir, name)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !has(ctx, dir, commit) {
		if _, err := gitsource.Mirror(ctx, url, dir, gitsource.MirrorOpts{Protocols: c.Protocols, Timeout: c.Timeout}); err != nil {
			return "", fmt.Errorf("mirror %s into the worker's cache: %w", name, err)
		}
		if !has(ctx, dir, commit) {
			return "", fmt.Errorf("repository %s has no commit %s after a fetch", name, commit)
		}
	}
	now := time.Now()
	if err := os.Chtimes(dir, now, now); err != nil {
		return "", fmt.Errorf("mark mirror %s used: %w", dir, err)
	}
	if c.MaxBytes > 0 {
		if err := c.evict(dir); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// has reports whether dir is a git directory holding commit.
func has(ctx context.Context, dir, commit string) bool {
	if _, err := os.Stat(dir); err != nil {
		return false
	}
	if commit == "" {
		return true
	}
	return exec.CommandContext(ctx, "git", "--git-dir", dir, "cat-file", "-e", commit+"^{commit}").Run() == nil
}

type mirror struct {
	dir  string
	used time.Time
	size int64
}

// evict deletes the least recently used mirrors but keep until the total
// is within MaxBytes.
func (c *Cache) evict(keep string) error {
	all, err := c.mirrors()
	if err != nil {
		return err
	}
	var total int64
	for _, m := range all {
		total += m.size
	}
	slices.SortFunc(all, func(a, b mirror) int { return a.used.Compare(b.used) })
	for _, m := range all {
		if total <= c.MaxBytes {
			break
		}
		if m.dir == keep {
			continue
		}
		if err := os.RemoveAll(m.dir); err != nil {
			return fmt.Errorf("evict mirror %s: %w", m.dir, err)
		}
		total -= m.size
	}
	return nil
}

// mirrors lists the mirrors in DataDir/repos with their last use and size.
func (c *Cache) mirrors() ([]mirror, error) {
	root := filepath.Join(c.DataDir, "repos")
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("list mirrors in %s: %w", root, err)
	}
	var out []mirror
	for _, e := range entries {
		if !e.IsDir() || !strings.HasSuffix(e.Name(), ".git") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		dir := filepath.Join(root, e.Name())
		out = append(out, mirror{dir: dir, used: info.ModTime(), size: duSize(dir)})
	}
	return out, nil
}

// duSize is the total size of the files under dir.
func duSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}
