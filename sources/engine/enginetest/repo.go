// Package enginetest generates the repository the engine's benchmarks run
// on, and holds those benchmarks: `sightline search series` against the
// naive baseline (git rev-list + git grep per sample time), the literal scan
// throughput of cached blob contents, and the peak memory of a series run.
// See docs/benchmarks.md.
//
// The repository is synthetic but shaped like a real project's: source-like
// Go and TypeScript files, a long first-parent history where each commit
// changes a few files, a skewed choice of which files change, packed by
// `git repack -adf`. It is generated deterministically from Params, through
// `git fast-import`, and cached on disk. Sightline itself does not import
// this package.
package enginetest

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Params say which repository Generate builds. Equal Params give the same
// repository, commit ids included.
type Params struct {
	// Seed drives every random choice.
	Seed uint64
	// Commits is the number of first-parent commits (there are no merges).
	Commits int
	// Files is the number of files of the first commit; commits then add
	// (15%), remove (2%) and move (1%) files.
	Files int
	// Span is the time between the first and the last commit.
	Span time.Duration
	// End is the committer time of the last commit.
	End time.Time
}

// DefaultParams is the benchmark repository: 12,000 commits over 2.5
// years, about 4,000 files and 50 MB of text at HEAD.
var DefaultParams = Params{
	Seed:    1,
	Commits: 12000,
	Files:   2600,
	Span:    913 * 24 * time.Hour,
	End:     time.Date(2025, 6, 30, 17, 0, 0, 0, time.UTC),
}

// generatorVersion changes whenever the generator's output does, so that a
// cached repository of an older generator is not reused.
const generatorVersion = "2"

// Key identifies the repository p generates, for cache directory names.
func (p Params) Key() string {
	s := fmt.Sprintf("v%s seed=%d commits=%d files=%d span=%d end=%d",
		generatorVersion, p.Seed, p.Commits, p.Files, p.Span, p.End.Unix())
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}

func (p Params) check() error {
	if p.Commits < 1 || p.Files < 1 || p.Span < time.Duration(p.Commits)*time.Second {
		return fmt.Errorf("benchmark repository parameters %+v: want at least one commit and one file, and a span of at least a second per commit", p)
	}
	return nil
}

// Cached returns the directory of the bare repository p generates under
// dir, generating it first unless a previous run left it there; generated
// reports whether it did. Generation writes to a temporary directory renamed
// into place when complete, so an interrupted run leaves no half-built
// repository behind (only a temporary directory, removed by the next run).
func Cached(ctx context.Context, dir string, p Params) (repo string, generated bool, err error) {
	repo = filepath.Join(dir, "sightline-bench-repo-"+p.Key())
	if _, err := os.Stat(repo); err == nil {
		return repo, false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", false, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", false, fmt.Errorf("benchmark repository directory: %w", err)
	}
	removeStale(repo)
	tmp, err := os.MkdirTemp(dir, filepath.Base(repo)+".tmp-")
	if err != nil {
		return "", false, err
	}
	defer os.RemoveAll(tmp)
	if err := Generate(ctx, tmp, p); err != nil {
		return "", false, err
	}
	if err := os.Rename(tmp, repo); err != nil {
		if _, statErr := os.Stat(repo); statErr == nil {
			return repo, false, nil // another run finished first
		}
		return "", false, err
	}
	return repo, true, nil
}

// removeStale removes the temporary directories of interrupted runs that
// are more than a day old (a younger one may belong to a concurrent run).
func removeStale(repo string) {
	matches, _ := filepath.Glob(repo + ".tmp-*")
	for _, m := range matches {
		if fi, err := os.Stat(m); err == nil && time.Since(fi.ModTime()) > 24*time.Hour {
			os.RemoveAll(m)
		}
	}
}

// Generate creates the bare repository p describes in dir (empty or
// absent), with its default branch main, fully packed.
func Generate(ctx context.Context, dir string, p Params) error {
	if err := p.check(); err != nil {
		return err
	}
	if err := git(ctx, "", "init", "--quiet", "--bare", "--initial-branch=main", dir); err != nil {
		return err
	}
	if err := fastImport(ctx, dir, p); err != nil {
		return err
	}
	// fast-import wrote the objects whole and uncompressed; repack finds
	// real deltas and compresses (-F: no object reused), as a served
	// repository's pack has them.
	return git(ctx, dir, "repack", "-a", "-d", "-F", "--quiet")
}

// fastImport streams the history into `git fast-import`.
func fastImport(ctx context.Context, dir string, p Params) error {
	// Neither compressed nor deltified (repack -F compresses and finds the
	// deltas again anyway): fast-import's zlib and delta work was half the
	// generation time (5.8 s against 11.4 s for a 550-file, 1,600-commit
	// repository, the same commits and the same pack size).
	cmd := gitCommand(ctx, dir, "-c", "core.compression=0", "-c", "pack.depth=0", "fast-import", "--quiet", "--done")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("git fast-import: %w", err)
	}
	werr := writeStream(bufio.NewWriterSize(stdin, 1<<20), p)
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git fast-import in %s: %w: %s", dir, err, strings.TrimSpace(stderr.String()))
	}
	return werr
}

// writeStream writes every commit as fast-import commands, each file
// content inline.
func writeStream(w *bufio.Writer, p Params) error {
	h := newHistory(p)
	for {
		c, ok := h.nextCommit()
		if !ok {
			break
		}
		fmt.Fprintf(w, "commit refs/heads/main\ncommitter Sightline Bench <bench@sightline.invalid> %d +0000\ndata %d\n%s\n",
			c.at.Unix(), len(c.message), c.message)
		for _, ch := range c.changes {
			if ch.content == nil {
				fmt.Fprintf(w, "D %s\n", ch.path)
				continue
			}
			fmt.Fprintf(w, "M 100644 inline %s\ndata %d\n", ch.path, len(ch.content))
			w.Write(ch.content)
			w.WriteByte('\n')
		}
		if _, err := w.WriteString("\n"); err != nil {
			return err // fast-import died; Wait says why
		}
	}
	io.WriteString(w, "done\n")
	return w.Flush()
}

func gitCommand(ctx context.Context, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null", "LC_ALL=C")
	return cmd
}

func git(ctx context.Context, dir string, args ...string) error {
	out, err := gitCommand(ctx, dir, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
