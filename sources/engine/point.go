package engine

import (
	"maps"
	"slices"

	"github.com/sightline-dev/sightline/sources/search"
)

// Point is the answer at one commit. run-searches stores Points as JSON,
// for Incremental to continue: their encoding is pinned (TestPointJSON).
type Point struct {
	// Commit is the commit evaluated.
	Commit string
	// Matches is the sum of the files' match counts (files with
	// select:file or type:path).
	Matches int64
	// Files counts files with at least one match.
	Files int64
	// Skipped counts files not searched, by reason: "binary", "too-large",
	// "missing" (a blob absent from the object store).
	Skipped map[string]int64
	// MissingPaths lists the paths of missing blobs (at most
	// MaxMissingPaths of them).
	MissingPaths []string
	// Captures counts capture-group values, for a query with a group.
	Captures map[string]int64
	// Langs is language usage, for Opts.Langs.
	Langs map[string]LangTotal
	// Groups is the match count per group, for Opts.GroupBy.
	Groups map[string]int64
}

// LangTotal is one language's usage.
type LangTotal struct {
	Lines int64
	Bytes int64
}

// MaxMissingPaths bounds Point.MissingPaths.
const MaxMissingPaths = 100

// fileValue is what one file contributes; it is what the cache holds.
type fileValue struct {
	res     search.FileResult
	missing bool
	// lang is the file's language: for language stats (with stat) and
	// group-by lang.
	lang string
	stat *search.LangStat
}

func (v fileValue) size() int {
	n := v.res.Size() + len(v.lang)
	if v.stat != nil {
		n += 32
	}
	return n
}

// totals are running sums over the files of the current commit.
type totals struct {
	matches, files int64
	skipped        map[string]int64
	missing        map[string]bool
	captures       map[string]int64
	langs          map[string]LangTotal
	groups         map[string]int64
}

func newTotals() *totals {
	return &totals{skipped: map[string]int64{}, missing: map[string]bool{}, captures: map[string]int64{},
		langs: map[string]LangTotal{}, groups: map[string]int64{}}
}

// add adds (sign 1) or removes (sign -1) one file's contribution.
func (t *totals) add(path string, v fileValue, group string, sign int64) {
	switch {
	case v.missing:
		addKey(t.skipped, "missing", sign)
		if sign > 0 {
			t.missing[path] = true
		} else {
			delete(t.missing, path)
		}
	case v.res.Skipped != search.SkipNone:
		addKey(t.skipped, v.res.Skipped.String(), sign)
	}
	t.matches += sign * int64(v.res.Matches)
	if v.res.Matches > 0 {
		t.files += sign
		if group != "" {
			addKey(t.groups, group, sign*int64(v.res.Matches))
		}
	}
	for val, n := range v.res.Captures {
		addKey(t.captures, val, sign*int64(n))
	}
	if v.stat != nil {
		lt := t.langs[v.stat.Lang]
		lt.Lines += sign * int64(v.stat.Lines)
		lt.Bytes += sign * int64(v.stat.Bytes)
		if lt == (LangTotal{}) {
			delete(t.langs, v.stat.Lang)
		} else {
			t.langs[v.stat.Lang] = lt
		}
	}
}

func addKey(m map[string]int64, k string, n int64) {
	if m[k] += n; m[k] == 0 {
		delete(m, k)
	}
}

func (t *totals) point(commit string) Point {
	p := Point{Commit: commit, Matches: t.matches, Files: t.files, Skipped: maps.Clone(t.skipped)}
	if len(t.missing) > 0 {
		p.MissingPaths = slices.Sorted(maps.Keys(t.missing))
		p.MissingPaths = p.MissingPaths[:min(len(p.MissingPaths), MaxMissingPaths)]
	}
	if len(t.captures) > 0 {
		p.Captures = maps.Clone(t.captures)
	}
	if len(t.langs) > 0 {
		p.Langs = maps.Clone(t.langs)
	}
	if len(t.groups) > 0 {
		p.Groups = maps.Clone(t.groups)
	}
	return p
}
