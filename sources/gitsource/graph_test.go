package gitsource_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// TestCommitGraph checks the graph of a history with a merge, an unmerged
// branch and a tag on a commit no branch contains, against git's own view:
// every commit with all its parents, children before parents.
func TestCommitGraph(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src, history := mergeHistory(t) // main with side merged in
	src.Git(time.Time{}, "checkout", "--quiet", "-b", "topic", history[3].OID)
	topic := src.Commit(t0.Add(time.Hour), "topic", map[string]string{"t.txt": "t\n"})
	src.Git(time.Time{}, "checkout", "--quiet", "--detach", "HEAD")
	tagged := src.Commit(t0.Add(2*time.Hour), "tagged", map[string]string{"x.txt": "x\n"})
	src.Git(time.Time{}, "tag", "only-tag", tagged)
	src.Git(time.Time{}, "checkout", "--quiet", "main")

	got, err := open(t, src.Dir).CommitGraph(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	for _, line := range strings.Split(src.Git(time.Time{}, "rev-list", "--all", "--parents"), "\n") {
		f := strings.Fields(line)
		want[f[0]] = f[1:]
	}
	gotMap := map[string][]string{}
	pos := map[string]int{}
	for i, c := range got {
		gotMap[c.OID] = slices.Clone(c.Parents)
		if len(c.Parents) == 0 {
			gotMap[c.OID] = []string{}
		}
		pos[c.OID] = i
	}
	if d := cmp.Diff(want, gotMap); d != "" {
		t.Fatalf("graph differs from git rev-list --all --parents (-git +got):\n%s", d)
	}
	if len(got) != 10 { // 6 on main's first-parent line + 2 side + topic + tagged
		t.Errorf("got %d commits, want 10", len(got))
	}
	merge := history[2]
	if len(gotMap[merge.OID]) != 2 {
		t.Errorf("merge %s has parents %v, want two", merge.OID, gotMap[merge.OID])
	}
	for _, oid := range []string{topic, tagged} {
		if _, ok := pos[oid]; !ok {
			t.Errorf("commit %s (only on a branch or tag) missing", oid)
		}
	}
	for _, c := range got {
		for _, p := range c.Parents {
			if pos[p] <= pos[c.OID] {
				t.Errorf("parent %s listed before its child %s", p, c.OID)
			}
		}
	}
}

func TestCommitGraphEmptyAndDetached(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	empty := gittest.New(t)
	got, err := open(t, empty.Dir).CommitGraph(ctx)
	if err != nil || len(got) != 0 {
		t.Fatalf("CommitGraph(empty repo) = %v, %v; want nothing, no error", got, err)
	}

	// A detached HEAD's commits count although no ref names them.
	src := gittest.New(t)
	c1 := src.Commit(t0, "c1", map[string]string{"a": "1"})
	src.Git(time.Time{}, "checkout", "--quiet", "--detach")
	c2 := src.Commit(t0.Add(time.Hour), "c2", map[string]string{"a": "2"})
	got, err = open(t, src.Dir).CommitGraph(ctx)
	want := []gitsource.GraphCommit{{OID: c2, Parents: []string{c1}}, {OID: c1}}
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("CommitGraph (-want +got):\n%s", d)
	}
}
