package gitsource_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/gittest"
)

func TestDiff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := gittest.New(t)
	c1 := src.Commit(t0, "one", map[string]string{
		"mod.txt": "old\n", "del.txt": "gone\n", "old/name.txt": "moved\n",
		"run.sh": "#!/bin/sh\n", "kind.txt": "file\n", "same.txt": "same\n",
	})
	oid := func(rev, path string) string { return src.Git(time.Time{}, "rev-parse", rev+":"+path) }
	src.WriteFile("mod.txt", "new\n")
	src.Git(time.Time{}, "rm", "--quiet", "del.txt")
	src.Git(time.Time{}, "mv", "old/name.txt", "new name.txt")
	src.Git(time.Time{}, "update-index", "--chmod=+x", "run.sh")
	src.Git(time.Time{}, "rm", "--quiet", "kind.txt")
	src.Symlink("kind.txt", "same.txt")
	src.WriteFile("added/file.txt", "added\n")
	c2 := src.Commit(t0.Add(time.Hour), "two", nil)

	want := []gitsource.Change{
		{Status: gitsource.Added, Path: "added/file.txt", NewMode: gitsource.ModeFile, NewOID: oid(c2, "added/file.txt")},
		{Status: gitsource.Deleted, Path: "del.txt", OldMode: gitsource.ModeFile, OldOID: oid(c1, "del.txt")},
		{Status: gitsource.TypeChanged, Path: "kind.txt", OldMode: gitsource.ModeFile, NewMode: gitsource.ModeSymlink, OldOID: oid(c1, "kind.txt"), NewOID: oid(c2, "kind.txt")},
		{Status: gitsource.Modified, Path: "mod.txt", OldMode: gitsource.ModeFile, NewMode: gitsource.ModeFile, OldOID: oid(c1, "mod.txt"), NewOID: oid(c2, "mod.txt")},
		{Status: gitsource.Added, Path: "new name.txt", NewMode: gitsource.ModeFile, NewOID: oid(c1, "old/name.txt")},
		{Status: gitsource.Deleted, Path: "old/name.txt", OldMode: gitsource.ModeFile, OldOID: oid(c1, "old/name.txt")},
		{Status: gitsource.Modified, Path: "run.sh", OldMode: gitsource.ModeFile, NewMode: gitsource.ModeExecutable, OldOID: oid(c1, "run.sh"), NewOID: oid(c1, "run.sh")},
	}
	r := open(t, src.Dir)
	got, err := r.Diff(ctx, c1, c2)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Diff (-want +got):\n%s", diff)
	}
	if got, err := r.Diff(ctx, c2, c2); err != nil || len(got) != 0 {
		t.Errorf("Diff(c, c) = %v, %v; want nothing", got, err)
	}
}

func TestDiffFromEmptyIsTree(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := gittest.New(t)
	files := map[string]string{"a.txt": "a\n", "d/b.txt": "b\n"}
	for _, p := range oddPaths {
		files[p] = p
	}
	src.Commit(t0, "one", files)
	r := open(t, src.Dir)
	changes, err := r.Diff(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	tree, err := r.Tree(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sortedByPath(tree), apply(t, nil, changes)); diff != "" || len(tree) != len(files) {
		t.Errorf("Diff from the empty tree is not the tree (-tree +diff):\n%s", diff)
	}
}

// TestDiffAppliesToTree checks, over a history with submodules coming and
// going, that applying Diff(a, b) to Tree(a) gives Tree(b).
func TestDiffAppliesToTree(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := gittest.New(t)
	sub := strings.Repeat("cd", 20)
	commits := []string{src.Commit(t0, "files", map[string]string{"a": "a\n", "b": "b\n", "c/d": "d\n"})}
	step := func(msg string, edit func()) {
		edit()
		commits = append(commits, src.Commit(t0.Add(time.Duration(len(commits))*time.Hour), msg, nil))
	}
	step("add submodule", func() { src.Gitlink("sub", sub) })
	step("file becomes submodule", func() { src.Git(time.Time{}, "rm", "--quiet", "--cached", "b"); src.Gitlink("b", sub) })
	step("move submodule", func() {
		src.Git(time.Time{}, "update-index", "--force-remove", "sub")
		src.Gitlink("sub2", strings.Repeat("ef", 20))
	})
	step("submodule becomes file", func() {
		src.Git(time.Time{}, "update-index", "--force-remove", "b")
		src.WriteFile("b", "b again\n")
	})
	step("edit", func() { src.WriteFile("c/d", "d2\n"); src.Symlink("l", "a") })
	r := open(t, src.Dir)
	for i := 1; i < len(commits); i++ {
		from, to := commits[i-1], commits[i]
		before, err1 := r.Tree(ctx, from)
		after, err2 := r.Tree(ctx, to)
		changes, err3 := r.Diff(ctx, from, to)
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatal(err1, err2, err3)
		}
		if diff := cmp.Diff(sortedByPath(after), apply(t, before, changes)); diff != "" {
			t.Errorf("commit %d: Tree(a) + Diff(a, b) != Tree(b) (-want +got):\n%s", i, diff)
		}
	}
}

// apply returns tree with changes applied, sorted by path.
func apply(t *testing.T, tree []gitsource.Entry, changes []gitsource.Change) []gitsource.Entry {
	t.Helper()
	byPath := map[string]gitsource.Entry{}
	for _, e := range tree {
		byPath[e.Path] = e
	}
	for _, c := range changes {
		old, ok := byPath[c.Path]
		if (c.Status == gitsource.Added) == ok || ok && (old.OID != c.OldOID || old.Mode != c.OldMode) {
			t.Errorf("change %+v does not apply to %+v", c, old)
		}
		delete(byPath, c.Path)
		if c.Status != gitsource.Deleted {
			byPath[c.Path] = gitsource.Entry{Path: c.Path, Mode: c.NewMode, OID: c.NewOID, Size: -1}
		}
	}
	return sortedByPath(slices.Collect(maps.Values(byPath)))
}

// sortedByPath sorts entries by path, bytewise (git sorts a directory as
// if its name ended with a slash).
func sortedByPath(entries []gitsource.Entry) []gitsource.Entry {
	slices.SortFunc(entries, func(a, b gitsource.Entry) int { return strings.Compare(a.Path, b.Path) })
	return entries
}
