package gitsource_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// mergeHistory builds main: m1 - m2 - m3 - merge(side) - m4 - m5, where
// side (s1, s2) branches from m2 and m5's committer time is before m4's.
// It returns the first-parent history, newest first.
func mergeHistory(t *testing.T) (*gittest.Repo, []gitsource.Commit) {
	t.Helper()
	src := gittest.New(t)
	day := 24 * time.Hour
	at := func(d float64) time.Time { return t0.Add(time.Duration(d * float64(day))) }
	commit := func(d float64, name string) gitsource.Commit {
		oid := src.Commit(at(d), name, map[string]string{name + ".txt": name + "\n"})
		return gitsource.Commit{OID: oid, CommittedAt: at(d)}
	}
	m1, m2 := commit(0, "m1"), commit(1, "m2")
	src.Git(time.Time{}, "checkout", "--quiet", "-b", "side")
	commit(2, "s1")
	commit(3, "s2")
	src.Git(time.Time{}, "checkout", "--quiet", "main")
	m3 := commit(4, "m3")
	src.Git(at(5), "merge", "--quiet", "--no-ff", "-m", "merge side", "side")
	merge := gitsource.Commit{OID: src.Git(time.Time{}, "rev-parse", "HEAD"), CommittedAt: at(5)}
	m4 := commit(6, "m4")
	m5 := commit(5.5, "m5") // committed "before" its parent: clock skew
	return src, []gitsource.Commit{m5, m4, merge, m3, m2, m1}
}

func TestFirstParentHistory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src, want := mergeHistory(t)
	r := open(t, src.Dir)
	for _, rev := range []string{"", "main", want[0].OID} {
		got, err := r.FirstParentHistory(ctx, rev)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("FirstParentHistory(%q) (-want +got):\n%s", rev, diff)
		}
	}
	got, err := r.FirstParentHistory(ctx, "side")
	if err != nil || len(got) != 4 || got[2] != want[4] {
		t.Errorf("FirstParentHistory(side) = %v, %v; want s2, s1, m2, m1", got, err)
	}
}

// TestCommitAt compares CommitAt with `git rev-list -1 --first-parent
// --before`, including times before the first commit, exactly at commit
// times, and around a commit older than its parent.
func TestCommitAt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src, _ := mergeHistory(t)
	history, err := open(t, src.Dir).FirstParentHistory(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	times := []time.Time{t0.Add(-time.Second), t0.Add(-24 * time.Hour), t0.Add(time.Hour), t0.Add(100 * 24 * time.Hour)}
	for _, c := range history {
		times = append(times, c.CommittedAt, c.CommittedAt.Add(-time.Second), c.CommittedAt.Add(time.Second),
			c.CommittedAt.Add(500*time.Millisecond))
	}
	for _, at := range times {
		got, ok := gitsource.CommitAt(history, at)
		want := src.Git(time.Time{}, "rev-list", "-1", "--first-parent", fmt.Sprintf("--before=@%d", at.Unix()), "HEAD")
		if got.OID != want || ok != (want != "") {
			t.Errorf("CommitAt(%s) = %s, %v; git says %q", at, got.OID, ok, want)
		}
	}
	if _, ok := gitsource.CommitAt(history, t0.Add(-time.Second)); ok {
		t.Errorf("CommitAt(before the first commit) found a commit")
	}
	if c, ok := gitsource.CommitAt(history, t0); !ok || c != history[len(history)-1] {
		t.Errorf("CommitAt(first commit's time) = %v, %v; want the first commit", c, ok)
	}
}

// TestFirstParentHistoryUntil checks that the cut history is a prefix of
// the whole one that ends at CommitAt's answer for the earliest time, and
// that CommitAt on it agrees with `git rev-list -1 --first-parent --before`
// at that time and every later one, around m5, committed before its
// parent, too.
func TestFirstParentHistoryUntil(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src, full := mergeHistory(t)
	r := open(t, src.Dir)
	var times []time.Time
	for _, c := range full {
		times = append(times, c.CommittedAt, c.CommittedAt.Add(-time.Second), c.CommittedAt.Add(12*time.Hour))
	}
	times = append(times, t0.Add(-time.Second), t0.Add(100*24*time.Hour))
	for _, earliest := range times {
		cut, err := r.FirstParentHistoryUntil(ctx, "", earliest)
		if err != nil {
			t.Fatal(err)
		}
		end := len(full)
		if c, ok := gitsource.CommitAt(full, earliest); ok {
			end = slices.Index(full, c) + 1
		}
		if diff := cmp.Diff(full[:end], cut); diff != "" {
			t.Errorf("FirstParentHistoryUntil(%s) (-want +got):\n%s", earliest, diff)
		}
		for _, at := range times {
			if at.Before(earliest) {
				continue
			}
			got, ok := gitsource.CommitAt(cut, at)
			want := src.Git(time.Time{}, "rev-list", "-1", "--first-parent", fmt.Sprintf("--before=@%d", at.Unix()), "HEAD")
			if got.OID != want || ok != (want != "") {
				t.Errorf("CommitAt(history until %s, %s) = %s, %v; git says %q", earliest, at, got.OID, ok, want)
			}
		}
	}
	if cut, err := r.FirstParentHistoryUntil(ctx, "", full[0].CommittedAt); err != nil || len(cut) != 1 {
		t.Errorf("FirstParentHistoryUntil(HEAD's time) = %v, %v; want HEAD alone", cut, err)
	}
}
