package apidocs

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// DefaultLimit is how many results Search returns when SearchParams.Limit
// is 0.
const DefaultLimit = 10

// The match tiers, best first.
const (
	TierExact  = 0 // the name (or the whole search key) is the query
	TierPrefix = 1 // the name starts with the query
	TierSuffix = 2 // the search key ends with "." or "/" and the query
	TierFuzzy  = 3 // trigram similarity of the name or a word of the key
)

// SearchParams describe a search.
type SearchParams struct {
	Query Query
	// Admin searches every repository; otherwise private repositories
	// are searched only when listed in Granted.
	Admin   bool
	Granted []int64
	// Limit bounds the results; 0 means DefaultLimit.
	Limit int
}

// Result is one search result.
type Result struct {
	Repo      string `json:"repo"`
	Commit    string `json:"commit"`
	Path      string `json:"path"`
	Line      int    `json:"line"` // 1-based, as editors show it
	Name      string `json:"name"`
	SearchKey string `json:"search_key"`
	Kind      string `json:"kind"`
	Language  string `json:"language"`
	Signature string `json:"signature"`
	// Summary is the first non-empty line of the documentation.
	Summary string `json:"summary"`
	Private bool   `json:"private"`
	Tier    int    `json:"tier"`
}

// candidates is the search of one table: its rows that match, with their
// tier and similarity, restricted to the repositories the reader may see,
// best first. $1 is the lower-cased text, $2 its LIKE prefix pattern, $3
// and $4 its LIKE suffix patterns, $5 the language, $6 the kind, $7 the
// repository pattern, $8 the limit, $9 the granted repositories.
func candidates(private, admin bool) string {
	visible := `NOT r.private`
	if private {
		visible = `r.private AND s.repo_id = ANY($9::bigint[])`
		if admin {
			visible = `r.private`
		}
	}
	return `(SELECT s.upload_id, s.ordinal, r.name AS repo, s.path, ` + fmt.Sprint(private) + ` AS private, t.tier,
		CASE WHEN t.tier = 3 THEN greatest(similarity(lower(s.name), $1), word_similarity($1, lower(s.search_key))) ELSE 0 END AS sim
	FROM ` + table(private) + ` s JOIN repos r ON r.id = s.repo_id,
	LATERAL (SELECT CASE WHEN lower(s.name) = $1 OR lower(s.search_key) = $1 THEN 0
		WHEN lower(s.name) LIKE $2 THEN 1
		WHEN lower(s.search_key) LIKE $3 OR lower(s.search_key) LIKE $4 THEN 2
		ELSE 3 END AS tier) t
	WHERE (lower(s.name) LIKE $2 OR lower(s.search_key) = $1 OR lower(s.search_key) LIKE $3 OR lower(s.search_key) LIKE $4
			OR lower(s.name) % $1 OR $1 <% lower(s.search_key))
		AND ($5 = '' OR s.lang = $5) AND ($6 = '' OR s.kind = $6) AND ($7 = '' OR r.name ~ $7)
		AND r.deleted_at IS NULL AND ` + visible + `
	ORDER BY t.tier, sim DESC, r.name, s.path, s.ordinal LIMIT $8)`
}

// Search returns the entries of indexed uploads that match p.Query, best
// first: by tier (exact name, name prefix, search-key suffix, trigram
// similarity), private repositories before public ones, similarity, then
// repository name and path. Private repositories are searched only when
// p.Admin or listed in p.Granted, and a repository's rows are searched only
// in the table of its current visibility.
func Search(ctx context.Context, db DB, p SearchParams) ([]Result, error) {
	q := p.Query
	text := strings.ToLower(q.Text)
	like := escapeLike(text)
	granted := p.Granted
	if granted == nil {
		granted = []int64{}
	}
	sql := `SELECT c.repo, u.commit_oid, e.path, e.start_line, e.name, e.search_key, e.kind, e.language,
		e.signature, e.detail, c.private, c.tier
	FROM (` + candidates(true, p.Admin) + ` UNION ALL ` + candidates(false, p.Admin) + `) c
	JOIN apidocs_entries e ON e.upload_id = c.upload_id AND e.ordinal = c.ordinal
	JOIN lsif_uploads u ON u.id = c.upload_id
	ORDER BY c.tier, c.private DESC, c.sim DESC, c.repo, c.path, c.ordinal LIMIT $8`
	args := []any{text, like + "%", "%." + like, "%/" + like,
		strings.ToLower(q.Lang), strings.ToLower(q.Kind), q.Repo, cmp.Or(p.Limit, DefaultLimit)}
	if !p.Admin {
		args = append(args, granted)
	}
	rows, err := db.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("search api docs for %q: %w", q.Text, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Result, error) {
		var r Result
		var detail string
		err := row.Scan(&r.Repo, &r.Commit, &r.Path, &r.Line, &r.Name, &r.SearchKey, &r.Kind, &r.Language,
			&r.Signature, &detail, &r.Private, &r.Tier)
		r.Summary = FirstLine(detail)
		r.Line++
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("search api docs for %q: %w", q.Text, err)
	}
	return out, nil
}

// escapeLike escapes LIKE's wildcards and escape character in s.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// FirstLine returns the first non-blank line of Markdown text, trimmed.
func FirstLine(s string) string {
	for line := range strings.SplitSeq(s, "\n") {
		if t := strings.TrimSpace(line); t != "" {
			return t
		}
	}
	return ""
}
