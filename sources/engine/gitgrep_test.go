package engine_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// The oracle: git itself, run on the commits the engine evaluates.
//
// `git grep <commit>` greps regular files only: it skips symbolic links
// (grep_tree greps S_ISREG entries) and submodules, as the engine does,
// since a link's blob is its target's name, not code. It skips a blob
// missing from the object store, saying so on stderr, as the engine does.
// It has no size limit: the oracle drops its answers for files over
// maxFileSize, which the engine skips.

// oracle answers with git what the engine should answer at each commit of
// a repository. It greps all the commits in one git grep call.
type oracle struct {
	dir     string
	commits []string
	trees   map[string]map[string]treeEntry // by commit, by path
}

func newOracle(t *testing.T, dir string, commits []string) *oracle {
	t.Helper()
	o := &oracle{dir: dir, commits: commits, trees: map[string]map[string]treeEntry{}}
	for _, c := range commits {
		o.trees[c] = map[string]treeEntry{}
		for _, e := range lsTree(t, dir, c) {
			o.trees[c][e.path] = e
		}
	}
	return o
}

// grepMatch is one line of `git grep -o -z` output.
type grepMatch struct {
	path, text string
}

// grep runs `git grep -z -I -o ARGS <commits> -- PATHSPECS` and returns
// the matches by commit.
func (o *oracle) grep(t *testing.T, args, pathspecs []string) map[string][]grepMatch {
	t.Helper()
	matches := map[string][]grepMatch{}
	for line := range strings.Lines(o.grepOutput(t, append([]string{"-I", "-o"}, args...), pathspecs)) {
		// <commit>:<path> NUL <match> NL
		name, text, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "\x00")
		commit, path, ok2 := strings.Cut(name, ":")
		if !ok || !ok2 {
			t.Fatalf("git grep: bad line %q", line)
		}
		if o.searched(t, commit, path) {
			matches[commit] = append(matches[commit], grepMatch{path: path, text: text})
		}
	}
	return matches
}

// grepFiles runs `git grep -z -l ARGS <commits> -- PATHSPECS` and returns
// the paths listed by commit.
func (o *oracle) grepFiles(t *testing.T, args, pathspecs []string) map[string][]string {
	t.Helper()
	files := map[string][]string{}
	for name := range strings.SplitSeq(o.grepOutput(t, append([]string{"-l"}, args...), pathspecs), "\x00") {
		if name == "" {
			continue
		}
		commit, path, ok := strings.Cut(name, ":")
		if !ok {
			t.Fatalf("git grep: bad name %q", name)
		}
		if o.searched(t, commit, path) {
			files[commit] = append(files[commit], path)
		}
	}
	return files
}

// searched reports whether the engine searches a file git grep found:
// whether it is not over maxFileSize.
func (o *oracle) searched(t *testing.T, commit, path string) bool {
	t.Helper()
	e, ok := o.trees[commit][path]
	if !ok {
		t.Fatalf("git grep found %s:%s, not in ls-tree", commit, path)
	}
	return e.size <= maxFileSize
}

// grepOutput runs git grep -z with args on every commit and returns its
// output; no match is no output.
func (o *oracle) grepOutput(t *testing.T, args, pathspecs []string) string {
	t.Helper()
	args = append(append(append([]string{"grep", "-z"}, args...), o.commits...), "--")
	out, err := git(o.dir, append(args, pathspecs...)...)
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 && out == "" {
		return "" // no match
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// treeEntry is a regular file of a commit's tree.
type treeEntry struct {
	path, oid string
	size      int64 // -1 for a blob missing from the object store
}

// lsTree lists the regular files (not symbolic links nor submodules) of
// commit with `git ls-tree -r -l`.
func lsTree(t *testing.T, dir, commit string) []treeEntry {
	t.Helper()
	out, err := git(dir, "ls-tree", "-r", "-l", "-z", commit)
	if err != nil {
		t.Fatal(err)
	}
	var entries []treeEntry
	for rec := range strings.SplitSeq(strings.TrimSuffix(out, "\x00"), "\x00") {
		// <mode> SP <type> SP <oid> SP+ <size> TAB <path>
		meta, path, _ := strings.Cut(rec, "\t")
		f := strings.Fields(meta)
		if len(f) != 4 || f[1] != "blob" || !strings.HasPrefix(f[0], "100") {
			continue
		}
		size, err := strconv.ParseInt(f[3], 10, 64)
		if f[3] == "BAD" {
			size, err = -1, nil
		}
		if err != nil {
			t.Fatalf("ls-tree: bad entry %q", rec)
		}
		entries = append(entries, treeEntry{path: path, oid: f[2], size: size})
	}
	return entries
}

// git runs git in dir and returns its output, and an error with its
// stderr if it fails.
func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), &gitError{args: args, err: err, stderr: stderr.String()}
	}
	return string(out), nil
}

type gitError struct {
	args   []string
	err    error
	stderr string
}

func (e *gitError) Error() string {
	return "git " + strings.Join(e.args, " ") + ": " + e.err.Error() + ": " + e.stderr
}

func (e *gitError) Unwrap() error { return e.err }
