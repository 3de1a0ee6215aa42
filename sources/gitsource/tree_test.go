package gitsource_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// oddPaths are paths that only survive -z output unquoted.
var oddPaths = []string{
	"dir with space/file name.txt",
	"new\nline.txt",
	"tab\there.txt",
	"quote\"and\\backslash.txt",
	"ünïcødé/日本語.txt",
}

func TestTree(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := gittest.New(t)
	files := map[string]string{"README.md": "readme\n", "src/a/b/c.go": "package b\n", "empty": ""}
	for _, p := range oddPaths {
		files[p] = p + "\n"
	}
	for path, content := range files {
		src.WriteFile(path, content)
	}
	src.WriteFile("run.sh", "#!/bin/sh\n")
	src.Git(time.Time{}, "update-index", "--chmod=+x", "run.sh")
	src.Symlink("link", "README.md")
	src.Gitlink("vendor/sub", strings.Repeat("ab", 20))
	src.Commit(t0, "tree", nil)

	var want []gitsource.Entry
	add := func(path string, mode gitsource.Mode, size int) {
		oid := src.Git(time.Time{}, "rev-parse", "HEAD:"+path)
		want = append(want, gitsource.Entry{Path: path, Mode: mode, OID: oid, Size: int64(size)})
	}
	for path, content := range files {
		add(path, gitsource.ModeFile, len(content))
	}
	add("run.sh", gitsource.ModeExecutable, len("#!/bin/sh\n"))
	add("link", gitsource.ModeSymlink, len("README.md"))
	sortedByPath(want)

	r := open(t, src.Dir)
	sized, err := r.TreeWithSizes(ctx, "main")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, sortedByPath(sized)); diff != "" {
		t.Errorf("TreeWithSizes (-want +got):\n%s", diff)
	}
	for i := range want {
		want[i].Size = -1
	}
	bare := open(t, src.CloneBare())
	for name, r := range map[string]*gitsource.Repo{"non-bare": r, "bare": bare} {
		got, err := r.Tree(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, sortedByPath(got)); diff != "" {
			t.Errorf("%s Tree (-want +got):\n%s", name, diff)
		}
	}
}

func TestTreeOfTreeID(t *testing.T) {
	t.Parallel()
	src := gittest.New(t)
	src.Commit(t0, "c", map[string]string{"a/b.txt": "b\n"})
	tree := src.Git(time.Time{}, "rev-parse", "HEAD^{tree}")
	got, err := open(t, src.Dir).Tree(context.Background(), tree)
	if err != nil || len(got) != 1 || got[0].Path != "a/b.txt" {
		t.Fatalf("Tree(tree id) = %v, %v", got, err)
	}
}
