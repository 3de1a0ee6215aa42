package apidocs

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// DefaultLimit is how many results Search returns when SearchParams.Limit
// is 0.
const DefaultLimit = 10

// The match tiers, best first.
const (
	TierExact  = 0 // the name is the query
	TierPrefix = 1 // the name starts with the query
	TierSuffix = 2 // the search key is the query or ends with "." or "/" and the query
	TierFuzzy  = 3 // the name is similar to the query (pg_trgm similarity)
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
	// Summary is the first non-blank line of the documentation.
	Summary string `json:"summary"`
	Private bool   `json:"private"`
	Tier    int    `json:"tier"`
}

// tierMatch is each tier's condition and order, on search table s; $1 is
// the lower-cased text, $2 its LIKE prefix pattern, $3 and $4 the LIKE
// prefix patterns of its reverse after "." and "/". Each tier leaves out
// the earlier tiers' matches, and its order is that of an index, so that
// the scan stops at the limit (but for the suffix tier's few matches and
// the similarity tier).
var tierMatch = [...]struct{ where, sim, order string }{
	TierExact: {`lower(s.name) COLLATE "C" = $1`, `1`,
		`lower(s.name) COLLATE "C", s.repo_name COLLATE "C", s.path COLLATE "C", s.ordinal`},
	TierPrefix: {`lower(s.name) COLLATE "C" LIKE $2 AND lower(s.name) <> $1`, `1`,
		`lower(s.name) COLLATE "C", s.repo_name COLLATE "C", s.path COLLATE "C", s.ordinal`},
	TierSuffix: {`(reverse(lower(s.search_key)) COLLATE "C" = reverse($1) OR reverse(lower(s.search_key)) COLLATE "C" LIKE $3
			OR reverse(lower(s.search_key)) COLLATE "C" LIKE $4) AND lower(s.name) NOT LIKE $2`, `1`,
		`s.repo_name COLLATE "C", s.path COLLATE "C", s.ordinal`},
	TierFuzzy: {`lower(s.name) % $1 AND lower(s.name) NOT LIKE $2
			AND NOT (reverse(lower(s.search_key)) = reverse($1) OR reverse(lower(s.search_key)) LIKE $3 OR reverse(lower(s.search_key)) LIKE $4)`,
		`similarity(lower(s.name), $1)`, `sim DESC, s.repo_name COLLATE "C", s.path COLLATE "C", s.ordinal`},
}

// tierSQL is the search of one tier in one table, restricted to what the
// reader may see; $5 is the language, $6 the kind, $7 the repository
// pattern, $8 the limit, $9 the granted repositories.
func tierSQL(tier int, private, admin bool) string {
	m := tierMatch[tier]
	visible := `NOT r.private`
	if private {
		visible = `r.private AND s.repo_id = ANY($9::bigint[])`
		if admin {
			visible = `r.private`
		}
	}
	return `SELECT s.upload_id, s.ordinal, ` + m.sim + `::real AS sim
	FROM ` + table(private) + ` s JOIN repos r ON r.id = s.repo_id
	-- every tier takes the same arguments; these type the ones it does not use
	WHERE $1::text IS NOT NULL AND $2::text IS NOT NULL AND $3::text IS NOT NULL AND $4::text IS NOT NULL
		AND ` + m.where + `
		AND ($5 = '' OR s.lang = $5) AND ($6 = '' OR s.kind = $6) AND ($7 = '' OR s.repo_name ~ $7)
		AND r.deleted_at IS NULL AND ` + visible + `
	ORDER BY ` + m.order + ` LIMIT $8`
}

// hit is a search table row that matched.
type hit struct {
	upload  int64
	ordinal int32
	private bool
	tier    int
}

// Search returns the entries of indexed uploads that match p.Query, best
// first: by tier (exact name, name prefix, search-key suffix, similar
// name), private repositories before public ones within a tier, then
// (prefix: by name;) similar names by similarity; then repository name and
// path. Each tier and visibility is one query that stops at what is left
// of the limit, and later tiers are not searched once it is reached.
// Private repositories are searched only when p.Admin or listed in
// p.Granted, and a repository's rows only in the table of its current
// visibility.
func Search(ctx context.Context, db DB, p SearchParams) ([]Result, error) {
	q := p.Query
	text := strings.ToLower(q.Text)
	like := escapeLike(text)
	rev := escapeLike(reverse(text))
	limit := cmp.Or(p.Limit, DefaultLimit)
	granted := p.Granted
	if granted == nil {
		granted = []int64{}
	}
	var hits []hit
	for tier := range tierMatch {
		for _, private := range []bool{true, false} {
			if len(hits) >= limit {
				break
			}
			args := []any{text, like + "%", rev + ".%", rev + "/%",
				strings.ToLower(q.Lang), strings.ToLower(q.Kind), q.Repo, limit - len(hits)}
			if private && !p.Admin {
				if len(granted) == 0 {
					continue
				}
				args = append(args, granted)
			}
			rows, err := db.Query(ctx, tierSQL(tier, private, p.Admin), args...)
			if err != nil {
				return nil, fmt.Errorf("search api docs for %q: %w", q.Text, err)
			}
			h := hit{private: private, tier: tier}
			var sim float32
			_, err = pgx.ForEachRow(rows, []any{&h.upload, &h.ordinal, &sim}, func() error {
				hits = append(hits, h)
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("search api docs for %q: %w", q.Text, err)
			}
		}
	}
	return details(ctx, db, q.Text, hits)
}

// details reads what the results show for hits, in their order.
func details(ctx context.Context, db DB, text string, hits []hit) ([]Result, error) {
	if len(hits) == 0 {
		return nil, nil
	}
	uploads := make([]int64, len(hits))
	ordinals := make([]int32, len(hits))
	for i, h := range hits {
		uploads[i], ordinals[i] = h.upload, h.ordinal
	}
	// A hit whose entry went meanwhile (its upload retired) has no row:
	// h.n says which hit each row is.
	rows, err := db.Query(ctx, `SELECT h.n, r.name, u.commit_oid, e.path, e.start_line, e.name, e.search_key, e.kind, e.language,
			e.signature, e.detail
		FROM unnest($1::bigint[], $2::int[]) WITH ORDINALITY AS h (upload_id, ordinal, n)
		JOIN apidocs_entries e ON e.upload_id = h.upload_id AND e.ordinal = h.ordinal
		JOIN lsif_uploads u ON u.id = h.upload_id JOIN repos r ON r.id = u.repo_id
		ORDER BY h.n`, uploads, ordinals)
	if err != nil {
		return nil, fmt.Errorf("read the api docs results for %q: %w", text, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Result, error) {
		var r Result
		var n int
		var detail string
		if err := row.Scan(&n, &r.Repo, &r.Commit, &r.Path, &r.Line, &r.Name, &r.SearchKey, &r.Kind, &r.Language,
			&r.Signature, &detail); err != nil {
			return r, err
		}
		r.Summary = FirstLine(detail)
		r.Line++
		r.Private, r.Tier = hits[n-1].private, hits[n-1].tier
		return r, nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the api docs results for %q: %w", text, err)
	}
	return out, nil
}

// reverse returns s with its runes in reverse order, as Postgres'
// reverse() does.
func reverse(s string) string {
	r := []rune(s)
	slices.Reverse(r)
	return string(r)
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
