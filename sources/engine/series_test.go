package engine_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sightline-dev/sightline/sources/engine"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// TestScriptedHistory runs the checks that share the scripted history,
// which is built once.
func TestScriptedHistory(t *testing.T) {
	t.Parallel()
	h := newHistory(t)
	for _, c := range []struct {
		name  string
		check func(*testing.T, *history)
	}{
		{"matches", testMatches},
		{"type:path", testTypePath},
		{"groups", testGroups},
		{"langs", testLangs},
		{"order", testOrderIndependent},
		{"memoization", testMemoization},
		{"shared cache", testCacheSharedAcrossQueries},
		{"incremental", testIncremental},
		{"incremental groups", testIncrementalGroups},
		{"shared pass", testSharedPass},
		{"pass fails alone", testPassFailsAlone},
		{"pass with bases", testPassWithBases},
		{"incremental with files", testIncrementalFiles},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.check(t, h)
		})
	}
}

// evalCase is a query and options to evaluate it with.
type evalCase struct {
	query string
	opts  engine.Opts
}

// String names the case in subtests and messages.
func (c evalCase) String() string {
	switch {
	case c.opts.Langs:
		return c.query + " (langs)"
	case c.opts.GroupBy != engine.GroupNone:
		return c.query + " (group by " + string(c.opts.GroupBy) + ")"
	}
	return c.query
}

// testOrderIndependent evaluates the commits newest first, and shuffled
// with repeats, and compares each point with an evaluation of its commit
// alone: the incremental evaluation must end where a full one does,
// whatever commit it comes from.
func testOrderIndependent(t *testing.T, h *history) {
	newestFirst := slices.Clone(h.commits)
	slices.Reverse(newestFirst)
	r := rand.New(rand.NewPCG(1, 2))
	var shuffled []string
	for range 2 * len(h.commits) {
		shuffled = append(shuffled, h.commits[r.IntN(len(h.commits))])
	}
	shuffled = append(shuffled, shuffled[len(shuffled)-1]) // and one in a row
	for _, c := range []evalCase{
		{`/(\w+)Error/`, engine.Opts{}},
		{"-lang:go foo", engine.Opts{GroupBy: engine.GroupLang}},
		{"select:file type:path o", engine.Opts{GroupBy: engine.GroupPath}},
		{"file:.", engine.Opts{Langs: true}},
	} {
		t.Run(c.String(), func(t *testing.T) {
			t.Parallel()
			q := parse(t, c.query)
			alone := map[string]engine.Point{}
			for _, commit := range h.commits {
				alone[commit] = series(t, &engine.Engine{}, h.repo, q, []string{commit}, c.opts)[0]
			}
			for name, order := range map[string][]string{"newest first": newestFirst, "shuffled": shuffled} {
				for i, p := range series(t, &engine.Engine{}, h.repo, q, order, c.opts) {
					if diff := cmp.Diff(alone[p.Commit], p, cmpopts.EquateEmpty()); diff != "" {
						t.Errorf("%s, point %d (%.7s): differs from the commit evaluated alone (-alone +series):\n%s", name, i, p.Commit, diff)
					}
				}
			}
		})
	}
}

// testMemoization checks that blobs already searched are not searched
// again: in one pass (renamed, restored and mode-changed files), in a
// second pass, and for a query that differs only in its file: filters.
// A cache too small to hold anything gives the same answers.
func testMemoization(t *testing.T, h *history) {
	cache := engine.NewCache(0)
	e := &engine.Engine{Cache: cache}
	q := parse(t, "foo")
	first := series(t, e, h.repo, q, h.commits, engine.Opts{})
	s1 := cache.Stats()
	if s1.Hits < 3 || s1.Entries == 0 {
		t.Errorf("after one pass: %+v, want at least 3 hits (a move, a restored file, a mode change)", s1)
	}
	second := series(t, e, h.repo, q, h.commits, engine.Opts{})
	s2 := cache.Stats()
	if s2.Misses != s1.Misses || s2.Hits <= s1.Hits {
		t.Errorf("second pass: stats went from %+v to %+v, want only more hits", s1, s2)
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("second pass differs (-first +second):\n%s", diff)
	}
	series(t, e, h.repo, parse(t, `-file:^nothing/ foo`), h.commits, engine.Opts{})
	if s3 := cache.Stats(); s3.Misses != s1.Misses {
		t.Errorf("a query differing in file: only: stats went from %+v to %+v, want no misses", s2, s3)
	}
	tiny := series(t, &engine.Engine{Cache: engine.NewCache(1)}, h.repo, q, h.commits, engine.Opts{})
	if diff := cmp.Diff(first, tiny, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("with a cache of 1 byte (-default +tiny):\n%s", diff)
	}
}

// testCacheSharedAcrossQueries evaluates, one after the other on one
// cache, queries whose per-blob results may be shared (they differ only in
// lang: filters), and compares each with an evaluation on a fresh cache.
// The files whose language only their content tells (bin/tool, notes,
// README.md) are searched by some of them and not by others.
func testCacheSharedAcrossQueries(t *testing.T, h *history) {
	cache := engine.NewCache(0)
	for _, c := range []evalCase{
		{"-lang:python foo", engine.Opts{}},
		{"lang:python foo", engine.Opts{}},
		{"lang:markdown foo", engine.Opts{GroupBy: engine.GroupLang}},
		{"lang:python foo", engine.Opts{GroupBy: engine.GroupLang}},
		{"file:.", engine.Opts{Langs: true}},
		{"lang:python", engine.Opts{Langs: true}},
		{"-lang:python", engine.Opts{Langs: true}},
	} {
		q := parse(t, c.query)
		shared := series(t, &engine.Engine{Cache: cache}, h.repo, q, h.commits, c.opts)
		fresh := series(t, &engine.Engine{}, h.repo, q, h.commits, c.opts)
		for i := range fresh {
			if diff := cmp.Diff(fresh[i], shared[i], cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s, commit %d %.7s: the shared cache changes the answer (-fresh +shared):\n%s", c, i+1, h.commits[i], diff)
			}
		}
	}
}

// TestSeriesEmptyRepository: a repository with no commits has no history,
// hence nothing to evaluate; its unborn default branch has an empty tree.
func TestSeriesEmptyRepository(t *testing.T) {
	t.Parallel()
	repo := openRepo(t, gittest.New(t).Dir)
	if h := firstParentHistory(t, repo); len(h) != 0 {
		t.Fatalf("history of an empty repository: %v", h)
	}
	q := parse(t, "foo")
	points, err := (&engine.Engine{}).Series(context.Background(), repo, q, nil, engine.Opts{})
	if err != nil || len(points) != 0 {
		t.Errorf("Series(no commits) = %v, %v; want nothing", points, err)
	}
	points = series(t, &engine.Engine{}, repo, q, []string{"HEAD"}, engine.Opts{})
	if diff := cmp.Diff(engine.Point{Commit: "HEAD"}, points[0], cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Series(unborn HEAD) (-want +got):\n%s", diff)
	}
}

// TestSeriesMissingBlob evaluates a damaged repository, whose object store
// lacks a blob: the file is reported missing and the others still count.
// git grep too skips the blob (it says it cannot read it, and goes on).
func TestSeriesMissingBlob(t *testing.T) {
	t.Parallel()
	g := gittest.New(t)
	c1 := g.Commit(day(1), "initial", map[string]string{"a.go": "foo foo\n", "b.go": "foo\n", "lost.go": "foo lost\n"})
	c2 := g.Commit(day(2), "edit a", map[string]string{"a.go": "foo\n"})
	c3 := g.Commit(day(3), "replace lost", map[string]string{"lost.go": "foo found\n"})
	g.RemoveObject(g.Git(time.Time{}, "rev-parse", c1+":lost.go"))
	commits := []string{c1, c2, c3}
	o := newOracle(t, g.Dir, commits)
	repo := openRepo(t, g.Dir)
	e := &engine.Engine{}
	matches := o.grep(t, []string{"-F", "-i", "-e", "foo"}, nil)
	for pass := range 2 { // the second from the cache, but for the missing blob
		points := series(t, e, repo, parse(t, "foo"), commits, engine.Opts{})
		for i, commit := range commits {
			ms := matches[commit]
			want := engine.Point{Commit: commit, Matches: int64(len(ms)), Files: int64(len(countByPath(ms)))}
			if commit != c3 {
				want.Skipped, want.MissingPaths = map[string]int64{"missing": 1}, []string{"lost.go"}
			}
			if diff := cmp.Diff(want, points[i], cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("pass %d, commit %d: (-want +got):\n%s", pass+1, i+1, diff)
			}
		}
	}
}
