package insightspec

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
)

// keyVersion changes whenever what goes into a key changes, so that old and
// new keys never collide by accident.
const keyVersion = "sightline-series-v1"

// seriesKey hashes what a series computes: query, s's kind and group-by,
// and in's scope, interval and points. query is the normalized query
// (search.Query.String, or "" for a language-usage series without one); the
// repository list is sorted so that its order does not matter; the interval
// is normalized.
func seriesKey(query string, s Series, in Insight) string {
	kind, groupBy, scope, iv, points := s.Kind, s.GroupBy, in.Scope, in.Interval, in.Points
	repoList := slices.Sorted(slices.Values(scope.Repos))
	if repoList == nil {
		repoList = []string{}
	}
	// JSON gives an unambiguous encoding of the fields (no separator games).
	b, err := json.Marshal(struct {
		V        string   `json:"v"`
		Query    string   `json:"query"`
		Kind     string   `json:"kind"`
		GroupBy  string   `json:"group_by"`
		Scope    string   `json:"scope"`
		Repos    []string `json:"repos"`
		Criteria string   `json:"criteria"`
		Unit     string   `json:"unit"`
		Value    int      `json:"value"`
		Points   int      `json:"points"`
	}{keyVersion, query, kind, groupBy, scope.Kind, repoList, scope.Criteria, iv.Unit, iv.Value, points})
	if err != nil {
		panic(err) // strings and ints always marshal
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
