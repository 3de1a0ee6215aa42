package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sightline-dev/sightline/sources/engine"
	"github.com/sightline-dev/sightline/sources/gittest"
	"github.com/sightline-dev/sightline/sources/search"
)

// incremental continues base over commits with a fresh engine (an empty
// cache: every changed blob is read, both sides).
func incremental(t *testing.T, h *history, q *search.Query, base engine.Point, opts engine.Opts) []engine.Point {
	t.Helper()
	opts.Match.MaxFileSize = maxFileSize
	points, err := (&engine.Engine{}).Incremental(context.Background(), h.repo, q, base, h.commits, opts)
	if err != nil {
		t.Fatalf("Incremental from %.7s: %v", base.Commit, err)
	}
	if len(points) != len(h.commits) {
		t.Fatalf("%d points for %d commits", len(points), len(h.commits))
	}
	return points
}

// bases are the indexes of the commits the incremental checks start from:
// the first, a middle one and the last, so that moves go forward, back,
// and in one jump across most of the history.
func bases(h *history) []int { return []int{0, len(h.commits) / 2, len(h.commits) - 1} }

// testIncremental continues each query's point at a base commit over the
// whole scripted history (renames, deletions, files becoming binary or
// crossing the size limit, symbolic links, submodules) and compares every
// point with git grep.
func testIncremental(t *testing.T, h *history) {
	for _, c := range matchCases {
		t.Run(c.query, func(t *testing.T) {
			t.Parallel()
			q := parse(t, c.query)
			full := series(t, &engine.Engine{}, h.repo, q, h.commits, engine.Opts{})
			want := c.want(t, h.oracle, q)
			for _, k := range bases(h) {
				for i, p := range incremental(t, h, q, full[k], engine.Opts{}) {
					got := summary{Matches: p.Matches, Files: p.Files, Captures: p.Captures}
					if c.pathspecs == nil {
						got.Skipped = p.Skipped
					}
					if diff := cmp.Diff(want[h.commits[i]], got, cmpopts.EquateEmpty()); diff != "" {
						t.Errorf("from commit %d to %d: differs from git grep (-git +incremental):\n%s", k+1, i+1, diff)
					}
				}
			}
		})
	}
}

// testIncrementalGroups does the same for group-by and language usage:
// group-by path against git grep's per-file counts, language usage against
// git archive, group-by lang and repo against the full evaluation (which
// testGroups checks against git grep).
func testIncrementalGroups(t *testing.T, h *history) {
	q := parse(t, "foo")
	matches := h.oracle.grep(t, []string{"-F", "-i", "-e", "foo"}, nil)
	archived := map[string]map[string]engine.LangTotal{} // git archive's counts, by commit
	for _, c := range h.commits {
		archived[c] = archiveLangs(t, h.src.Dir, c)
	}
	for _, opts := range []engine.Opts{{GroupBy: engine.GroupPath}, {GroupBy: engine.GroupLang},
		{GroupBy: engine.GroupRepo, RepoName: "r"}, {Langs: true}} {
		q := q
		if opts.Langs {
			q = parse(t, "file:.")
		}
		full := series(t, &engine.Engine{}, h.repo, q, h.commits, opts)
		for _, k := range bases(h) {
			for i, p := range incremental(t, h, q, full[k], opts) {
				commit := h.commits[i]
				var diff string
				switch {
				case opts.GroupBy == engine.GroupPath:
					diff = cmp.Diff(countByPath(matches[commit]), p.Groups, cmpopts.EquateEmpty())
				case opts.Langs:
					diff = cmp.Diff(archived[commit], p.Langs, cmpopts.EquateEmpty())
				default:
					diff = cmp.Diff(full[i], p, cmpopts.EquateEmpty())
				}
				if diff != "" {
					t.Errorf("%+v from commit %d to %d: (-want +incremental):\n%s", opts, k+1, i+1, diff)
				}
			}
		}
	}
}

// TestIncrementalReadsOnlyChangedFiles checks that continuing a point
// reads both sides of the changed files and nothing else: git sends the
// engine exactly their bytes, not the tree's.
func TestIncrementalReadsOnlyChangedFiles(t *testing.T) {
	t.Parallel()
	g := gittest.New(t)
	files := map[string]string{}
	for i := range 50 {
		files[fmt.Sprintf("f%02d.go", i)] = strings.Repeat("// foo\n", 100+i)
	}
	c1 := g.Commit(day(1), "many files", files)
	g.Move("f01.go", "renamed.go")
	c2 := g.Commit(day(2), "one edit, one rename", map[string]string{"f00.go": "// foo foo\n"})
	repo := openRepo(t, g.Dir)
	q := parse(t, "foo")
	base := series(t, &engine.Engine{}, repo, q, []string{c1}, engine.Opts{})[0]
	e := &engine.Engine{}
	got, err := e.Incremental(context.Background(), repo, q, base, []string{c2}, engine.Opts{})
	if err != nil {
		t.Fatal(err)
	}
	if want := series(t, &engine.Engine{}, repo, q, []string{c2}, engine.Opts{})[0]; !cmp.Equal(want, got[0], cmpopts.EquateEmpty()) {
		t.Errorf("Incremental = %+v, want %+v", got[0], want)
	}
	// f00.go both sides, f01.go's blob once (the rename: old path and new
	// path are the same blob, read once and then cached).
	want := int64(len(files["f00.go"]) + len("// foo foo\n") + len(files["f01.go"]))
	if e.BytesRead() != want {
		t.Errorf("git sent %d bytes, want %d (the changed files' blobs)", e.BytesRead(), want)
	}
}

// TestIncrementalUnusableBase checks that a point counting missing blobs,
// or a changed file whose old blob is gone, is refused with
// ErrBaseUnusable rather than continued into a wrong value.
func TestIncrementalUnusableBase(t *testing.T) {
	t.Parallel()
	g := gittest.New(t)
	c1 := g.Commit(day(1), "initial", map[string]string{"a.go": "foo\n", "lost.go": "foo lost\n"})
	c2 := g.Commit(day(2), "edit lost", map[string]string{"lost.go": "foo found\n"})
	repo := openRepo(t, g.Dir)
	q := parse(t, "foo")
	base := series(t, &engine.Engine{}, repo, q, []string{c1}, engine.Opts{})[0]
	g.RemoveObject(g.Git(time.Time{}, "rev-parse", c1+":lost.go"))
	if _, err := (&engine.Engine{}).Incremental(context.Background(), repo, q, base, []string{c2}, engine.Opts{}); !errors.Is(err, engine.ErrBaseUnusable) {
		t.Errorf("old blob missing: err = %v, want ErrBaseUnusable", err)
	}
	damaged := series(t, &engine.Engine{}, repo, q, []string{c1}, engine.Opts{})[0]
	if _, err := (&engine.Engine{}).Incremental(context.Background(), repo, q, damaged, []string{c2}, engine.Opts{}); !errors.Is(err, engine.ErrBaseUnusable) {
		t.Errorf("base with a missing blob: err = %v, want ErrBaseUnusable", err)
	}
}

// TestStateKey checks that the key changes with what a point depends on.
func TestStateKey(t *testing.T) {
	t.Parallel()
	key := func(query string, opts engine.Opts) string { return engine.StateKey(parse(t, query), opts) }
	base := key("foo", engine.Opts{})
	if key("foo", engine.Opts{}) != base {
		t.Error("StateKey is not stable")
	}
	for name, k := range map[string]string{
		"pattern":      key("bar", engine.Opts{}),
		"filter":       key("lang:go foo", engine.Opts{}),
		"case":         key("case:yes foo", engine.Opts{}),
		"size limit":   key("foo", engine.Opts{Match: search.MatchOpts{MaxFileSize: 10}}),
		"group by":     key("foo", engine.Opts{GroupBy: engine.GroupPath}),
		"repo name":    key("foo", engine.Opts{GroupBy: engine.GroupRepo, RepoName: "x"}),
		"langs":        key("foo", engine.Opts{Langs: true}),
		"langs vendor": key("foo", engine.Opts{Langs: true, LangOpts: search.LangOpts{IncludeVendored: true}}),
	} {
		if k == base {
			t.Errorf("%s: StateKey did not change", name)
		}
	}
}

// TestPointJSON pins a Point's JSON encoding: run-searches stores points
// so (series_answer_states) for Incremental to continue. A field renamed
// or retyped would decode an old stored point wrong (a zero where a count
// was), so changing the encoding needs stateVersion (delta.go) raised,
// which makes every stored point be recomputed in full; then update want.
func TestPointJSON(t *testing.T) {
	t.Parallel()
	p := engine.Point{Commit: "c", Matches: 1, Files: 2, Skipped: map[string]int64{"binary": 3},
		MissingPaths: []string{"m"}, Captures: map[string]int64{"v": 4},
		Langs: map[string]engine.LangTotal{"Go": {Lines: 5, Bytes: 6}}, Groups: map[string]int64{"g": 7}}
	got, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Commit":"c","Matches":1,"Files":2,"Skipped":{"binary":3},"MissingPaths":["m"],"Captures":{"v":4},` +
		`"Langs":{"Go":{"Lines":5,"Bytes":6}},"Groups":{"g":7}}`
	if string(got) != want {
		t.Errorf("Point encodes as\n%s\nwant\n%s\n(stored points are read back: raise stateVersion, then update want)", got, want)
	}
	var back engine.Point
	if err := json.Unmarshal(got, &back); err != nil || !cmp.Equal(p, back) {
		t.Errorf("Point does not decode to itself: %+v, %v", back, err)
	}
}
