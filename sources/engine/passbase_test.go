package engine_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sightline-dev/sightline/sources/engine"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// testPassWithBases evaluates, in ONE pass over the scripted history, every
// match case twice — once in full, once continuing its point at a base
// commit (the first, a middle or the last, differing between queries) —
// and group-by path and language usage from bases, and compares every
// point with git grep and git archive.
func testPassWithBases(t *testing.T, h *history) {
	var queries []engine.PassQuery
	add := func(query string, opts engine.Opts, from int) int {
		opts.Match.MaxFileSize = maxFileSize
		q := engine.PassQuery{Query: parse(t, query), Opts: opts}
		if from >= 0 {
			p := series(t, &engine.Engine{}, h.repo, q.Query, h.commits, opts)[from]
			q.Base = &p
		}
		queries = append(queries, q)
		return len(queries) - 1
	}
	bs := bases(h)
	full, based := make([]int, len(matchCases)), make([]int, len(matchCases))
	for i, c := range matchCases {
		full[i] = add(c.query, engine.Opts{}, -1)
		based[i] = add(c.query, engine.Opts{}, bs[i%len(bs)])
	}
	byPath := add("foo", engine.Opts{GroupBy: engine.GroupPath}, bs[1])
	langs := add("file:.", engine.Opts{Langs: true}, bs[2])
	res, err := (&engine.Engine{}).Pass(context.Background(), h.repo, queries, h.commits)
	if err != nil {
		t.Fatal(err)
	}
	for k, r := range res {
		if r.Err != nil || len(r.Points) != len(h.commits) {
			t.Fatalf("query %d %q: %d points, error %v", k, queries[k].Query, len(r.Points), r.Err)
		}
	}
	for i, c := range matchCases {
		want := c.want(t, h.oracle, queries[full[i]].Query)
		for _, k := range []int{full[i], based[i]} {
			for j, commit := range h.commits {
				p := res[k].Points[j]
				got := summary{Matches: p.Matches, Files: p.Files, Captures: p.Captures}
				if c.pathspecs == nil {
					got.Skipped = p.Skipped
				}
				if diff := cmp.Diff(want[commit], got, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("%s (base %t): commit %d: pass differs from git grep (-git +pass):\n%s", c.query, queries[k].Base != nil, j+1, diff)
				}
			}
		}
	}
	matches := h.oracle.grep(t, []string{"-F", "-i", "-e", "foo"}, nil)
	for j, commit := range h.commits {
		if diff := cmp.Diff(countByPath(matches[commit]), res[byPath].Points[j].Groups, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("commit %d: group-by path from a base differs from git grep (-git +pass):\n%s", j+1, diff)
		}
		if diff := cmp.Diff(archiveLangs(t, h.src.Dir, commit), res[langs].Points[j].Langs, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("commit %d: language usage from a base differs (-archive +pass):\n%s", j+1, diff)
		}
	}
}

// baseRepo is a history of 50 files and a commit that edits one and
// renames another, with the point of query foo at the first commit.
func baseRepo(t *testing.T) (g *gittest.Repo, files map[string]string, c1, c2 string) {
	t.Helper()
	g = gittest.New(t)
	files = map[string]string{}
	for i := range 50 {
		files[fmt.Sprintf("f%02d.go", i)] = strings.Repeat("// foo bar\n", 100+i)
	}
	c1 = g.Commit(day(1), "many files", files)
	g.Move("f01.go", "renamed.go")
	c2 = g.Commit(day(2), "one edit, one rename", map[string]string{"f00.go": "// foo foo bar\n"})
	return g, files, c1, c2
}

// TestPassBasesShareReads checks that queries continuing points at the
// same commit in one pass share the diff and the reads: git sends the
// changed files' blobs once, both sides, however many queries continue,
// and each query's points are its full evaluation's.
func TestPassBasesShareReads(t *testing.T) {
	t.Parallel()
	g, files, c1, c2 := baseRepo(t)
	repo := openRepo(t, g.Dir)
	var queries []engine.PassQuery
	for _, query := range []string{"foo", "bar", `/fo+ ba/`} {
		q := parse(t, query)
		base := series(t, &engine.Engine{}, repo, q, []string{c1}, engine.Opts{})[0]
		queries = append(queries, engine.PassQuery{Query: q, Base: &base})
	}
	e := &engine.Engine{}
	res, err := e.Pass(context.Background(), repo, queries, []string{c2})
	if err != nil {
		t.Fatal(err)
	}
	for k, r := range res {
		want := series(t, &engine.Engine{}, repo, queries[k].Query, []string{c2}, engine.Opts{})
		if r.Err != nil || !cmp.Equal(want, r.Points, cmpopts.EquateEmpty()) {
			t.Errorf("query %q: points %+v, error %v; want %+v", queries[k].Query, r.Points, r.Err, want)
		}
	}
	// f00.go both sides, f01.go's blob once (old path and new path are
	// the same blob), for all three queries.
	want := int64(len(files["f00.go"]) + len("// foo foo bar\n") + len(files["f01.go"]))
	if e.BytesRead() != want {
		t.Errorf("git sent %d bytes, want %d (the changed files' blobs, once for the three queries)", e.BytesRead(), want)
	}
}

// TestPassBaseFailsAlone checks that in a pass, a query whose stored point
// cannot be continued (its old blob is gone) fails alone with
// ErrBaseUnusable, that a query continuing from a base fails alone at its
// deadline, and that the query evaluated in full beside them is right.
func TestPassBaseFailsAlone(t *testing.T) {
	t.Parallel()
	g, _, c1, c2 := baseRepo(t)
	repo := openRepo(t, g.Dir)
	foo, bar := parse(t, "foo"), parse(t, "bar")
	fooBase := series(t, &engine.Engine{}, repo, foo, []string{c1}, engine.Opts{})[0]
	barBase := series(t, &engine.Engine{}, repo, bar, []string{c1}, engine.Opts{})[0]
	g.RemoveObject(g.Git(time.Time{}, "rev-parse", c1+":f00.go"))
	queries := []engine.PassQuery{
		{Query: foo, Base: &fooBase},
		{Query: bar, Base: &barBase, Budget: time.Nanosecond},
		{Query: foo},
	}
	res, err := (&engine.Engine{}).Pass(context.Background(), repo, queries, []string{c2})
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(res[0].Err, engine.ErrBaseUnusable) || res[0].Points != nil {
		t.Errorf("old blob missing: error %v, %d points; want ErrBaseUnusable and none", res[0].Err, len(res[0].Points))
	}
	if !errors.Is(res[1].Err, engine.ErrDeadline) || res[1].Points != nil {
		t.Errorf("past its deadline: error %v, %d points; want ErrDeadline and none", res[1].Err, len(res[1].Points))
	}
	if res[2].Err != nil {
		t.Fatalf("the query evaluated in full: %v", res[2].Err)
	}
	if got, want := res[2].Points[0].Matches, gittest.GrepCount(t, g.Dir, c2, "foo"); got != want {
		t.Errorf("%d matches, git grep counts %d", got, want)
	}
}

// TestPassJoinsLate checks that a query continuing a point joins the walk
// at its From commit: beside a query evaluated in full over three commits,
// a query whose base is at the second and that needs only the third moves
// through the pass's own last diff, so git sends what the full query alone
// needs plus the old sides of that diff's files, once.
func TestPassJoinsLate(t *testing.T) {
	t.Parallel()
	g := gittest.New(t)
	files := map[string]string{}
	for i := range 20 {
		files[fmt.Sprintf("f%02d.go", i)] = strings.Repeat("// foo bar\n", 10+i)
	}
	c1 := g.Commit(day(1), "many files", files)
	c2 := g.Commit(day(2), "edit f02", map[string]string{"f02.go": "bar\n"})
	g.Move("f01.go", "renamed.go")
	c3 := g.Commit(day(3), "edit f00, rename f01", map[string]string{"f00.go": "foo bar bar\n"})
	repo := openRepo(t, g.Dir)
	commits := []string{c1, c2, c3}
	foo, bar := parse(t, "foo"), parse(t, "bar")
	alone := &engine.Engine{}
	wantFoo := series(t, alone, repo, foo, commits, engine.Opts{})
	base := series(t, &engine.Engine{}, repo, bar, []string{c2}, engine.Opts{})[0]
	e := &engine.Engine{}
	res, err := e.Pass(context.Background(), repo, []engine.PassQuery{{Query: foo}, {Query: bar, Base: &base, From: 2}}, commits)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || !cmp.Equal(wantFoo, res[0].Points, cmpopts.EquateEmpty()) {
		t.Errorf("full query: points %+v, error %v; want %+v", res[0].Points, res[0].Err, wantFoo)
	}
	wantBar := series(t, &engine.Engine{}, repo, bar, []string{c3}, engine.Opts{})[0]
	if res[1].Err != nil || len(res[1].Points) != 3 || !cmp.Equal(wantBar, res[1].Points[2], cmpopts.EquateEmpty()) ||
		res[1].Points[0].Commit != "" {
		t.Errorf("query joining at the third commit: points %+v, error %v; want zero, zero, %+v", res[1].Points, res[1].Err, wantBar)
	}
	want := alone.BytesRead() + int64(len(files["f00.go"])+len(files["f01.go"]))
	if e.BytesRead() != want {
		t.Errorf("git sent %d bytes, want %d (the full query's, and the old sides of the last diff)", e.BytesRead(), want)
	}
}
