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
// Many series over one repository are evaluated in one Pass: the walk
// lists each commit's changes once and reads each changed blob once for
// every query that has no cached value for it, so a dashboard of twenty
// series costs one git read and twenty matcher scans, not twenty reads.
// Series is a pass of one query.
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
// passes so far, including those over the size limit, which are discarded
// unsearched. A blob read once for several queries of a pass counts once.
func (e *Engine) BytesRead() int64 { return e.bytesRead.Load() }

// Series evaluates q at each of commits, which should be in history order
// (oldest first) for the diffs between them to be small; any order is
// correct. A commit repeated in a row is evaluated once. It returns one
// Point per commit, in the order given. It is a Pass of one query.
func (e *Engine) Series(ctx context.Context, repo *gitsource.Repo, q *search.Query, commits []string, opts Opts) ([]Point, error) {
	res, err := e.Pass(ctx, repo, []PassQuery{{Query: q, Opts: opts}}, commits)
	if err != nil {
		return nil, err
	}
	return res[0].Points, res[0].Err
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
