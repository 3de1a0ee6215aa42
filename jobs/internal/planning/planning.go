// Package planning is what the insights jobs share to turn a series into
// search tasks: the series' sample times, its parsed query and repository
// scope, each time mapped to the commit a repository's default branch was
// at then (MapTimes), the cost model that orders shards, and the one
// transaction that queues a plan's shards with what they are for
// (WriteShards, then Enqueue). plan-backfills and enqueue-snapshots plan
// with it; run-searches parses queries with it.
//
// It is a library, not a job: it lists no work, keeps no state and holds
// no SQL. It reads and writes through the stores that own the tables,
// sinks/insights and sinks/shardqueue.
package planning

import (
	"errors"
	"fmt"
	"regexp/syntax"
	"strings"

	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/search"
	"github.com/sightline-dev/sightline/sources/search/query"
)

// ScopeError reports whether err, from insights.ResolveRepos, is the
// user's: an unknown repository or a bad repository criteria regexp.
func ScopeError(err error) bool {
	var re *syntax.Error
	return errors.Is(err, repos.ErrNotFound) || errors.As(err, &re)
}

// Query parses s's query and checks that it suits s's kind; a
// language-usage series may have none (every file). Errors name the
// series and say what to change.
func Query(s insights.Series) (*search.Query, error) {
	text := s.Query
	if s.Kind == insights.KindLanguageUsage && strings.TrimSpace(text) == "" {
		text = "file:." // every file, as `sightline search langs` without a query
	}
	q, err := search.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("series %d: query %s: %w", s.ID, query.Abbrev(s.Query), err)
	}
	if s.Kind == insights.KindCaptureGroup && !q.HasCaptures() {
		return nil, fmt.Errorf("series %d: query %s is a capture-group series without a capture group: use a regexp pattern (/…/ or patterntype:regexp) with a (group)",
			s.ID, query.Abbrev(s.Query))
	}
	return q, nil
}
