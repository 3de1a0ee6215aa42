package gitsource

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// Mirror makes dest a mirror of the repository at url: a fresh
// `git clone --mirror` when dest does not exist, else a
// `git fetch --prune` of every ref. A first clone goes to a temporary
// directory beside dest and is renamed into place only when complete, so an
// interrupted clone leaves nothing behind.
func Mirror(ctx context.Context, url, dest string) (Info, error) {
	if _, err := os.Stat(dest); err == nil {
		if _, err := run(ctx, dest, "fetch", "--prune", "--quiet", "origin"); err != nil {
			return Info{}, fmt.Errorf("fetch %s into %s: %w", url, dest, err)
		}
		return Inspect(ctx, dest)
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return Info{}, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".clone-*")
	if err != nil {
		return Info{}, err
	}
	defer os.RemoveAll(tmp) // no-op after the rename
	if _, err := run(ctx, filepath.Dir(dest), "clone", "--mirror", "--quiet", url, tmp); err != nil {
		return Info{}, fmt.Errorf("clone %s: %w", url, err)
	}
	if err := os.Rename(tmp, dest); err != nil {
		return Info{}, fmt.Errorf("clone %s: move into place: %w", url, err)
	}
	return Inspect(ctx, dest)
}
