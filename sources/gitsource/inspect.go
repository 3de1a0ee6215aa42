package gitsource

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
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
	if info, ok := inspectOnce(ctx, dir); ok {
		return info, nil
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

// objectName matches a full object id, SHA-1 or SHA-256.
var objectName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([0-9a-f]{40}|[0-9a-f]{64})$`) })

// inspectOnce asks one git process for all of Info, which is all Open
// needs: a process start is a few milliseconds, and `sightline search
// count` waits for every one before it reads a blob. ok is false when the
// answer is not the usual one (not a repository, no commits yet, HEAD
// naming something other than a branch): Inspect then asks question by
// question, for its errors and special cases.
func inspectOnce(ctx context.Context, dir string) (info Info, ok bool) {
	// The options apply to the arguments after them: the git directory,
	// HEAD's commit, then HEAD's full name ("HEAD" when detached), then
	// "--", which rev-parse echoes and which makes HEAD a revision even
	// next to a file of that name.
	out, err := run(ctx, dir, "rev-parse", "--absolute-git-dir", "HEAD^{commit}", "--symbolic-full-name", "HEAD", "--")
	lines := strings.Split(out, "\n")
	if err != nil || len(lines) != 4 || lines[3] != "--" || !objectName().MatchString(lines[1]) {
		return Info{}, false
	}
	info = Info{GitDir: lines[0], Head: lines[1]}
	switch name := lines[2]; {
	case name == "HEAD": // detached
	case strings.HasPrefix(name, "refs/heads/"):
		info.DefaultBranch = strings.TrimPrefix(name, "refs/heads/")
	default:
		return Info{}, false
	}
	return info, true
}
