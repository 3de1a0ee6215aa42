// Package engine answers code-insights questions about a repository's
// history straight from git objects: for a query and a sequence of commits
// (a series' sample times), the match count, capture-group values, language
// usage or group-by breakdown at each commit.
//
// Two facts make it fast. A blob's result never changes, so results are
// memoized per (blob oid, query) in a Cache shared by every evaluation. And
// consecutive commits share most of their files, so after the first commit
// each next one is evaluated by applying `git diff-tree` changes to running
// totals: only added or modified blobs are read and searched. The cost of a
// backfill grows with the number of changed blobs, not with sample times ×
// repository size.
//
// The package does not choose commits (see gitsource.CommitAt) nor store
// results.
package engine

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/search"
)

// GroupBy says how Point.Groups breaks match counts down.
type GroupBy string

// The group-by dimensions.
const (
	GroupNone GroupBy = ""
	GroupRepo GroupBy = "repo"
	GroupLang GroupBy = "lang"
	GroupPath GroupBy = "path"
)

// Opts configures an evaluation. The zero value counts matches.
type Opts struct {
	// Match configures matching (the file size limit).
	Match search.MatchOpts
	// Langs computes language usage (Point.Langs) for the files in the
	// query's scope instead of matching; the query may have no pattern.
	Langs bool
	// LangOpts configures language usage.
	LangOpts search.LangOpts
	// GroupBy breaks match counts down into Point.Groups.
	GroupBy GroupBy
	// RepoName is the group of GroupRepo.
	RepoName string
}

// Engine evaluates queries over repositories' histories.
type Engine struct {
	// Cache memoizes per-blob results; nil means a private cache of
	// DefaultCacheBytes, which the first Series call sets here (so set it
	// before calling Series from several goroutines).
	Cache *Cache

	bytesRead atomic.Int64
}

// BytesRead returns the bytes of the blobs git has sent the Engine's
// evaluations so far, including those over the size limit, which are
// discarded unsearched.
func (e *Engine) BytesRead() int64 { return e.bytesRead.Load() }

// Series evaluates q at each of commits, which should be in history order
// (oldest first) for the diffs between them to be small; any order is
// correct. A commit repeated in a row is evaluated once. It returns one
// Point per commit, in the order given.
func (e *Engine) Series(ctx context.Context, repo *gitsource.Repo, q *search.Query, commits []string, opts Opts) ([]Point, error) {
	ev := e.newEvaluation(repo, q, opts)
	ctx, cancel := context.WithCancel(ctx)
	wait := ev.prefetchDiffs(ctx, commits)
	defer wait() // after cancel: an early return stops the diffs' git
	defer cancel()
	points := make([]Point, len(commits))
	for i, c := range commits {
		if i == 0 || c != commits[i-1] {
			if err := ev.moveTo(ctx, c); err != nil {
				return nil, err
			}
		}
		points[i] = ev.totals.point(c)
	}
	return points, nil
}

// newEvaluation starts an evaluation of q with opts at no commit yet.
func (e *Engine) newEvaluation(repo *gitsource.Repo, q *search.Query, opts Opts) *evaluation {
	if e.Cache == nil {
		e.Cache = NewCache(0)
	}
	return &evaluation{repo: repo, q: q, opts: opts, cache: e.Cache, fp: fingerprint(q, opts),
		langFilters: langFilters(q), files: map[string]trackedFile{}, totals: newTotals(), bytesRead: &e.bytesRead}
}

// fingerprint is the cache key of what a file's value depends on besides
// its content.
func fingerprint(q *search.Query, opts Opts) string {
	if opts.Langs {
		return fmt.Sprintf("langs:%t:%t", opts.LangOpts.IncludeVendored, opts.LangOpts.IncludeGenerated)
	}
	return fmt.Sprintf("%s:%d:%s", q.Fingerprint(), opts.Match.MaxSize(), opts.GroupBy)
}

// langFilters identifies q's lang: and -lang: filters.
func langFilters(q *search.Query) string {
	include, exclude := q.Langs()
	return fmt.Sprintf("\x00lang:%q\x00-lang:%q", include, exclude)
}
