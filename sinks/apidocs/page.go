package apidocs

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// PageParams ask for the documentation page of a repository's directory
// or file.
type PageParams struct {
	Repo string
	// Path is a directory or file relative to the repository root; ""
	// is the whole repository.
	Path string
	// Admin and Granted say which private repositories the reader may
	// see, as in SearchParams.
	Admin   bool
	Granted []int64
}

// Page is the documentation of a directory or file: its files, each with
// its symbols nested as the code nests them.
type Page struct {
	Repo  string     `json:"repo"`
	Path  string     `json:"path"`
	Files []PageFile `json:"files"`
}

// PageFile is one file of a page, at the commit of the upload it comes
// from.
type PageFile struct {
	Path    string   `json:"path"`
	Commit  string   `json:"commit"`
	Symbols []Symbol `json:"symbols"`
}

// Symbol is one documented symbol and the symbols declared inside it.
type Symbol struct {
	Name      string   `json:"name"`
	Kind      string   `json:"kind"`
	SearchKey string   `json:"search_key"`
	Line      int      `json:"line"` // 1-based
	Signature string   `json:"signature"`
	Detail    string   `json:"detail"`
	Tags      []string `json:"tags"`
	Children  []Symbol `json:"children"`
}

// PageGet returns the page of p.Path in repository p.Repo from the
// repository's indexed uploads (the newest completed ones at its
// default-branch head), files by path and symbols by line. A repository
// that is unknown, not visible to the reader or without indexed uploads,
// and a path without entries, are ErrNotFound (alike, so that a private
// repository's existence is not revealed).
func PageGet(ctx context.Context, db DB, p PageParams) (Page, error) {
	dir := strings.Trim(p.Path, "/")
	granted := p.Granted
	if granted == nil {
		granted = []int64{}
	}
	rows, err := db.Query(ctx, `SELECT e.path, u.commit_oid, e.start_line, e.name, e.kind, e.search_key,
			e.signature, e.detail, e.tags
		FROM apidocs_indexed i JOIN repos r ON r.id = i.repo_id
		JOIN lsif_uploads u ON u.id = i.upload_id
		JOIN apidocs_entries e ON e.upload_id = i.upload_id
		WHERE r.name = $1 AND r.deleted_at IS NULL AND (NOT r.private OR $2 OR r.id = ANY($3::bigint[]))
			AND ($4 = '' OR e.path = $4 OR e.path LIKE $5)
		ORDER BY e.path, e.start_line, e.ordinal`, p.Repo, p.Admin, granted, dir, escapeLike(dir)+"/%")
	if err != nil {
		return Page{}, fmt.Errorf("read the api docs page of %s %q: %w", p.Repo, dir, err)
	}
	page := Page{Repo: p.Repo, Path: dir, Files: []PageFile{}}
	var path, commit string
	var s Symbol
	var flat []Symbol
	flush := func() {
		if len(flat) > 0 {
			page.Files = append(page.Files, PageFile{Path: path, Commit: commit, Symbols: nest(flat)})
		}
		flat = nil
	}
	var rowPath string
	_, err = pgx.ForEachRow(rows, []any{&rowPath, &commit, &s.Line, &s.Name, &s.Kind, &s.SearchKey, &s.Signature, &s.Detail, &s.Tags},
		func() error {
			if rowPath != path {
				flush()
				path = rowPath
			}
			s.Line++
			flat = append(flat, s)
			return nil
		})
	if err != nil {
		return Page{}, fmt.Errorf("read the api docs page of %s %q: %w", p.Repo, dir, err)
	}
	flush()
	if len(page.Files) == 0 {
		// Alike for every cause, so that a private repository's existence
		// is not revealed.
		return Page{}, fmt.Errorf("api docs of repository %s under %q: %w: no documented symbol you may see there "+
			"(sightline repos list names the repositories; their docs come from processed uploads at the default-branch head)",
			p.Repo, dir, ErrNotFound)
	}
	return page, nil
}

// nest arranges a file's symbols, in line order, as the code nests them:
// a symbol is the child of the nearest earlier symbol whose search key,
// followed by a separator, begins its own (mux.Router → mux.Router.ServeHTTP).
func nest(flat []Symbol) []Symbol {
	type node struct {
		s        Symbol
		children []int
	}
	nodes := make([]node, len(flat))
	var roots, stack []int
	for i, s := range flat {
		nodes[i].s = s
		for len(stack) > 0 && !isChild(flat[stack[len(stack)-1]].SearchKey, s.SearchKey) {
			stack = stack[:len(stack)-1]
		}
		if len(stack) == 0 {
			roots = append(roots, i)
		} else {
			parent := stack[len(stack)-1]
			nodes[parent].children = append(nodes[parent].children, i)
		}
		stack = append(stack, i)
	}
	var build func(ids []int) []Symbol
	build = func(ids []int) []Symbol {
		out := make([]Symbol, 0, len(ids))
		for _, id := range ids {
			s := nodes[id].s
			s.Children = build(nodes[id].children)
			out = append(out, s)
		}
		return out
	}
	return build(roots)
}

// isChild reports whether key names a declaration inside parent's.
func isChild(parent, key string) bool {
	if parent == "" || len(key) <= len(parent)+1 || !strings.HasPrefix(key, parent) {
		return false
	}
	return strings.ContainsRune(".#/:", rune(key[len(parent)]))
}
