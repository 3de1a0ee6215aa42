package engine_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sightline-dev/sightline/sources/engine"
	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/gittest"
	"github.com/sightline-dev/sightline/sources/search"
)

// withFiles evaluates q in full at commits and returns its points and its
// files at commits[at], through their binary encoding (as run-searches
// stores them).
func withFiles(t *testing.T, repo *gitsource.Repo, q *search.Query, commits []string, at int, opts engine.Opts) ([]engine.Point, *engine.Files) {
	t.Helper()
	opts.Match.MaxFileSize = maxFileSize
	res, err := (&engine.Engine{}).Pass(context.Background(), repo, []engine.PassQuery{{Query: q, Opts: opts, FilesAt: commits[at]}}, commits)
	if err != nil || res[0].Err != nil {
		t.Fatalf("pass: %v, %v", err, res[0].Err)
	}
	if res[0].Files == nil {
		t.Fatalf("no files at commit %d of a full evaluation", at+1)
	}
	return res[0].Points, roundTrip(t, res[0].Files)
}

func roundTrip(t *testing.T, f *engine.Files) *engine.Files {
	t.Helper()
	data, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var out engine.Files
	if err := out.UnmarshalBinary(data); err != nil {
		t.Fatalf("decode %d files: %v", f.Len(), err)
	}
	return &out
}

// continueWithFiles continues base with its files over commits with a
// fresh engine, asking for the files at the last commit.
func continueWithFiles(t *testing.T, e *engine.Engine, repo *gitsource.Repo, q *search.Query, base engine.Point, files *engine.Files, commits []string, opts engine.Opts) engine.PassResult {
	t.Helper()
	opts.Match.MaxFileSize = maxFileSize
	res, err := e.Pass(context.Background(), repo, []engine.PassQuery{{Query: q, Opts: opts, Base: &base, BaseFiles: files,
		FilesAt: commits[len(commits)-1]}}, commits)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || len(res[0].Points) != len(commits) {
		t.Fatalf("continue from %.7s with %d files: %d points, %v", base.Commit, files.Len(), len(res[0].Points), res[0].Err)
	}
	return res[0]
}

// testIncrementalFiles continues each query's point at a base commit with
// its stored files (so no old side is read) over the whole scripted
// history and compares every point with the full evaluation, which the
// other checks compare with git grep and git archive; match cases also
// directly with git grep. The files at the last commit must be those of
// the full evaluation there.
func testIncrementalFiles(t *testing.T, h *history) {
	var cases []evalCase
	for _, c := range matchCases {
		cases = append(cases, evalCase{query: c.query})
	}
	cases = append(cases, evalCase{"foo", engine.Opts{GroupBy: engine.GroupPath}}, evalCase{"foo", engine.Opts{GroupBy: engine.GroupLang}},
		evalCase{"foo", engine.Opts{GroupBy: engine.GroupRepo, RepoName: "r"}}, evalCase{"file:.", engine.Opts{Langs: true}})
	last := len(h.commits) - 1
	for i, c := range cases {
		t.Run(c.String(), func(t *testing.T) {
			t.Parallel()
			q := parse(t, c.query)
			full, lastFiles := withFiles(t, h.repo, q, h.commits, last, c.opts)
			for _, k := range bases(h) {
				_, files := withFiles(t, h.repo, q, h.commits, k, c.opts)
				got := continueWithFiles(t, &engine.Engine{}, h.repo, q, full[k], files, h.commits, c.opts)
				if diff := cmp.Diff(full, got.Points, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("from commit %d with its files: (-full +incremental):\n%s", k+1, diff)
				}
				if !sameEncoding(t, lastFiles, got.Files) {
					t.Errorf("from commit %d: the files at the last commit differ from the full evaluation's", k+1)
				}
			}
			if i < len(matchCases) {
				checkMatchCase(t, h, matchCases[i], q, full)
			}
		})
	}
}

func sameEncoding(t *testing.T, a, b *engine.Files) bool {
	t.Helper()
	if a == nil || b == nil {
		return a == b
	}
	da, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	db, err := b.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(da, db)
}

func checkMatchCase(t *testing.T, h *history, c matchCase, q *search.Query, points []engine.Point) {
	t.Helper()
	want := c.want(t, h.oracle, q)
	for i, p := range points {
		got := summary{Matches: p.Matches, Files: p.Files, Captures: p.Captures}
		if c.pathspecs == nil {
			got.Skipped = p.Skipped
		}
		if diff := cmp.Diff(want[h.commits[i]], got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("commit %d: differs from git grep (-git +engine):\n%s", i+1, diff)
		}
	}
}

// TestIncrementalWithFilesReadsNewSides checks that continuing a point
// with its files reads only the new sides of the changed files: git sends
// the engine the edited file's new blob and the renamed file's blob, never
// an old side.
func TestIncrementalWithFilesReadsNewSides(t *testing.T) {
	t.Parallel()
	g, files, c1, c2 := baseRepo(t)
	repo := openRepo(t, g.Dir)
	q := parse(t, "foo")
	base, baseFiles := withFiles(t, repo, q, []string{c1}, 0, engine.Opts{})
	e := &engine.Engine{}
	got := continueWithFiles(t, e, repo, q, base[0], baseFiles, []string{c2}, engine.Opts{})
	if want := series(t, &engine.Engine{}, repo, q, []string{c2}, engine.Opts{}); !cmp.Equal(want, got.Points, cmpopts.EquateEmpty()) {
		t.Errorf("points %+v, want %+v", got.Points, want)
	}
	if want := int64(len("// foo foo bar\n") + len(files["f01.go"])); e.BytesRead() != want {
		t.Errorf("git sent %d bytes, want %d (the changed files' new sides only)", e.BytesRead(), want)
	}
}

// TestFilesNotOfTheBase checks that files that do not sum to the base
// point (another commit's, or another query's) fail the query with
// ErrBaseUnusable instead of continuing into a wrong value, and that a
// base continued without files gives no files (it does not know them).
func TestFilesNotOfTheBase(t *testing.T) {
	t.Parallel()
	g, _, c1, c2 := baseRepo(t)
	repo := openRepo(t, g.Dir)
	foo, bar := parse(t, "foo"), parse(t, "bar")
	fooAt, fooFiles := withFiles(t, repo, foo, []string{c1, c2}, 1, engine.Opts{})
	_, barFiles := withFiles(t, repo, bar, []string{c2}, 0, engine.Opts{})
	queries := []engine.PassQuery{
		{Query: foo, Base: &fooAt[0], BaseFiles: fooFiles},
		{Query: foo, Base: &fooAt[0], BaseFiles: barFiles},
		{Query: foo, Base: &fooAt[0], FilesAt: c2},
	}
	res, err := (&engine.Engine{}).Pass(context.Background(), repo, queries, []string{c2})
	if err != nil {
		t.Fatal(err)
	}
	for k, what := range []string{"the next commit's files", "another query's files"} {
		if !errors.Is(res[k].Err, engine.ErrBaseUnusable) {
			t.Errorf("a base with %s: error %v, want ErrBaseUnusable", what, res[k].Err)
		}
	}
	if res[2].Err != nil || res[2].Files != nil || res[2].Points[0].Matches != fooAt[1].Matches {
		t.Errorf("a base without files: files %v, points %+v, error %v; want no files and %d matches", res[2].Files, res[2].Points, res[2].Err, fooAt[1].Matches)
	}
}

// TestFilesEncoding checks that files survive their encoding, that the
// encoding is compact, and that damaged encodings are refused, never
// decoded into other files.
func TestFilesEncoding(t *testing.T) {
	t.Parallel()
	g := gittest.New(t)
	files := map[string]string{}
	for i := range 200 {
		files[fmt.Sprintf("src/pkg%02d/file%03d.go", i%10, i)] = "package p\n" + strings.Repeat("// TODO foo(x)\n", i%7)
	}
	c := g.Commit(day(1), "files", files)
	repo := openRepo(t, g.Dir)
	for _, ec := range []evalCase{{query: "TODO"}, {query: `/(fo+)\(/`}, {"TODO", engine.Opts{GroupBy: engine.GroupLang}}, {"file:.", engine.Opts{Langs: true}}} {
		q := parse(t, ec.query)
		_, f := withFiles(t, repo, q, []string{c}, 0, ec.opts)
		data, err := f.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if f.Len() < 170 || len(data) > 20*f.Len() {
			t.Errorf("%s: %d files in %d bytes; want at least 170 files in at most 20 bytes each", ec, f.Len(), len(data))
		}
		for cut := 0; cut < len(data); cut += max(1, min(cut, len(data)/64)) { // every short prefix, then samples
			var d engine.Files
			if err := d.UnmarshalBinary(data[:cut]); err == nil {
				t.Errorf("%s: the first %d of %d bytes decoded without error", ec, cut, len(data))
				break
			}
		}
	}
	var d engine.Files
	if err := d.UnmarshalBinary([]byte("{\"Matches\":1}")); err == nil {
		t.Error("JSON decoded as files")
	}
}
