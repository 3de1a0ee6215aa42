package gitsource

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Info describes a repository as sync-repos records it.
type Info struct {
	// GitDir is the absolute path of the git directory (the repository
	// itself for a bare repository or mirror).
	GitDir string
	// DefaultBranch is the branch HEAD points at, e.g. "main".
	DefaultBranch string
	// Head is the commit HEAD resolves to; empty for an empty repository.
	Head string
}

// Inspect returns the Info of the repository at dir, bare or not. A missing
// directory or one that is not a repository gives an error wrapping
// ErrNotRepository (or fs.ErrNotExist) that names dir.
func Inspect(ctx context.Context, dir string) (Info, error) {
	if st, err := os.Stat(dir); err != nil {
		return Info{}, fmt.Errorf("repository %s: %w", dir, err)
	} else if !st.IsDir() {
		return Info{}, fmt.Errorf("repository %s: %w (it is a file)", dir, ErrNotRepository)
	}
	gitDir, err := run(ctx, dir, "rev-parse", "--absolute-git-dir")
	if err != nil {
		var ce *CommandError
		if errors.As(err, &ce) && strings.Contains(ce.Stderr, "not a git repository") {
			return Info{}, fmt.Errorf("repository %s: %w", dir, ErrNotRepository)
		}
		return Info{}, err
	}
	info := Info{GitDir: gitDir}
	if info.DefaultBranch, err = run(ctx, gitDir, "symbolic-ref", "--quiet", "--short", "HEAD"); err != nil {
		// Detached HEAD: there is no default branch, but there is a head.
		info.DefaultBranch = ""
	}
	head, err := run(ctx, gitDir, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
	if err != nil {
		var ce *CommandError
		if !errors.As(err, &ce) {
			return Info{}, err
		}
		head = "" // empty repository: HEAD names a branch with no commits yet
	}
	info.Head = head
	return info, nil
}
