package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sightline-dev/sightline/sources/engine"
)

// testSharedPass evaluates every match case, group-by path and lang, a
// type:path query and language usage in ONE pass over the scripted history
// (renames, deletions, files becoming binary, symbolic links or too large
// and back) and compares every query's points with git grep and git
// archive, as the single-query tests do. With this many case-insensitive
// literals, the pass finds them in each blob with one search.Group
// automaton.
func testSharedPass(t *testing.T, h *history) {
	var queries []engine.PassQuery
	add := func(query string, opts engine.Opts) int {
		opts.Match.MaxFileSize = maxFileSize
		queries = append(queries, engine.PassQuery{Query: parse(t, query), Opts: opts})
		return len(queries) - 1
	}
	for _, c := range matchCases {
		add(c.query, engine.Opts{})
	}
	byPath := add("foo", engine.Opts{GroupBy: engine.GroupPath})
	byLang := add("foo", engine.Opts{GroupBy: engine.GroupLang})
	langs := add("file:.", engine.Opts{Langs: true})
	typePath := add("type:path util", engine.Opts{})
	res, err := (&engine.Engine{}).Pass(context.Background(), h.repo, queries, h.commits)
	if err != nil {
		t.Fatal(err)
	}
	for k, r := range res {
		if r.Err != nil || len(r.Points) != len(h.commits) {
			t.Fatalf("query %q: %d points, error %v", queries[k].Query, len(r.Points), r.Err)
		}
	}
	for k, c := range matchCases {
		want := c.want(t, h.oracle, queries[k].Query)
		for i, commit := range h.commits {
			p := res[k].Points[i]
			got := summary{Matches: p.Matches, Files: p.Files, Captures: p.Captures}
			if c.pathspecs == nil {
				got.Skipped = p.Skipped
			}
			if diff := cmp.Diff(want[commit], got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s: commit %d %.7s: pass differs from git grep (-git +pass):\n%s", c.query, i+1, commit, diff)
			}
		}
	}
	matches := h.oracle.grep(t, []string{"-F", "-i", "-e", "foo"}, nil)
	goMatches := h.oracle.grep(t, []string{"-F", "-i", "-e", "foo"}, []string{"*.go"})
	for i, commit := range h.commits {
		if diff := cmp.Diff(countByPath(matches[commit]), res[byPath].Points[i].Groups, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("commit %d %.7s: group-by path differs from git grep (-git +pass):\n%s", i+1, commit, diff)
		}
		if got, want := res[byLang].Points[i].Groups["Go"], int64(len(goMatches[commit])); got != want {
			t.Errorf("commit %d %.7s: group-by lang: Go has %d matches, git grep finds %d", i+1, commit, got, want)
		}
		if diff := cmp.Diff(archiveLangs(t, h.src.Dir, commit), res[langs].Points[i].Langs, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("commit %d %.7s: language usage differs (-archive +pass):\n%s", i+1, commit, diff)
		}
		var want int64
		for path := range h.oracle.trees[commit] {
			if strings.Contains(strings.ToLower(path), "util") {
				want++
			}
		}
		if got := res[typePath].Points[i].Matches; got != want {
			t.Errorf("commit %d %.7s: type:path util: %d matches, want %d paths", i+1, commit, got, want)
		}
	}
}

// testPassFailsAlone gives a pass a query past its deadline and a missing
// query: each fails alone, with its own error, and the other query's
// points are git grep's.
func testPassFailsAlone(t *testing.T, h *history) {
	c := matchCases[0]
	var opts engine.Opts
	opts.Match.MaxFileSize = maxFileSize
	queries := []engine.PassQuery{
		{Query: parse(t, "foo"), Opts: opts, Budget: time.Nanosecond},
		{Query: parse(t, c.query), Opts: opts},
		{Opts: opts},
	}
	res, err := (&engine.Engine{}).Pass(context.Background(), h.repo, queries, h.commits)
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(res[0].Err, engine.ErrDeadline) || res[0].Points != nil {
		t.Errorf("query past its deadline: error %v, %d points; want ErrDeadline and none", res[0].Err, len(res[0].Points))
	}
	if res[2].Err == nil || res[2].Points != nil {
		t.Errorf("missing query: error %v, %d points; want an error and none", res[2].Err, len(res[2].Points))
	}
	if res[1].Err != nil {
		t.Fatalf("the query that did not fail: %v", res[1].Err)
	}
	want := c.want(t, h.oracle, queries[1].Query)
	for i, commit := range h.commits {
		p := res[1].Points[i]
		got := summary{Matches: p.Matches, Files: p.Files, Captures: p.Captures, Skipped: p.Skipped}
		if diff := cmp.Diff(want[commit], got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("commit %d %.7s: differs from git grep (-git +pass):\n%s", i+1, commit, diff)
		}
	}
}
