// Package gittest builds real git repositories with scripted history for
// tests: fixed author and committer dates (GIT_AUTHOR_DATE,
// GIT_COMMITTER_DATE), so commit ids are the same on every run, and remotes
// that hang or refuse connections. Only tests import it.
package gittest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Repo is a non-bare repository in a temporary directory.
type Repo struct {
	t   testing.TB
	Dir string
}

// New runs git init (default branch "main") in a fresh temporary directory.
func New(t testing.TB) *Repo {
	t.Helper()
	r := &Repo{t: t, Dir: t.TempDir()}
	r.Git(time.Time{}, "init", "--quiet", "--initial-branch=main")
	return r
}

// Git runs git in the repository with dates set to at (when not zero) and
// returns its trimmed output; any failure fails the test.
func (r *Repo) Git(at time.Time, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.Dir
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
	if !at.IsZero() {
		d := at.UTC().Format(time.RFC3339)
		cmd.Env = append(cmd.Env, "GIT_AUTHOR_DATE="+d, "GIT_COMMITTER_DATE="+d)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// Commit writes files (path → content; empty content deletes the path),
// commits them at time at with message msg, and returns the commit id.
func (r *Repo) Commit(at time.Time, msg string, files map[string]string) string {
	r.t.Helper()
	for path, content := range files {
		if content == "" {
			r.Git(at, "rm", "--quiet", "--", path)
			continue
		}
		r.WriteFile(path, content)
	}
	r.Git(at, "commit", "--quiet", "--allow-empty", "-m", msg)
	return r.Git(at, "rev-parse", "HEAD")
}

// WriteFile writes content to path in the work tree and stages it. Unlike
// Commit, empty content makes an empty file. Commit(at, msg, nil) commits
// what is staged.
func (r *Repo) WriteFile(path, content string) {
	r.t.Helper()
	if err := os.WriteFile(r.mkdirFor(path), []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
	r.Git(time.Time{}, "add", "--", path)
}

// Symlink makes path in the work tree a symbolic link to target and stages
// it.
func (r *Repo) Symlink(path, target string) {
	r.t.Helper()
	if err := os.Symlink(target, r.mkdirFor(path)); err != nil {
		r.t.Fatal(err)
	}
	r.Git(time.Time{}, "add", "--", path)
}

// Gitlink stages a submodule entry at path pointing at commit oid (which
// need not exist), as `git submodule add` would without cloning anything.
func (r *Repo) Gitlink(path, oid string) {
	r.t.Helper()
	r.Git(time.Time{}, "update-index", "--add", "--cacheinfo", "160000,"+oid+","+path)
}

// CloneBare makes a bare clone of the repository in a fresh temporary
// directory and returns its path.
func (r *Repo) CloneBare() string {
	r.t.Helper()
	dir := filepath.Join(r.t.TempDir(), "bare.git")
	r.Git(time.Time{}, "clone", "--bare", "--quiet", r.Dir, dir)
	return dir
}

// RemoveObject deletes the loose object oid from the object store, as a
// damaged mirror or a partial clone would lack it. The object must be
// loose (not yet packed), as it is after Commit.
func (r *Repo) RemoveObject(oid string) {
	r.t.Helper()
	dir := r.Git(time.Time{}, "rev-parse", "--git-path", "objects")
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(r.Dir, dir)
	}
	if err := os.Remove(filepath.Join(dir, oid[:2], oid[2:])); err != nil {
		r.t.Fatalf("remove object %s: %v", oid, err)
	}
}

// Move renames from to to in the work tree and stages it, as git mv does,
// creating to's directory if need be.
func (r *Repo) Move(from, to string) {
	r.t.Helper()
	r.mkdirFor(to)
	r.Git(time.Time{}, "mv", "--", from, to)
}

// mkdirFor creates the directory of path in the work tree and returns
// path's full name.
func (r *Repo) mkdirFor(path string) string {
	r.t.Helper()
	full := filepath.Join(r.Dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		r.t.Fatal(err)
	}
	return full
}
