package engine_test

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sightline-dev/sightline/sources/engine"
	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/search"
)

// matchCase is a query and the `git grep` arguments that find the same
// matches; pathspecs stand for the query's file: and lang: filters.
type matchCase struct {
	query     string
	grep      []string
	pathspecs []string
}

var matchCases = []matchCase{
	{"foo", []string{"-F", "-i", "-e", "foo"}, nil},
	{"case:yes Foo", []string{"-F", "-e", "Foo"}, nil},
	{"return err", []string{"-F", "-i", "-e", "return err"}, nil},
	{`/fo+\w*/`, []string{"-P", "-i", "-e", `fo+\w*`}, nil},
	{`case:yes /^func \w+/`, []string{"-P", "-e", `^func \w+`}, nil},
	{`/(\w+)Error/`, []string{"-P", "-i", "-e", `(\w+)Error`}, nil},
	{`case:yes /([A-Z]\w*)Error/`, []string{"-P", "-e", `([A-Z]\w*)Error`}, nil},
	{"select:file foo", []string{"-F", "-i", "-e", "foo"}, nil},
	{`select:file /(\w+)Error/`, []string{"-P", "-i", "-e", `(\w+)Error`}, nil},
	{`file:\.go$ foo`, []string{"-F", "-i", "-e", "foo"}, []string{"*.go"}},
	{`file:^docs/ -file:\.txt$ foo`, []string{"-F", "-i", "-e", "foo"}, []string{"docs/", ":(exclude)*.txt"}},
	{`-file:^(vendor|big)/ /fo+/`, []string{"-P", "-i", "-e", "fo+"}, []string{".", ":(exclude)vendor/", ":(exclude)big/"}},
	{"lang:go foo", []string{"-F", "-i", "-e", "foo"}, []string{"*.go"}},
	{"lang:python foo", []string{"-F", "-i", "-e", "foo"}, []string{"*.py", "bin/tool"}},
	{"-lang:go foo", []string{"-F", "-i", "-e", "foo"}, []string{".", ":(exclude)*.go"}},
}

// summary is what the tests compare of a Point.
type summary struct {
	Matches, Files int64
	Captures       map[string]int64
	// Skipped is compared for queries over every file only.
	Skipped map[string]int64
}

// testMatches evaluates each query over the whole history in one Series
// call and compares every point with git grep on that commit.
func testMatches(t *testing.T, h *history) {
	cache := engine.NewCache(0) // shared, as a process shares one
	for _, c := range matchCases {
		t.Run(c.query, func(t *testing.T) {
			t.Parallel()
			q := parse(t, c.query)
			points := series(t, &engine.Engine{Cache: cache}, h.repo, q, h.commits, engine.Opts{})
			want := c.want(t, h.oracle, q)
			for i, commit := range h.commits {
				got := summary{Matches: points[i].Matches, Files: points[i].Files, Captures: points[i].Captures}
				if c.pathspecs == nil {
					got.Skipped = points[i].Skipped
				}
				if diff := cmp.Diff(want[commit], got, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("commit %d %.7s: engine differs from git grep (-git +engine):\n%s", i+1, commit, diff)
				}
			}
		})
	}
}

// want is what git says q's points are, by commit.
func (c matchCase) want(t *testing.T, o *oracle, q *search.Query) map[string]summary {
	t.Helper()
	matches := o.grep(t, c.grep, c.pathspecs)
	var files map[string][]string
	if q.SelectFile() {
		files = o.grepFiles(t, append([]string{"-I"}, c.grep...), c.pathspecs)
	}
	var skipped map[string]map[string]int64
	if c.pathspecs == nil {
		skipped = o.skipped(t)
	}
	want := map[string]summary{}
	for _, commit := range o.commits {
		ms := matches[commit]
		s := summary{Matches: int64(len(ms)), Files: int64(len(countByPath(ms))), Skipped: skipped[commit]}
		if q.SelectFile() {
			s.Matches, s.Files = int64(len(files[commit])), int64(len(files[commit]))
		}
		if q.HasCaptures() {
			s.Captures = captures(q, ms)
		}
		want[commit] = s
	}
	return want
}

// captures counts the first group's values in the matched texts, once
// per file with select:file.
func captures(q *search.Query, ms []grepMatch) map[string]int64 {
	pattern, _ := q.Pattern()
	if !q.CaseSensitive() {
		pattern = "(?i)" + pattern
	}
	re := regexp.MustCompile(pattern)
	seen := map[grepMatch]bool{}
	counts := map[string]int64{}
	for _, m := range ms {
		v := re.FindStringSubmatch(m.text)[1]
		key := grepMatch{path: m.path, text: v}
		if v == "" || q.SelectFile() && seen[key] {
			continue
		}
		seen[key] = true
		counts[v]++
	}
	return counts
}

func countByPath(ms []grepMatch) map[string]int64 {
	counts := map[string]int64{}
	for _, m := range ms {
		counts[m.path]++
	}
	return counts
}

// skipped counts, by commit, the files git grep -I skips as binary (those
// it lists without -I but not with it) and those over maxFileSize.
func (o *oracle) skipped(t *testing.T) map[string]map[string]int64 {
	t.Helper()
	all := o.grepFiles(t, []string{"-e", ""}, nil)
	text := o.grepFiles(t, []string{"-I", "-e", ""}, nil)
	skipped := map[string]map[string]int64{}
	for _, commit := range o.commits {
		s := map[string]int64{}
		for _, e := range o.trees[commit] {
			if e.size > maxFileSize {
				s["too-large"]++
			}
		}
		if n := len(all[commit]) - len(text[commit]); n > 0 {
			s["binary"] = int64(n)
		}
		skipped[commit] = s
	}
	return skipped
}

// testTypePath compares type:path with the paths of each commit's tree.
// Symbolic links are not files and do not match, as they are not searched
// (see the oracle).
func testTypePath(t *testing.T, h *history) {
	for _, c := range []struct {
		query string
		match func(path string) bool
	}{
		{"type:path util", func(p string) bool { return strings.Contains(strings.ToLower(p), "util") }},
		{`case:yes type:path /\.go$/`, func(p string) bool { return strings.HasSuffix(p, ".go") }},
		{`type:path file:^docs/ o`, func(p string) bool { return strings.HasPrefix(p, "docs/") && strings.Contains(p, "o") }},
		{"select:file type:path NOTES", func(p string) bool { return strings.Contains(p, "notes") }},
	} {
		t.Run(c.query, func(t *testing.T) {
			t.Parallel()
			points := series(t, &engine.Engine{}, h.repo, parse(t, c.query), h.commits, engine.Opts{})
			for i, commit := range h.commits {
				var want int64
				for path := range h.oracle.trees[commit] {
					if c.match(path) {
						want++
					}
				}
				if p := points[i]; p.Matches != want || p.Files != want {
					t.Errorf("commit %d %.7s: %d matches in %d files, want %d paths", i+1, commit, p.Matches, p.Files, want)
				}
			}
		})
	}
}

// testGroups checks that group-by breaks the match count down: by path
// into git grep's per-file counts, by language and repository into groups
// that sum to the total.
func testGroups(t *testing.T, h *history) {
	q := parse(t, "foo")
	grep := []string{"-F", "-i", "-e", "foo"}
	matches := h.oracle.grep(t, grep, nil)
	langs := map[string]map[string][]grepMatch{
		"Go":     h.oracle.grep(t, grep, []string{"*.go"}),
		"Python": h.oracle.grep(t, grep, []string{"*.py", "bin/tool"}),
	}
	byPath := series(t, &engine.Engine{}, h.repo, q, h.commits, engine.Opts{GroupBy: engine.GroupPath})
	byLang := series(t, &engine.Engine{}, h.repo, q, h.commits, engine.Opts{GroupBy: engine.GroupLang})
	byRepo := series(t, &engine.Engine{}, h.repo, q, h.commits, engine.Opts{GroupBy: engine.GroupRepo, RepoName: "r"})
	for i, commit := range h.commits {
		at := func(format string, args ...any) {
			t.Helper()
			t.Errorf("commit %d %.7s: "+format, append([]any{i + 1, commit}, args...)...)
		}
		if diff := cmp.Diff(countByPath(matches[commit]), byPath[i].Groups, cmpopts.EquateEmpty()); diff != "" {
			at("group-by path differs from git grep (-git +engine):\n%s", diff)
		}
		if sum := sumValues(byLang[i].Groups); sum != byLang[i].Matches {
			at("group-by lang sums to %d, want %d", sum, byLang[i].Matches)
		}
		for lang, ms := range langs {
			if got, want := byLang[i].Groups[lang], int64(len(ms[commit])); got != want {
				at("group-by lang: %s has %d matches, git grep finds %d", lang, got, want)
			}
		}
		if want := map[string]int64{"r": byRepo[i].Matches}; byRepo[i].Matches > 0 && !cmp.Equal(byRepo[i].Groups, want) {
			at("group-by repo = %v, want %v", byRepo[i].Groups, want)
		}
	}
}

func sumValues(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// testLangs compares language usage with lines and bytes counted from
// `git archive` of each commit, languages assigned by hand.
func testLangs(t *testing.T, h *history) {
	points := series(t, &engine.Engine{}, h.repo, parse(t, "file:."), h.commits, engine.Opts{Langs: true})
	for i, commit := range h.commits {
		if diff := cmp.Diff(archiveLangs(t, h.src.Dir, commit), points[i].Langs, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("commit %d %.7s: language usage differs (-archive +engine):\n%s", i+1, commit, diff)
		}
	}
}

// archiveLangs counts lines (newlines, plus an unterminated last line) and
// bytes per language of the regular files of commit, leaving out binary,
// vendored and generated files.
func archiveLangs(t *testing.T, dir, commit string) map[string]engine.LangTotal {
	t.Helper()
	out, err := git(dir, "archive", "--format=tar", commit)
	if err != nil {
		t.Fatal(err)
	}
	langs := map[string]engine.LangTotal{}
	tr := tar.NewReader(strings.NewReader(out))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return langs
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		lang := langOf(hdr.Name, data)
		if hdr.Typeflag != tar.TypeReg || lang == "" || strings.HasPrefix(hdr.Name, "vendor/") ||
			bytes.Contains(data[:min(len(data), 8000)], []byte{0}) || bytes.HasPrefix(data, []byte("// Code generated")) {
			continue
		}
		lines := bytes.Count(data, []byte("\n"))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			lines++
		}
		lt := langs[lang]
		lt.Lines += int64(lines)
		lt.Bytes += int64(len(data))
		langs[lang] = lt
	}
}

// langOf is the language of a file of the scripted history, or "".
func langOf(name string, data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("#!/usr/bin/env python")):
		return "Python"
	case bytes.HasPrefix(data, []byte("#!/bin/sh")):
		return "Shell"
	case path.Base(name) == "Makefile":
		return "Makefile"
	}
	return map[string]string{".go": "Go", ".py": "Python", ".md": "Markdown", ".ts": "TypeScript",
		".csv": "CSV", ".txt": "Text"}[path.Ext(name)]
}

func parse(t *testing.T, query string) *search.Query {
	t.Helper()
	q, err := search.Parse(query)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// series evaluates q at commits of repo with maxFileSize.
func series(t *testing.T, e *engine.Engine, repo *gitsource.Repo, q *search.Query, commits []string, opts engine.Opts) []engine.Point {
	t.Helper()
	opts.Match.MaxFileSize = maxFileSize
	points, err := e.Series(context.Background(), repo, q, commits, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(points) != len(commits) {
		t.Fatalf("%d points for %d commits", len(points), len(commits))
	}
	for i, p := range points {
		if p.Commit != commits[i] {
			t.Fatalf("point %d is for %s, want %s", i, p.Commit, commits[i])
		}
	}
	return points
}
