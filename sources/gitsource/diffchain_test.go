package gitsource_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// TestDiffChainMatchesDiff checks that one diff-tree --stdin over a chain
// gives what a Diff per pair gives, including an empty diff (a commit
// repeated) and a diff back in time.
func TestDiffChainMatchesDiff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	repo := gittest.New(t)
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	c1 := repo.Commit(at, "one", map[string]string{"a.txt": "a\n", "dir/b.txt": "b\n"})
	c2 := repo.Commit(at.Add(time.Hour), "two", map[string]string{"a.txt": "a2\n", "c with space.txt": "c\n"})
	c3 := repo.Commit(at.Add(2*time.Hour), "three", map[string]string{"dir/b.txt": ""})
	g, err := gitsource.Open(ctx, repo.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	chain := []string{c1, c2, c2, c3, c1}
	got, err := g.DiffChain(ctx, chain)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(chain)-1 {
		t.Fatalf("%d diffs for a chain of %d", len(got), len(chain))
	}
	for i := 1; i < len(chain); i++ {
		want, err := g.Diff(ctx, chain[i-1], chain[i])
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got[i-1]); d != "" {
			t.Errorf("pair %d (-Diff +DiffChain):\n%s", i, d)
		}
	}
	if len(got[1]) != 0 {
		t.Errorf("a repeated commit has %d changes, want none", len(got[1]))
	}
	if _, err := g.DiffChain(ctx, []string{c1, "0123456789012345678901234567890123456789"}); err == nil {
		t.Error("DiffChain with an unknown commit succeeded")
	}
}
